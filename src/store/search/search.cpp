#include "store/search/search.h"

#include <algorithm>
#include <cassert>
#include <limits>
#include <map>
#include <optional>
#include <unordered_map>

#include "core/text.h"

namespace yunwei::store::search {
namespace {

constexpr const char* kWeights[] = {"1.0", "0.4", "0.2", "0.1"};
constexpr std::int64_t kRebuildBatch = 500;

bool is_identifier(std::string_view s) {
  if (s.empty()) return false;
  for (char c : s) {
    bool ok =
        (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
    if (!ok) return false;
  }
  return !(s[0] >= '0' && s[0] <= '9');
}

void check(const IndexSpec& index) {
  assert(is_identifier(index.table) && !index.columns.empty());
  for ([[maybe_unused]] const std::string& c : index.columns) assert(is_identifier(c));
}

std::string column_list(const IndexSpec& index, std::string_view prefix = {}) {
  std::string out;
  for (const std::string& c : index.columns) {
    if (!out.empty()) out += ", ";
    out += prefix;
    out += c;
  }
  return out;
}

// Relevance on SQLite, higher is better (fts5.cpp's yunwei_rank, with the column weights).
std::string rank(const IndexSpec& index) {
  std::string out = "yunwei_rank(" + index.table;
  for (std::size_t k = 0; k < index.columns.size(); ++k) {
    out += ", ";
    out += kWeights[std::min<std::size_t>(k, 3)];
  }
  return out + ")";
}

// Valid UTF-8 without NUL bytes (PostgreSQL rejects both).
std::string clean(std::string_view s) {
  if (core::valid_utf8(s) && s.find('\0') == std::string_view::npos) return std::string(s);
  std::string out;
  out.reserve(s.size());
  std::size_t i = 0;
  while (i < s.size()) {
    std::size_t n = 1;
    auto c = static_cast<unsigned char>(s[i]);
    if (c >= 0xF0) {
      n = 4;
    } else if (c >= 0xE0) {
      n = 3;
    } else if (c >= 0xC0) {
      n = 2;
    }
    std::string_view ch = s.substr(i, n);
    if (c != 0 && ch.size() == n && core::valid_utf8(ch)) {
      out += ch;
      i += n;
    } else {
      ++i;
    }
  }
  return out;
}

std::vector<std::string> clean_fields(const IndexSpec& index,
                                      const std::vector<std::string_view>& fields) {
  std::vector<std::string> out(index.columns.size());
  for (std::size_t k = 0; k < out.size() && k < fields.size(); ++k) out[k] = clean(fields[k]);
  return out;
}

core::Status run(Tx& tx, const Statement& st) {
  auto r = tx.exec(st.sql, st.params);
  if (!r.ok()) return std::move(r).error();
  return {};
}

// Queued index changes (SQLite): fields as "<byte length>:<bytes>" one after another, NULL
// for a removal.
constexpr const char* kQueueInsert =
    "INSERT INTO search_queue (index_table, doc_id, fields) VALUES (?, ?, ?)";

std::string encode_fields(const std::vector<std::string>& fields) {
  std::string out;
  for (const std::string& f : fields) {
    out += std::to_string(f.size());
    out += ':';
    out += f;
  }
  return out;
}

// The fields of encode_fields(); stops at the first malformed length.
std::vector<std::string> decode_fields(std::string_view s) {
  std::vector<std::string> out;
  while (!s.empty()) {
    std::size_t colon = s.find(':');
    if (colon == std::string_view::npos || colon == 0 || colon > 9) break;
    std::size_t n = 0;
    bool digits = true;
    for (char c : s.substr(0, colon)) {
      if (c < '0' || c > '9') digits = false;
      n = n * 10 + static_cast<std::size_t>(c - '0');
    }
    if (!digits || n > s.size() - colon - 1) break;
    out.emplace_back(s.substr(colon + 1, n));
    s.remove_prefix(colon + 1 + n);
  }
  return out;
}

// The index `table` as the database has it (its columns in order); nullopt when it does not
// exist or is not a full-text index.
core::Result<std::optional<IndexSpec>> index_spec(Tx& tx, const std::string& table) {
  std::optional<IndexSpec> out;
  if (!is_identifier(table)) return out;
  auto sql =
      tx.query_row("SELECT sql FROM sqlite_master WHERE type = 'table' AND name = ?", {table});
  if (!sql.ok()) return std::move(sql).error();
  if (!*sql || (*sql)->str(0).find("USING fts5") == std::string::npos) return out;
  auto cols = tx.query("SELECT name FROM pragma_table_info(?) ORDER BY cid", {table});
  if (!cols.ok()) return std::move(cols).error();
  IndexSpec spec{table, {}};
  for (const Row& c : *cols) spec.columns.push_back(c.str(0));
  if (spec.columns.empty()) return out;
  out = std::move(spec);
  return out;
}

// The stored text of `ids`, by id.
core::Result<std::unordered_map<std::int64_t, std::vector<std::string>>> load_texts(
    Tx& tx, const IndexSpec& index, const std::vector<std::int64_t>& ids) {
  std::unordered_map<std::int64_t, std::vector<std::string>> out;
  if (ids.empty()) return out;
  auto add = [&](const Row& row) {
    std::vector<std::string>& fields = out[row.i64(0)];
    for (std::size_t k = 1; k < row.size(); ++k) fields.push_back(row.str(k));
  };
  if (tx.backend() == Backend::kPostgres) {
    std::string array = "{";
    for (std::int64_t id : ids) {
      if (array.size() > 1) array += ',';
      array += std::to_string(id);
    }
    array += '}';
    auto rows = tx.query("SELECT id, " + column_list(index) + " FROM " + index.table +
                             " WHERE id = ANY(?::bigint[])",
                         {array});
    if (!rows.ok()) return std::move(rows).error();
    for (const Row& row : *rows) add(row);
    return out;
  }
  // Point lookups by rowid: cheap in-process, and one cached statement for any number of ids.
  std::string sql =
      "SELECT rowid, " + column_list(index) + " FROM " + index.table + " WHERE rowid = ?";
  for (std::int64_t id : ids) {
    auto rows = tx.query(sql, {id});
    if (!rows.ok()) return std::move(rows).error();
    for (const Row& row : *rows) add(row);
  }
  return out;
}

}  // namespace

std::string create_index_sql(Backend backend, const IndexSpec& index) {
  check(index);
  if (backend == Backend::kSqlite) {
    return "CREATE VIRTUAL TABLE " + index.table + " USING fts5(" + column_list(index) +
           ", tokenize='yunwei')";
  }
  std::string sql = "CREATE TABLE " + index.table + " (id BIGINT PRIMARY KEY";
  for (const std::string& c : index.columns) sql += ", " + c + " TEXT NOT NULL DEFAULT ''";
  sql += ", search_vector TSVECTOR NOT NULL);\nCREATE INDEX " + index.table + "_search ON " +
         index.table + " USING GIN (search_vector)";
  return sql;
}

Statement upsert_statement(Backend backend, const IndexSpec& index, std::int64_t id,
                           const std::vector<std::string_view>& fields) {
  check(index);
  std::vector<std::string> text = clean_fields(index, fields);
  Statement st;
  st.params.emplace_back(id);
  std::string marks;
  for (std::string& t : text) {
    marks += ", ?";
    st.params.emplace_back(std::move(t));
  }
  if (backend == Backend::kSqlite) {
    // FTS5 handles REPLACE by deleting the old row first.
    st.sql = "INSERT OR REPLACE INTO " + index.table + " (rowid, " + column_list(index) +
             ") VALUES (?" + marks + ")";
    return st;
  }
  std::vector<std::string_view> views;
  for (std::size_t k = 1; k < st.params.size(); ++k) {
    views.push_back(std::get<std::string>(st.params[k]));
  }
  st.params.emplace_back(to_tsvector(views));
  st.sql = "INSERT INTO " + index.table + " (id, " + column_list(index) +
           ", search_vector) VALUES (?" + marks + ", ?::tsvector) ON CONFLICT (id) DO UPDATE SET ";
  for (const std::string& c : index.columns) st.sql += c + " = excluded." + c + ", ";
  st.sql += "search_vector = excluded.search_vector";
  return st;
}

Statement delete_statement(Backend backend, const IndexSpec& index, std::int64_t id) {
  check(index);
  std::string key = backend == Backend::kSqlite ? "rowid" : "id";
  return {"DELETE FROM " + index.table + " WHERE " + key + " = ?", {id}};
}

core::Status index_document(Tx& tx, const IndexSpec& index, std::int64_t id,
                            const std::vector<std::string_view>& fields) {
  if (tx.backend() == Backend::kSqlite) {
    check(index);
    auto r = tx.exec(kQueueInsert, {index.table, id, encode_fields(clean_fields(index, fields))});
    if (!r.ok()) return std::move(r).error();
    tx.index_queued(1);
    return {};
  }
  return run(tx, upsert_statement(tx.backend(), index, id, fields));
}

core::Status remove_document(Tx& tx, const IndexSpec& index, std::int64_t id) {
  if (tx.backend() == Backend::kSqlite) {
    check(index);
    auto r = tx.exec(kQueueInsert, {index.table, id, nullptr});
    if (!r.ok()) return std::move(r).error();
    tx.index_queued(1);
    return {};
  }
  return run(tx, delete_statement(tx.backend(), index, id));
}

core::Result<Applied> apply_queued(Tx& tx, int limit) {
  Applied out;
  if (tx.backend() != Backend::kSqlite || limit <= 0) return out;
  // Before the migration that creates it (a fresh database) there is nothing to apply.
  auto exists =
      tx.query_row("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'search_queue'");
  if (!exists.ok()) return std::move(exists).error();
  if (!*exists) return out;
  auto rows =
      tx.query("SELECT id, index_table, doc_id, fields FROM search_queue ORDER BY id LIMIT ?",
               {std::int64_t{limit} + 1});
  if (!rows.ok()) return std::move(rows).error();
  if (rows->empty()) return out;
  out.more = static_cast<int>(rows->size()) > limit;
  if (out.more) rows->pop_back();
  // Only the last change of each document counts.
  std::map<std::pair<std::string, std::int64_t>, std::size_t> last;
  for (std::size_t k = 0; k < rows->size(); ++k) last[{(*rows)[k].str(1), (*rows)[k].i64(2)}] = k;
  std::map<std::string, std::optional<IndexSpec>> specs;
  for (std::size_t k = 0; k < rows->size(); ++k) {
    const Row& row = (*rows)[k];
    std::string table = row.str(1);
    std::int64_t doc = row.i64(2);
    if (last[{table, doc}] != k) continue;
    auto spec = specs.find(table);
    if (spec == specs.end()) {
      auto loaded = index_spec(tx, table);
      if (!loaded.ok()) return std::move(loaded).error();
      spec = specs.emplace(table, std::move(loaded).value()).first;
    }
    if (!spec->second) continue;  // the index was dropped since: nothing to update
    if (row.is_null(3)) {
      if (auto st = run(tx, delete_statement(Backend::kSqlite, *spec->second, doc)); !st.ok())
        return st.error();
    } else {
      std::vector<std::string> fields = decode_fields(row.str(3));
      std::vector<std::string_view> views(fields.begin(), fields.end());
      if (auto st = run(tx, upsert_statement(Backend::kSqlite, *spec->second, doc, views));
          !st.ok())
        return st.error();
    }
    ++out.applied;
  }
  auto del = tx.exec("DELETE FROM search_queue WHERE id <= ?", {rows->back().i64(0)});
  if (!del.ok()) return std::move(del).error();
  return out;
}

core::Status rebuild_index(Tx& tx, const IndexSpec& index) {
  check(index);
  if (tx.backend() == Backend::kSqlite) {
    return run(tx,
               {"INSERT INTO " + index.table + " (" + index.table + ") VALUES ('rebuild')", {}});
  }
  std::string select = "SELECT id, " + column_list(index) + " FROM " + index.table +
                       " WHERE id > ? ORDER BY id LIMIT ?";
  std::string update = "UPDATE " + index.table + " SET search_vector = ?::tsvector WHERE id = ?";
  std::int64_t after = std::numeric_limits<std::int64_t>::min();
  while (true) {
    auto rows = tx.query(select, {after, kRebuildBatch});
    if (!rows.ok()) return std::move(rows).error();
    for (const Row& row : *rows) {
      std::vector<std::string> text;
      std::vector<std::string_view> views;
      for (std::size_t k = 1; k < row.size(); ++k) text.push_back(row.str(k));
      for (const std::string& t : text) views.push_back(t);
      after = row.i64(0);
      if (auto st = run(tx, {update, {to_tsvector(views), after}}); !st.ok()) return st;
    }
    if (static_cast<std::int64_t>(rows->size()) < kRebuildBatch) return {};
  }
}

Match match(Backend backend, const IndexSpec& index, const Query& query, std::string_view id_sql) {
  check(index);
  Match m;
  const std::string& t = index.table;
  m.doc_id_sql = t + (backend == Backend::kSqlite ? ".rowid" : ".id");
  m.join_sql = " JOIN " + t + " ON " + m.doc_id_sql + " = " + std::string(id_sql);
  if (query.empty()) {
    m.where_sql = "1 = 0";
    m.score_sql = "0.0";
    return m;
  }
  if (backend == Backend::kSqlite) {
    m.where_sql = t + " MATCH ?";
    m.where_params.emplace_back(to_fts5_match(query));
    m.score_sql = rank(index);
  } else {
    std::string q = to_tsquery(query);
    m.where_sql = t + ".search_vector @@ ?::tsquery";
    m.where_params.emplace_back(q);
    // Normalisation 1: divide by 1 + log(document length), so long documents do not win on
    // sheer repetition.
    m.score_sql = "ts_rank(" + t + ".search_vector, ?::tsquery, 1)";
    m.score_params.emplace_back(std::move(q));
  }
  return m;
}

core::Result<std::vector<SearchHit>> search(Tx& tx, const IndexSpec& index, const Query& query,
                                            const SearchOptions& options) {
  check(index);
  std::vector<SearchHit> hits;
  if (query.empty() || options.limit <= 0) return hits;
  const std::string& t = index.table;
  std::string sql;
  Params params;
  auto limit = static_cast<std::int64_t>(options.limit);
  auto cap = static_cast<std::int64_t>(options.max_candidates);
  if (tx.backend() == Backend::kSqlite) {
    std::string score = rank(index);
    if (cap > 0) {
      // FTS5 walks matches in rowid order itself, so only `cap` rows are scored.
      sql = "SELECT id, score FROM (SELECT rowid AS id, " + score + " AS score FROM " + t +
            " WHERE " + t + " MATCH ? ORDER BY rowid DESC LIMIT ?) ORDER BY score DESC, id DESC" +
            " LIMIT ?";
      params = {to_fts5_match(query), cap, limit};
    } else {
      sql = "SELECT rowid, " + score + " AS score FROM " + t + " WHERE " + t +
            " MATCH ? ORDER BY score DESC, rowid DESC LIMIT ?";
      params = {to_fts5_match(query), limit};
    }
  } else {
    std::string q = to_tsquery(query);
    if (cap > 0) {
      sql =
          "SELECT id, ts_rank(v, ?::tsquery, 1) AS score FROM (SELECT id, search_vector AS v"
          " FROM " +
          t +
          " WHERE search_vector @@ ?::tsquery ORDER BY id DESC LIMIT ?) c"
          " ORDER BY score DESC, id DESC LIMIT ?";
      params = {q, q, cap, limit};
    } else {
      sql = "SELECT id, ts_rank(search_vector, ?::tsquery, 1) AS score FROM " + t +
            " WHERE search_vector @@ ?::tsquery ORDER BY score DESC, id DESC LIMIT ?";
      params = {q, q, limit};
    }
  }
  auto rows = tx.query(sql, params);
  if (!rows.ok()) return std::move(rows).error();
  std::vector<std::int64_t> ids;
  for (const Row& row : *rows) {
    hits.push_back({row.i64(0), row.f64(1), {}});
    ids.push_back(row.i64(0));
  }
  auto texts = load_texts(tx, index, ids);
  if (!texts.ok()) return std::move(texts).error();
  for (SearchHit& h : hits) {
    auto it = texts->find(h.id);
    if (it == texts->end()) continue;
    const std::vector<std::string>& fields = it->second;
    auto f = static_cast<std::size_t>(options.snippet_field);
    if (options.snippet_field >= 0 && f < fields.size()) {
      h.snippet = snippet(query, fields[f], options.snippet);
    } else {
      std::vector<std::string_view> views(fields.begin(), fields.end());
      h.snippet = best_snippet(query, views, options.snippet);
    }
  }
  return hits;
}

}  // namespace yunwei::store::search
