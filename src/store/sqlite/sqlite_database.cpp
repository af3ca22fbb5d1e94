#include "store/sqlite/sqlite_database.h"

#include <sqlite3.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <string>
#include <thread>
#include <unordered_map>
#include <vector>

#include "store/search/fts5.h"

namespace yunwei::store::sqlite {
namespace {

using core::Error;
using core::ErrorCode;

Error sqlite_error(sqlite3* db, int rc, std::string_view what) {
  int ext = db ? sqlite3_extended_errcode(db) : rc;
  std::string msg = std::string(what) + ": " + (db ? sqlite3_errmsg(db) : sqlite3_errstr(rc));
  switch (ext) {
    case SQLITE_CONSTRAINT_UNIQUE:
    case SQLITE_CONSTRAINT_PRIMARYKEY:
      return Error{ErrorCode::kConflict, "duplicate value: " + msg};
    case SQLITE_CONSTRAINT_FOREIGNKEY:
      return Error{ErrorCode::kInvalidArgument, "reference to a missing record: " + msg};
    default:
      break;
  }
  switch (rc & 0xFF) {
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
    case SQLITE_IOERR:
    case SQLITE_FULL:
    case SQLITE_CANTOPEN:
      return Error{ErrorCode::kUnavailable, msg};
    case SQLITE_CONSTRAINT:
      return Error{ErrorCode::kInvalidArgument, "constraint failed: " + msg};
    default:
      return Error{ErrorCode::kInternal, msg};
  }
}

// One sqlite3 handle with a cache of prepared statements.
class Connection {
 public:
  ~Connection() {
    for (auto& [sql, stmt] : cache_) sqlite3_finalize(stmt);
    if (db_) sqlite3_close_v2(db_);
  }

  core::Status open(const std::string& path, bool writer, int busy_timeout_ms) {
    int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX | (writer ? SQLITE_OPEN_CREATE : 0);
    int rc = sqlite3_open_v2(path.c_str(), &db_, flags, nullptr);
    if (rc != SQLITE_OK) return sqlite_error(db_, rc, "open " + path);
    sqlite3_busy_timeout(db_, busy_timeout_ms);
    sqlite3_extended_result_codes(db_, 1);
    // Full-text tables (tokenize='yunwei') need the tokenizer on every connection.
    if (auto st = search::register_fts5_tokenizer(db_); !st.ok()) return st;
    std::string pragmas =
        "PRAGMA foreign_keys=ON; PRAGMA synchronous=NORMAL; PRAGMA temp_store=MEMORY;"
        "PRAGMA cache_size=-8000;";
    if (writer) pragmas = "PRAGMA journal_mode=WAL;" + pragmas;
    if (!writer) pragmas += "PRAGMA query_only=ON;";
    return exec_script(pragmas);
  }

  core::Status exec_script(std::string_view sql) {
    char* err = nullptr;
    int rc = sqlite3_exec(db_, std::string(sql).c_str(), nullptr, nullptr, &err);
    if (rc != SQLITE_OK) {
      std::string m = err ? err : "";
      sqlite3_free(err);
      Error e = sqlite_error(db_, rc, "exec");
      if (!m.empty()) e.message += " (" + m + ")";
      return e;
    }
    return {};
  }

  core::Result<sqlite3_stmt*> prepare(std::string_view sql) {
    std::string key(sql);
    auto it = cache_.find(key);
    if (it != cache_.end()) return it->second;
    sqlite3_stmt* stmt = nullptr;
    int rc = sqlite3_prepare_v3(db_, key.data(), static_cast<int>(key.size()),
                                SQLITE_PREPARE_PERSISTENT, &stmt, nullptr);
    if (rc != SQLITE_OK) return sqlite_error(db_, rc, "prepare");
    cache_.emplace(std::move(key), stmt);
    return stmt;
  }

  // Runs one statement; collects rows when `rows` is given.
  core::Result<std::int64_t> run(std::string_view sql, const Params& params, Rows* rows) {
    auto prepared = prepare(sql);
    if (!prepared.ok()) return std::move(prepared).error();
    sqlite3_stmt* stmt = prepared.value();
    struct Reset {
      sqlite3_stmt* s;
      ~Reset() {
        sqlite3_reset(s);
        sqlite3_clear_bindings(s);
      }
    } reset{stmt};
    if (static_cast<int>(params.size()) != sqlite3_bind_parameter_count(stmt)) {
      return core::internal("parameter count mismatch for: " + std::string(sql));
    }
    for (size_t i = 0; i < params.size(); ++i) {
      int idx = static_cast<int>(i) + 1, rc = SQLITE_OK;
      const Value& v = params[i];
      if (auto p = std::get_if<std::int64_t>(&v)) {
        rc = sqlite3_bind_int64(stmt, idx, *p);
      } else if (auto d = std::get_if<double>(&v)) {
        rc = sqlite3_bind_double(stmt, idx, *d);
      } else if (auto s = std::get_if<std::string>(&v)) {
        rc = sqlite3_bind_text(stmt, idx, s->data(), static_cast<int>(s->size()), SQLITE_STATIC);
      } else {
        rc = sqlite3_bind_null(stmt, idx);
      }
      if (rc != SQLITE_OK) return sqlite_error(db_, rc, "bind");
    }
    while (true) {
      int rc = sqlite3_step(stmt);
      if (rc == SQLITE_DONE) break;
      if (rc != SQLITE_ROW) return sqlite_error(db_, rc, "step");
      if (!rows) continue;
      int n = sqlite3_column_count(stmt);
      std::vector<Value> cols;
      cols.reserve(static_cast<size_t>(n));
      for (int c = 0; c < n; ++c) {
        switch (sqlite3_column_type(stmt, c)) {
          case SQLITE_INTEGER:
            cols.emplace_back(static_cast<std::int64_t>(sqlite3_column_int64(stmt, c)));
            break;
          case SQLITE_FLOAT:
            cols.emplace_back(sqlite3_column_double(stmt, c));
            break;
          case SQLITE_NULL:
            cols.emplace_back(nullptr);
            break;
          default: {
            const auto* text = reinterpret_cast<const char*>(sqlite3_column_text(stmt, c));
            cols.emplace_back(
                std::string(text, static_cast<size_t>(sqlite3_column_bytes(stmt, c))));
          }
        }
      }
      rows->emplace_back(std::move(cols));
    }
    return static_cast<std::int64_t>(sqlite3_changes(db_));
  }

  // A parameterless statement through the statement cache (BEGIN, COMMIT, ROLLBACK).
  core::Status simple(std::string_view sql) {
    auto r = run(sql, {}, nullptr);
    if (!r.ok()) return std::move(r).error();
    return {};
  }

  sqlite3* handle() { return db_; }

 private:
  sqlite3* db_ = nullptr;
  std::unordered_map<std::string, sqlite3_stmt*> cache_;
};

class SqliteTx final : public Tx {
 public:
  explicit SqliteTx(Connection& c) : c_(c) {}
  Backend backend() const override { return Backend::kSqlite; }
  core::Result<Rows> query(std::string_view sql, const Params& params) override {
    Rows rows;
    auto r = c_.run(sql, params, &rows);
    if (!r.ok()) return std::move(r).error();
    return rows;
  }
  core::Result<std::int64_t> exec(std::string_view sql, const Params& params) override {
    return c_.run(sql, params, nullptr);
  }
  core::Status exec_script(std::string_view sql) override { return c_.exec_script(sql); }
  core::Status defer(std::string_view sql, const Params& params) override {
    if (!deferred_) return Tx::defer(sql, params);
    deferred_->emplace_back(std::string(sql), params);
    return {};
  }
  // Where defer() collects statements (the group commit runs them); null: run them at once.
  void collect_deferred(std::vector<std::pair<std::string, Params>>* into) { deferred_ = into; }

 private:
  Connection& c_;
  std::vector<std::pair<std::string, Params>>* deferred_ = nullptr;
};

class SqliteDatabase final : public Database {
 public:
  explicit SqliteDatabase(std::string path) : path_(std::move(path)) {}
  ~SqliteDatabase() override {
    if (checkpointer_.joinable()) {
      {
        std::lock_guard lock(checkpoint_mu_);
        stopping_ = true;
      }
      checkpoint_cv_.notify_all();
      checkpointer_.join();
    }
  }

  core::Status open(const OpenOptions& o) {
    writer_ = std::make_unique<Connection>();
    if (auto st = writer_->open(path_, true, o.busy_timeout_ms); !st.ok()) return st;
    // Checkpoints run on their own connection and thread (PASSIVE: they never block the writer
    // or readers), so the writer never stalls copying the WAL back and fsyncing the database.
    checkpoint_conn_ = std::make_unique<Connection>();
    if (auto st = checkpoint_conn_->open(path_, true, o.busy_timeout_ms); !st.ok()) return st;
    sqlite3_wal_hook(writer_->handle(), &SqliteDatabase::on_wal_commit, this);
    checkpointer_ = std::thread([this] { checkpoint_loop(); });
    for (int i = 0; i < std::max(1, o.sqlite_readers); ++i) {
      auto c = std::make_unique<Connection>();
      if (auto st = c->open(path_, false, o.busy_timeout_ms); !st.ok()) return st;
      idle_readers_.push_back(c.get());
      readers_.push_back(std::move(c));
    }
    return {};
  }

  Backend backend() const override { return Backend::kSqlite; }

  // Group commit: callers queue their command; whoever finds no batch running becomes the
  // leader, runs every queued command in one transaction (each inside its own savepoint, so a
  // failing command is undone alone) and commits once. The others wait for their result.
  // Every caller still gets "one command = one transaction" semantics: a command's effects are
  // visible to readers only after the COMMIT that carried it, and a failed COMMIT fails every
  // command of the batch.
  core::Status write(const std::function<core::Status(Tx&)>& fn) override {
    WriteJob job{&fn, {}, false};
    std::unique_lock lock(queue_mu_);
    queue_.push_back(&job);
    while (!job.done) {
      if (leader_active_) {
        queue_cv_.wait(lock);
        continue;
      }
      leader_active_ = true;
      std::vector<WriteJob*> batch;
      size_t n = std::min(queue_.size(), kMaxBatch);
      batch.assign(queue_.begin(), queue_.begin() + static_cast<std::ptrdiff_t>(n));
      queue_.erase(queue_.begin(), queue_.begin() + static_cast<std::ptrdiff_t>(n));
      lock.unlock();
      run_batch(batch);
      lock.lock();
      for (WriteJob* j : batch) j->done = true;
      leader_active_ = false;
      queue_cv_.notify_all();
    }
    return std::move(job.status);
  }

  core::Status read(const std::function<core::Status(Tx&)>& fn) override {
    Connection* c = acquire_reader();
    struct Release {
      SqliteDatabase* self;
      Connection* c;
      ~Release() { self->release_reader(c); }
    } release{this, c};
    if (auto st = c->simple("BEGIN"); !st.ok()) return st;
    SqliteTx tx(*c);
    core::Status st = fn(tx);
    (void)c->simple(st.ok() ? "COMMIT" : "ROLLBACK");
    return st;
  }

  PoolStats stats() const override {
    PoolStats s;
    std::lock_guard lock(pool_mu_);
    s.connections = static_cast<int>(readers_.size()) + 1;
    s.in_use = static_cast<int>(readers_.size() - idle_readers_.size()) + (writer_busy_ ? 1 : 0);
    s.waits = waits_;
    s.commits = commits_;
    s.rollbacks = rollbacks_;
    return s;
  }

  core::Status ping() override {
    return read([](Tx& tx) -> core::Status {
      auto r = tx.query("SELECT 1");
      if (!r.ok()) return std::move(r).error();
      return {};
    });
  }

  std::string describe() const override { return "sqlite:" + path_; }

 private:
  struct WriteJob {
    const std::function<core::Status(Tx&)>* fn;
    core::Status status;
    bool done;
  };
  static constexpr size_t kMaxBatch = 256;

  // Runs `batch` in one transaction on the writer connection; sets each job's status.
  void run_batch(const std::vector<WriteJob*>& batch) {
    writer_busy_ = true;
    if (auto st = writer_->simple("BEGIN IMMEDIATE"); !st.ok()) {
      for (WriteJob* j : batch) j->status = st;
      rollbacks_ += static_cast<std::int64_t>(batch.size());
      writer_busy_ = false;
      return;
    }
    SqliteTx tx(*writer_);
    std::vector<std::pair<std::string, Params>> deferred;
    tx.collect_deferred(&deferred);
    bool single = batch.size() == 1;  // no savepoint needed: the transaction is the command's
    size_t succeeded = 0;
    for (WriteJob* j : batch) {
      size_t deferred_before = deferred.size();
      if (!single) {
        if (auto st = writer_->simple("SAVEPOINT cmd"); !st.ok()) {
          j->status = st;
          continue;
        }
      }
      core::Status st;
      try {
        st = (*j->fn)(tx);
      } catch (const std::exception& e) {
        st = core::internal(std::string("write command threw: ") + e.what());
      } catch (...) {
        st = core::internal("write command threw");
      }
      if (!single) {
        if (!st.ok()) (void)writer_->simple("ROLLBACK TO cmd");
        (void)writer_->simple("RELEASE cmd");
      }
      if (st.ok()) {
        ++succeeded;
      } else {
        deferred.resize(deferred_before);  // rolled back with its command
      }
      j->status = std::move(st);
    }
    // The successful commands' deferred statements, in order, outside any savepoint. One
    // failing fails the whole batch (it cannot be undone for its command alone any more).
    for (const auto& [sql, params] : deferred) {
      if (succeeded == 0) break;
      auto r = writer_->run(sql, params, nullptr);
      if (!r.ok()) {
        for (WriteJob* j : batch) {
          if (j->status.ok()) j->status = r.error();
        }
        succeeded = 0;
      }
    }
    core::Status commit;
    if (succeeded == 0) {
      commit = writer_->simple("ROLLBACK");
    } else {
      commit = writer_->simple("COMMIT");
      if (!commit.ok()) {
        if (!sqlite3_get_autocommit(writer_->handle())) (void)writer_->simple("ROLLBACK");
        for (WriteJob* j : batch) {
          if (j->status.ok()) j->status = commit;
        }
        succeeded = 0;
      }
    }
    commits_ += static_cast<std::int64_t>(succeeded);
    rollbacks_ += static_cast<std::int64_t>(batch.size() - succeeded);
    writer_busy_ = false;
  }

  // After each commit on the writer: wake the checkpointer when the WAL holds enough pages.
  static int on_wal_commit(void* self, sqlite3*, const char*, int pages) {
    auto* db = static_cast<SqliteDatabase*>(self);
    if (pages >= kCheckpointPages) {
      db->checkpoint_due_.store(true);
      db->checkpoint_cv_.notify_one();
    }
    return SQLITE_OK;
  }

  void checkpoint_loop() {
    std::unique_lock lock(checkpoint_mu_);
    while (!stopping_) {
      checkpoint_cv_.wait_for(lock, std::chrono::seconds(5),
                              [&] { return stopping_ || checkpoint_due_.load(); });
      if (stopping_) break;
      checkpoint_due_ = false;
      lock.unlock();
      int log = 0, done = 0;
      (void)sqlite3_wal_checkpoint_v2(checkpoint_conn_->handle(), nullptr,
                                      SQLITE_CHECKPOINT_PASSIVE, &log, &done);
      lock.lock();
    }
  }
  static constexpr int kCheckpointPages = 1000;  // SQLite's own autocheckpoint threshold

  Connection* acquire_reader() {
    std::unique_lock lock(pool_mu_);
    if (idle_readers_.empty()) {
      ++waits_;
      pool_cv_.wait(lock, [&] { return !idle_readers_.empty(); });
    }
    Connection* c = idle_readers_.back();
    idle_readers_.pop_back();
    return c;
  }

  void release_reader(Connection* c) {
    {
      std::lock_guard lock(pool_mu_);
      idle_readers_.push_back(c);
    }
    pool_cv_.notify_one();
  }

  std::string path_;
  std::mutex queue_mu_;
  std::condition_variable queue_cv_;
  std::vector<WriteJob*> queue_;
  bool leader_active_ = false;
  std::unique_ptr<Connection> writer_;
  std::atomic<bool> writer_busy_{false};
  mutable std::mutex pool_mu_;
  std::condition_variable pool_cv_;
  std::vector<std::unique_ptr<Connection>> readers_;
  std::vector<Connection*> idle_readers_;
  std::int64_t waits_ = 0;
  std::atomic<std::int64_t> commits_{0}, rollbacks_{0};
  std::unique_ptr<Connection> checkpoint_conn_;
  std::thread checkpointer_;
  std::mutex checkpoint_mu_;
  std::condition_variable checkpoint_cv_;
  std::atomic<bool> checkpoint_due_{false};
  bool stopping_ = false;
};

}  // namespace

core::Result<std::unique_ptr<Database>> open_sqlite(const OpenOptions& options) {
  std::string path = options.url;
  if (path.rfind("sqlite:", 0) == 0) path = path.substr(7);
  auto db = std::make_unique<SqliteDatabase>(path);
  if (auto st = db->open(options); !st.ok()) return std::move(st).error();
  return std::unique_ptr<Database>(std::move(db));
}

}  // namespace yunwei::store::sqlite
