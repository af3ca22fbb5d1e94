#pragma once

#include <memory>
#include <mutex>
#include <ostream>
#include <string>
#include <thread>
#include <vector>

#include "support/http_client.h"

namespace yunwei::testing {

enum class TestBackend { kSqlite, kPostgres };
const char* backend_name(TestBackend b);
inline void PrintTo(TestBackend b, std::ostream* os) { *os << backend_name(b); }

// The PostgreSQL URL tests may use (YUNWEI_TEST_PG), or "" when PostgreSQL tests are off.
std::string test_pg_url();

// A fresh, empty PostgreSQL database for one test; dropped on destruction.
class TempPgDatabase {
 public:
  TempPgDatabase();  // requires test_pg_url(); url() is "" on failure
  ~TempPgDatabase();
  const std::string& url() const { return url_; }

 private:
  std::string name_, url_;
};

// A temporary directory, removed with its contents on destruction.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

// Runs the real `yunwei serve` binary on a free loopback port with a temporary data directory
// (SQLite) or a fresh PostgreSQL database, and the fast password cost.
class ServerProcess {
 public:
  struct Options {
    TestBackend backend = TestBackend::kSqlite;
    std::vector<std::string> extra_args;
    std::vector<std::string> env;  // "NAME=value"
  };
  // Starts and waits until it listens; nullptr (with the reason in `error`) on failure.
  static std::unique_ptr<ServerProcess> start(const Options& options, std::string* error = nullptr);
  ~ServerProcess();

  int port() const { return port_; }
  const std::string& admin_password() const { return admin_password_; }
  const std::string& db_url() const { return db_url_; }
  const std::string& data_dir() const { return data_dir_->path(); }
  pid_t pid() const { return pid_; }
  // Sends `sig` and waits up to `timeout_ms` for exit. Returns the exit code, 128+signal when
  // killed by a signal, or -1 when it did not exit in time.
  int stop(int sig = 15, int timeout_ms = 15000);
  bool running();
  // Everything the server printed on stdout so far.
  std::string output();

  // Logs in as admin and creates an API token; "" on failure.
  std::string admin_token();

 private:
  ServerProcess() = default;
  pid_t pid_ = -1;
  int port_ = 0;
  int out_fd_ = -1;
  std::string admin_password_;
  std::string db_url_;
  std::unique_ptr<TempDir> data_dir_;
  std::unique_ptr<TempPgDatabase> pg_;
  std::thread drain_;
  std::mutex mu_;
  std::string out_;
};

// Path of the built binary (set by CMake).
std::string yunwei_binary();

}  // namespace yunwei::testing
