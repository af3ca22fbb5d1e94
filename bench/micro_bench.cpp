// Engine benchmarks: the request path without sockets (routing, authentication, JSON) and the
// costs it is built from. Run: build/bench/micro_bench
#include <benchmark/benchmark.h>

#include <filesystem>
#include <memory>

#include "api/api.h"
#include "core/clock.h"
#include "core/crypto.h"
#include "identity/auth_service.h"
#include "identity/team_service.h"
#include "identity/user_service.h"
#include "store/database.h"
#include "store/migrations.h"

namespace {

using namespace yunwei;

// A migrated SQLite database in a temporary directory with an admin and a token.
struct Fixture {
  Fixture() {
    dir = std::filesystem::temp_directory_path() / ("yunwei-bench-" + core::random_token(6));
    std::filesystem::create_directories(dir);
    db = std::move(store::open_database({(dir / "bench.db").string(), 4, 4, 5000}).value());
    (void)store::migrate(*db, clock);
    users = std::make_unique<identity::UserService>(*db, clock, hasher);
    teams = std::make_unique<identity::TeamService>(*db, clock);
    auth = std::make_unique<identity::AuthService>(*db, clock, hasher);
    (void)teams->seed_default_teams({});
    identity::NewUser admin;
    admin.username = "admin";
    admin.display_name = "Admin";
    admin.roles = {"admin", "agent"};
    auto u = users->create({}, admin).value();
    token = auth->create_token({}, u.id, "bench", std::nullopt).value().secret;
    api = std::make_unique<api::Api>(
        api::Deps{*db, clock, *users, *teams, *auth, "bench", "bench", false, [] { return true; }});
  }
  ~Fixture() {
    api.reset();
    db.reset();
    std::filesystem::remove_all(dir);
  }
  std::filesystem::path dir;
  core::SystemClock clock;
  identity::PasswordHasher hasher{identity::PasswordHasher::Strength::kMinimum};
  std::unique_ptr<store::Database> db;
  std::unique_ptr<identity::UserService> users;
  std::unique_ptr<identity::TeamService> teams;
  std::unique_ptr<identity::AuthService> auth;
  std::unique_ptr<api::Api> api;
  std::string token;
};

Fixture& fixture() {
  static Fixture f;
  return f;
}

void BM_ApiHealthz(benchmark::State& state) {
  Fixture& f = fixture();
  for (auto _ : state) {
    http::Request req;
    req.method = "GET";
    req.path = req.target = "/healthz";
    benchmark::DoNotOptimize(f.api->handle(req));
  }
}
BENCHMARK(BM_ApiHealthz)->ThreadRange(1, 2)->UseRealTime();

void BM_ApiGetMeWithToken(benchmark::State& state) {
  Fixture& f = fixture();
  for (auto _ : state) {
    http::Request req;
    req.method = "GET";
    req.path = req.target = "/api/v1/me";
    req.headers.push_back({"authorization", "Bearer " + f.token});
    http::Response res = f.api->handle(req);
    if (res.status != 200) state.SkipWithError("GET /me failed");
    benchmark::DoNotOptimize(res);
  }
}
BENCHMARK(BM_ApiGetMeWithToken)->ThreadRange(1, 2)->UseRealTime();

void BM_AuthenticateToken(benchmark::State& state) {
  Fixture& f = fixture();
  for (auto _ : state) benchmark::DoNotOptimize(f.auth->authenticate_token(f.token));
}
BENCHMARK(BM_AuthenticateToken);

void BM_CreateUserSqlite(benchmark::State& state) {
  Fixture& f = fixture();
  static int n = 0;
  for (auto _ : state) {
    identity::NewUser u;
    u.username = "bench" + std::to_string(++n);
    u.display_name = "压测用户";
    u.email = u.username + "@bench.example.cn";
    u.roles = {"agent"};
    if (!f.users->create({}, u).ok()) state.SkipWithError("create failed");
  }
}
BENCHMARK(BM_CreateUserSqlite);

void BM_Sha256Token(benchmark::State& state) {
  std::string token = "yw_" + core::random_token(32);
  for (auto _ : state) benchmark::DoNotOptimize(core::sha256_hex(token));
}
BENCHMARK(BM_Sha256Token);

void BM_ParseIso8601(benchmark::State& state) {
  core::TimeMs t;
  for (auto _ : state)
    benchmark::DoNotOptimize(core::parse_iso8601("2026-01-31T09:00:00.250+08:00", t));
}
BENCHMARK(BM_ParseIso8601);

void BM_PasswordHashInteractive(benchmark::State& state) {
  identity::PasswordHasher hasher;
  for (auto _ : state) benchmark::DoNotOptimize(hasher.hash("correct horse battery staple"));
}
BENCHMARK(BM_PasswordHashInteractive)->Iterations(4)->Unit(benchmark::kMillisecond);

}  // namespace

BENCHMARK_MAIN();
