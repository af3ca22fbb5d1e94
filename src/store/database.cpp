#include "store/database.h"

#include <algorithm>
#include <charconv>

#include "store/pg/pg_database.h"
#include "store/sqlite/sqlite_database.h"

namespace yunwei::store {

std::int64_t Row::i64(size_t i) const {
  const Value& v = cols_.at(i);
  if (auto p = std::get_if<std::int64_t>(&v)) return *p;
  if (auto p = std::get_if<double>(&v)) return static_cast<std::int64_t>(*p);
  if (auto p = std::get_if<std::string>(&v)) {
    std::int64_t out = 0;
    std::from_chars(p->data(), p->data() + p->size(), out);
    return out;
  }
  return 0;
}

double Row::f64(size_t i) const {
  const Value& v = cols_.at(i);
  if (auto p = std::get_if<double>(&v)) return *p;
  if (auto p = std::get_if<std::int64_t>(&v)) return static_cast<double>(*p);
  if (auto p = std::get_if<std::string>(&v)) return std::strtod(p->c_str(), nullptr);
  return 0;
}

std::string Row::str(size_t i) const {
  const Value& v = cols_.at(i);
  if (auto p = std::get_if<std::string>(&v)) return *p;
  if (auto p = std::get_if<std::int64_t>(&v)) return std::to_string(*p);
  if (auto p = std::get_if<double>(&v)) return std::to_string(*p);
  return {};
}

std::optional<std::string> Row::opt_str(size_t i) const {
  if (is_null(i)) return std::nullopt;
  return str(i);
}

std::optional<std::int64_t> Row::opt_i64(size_t i) const {
  if (is_null(i)) return std::nullopt;
  return i64(i);
}

core::Result<std::optional<Row>> Tx::query_row(std::string_view sql, const Params& params) {
  auto rows = query(sql, params);
  if (!rows.ok()) return std::move(rows).error();
  if (rows->empty()) return std::optional<Row>{};
  return std::optional<Row>{std::move(rows->front())};
}

void append_in_list(std::string& sql, Params& params, const std::vector<std::int64_t>& ids,
                    std::size_t from, std::size_t to) {
  to = std::min(to, ids.size());
  for (std::size_t i = from; i < to; ++i) {
    sql += i == from ? "?" : ", ?";
    params.emplace_back(ids[i]);
  }
}

std::string Tx::contains_sql(std::string_view column) const {
  if (backend() == Backend::kPostgres) return "strpos(" + std::string(column) + ", ?) > 0";
  return "instr(" + std::string(column) + ", ?) > 0";
}

std::string Tx::in_ids_sql(std::string_view column) const {
  if (backend() == Backend::kPostgres) return std::string(column) + " = ANY(?::bigint[])";
  return std::string(column) + " IN (SELECT value FROM json_each(?))";
}

Value Tx::in_ids_value(const std::vector<std::int64_t>& ids) const {
  bool pg = backend() == Backend::kPostgres;
  std::string out(1, pg ? '{' : '[');
  for (std::int64_t id : ids) {
    if (out.size() > 1) out += ',';
    out += std::to_string(id);
  }
  out += pg ? '}' : ']';
  return out;
}

core::Result<std::unique_ptr<Database>> open_database(const OpenOptions& options) {
  if (options.url.rfind("postgres://", 0) == 0 || options.url.rfind("postgresql://", 0) == 0) {
    return pg::open_pg(options);
  }
  return sqlite::open_sqlite(options);
}

}  // namespace yunwei::store
