// SLA warnings, breach and escalation on the real binary (issue #5 points 4 and 5), on SQLite and
// (with YUNWEI_TEST_PG) PostgreSQL: the server runs with --test-clock, the test moves its clock
// over HTTP instead of waiting, and each threshold appears once in the timeline within seconds.
#include <chrono>
#include <ctime>
#include <thread>

#include "e2e/e2e_util.h"

namespace yunwei::testing {
namespace {

using Clock = std::chrono::steady_clock;

class SlaWorkerE2eTest : public ::testing::TestWithParam<TestBackend> {
 protected:
  void SetUp() override {
    if (GetParam() == TestBackend::kPostgres && test_pg_url().empty()) {
      GTEST_SKIP() << "YUNWEI_TEST_PG is not set";
    }
    std::string error;
    server_ = ServerProcess::start({GetParam(), {"--test-clock", "--sla-interval-ms", "500"}, {}},
                                   &error);
    ASSERT_TRUE(server_) << error;
    port_ = server_->port();
    admin_ = server_->admin_token();
    ASSERT_FALSE(admin_.empty());
  }

  HttpResponse call(const std::string& method, const std::string& target,
                    const json& body = json()) {
    HttpClient c(port_);
    return c.request(method, target, body.is_null() ? "" : body.dump(), {bearer(admin_)});
  }
  json ok(const std::string& method, const std::string& target, const json& body, int status) {
    HttpResponse r = call(method, target, body);
    EXPECT_EQ(r.status, status) << method << " " << target << ": " << r.body;
    return parse_body(r);
  }

  void advance(int minutes) {
    json c = ok("POST", "/api/v1/test/clock", {{"advance_minutes", minutes}}, 200);
    EXPECT_TRUE(c["offset_ms"].is_number_integer()) << c.dump();
  }

  // The ticket's "ticket.sla" timeline entries.
  std::vector<json> firings(const std::string& number) {
    std::vector<json> out;
    json tl = get_json(port_, "/api/v1/tickets/" + number + "/timeline", admin_);
    for (const json& e : tl["items"]) {
      if (e["action"] == "ticket.sla") out.push_back(e);
    }
    return out;
  }

  // Polls until the ticket has `n` firings (at most 5 s: the breach detection bound); returns
  // how long it took.
  std::chrono::milliseconds wait_for_firings(const std::string& number, std::size_t n) {
    auto start = Clock::now();
    while (Clock::now() - start < std::chrono::seconds(5)) {
      if (firings(number).size() >= n) break;
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    return std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - start);
  }

  std::unique_ptr<ServerProcess> server_;
  int port_ = 0;
  std::string admin_;
};

TEST_P(SlaWorkerE2eTest, WarningThenBreachThenEscalationEachOnceWithinSeconds) {
  // Two teams: the service desk holding the ticket, and the network team it is handed to.
  std::string agent_name = unique_name("slaagent");
  json agent = create_user(port_, admin_, agent_name, {"agent"});
  std::string expert_name = unique_name("slaexpert");
  json expert = create_user(port_, admin_, expert_name, {"agent"});
  json desk =
      ok("POST", "/api/v1/teams",
         {{"name", unique_name("Desk")}, {"member_ids", {agent["id"]}}, {"lead_id", agent["id"]}},
         201);
  json network = ok("POST", "/api/v1/teams",
                    {{"name", unique_name("Net")}, {"member_ids", {expert["id"]}}}, 201);

  // A policy ahead of the shipped ones: P3 incidents on 24×7, response 60 min, with a warning,
  // an at-risk mark and a hand-over to the network team at the breach.
  json calendars = get_json(port_, "/api/v1/calendars", admin_);
  std::int64_t always = 0;
  for (const json& c : calendars["items"]) {
    if (c["name"] == "24×7") always = c["id"];
  }
  ASSERT_NE(always, 0) << calendars.dump();
  json policy = ok("POST", "/api/v1/sla-policies",
                   {{"name", "E2E escalation"},
                    {"position", 1},
                    {"conditions", {{"kinds", {"incident"}}, {"priorities", {"P3"}}}},
                    {"calendar_id", always},
                    {"response_minutes", 60},
                    {"thresholds",
                     {{{"percent", 50}, {"actions", {{{"type", "notify"}, {"to", "assignee"}}}}},
                      {{"percent", 75}, {"actions", {{{"type", "mark_at_risk"}}}}},
                      {{"percent", 100},
                       {"actions",
                        {{{"type", "reassign"}, {"team_id", network["id"]}},
                         {{"type", "notify"}, {"to", "team_lead"}}}}}}}},
                   201);

  json ticket = ok("POST", "/api/v1/tickets",
                   {{"title", "邮件网关无法投递"},
                    {"impact", 2},
                    {"urgency", 2},
                    {"assignee_team_id", desk["id"]},
                    {"assignee_id", agent["id"]}},
                   201);
  ASSERT_EQ(ticket["priority"], "P3");
  std::string number = ticket["number"];
  json match =
      ok("POST", "/api/v1/sla-policies/match", {{"kind", "incident"}, {"priority", "P3"}}, 200);
  EXPECT_EQ(match["policy"]["id"], policy["id"]) << match.dump();
  EXPECT_TRUE(firings(number).empty());

  // 31 minutes later: the 50 % warning, once.
  advance(31);
  auto took = wait_for_firings(number, 1);
  std::vector<json> f = firings(number);
  ASSERT_EQ(f.size(), 1u) << "after " << took.count() << " ms";
  EXPECT_EQ(f[0]["detail"]["metric"], "response");
  EXPECT_EQ(f[0]["detail"]["percent"], 50);
  EXPECT_EQ(f[0]["detail"]["breach"], false);
  EXPECT_TRUE(f[0]["actor_id"].is_null()) << "the system fired it";
  ASSERT_EQ(f[0]["detail"]["actions"].size(), 1u);
  EXPECT_EQ(f[0]["detail"]["actions"][0]["user_ids"], json::array({agent["id"]}));

  // 46 minutes: at risk.
  advance(15);
  wait_for_firings(number, 2);
  f = firings(number);
  ASSERT_EQ(f.size(), 2u);
  EXPECT_EQ(f[1]["detail"]["percent"], 75);
  EXPECT_EQ(f[1]["detail"]["actions"][0]["type"], "mark_at_risk");

  // 61 minutes: breached, detected within 5 s, and handed over to the network team.
  advance(15);
  took = wait_for_firings(number, 3);
  EXPECT_LT(took.count(), 5000);
  f = firings(number);
  ASSERT_EQ(f.size(), 3u);
  EXPECT_EQ(f[2]["detail"]["percent"], 100);
  EXPECT_EQ(f[2]["detail"]["breach"], true);
  const json& actions = f[2]["detail"]["actions"];
  ASSERT_EQ(actions.size(), 2u) << actions.dump();
  EXPECT_EQ(actions[0]["type"], "notify");
  EXPECT_EQ(actions[0]["user_ids"], json::array({agent["id"]}))
      << "the desk's lead, told before the hand-over";
  EXPECT_EQ(actions[1]["type"], "reassign");
  EXPECT_EQ(actions[1]["done"], true);
  json now = get_json(port_, "/api/v1/tickets/" + number, admin_);
  EXPECT_EQ(now["assignee_team_id"], network["id"]);
  EXPECT_TRUE(now["assignee_id"].is_null()) << "a new team dispatches manually";
  EXPECT_EQ(now["reassignment_count"], 1);

  json sla = get_json(port_, "/api/v1/tickets/" + number + "/sla", admin_);
  ASSERT_FALSE(sla["metrics"].empty()) << sla.dump();
  EXPECT_EQ(sla["metrics"][0]["state"], "breached");

  // Nothing fires twice, however long the worker keeps looking.
  advance(60);
  std::this_thread::sleep_for(std::chrono::milliseconds(1500));
  EXPECT_EQ(firings(number).size(), 3u);
}

TEST_P(SlaWorkerE2eTest, ABreachShowsInTheTicketTheQueueAndTheReport) {
  json p1 = ok("POST", "/api/v1/tickets",
               {{"title", "核心交换机宕机"}, {"impact", 1}, {"urgency", 1}}, 201);
  ASSERT_EQ(p1["priority"], "P1");
  std::string number = p1["number"];
  json quiet =
      ok("POST", "/api/v1/tickets", {{"title", "打印机卡纸"}, {"impact", 3}, {"urgency", 3}}, 201);

  // Within a second or so the ticket carries its SLA: the 24×7 P1 response, due in 15 min.
  json sla;
  for (int i = 0; i < 50 && !sla.is_object(); ++i) {
    sla = get_json(port_, "/api/v1/tickets/" + number, admin_)["sla"];
    if (!sla.is_object()) std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  ASSERT_TRUE(sla.is_object()) << "the tracker never evaluated " << number;
  EXPECT_EQ(sla["flag"], "ok");
  EXPECT_EQ(sla["response"]["state"], "running");
  EXPECT_EQ(sla["due_at"], sla["response"]["due_at"]);
  EXPECT_TRUE(sla["policy_id"].is_number_integer());

  // 20 minutes on, the response is breached: the ticket says so, the queue lists it first.
  advance(20);
  for (int i = 0; i < 50; ++i) {
    sla = get_json(port_, "/api/v1/tickets/" + number, admin_)["sla"];
    if (sla["flag"] == "breached") break;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  EXPECT_EQ(sla["flag"], "breached");
  EXPECT_EQ(sla["response"]["state"], "breached");
  EXPECT_EQ(sla["response"]["breached_at"], sla["response"]["due_at"]);
  json queue = get_json(port_, "/api/v1/tickets?sla=breached&sort=sla_due", admin_);
  ASSERT_EQ(queue["items"].size(), 1u) << queue.dump();
  EXPECT_EQ(queue["items"][0]["number"], number);
  json attention = get_json(port_, "/api/v1/tickets?sla=attention", admin_);
  EXPECT_EQ(attention["items"].size(), 1u);
  json ordered = get_json(port_, "/api/v1/tickets?sort=sla_due&open=true", admin_);
  ASSERT_EQ(ordered["items"].size(), 2u);
  EXPECT_EQ(ordered["items"][0]["number"], number) << "the overdue ticket first";
  EXPECT_EQ(ordered["items"][1]["number"], quiet["number"]);

  // The report over the day counts the breach, and its link lists exactly that ticket.
  json clock = ok("GET", "/api/v1/test/clock", json(), 200);
  auto iso = [](std::int64_t ms) {
    std::time_t secs = static_cast<std::time_t>(ms / 1000);
    std::tm tm{};
    gmtime_r(&secs, &tm);
    char buf[32];
    std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
    return std::string(buf);
  };
  std::int64_t now = std::chrono::duration_cast<std::chrono::milliseconds>(
                         std::chrono::system_clock::now().time_since_epoch())
                         .count() +
                     clock["offset_ms"].get<std::int64_t>();
  json report = get_json(port_,
                         "/api/v1/reports/sla?group_by=priority&from=" + iso(now - 7'200'000) +
                             "&to=" + iso(now + 60'000),
                         admin_);
  ASSERT_FALSE(report["groups"].empty()) << report.dump();
  EXPECT_EQ(report["groups"][0]["key"], "P1");
  EXPECT_EQ(report["groups"][0]["response"]["breached"], 1);
  EXPECT_EQ(report["groups"][0]["response"]["compliance"], 0.0);
  std::string link = report["total"]["tickets"]["response_breached"];
  json listed = get_json(port_, link, admin_);
  ASSERT_EQ(listed["items"].size(), 1u) << link;
  EXPECT_EQ(listed["items"][0]["number"], number);
}

TEST_P(SlaWorkerE2eTest, TheTestClockMovesOnlyForwardAndOnlyForAdmins) {
  json before = ok("GET", "/api/v1/test/clock", json(), 200);
  EXPECT_EQ(before["offset_ms"], 0);
  HttpResponse r = call("POST", "/api/v1/test/clock", {{"advance_minutes", -5}});
  EXPECT_EQ(r.status, 400) << r.body;
  EXPECT_EQ(parse_body(r)["error"]["field"], "advance_minutes");
  r = call("POST", "/api/v1/test/clock", {{"advance_ms", 1}, {"advance_minutes", 1}});
  EXPECT_EQ(r.status, 400) << r.body;
  r = call("POST", "/api/v1/test/clock", json::object());
  EXPECT_EQ(r.status, 400) << r.body;
  json after = ok("POST", "/api/v1/test/clock", {{"advance_minutes", 90}}, 200);
  EXPECT_EQ(after["offset_ms"], 90 * 60'000);

  std::string name = unique_name("clockagent");
  create_user(port_, admin_, name, {"agent"});
  std::string token = login_token(port_, name, kUserPassword);
  HttpClient c(port_);
  r = c.request("POST", "/api/v1/test/clock", R"({"advance_minutes":1})", {bearer(token)});
  EXPECT_EQ(r.status, 403) << r.body;
}

YUNWEI_INSTANTIATE_BACKENDS(SlaWorkerE2eTest);

class TestClockOffE2eTest : public SharedServerTest {};

TEST_P(TestClockOffE2eTest, WithoutTheFlagTheTestClockIsNotThere) {
  HttpClient c(port_);
  HttpResponse r =
      c.request("POST", "/api/v1/test/clock", R"({"advance_minutes":1})", {bearer(admin_token_)});
  EXPECT_EQ(r.status, 404) << r.body;
  r = c.request("GET", "/api/v1/test/clock", "", {bearer(admin_token_)});
  EXPECT_EQ(r.status, 404) << r.body;
}

YUNWEI_INSTANTIATE_BACKENDS(TestClockOffE2eTest);

}  // namespace
}  // namespace yunwei::testing
