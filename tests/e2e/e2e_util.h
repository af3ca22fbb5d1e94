#pragma once
// Shared by the e2e tests: one real server per fixture and backend, JSON request helpers,
// and running the binary as a child process.

#include <fcntl.h>
#include <gtest/gtest.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "support/server_process.h"

extern char** environ;

namespace yunwei::testing {

using nlohmann::json;

// ---------------------------------------------------------------------------------------------
// HTTP helpers

inline std::string bearer(const std::string& token) { return "Authorization: Bearer " + token; }

// The body as JSON; a discarded value when it is not JSON.
inline json parse_body(const HttpResponse& r) { return json::parse(r.body, nullptr, false); }

// Percent-encodes a query-string value.
inline std::string url_encode(const std::string& s) {
  static const char* kHex = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : s) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += kHex[c >> 4];
      out += kHex[c & 0xF];
    }
  }
  return out;
}

// Checks the error envelope {"error":{"code","message"[,"field"]}}; returns "" when it holds,
// else what is wrong (for a test message).
inline std::string error_shape_problem(const HttpResponse& r) {
  if (r.header("content-type").find("application/json") == std::string::npos) {
    return "content-type is '" + r.header("content-type") + "'";
  }
  json j = parse_body(r);
  if (j.is_discarded()) return "body is not JSON: " + r.body;
  if (!j.is_object() || !j.contains("error") || !j["error"].is_object())
    return "no error object: " + r.body;
  const json& e = j["error"];
  if (!e.contains("code") || !e["code"].is_string() || e["code"].get<std::string>().empty()) {
    return "error.code missing: " + r.body;
  }
  if (!e.contains("message") || !e["message"].is_string() ||
      e["message"].get<std::string>().empty()) {
    return "error.message missing: " + r.body;
  }
  if (e.contains("field") && !e["field"].is_string())
    return "error.field is not a string: " + r.body;
  return "";
}

inline std::string error_code(const HttpResponse& r) {
  json j = parse_body(r);
  if (j.is_discarded() || !j.is_object() || !j.contains("error")) return "";
  return j["error"].value("code", "");
}

inline std::string error_field(const HttpResponse& r) {
  json j = parse_body(r);
  if (j.is_discarded() || !j.is_object() || !j.contains("error")) return "";
  return j["error"].value("field", "");
}

// A browser-like session: the session cookie plus its CSRF token.
struct Session {
  std::string cookie;  // "yw_session=..."
  std::string csrf;
  json user;
  std::vector<std::string> headers() const {
    return {"Cookie: " + cookie, "X-CSRF-Token: " + csrf};
  }
  std::vector<std::string> cookie_only() const { return {"Cookie: " + cookie}; }
};

inline HttpResponse post_login(int port, const std::string& username, const std::string& password) {
  HttpClient c(port);
  json body = {{"username", username}, {"password", password}};
  return c.request("POST", "/api/v1/auth/login", body.dump());
}

// Logs in; nullopt (with a test failure) when the login is refused.
inline std::optional<Session> login(int port, const std::string& username,
                                    const std::string& password) {
  HttpResponse r = post_login(port, username, password);
  if (r.status != 200) {
    ADD_FAILURE() << "login of " << username << " failed: " << r.status << " " << r.body;
    return std::nullopt;
  }
  Session s;
  std::string cookie = r.header("set-cookie");
  s.cookie = cookie.substr(0, cookie.find(';'));
  json j = parse_body(r);
  s.csrf = j.value("csrf_token", "");
  s.user = j["user"];
  return s;
}

// Logs in and creates an API token; "" (with a test failure) on failure.
inline std::string login_token(int port, const std::string& username, const std::string& password) {
  auto s = login(port, username, password);
  if (!s) return "";
  HttpClient c(port);
  HttpResponse t = c.request("POST", "/api/v1/me/tokens", R"({"name":"e2e"})", s->headers());
  if (t.status != 201) {
    ADD_FAILURE() << "token for " << username << ": " << t.status << " " << t.body;
    return "";
  }
  return parse_body(t)["token"];
}

inline const char* kUserPassword = "Correct-Horse-9";

// Unique names per test process, so tests sharing a server never collide.
inline std::string unique_name(const std::string& prefix) {
  static std::atomic<int> n{0};
  return prefix + std::to_string(getpid() % 10000) + "-" + std::to_string(++n);
}

// Creates a user through the API (as the holder of `admin_token`); the created user, or a
// discarded value (with a test failure).
inline json create_user(int port, const std::string& admin_token, const std::string& username,
                        const std::vector<std::string>& roles, const std::string& display_name = "",
                        const std::vector<std::string>& extra_headers = {}) {
  HttpClient c(port);
  json body = {{"username", username},
               {"display_name", display_name.empty() ? username : display_name},
               {"email", username + "@example.com"},
               {"password", kUserPassword},
               {"roles", roles}};
  std::vector<std::string> headers = {bearer(admin_token)};
  headers.insert(headers.end(), extra_headers.begin(), extra_headers.end());
  HttpResponse r = c.request("POST", "/api/v1/users", body.dump(), headers);
  if (r.status != 201) {
    ADD_FAILURE() << "create user " << username << ": " << r.status << " " << r.body;
    return json(json::value_t::discarded);
  }
  return parse_body(r);
}

// GET returning the parsed body; a discarded value (with a test failure) unless 200.
inline json get_json(int port, const std::string& target, const std::string& token) {
  HttpClient c(port);
  HttpResponse r = c.request("GET", target, "", {bearer(token)});
  if (r.status != 200) {
    ADD_FAILURE() << "GET " << target << ": " << r.status << " " << r.body;
    return json(json::value_t::discarded);
  }
  return parse_body(r);
}

// ---------------------------------------------------------------------------------------------
// One server per fixture and backend, shared by the fixture's tests.

struct SharedServer {
  std::unique_ptr<ServerProcess> server;
  std::string admin_token;
  std::string error;
};

class SharedServerTest : public ::testing::TestWithParam<TestBackend> {
 public:
  static void TearDownTestSuite() { servers().clear(); }

 protected:
  void SetUp() override {
    if (GetParam() == TestBackend::kPostgres && test_pg_url().empty()) {
      GTEST_SKIP() << "YUNWEI_TEST_PG is not set";
    }
    std::vector<std::string> args = server_args();
    std::string key = std::string(backend_name(GetParam()));
    for (const std::string& a : args) key += " " + a;
    SharedServer& s = servers()[key];
    if (!s.server || !s.server->running()) {
      s = SharedServer{};
      s.server = ServerProcess::start({GetParam(), args, {}}, &s.error);
      if (s.server) s.admin_token = s.server->admin_token();
    }
    ASSERT_TRUE(s.server) << s.error;
    ASSERT_FALSE(s.admin_token.empty()) << "cannot get an admin token";
    server_ = s.server.get();
    admin_token_ = s.admin_token;
    port_ = server_->port();
  }

  // Extra `serve` flags of the fixture's server (servers are shared per backend and flags).
  virtual std::vector<std::string> server_args() const { return {}; }

  static std::map<std::string, SharedServer>& servers() {
    static std::map<std::string, SharedServer> m;
    return m;
  }

  ServerProcess* server_ = nullptr;
  std::string admin_token_;
  int port_ = 0;
};

#define YUNWEI_INSTANTIATE_BACKENDS(Fixture)                                                \
  INSTANTIATE_TEST_SUITE_P(Backends, Fixture,                                               \
                           ::testing::Values(TestBackend::kSqlite, TestBackend::kPostgres), \
                           [](const auto& p) { return std::string(backend_name(p.param)); })

// ---------------------------------------------------------------------------------------------
// Running the binary.

struct RunResult {
  int exit_code = -1;  // 128+signal when killed; -1 on a timeout
  std::string out, err;
};

// A child process of the yunwei binary with piped stdin, stdout and stderr. YUNWEI_* variables
// of the test's own environment are not passed on; `env` ("NAME=value") is added.
class Child {
 public:
  Child(const std::vector<std::string>& args, const std::vector<std::string>& env = {}) {
    int in[2], out[2], err[2];
    if (pipe2(in, O_CLOEXEC) != 0 || pipe2(out, O_CLOEXEC) != 0 || pipe2(err, O_CLOEXEC) != 0)
      return;
    std::vector<std::string> argv_s = {yunwei_binary()};
    argv_s.insert(argv_s.end(), args.begin(), args.end());
    std::vector<std::string> env_s;
    for (char** e = environ; *e; ++e) {
      if (std::strncmp(*e, "YUNWEI_", 7) != 0) env_s.emplace_back(*e);
    }
    env_s.insert(env_s.end(), env.begin(), env.end());
    pid_ = fork();
    if (pid_ == 0) {
      dup2(in[0], STDIN_FILENO);
      dup2(out[1], STDOUT_FILENO);
      dup2(err[1], STDERR_FILENO);
      std::vector<char*> argv, envp;
      for (auto& a : argv_s) argv.push_back(a.data());
      argv.push_back(nullptr);
      for (auto& e : env_s) envp.push_back(e.data());
      envp.push_back(nullptr);
      execve(argv[0], argv.data(), envp.data());
      _exit(127);
    }
    ::close(in[0]);
    ::close(out[1]);
    ::close(err[1]);
    in_ = in[1];
    out_ = out[0];
    err_ = err[0];
  }
  ~Child() {
    if (pid_ > 0) {
      kill(pid_, SIGKILL);
      waitpid(pid_, nullptr, 0);
    }
    for (int fd : {in_, out_, err_}) {
      if (fd >= 0) ::close(fd);
    }
  }
  Child(const Child&) = delete;
  Child& operator=(const Child&) = delete;

  bool started() const { return pid_ > 0; }

  void write_stdin(const std::string& s) {
    if (in_ >= 0 && !s.empty()) (void)!::write(in_, s.data(), s.size());
  }
  void close_stdin() {
    if (in_ >= 0) ::close(in_);
    in_ = -1;
  }

  // Reads output until stdout holds `needle` followed by a newline; false on exit or timeout.
  bool wait_for_stdout(const std::string& needle, std::chrono::milliseconds timeout) {
    auto deadline = std::chrono::steady_clock::now() + timeout;
    while (std::chrono::steady_clock::now() < deadline) {
      size_t at = out_text_.find(needle);
      if (at != std::string::npos && out_text_.find('\n', at) != std::string::npos) return true;
      if (!pump(100)) return false;
    }
    return false;
  }

  // Waits for the exit (sending `sig` first unless 0); kills it after `timeout`.
  RunResult finish(int sig, std::chrono::milliseconds timeout) {
    close_stdin();
    RunResult r;
    if (pid_ <= 0) return r;
    if (sig != 0) kill(pid_, sig);
    auto deadline = std::chrono::steady_clock::now() + timeout;
    int status = 0;
    bool timed_out = false;
    while (true) {
      if (waitpid(pid_, &status, WNOHANG) == pid_) break;
      if (std::chrono::steady_clock::now() > deadline) {
        kill(pid_, SIGKILL);
        waitpid(pid_, &status, 0);
        timed_out = true;
        break;
      }
      if (!pump(50)) std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    pid_ = -1;
    for (int i = 0; i < 10000 && pump(20); ++i) {
    }
    if (timed_out) {
      r.exit_code = -1;
    } else if (WIFEXITED(status)) {
      r.exit_code = WEXITSTATUS(status);
    } else if (WIFSIGNALED(status)) {
      r.exit_code = 128 + WTERMSIG(status);
    }
    r.out = out_text_;
    r.err = err_text_;
    return r;
  }

  const std::string& stdout_text() const { return out_text_; }

 private:
  // Reads what is available within `ms`; false once both pipes are closed.
  bool pump(int ms) {
    pollfd fds[2] = {{out_, POLLIN, 0}, {err_, POLLIN, 0}};
    int nfds = 0;
    pollfd live[2];
    for (auto& f : fds) {
      if (f.fd >= 0) live[nfds++] = f;
    }
    if (nfds == 0) return false;
    if (poll(live, static_cast<nfds_t>(nfds), ms) <= 0) return true;
    for (int i = 0; i < nfds; ++i) {
      if (!(live[i].revents & (POLLIN | POLLHUP | POLLERR))) continue;
      char buf[8192];
      ssize_t n = ::read(live[i].fd, buf, sizeof buf);
      bool is_out = live[i].fd == out_;
      if (n <= 0) {
        ::close(live[i].fd);
        (is_out ? out_ : err_) = -1;
      } else {
        (is_out ? out_text_ : err_text_).append(buf, static_cast<size_t>(n));
      }
    }
    return true;
  }

  pid_t pid_ = -1;
  int in_ = -1, out_ = -1, err_ = -1;
  std::string out_text_, err_text_;
};

// Runs `yunwei args...` to completion (killed after `timeout`).
inline RunResult run_yunwei(const std::vector<std::string>& args,
                            const std::vector<std::string>& env = {},
                            const std::string& stdin_text = "",
                            std::chrono::milliseconds timeout = std::chrono::seconds(30)) {
  Child c(args, env);
  if (!c.started()) return {};
  c.write_stdin(stdin_text);
  return c.finish(0, timeout);
}

struct RouteInfo {
  std::string method, path, access;
};

// Every route of the binary, from `yunwei routes --json`.
inline std::vector<RouteInfo> live_routes() {
  RunResult r = run_yunwei({"routes", "--json"});
  std::vector<RouteInfo> out;
  EXPECT_EQ(r.exit_code, 0) << r.err;
  size_t pos = 0;
  while (pos < r.out.size()) {
    size_t e = r.out.find('\n', pos);
    std::string line = r.out.substr(pos, e == std::string::npos ? std::string::npos : e - pos);
    pos = e == std::string::npos ? r.out.size() : e + 1;
    if (line.empty()) continue;
    json j = json::parse(line, nullptr, false);
    if (j.is_discarded()) {
      ADD_FAILURE() << "routes --json printed a line that is not JSON: " << line;
      continue;
    }
    out.push_back({j.value("method", ""), j.value("path", ""), j.value("access", "")});
  }
  EXPECT_GT(out.size(), 10u) << "routes --json listed too few routes: " << r.out;
  return out;
}

inline bool is_write_method(const std::string& m) {
  return m != "GET" && m != "HEAD" && m != "OPTIONS";
}

inline std::string replace_all(std::string s, const std::string& from, const std::string& to) {
  for (size_t p = s.find(from); p != std::string::npos; p = s.find(from, p + to.size())) {
    s.replace(p, from.size(), to);
  }
  return s;
}

inline void write_file(const std::string& path, const std::string& text) {
  std::ofstream f(path, std::ios::binary);
  f << text;
}

}  // namespace yunwei::testing
