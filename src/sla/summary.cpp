#include "sla/summary.h"

namespace yunwei::sla {

namespace {

constexpr const char* kSummaryColumns =
    "ticket_id, flag, due_at, policy_id, evaluated_at, response_state, response_due,"
    " response_breached_at, resolution_state, resolution_due, resolution_breached_at";

std::optional<MetricSummary> metric_at(const store::Row& r, size_t i) {
  if (r.is_null(i)) return std::nullopt;
  return MetricSummary{r.str(i), r.opt_i64(i + 1), r.opt_i64(i + 2)};
}

SlaSummary summary_from_row(const store::Row& r) {
  SlaSummary s;
  s.ticket_id = r.i64(0);
  s.flag = r.str(1);
  s.due_at = r.opt_i64(2);
  s.policy_id = r.opt_i64(3);
  s.evaluated_at = r.i64(4);
  s.response = metric_at(r, 5);
  s.resolution = metric_at(r, 8);
  return s;
}

}  // namespace

core::Result<std::unordered_map<std::int64_t, SlaSummary>> load_summaries(
    store::Tx& tx, const std::vector<std::int64_t>& ticket_ids) {
  using Map = std::unordered_map<std::int64_t, SlaSummary>;
  Map out;
  if (ticket_ids.empty()) return out;
  std::string sql = std::string("SELECT ") + kSummaryColumns +
                    " FROM ticket_sla WHERE flag <> 'none' AND ticket_id IN (";
  store::Params params;
  params.reserve(ticket_ids.size());
  store::append_in_list(sql, params, ticket_ids);
  sql += ")";
  auto rows = tx.query(sql, params);
  if (!rows.ok()) return std::move(rows).error();
  out.reserve(rows->size());
  for (const store::Row& r : *rows) {
    SlaSummary s = summary_from_row(r);
    std::int64_t id = s.ticket_id;
    out.emplace(id, std::move(s));
  }
  return out;
}

core::Result<std::unordered_map<std::int64_t, SlaSummary>> load_summaries(
    store::Database& db, const std::vector<std::int64_t>& ticket_ids) {
  using Map = std::unordered_map<std::int64_t, SlaSummary>;
  if (ticket_ids.empty()) return Map{};
  return store::read_tx<Map>(db, [&](store::Tx& tx) { return load_summaries(tx, ticket_ids); });
}

core::Result<std::optional<SlaSummary>> load_summary(store::Database& db, std::int64_t ticket_id) {
  using Opt = std::optional<SlaSummary>;
  return store::read_tx<Opt>(db, [&](store::Tx& tx) -> core::Result<Opt> {
    YW_ASSIGN(auto found, load_summaries(tx, {ticket_id}));
    auto it = found.find(ticket_id);
    if (it == found.end()) return Opt{};
    return Opt{std::move(it->second)};
  });
}

}  // namespace yunwei::sla
