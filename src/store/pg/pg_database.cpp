#include "store/pg/pg_database.h"

#include <libpq-fe.h>

#include <atomic>
#include <charconv>
#include <chrono>
#include <condition_variable>
#include <cstring>
#include <mutex>
#include <unordered_map>
#include <vector>

namespace yunwei::store::pg {
namespace {

using core::Error;
using core::ErrorCode;

// Type OIDs from pg_type.h (not installed by libpq-dev).
constexpr Oid kBoolOid = 16, kInt8Oid = 20, kInt2Oid = 21, kInt4Oid = 23, kFloat4Oid = 700,
              kFloat8Oid = 701, kNumericOid = 1700;

Error result_error(PGresult* res, PGconn* conn, std::string_view what) {
  const char* state = res ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : nullptr;
  std::string msg =
      std::string(what) + ": " + (res ? PQresultErrorMessage(res) : PQerrorMessage(conn));
  while (!msg.empty() && (msg.back() == '\n' || msg.back() == ' ')) msg.pop_back();
  std::string code = state ? state : "";
  if (code == "23505") return Error{ErrorCode::kConflict, "duplicate value: " + msg};
  if (code == "23503")
    return Error{ErrorCode::kInvalidArgument, "reference to a missing record: " + msg};
  if (code.rfind("23", 0) == 0)
    return Error{ErrorCode::kInvalidArgument, "constraint failed: " + msg};
  if (code == "40001" || code == "40P01")
    return Error{ErrorCode::kConflict, "concurrent update, retry: " + msg};
  if (code.rfind("08", 0) == 0 || code.rfind("57", 0) == 0 || code == "53300" ||
      PQstatus(conn) != CONNECTION_OK) {
    return Error{ErrorCode::kUnavailable, msg};
  }
  return Error{ErrorCode::kInternal, msg};
}

struct ResultPtr {
  PGresult* r;
  ~ResultPtr() {
    if (r) PQclear(r);
  }
};

class Connection {
 public:
  ~Connection() {
    if (conn_) PQfinish(conn_);
  }

  core::Status open(const std::string& url) {
    conn_ = PQconnectdb(url.c_str());
    if (PQstatus(conn_) != CONNECTION_OK) {
      std::string msg = PQerrorMessage(conn_);
      while (!msg.empty() && msg.back() == '\n') msg.pop_back();
      return Error{ErrorCode::kUnavailable, "cannot connect to " + redact_url(url) + ": " + msg};
    }
    // Without client_min_messages, libpq prints NOTICEs ("relation ... already exists,
    // skipping" on every migration check) to stderr.
    return exec_script(
        "SET client_encoding = 'UTF8'; SET TIME ZONE 'UTC'; SET client_min_messages = WARNING");
  }

  bool healthy() const { return conn_ && PQstatus(conn_) == CONNECTION_OK; }
  void reset() {
    PQreset(conn_);
    prepared_.clear();
  }

  core::Status exec_script(std::string_view sql) {
    ResultPtr res{PQexec(conn_, std::string(sql).c_str())};
    auto st = PQresultStatus(res.r);
    if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK) return result_error(res.r, conn_, "exec");
    return {};
  }

  core::Result<std::int64_t> run(std::string_view sql, const Params& params, Rows* rows) {
    std::string key(sql);
    auto it = prepared_.find(key);
    if (it == prepared_.end()) {
      // Appended, not `"s" + to_string()`: GCC 12 -O3 reports a false -Wrestrict on that.
      std::string name = "s";
      name += std::to_string(prepared_.size() + 1);
      std::vector<Oid> types(params.size(), 0);
      for (size_t i = 0; i < params.size(); ++i) {
        if (std::holds_alternative<std::int64_t>(params[i])) types[i] = kInt8Oid;
        if (std::holds_alternative<double>(params[i])) types[i] = kFloat8Oid;
      }
      std::string text = rewrite_placeholders(sql);
      ResultPtr res{PQprepare(conn_, name.c_str(), text.c_str(), static_cast<int>(params.size()),
                              types.data())};
      if (PQresultStatus(res.r) != PGRES_COMMAND_OK) return result_error(res.r, conn_, "prepare");
      it = prepared_.emplace(std::move(key), std::move(name)).first;
    }
    std::vector<std::string> storage(params.size());
    std::vector<const char*> values(params.size(), nullptr);
    for (size_t i = 0; i < params.size(); ++i) {
      const Value& v = params[i];
      if (auto p = std::get_if<std::int64_t>(&v)) {
        storage[i] = std::to_string(*p);
      } else if (auto d = std::get_if<double>(&v)) {
        char buf[64];
        auto r = std::to_chars(buf, buf + sizeof buf, *d);
        storage[i].assign(buf, r.ptr);
      } else if (auto s = std::get_if<std::string>(&v)) {
        storage[i] = *s;
      } else {
        continue;  // NULL
      }
      values[i] = storage[i].c_str();
    }
    ResultPtr res{PQexecPrepared(conn_, it->second.c_str(), static_cast<int>(params.size()),
                                 values.data(), nullptr, nullptr, 0)};
    auto st = PQresultStatus(res.r);
    if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK) return result_error(res.r, conn_, "query");
    if (rows && st == PGRES_TUPLES_OK) {
      int n = PQntuples(res.r), nf = PQnfields(res.r);
      rows->reserve(static_cast<size_t>(n));
      for (int r = 0; r < n; ++r) {
        std::vector<Value> cols;
        cols.reserve(static_cast<size_t>(nf));
        for (int c = 0; c < nf; ++c) {
          if (PQgetisnull(res.r, r, c)) {
            cols.emplace_back(nullptr);
            continue;
          }
          const char* text = PQgetvalue(res.r, r, c);
          int len = PQgetlength(res.r, r, c);
          switch (PQftype(res.r, c)) {
            case kInt8Oid:
            case kInt4Oid:
            case kInt2Oid: {
              std::int64_t x = 0;
              std::from_chars(text, text + len, x);
              cols.emplace_back(x);
              break;
            }
            case kFloat4Oid:
            case kFloat8Oid:
            case kNumericOid:
              cols.emplace_back(std::strtod(text, nullptr));
              break;
            case kBoolOid:
              cols.emplace_back(static_cast<std::int64_t>(text[0] == 't' ? 1 : 0));
              break;
            default:
              cols.emplace_back(std::string(text, static_cast<size_t>(len)));
          }
        }
        rows->emplace_back(std::move(cols));
      }
    }
    const char* affected = PQcmdTuples(res.r);
    std::int64_t n = 0;
    if (affected && *affected) std::from_chars(affected, affected + std::strlen(affected), n);
    return n;
  }

 private:
  PGconn* conn_ = nullptr;
  std::unordered_map<std::string, std::string> prepared_;
};

class PgTx final : public Tx {
 public:
  explicit PgTx(Connection& c) : c_(c) {}
  Backend backend() const override { return Backend::kPostgres; }
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

 private:
  Connection& c_;
};

class PgDatabase final : public Database {
 public:
  explicit PgDatabase(std::string url) : url_(std::move(url)) {}

  core::Status open(const OpenOptions& o) {
    for (int i = 0; i < std::max(1, o.pg_pool_size); ++i) {
      auto c = std::make_unique<Connection>();
      if (auto st = c->open(url_); !st.ok()) return st;
      idle_.push_back(c.get());
      all_.push_back(std::move(c));
    }
    return {};
  }

  Backend backend() const override { return Backend::kPostgres; }

  core::Status write(const std::function<core::Status(Tx&)>& fn) override {
    Lease lease(*this);
    if (auto st = lease.c->exec_script("BEGIN"); !st.ok()) return st;
    PgTx tx(*lease.c);
    core::Status st = fn(tx);
    if (st.ok()) {
      st = lease.c->exec_script("COMMIT");
      if (st.ok()) {
        ++commits_;
        return st;
      }
    }
    (void)lease.c->exec_script("ROLLBACK");
    ++rollbacks_;
    return st;
  }

  // Reads run in autocommit mode: one round trip per statement.
  core::Status read(const std::function<core::Status(Tx&)>& fn) override {
    Lease lease(*this);
    PgTx tx(*lease.c);
    return fn(tx);
  }

  PoolStats stats() const override {
    std::lock_guard lock(mu_);
    PoolStats s;
    s.connections = static_cast<int>(all_.size());
    s.in_use = static_cast<int>(all_.size() - idle_.size());
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

  std::string describe() const override { return redact_url(url_); }

 private:
  // Borrows a connection; reconnects a broken one before lending it.
  struct Lease {
    explicit Lease(PgDatabase& d) : db(d) {
      std::unique_lock lock(db.mu_);
      if (db.idle_.empty()) {
        ++db.waits_;
        db.cv_.wait(lock, [&] { return !db.idle_.empty(); });
      }
      c = db.idle_.back();
      db.idle_.pop_back();
      lock.unlock();
      if (!c->healthy()) c->reset();
    }
    ~Lease() {
      {
        std::lock_guard lock(db.mu_);
        db.idle_.push_back(c);
      }
      db.cv_.notify_one();
    }
    PgDatabase& db;
    Connection* c;
  };

  std::string url_;
  mutable std::mutex mu_;
  std::condition_variable cv_;
  std::vector<std::unique_ptr<Connection>> all_;
  std::vector<Connection*> idle_;
  std::int64_t waits_ = 0;
  std::atomic<std::int64_t> commits_{0}, rollbacks_{0};
};

}  // namespace

std::string rewrite_placeholders(std::string_view sql) {
  std::string out;
  out.reserve(sql.size() + 16);
  int n = 0;
  char quote = 0;
  for (char c : sql) {
    if (quote) {
      if (c == quote) quote = 0;
      out += c;
    } else if (c == '\'' || c == '"') {
      quote = c;
      out += c;
    } else if (c == '?') {
      out += '$';
      out += std::to_string(++n);
    } else {
      out += c;
    }
  }
  return out;
}

std::string redact_url(std::string_view url) {
  size_t scheme = url.find("://");
  size_t at = url.find('@');
  if (scheme == std::string_view::npos || at == std::string_view::npos || at < scheme) {
    return std::string(url.substr(0, url.find('?')));
  }
  std::string_view userinfo = url.substr(scheme + 3, at - scheme - 3);
  std::string_view user = userinfo.substr(0, userinfo.find(':'));
  std::string rest(url.substr(at));
  rest = rest.substr(0, rest.find('?'));
  return std::string(url.substr(0, scheme + 3)) + std::string(user) + rest;
}

core::Result<std::unique_ptr<Database>> open_pg(const OpenOptions& options) {
  auto db = std::make_unique<PgDatabase>(options.url);
  if (auto st = db->open(options); !st.ok()) return std::move(st).error();
  return std::unique_ptr<Database>(std::move(db));
}

}  // namespace yunwei::store::pg
