#include "change/schedule.h"

#include <string>

namespace yunwei::change {

namespace {
constexpr const char* kKey = "change.schedule_version";
}

core::Status bump_schedule_version(store::Tx& tx) {
  auto n = tx.exec(
      "INSERT INTO meta (key, value) VALUES (?, '1') ON CONFLICT (key) DO UPDATE SET value = "
      "CAST(CAST(meta.value AS INTEGER) + 1 AS TEXT)",
      {std::string(kKey)});
  if (!n.ok()) return std::move(n).error();
  return {};
}

core::Result<std::int64_t> schedule_version(store::Tx& tx) {
  auto row = tx.query_row("SELECT value FROM meta WHERE key = ?", {std::string(kKey)});
  if (!row.ok()) return std::move(row).error();
  if (!*row) return std::int64_t{0};
  return static_cast<std::int64_t>(std::stoll((*row)->str(0)));
}

}  // namespace yunwei::change
