#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/clock.h"
#include "core/result.h"
#include "store/database.h"

namespace yunwei::tickets {
struct Viewer;
}

// The SLA compliance report (GET /api/v1/reports/sla): per group, how many response and
// resolution targets were met or breached in a period, from the ticket_sla rows the SLA tracker
// keeps. A met metric counts at its stop time, a breached one at its breach time.
namespace yunwei::sla {

struct ReportQuery {
  std::optional<core::TimeMs> from, to;  // [from, to): required, at most 366 days
  std::string group_by;                  // priority, team, service, category
  std::string kind;                      // "" (every kind), incident or request
};

struct OutcomeCounts {
  std::int64_t met = 0;
  std::int64_t breached = 0;
  // 100 * met / (met + breached) rounded to 0.1; nullopt when both are 0.
  std::optional<double> compliance() const;
};

struct ReportGroup {
  // The key: a priority ("P1"), or a team, service or (top-level) category id; neither for the
  // group of tickets without one (and for the total).
  std::optional<std::string> text_key;
  std::optional<std::int64_t> id_key;
  std::optional<std::string> name, name_zh;  // none for the null group and the total
  OutcomeCounts response, resolution;
  // The ticket list parameter that selects the group's tickets ("priority=P1", "team_id=7",
  // "category_id=none"); "" for the total.
  std::string list_filter;
};

struct SlaReport {
  core::TimeMs from = 0, to = 0;
  std::string group_by;
  std::string kind;
  std::vector<ReportGroup> groups;  // those with any count, by key (priority, service id) or
                                    // name (team, category); the null group last
  ReportGroup total;
};

// Counts only the tickets `v` may see (the ticket list's rule). kInvalidArgument naming "from",
// "to" (missing, not after from, more than 366 days after it), "group_by" or "kind".
core::Result<SlaReport> sla_report(store::Database& db, const tickets::Viewer& v,
                                   const ReportQuery& q);

// The ticket list (GET /api/v1/tickets?...) of a group's tickets whose `metric` ("response",
// "resolution") had `outcome` ("met", "breached") in the report's period.
std::string tickets_link(const SlaReport& report, const ReportGroup& group, std::string_view metric,
                         std::string_view outcome);

}  // namespace yunwei::sla
