// Impact analysis over a CMDB of 100,000 CIs and ~300,000 relations (issue #6): seeds an estate
// straight into the tables (20 business services, 1,000 applications, 4,000 databases and
// middleware, 30,000 VMs, 65,000 servers; each service depends on 100 applications, each
// application on 8 databases and runs on 30 VMs, databases run on VMs, VMs are hosted on two of
// 3,000 hypervisor servers; servers are also
// connected to and backed up by others, which carry no impact), then times
// RelationService::impact() from random hypervisor servers (each hosting ~20 VMs), VMs and
// databases to the business services.
//
//   cmdb_impact --data-dir DIR [--iterations 2000]   (SQLite; DIR is reused when seeded)
#include <CLI/CLI.hpp>
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <random>
#include <string>
#include <vector>

#include "app/bootstrap.h"
#include "app/settings.h"
#include "cmdb/relations.h"
#include "core/clock.h"
#include "core/crypto.h"
#include "identity/password.h"
#include "store/database.h"

using namespace yunwei;

namespace {

int fail(const std::string& what, const core::Error& e) {
  std::fprintf(stderr, "%s: %s\n", what.c_str(), e.message.c_str());
  return 1;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App cli{"Time CMDB impact analysis on 100,000 CIs"};
  app::Settings s;
  int iterations = 2000;
  cli.add_option("--data-dir", s.data_dir, "SQLite data directory");
  cli.add_option("--db", s.db, "PostgreSQL URL");
  cli.add_option("--iterations", iterations, "Walks per kind of start");
  CLI11_PARSE(cli, argc, argv);
  if (!core::crypto_init()) return 1;
  core::SystemClock clock;
  auto db = app::open_and_migrate(s, clock);
  if (!db.ok()) return fail("open", db.error());
  identity::PasswordHasher hasher(identity::PasswordHasher::Strength::kMinimum);
  if (auto admin = app::bootstrap_identity(**db, clock, hasher); !admin.ok())
    return fail("bootstrap", admin.error());
  store::Database& d = **db;

  // Id ranges of each kind (the CIs are inserted in this order into an empty table).
  struct Range {
    const char* type;
    std::int64_t first, last;
  };
  const Range kRanges[] = {{"business_service", 1, 20},
                           {"application", 21, 1020},
                           {"database", 1021, 5020},
                           {"virtual_machine", 5021, 35020},
                           {"server", 35021, 100000}};
  auto existing = store::read_tx<std::int64_t>(d, [](store::Tx& tx) -> core::Result<std::int64_t> {
    auto row = tx.query_row("SELECT COUNT(*) FROM cis");
    if (!row.ok()) return std::move(row).error();
    return (*row)->i64(0);
  });
  if (!existing.ok()) return fail("count", existing.error());
  if (*existing == 0) {
    auto started = std::chrono::steady_clock::now();
    auto st = d.write([&](store::Tx& tx) -> core::Status {
      for (const Range& r : kRanges) {
        auto n = tx.exec(
            "WITH RECURSIVE seq(i) AS (SELECT ? UNION ALL SELECT i + 1 FROM seq WHERE i < ?)"
            " INSERT INTO cis (id, type_id, name, attributes, created_at, updated_at) SELECT i,"
            " (SELECT id FROM ci_types WHERE key = ?), ? || '-' || i, '{}', 0, 0 FROM seq",
            {r.first, r.last, std::string(r.type), std::string(r.type)});
        if (!n.ok()) return std::move(n).error();
      }
      // (from, type, to) by formula: from each CI of a range to CIs of another.
      struct Rule {
        const char* type;
        std::int64_t from_first, from_last, to_first, to_count;
        int per;  // relations per source CI
        std::int64_t stride;
      };
      const Rule kRules[] = {
          {"depends_on", 1, 20, 21, 1000, 100, 13},             // services -> applications
          {"depends_on", 21, 1020, 1021, 4000, 8, 503},         // applications -> databases
          {"runs_on", 21, 1020, 5021, 30000, 30, 2999},         // applications -> VMs
          {"runs_on", 1021, 5020, 5021, 30000, 2, 14999},       // databases -> VMs
          {"hosted_on", 5021, 35020, 35021, 3000, 2, 1499},     // VMs -> 3,000 hypervisors
          {"connected_to", 35021, 100000, 35021, 64980, 2, 7},  // servers <-> servers
          {"backed_up_by", 35021, 100000, 35021, 64980, 1, 31},
      };
      for (const Rule& r : kRules) {
        for (int k = 0; k < r.per; ++k) {
          auto n = tx.exec(
              "WITH RECURSIVE seq(i) AS (SELECT ? UNION ALL SELECT i + 1 FROM seq WHERE i < ?)"
              " INSERT INTO ci_relations (type_id, from_ci, to_ci, created_at) SELECT (SELECT id"
              " FROM ci_relation_types WHERE key = ?), i, ? + ((i * ? + ?) % ?), 0 FROM seq"
              " WHERE i <> ? + ((i * ? + ?) % ?) ON CONFLICT DO NOTHING",
              {r.from_first, r.from_last, std::string(r.type), r.to_first, r.stride,
               std::int64_t{k * 7919}, r.to_count, r.to_first, r.stride, std::int64_t{k * 7919},
               r.to_count});
          if (!n.ok()) return std::move(n).error();
        }
      }
      auto v = tx.exec(
          "INSERT INTO meta (key, value) VALUES ('cmdb.relations_version', 'seeded') ON CONFLICT"
          " (key) DO UPDATE SET value = 'seeded'");
      if (!v.ok()) return std::move(v).error();
      return {};
    });
    if (!st.ok()) return fail("seed", st.error());
    std::printf("seeded in %.1f s\n",
                std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count());
  }
  auto counts = store::read_tx<std::pair<std::int64_t, std::int64_t>>(
      d, [](store::Tx& tx) -> core::Result<std::pair<std::int64_t, std::int64_t>> {
        auto a = tx.query_row("SELECT COUNT(*) FROM cis");
        if (!a.ok()) return std::move(a).error();
        auto b = tx.query_row("SELECT COUNT(*) FROM ci_relations");
        if (!b.ok()) return std::move(b).error();
        return std::make_pair((*a)->i64(0), (*b)->i64(0));
      });
  if (!counts.ok()) return fail("count", counts.error());
  std::printf("%lld CIs, %lld relations\n", static_cast<long long>(counts->first),
              static_cast<long long>(counts->second));

  cmdb::RelationService relations(d, clock);
  auto started = std::chrono::steady_clock::now();
  auto warm = relations.impact(35021, 10);
  if (!warm.ok()) return fail("impact", warm.error());
  std::printf("graph loaded and first walk in %.0f ms\n",
              std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - started)
                  .count());
  std::mt19937_64 rng(7);
  const Range kHypervisors{"hypervisor server", 35021, 38020};
  for (const Range& r : {kHypervisors, kRanges[3], kRanges[2]}) {
    std::vector<double> ms;
    std::size_t reached = 0, services = 0;
    for (int i = 0; i < iterations; ++i) {
      std::int64_t id = r.first + static_cast<std::int64_t>(
                                      rng() % static_cast<std::uint64_t>(r.last - r.first + 1));
      auto t0 = std::chrono::steady_clock::now();
      auto out = relations.impact(id, 10);
      ms.push_back(
          std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count());
      if (!out.ok()) return fail("impact", out.error());
      reached += out->size();
      for (const cmdb::Reached& x : *out) services += x.ci_id <= 20 ? 1 : 0;
    }
    std::sort(ms.begin(), ms.end());
    std::printf(
        "impact from a %s: p50 %.3f ms, p99 %.3f ms, max %.3f ms; on average %.0f CIs and %.1f "
        "business services reached\n",
        r.type, ms[ms.size() / 2], ms[ms.size() * 99 / 100], ms.back(),
        static_cast<double>(reached) / iterations, static_cast<double>(services) / iterations);
  }
  return 0;
}
