// A ticket's SLA through the real binary over real HTTP, on SQLite and (with YUNWEI_TEST_PG)
// PostgreSQL (issue #5): a P1 incident gets the seeded P1 policy on the 24×7 calendar, the first
// response stops the response clock, the resolution clock runs towards creation + 4 h; staff
// only, unknown tickets 404.
#include <chrono>
#include <cstdio>
#include <ctime>

#include "e2e/e2e_util.h"

namespace yunwei::testing {
namespace {

// Milliseconds since the epoch of an answer's "2024-03-04T09:00:00.000Z"; -1 when it is not one.
std::int64_t utc_ms(const json& v) {
  if (!v.is_string()) return -1;
  std::string s = v.get<std::string>();
  std::tm tm{};
  int ms = 0;
  if (std::sscanf(s.c_str(), "%4d-%2d-%2dT%2d:%2d:%2d.%3dZ", &tm.tm_year, &tm.tm_mon, &tm.tm_mday,
                  &tm.tm_hour, &tm.tm_min, &tm.tm_sec, &ms) != 7) {
    return -1;
  }
  tm.tm_year -= 1900;
  tm.tm_mon -= 1;
  return static_cast<std::int64_t>(timegm(&tm)) * 1000 + ms;
}

std::int64_t wall_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

constexpr std::int64_t kMin = 60'000;

class TicketSlaE2eTest : public SharedServerTest {
 protected:
  HttpResponse call(const std::string& method, const std::string& target, const std::string& token,
                    const json& body = json()) {
    HttpClient c(port_);
    return c.request(method, target, body.is_null() ? "" : body.dump(), {bearer(token)});
  }

  static const json& metric(const json& sla, const std::string& name) {
    for (const json& m : sla["metrics"]) {
      if (m["metric"] == name) return m;
    }
    ADD_FAILURE() << "no metric " << name << ": " << sla.dump();
    static const json kNone = json::object();
    return kNone;
  }
};

TEST_P(TicketSlaE2eTest, AP1IncidentShowsItsPolicyCalendarClocksAndIntervals) {
  std::string requester_name = unique_name("slarequester");
  json requester = create_user(port_, admin_token_, requester_name, {"requester"});
  ASSERT_FALSE(requester.is_discarded());
  std::string requester_token = login_token(port_, requester_name, kUserPassword);
  ASSERT_FALSE(requester_token.empty());

  std::int64_t before = wall_ms();
  HttpResponse r = call("POST", "/api/v1/tickets", admin_token_,
                        {{"title", "核心交换机宕机"},
                         {"description", "整栋楼断网"},
                         {"impact", 1},
                         {"urgency", 1},
                         {"requester_id", requester["id"]}});
  std::int64_t after = wall_ms();
  ASSERT_EQ(r.status, 201) << r.body;
  json ticket = parse_body(r);
  ASSERT_EQ(ticket["priority"], "P1");
  std::string number = ticket["number"];
  std::int64_t created = utc_ms(ticket["created_at"]);
  ASSERT_GE(created, before - 1000) << ticket["created_at"];
  ASSERT_LE(created, after + 1000) << ticket["created_at"];
  std::string sla_path = "/api/v1/tickets/" + number + "/sla";

  // Before anyone takes it up both clocks run.
  json sla = get_json(port_, sla_path, admin_token_);
  ASSERT_FALSE(sla.is_discarded());
  EXPECT_EQ(metric(sla, "response")["state"], "running");
  EXPECT_EQ(metric(sla, "response")["running"], true);
  EXPECT_EQ(utc_ms(metric(sla, "response")["due"]), created + 15 * kMin);

  // The admin takes it up.
  json team = ticket["assignee_team_id"];
  if (team.is_null()) {
    json teams = get_json(port_, "/api/v1/teams?limit=1", admin_token_);
    ASSERT_FALSE(teams["items"].empty());
    team = teams["items"][0]["id"];
  }
  HttpResponse moved =
      call("POST", "/api/v1/tickets/" + number + "/transitions", admin_token_,
           {{"to", "in_progress"}, {"version", ticket["version"]}, {"assignee_team_id", team}});
  ASSERT_EQ(moved.status, 200) << moved.body;
  std::int64_t taken_up = utc_ms(parse_body(moved)["updated_at"]);

  sla = get_json(port_, sla_path, admin_token_);
  ASSERT_FALSE(sla.is_discarded());
  EXPECT_EQ(sla["number"], number);
  ASSERT_TRUE(sla["policy"].is_object()) << sla.dump();
  EXPECT_EQ(sla["policy"]["name"], "P1 严重 Critical");
  EXPECT_TRUE(sla["policy"]["id"].is_number_integer());
  ASSERT_TRUE(sla["calendar"].is_object()) << sla.dump();
  EXPECT_EQ(sla["calendar"]["name"], "24×7");
  EXPECT_EQ(sla["calendar"]["zone"], "Asia/Shanghai");
  ASSERT_EQ(sla["metrics"].size(), 2u) << sla.dump();

  const json& response = metric(sla, "response");
  EXPECT_EQ(response["target_minutes"], 15);
  EXPECT_EQ(response["state"], "met") << response.dump();
  EXPECT_EQ(response["running"], false);
  EXPECT_TRUE(response["due"].is_null());
  EXPECT_TRUE(response["due_local"].is_null());
  EXPECT_TRUE(response["breached_at"].is_null());
  EXPECT_TRUE(response["team_id"].is_null());
  EXPECT_EQ(utc_ms(response["stopped_at"]), taken_up) << response.dump();
  ASSERT_FALSE(response["intervals"].empty());
  EXPECT_EQ(utc_ms(response["intervals"][0]["from"]), created);
  EXPECT_EQ(response["intervals"].back()["counted"], false);
  EXPECT_EQ(response["intervals"].back()["reason"], "responded");

  const json& resolution = metric(sla, "resolution");
  EXPECT_EQ(resolution["target_minutes"], 240);
  EXPECT_EQ(resolution["state"], "running") << resolution.dump();
  EXPECT_EQ(resolution["running"], true);
  EXPECT_TRUE(resolution["stopped_at"].is_null());
  EXPECT_TRUE(resolution["breached_at"].is_null());
  // Due 4 h after the creation (the 24×7 calendar has no breaks); the test takes seconds.
  std::int64_t due = utc_ms(resolution["due"]);
  EXPECT_EQ(due, created + 240 * kMin) << resolution.dump();
  EXPECT_GE(due, before + 240 * kMin - 1000);
  EXPECT_LE(due, wall_ms() + 240 * kMin);
  std::string due_local = resolution["due_local"].get<std::string>();
  EXPECT_EQ(due_local.substr(due_local.size() - 6), "+08:00") << due_local;
  EXPECT_GE(resolution["elapsed_minutes"].get<std::int64_t>(), 0);
  EXPECT_LE(resolution["elapsed_minutes"].get<std::int64_t>(), 2);
  // Whole minutes, each rounded down: together the target, or a minute short of it.
  std::int64_t accounted = resolution["remaining_minutes"].get<std::int64_t>() +
                           resolution["elapsed_minutes"].get<std::int64_t>();
  EXPECT_GE(accounted, 239);
  EXPECT_LE(accounted, 240);
  EXPECT_EQ(resolution["percent"], 0);
  ASSERT_EQ(resolution["thresholds"].size(), 3u) << resolution.dump();
  EXPECT_EQ(resolution["thresholds"][0]["percent"], 50);
  EXPECT_EQ(resolution["thresholds"][0]["reached"], false);
  EXPECT_EQ(utc_ms(resolution["thresholds"][0]["at"]), created + 120 * kMin);
  EXPECT_EQ(utc_ms(resolution["thresholds"][2]["at"]), due);
  ASSERT_FALSE(resolution["intervals"].empty());
  EXPECT_EQ(utc_ms(resolution["intervals"][0]["from"]), created);
  for (const json& iv : resolution["intervals"]) {
    EXPECT_EQ(iv["counted"], true) << iv.dump();
    EXPECT_TRUE(iv["reason"].is_null()) << iv.dump();
    EXPECT_TRUE(iv["business_minutes"].is_number_integer()) << iv.dump();
  }

  // Staff only: the ticket's own requester is refused; an unknown ticket is not found.
  HttpResponse refused = call("GET", sla_path, requester_token);
  EXPECT_EQ(refused.status, 403) << refused.body;
  EXPECT_EQ(error_code(refused), "forbidden");
  HttpResponse missing = call("GET", "/api/v1/tickets/INC-999999/sla", admin_token_);
  EXPECT_EQ(missing.status, 404) << missing.body;
  EXPECT_EQ(error_shape_problem(missing), "");
  EXPECT_EQ(call("GET", "/api/v1/tickets/not-a-number/sla", admin_token_).status, 404);
}

YUNWEI_INSTANTIATE_BACKENDS(TicketSlaE2eTest);

}  // namespace
}  // namespace yunwei::testing
