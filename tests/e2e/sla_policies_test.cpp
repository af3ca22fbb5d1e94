// SLA policies through the real binary over real HTTP, on SQLite and (with YUNWEI_TEST_PG)
// PostgreSQL (issue #5): the five seeded policies, a policy scoped to a parent category with an
// OLA target and its own thresholds, matching (a child category is covered by its parent),
// reordering, clearing a target, optimistic locking, validation naming the field, access rules.
#include <algorithm>

#include "e2e/e2e_util.h"

namespace yunwei::testing {
namespace {

const std::vector<std::string> kSeededNames = {"P1 严重 Critical", "P2 高 High", "P3 中 Moderate",
                                               "P4 低 Low", "P5 计划 Planning"};

class SlaPoliciesE2eTest : public SharedServerTest {
 protected:
  HttpResponse call(const std::string& method, const std::string& target, const std::string& token,
                    const std::string& body = "", std::vector<std::string> headers = {}) {
    headers.push_back(bearer(token));
    HttpClient c(port_);
    return c.request(method, target, body, headers);
  }
  HttpResponse call(const std::string& method, const std::string& target, const std::string& token,
                    const json& body) {
    return call(method, target, token, body.dump());
  }

  // A token for a new user with exactly `role`.
  std::string token_for(const std::string& role) {
    std::string name = unique_name("slapol" + role);
    if (create_user(port_, admin_token_, name, {role}).is_discarded()) return "";
    return login_token(port_, name, kUserPassword);
  }

  static std::string path(std::int64_t id) {
    std::string p = "/api/v1/sla-policies/";
    p += std::to_string(id);
    return p;
  }

  // POST as the admin; the created record (a test failure unless 201).
  json created(const std::string& target, const json& body) {
    HttpResponse r = call("POST", target, admin_token_, body);
    EXPECT_EQ(r.status, 201) << target << ": " << r.body;
    return parse_body(r);
  }

  // The id of the seeded calendar called `name` (0 with a test failure when missing).
  std::int64_t calendar(const std::string& name) {
    json list = get_json(port_, "/api/v1/calendars", admin_token_);
    for (const json& c : list["items"]) {
      if (c["name"] == name) return c["id"].get<std::int64_t>();
    }
    ADD_FAILURE() << "no calendar " << name << ": " << list.dump();
    return 0;
  }
  std::int64_t office() { return calendar("Office hours 工作时间"); }
  std::int64_t always_on() { return calendar("24×7"); }

  // Some active team (0 with a test failure when there is none).
  std::int64_t some_team() {
    json teams = get_json(port_, "/api/v1/teams?limit=100", admin_token_);
    for (const json& t : teams["items"]) {
      if (t["active"] == true) return t["id"].get<std::int64_t>();
    }
    ADD_FAILURE() << "no active team";
    return 0;
  }

  // A new top-level category and a child of it; their ids.
  std::pair<std::int64_t, std::int64_t> category_pair(const std::string& prefix) {
    json parent = created("/api/v1/categories", {{"code", unique_name(prefix)}, {"name", prefix}});
    if (parent.is_discarded()) return {0, 0};
    std::string child_code = parent["code"].get<std::string>();
    child_code += ".child";
    json child = created("/api/v1/categories",
                         {{"code", child_code}, {"name", "Child"}, {"parent_id", parent["id"]}});
    if (child.is_discarded()) return {0, 0};
    return {parent["id"].get<std::int64_t>(), child["id"].get<std::int64_t>()};
  }

  // Every policy, in the served order.
  json list() { return get_json(port_, "/api/v1/sla-policies", admin_token_)["items"]; }

  // The listed policy called `name` (a discarded value with a test failure when missing).
  json listed(const std::string& name) {
    for (const json& p : list()) {
      if (p["name"] == name) return p;
    }
    ADD_FAILURE() << "no SLA policy " << name;
    return json(json::value_t::discarded);
  }

  // The position of the policy with `id` in the list (-1 when absent).
  int index_of(std::int64_t id) {
    json items = list();
    for (std::size_t i = 0; i < items.size(); ++i) {
      if (items[i]["id"] == id) return static_cast<int>(i);
    }
    return -1;
  }

  // POST .../match; the "policy" of the answer (a discarded value with a test failure unless
  // 200).
  json match(const json& ticket, const std::string& token = "") {
    HttpResponse r =
        call("POST", "/api/v1/sla-policies/match", token.empty() ? admin_token_ : token, ticket);
    EXPECT_EQ(r.status, 200) << ticket.dump() << ": " << r.body;
    json body = parse_body(r);
    if (r.status != 200 || !body.is_object() || !body.contains("policy"))
      return json(json::value_t::discarded);
    return body["policy"];
  }
};

TEST_P(SlaPoliciesE2eTest, TheFiveSeededPoliciesAreListedInOrder) {
  json items = list();
  ASSERT_TRUE(items.is_array());
  ASSERT_GE(items.size(), 5u);
  // The whole list is in evaluation order: by position, then id.
  for (std::size_t i = 1; i < items.size(); ++i) {
    auto key = [](const json& p) {
      return std::make_pair(p["position"].get<int>(), p["id"].get<std::int64_t>());
    };
    EXPECT_LT(key(items[i - 1]), key(items[i])) << items.dump();
  }
  std::vector<json> seeded;
  for (const json& p : items) {
    std::string name = p["name"];
    if (std::find(kSeededNames.begin(), kSeededNames.end(), name) != kSeededNames.end())
      seeded.push_back(p);
  }
  ASSERT_EQ(seeded.size(), 5u) << items.dump();
  std::int64_t always = always_on();
  std::int64_t office_hours = office();
  struct Want {
    const char* priority;
    std::int64_t calendar;
    json response, resolution;
  };
  const Want want[] = {{"P1", always, 15, 240},
                       {"P2", always, 30, 480},
                       {"P3", office_hours, 240, 1440},
                       {"P4", office_hours, 480, 2400},
                       {"P5", office_hours, 960, nullptr}};
  for (std::size_t i = 0; i < 5; ++i) {
    const json& p = seeded[i];
    EXPECT_EQ(p["name"], kSeededNames[i]);
    EXPECT_EQ(p["position"], 10 * static_cast<int>(i + 1));
    EXPECT_EQ(p["active"], true);
    EXPECT_EQ(p["conditions"], json({{"kinds", {"incident", "request"}},
                                     {"priorities", {want[i].priority}},
                                     {"service_ids", json::array()},
                                     {"category_ids", json::array()},
                                     {"organisations", json::array()}}))
        << p["name"];
    EXPECT_EQ(p["calendar_id"], want[i].calendar) << p["name"];
    EXPECT_EQ(p["response_minutes"], want[i].response) << p["name"];
    EXPECT_EQ(p["resolution_minutes"], want[i].resolution) << p["name"];
    EXPECT_EQ(p["ola"], json::array());
    EXPECT_EQ(p["pause_reasons"], json({"awaiting_requester", "awaiting_vendor"}));
    EXPECT_EQ(p["thresholds"].size(), 3u);
    EXPECT_GE(p["version"].get<std::int64_t>(), 1);
    EXPECT_TRUE(p["created_at"].is_string());
    EXPECT_TRUE(p["updated_at"].is_string());
    EXPECT_EQ(get_json(port_, path(p["id"]), admin_token_), p) << p["name"];
  }
  EXPECT_EQ(seeded[2]["thresholds"], json::parse(R"([
      {"percent": 50, "actions": [{"type": "notify", "to": "assignee"}]},
      {"percent": 75, "actions": [{"type": "notify", "to": "assignee"},
                                  {"type": "notify", "to": "team_lead"},
                                  {"type": "mark_at_risk"}]},
      {"percent": 100, "actions": [{"type": "notify", "to": "team_lead"},
                                   {"type": "notify", "to": "operations"}]}])"));
  EXPECT_EQ(seeded[0]["thresholds"][0]["actions"],
            json::parse(R"([{"type": "notify", "to": "assignee"},
                            {"type": "notify", "to": "team_lead"}])"))
      << "P1 tells the team lead at half time";

  // The seeded policies answer for every priority of incidents and requests.
  for (const json& p : seeded) {
    json got = match({{"kind", "request"}, {"priority", p["conditions"]["priorities"][0]}});
    ASSERT_TRUE(got.is_object()) << got.dump();
    EXPECT_EQ(got["name"], p["name"]);
  }
  json p3 = match({{"kind", "incident"}, {"priority", "P3"}});
  ASSERT_TRUE(p3.is_object());
  EXPECT_EQ(p3, seeded[2]);
  EXPECT_EQ(p3["calendar_id"], office_hours);
}

TEST_P(SlaPoliciesE2eTest, ACategoryPolicyCoversItsChildrenMovesWithItsPositionAndLocks) {
  auto [parent, child] = category_pair("sla-network");
  ASSERT_NE(child, 0);
  auto [elsewhere, elsewhere_child] = category_pair("sla-printing");
  ASSERT_NE(elsewhere_child, 0);
  std::int64_t team = some_team();
  ASSERT_NE(team, 0);
  std::int64_t office_hours = office();

  std::string name = unique_name("Network 网络 ");
  json thresholds = {
      {{"percent", 50}, {"actions", {{{"type", "notify"}, {"to", "assignee"}}}}},
      {{"percent", 90},
       {"actions", {{{"type", "notify"}, {"to", "team_lead"}}, {{"type", "mark_at_risk"}}}}},
      {{"percent", 120},
       {"actions", {{{"type", "reassign"}, {"team_id", team}}, {{"type", "raise_priority"}}}}}};
  json body = {{"name", name},
               {"position", 5},
               {"conditions", {{"category_ids", {parent}}}},
               {"calendar_id", office_hours},
               {"response_minutes", 30},
               {"resolution_minutes", 240},
               {"ola", {{{"team_id", team}, {"minutes", 120}}}},
               {"pause_reasons", {"awaiting_requester"}},
               {"thresholds", thresholds}};
  HttpResponse r = call("POST", "/api/v1/sla-policies", admin_token_, body);
  ASSERT_EQ(r.status, 201) << r.body;
  json policy = parse_body(r);
  std::int64_t id = policy["id"];
  EXPECT_EQ(r.header("location"), path(id));
  EXPECT_EQ(policy["name"], name);
  EXPECT_EQ(policy["position"], 5);
  EXPECT_EQ(policy["active"], true);
  EXPECT_EQ(policy["conditions"], json({{"kinds", json::array()},
                                        {"priorities", json::array()},
                                        {"service_ids", json::array()},
                                        {"category_ids", {parent}},
                                        {"organisations", json::array()}}));
  EXPECT_EQ(policy["calendar_id"], office_hours);
  EXPECT_EQ(policy["response_minutes"], 30);
  EXPECT_EQ(policy["resolution_minutes"], 240);
  EXPECT_EQ(policy["ola"], json({{{"team_id", team}, {"minutes", 120}}}));
  EXPECT_EQ(policy["pause_reasons"], json({"awaiting_requester"}));
  EXPECT_EQ(policy["thresholds"], thresholds);
  EXPECT_EQ(policy["version"], 1);
  EXPECT_EQ(listed(name), policy);
  EXPECT_EQ(get_json(port_, path(id), admin_token_), policy);
  int before_p1 = index_of(id);
  EXPECT_LT(before_p1, index_of(listed("P1 严重 Critical")["id"])) << "position 5 comes first";

  // A ticket in the child category is covered by the parent's policy (any kind, any priority);
  // elsewhere the seeded policies apply.
  json got = match({{"kind", "incident"}, {"priority", "P3"}, {"category_id", child}});
  ASSERT_TRUE(got.is_object()) << got.dump();
  EXPECT_EQ(got["id"], id);
  got = match({{"kind", "change"}, {"priority", "P5"}, {"category_id", parent}});
  ASSERT_TRUE(got.is_object()) << got.dump();
  EXPECT_EQ(got["id"], id);
  got = match({{"kind", "incident"}, {"priority", "P1"}, {"category_id", elsewhere_child}});
  ASSERT_TRUE(got.is_object()) << got.dump();
  EXPECT_EQ(got["name"], "P1 严重 Critical");
  got = match({{"kind", "incident"}, {"priority", "P1"}});
  ASSERT_TRUE(got.is_object()) << got.dump();
  EXPECT_EQ(got["name"], "P1 严重 Critical");
  got = match({{"kind", "change"}, {"priority", "P1"}, {"category_id", elsewhere_child}});
  EXPECT_TRUE(got.is_null()) << "no policy covers changes there: " << got.dump();
  // Any staff member may ask.
  std::string agent = token_for("agent");
  ASSERT_FALSE(agent.empty());
  got = match({{"kind", "incident"}, {"priority", "P2"}, {"category_id", child}}, agent);
  ASSERT_TRUE(got.is_object());
  EXPECT_EQ(got["id"], id);

  // Moved behind the seeded policies, it covers only what they leave: changes.
  r = call("PATCH", path(id), admin_token_, json{{"version", 1}, {"position", 60}});
  ASSERT_EQ(r.status, 200) << r.body;
  json v2 = parse_body(r);
  EXPECT_EQ(v2["position"], 60);
  EXPECT_EQ(v2["version"], 2);
  EXPECT_EQ(v2["thresholds"], thresholds) << "absent fields are kept";
  EXPECT_GT(index_of(id), index_of(listed("P5 计划 Planning")["id"]));
  got = match({{"kind", "incident"}, {"priority", "P3"}, {"category_id", child}});
  ASSERT_TRUE(got.is_object());
  EXPECT_EQ(got["name"], "P3 中 Moderate");
  got = match({{"kind", "change"}, {"priority", "P3"}, {"category_id", child}});
  ASSERT_TRUE(got.is_object());
  EXPECT_EQ(got["id"], id);

  // null clears a target; the other stays.
  r = call("PATCH", path(id), admin_token_, json{{"version", 2}, {"response_minutes", nullptr}});
  ASSERT_EQ(r.status, 200) << r.body;
  json v3 = parse_body(r);
  EXPECT_TRUE(v3["response_minutes"].is_null()) << r.body;
  EXPECT_EQ(v3["resolution_minutes"], 240);
  EXPECT_EQ(v3["version"], 3);
  EXPECT_EQ(get_json(port_, path(id), admin_token_), v3);
  // ... but not both.
  r = call("PATCH", path(id), admin_token_, json{{"version", 3}, {"resolution_minutes", nullptr}});
  EXPECT_EQ(r.status, 400) << r.body;
  EXPECT_EQ(error_field(r), "resolution_minutes");

  // A stale version changes nothing.
  r = call("PATCH", path(id), admin_token_, json{{"version", 1}, {"name", "Stale write"}});
  EXPECT_EQ(r.status, 409) << r.body;
  EXPECT_EQ(error_shape_problem(r), "");
  EXPECT_EQ(error_code(r), "conflict");
  EXPECT_EQ(error_field(r), "version");
  r = call("PATCH", path(id), admin_token_, R"({"active": false})", {"If-Match: \"2\""});
  EXPECT_EQ(r.status, 409) << r.body;
  EXPECT_EQ(error_field(r), "version");
  r = call("PATCH", path(id), admin_token_, std::string(R"({"name": "No version"})"));
  EXPECT_EQ(r.status, 400) << r.body;
  EXPECT_EQ(error_field(r), "version");
  EXPECT_EQ(get_json(port_, path(id), admin_token_), v3);

  // Deactivated (If-Match instead of a body version), it no longer matches.
  r = call("PATCH", path(id), admin_token_, R"({"active": false})", {"If-Match: W/\"3\""});
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(parse_body(r)["active"], false);
  got = match({{"kind", "change"}, {"priority", "P3"}, {"category_id", child}});
  EXPECT_TRUE(got.is_null()) << got.dump();
}

TEST_P(SlaPoliciesE2eTest, BadInputIs400NamingTheFieldAndStoresNothing) {
  std::int64_t team = some_team();
  ASSERT_NE(team, 0);
  json valid = {{"name", unique_name("Never created ")},
                {"calendar_id", office()},
                {"response_minutes", 60},
                {"resolution_minutes", 480}};
  auto j = [](const char* text) { return json::parse(text); };
  struct Bad {
    std::string what;
    json body;
    std::string field;
  };
  auto with = [&](const std::string& key, const json& value) {
    json b = valid;
    b[key] = value;
    return b;
  };
  auto without = [&](const std::string& key) {
    json b = valid;
    b.erase(key);
    return b;
  };
  std::vector<Bad> bad = {
      {"an unknown calendar", with("calendar_id", 999999), "calendar_id"},
      {"no calendar", without("calendar_id"), "calendar_id"},
      {"no name", without("name"), "name"},
      {"a blank name", with("name", "   "), "name"},
      {"an unknown priority", with("conditions", j(R"({"priorities": ["P9"]})")),
       "conditions.priorities[0]"},
      {"an unknown kind", with("conditions", j(R"({"kinds": ["incident", "complaint"]})")),
       "conditions.kinds[1]"},
      {"an unknown condition", with("conditions", j(R"({"colour": ["red"]})")),
       "conditions.colour"},
      {"an unknown category", with("conditions", j(R"({"category_ids": [999999]})")),
       "conditions.category_ids[0]"},
      {"an unknown pause reason", with("pause_reasons", {"awaiting_requester", "lunch"}),
       "pause_reasons[1]"},
      {"thresholds out of order", with("thresholds", j(R"([{"percent": 75}, {"percent": 50}])")),
       "thresholds[1].percent"},
      {"an unknown action",
       with("thresholds",
            j(R"([{"percent": 50}, {"percent": 75, "actions": [{"type": "explode"}]}])")),
       "thresholds[1].actions[0].type"},
      {"a reassign without a team",
       with("thresholds", j(R"([{"percent": 100, "actions": [{"type": "reassign"}]}])")),
       "thresholds[0].actions[0].team_id"},
      {"a reassign to no team",
       with("thresholds",
            j(R"([{"percent": 100, "actions": [{"type": "reassign", "team_id": 999999}]}])")),
       "thresholds[0].actions[0].team_id"},
      {"an OLA for an unknown team", with("ola", j(R"([{"team_id": 999999, "minutes": 60}])")),
       "ola[0].team_id"},
      {"an OLA without minutes", with("ola", json::array({{{"team_id", team}}})), "ola[0].minutes"},
      {"an OLA of no time", with("ola", json::array({{{"team_id", team}, {"minutes", 0}}})),
       "ola[0].minutes"},
      {"no target", json{{"name", "No target"}, {"calendar_id", valid["calendar_id"]}},
       "resolution_minutes"},
      {"a target of no time", with("response_minutes", 0), "response_minutes"},
      {"a target over a year", with("resolution_minutes", 527041), "resolution_minutes"},
      {"a null target", with("response_minutes", nullptr), "response_minutes"},
      {"a position out of range", with("position", 1000001), "position"},
      {"a server-owned field", with("version", 1), "version"},
  };
  json before = list();
  for (const Bad& b : bad) {
    HttpResponse r = call("POST", "/api/v1/sla-policies", admin_token_, b.body);
    EXPECT_EQ(r.status, 400) << b.what << ": " << r.body;
    EXPECT_EQ(error_shape_problem(r), "") << b.what;
    EXPECT_EQ(error_code(r), "invalid_argument") << b.what;
    EXPECT_EQ(error_field(r), b.field) << b.what << ": " << r.body;
  }

  // The same rules hold for a change.
  json p1 = listed("P1 严重 Critical");
  ASSERT_FALSE(p1.is_discarded());
  std::int64_t p1_id = p1["id"];
  for (const auto& [change, field] : std::vector<std::pair<json, std::string>>{
           {{{"calendar_id", 999999}}, "calendar_id"},
           {{{"conditions", {{"priorities", {"P9"}}}}}, "conditions.priorities[0]"},
           {{{"thresholds", j(R"([{"percent": 50}, {"percent": 50}])")}}, "thresholds[1].percent"},
           {{{"ola", j(R"([{"team_id": 999999, "minutes": 60}])")}}, "ola[0].team_id"},
           {{{"response_minutes", nullptr}, {"resolution_minutes", nullptr}}, "resolution_minutes"},
           {{{"name", nullptr}}, "name"},
       }) {
    json patch = change;
    patch["version"] = p1["version"];
    HttpResponse r = call("PATCH", path(p1_id), admin_token_, patch);
    EXPECT_EQ(r.status, 400) << patch.dump() << ": " << r.body;
    EXPECT_EQ(error_field(r), field) << patch.dump() << ": " << r.body;
  }

  // Matching needs a kind and a priority that exist.
  for (const auto& [ticket, field] : std::vector<std::pair<json, std::string>>{
           {{{"priority", "P1"}}, "kind"},
           {{{"kind", "complaint"}, {"priority", "P1"}}, "kind"},
           {{{"kind", "incident"}}, "priority"},
           {{{"kind", "incident"}, {"priority", "p1"}}, "priority"},
           {{{"kind", "incident"}, {"priority", "P9"}}, "priority"},
           {{{"kind", "incident"}, {"priority", "P1"}, {"category_id", "7"}}, "category_id"},
           {{{"kind", "incident"}, {"priority", "P1"}, {"ticket", "INC-000001"}}, "ticket"},
       }) {
    HttpResponse r = call("POST", "/api/v1/sla-policies/match", admin_token_, ticket);
    EXPECT_EQ(r.status, 400) << ticket.dump() << ": " << r.body;
    EXPECT_EQ(error_field(r), field) << ticket.dump() << ": " << r.body;
  }

  // Records that do not exist.
  EXPECT_EQ(call("GET", path(999999), admin_token_).status, 404);
  EXPECT_EQ(call("GET", "/api/v1/sla-policies/abc", admin_token_).status, 404);
  HttpResponse r = call("PATCH", path(999999), admin_token_, json{{"version", 1}, {"name", "x"}});
  EXPECT_EQ(r.status, 404) << r.body;

  EXPECT_EQ(list(), before) << "nothing was stored or changed";
}

TEST_P(SlaPoliciesE2eTest, OnlyStaffReadAndOnlyAdminsWrite) {
  std::string requester = token_for("requester");
  std::string agent = token_for("agent");
  std::string auditor = token_for("auditor");
  ASSERT_FALSE(requester.empty());
  ASSERT_FALSE(agent.empty());
  ASSERT_FALSE(auditor.empty());
  json p3 = listed("P3 中 Moderate");
  ASSERT_FALSE(p3.is_discarded());
  std::int64_t id = p3["id"];
  json ticket = {{"kind", "incident"}, {"priority", "P3"}};

  for (const std::string& target : {std::string("/api/v1/sla-policies"), path(id)}) {
    HttpResponse r = call("GET", target, requester);
    EXPECT_EQ(r.status, 403) << target << ": " << r.body;
    EXPECT_EQ(error_shape_problem(r), "") << target;
    EXPECT_EQ(error_code(r), "forbidden") << target;
    EXPECT_EQ(call("GET", target, agent).status, 200) << target;
    EXPECT_EQ(call("GET", target, auditor).status, 200) << target;
  }
  HttpResponse r = call("POST", "/api/v1/sla-policies/match", requester, ticket);
  EXPECT_EQ(r.status, 403) << r.body;
  json got = match(ticket, auditor);
  ASSERT_TRUE(got.is_object());
  EXPECT_EQ(got["id"], id);

  json body = {{"name", unique_name("Agent's ")},
               {"calendar_id", p3["calendar_id"]},
               {"resolution_minutes", 60}};
  for (const std::string& token : {agent, auditor, requester}) {
    r = call("POST", "/api/v1/sla-policies", token, body);
    EXPECT_EQ(r.status, 403) << r.body;
    EXPECT_EQ(error_shape_problem(r), "");
    EXPECT_EQ(error_code(r), "forbidden");
    r = call("PATCH", path(id), token, json{{"version", p3["version"]}, {"name", "Agent's"}});
    EXPECT_EQ(r.status, 403) << r.body;
  }
  EXPECT_EQ(get_json(port_, path(id), admin_token_), p3) << "nothing changed";
}

YUNWEI_INSTANTIATE_BACKENDS(SlaPoliciesE2eTest);

}  // namespace
}  // namespace yunwei::testing
