// Change conflict checks (issue #7): on the 100,000-CI estate of bench/support/cmdb_estate.h,
// indexes 10,000 scheduled changes spread over 3 months (1-5 CIs each, 30 min - 6 h long), two
// freeze windows (one global, one scoped to 5 services) and a weekend maintenance window (Sat
// 22:00 - Sun 06:00 Asia/Shanghai) for each of the 20 business services, then times
// change::find_conflicts() for random new changes drawn the same way. CIs are drawn by kind:
// 5% business services, 20% applications, 20% databases, 30% VMs, 15% hypervisor servers, 10%
// other servers. Seeded: every run checks the same changes.
//
//   change_conflicts --data-dir DIR [--iterations 2000] [--changes 10000]   (SQLite; DIR reused)
//
// With --seed-tickets N it also stores the same scheduled changes as change tickets (status
// scheduled, numbers CHG-000001 ...), N more drawn the same way as probes (status review, so not
// in the index: CHG-010001 ...) and the windows, when the database has no changes yet, for
// bench/changes.sh to time GET /api/v1/tickets/{probe}/conflicts through the server.
#include <CLI/CLI.hpp>
#include <algorithm>
#include <array>
#include <chrono>
#include <cstdio>
#include <random>
#include <string>
#include <tuple>
#include <vector>

#include "app/settings.h"
#include "change/conflicts.h"
#include "cmdb/relations.h"
#include "core/clock.h"
#include "core/crypto.h"
#include "store/database.h"
#include "support/cmdb_estate.h"

using namespace yunwei;

namespace {

int fail(const std::string& what, const core::Error& e) {
  std::fprintf(stderr, "%s: %s\n", what.c_str(), e.message.c_str());
  return 1;
}

double ms_since(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
}

constexpr core::TimeMs kMinute = 60'000;
constexpr core::TimeMs kDay = 1440 * kMinute;
constexpr core::TimeMs kFrom = 1'796'083'200'000;  // 2026-12-01T00:00:00Z
constexpr int kDays = 91;

// Random changes: a start on a 15-minute boundary within the 3 months, 30 min - 6 h long.
class ChangeMaker {
 public:
  explicit ChangeMaker(std::uint64_t seed) : rng_(seed) {}

  change::ScheduledChange make(std::int64_t id) {
    change::ScheduledChange c;
    c.id = id;
    char number[32];
    std::snprintf(number, sizeof number, "CHG-%06lld", static_cast<long long>(id));
    c.number = number;
    c.planned_start = kFrom + pick(0, kDays * 96 - 1) * 15 * kMinute;
    c.planned_end = c.planned_start + pick(1, 12) * 30 * kMinute;
    for (std::int64_t n = pick(1, 5); n > 0; --n) c.ci_ids.push_back(ci());
    return c;
  }

 private:
  std::int64_t pick(std::int64_t lo, std::int64_t hi) {
    return lo + static_cast<std::int64_t>(rng_() % static_cast<std::uint64_t>(hi - lo + 1));
  }
  std::int64_t ci() {
    const bench::CiRange kOtherServers{"server", bench::kHypervisors.last + 1, 100000};
    // business services, applications, databases, VMs, hypervisors, other servers
    const std::array<std::pair<int, bench::CiRange>, 6> kMix = {{{5, bench::kEstate[0]},
                                                                 {20, bench::kEstate[1]},
                                                                 {20, bench::kEstate[2]},
                                                                 {30, bench::kEstate[3]},
                                                                 {15, bench::kHypervisors},
                                                                 {10, kOtherServers}}};
    std::int64_t roll = pick(0, 99);
    for (const auto& [weight, range] : kMix) {
      if (roll < weight) return pick(range.first, range.last);
      roll -= weight;
    }
    return pick(kOtherServers.first, kOtherServers.last);
  }

  std::mt19937_64 rng_;
};

// Stores `all` as change tickets (the first `scheduled` in status scheduled, the rest in review)
// with their CIs, the benchmark's windows, and the numbering; false when changes exist already.
core::Result<bool> seed_tickets(store::Database& d, const std::vector<change::ScheduledChange>& all,
                                int scheduled) {
  return store::write_tx<bool>(d, [&](store::Tx& tx) -> core::Result<bool> {
    auto any = tx.query_row("SELECT 1 FROM tickets WHERE kind = 'change'");
    if (!any.ok()) return std::move(any).error();
    if (*any) return false;
    auto admin = tx.query_row("SELECT id FROM users ORDER BY id");
    if (!admin.ok()) return std::move(admin).error();
    if (!*admin) return core::internal("no user to request the changes");
    std::int64_t requester = (*admin)->i64(0);
    core::TimeMs now = kFrom - kDay;
    for (std::size_t i = 0; i < all.size(); ++i) {
      const change::ScheduledChange& c = all[i];
      std::string status = static_cast<int>(i) < scheduled ? "scheduled" : "review";
      auto row = tx.query_row(
          "INSERT INTO tickets (number, kind, subtype, title, status, impact, urgency, priority,"
          " requester_id, channel, created_at, updated_at, version) VALUES (?, 'change',"
          " 'normal', ?, ?, 3, 3, 'P3', ?, 'web', ?, ?, 1) RETURNING id",
          {c.number, "Benchmark change " + c.number, status, requester, now, now});
      if (!row.ok()) return std::move(row).error();
      std::int64_t id = (*row)->i64(0);
      auto det = tx.exec(
          "INSERT INTO change_details (ticket_id, planned_start, planned_end, approval_state)"
          " VALUES (?, ?, ?, 'approved')",
          {id, c.planned_start, c.planned_end});
      if (!det.ok()) return std::move(det).error();
      std::int64_t position = 0;
      for (std::int64_t ci : c.ci_ids) {
        auto n = tx.exec(
            "INSERT INTO ticket_cis (ticket_id, ci_id, position) VALUES (?, ?, ?) ON CONFLICT"
            " DO NOTHING",
            {id, ci, position++});
        if (!n.ok()) return std::move(n).error();
      }
    }
    bool pg = tx.backend() == store::Backend::kPostgres;
    auto counter = tx.exec(
        pg ? "SELECT setval('ticket_number_change', ?)"
           : "INSERT INTO ticket_counters (kind, last_number) VALUES ('change', ?) ON CONFLICT"
             " (kind) DO UPDATE SET last_number = excluded.last_number",
        {static_cast<std::int64_t>(all.size())});
    if (!counter.ok()) return std::move(counter).error();
    for (const auto& [name, start, end, services] :
         {std::tuple<std::string, core::TimeMs, core::TimeMs, std::string>{
              "year end", kFrom + 30 * kDay, kFrom + 32 * kDay, ""},
          {"spring festival", kFrom + 75 * kDay, kFrom + 82 * kDay, "1,2,3,4,5"}}) {
      auto n = tx.exec(
          "INSERT INTO freeze_windows (name, start_at, end_at, service_ids, created_at,"
          " updated_at) VALUES (?, ?, ?, ?, ?, ?)",
          {name, start, end, services, now, now});
      if (!n.ok()) return std::move(n).error();
    }
    for (std::int64_t service = bench::kEstate[0].first; service <= bench::kEstate[0].last;
         ++service) {
      auto n = tx.exec(
          "INSERT INTO maintenance_windows (service_id, name, zone, ranges, created_at,"
          " updated_at) VALUES (?, ?, 'Asia/Shanghai', 'Sat 22:00-Sun 06:00', ?, ?)",
          {service, "weekend " + std::to_string(service), now, now});
      if (!n.ok()) return std::move(n).error();
    }
    auto v = tx.exec(
        "INSERT INTO meta (key, value) VALUES ('change.schedule_version', '1') ON CONFLICT (key)"
        " DO UPDATE SET value = CAST(CAST(meta.value AS INTEGER) + 1 AS TEXT)");
    if (!v.ok()) return std::move(v).error();
    return true;
  });
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App cli{"Time change conflict checks against 10,000 scheduled changes on 100,000 CIs"};
  app::Settings s;
  int iterations = 2000;
  int changes = 10000;
  cli.add_option("--data-dir", s.data_dir, "SQLite data directory");
  cli.add_option("--db", s.db, "PostgreSQL URL");
  cli.add_option("--iterations", iterations, "Checks to time");
  cli.add_option("--changes", changes, "Scheduled changes to index");
  int probes = 0;
  cli.add_option("--seed-tickets", probes,
                 "Also store the changes as tickets, and this many probes");
  CLI11_PARSE(cli, argc, argv);
  if (!core::crypto_init()) return 1;
  core::SystemClock clock;
  auto db = bench::open_estate(s, clock);
  if (!db.ok()) return fail("estate", db.error());
  store::Database& d = **db;

  cmdb::RelationService relations(d, clock);
  auto t0 = std::chrono::steady_clock::now();
  if (auto warm = relations.impact_set(bench::kHypervisors.first, 10); !warm.ok())
    return fail("impact", warm.error());
  std::printf("graph loaded in %.0f ms\n", ms_since(t0));

  ChangeMaker maker(11);
  std::vector<change::ScheduledChange> scheduled;
  scheduled.reserve(static_cast<std::size_t>(changes));
  for (int i = 1; i <= changes; ++i) scheduled.push_back(maker.make(i));
  t0 = std::chrono::steady_clock::now();
  auto index = change::ChangeIndex::build(std::move(scheduled));
  if (!index.ok()) return fail("index", index.error());
  std::printf("%zu changes indexed in %.1f ms\n", index->size(), ms_since(t0));

  std::vector<change::FreezeWindow> freezes = {
      {1, "year end", kFrom + 30 * kDay, kFrom + 32 * kDay, {}},
      {2, "spring festival", kFrom + 75 * kDay, kFrom + 82 * kDay, {1, 2, 3, 4, 5}}};
  std::vector<change::MaintenanceWindow> maintenance;
  for (std::int64_t service = bench::kEstate[0].first; service <= bench::kEstate[0].last;
       ++service) {
    maintenance.push_back({service,
                           service,
                           "weekend " + std::to_string(service),
                           "Asia/Shanghai",
                           {*change::parse_weekly_range("Sat 22:00-Sun 06:00")}});
  }
  t0 = std::chrono::steady_clock::now();
  auto windows = change::ChangeWindows::build(std::move(freezes), std::move(maintenance));
  if (!windows.ok()) return fail("windows", windows.error());
  std::printf("windows compiled in %.0f ms\n", ms_since(t0));

  change::CheckOptions options;
  options.ci_name = [](std::int64_t id) { return "ci-" + std::to_string(id); };
  std::vector<double> ms;
  ms.reserve(static_cast<std::size_t>(iterations));
  std::array<std::size_t, 3> by_kind{};
  std::size_t examined = 0;
  double slowest = 0;
  std::string slowest_what;
  for (int i = 0; i < iterations; ++i) {
    change::ScheduledChange c = maker.make(changes + 1 + i);
    examined += index->overlapping(c.planned_start, c.planned_end).size();
    t0 = std::chrono::steady_clock::now();
    auto out = change::find_conflicts(c, *index, *windows, relations, options);
    ms.push_back(ms_since(t0));
    if (!out.ok()) return fail("check", out.error());
    if (ms.back() > slowest) {
      slowest = ms.back();
      slowest_what = std::to_string(out->size()) + " conflicts, CIs";
      for (std::int64_t ci : c.ci_ids) slowest_what += " " + std::to_string(ci);
    }
    for (const change::Conflict& x : *out) ++by_kind[static_cast<std::size_t>(x.kind)];
  }
  std::sort(ms.begin(), ms.end());
  double n = iterations;
  std::printf(
      "conflict check (%d checks, depth 50): p50 %.3f ms, p99 %.3f ms, max %.3f ms; on average "
      "%.1f changes overlapping in time, %.2f conflicts (%.2f change_overlap, %.2f "
      "freeze_window, %.2f outside_maintenance_window)\n",
      iterations, ms[ms.size() / 2], ms[ms.size() * 99 / 100], ms.back(),
      static_cast<double>(examined) / n,
      static_cast<double>(by_kind[0] + by_kind[1] + by_kind[2]) / n,
      static_cast<double>(by_kind[0]) / n, static_cast<double>(by_kind[1]) / n,
      static_cast<double>(by_kind[2]) / n);
  std::printf("slowest check: %.3f ms, %s\n", slowest, slowest_what.c_str());
  if (probes > 0) {
    ChangeMaker again(11);  // the same changes as indexed above
    std::vector<change::ScheduledChange> all;
    for (int i = 1; i <= changes + probes; ++i) all.push_back(again.make(i));
    t0 = std::chrono::steady_clock::now();
    auto stored = seed_tickets(d, all, changes);
    if (!stored.ok()) return fail("seed tickets", stored.error());
    if (*stored)
      std::printf("stored %d changes and %d probes in %.0f ms\n", changes, probes, ms_since(t0));
  }
  return 0;
}
