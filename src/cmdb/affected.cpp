#include "cmdb/affected.h"

#include <algorithm>
#include <unordered_map>

namespace yunwei::cmdb {

namespace {

// Deep enough for any real estate (service → application → middleware → VM → host → storage is
// six); the walk stops early when nothing new is reached.
constexpr int kMaxDepth = 50;

}  // namespace

core::Result<std::vector<ServiceRef>> affected_services(store::Database& db,
                                                        RelationService& relations,
                                                        std::int64_t ci) {
  YW_ASSIGN(std::vector<Reached> reached, relations.impact_set(ci, kMaxDepth));
  std::unordered_map<std::int64_t, int> depth{{ci, 0}};
  std::vector<std::int64_t> ids{ci};
  for (const Reached& r : reached) {
    if (depth.emplace(r.ci_id, r.depth).second) ids.push_back(r.ci_id);
  }
  using R = std::vector<ServiceRef>;
  return store::read_tx<R>(db, [&](store::Tx& tx) -> core::Result<R> {
    auto rows = tx.query(
        "SELECT c.id, c.name FROM cis c JOIN ci_types t ON t.id = c.type_id WHERE t.key ="
        " 'business_service' AND " +
            tx.in_ids_sql("c.id"),
        {tx.in_ids_value(ids)});
    if (!rows.ok()) return std::move(rows).error();
    R out;
    for (const store::Row& r : *rows) out.push_back({r.i64(0), r.str(1), depth[r.i64(0)]});
    std::sort(out.begin(), out.end(), [](const ServiceRef& a, const ServiceRef& b) {
      return a.depth != b.depth ? a.depth < b.depth : a.name < b.name;
    });
    return out;
  });
}

core::Result<std::vector<std::int64_t>> affecting_cis(store::Database& db,
                                                      RelationService& relations,
                                                      std::int64_t service,
                                                      std::string_view field) {
  auto exists = store::read_tx<bool>(db, [&](store::Tx& tx) -> core::Result<bool> {
    auto row = tx.query_row("SELECT 1 FROM cis WHERE id = ?", {service});
    if (!row.ok()) return std::move(row).error();
    return row->has_value();
  });
  if (!exists.ok()) return std::move(exists).error();
  if (!*exists)
    return core::invalid(std::string(field), "no CI with id " + std::to_string(service));
  YW_ASSIGN(std::vector<Reached> chain, relations.dependency_set(service, kMaxDepth));
  std::vector<std::int64_t> ids{service};
  ids.reserve(chain.size() + 1);
  for (const Reached& r : chain) ids.push_back(r.ci_id);
  return ids;
}

}  // namespace yunwei::cmdb
