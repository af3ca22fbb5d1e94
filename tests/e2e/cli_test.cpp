// The command line of the real binary: help, exit codes, settings precedence, migrations and
// the admin commands working on the same database as a running server.
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <filesystem>
#include <iostream>
#include <optional>
#include <regex>
#include <set>

#include "e2e/e2e_util.h"

namespace yunwei::testing {
namespace {

using std::chrono::seconds;

int count_lines(const std::string& s) {
  int n = 0;
  for (char c : s) n += c == '\n';
  return n;
}

// ---------------------------------------------------------------------------------------------
// Help, version and bad arguments

TEST(Cli, PrintsHelpAndVersionAndExitsZero) {
  for (const std::vector<std::string>& args :
       std::vector<std::vector<std::string>>{{"--help"},
                                             {"serve", "--help"},
                                             {"migrate", "--help"},
                                             {"admin", "--help"},
                                             {"admin", "create-user", "--help"},
                                             {"routes", "--help"}}) {
    RunResult r = run_yunwei(args);
    std::string what = args[0] + (args.size() > 1 ? " " + args[1] : "");
    EXPECT_EQ(r.exit_code, 0) << what << ": " << r.err;
    EXPECT_NE(r.out.find("Usage"), std::string::npos) << what << ": " << r.out;
  }
  EXPECT_NE(run_yunwei({"--help"}).out.find("serve"), std::string::npos);
  EXPECT_NE(run_yunwei({"serve", "--help"}).out.find("--listen"), std::string::npos);
  EXPECT_NE(run_yunwei({"migrate", "--help"}).out.find("--dry-run"), std::string::npos);
  std::string admin = run_yunwei({"admin", "--help"}).out;
  for (const char* sub : {"create-user", "reset-password", "create-token"}) {
    EXPECT_NE(admin.find(sub), std::string::npos) << sub;
  }

  RunResult v = run_yunwei({"version"});
  EXPECT_EQ(v.exit_code, 0);
  EXPECT_TRUE(std::regex_search(v.out, std::regex(R"(^yunwei \S+ \(commit \S+\)\n$)"))) << v.out;
}

TEST(Cli, ABadSettingPrintsOneLineOnStderrAndExits2) {
  TempDir dir;
  struct Bad {
    std::vector<std::string> args;
    std::string mentions;
  };
  std::vector<Bad> bad = {
      {{"serve", "--listen", "nonsense"}, "listen"},
      {{"serve", "--listen", "127.0.0.1:99999"}, "listen"},
      {{"serve", "--listen", "127.0.0.1:http"}, "listen"},
      {{"serve", "--log-level", "loud"}, "log-level"},
      {{"serve", "--db", "mysql://x"}, "db"},
      {{"serve", "--db-pool", "0"}, "db-pool"},
      {{"serve", "--db-pool", "many"}, "db-pool"},
      {{"serve", "--password-cost", "cheap"}, "password-cost"},
      {{"serve", "--max-body-bytes", "10"}, "max-body-bytes"},
      {{"migrate", "--log-level", "loud"}, "log-level"},
      {{"admin", "create-user", "--username", "x1", "--db", "sqlite://x"}, "db"},
      {{"serve", "--bogus-flag"}, "bogus-flag"},
      {{"serve", "extra-positional"}, "extra-positional"},
      {{"frobnicate"}, "subcommand"},
      {{}, "subcommand"},
      {{"admin"}, "subcommand"},
      {{"admin", "create-user"}, "username"},
      {{"routes", "--json", "--yaml"}, "yaml"},
  };
  for (Bad& b : bad) {
    std::vector<std::string> args = b.args;
    if (!args.empty() && args[0] != "routes" && args != std::vector<std::string>{"admin"} &&
        args[0] != "frobnicate") {
      args.insert(args.end(), {"--data-dir", dir.path() + "/never"});
    }
    RunResult r = run_yunwei(args, {}, "", seconds(10));
    std::string what;
    for (const std::string& a : b.args) what += a + " ";
    EXPECT_EQ(r.exit_code, 2) << what << "\nstdout: " << r.out << "\nstderr: " << r.err;
    EXPECT_EQ(count_lines(r.err), 1) << what << ": " << r.err;
    EXPECT_EQ(r.err.rfind("yunwei: ", 0), 0u) << what << ": " << r.err;
    EXPECT_NE(r.err.find(b.mentions), std::string::npos) << what << ": " << r.err;
  }
  EXPECT_FALSE(std::filesystem::exists(dir.path() + "/never"))
      << "nothing is created for a bad setting";
}

// ---------------------------------------------------------------------------------------------
// Settings precedence: flag over YUNWEI_* environment over the TOML file over the default.

struct Started {
  int exit_code = -1;
  std::string host;  // the address it listened on; "" when it did not start
  std::string out, err;
};

// Starts `yunwei serve args...`, waits for its listening line, then stops it with SIGTERM.
Started serve_once(const std::vector<std::string>& args, const std::vector<std::string>& env = {}) {
  std::vector<std::string> a = {"serve"};
  a.insert(a.end(), args.begin(), args.end());
  Child c(a, env);
  Started s;
  if (c.wait_for_stdout("listening on http://", seconds(20))) {
    std::smatch m;
    const std::string& out = c.stdout_text();
    if (std::regex_search(out, m, std::regex(R"(listening on http://([0-9.]+):([0-9]+))"))) {
      s.host = m[1];
      EXPECT_GT(std::stoi(m[2]), 0);
    }
    RunResult r = c.finish(SIGTERM, seconds(15));
    s.exit_code = r.exit_code;
    s.out = r.out;
    s.err = r.err;
  } else {
    RunResult r = c.finish(SIGKILL, seconds(5));
    s.exit_code = r.exit_code;
    s.out = r.out;
    s.err = r.err;
  }
  return s;
}

TEST(Cli, AFlagOverridesTheEnvironmentWhichOverridesTheConfigFile) {
  TempDir dir;
  std::string data = dir.path() + "/data";
  std::string config = dir.path() + "/yunwei.toml";
  write_file(config,
             "# settings for the test\nlisten = \"127.0.0.3:0\"\ndata-dir = \"" + data +
                 "\"\nlog_level = \"warn\"\npassword-cost = \"minimum\"\naccess-log = false\n");

  Started from_file = serve_once({"--config", config});
  EXPECT_EQ(from_file.host, "127.0.0.3") << from_file.out << from_file.err;
  EXPECT_EQ(from_file.exit_code, 0) << from_file.err;
  EXPECT_TRUE(std::filesystem::exists(data + "/yunwei.db")) << "data-dir came from the file";

  Started from_env = serve_once({"--config", config}, {"YUNWEI_LISTEN=127.0.0.2:0"});
  EXPECT_EQ(from_env.host, "127.0.0.2") << from_env.out << from_env.err;
  EXPECT_EQ(from_env.exit_code, 0);

  Started from_flag =
      serve_once({"--config", config, "--listen", "127.0.0.1:0"}, {"YUNWEI_LISTEN=127.0.0.2:0"});
  EXPECT_EQ(from_flag.host, "127.0.0.1") << from_flag.out << from_flag.err;
  EXPECT_EQ(from_flag.exit_code, 0);

  // The config file can also be named by YUNWEI_CONFIG.
  Started env_config = serve_once({}, {"YUNWEI_CONFIG=" + config});
  EXPECT_EQ(env_config.host, "127.0.0.3") << env_config.out << env_config.err;

  // A bad value loses to a good one from a stronger source, and wins over a weaker one.
  write_file(config, "log-level = \"loud\"\ndata-dir = \"" + data + "\"\n");
  std::vector<std::string> migrate = {"migrate", "--dry-run", "--config", config};
  RunResult file_bad = run_yunwei(migrate);
  EXPECT_EQ(file_bad.exit_code, 2) << file_bad.out;
  EXPECT_NE(file_bad.err.find("log-level"), std::string::npos) << file_bad.err;
  EXPECT_EQ(run_yunwei(migrate, {"YUNWEI_LOG_LEVEL=warn"}).exit_code, 0);
  write_file(config, "log-level = \"warn\"\ndata-dir = \"" + data + "\"\n");
  EXPECT_EQ(run_yunwei(migrate).exit_code, 0);
  EXPECT_EQ(run_yunwei(migrate, {"YUNWEI_LOG_LEVEL=loud"}).exit_code, 2);
  std::vector<std::string> with_flag = migrate;
  with_flag.insert(with_flag.end(), {"--log-level", "error"});
  EXPECT_EQ(run_yunwei(with_flag, {"YUNWEI_LOG_LEVEL=loud"}).exit_code, 0);

  // The same for where the database lives: the flag's directory is used, not the variable's.
  std::string flag_dir = dir.path() + "/flag-data", env_dir = dir.path() + "/env-data";
  RunResult migrated =
      run_yunwei({"migrate", "--data-dir", flag_dir}, {"YUNWEI_DATA_DIR=" + env_dir});
  EXPECT_EQ(migrated.exit_code, 0) << migrated.err;
  EXPECT_TRUE(std::filesystem::exists(flag_dir + "/yunwei.db"));
  EXPECT_FALSE(std::filesystem::exists(env_dir));
  RunResult by_env = run_yunwei({"migrate"}, {"YUNWEI_DATA_DIR=" + env_dir});
  EXPECT_EQ(by_env.exit_code, 0) << by_env.err;
  EXPECT_TRUE(std::filesystem::exists(env_dir + "/yunwei.db"));
}

TEST(Cli, AConfigFileWithAnUnknownKeyOrBadTomlExits2NamingIt) {
  TempDir dir;
  std::string config = dir.path() + "/yunwei.toml";
  struct Bad {
    std::string toml, mentions;
  };
  for (const Bad& b : std::vector<Bad>{{"listen = \"127.0.0.1:0\"\ncolour = \"red\"\n", "colour"},
                                       {"db-pool = \"eight\"\n", "db-pool"},
                                       {"access-log = \"yes\"\n", "access-log"},
                                       {"listen = \n", "line 1"},
                                       {"[server]\nlisten = \"127.0.0.1:0\"\n", "server"}}) {
    write_file(config, b.toml);
    RunResult r = run_yunwei({"serve", "--config", config, "--data-dir", dir.path() + "/data"});
    EXPECT_EQ(r.exit_code, 2) << b.toml << r.out;
    EXPECT_EQ(count_lines(r.err), 1) << r.err;
    EXPECT_NE(r.err.find(b.mentions), std::string::npos) << b.toml << " -> " << r.err;
  }
  RunResult missing = run_yunwei({"serve", "--config", dir.path() + "/absent.toml"});
  EXPECT_EQ(missing.exit_code, 2) << missing.err;
  EXPECT_NE(missing.err.find("absent.toml"), std::string::npos) << missing.err;
}

// ---------------------------------------------------------------------------------------------
// Migrations and the admin commands, per backend

class CliBackendTest : public ::testing::TestWithParam<TestBackend> {
 protected:
  void SetUp() override {
    if (GetParam() == TestBackend::kPostgres && test_pg_url().empty()) {
      GTEST_SKIP() << "YUNWEI_TEST_PG is not set";
    }
  }
  // `args` on a fresh database of the backend under test (created on first use).
  std::vector<std::string> with_db(std::vector<std::string> args) {
    if (GetParam() == TestBackend::kPostgres) {
      if (!pg_) pg_ = std::make_unique<TempPgDatabase>();
      EXPECT_FALSE(pg_->url().empty());
      args.insert(args.end(), {"--db", pg_->url()});
    } else {
      args.insert(args.end(), {"--data-dir", dir_.path() + "/data"});
    }
    args.insert(args.end(), {"--password-cost", "minimum"});
    return args;
  }
  TempDir dir_;
  std::unique_ptr<TempPgDatabase> pg_;
};

TEST_P(CliBackendTest, MigrateDryRunListsPendingMigrationsUntilMigrateAppliesThem) {
  RunResult dry = run_yunwei(with_db({"migrate", "--dry-run"}));
  ASSERT_EQ(dry.exit_code, 0) << dry.err;
  EXPECT_TRUE(std::regex_search(dry.out, std::regex(R"(^pending 0001 \S.*\n)"))) << dry.out;
  RunResult again = run_yunwei(with_db({"migrate", "--dry-run"}));
  EXPECT_EQ(again.out, dry.out) << "a dry run applies nothing";

  RunResult applied = run_yunwei(with_db({"migrate"}));
  ASSERT_EQ(applied.exit_code, 0) << applied.err;
  int pending = 0;
  for (size_t p = dry.out.find("pending "); p != std::string::npos;
       p = dry.out.find("pending ", p + 1))
    ++pending;
  int done = 0;
  for (size_t p = applied.out.find("applied "); p != std::string::npos;
       p = applied.out.find("applied ", p + 1))
    ++done;
  EXPECT_EQ(done, pending) << applied.out;
  EXPECT_NE(applied.out.find("applied 0001"), std::string::npos) << applied.out;

  RunResult none = run_yunwei(with_db({"migrate", "--dry-run"}));
  EXPECT_EQ(none.exit_code, 0);
  EXPECT_EQ(none.out, "no pending migrations\n");
  RunResult twice = run_yunwei(with_db({"migrate"}));
  EXPECT_EQ(twice.exit_code, 0);
  EXPECT_EQ(twice.out, "database is up to date\n");
}

TEST_P(CliBackendTest, MigrateReportsAnUnreachableDatabaseAndExits1) {
  RunResult r;
  if (GetParam() == TestBackend::kPostgres) {
    r = run_yunwei({"migrate", "--db", "postgres://nobody@127.0.0.1:1/none"});
  } else {
    std::string file = dir_.path() + "/a-file";
    write_file(file, "not a directory");
    r = run_yunwei({"migrate", "--data-dir", file + "/data"});
  }
  EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
  EXPECT_EQ(r.err.rfind("yunwei: ", 0), 0u) << r.err;
}

TEST_P(CliBackendTest, DemoLoadsThePeopleOfAnItDepartmentOnceAndTheyCanLogIn) {
  std::string err;
  auto server = ServerProcess::start({GetParam(), {}, {}}, &err);
  ASSERT_TRUE(server) << err;
  std::vector<std::string> db = GetParam() == TestBackend::kPostgres
                                    ? std::vector<std::string>{"--db", server->db_url()}
                                    : std::vector<std::string>{"--data-dir", server->data_dir()};
  std::vector<std::string> args = {"demo", "--password-cost", "minimum"};
  args.insert(args.end(), db.begin(), db.end());
  RunResult first = run_yunwei(args);
  ASSERT_EQ(first.exit_code, 0) << first.err;
  EXPECT_NE(first.out.find("30 users created"), std::string::npos) << first.out;
  RunResult again = run_yunwei(args);
  ASSERT_EQ(again.exit_code, 0) << again.err;
  EXPECT_NE(again.out.find("0 users created, 30 already there"), std::string::npos) << again.out;

  int port = server->port();
  std::string token = server->admin_token();
  ASSERT_FALSE(token.empty());
  // An agent in the service desk and a business requester log in with the demo password.
  auto agent = login(port, "zhangwei", "yunwei-demo");
  ASSERT_TRUE(agent);
  EXPECT_EQ(agent->user["display_name"], "张伟");
  auto requester = login(port, "wangxiaoming", "yunwei-demo");
  ASSERT_TRUE(requester);
  EXPECT_EQ(requester->user["roles"], json({"requester"}));
  // Every default team has members and a lead, and the second run added no duplicates.
  json teams = get_json(port, "/api/v1/teams?limit=50", token);
  ASSERT_TRUE(teams.contains("items")) << teams.dump();
  for (const json& t : teams["items"]) {
    EXPECT_FALSE(t["lead_id"].is_null()) << t["name"];
    EXPECT_GE(t["member_ids"].size(), 2u) << t["name"];
    std::set<std::int64_t> unique(t["member_ids"].begin(), t["member_ids"].end());
    EXPECT_EQ(unique.size(), t["member_ids"].size()) << t["name"];
  }
  json requesters = get_json(port, "/api/v1/users?role=requester&limit=100", token);
  EXPECT_EQ(requesters["items"].size(), 9u);
}

// ---------------------------------------------------------------------------------------------
// The demo's service desk: 90 days of tickets played through the real services

// UTC ISO 8601 time `seconds_ago` seconds before now, as text comparable with the API's times.
std::string iso_utc(std::int64_t seconds_ago) {
  std::time_t t = std::time(nullptr) - static_cast<std::time_t>(seconds_ago);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%S", &tm);
  return buf;
}

// Every ticket the holder of `token` sees with `filter` ("&status=new"), following the cursor.
std::vector<json> list_tickets(int port, const std::string& token, const std::string& filter = "") {
  std::vector<json> out;
  std::string cursor;
  for (int page = 0; page < 20; ++page) {
    json j = get_json(port,
                      "/api/v1/tickets?limit=500" + filter +
                          (cursor.empty() ? "" : "&cursor=" + url_encode(cursor)),
                      token);
    if (!j.is_object() || !j.contains("items")) break;
    for (const json& t : j["items"]) out.push_back(t);
    if (j["next_cursor"].is_null()) break;
    cursor = j["next_cursor"];
  }
  return out;
}

std::int64_t team_id(int port, const std::string& token, const std::string& name) {
  json teams = get_json(port, "/api/v1/teams?limit=50", token);
  for (const json& t : teams["items"]) {
    if (t["name"] == name) return t["id"];
  }
  ADD_FAILURE() << "no team " << name;
  return 0;
}

// Audit events with `filter` ("action=user.password"), newest first, following the cursor.
std::vector<json> audit_events(int port, const std::string& token, const std::string& filter) {
  std::vector<json> out;
  std::string cursor;
  for (int page = 0; page < 20; ++page) {
    json j = get_json(port,
                      "/api/v1/audit?limit=500&" + filter +
                          (cursor.empty() ? "" : "&cursor=" + url_encode(cursor)),
                      token);
    if (!j.is_object() || !j.contains("items")) break;
    for (const json& e : j["items"]) out.push_back(e);
    if (j["next_cursor"].is_null()) break;
    cursor = j["next_cursor"];
  }
  return out;
}

// One value `sql` reads from the server's database, through the sqlite3 or psql client (the
// API does not show the outbox); nullopt when that client is not installed.
std::optional<std::string> sql_value(const ServerProcess& server, TestBackend backend,
                                     const std::string& sql) {
  auto quote = [](const std::string& text) {
    std::string q = "'";
    for (char c : text) q += c == '\'' ? std::string("'\\''") : std::string(1, c);
    return q + "'";
  };
  std::string tool = backend == TestBackend::kPostgres ? "psql" : "sqlite3";
  if (std::system(("command -v " + tool + " >/dev/null 2>&1").c_str()) != 0) return std::nullopt;
  std::string cmd = backend == TestBackend::kPostgres
                        ? "psql -X -q -A -t " + quote(server.db_url()) + " -c " + quote(sql)
                        : "sqlite3 " + quote(server.data_dir() + "/yunwei.db") + " " + quote(sql);
  FILE* f = popen((cmd + " 2>&1").c_str(), "r");
  if (!f) return std::nullopt;
  std::string out;
  char buf[512];
  for (size_t n; (n = std::fread(buf, 1, sizeof buf, f)) > 0;) out.append(buf, n);
  int status = pclose(f);
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << cmd << ": " << out;
  while (!out.empty() && (out.back() == '\n' || out.back() == '\r')) out.pop_back();
  return out;
}

TEST_P(CliBackendTest, DemoLoadsNinetyDaysOfTheServiceDeskInEveryStateOnlyOnce) {
  std::string err;
  auto server = ServerProcess::start({GetParam(), {}, {}}, &err);
  ASSERT_TRUE(server) << err;
  std::vector<std::string> args = {"demo", "--password-cost", "minimum"};
  if (GetParam() == TestBackend::kPostgres) {
    args.insert(args.end(), {"--db", server->db_url()});
  } else {
    args.insert(args.end(), {"--data-dir", server->data_dir()});
  }
  RunResult first = run_yunwei(args, {}, "", seconds(180));
  ASSERT_EQ(first.exit_code, 0) << first.out << first.err;
  std::smatch m;
  ASSERT_TRUE(std::regex_search(first.out, m, std::regex(R"((\d+) tickets)"))) << first.out;
  int created = std::stoi(m[1]);
  EXPECT_GE(created, 400) << first.out;
  EXPECT_LE(created, 600) << first.out;

  ASSERT_TRUE(std::regex_search(first.out, m, std::regex(R"((\d+) changes; (\d+) problems)")))
      << first.out;
  int changes = std::stoi(m[1]) + std::stoi(m[2]);  // with the problems
  EXPECT_GE(changes, 13) << first.out;

  int port = server->port();
  std::string admin = server->admin_token();
  ASSERT_FALSE(admin.empty());
  std::vector<json> all = list_tickets(port, admin);
  ASSERT_EQ(static_cast<int>(all.size()), created + changes);

  // Spread over the last 90 days, every event in the past, both kinds.
  std::string ninety_days_ago = iso_utc(90 * 86400), now = iso_utc(-5);
  std::set<std::string> kinds, created_days;
  for (const json& t : all) {
    std::string c = t["created_at"], u = t["updated_at"];
    EXPECT_GE(c, ninety_days_ago) << t["number"];
    EXPECT_LE(u, now) << t["number"];
    EXPECT_LE(c, u) << t["number"];
    kinds.insert(t["kind"].get<std::string>());
    created_days.insert(c.substr(0, 10));
  }
  EXPECT_EQ(kinds, (std::set<std::string>{"incident", "request", "change", "problem"}));
  EXPECT_GE(created_days.size(), 60u) << "tickets came in on most days";

  // Every state of both workflows, and every reason to wait. Incidents no rule matched wait
  // untriaged ("new") in the service desk's queue by themselves: the demo never switched the
  // service desk off to get them (the only settings event is the one of the first start).
  std::int64_t desk = team_id(port, admin, "Service Desk");
  std::vector<json> untriaged =
      list_tickets(port, admin, "&kind=incident&status=new&team_id=" + std::to_string(desk));
  EXPECT_FALSE(untriaged.empty()) << "no new incident in the service desk's queue";
  std::vector<json> settings_events = audit_events(port, admin, "object_type=ticket_settings");
  ASSERT_EQ(settings_events.size(), 1u) << json(settings_events).dump();
  EXPECT_TRUE(settings_events[0]["before"].is_null()) << settings_events[0].dump();
  EXPECT_TRUE(settings_events[0]["actor_id"].is_null()) << settings_events[0].dump();
  for (const char* s : {"new", "assigned", "in_progress", "pending", "resolved", "reopened",
                        "closed", "cancelled"}) {
    EXPECT_FALSE(list_tickets(port, admin, std::string("&kind=incident&status=") + s).empty())
        << "no incident in state " << s;
  }
  for (const char* s : {"new", "in_progress", "pending", "fulfilled", "closed", "cancelled"}) {
    EXPECT_FALSE(list_tickets(port, admin, std::string("&kind=request&status=") + s).empty())
        << "no request in state " << s;
  }
  std::set<std::string> reasons;
  for (const json& t : list_tickets(port, admin, "&status=pending")) {
    reasons.insert(t["pending_reason"].get<std::string>());
  }
  EXPECT_EQ(reasons, (std::set<std::string>{"awaiting_requester", "awaiting_vendor",
                                            "awaiting_change", "awaiting_problem"}));
  int closed = static_cast<int>(list_tickets(port, admin, "&status=closed").size());
  EXPECT_GT(closed, created / 2) << "most of 90 days' tickets are done";

  // Dispatch: the rules and strategies the tickets went through, and the service desk setting
  // as it was before the demo.
  std::int64_t infra = team_id(port, admin, "Infrastructure Operations");
  std::int64_t security = team_id(port, admin, "Security Operations");
  json rules = get_json(port, "/api/v1/assignment-rules", admin);
  EXPECT_GE(rules["items"].size(), 5u) << rules.dump();
  std::map<std::int64_t, std::string> strategies;
  json dispatch = get_json(port, "/api/v1/dispatch-strategies", admin);
  for (const json& d : dispatch["items"]) {
    strategies[d["team_id"]] = d["strategy"];
  }
  EXPECT_EQ(strategies[desk], "round_robin");
  EXPECT_EQ(strategies[infra], "least_open");
  EXPECT_EQ(get_json(port, "/api/v1/ticket-settings", admin)["service_desk_team_id"], desk);
  std::set<std::int64_t> desk_agents;
  for (const json& t : list_tickets(port, admin, "&team_id=" + std::to_string(desk))) {
    if (!t["assignee_id"].is_null()) desk_agents.insert(t["assignee_id"].get<std::int64_t>());
  }
  EXPECT_GE(desk_agents.size(), 4u) << "round robin spreads the service desk's tickets";

  // Security tickets are Security Operations' (and hidden from other agents).
  std::vector<json> restricted;
  for (const json& t : all) {
    if (t["restricted"].get<bool>()) restricted.push_back(t);
  }
  ASSERT_GE(restricted.size(), 3u);
  for (const json& t : restricted) EXPECT_EQ(t["assignee_team_id"], security) << t["number"];
  std::string desk_agent = login_token(port, "zhangwei", "yunwei-demo");
  for (const json& t : list_tickets(port, desk_agent)) {
    EXPECT_FALSE(t["restricted"].get<bool>()) << t["number"] << " is visible to the service desk";
  }

  // Escalations, reassignments, reopenings, priority overrides, duplicates.
  int escalated = 0, reassigned = 0, reopened = 0, overridden = 0;
  std::string duplicate;
  for (const json& t : all) {
    escalated += t["escalation_level"].get<int>() > 0;
    reassigned += t["reassignment_count"].get<int>() > 0;
    reopened += t["reopen_count"].get<int>() > 0;
    overridden += t["priority_overridden"].get<bool>();
    if (t["resolution_code"] == "duplicate") duplicate = t["number"];
  }
  EXPECT_GE(escalated, 3);
  EXPECT_GE(reassigned, 3);
  EXPECT_GE(reopened, 3);
  EXPECT_GE(overridden, 1);
  ASSERT_FALSE(duplicate.empty());
  json dup_links = get_json(port, "/api/v1/tickets/" + duplicate + "/links", admin);
  ASSERT_EQ(dup_links["items"].size(), 1u) << dup_links.dump();
  EXPECT_EQ(dup_links["items"][0]["type"], "duplicate_of");

  // Major incidents: one still open, with stakeholders, a cadence kept by public updates, the
  // users' tickets as its children, internal notes and worklogs.
  std::vector<json> majors = list_tickets(port, admin, "&major=true");
  ASSERT_GE(majors.size(), 2u);
  std::vector<json> open_majors;
  for (const json& t : majors) {
    std::string s = t["status"];
    if (s != "resolved" && s != "closed" && s != "cancelled") open_majors.push_back(t);
  }
  ASSERT_EQ(open_majors.size(), 1u);
  const json& mi = open_majors[0];
  EXPECT_EQ(mi["priority"], "P1");
  EXPECT_FALSE(mi["major_stakeholder_ids"].empty());
  EXPECT_FALSE(mi["major_cadence_minutes"].is_null());
  EXPECT_FALSE(mi["major_next_update_due"].is_null());
  std::string number = mi["number"];
  int children = 0;
  json links = get_json(port, "/api/v1/tickets/" + number + "/links", admin);
  for (const json& l : links["items"]) {
    children += l["type"] == "parent_of";
  }
  EXPECT_GE(children, 2);
  int public_comments = 0, internal_notes = 0;
  json comments = get_json(port, "/api/v1/tickets/" + number + "/comments", admin);
  for (const json& c : comments["items"]) {
    (c["public"].get<bool>() ? public_comments : internal_notes)++;
  }
  EXPECT_GE(public_comments, 3);
  EXPECT_GE(internal_notes, 1);
  json worklogs = get_json(port, "/api/v1/tickets/" + number + "/worklogs", admin);
  EXPECT_GE(worklogs["items"].size(), 2u) << worklogs.dump();
  json timeline = get_json(port, "/api/v1/tickets/" + number + "/timeline", admin);
  std::set<std::string> actions;
  std::string previous;
  for (const json& e : timeline["items"]) {
    actions.insert(e["action"].get<std::string>());
    EXPECT_GE(e["at"].get<std::string>(), previous)
        << "the timeline of " << number << " is in time order, links too";
    previous = e["at"];
  }
  for (const char* a : {"ticket.create", "ticket.update", "ticket.transition", "ticket.comment",
                        "ticket.worklog", "ticket.escalate", "ticket.link"}) {
    EXPECT_TRUE(actions.count(a)) << a << " missing from the timeline of " << number;
  }

  // Satisfaction: mostly 4-5, some lower ones that say why.
  json surveys = get_json(port, "/api/v1/surveys?limit=500", admin);
  ASSERT_GE(surveys["items"].size(), 100u);
  int good = 0, low = 0;
  for (const json& s : surveys["items"]) {
    int rating = s["rating"];
    if (rating >= 4) ++good;
    if (rating <= 3) {
      ++low;
      EXPECT_FALSE(s["comment"].get<std::string>().empty()) << s["number"];
    }
  }
  EXPECT_GE(good * 10, static_cast<int>(surveys["items"].size()) * 7);
  EXPECT_GE(low, 5);

  // Chinese search finds the demo's words; a requester sees their own tickets only.
  json found = get_json(port, "/api/v1/search?q=" + url_encode("打印机"), admin);
  EXPECT_FALSE(found["items"].empty()) << found.dump();
  std::string requester = login_token(port, "wangxiaoming", "yunwei-demo");
  json me = get_json(port, "/api/v1/me", requester);
  std::vector<json> mine = list_tickets(port, requester);
  EXPECT_GE(mine.size(), 10u);
  for (const json& t : mine) EXPECT_EQ(t["requester_id"], me["id"]) << t["number"];

  // The demo accounts share one password, set and audited as a password change is.
  EXPECT_EQ(audit_events(port, admin, "action=user.password").size(), 30u);

  // The history's notifications (assignments, surveys, escalations ...) are never delivered:
  // the demo marked them dead, and says how many.
  std::vector<json> discarded = audit_events(port, admin, "action=outbox.discard");
  ASSERT_EQ(discarded.size(), 1u) << json(discarded).dump();
  std::int64_t messages = discarded[0]["after"].value("messages", std::int64_t{0});
  EXPECT_GE(messages, created) << discarded[0].dump();
  EXPECT_EQ(discarded[0]["after"]["reason"], "demo history, not delivered");
  std::optional<std::string> pending =
      sql_value(*server, GetParam(),
                "SELECT COUNT(*) FROM outbox WHERE topic LIKE 'ticket.%' AND status = 'pending'");
  if (pending) {
    EXPECT_EQ(*pending, "0") << "ticket notifications of the demo's history still pending";
    EXPECT_EQ(sql_value(*server, GetParam(),
                        "SELECT COUNT(*) FROM outbox WHERE topic LIKE 'ticket.%' AND status ="
                        " 'dead' AND last_error = 'demo history, not delivered'"),
              std::to_string(messages));
  } else {
    std::cout << "note: no database client installed; the outbox was checked through the audit "
                 "log only\n";
  }

  // A second run changes nothing.
  RunResult again = run_yunwei(args, {}, "", seconds(60));
  ASSERT_EQ(again.exit_code, 0) << again.err;
  EXPECT_NE(again.out.find(" 0 tickets"), std::string::npos) << again.out;
  EXPECT_NE(again.out.find(" 0 changes; 0 problems"), std::string::npos) << again.out;
  EXPECT_EQ(static_cast<int>(list_tickets(port, admin).size()), created + changes);
  EXPECT_EQ(audit_events(port, admin, "action=outbox.discard").size(), 1u);
  EXPECT_EQ(audit_events(port, admin, "action=user.password").size(), 30u);
}

TEST_P(CliBackendTest, ServeWithDemoIfEmptyLoadsTheDemoOnTheFirstStart) {
  std::string err;
  // ServerProcess reads the admin's password from the first "password: " on stdout, which the
  // demo's line (printed before the admin block) must not contain.
  auto server = ServerProcess::start({GetParam(), {"--demo-if-empty", "true"}, {}}, &err);
  ASSERT_TRUE(server) << err;
  std::string out = server->output();
  std::smatch m;
  ASSERT_TRUE(std::regex_search(
      out, m,
      std::regex(
          R"(Loaded the demo organisation: 30 people, (\d+) tickets, (\d+) configuration items, (\d+) changes, (\d+) problems; demo accounts log in with yunwei-demo\n)")))
      << out;
  EXPECT_LT(out.find("Loaded the demo organisation"), out.find("password: ")) << out;
  int created = std::stoi(m[1]);
  EXPECT_GE(created, 400);
  int port = server->port();
  ASSERT_NE(server->admin_password(), "yunwei-demo") << out;
  std::string admin = login_token(port, "admin", server->admin_password());
  ASSERT_FALSE(admin.empty()) << "the admin password read from the output works: " << out;
  int changes = std::stoi(m[3]), problems = std::stoi(m[4]);
  EXPECT_GE(changes, 10);
  EXPECT_GE(problems, 3);
  // Every ticket, the changes and problems included.
  EXPECT_EQ(static_cast<int>(list_tickets(port, admin).size()), created + changes + problems);
  // An agent of the service desk finds work in their queue, and untriaged incidents in the
  // desk's.
  auto agent = login(port, "zhangwei", "yunwei-demo");
  ASSERT_TRUE(agent);
  std::string token = login_token(port, "zhangwei", "yunwei-demo");
  std::vector<json> queue = list_tickets(
      port, token,
      "&open=true&assignee_id=" + std::to_string(agent->user["id"].get<std::int64_t>()));
  EXPECT_FALSE(queue.empty());
  std::int64_t desk = team_id(port, token, "Service Desk");
  EXPECT_FALSE(
      list_tickets(port, token, "&kind=incident&status=new&team_id=" + std::to_string(desk))
          .empty());
  EXPECT_EQ(audit_events(port, admin, "action=outbox.discard").size(), 1u);
}

TEST_P(CliBackendTest, AdminCommandsWorkOnTheDatabaseOfARunningServer) {
  std::string err;
  auto server = ServerProcess::start({GetParam(), {}, {}}, &err);
  ASSERT_TRUE(server) << err;
  // The server's own database: its data directory, or its PostgreSQL database.
  std::vector<std::string> db = GetParam() == TestBackend::kPostgres
                                    ? std::vector<std::string>{"--db", server->db_url()}
                                    : std::vector<std::string>{"--data-dir", server->data_dir()};
  auto cmd = [&](std::vector<std::string> args) {
    args.insert(args.end(), db.begin(), db.end());
    args.insert(args.end(), {"--password-cost", "minimum"});
    return args;
  };
  int port = server->port();

  RunResult created = run_yunwei(cmd({"admin", "create-user", "--username", "ops1", "--roles",
                                      "agent,approver", "--display-name", "运维一号", "--email",
                                      "ops1@example.com", "--password", "Ops1-Password"}));
  ASSERT_EQ(created.exit_code, 0) << created.err;
  EXPECT_TRUE(std::regex_search(created.out, std::regex(R"(^created user ops1 \(id \d+\)\n$)")))
      << created.out;
  auto session = login(port, "ops1", "Ops1-Password");
  ASSERT_TRUE(session);
  EXPECT_EQ(session->user["roles"], json({"agent", "approver"}));
  EXPECT_EQ(session->user["display_name"], "运维一号");

  RunResult dup = run_yunwei(
      cmd({"admin", "create-user", "--username", "ops1", "--password", "Ops1-Password"}));
  EXPECT_EQ(dup.exit_code, 2);
  EXPECT_NE(dup.err.find("username"), std::string::npos) << dup.err;
  RunResult bad_role =
      run_yunwei(cmd({"admin", "create-user", "--username", "ops9", "--roles", "wizard"}));
  EXPECT_EQ(bad_role.exit_code, 2);
  EXPECT_NE(bad_role.err.find("roles"), std::string::npos) << bad_role.err;
  RunResult weak =
      run_yunwei(cmd({"admin", "create-user", "--username", "ops9", "--password", "short"}));
  EXPECT_EQ(weak.exit_code, 2);
  EXPECT_EQ(post_login(port, "ops9", "short").status, 401) << "refused users are not created";

  // A generated password is printed once and works.
  RunResult gen = run_yunwei(cmd({"admin", "create-user", "--username", "ops2"}));
  ASSERT_EQ(gen.exit_code, 0) << gen.err;
  std::smatch m;
  ASSERT_TRUE(std::regex_search(gen.out, m, std::regex(R"(password: (\S+)\n)"))) << gen.out;
  EXPECT_EQ(post_login(port, "ops2", m[1]).status, 200);

  // A password from standard input.
  RunResult piped =
      run_yunwei(cmd({"admin", "create-user", "--username", "ops3", "--password-stdin"}), {},
                 "Piped-Password-3\n");
  ASSERT_EQ(piped.exit_code, 0) << piped.err;
  EXPECT_EQ(piped.out.find("Piped-Password-3"), std::string::npos);
  EXPECT_EQ(post_login(port, "ops3", "Piped-Password-3").status, 200);

  RunResult reset = run_yunwei(
      cmd({"admin", "reset-password", "--username", "ops1", "--password", "Ops1-Reset-Pass"}));
  ASSERT_EQ(reset.exit_code, 0) << reset.err;
  HttpClient c(port);
  EXPECT_EQ(c.request("GET", "/api/v1/me", "", session->cookie_only()).status, 401)
      << "the reset ended the session";
  EXPECT_EQ(post_login(port, "ops1", "Ops1-Password").status, 401);
  EXPECT_EQ(post_login(port, "ops1", "Ops1-Reset-Pass").status, 200);
  RunResult nobody = run_yunwei(
      cmd({"admin", "reset-password", "--username", "nobody", "--password", "Whatever-123"}));
  EXPECT_EQ(nobody.exit_code, 2);
  EXPECT_NE(nobody.err.find("nobody"), std::string::npos);

  RunResult token =
      run_yunwei(cmd({"admin", "create-token", "--username", "ops1", "--name", "monitoring"}));
  ASSERT_EQ(token.exit_code, 0) << token.err;
  ASSERT_TRUE(std::regex_match(token.out, std::regex("yw_[A-Za-z0-9_-]+\n"))) << token.out;
  std::string secret = token.out.substr(0, token.out.size() - 1);
  HttpResponse me = c.request("GET", "/api/v1/me", "", {bearer(secret)});
  ASSERT_EQ(me.status, 200) << me.body;
  EXPECT_EQ(parse_body(me)["username"], "ops1");
  HttpResponse tokens = c.request("GET", "/api/v1/me/tokens", "", {bearer(secret)});
  ASSERT_EQ(parse_body(tokens)["items"].size(), 1u);
  EXPECT_EQ(parse_body(tokens)["items"][0]["name"], "monitoring");
  EXPECT_EQ(run_yunwei(cmd({"admin", "create-token", "--username", "nobody"})).exit_code, 2);

  // The commands are in the audit trail, attributed to the command line.
  std::string admin = server->admin_token();
  json events = get_json(port, "/api/v1/audit?limit=500", admin);
  int cli_events = 0;
  for (const json& e : events["items"]) cli_events += e["request_id"] == "cli";
  EXPECT_GE(cli_events, 5) << "create-user x3, reset-password, create-token";
}

TEST_P(CliBackendTest, TheFirstAdministratorGetsThePasswordFromTheEnvironment) {
  std::string err;
  auto server =
      ServerProcess::start({GetParam(), {}, {"YUNWEI_ADMIN_PASSWORD=Chosen-Admin-Pass-1"}}, &err);
  ASSERT_TRUE(server) << err;
  EXPECT_EQ(server->output().find("Chosen-Admin-Pass-1"), std::string::npos)
      << "the password is not echoed";
  EXPECT_NE(server->output().find("YUNWEI_ADMIN_PASSWORD"), std::string::npos) << server->output();
  auto s = login(server->port(), "admin", "Chosen-Admin-Pass-1");
  ASSERT_TRUE(s);
  EXPECT_EQ(s->user["roles"], json({"admin", "agent"}));
}

TEST_P(CliBackendTest, ImportCmdbReportsRejectedLinesAndHonoursDryRunAndStrict) {
  std::string csv = dir_.path() + "/estate.csv";
  write_file(csv,
             "\xEF\xBB\xBFtype,name,attributes.hostname,attributes.ip,relations.runs_on\r\n"
             "application,网上银行前端,,,virtual_machine:vm-web-01\r\n"
             "virtual_machine,vm-web-01,vm-web-01,10.9.0.1,\r\n"
             "server,坏的服务器,bad-01,10.9.0.300,\r\n");
  std::string summary_re =
      R"(3 lines: (\d+) created, (\d+) updated, (\d+) unchanged, (\d+) rejected)";
  auto counts = [&](const std::string& out) {
    std::smatch m;
    EXPECT_TRUE(std::regex_search(out, m, std::regex(summary_re))) << out;
    return m.size() == 5 ? std::string(m[1]) + "/" + std::string(m[2]) + "/" + std::string(m[3]) +
                               "/" + std::string(m[4])
                         : std::string();
  };

  RunResult dry = run_yunwei(with_db({"import", "cmdb", csv, "--dry-run"}));
  EXPECT_EQ(dry.exit_code, 1) << "a line was rejected\n" << dry.out << dry.err;
  EXPECT_NE(dry.out.find("dry run"), std::string::npos) << dry.out;
  EXPECT_EQ(counts(dry.out), "2/0/0/1");
  EXPECT_NE(dry.out.find("line 4: server:坏的服务器: attributes.ip: "), std::string::npos)
      << dry.out;
  EXPECT_EQ(dry.err.find("importing ["), std::string::npos) << "no progress bar off a terminal";

  RunResult strict = run_yunwei(with_db({"import", "cmdb", csv, "--strict"}));
  EXPECT_EQ(strict.exit_code, 1);
  EXPECT_NE(strict.out.find("nothing imported"), std::string::npos) << strict.out;

  RunResult real = run_yunwei(with_db({"import", "cmdb", csv}));
  EXPECT_EQ(real.exit_code, 1);
  EXPECT_EQ(counts(real.out), "2/0/0/1") << "the dry run and --strict left nothing behind";
  EXPECT_NE(real.out.find("relations: 1 created"), std::string::npos) << real.out;

  // Fixed: the imported CIs are there, by name, and the new server is added.
  write_file(csv,
             "type,name,attributes.hostname,attributes.ip,relations.runs_on\n"
             "application,网上银行前端,,,virtual_machine:vm-web-01\n"
             "virtual_machine,vm-web-01,vm-web-01,10.9.0.1,\n"
             "server,坏的服务器,bad-01,10.9.0.30,\n");
  RunResult fixed = run_yunwei(with_db({"import", "cmdb", csv}));
  EXPECT_EQ(fixed.exit_code, 0) << fixed.out << fixed.err;
  EXPECT_EQ(counts(fixed.out), "1/0/2/0");
  EXPECT_NE(fixed.out.find("relations: 0 created, 1 already there"), std::string::npos)
      << fixed.out;

  // A JSON file, matched by hostname.
  std::string js = dir_.path() + "/update.json";
  write_file(
      js,
      R"({"cis":[{"type":"server","name":"上海-db-01","attributes":{"hostname":"bad-01","os":"Kylin V10"}}]})");
  RunResult by_key = run_yunwei(with_db({"import", "cmdb", js, "--key", "hostname"}));
  EXPECT_EQ(by_key.exit_code, 0) << by_key.out << by_key.err;
  EXPECT_NE(by_key.out.find("1 lines: 0 created, 1 updated"), std::string::npos) << by_key.out;

  // Fatal errors: one line on stderr naming the problem, exit 2, nothing imported.
  std::string broken = dir_.path() + "/broken.csv";
  write_file(broken, "type,name,attributes.hostname\nserver,a,a\nserver,\"b,b\n");
  RunResult fatal = run_yunwei(with_db({"import", "cmdb", broken}));
  EXPECT_EQ(fatal.exit_code, 2) << fatal.out << fatal.err;
  EXPECT_NE(fatal.err.find("line 3"), std::string::npos) << fatal.err;
  EXPECT_NE(fatal.err.find("nothing was imported"), std::string::npos) << fatal.err;
  std::string columns = dir_.path() + "/columns.csv";
  write_file(columns, "type,name,colour\nserver,a,red\n");
  RunResult unknown = run_yunwei(with_db({"import", "cmdb", columns}));
  EXPECT_EQ(unknown.exit_code, 2);
  EXPECT_NE(unknown.err.find("colour"), std::string::npos) << unknown.err;
  RunResult txt = run_yunwei(with_db({"import", "cmdb", dir_.path() + "/estate.txt"}));
  EXPECT_EQ(txt.exit_code, 2);
  EXPECT_NE(txt.err.find(".csv or .json"), std::string::npos) << txt.err;
  RunResult missing = run_yunwei(with_db({"import", "cmdb", dir_.path() + "/absent.csv"}));
  EXPECT_EQ(missing.exit_code, 2);
  EXPECT_NE(missing.err.find("absent.csv"), std::string::npos) << missing.err;
  // "a" was not imported by the broken file: importing a good file with it creates it.
  write_file(broken, "type,name,attributes.hostname\nserver,a,a\n");
  RunResult after = run_yunwei(with_db({"import", "cmdb", broken}));
  EXPECT_NE(after.out.find("1 lines: 1 created"), std::string::npos) << after.out;
}

TEST(Cli, ATooShortAdminPasswordFromTheEnvironmentStopsTheFirstStart) {
  TempDir dir;
  RunResult r = run_yunwei(
      {"serve", "--listen", "127.0.0.1:0", "--data-dir", dir.path(), "--password-cost", "minimum"},
      {"YUNWEI_ADMIN_PASSWORD=short"}, "", seconds(20));
  EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
  EXPECT_NE(r.err.find("YUNWEI_ADMIN_PASSWORD"), std::string::npos) << r.err;
  EXPECT_EQ(r.out.find("listening"), std::string::npos) << r.out;
}

YUNWEI_INSTANTIATE_BACKENDS(CliBackendTest);

}  // namespace
}  // namespace yunwei::testing
