// `yunwei import cmdb FILE.csv|FILE.json`: the CMDB bulk import from the command line (issue #6).
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <fstream>
#include <sstream>

#include "app/bootstrap.h"
#include "app/commands.h"
#include "cmdb/import.h"
#include "core/crypto.h"
#include "core/log.h"
#include "core/text.h"

namespace yunwei::app {

namespace {

// A bar on a terminal, redrawn at most every 100 ms; nothing when stderr is not a terminal
// (logs and pipes get the summary only).
class ProgressBar {
 public:
  ProgressBar() : tty_(isatty(STDERR_FILENO) == 1) {}
  ~ProgressBar() { finish(); }

  void update(std::int64_t done, std::int64_t total) {
    if (!tty_ || total <= 0) return;
    auto now = std::chrono::steady_clock::now();
    if (drawn_ && done < total && now - last_ < std::chrono::milliseconds(100)) return;
    last_ = now;
    drawn_ = true;
    constexpr int kWidth = 40;
    int filled = static_cast<int>(done * kWidth / total);
    std::string bar(static_cast<std::size_t>(filled), '#');
    bar.append(static_cast<std::size_t>(kWidth - filled), '-');
    std::fprintf(stderr, "\rimporting [%s] %3d%%  %lld/%lld", bar.c_str(),
                 static_cast<int>(done * 100 / total), static_cast<long long>(done),
                 static_cast<long long>(total));
    std::fflush(stderr);
  }
  void finish() {
    if (!drawn_) return;
    std::fprintf(stderr, "\n");
    drawn_ = false;
  }

 private:
  bool tty_;
  bool drawn_ = false;
  std::chrono::steady_clock::time_point last_;
};

}  // namespace

int run_import_cmdb(const Settings& s, const ImportCmdbArgs& a) {
  std::string ext = core::ascii_lower(a.file.substr(a.file.rfind('.') + 1));
  cmdb::ImportFormat format;
  if (a.file.rfind('.') != std::string::npos && ext == "csv") {
    format = cmdb::ImportFormat::kCsv;
  } else if (a.file.rfind('.') != std::string::npos && ext == "json") {
    format = cmdb::ImportFormat::kJson;
  } else {
    std::fprintf(stderr, "yunwei: %s: the file must end in .csv or .json\n", a.file.c_str());
    return 2;
  }
  std::ifstream in(a.file, std::ios::binary);
  if (!in) {
    std::fprintf(stderr, "yunwei: cannot read %s\n", a.file.c_str());
    return 2;
  }
  std::ostringstream text;
  text << in.rdbuf();

  core::setup_logging("warn");
  if (!core::crypto_init()) {
    std::fprintf(stderr, "yunwei: libsodium could not be initialised\n");
    return 1;
  }
  core::SystemClock clock;
  auto db = open_and_migrate(s, clock);
  if (!db.ok()) {
    std::fprintf(stderr, "yunwei: %s\n", db.error().message.c_str());
    return 1;
  }
  identity::PasswordHasher hasher(s.password_cost == "minimum"
                                      ? identity::PasswordHasher::Strength::kMinimum
                                      : identity::PasswordHasher::Strength::kInteractive);
  // A new database gets the shipped CI and relation types (and the administrator) first.
  auto seeded = bootstrap_identity(**db, clock, hasher);
  if (!seeded.ok()) {
    std::fprintf(stderr, "yunwei: %s\n", seeded.error().message.c_str());
    return 1;
  }
  if (!seeded->empty())
    std::printf("created the administrator account: admin / %s\n", seeded->c_str());

  cmdb::ImportOptions options;
  options.dry_run = a.dry_run;
  options.key = a.key;
  options.strict = a.strict;
  ProgressBar bar;
  store::Actor actor{std::nullopt, "cli-import"};
  auto report =
      cmdb::import_cmdb(**db, actor, clock.now_ms(), text.str(), format, options,
                        [&](std::int64_t done, std::int64_t total) { bar.update(done, total); });
  bar.finish();
  if (!report.ok()) {
    const core::Error& e = report.error();
    std::fprintf(stderr, "yunwei: %s: %s%s%s\n", a.file.c_str(), e.field.c_str(),
                 e.field.empty() ? "" : ": ", e.message.c_str());
    std::fprintf(stderr, "yunwei: nothing was imported\n");
    return e.code == core::ErrorCode::kInvalidArgument ? 2 : 1;
  }
  const cmdb::ImportReport& r = *report;
  if (r.applied) {
    // Bring the search index up to date before the process ends (SQLite indexes in batches).
    if (auto st = (*db)->sync_search(); !st.ok())
      std::fprintf(stderr, "yunwei: search index: %s\n", st.error().message.c_str());
  }
  const char* outcome = r.dry_run   ? "dry run, nothing changed"
                        : r.applied ? "imported"
                                    : "nothing imported (--strict and lines were rejected)";
  std::printf("%s: %s\n", a.file.c_str(), outcome);
  std::printf(
      "%d lines: %d created, %d updated, %d unchanged, %zu rejected; relations: %d created, %d "
      "already there\n",
      r.lines, r.created, r.updated, r.unchanged, r.rejected.size(), r.relations_created,
      r.relations_existing);
  for (const cmdb::RejectedLine& l : r.rejected) {
    std::printf("line %d: %s: %s: %s\n", l.line, l.ci.c_str(), l.field.c_str(), l.message.c_str());
  }
  return r.rejected.empty() ? 0 : 1;
}

}  // namespace yunwei::app
