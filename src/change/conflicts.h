#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "core/clock.h"
#include "core/result.h"

namespace yunwei::cmdb {
class RelationService;
}
namespace yunwei::sla {
class CompiledCalendar;
}
namespace yunwei::store {
class Tx;
}

// Change conflict detection (issue #7 point 6), in memory: a change collides with another change
// that overlaps it in time on the same CI or on a CI related to one of its CIs through
// propagating relations (either direction, any depth); with a freeze window that overlaps it and
// is global or scoped to a service the change affects; and with the maintenance windows of the
// services it affects when it does not fit inside one occurrence of one of them. Times are UTC
// milliseconds, intervals half-open [start, end).
namespace yunwei::change {

// A change with a planned time, as the index and the check see it.
struct ScheduledChange {
  std::int64_t id = 0;
  std::string number;  // "CHG-000123"
  std::vector<std::int64_t> ci_ids;
  core::TimeMs planned_start = 0, planned_end = 0;  // [start, end)
};

// A freeze (blackout) window: no change may run in [start, end) on the services it applies to;
// none listed = every change.
struct FreezeWindow {
  std::int64_t id = 0;
  std::string name;
  core::TimeMs start = 0, end = 0;
  std::vector<std::int64_t> service_ci_ids;
};

constexpr int kMinutesPerWeek = 7 * 1440;

// A weekly time range in local time: minutes since Monday 00:00, [begin, end), begin < 1440 * 7,
// end <= 1440 * 7, begin != end; an `end` before `begin` wraps past Sunday midnight (Sun 22:00 -
// Mon 02:00).
struct WeeklyRange {
  int begin = 0;
  int end = 0;
  bool operator==(const WeeklyRange&) const = default;
};

// Minutes since Monday 00:00 of `weekday` (0 = Monday ... 6 = Sunday) at `minute_of_day`.
constexpr int week_minute(int weekday, int minute_of_day) { return weekday * 1440 + minute_of_day; }
// "Sat 22:00-Sun 06:00" (Mon Tue Wed Thu Fri Sat Sun; "24:00" as an end) -> the range; nullopt
// when malformed or empty.
std::optional<WeeklyRange> parse_weekly_range(std::string_view s);
// The inverse: "Sat 22:00-Sun 06:00".
std::string format_weekly_range(const WeeklyRange& r);

// When a business service may be changed: weekly ranges in an IANA time zone, so occurrences
// follow daylight-saving changes (a Sat 22:00 - Sun 06:00 window is 7 hours on the night Europe
// moves to summer time).
struct MaintenanceWindow {
  std::int64_t id = 0;
  std::int64_t service_ci_id = 0;
  std::string name;
  std::string zone = "Asia/Shanghai";
  std::vector<WeeklyRange> ranges;
};

enum class ConflictKind { kChangeOverlap, kFreezeWindow, kOutsideMaintenanceWindow };
// "change_overlap", "freeze_window", "outside_maintenance_window".
std::string_view conflict_kind_name(ConflictKind k);

struct Conflict {
  ConflictKind kind = ConflictKind::kChangeOverlap;
  std::string with;          // the other change's number or the window's name
  std::int64_t with_id = 0;  // the other change's or the window's id
  std::int64_t ci_id = 0;    // the CI (overlap) or service (windows) named in `reason`; 0: none
  std::string reason;        // English, names the CI or service and the times (UTC)
  std::string ci_name;       // the name of ci_id ("" when 0), for clients to word their own
  bool operator==(const Conflict&) const = default;
};

// The scheduled changes, indexed by planned time so that a check examines only the changes that
// overlap it (a start-ordered map scanned over [start - longest duration, end); changes longer
// than two days are kept apart and scanned linearly so one long change does not widen every
// scan). Updates are O(log n).
//
// Thread safety: const methods may run concurrently on one index; add / replace / remove need
// exclusive access (a shared_mutex, or copy-on-write: the index is a value type and copies are
// independent).
class ChangeIndex {
 public:
  ChangeIndex() = default;
  // kInvalidArgument (planned_end) for an empty or reversed interval, kConflict (id) for a
  // duplicate id.
  static core::Result<ChangeIndex> build(std::vector<ScheduledChange> changes);

  // kInvalidArgument (planned_end) unless planned_end > planned_start; kConflict (id) when a
  // change with this id is indexed.
  core::Status add(ScheduledChange change);
  // Replaces the change with this id (new times or CIs). kNotFound when absent; errors as add.
  core::Status replace(ScheduledChange change);
  // kNotFound when absent.
  core::Status remove(std::int64_t id);

  std::size_t size() const { return by_id_.size(); }
  const ScheduledChange* find(std::int64_t id) const;
  // The changes whose planned interval overlaps [start, end), in no particular order. The
  // pointers are valid until the next update.
  std::vector<const ScheduledChange*> overlapping(core::TimeMs start, core::TimeMs end) const;

 private:
  using ByStart = std::map<std::pair<core::TimeMs, std::int64_t>, core::TimeMs>;  // -> end
  static bool is_long(const ScheduledChange& c);
  void unlink(const ScheduledChange& c);

  std::unordered_map<std::int64_t, ScheduledChange> by_id_;  // ci_ids sorted and unique
  ByStart short_;                                            // by (start, id)
  std::multiset<core::TimeMs> short_durations_;              // to know the longest
  ByStart long_;
};

// Freeze windows and compiled maintenance windows (each compiled once, as a business calendar of
// sla::CompiledCalendar, into UTC occurrences from 2000 to 2099: a change outside those years is
// never inside a maintenance window). Building costs ~1 ms per maintenance window. Immutable once
// built: share it between threads (copies share the compiled calendars).
class ChangeWindows {
 public:
  ChangeWindows() = default;
  // kInvalidArgument naming the field: freeze end (not after start); maintenance zone (unknown),
  // ranges (none, or one out of the week or empty).
  static core::Result<ChangeWindows> build(std::vector<FreezeWindow> freezes,
                                           std::vector<MaintenanceWindow> maintenance);

  const std::vector<FreezeWindow>& freezes() const { return freezes_; }

 private:
  friend class ConflictCheck;
  struct Compiled {
    MaintenanceWindow window;
    std::shared_ptr<const sla::CompiledCalendar> calendar;  // its occurrences, merged
  };
  std::vector<FreezeWindow> freezes_;
  std::map<std::int64_t, std::vector<Compiled>> maintenance_;  // by service, then name and id
};

// The name of a CI in reasons; unset: "CI <id>". Called only for CIs named in conflicts.
using CiNamer = std::function<std::string(std::int64_t ci_id)>;

struct CheckOptions {
  int depth = 50;  // of the relation walks
  CiNamer ci_name;
  store::Tx* tx = nullptr;  // read the relation graph through this transaction (see cmdb)
};

// The conflicts of `change` (which need not be in `scheduled`; if it is, it is not compared with
// itself) against the other scheduled changes and the windows, sorted by kind, `with`, then
// reason. Walks the relation graph once per CI of the change in each direction (ids only); paths
// are walked only to explain the conflicts found. kInvalidArgument (planned_end) for an empty
// interval; errors of the relation graph's database. Thread-safe: reads `scheduled` and
// `windows` only (hold a shared lock on them during the call if others update them).
core::Result<std::vector<Conflict>> find_conflicts(const ScheduledChange& change,
                                                   const ChangeIndex& scheduled,
                                                   const ChangeWindows& windows,
                                                   cmdb::RelationService& relations,
                                                   const CheckOptions& options = {});

}  // namespace yunwei::change
