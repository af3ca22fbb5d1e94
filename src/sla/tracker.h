#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/clock.h"
#include "sla/calendar_service.h"
#include "sla/policy.h"
#include "sla/timer.h"
#include "store/database.h"
#include "tickets/ticket_service.h"

// Keeps table ticket_sla (one row per ticket: each metric's state, due and breach, the queue
// flag, the compact history) in step with the event log, and fires thresholds.
//  - catch_up(): tails `events` by id and re-evaluates every ticket that has new events.
//  - recompute_open(): when policies, calendars or holiday sets changed (a fingerprint of their
//    versions differs from the one stored in `meta`), re-evaluates every open ticket from its
//    stored history, without reading events.
//  - fire_due(): for rows whose next threshold instant has come, re-evaluates the ticket from
//    its events and fires each threshold reached (and the breach, 100 %, always) exactly once:
//    the fired set is updated with a compare-and-set in the transaction that runs the actions,
//    so two workers (or a restart) cannot fire one twice.
namespace yunwei::sla {

// A ticket as policies see it, and its status now.
struct TicketFacts {
  std::int64_t id = 0;
  PolicySubject subject;
  std::string status;
  std::vector<HistoryPoint> history;
};

// A threshold reached longer ago than this is not acted on (no notification, reassignment or
// timeline event), only recorded as fired: on a database the SLA worker meets for the first time
// with months of open tickets, or after days of downtime, it would otherwise page people about
// deadlines long gone. The ticket's state still says breached.
inline constexpr std::int64_t kStaleThresholdMs = 24LL * 3600 * 1000;

// A fired-threshold key: "response:50", "resolution:100", "ola:4:75".
std::string threshold_key(const MetricResult& m, int percent);
bool has_fired(std::string_view fired, std::string_view key);
std::string add_fired(std::string_view fired, std::string_view key);

// One metric's columns.
struct MetricColumns {
  std::string state;
  std::int64_t target = 0;
  std::optional<core::TimeMs> due, breached_at, stopped_at;
};

// The evaluated columns of a row (not the worker's fired set or mark).
struct SlaRow {
  std::int64_t ticket_id = 0;
  bool open = false;
  std::optional<std::int64_t> policy_id, calendar_id;
  std::string history;
  std::optional<MetricColumns> response, resolution, ola;
  std::optional<std::int64_t> ola_team_id;
  std::string flag = "none";  // none, ok, breached (at_risk comes from the stored mark)
  bool active = false;        // a metric still running or paused
  std::optional<core::TimeMs> due_at, next_at;

  // Digests of the evaluated columns, stored as eval_hash and eval_hash_cold: a re-evaluation
  // with the same digests leaves the row alone, and one that changes only the hot columns
  // (states, dues, next_at) rewrites just those, which no report index covers.
  std::int64_t digest() const;       // states, dues, due_at, next_at
  std::int64_t cold_digest() const;  // the rest: policy, targets, breaches, stops, flag, open
};

// The policies and compiled calendars of one pass.
class SlaConfig {
 public:
  SlaConfig(CalendarService& calendars, std::vector<Policy> policies)
      : calendars_(calendars), policies_(std::move(policies)) {}
  const std::vector<Policy>& policies() const { return policies_; }
  core::Result<std::shared_ptr<const CompiledCalendar>> calendar(std::int64_t id);

 private:
  CalendarService& calendars_;
  std::vector<Policy> policies_;
  std::map<std::int64_t, std::shared_ptr<const CompiledCalendar>> compiled_;
};

// The row of one ticket at `now` (pure apart from compiling calendars). `metrics` receives the
// evaluated metrics and `policy` the policy when asked for.
core::Result<SlaRow> evaluate_row(const TicketFacts& t, core::TimeMs now, SlaConfig& config,
                                  std::string_view fired, bool with_history,
                                  std::vector<MetricResult>* metrics = nullptr,
                                  const Policy** policy = nullptr,
                                  std::shared_ptr<const CompiledCalendar>* compiled = nullptr);

class SlaTracker {
 public:
  SlaTracker(store::Database& db, const core::Clock& clock, CalendarService& calendars,
             PolicyService& policies, tickets::TicketService& tickets)
      : db_(db), clock_(clock), calendars_(calendars), policies_(policies), tickets_(tickets) {}

  // Re-evaluates the tickets of up to `max_events` new events; returns how many events were
  // read (fewer than max_events: caught up).
  core::Result<int> catch_up(int max_events = 5000);
  // Re-evaluates every open ticket when the SLA configuration changed (or `force`); returns
  // how many tickets were re-evaluated.
  // `rewritten` receives how many rows changed.
  core::Result<std::int64_t> recompute_open(bool force = false, std::int64_t* rewritten = nullptr);
  // Fires the thresholds due by now on up to `limit` tickets; returns how many firings.
  core::Result<int> fire_due(int limit = 200);
  // catch_up until caught up, recompute_open, fire_due: the worker's round.
  core::Status run_once();

 private:
  core::Result<SlaConfig> load_config();
  core::Result<std::string> config_fingerprint();
  core::Status refresh(const std::vector<std::int64_t>& ticket_ids,
                       std::optional<std::int64_t> watermark);
  core::Result<int> fire_ticket(std::int64_t ticket_id, SlaConfig& config);

  store::Database& db_;
  const core::Clock& clock_;
  CalendarService& calendars_;
  PolicyService& policies_;
  tickets::TicketService& tickets_;

  std::mutex mu_;  // one round at a time
  bool loaded_ = false;
  std::int64_t watermark_ = 0;  // the last event id read
  // PostgreSQL: ids below the watermark not seen yet (a transaction still open when a later
  // one committed), with when they were first missed; given up after a while (rolled back).
  std::map<std::int64_t, std::int64_t> holes_;
};

}  // namespace yunwei::sla
