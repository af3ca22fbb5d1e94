#include "sla/timer.h"

#include <algorithm>

namespace yunwei::sla {
namespace {

// What a metric's clock does in one state of the ticket.
enum class Disposition { kCount, kPause, kStop, kCancel };

struct Classified {
  Disposition d = Disposition::kCount;
  std::string reason;  // kPause / kStop: why
};

// Resolved (incidents), fulfilled (requests) or closed: the work is done.
bool resolved(const TicketState& s) {
  return s.status == "resolved" || s.status == "fulfilled" || s.status == "closed";
}

bool pausing(const Policy& p, const TicketState& s) {
  return s.status == "pending" && std::find(p.pause_reasons.begin(), p.pause_reasons.end(),
                                            s.pending_reason) != p.pause_reasons.end();
}

std::string pending_reason(const TicketState& s) {
  std::string r = "pending:";
  r += s.pending_reason;
  return r;
}

// Walks the history for one metric. `final_stop`: a kStop that ends the metric for good (the
// first response), rather than a pause until a reopen.
template <class Classify>
MetricResult run(std::string metric, std::optional<std::int64_t> team, std::int64_t target_ms,
                 const std::vector<HistoryPoint>& history, core::TimeMs now,
                 const CompiledCalendar& cal, bool final_stop, Classify classify) {
  MetricResult m;
  m.metric = std::move(metric);
  m.team_id = team;
  m.target_ms = target_ms;
  Classified last;
  std::optional<core::TimeMs> stop_since;  // the current stop (or cancellation) began then
  std::optional<core::TimeMs> reach;       // when the counted time reached the target
  for (std::size_t i = 0; i < history.size(); ++i) {
    // The state of point i holds over [from, to); what lies after `now` is not looked at. A
    // point at `now` itself is the state now (a stop made this instant has stopped the clock).
    bool last_point = i + 1 == history.size() || history[i + 1].at > now;
    core::TimeMs from = std::min(history[i].at, now);
    core::TimeMs to = last_point ? now : history[i + 1].at;
    Classified c = classify(history[i].state);
    bool stopping = c.d == Disposition::kStop || c.d == Disposition::kCancel;
    bool was_stopping = last.d == Disposition::kStop || last.d == Disposition::kCancel;
    if (stopping && (i == 0 || !was_stopping)) stop_since = from;
    if (!stopping) stop_since.reset();
    last = c;
    if (to > from || last_point) {
      ClockInterval iv;
      iv.from = from;
      iv.to = std::max(from, to);
      iv.counted = c.d == Disposition::kCount;
      iv.reason = c.reason;
      auto b = cal.between(iv.from, iv.to);
      iv.business_ms = b.ok() ? *b : 0;
      if (iv.counted) {
        CountedRun r{iv.from, iv.to, m.elapsed_ms, iv.business_ms, last_point};
        if (!reach && m.elapsed_ms + iv.business_ms >= target_ms) {
          auto at = cal.add(iv.from, target_ms - m.elapsed_ms);
          if (at.ok()) reach = *at;
        }
        // Breached once the clock still runs after the deadline, even outside business hours
        // (a deadline at Friday 18:00 is breached on Saturday); stopping at it is in time.
        if (reach && !m.breached_at && iv.to > *reach) m.breached_at = reach;
        m.elapsed_ms += iv.business_ms;
        m.runs.push_back(r);
      }
      m.intervals.push_back(std::move(iv));
    }
    if (last_point || (final_stop && c.d == Disposition::kStop) || c.d == Disposition::kCancel)
      break;
  }
  bool breached = m.breached_at.has_value();
  switch (last.d) {
    case Disposition::kCount:
      m.running = true;
      m.state = breached ? ClockState::kBreached : ClockState::kRunning;
      if (!breached && !m.runs.empty()) {
        const CountedRun& r = m.runs.back();
        auto due = cal.add(r.from, target_ms - r.before);
        if (due.ok()) m.due = *due;
      }
      break;
    case Disposition::kPause:
      m.state = breached ? ClockState::kBreached : ClockState::kPaused;
      break;
    case Disposition::kStop:
      m.state = breached ? ClockState::kBreached : ClockState::kMet;
      m.stopped_at = stop_since;
      break;
    case Disposition::kCancel:
      m.state = ClockState::kCancelled;
      m.stopped_at = stop_since;
      break;
  }
  if (!m.runs.empty() && !m.running) m.runs.back().open = false;
  return m;
}

}  // namespace

const char* clock_state_name(ClockState s) {
  switch (s) {
    case ClockState::kRunning:
      return "running";
    case ClockState::kPaused:
      return "paused";
    case ClockState::kMet:
      return "met";
    case ClockState::kBreached:
      return "breached";
    case ClockState::kCancelled:
      return "cancelled";
  }
  return "";
}

std::optional<core::TimeMs> MetricResult::reached_at(int percent,
                                                     const CompiledCalendar& calendar) const {
  std::int64_t x = target_ms * percent / 100;
  for (const CountedRun& r : runs) {
    bool inside = r.before <= x && (x <= r.before + r.business_ms || r.open);
    if (!inside) continue;
    auto at = calendar.add(r.from, x - r.before);
    if (at.ok()) return *at;
    return std::nullopt;
  }
  return std::nullopt;
}

std::vector<MetricResult> evaluate(const std::vector<HistoryPoint>& history, core::TimeMs now,
                                   const Policy& policy, const CompiledCalendar& calendar) {
  std::vector<MetricResult> out;
  if (history.empty()) return out;
  if (policy.response_minutes) {
    out.push_back(run("response", std::nullopt, *policy.response_minutes * 60'000, history, now,
                      calendar, true, [](const TicketState& s) -> Classified {
                        if (s.status == "cancelled") return {Disposition::kCancel, "cancelled"};
                        if (s.responded || resolved(s)) return {Disposition::kStop, "responded"};
                        return {};
                      }));
  }
  auto resolution = [&policy](const TicketState& s) -> Classified {
    if (s.status == "cancelled") return {Disposition::kCancel, "cancelled"};
    if (resolved(s)) return {Disposition::kStop, s.status};
    if (pausing(policy, s)) return {Disposition::kPause, pending_reason(s)};
    return {};
  };
  if (policy.resolution_minutes) {
    out.push_back(run("resolution", std::nullopt, *policy.resolution_minutes * 60'000, history, now,
                      calendar, false, resolution));
  }
  std::optional<std::int64_t> team = history.back().state.team_id;
  if (team) {
    for (const OlaTarget& o : policy.ola) {
      if (o.team_id != *team) continue;
      out.push_back(run("ola", o.team_id, o.minutes * 60'000, history, now, calendar, false,
                        [&](const TicketState& s) -> Classified {
                          Classified c = resolution(s);
                          if (c.d == Disposition::kCount && s.team_id != o.team_id)
                            return {Disposition::kPause, "other_team"};
                          return c;
                        }));
    }
  }
  return out;
}

}  // namespace yunwei::sla
