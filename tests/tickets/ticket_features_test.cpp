// Issue #4, "Must hold" 1-8 at the service level, on both backends: dispatch and team
// strategies, the priority matrix and overrides, major incidents, the workflow with its required
// fields and the requester's moves, auto-close, first-contact resolution, surveys, comments,
// worklogs, links, the timeline, escalation, visibility, bulk updates, list filters and search.
#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <memory>
#include <nlohmann/json.hpp>
#include <set>
#include <string>
#include <vector>

#include "cmdb/affected.h"
#include "identity/password.h"
#include "identity/team_service.h"
#include "identity/user_service.h"
#include "support/cis.h"
#include "support/test_db.h"
#include "tickets/category_service.h"
#include "tickets/config.h"
#include "tickets/dispatch.h"
#include "tickets/ticket_service.h"

namespace yunwei::tickets {
namespace {

using core::ErrorCode;
using nlohmann::json;
using std::chrono::hours;
using std::chrono::minutes;
using testing::failed_with;
using testing::kTestStart;
using testing::must;

constexpr std::chrono::milliseconds kDay = hours(24);

class TicketFeatureTest : public testing::BackendTest {
 protected:
  void SetUp() override {
    BackendTest::SetUp();
    if (IsSkipped() || HasFatalFailure()) return;
    tickets_ = std::make_unique<TicketService>(db(), clock_);
    users_ = std::make_unique<identity::UserService>(db(), clock_, hasher_);
    teams_ = std::make_unique<identity::TeamService>(db(), clock_);
    categories_ = std::make_unique<CategoryService>(db(), clock_);
    config_ = std::make_unique<TicketConfig>(db(), clock_);
    dispatch_ = std::make_unique<DispatchService>(db(), clock_);
    relations_ = std::make_unique<cmdb::RelationService>(db(), clock_);

    admin_ = user("admin1", {"admin"});
    desk_lead_ = user("desklead", {"agent"});
    desk1_ = user("desk1", {"agent"});
    desk2_ = user("desk2", {"agent"});
    infra1_ = user("infra1", {"agent"});
    infra2_ = user("infra2", {"agent"});
    sec1_ = user("sec1", {"agent"});
    ops_lead_ = user("opslead", {"agent"});
    ops1_ = user("ops1", {"agent"});
    req1_ = user("wangxiaoming", {"requester"}, "财务部");
    req2_ = user("lixiaohong", {"requester"}, "财务部");
    req3_ = user("zhaolei", {"requester"}, "人事部");

    desk_ = team("Service Desk", desk_lead_, {desk1_, desk2_});
    infra_ = team("Infrastructure", infra1_, {infra2_});
    secops_ = team("Security Operations", std::nullopt, {sec1_});
    ops_ = team("Operations Management", ops_lead_, {ops1_});

    network_ = category("network", "网络");
    vpn_ = category("network.vpn", "VPN", network_);
    hardware_ = category("hardware", "硬件");
    printer_ = category("hardware.printer", "打印机", hardware_);
    security_ = category("security", "信息安全", std::nullopt, true);
    malware_ = category("security.malware", "病毒", security_);

    SettingsPatch p;
    p.version = 0;
    p.service_desk_team_id = std::optional<std::int64_t>(desk_);
    p.security_team_id = std::optional<std::int64_t>(secops_);
    p.operations_team_id = std::optional<std::int64_t>(ops_);
    must(config_->update_settings(sys(), p));
  }

  std::int64_t user(const std::string& name, std::vector<std::string> roles,
                    const std::string& organisation = "") {
    identity::NewUser n;
    n.username = name;
    n.display_name = name;
    n.organisation = organisation;
    n.roles = std::move(roles);
    return must(users_->create(sys(), n)).id;
  }
  std::int64_t team(const std::string& name, std::optional<std::int64_t> lead,
                    std::vector<std::int64_t> members) {
    identity::NewTeam t;
    t.name = name;
    t.lead_id = lead;
    t.member_ids = std::move(members);
    return must(teams_->create(sys(), t)).id;
  }
  std::int64_t category(const std::string& code, const std::string& name,
                        std::optional<std::int64_t> parent = std::nullopt, bool security = false) {
    NewCategory c;
    c.code = code;
    c.name = name;
    c.parent_id = parent;
    c.security = security;
    return must(categories_->create(sys(), c)).id;
  }
  void settings(const std::function<void(SettingsPatch&)>& change) {
    SettingsPatch p;
    p.version = must(config_->settings()).version;
    change(p);
    must(config_->update_settings(sys(), p));
  }
  std::int64_t rule(const std::string& name, std::int64_t team_id, const RuleConditions& c) {
    NewRule r;
    r.name = name;
    r.team_id = team_id;
    r.conditions = c;
    return must(dispatch_->create_rule(sys(), r)).id;
  }

  static store::Actor sys() { return store::Actor{std::nullopt, "test"}; }
  static store::Actor as(std::int64_t user) { return store::Actor{user, "test"}; }
  static Viewer requester(std::int64_t id) { return Viewer{id, false, false, false}; }
  static Viewer agent(std::int64_t id) { return Viewer{id, true, true, false}; }
  static Viewer admin(std::int64_t id) { return Viewer{id, true, true, true}; }

  static NewTicket incident(std::string title, std::string description = "") {
    NewTicket n;
    n.title = std::move(title);
    n.description = std::move(description);
    return n;
  }
  // A requester reports a ticket.
  Ticket report(std::int64_t who, NewTicket n) {
    return must(tickets_->create(as(who), requester(who), n));
  }
  Ticket report(std::int64_t who, const std::string& title, const std::string& description = "") {
    return report(who, incident(title, description));
  }
  // An agent logs a ticket.
  Ticket log(std::int64_t who, NewTicket n) {
    return must(tickets_->create(as(who), agent(who), n));
  }

  static TransitionRequest to(std::string state) {
    TransitionRequest r;
    r.to = std::move(state);
    return r;
  }
  core::Result<Ticket> move(std::int64_t who, const std::string& number, TransitionRequest r,
                            bool is_agent = true) {
    return tickets_->transition(as(who), is_agent ? agent(who) : requester(who), number, r);
  }
  Ticket resolve(std::int64_t who, const std::string& number) {
    TransitionRequest r = to("resolved");
    r.resolution_code = "fixed";
    r.resolution_notes = "重启了交换机";
    return must(move(who, number, r));
  }
  Ticket get(const std::string& number) {
    return must(tickets_->get(admin(admin_), number)).ticket;
  }

  std::vector<std::string> numbers(const std::vector<Ticket>& ts) {
    std::vector<std::string> out;
    for (const Ticket& t : ts) out.push_back(t.number);
    return out;
  }
  std::vector<std::string> listed(const Viewer& v, TicketQuery q = {}) {
    q.limit = 500;
    return numbers(must(tickets_->list(v, q)).items);
  }
  std::vector<std::string> searched(const Viewer& v, const std::string& q) {
    std::vector<std::string> out;
    for (const SearchResult& r : must(tickets_->search(v, q, 50))) out.push_back(r.ticket.number);
    return out;
  }
  static bool has(const std::vector<std::string>& v, const std::string& s) {
    return std::find(v.begin(), v.end(), s) != v.end();
  }
  // Recipients ("user:<id>") of the outbox messages on `topic`, sorted.
  std::vector<std::string> outbox(const std::string& topic, const std::string& number = "") {
    std::vector<std::string> out;
    for (const store::Row& r :
         query("SELECT recipient, payload FROM outbox WHERE topic = ? ORDER BY id", {topic})) {
      if (!number.empty() && json::parse(r.str(1)).value("ticket", "") != number) continue;
      out.push_back(r.str(0));
    }
    std::sort(out.begin(), out.end());
    return out;
  }
  static std::string recipient(std::int64_t id) { return "user:" + std::to_string(id); }

  identity::PasswordHasher hasher_{identity::PasswordHasher::Strength::kMinimum};
  std::unique_ptr<TicketService> tickets_;
  std::unique_ptr<identity::UserService> users_;
  std::unique_ptr<identity::TeamService> teams_;
  std::unique_ptr<CategoryService> categories_;
  std::unique_ptr<TicketConfig> config_;
  std::unique_ptr<DispatchService> dispatch_;
  std::unique_ptr<cmdb::RelationService> relations_;
  std::int64_t admin_ = 0, desk_lead_ = 0, desk1_ = 0, desk2_ = 0, infra1_ = 0, infra2_ = 0,
               sec1_ = 0, ops_lead_ = 0, ops1_ = 0, req1_ = 0, req2_ = 0, req3_ = 0;
  std::int64_t desk_ = 0, infra_ = 0, secops_ = 0, ops_ = 0;
  std::int64_t network_ = 0, vpn_ = 0, hardware_ = 0, printer_ = 0, security_ = 0, malware_ = 0;
};

// ---------------------------------------------------------------------------------------------
// 4. Dispatch

TEST_P(TicketFeatureTest, DispatchRulesPickTheTeamOfTheFirstMatchingRuleInOrder) {
  std::int64_t net_team = team("Network", std::nullopt, {infra1_});
  std::int64_t dba_team = team("DBA", std::nullopt, {infra2_});
  std::int64_t app_team = team("Applications", std::nullopt, {desk2_});
  RuleConditions by_category;
  by_category.category_ids = {network_};  // the parent: matches network.vpn too
  std::int64_t category_rule = rule("network", net_team, by_category);
  RuleConditions by_keyword;
  by_keyword.keywords = {"ora-", "数据库"};
  rule("database", dba_team, by_keyword);
  RuleConditions by_priority;
  by_priority.priorities = {"P1"};
  rule("critical", ops_, by_priority);
  RuleConditions by_channel;
  by_channel.channels = {"monitoring"};
  rule("monitoring", infra_, by_channel);
  std::int64_t erp = testing::make_ci(db(), clock_, "business_service", "ERP");
  std::int64_t erp_host =
      testing::make_ci(db(), clock_, "server", "erp-db-01", R"({"hostname": "erp-db-01"})");
  RuleConditions by_service;
  by_service.service_ids = {erp};
  rule("erp service", app_team, by_service);
  RuleConditions by_ci;
  by_ci.ci_ids = {erp_host};
  rule("erp server", app_team, by_ci);

  NewTicket n = incident("VPN 连不上");
  n.category_id = vpn_;
  Ticket vpn = report(req1_, n);
  EXPECT_EQ(vpn.assignee_team_id, net_team) << "a parent category's rule matches its children";
  EXPECT_EQ(vpn.status, "assigned");
  n.category_id = network_;
  EXPECT_EQ(report(req1_, n).assignee_team_id, net_team);

  EXPECT_EQ(report(req1_, "报错 ORA-00600").assignee_team_id, dba_team)
      << "keywords are case-insensitive";
  EXPECT_EQ(report(req1_, "报表很慢", "财务的数据库查询超时").assignee_team_id, dba_team)
      << "Chinese keywords match the description";
  NewTicket critical = incident("核心交换机宕机");
  critical.impact = 1;
  critical.urgency = 1;
  EXPECT_EQ(report(req1_, critical).assignee_team_id, ops_);
  NewTicket alert = incident("CPU 使用率告警");
  alert.channel = "monitoring";
  EXPECT_EQ(log(desk1_, alert).assignee_team_id, infra_);
  NewTicket service = incident("无法下单");
  service.service_id = erp;
  EXPECT_EQ(report(req1_, service).assignee_team_id, app_team);
  NewTicket ci = incident("服务器无响应");
  ci.ci_id = erp_host;  // agents link CIs (requesters name a service at most)
  EXPECT_EQ(log(desk1_, ci).assignee_team_id, app_team);

  // Both the category and the keyword rule match: the first in position order wins.
  NewTicket both = incident("VPN 数据库连接断开");
  both.category_id = vpn_;
  EXPECT_EQ(report(req1_, both).assignee_team_id, net_team);
  RulePatch later;
  later.version = 1;
  later.position = 1000;
  must(dispatch_->update_rule(sys(), category_rule, later));
  EXPECT_EQ(report(req1_, both).assignee_team_id, dba_team);
  RulePatch off;
  off.version = 2;
  off.active = false;
  must(dispatch_->update_rule(sys(), category_rule, off));
  EXPECT_EQ(report(req1_, n).assignee_team_id, desk_) << "an inactive rule is skipped";

  // A rule on the kind; a rule whose team is inactive is skipped.
  RuleConditions requests;
  requests.kinds = {"request"};
  rule("requests", infra_, requests);
  NewTicket laptop = incident("申请笔记本");
  laptop.kind = "request";
  EXPECT_EQ(report(req1_, laptop).assignee_team_id, infra_);
  identity::Team infra = must(teams_->get(infra_));
  must(teams_->set_active(sys(), infra_, false, infra.version));
  EXPECT_EQ(report(req1_, laptop).assignee_team_id, desk_);

  // Nothing matches: the service desk team from the settings.
  Ticket plain = report(req1_, "鼠标坏了");
  EXPECT_EQ(plain.assignee_team_id, desk_);
  EXPECT_FALSE(plain.assignee_id) << "the desk's strategy is manual";
  // The dispatch decision is in the timeline.
  std::vector<TimelineEntry> tl = must(tickets_->timeline(agent(desk1_), vpn.number));
  ASSERT_FALSE(tl.empty());
  EXPECT_EQ(tl[0].action, "ticket.create");
  EXPECT_NE(tl[0].detail_json.find("network"), std::string::npos) << tl[0].detail_json;

  // Without a service desk in the settings an unmatched incident stays new and unassigned.
  settings([](SettingsPatch& p) { p.service_desk_team_id = std::optional<std::int64_t>(); });
  Ticket stray = report(req1_, "鼠标又坏了");
  EXPECT_FALSE(stray.assignee_team_id);
  EXPECT_EQ(stray.status, "new");
}

TEST_P(TicketFeatureTest,
       UnmatchedTicketsWaitNewInTheServiceDeskQueueWhileDispatchedOnesAreAssigned) {
  RuleConditions c;
  c.category_ids = {network_};
  rule("network", infra_, c);

  // No rule: the service desk's, untriaged.
  Ticket plain = report(req1_, "鼠标坏了");
  EXPECT_EQ(plain.status, "new");
  EXPECT_EQ(plain.assignee_team_id, desk_);
  std::vector<TimelineEntry> tl = must(tickets_->timeline(agent(desk1_), plain.number));
  ASSERT_FALSE(tl.empty());
  EXPECT_NE(tl[0].detail_json.find("service_desk"), std::string::npos) << tl[0].detail_json;
  // A rule, a team the agent names (even the desk's) or the security fallback: assigned.
  NewTicket n = incident("VPN 连不上");
  n.category_id = vpn_;
  Ticket routed = report(req1_, n);
  EXPECT_EQ(routed.status, "assigned");
  EXPECT_EQ(routed.assignee_team_id, infra_);
  NewTicket named = incident("会议室投影仪坏了");
  named.assignee_team_id = desk_;
  Ticket logged = log(desk1_, named);
  EXPECT_EQ(logged.status, "assigned");
  EXPECT_EQ(logged.assignee_team_id, desk_);
  NewTicket virus = incident("电脑中了病毒");
  virus.category_id = malware_;
  Ticket sec = report(req1_, virus);
  EXPECT_EQ(sec.status, "assigned");
  EXPECT_EQ(sec.assignee_team_id, secops_);
  // A request has no "assigned" state: new either way.
  NewTicket laptop = incident("申请笔记本");
  laptop.kind = "request";
  EXPECT_EQ(report(req1_, laptop).status, "new");

  // The service desk's triage queue: its team's new incidents.
  TicketQuery queue;
  queue.kinds = {"incident"};
  queue.team_id = desk_;
  queue.statuses = {"new"};
  EXPECT_EQ(listed(agent(desk1_), queue), std::vector<std::string>{plain.number});
  queue.statuses = {"assigned"};
  EXPECT_EQ(listed(agent(desk1_), queue), std::vector<std::string>{logged.number});

  // Triage: the desk passes one on (assigned), takes one itself (in progress); a new one cannot
  // wait for anyone yet.
  Ticket other = report(req2_, "电脑很慢");
  TransitionRequest pend = to("pending");
  pend.pending_reason = "awaiting_requester";
  EXPECT_TRUE(failed_with(move(desk1_, other.number, pend), ErrorCode::kConflict, "to"));
  TransitionRequest hand = to("assigned");
  hand.assignee_team_id = infra_;
  other = must(move(desk1_, other.number, hand));
  EXPECT_EQ(other.status, "assigned");
  EXPECT_EQ(other.assignee_team_id, infra_);
  Ticket taken = must(move(desk1_, plain.number, to("in_progress")));
  EXPECT_EQ(taken.status, "in_progress");
  EXPECT_EQ(taken.assignee_team_id, desk_);
  queue.statuses = {"new"};
  EXPECT_TRUE(listed(agent(desk1_), queue).empty()) << "nothing left to triage";

  // The requester withdraws the assigned incident nobody has started on; a stranger cannot.
  TransitionRequest cancel = to("cancelled");
  cancel.cancel_reason = "重启后好了";
  EXPECT_TRUE(failed_with(move(req3_, routed.number, cancel, false), ErrorCode::kNotFound));
  Ticket withdrawn = must(move(req1_, routed.number, cancel, false));
  EXPECT_EQ(withdrawn.status, "cancelled");
  EXPECT_EQ(withdrawn.cancel_reason, "重启后好了");
  EXPECT_TRUE(withdrawn.closed_at);
  tl = must(tickets_->timeline(requester(req1_), routed.number));
  EXPECT_EQ(tl.back().action, "ticket.transition");
  EXPECT_EQ(tl.back().actor_id, req1_);
  // And the security team's assigned ticket too: it is the requester's own.
  EXPECT_EQ(must(move(req1_, sec.number, cancel, false)).status, "cancelled");
}

TEST_P(TicketFeatureTest, TicketsLinkToCisAndListByTheServiceTheyAffect) {
  using testing::make_ci;
  std::int64_t bank = make_ci(db(), clock_, "business_service", "网上银行");
  std::int64_t erp = make_ci(db(), clock_, "business_service", "ERP");
  std::int64_t app = make_ci(db(), clock_, "application", "网银前端");
  std::int64_t web = make_ci(db(), clock_, "server", "sh-web-01", R"({"hostname": "sh-web-01"})");
  std::int64_t other = make_ci(db(), clock_, "server", "bj-erp-01", R"({"hostname": "bj-erp-01"})");
  testing::relate(db(), clock_, bank, "depends_on", app);
  testing::relate(db(), clock_, app, "runs_on", web);

  NewTicket bad = incident("服务器宕机");
  bad.ci_id = 999999;
  EXPECT_TRUE(failed_with(tickets_->create(as(desk1_), agent(desk1_), bad),
                          ErrorCode::kInvalidArgument, "ci_id"));
  bad.ci_id.reset();
  bad.service_id = web;
  auto not_service = tickets_->create(as(desk1_), agent(desk1_), bad);
  EXPECT_TRUE(failed_with(not_service, ErrorCode::kInvalidArgument, "service_id"));
  EXPECT_NE(not_service.error().message.find("not a business service"), std::string::npos);

  NewTicket on_web = incident("sh-web-01 无响应");
  on_web.ci_id = web;
  Ticket t1 = log(desk1_, on_web);
  NewTicket on_bank = incident("网银登录失败");
  on_bank.service_id = bank;
  Ticket t2 = log(desk1_, on_bank);
  NewTicket on_erp = incident("ERP 报表慢");
  on_erp.service_id = erp;
  on_erp.ci_id = other;
  Ticket t3 = log(desk1_, on_erp);
  log(desk1_, incident("打印机卡纸"));

  // An incident on the web server affects 网上银行 through the application.
  auto affected = must(cmdb::affected_services(db(), *relations_, web));
  ASSERT_EQ(affected.size(), 1u);
  EXPECT_EQ(affected[0].id, bank);
  EXPECT_EQ(affected[0].depth, 2);
  EXPECT_TRUE(must(cmdb::affected_services(db(), *relations_, other)).empty());

  auto numbers = [&](const TicketQuery& q) {
    std::vector<std::string> out;
    for (const Ticket& t : must(tickets_->list(admin(admin_), q)).items) out.push_back(t.number);
    std::sort(out.begin(), out.end());
    return out;
  };
  TicketQuery q;
  q.affects_service = bank;
  q.affects_cis = must(cmdb::affecting_cis(db(), *relations_, bank, "affects_service"));
  std::vector<std::string> expected{t1.number, t2.number};
  std::sort(expected.begin(), expected.end());
  EXPECT_EQ(numbers(q), expected) << "the service's own ticket and the one on its server";
  q.affects_service = erp;
  q.affects_cis = must(cmdb::affecting_cis(db(), *relations_, erp, "affects_service"));
  EXPECT_EQ(numbers(q), std::vector<std::string>{t3.number});
  EXPECT_TRUE(failed_with(cmdb::affecting_cis(db(), *relations_, 999999, "affects_service"),
                          ErrorCode::kInvalidArgument, "affects_service"));

  // Lists and the detail carry the names.
  TicketQuery mine;
  mine.ci_id = web;
  auto page = must(tickets_->list(admin(admin_), mine));
  ASSERT_EQ(page.items.size(), 1u);
  EXPECT_EQ(page.items[0].ci_name, "sh-web-01");
  EXPECT_EQ(page.items[0].ci_type, "server");
  TicketDetail d = must(tickets_->get(admin(admin_), t3.number));
  EXPECT_EQ(d.ticket.service_name, "ERP");
  EXPECT_EQ(d.ticket.ci_name, "bj-erp-01");

  // A patch is checked the same way and leaves the ticket alone when refused.
  TicketPatch p;
  p.version = t3.version;
  p.service_id = std::optional<std::int64_t>(other);
  EXPECT_TRUE(failed_with(tickets_->update(as(desk1_), agent(desk1_), t3.number, p),
                          ErrorCode::kInvalidArgument, "service_id"));
  EXPECT_EQ(must(tickets_->get(admin(admin_), t3.number)).ticket.service_id, erp);
}

TEST_P(TicketFeatureTest, RoundRobinCyclesActiveAgentsInIdOrder) {
  std::int64_t a = user("rr_a", {"agent"});
  std::int64_t inactive = user("rr_inactive", {"agent"});
  std::int64_t approver = user("rr_approver", {"approver"});
  std::int64_t b = user("rr_b", {"agent", "approver"});
  std::int64_t rr = team("Round robin", std::nullopt, {b, approver, inactive, a});
  must(users_->set_active(sys(), inactive, false, std::nullopt));
  must(dispatch_->set_strategy(sys(), rr, "round_robin"));
  NewTicket n = incident("轮询");
  n.assignee_team_id = rr;
  std::vector<std::int64_t> picked;
  for (int i = 0; i < 5; ++i) picked.push_back(log(desk1_, n).assignee_id.value_or(0));
  EXPECT_EQ(picked, (std::vector<std::int64_t>{a, b, a, b, a}))
      << "skips the inactive member and the one without the agent role";
  // Through a rule too, and an explicit assignee is kept.
  RuleConditions c;
  c.keywords = {"轮询"};
  rule("round robin", rr, c);
  EXPECT_EQ(report(req1_, "轮询测试").assignee_id, b);
  n.assignee_id = b;
  EXPECT_EQ(log(desk1_, n).assignee_id, b);
}

TEST_P(TicketFeatureTest, LeastOpenPicksTheMemberWithFewestOpenTickets) {
  must(dispatch_->set_strategy(sys(), infra_, "least_open"));
  // infra1 (the lead, lower id) gets two open tickets by hand, infra2 none.
  NewTicket n = incident("磁盘告警");
  n.assignee_team_id = infra_;
  n.assignee_id = infra1_;
  Ticket first = log(desk1_, n);
  log(desk1_, n);
  n.assignee_id.reset();
  EXPECT_EQ(log(desk1_, n).assignee_id, infra2_);
  EXPECT_EQ(log(desk1_, n).assignee_id, infra2_);
  EXPECT_EQ(log(desk1_, n).assignee_id, infra1_) << "a tie goes to the lower id";
  // 3 : 2. Resolved tickets are not open: resolving one of infra1's makes it 2 : 2.
  resolve(infra1_, first.number);
  EXPECT_EQ(log(desk1_, n).assignee_id, infra1_);  // 2 : 2 -> the lower id; now 3 : 2
  Ticket next = log(desk1_, n);
  EXPECT_EQ(next.assignee_id, infra2_);  // 3 : 3
  must(users_->set_active(sys(), infra1_, false, std::nullopt));
  EXPECT_EQ(log(desk1_, n).assignee_id, infra2_) << "inactive members are skipped";
}

TEST_P(TicketFeatureTest, ManualStrategyLeavesTheAssigneeEmpty) {
  must(dispatch_->set_strategy(sys(), infra_, "round_robin"));
  must(dispatch_->set_strategy(sys(), infra_, "manual"));
  NewTicket n = incident("手工分派");
  n.assignee_team_id = infra_;
  Ticket t = log(desk1_, n);
  EXPECT_EQ(t.assignee_team_id, infra_);
  EXPECT_FALSE(t.assignee_id);
  EXPECT_EQ(t.status, "assigned");
  EXPECT_TRUE(failed_with(dispatch_->set_strategy(sys(), infra_, "random"),
                          ErrorCode::kInvalidArgument, "strategy"));
}

// ---------------------------------------------------------------------------------------------
// 2. Priority and major incidents

TEST_P(TicketFeatureTest, PriorityComesFromTheEditableMatrix) {
  NewTicket n = incident("邮件发不出去");
  n.impact = 1;
  n.urgency = 3;
  EXPECT_EQ(report(req1_, n).priority, "P3");
  PriorityMatrix m = PriorityMatrix::standard();
  m.cells[2] = "P2";  // impact 1, urgency 3
  must(config_->set_matrix(sys(), m, 0));
  Ticket t = report(req1_, n);
  EXPECT_EQ(t.priority, "P2");
  EXPECT_FALSE(t.priority_overridden);
  PriorityMatrix bad = m;
  bad.cells[0] = "P5";  // a smaller problem would outrank a bigger one
  EXPECT_TRUE(failed_with(config_->set_matrix(sys(), bad, 1), ErrorCode::kInvalidArgument));
  EXPECT_TRUE(failed_with(config_->set_matrix(sys(), m, 0), ErrorCode::kConflict, "version"));
  EXPECT_EQ(must(config_->matrix()).first.cells[2], "P2");
}

TEST_P(TicketFeatureTest, OverridingThePriorityNeedsAReasonThatGoesIntoTheTimeline) {
  Ticket t = report(req1_, "打印机卡纸");
  EXPECT_EQ(t.priority, "P5");
  TicketPatch p;
  p.version = t.version;
  p.priority = "P2";
  EXPECT_TRUE(failed_with(tickets_->update(as(desk1_), agent(desk1_), t.number, p),
                          ErrorCode::kInvalidArgument, "priority_reason"));
  p.priority_reason = "   ";
  EXPECT_TRUE(failed_with(tickets_->update(as(desk1_), agent(desk1_), t.number, p),
                          ErrorCode::kInvalidArgument, "priority_reason"));
  p.priority_reason = "总经理的打印机";
  t = must(tickets_->update(as(desk1_), agent(desk1_), t.number, p));
  EXPECT_EQ(t.priority, "P2");
  EXPECT_TRUE(t.priority_overridden);
  std::vector<TimelineEntry> tl = must(tickets_->timeline(agent(desk1_), t.number));
  const TimelineEntry& e = tl.back();
  EXPECT_EQ(e.action, "ticket.update");
  EXPECT_NE(e.detail_json.find("总经理的打印机"), std::string::npos) << e.detail_json;
  bool changed = false;
  for (const FieldChange& c : e.changes) {
    if (c.field == "priority") {
      changed = true;
      EXPECT_EQ(c.before_json, "\"P5\"");
      EXPECT_EQ(c.after_json, "\"P2\"");
    }
  }
  EXPECT_TRUE(changed);
  // A requester may not change the priority at all.
  TicketPatch r;
  r.version = t.version;
  r.priority = "P1";
  r.priority_reason = "急";
  EXPECT_TRUE(failed_with(tickets_->update(as(req1_), requester(req1_), t.number, r),
                          ErrorCode::kForbidden));

  // Changing impact or urgency derives it again and ends the override.
  TicketPatch iu;
  iu.version = t.version;
  iu.impact = 1;
  iu.urgency = 2;
  t = must(tickets_->update(as(desk1_), agent(desk1_), t.number, iu));
  EXPECT_EQ(t.priority, "P2");
  EXPECT_FALSE(t.priority_overridden);
  iu.version = t.version;
  iu.impact = 2;
  iu.urgency.reset();
  t = must(tickets_->update(as(desk1_), agent(desk1_), t.number, iu));
  EXPECT_EQ(t.priority, "P3");
  // Asking for the derived priority needs no reason.
  TicketPatch same;
  same.version = t.version;
  same.priority = "P3";
  EXPECT_TRUE(tickets_->update(as(desk1_), agent(desk1_), t.number, same).ok());
}

TEST_P(TicketFeatureTest, MajorIncidentNeedsCadenceAndStakeholdersAndTracksUpdates) {
  Ticket t = report(req1_, "全公司无法上网");
  TicketPatch p;
  p.version = t.version;
  p.major = true;
  p.major_stakeholder_ids = std::vector<std::int64_t>{ops_lead_, admin_};
  EXPECT_TRUE(failed_with(tickets_->update(as(desk1_), agent(desk1_), t.number, p),
                          ErrorCode::kInvalidArgument, "major_cadence_minutes"));
  p.major_stakeholder_ids.reset();
  p.major_cadence_minutes = 30;
  EXPECT_TRUE(failed_with(tickets_->update(as(desk1_), agent(desk1_), t.number, p),
                          ErrorCode::kInvalidArgument, "major_stakeholder_ids"));
  NewTicket req = incident("申请新电脑");
  req.kind = "request";
  Ticket request = report(req1_, req);
  p.major_stakeholder_ids = std::vector<std::int64_t>{ops_lead_, admin_};
  p.version = request.version;
  EXPECT_TRUE(failed_with(tickets_->update(as(desk1_), agent(desk1_), request.number, p),
                          ErrorCode::kInvalidArgument, "major"));
  EXPECT_TRUE(outbox("ticket.major_declared").empty());

  p.version = t.version;
  t = must(tickets_->update(as(desk1_), agent(desk1_), t.number, p));
  EXPECT_TRUE(t.major);
  EXPECT_EQ(t.major_declared_at, clock_.now_ms());
  EXPECT_EQ(outbox("ticket.major_declared", t.number),
            (std::vector<std::string>{recipient(admin_), recipient(ops_lead_)}));
  EXPECT_EQ(next_update_due(t), clock_.now_ms() + 30 * 60'000);

  // A public agent comment moves the next update; an internal note or the requester does not.
  clock_.advance(minutes(20));
  must(tickets_->add_comment(as(desk1_), agent(desk1_), t.number, "正在排查核心交换机", true));
  core::TimeMs commented = clock_.now_ms();
  EXPECT_EQ(next_update_due(get(t.number)), commented + 30 * 60'000);
  clock_.advance(minutes(10));
  must(tickets_->add_comment(as(desk1_), agent(desk1_), t.number, "内部：怀疑是固件", false));
  must(tickets_->add_comment(as(req1_), requester(req1_), t.number, "还要多久？", true));
  EXPECT_EQ(next_update_due(get(t.number)), commented + 30 * 60'000);
  EXPECT_EQ(listed(agent(desk1_),
                   [] {
                     TicketQuery q;
                     q.major = true;
                     return q;
                   }()),
            std::vector<std::string>{t.number});
}

// ---------------------------------------------------------------------------------------------
// 3. Workflow

TEST_P(TicketFeatureTest, AnImpossibleMoveIsAConflictNamingTheAllowedTargets) {
  // Untriaged at the service desk: it may be taken, handed on, resolved or cancelled, but it
  // cannot wait for anyone before somebody works it.
  Ticket t = report(req1_, "VPN 断线");
  ASSERT_EQ(t.status, "new");
  auto r = move(desk1_, t.number, to("closed"));
  ASSERT_TRUE(failed_with(r, ErrorCode::kConflict, "to"));
  EXPECT_NE(r.error().message.find("allowed: assigned, in_progress, resolved, cancelled"),
            std::string::npos)
      << r.error().message;
  TransitionRequest pend = to("pending");
  pend.pending_reason = "awaiting_vendor";
  auto p = move(desk1_, t.number, pend);
  ASSERT_TRUE(failed_with(p, ErrorCode::kConflict, "to"));
  EXPECT_NE(p.error().message.find("from new to pending"), std::string::npos) << p.error().message;
  EXPECT_TRUE(failed_with(move(desk1_, t.number, to("flying")), ErrorCode::kInvalidArgument, "to"));
  TransitionRequest stale = to("in_progress");
  stale.version = t.version + 5;
  EXPECT_TRUE(failed_with(move(desk1_, t.number, stale), ErrorCode::kConflict, "version"));
  EXPECT_EQ(get(t.number).status, "new");

  // Assigned to a team: now it may wait, but still not close.
  t = must(move(desk1_, t.number, to("assigned")));
  ASSERT_EQ(t.status, "assigned");
  r = move(desk1_, t.number, to("closed"));
  ASSERT_TRUE(failed_with(r, ErrorCode::kConflict, "to"));
  EXPECT_NE(r.error().message.find("allowed: in_progress, pending, resolved, cancelled"),
            std::string::npos)
      << r.error().message;
  EXPECT_EQ(get(t.number).status, "assigned");
}

TEST_P(TicketFeatureTest, TransitionsRequireTheirFields) {
  Ticket t = report(req1_, "打印机无法打印");
  TransitionRequest r = to("resolved");
  EXPECT_TRUE(
      failed_with(move(desk1_, t.number, r), ErrorCode::kInvalidArgument, "resolution_code"));
  r.resolution_code = "fixed";
  EXPECT_TRUE(
      failed_with(move(desk1_, t.number, r), ErrorCode::kInvalidArgument, "resolution_notes"));
  r.resolution_code = "magic";
  r.resolution_notes = "修好了";
  EXPECT_TRUE(
      failed_with(move(desk1_, t.number, r), ErrorCode::kInvalidArgument, "resolution_code"));
  // The service desk passes it on before it can wait for anyone.
  ASSERT_EQ(t.status, "new");
  t = must(move(desk1_, t.number, to("assigned")));
  EXPECT_EQ(t.status, "assigned");
  EXPECT_EQ(t.assignee_team_id, desk_) << "the team it has is kept";
  EXPECT_TRUE(failed_with(move(desk1_, t.number, to("pending")), ErrorCode::kInvalidArgument,
                          "pending_reason"));
  TransitionRequest pend = to("pending");
  pend.pending_reason = "awaiting_godot";
  EXPECT_TRUE(
      failed_with(move(desk1_, t.number, pend), ErrorCode::kInvalidArgument, "pending_reason"));
  pend.pending_reason = "awaiting_vendor";
  t = must(move(desk1_, t.number, pend));
  EXPECT_EQ(t.status, "pending");
  EXPECT_EQ(t.pending_reason, "awaiting_vendor");
  t = must(move(desk1_, t.number, to("in_progress")));
  EXPECT_EQ(t.pending_reason, "");
  t = resolve(desk1_, t.number);
  EXPECT_EQ(t.resolution_code, "fixed");
  EXPECT_TRUE(t.resolved_at);

  Ticket c = report(req1_, "重复报障");
  EXPECT_TRUE(failed_with(move(desk1_, c.number, to("cancelled")), ErrorCode::kInvalidArgument,
                          "cancel_reason"));
  TransitionRequest cancel = to("cancelled");
  cancel.cancel_reason = "与 " + t.number + " 重复";
  c = must(move(desk1_, c.number, cancel));
  EXPECT_EQ(c.status, "cancelled");
  EXPECT_TRUE(c.closed_at);

  // Without a team yet (no service desk in the settings), assigning it needs one.
  settings([](SettingsPatch& p) { p.service_desk_team_id = std::optional<std::int64_t>(); });
  Ticket stray = report(req1_, "没人管的工单");
  ASSERT_FALSE(stray.assignee_team_id);
  EXPECT_TRUE(failed_with(move(desk1_, stray.number, to("assigned")), ErrorCode::kInvalidArgument,
                          "assignee_team_id"));
  TransitionRequest hand = to("assigned");
  hand.assignee_team_id = infra_;
  stray = must(move(desk1_, stray.number, hand));
  EXPECT_EQ(stray.status, "assigned");
  EXPECT_EQ(stray.assignee_team_id, infra_);
}

TEST_P(TicketFeatureTest, TheRequesterMayReopenWithinTheAutoClosePeriodOnly) {
  settings([](SettingsPatch& p) { p.auto_close_days = 7; });
  Ticket t = report(req1_, "ERP 登录失败");
  resolve(desk1_, t.number);
  clock_.advance(6 * kDay);
  TransitionRequest reopen = to("reopened");
  EXPECT_TRUE(failed_with(move(req1_, t.number, reopen, false), ErrorCode::kInvalidArgument,
                          "reopen_reason"));
  reopen.reopen_reason = "还是登录不了";
  t = must(move(req1_, t.number, reopen, false));
  EXPECT_EQ(t.status, "reopened");
  EXPECT_EQ(t.reopen_count, 1);
  EXPECT_FALSE(t.resolved_at);
  std::vector<TimelineEntry> tl = must(tickets_->timeline(requester(req1_), t.number));
  EXPECT_NE(tl.back().detail_json.find("还是登录不了"), std::string::npos);

  resolve(desk1_, t.number);
  clock_.advance(7 * kDay + minutes(1));
  EXPECT_TRUE(failed_with(move(req1_, t.number, reopen, false), ErrorCode::kForbidden));
  EXPECT_EQ(get(t.number).status, "resolved");
  // Another requester cannot even see it.
  EXPECT_TRUE(failed_with(move(req3_, t.number, reopen, false), ErrorCode::kNotFound));
  // The requester may still confirm (close) it.
  t = must(move(req1_, t.number, to("closed"), false));
  EXPECT_EQ(t.status, "closed");

  // A fulfilled service request is reopened by moving it back to in_progress.
  NewTicket n = incident("申请邮箱扩容");
  n.kind = "request";
  Ticket r = report(req1_, n);
  must(move(desk1_, r.number, to("in_progress")));
  TransitionRequest fulfil = to("fulfilled");
  fulfil.resolution_notes = "已扩容";
  must(move(desk1_, r.number, fulfil));
  TransitionRequest again = to("in_progress");
  again.reopen_reason = "容量没变";
  clock_.advance(7 * kDay);
  r = must(move(req1_, r.number, again, false));
  EXPECT_EQ(r.status, "in_progress");
  EXPECT_EQ(r.reopen_count, 1);
  must(move(desk1_, r.number, fulfil));
  clock_.advance(7 * kDay + std::chrono::milliseconds(1));
  EXPECT_TRUE(failed_with(move(req1_, r.number, again, false), ErrorCode::kForbidden));
}

TEST_P(TicketFeatureTest, TheRequesterMayCloseOrCancelOwnTicketsButNotWorkThem) {
  Ticket fresh = report(req1_, "显示器闪屏");
  ASSERT_EQ(fresh.status, "new") << "untriaged at the service desk";
  TransitionRequest work = to("in_progress");
  work.assignee_team_id = desk_;
  EXPECT_TRUE(failed_with(move(req1_, fresh.number, work, false), ErrorCode::kForbidden));
  TransitionRequest assign = to("assigned");
  assign.assignee_team_id = desk_;
  EXPECT_TRUE(failed_with(move(req1_, fresh.number, assign, false), ErrorCode::kForbidden));
  TransitionRequest cancel = to("cancelled");
  cancel.cancel_reason = "自己好了";
  // A colleague who may see it (organisation) still may not move it.
  settings([](SettingsPatch& p) { p.requesters_see_organisation = true; });
  EXPECT_TRUE(must(tickets_->get(requester(req2_), fresh.number)).ticket.id == fresh.id);
  EXPECT_TRUE(failed_with(move(req2_, fresh.number, cancel, false), ErrorCode::kForbidden));
  EXPECT_EQ(must(move(req1_, fresh.number, cancel, false)).status, "cancelled");

  // A service request: cancel while new; once in progress it is the agents' to cancel.
  NewTicket req = incident("申请 VPN 账号");
  req.kind = "request";
  Ticket request = report(req1_, req);
  EXPECT_EQ(request.number, "REQ-000001");
  EXPECT_EQ(must(move(req1_, request.number, cancel, false)).status, "cancelled");
  Ticket started = report(req1_, req);
  must(move(desk1_, started.number, to("in_progress")));
  EXPECT_TRUE(failed_with(move(req1_, started.number, cancel, false), ErrorCode::kForbidden));

  // Assigned to someone who has not started: the requester may still withdraw it.
  Ticket waiting = report(req1_, "鼠标失灵");
  TransitionRequest take = to("assigned");
  take.assignee_team_id = desk_;
  take.assignee_id = desk1_;
  ASSERT_EQ(must(move(desk1_, waiting.number, take)).status, "assigned");
  EXPECT_TRUE(failed_with(move(req2_, waiting.number, cancel, false), ErrorCode::kForbidden));
  Ticket withdrawn = must(move(req1_, waiting.number, cancel, false));
  EXPECT_EQ(withdrawn.status, "cancelled");
  EXPECT_EQ(withdrawn.cancel_reason, "自己好了");

  // In progress: no longer withdrawn, and never resolved by the requester; once resolved the
  // requester confirms.
  Ticket worked = report(req1_, "键盘失灵");
  must(move(desk1_, worked.number, take));
  must(move(desk1_, worked.number, to("in_progress")));
  EXPECT_TRUE(failed_with(move(req1_, worked.number, cancel, false), ErrorCode::kConflict, "to"))
      << "an incident in progress cannot be cancelled at all";
  TransitionRequest self_resolve = to("resolved");
  self_resolve.resolution_code = "fixed";
  self_resolve.resolution_notes = "自己修好了";
  EXPECT_TRUE(failed_with(move(req1_, worked.number, self_resolve, false), ErrorCode::kForbidden));
  EXPECT_EQ(get(worked.number).status, "in_progress");
  resolve(desk1_, worked.number);
  EXPECT_EQ(must(move(req1_, worked.number, to("closed"), false)).status, "closed");
}

TEST_P(TicketFeatureTest, ARequesterReplyResumesATicketWaitingForThem) {
  Ticket t = report(req1_, "共享盘没有权限");
  must(move(desk1_, t.number, to("in_progress")));  // from the service desk's "new" queue
  TransitionRequest pend = to("pending");
  pend.pending_reason = "awaiting_requester";
  must(move(desk1_, t.number, pend));
  // An agent's comment does not resume it.
  must(tickets_->add_comment(as(desk1_), agent(desk1_), t.number, "请提供共享盘路径", true));
  EXPECT_EQ(get(t.number).status, "pending");
  must(tickets_->add_comment(as(req1_), requester(req1_), t.number, "路径是 \\\\fs01\\财务", true));
  t = get(t.number);
  EXPECT_EQ(t.status, "in_progress");
  EXPECT_EQ(t.pending_reason, "");
  std::vector<TimelineEntry> tl = must(tickets_->timeline(agent(desk1_), t.number));
  EXPECT_EQ(tl.back().action, "ticket.transition");
  EXPECT_NE(tl.back().detail_json.find("requester_replied"), std::string::npos);

  // Waiting for a vendor: the requester's comment changes nothing.
  pend.pending_reason = "awaiting_vendor";
  must(move(desk1_, t.number, pend));
  must(tickets_->add_comment(as(req1_), requester(req1_), t.number, "有进展吗", true));
  EXPECT_EQ(get(t.number).status, "pending");
}

TEST_P(TicketFeatureTest, AutoCloseClosesTicketsResolvedMoreThanTheConfiguredDaysAgo) {
  settings([](SettingsPatch& p) { p.auto_close_days = 3; });
  Ticket old = report(req1_, "旧工单");
  resolve(desk1_, old.number);
  clock_.advance(2 * kDay);
  Ticket recent = report(req1_, "新工单");
  resolve(desk1_, recent.number);
  Ticket open = report(req1_, "未解决");
  NewTicket r = incident("申请软件");
  r.kind = "request";
  Ticket request = report(req1_, r);
  must(move(desk1_, request.number, to("in_progress")));
  TransitionRequest fulfil = to("fulfilled");
  fulfil.resolution_notes = "已安装";
  must(move(desk1_, request.number, fulfil));

  EXPECT_EQ(must(tickets_->auto_close(sys())), 0) << "nothing is three days old yet";
  clock_.advance(kDay + minutes(1));
  EXPECT_EQ(must(tickets_->auto_close(sys())), 1);
  EXPECT_EQ(get(old.number).status, "closed");
  EXPECT_EQ(get(old.number).closed_at, clock_.now_ms());
  EXPECT_EQ(get(recent.number).status, "resolved");
  EXPECT_EQ(get(open.number).status, "new");
  EXPECT_EQ(get(request.number).status, "fulfilled");
  clock_.advance(3 * kDay);
  EXPECT_EQ(must(tickets_->auto_close(sys())), 2);
  EXPECT_EQ(get(recent.number).status, "closed");
  EXPECT_EQ(get(request.number).status, "closed");
  EXPECT_EQ(get(open.number).status, "new") << "only resolved tickets are closed";
  std::vector<TimelineEntry> tl = must(tickets_->timeline(requester(req1_), old.number));
  EXPECT_EQ(tl.back().action, "ticket.transition");
  EXPECT_FALSE(tl.back().actor_id) << "the system closed it";
}

// ---------------------------------------------------------------------------------------------
// 7. First-contact resolution and surveys

TEST_P(TicketFeatureTest, FirstContactResolutionMeansTheDeskResolvedWithoutReassignment) {
  Ticket t = report(req1_, "忘记密码");
  EXPECT_EQ(t.assignee_team_id, desk_);
  EXPECT_FALSE(t.first_contact_resolution);
  EXPECT_EQ(resolve(desk1_, t.number).first_contact_resolution, std::optional<bool>(true));

  Ticket moved = report(req1_, "服务器宕机");
  TicketPatch p;
  p.version = moved.version;
  p.assignee_team_id = std::optional<std::int64_t>(infra_);
  moved = must(tickets_->update(as(desk1_), agent(desk1_), moved.number, p));
  EXPECT_EQ(moved.reassignment_count, 1);
  EXPECT_EQ(resolve(infra1_, moved.number).first_contact_resolution, std::optional<bool>(false));

  // Back at the desk after a detour: still not first contact.
  Ticket back = report(req1_, "软件报错");
  p.version = back.version;
  back = must(tickets_->update(as(desk1_), agent(desk1_), back.number, p));
  p.version = back.version;
  p.assignee_team_id = std::optional<std::int64_t>(desk_);
  back = must(tickets_->update(as(desk1_), agent(desk1_), back.number, p));
  EXPECT_EQ(resolve(desk1_, back.number).first_contact_resolution, std::optional<bool>(false));

  // Resolved by another team from the start: not the desk.
  NewTicket n = incident("机房空调");
  n.assignee_team_id = infra_;
  Ticket infra = log(desk1_, n);
  EXPECT_EQ(resolve(infra1_, infra.number).first_contact_resolution, std::optional<bool>(false));
}

TEST_P(TicketFeatureTest, TheRequesterAnswersTheSurveyOnceAfterResolution) {
  Ticket t = report(req1_, "投影仪没有信号");
  EXPECT_TRUE(failed_with(tickets_->answer_survey(as(req1_), requester(req1_), t.number, 5, ""),
                          ErrorCode::kConflict));
  EXPECT_TRUE(outbox("ticket.survey").empty());
  resolve(desk1_, t.number);
  EXPECT_EQ(outbox("ticket.survey", t.number), std::vector<std::string>{recipient(req1_)})
      << "the survey request is queued at resolution";
  EXPECT_TRUE(failed_with(tickets_->answer_survey(as(desk1_), agent(desk1_), t.number, 5, ""),
                          ErrorCode::kForbidden));
  settings([](SettingsPatch& p) { p.requesters_see_organisation = true; });
  EXPECT_TRUE(failed_with(tickets_->answer_survey(as(req2_), requester(req2_), t.number, 5, ""),
                          ErrorCode::kForbidden));
  EXPECT_TRUE(failed_with(tickets_->answer_survey(as(req3_), requester(req3_), t.number, 5, ""),
                          ErrorCode::kNotFound));
  EXPECT_TRUE(failed_with(tickets_->answer_survey(as(req1_), requester(req1_), t.number, 6, ""),
                          ErrorCode::kInvalidArgument, "rating"));
  Survey s = must(tickets_->answer_survey(as(req1_), requester(req1_), t.number, 4, "很快，谢谢"));
  EXPECT_EQ(s.rating, 4);
  EXPECT_TRUE(failed_with(tickets_->answer_survey(as(req1_), requester(req1_), t.number, 1, ""),
                          ErrorCode::kConflict));
  TicketDetail d = must(tickets_->get(requester(req1_), t.number));
  ASSERT_TRUE(d.survey);
  EXPECT_EQ(d.survey->rating, 4);
  EXPECT_EQ(d.survey->comment, "很快，谢谢");
  store::Page<SurveyRow> rows = must(tickets_->surveys(agent(desk1_), {}));
  ASSERT_EQ(rows.items.size(), 1u);
  EXPECT_EQ(rows.items[0].number, t.number);
  EXPECT_TRUE(failed_with(tickets_->surveys(requester(req1_), {}), ErrorCode::kForbidden));
  TransitionRequest reopen = to("reopened");
  reopen.reopen_reason = "又坏了";
  must(move(req1_, t.number, reopen, false));
  resolve(desk1_, t.number);
  EXPECT_EQ(outbox("ticket.survey", t.number).size(), 1u) << "answered: not asked again";

  // Closed tickets may be rated too.
  Ticket c = report(req1_, "网页打不开");
  resolve(desk1_, c.number);
  must(move(req1_, c.number, to("closed"), false));
  EXPECT_TRUE(tickets_->answer_survey(as(req1_), requester(req1_), c.number, 5, "").ok());
}

// ---------------------------------------------------------------------------------------------
// 5. Comments, worklogs, links, timeline

TEST_P(TicketFeatureTest, InternalCommentsAndWorkAreHiddenFromTheRequester) {
  Ticket t = report(req1_, "邮箱满了");
  EXPECT_TRUE(
      failed_with(tickets_->add_comment(as(req1_), requester(req1_), t.number, "内部?", false),
                  ErrorCode::kForbidden));
  must(tickets_->add_comment(as(desk1_), agent(desk1_), t.number, "已为您扩容", true));
  must(tickets_->add_comment(as(desk1_), agent(desk1_), t.number, "配额策略需要审批", false));
  must(tickets_->add_comment(as(req1_), requester(req1_), t.number, "谢谢", true));
  must(tickets_->add_worklog(as(desk1_), agent(desk1_), t.number, 15, "扩容", std::nullopt));

  std::vector<Comment> mine = must(tickets_->comments(requester(req1_), t.number));
  ASSERT_EQ(mine.size(), 2u);
  for (const Comment& c : mine) EXPECT_TRUE(c.is_public) << c.body;
  EXPECT_EQ(must(tickets_->comments(agent(desk2_), t.number)).size(), 3u);

  auto requester_tl = must(tickets_->timeline(requester(req1_), t.number));
  auto agent_tl = must(tickets_->timeline(agent(desk2_), t.number));
  auto count = [](const std::vector<TimelineEntry>& tl, const std::string& action) {
    return std::count_if(tl.begin(), tl.end(),
                         [&](const TimelineEntry& e) { return e.action == action; });
  };
  EXPECT_EQ(count(requester_tl, "ticket.comment"), 2);
  EXPECT_EQ(count(requester_tl, "ticket.worklog"), 0);
  EXPECT_EQ(count(agent_tl, "ticket.comment"), 3);
  EXPECT_EQ(count(agent_tl, "ticket.worklog"), 1);
  for (const TimelineEntry& e : requester_tl)
    EXPECT_EQ(e.detail_json.find("配额策略"), std::string::npos) << e.detail_json;
  // The internal note is not searchable by anyone (the index holds public comments only).
  EXPECT_TRUE(searched(agent(desk1_), "配额策略").empty());
  EXPECT_EQ(searched(requester(req1_), "扩容"), std::vector<std::string>{t.number});
  // A colleague (organisation visibility) sees but cannot comment.
  settings([](SettingsPatch& p) { p.requesters_see_organisation = true; });
  EXPECT_TRUE(
      failed_with(tickets_->add_comment(as(req2_), requester(req2_), t.number, "我也是", true),
                  ErrorCode::kForbidden));
}

TEST_P(TicketFeatureTest, WorklogsTotalPerTicketAndPerPerson) {
  Ticket t = report(req1_, "服务器迁移");
  must(tickets_->add_worklog(as(desk1_), agent(desk1_), t.number, 30, "排查", std::nullopt));
  must(tickets_->add_worklog(as(desk2_), agent(desk2_), t.number, 20, "", std::nullopt));
  must(tickets_->add_worklog(as(desk1_), agent(desk1_), t.number, 15, "验证",
                             clock_.now_ms() - 3'600'000));
  EXPECT_TRUE(
      failed_with(tickets_->add_worklog(as(desk1_), agent(desk1_), t.number, 0, "", std::nullopt),
                  ErrorCode::kInvalidArgument, "minutes"));
  EXPECT_TRUE(
      failed_with(tickets_->add_worklog(as(req1_), requester(req1_), t.number, 5, "", std::nullopt),
                  ErrorCode::kForbidden));
  WorklogSummary s = must(tickets_->worklogs(agent(infra1_), t.number));
  EXPECT_EQ(s.items.size(), 3u);
  EXPECT_EQ(s.total_minutes, 65);
  std::vector<std::pair<std::int64_t, std::int64_t>> expected = {{desk1_, 45}, {desk2_, 20}};
  std::sort(expected.begin(), expected.end());
  EXPECT_EQ(s.by_person, expected);
  EXPECT_EQ(s.items[0].minutes, 15) << "ordered by when the work was done";
  EXPECT_TRUE(failed_with(tickets_->worklogs(requester(req1_), t.number), ErrorCode::kForbidden));
}

TEST_P(TicketFeatureTest, LinksReadFromBothSidesWithOneParentAndNoCycles) {
  Ticket a = report(req1_, "A 网络中断");
  Ticket b = report(req1_, "B 三楼断网");
  Ticket c = report(req1_, "C 四楼断网");
  Ticket d = report(req2_, "D 断网");
  Ticket e = report(req2_, "E 其他");
  auto link = [&](const Ticket& from, const std::string& type, const Ticket& other) {
    return tickets_->add_link(as(desk1_), agent(desk1_), from.number, type, other.number);
  };
  auto types = [&](const Ticket& t) {
    std::vector<std::string> out;
    for (const Link& l : must(tickets_->links(agent(desk1_), t.number)))
      out.push_back(l.type + " " + l.number);
    return out;
  };
  must(link(a, "parent_of", b));
  must(link(c, "child_of", b));
  EXPECT_EQ(types(a), std::vector<std::string>{"parent_of " + b.number});
  EXPECT_EQ(types(b), (std::vector<std::string>{"child_of " + a.number, "parent_of " + c.number}));
  EXPECT_EQ(types(c), std::vector<std::string>{"child_of " + b.number});
  EXPECT_TRUE(failed_with(link(b, "child_of", e), ErrorCode::kConflict, "to")) << "one parent";
  EXPECT_TRUE(failed_with(link(e, "parent_of", b), ErrorCode::kConflict, "to")) << "one parent";
  EXPECT_TRUE(failed_with(link(a, "child_of", c), ErrorCode::kConflict, "to")) << "a cycle";
  EXPECT_TRUE(failed_with(link(c, "parent_of", a), ErrorCode::kConflict, "to")) << "a cycle";
  EXPECT_TRUE(failed_with(link(a, "parent_of", b), ErrorCode::kConflict, "to")) << "again";
  EXPECT_TRUE(failed_with(link(b, "child_of", a), ErrorCode::kConflict, "to")) << "again";

  must(link(d, "duplicate_of", a));
  EXPECT_EQ(types(d), std::vector<std::string>{"duplicate_of " + a.number});
  EXPECT_TRUE(has(types(a), "duplicated_by " + d.number));
  EXPECT_TRUE(failed_with(link(d, "duplicate_of", e), ErrorCode::kConflict, "to"));

  must(link(a, "related_to", e));
  EXPECT_TRUE(failed_with(link(e, "related_to", a), ErrorCode::kConflict, "to"));
  EXPECT_TRUE(failed_with(link(a, "related_to", e), ErrorCode::kConflict, "to"));
  EXPECT_TRUE(has(types(e), "related_to " + a.number));
  Link caused = must(link(e, "caused_by", c));
  EXPECT_TRUE(has(types(c), "causes " + e.number));

  EXPECT_TRUE(failed_with(link(a, "related_to", a), ErrorCode::kInvalidArgument, "to"));
  EXPECT_TRUE(failed_with(link(a, "blocks", e), ErrorCode::kInvalidArgument, "type"));
  EXPECT_TRUE(failed_with(
      tickets_->add_link(as(desk1_), agent(desk1_), a.number, "related_to", "INC-999999"),
      ErrorCode::kInvalidArgument, "to"));
  EXPECT_TRUE(
      failed_with(tickets_->add_link(as(req1_), requester(req1_), a.number, "related_to", c.number),
                  ErrorCode::kForbidden));
  must(tickets_->remove_link(as(desk1_), agent(desk1_), c.number, caused.id));
  EXPECT_FALSE(has(types(c), "causes " + e.number));
  // Both tickets' timelines record the link.
  auto tl = must(tickets_->timeline(agent(desk1_), b.number));
  EXPECT_EQ(std::count_if(tl.begin(), tl.end(),
                          [](const TimelineEntry& x) { return x.action == "ticket.link"; }),
            2);
}

TEST_P(TicketFeatureTest, TheTimelineShowsEveryEventInOrderWithBeforeAndAfter) {
  Ticket t = report(req1_, "OA 打不开");
  clock_.advance(minutes(1));
  TransitionRequest take = to("in_progress");
  must(move(desk1_, t.number, take));
  clock_.advance(minutes(1));
  must(tickets_->add_comment(as(desk1_), agent(desk1_), t.number, "正在处理", true));
  clock_.advance(minutes(1));
  TicketPatch p;
  p.version = get(t.number).version;
  p.title = "OA 系统打不开";
  p.assignee_id = std::optional<std::int64_t>(desk1_);
  must(tickets_->update(as(desk1_), agent(desk1_), t.number, p));
  clock_.advance(minutes(1));
  resolve(desk1_, t.number);

  std::vector<TimelineEntry> tl = must(tickets_->timeline(agent(desk2_), t.number));
  std::vector<std::string> actions;
  for (const TimelineEntry& e : tl) actions.push_back(e.action);
  EXPECT_EQ(actions,
            (std::vector<std::string>{"ticket.create", "ticket.transition", "ticket.comment",
                                      "ticket.update", "ticket.transition"}));
  for (size_t i = 1; i < tl.size(); ++i) {
    EXPECT_LT(tl[i - 1].id, tl[i].id);
    EXPECT_LE(tl[i - 1].at, tl[i].at);
  }
  EXPECT_EQ(tl[0].at, kTestStart);
  EXPECT_EQ(tl[0].actor_id, req1_);
  EXPECT_EQ(tl[0].actor_name, "wangxiaoming");
  auto change = [](const TimelineEntry& e, const std::string& field) -> const FieldChange* {
    for (const FieldChange& c : e.changes)
      if (c.field == field) return &c;
    return nullptr;
  };
  ASSERT_TRUE(change(tl[0], "status"));
  EXPECT_EQ(change(tl[0], "status")->after_json, "\"new\"");
  ASSERT_TRUE(change(tl[1], "status"));
  EXPECT_EQ(change(tl[1], "status")->before_json, "\"new\"");
  EXPECT_EQ(change(tl[1], "status")->after_json, "\"in_progress\"");
  EXPECT_EQ(tl[1].actor_id, desk1_);
  EXPECT_NE(tl[2].detail_json.find("正在处理"), std::string::npos);
  ASSERT_TRUE(change(tl[3], "title"));
  EXPECT_EQ(change(tl[3], "title")->before_json, "\"OA 打不开\"");
  EXPECT_EQ(change(tl[3], "title")->after_json, "\"OA 系统打不开\"");
  ASSERT_TRUE(change(tl[3], "assignee_id"));
  EXPECT_EQ(change(tl[3], "assignee_id")->before_json, "null");
  EXPECT_EQ(change(tl[3], "assignee_id")->after_json, std::to_string(desk1_));
  EXPECT_FALSE(change(tl[3], "status")) << "unchanged fields are not listed";
  ASSERT_TRUE(change(tl[4], "resolution_code"));
  EXPECT_EQ(change(tl[4], "resolution_code")->after_json, "\"fixed\"");
}

// ---------------------------------------------------------------------------------------------
// 4. Escalation

TEST_P(TicketFeatureTest, FunctionalEscalationHandsTheTicketToAnotherTeam) {
  Ticket t = report(req1_, "存储阵列告警");
  must(move(desk1_, t.number, to("in_progress")));
  EscalationRequest e;
  e.type = "functional";
  e.note = "需要存储工程师";
  EXPECT_TRUE(failed_with(tickets_->escalate(as(desk1_), agent(desk1_), t.number, e),
                          ErrorCode::kInvalidArgument, "team_id"));
  e.team_id = infra_;
  e.assignee_id = infra2_;
  EXPECT_TRUE(failed_with(tickets_->escalate(as(req1_), requester(req1_), t.number, e),
                          ErrorCode::kForbidden));
  Ticket after = must(tickets_->escalate(as(desk1_), agent(desk1_), t.number, e));
  EXPECT_EQ(after.assignee_team_id, infra_);
  EXPECT_EQ(after.assignee_id, infra2_);
  EXPECT_EQ(after.reassignment_count, 1);
  EXPECT_EQ(after.status, "assigned");
  EXPECT_EQ(after.escalation_level, 0);
  auto tl = must(tickets_->timeline(agent(desk1_), t.number));
  EXPECT_EQ(tl.back().action, "ticket.escalate");
  EXPECT_NE(tl.back().detail_json.find("需要存储工程师"), std::string::npos);
  EXPECT_EQ(outbox("ticket.escalated", t.number), std::vector<std::string>{recipient(infra2_)});
  EXPECT_TRUE(failed_with(tickets_->escalate(as(desk1_), agent(desk1_), t.number, e),
                          ErrorCode::kInvalidArgument, "team_id"))
      << "already there";
  EXPECT_FALSE(must(tickets_->timeline(requester(req1_), t.number)).back().action ==
               "ticket.escalate")
      << "requesters do not see escalations";
}

TEST_P(TicketFeatureTest, HierarchicalEscalationNotifiesTheLeadAndOperationsManagement) {
  Ticket t = report(req1_, "财务系统反复宕机");
  EscalationRequest e;
  e.type = "hierarchical";
  e.note = "两小时未恢复";
  Ticket after = must(tickets_->escalate(as(desk1_), agent(desk1_), t.number, e));
  EXPECT_EQ(after.escalation_level, 1);
  EXPECT_EQ(after.assignee_team_id, desk_);
  EXPECT_EQ(after.reassignment_count, 0);
  std::vector<std::string> expected = {recipient(desk_lead_), recipient(ops_lead_),
                                       recipient(ops1_)};
  std::sort(expected.begin(), expected.end());
  EXPECT_EQ(outbox("ticket.escalated", t.number), expected);
  for (const store::Row& r : query("SELECT payload FROM outbox WHERE topic = 'ticket.escalated'"))
    EXPECT_NE(r.str(0).find("两小时未恢复"), std::string::npos) << r.str(0);
  auto tl = must(tickets_->timeline(agent(desk1_), t.number));
  EXPECT_EQ(tl.back().action, "ticket.escalate");
  EXPECT_NE(tl.back().detail_json.find("hierarchical"), std::string::npos);
  EXPECT_EQ(must(tickets_->escalate(as(desk1_), agent(desk1_), t.number, e)).escalation_level, 2);
  resolve(desk1_, t.number);
  EXPECT_TRUE(failed_with(tickets_->escalate(as(desk1_), agent(desk1_), t.number, e),
                          ErrorCode::kConflict));
}

// ---------------------------------------------------------------------------------------------
// 8. Visibility

TEST_P(TicketFeatureTest, RequestersSeeOnlyTheirOwnTickets) {
  Ticket mine = report(req1_, "我的电脑蓝屏", "网络也断了");
  Ticket colleague = report(req2_, "同事的电脑蓝屏", "网络也断了");
  Ticket other = report(req3_, "人事部电脑蓝屏", "网络也断了");
  EXPECT_EQ(listed(requester(req1_)), std::vector<std::string>{mine.number});
  EXPECT_EQ(searched(requester(req1_), "蓝屏"), std::vector<std::string>{mine.number});
  TicketQuery q;
  q.q = "网络";
  EXPECT_EQ(listed(requester(req1_), q), std::vector<std::string>{mine.number});
  EXPECT_TRUE(must(tickets_->get(requester(req1_), mine.number)).ticket.id == mine.id);
  EXPECT_TRUE(failed_with(tickets_->get(requester(req1_), colleague.number), ErrorCode::kNotFound));
  EXPECT_TRUE(failed_with(tickets_->get(requester(req1_), other.number), ErrorCode::kNotFound));
  EXPECT_TRUE(
      failed_with(tickets_->comments(requester(req1_), other.number), ErrorCode::kNotFound));
  EXPECT_TRUE(
      failed_with(tickets_->timeline(requester(req1_), other.number), ErrorCode::kNotFound));
  EXPECT_TRUE(
      failed_with(tickets_->add_comment(as(req1_), requester(req1_), other.number, "hi", true),
                  ErrorCode::kNotFound));
  // Not even a filter on the other requester reveals anything.
  TicketQuery theirs;
  theirs.requester_id = req3_;
  EXPECT_TRUE(listed(requester(req1_), theirs).empty());
  // Staff see all three.
  EXPECT_EQ(listed(agent(infra1_)).size(), 3u);

  // With organisation visibility: colleagues in the same organisation, nobody else.
  settings([](SettingsPatch& p) { p.requesters_see_organisation = true; });
  std::vector<std::string> seen = listed(requester(req1_));
  std::sort(seen.begin(), seen.end());
  std::vector<std::string> expected = {mine.number, colleague.number};
  std::sort(expected.begin(), expected.end());
  EXPECT_EQ(seen, expected);
  EXPECT_TRUE(tickets_->get(requester(req1_), colleague.number).ok());
  EXPECT_TRUE(failed_with(tickets_->get(requester(req1_), other.number), ErrorCode::kNotFound));
  std::vector<std::string> found = searched(requester(req1_), "蓝屏");
  std::sort(found.begin(), found.end());
  EXPECT_EQ(found, expected);
  // Never a colleague's security ticket.
  NewTicket sec = incident("电脑中了勒索病毒");
  sec.category_id = malware_;
  Ticket secret = report(req2_, sec);
  EXPECT_TRUE(secret.restricted);
  EXPECT_TRUE(failed_with(tickets_->get(requester(req1_), secret.number), ErrorCode::kNotFound));
  EXPECT_FALSE(has(listed(requester(req1_)), secret.number));
  EXPECT_TRUE(searched(requester(req1_), "勒索病毒").empty());
  EXPECT_TRUE(tickets_->get(requester(req2_), secret.number).ok()) << "its requester sees it";
  // A requester without an organisation sees only their own.
  std::int64_t loner = user("loner", {"requester"});
  Ticket own = report(loner, "无组织");
  EXPECT_EQ(listed(requester(loner)), std::vector<std::string>{own.number});
}

TEST_P(TicketFeatureTest, SecurityTicketsAreForSecurityOperationsAdminsAndTheirRequester) {
  NewTicket n = incident("发现可疑登录 10.10.0.1");
  n.category_id = malware_;
  Ticket sec = report(req1_, n);
  EXPECT_TRUE(sec.restricted);
  EXPECT_EQ(sec.assignee_team_id, secops_)
      << "no rule matched: a security ticket goes to the security team, not the service desk";
  Ticket plain = report(req1_, "可疑邮件", "10.10.0.1 发来的邮件");

  for (std::int64_t who : {sec1_, admin_}) {
    Viewer v = who == admin_ ? admin(who) : agent(who);
    EXPECT_TRUE(tickets_->get(v, sec.number).ok()) << who;
    EXPECT_TRUE(has(listed(v), sec.number)) << who;
    EXPECT_TRUE(has(searched(v, "10.10.0.1"), sec.number)) << who;
  }
  EXPECT_TRUE(tickets_->get(requester(req1_), sec.number).ok());
  EXPECT_TRUE(has(listed(requester(req1_)), sec.number));
  for (std::int64_t who : {desk1_, infra1_, ops_lead_}) {
    EXPECT_TRUE(failed_with(tickets_->get(agent(who), sec.number), ErrorCode::kNotFound)) << who;
    EXPECT_FALSE(has(listed(agent(who)), sec.number)) << who;
    EXPECT_EQ(searched(agent(who), "10.10.0.1"), std::vector<std::string>{plain.number}) << who;
    TicketQuery q;
    q.q = "可疑登录";
    EXPECT_TRUE(listed(agent(who), q).empty()) << who;
    EXPECT_TRUE(failed_with(tickets_->timeline(agent(who), sec.number), ErrorCode::kNotFound));
    TransitionRequest r = to("in_progress");
    EXPECT_TRUE(failed_with(move(who, sec.number, r), ErrorCode::kNotFound));
  }
  // An approver or auditor (staff, not Security Operations) neither.
  EXPECT_TRUE(failed_with(tickets_->get(Viewer{ops1_, true, false, false}, sec.number),
                          ErrorCode::kNotFound));
  // An agent who logged a security ticket for someone else does not keep seeing it.
  NewTicket phoned = n;
  phoned.requester_id = req2_;
  phoned.channel = "phone";
  Ticket logged = log(desk2_, phoned);
  EXPECT_TRUE(logged.restricted);
  EXPECT_TRUE(failed_with(tickets_->get(agent(desk2_), logged.number), ErrorCode::kNotFound));
  EXPECT_FALSE(has(listed(agent(desk2_)), logged.number));
  // Moving a ticket into a security category hides it; out of it shows it again.
  TicketPatch p;
  p.version = plain.version;
  p.category_id = std::optional<std::int64_t>(security_);
  Ticket moved = must(tickets_->update(as(sec1_), agent(sec1_), plain.number, p));
  EXPECT_TRUE(moved.restricted);
  EXPECT_TRUE(failed_with(tickets_->get(agent(desk1_), plain.number), ErrorCode::kNotFound));
  p.version = moved.version;
  p.category_id = std::optional<std::int64_t>(network_);
  EXPECT_FALSE(must(tickets_->update(as(sec1_), agent(sec1_), plain.number, p)).restricted);
  EXPECT_TRUE(tickets_->get(agent(desk1_), plain.number).ok());
  // A member who leaves Security Operations loses access.
  identity::Team team = must(teams_->get(secops_));
  identity::TeamPatch tp;
  tp.version = team.version;
  tp.member_ids = std::vector<std::int64_t>{};
  must(teams_->update(sys(), secops_, tp));
  EXPECT_TRUE(failed_with(tickets_->get(agent(sec1_), sec.number), ErrorCode::kNotFound));
}

TEST_P(TicketFeatureTest, ChangingACategorysSecurityFlagChangesItsTicketsVisibility) {
  NewTicket n = incident("打印机被植入木马");
  n.category_id = printer_;
  Ticket child = report(req1_, n);
  n.category_id = hardware_;
  Ticket parent = report(req1_, n);
  n.category_id = vpn_;
  Ticket unrelated = report(req1_, n);
  EXPECT_TRUE(tickets_->get(agent(desk1_), child.number).ok());

  Category hw;
  for (const Category& c : must(categories_->list()))
    if (c.id == hardware_) hw = c;
  CategoryPatch p;
  p.version = hw.version;
  p.security = true;
  hw = must(categories_->update(sys(), hardware_, p));
  for (const Ticket& t : {child, parent}) {
    EXPECT_TRUE(get(t.number).restricted) << t.number;
    EXPECT_TRUE(failed_with(tickets_->get(agent(desk1_), t.number), ErrorCode::kNotFound));
    EXPECT_TRUE(tickets_->get(agent(sec1_), t.number).ok());
  }
  EXPECT_FALSE(get(unrelated.number).restricted);
  EXPECT_EQ(listed(agent(desk1_)), std::vector<std::string>{unrelated.number});
  EXPECT_EQ(searched(agent(desk1_), "木马"), std::vector<std::string>{unrelated.number});

  p.version = hw.version;
  p.security = false;
  must(categories_->update(sys(), hardware_, p));
  EXPECT_FALSE(get(parent.number).restricted);
  EXPECT_TRUE(tickets_->get(agent(desk1_), parent.number).ok());
}

// ---------------------------------------------------------------------------------------------
// 1. Bulk update, list filters and paging

TEST_P(TicketFeatureTest, BulkUpdateReportsEachTicketAndKeepsTheOthersOnFailure) {
  Ticket a = report(req1_, "批量一");
  Ticket b = report(req1_, "批量二");
  Ticket closed = report(req1_, "已取消");
  TransitionRequest cancel = to("cancelled");
  cancel.cancel_reason = "重复";
  must(move(desk1_, closed.number, cancel));
  NewTicket sec = incident("安全");
  sec.category_id = malware_;
  Ticket hidden = report(req1_, sec);

  BulkChange change;
  change.assignee_team_id = std::optional<std::int64_t>(infra_);
  change.assignee_id = std::optional<std::int64_t>(infra2_);
  change.transition = to("in_progress");
  std::vector<BulkResult> results = must(tickets_->bulk(
      as(desk1_), agent(desk1_),
      {a.number, "inc-" + b.number.substr(4), "INC-999999", closed.number, hidden.number}, change));
  ASSERT_EQ(results.size(), 5u);
  ASSERT_TRUE(results[0].ticket) << testing::describe_error(*results[0].error);
  EXPECT_EQ(results[0].ticket->status, "in_progress");
  EXPECT_EQ(results[0].ticket->assignee_id, infra2_);
  ASSERT_TRUE(results[1].ticket) << testing::describe_error(*results[1].error);
  EXPECT_EQ(results[1].number, b.number) << "the normalised number";
  ASSERT_TRUE(results[2].error);
  EXPECT_EQ(results[2].error->code, ErrorCode::kNotFound);
  ASSERT_TRUE(results[3].error);
  EXPECT_EQ(results[3].error->code, ErrorCode::kConflict);
  ASSERT_TRUE(results[4].error);
  EXPECT_EQ(results[4].error->code, ErrorCode::kNotFound) << "invisible to this agent";
  EXPECT_EQ(get(a.number).status, "in_progress");
  EXPECT_EQ(get(b.number).assignee_team_id, infra_);
  Ticket c = get(closed.number);
  EXPECT_EQ(c.status, "cancelled");
  EXPECT_EQ(c.assignee_team_id, desk_) << "the failed ticket is unchanged";
  EXPECT_EQ(get(hidden.number).assignee_team_id, secops_);

  // A status change that needs fields, and a priority override that needs a reason.
  BulkChange resolve;
  resolve.transition = to("resolved");
  resolve.transition->resolution_code = "fixed";
  auto r2 = must(tickets_->bulk(as(desk1_), agent(desk1_), {a.number, b.number}, resolve));
  for (const BulkResult& r : r2) {
    ASSERT_TRUE(r.error);
    EXPECT_EQ(r.error->field, "resolution_notes");
  }
  BulkChange prio;
  prio.priority = "P1";
  auto r3 = must(tickets_->bulk(as(desk1_), agent(desk1_), {a.number}, prio));
  ASSERT_TRUE(r3[0].error);
  EXPECT_EQ(r3[0].error->field, "priority_reason");
  prio.priority_reason = "批量升级";
  r3 = must(tickets_->bulk(as(desk1_), agent(desk1_), {a.number, b.number}, prio));
  EXPECT_TRUE(r3[0].ticket && r3[1].ticket);
  EXPECT_EQ(get(b.number).priority, "P1");
  EXPECT_TRUE(failed_with(tickets_->bulk(as(req1_), requester(req1_), {a.number}, prio),
                          ErrorCode::kForbidden));
  EXPECT_TRUE(failed_with(tickets_->bulk(as(desk1_), agent(desk1_), {a.number}, BulkChange{}),
                          ErrorCode::kInvalidArgument));
}

TEST_P(TicketFeatureTest, ListFiltersSortsAndPages) {
  NewTicket n = incident("VPN 很慢");
  n.category_id = vpn_;
  Ticket vpn = report(req1_, n);  // 1: desk, unassigned
  clock_.advance(hours(1));
  n = incident("网络中断");
  n.category_id = network_;
  n.impact = 1;
  n.urgency = 1;
  Ticket net = report(req2_, n);  // 2: P1
  clock_.advance(hours(1));
  n = incident("打印机卡纸");
  n.category_id = printer_;
  n.assignee_team_id = infra_;
  n.assignee_id = infra1_;
  n.requester_id = req1_;
  Ticket printer = log(desk1_, n);  // 3: infra1
  clock_.advance(hours(1));
  settings([](SettingsPatch& p) { p.service_desk_team_id = std::optional<std::int64_t>(); });
  n = incident("申请显示器");
  n.kind = "request";
  n.assignee_team_id.reset();
  n.assignee_id.reset();
  n.category_id.reset();
  n.requester_id.reset();
  Ticket request = report(req3_, n);  // 4: request, no team
  settings([&](SettingsPatch& p) { p.service_desk_team_id = std::optional<std::int64_t>(desk_); });
  clock_.advance(hours(1));
  Ticket done = report(req3_, "已解决的问题");  // 5
  TicketPatch mine;
  mine.version = done.version;
  mine.assignee_id = std::optional<std::int64_t>(desk1_);
  must(tickets_->update(as(desk1_), agent(desk1_), done.number, mine));
  resolve(desk1_, done.number);

  Viewer v = agent(desk1_);
  auto q = [] { return TicketQuery{}; };
  auto sorted = [](std::vector<std::string> s) {
    std::sort(s.begin(), s.end());
    return s;
  };
  TicketQuery f = q();
  f.statuses = {"resolved"};
  EXPECT_EQ(listed(v, f), std::vector<std::string>{done.number});
  f = q();
  f.open = true;
  EXPECT_EQ(listed(v, f).size(), 4u);
  f = q();
  f.team_id = infra_;
  EXPECT_EQ(listed(v, f), std::vector<std::string>{printer.number});
  f = q();
  f.team_none = true;
  EXPECT_EQ(listed(v, f), std::vector<std::string>{request.number});
  f = q();
  f.assignee_none = true;
  EXPECT_EQ(sorted(listed(v, f)), sorted({vpn.number, net.number, request.number}));
  f = q();
  f.assignee_id = desk1_;
  EXPECT_EQ(listed(v, f), std::vector<std::string>{done.number});
  f = q();
  f.category_id = network_;
  EXPECT_EQ(sorted(listed(v, f)), sorted({vpn.number, net.number})) << "children included";
  f.category_id = vpn_;
  EXPECT_EQ(listed(v, f), std::vector<std::string>{vpn.number});
  f = q();
  f.kinds = {"request"};
  EXPECT_EQ(listed(v, f), std::vector<std::string>{request.number});
  f = q();
  f.priorities = {"P1"};
  EXPECT_EQ(listed(v, f), std::vector<std::string>{net.number});
  f = q();
  f.requester_id = req1_;
  EXPECT_EQ(sorted(listed(v, f)), sorted({vpn.number, printer.number}));
  f = q();
  f.created_from = kTestStart + 3'600'000;
  f.created_to = kTestStart + 3 * 3'600'000;
  EXPECT_EQ(sorted(listed(v, f)), sorted({net.number, printer.number}));
  f = q();
  f.updated_from = kTestStart + 4 * 3'600'000;
  EXPECT_EQ(listed(v, f), std::vector<std::string>{done.number});
  f = q();
  f.q = "打印机";
  EXPECT_EQ(listed(v, f), std::vector<std::string>{printer.number});
  f.q = "打印机 卡纸";
  EXPECT_EQ(listed(v, f), std::vector<std::string>{printer.number});
  f.q = "打印机 显示器";
  EXPECT_TRUE(listed(v, f).empty()) << "terms are ANDed";
  f.q = "网络";
  f.category_id = network_;
  EXPECT_EQ(listed(v, f), std::vector<std::string>{net.number});
  f = q();
  f.statuses = {"bogus"};
  EXPECT_TRUE(failed_with(tickets_->list(v, f), ErrorCode::kInvalidArgument, "status"));
  f = q();
  f.sort = "title";
  EXPECT_TRUE(failed_with(tickets_->list(v, f), ErrorCode::kInvalidArgument, "sort"));

  // Sorts.
  EXPECT_EQ(listed(v), (std::vector<std::string>{done.number, request.number, printer.number,
                                                 net.number, vpn.number}));
  f = q();
  f.sort = "created_at";
  EXPECT_EQ(listed(v, f), (std::vector<std::string>{vpn.number, net.number, printer.number,
                                                    request.number, done.number}));
  f.sort = "priority";
  std::vector<std::string> by_priority = listed(v, f);
  EXPECT_EQ(by_priority.front(), net.number);
  std::vector<std::string> prios;
  for (const std::string& num : by_priority) prios.push_back(get(num).priority);
  EXPECT_TRUE(std::is_sorted(prios.begin(), prios.end()));

  // Cursor paging walks every ticket once, for each sort, with and without a text query.
  for (const char* sort : {"-id", "id", "created_at", "-updated_at", "priority", "-priority"}) {
    {
      TicketQuery page_q;
      page_q.sort = sort;
      page_q.limit = 2;
      std::vector<std::string> all;
      for (int i = 0; i < 10; ++i) {
        store::Page<Ticket> page = must(tickets_->list(v, page_q));
        EXPECT_LE(page.items.size(), 2u);
        for (const Ticket& t : page.items) all.push_back(t.number);
        if (!page.next_cursor) break;
        page_q.cursor = *page.next_cursor;
      }
      EXPECT_EQ(all.size(), 5u) << sort;
      EXPECT_EQ(std::set<std::string>(all.begin(), all.end()).size(), 5u) << sort;
      page_q = TicketQuery{};
      page_q.sort = sort;
      page_q.limit = 500;
      EXPECT_EQ(all, listed(v, page_q)) << sort;
    }
  }
  // Paging through a text search.
  for (int i = 0; i < 5; ++i) report(req1_, "磁盘空间不足 " + std::to_string(i));
  TicketQuery text;
  text.q = "磁盘";
  text.limit = 2;
  std::vector<std::string> all;
  for (int i = 0; i < 10; ++i) {
    store::Page<Ticket> page = must(tickets_->list(v, text));
    for (const Ticket& t : page.items) all.push_back(t.number);
    if (!page.next_cursor) break;
    text.cursor = *page.next_cursor;
  }
  EXPECT_EQ(all.size(), 5u);
  EXPECT_TRUE(std::is_sorted(all.rbegin(), all.rend())) << "newest first";
  text.cursor = "garbage";
  EXPECT_TRUE(failed_with(tickets_->list(v, text), ErrorCode::kInvalidArgument, "cursor"));
}

// ---------------------------------------------------------------------------------------------
// 6. Search

TEST_P(TicketFeatureTest, SearchFindsTwoCharacterChineseWordsAndCodesAmongNoise) {
  // Noise: the characters of the words, but never the words themselves.
  const std::vector<std::string> noise = {
      "网站打不开",     "联网失败",      "络绎不绝的报修",
      "磁带机故障",     "硬盘灯不亮",    "网 络 分开",
      "盘点资产",       "打印机卡纸",    "服务器 10.10.0.12 告警",
      "ORA-00601 错误", "10.10.1.1 不通"};
  for (int round = 0; round < 3; ++round)
    for (const std::string& t : noise) report(req2_, t, "无关描述 " + std::to_string(round));
  Ticket net = report(req1_, "财务部网络很慢", "从早上开始");
  Ticket disk = report(req1_, "报表服务器告警", "D 盘的磁盘空间不足");
  Ticket ora = report(req1_, "ERP 数据库报错", "日志里有 ORA-00600 [kcbgtcr]");
  Ticket ip = report(req1_, "服务器 ping 不通", "地址 10.10.0.1 无响应");
  Ticket slow = report(req1_, "ERP 登录慢");

  Viewer v = agent(desk1_);
  EXPECT_EQ(searched(v, "网络"), std::vector<std::string>{net.number});
  EXPECT_EQ(searched(v, "磁盘"), std::vector<std::string>{disk.number});
  EXPECT_EQ(searched(v, "ORA-00600"), std::vector<std::string>{ora.number});
  EXPECT_EQ(searched(v, "ora-00600"), std::vector<std::string>{ora.number});
  EXPECT_EQ(searched(v, "10.10.0.1"), std::vector<std::string>{ip.number});
  std::vector<std::string> slow_hits = searched(v, "慢");
  std::sort(slow_hits.begin(), slow_hits.end());
  EXPECT_EQ(slow_hits, (std::vector<std::string>{net.number, slow.number})) << "one character";
  EXPECT_EQ(searched(v, "ERP 登录"), std::vector<std::string>{slow.number});
  EXPECT_EQ(searched(v, ora.number), std::vector<std::string>{ora.number});
  EXPECT_EQ(searched(v, "inc-" + ip.number.substr(4)), std::vector<std::string>{ip.number});
  EXPECT_TRUE(searched(v, "网络 不存在的词").empty());
  EXPECT_TRUE(searched(v, "   ").empty());
  // The list's q uses the same index.
  TicketQuery q;
  q.q = "网络";
  EXPECT_EQ(listed(v, q), std::vector<std::string>{net.number});

  std::vector<SearchResult> hits = must(tickets_->search(v, "磁盘", 10));
  ASSERT_EQ(hits.size(), 1u);
  EXPECT_NE(hits[0].snippet.find("<mark>磁盘</mark>"), std::string::npos) << hits[0].snippet;

  // Public comments are searched too.
  must(
      tickets_->add_comment(as(desk1_), agent(desk1_), slow.number, "交换机端口 Gi0/1 错包", true));
  EXPECT_EQ(searched(v, "交换机"), std::vector<std::string>{slow.number});
}

TEST_P(TicketFeatureTest, SearchRanksATitleMatchAboveADescriptionMatch) {
  Ticket title = report(req1_, "邮件服务器无法连接", "早上九点开始");
  Ticket description = report(req1_, "Outlook 报错", "提示无法连接邮件服务器，请检查设置");
  Ticket neither = report(req1_, "打印机缺纸");
  for (const char* q : {"邮件", "服务器", "无法连接"}) {
    std::vector<SearchResult> hits = must(tickets_->search(agent(desk1_), q, 10));
    ASSERT_EQ(hits.size(), 2u) << q;
    EXPECT_EQ(hits[0].ticket.number, title.number) << q;
    EXPECT_EQ(hits[1].ticket.number, description.number) << q;
    EXPECT_GT(hits[0].score, hits[1].score) << q;
  }
  (void)neither;
}

INSTANTIATE_TEST_SUITE_P(Backends, TicketFeatureTest, testing::kAllBackends,
                         testing::backend_test_name);

}  // namespace
}  // namespace yunwei::tickets
