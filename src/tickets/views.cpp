#include "tickets/views.h"

#include <nlohmann/json.hpp>

#include "core/text.h"

namespace yunwei::tickets {

core::Result<std::vector<SavedView>> SavedViewService::list(std::int64_t user_id) {
  using R = std::vector<SavedView>;
  return store::read_tx<R>(db_, [&](store::Tx& tx) -> core::Result<R> {
    auto rows = tx.query(
        "SELECT id, name, query, created_at FROM saved_views WHERE user_id = ? ORDER BY id",
        {user_id});
    if (!rows.ok()) return std::move(rows).error();
    R out;
    for (const store::Row& r : *rows) out.push_back({r.i64(0), r.str(1), r.str(2), r.i64(3)});
    return out;
  });
}

core::Result<SavedView> SavedViewService::create(const store::Actor& actor, std::int64_t user_id,
                                                 std::string_view name,
                                                 std::string_view query_json) {
  YW_TRY(core::check_text(name, "name", 100, true, core::Controls::kNone));
  nlohmann::json q = nlohmann::json::parse(query_json, nullptr, false);
  if (!q.is_object()) return core::invalid("query", "must be an object");
  if (q.size() > 30) return core::invalid("query", "at most 30 parameters");
  for (auto it = q.begin(); it != q.end(); ++it) {
    if (!it.value().is_string()) return core::invalid("query." + it.key(), "must be a string");
    YW_TRY(core::check_text(it.value().get<std::string>(), "query." + it.key(), 500, false,
                            core::Controls::kNone));
  }
  return store::write_tx<SavedView>(db_, [&](store::Tx& tx) -> core::Result<SavedView> {
    auto count = tx.query_row("SELECT COUNT(*) FROM saved_views WHERE user_id = ?", {user_id});
    if (!count.ok()) return std::move(count).error();
    if ((*count)->i64(0) >= 100) return core::conflict("at most 100 saved views", "name");
    core::TimeMs now = clock_.now_ms();
    SavedView v{0, core::trim(name), q.dump(), now};
    auto row = tx.query_row(
        "INSERT INTO saved_views (user_id, name, query, created_at) VALUES (?, ?, ?, ?)"
        " RETURNING id",
        {user_id, v.name, v.query_json, now});
    if (!row.ok()) return std::move(row).error();
    v.id = (*row)->i64(0);
    auto ev = store::append_event(tx, actor, now, "saved_view.create", "saved_view", v.id, "",
                                  nlohmann::json{{"name", v.name}, {"query", q}}.dump());
    if (!ev.ok()) return std::move(ev).error();
    return v;
  });
}

core::Status SavedViewService::remove(const store::Actor& actor, std::int64_t user_id,
                                      std::int64_t id) {
  return db_.write([&](store::Tx& tx) -> core::Status {
    auto n = tx.exec("DELETE FROM saved_views WHERE id = ? AND user_id = ?", {id, user_id});
    if (!n.ok()) return std::move(n).error();
    if (*n == 0) return core::not_found("saved view " + std::to_string(id) + " not found");
    auto ev = store::append_event(tx, actor, clock_.now_ms(), "saved_view.delete", "saved_view", id,
                                  "", "");
    if (!ev.ok()) return std::move(ev).error();
    return {};
  });
}

}  // namespace yunwei::tickets
