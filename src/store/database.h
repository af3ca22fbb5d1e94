#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "core/result.h"

namespace yunwei::store {

enum class Backend { kSqlite, kPostgres };

// A bound SQL value. Booleans are stored as 0/1 integers on both backends.
using Value = std::variant<std::nullptr_t, std::int64_t, double, std::string>;
using Params = std::vector<Value>;

// One result row; columns by position in the SELECT list.
class Row {
 public:
  explicit Row(std::vector<Value> cols) : cols_(std::move(cols)) {}
  size_t size() const { return cols_.size(); }
  bool is_null(size_t i) const { return std::holds_alternative<std::nullptr_t>(cols_.at(i)); }
  // Integer value; 0 for NULL. Converts text/real columns that hold numbers.
  std::int64_t i64(size_t i) const;
  double f64(size_t i) const;
  // Text value; "" for NULL, decimal text for numbers.
  std::string str(size_t i) const;
  std::optional<std::string> opt_str(size_t i) const;
  std::optional<std::int64_t> opt_i64(size_t i) const;
  const Value& at(size_t i) const { return cols_.at(i); }

 private:
  std::vector<Value> cols_;
};
using Rows = std::vector<Row>;

// Appends the placeholders of an IN list, "?, ?, ?", for ids[from, to) to `sql` and the ids to
// `params`: "... WHERE id IN (" + placeholders + ")".
void append_in_list(std::string& sql, Params& params, const std::vector<std::int64_t>& ids,
                    std::size_t from = 0, std::size_t to = static_cast<std::size_t>(-1));

// A transaction on one connection. Not thread-safe; lives only inside Database::write/read.
// SQL uses `?` placeholders on every backend; every value is bound, never spliced.
class Tx {
 public:
  virtual ~Tx() = default;
  virtual Backend backend() const = 0;
  // Runs one statement and returns its rows (empty for statements without a result).
  // Unique-key violations give kConflict, foreign-key violations kInvalidArgument,
  // a busy or lost database kUnavailable.
  virtual core::Result<Rows> query(std::string_view sql, const Params& params = {}) = 0;
  // Runs one statement; returns the number of rows it changed.
  virtual core::Result<std::int64_t> exec(std::string_view sql, const Params& params = {}) = 0;
  // Runs several `;`-separated statements without parameters (migrations).
  virtual core::Status exec_script(std::string_view sql) = 0;
  // Notes that the running command queued `n` full-text index changes (store/search/search.h)
  // for the database to apply once it has committed. Only SQLite queues them.
  virtual void index_queued(int n) { (void)n; }

  // The first row, or nullopt when there is none.
  core::Result<std::optional<Row>> query_row(std::string_view sql, const Params& params = {});
  // SQL for "haystack contains needle" (case-sensitive; bind needle after). SQLite 3.40's LIKE
  // misses two-character CJK needles, so this uses instr()/strpos().
  std::string contains_sql(std::string_view column) const;
  // SQL for "column is one of a set of ids" with the whole set bound as one value (any number
  // of ids, one cached statement): bind in_ids_value(ids) after.
  std::string in_ids_sql(std::string_view column) const;
  Value in_ids_value(const std::vector<std::int64_t>& ids) const;
};

struct PoolStats {
  int connections = 0;         // open connections (writer + readers for SQLite)
  int in_use = 0;              // connections lent out right now
  std::int64_t waits = 0;      // times a caller had to wait for a connection
  std::int64_t commits = 0;    // write transactions committed
  std::int64_t rollbacks = 0;  // write transactions rolled back
};

// A database: SQLite (one writer connection, a pool of readers, WAL) or PostgreSQL (a pool).
// Thread-safe. `write` serialises writers on SQLite; on PostgreSQL they run concurrently.
class Database {
 public:
  virtual ~Database() = default;
  virtual Backend backend() const = 0;
  // Runs fn in one read-write transaction: commit when fn returns ok, else roll back and
  // return fn's error. A failing COMMIT is returned as an error too.
  virtual core::Status write(const std::function<core::Status(Tx&)>& fn) = 0;
  // Runs fn on a read connection; fn must not write.
  virtual core::Status read(const std::function<core::Status(Tx&)>& fn) = 0;
  virtual PoolStats stats() const = 0;
  // Cheap liveness check (SELECT 1).
  virtual core::Status ping() = 0;
  // Applies every committed full-text index change still queued, so that a search opened
  // afterwards sees every write committed before the call (see store/search/search.h).
  // PostgreSQL indexes in each writer's transaction: nothing to do.
  virtual core::Status sync_search() { return {}; }
  // Human-readable description without secrets ("sqlite:/path", "postgres://host/db").
  virtual std::string describe() const = 0;
};

// write/read returning a value.
template <class T, class F>
core::Result<T> write_tx(Database& db, F&& fn) {
  std::optional<T> out;
  core::Status st = db.write([&](Tx& tx) -> core::Status {
    core::Result<T> r = fn(tx);
    if (!r.ok()) return std::move(r).error();
    out.emplace(std::move(r).value());
    return {};
  });
  if (!st.ok()) return std::move(st).error();
  return std::move(*out);
}

template <class T, class F>
core::Result<T> read_tx(Database& db, F&& fn) {
  std::optional<T> out;
  core::Status st = db.read([&](Tx& tx) -> core::Status {
    core::Result<T> r = fn(tx);
    if (!r.ok()) return std::move(r).error();
    out.emplace(std::move(r).value());
    return {};
  });
  if (!st.ok()) return std::move(st).error();
  return std::move(*out);
}

struct OpenOptions {
  // "postgres://..." / "postgresql://..." for PostgreSQL; otherwise a SQLite file path.
  std::string url;
  int sqlite_readers = 4;
  int pg_pool_size = 8;
  int busy_timeout_ms = 5000;
};

// Opens (creating a SQLite file if needed) without migrating.
core::Result<std::unique_ptr<Database>> open_database(const OpenOptions& options);

}  // namespace yunwei::store
