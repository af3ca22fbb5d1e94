#include "sla/ticket_sla.h"

#include <gtest/gtest.h>

#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include "identity/password.h"
#include "identity/team_service.h"
#include "identity/user_service.h"
#include "sla/calendar_service.h"
#include "sla/policy.h"
#include "support/people.h"
#include "support/test_db.h"
#include "tickets/ticket_service.h"

namespace yunwei::sla {
namespace {

using core::ErrorCode;
using std::chrono::hours;
using std::chrono::minutes;
using testing::failed_with;
using testing::must;

constexpr std::int64_t kMin = 60'000;

core::TimeMs at(const char* rfc3339) {
  core::TimeMs t = 0;
  EXPECT_TRUE(core::parse_iso8601(rfc3339, t)) << rfc3339;
  return t;
}

// Monday 2024-03-04 09:00 in Shanghai (01:00 UTC, 8 h before kTestStart): a working day, the
// office calendar opens then.
constexpr core::TimeMs kMonday9 = testing::kTestStart - 8 * 60 * kMin;

const TicketSlaMetric& metric(const TicketSla& s, const std::string& name) {
  for (const TicketSlaMetric& m : s.metrics) {
    if (m.result.metric == name) return m;
  }
  static TicketSlaMetric none;
  ADD_FAILURE() << "no metric " << name;
  return none;
}

const ThresholdState& threshold(const TicketSlaMetric& m, int percent) {
  for (const ThresholdState& t : m.thresholds) {
    if (t.percent == percent) return t;
  }
  static ThresholdState none;
  ADD_FAILURE() << "no threshold " << percent << " % on " << m.result.metric;
  return none;
}

class TicketSlaTest : public testing::BackendTest {
 protected:
  void SetUp() override {
    BackendTest::SetUp();
    if (IsSkipped() || HasFatalFailure()) return;
    clock_.set(kMonday9);
    ASSERT_EQ(kMonday9, at("2024-03-04T09:00:00+08:00"));
    store::Actor system{std::nullopt, "test"};
    calendars_ = std::make_unique<CalendarService>(db(), clock_);
    must(calendars_->seed_defaults(system));
    policies_ = std::make_unique<PolicyService>(db(), clock_);
    must(policies_->seed_defaults(system));
    sla_ = std::make_unique<SlaService>(db(), clock_, *calendars_, *policies_);
    tickets_ = std::make_unique<tickets::TicketService>(db(), clock_);
    identity::UserService users(db(), clock_, hasher_);
    identity::TeamService teams(db(), clock_);
    auto user = [&](const char* name, std::vector<std::string> roles) {
      return testing::make_user(users, name, std::move(roles));
    };
    requester_ = user("wangxiaoming", {"requester"});
    agent_ = user("zhangwei", {"agent"});
    desk_ = testing::make_team(teams, "Desk", {agent_});
  }

  static store::Actor as(std::int64_t user) { return store::Actor{user, "test"}; }
  static tickets::Viewer agent_view(std::int64_t user) { return {user, true, true, false}; }
  static tickets::Viewer requester_view(std::int64_t user) { return {user, false, false, false}; }

  // A P1 incident (impact 1, urgency 1) of the requester, assigned to the agent's team.
  tickets::Ticket p1() {
    tickets::NewTicket n;
    n.title = "核心交换机宕机";
    n.description = "整栋楼断网";
    n.impact = 1;
    n.urgency = 1;
    n.requester_id = requester_;
    n.assignee_team_id = desk_;
    n.assignee_id = agent_;
    tickets::Ticket t = must(tickets_->create(as(agent_), agent_view(agent_), n));
    EXPECT_EQ(t.priority, "P1");
    EXPECT_EQ(t.status, "assigned");
    return t;
  }

  tickets::Ticket move(const tickets::Ticket& t, const std::string& to,
                       const std::string& pending_reason = "") {
    tickets::TransitionRequest r;
    r.to = to;
    if (!pending_reason.empty()) r.pending_reason = pending_reason;
    if (to == "resolved") {
      r.resolution_code = "fixed";
      r.resolution_notes = "已更换故障板卡";
    }
    tickets::Ticket after = must(tickets_->transition(as(agent_), agent_view(agent_), t.number, r));
    EXPECT_EQ(after.status, to);
    return after;
  }

  TicketSla sla(const tickets::Ticket& t) { return must(sla_->for_ticket(t.id)); }

  std::vector<HistoryPoint> history(const tickets::Ticket& t) {
    return must(store::read_tx<std::vector<HistoryPoint>>(
        db(), [&](store::Tx& tx) { return ticket_history(tx, t.id); }));
  }

  void advance(std::chrono::milliseconds d) { clock_.advance(d); }

  identity::PasswordHasher hasher_{identity::PasswordHasher::Strength::kMinimum};
  std::unique_ptr<CalendarService> calendars_;
  std::unique_ptr<PolicyService> policies_;
  std::unique_ptr<SlaService> sla_;
  std::unique_ptr<tickets::TicketService> tickets_;
  std::int64_t requester_ = 0, agent_ = 0, desk_ = 0;
};

TEST_P(TicketSlaTest, AP1IncidentRunsOnTheAlwaysCalendarFromItsCreation) {
  tickets::Ticket t = p1();
  TicketSla s = sla(t);
  ASSERT_TRUE(s.policy);
  EXPECT_EQ(s.policy->name, "P1 严重 Critical");
  ASSERT_TRUE(s.calendar);
  EXPECT_EQ(s.calendar->name, "24×7");
  ASSERT_EQ(s.metrics.size(), 2u) << "response and resolution; the P1 policy has no OLA";
  const MetricResult& response = metric(s, "response").result;
  EXPECT_EQ(response.target_ms, 15 * kMin);
  EXPECT_EQ(response.state, ClockState::kRunning);
  EXPECT_TRUE(response.running);
  EXPECT_EQ(response.elapsed_ms, 0);
  EXPECT_EQ(response.due, kMonday9 + 15 * kMin);
  const MetricResult& resolution = metric(s, "resolution").result;
  EXPECT_EQ(resolution.target_ms, 240 * kMin);
  EXPECT_EQ(resolution.due, kMonday9 + 240 * kMin);
  EXPECT_EQ(s.compiled->format_local(*resolution.due), "2024-03-04T13:00:00+08:00");
  // P1's thresholds: 50, 75 and 100 %, all ahead.
  const TicketSlaMetric& res = metric(s, "resolution");
  ASSERT_EQ(res.thresholds.size(), 3u);
  EXPECT_EQ(threshold(res, 50).at, kMonday9 + 120 * kMin);
  EXPECT_FALSE(threshold(res, 50).reached);
  EXPECT_EQ(threshold(res, 100).at, kMonday9 + 240 * kMin);
}

TEST_P(TicketSlaTest, FollowsAnIncidentThroughResponsePauseResumeRetargetAndResolution) {
  tickets::Ticket t = p1();

  // +10 min: the agent takes it up. The response is met there and then.
  advance(minutes(10));
  t = move(t, "in_progress");
  TicketSla s = sla(t);
  const MetricResult* response = &metric(s, "response").result;
  EXPECT_EQ(response->state, ClockState::kMet);
  EXPECT_FALSE(response->running);
  EXPECT_EQ(response->stopped_at, kMonday9 + 10 * kMin);
  EXPECT_EQ(response->elapsed_ms, 10 * kMin);
  EXPECT_EQ(response->remaining_ms(), 5 * kMin);
  EXPECT_FALSE(response->due);
  EXPECT_FALSE(response->breached_at);
  EXPECT_EQ(metric(s, "resolution").result.state, ClockState::kRunning);

  // +30 min: waiting on the requester. Two hours later the resolution clock has stood still.
  advance(minutes(20));
  t = move(t, "pending", "awaiting_requester");
  advance(hours(2));
  s = sla(t);
  const MetricResult* resolution = &metric(s, "resolution").result;
  EXPECT_EQ(resolution->state, ClockState::kPaused);
  EXPECT_FALSE(resolution->running);
  EXPECT_EQ(resolution->elapsed_ms, 30 * kMin);
  EXPECT_FALSE(resolution->due) << "no due while paused";
  ASSERT_EQ(resolution->intervals.size(), 3u);  // assigned, in progress, pending
  EXPECT_TRUE(resolution->intervals[0].counted);
  EXPECT_EQ(resolution->intervals[0].business_ms, 10 * kMin);
  EXPECT_TRUE(resolution->intervals[1].counted);
  EXPECT_EQ(resolution->intervals[1].business_ms, 20 * kMin);
  const ClockInterval& paused = resolution->intervals[2];
  EXPECT_FALSE(paused.counted);
  EXPECT_EQ(paused.reason, "pending:awaiting_requester");
  EXPECT_EQ(paused.from, kMonday9 + 30 * kMin);
  EXPECT_EQ(paused.to, kMonday9 + 150 * kMin);
  EXPECT_EQ(paused.business_ms, 120 * kMin);
  EXPECT_FALSE(threshold(metric(s, "resolution"), 50).at) << "not reached, and paused";
  EXPECT_EQ(metric(s, "response").result.state, ClockState::kMet) << "the response stays met";

  // 11:30: the requester answers, which sets the ticket going again.
  must(tickets_->add_comment(as(requester_), requester_view(requester_), t.number,
                             "已经重启了交换机，还是不行", true));
  t = must(tickets_->get(agent_view(agent_), t.number)).ticket;
  EXPECT_EQ(t.status, "in_progress");
  advance(hours(1));  // 12:30
  s = sla(t);
  resolution = &metric(s, "resolution").result;
  EXPECT_EQ(resolution->state, ClockState::kRunning);
  EXPECT_TRUE(resolution->running);
  EXPECT_EQ(resolution->elapsed_ms, 90 * kMin);
  EXPECT_EQ(resolution->due, clock_.now_ms() + 150 * kMin);
  EXPECT_EQ(s.compiled->format_local(*resolution->due), "2024-03-04T15:00:00+08:00");
  // 50 % = 120 min counted: 30 before the pause, then 90 more from 11:30 = 13:00, ahead.
  const TicketSlaMetric* res = &metric(s, "resolution");
  EXPECT_EQ(threshold(*res, 50).at, at("2024-03-04T13:00:00+08:00"));
  EXPECT_FALSE(threshold(*res, 50).reached);

  advance(minutes(45));  // 13:15
  s = sla(t);
  res = &metric(s, "resolution");
  EXPECT_EQ(res->result.elapsed_ms, 135 * kMin);
  EXPECT_EQ(res->result.remaining_ms(), 105 * kMin);
  EXPECT_EQ(res->result.due, at("2024-03-04T15:00:00+08:00"));
  EXPECT_TRUE(threshold(*res, 50).reached);
  EXPECT_EQ(threshold(*res, 50).at, at("2024-03-04T13:00:00+08:00"));
  EXPECT_FALSE(threshold(*res, 75).reached);
  EXPECT_EQ(threshold(*res, 75).at, at("2024-03-04T14:00:00+08:00")) << "projected";
  EXPECT_EQ(threshold(*res, 100).at, at("2024-03-04T15:00:00+08:00")) << "the due";

  // 13:15: it turns out to be P3 (impact 2, urgency 2). The P3 policy on office hours measures
  // the same history: 09:00-09:30 (30), paused 09:30-11:30, 11:30-12:00 (30), lunch,
  // 13:00-13:15 (15) = 75 business minutes of 1440.
  tickets::TicketPatch patch;
  patch.version = t.version;
  patch.impact = 2;
  patch.urgency = 2;
  t = must(tickets_->update(as(agent_), agent_view(agent_), t.number, patch));
  ASSERT_EQ(t.priority, "P3");
  s = sla(t);
  ASSERT_TRUE(s.policy);
  EXPECT_EQ(s.policy->name, "P3 中 Moderate");
  ASSERT_TRUE(s.calendar);
  EXPECT_EQ(s.calendar->name, "Office hours 工作时间");
  response = &metric(s, "response").result;
  EXPECT_EQ(response->target_ms, 240 * kMin);
  EXPECT_EQ(response->state, ClockState::kMet);
  EXPECT_EQ(response->elapsed_ms, 10 * kMin);
  EXPECT_EQ(response->stopped_at, kMonday9 + 10 * kMin);
  res = &metric(s, "resolution");
  resolution = &res->result;
  EXPECT_EQ(resolution->target_ms, 1440 * kMin);
  EXPECT_EQ(resolution->state, ClockState::kRunning);
  EXPECT_EQ(resolution->elapsed_ms, 75 * kMin);
  // 1365 to go: Monday 13:15-18:00 (285), Tuesday (480), Wednesday (480), Thursday 09-11 (120).
  ASSERT_TRUE(resolution->due);
  EXPECT_EQ(*resolution->due, at("2024-03-07T11:00:00+08:00"));
  EXPECT_EQ(s.compiled->format_local(*resolution->due), "2024-03-07T11:00:00+08:00");
  // 720 (50 %): Monday 285 more, Tuesday 09-12 and 13-16. 1080 (75 %): Wednesday 14:00.
  EXPECT_EQ(threshold(*res, 50).at, at("2024-03-05T16:00:00+08:00"));
  EXPECT_FALSE(threshold(*res, 50).reached);
  EXPECT_EQ(threshold(*res, 75).at, at("2024-03-06T14:00:00+08:00"));
  std::int64_t paused_business = 0;
  for (const ClockInterval& iv : resolution->intervals) {
    if (!iv.counted) paused_business += iv.business_ms;
  }
  EXPECT_EQ(paused_business, 120 * kMin) << "the pause, on office hours too";

  // The evening and the night do not count: Tuesday 10:00 is 75 + 285 + 60 = 420 minutes.
  clock_.set(at("2024-03-05T10:00:00+08:00"));
  EXPECT_EQ(metric(sla(t), "resolution").result.elapsed_ms, 420 * kMin);
  t = move(t, "resolved");
  clock_.set(at("2024-03-06T17:00:00+08:00"));
  s = sla(t);
  res = &metric(s, "resolution");
  resolution = &res->result;
  EXPECT_EQ(resolution->state, ClockState::kMet);
  EXPECT_FALSE(resolution->running);
  EXPECT_EQ(resolution->elapsed_ms, 420 * kMin) << "stopped at the resolution";
  EXPECT_EQ(resolution->stopped_at, at("2024-03-05T10:00:00+08:00"));
  EXPECT_FALSE(resolution->due);
  EXPECT_FALSE(resolution->breached_at);
  EXPECT_FALSE(threshold(*res, 50).at) << "stopped short of 50 %";
  ASSERT_FALSE(resolution->intervals.empty());
  EXPECT_FALSE(resolution->intervals.back().counted);
  EXPECT_EQ(resolution->intervals.back().reason, "resolved");
}

TEST_P(TicketSlaTest, AnAgentMovingThePendingTicketBackResumesTheClockToo) {
  tickets::Ticket t = p1();
  advance(minutes(10));
  t = move(t, "in_progress");
  advance(minutes(20));
  t = move(t, "pending", "awaiting_requester");
  advance(hours(2));
  t = move(t, "in_progress");
  advance(hours(1));
  const MetricResult& resolution = metric(sla(t), "resolution").result;
  EXPECT_EQ(resolution.state, ClockState::kRunning);
  EXPECT_EQ(resolution.elapsed_ms, 90 * kMin);
  EXPECT_EQ(resolution.due, clock_.now_ms() + 150 * kMin);
}

TEST_P(TicketSlaTest, APendingReasonOutsideThePolicysPauseReasonsKeepsCounting) {
  tickets::Ticket t = p1();
  advance(minutes(10));
  t = move(t, "pending", "awaiting_change");
  advance(hours(1));
  const MetricResult& resolution = metric(sla(t), "resolution").result;
  EXPECT_EQ(resolution.state, ClockState::kRunning);
  EXPECT_EQ(resolution.elapsed_ms, 70 * kMin);
  EXPECT_EQ(metric(sla(t), "response").result.state, ClockState::kMet)
      << "pending counts as taken up";
}

TEST_P(TicketSlaTest, APriorityOverrideRetargetsTheSameHistory) {
  tickets::Ticket t = p1();
  advance(minutes(10));
  t = move(t, "in_progress");
  advance(minutes(50));  // 10:00: 60 business minutes either way
  tickets::TicketPatch patch;
  patch.version = t.version;
  patch.priority = "P3";
  patch.priority_reason = "只影响一台测试交换机";
  t = must(tickets_->update(as(agent_), agent_view(agent_), t.number, patch));
  ASSERT_EQ(t.priority, "P3");
  TicketSla s = sla(t);
  ASSERT_TRUE(s.calendar);
  EXPECT_EQ(s.calendar->name, "Office hours 工作时间");
  const MetricResult& resolution = metric(s, "resolution").result;
  EXPECT_EQ(resolution.elapsed_ms, 60 * kMin);
  // 1380 to go from Monday 10:00: Monday 2 + 5 h (420), Tuesday and Wednesday (960): Wednesday
  // 18:00 exactly (a deadline on the end of a range is that end).
  EXPECT_EQ(resolution.due, at("2024-03-06T18:00:00+08:00"));
  EXPECT_EQ(s.compiled->format_local(*resolution.due), "2024-03-06T18:00:00+08:00");
}

TEST_P(TicketSlaTest, ALateResponseAndALateResolutionAreBreachedWhenTheyHappened) {
  tickets::Ticket t = p1();
  advance(minutes(20));
  TicketSla s = sla(t);
  const MetricResult* response = &metric(s, "response").result;
  EXPECT_EQ(response->state, ClockState::kBreached);
  EXPECT_TRUE(response->running) << "still waiting for the response";
  EXPECT_FALSE(response->due);
  EXPECT_EQ(response->breached_at, kMonday9 + 15 * kMin);
  EXPECT_EQ(response->remaining_ms(), -5 * kMin);

  t = move(t, "in_progress");
  s = sla(t);
  response = &metric(s, "response").result;
  EXPECT_EQ(response->state, ClockState::kBreached) << "stopped late";
  EXPECT_FALSE(response->running);
  EXPECT_EQ(response->stopped_at, kMonday9 + 20 * kMin);
  EXPECT_EQ(response->breached_at, kMonday9 + 15 * kMin);

  advance(hours(4) + minutes(40));  // 5 h after the creation
  s = sla(t);
  const MetricResult* resolution = &metric(s, "resolution").result;
  EXPECT_EQ(resolution->state, ClockState::kBreached);
  EXPECT_TRUE(resolution->running);
  EXPECT_EQ(resolution->breached_at, kMonday9 + 240 * kMin);
  t = move(t, "resolved");
  advance(hours(1));
  s = sla(t);
  const TicketSlaMetric& res = metric(s, "resolution");
  resolution = &res.result;
  EXPECT_EQ(resolution->state, ClockState::kBreached);
  EXPECT_FALSE(resolution->running);
  EXPECT_EQ(resolution->elapsed_ms, 300 * kMin);
  EXPECT_EQ(resolution->remaining_ms(), -60 * kMin);
  EXPECT_EQ(resolution->stopped_at, kMonday9 + 300 * kMin);
  EXPECT_EQ(resolution->breached_at, kMonday9 + 240 * kMin);
  for (int percent : {50, 75, 100}) {
    EXPECT_TRUE(threshold(res, percent).reached) << percent;
    EXPECT_EQ(threshold(res, percent).at, kMonday9 + 240 * kMin * percent / 100) << percent;
  }
}

TEST_P(TicketSlaTest, OnlyAPublicCommentBySomeoneOtherThanTheRequesterIsTheFirstResponse) {
  tickets::Ticket t = p1();
  advance(minutes(5));
  must(tickets_->add_comment(as(requester_), requester_view(requester_), t.number,
                             "补充：三楼也断了", true));
  advance(minutes(1));
  must(tickets_->add_comment(as(agent_), agent_view(agent_), t.number, "先查核心交换机的日志",
                             false));
  EXPECT_EQ(metric(sla(t), "response").result.state, ClockState::kRunning)
      << "the requester's comment and an internal note are no response";
  EXPECT_EQ(history(t).size(), 1u) << "neither changes anything the clocks look at";
  advance(minutes(1));
  must(tickets_->add_comment(as(agent_), agent_view(agent_), t.number, "正在处理，请稍候", true));
  t = must(tickets_->get(agent_view(agent_), t.number)).ticket;
  EXPECT_EQ(t.status, "assigned") << "the comment moves nothing";
  TicketSla s = sla(t);
  const MetricResult& response = metric(s, "response").result;
  EXPECT_EQ(response.state, ClockState::kMet);
  EXPECT_EQ(response.stopped_at, kMonday9 + 7 * kMin);
  EXPECT_EQ(response.elapsed_ms, 7 * kMin);
  EXPECT_EQ(metric(s, "resolution").result.state, ClockState::kRunning)
      << "a comment does not resolve";
  std::vector<HistoryPoint> h = history(t);
  ASSERT_EQ(h.size(), 2u);
  EXPECT_FALSE(h[0].state.responded);
  EXPECT_TRUE(h[1].state.responded);
  EXPECT_EQ(h[1].at, kMonday9 + 7 * kMin);
  EXPECT_EQ(h[1].state.status, "assigned");
  // A later public comment changes nothing more.
  advance(minutes(1));
  must(tickets_->add_comment(as(agent_), agent_view(agent_), t.number, "已定位问题", true));
  EXPECT_EQ(history(t).size(), 2u);
}

TEST_P(TicketSlaTest, TheHistoryMergesTheEventsOfOneInstantAndSkipsThoseThatChangeNothing) {
  tickets::Ticket t = p1();
  t = move(t, "in_progress");  // the same instant as the creation
  std::vector<HistoryPoint> h = history(t);
  ASSERT_EQ(h.size(), 1u);
  EXPECT_EQ(h[0].at, kMonday9);
  EXPECT_EQ(h[0].state.status, "in_progress");
  EXPECT_TRUE(h[0].state.responded);
  EXPECT_EQ(h[0].state.priority, "P1");
  EXPECT_EQ(h[0].state.team_id, desk_);
  const MetricResult& response = metric(sla(t), "response").result;
  EXPECT_EQ(response.state, ClockState::kMet);
  EXPECT_EQ(response.elapsed_ms, 0);

  // A new title and a worklog: nothing the clocks look at.
  advance(minutes(1));
  tickets::TicketPatch patch;
  patch.version = t.version;
  patch.title = "核心交换机宕机（A 栋）";
  t = must(tickets_->update(as(agent_), agent_view(agent_), t.number, patch));
  must(tickets_->add_worklog(as(agent_), agent_view(agent_), t.number, 15, "排查", std::nullopt));
  EXPECT_EQ(history(t).size(), 1u);

  // Pending on the requester, then the requester's answer: a comment and a transition at one
  // instant, one point.
  advance(minutes(1));
  t = move(t, "pending", "awaiting_requester");
  advance(minutes(1));
  must(tickets_->add_comment(as(requester_), requester_view(requester_), t.number, "好了吗？",
                             true));
  h = history(t);
  ASSERT_EQ(h.size(), 3u);
  EXPECT_EQ(h[1].at, kMonday9 + 2 * kMin);
  EXPECT_EQ(h[1].state.status, "pending");
  EXPECT_EQ(h[1].state.pending_reason, "awaiting_requester");
  EXPECT_EQ(h[2].at, kMonday9 + 3 * kMin);
  EXPECT_EQ(h[2].state.status, "in_progress");
  EXPECT_EQ(h[2].state.pending_reason, "");

  // A change of team is a point (an OLA follows the team).
  identity::TeamService teams(db(), clock_);
  identity::NewTeam infra;
  infra.name = "Infra";
  infra.member_ids = {agent_};
  std::int64_t infra_id = must(teams.create({}, infra)).id;
  advance(minutes(1));
  t = must(tickets_->get(agent_view(agent_), t.number)).ticket;
  patch = {};
  patch.version = t.version;
  patch.assignee_team_id = std::optional<std::int64_t>(infra_id);
  patch.assignee_id = std::optional<std::int64_t>(agent_);
  t = must(tickets_->update(as(agent_), agent_view(agent_), t.number, patch));
  h = history(t);
  ASSERT_EQ(h.size(), 4u);
  EXPECT_EQ(h[3].state.team_id, infra_id);
}

TEST_P(TicketSlaTest, AnUnknownTicketIsNotFoundAndAnUncoveredOneHasNoPolicy) {
  EXPECT_TRUE(failed_with(sla_->for_ticket(999'999), ErrorCode::kNotFound));
  // With the P1 policy switched off, nothing covers a P1 incident.
  tickets::Ticket t = p1();
  for (const Policy& p : must(policies_->list())) {
    if (p.name != "P1 严重 Critical") continue;
    PolicyPatch off;
    off.version = p.version;
    off.active = false;
    must(policies_->update({}, p.id, off));
  }
  TicketSla s = must(sla_->for_ticket(t.id));
  EXPECT_FALSE(s.policy);
  EXPECT_FALSE(s.calendar);
  EXPECT_TRUE(s.metrics.empty());
}

INSTANTIATE_TEST_SUITE_P(Backends, TicketSlaTest, testing::kAllBackends,
                         testing::backend_test_name);

}  // namespace
}  // namespace yunwei::sla
