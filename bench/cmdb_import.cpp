// The CMDB bulk import of 100,000 CIs and ~300,000 relations from CSV (issue #6: under 20 s on
// SQLite). Writes the estate of cmdb_impact (20 business services, 1,000 applications, 4,000
// databases, 30,000 VMs, 65,000 servers; services depend on applications, applications on
// databases and run on VMs, databases run on VMs, VMs are hosted on 3,000 hypervisor servers,
// servers are connected to and backed up by others) as one CSV with attributes and relation
// columns, then times cmdb::import_cmdb on a fresh database, the search index catching up, and a
// second import of the same file (everything unchanged).
//
//   cmdb_import --data-dir DIR [--db postgres://...] [--csv-only]
//
// DIR must not hold a database yet (SQLite); the CSV is DIR/cmdb_estate.csv, so `--csv-only`
// followed by `yunwei import cmdb DIR/cmdb_estate.csv --data-dir DIR` times the command line.
#include <CLI/CLI.hpp>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <set>
#include <string>
#include <vector>

#include "app/bootstrap.h"
#include "app/settings.h"
#include "cmdb/import.h"
#include "core/clock.h"
#include "core/crypto.h"
#include "core/csv.h"
#include "identity/password.h"
#include "store/database.h"

using namespace yunwei;

namespace {

int fail(const std::string& what, const core::Error& e) {
  std::fprintf(stderr, "%s: %s%s%s\n", what.c_str(), e.field.c_str(), e.field.empty() ? "" : ": ",
               e.message.c_str());
  return 1;
}

double seconds_since(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

struct Range {
  const char* type;
  const char* prefix;
  std::int64_t first, last;  // CI numbers, as in cmdb_impact
};
const Range kRanges[] = {{"business_service", "业务服务", 1, 20},
                         {"application", "app", 21, 1020},
                         {"database", "db", 1021, 5020},
                         {"virtual_machine", "vm", 5021, 35020},
                         {"server", "srv", 35021, 100000}};

const Range& range_of(std::int64_t n) {
  for (const Range& r : kRanges) {
    if (n >= r.first && n <= r.last) return r;
  }
  return kRanges[0];
}

std::string name_of(std::int64_t n) {
  const Range& r = range_of(n);
  char buf[64];
  std::snprintf(buf, sizeof buf, "%s-%06lld", r.prefix, static_cast<long long>(n));
  return buf;
}

std::string ip_of(std::int64_t n) {
  return "10." + std::to_string(n / 65536 % 256) + "." + std::to_string(n / 256 % 256) + "." +
         std::to_string(n % 256);
}

// The CSV, and how many relations it holds.
std::pair<std::string, std::int64_t> estate_csv() {
  struct Rule {
    const char* type;
    std::int64_t from_first, from_last, to_first, to_count;
    int per;
    std::int64_t stride;
  };
  const Rule kRules[] = {
      {"depends_on", 1, 20, 21, 1000, 100, 13},
      {"depends_on", 21, 1020, 1021, 4000, 8, 503},
      {"runs_on", 21, 1020, 5021, 30000, 30, 2999},
      {"runs_on", 1021, 5020, 5021, 30000, 2, 14999},
      {"hosted_on", 5021, 35020, 35021, 3000, 2, 1499},
      {"connected_to", 35021, 100000, 35021, 64980, 2, 7},
      {"backed_up_by", 35021, 100000, 35021, 64980, 1, 31},
  };
  const std::vector<std::string> kRelations = {"depends_on", "runs_on", "hosted_on", "connected_to",
                                               "backed_up_by"};
  std::string out = "\xEF\xBB\xBF";
  std::vector<std::string> header = {"type",
                                     "name",
                                     "status",
                                     "environment",
                                     "attributes.hostname",
                                     "attributes.ip",
                                     "attributes.os",
                                     "attributes.criticality",
                                     "attributes.engine",
                                     "attributes.port"};
  for (const std::string& r : kRelations) header.push_back("relations." + r);
  core::append_csv_row(out, header);
  std::int64_t relations = 0;
  std::vector<std::string> row;
  for (std::int64_t n = 1; n <= 100000; ++n) {
    const Range& r = range_of(n);
    std::string type = r.type;
    bool host = type == "server" || type == "virtual_machine";
    row = {type,
           name_of(n),
           "in_use",
           n % 10 == 0 ? "staging" : "prod",
           host ? name_of(n) : "",
           host || type == "database" ? ip_of(n) : "",
           host ? (n % 3 == 0 ? "Kylin V10" : "CentOS 7.9") : "",
           type == "business_service" || type == "application" ? "high" : "",
           type == "database" ? (n % 2 ? "oracle" : "mysql") : "",
           type == "database" ? "1521" : ""};
    for (const std::string& rel : kRelations) {
      std::set<std::int64_t> targets;
      for (const Rule& rule : kRules) {
        if (rel != rule.type || n < rule.from_first || n > rule.from_last) continue;
        for (int k = 0; k < rule.per; ++k) {
          std::int64_t to = rule.to_first + ((n * rule.stride + k * 7919) % rule.to_count);
          if (to != n) targets.insert(to);
        }
      }
      std::string cell;
      for (std::int64_t to : targets) {
        if (!cell.empty()) cell += ';';
        cell += std::string(range_of(to).type) + ":" + name_of(to);
      }
      relations += static_cast<std::int64_t>(targets.size());
      row.push_back(std::move(cell));
    }
    core::append_csv_row(out, row);
  }
  return {out, relations};
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App cli{"Time the CMDB import of 100,000 CIs and ~300,000 relations from CSV"};
  app::Settings s;
  bool csv_only = false;
  cli.add_option("--data-dir", s.data_dir, "SQLite data directory (new)")->required();
  cli.add_option("--db", s.db, "PostgreSQL URL (an empty database)");
  cli.add_flag("--csv-only", csv_only, "Only write DIR/cmdb_estate.csv");
  CLI11_PARSE(cli, argc, argv);
  if (!core::crypto_init()) return 1;

  auto t0 = std::chrono::steady_clock::now();
  auto [csv, relations] = estate_csv();
  std::filesystem::create_directories(s.data_dir);
  std::string path = s.data_dir + "/cmdb_estate.csv";
  std::ofstream(path, std::ios::binary) << csv;
  std::printf("wrote %s: 100000 CIs, %lld relations, %.1f MB in %.1f s\n", path.c_str(),
              static_cast<long long>(relations), static_cast<double>(csv.size()) / 1e6,
              seconds_since(t0));
  if (csv_only) return 0;

  core::SystemClock clock;
  auto db = app::open_and_migrate(s, clock);
  if (!db.ok()) return fail("open", db.error());
  identity::PasswordHasher hasher(identity::PasswordHasher::Strength::kMinimum);
  if (auto admin = app::bootstrap_identity(**db, clock, hasher); !admin.ok())
    return fail("bootstrap", admin.error());
  store::Database& d = **db;
  store::Actor actor{std::nullopt, "bench"};

  t0 = std::chrono::steady_clock::now();
  auto first = cmdb::import_cmdb(d, actor, clock.now_ms(), csv, cmdb::ImportFormat::kCsv, {});
  double import_s = seconds_since(t0);
  if (!first.ok()) return fail("import", first.error());
  std::printf(
      "import: %.2f s (%.0f CIs/s, %.0f rows/s counting relations): %d created, %d relations,"
      " %zu rejected\n",
      import_s, 100000 / import_s, static_cast<double>(100000 + relations) / import_s,
      first->created, first->relations_created, first->rejected.size());
  for (std::size_t i = 0; i < first->rejected.size() && i < 5; ++i) {
    std::printf("  line %d: %s: %s\n", first->rejected[i].line, first->rejected[i].field.c_str(),
                first->rejected[i].message.c_str());
  }

  t0 = std::chrono::steady_clock::now();
  if (auto st = d.sync_search(); !st.ok()) return fail("search index", st.error());
  std::printf("search index caught up in %.2f s (after the commit, in the background)\n",
              seconds_since(t0));

  t0 = std::chrono::steady_clock::now();
  auto again = cmdb::import_cmdb(d, actor, clock.now_ms(), csv, cmdb::ImportFormat::kCsv, {});
  if (!again.ok()) return fail("second import", again.error());
  std::printf("second import (unchanged): %.2f s: %d unchanged, %d relations already there\n",
              seconds_since(t0), again->unchanged, again->relations_existing);
  return first->rejected.empty() && again->unchanged == 100000 ? 0 : 1;
}
