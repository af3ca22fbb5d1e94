#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/clock.h"
#include "sla/calendar.h"
#include "sla/policy.h"

// SLA timers derived from a ticket's history: no stored counters, so the same history, policy
// and calendar always give the same answer, and a change of priority, policy or calendar simply
// re-evaluates the whole history (consumed and paused time are never lost).
namespace yunwei::sla {

// What the SLA clocks look at, as it was from `at` until the next point.
struct TicketState {
  std::string status;          // new, assigned, in_progress, pending, resolved, closed, ...
  std::string pending_reason;  // when pending
  std::string priority;
  std::optional<std::int64_t> team_id;
  bool responded = false;  // a first response has been made (it stays true)
};

struct HistoryPoint {
  core::TimeMs at = 0;
  TicketState state;
};

// One stretch of a metric's history.
struct ClockInterval {
  core::TimeMs from = 0;
  core::TimeMs to = 0;
  bool counted = false;  // running: business time counted
  std::string reason;    // why not counted: "pending:awaiting_vendor", "resolved", "other_team"
  std::int64_t business_ms = 0;  // business time in it (counted or not)
};

enum class ClockState { kRunning, kPaused, kMet, kBreached, kCancelled };
// "running", "paused", "met", "breached", "cancelled".
const char* clock_state_name(ClockState s);

// A stretch in which the clock counted: `before` business time had been counted when it began.
struct CountedRun {
  core::TimeMs from = 0;
  core::TimeMs to = 0;
  std::int64_t before = 0;
  std::int64_t business_ms = 0;
  bool open = false;  // still counting at `now`
};

struct MetricResult {
  std::string metric;                   // "response", "resolution", "ola"
  std::optional<std::int64_t> team_id;  // ola: the team
  std::int64_t target_ms = 0;
  std::int64_t elapsed_ms = 0;  // business time counted (to `now`, or to the stop)
  // kBreached once elapsed exceeds the target, whether the clock still runs, is paused or
  // stopped late; kMet stopped in time; kCancelled stopped for good without a verdict.
  ClockState state = ClockState::kRunning;
  bool running = false;                     // the clock counts at `now`
  std::optional<core::TimeMs> due;          // running: when elapsed reaches the target
  std::optional<core::TimeMs> breached_at;  // the deadline, once the clock ran on past it
  std::optional<core::TimeMs> stopped_at;   // met / breached by a stop / cancelled
  std::vector<ClockInterval> intervals;     // the whole history, counted and not
  std::vector<CountedRun> runs;

  std::int64_t remaining_ms() const { return target_ms - elapsed_ms; }
  // The instant elapsed reached `percent` of the target: in the past, or projected while the
  // clock runs; nullopt while paused or stopped short of it.
  std::optional<core::TimeMs> reached_at(int percent, const CompiledCalendar& calendar) const;
};

// The SLA of one ticket at `now` under `policy` on `calendar` (history sorted by time; the
// first point is the creation). Metrics without a target in the policy are left out; "ola" is
// the current team's target when the policy has one.
//  - response: runs from creation until the first response, a resolution or a cancellation;
//    never pauses.
//  - resolution: runs from creation; paused while pending for one of the policy's pause
//    reasons; stops while resolved or closed (a reopen resumes it with the time already
//    counted); cancelled stops it for good.
//  - ola: like resolution, counted only while the ticket is with that team.
std::vector<MetricResult> evaluate(const std::vector<HistoryPoint>& history, core::TimeMs now,
                                   const Policy& policy, const CompiledCalendar& calendar);

}  // namespace yunwei::sla
