#include "store/sqlite/sqlite_database.h"

#include <pthread.h>
#include <spdlog/spdlog.h>
#include <sqlite3.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <string>
#include <thread>
#include <unordered_map>
#include <vector>

#include "store/search/fts5.h"
#include "store/search/search.h"

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
  // The first column of the first row as an integer (0 when there is no row).
  core::Result<std::int64_t> query_int(std::string_view sql) {
    Rows rows;
    auto r = run(sql, {}, &rows);
    if (!r.ok()) return std::move(r).error();
    return rows.empty() ? 0 : rows.front().i64(0);
  }

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
  void index_queued(int n) override {
    if (queued_) *queued_ += n;
  }
  // Where index_queued() counts (the running command's job); null: nowhere.
  void count_queued_into(int* counter) { queued_ = counter; }

 private:
  Connection& c_;
  int* queued_ = nullptr;
};

class SqliteDatabase final : public Database {
 public:
  explicit SqliteDatabase(std::string path) : path_(std::move(path)) {}
  ~SqliteDatabase() override {
    if (writer_thread_.joinable()) {
      {
        std::lock_guard lock(queue_mu_);
        writer_stopping_ = true;
      }
      queue_cv_.notify_all();
      writer_thread_.join();
    }
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
    checkpointer_ = std::thread([this] {
      pthread_setname_np(pthread_self(), "yw-checkpoint");
      checkpoint_loop();
    });
    writer_thread_ = std::thread([this] {
      pthread_setname_np(pthread_self(), "yw-sqlite-write");
      writer_loop();
    });
    for (int i = 0; i < std::max(1, o.sqlite_readers); ++i) {
      auto c = std::make_unique<Connection>();
      if (auto st = c->open(path_, false, o.busy_timeout_ms); !st.ok()) return st;
      idle_readers_.push_back(c.get());
      readers_.push_back(std::move(c));
    }
    return {};
  }

  Backend backend() const override { return Backend::kSqlite; }

  // Group commit: callers queue their command and sleep; one writer thread takes everything
  // queued, runs it in one transaction (each command inside its own savepoint, so a failing
  // command is undone alone), commits once and wakes each caller with its result. Every caller
  // still gets "one command = one transaction" semantics: a command's effects are visible to
  // readers only after the COMMIT that carried it, and a failed COMMIT fails every command of
  // the batch. A dedicated thread (rather than a caller taking the lead) never hands the
  // writer role over, so the next batch starts without waiting for another thread to wake.
  core::Status write(const std::function<core::Status(Tx&)>& fn) override {
    return submit(fn, false);
  }

  core::Status sync_search() override {
    if (index_pending_.load() == 0) return {};
    return submit(
        [](Tx& tx) -> core::Status {
          while (true) {
            auto r = search::apply_queued(tx, kIndexApplyLimit);
            if (!r.ok()) return std::move(r).error();
            if (!r->more) return {};
          }
        },
        true);
  }

  // Queues `fn` for the writer thread and waits for its result. `applies_index`: fn applies
  // queued index changes (the writer recounts what is left after it commits).
  core::Status submit(const std::function<core::Status(Tx&)>& fn, bool applies_index) {
    WriteJob job{&fn, applies_index};
    bool wake = false;
    {
      std::lock_guard lock(queue_mu_);
      queue_.push_back(&job);
      wake = writer_idle_;
    }
    if (wake) queue_cv_.notify_one();
    std::unique_lock lock(job.mu);
    job.cv.wait(lock, [&] { return job.done; });
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
  // A queued command. It lives on the caller's stack: the writer sets `done` and notifies
  // while holding `mu`, so the caller cannot return (and destroy it) before the writer is done
  // with it.
  struct WriteJob {
    const std::function<core::Status(Tx&)>* fn;
    bool applies_index = false;
    core::Status status;
    bool done = false;
    int queued = 0;  // index changes the command queued (Tx::index_queued)
    std::mutex mu;
    std::condition_variable cv;
  };

  // Takes batches off the queue until the destructor asks it to stop. Queued index changes
  // are applied by an extra command at the end of a batch once kIndexBatch are pending or the
  // oldest has waited kIndexDelay (then without waiting for other commands), and before
  // exiting.
  void writer_loop() {
    const std::function<core::Status(Tx&)> apply = [](Tx& tx) -> core::Status {
      auto r = search::apply_queued(tx, kIndexApplyLimit);
      if (!r.ok()) return std::move(r).error();
      return {};
    };
    std::vector<WriteJob*> batch;
    bool applied_before_stop = false;
    std::unique_lock lock(queue_mu_);
    while (true) {
      auto now = std::chrono::steady_clock::now();
      std::int64_t pending = index_pending_.load();
      bool index_due = pending > 0 &&
                       (now >= index_due_at_ || (pending >= kIndexBatch && now >= index_retry_at_));
      if (queue_.empty() && !index_due) {
        if (writer_stopping_) {
          if (index_pending_.load() == 0 || applied_before_stop) break;
          applied_before_stop = true;  // one more batch applies what it can, then stop
          index_due_at_ = now;
          continue;
        }
        writer_idle_ = true;
        auto more = [&] { return !queue_.empty() || writer_stopping_; };
        if (index_pending_.load() > 0) {
          queue_cv_.wait_until(lock, index_due_at_, more);
        } else {
          queue_cv_.wait(lock, more);
        }
        writer_idle_ = false;
        continue;
      }
      size_t n = std::min(queue_.size(), kMaxBatch);
      batch.assign(queue_.begin(), queue_.begin() + static_cast<std::ptrdiff_t>(n));
      queue_.erase(queue_.begin(), queue_.begin() + static_cast<std::ptrdiff_t>(n));
      lock.unlock();
      WriteJob apply_job{&apply, true};
      if (index_due) batch.push_back(&apply_job);
      run_batch(batch);
      after_batch(batch);
      for (WriteJob* j : batch) {
        if (j == &apply_job) continue;
        std::lock_guard done_lock(j->mu);
        j->done = true;
        j->cv.notify_one();
      }
      lock.lock();
    }
  }

  // Keeps index_pending_ (changes committed but not applied) and index_due_at_ current after
  // a batch.
  void after_batch(const std::vector<WriteJob*>& batch) {
    bool applied = false, failed = false;
    std::int64_t queued = 0;
    for (const WriteJob* j : batch) {
      if (!j->status.ok()) {
        if (j->applies_index) {
          failed = true;
          spdlog::warn("applying queued full-text index changes failed (retried in {} s): {}",
                       kIndexRetry.count(), j->status.error().message);
        }
        continue;
      }
      queued += j->queued;
      applied = applied || j->applies_index;
    }
    auto now = std::chrono::steady_clock::now();
    std::int64_t before = index_pending_.load(), pending = before + queued;
    if (applied) {
      // What is left (none when there is no queue: a database not migrated yet).
      auto left = writer_->query_int("SELECT count(*) FROM search_queue");
      pending = left.ok() ? left.value() : 0;
    }
    if (failed) {
      index_due_at_ = index_retry_at_ = now + kIndexRetry;
      pending = std::max<std::int64_t>(pending, 1);
    } else if (pending > 0 && (before == 0 || applied)) {
      index_due_at_ = now + kIndexDelay;
    }
    index_pending_.store(pending);
  }

  static constexpr std::int64_t kIndexBatch = 1000;
  static constexpr int kIndexApplyLimit = 5000;
  static constexpr std::chrono::milliseconds kIndexDelay{200};
  static constexpr std::chrono::seconds kIndexRetry{30};
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
    bool single = batch.size() == 1;  // no savepoint needed: the transaction is the command's
    size_t succeeded = 0;
    for (WriteJob* j : batch) {
      tx.count_queued_into(&j->queued);
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
      if (st.ok()) ++succeeded;
      j->status = std::move(st);
    }
    tx.count_queued_into(nullptr);
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
  bool writer_idle_ = false;      // the writer thread sleeps on queue_cv_
  bool writer_stopping_ = false;  // the destructor runs: finish the queue, then exit
  // Index changes committed but not applied yet (an estimate; 1 at start: there may be some
  // from before), when they are due at the latest, and (after a failure) when to try again.
  // The times: writer thread only.
  std::atomic<std::int64_t> index_pending_{1};
  std::chrono::steady_clock::time_point index_due_at_ = std::chrono::steady_clock::now();
  std::chrono::steady_clock::time_point index_retry_at_;  // after a failure: not before then
  std::thread writer_thread_;
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
