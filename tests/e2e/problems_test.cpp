// Problem management through the real binary over real HTTP, on SQLite and (with
// YUNWEI_TEST_PG) PostgreSQL (issue #7 points 1-2): a problem raised from incidents with its
// CIs, root-cause analysis under the ticket's version, a known error published, found by
// Chinese text and suggested on a new incident with the same CI or a similar title, applied;
// resolving the problem resolves its incidents; the candidates report with its window and
// threshold (the server's test clock moves time); who may do what and field-named errors.
#include <algorithm>

#include "e2e/e2e_util.h"

namespace yunwei::testing {
namespace {

class ProblemsE2eTest : public SharedServerTest {
 protected:
  std::vector<std::string> server_args() const override { return {"--test-clock"}; }

  struct Person {
    std::int64_t id = 0;
    std::string token;
  };

  HttpResponse call(const std::string& method, const std::string& target, const std::string& token,
                    const std::string& body = "") {
    HttpClient c(port_);
    return c.request(method, target, body, {bearer(token)});
  }
  HttpResponse call(const std::string& method, const std::string& target, const std::string& token,
                    const json& body) {
    return call(method, target, token, body.dump());
  }
  // `method target` as `token`; the body when the status is `status` (else a test failure).
  json ok(const std::string& method, const std::string& target, const std::string& token,
          const json& body, int status = 200) {
    HttpResponse r = call(method, target, token, body.is_null() ? std::string() : body.dump());
    EXPECT_EQ(r.status, status) << method << " " << target << " " << body.dump() << ": " << r.body;
    return parse_body(r);
  }
  // Expects an error `status` naming `field` (when given).
  void refused(const std::string& method, const std::string& target, const std::string& token,
               const json& body, int status, const std::string& field = "") {
    HttpResponse r = call(method, target, token, body.is_null() ? std::string() : body.dump());
    EXPECT_EQ(r.status, status) << method << " " << target << " " << body.dump() << ": " << r.body;
    EXPECT_EQ(error_shape_problem(r), "") << target;
    if (!field.empty()) {
      EXPECT_EQ(error_field(r), field) << target << ": " << r.body;
    }
  }

  Person person(const std::string& prefix, const std::vector<std::string>& roles) {
    std::string name = unique_name(prefix);
    json u = create_user(port_, admin_token_, name, roles);
    Person p;
    if (u.is_discarded()) return p;
    p.id = u["id"].get<std::int64_t>();
    p.token = login_token(port_, name, kUserPassword);
    return p;
  }

  void SetUp() override {
    SharedServerTest::SetUp();
    if (IsSkipped() || HasFatalFailure()) return;
    agent_ = person("prbagent", {"agent"});
    requester_ = person("prbuser", {"requester"});
    ASSERT_FALSE(agent_.token.empty());
    ASSERT_FALSE(requester_.token.empty());
    json team = ok("POST", "/api/v1/teams", admin_token_,
                   {{"name", unique_name("Problem team ")}, {"member_ids", {agent_.id}}}, 201);
    team_ = team.value("id", std::int64_t{0});
  }

  std::int64_t ci(const std::string& type, const std::string& name, json attrs = json::object()) {
    json c = ok("POST", "/api/v1/cis", admin_token_,
                {{"type", type}, {"name", name}, {"attributes", attrs}}, 201);
    return c.value("id", std::int64_t{0});
  }
  std::int64_t server(const std::string& prefix) {
    std::string name = unique_name(prefix);
    return ci("server", name, {{"hostname", name}});
  }

  // An incident reported by the agent; its number.
  std::string incident(const std::string& title, std::optional<std::int64_t> ci_id = std::nullopt,
                       std::optional<std::int64_t> service_id = std::nullopt,
                       const std::string& token = "") {
    json body = {{"title", title}};
    if (ci_id) body["ci_id"] = *ci_id;
    if (service_id) body["service_id"] = *service_id;
    json t = ok("POST", "/api/v1/tickets", token.empty() ? agent_.token : token, body, 201);
    return t.value("number", "");
  }

  json problem(json body) {
    body["kind"] = "problem";
    return ok("POST", "/api/v1/tickets", agent_.token, body, 201);
  }
  json detail(const std::string& number) {
    return get_json(port_, "/api/v1/tickets/" + number, agent_.token);
  }
  json move(const std::string& number, json body) {
    return ok("POST", "/api/v1/tickets/" + number + "/transitions", agent_.token, body);
  }
  std::vector<std::string> actions(const std::string& number) {
    std::vector<std::string> out;
    json tl = get_json(port_, "/api/v1/tickets/" + number + "/timeline", agent_.token);
    for (const json& e : tl["items"]) out.push_back(e.value("action", ""));
    return out;
  }
  static bool has(const std::vector<std::string>& v, const std::string& s) {
    return std::find(v.begin(), v.end(), s) != v.end();
  }
  // The item of `items` whose `key` is `value` (null when none).
  static json find(const json& items, const std::string& key, const json& value) {
    for (const json& i : items)
      if (i.contains(key) && i[key] == value) return i;
    return nullptr;
  }

  Person agent_, requester_;
  std::int64_t team_ = 0;
};

TEST_P(ProblemsE2eTest, RaisesAProblemFromIncidentsAndWorksItsAnalysis) {
  std::int64_t web = server("sh-web-");
  std::int64_t bank = ci("business_service", unique_name("网上银行 "));
  std::string a = incident("网银登录超时", web, bank);
  std::string b = incident("网银登录失败", web, bank);
  HttpResponse r = call("POST", "/api/v1/tickets", agent_.token,
                        json{{"kind", "problem"},
                             {"title", "网上银行登录反复超时"},
                             {"incident_numbers", {a, b}},
                             {"symptoms", "高峰期登录等待超过 30 秒"},
                             {"impact", 2}});
  ASSERT_EQ(r.status, 201) << r.body;
  json p = parse_body(r);
  std::string number = p["number"];
  EXPECT_EQ(number.rfind("PRB-", 0), 0u) << number;
  EXPECT_EQ(r.header("location"), "/api/v1/tickets/" + number);
  EXPECT_EQ(p["kind"], "problem");
  EXPECT_EQ(p["status"], "new");
  EXPECT_EQ(p["service"]["id"], bank) << "the incidents' service";
  ASSERT_TRUE(p["problem"].is_object()) << r.body;
  EXPECT_EQ(p["problem"]["symptoms"], "高峰期登录等待超过 30 秒");
  EXPECT_EQ(p["problem"]["ci_ids"], json::array({web})) << "the incidents' CI";
  EXPECT_EQ(p["problem"]["cis"][0]["type"], "server");
  ASSERT_EQ(p["problem"]["incidents"].size(), 2u);
  EXPECT_EQ(p["problem"]["incidents"][0]["number"], a);
  EXPECT_EQ(p["problem"]["incidents"][0]["via_known_error"], false);
  EXPECT_EQ(p["problem"]["known_error"], false);
  EXPECT_TRUE(has(actions(a), "ticket.link"));

  // Root-cause analysis under the ticket's version.
  std::int64_t version = p["version"];
  json u = ok("PATCH", "/api/v1/tickets/" + number + "/problem", agent_.token,
              {{"version", version}, {"root_cause", "会话服务连接池耗尽"}});
  EXPECT_EQ(u["version"], version + 1);
  EXPECT_EQ(u["problem"]["root_cause"], "会话服务连接池耗尽");
  refused("PATCH", "/api/v1/tickets/" + number + "/problem", agent_.token,
          {{"version", version}, {"root_cause", "x"}}, 409, "version");
  refused("PATCH", "/api/v1/tickets/" + number, agent_.token,
          {{"version", version}, {"title", "x"}}, 409, "version");
  bool diffed = false;
  json tl = get_json(port_, "/api/v1/tickets/" + number + "/timeline", agent_.token);
  for (const json& e : tl["items"]) {
    if (e["action"] != "problem.update") continue;
    for (const json& c : e["changes"]) diffed = diffed || c["field"] == "root_cause";
  }
  EXPECT_TRUE(diffed) << tl.dump();

  // The workflow takes the problem's own fields.
  move(number, {{"to", "assessed"}, {"assignee_team_id", team_}});
  move(number, {{"to", "root_cause_analysis"}});
  json fixing = move(number, {{"to", "fix_in_progress"}});
  EXPECT_EQ(fixing["status"], "fix_in_progress");
  refused("POST", "/api/v1/tickets/" + number + "/transitions", agent_.token,
          {{"to", "resolved"}, {"resolution_code", "fixed"}, {"resolution_notes", "扩容"}}, 400,
          "permanent_fix");

  // Link one more, unlink it again.
  std::string c = incident("网银登录偶发超时", web);
  json linked =
      ok("POST", "/api/v1/tickets/" + number + "/incidents", agent_.token, {{"numbers", {c}}});
  EXPECT_EQ(linked["problem"]["incidents"].size(), 3u);
  json unlinked =
      ok("DELETE", "/api/v1/tickets/" + number + "/incidents/" + c, agent_.token, json());
  EXPECT_EQ(unlinked["problem"]["incidents"].size(), 2u);
  EXPECT_TRUE(has(actions(c), "ticket.unlink"));
  refused("DELETE", "/api/v1/tickets/" + number + "/incidents/" + c, agent_.token, json(), 404);
}

TEST_P(ProblemsE2eTest, PublishesAKnownErrorThatIsFoundSuggestedAndApplied) {
  std::int64_t web = server("bj-web-");
  json p = problem({{"title", "网银登录超时"},
                    {"ci_ids", {web}},
                    {"symptoms", "用户登录等待超过 30 秒后报错"},
                    {"root_cause", "认证节点会话表满"}});
  std::string number = p["number"];
  refused("POST", "/api/v1/tickets/" + number + "/known-error", agent_.token, {{"published", true}},
          400, "workaround");
  ok("PATCH", "/api/v1/tickets/" + number + "/problem", agent_.token,
     {{"version", p["version"]}, {"workaround", "切换到备用认证节点 auth-b"}});
  json pub =
      ok("POST", "/api/v1/tickets/" + number + "/known-error", agent_.token, {{"published", true}});
  EXPECT_EQ(pub["problem"]["known_error"], true);
  EXPECT_TRUE(pub["problem"]["known_error_at"].is_string());
  // The problem list filters on it and shows it.
  json with_ke = get_json(port_, "/api/v1/tickets?known_error=true&limit=500", agent_.token);
  json row = find(with_ke["items"], "number", number);
  ASSERT_FALSE(row.is_null()) << with_ke.dump();
  EXPECT_EQ(row["known_error"], true);
  for (const json& t : with_ke["items"]) EXPECT_EQ(t["known_error"], true) << t["number"];
  json without = get_json(port_, "/api/v1/tickets?known_error=false&limit=500", agent_.token);
  EXPECT_TRUE(find(without["items"], "number", number).is_null());

  // Search by Chinese text (two characters too), by CI; a requester may not.
  json found = get_json(port_, "/api/v1/known-errors?q=" + url_encode("网银"), agent_.token);
  EXPECT_FALSE(find(found["items"], "number", number).is_null()) << found.dump();
  found = get_json(port_, "/api/v1/known-errors?q=" + url_encode("备用认证"), agent_.token);
  json item = find(found["items"], "number", number);
  ASSERT_FALSE(item.is_null()) << found.dump();
  EXPECT_EQ(item["workaround"], "切换到备用认证节点 auth-b");
  EXPECT_EQ(item["ci_ids"], json::array({web}));
  found = get_json(port_, "/api/v1/known-errors?ci_id=" + std::to_string(web), agent_.token);
  ASSERT_EQ(found["items"].size(), 1u) << found.dump();
  found = get_json(port_, "/api/v1/known-errors?q=" + url_encode("打印机卡纸"), agent_.token);
  EXPECT_TRUE(find(found["items"], "number", number).is_null());
  refused("GET", "/api/v1/known-errors", requester_.token, json(), 403);

  // Suggested on a new incident with the same CI, and on one with a similar title only.
  std::string same_ci = incident("应用服务器告警", web);
  json s = get_json(port_, "/api/v1/tickets/" + same_ci + "/known-errors", agent_.token);
  item = find(s["items"], "number", number);
  ASSERT_FALSE(item.is_null()) << s.dump();
  EXPECT_EQ(item["reasons"], json::array({"same_ci"}));
  EXPECT_EQ(item["workaround"], "切换到备用认证节点 auth-b");
  std::string by_text = incident("网上银行登录超时");
  s = get_json(port_, "/api/v1/tickets/" + by_text + "/known-errors", agent_.token);
  item = find(s["items"], "number", number);
  ASSERT_FALSE(item.is_null()) << s.dump();
  EXPECT_EQ(item["reasons"], json::array({"similar_text"}));
  EXPECT_LE(s["items"].size(), 10u);
  std::string unrelated = incident("打印机卡纸");
  s = get_json(port_, "/api/v1/tickets/" + unrelated + "/known-errors", agent_.token);
  EXPECT_TRUE(find(s["items"], "number", number).is_null()) << s.dump();
  refused("GET", "/api/v1/tickets/" + by_text + "/known-errors", requester_.token, json(), 403);
  refused("GET", "/api/v1/tickets/" + number + "/known-errors", agent_.token, json(), 404);

  // Applying it links the incident and leaves the workaround as an internal note.
  json applied = ok("POST", "/api/v1/tickets/" + by_text + "/known-errors/" + number + "/apply",
                    agent_.token, json());
  EXPECT_EQ(applied["problem"], number);
  EXPECT_EQ(applied["incident"]["number"], by_text);
  json comments = get_json(port_, "/api/v1/tickets/" + by_text + "/comments", agent_.token);
  ASSERT_EQ(comments["items"].size(), 1u) << comments.dump();
  EXPECT_EQ(comments["items"][0]["public"], false);
  EXPECT_NE(comments["items"][0]["body"].get<std::string>().find("切换到备用认证节点"),
            std::string::npos);
  json linked = find(detail(number)["problem"]["incidents"], "number", by_text);
  ASSERT_FALSE(linked.is_null());
  EXPECT_EQ(linked["via_known_error"], true);
  EXPECT_TRUE(has(actions(by_text), "ticket.link"));
  refused("POST", "/api/v1/tickets/" + by_text + "/known-errors/" + number + "/apply", agent_.token,
          json(), 409, "incident");

  // Withdrawn: no longer found.
  ok("POST", "/api/v1/tickets/" + number + "/known-error", agent_.token, {{"published", false}});
  found = get_json(port_, "/api/v1/known-errors?ci_id=" + std::to_string(web), agent_.token);
  EXPECT_TRUE(found["items"].empty()) << found.dump();
  refused("POST", "/api/v1/tickets/" + unrelated + "/known-errors/" + number + "/apply",
          agent_.token, json(), 409, "known_error");
}

TEST_P(ProblemsE2eTest, ResolvingTheProblemResolvesItsOpenIncidents) {
  std::int64_t sw = server("core-sw-");
  std::string a = incident("核心交换机端口抖动", sw);
  std::string b = incident("核心交换机端口抖动，业务中断", sw);
  std::string done = incident("核心交换机端口抖动（已处理）", sw);
  move(done, {{"to", "resolved"}, {"resolution_code", "workaround"}, {"resolution_notes", "重启"}});
  json p = problem({{"title", "核心交换机端口抖动"}, {"incident_numbers", {a, b, done}}});
  std::string number = p["number"];
  move(number, {{"to", "assessed"}, {"assignee_team_id", team_}});
  move(number, {{"to", "root_cause_analysis"}});
  json resolved = move(number, {{"to", "resolved"},
                                {"resolution_code", "fixed"},
                                {"resolution_notes", "光模块老化，已更换"},
                                {"resolve_incidents", true}});
  EXPECT_EQ(resolved["status"], "resolved");
  for (const std::string& n : {a, b}) {
    json i = detail(n);
    EXPECT_EQ(i["status"], "resolved") << n;
    EXPECT_EQ(i["resolution_code"], "fixed") << n;
    EXPECT_EQ(i["resolution_notes"], "Resolved by problem " + number + ": 光模块老化，已更换");
  }
  EXPECT_EQ(detail(done)["resolution_code"], "workaround") << "already resolved: left alone";
  refused("POST", "/api/v1/tickets/" + number + "/transitions", agent_.token,
          {{"to", "closed"}, {"resolve_incidents", true}}, 400, "resolve_incidents");
}

TEST_P(ProblemsE2eTest, CandidatesReportHonoursTheWindowAndTheThreshold) {
  std::int64_t db = server("sh-db-");
  std::int64_t mq = server("sh-mq-");
  json cat = ok("POST", "/api/v1/categories", admin_token_,
                {{"code", replace_all(unique_name("prbcat"), "-", "_")},
                 {"name", "Recurring"},
                 {"name_zh", "反复出现"}},
                201);
  std::int64_t category = cat.value("id", std::int64_t{0});
  incident("数据库慢查询 1", db);
  incident("数据库慢查询 2", db);
  // Eight days later: two more on the database, three on the queue (one explained already).
  ok("POST", "/api/v1/test/clock", admin_token_, {{"advance_minutes", 8 * 24 * 60}});
  incident("数据库慢查询 3", db);
  incident("数据库慢查询 4", db);
  std::string q1 = incident("消息堆积 1", mq);
  incident("消息堆积 2", mq);
  incident("消息堆积 3", mq);
  problem({{"title", "消息堆积"}, {"incident_numbers", {q1}}});
  for (int i = 1; i <= 3; ++i) {
    ok("POST", "/api/v1/tickets", agent_.token,
       {{"title", "报表错误 " + std::to_string(i)}, {"category_id", category}}, 201);
  }

  auto group = [&](const json& report, const char* key, std::int64_t id) {
    for (const json& g : report["items"])
      if (g["key"].value(key, std::int64_t{0}) == id) return g;
    return json(nullptr);
  };
  json r = get_json(port_, "/api/v1/problem-candidates?group_by=ci&window_days=7&min_incidents=2",
                    agent_.token);
  EXPECT_EQ(r["group_by"], "ci");
  EXPECT_EQ(r["window_days"], 7);
  EXPECT_EQ(r["min_incidents"], 2);
  json g = group(r, "ci_id", db);
  ASSERT_FALSE(g.is_null()) << r.dump();
  EXPECT_EQ(g["count"], 2) << "only the last week's";
  EXPECT_EQ(g["incidents"][0]["title"], "数据库慢查询 4") << "newest first";
  EXPECT_EQ(g["key"]["type"], "server");
  g = group(r, "ci_id", mq);
  ASSERT_FALSE(g.is_null()) << r.dump();
  EXPECT_EQ(g["count"], 2) << "the linked one does not count";

  r = get_json(port_, "/api/v1/problem-candidates?window_days=30&min_incidents=3", agent_.token);
  g = group(r, "ci_id", db);
  ASSERT_FALSE(g.is_null()) << r.dump();
  EXPECT_EQ(g["count"], 4);
  EXPECT_TRUE(group(r, "ci_id", mq).is_null()) << "two left: under the threshold";
  r = get_json(port_, "/api/v1/problem-candidates?window_days=7&min_incidents=3", agent_.token);
  EXPECT_TRUE(group(r, "ci_id", db).is_null());

  r = get_json(port_, "/api/v1/problem-candidates?group_by=category&min_incidents=3", agent_.token);
  g = group(r, "category_id", category);
  ASSERT_FALSE(g.is_null()) << r.dump();
  EXPECT_EQ(g["count"], 3);
  EXPECT_EQ(g["key"]["name_zh"], "反复出现");
  // Defaults from the change settings.
  r = get_json(port_, "/api/v1/problem-candidates", agent_.token);
  EXPECT_EQ(r["window_days"], 30);
  EXPECT_EQ(r["min_incidents"], 3);

  refused("GET", "/api/v1/problem-candidates?group_by=team", agent_.token, json(), 400, "group_by");
  refused("GET", "/api/v1/problem-candidates?window_days=0", agent_.token, json(), 400,
          "window_days");
  refused("GET", "/api/v1/problem-candidates?min_incidents=1", agent_.token, json(), 400,
          "min_incidents");
  refused("GET", "/api/v1/problem-candidates?window_days=x", agent_.token, json(), 400,
          "window_days");
  refused("GET", "/api/v1/problem-candidates", requester_.token, json(), 403);
}

TEST_P(ProblemsE2eTest, RefusesRequestersAndBadInputNamingTheField) {
  std::string mine = incident("我的电脑蓝屏", std::nullopt, std::nullopt, requester_.token);
  refused("POST", "/api/v1/tickets", requester_.token,
          {{"kind", "problem"}, {"title", "x"}, {"incident_numbers", {mine}}}, 403);
  std::string inc = incident("邮件延迟");
  json req = ok("POST", "/api/v1/tickets", agent_.token,
                {{"kind", "request"}, {"title", "申请显示器"}}, 201);
  auto create = [&](json body, int status, const std::string& field) {
    body["kind"] = "problem";
    if (!body.contains("title")) body["title"] = "邮件延迟问题";
    refused("POST", "/api/v1/tickets", agent_.token, body, status, field);
  };
  create({{"incident_numbers", {inc, "INC-999999"}}}, 400, "incident_numbers[1]");
  create({{"incident_numbers", {"bogus"}}}, 400, "incident_numbers[0]");
  create({{"incident_numbers", {req["number"]}}}, 400, "incident_numbers[0]");
  create({{"incident_numbers", {inc, inc}}}, 400, "incident_numbers[1]");
  create({{"ci_ids", {999999999}}}, 400, "ci_ids[0]");
  create({{"title", ""}}, 400, "title");
  create({{"impact", 9}}, 400, "impact");
  create({{"colour", "red"}}, 400, "colour");
  create({{"incident_numbers", "INC-000001"}}, 400, "incident_numbers");
  // A security incident the agent may not see is as good as missing.
  json cats = get_json(port_, "/api/v1/categories", admin_token_);
  json malware = find(cats["items"], "code", "security.malware");
  ASSERT_FALSE(malware.is_null());
  json sec = ok("POST", "/api/v1/tickets", requester_.token,
                {{"title", "可疑邮件附件"}, {"category_id", malware["id"]}}, 201);
  create({{"incident_numbers", {sec["number"]}}}, 400, "incident_numbers[0]");

  json p = problem({{"title", "邮件延迟问题"}, {"incident_numbers", {inc}}});
  std::string number = p["number"];
  create({{"incident_numbers", {inc}}}, 409, "incident_numbers[0]");
  refused("POST", "/api/v1/tickets/" + number + "/incidents", agent_.token, {{"numbers", {inc}}},
          409, "numbers[0]");
  refused("POST", "/api/v1/tickets/" + number + "/incidents", agent_.token, json::object(), 400,
          "numbers");
  refused("PATCH", "/api/v1/tickets/" + inc + "/problem", agent_.token,
          {{"version", 1}, {"symptoms", "x"}}, 404);
  refused("PATCH", "/api/v1/tickets/" + number + "/problem", agent_.token, {{"symptoms", "x"}}, 400,
          "version");
  refused("PATCH", "/api/v1/tickets/" + number + "/problem", agent_.token,
          {{"version", p["version"]}, {"ci_ids", {999999999}}}, 400, "ci_ids[0]");
  refused("PATCH", "/api/v1/tickets/" + number + "/problem", requester_.token,
          {{"version", p["version"]}, {"symptoms", "x"}}, 403);
  refused("POST", "/api/v1/tickets/" + number + "/known-error", agent_.token, json::object(), 400,
          "published");
  refused("POST", "/api/v1/tickets/" + number + "/known-error", requester_.token,
          {{"published", true}}, 403);
  refused("POST", "/api/v1/tickets/" + inc + "/known-error", agent_.token, {{"published", true}},
          404);
  refused("DELETE", "/api/v1/tickets/" + number + "/incidents/" + mine, agent_.token, json(), 404);
  // Nothing above changed the problem.
  json d = detail(number);
  EXPECT_EQ(d["version"], p["version"]);
  EXPECT_EQ(d["problem"]["incidents"].size(), 1u);
}

YUNWEI_INSTANTIATE_BACKENDS(ProblemsE2eTest);

}  // namespace
}  // namespace yunwei::testing
