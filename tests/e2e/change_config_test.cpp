// Change configuration through the real binary over real HTTP, on SQLite and (with
// YUNWEI_TEST_PG) PostgreSQL (issue #7): freeze windows, maintenance windows of business services
// and their daylight-saving-correct occurrences, standard-change templates and the change
// settings; versions, field-named errors, audit events and who may do what.
#include <algorithm>

#include "e2e/e2e_util.h"

namespace yunwei::testing {
namespace {

class ChangeConfigE2eTest : public SharedServerTest {
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
  std::string token_for(const std::string& role) {
    std::string name = unique_name("chgcfg" + role);
    if (create_user(port_, admin_token_, name, {role}).is_discarded()) return "";
    return login_token(port_, name, kUserPassword);
  }

  std::int64_t ci(const std::string& type, const std::string& name, json attrs = json::object()) {
    json c = created("/api/v1/cis", {{"type", type}, {"name", name}, {"attributes", attrs}});
    return c.is_discarded() ? 0 : c["id"].get<std::int64_t>();
  }
  std::int64_t service(const std::string& name) {
    return ci("business_service", unique_name(name));
  }
  std::int64_t team(bool active = true) {
    json t = created("/api/v1/teams", {{"name", unique_name("Change team ")}});
    if (t.is_discarded()) return 0;
    if (!active) {
      HttpResponse r = admin(
          "POST", "/api/v1/teams/" + std::to_string(t["id"].get<std::int64_t>()) + "/deactivate",
          {{"version", t["version"]}});
      EXPECT_EQ(r.status, 200) << r.body;
    }
    return t["id"].get<std::int64_t>();
  }

  // The request answered 400 naming `field`.
  void expect_400(const HttpResponse& r, const std::string& field, const std::string& what) {
    EXPECT_EQ(r.status, 400) << what << ": " << r.body;
    EXPECT_EQ(error_shape_problem(r), "") << what;
    EXPECT_EQ(error_field(r), field) << what << ": " << r.body;
  }

  // The ids listed in items, in order.
  static std::vector<std::int64_t> ids(const json& list) {
    std::vector<std::int64_t> out;
    for (const json& i : list["items"]) out.push_back(i["id"].get<std::int64_t>());
    return out;
  }

  static std::string path(const std::string& base, const json& record) {
    return base + "/" + std::to_string(record["id"].get<std::int64_t>());
  }

  // How many audit events there are for the object.
  std::size_t events(const std::string& type, const json& record) {
    json j = get("/api/v1/audit?object_type=" + type +
                 "&object_id=" + std::to_string(record["id"].get<std::int64_t>()));
    return j.is_discarded() ? 0 : j["items"].size();
  }
};

TEST_P(ChangeConfigE2eTest, FreezeWindowsAreCreatedListedChangedAndDeletedWithVersions) {
  std::int64_t bank = service("网上银行");
  std::int64_t erp = service("ERP");
  // Far in the future, so that windows other tests on this server made do not interfere.
  json golden = created("/api/v1/freeze-windows", {{"name", "国庆封网"},
                                                   {"reason", "National Day"},
                                                   {"start", "2091-10-01T00:00:00+08:00"},
                                                   {"end", "2091-10-08T00:00:00+08:00"},
                                                   {"service_ids", {bank, erp}}});
  ASSERT_FALSE(golden.is_discarded());
  EXPECT_EQ(golden["start"], "2091-09-30T16:00:00.000Z");
  EXPECT_EQ(golden["version"], 1);
  EXPECT_EQ(golden["service_ids"], json({bank, erp}));
  ASSERT_EQ(golden["services"].size(), 2u);
  EXPECT_EQ(golden["services"][1]["id"], erp);
  EXPECT_EQ(golden["services"][0]["name"].get<std::string>().rfind("网上银行", 0), 0u);
  json spring = created(
      "/api/v1/freeze-windows",
      {{"name", "春节封网"}, {"start", "2091-02-01T00:00:00Z"}, {"end", "2091-02-10T00:00:00Z"}});
  ASSERT_FALSE(spring.is_discarded());
  EXPECT_TRUE(spring["services"].empty());

  json year = get("/api/v1/freeze-windows?from=2091-01-01T00:00:00Z&to=2092-01-01T00:00:00Z");
  EXPECT_EQ(ids(year), (std::vector<std::int64_t>{spring["id"].get<std::int64_t>(),
                                                  golden["id"].get<std::int64_t>()}))
      << "by start";
  json autumn = get("/api/v1/freeze-windows?from=2091-06-01T00:00:00Z&to=2091-10-01T00:00:00Z");
  EXPECT_EQ(ids(autumn), (std::vector<std::int64_t>{golden["id"].get<std::int64_t>()}));
  EXPECT_EQ(get(path("/api/v1/freeze-windows", golden))["name"], "国庆封网");

  std::string target = path("/api/v1/freeze-windows", golden);
  HttpResponse r = admin("PATCH", target, {{"version", 1}, {"end", "2091-10-09T00:00:00+08:00"}});
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(parse_body(r)["version"], 2);
  EXPECT_EQ(parse_body(r)["end"], "2091-10-08T16:00:00.000Z");
  r = admin("PATCH", target, {{"version", 1}, {"name", "stale"}});
  EXPECT_EQ(r.status, 409) << r.body;
  EXPECT_EQ(error_field(r), "version");
  r = admin("DELETE", target, {{"version", 1}});
  EXPECT_EQ(r.status, 409) << r.body;
  EXPECT_EQ(error_field(r), "version");
  EXPECT_EQ(admin("DELETE", target, {{"version", 2}}).status, 204);
  EXPECT_EQ(call("GET", target, admin_token_).status, 404);
  EXPECT_EQ(admin("PATCH", target, {{"version", 2}, {"name", "gone"}}).status, 404);
  EXPECT_EQ(call("DELETE", target, admin_token_).status, 404);
  EXPECT_EQ(events("freeze_window", golden), 3u) << "create, update, delete";
  EXPECT_EQ(call("DELETE", path("/api/v1/freeze-windows", spring), admin_token_).status, 204)
      << "a delete without a version is unconditional";
}

TEST_P(ChangeConfigE2eTest, BadInputIsRefusedNamingTheField) {
  std::int64_t erp = service("ERP");
  std::int64_t server = ci("server", unique_name("chg-db-"), {{"hostname", unique_name("chgdb")}});
  json ok = {
      {"name", "Freeze"}, {"start", "2090-01-01T00:00:00Z"}, {"end", "2090-01-02T00:00:00Z"}};
  auto freeze = [&](json patch) {
    json body = ok;
    body.update(patch);
    return admin("POST", "/api/v1/freeze-windows", body);
  };
  expect_400(freeze({{"name", ""}}), "name", "empty name");
  expect_400(freeze({{"name", std::string(201, 'n')}}), "name", "long name");
  expect_400(freeze({{"start", "next monday"}}), "start", "start not RFC 3339");
  expect_400(freeze({{"end", "2089-12-31T00:00:00Z"}}), "end", "end before start");
  expect_400(freeze({{"service_ids", {erp, server}}}), "service_ids[1]", "a server");
  expect_400(freeze({{"service_ids", std::vector<std::int64_t>(101, erp)}}), "service_ids",
             "101 services");
  expect_400(freeze({{"colour", "red"}}), "colour", "unknown field");
  json no_end = ok;
  no_end.erase("end");
  expect_400(admin("POST", "/api/v1/freeze-windows", no_end), "end", "no end");
  expect_400(call("GET", "/api/v1/freeze-windows?from=yesterday", admin_token_), "from",
             "bad from");

  json mw = {{"service_id", erp}, {"name", "Weekly"}, {"ranges", {"Sat 22:00-Sun 06:00"}}};
  auto maintenance = [&](json patch) {
    json body = mw;
    body.update(patch);
    return admin("POST", "/api/v1/maintenance-windows", body);
  };
  expect_400(maintenance({{"zone", "Asia/Atlantis"}}), "zone", "unknown zone");
  expect_400(maintenance({{"ranges", {"Sat 22:00-Sun 06:00", "Saturday night"}}}), "ranges[1]",
             "malformed range");
  expect_400(maintenance({{"ranges", json::array()}}), "ranges", "no ranges");
  expect_400(maintenance({{"ranges", std::vector<std::string>(21, "Sat 22:00-Sun 06:00")}}),
             "ranges", "21 ranges");
  expect_400(maintenance({{"service_id", server}}), "service_id", "a server");
  json no_service = mw;
  no_service.erase("service_id");
  expect_400(admin("POST", "/api/v1/maintenance-windows", no_service), "service_id", "no service");

  json tpl = {{"name", "OS patching"}, {"duration_minutes", 60}};
  auto templ = [&](json patch) {
    json body = tpl;
    body.update(patch);
    return admin("POST", "/api/v1/change-templates", body);
  };
  expect_400(templ({{"duration_minutes", 0}}), "duration_minutes", "0 minutes");
  expect_400(templ({{"duration_minutes", 10081}}), "duration_minutes", "over a week");
  expect_400(templ({{"implementer_team_id", 987654321}}), "implementer_team_id", "no such team");
  std::int64_t inactive = team(false);
  expect_400(templ({{"implementer_team_id", inactive}}), "implementer_team_id", "inactive team");
  json unnamed = tpl;
  unnamed.erase("name");
  expect_400(admin("POST", "/api/v1/change-templates", unnamed), "name", "no name");

  HttpResponse settings = call("GET", "/api/v1/change-settings", admin_token_);
  ASSERT_EQ(settings.status, 200) << settings.body;
  json s = parse_body(settings);
  json q = s["questionnaire"];
  ASSERT_TRUE(q["questions"].size() >= 3u) << q.dump();
  q["questions"][2]["options"][0]["score"] = 101;
  expect_400(
      admin("PUT", "/api/v1/change-settings", {{"version", s["version"]}, {"questionnaire", q}}),
      "questionnaire.questions[2].options[0].score", "score over 100");
  expect_400(admin("PUT", "/api/v1/change-settings",
                   {{"version", s["version"]}, {"candidate_min_incidents", 1}}),
             "candidate_min_incidents", "1 incident");
  expect_400(admin("PUT", "/api/v1/change-settings",
                   {{"version", s["version"]}, {"cab_team_id", inactive}}),
             "cab_team_id", "inactive board");
  EXPECT_EQ(get("/api/v1/change-settings")["version"], s["version"]) << "nothing stored";
}

TEST_P(ChangeConfigE2eTest, MaintenanceOccurrencesFollowTheWindowsZoneAcrossDaylightSaving) {
  std::int64_t erp = service("ERP");
  json w = created("/api/v1/maintenance-windows", {{"service_id", erp},
                                                   {"name", "Weekend"},
                                                   {"zone", "Europe/Berlin"},
                                                   {"ranges", {"sat 22:00 - sun 06:00"}}});
  ASSERT_FALSE(w.is_discarded());
  EXPECT_EQ(w["ranges"], json({"Sat 22:00-Sun 06:00"}));
  EXPECT_EQ(w["zone"], "Europe/Berlin");
  EXPECT_EQ(w["service_id"], erp);
  EXPECT_FALSE(w["service_name"].get<std::string>().empty());

  json list = get("/api/v1/maintenance-windows?service_id=" + std::to_string(erp));
  EXPECT_EQ(ids(list), (std::vector<std::int64_t>{w["id"].get<std::int64_t>()}));

  json occ =
      get("/api/v1/maintenance-windows/occurrences?from=2026-03-21T00:00:00Z"
          "&to=2026-04-06T00:00:00Z&service_id=" +
          std::to_string(erp));
  ASSERT_EQ(occ["items"].size(), 3u) << occ.dump();
  EXPECT_EQ(occ["items"][0]["start"], "2026-03-21T21:00:00.000Z");
  EXPECT_EQ(occ["items"][0]["end"], "2026-03-22T05:00:00.000Z");
  EXPECT_EQ(occ["items"][1]["start"], "2026-03-28T21:00:00.000Z");
  EXPECT_EQ(occ["items"][1]["end"], "2026-03-29T04:00:00.000Z") << "7 hours: clocks go forward";
  EXPECT_EQ(occ["items"][2]["start"], "2026-04-04T20:00:00.000Z");
  EXPECT_EQ(occ["items"][1]["id"], w["id"]);
  EXPECT_EQ(occ["items"][1]["service_id"], erp);

  std::string target = path("/api/v1/maintenance-windows", w);
  HttpResponse r = admin("PATCH", target, {{"version", 1}, {"zone", "Asia/Shanghai"}});
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(parse_body(r)["version"], 2);
  occ =
      get("/api/v1/maintenance-windows/occurrences?from=2026-03-28T00:00:00Z"
          "&to=2026-03-29T12:00:00Z&service_id=" +
          std::to_string(erp));
  ASSERT_EQ(occ["items"].size(), 1u) << occ.dump();
  EXPECT_EQ(occ["items"][0]["start"], "2026-03-28T14:00:00.000Z");
  EXPECT_EQ(occ["items"][0]["end"], "2026-03-28T22:00:00.000Z");
  r = admin("PATCH", target, {{"version", 1}, {"name", "stale"}});
  EXPECT_EQ(r.status, 409);
  EXPECT_EQ(error_field(r), "version");
  expect_400(call("GET",
                  "/api/v1/maintenance-windows/occurrences?from=2026-01-01T00:00:00Z"
                  "&to=2028-01-01T00:00:00Z",
                  admin_token_),
             "to", "over 400 days");
  EXPECT_EQ(admin("DELETE", target, {{"version", 2}}).status, 204);
  EXPECT_EQ(call("GET", target, admin_token_).status, 404);
  EXPECT_EQ(events("maintenance_window", w), 3u);
}

TEST_P(ChangeConfigE2eTest, TemplatesAreVisibleToARequesterOnlyWhileActive) {
  std::string requester = token_for("requester");
  std::int64_t infra = team();
  json t = created("/api/v1/change-templates", {{"name", unique_name("Certificate renewal ")},
                                                {"name_zh", "证书更新"},
                                                {"implementation_plan", "renew; deploy"},
                                                {"backout_plan", "redeploy the old one"},
                                                {"duration_minutes", 30},
                                                {"implementer_team_id", infra}});
  ASSERT_FALSE(t.is_discarded());
  EXPECT_EQ(t["active"], true);
  EXPECT_EQ(t["implementer_team"]["id"], infra);
  std::string target = path("/api/v1/change-templates", t);

  auto visible = [&](const std::string& token, const std::string& query) {
    HttpResponse r = call("GET", "/api/v1/change-templates" + query, token);
    EXPECT_EQ(r.status, 200) << r.body;
    auto listed = ids(parse_body(r));
    return std::find(listed.begin(), listed.end(), t["id"].get<std::int64_t>()) != listed.end();
  };
  EXPECT_TRUE(visible(requester, ""));
  EXPECT_EQ(call("GET", target, requester).status, 200);

  HttpResponse r = admin("PATCH", target, {{"version", 1}, {"active", false}});
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(parse_body(r)["active"], false);
  EXPECT_FALSE(visible(requester, ""));
  EXPECT_EQ(call("GET", target, requester).status, 404);
  EXPECT_EQ(call("GET", "/api/v1/change-templates?all=true", requester).status, 403);
  EXPECT_FALSE(visible(admin_token_, ""));
  EXPECT_TRUE(visible(admin_token_, "?all=true"));
  EXPECT_EQ(call("GET", target, admin_token_).status, 200);
  r = admin("PATCH", target, {{"version", 1}, {"active", true}});
  EXPECT_EQ(r.status, 409);
  EXPECT_EQ(error_field(r), "version");
  r = admin("PATCH", target, {{"version", 2}, {"active", true}, {"duration_minutes", 45}});
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_TRUE(visible(requester, ""));
  EXPECT_EQ(events("change_template", t), 3u);
  EXPECT_EQ(call("GET", "/api/v1/change-templates/987654321", admin_token_).status, 404);
}

TEST_P(ChangeConfigE2eTest, RequestersAreRefusedAndAgentsMayOnlyRead) {
  std::string requester = token_for("requester");
  std::string agent = token_for("agent");
  std::int64_t erp = service("ERP");
  json freeze = created("/api/v1/freeze-windows", {{"name", "Perm freeze"},
                                                   {"start", "2092-01-01T00:00:00Z"},
                                                   {"end", "2092-01-02T00:00:00Z"}});
  json mw = created("/api/v1/maintenance-windows",
                    {{"service_id", erp}, {"name", "Perm"}, {"ranges", {"Sun 01:00-Sun 02:00"}}});
  json tpl =
      created("/api/v1/change-templates", {{"name", "Perm template"}, {"duration_minutes", 5}});
  ASSERT_FALSE(freeze.is_discarded() || mw.is_discarded() || tpl.is_discarded());

  for (const std::string& target :
       {std::string("/api/v1/freeze-windows"), path("/api/v1/freeze-windows", freeze),
        std::string("/api/v1/maintenance-windows"), path("/api/v1/maintenance-windows", mw),
        std::string("/api/v1/maintenance-windows/occurrences"),
        std::string("/api/v1/change-settings"), std::string("/api/v1/change-templates?all=true")}) {
    EXPECT_EQ(call("GET", target, requester).status, 403) << target;
    EXPECT_EQ(call("GET", target, agent).status, 200) << target;
  }
  EXPECT_EQ(call("GET", "/api/v1/change-templates", requester).status, 200);

  struct Write {
    std::string method, target;
    json body;
  };
  std::vector<Write> writes = {
      {"POST",
       "/api/v1/freeze-windows",
       {{"name", "x"}, {"start", "2092-02-01T00:00:00Z"}, {"end", "2092-02-02T00:00:00Z"}}},
      {"PATCH", path("/api/v1/freeze-windows", freeze), {{"version", 1}, {"name", "x"}}},
      {"DELETE", path("/api/v1/freeze-windows", freeze), json::object()},
      {"POST",
       "/api/v1/maintenance-windows",
       {{"service_id", erp}, {"name", "x"}, {"ranges", {"Sun 01:00-Sun 02:00"}}}},
      {"PATCH", path("/api/v1/maintenance-windows", mw), {{"version", 1}, {"name", "x"}}},
      {"DELETE", path("/api/v1/maintenance-windows", mw), json::object()},
      {"POST", "/api/v1/change-templates", {{"name", "x"}, {"duration_minutes", 5}}},
      {"PATCH", path("/api/v1/change-templates", tpl), {{"version", 1}, {"name", "x"}}},
      {"PUT", "/api/v1/change-settings", {{"version", 0}}},
  };
  for (const Write& w : writes) {
    for (const std::string& token : {requester, agent}) {
      HttpResponse r = call(w.method, w.target, token, w.body);
      EXPECT_EQ(r.status, 403) << w.method << " " << w.target << ": " << r.body;
      EXPECT_EQ(error_code(r), "forbidden");
    }
  }
  EXPECT_EQ(get(path("/api/v1/freeze-windows", freeze))["version"], 1) << "nothing changed";
  EXPECT_EQ(get(path("/api/v1/maintenance-windows", mw))["name"], "Perm");
}

TEST_P(ChangeConfigE2eTest, SettingsAreReadAndWrittenWithTheirVersion) {
  json s = get("/api/v1/change-settings");
  ASSERT_FALSE(s.is_discarded());
  for (const char* key : {"cab_team_id", "ecab_team_id", "questionnaire", "candidate_window_days",
                          "candidate_min_incidents", "version"}) {
    EXPECT_TRUE(s.contains(key)) << key << " in " << s.dump();
  }
  std::int64_t board = team();
  std::int64_t version = s["version"].get<std::int64_t>();
  HttpResponse r = admin("PUT", "/api/v1/change-settings",
                         {{"version", version},
                          {"cab_team_id", board},
                          {"candidate_window_days", 45},
                          {"candidate_min_incidents", 4}});
  ASSERT_EQ(r.status, 200) << r.body;
  json saved = parse_body(r);
  EXPECT_EQ(saved["version"], version + 1);
  EXPECT_EQ(saved["cab_team_id"], board);
  EXPECT_EQ(saved["candidate_window_days"], 45);
  EXPECT_EQ(saved["questionnaire"], s["questionnaire"]) << "absent fields are kept";
  EXPECT_EQ(get("/api/v1/change-settings")["candidate_min_incidents"], 4);
  r = admin("PUT", "/api/v1/change-settings",
            {{"version", version}, {"candidate_window_days", 30}});
  EXPECT_EQ(r.status, 409) << r.body;
  EXPECT_EQ(error_field(r), "version");
  r = admin("PUT", "/api/v1/change-settings",
            {{"version", version + 1}, {"ecab_team_id", nullptr}});
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_TRUE(parse_body(r)["ecab_team_id"].is_null());
  // Put the boards back for the other tests sharing this server.
  r = admin("PUT", "/api/v1/change-settings",
            {{"version", version + 2},
             {"cab_team_id", s["cab_team_id"]},
             {"ecab_team_id", s["ecab_team_id"]},
             {"candidate_window_days", s["candidate_window_days"]},
             {"candidate_min_incidents", s["candidate_min_incidents"]}});
  EXPECT_EQ(r.status, 200) << r.body;
}

YUNWEI_INSTANTIATE_BACKENDS(ChangeConfigE2eTest);

}  // namespace
}  // namespace yunwei::testing
