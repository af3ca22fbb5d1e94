#include "change/ticket_cis.h"

#include <set>

namespace yunwei::change {

core::Status set_ticket_cis(store::Tx& tx, std::int64_t ticket_id,
                            const std::vector<std::int64_t>& ids, std::string_view field) {
  if (ids.size() > 200) return core::invalid(std::string(field), "at most 200 CIs");
  std::set<std::int64_t> seen;
  for (size_t i = 0; i < ids.size(); ++i) {
    std::string f = std::string(field) + "[" + std::to_string(i) + "]";
    if (!seen.insert(ids[i]).second) return core::invalid(f, "is listed twice");
    auto row = tx.query_row("SELECT 1 FROM cis WHERE id = ?", {ids[i]});
    if (!row.ok()) return std::move(row).error();
    if (!*row) return core::invalid(f, "no CI with id " + std::to_string(ids[i]));
  }
  if (auto n = tx.exec("DELETE FROM ticket_cis WHERE ticket_id = ?", {ticket_id}); !n.ok())
    return std::move(n).error();
  for (size_t i = 0; i < ids.size(); ++i) {
    auto n = tx.exec("INSERT INTO ticket_cis (ticket_id, ci_id, position) VALUES (?, ?, ?)",
                     {ticket_id, ids[i], static_cast<std::int64_t>(i)});
    if (!n.ok()) return std::move(n).error();
  }
  store::Value first = ids.empty() ? store::Value{nullptr} : store::Value{ids[0]};
  auto n = tx.exec("UPDATE tickets SET ci_id = ? WHERE id = ?", {first, ticket_id});
  if (!n.ok()) return std::move(n).error();
  return {};
}

core::Result<std::vector<CiRef>> ticket_cis(store::Tx& tx, std::int64_t ticket_id) {
  auto rows = tx.query(
      "SELECT c.id, c.name, ct.key FROM ticket_cis tc JOIN cis c ON c.id = tc.ci_id"
      " JOIN ci_types ct ON ct.id = c.type_id WHERE tc.ticket_id = ? ORDER BY tc.position",
      {ticket_id});
  if (!rows.ok()) return std::move(rows).error();
  std::vector<CiRef> out;
  for (const store::Row& r : *rows) out.push_back({r.i64(0), r.str(1), r.str(2)});
  return out;
}

std::vector<std::int64_t> ids_of(const std::vector<CiRef>& cis) {
  std::vector<std::int64_t> out;
  for (const CiRef& c : cis) out.push_back(c.id);
  return out;
}

}  // namespace yunwei::change
