#pragma once
// The CMDB estate of the benchmarks (bench/cmdb_impact.cpp, bench/change_conflicts.cpp): 100,000
// CIs and ~300,000 relations seeded straight into the tables (20 business services, 1,000
// applications, 4,000 databases and middleware, 30,000 VMs, 65,000 servers; each service depends
// on 100 applications, each application on 8 databases and runs on 30 VMs, databases run on VMs,
// VMs are hosted on two of 3,000 hypervisor servers; servers are also connected to and backed up
// by others, which carry no impact). Header-only: link yunwei_app_lib.

#include <chrono>
#include <cstdint>
#include <cstdio>
#include <memory>
#include <string>
#include <utility>

#include "app/bootstrap.h"
#include "app/settings.h"
#include "core/clock.h"
#include "core/result.h"
#include "identity/password.h"
#include "store/database.h"

namespace yunwei::bench {

// Id ranges of each kind (the CIs are inserted in this order into an empty table).
struct CiRange {
  const char* type;
  std::int64_t first, last;
};
inline constexpr CiRange kEstate[] = {{"business_service", 1, 20},
                                      {"application", 21, 1020},
                                      {"database", 1021, 5020},
                                      {"virtual_machine", 5021, 35020},
                                      {"server", 35021, 100000}};
inline constexpr CiRange kHypervisors{"hypervisor server", 35021, 38020};

// Seeds the estate when the database has no CIs (printing how long it took), then prints the
// number of CIs and relations. The database must be migrated, with the shipped CI and relation
// types.
inline core::Status seed_estate(store::Database& d) {
  auto existing = store::read_tx<std::int64_t>(d, [](store::Tx& tx) -> core::Result<std::int64_t> {
    auto row = tx.query_row("SELECT COUNT(*) FROM cis");
    if (!row.ok()) return std::move(row).error();
    return (*row)->i64(0);
  });
  if (!existing.ok()) return std::move(existing).error();
  if (*existing == 0) {
    auto started = std::chrono::steady_clock::now();
    auto st = d.write([&](store::Tx& tx) -> core::Status {
      for (const CiRange& r : kEstate) {
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
    if (!st.ok()) return st;
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
  if (!counts.ok()) return std::move(counts).error();
  std::printf("%lld CIs, %lld relations\n", static_cast<long long>(counts->first),
              static_cast<long long>(counts->second));
  return {};
}

// Opens and migrates the database of `s`, seeds the shipped types and the administrator, then
// the estate (as seed_estate).
inline core::Result<std::unique_ptr<store::Database>> open_estate(const app::Settings& s,
                                                                  const core::Clock& clock) {
  auto db = app::open_and_migrate(s, clock);
  if (!db.ok()) return std::move(db).error();
  identity::PasswordHasher hasher(identity::PasswordHasher::Strength::kMinimum);
  if (auto admin = app::bootstrap_identity(**db, clock, hasher); !admin.ok())
    return std::move(admin).error();
  YW_TRY(seed_estate(**db));
  return std::move(db).value();
}

}  // namespace yunwei::bench
