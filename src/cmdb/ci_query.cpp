#include "cmdb/ci_query.h"

#include <algorithm>
#include <nlohmann/json.hpp>

#include "cmdb/ci_internal.h"
#include "cmdb/schema.h"
#include "core/text.h"
#include "store/page.h"
#include "store/search/search.h"

namespace yunwei::cmdb {

using nlohmann::json;

namespace {

const std::vector<store::SortSpec>& sorts() {
  static const std::vector<store::SortSpec> kSorts = {
      {"name", "c.name", false, true},
      {"-name", "c.name", true, true},
      {"updated_at", "c.updated_at", false, false},
      {"-updated_at", "c.updated_at", true, false},
      {"created_at", "c.created_at", false, false},
      {"-created_at", "c.created_at", true, false},
  };
  return kSorts;
}

core::Status check_query(const CiQuery& q) {
  if (q.types.size() > 50) return core::invalid("type", "at most 50 types");
  for (const std::string& t : q.types) {
    if (!valid_key(t)) return core::invalid("type", "unknown CI type '" + t + "'");
  }
  if (q.status && !is_ci_status(*q.status))
    return core::invalid("status", "must be planned, in_use, maintenance or retired");
  if (q.environment && !is_environment(*q.environment))
    return core::invalid("environment", "must be prod, staging, test, dev, dr or empty");
  if (q.attrs.size() > 20) return core::invalid("attr", "at most 20 attribute filters");
  for (const auto& [key, value] : q.attrs) {
    if (!valid_key(key)) return core::invalid("attr." + key, "not an attribute key (a-z, 0-9, _)");
    if (value.size() > 1000) return core::invalid("attr." + key, "at most 1000 characters");
  }
  if (q.ids.size() > 1000) return core::invalid("ids", "at most 1000 ids");
  if (q.limit < 1 || q.limit > 500) return core::invalid("limit", "must be between 1 and 500");
  return {};
}

// The FROM/WHERE of a CI query with its parameters; "" in `sql` when nothing can match.
struct Filter {
  std::string sql;  // " FROM cis c JOIN ci_types t ... WHERE ..."
  store::Params params;
  bool none = false;  // the query cannot match anything (a text query without tokens)
};

core::Result<Filter> build_filter(store::Tx& tx, const CiQuery& q) {
  YW_TRY(check_query(q));
  Filter f;
  f.sql = " FROM cis c JOIN ci_types t ON t.id = c.type_id";
  std::string where = " WHERE 1 = 1";
  if (!core::trim(q.q).empty()) {
    store::search::Query text = store::search::parse_query(q.q);
    if (text.empty()) {
      f.none = true;
      return f;
    }
    store::search::Match m = store::search::match(tx.backend(), ci_index(), text, "c.id");
    f.sql += m.join_sql;
    where += " AND " + m.where_sql;
    f.params.insert(f.params.end(), m.where_params.begin(), m.where_params.end());
  }
  if (!q.types.empty()) {
    // The types' ids, bound as one set: one statement text whatever the number of types.
    auto rows = tx.query("SELECT id, key FROM ci_types");
    if (!rows.ok()) return std::move(rows).error();
    std::vector<std::int64_t> type_ids;
    for (const std::string& key : q.types) {
      auto it = std::find_if(rows->begin(), rows->end(),
                             [&](const store::Row& r) { return r.str(1) == key; });
      if (it == rows->end()) return core::invalid("type", "no CI type with key '" + key + "'");
      type_ids.push_back(it->i64(0));
    }
    where += " AND " + tx.in_ids_sql("c.type_id");
    f.params.push_back(tx.in_ids_value(type_ids));
  }
  if (q.status) {
    where += " AND c.status = ?";
    f.params.emplace_back(*q.status);
  }
  if (q.environment) {
    where += " AND c.environment = ?";
    f.params.emplace_back(*q.environment);
  }
  if (q.owner_none) {
    where += " AND c.owner_team_id IS NULL";
  } else if (q.owner_team_id) {
    where += " AND c.owner_team_id = ?";
    f.params.emplace_back(*q.owner_team_id);
  }
  for (const auto& [key, value] : q.attrs) {
    // The value's text: strings as they are, numbers in decimal, booleans true/false. The key is
    // checked above and bound all the same.
    if (tx.backend() == store::Backend::kPostgres) {
      where += " AND (c.attributes::jsonb ->> CAST(? AS TEXT)) = ?";
      f.params.emplace_back(key);
    } else {
      where +=
          " AND (CASE json_type(c.attributes, ?) WHEN 'true' THEN 'true' WHEN 'false' THEN"
          " 'false' ELSE CAST(json_extract(c.attributes, ?) AS TEXT) END) = ?";
      std::string path = "$.";
      path += key;
      f.params.emplace_back(path);
      f.params.emplace_back(path);
    }
    f.params.emplace_back(value);
  }
  if (!q.ids.empty()) {
    where += " AND " + tx.in_ids_sql("c.id");
    f.params.push_back(tx.in_ids_value(q.ids));
  }
  f.sql += where;
  return f;
}

core::Result<CiPage> page_of(store::Tx& tx, const CiQuery& q, const Filter& f,
                             const store::SortSpec& sort) {
  CiPage out;
  if (f.none) return out;
  YW_ASSIGN(store::Keyset keyset, store::make_keyset(sort, q.cursor, "c.id"));
  std::string sql = std::string("SELECT ") + internal::kCiColumns + f.sql;
  store::Params params = f.params;
  store::append_page_clause(sql, params, keyset, q.limit);
  auto rows = tx.query(sql, params);
  if (!rows.ok()) return std::move(rows).error();
  store::Page<Ci> page;
  for (const store::Row& r : *rows) page.items.push_back(internal::ci_from_row(r));
  store::finish_page(page, q.limit, sort, [&](const Ci& c) -> store::Value {
    if (sort.column == "c.name") return c.name;
    if (sort.column == "c.updated_at") return c.updated_at;
    return c.created_at;
  });
  out.items = std::move(page.items);
  out.next_cursor = std::move(page.next_cursor);
  return out;
}

}  // namespace

core::Result<CiPage> list_cis(store::Tx& tx, const CiQuery& q) {
  YW_ASSIGN(store::SortSpec sort, store::parse_sort(q.sort, sorts()));
  YW_ASSIGN(Filter f, build_filter(tx, q));
  return page_of(tx, q, f, sort);
}

core::Status for_each_ci(store::Tx& tx, const CiQuery& q,
                         const std::function<core::Status(const Ci&)>& fn) {
  YW_ASSIGN(store::SortSpec sort, store::parse_sort(q.sort, sorts()));
  CiQuery page_q = q;
  page_q.limit = 500;
  page_q.cursor.clear();
  YW_ASSIGN(Filter f, build_filter(tx, page_q));
  while (true) {
    YW_ASSIGN(CiPage page, page_of(tx, page_q, f, sort));
    for (const Ci& c : page.items) YW_TRY(fn(c));
    if (!page.next_cursor) return {};
    page_q.cursor = *page.next_cursor;
  }
}

core::Result<std::map<std::int64_t, CiSummary>> ci_summaries(store::Tx& tx,
                                                             const std::vector<std::int64_t>& ids) {
  std::map<std::int64_t, CiSummary> out;
  std::vector<std::int64_t> unique(ids.begin(), ids.end());
  std::sort(unique.begin(), unique.end());
  unique.erase(std::unique(unique.begin(), unique.end()), unique.end());
  auto rows = tx.query(
      "SELECT c.id, c.name, t.key, c.status, c.environment FROM cis c JOIN ci_types t ON t.id ="
      " c.type_id WHERE " +
          tx.in_ids_sql("c.id"),
      {tx.in_ids_value(unique)});
  if (!rows.ok()) return std::move(rows).error();
  for (const store::Row& r : *rows)
    out[r.i64(0)] = CiSummary{r.i64(0), r.str(1), r.str(2), r.str(3), r.str(4)};
  return out;
}

core::Result<std::map<std::int64_t, TeamRef>> owner_teams(store::Tx& tx,
                                                          const std::vector<Ci>& cis) {
  std::map<std::int64_t, TeamRef> out;
  std::vector<std::int64_t> ids;
  for (const Ci& c : cis) {
    if (c.owner_team_id) ids.push_back(*c.owner_team_id);
  }
  std::sort(ids.begin(), ids.end());
  ids.erase(std::unique(ids.begin(), ids.end()), ids.end());
  if (ids.empty()) return out;
  auto rows = tx.query("SELECT id, name, name_zh FROM teams WHERE " + tx.in_ids_sql("id"),
                       {tx.in_ids_value(ids)});
  if (!rows.ok()) return std::move(rows).error();
  for (const store::Row& r : *rows) out[r.i64(0)] = TeamRef{r.i64(0), r.str(1), r.str(2)};
  return out;
}

namespace {

core::Status check_ci_exists(store::Tx& tx, std::int64_t ci) {
  auto row = tx.query_row("SELECT 1 FROM cis WHERE id = ?", {ci});
  if (!row.ok()) return std::move(row).error();
  if (!*row) return core::not_found("no CI with id " + std::to_string(ci));
  return {};
}

// The fields of a CI snapshot (ci_service.cpp) that differ between `before` and `after`, in
// snapshot order; attributes one by one.
std::vector<CiChange> diff(const json& before, const json& after) {
  std::vector<CiChange> out;
  auto value_of = [](const json& doc, const std::string& key) -> json {
    if (!doc.is_object()) return nullptr;
    auto it = doc.find(key);
    return it == doc.end() ? json(nullptr) : *it;
  };
  for (const char* field : {"name", "status", "environment", "owner_team_id"}) {
    json b = value_of(before, field), a = value_of(after, field);
    // Creation lists what was set: an empty environment or no owner is not news.
    if (before.is_null() && (a.is_null() || a == "")) continue;
    if (b != a) out.push_back({field, b.dump(), a.dump()});
  }
  json ba = value_of(before, "attributes"), aa = value_of(after, "attributes");
  if (!ba.is_object()) ba = json::object();
  if (!aa.is_object()) aa = json::object();
  std::vector<std::string> keys;
  for (auto it = aa.begin(); it != aa.end(); ++it) keys.push_back(it.key());
  for (auto it = ba.begin(); it != ba.end(); ++it) {
    if (!aa.contains(it.key())) keys.push_back(it.key());
  }
  for (const std::string& k : keys) {
    json b = value_of(ba, k), a = value_of(aa, k);
    if (b != a) out.push_back({"attributes." + k, b.dump(), a.dump()});
  }
  return out;
}

}  // namespace

core::Result<HistoryPage> ci_history(store::Tx& tx, std::int64_t ci, int limit,
                                     const std::string& cursor) {
  if (limit < 1 || limit > 500) return core::invalid("limit", "must be between 1 and 500");
  YW_TRY(check_ci_exists(tx, ci));
  store::SortSpec sort{"-id", "e.id", true, false};
  YW_ASSIGN(store::Keyset keyset, store::make_keyset(sort, cursor, "e.id"));
  std::string sql =
      "SELECT e.id, e.at, e.action, e.actor_id, u.username, u.display_name, e.before_json,"
      " e.after_json FROM events e LEFT JOIN users u ON u.id = e.actor_id WHERE e.object_type ="
      " 'ci' AND e.object_id = ?";
  store::Params params = {ci};
  store::append_page_clause(sql, params, keyset, limit);
  auto rows = tx.query(sql, params);
  if (!rows.ok()) return std::move(rows).error();
  store::Page<HistoryEntry> page;
  std::vector<std::int64_t> others;
  for (const store::Row& r : *rows) {
    HistoryEntry e;
    e.id = r.i64(0);
    e.at = r.i64(1);
    e.action = r.str(2);
    if (!r.is_null(3)) e.actor = UserRef{r.i64(3), r.str(4), r.str(5)};
    json before = r.str(6).empty() ? json(nullptr) : json::parse(r.str(6), nullptr, false);
    json after = r.str(7).empty() ? json(nullptr) : json::parse(r.str(7), nullptr, false);
    if (before.is_discarded()) before = nullptr;
    if (after.is_discarded()) after = nullptr;
    if (e.action == "ci.relate" || e.action == "ci.unrelate") {
      const json& rel = e.action == "ci.relate" ? after : before;
      if (rel.is_object()) {
        e.relation_id = rel.value("relation_id", std::int64_t{0});
        e.relation_type = rel.value("type", "");
        std::int64_t to = rel.value("to", std::int64_t{0});
        e.relation_to = CiSummary{to, "", "", "", ""};
        others.push_back(to);
      }
    } else {
      e.changes = diff(before, after);
    }
    page.items.push_back(std::move(e));
  }
  store::finish_page(page, limit, sort, [](const HistoryEntry& e) -> store::Value { return e.id; });
  YW_ASSIGN(auto summaries, ci_summaries(tx, others));
  for (HistoryEntry& e : page.items) {
    if (!e.relation_to) continue;
    auto it = summaries.find(e.relation_to->id);
    if (it != summaries.end()) e.relation_to = it->second;
  }
  return HistoryPage{std::move(page.items), std::move(page.next_cursor)};
}

core::Result<std::vector<CiRelation>> ci_relations(store::Tx& tx, std::int64_t ci) {
  YW_TRY(check_ci_exists(tx, ci));
  auto rows = tx.query(
      "SELECT r.id, rt.key, r.from_ci, r.to_ci, r.created_at, o.id, o.name, ot.key, o.status,"
      " o.environment FROM ci_relations r JOIN ci_relation_types rt ON rt.id = r.type_id JOIN cis"
      " o ON o.id = CASE WHEN r.from_ci = ? THEN r.to_ci ELSE r.from_ci END JOIN ci_types ot ON"
      " ot.id = o.type_id WHERE r.from_ci = ? OR r.to_ci = ? ORDER BY r.id",
      {ci, ci, ci});
  if (!rows.ok()) return std::move(rows).error();
  std::vector<CiRelation> out;
  for (const store::Row& r : *rows) {
    CiRelation rel;
    rel.id = r.i64(0);
    rel.type = r.str(1);
    rel.outgoing = r.i64(2) == ci;
    rel.created_at = r.i64(4);
    rel.other = CiSummary{r.i64(5), r.str(6), r.str(7), r.str(8), r.str(9)};
    out.push_back(std::move(rel));
  }
  return out;
}

}  // namespace yunwei::cmdb
