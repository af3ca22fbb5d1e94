#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "core/clock.h"
#include "sla/calendar_service.h"
#include "sla/policy.h"
#include "sla/timer.h"
#include "store/database.h"

// The SLA of a ticket, derived from its event history (ticket.create / transition / update /
// escalate snapshots and public comments) with the policy that matches the ticket now.
namespace yunwei::sla {

// The history of ticket `ticket_id` as the SLA clocks see it: one point per event that changes
// status, pending reason, priority or team, or that is the first response (the ticket leaving
// new/assigned, or a public comment by someone other than the requester).
core::Result<std::vector<HistoryPoint>> ticket_history(store::Tx& tx, std::int64_t ticket_id);
// The histories of several tickets in a few queries (tickets without events are left out).
core::Result<std::unordered_map<std::int64_t, std::vector<HistoryPoint>>> ticket_histories(
    store::Tx& tx, const std::vector<std::int64_t>& ids);

// What policies look at (PolicySubject) and the ticket's status, as SELECT columns and joins
// over `tickets t` ("SELECT " + kSubjectColumns + " FROM tickets t" + kSubjectJoins), read back
// from column `first` on.
extern const char* const kSubjectColumns;
extern const char* const kSubjectJoins;
PolicySubject subject_from_row(const store::Row& r, std::size_t first);

// The compact text kept in ticket_sla.history, so that a policy or calendar change re-evaluates
// open tickets without re-reading their events: "at,status,reason,priority,team,responded" per
// point, points separated by ';'. decode_history is false for text it did not write.
std::string encode_history(const std::vector<HistoryPoint>& history);
bool decode_history(std::string_view text, std::vector<HistoryPoint>& out);

struct ThresholdState {
  int percent = 0;
  std::optional<core::TimeMs> at;  // reached (past) or projected (while running)
  bool reached = false;
};

struct TicketSlaMetric {
  MetricResult result;
  std::vector<ThresholdState> thresholds;
};

struct TicketSla {
  std::optional<Policy> policy;  // none: no policy covers the ticket
  std::optional<Calendar> calendar;
  std::shared_ptr<const CompiledCalendar> compiled;
  std::vector<TicketSlaMetric> metrics;
};

class SlaService {
 public:
  SlaService(store::Database& db, const core::Clock& clock, CalendarService& calendars,
             PolicyService& policies)
      : db_(db), clock_(clock), calendars_(calendars), policies_(policies) {}

  // The ticket's SLA now (kNotFound for an unknown id). The caller checks visibility.
  core::Result<TicketSla> for_ticket(std::int64_t ticket_id);

 private:
  store::Database& db_;
  const core::Clock& clock_;
  CalendarService& calendars_;
  PolicyService& policies_;
};

}  // namespace yunwei::sla
