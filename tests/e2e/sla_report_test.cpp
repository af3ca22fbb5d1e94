// The SLA report, the SLA list filters and the "sla" summary of ticket answers through the real
// binary over real HTTP, on SQLite and (with YUNWEI_TEST_PG) PostgreSQL (issue #5). These hold
// whether or not the SLA worker has evaluated anything yet: shapes, errors and empty periods.
#include <chrono>
#include <ctime>
#include <set>
#include <string>

#include "e2e/e2e_util.h"

namespace yunwei::testing {
namespace {

constexpr std::int64_t kDay = 86'400'000;

std::int64_t wall_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// "2024-03-04T09:00:00Z" of milliseconds since the epoch (seconds precision).
std::string iso(std::int64_t ms) {
  std::time_t t = static_cast<std::time_t>(ms / 1000);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

class SlaReportE2eTest : public SharedServerTest {
 protected:
  HttpResponse call(const std::string& method, const std::string& target, const std::string& token,
                    const json& body = json()) {
    HttpClient c(port_);
    return c.request(method, target, body.is_null() ? "" : body.dump(), {bearer(token)});
  }

  // "sla" is null or the summary object of the spec.
  static void expect_sla_shape(const json& ticket) {
    ASSERT_TRUE(ticket.contains("sla")) << ticket.dump();
    const json& s = ticket["sla"];
    if (s.is_null()) return;
    ASSERT_TRUE(s.is_object()) << s.dump();
    static const std::set<std::string> kFlags = {"ok", "at_risk", "breached"};
    EXPECT_TRUE(s["flag"].is_string() && kFlags.count(s["flag"].get<std::string>())) << s.dump();
    EXPECT_TRUE(s["due_at"].is_null() || s["due_at"].is_string()) << s.dump();
    EXPECT_TRUE(s["policy_id"].is_number_integer()) << s.dump();
    EXPECT_TRUE(s["evaluated_at"].is_string()) << s.dump();
    for (const char* metric : {"response", "resolution"}) {
      ASSERT_TRUE(s.contains(metric)) << s.dump();
      const json& m = s[metric];
      if (m.is_null()) continue;
      EXPECT_TRUE(m["state"].is_string()) << m.dump();
      EXPECT_TRUE(m.contains("due_at") && m.contains("breached_at")) << m.dump();
    }
  }

  static void expect_counts_shape(const json& c) {
    EXPECT_TRUE(c["met"].is_number_integer()) << c.dump();
    EXPECT_TRUE(c["breached"].is_number_integer()) << c.dump();
    ASSERT_TRUE(c.contains("compliance")) << c.dump();
    if (c["met"] == 0 && c["breached"] == 0) {
      EXPECT_TRUE(c["compliance"].is_null()) << c.dump();
    } else {
      EXPECT_TRUE(c["compliance"].is_number()) << c.dump();
    }
  }
};

TEST_P(SlaReportE2eTest, TicketAnswersCarryAnSlaSummary) {
  std::string word = unique_name("slasummary");
  HttpResponse created = call("POST", "/api/v1/tickets", admin_token_,
                              {{"title", "VPN 无法连接 " + word}, {"impact", 2}, {"urgency", 2}});
  ASSERT_EQ(created.status, 201) << created.body;
  json ticket = parse_body(created);
  ASSERT_TRUE(ticket.contains("sla")) << created.body;
  EXPECT_TRUE(ticket["sla"].is_null()) << "a new ticket has no evaluation yet";
  std::string number = ticket["number"];

  json detail = get_json(port_, "/api/v1/tickets/" + number, admin_token_);
  ASSERT_FALSE(detail.is_discarded());
  expect_sla_shape(detail);

  json list = get_json(port_, "/api/v1/tickets?q=" + word, admin_token_);
  ASSERT_FALSE(list.is_discarded());
  ASSERT_EQ(list["items"].size(), 1u) << list.dump();
  expect_sla_shape(list["items"][0]);

  json hits = get_json(port_, "/api/v1/search?q=" + word, admin_token_);
  ASSERT_FALSE(hits.is_discarded());
  ASSERT_EQ(hits["items"].size(), 1u) << hits.dump();
  expect_sla_shape(hits["items"][0]);

  HttpResponse patched = call("PATCH", "/api/v1/tickets/" + number, admin_token_,
                              {{"version", ticket["version"]}, {"urgency", 3}});
  ASSERT_EQ(patched.status, 200) << patched.body;
  expect_sla_shape(parse_body(patched));
}

TEST_P(SlaReportE2eTest, ListTakesTheSlaFiltersAndSorts) {
  for (const char* query :
       {"sla=at_risk", "sla=breached", "sla=attention", "sort=sla_due", "sort=-sla_due",
        "sla=attention&sort=sla_due&open=true", "service_id=none", "category_id=none",
        "sla_metric=resolution", "sla_metric=response&sla_outcome=breached",
        "sla_metric=resolution&sla_outcome=met&sla_from=2024-03-01T00:00:00Z"
        "&sla_to=2024-04-01T00:00:00Z&priority=P1&team_id=none"}) {
    json page = get_json(port_, std::string("/api/v1/tickets?") + query, admin_token_);
    ASSERT_FALSE(page.is_discarded()) << query;
    EXPECT_TRUE(page["items"].is_array()) << query;
    for (const json& t : page["items"]) expect_sla_shape(t);
  }
  // Paging by sla_due: the cursor continues the same sort and no ticket repeats.
  for (const char* sort : {"sla_due", "-sla_due"}) {
    std::set<std::string> seen;
    std::string target = std::string("/api/v1/tickets?limit=2&sort=") + sort;
    for (int page = 0; page < 3; ++page) {
      json j = get_json(port_, target, admin_token_);
      ASSERT_FALSE(j.is_discarded()) << target;
      for (const json& t : j["items"]) {
        EXPECT_TRUE(seen.insert(t["number"].get<std::string>()).second) << t["number"];
      }
      if (j["next_cursor"].is_null()) break;
      target = std::string("/api/v1/tickets?limit=2&sort=") + sort +
               "&cursor=" + url_encode(j["next_cursor"].get<std::string>());
    }
  }
}

TEST_P(SlaReportE2eTest, ReportAnswersEveryGroupingWithLinksToTheTickets) {
  // A period long past: nothing was decided in it, whatever the worker has done since.
  for (const char* group_by : {"priority", "team", "service", "category"}) {
    std::string target = std::string("/api/v1/reports/sla?from=2001-01-01T00:00:00Z") +
                         "&to=2001-12-31T00:00:00%2B08:00&group_by=" + group_by;
    json r = get_json(port_, target, admin_token_);
    ASSERT_FALSE(r.is_discarded()) << target;
    EXPECT_EQ(r["from"], "2001-01-01T00:00:00.000Z");
    EXPECT_EQ(r["to"], "2001-12-30T16:00:00.000Z");
    EXPECT_EQ(r["group_by"], group_by);
    EXPECT_TRUE(r["kind"].is_null());
    ASSERT_TRUE(r["groups"].is_array());
    EXPECT_TRUE(r["groups"].empty()) << r.dump();
    const json& total = r["total"];
    expect_counts_shape(total["response"]);
    expect_counts_shape(total["resolution"]);
    EXPECT_TRUE(total["response"]["compliance"].is_null());
    for (const char* link :
         {"response_met", "response_breached", "resolution_met", "resolution_breached"}) {
      ASSERT_TRUE(total["tickets"][link].is_string()) << total.dump();
      std::string url = total["tickets"][link];
      EXPECT_EQ(url.rfind("/api/v1/tickets?sla_metric=", 0), 0u) << url;
      json listed = get_json(port_, url, admin_token_);
      ASSERT_FALSE(listed.is_discarded()) << url;
      EXPECT_TRUE(listed["items"].empty()) << url;
    }
  }
  json requests = get_json(port_,
                           "/api/v1/reports/sla?from=2001-01-01T00:00:00Z&to=2001-02-01T00:00:00Z"
                           "&group_by=team&kind=request",
                           admin_token_);
  ASSERT_FALSE(requests.is_discarded());
  EXPECT_EQ(requests["kind"], "request");
  std::string link = requests["total"]["tickets"]["resolution_met"];
  EXPECT_NE(link.find("&kind=request"), std::string::npos) << link;
  // The last half year, which may hold what the worker has decided: every group has the same
  // shape.
  json now = get_json(port_,
                      "/api/v1/reports/sla?from=" + iso(wall_ms() - 180 * kDay) +
                          "&to=" + iso(wall_ms() + kDay) + "&group_by=priority",
                      admin_token_);
  ASSERT_FALSE(now.is_discarded());
  for (const json& g : now["groups"]) {
    EXPECT_TRUE(g.contains("key") && g.contains("name") && g.contains("name_zh")) << g.dump();
    expect_counts_shape(g["response"]);
    expect_counts_shape(g["resolution"]);
  }
}

TEST_P(SlaReportE2eTest, ReportIsForStaffWithSlaRead) {
  std::string requester = unique_name("slareportrequester");
  ASSERT_FALSE(create_user(port_, admin_token_, requester, {"requester"}).is_discarded());
  std::string requester_token = login_token(port_, requester, kUserPassword);
  ASSERT_FALSE(requester_token.empty());
  std::string agent = unique_name("slareportagent");
  ASSERT_FALSE(create_user(port_, admin_token_, agent, {"agent"}).is_discarded());
  std::string agent_token = login_token(port_, agent, kUserPassword);
  ASSERT_FALSE(agent_token.empty());
  std::string target =
      "/api/v1/reports/sla?from=2024-01-01T00:00:00Z&to=2024-02-01T00:00:00Z&group_by=team";
  HttpResponse refused = call("GET", target, requester_token);
  EXPECT_EQ(refused.status, 403) << refused.body;
  EXPECT_EQ(error_shape_problem(refused), "");
  EXPECT_EQ(error_code(refused), "forbidden");
  EXPECT_EQ(call("GET", target, agent_token).status, 200);
  EXPECT_EQ(call("GET", target, "").status, 401);
  // A requester may still filter their own list by SLA.
  EXPECT_EQ(call("GET", "/api/v1/tickets?sla=attention&sort=sla_due", requester_token).status, 200);
}

TEST_P(SlaReportE2eTest, ReportRefusesBadParametersNamingThem) {
  struct Q {
    std::string query, field;
  };
  const std::string ok_period = "from=2024-01-01T00:00:00Z&to=2024-02-01T00:00:00Z";
  for (const Q& q : std::vector<Q>{
           {"to=2024-02-01T00:00:00Z&group_by=team", "from"},
           {"from=2024-01-01T00:00:00Z&group_by=team", "to"},
           {"from=yesterday&to=2024-02-01T00:00:00Z&group_by=team", "from"},
           {"from=2024-01-01T00:00:00Z&to=2024-13-01T00:00:00Z&group_by=team", "to"},
           {"from=2024-02-01T00:00:00Z&to=2024-02-01T00:00:00Z&group_by=team", "to"},
           {"from=2024-02-01T00:00:00Z&to=2024-01-01T00:00:00Z&group_by=team", "to"},
           {"from=2024-01-01T00:00:00Z&to=2025-01-02T00:00:01Z&group_by=team", "to"},
           {ok_period, "group_by"},
           {ok_period + "&group_by=assignee", "group_by"},
           {ok_period + "&group_by=team&kind=problem", "kind"},
       }) {
    HttpResponse r = call("GET", "/api/v1/reports/sla?" + q.query, admin_token_);
    EXPECT_EQ(r.status, 400) << q.query << ": " << r.body;
    EXPECT_EQ(error_shape_problem(r), "") << q.query;
    EXPECT_EQ(error_field(r), q.field) << q.query << ": " << r.body;
  }
  // 366 days (2024 is a leap year) is the longest period.
  EXPECT_EQ(call("GET",
                 "/api/v1/reports/sla?from=2024-01-01T00:00:00Z&to=2025-01-01T00:00:00Z"
                 "&group_by=category",
                 admin_token_)
                .status,
            200);
}

}  // namespace

YUNWEI_INSTANTIATE_BACKENDS(SlaReportE2eTest);

}  // namespace yunwei::testing
