#include "app/commands.h"

#include <spdlog/spdlog.h>

#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <filesystem>
#include <iostream>
#include <mutex>
#include <thread>
#include <variant>

#include "api/api.h"
#include "app/access_log.h"
#include "app/bootstrap.h"
#include "app/demo.h"
#include "change/change_config.h"
#include "change/change_service.h"
#include "change/problem_service.h"
#include "cmdb/ci_service.h"
#include "cmdb/relations.h"
#include "cmdb/type_service.h"
#include "core/crypto.h"
#include "core/log.h"
#include "http/server.h"
#include "identity/auth_service.h"
#include "identity/team_service.h"
#include "identity/user_service.h"
#include "sla/calendar_service.h"
#include "sla/policy.h"
#include "sla/ticket_sla.h"
#include "sla/tracker.h"
#include "store/blob_store.h"
#include "store/migrations.h"
#include "tickets/category_service.h"
#include "tickets/config.h"
#include "tickets/dispatch.h"
#include "tickets/ticket_service.h"
#include "tickets/views.h"
#include "yunwei_version.h"

namespace yunwei::app {
namespace {

// What every admin command starts with: quiet logging, the migrated database, the hasher.
struct AdminContext {
  core::SystemClock clock;
  std::unique_ptr<store::Database> db;
  identity::PasswordHasher hasher;
};

int runtime_error(const std::string& message) {
  std::fprintf(stderr, "yunwei: %s\n", message.c_str());
  return 1;
}

identity::PasswordHasher make_hasher(const Settings& s) {
  return identity::PasswordHasher(s.password_cost == "minimum"
                                      ? identity::PasswordHasher::Strength::kMinimum
                                      : identity::PasswordHasher::Strength::kInteractive);
}

bool read_password(AdminArgs& a) {
  if (!a.password_stdin) return true;
  if (!std::getline(std::cin, a.password)) return false;
  if (!a.password.empty() && a.password.back() == '\r') a.password.pop_back();
  return true;
}

}  // namespace

std::string version_string() {
  return std::string("yunwei ") + YUNWEI_VERSION + " (commit " + YUNWEI_COMMIT + ")";
}

int run_serve(const Settings& s) {
  auto started = std::chrono::steady_clock::now();
  core::setup_logging(s.log_level);
  if (!core::crypto_init()) return runtime_error("libsodium could not be initialised");
  core::SystemClock system_clock;
  core::TestClock test_clock;
  const core::Clock& clock =
      s.test_clock ? static_cast<const core::Clock&>(test_clock) : system_clock;
  if (s.test_clock)
    spdlog::warn("serve --test-clock: the clock can be moved over HTTP (tests only)");
  auto db = open_and_migrate(s, clock);
  if (!db.ok()) return runtime_error(db.error().message);
  identity::PasswordHasher hasher = make_hasher(s);
  auto admin_password = bootstrap_identity(**db, clock, hasher);
  if (!admin_password.ok()) return runtime_error(admin_password.error().message);

  identity::UserService users(**db, clock, hasher);
  identity::TeamService teams(**db, clock);
  identity::AuthService auth(**db, clock, hasher);
  store::BlobStore blobs(s.attachments_dir.empty()
                             ? std::filesystem::path(s.data_dir) / "attachments"
                             : std::filesystem::path(s.attachments_dir));
  tickets::TicketService ticket_service(**db, clock, &blobs);
  tickets::CategoryService categories(**db, clock);
  tickets::TicketConfig ticket_config(**db, clock);
  tickets::DispatchService dispatch(**db, clock);
  tickets::SavedViewService views(**db, clock);
  sla::CalendarService calendars(**db, clock);
  sla::PolicyService policies(**db, clock);
  sla::SlaService sla_service(**db, clock, calendars, policies);
  sla::SlaTracker sla_tracker(**db, clock, calendars, policies, ticket_service);
  cmdb::CiTypeService ci_types(**db, clock);
  cmdb::CiService cis(**db, clock);
  cmdb::RelationService relations(**db, clock);
  change::ProblemService problems(**db, clock, ticket_service);
  change::ChangeService changes(**db, clock, ticket_service, relations);
  change::ChangeConfigService change_config(**db, clock);
  ticket_service.set_kind_hooks("problem", problems.hooks());
  ticket_service.set_kind_hooks("change", changes.hooks());
  std::atomic<bool> accepting{false};
  // Background work: the SLA tracker (new events, configuration changes, due thresholds) every
  // sla_interval_ms, and closing resolved tickets after the configured number of days.
  std::mutex worker_mu;
  std::condition_variable worker_cv;
  bool stopping = false;
  bool sla_wake = false;
  api::Deps deps{**db,
                 clock,
                 users,
                 teams,
                 auth,
                 ticket_service,
                 categories,
                 ticket_config,
                 dispatch,
                 views,
                 calendars,
                 policies,
                 sla_service,
                 ci_types,
                 cis,
                 relations,
                 problems,
                 changes,
                 change_config,
                 YUNWEI_VERSION,
                 YUNWEI_COMMIT,
                 s.cookie_secure,
                 [&] { return accepting.load(); }};
  if (s.test_clock) {
    deps.test_clock = &test_clock;
    deps.wake_workers = [&] {
      {
        std::lock_guard lock(worker_mu);
        sla_wake = true;
      }
      worker_cv.notify_all();
    };
  }
  api::Api api(std::move(deps));
  if (s.demo_if_empty && !admin_password->empty()) {
    auto demo = load_demo(**db, clock, hasher, "yunwei-demo");
    if (!demo.ok()) return runtime_error("demo data: " + demo.error().message);
    // Not "password: ...": that is how the admin block below is read (tests, scripts).
    std::printf(
        "Loaded the demo organisation: %d people, %d tickets, %d configuration items, %d "
        "changes, %d problems; demo accounts log in with yunwei-demo\n",
        demo->users_created, demo->tickets_created, demo->cis_created, demo->changes_created,
        demo->problems_created);
  }

  std::thread sla_worker([&] {
    std::unique_lock lock(worker_mu);
    while (!stopping) {
      sla_wake = false;
      lock.unlock();
      if (auto st = sla_tracker.run_once(); !st.ok()) spdlog::warn("sla: {}", st.error().message);
      lock.lock();
      worker_cv.wait_for(lock, std::chrono::milliseconds(s.sla_interval_ms),
                         [&] { return stopping || sla_wake; });
    }
  });
  std::thread worker([&] {
    store::Actor system{std::nullopt, "auto-close"};
    std::unique_lock lock(worker_mu);
    while (!stopping) {
      lock.unlock();
      auto closed = ticket_service.auto_close(system);
      if (!closed.ok()) {
        spdlog::warn("auto-close: {}", closed.error().message);
      } else if (*closed > 0) {
        spdlog::info("auto-close: closed {} resolved tickets", *closed);
      }
      lock.lock();
      worker_cv.wait_for(lock, std::chrono::milliseconds(s.auto_close_interval_ms),
                         [&] { return stopping; });
    }
  });

  std::unique_ptr<AccessLog> access_log;
  if (s.access_log) access_log = std::make_unique<AccessLog>();
  http::ServerOptions so;
  so.host = s.host();
  so.port = s.port();
  so.io_threads = s.io_threads;
  so.worker_threads = s.workers;
  so.max_body_bytes = static_cast<std::size_t>(s.max_body_bytes);
  so.idle_timeout = std::chrono::milliseconds(s.idle_timeout_ms);
  so.header_timeout = std::chrono::milliseconds(s.header_timeout_ms);
  so.body_timeout = std::chrono::milliseconds(s.body_timeout_ms);
  so.shutdown_timeout = std::chrono::milliseconds(s.shutdown_timeout_ms);
  AccessLog* log = access_log.get();
  http::Server server(
      so, [&api](http::Request& req) { return api.handle(req); },
      [&api, log, &clock](const http::Request& req, const http::Response& res, std::int64_t ns) {
        api.observe(req, res, ns);
        if (!log) return;
        std::string line = core::format_iso8601(clock.now_ms());
        line += ' ';
        line += req.remote_addr;
        line += ' ';
        line += req.method;
        line += ' ';
        line += req.target.size() > 512 ? req.target.substr(0, 512) : req.target;
        line += ' ';
        line += std::to_string(res.status);
        for (const auto& h : res.headers) {
          if (h.name == "content-length") line += ' ' + h.value;
        }
        line += ' ';
        line += std::to_string(ns / 1000);
        line += "us rid=";
        line += req.request_id;
        log->write(line);
      });
  if (auto st = server.start(); !st.ok()) return runtime_error(st.error().message);
  accepting = true;

  std::string url = "http://" +
                    (so.host.find(':') != std::string::npos ? "[" + so.host + "]" : so.host) + ":" +
                    std::to_string(server.port());
  auto ready_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                      std::chrono::steady_clock::now() - started)
                      .count();
  std::printf("Yunwei %s listening on %s (database: %s; ready in %lld ms)\n", YUNWEI_VERSION,
              url.c_str(), (*db)->describe().c_str(), static_cast<long long>(ready_ms));
  if (!admin_password->empty()) {
    std::printf(
        "First start: created the administrator account\n  username: admin\n  password: %s\n",
        admin_password->c_str());
  }
  std::fflush(stdout);
  server.run_until_signal();
  accepting = false;
  {
    std::lock_guard lock(worker_mu);
    stopping = true;
  }
  worker_cv.notify_all();
  worker.join();
  sla_worker.join();
  if (access_log) access_log->flush();
  spdlog::info("stopped");
  spdlog::shutdown();
  return 0;
}

int run_routes(bool json) {
  for (const api::RouteSpec& r : api::Api::route_specs()) {
    std::string access = r.is_public ? "public" : std::string(api::permission_name(r.permission));
    if (json) {
      std::printf("{\"method\":\"%s\",\"path\":\"%s\",\"access\":\"%s\"}\n", r.method.c_str(),
                  r.pattern.c_str(), access.c_str());
    } else {
      std::printf("%-7s %-40s %-12s %s\n", r.method.c_str(), r.pattern.c_str(), access.c_str(),
                  r.summary.c_str());
    }
  }
  return 0;
}

int run_migrate(const Settings& s, bool dry_run) {
  core::setup_logging(s.log_level);
  core::SystemClock clock;
  auto db = open_and_migrate(s, clock, false);
  if (!db.ok()) return runtime_error(db.error().message);
  if (dry_run) {
    auto pending = store::pending_migrations(**db);
    if (!pending.ok()) return runtime_error(pending.error().message);
    if (pending->empty()) std::printf("no pending migrations\n");
    for (const auto& m : *pending) std::printf("pending %04d %s\n", m.version, m.name.c_str());
    return 0;
  }
  auto applied = store::migrate(**db, clock);
  if (!applied.ok()) return runtime_error(applied.error().message);
  if (applied->empty()) std::printf("database is up to date\n");
  for (int v : *applied) std::printf("applied %04d\n", v);
  return 0;
}

namespace {

// Opens what an admin command needs; nullptr after printing the reason.
std::unique_ptr<AdminContext> open_admin(const Settings& s) {
  core::setup_logging("warn");
  auto ctx = std::unique_ptr<AdminContext>(new AdminContext{{}, nullptr, make_hasher(s)});
  auto db = open_and_migrate(s, ctx->clock);
  if (!db.ok()) {
    runtime_error(db.error().message);
    return nullptr;
  }
  ctx->db = std::move(db).value();
  return ctx;
}

// The user named `username`, or an exit code after printing why not.
std::variant<identity::User, int> find_user(identity::UserService& users,
                                            const std::string& username) {
  auto found = users.find_by_username(username);
  if (!found.ok()) return runtime_error(found.error().message);
  if (!*found) {
    std::fprintf(stderr, "yunwei: no user named %s\n", username.c_str());
    return 2;
  }
  return std::move(**found);
}

int usage_error(const core::Error& e) {
  std::fprintf(stderr, "yunwei: %s%s%s\n", e.field.c_str(), e.field.empty() ? "" : ": ",
               e.message.c_str());
  return 2;
}

const store::Actor kCli{std::nullopt, "cli"};

}  // namespace

int run_admin_create_user(const Settings& s, AdminArgs a) {
  auto ctx = open_admin(s);
  if (!ctx) return 1;
  if (!read_password(a)) return runtime_error("no password on standard input");
  bool generated = a.password.empty();
  if (generated) a.password = core::random_token(12);
  identity::UserService users(*ctx->db, ctx->clock, ctx->hasher);
  identity::NewUser n;
  n.username = a.username;
  n.display_name = a.display_name.empty() ? a.username : a.display_name;
  n.email = a.email;
  n.roles = a.roles;
  n.password = a.password;
  auto u = users.create(kCli, n);
  if (!u.ok()) return usage_error(u.error());
  std::printf("created user %s (id %lld)\n", u->username.c_str(), static_cast<long long>(u->id));
  if (generated) std::printf("password: %s\n", a.password.c_str());
  return 0;
}

int run_admin_reset_password(const Settings& s, AdminArgs a) {
  auto ctx = open_admin(s);
  if (!ctx) return 1;
  if (!read_password(a)) return runtime_error("no password on standard input");
  bool generated = a.password.empty();
  if (generated) a.password = core::random_token(12);
  identity::UserService users(*ctx->db, ctx->clock, ctx->hasher);
  auto user = find_user(users, a.username);
  if (auto* code = std::get_if<int>(&user)) return *code;
  auto u = users.set_password(kCli, std::get<identity::User>(user).id, a.password);
  if (!u.ok()) return usage_error(u.error());
  std::printf("password of %s reset; their sessions ended\n", a.username.c_str());
  if (generated) std::printf("password: %s\n", a.password.c_str());
  return 0;
}

int run_admin_create_token(const Settings& s, const AdminArgs& a) {
  auto ctx = open_admin(s);
  if (!ctx) return 1;
  identity::UserService users(*ctx->db, ctx->clock, ctx->hasher);
  identity::AuthService auth(*ctx->db, ctx->clock, ctx->hasher);
  auto user = find_user(users, a.username);
  if (auto* code = std::get_if<int>(&user)) return *code;
  auto t = auth.create_token(kCli, std::get<identity::User>(user).id, a.token_name, std::nullopt);
  if (!t.ok()) return usage_error(t.error());
  std::printf("%s\n", t->secret.c_str());
  return 0;
}

int run_demo(const Settings& s, const std::string& password) {
  auto ctx = open_admin(s);
  if (!ctx) return 1;
  std::string pw = password.empty() ? "yunwei-demo" : password;
  if (auto st = identity::check_password_policy(pw, "password"); !st.ok())
    return usage_error(st.error());
  auto seeded = bootstrap_identity(*ctx->db, ctx->clock, ctx->hasher);
  if (!seeded.ok()) return runtime_error(seeded.error().message);
  if (!seeded->empty())
    std::printf("created the administrator account: admin / %s\n", seeded->c_str());
  auto summary = load_demo(*ctx->db, ctx->clock, ctx->hasher, pw);
  if (!summary.ok()) return runtime_error(summary.error().message);
  std::printf(
      "demo organisation: %d users created, %d already there, in the default teams; %d "
      "tickets; %d configuration items; %d changes; %d problems\n",
      summary->users_created, summary->users_existing, summary->tickets_created,
      summary->cis_created, summary->changes_created, summary->problems_created);
  if (summary->users_created > 0) {
    std::printf(
        "demo accounts log in with the password: %s (e.g. zhangwei, agent; wangxiaoming, "
        "requester)\n",
        pw.c_str());
  }
  return 0;
}

}  // namespace yunwei::app
