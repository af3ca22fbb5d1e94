#include "sla/timer.h"

#include <gtest/gtest.h>

#include <random>

#include "core/clock.h"
#include "sla/holidays.h"

namespace yunwei::sla {
namespace {

constexpr std::int64_t kMin = 60'000;
constexpr std::int64_t kHour = 60 * kMin;

core::TimeMs at(const char* rfc3339) {
  core::TimeMs t = 0;
  EXPECT_TRUE(core::parse_iso8601(rfc3339, t)) << rfc3339;
  return t;
}

std::shared_ptr<const CompiledCalendar> always() {
  CalendarSpec spec;
  for (DayHours& d : spec.weekly) d = {{0, 1440}};
  return CompiledCalendar::compile(spec).value();
}

std::shared_ptr<const CompiledCalendar> office() {
  CalendarSpec spec;
  for (std::size_t d = 0; d < 5; ++d) spec.weekly[d] = {{9 * 60, 12 * 60}, {13 * 60, 18 * 60}};
  spec.holidays = parse_holiday_json(cn_statutory_json()).days;
  return CompiledCalendar::compile(spec).value();
}

Policy policy(std::optional<std::int64_t> response, std::optional<std::int64_t> resolution) {
  Policy p;
  p.response_minutes = response;
  p.resolution_minutes = resolution;
  p.pause_reasons = default_pause_reasons();
  return p;
}

TicketState st(const char* status, const char* reason = "", bool responded = false,
               std::optional<std::int64_t> team = 1) {
  TicketState s;
  s.status = status;
  s.pending_reason = reason;
  s.priority = "P3";
  s.team_id = team;
  s.responded = responded;
  return s;
}

const MetricResult& metric(const std::vector<MetricResult>& ms, const std::string& name) {
  for (const MetricResult& m : ms) {
    if (m.metric == name) return m;
  }
  static MetricResult none;
  ADD_FAILURE() << "no metric " << name;
  return none;
}

TEST(Timer, RunsFromCreationAndProjectsTheDueOnTheCalendar) {
  auto cal = office();
  // Monday 2026-03-09 17:00 +08:00; 4 business hours: 1 h Monday, 3 h Tuesday (09-12).
  std::vector<HistoryPoint> h = {{at("2026-03-09T17:00:00+08:00"), st("assigned")}};
  auto ms = evaluate(h, at("2026-03-09T17:30:00+08:00"), policy(240, 24 * 60), *cal);
  const MetricResult& r = metric(ms, "response");
  EXPECT_EQ(r.state, ClockState::kRunning);
  EXPECT_TRUE(r.running);
  EXPECT_EQ(r.elapsed_ms, 30 * kMin);
  EXPECT_EQ(r.remaining_ms(), 210 * kMin);
  ASSERT_TRUE(r.due);
  EXPECT_EQ(*r.due, at("2026-03-10T12:00:00+08:00"));
  EXPECT_EQ(r.reached_at(50, *cal), at("2026-03-10T10:00:00+08:00"));
}

TEST(Timer, ADeadlineAtTheEndOfTheDayIsBreachedOnceTheClockRunsOnPastIt) {
  auto cal = office();
  // Friday 2026-03-13 17:00 +08:00, 1 business hour: due Friday 18:00.
  std::vector<HistoryPoint> h = {{at("2026-03-13T17:00:00+08:00"), st("assigned")}};
  Policy p = policy(60, std::nullopt);
  auto at_due = evaluate(h, at("2026-03-13T18:00:00+08:00"), p, *cal);
  EXPECT_EQ(metric(at_due, "response").state, ClockState::kRunning);
  // Saturday: no business time has passed since, but the deadline has.
  auto saturday = evaluate(h, at("2026-03-14T10:00:00+08:00"), p, *cal);
  const MetricResult& r = metric(saturday, "response");
  EXPECT_EQ(r.elapsed_ms, r.target_ms);
  EXPECT_EQ(r.state, ClockState::kBreached);
  EXPECT_EQ(r.breached_at, at("2026-03-13T18:00:00+08:00"));
  // Responding at the deadline itself is in time.
  h.push_back({at("2026-03-13T18:00:00+08:00"), st("in_progress", "", true)});
  auto met = evaluate(h, at("2026-03-14T10:00:00+08:00"), p, *cal);
  EXPECT_EQ(metric(met, "response").state, ClockState::kMet);
  EXPECT_FALSE(metric(met, "response").breached_at);
}

TEST(Timer, PendingOnTheRequesterPausesResolutionButNotOnAChange) {
  auto cal = always();
  core::TimeMs t0 = at("2026-05-01T00:00:00Z");
  std::vector<HistoryPoint> h = {{t0, st("assigned")},
                                 {t0 + 1 * kHour, st("pending", "awaiting_requester", true)},
                                 {t0 + 3 * kHour, st("in_progress", "", true)},
                                 {t0 + 4 * kHour, st("pending", "awaiting_change", true)}};
  auto ms = evaluate(h, t0 + 6 * kHour, policy(15, 240), *cal);
  const MetricResult& res = metric(ms, "resolution");
  // Counted: 0-1 h, 3-4 h, 4-6 h (awaiting_change does not pause); paused 1-3 h.
  EXPECT_EQ(res.elapsed_ms, 4 * kHour);
  EXPECT_EQ(res.state, ClockState::kRunning);
  ASSERT_EQ(res.intervals.size(), 4u);
  EXPECT_FALSE(res.intervals[1].counted);
  EXPECT_EQ(res.intervals[1].reason, "pending:awaiting_requester");
  EXPECT_EQ(res.intervals[1].business_ms, 2 * kHour);
  EXPECT_EQ(*res.due, t0 + 6 * kHour);  // 240 min: at now exactly... 4 h counted, 0 left
  // The response was made at 1 h: met, stopped then.
  const MetricResult& resp = metric(ms, "response");
  EXPECT_EQ(resp.state, ClockState::kBreached);  // 60 min > 15 min
  EXPECT_EQ(resp.stopped_at, t0 + 1 * kHour);
  EXPECT_EQ(resp.breached_at, t0 + 15 * kMin);
}

TEST(Timer, APausedClockHasNoDueAndKeepsItsTime) {
  auto cal = always();
  core::TimeMs t0 = at("2026-05-01T00:00:00Z");
  std::vector<HistoryPoint> h = {{t0, st("assigned")},
                                 {t0 + 30 * kMin, st("pending", "awaiting_vendor", true)}};
  auto ms = evaluate(h, t0 + 10 * kHour, policy(std::nullopt, 60), *cal);
  const MetricResult& res = metric(ms, "resolution");
  EXPECT_EQ(res.state, ClockState::kPaused);
  EXPECT_FALSE(res.running);
  EXPECT_FALSE(res.due);
  EXPECT_EQ(res.elapsed_ms, 30 * kMin);
  EXPECT_FALSE(res.reached_at(75, *cal)) << "75% is not reached while paused";
  EXPECT_EQ(res.reached_at(50, *cal), t0 + 30 * kMin);
  EXPECT_EQ(ms.size(), 1u) << "no response target, no response metric";
}

TEST(Timer, ResolvingStopsTheClockAndReopeningResumesItWithTheTimeAlreadyCounted) {
  auto cal = always();
  core::TimeMs t0 = at("2026-05-01T00:00:00Z");
  std::vector<HistoryPoint> h = {{t0, st("assigned")},
                                 {t0 + 2 * kHour, st("resolved", "", true)},
                                 {t0 + 20 * kHour, st("reopened", "", true)}};
  auto before_reopen = evaluate(h, t0 + 10 * kHour, policy(std::nullopt, 240), *cal);
  EXPECT_EQ(metric(before_reopen, "resolution").state, ClockState::kMet);
  EXPECT_EQ(metric(before_reopen, "resolution").stopped_at, t0 + 2 * kHour);
  auto after = evaluate(h, t0 + 21 * kHour, policy(std::nullopt, 240), *cal);
  const MetricResult& res = metric(after, "resolution");
  EXPECT_EQ(res.state, ClockState::kRunning);
  EXPECT_EQ(res.elapsed_ms, 3 * kHour);
  EXPECT_EQ(*res.due, t0 + 22 * kHour);
}

TEST(Timer, CancelledStopsForGood) {
  auto cal = always();
  core::TimeMs t0 = at("2026-05-01T00:00:00Z");
  std::vector<HistoryPoint> h = {{t0, st("new")}, {t0 + kHour, st("cancelled")}};
  auto ms = evaluate(h, t0 + 5 * kHour, policy(15, 60), *cal);
  EXPECT_EQ(metric(ms, "resolution").state, ClockState::kCancelled);
  EXPECT_EQ(metric(ms, "resolution").stopped_at, t0 + kHour);
  EXPECT_EQ(metric(ms, "response").state, ClockState::kCancelled);
}

TEST(Timer, ATargetChangeRetargetsWithoutLosingConsumedOrPausedTime) {
  auto cal = always();
  core::TimeMs t0 = at("2026-05-01T00:00:00Z");
  std::vector<HistoryPoint> h = {{t0, st("assigned")},
                                 {t0 + kHour, st("pending", "awaiting_requester", true)},
                                 {t0 + 3 * kHour, st("in_progress", "", true)}};
  core::TimeMs now = t0 + 4 * kHour;
  auto p3 = evaluate(h, now, policy(std::nullopt, 8 * 60), *cal);
  auto p1 = evaluate(h, now, policy(std::nullopt, 4 * 60), *cal);
  // Same history: 2 h counted under either target; only the due moves.
  EXPECT_EQ(metric(p3, "resolution").elapsed_ms, 2 * kHour);
  EXPECT_EQ(metric(p1, "resolution").elapsed_ms, 2 * kHour);
  EXPECT_EQ(*metric(p3, "resolution").due, now + 6 * kHour);
  EXPECT_EQ(*metric(p1, "resolution").due, now + 2 * kHour);
}

TEST(Timer, OlaCountsOnlyWhileTheTeamHoldsTheTicket) {
  auto cal = always();
  core::TimeMs t0 = at("2026-05-01T00:00:00Z");
  Policy p = policy(std::nullopt, 600);
  p.ola = {{7, 120}};
  std::vector<HistoryPoint> h = {{t0, st("assigned", "", false, 3)},
                                 {t0 + kHour, st("assigned", "", false, 7)},
                                 {t0 + 2 * kHour, st("assigned", "", false, 3)},
                                 {t0 + 3 * kHour, st("in_progress", "", true, 7)}};
  auto ms = evaluate(h, t0 + 3 * kHour + 30 * kMin, p, *cal);
  const MetricResult& ola = metric(ms, "ola");
  EXPECT_EQ(ola.team_id, 7);
  EXPECT_EQ(ola.elapsed_ms, 90 * kMin);
  EXPECT_EQ(*ola.due, t0 + 3 * kHour + 60 * kMin);
}

TEST(Timer, BusinessHoursOnlyCountInsideTheCalendar) {
  auto cal = office();
  // Friday 2026-02-13 17:00; pending on the requester over the Spring Festival makes no
  // difference to a clock that would not have counted then anyway, but the make-up Saturday
  // 2026-02-14 counts when the ticket is open.
  std::vector<HistoryPoint> h = {{at("2026-02-13T17:00:00+08:00"), st("assigned")}};
  auto ms = evaluate(h, at("2026-02-24T10:00:00+08:00"), policy(std::nullopt, 24 * 60), *cal);
  const MetricResult& res = metric(ms, "resolution");
  // Fri 1 h + Sat (make-up) 8 h + Tue 24th 1 h = 10 h.
  EXPECT_EQ(res.elapsed_ms, 10 * kHour);
}

// Invariants over random histories: elapsed never exceeds the calendar time from creation to
// now, counted and paused intervals tile the history, the same history gives the same answer,
// and moving `now` forward never decreases elapsed.
TEST(Timer, RandomHistoriesKeepTheInvariants) {
  auto cal = office();
  std::mt19937 rng(20261129);
  const char* statuses[] = {"assigned", "in_progress", "pending", "resolved", "reopened"};
  const char* reasons[] = {"awaiting_requester", "awaiting_vendor", "awaiting_change"};
  core::TimeMs start = at("2025-12-01T08:00:00+08:00");
  for (int round = 0; round < 500; ++round) {
    std::vector<HistoryPoint> h = {
        {start + static_cast<core::TimeMs>(rng() % (90LL * 86400000)), st("new")}};
    int n = 1 + static_cast<int>(rng() % 8);
    bool responded = false;
    for (int k = 0; k < n; ++k) {
      core::TimeMs t = h.back().at + static_cast<core::TimeMs>(rng() % (5LL * 86400000));
      const char* s = statuses[rng() % 5];
      responded = responded || std::string(s) != "assigned";
      h.push_back({t, st(s, std::string(s) == "pending" ? reasons[rng() % 3] : "", responded,
                         1 + static_cast<std::int64_t>(rng() % 2))});
    }
    Policy p = policy(240, 24 * 60);
    p.ola = {{1, 8 * 60}};
    core::TimeMs now = h.back().at + static_cast<core::TimeMs>(rng() % (3LL * 86400000));
    auto a = evaluate(h, now, p, *cal);
    auto b = evaluate(h, now, p, *cal);
    auto later = evaluate(h, now + 7LL * 86400000, p, *cal);
    std::int64_t total = cal->between(h.front().at, now).value();
    for (std::size_t i = 0; i < a.size(); ++i) {
      const MetricResult& m = a[i];
      EXPECT_EQ(m.elapsed_ms, b[i].elapsed_ms);
      EXPECT_EQ(m.state, b[i].state);
      EXPECT_LE(m.elapsed_ms, total) << m.metric;
      EXPECT_GE(m.elapsed_ms, 0);
      std::int64_t counted = 0;
      for (std::size_t k = 0; k < m.intervals.size(); ++k) {
        if (m.intervals[k].counted) counted += m.intervals[k].business_ms;
        if (k > 0) {
          EXPECT_EQ(m.intervals[k].from, m.intervals[k - 1].to) << m.metric;
        }
      }
      EXPECT_EQ(counted, m.elapsed_ms) << m.metric;
      EXPECT_EQ(m.intervals.front().from, h.front().at);
      if (m.running && m.due) {
        EXPECT_EQ(cal->between(now, *m.due).value(), m.target_ms - m.elapsed_ms) << m.metric;
      }
      if (m.metric == later[i].metric) {
        EXPECT_GE(later[i].elapsed_ms, m.elapsed_ms);
      }
      if (m.breached_at) {
        EXPECT_TRUE(m.state == ClockState::kBreached || m.state == ClockState::kCancelled);
      }
    }
  }
}

TEST(Timer, APointAtNowIsTheStateNow) {
  // A first response and a resolution made this very instant have stopped their clocks.
  auto cal = always();
  core::TimeMs t0 = at("2026-05-01T00:00:00Z");
  std::vector<HistoryPoint> h = {{t0, st("assigned")},
                                 {t0 + 10 * kMin, st("in_progress", "", true)}};
  auto ms = evaluate(h, t0 + 10 * kMin, policy(15, 240), *cal);
  const MetricResult& r = metric(ms, "response");
  EXPECT_EQ(r.state, ClockState::kMet);
  EXPECT_FALSE(r.running);
  EXPECT_EQ(r.stopped_at, t0 + 10 * kMin);
  EXPECT_EQ(r.elapsed_ms, 10 * kMin);
  h.push_back({t0 + 30 * kMin, st("resolved", "", true)});
  ms = evaluate(h, t0 + 30 * kMin, policy(15, 240), *cal);
  const MetricResult& res = metric(ms, "resolution");
  EXPECT_EQ(res.state, ClockState::kMet);
  EXPECT_FALSE(res.running);
  EXPECT_FALSE(res.due);
  EXPECT_EQ(res.stopped_at, t0 + 30 * kMin);
  EXPECT_EQ(res.elapsed_ms, 30 * kMin);
}

}  // namespace
}  // namespace yunwei::sla
