#include "store/page.h"

#include <charconv>

#include "core/crypto.h"
#include "core/text.h"

namespace yunwei::store {

core::Result<Keyset> make_keyset(const SortSpec& sort, const std::string& cursor,
                                 std::string_view id_column) {
  Keyset k;
  const char* dir = sort.desc ? "DESC" : "ASC";
  const char* cmp = sort.desc ? "<" : ">";
  std::string id(id_column);
  if (sort.column == id) {
    k.order_sql = id + " " + dir;
  } else {
    k.order_sql = sort.column + " " + dir + ", " + id + " " + dir;
  }
  if (cursor.empty()) return k;
  std::string raw;
  auto bad = core::invalid("cursor", "malformed cursor; use the next_cursor of a previous page");
  if (!core::base64url_decode(cursor, raw)) return bad;
  auto parts = core::split(raw, '\n');
  if (parts.size() != 3 || parts[0] != sort.name) {
    return core::invalid("cursor", "cursor belongs to another sort order");
  }
  std::int64_t last_id = 0;
  auto r = std::from_chars(parts[2].data(), parts[2].data() + parts[2].size(), last_id);
  if (r.ec != std::errc() || r.ptr != parts[2].data() + parts[2].size()) return bad;
  if (sort.column == id) {
    k.where_sql = id + " " + cmp + " ?";
    k.params = {last_id};
    return k;
  }
  Value v;
  if (sort.text) {
    v = parts[1];
  } else {
    std::int64_t n = 0;
    auto rr = std::from_chars(parts[1].data(), parts[1].data() + parts[1].size(), n);
    if (rr.ec != std::errc()) return bad;
    v = n;
  }
  k.where_sql = "(" + sort.column + " " + cmp + " ? OR (" + sort.column + " = ? AND " + id + " " +
                cmp + " ?))";
  k.params = {v, v, last_id};
  return k;
}

std::string make_cursor(const SortSpec& sort, const Value& sort_value, std::int64_t id) {
  std::string v;
  if (auto s = std::get_if<std::string>(&sort_value)) v = *s;
  if (auto i = std::get_if<std::int64_t>(&sort_value)) v = std::to_string(*i);
  return core::base64url_encode(sort.name + "\n" + v + "\n" + std::to_string(id));
}

void append_page_clause(std::string& sql, Params& params, const Keyset& keyset, int limit) {
  if (!keyset.where_sql.empty()) {
    sql += " AND " + keyset.where_sql;
    params.insert(params.end(), keyset.params.begin(), keyset.params.end());
  }
  sql += " ORDER BY " + keyset.order_sql + " LIMIT ?";
  params.emplace_back(std::int64_t{limit + 1});
}

core::Result<SortSpec> parse_sort(const std::string& requested,
                                  const std::vector<SortSpec>& allowed) {
  for (const SortSpec& s : allowed) {
    if (s.name == requested) return s;
  }
  std::string names;
  for (const SortSpec& s : allowed) names += (names.empty() ? "" : ", ") + s.name;
  return core::invalid("sort", "unknown sort; one of: " + names);
}

}  // namespace yunwei::store
