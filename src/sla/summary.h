#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "core/clock.h"
#include "core/result.h"
#include "store/database.h"

// The SLA summary that ticket answers carry ("sla" in ticket JSON): what the SLA tracker last
// stored in ticket_sla, read without re-evaluating anything.
namespace yunwei::sla {

struct MetricSummary {
  std::string state;                   // running, paused, met, breached, cancelled
  std::optional<core::TimeMs> due_at;  // while running
  std::optional<core::TimeMs> breached_at;
};

struct SlaSummary {
  std::int64_t ticket_id = 0;
  std::string flag;                    // ok, at_risk, breached
  std::optional<core::TimeMs> due_at;  // the earliest due of the running metrics
  std::optional<std::int64_t> policy_id;
  std::optional<MetricSummary> response, resolution;  // none: the policy has no such target
  core::TimeMs evaluated_at = 0;
};

// The summaries of these tickets, in one query (one read transaction). Tickets without a row,
// or whose row says no policy applies (flag "none"), are absent. The caller checks visibility.
core::Result<std::unordered_map<std::int64_t, SlaSummary>> load_summaries(
    store::Database& db, const std::vector<std::int64_t>& ticket_ids);
// One ticket's summary (nullopt as above).
core::Result<std::optional<SlaSummary>> load_summary(store::Database& db, std::int64_t ticket_id);
// The same inside a caller's transaction.
core::Result<std::unordered_map<std::int64_t, SlaSummary>> load_summaries(
    store::Tx& tx, const std::vector<std::int64_t>& ticket_ids);

}  // namespace yunwei::sla
