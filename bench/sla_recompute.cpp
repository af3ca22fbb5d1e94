// How long re-evaluating every open ticket's SLA takes after a calendar change (issue #5: under
// 5 s for 1,000,000 open tickets on SQLite). Seeds N open incidents over the last 90 days with
// one to three history points each (straight into tickets and ticket_sla, as the tracker would
// have left them), then changes the office-hours calendar three times — an override day, back,
// new weekly hours — and times SlaTracker::recompute_open() after each.
//
//   sla_recompute --data-dir DIR [--count 1000000]      (SQLite; DIR is reused when seeded)
//   sla_recompute --db postgres://...  [--count N]
#include <CLI/CLI.hpp>
#include <chrono>
#include <cstdio>
#include <string>

#include "app/bootstrap.h"
#include "app/settings.h"
#include "core/clock.h"
#include "core/crypto.h"
#include "identity/password.h"
#include "sla/calendar_service.h"
#include "sla/policy.h"
#include "sla/tracker.h"
#include "store/database.h"
#include "tickets/ticket_service.h"

using namespace yunwei;

namespace {

int fail(const std::string& what, const core::Error& e) {
  std::fprintf(stderr, "%s: %s\n", what.c_str(), e.message.c_str());
  return 1;
}

double seconds_since(std::chrono::steady_clock::time_point t) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t).count();
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App cli{"Time the SLA re-evaluation of every open ticket after a calendar change"};
  app::Settings s;
  long count = 1'000'000;
  cli.add_option("--data-dir", s.data_dir, "SQLite data directory");
  cli.add_option("--db", s.db, "PostgreSQL URL");
  cli.add_option("--count", count, "How many open tickets");
  CLI11_PARSE(cli, argc, argv);
  if (!core::crypto_init()) return 1;
  core::SystemClock clock;
  auto db = app::open_and_migrate(s, clock);
  if (!db.ok()) return fail("open", db.error());
  identity::PasswordHasher hasher(identity::PasswordHasher::Strength::kMinimum);
  auto admin = app::bootstrap_identity(**db, clock, hasher);
  if (!admin.ok()) return fail("bootstrap", admin.error());
  store::Database& d = **db;
  store::Actor system{std::nullopt, "bench"};
  sla::CalendarService calendars(d, clock);
  sla::PolicyService policies(d, clock);
  tickets::TicketService tickets(d, clock);
  if (auto st = calendars.seed_defaults(system); !st.ok()) return fail("calendars", st.error());
  if (auto st = policies.seed_defaults(system); !st.ok()) return fail("policies", st.error());

  auto seeded = store::read_tx<std::int64_t>(d, [](store::Tx& tx) -> core::Result<std::int64_t> {
    auto row = tx.query_row("SELECT COUNT(*) FROM ticket_sla WHERE open = 1");
    if (!row.ok()) return std::move(row).error();
    return (*row)->i64(0);
  });
  if (!seeded.ok()) return fail("count", seeded.error());
  if (*seeded < count) {
    auto started = std::chrono::steady_clock::now();
    core::TimeMs now = clock.now_ms();
    // A third assigned, a third in progress, a third pending on the requester (paused); every
    // priority; created over the last 90 days; teams 1-6.
    auto st = d.write([&](store::Tx& tx) -> core::Status {
      auto user = tx.query_row("SELECT id FROM users ORDER BY id LIMIT 1");
      if (!user.ok()) return std::move(user).error();
      std::int64_t requester = (*user)->i64(0);
      auto n = tx.exec(
          "WITH RECURSIVE seq(i) AS (SELECT ? UNION ALL SELECT i + 1 FROM seq WHERE i < ?)"
          " INSERT INTO tickets (number, kind, title, status, impact, urgency, priority,"
          " requester_id, assignee_team_id, pending_reason, created_at, updated_at)"
          " SELECT 'BENCH-' || i, 'incident', 'bench', CASE i % 3 WHEN 0 THEN 'assigned' WHEN 1"
          " THEN 'in_progress' ELSE 'pending' END, 2, 2, 'P' || (1 + i % 5), ?, 1 + i % 6,"
          " CASE i % 3 WHEN 2 THEN 'awaiting_requester' ELSE '' END, ? - (i * 7919) % ?, ?"
          " FROM seq",
          {std::int64_t{*seeded + 1}, std::int64_t{count}, requester, now,
           std::int64_t{90} * 86'400'000, now});
      if (!n.ok()) return std::move(n).error();
      // The tracker's compact history: created (assigned), taken up 10 min later, pending 1 h
      // after that.
      n = tx.exec(
          "INSERT INTO ticket_sla (ticket_id, open, history, evaluated_at) SELECT t.id, 1,"
          " t.created_at || ',assigned,,' || t.priority || ',' || t.assignee_team_id || ',0'"
          " || CASE WHEN t.status <> 'assigned' THEN ';' || (t.created_at + 600000) ||"
          " ',in_progress,,' || t.priority || ',' || t.assignee_team_id || ',1' ELSE '' END"
          " || CASE WHEN t.status = 'pending' THEN ';' || (t.created_at + 4200000) ||"
          " ',pending,awaiting_requester,' || t.priority || ',' || t.assignee_team_id || ',1'"
          " ELSE '' END, ? FROM tickets t WHERE t.title = 'bench' AND t.id NOT IN (SELECT"
          " ticket_id FROM ticket_sla)",
          {now});
      if (!n.ok()) return std::move(n).error();
      return {};
    });
    if (!st.ok()) return fail("seed", st.error());
    std::printf("seeded %ld open tickets in %.1f s\n", count, seconds_since(started));
    sla::SlaTracker first(d, clock, calendars, policies, tickets);
    started = std::chrono::steady_clock::now();
    auto n = first.recompute_open(true);
    if (!n.ok()) return fail("first evaluation", n.error());
    std::printf("first evaluation: %lld tickets in %.2f s\n", static_cast<long long>(*n),
                seconds_since(started));
  }

  auto all = calendars.list();
  if (!all.ok()) return fail("calendars", all.error());
  sla::Calendar office;
  for (const sla::Calendar& c : *all) {
    if (c.name != "24×7") office = c;
  }
  // Each change moves the due dates of most office-hours tickets (P3-P5); P1/P2 run on 24×7.
  const char* changes[] = {"a day off next week", "office hours from 08:30 to 17:30",
                           "office hours back to 09:00-18:00"};
  for (int round = 0; round < 3; ++round) {
    sla::CalendarPatch p;
    p.version = office.version;
    core::TimeMs next_week = clock.now_ms() + 7 * 86'400'000LL;
    if (round == 0) {
      p.overrides = std::vector<sla::Override>{
          {sla::parse_date(core::format_iso8601(next_week).substr(0, 10)).value(), {}, "bench"}};
    } else {
      int shift = round == 1 ? 30 : 0;
      std::array<sla::DayHours, 7> weekly = office.weekly;
      for (std::size_t day = 0; day < 5; ++day)
        weekly[day] = {{9 * 60 - shift, 12 * 60}, {13 * 60, 18 * 60 - shift}};
      p.weekly = weekly;
    }
    auto updated = calendars.update(system, office.id, p);
    if (!updated.ok()) return fail("calendar change", updated.error());
    office = *updated;
    sla::SlaTracker tracker(d, clock, calendars, policies, tickets);
    auto started = std::chrono::steady_clock::now();
    std::int64_t rewritten = 0;
    auto n = tracker.recompute_open(false, &rewritten);
    if (!n.ok()) return fail("recompute", n.error());
    double secs = seconds_since(started);
    std::printf(
        "after %s: re-evaluated %lld open tickets in %.2f s (%.0f per second), %lld rows "
        "changed\n",
        changes[round], static_cast<long long>(*n), secs, static_cast<double>(*n) / secs,
        static_cast<long long>(rewritten));
  }
  return 0;
}
