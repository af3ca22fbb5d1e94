#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "store/database.h"

namespace yunwei::store {

// Keyset pagination over (sort column, id). The cursor is opaque to clients.
struct SortSpec {
  std::string name;    // as the client writes it: "username", "-id"
  std::string column;  // SQL column, whitelisted by the caller
  bool desc = false;
  bool text = false;  // the column holds text (else integers)
};

struct Keyset {
  std::string where_sql;  // "(col > ? OR (col = ? AND id > ?))" or "" on the first page
  Params params;
  std::string order_sql;  // "col ASC, id ASC"
};

// kInvalidArgument (field "cursor") when the cursor is malformed or was made for another sort.
core::Result<Keyset> make_keyset(const SortSpec& sort, const std::string& cursor,
                                 std::string_view id_column = "id");

// Cursor that continues after a row with this sort value and id.
std::string make_cursor(const SortSpec& sort, const Value& sort_value, std::int64_t id);

template <class T>
struct Page {
  std::vector<T> items;
  std::optional<std::string> next_cursor;
};

// Appends the keyset condition, ORDER BY and LIMIT (one row more than `limit`, to tell whether
// there is a next page) to a query that already ends in a WHERE clause.
void append_page_clause(std::string& sql, Params& params, const Keyset& keyset, int limit);

// Drops the extra row fetched by append_page_clause and, when there was one, sets next_cursor
// from the last item: `key_of(item)` gives its sort value, `item.id` its id.
template <class T, class KeyOf>
void finish_page(Page<T>& page, int limit, const SortSpec& sort, KeyOf key_of) {
  if (static_cast<int>(page.items.size()) <= limit) return;
  page.items.resize(static_cast<size_t>(limit));
  const T& last = page.items.back();
  page.next_cursor = make_cursor(sort, key_of(last), last.id);
}

// Parses "name" / "-name" against the allowed sorts; kInvalidArgument (field "sort") otherwise.
core::Result<SortSpec> parse_sort(const std::string& requested,
                                  const std::vector<SortSpec>& allowed);

}  // namespace yunwei::store
