#include "sla/report.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "core/text.h"
#include "identity/password.h"
#include "identity/team_service.h"
#include "identity/user_service.h"
#include "sla/summary.h"
#include "support/cis.h"
#include "support/people.h"
#include "support/test_db.h"
#include "tickets/category_service.h"
#include "tickets/ticket_service.h"

namespace yunwei::sla {
namespace {

using core::ErrorCode;
using testing::failed_with;
using testing::must;

core::TimeMs at(const char* rfc3339) {
  core::TimeMs t = 0;
  EXPECT_TRUE(core::parse_iso8601(rfc3339, t)) << rfc3339;
  return t;
}

// The report period of most tests: March 2024.
const core::TimeMs kFrom = at("2024-03-01T00:00:00Z");
const core::TimeMs kTo = at("2024-04-01T00:00:00Z");
const core::TimeMs kMid = at("2024-03-15T12:00:00Z");
constexpr std::int64_t kDay = 86'400'000;

// One metric of a ticket_sla row; an empty state is NULL (the policy has no such target).
struct M {
  std::string state;
  std::optional<core::TimeMs> stopped_at, breached_at, due;
};

class SlaReportTest : public testing::BackendTest {
 protected:
  void SetUp() override {
    BackendTest::SetUp();
    if (IsSkipped() || HasFatalFailure()) return;
    tickets_ = std::make_unique<tickets::TicketService>(db(), clock_);
    identity::UserService users(db(), clock_, hasher_);
    identity::TeamService teams(db(), clock_);
    auto user = [&](const char* name, std::vector<std::string> roles) {
      return testing::make_user(users, name, std::move(roles));
    };
    admin_ = user("admin1", {"admin"});
    agent_ = user("zhangwei", {"agent"});
    requester_ = user("wangxiaoming", {"requester"});
    other_ = user("lina", {"requester"});
    auto team = [&](const char* name, const char* name_zh) {
      identity::NewTeam t;
      t.name = name;
      t.name_zh = name_zh;
      t.member_ids = {agent_};
      return must(teams.create({}, t)).id;
    };
    network_ = team("Network", "网络组");
    desk_ = team("Desk", "服务台");
    tickets::CategoryService categories(db(), clock_);
    auto category = [&](const char* code, const char* name, const char* name_zh,
                        std::optional<std::int64_t> parent, bool security) {
      tickets::NewCategory c;
      c.code = code;
      c.name = name;
      c.name_zh = name_zh;
      c.parent_id = parent;
      c.security = security;
      return must(categories.create(as(admin_), c)).id;
    };
    net_cat_ = category("network", "Network", "网络", std::nullopt, false);
    vpn_cat_ = category("network.vpn", "VPN", "VPN", net_cat_, false);
    hw_cat_ = category("hardware", "Hardware", "硬件", std::nullopt, false);
    sec_cat_ = category("security", "Security incidents", "安全事件", std::nullopt, true);
  }

  static store::Actor as(std::int64_t user) { return store::Actor{user, "test"}; }
  tickets::Viewer admin_view() const { return {admin_, true, true, true}; }
  tickets::Viewer agent_view() const { return {agent_, true, true, false}; }
  tickets::Viewer requester_view() const { return {requester_, false, false, false}; }

  struct Spec {
    std::string kind = "incident";
    int impact = 3, urgency = 3;
    std::optional<std::int64_t> team, category, service;
    std::int64_t requester = 0;
  };
  tickets::Ticket ticket(const Spec& s) {
    tickets::NewTicket n;
    n.kind = s.kind;
    n.title = "打印机卡纸 case" + std::to_string(++made_);
    n.impact = s.impact;
    n.urgency = s.urgency;
    n.requester_id = s.requester ? s.requester : other_;
    n.assignee_team_id = s.team;
    n.category_id = s.category;
    n.service_id = s.service;
    return must(tickets_->create(as(admin_), admin_view(), n));
  }

  void sla_row(const tickets::Ticket& t, const M& response, const M& resolution,
               const std::string& flag = "ok", bool open = true,
               std::optional<core::TimeMs> due_at = std::nullopt) {
    // Built one by one: GCC 12 warns (falsely) about a braced list of variants with strings.
    store::Params params;
    params.emplace_back(t.id);
    params.emplace_back(std::int64_t{open ? 1 : 0});
    for (const M* m : {&response, &resolution}) {
      if (m->state.empty()) {
        params.emplace_back(nullptr);
      } else {
        params.emplace_back(m->state);
      }
      for (const std::optional<core::TimeMs>* v : {&m->stopped_at, &m->breached_at, &m->due}) {
        if (*v) {
          params.emplace_back(**v);
        } else {
          params.emplace_back(nullptr);
        }
      }
    }
    params.emplace_back(flag);
    if (due_at) {
      params.emplace_back(*due_at);
    } else {
      params.emplace_back(nullptr);
    }
    params.emplace_back(clock_.now_ms());
    must(db().write([&](store::Tx& tx) -> core::Status {
      auto n = tx.exec(
          "INSERT INTO ticket_sla (ticket_id, open, policy_id, calendar_id, history,"
          " response_state, response_stopped_at, response_breached_at, response_due,"
          " resolution_state, resolution_stopped_at, resolution_breached_at, resolution_due,"
          " flag, due_at, evaluated_at) VALUES (?, ?, 1, 1, '[]', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
          params);
      if (!n.ok()) return std::move(n).error();
      return {};
    }));
  }

  // The fixture's tickets and their ticket_sla rows (see each comment), all outcomes in March
  // unless said otherwise.
  void make_tickets() {
    // A: P1, Network, VPN (a child of Network), service 7; both met.
    svc7_ = testing::make_ci(db(), clock_, "business_service", "网上银行");
    svc9_ = testing::make_ci(db(), clock_, "business_service", "ERP");
    a_ = ticket({"incident", 1, 1, network_, vpn_cat_, svc7_, requester_});
    sla_row(a_, {"met", kMid}, {"met", kMid + kDay});
    // B: P1, Network, Network itself, service 7; response met, resolution breached in March
    // (stopped late in April).
    b_ = ticket({"incident", 1, 1, network_, net_cat_, svc7_});
    sla_row(b_, {"met", kMid}, {"breached", kTo + kDay, kMid}, "breached", false);
    // C: P3, Desk, no category or service; response breached, resolution still running.
    c_ = ticket({"incident", 2, 2, desk_, std::nullopt, std::nullopt, requester_});
    sla_row(c_, {"breached", std::nullopt, kMid}, {"running", std::nullopt, std::nullopt, kTo},
            "breached", true, kTo + 300);
    // D: P3, no team, Hardware, service 9; response met exactly at `from` (counted),
    // resolution met exactly at `to` (not counted: the period is half-open).
    d_ = ticket({"incident", 2, 2, std::nullopt, hw_cat_, svc9_});
    sla_row(d_, {"met", kFrom}, {"met", kTo}, "at_risk", true, kTo + 100);
    // E: a P2 request, Desk; response breached a millisecond before `from` (not counted),
    // resolution breached in March and stopped in April (counted by its breach).
    e_ = ticket({"request", 1, 2, desk_, std::nullopt, std::nullopt});
    sla_row(e_, {"breached", kFrom + kDay, kFrom - 1}, {"breached", kTo + kDay, kMid}, "breached",
            true, kTo + 200);
    // F: P2, cancelled clocks stopped in March: no verdict, not counted.
    f_ = ticket({"incident", 1, 2, desk_, std::nullopt, std::nullopt});
    sla_row(f_, {"cancelled", kMid}, {"cancelled", kMid}, "ok", false);
    // G: P1, Network, a security category: only admins (and its requester) see it; both met.
    g_ = ticket({"incident", 1, 1, network_, sec_cat_, std::nullopt});
    sla_row(g_, {"met", kMid}, {"met", kMid});
    // H: no ticket_sla row at all.
    h_ = ticket({"incident", 1, 1, network_, std::nullopt, std::nullopt});
  }

  SlaReport report(const tickets::Viewer& v, const std::string& group_by,
                   const std::string& kind = "", core::TimeMs from = kFrom, core::TimeMs to = kTo) {
    ReportQuery q;
    q.from = from;
    q.to = to;
    q.group_by = group_by;
    q.kind = kind;
    return must(sla_report(db(), v, q));
  }

  // The ticket list query a report link stands for, as GET /api/v1/tickets reads it.
  tickets::TicketQuery list_query(const std::string& link) {
    tickets::TicketQuery q;
    q.limit = 500;
    const std::string prefix = "/api/v1/tickets?";
    EXPECT_EQ(link.rfind(prefix, 0), 0u) << link;
    for (const std::string& pair : core::split(link.substr(prefix.size()), '&')) {
      size_t eq = pair.find('=');
      std::string k = pair.substr(0, eq), val = pair.substr(eq + 1);
      auto id = [&](std::optional<std::int64_t>& out, bool& none) {
        if (val == "none") {
          none = true;
        } else {
          out = std::stoll(val);
        }
      };
      core::TimeMs t = 0;
      if (k == "sla_metric") {
        q.sla_metric = val;
      } else if (k == "sla_outcome") {
        q.sla_outcome = val;
      } else if (k == "sla_from" && core::parse_iso8601(val, t)) {
        q.sla_from = t;
      } else if (k == "sla_to" && core::parse_iso8601(val, t)) {
        q.sla_to = t;
      } else if (k == "kind") {
        q.kinds = {val};
      } else if (k == "priority") {
        q.priorities = {val};
      } else if (k == "team_id") {
        id(q.team_id, q.team_none);
      } else if (k == "service_id") {
        id(q.service_id, q.service_none);
      } else if (k == "category_id") {
        id(q.category_id, q.category_none);
      } else {
        ADD_FAILURE() << "unexpected parameter " << pair << " in " << link;
      }
    }
    return q;
  }

  std::vector<std::int64_t> ids(const tickets::Viewer& v, const tickets::TicketQuery& q) {
    std::vector<std::int64_t> out;
    for (const tickets::Ticket& t : must(tickets_->list(v, q)).items) out.push_back(t.id);
    std::sort(out.begin(), out.end());
    return out;
  }

  // Every link of every group (and the total) lists as many tickets as the group counts.
  void expect_links_list_what_is_counted(const tickets::Viewer& v, const SlaReport& r) {
    std::vector<const ReportGroup*> all;
    for (const ReportGroup& g : r.groups) all.push_back(&g);
    all.push_back(&r.total);
    for (const ReportGroup* g : all) {
      struct L {
        const char* metric;
        const char* outcome;
        std::int64_t counted;
      };
      for (const L& l :
           {L{"response", "met", g->response.met}, L{"response", "breached", g->response.breached},
            L{"resolution", "met", g->resolution.met},
            L{"resolution", "breached", g->resolution.breached}}) {
        std::string link = tickets_link(r, *g, l.metric, l.outcome);
        EXPECT_EQ(static_cast<std::int64_t>(ids(v, list_query(link)).size()), l.counted)
            << r.group_by << " " << link;
      }
    }
  }

  static const ReportGroup* find_text(const SlaReport& r, const std::string& key) {
    for (const ReportGroup& g : r.groups) {
      if (g.text_key == key) return &g;
    }
    return nullptr;
  }

  identity::PasswordHasher hasher_{identity::PasswordHasher::Strength::kMinimum};
  std::unique_ptr<tickets::TicketService> tickets_;
  std::int64_t admin_ = 0, agent_ = 0, requester_ = 0, other_ = 0, network_ = 0, desk_ = 0;
  std::int64_t net_cat_ = 0, vpn_cat_ = 0, hw_cat_ = 0, sec_cat_ = 0;
  std::int64_t svc7_ = 0, svc9_ = 0;
  tickets::Ticket a_, b_, c_, d_, e_, f_, g_, h_;
  int made_ = 0;
};

TEST_P(SlaReportTest, GroupsByPriorityWithComplianceAndTotals) {
  make_tickets();
  SlaReport r = report(admin_view(), "priority");
  EXPECT_EQ(r.from, kFrom);
  EXPECT_EQ(r.to, kTo);
  ASSERT_EQ(r.groups.size(), 3u) << "P1, P2 and P3; no ticket is P4 or P5";
  EXPECT_EQ(r.groups[0].text_key, "P1");
  EXPECT_EQ(r.groups[1].text_key, "P2");
  EXPECT_EQ(r.groups[2].text_key, "P3");
  const ReportGroup& p1 = r.groups[0];
  EXPECT_EQ(p1.name, "P1");
  EXPECT_EQ(p1.name_zh, "P1");
  EXPECT_EQ(p1.list_filter, "priority=P1");
  // A, B, G: three responses met; resolutions A and G met, B breached.
  EXPECT_EQ(p1.response.met, 3);
  EXPECT_EQ(p1.response.breached, 0);
  EXPECT_EQ(p1.response.compliance(), 100.0);
  EXPECT_EQ(p1.resolution.met, 2);
  EXPECT_EQ(p1.resolution.breached, 1);
  EXPECT_EQ(p1.resolution.compliance(), 66.7);
  // P2: E's resolution breached (its response breached before the period; F cancelled).
  const ReportGroup& p2 = r.groups[1];
  EXPECT_EQ(p2.response.met + p2.response.breached, 0);
  EXPECT_EQ(p2.response.compliance(), std::nullopt);
  EXPECT_EQ(p2.resolution.breached, 1);
  EXPECT_EQ(p2.resolution.compliance(), 0.0);
  // P3: C's response breached, D's met at `from`; D's resolution met at `to` is outside.
  const ReportGroup& p3 = r.groups[2];
  EXPECT_EQ(p3.response.met, 1);
  EXPECT_EQ(p3.response.breached, 1);
  EXPECT_EQ(p3.response.compliance(), 50.0);
  EXPECT_EQ(p3.resolution.met + p3.resolution.breached, 0);
  EXPECT_EQ(r.total.response.met, 4);
  EXPECT_EQ(r.total.response.breached, 1);
  EXPECT_EQ(r.total.response.compliance(), 80.0);
  EXPECT_EQ(r.total.resolution.met, 2);
  EXPECT_EQ(r.total.resolution.breached, 2);
  EXPECT_EQ(r.total.resolution.compliance(), 50.0);
  EXPECT_FALSE(r.total.text_key || r.total.id_key || r.total.name);
  EXPECT_EQ(r.total.list_filter, "");
  expect_links_list_what_is_counted(admin_view(), r);
}

TEST_P(SlaReportTest, GroupsByTeamByNameWithTheTicketsWithoutATeamLast) {
  make_tickets();
  SlaReport r = report(admin_view(), "team");
  ASSERT_EQ(r.groups.size(), 3u);
  const ReportGroup& desk = r.groups[0];
  EXPECT_EQ(desk.id_key, desk_);
  EXPECT_EQ(desk.name, "Desk");
  EXPECT_EQ(desk.name_zh, "服务台");
  EXPECT_EQ(desk.list_filter, "team_id=" + std::to_string(desk_));
  EXPECT_EQ(desk.response.breached, 1);  // C
  EXPECT_EQ(desk.response.met, 0);
  EXPECT_EQ(desk.resolution.breached, 1);  // E
  const ReportGroup& network = r.groups[1];
  EXPECT_EQ(network.id_key, network_);
  EXPECT_EQ(network.name, "Network");
  EXPECT_EQ(network.name_zh, "网络组");
  EXPECT_EQ(network.response.met, 3);
  EXPECT_EQ(network.resolution.met, 2);
  EXPECT_EQ(network.resolution.breached, 1);
  const ReportGroup& none = r.groups[2];
  EXPECT_FALSE(none.id_key || none.text_key);
  EXPECT_FALSE(none.name || none.name_zh);
  EXPECT_EQ(none.list_filter, "team_id=none");
  EXPECT_EQ(none.response.met, 1);  // D
  expect_links_list_what_is_counted(admin_view(), r);
}

TEST_P(SlaReportTest, GroupsByServiceNamedByTheCmdbWithTheTicketsWithoutAServiceLast) {
  make_tickets();
  SlaReport r = report(admin_view(), "service");
  ASSERT_EQ(r.groups.size(), 3u);
  EXPECT_EQ(r.groups[0].id_key, svc7_);
  EXPECT_EQ(r.groups[0].name, "网上银行");
  EXPECT_EQ(r.groups[0].name_zh, "网上银行");
  EXPECT_EQ(r.groups[0].response.met, 2);         // A, B
  EXPECT_EQ(r.groups[0].resolution.met, 1);       // A
  EXPECT_EQ(r.groups[0].resolution.breached, 1);  // B
  EXPECT_EQ(r.groups[1].id_key, svc9_);
  EXPECT_EQ(r.groups[1].name, "ERP");
  EXPECT_EQ(r.groups[1].response.met, 1);  // D
  EXPECT_FALSE(r.groups[2].id_key);
  EXPECT_EQ(r.groups[2].list_filter, "service_id=none");
  EXPECT_EQ(r.groups[2].response.met, 1);         // G
  EXPECT_EQ(r.groups[2].response.breached, 1);    // C
  EXPECT_EQ(r.groups[2].resolution.met, 1);       // G
  EXPECT_EQ(r.groups[2].resolution.breached, 1);  // E
  expect_links_list_what_is_counted(admin_view(), r);
}

TEST_P(SlaReportTest, GroupsByTopLevelCategorySoASubcategoryCountsUnderItsParent) {
  make_tickets();
  SlaReport r = report(admin_view(), "category");
  ASSERT_EQ(r.groups.size(), 4u);
  EXPECT_EQ(r.groups[0].name, "Hardware");
  EXPECT_EQ(r.groups[0].id_key, hw_cat_);
  EXPECT_EQ(r.groups[1].name, "Network");
  EXPECT_EQ(r.groups[1].name_zh, "网络");
  EXPECT_EQ(r.groups[1].id_key, net_cat_);
  EXPECT_EQ(r.groups[1].response.met, 2) << "A (filed under VPN) and B (Network itself)";
  EXPECT_EQ(r.groups[1].list_filter, "category_id=" + std::to_string(net_cat_));
  EXPECT_EQ(r.groups[2].name, "Security incidents");
  EXPECT_FALSE(r.groups[3].id_key);
  EXPECT_EQ(r.groups[3].list_filter, "category_id=none");
  EXPECT_EQ(r.groups[3].response.breached, 1);    // C
  EXPECT_EQ(r.groups[3].resolution.breached, 1);  // E
  expect_links_list_what_is_counted(admin_view(), r);
  // The Network link lists exactly A and B.
  std::vector<std::int64_t> want = {a_.id, b_.id};
  EXPECT_EQ(ids(admin_view(), list_query(tickets_link(r, r.groups[1], "response", "met"))), want);
}

TEST_P(SlaReportTest, KindKeepsOneKindAndTheLinksCarryIt) {
  make_tickets();
  SlaReport incidents = report(admin_view(), "priority", "incident");
  EXPECT_EQ(find_text(incidents, "P2"), nullptr) << "P2's only outcome is E's, a request";
  EXPECT_EQ(incidents.total.resolution.breached, 1);  // B
  std::string link = tickets_link(incidents, incidents.total, "resolution", "breached");
  EXPECT_NE(link.find("&kind=incident"), std::string::npos) << link;
  expect_links_list_what_is_counted(admin_view(), incidents);
  SlaReport requests = report(admin_view(), "priority", "request");
  ASSERT_EQ(requests.groups.size(), 1u);
  EXPECT_EQ(requests.groups[0].text_key, "P2");
  expect_links_list_what_is_counted(admin_view(), requests);
}

TEST_P(SlaReportTest, CountsMetByStopTimeAndBreachedByBreachTimeInAHalfOpenPeriod) {
  make_tickets();
  // April: D's resolution met at its first instant, and nothing that was decided in March.
  SlaReport april = report(admin_view(), "priority", "", kTo, kTo + 30 * kDay);
  EXPECT_EQ(april.total.resolution.met, 1);
  EXPECT_EQ(april.total.resolution.breached, 0) << "B and E stopped in April but breached earlier";
  EXPECT_EQ(april.total.response.met + april.total.response.breached, 0);
  // The last millisecond of February: E's response breach.
  SlaReport before = report(admin_view(), "priority", "", kFrom - 1, kFrom);
  EXPECT_EQ(before.total.response.breached, 1);
  EXPECT_EQ(before.total.response.met, 0) << "D's response met at `from` itself";
  expect_links_list_what_is_counted(admin_view(), april);
  expect_links_list_what_is_counted(admin_view(), before);
  // A period with nothing decided has no groups and null compliance.
  SlaReport empty = report(admin_view(), "team", "", kTo + 40 * kDay, kTo + 41 * kDay);
  EXPECT_TRUE(empty.groups.empty());
  EXPECT_EQ(empty.total.response.compliance(), std::nullopt);
}

TEST_P(SlaReportTest, CountsOnlyTheTicketsTheViewerMaySee) {
  make_tickets();
  // An agent outside the security team does not see G (a security ticket).
  SlaReport agent = report(agent_view(), "priority");
  const ReportGroup* p1 = find_text(agent, "P1");
  ASSERT_NE(p1, nullptr);
  EXPECT_EQ(p1->response.met, 2);
  EXPECT_EQ(p1->resolution.met, 1);
  EXPECT_EQ(p1->resolution.breached, 1);
  EXPECT_EQ(agent.total.response.met, 3);
  expect_links_list_what_is_counted(agent_view(), agent);
  SlaReport agent_categories = report(agent_view(), "category");
  for (const ReportGroup& g : agent_categories.groups) EXPECT_NE(g.id_key, sec_cat_);
  // A requester sees their own tickets: A and C.
  SlaReport mine = report(requester_view(), "priority");
  EXPECT_EQ(mine.total.response.met, 1);
  EXPECT_EQ(mine.total.response.breached, 1);
  EXPECT_EQ(mine.total.resolution.met, 1);
  EXPECT_EQ(mine.total.resolution.breached, 0);
  expect_links_list_what_is_counted(requester_view(), mine);
}

TEST_P(SlaReportTest, RejectsMissingOrBadParametersNamingThem) {
  ReportQuery q;
  q.group_by = "priority";
  EXPECT_TRUE(failed_with(sla_report(db(), admin_view(), q), ErrorCode::kInvalidArgument, "from"));
  q.from = kFrom;
  EXPECT_TRUE(failed_with(sla_report(db(), admin_view(), q), ErrorCode::kInvalidArgument, "to"));
  q.to = kFrom;
  EXPECT_TRUE(failed_with(sla_report(db(), admin_view(), q), ErrorCode::kInvalidArgument, "to"));
  q.to = kFrom + 366 * kDay + 1;
  EXPECT_TRUE(failed_with(sla_report(db(), admin_view(), q), ErrorCode::kInvalidArgument, "to"));
  q.to = kFrom + 366 * kDay;
  EXPECT_TRUE(sla_report(db(), admin_view(), q).ok()) << "366 days is the longest period";
  for (const char* bad : {"", "status", "Priority", "team_id"}) {
    q.group_by = bad;
    EXPECT_TRUE(
        failed_with(sla_report(db(), admin_view(), q), ErrorCode::kInvalidArgument, "group_by"))
        << bad;
  }
  q.group_by = "team";
  q.kind = "problem";
  EXPECT_TRUE(failed_with(sla_report(db(), admin_view(), q), ErrorCode::kInvalidArgument, "kind"));
}

TEST_P(SlaReportTest, ListFiltersTicketsByOpenSlaFlag) {
  make_tickets();
  auto by_flag = [&](const std::string& flag) {
    tickets::TicketQuery q;
    q.sla = flag;
    return ids(admin_view(), q);
  };
  // B is breached but no longer open.
  EXPECT_EQ(by_flag("breached"), (std::vector<std::int64_t>{c_.id, e_.id}));
  EXPECT_EQ(by_flag("at_risk"), (std::vector<std::int64_t>{d_.id}));
  EXPECT_EQ(by_flag("attention"), (std::vector<std::int64_t>{c_.id, d_.id, e_.id}));
  // With other filters and full-text search.
  tickets::TicketQuery q;
  q.sla = "attention";
  q.team_id = desk_;
  EXPECT_EQ(ids(admin_view(), q), (std::vector<std::int64_t>{c_.id, e_.id}));
  q.team_id.reset();
  q.q = c_.title;
  EXPECT_EQ(ids(admin_view(), q), (std::vector<std::int64_t>{c_.id}));
}

TEST_P(SlaReportTest, ListFiltersTicketsByDecidedOutcome) {
  make_tickets();
  tickets::TicketQuery q;
  q.sla_metric = "resolution";
  q.sla_outcome = "breached";
  EXPECT_EQ(ids(admin_view(), q), (std::vector<std::int64_t>{b_.id, e_.id})) << "at any time";
  q.sla_outcome.clear();
  q.sla_from = kFrom;
  q.sla_to = kTo;
  EXPECT_EQ(ids(admin_view(), q), (std::vector<std::int64_t>{a_.id, b_.id, e_.id, g_.id}))
      << "met or breached in March";
  q.sla_metric = "response";
  q.sla_outcome = "met";
  q.sla_to.reset();
  EXPECT_EQ(ids(admin_view(), q), (std::vector<std::int64_t>{a_.id, b_.id, d_.id, g_.id}));
  EXPECT_EQ(ids(agent_view(), q), (std::vector<std::int64_t>{a_.id, b_.id, d_.id}));
}

TEST_P(SlaReportTest, ListFiltersTicketsWithoutServiceOrCategory) {
  make_tickets();
  tickets::TicketQuery q;
  q.service_none = true;
  EXPECT_EQ(ids(admin_view(), q), (std::vector<std::int64_t>{c_.id, e_.id, f_.id, g_.id, h_.id}));
  q.service_none = false;
  q.category_none = true;
  EXPECT_EQ(ids(admin_view(), q), (std::vector<std::int64_t>{c_.id, e_.id, f_.id, h_.id}));
}

TEST_P(SlaReportTest, ListSortsBySlaDueWithTicketsWithoutADueLastAcrossPages) {
  make_tickets();
  // Dues: D +100, E +200, C +300; the others have none.
  auto walk = [&](const std::string& sort) {
    tickets::TicketQuery q;
    q.sort = sort;
    q.limit = 2;
    std::vector<std::int64_t> out;
    for (int page = 0; page < 10; ++page) {
      auto p = must(tickets_->list(admin_view(), q));
      for (const tickets::Ticket& t : p.items) out.push_back(t.id);
      if (!p.next_cursor) break;
      q.cursor = *p.next_cursor;
    }
    return out;
  };
  EXPECT_EQ(walk("sla_due"),
            (std::vector<std::int64_t>{d_.id, e_.id, c_.id, a_.id, b_.id, f_.id, g_.id, h_.id}));
  EXPECT_EQ(walk("-sla_due"),
            (std::vector<std::int64_t>{c_.id, e_.id, d_.id, h_.id, g_.id, f_.id, b_.id, a_.id}));
  // Combined with a filter.
  tickets::TicketQuery q;
  q.sort = "sla_due";
  q.sla = "breached";
  EXPECT_EQ(must(tickets_->list(admin_view(), q)).items.at(0).id, e_.id);
  // A cursor of another sort is refused.
  tickets::TicketQuery first;
  first.sort = "-id";
  first.limit = 1;
  tickets::TicketQuery other;
  other.sort = "sla_due";
  other.cursor = *must(tickets_->list(admin_view(), first)).next_cursor;
  EXPECT_TRUE(
      failed_with(tickets_->list(admin_view(), other), ErrorCode::kInvalidArgument, "cursor"));
}

TEST_P(SlaReportTest, ListRejectsBadSlaParametersNamingThem) {
  struct Case {
    const char* field;
    tickets::TicketQuery q;
  };
  std::vector<Case> cases;
  auto add = [&](const char* field, auto set) {
    tickets::TicketQuery q;
    set(q);
    cases.push_back({field, q});
  };
  add("sla", [](tickets::TicketQuery& q) { q.sla = "late"; });
  add("sla", [](tickets::TicketQuery& q) { q.sla = "ok"; });
  add("sla_metric", [](tickets::TicketQuery& q) { q.sla_metric = "ola"; });
  add("sla_outcome", [](tickets::TicketQuery& q) {
    q.sla_metric = "response";
    q.sla_outcome = "cancelled";
  });
  add("sla_outcome", [](tickets::TicketQuery& q) { q.sla_outcome = "met"; });
  add("sla_from", [](tickets::TicketQuery& q) { q.sla_from = kFrom; });
  add("sla_to", [](tickets::TicketQuery& q) { q.sla_to = kTo; });
  add("sla_to", [](tickets::TicketQuery& q) {
    q.sla_metric = "resolution";
    q.sla_from = kTo;
    q.sla_to = kFrom;
  });
  add("sort", [](tickets::TicketQuery& q) { q.sort = "sla"; });
  for (const Case& c : cases) {
    EXPECT_TRUE(
        failed_with(tickets_->list(admin_view(), c.q), ErrorCode::kInvalidArgument, c.field))
        << c.field;
  }
}

TEST_P(SlaReportTest, SummariesLoadInOneQueryAndSkipTicketsWithoutAPolicy) {
  make_tickets();
  tickets::Ticket none = ticket({"incident", 3, 3, desk_, std::nullopt, std::nullopt});
  store::Params params;
  params.emplace_back(none.id);
  params.emplace_back(clock_.now_ms());
  must(db().write([&](store::Tx& tx) -> core::Status {
    auto n = tx.exec(
        "INSERT INTO ticket_sla (ticket_id, open, history, flag, evaluated_at)"
        " VALUES (?, 1, '[]', 'none', ?)",
        params);
    if (!n.ok()) return std::move(n).error();
    return {};
  }));
  auto all = must(load_summaries(db(), {a_.id, c_.id, d_.id, h_.id, none.id}));
  EXPECT_EQ(all.size(), 3u) << "H has no row; the last one's flag is none";
  ASSERT_EQ(all.count(c_.id), 1u);
  const SlaSummary& c = all.at(c_.id);
  EXPECT_EQ(c.flag, "breached");
  EXPECT_EQ(c.due_at, kTo + 300);
  EXPECT_EQ(c.policy_id, 1);
  EXPECT_EQ(c.evaluated_at, clock_.now_ms());
  ASSERT_TRUE(c.response);
  EXPECT_EQ(c.response->state, "breached");
  EXPECT_EQ(c.response->breached_at, kMid);
  EXPECT_EQ(c.response->due_at, std::nullopt);
  ASSERT_TRUE(c.resolution);
  EXPECT_EQ(c.resolution->state, "running");
  EXPECT_EQ(c.resolution->due_at, kTo);
  EXPECT_TRUE(must(load_summaries(db(), {})).empty());
  auto one = must(load_summary(db(), d_.id));
  ASSERT_TRUE(one);
  EXPECT_EQ(one->flag, "at_risk");
  EXPECT_FALSE(must(load_summary(db(), h_.id)));
  EXPECT_FALSE(must(load_summary(db(), none.id)));
  // A metric the policy lacks is absent.
  tickets::Ticket no_response = ticket({"incident", 3, 3, desk_, std::nullopt, std::nullopt});
  sla_row(no_response, {}, {"paused"});
  auto partial = must(load_summary(db(), no_response.id));
  ASSERT_TRUE(partial);
  EXPECT_FALSE(partial->response);
  ASSERT_TRUE(partial->resolution);
  EXPECT_EQ(partial->resolution->state, "paused");
}

INSTANTIATE_TEST_SUITE_P(Backends, SlaReportTest, testing::kAllBackends,
                         testing::backend_test_name);

}  // namespace
}  // namespace yunwei::sla
