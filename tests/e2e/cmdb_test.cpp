// The CMDB through the real binary over real HTTP, on SQLite and (with YUNWEI_TEST_PG)
// PostgreSQL (issue #6): CI types and a schema change with misfits, CIs with checked attributes,
// list filters and full-text search, history, relations (a cycle too), impact and dependencies
// with open incidents, the export, and who may do what.
#include "e2e/e2e_util.h"

namespace yunwei::testing {
namespace {

class CmdbE2eTest : public SharedServerTest {
 protected:
  HttpResponse call(const std::string& method, const std::string& target, const std::string& token,
                    const std::string& body = "") {
    HttpClient c(port_);
    return c.request(method, target, body, {bearer(token)});
  }
  HttpResponse call(const std::string& method, const std::string& target, const std::string& token,
                    const json& body) {
    return call(method, target, token, body.dump());
  }
  HttpResponse admin(const std::string& method, const std::string& target, const json& body) {
    return call(method, target, admin_token_, body);
  }
  json get(const std::string& target) { return get_json(port_, target, admin_token_); }

  // POST as the admin; the created record (a test failure unless 201).
  json created(const std::string& target, const json& body) {
    HttpResponse r = admin("POST", target, body);
    EXPECT_EQ(r.status, 201) << target << " " << body.dump() << ": " << r.body;
    return parse_body(r);
  }

  // A token for a new user with exactly `role`.
  std::string token_for(const std::string& role, std::string* username = nullptr) {
    std::string name = unique_name("cmdb" + role);
    if (create_user(port_, admin_token_, name, {role}).is_discarded()) return "";
    if (username) *username = name;
    return login_token(port_, name, kUserPassword);
  }

  // A unique key or name part: letters, digits and _ only.
  static std::string tag(const std::string& prefix) {
    return replace_all(unique_name(prefix), "-", "_");
  }

  std::int64_t new_team() {
    json t = created("/api/v1/teams", {{"name", unique_name("CMDB team ")}});
    return t.is_discarded() ? 0 : t["id"].get<std::int64_t>();
  }

  json ci(const std::string& type, const std::string& name, json attrs = json::object(),
          std::optional<std::int64_t> team = std::nullopt, const std::string& env = "prod") {
    json body = {{"type", type}, {"name", name}, {"environment", env}, {"attributes", attrs}};
    if (team) body["owner_team_id"] = *team;
    return created("/api/v1/cis", body);
  }

  static std::string id(const json& record) {
    return std::to_string(record["id"].get<std::int64_t>());
  }
  static std::string ci_path(const json& record, const std::string& rest = "") {
    return "/api/v1/cis/" + id(record) + rest;
  }

  json relate(const json& from, const std::string& type, const json& to) {
    return created(ci_path(from, "/relations"), {{"type", type}, {"to", to["id"]}});
  }

  // The names of the listed CIs, in order (every page).
  std::vector<std::string> listed(const std::string& query) {
    std::vector<std::string> out;
    std::string cursor;
    for (int i = 0; i < 100; ++i) {
      std::string target = "/api/v1/cis?" + query;
      if (!cursor.empty()) target += "&cursor=" + url_encode(cursor);
      json page = get(target);
      if (page.is_discarded()) return out;
      for (const json& c : page["items"]) out.push_back(c["name"]);
      if (page["next_cursor"].is_null()) break;
      cursor = page["next_cursor"];
    }
    return out;
  }

  void expect_400(const std::string& target, const std::string& field) {
    HttpResponse r = call("GET", target, admin_token_);
    EXPECT_EQ(r.status, 400) << target << ": " << r.body;
    EXPECT_EQ(error_shape_problem(r), "") << target;
    EXPECT_EQ(error_field(r), field) << target << ": " << r.body;
  }
};

using Names = std::vector<std::string>;

TEST_P(CmdbE2eTest, TypesAreListedByIdOrKeyAndASchemaChangeReportsMisfits) {
  json types = get("/api/v1/ci-types");
  ASSERT_TRUE(types["items"].is_array());
  json server;
  for (const json& t : types["items"]) {
    if (t["key"] == "server") server = t;
  }
  ASSERT_TRUE(server.is_object()) << types.dump().substr(0, 500);
  EXPECT_EQ(server["builtin"], true);
  EXPECT_TRUE(server["ci_count"].is_number_integer());
  EXPECT_EQ(get("/api/v1/ci-types/server")["id"], server["id"]);
  EXPECT_EQ(get("/api/v1/ci-types/" + id(server))["key"], "server");
  EXPECT_EQ(call("GET", "/api/v1/ci-types/mainframe", admin_token_).status, 404);
  EXPECT_EQ(call("GET", "/api/v1/ci-types/99999999", admin_token_).status, 404);

  std::string key = tag("e2e_kiosk");
  json type = created("/api/v1/ci-types",
                      {{"key", key},
                       {"name", "Kiosk"},
                       {"name_zh", "自助终端"},
                       {"attributes",
                        {{{"key", "branch"}, {"name", "Branch"}, {"kind", "string"}},
                         {{"key", "asset_no"}, {"name", "Asset"}, {"kind", "string"}}}}});
  ASSERT_FALSE(type.is_discarded());
  EXPECT_EQ(type["ci_count"], 0);
  EXPECT_EQ(type["attributes"][0]["key"], "branch");
  EXPECT_EQ(admin("POST", "/api/v1/ci-types", {{"key", key}, {"name", "Again"}}).status, 409);
  HttpResponse bad = admin("POST", "/api/v1/ci-types",
                           {{"key", tag("e2e_bad")},
                            {"name", "Bad"},
                            {"attributes", {{{"key", "x"}, {"name", "X"}, {"kind", "wizard"}}}}});
  EXPECT_EQ(bad.status, 400) << bad.body;
  EXPECT_EQ(error_field(bad), "attributes[0].kind");
  HttpResponse bad_key = admin("POST", "/api/v1/ci-types", {{"key", "Bad Key"}, {"name", "Bad"}});
  EXPECT_EQ(bad_key.status, 400);
  EXPECT_EQ(error_field(bad_key), "key");

  json fits = ci(key, unique_name("kiosk-a"), {{"branch", "浦东"}});
  json misfit = ci(key, unique_name("kiosk-b"));
  ASSERT_FALSE(fits.is_discarded() || misfit.is_discarded());
  EXPECT_EQ(get("/api/v1/ci-types/" + key)["ci_count"], 2);

  // Branch becomes required: kiosk-b no longer fits.
  json attrs = {{{"key", "branch"}, {"name", "Branch"}, {"kind", "string"}, {"required", true}},
                {{"key", "asset_no"}, {"name", "Asset"}, {"kind", "string"}}};
  std::string path = "/api/v1/ci-types/" + id(type);
  HttpResponse refused =
      admin("PATCH", path, {{"version", type["version"]}, {"attributes", attrs}});
  EXPECT_EQ(refused.status, 422) << refused.body;
  EXPECT_EQ(error_code(refused), "unprocessable");
  EXPECT_EQ(error_field(refused), "attributes");
  json report = parse_body(refused);
  EXPECT_EQ(report["checked"], 2);
  ASSERT_EQ(report["misfits"].size(), 1u) << refused.body;
  EXPECT_EQ(report["misfits"][0]["ci_id"], misfit["id"]);
  EXPECT_NE(report["misfits"][0]["problems"][0].get<std::string>().find("attributes.branch"),
            std::string::npos);
  EXPECT_EQ(get(path)["version"], type["version"]) << "nothing changed";

  HttpResponse dry = admin(
      "PATCH", path, {{"version", type["version"]}, {"attributes", attrs}, {"dry_run", true}});
  EXPECT_EQ(dry.status, 200) << dry.body;
  EXPECT_EQ(parse_body(dry)["applied"], false);
  EXPECT_EQ(parse_body(dry)["misfits"].size(), 1u);
  EXPECT_EQ(get(path)["attributes"][0].value("required", false), false);

  HttpResponse applied =
      admin("PATCH", path,
            {{"version", type["version"]}, {"attributes", attrs}, {"accept_misfits", true}});
  EXPECT_EQ(applied.status, 200) << applied.body;
  json done = parse_body(applied);
  EXPECT_EQ(done["applied"], true);
  EXPECT_EQ(done["type"]["version"], type["version"].get<int>() + 1);
  EXPECT_EQ(done["type"]["attributes"][0]["required"], true);
  HttpResponse stale = admin("PATCH", path, {{"version", type["version"]}, {"name", "Stale"}});
  EXPECT_EQ(stale.status, 409);
  EXPECT_EQ(error_field(stale), "version");
  // A new CI of the type now needs a branch.
  HttpResponse missing = admin("POST", "/api/v1/cis", {{"type", key}, {"name", "kiosk-c"}});
  EXPECT_EQ(missing.status, 400);
  EXPECT_EQ(error_field(missing), "attributes.branch");
}

TEST_P(CmdbE2eTest, CisAreCreatedReadAndChangedWithErrorsNamingTheField) {
  std::int64_t team = new_team();
  std::string host = unique_name("sh-web-");
  json c = ci("server", host, {{"hostname", host}, {"ip", "10.1.2.3"}, {"cpu_cores", 16}}, team);
  ASSERT_FALSE(c.is_discarded());
  EXPECT_EQ(c["type"], "server");
  EXPECT_EQ(c["status"], "in_use");
  EXPECT_EQ(c["owner_team"]["id"], team);
  EXPECT_EQ(c["attributes"]["cpu_cores"], 16);
  EXPECT_EQ(c["attributes"]["criticality"], "medium") << "the default";
  EXPECT_EQ(get(ci_path(c)), c);

  struct Bad {
    json body;
    std::string field;
    int status = 400;
  };
  std::vector<Bad> bads = {
      {{{"type", "mainframe"}, {"name", "x"}}, "type"},
      {{{"type", "server"}}, "name"},
      {{{"type", "server"}, {"name", "x"}, {"status", "broken"}}, "status"},
      {{{"type", "server"}, {"name", "x"}, {"environment", "mars"}}, "environment"},
      {{{"type", "server"}, {"name", "x"}, {"owner_team_id", 99999999}}, "owner_team_id"},
      {{{"type", "server"}, {"name", "x"}, {"attributes", "hostname=x"}}, "attributes"},
      {{{"type", "server"}, {"name", "x"}, {"attributes", {{"hostname", "x"}, {"ip", "10.1.2"}}}},
       "attributes.ip"},
      {{{"type", "server"}, {"name", "x"}, {"attributes", {{"hostname", "x"}, {"wheels", 4}}}},
       "attributes.wheels"},
      {{{"type", "server"},
        {"name", "x"},
        {"attributes", {{"hostname", "x"}, {"cpu_cores", "many"}}}},
       "attributes.cpu_cores"},
      {{{"type", "server"}, {"name", "x"}, {"attributes", {{"hostname", host}}}},
       "attributes.hostname",
       409},
  };
  for (const Bad& b : bads) {
    HttpResponse r = admin("POST", "/api/v1/cis", b.body);
    EXPECT_EQ(r.status, b.status) << b.body.dump() << ": " << r.body;
    EXPECT_EQ(error_field(r), b.field) << b.body.dump() << ": " << r.body;
  }

  HttpResponse stale = admin("PATCH", ci_path(c), {{"version", 99}, {"status", "retired"}});
  EXPECT_EQ(stale.status, 409);
  EXPECT_EQ(error_field(stale), "version");
  HttpResponse bad_status =
      admin("PATCH", ci_path(c), {{"version", c["version"]}, {"status", "x"}});
  EXPECT_EQ(bad_status.status, 400);
  EXPECT_EQ(error_field(bad_status), "status");
  HttpResponse changed = admin("PATCH", ci_path(c),
                               {{"version", c["version"]},
                                {"status", "maintenance"},
                                {"owner_team_id", nullptr},
                                {"attributes", {{"os", "Kylin V10"}, {"ip", nullptr}}}});
  ASSERT_EQ(changed.status, 200) << changed.body;
  json after = parse_body(changed);
  EXPECT_EQ(after["status"], "maintenance");
  EXPECT_TRUE(after["owner_team"].is_null());
  EXPECT_EQ(after["attributes"]["os"], "Kylin V10");
  EXPECT_FALSE(after["attributes"].contains("ip"));
  EXPECT_EQ(after["attributes"]["hostname"], host) << "kept";
  EXPECT_EQ(after["version"], c["version"].get<int>() + 1);
  EXPECT_EQ(call("GET", "/api/v1/cis/99999999", admin_token_).status, 404);
  EXPECT_EQ(call("GET", "/api/v1/cis/abc", admin_token_).status, 404);
}

TEST_P(CmdbE2eTest, ListFiltersTextSearchAndPaging) {
  std::int64_t team = new_team();
  std::string t = std::to_string(team);
  std::string suffix = unique_name("-");
  json web = ci("server", "sh-web" + suffix,
                {{"hostname", "sh-web" + suffix}, {"ip", "10.1.2.3"}, {"os", "Kylin V10"}}, team);
  json bank = ci("business_service", "网上银行" + suffix, {{"service_level", "gold"}}, team);
  json db =
      ci("database", "ora-core" + suffix, {{"engine", "oracle"}, {"port", 1521}}, team, "dev");
  json lone = ci("application", "lone-app" + suffix);
  ASSERT_FALSE(web.is_discarded() || bank.is_discarded() || db.is_discarded() ||
               lone.is_discarded());
  std::string owner = "owner_team_id=" + t;
  EXPECT_EQ(listed(owner), (Names{"ora-core" + suffix, "sh-web" + suffix, "网上银行" + suffix}));
  EXPECT_EQ(listed(owner + "&sort=-name"),
            (Names{"网上银行" + suffix, "sh-web" + suffix, "ora-core" + suffix}));
  EXPECT_EQ(listed(owner + "&limit=1"), listed(owner)) << "paged with cursors";
  EXPECT_EQ(listed(owner + "&type=server"), Names{"sh-web" + suffix});
  EXPECT_EQ(listed(owner + "&type=server,database").size(), 2u);
  EXPECT_EQ(listed(owner + "&environment=dev"), Names{"ora-core" + suffix});
  EXPECT_EQ(listed(owner + "&attr.engine=oracle"), Names{"ora-core" + suffix});
  EXPECT_EQ(listed(owner + "&attr.port=1521&attr.engine=oracle"), Names{"ora-core" + suffix});
  EXPECT_EQ(listed(owner + "&attr.engine=mysql"), Names{});
  EXPECT_EQ(listed(owner + "&attr.service_level=gold"), Names{"网上银行" + suffix});
  EXPECT_EQ(listed(owner + "&q=" + url_encode("网上银行")), Names{"网上银行" + suffix});
  EXPECT_EQ(listed(owner + "&q=" + url_encode("银行")), Names{"网上银行" + suffix});
  EXPECT_EQ(listed(owner + "&q=10.1.2.3"), Names{"sh-web" + suffix});
  EXPECT_EQ(listed(owner + "&q=kylin"), Names{"sh-web" + suffix});
  EXPECT_EQ(listed(owner + "&q=" + url_encode("' OR 1=1 --")), Names{});
  EXPECT_EQ(listed("ids=" + id(lone) + "," + id(web) + "&owner_team_id=none"),
            Names{"lone-app" + suffix});
  json patched = parse_body(admin("PATCH", ci_path(db), {{"version", 1}, {"status", "retired"}}));
  EXPECT_EQ(patched["status"], "retired");
  EXPECT_EQ(listed(owner + "&status=retired"), Names{"ora-core" + suffix});
  EXPECT_EQ(listed(owner + "&sort=-updated_at").front(), "ora-core" + suffix);

  expect_400("/api/v1/cis?type=mainframe", "type");
  expect_400("/api/v1/cis?status=broken", "status");
  expect_400("/api/v1/cis?environment=mars", "environment");
  expect_400("/api/v1/cis?owner_team_id=x", "owner_team_id");
  expect_400("/api/v1/cis?attr.Bad-Key=1", "attr.Bad-Key");
  expect_400("/api/v1/cis?ids=1,x", "ids");
  expect_400("/api/v1/cis?sort=attributes", "sort");
  expect_400("/api/v1/cis?cursor=!!!", "cursor");
  expect_400("/api/v1/cis?limit=0", "limit");
  expect_400("/api/v1/cis?q=" + std::string(201, 'q'), "q");
}

TEST_P(CmdbE2eTest, HistoryShowsWhoWhenAndEachChange) {
  std::string agent_name;
  std::string agent = token_for("agent", &agent_name);
  ASSERT_FALSE(agent.empty());
  std::string host = unique_name("sh-db-");
  json c = ci("server", host, {{"hostname", host}, {"os", "CentOS 7"}});
  ASSERT_FALSE(c.is_discarded());
  HttpResponse r = call("PATCH", ci_path(c), agent,
                        json{{"version", c["version"]},
                             {"status", "maintenance"},
                             {"attributes", {{"os", "Kylin V10"}}}});
  ASSERT_EQ(r.status, 200) << r.body;
  json history = get(ci_path(c, "/history"));
  ASSERT_EQ(history["items"].size(), 2u) << history.dump();
  json update = history["items"][0];
  EXPECT_EQ(update["action"], "ci.update");
  EXPECT_EQ(update["actor"]["username"], agent_name);
  EXPECT_TRUE(update["at"].is_string());
  std::map<std::string, json> changes;
  for (const json& ch : update["changes"]) changes[ch["field"]] = ch;
  ASSERT_EQ(changes.size(), 2u) << update.dump();
  EXPECT_EQ(changes["status"]["before"], "in_use");
  EXPECT_EQ(changes["status"]["after"], "maintenance");
  EXPECT_EQ(changes["attributes.os"]["before"], "CentOS 7");
  EXPECT_EQ(changes["attributes.os"]["after"], "Kylin V10");
  EXPECT_EQ(history["items"][1]["action"], "ci.create");
  json first = get(ci_path(c, "/history?limit=1"));
  ASSERT_EQ(first["items"].size(), 1u);
  ASSERT_TRUE(first["next_cursor"].is_string());
  json second = get(
      ci_path(c, "/history?limit=1&cursor=" + url_encode(first["next_cursor"].get<std::string>())));
  EXPECT_EQ(second["items"][0]["action"], "ci.create");
  EXPECT_EQ(call("GET", "/api/v1/cis/99999999/history", admin_token_).status, 404);
}

TEST_P(CmdbE2eTest, RelationsAreAddedListedAndRemovedCyclesIncluded) {
  json app = ci("application", unique_name("erp-"));
  std::string vm_name = unique_name("vm-erp-");
  json vm = ci("virtual_machine", vm_name, {{"hostname", vm_name}});
  ASSERT_FALSE(app.is_discarded() || vm.is_discarded());
  json rel = relate(app, "runs_on", vm);
  ASSERT_FALSE(rel.is_discarded());
  EXPECT_EQ(rel["direction"], "out");
  EXPECT_EQ(rel["ci"]["id"], vm["id"]);
  json back = relate(vm, "depends_on", app);  // a cycle is allowed
  ASSERT_FALSE(back.is_discarded());

  json listed_app = get(ci_path(app, "/relations"));
  ASSERT_EQ(listed_app["items"].size(), 2u) << listed_app.dump();
  EXPECT_EQ(listed_app["items"][0]["type"], "runs_on");
  EXPECT_EQ(listed_app["items"][0]["direction"], "out");
  EXPECT_EQ(listed_app["items"][0]["ci"]["name"], vm_name);
  EXPECT_EQ(listed_app["items"][0]["ci"]["type"], "virtual_machine");
  EXPECT_EQ(listed_app["items"][1]["direction"], "in");

  struct Bad {
    json body;
    int status;
    std::string field;
  };
  for (const Bad& b : std::vector<Bad>{{{{"type", "runs_on"}, {"to", vm["id"]}}, 409, "to"},
                                       {{{"type", "runs_on"}, {"to", app["id"]}}, 400, "to"},
                                       {{{"type", "loves"}, {"to", vm["id"]}}, 400, "type"},
                                       {{{"type", "runs_on"}, {"to", 99999999}}, 400, "to"},
                                       {{{"type", "runs_on"}}, 400, "to"}}) {
    HttpResponse r = admin("POST", ci_path(app, "/relations"), b.body);
    EXPECT_EQ(r.status, b.status) << b.body.dump() << ": " << r.body;
    EXPECT_EQ(error_field(r), b.field) << b.body.dump();
  }
  EXPECT_EQ(admin("POST", "/api/v1/cis/99999999/relations", {{"type", "runs_on"}, {"to", vm["id"]}})
                .status,
            404);

  json history = get(ci_path(app, "/history"));
  EXPECT_EQ(history["items"][0]["action"], "ci.relate");
  EXPECT_EQ(history["items"][0]["relation"]["type"], "runs_on");
  EXPECT_EQ(history["items"][0]["relation"]["to"]["name"], vm_name);

  std::string del = ci_path(app, "/relations/" + id(rel));
  EXPECT_EQ(call("DELETE", del, admin_token_).status, 204);
  EXPECT_EQ(call("DELETE", del, admin_token_).status, 404);
  EXPECT_EQ(get(ci_path(app, "/relations"))["items"].size(), 1u);
  EXPECT_EQ(get(ci_path(app, "/history"))["items"][0]["action"], "ci.unrelate");

  // Admins add relation types; others may not.
  std::string key = tag("e2e_replicates");
  json type = created("/api/v1/ci-relation-types",
                      {{"key", key}, {"name", "replicates to"}, {"propagates", true}});
  EXPECT_EQ(type["builtin"], false);
  EXPECT_EQ(admin("POST", "/api/v1/ci-relation-types", {{"key", key}, {"name", "again"}}).status,
            409);
  HttpResponse bad = admin("POST", "/api/v1/ci-relation-types", {{"key", "Bad"}, {"name", "x"}});
  EXPECT_EQ(error_field(bad), "key");
  bool listed_type = false;
  json relation_types = get("/api/v1/ci-relation-types");
  for (const json& t : relation_types["items"]) listed_type = listed_type || t["key"] == key;
  EXPECT_TRUE(listed_type);
  EXPECT_FALSE(relate(app, key, vm).is_discarded());
}

TEST_P(CmdbE2eTest, ImpactAndDependenciesWithPathsServicesAndOpenIncidents) {
  std::string s = unique_name("-");
  json bank = ci("business_service", "网上银行" + s);
  json app = ci("application", "core-banking" + s);
  json vm = ci("virtual_machine", "vm-bank" + s, {{"hostname", "vm-bank" + s}});
  json host = ci("server", "sh-host" + s, {{"hostname", "sh-host" + s}});
  json db = ci("database", "bankdb" + s);
  json sw = ci("network_device", "sw-core" + s, {{"hostname", "sw-core" + s}});
  ASSERT_FALSE(bank.is_discarded() || app.is_discarded() || vm.is_discarded() ||
               host.is_discarded() || db.is_discarded() || sw.is_discarded());
  relate(bank, "depends_on", app);
  relate(app, "runs_on", vm);
  relate(vm, "hosted_on", host);
  relate(app, "depends_on", db);
  relate(db, "depends_on", app);     // a cycle
  relate(host, "connected_to", sw);  // does not propagate
  json incident =
      created("/api/v1/tickets",
              {{"kind", "incident"}, {"title", "VM unreachable" + s}, {"ci_id", vm["id"]}});
  json outage =
      created("/api/v1/tickets",
              {{"kind", "incident"}, {"title", "网上银行 slow" + s}, {"service_id", bank["id"]}});
  json request = created("/api/v1/tickets",
                         {{"kind", "request"}, {"title", "More disk" + s}, {"ci_id", host["id"]}});
  ASSERT_FALSE(incident.is_discarded() || outage.is_discarded() || request.is_discarded());

  json impact = get(ci_path(host, "/impact"));
  ASSERT_TRUE(impact.is_object());
  EXPECT_EQ(impact["ci"]["id"], host["id"]);
  std::map<std::int64_t, json> by_id;
  for (const json& item : impact["items"]) by_id[item["ci"]["id"].get<std::int64_t>()] = item;
  ASSERT_EQ(by_id.size(), 4u) << impact.dump();  // vm, app, bank, db; not the switch
  json b = by_id[bank["id"].get<std::int64_t>()];
  EXPECT_EQ(b["depth"], 3);
  EXPECT_EQ(b["path"], json({host["id"], vm["id"], app["id"], bank["id"]}));
  EXPECT_EQ(b["via"], json({"hosted_on", "runs_on", "depends_on"}));
  EXPECT_EQ(by_id[vm["id"].get<std::int64_t>()]["depth"], 1);
  EXPECT_EQ(by_id[db["id"].get<std::int64_t>()]["depth"], 3);
  EXPECT_FALSE(by_id.count(sw["id"].get<std::int64_t>()));
  ASSERT_EQ(impact["business_services"].size(), 1u);
  EXPECT_EQ(impact["business_services"][0]["id"], bank["id"]);
  EXPECT_EQ(impact["business_services"][0]["depth"], 3);
  std::set<std::string> numbers;
  for (const json& t : impact["open_incidents"]) numbers.insert(t["number"]);
  EXPECT_EQ(numbers, (std::set<std::string>{incident["number"], outage["number"]}))
      << impact["open_incidents"].dump();
  EXPECT_EQ(impact["scheduled_changes"], json::array());

  json shallow = get(ci_path(host, "/impact?depth=1"));
  ASSERT_EQ(shallow["items"].size(), 1u);
  EXPECT_EQ(shallow["items"][0]["ci"]["id"], vm["id"]);
  EXPECT_TRUE(shallow["business_services"].empty());

  json deps = get(ci_path(bank, "/dependencies"));
  EXPECT_FALSE(deps.contains("business_services"));
  std::map<std::int64_t, int> depth;
  for (const json& item : deps["items"])
    depth[item["ci"]["id"].get<std::int64_t>()] = item["depth"];
  EXPECT_EQ(depth, (std::map<std::int64_t, int>{{app["id"].get<std::int64_t>(), 1},
                                                {vm["id"].get<std::int64_t>(), 2},
                                                {db["id"].get<std::int64_t>(), 2},
                                                {host["id"].get<std::int64_t>(), 3}}));
  EXPECT_EQ(deps["open_incidents"].size(), 2u) << deps["open_incidents"].dump();

  // An approver reads impact too; bad depths are refused.
  std::string approver = token_for("approver");
  EXPECT_EQ(call("GET", ci_path(host, "/impact"), approver).status, 200);
  expect_400(ci_path(host, "/impact?depth=0"), "depth");
  expect_400(ci_path(host, "/dependencies?depth=51"), "depth");
  EXPECT_EQ(call("GET", "/api/v1/cis/99999999/impact", admin_token_).status, 404);
}

TEST_P(CmdbE2eTest, ExportsCsvAndJsonInTheImportFormat) {
  std::int64_t team = new_team();
  json team_record = get("/api/v1/teams/" + std::to_string(team));
  std::string host = unique_name("sh-exp-");
  json server =
      ci("server", host, {{"hostname", host}, {"ip", "10.1.2.3"}, {"os", "Kylin, V10"}}, team);
  json app = ci("application", unique_name("应用-"), json::object(), team);
  ASSERT_FALSE(server.is_discarded() || app.is_discarded());
  relate(app, "runs_on", server);
  std::string filter = "owner_team_id=" + std::to_string(team);

  HttpResponse csv =
      call("GET", "/api/v1/cis/export?format=csv&relations=true&" + filter, admin_token_);
  ASSERT_EQ(csv.status, 200) << csv.body;
  EXPECT_NE(csv.header("content-type").find("text/csv"), std::string::npos);
  EXPECT_NE(csv.header("content-disposition").find("attachment"), std::string::npos);
  ASSERT_EQ(csv.body.rfind("\xEF\xBB\xBF", 0), 0u) << "a byte order mark";
  std::string header = csv.body.substr(3, csv.body.find("\r\n") - 3);
  EXPECT_EQ(header.rfind("type,name,status,environment,owner_team,", 0), 0u) << header;
  EXPECT_NE(header.find("attributes.hostname"), std::string::npos) << header;
  EXPECT_NE(header.find("relations.runs_on"), std::string::npos) << header;
  EXPECT_NE(csv.body.find("\"Kylin, V10\""), std::string::npos) << "quoted: " << csv.body;
  EXPECT_NE(csv.body.find("server:" + host), std::string::npos) << csv.body;
  EXPECT_NE(csv.body.find(team_record["name"].get<std::string>()), std::string::npos);
  EXPECT_EQ(std::count(csv.body.begin(), csv.body.end(), '\n'), 3) << "header and two CIs";

  HttpResponse js =
      call("GET", "/api/v1/cis/export?format=json&relations=true&" + filter, admin_token_);
  ASSERT_EQ(js.status, 200) << js.body;
  json doc = parse_body(js);
  ASSERT_EQ(doc["cis"].size(), 2u) << js.body;
  json exported_server, exported_app;
  for (const json& c : doc["cis"]) (c["type"] == "server" ? exported_server : exported_app) = c;
  EXPECT_EQ(exported_server["name"], host);
  EXPECT_EQ(exported_server["owner_team"], team_record["name"]);
  EXPECT_EQ(exported_server["attributes"]["ip"], "10.1.2.3");
  EXPECT_EQ(exported_app["relations"],
            json::parse(R"([{"type":"runs_on","to":"server:)" + host + R"("}])"));
  HttpResponse plain = call("GET", "/api/v1/cis/export?format=json&" + filter, admin_token_);
  EXPECT_FALSE(parse_body(plain)["cis"][0].contains("relations"));
  expect_400("/api/v1/cis/export?format=xml", "format");
  expect_400("/api/v1/cis/export?type=mainframe", "type");
}

TEST_P(CmdbE2eTest, RolesSeeAndChangeOnlyWhatTheyMay) {
  std::string agent = token_for("agent");
  std::string auditor = token_for("auditor");
  std::string requester = token_for("requester");
  ASSERT_FALSE(agent.empty() || auditor.empty() || requester.empty());
  json server_type = get("/api/v1/ci-types/server");
  EXPECT_EQ(call("GET", "/api/v1/ci-types", agent).status, 200);
  HttpResponse patch = call("PATCH", "/api/v1/ci-types/server", agent,
                            json{{"version", server_type["version"]}, {"name", "Box"}});
  EXPECT_EQ(patch.status, 403);
  EXPECT_EQ(error_code(patch), "forbidden");
  EXPECT_EQ(call("POST", "/api/v1/ci-types", agent, json{{"key", "x"}, {"name", "x"}}).status, 403);
  EXPECT_EQ(get("/api/v1/ci-types/server")["name"], server_type["name"]);
  std::string host = unique_name("sh-perm-");
  HttpResponse made =
      call("POST", "/api/v1/cis", agent,
           json{{"type", "server"}, {"name", host}, {"attributes", {{"hostname", host}}}});
  EXPECT_EQ(made.status, 201) << made.body;
  std::string path = "/api/v1/cis/" + id(parse_body(made));
  EXPECT_EQ(call("GET", path, auditor).status, 200);
  EXPECT_EQ(call("PATCH", path, auditor, json{{"version", 1}, {"status", "retired"}}).status, 403);
  for (const std::string& target :
       {std::string("/api/v1/cis"), std::string("/api/v1/ci-types"), path, path + "/history",
        path + "/relations", path + "/impact", std::string("/api/v1/cis/export")}) {
    HttpResponse r = call("GET", target, requester);
    EXPECT_EQ(r.status, 403) << target;
    EXPECT_EQ(error_code(r), "forbidden") << target;
  }
}

YUNWEI_INSTANTIATE_BACKENDS(CmdbE2eTest);

}  // namespace
}  // namespace yunwei::testing
