#include "store/audit.h"

namespace yunwei::store {

core::Result<std::int64_t> append_event(Tx& tx, const Actor& actor, core::TimeMs at,
                                        std::string_view action, std::string_view object_type,
                                        std::optional<std::int64_t> object_id,
                                        std::string_view before_json, std::string_view after_json) {
  auto opt_int = [](std::optional<std::int64_t> v) -> Value {
    if (v) return *v;
    return nullptr;
  };
  auto opt_text = [](std::string_view s) -> Value {
    if (s.empty()) return nullptr;
    return std::string(s);
  };
  auto row = tx.query_row(
      "INSERT INTO events (at, actor_id, action, object_type, object_id, before_json, after_json,"
      " request_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
      {at, opt_int(actor.user_id), std::string(action), std::string(object_type),
       opt_int(object_id), opt_text(before_json), opt_text(after_json), actor.request_id});
  if (!row.ok()) return std::move(row).error();
  return (*row)->i64(0);
}

core::Result<std::vector<Event>> list_events(Tx& tx, const EventFilter& f) {
  std::string sql =
      "SELECT id, at, actor_id, action, object_type, object_id, before_json, after_json, request_id"
      " FROM events WHERE 1=1";
  Params params;
  if (f.object_type) {
    sql += " AND object_type = ?";
    params.emplace_back(*f.object_type);
  }
  if (f.object_id) {
    sql += " AND object_id = ?";
    params.emplace_back(*f.object_id);
  }
  if (f.actor_id) {
    sql += " AND actor_id = ?";
    params.emplace_back(*f.actor_id);
  }
  if (f.action) {
    sql += " AND action = ?";
    params.emplace_back(*f.action);
  }
  if (f.since) {
    sql += " AND at >= ?";
    params.emplace_back(*f.since);
  }
  if (f.until) {
    sql += " AND at < ?";
    params.emplace_back(*f.until);
  }
  if (f.before_id) {
    sql += " AND id < ?";
    params.emplace_back(*f.before_id);
  }
  sql += " ORDER BY id DESC LIMIT ?";
  params.emplace_back(std::int64_t{f.limit + 1});
  auto rows = tx.query(sql, params);
  if (!rows.ok()) return std::move(rows).error();
  std::vector<Event> out;
  out.reserve(rows->size());
  for (const Row& r : *rows) {
    Event e;
    e.id = r.i64(0);
    e.at = r.i64(1);
    e.actor_id = r.opt_i64(2);
    e.action = r.str(3);
    e.object_type = r.str(4);
    e.object_id = r.opt_i64(5);
    e.before_json = r.str(6);
    e.after_json = r.str(7);
    e.request_id = r.str(8);
    out.push_back(std::move(e));
  }
  return out;
}

}  // namespace yunwei::store
