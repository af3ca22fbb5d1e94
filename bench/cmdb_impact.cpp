// Impact analysis over a CMDB of 100,000 CIs and ~300,000 relations (issue #6): seeds the estate
// of bench/support/cmdb_estate.h (20 business services, 1,000 applications, 4,000 databases and
// middleware, 30,000 VMs, 65,000 servers), then times
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

#include "app/settings.h"
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
  auto db = bench::open_estate(s, clock);
  if (!db.ok()) return fail("estate", db.error());
  store::Database& d = **db;

  cmdb::RelationService relations(d, clock);
  auto started = std::chrono::steady_clock::now();
  auto warm = relations.impact(35021, 10);
  if (!warm.ok()) return fail("impact", warm.error());
  std::printf("graph loaded and first walk in %.0f ms\n",
              std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - started)
                  .count());
  std::mt19937_64 rng(7);
  for (const bench::CiRange& r : {bench::kHypervisors, bench::kEstate[3], bench::kEstate[2]}) {
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
