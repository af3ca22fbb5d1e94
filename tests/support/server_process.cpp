#include "support/server_process.h"

#include <fcntl.h>
#include <libpq-fe.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <random>

namespace yunwei::testing {

const char* backend_name(TestBackend b) {
  return b == TestBackend::kSqlite ? "sqlite" : "postgres";
}

std::string test_pg_url() {
  const char* v = std::getenv("YUNWEI_TEST_PG");
  return v ? v : "";
}

std::string yunwei_binary() { return YUNWEI_BINARY; }

namespace {

std::string unique_suffix() {
  static std::atomic<int> counter{0};
  std::random_device rd;
  return std::to_string(getpid()) + "_" + std::to_string(counter++) + "_" +
         std::to_string(rd() % 100000);
}

bool pg_exec(const std::string& url, const std::string& sql) {
  PGconn* c = PQconnectdb(url.c_str());
  bool ok = PQstatus(c) == CONNECTION_OK;
  if (ok) {
    PGresult* r = PQexec(c, sql.c_str());
    ok = PQresultStatus(r) == PGRES_COMMAND_OK;
    PQclear(r);
  }
  PQfinish(c);
  return ok;
}

std::string with_database(const std::string& url, const std::string& db) {
  size_t q = url.find('?');
  std::string base = url.substr(0, q);
  std::string params = q == std::string::npos ? "" : url.substr(q);
  size_t slash = base.rfind('/');
  if (slash == std::string::npos || slash < base.find("://") + 3) return base + "/" + db + params;
  return base.substr(0, slash + 1) + db + params;
}

}  // namespace

TempPgDatabase::TempPgDatabase() {
  std::string admin = test_pg_url();
  if (admin.empty()) return;
  name_ = "yw_test_" + unique_suffix();
  if (pg_exec(admin, "CREATE DATABASE " + name_)) url_ = with_database(admin, name_);
}

TempPgDatabase::~TempPgDatabase() {
  if (!url_.empty()) pg_exec(test_pg_url(), "DROP DATABASE IF EXISTS " + name_ + " WITH (FORCE)");
}

TempDir::TempDir() {
  std::string tmpl = (std::filesystem::temp_directory_path() / "yunwei-test-XXXXXX").string();
  char* p = mkdtemp(tmpl.data());
  path_ = p ? p : "";
}

TempDir::~TempDir() {
  std::error_code ec;
  if (!path_.empty()) std::filesystem::remove_all(path_, ec);
}

std::unique_ptr<ServerProcess> ServerProcess::start(const Options& o, std::string* error) {
  auto set_error = [&](const std::string& e) {
    if (error) *error = e;
  };
  std::unique_ptr<ServerProcess> p(new ServerProcess());
  p->data_dir_ = std::make_unique<TempDir>();
  std::vector<std::string> args = {
      yunwei_binary(),      "serve",           "--listen", "127.0.0.1:0", "--data-dir",
      p->data_dir_->path(), "--password-cost", "minimum",  "--log-level", "warn"};
  if (o.backend == TestBackend::kPostgres) {
    p->pg_ = std::make_unique<TempPgDatabase>();
    if (p->pg_->url().empty()) {
      set_error("cannot create a PostgreSQL test database (YUNWEI_TEST_PG=" + test_pg_url() + ")");
      return nullptr;
    }
    p->db_url_ = p->pg_->url();
    args.push_back("--db");
    args.push_back(p->db_url_);
    args.push_back("--db-pool");
    args.push_back("4");
  }
  args.insert(args.end(), o.extra_args.begin(), o.extra_args.end());

  int out_pipe[2];
  if (pipe2(out_pipe, O_CLOEXEC) != 0) return nullptr;
  pid_t pid = fork();
  if (pid == 0) {
    dup2(out_pipe[1], STDOUT_FILENO);
    for (const std::string& e : o.env) putenv(const_cast<char*>(e.c_str()));
    std::vector<char*> argv;
    for (auto& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    execv(argv[0], argv.data());
    _exit(127);
  }
  ::close(out_pipe[1]);
  p->pid_ = pid;
  p->out_fd_ = out_pipe[0];
  // Read until the listening line (and the admin password printed with it) has arrived.
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  std::string seen;
  while (std::chrono::steady_clock::now() < deadline) {
    pollfd pfd{p->out_fd_, POLLIN, 0};
    if (poll(&pfd, 1, 100) > 0) {
      char buf[4096];
      ssize_t n = read(p->out_fd_, buf, sizeof buf);
      if (n <= 0) break;
      seen.append(buf, static_cast<size_t>(n));
    }
    size_t at = seen.find("listening on http://127.0.0.1:");
    if (at != std::string::npos && seen.find('\n', at) != std::string::npos) {
      p->port_ = std::atoi(seen.c_str() + at + std::strlen("listening on http://127.0.0.1:"));
      // The admin block is printed in the same write as the listening line.
      size_t pw = seen.find("password: ");
      if (pw != std::string::npos) {
        size_t e = seen.find('\n', pw);
        p->admin_password_ = seen.substr(pw + 10, e - pw - 10);
      }
      break;
    }
    int status;
    if (waitpid(pid, &status, WNOHANG) == pid) {
      p->pid_ = -1;
      set_error("server exited early: " + seen);
      return nullptr;
    }
  }
  if (p->port_ == 0) {
    set_error("server did not start listening: " + seen);
    return nullptr;
  }
  p->out_ = seen;
  ServerProcess* raw = p.get();
  p->drain_ = std::thread([raw] {
    char buf[8192];
    while (true) {
      ssize_t n = read(raw->out_fd_, buf, sizeof buf);
      if (n <= 0) break;
      std::lock_guard lock(raw->mu_);
      if (raw->out_.size() < 4 * 1024 * 1024) raw->out_.append(buf, static_cast<size_t>(n));
    }
  });
  return p;
}

ServerProcess::~ServerProcess() {
  if (pid_ > 0) stop(SIGKILL, 5000);
  if (drain_.joinable()) drain_.join();
  if (out_fd_ >= 0) ::close(out_fd_);
}

bool ServerProcess::running() {
  if (pid_ <= 0) return false;
  int status;
  return waitpid(pid_, &status, WNOHANG) == 0;
}

int ServerProcess::stop(int sig, int timeout_ms) {
  if (pid_ <= 0) return -1;
  kill(pid_, sig);
  auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
  while (std::chrono::steady_clock::now() < deadline) {
    int status;
    pid_t r = waitpid(pid_, &status, WNOHANG);
    if (r == pid_) {
      pid_ = -1;
      if (WIFEXITED(status)) return WEXITSTATUS(status);
      if (WIFSIGNALED(status)) return 128 + WTERMSIG(status);
      return -1;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return -1;
}

std::string ServerProcess::output() {
  std::lock_guard lock(mu_);
  return out_;
}

std::string ServerProcess::admin_token() {
  HttpClient c(port_);
  nlohmann::json login = {{"username", "admin"}, {"password", admin_password_}};
  HttpResponse r = c.request("POST", "/api/v1/auth/login", login.dump());
  if (r.status != 200) return "";
  std::string cookie = r.header("set-cookie");
  cookie = cookie.substr(0, cookie.find(';'));
  std::string csrf = nlohmann::json::parse(r.body)["csrf_token"];
  HttpResponse t = c.request("POST", "/api/v1/me/tokens", R"({"name":"test"})",
                             {"Cookie: " + cookie, "X-CSRF-Token: " + csrf});
  if (t.status != 201) return "";
  return nlohmann::json::parse(t.body)["token"];
}

}  // namespace yunwei::testing
