#pragma once

#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "core/clock.h"
#include "sla/calendar.h"
#include "sla/holidays.h"
#include "store/audit.h"
#include "store/database.h"

namespace yunwei::sla {

// One dated exception of a calendar: its own hours that day (none: a day off).
struct Override {
  Day date = 0;
  DayHours hours;
  std::string note;
};

struct Calendar {
  std::int64_t id = 0;
  std::string name;
  std::string zone = "Asia/Shanghai";
  std::array<DayHours, 7> weekly;  // Monday first
  std::vector<std::string> holiday_sets;
  std::vector<Override> overrides;  // by date
  bool active = true;
  std::int64_t version = 1;
  core::TimeMs created_at = 0, updated_at = 0;
};

// The JSON of weekly hours and overrides, as the API and the database hold them:
//   {"mon": [["09:00", "12:00"], ["13:00", "18:00"]], ..., "sun": []}
//   [{"date": "2026-03-02", "hours": [], "note": "..."}]
// Errors are kInvalidArgument naming the element ("weekly.mon[1]", "overrides[0].date").
core::Result<std::array<DayHours, 7>> parse_weekly(std::string_view json_text);
core::Result<std::vector<Override>> parse_overrides(std::string_view json_text);
std::string weekly_json(const std::array<DayHours, 7>& weekly);
std::string overrides_json(const std::vector<Override>& overrides);

struct CalendarInput {
  std::string name;
  std::string zone = "Asia/Shanghai";
  std::array<DayHours, 7> weekly;
  std::vector<std::string> holiday_sets;
  std::vector<Override> overrides;
};

struct CalendarPatch {
  std::int64_t version = 0;
  std::optional<std::string> name, zone;
  std::optional<std::array<DayHours, 7>> weekly;
  std::optional<std::vector<std::string>> holiday_sets;
  std::optional<std::vector<Override>> overrides;
  std::optional<bool> active;
};

struct HolidaySet {
  std::int64_t id = 0;
  std::string key;  // "cn-statutory"
  std::string name;
  bool builtin = false;
  std::vector<int> years;  // the years it has days for
  int holidays = 0, workdays = 0;
  std::int64_t version = 1;
  core::TimeMs updated_at = 0;
};

struct ImportReport {
  bool applied = false;    // false for a dry run or when there were errors
  std::vector<int> years;  // replaced (or, in a dry run, that would be)
  int holidays = 0, workdays = 0;
  std::vector<ImportError> errors;
};

// Business calendars and holiday sets. Thread-safe; each method is one transaction. Compiled
// calendars are cached per calendar version and holiday set versions.
class CalendarService {
 public:
  CalendarService(store::Database& db, const core::Clock& clock) : db_(db), clock_(clock) {}

  // kInvalidArgument naming the field: name (1-100), zone (unknown), weekly/overrides (hours),
  // holiday_sets (unknown key); kConflict (name) when taken.
  core::Result<Calendar> create(const store::Actor& actor, const CalendarInput& in);
  core::Result<Calendar> get(std::int64_t id);
  core::Result<std::vector<Calendar>> list();
  // kConflict (version) when stale.
  core::Result<Calendar> update(const store::Actor& actor, std::int64_t id, const CalendarPatch& p);

  // The calendar ready for maths (kNotFound when there is none).
  core::Result<std::shared_ptr<const CompiledCalendar>> compiled(std::int64_t id);

  core::Result<std::vector<HolidaySet>> list_sets();
  // The set's days, of one year or all; kNotFound for an unknown key.
  core::Result<std::vector<HolidayDay>> set_days(std::string_view key, std::optional<int> year);
  // kInvalidArgument (key: lower-case letters, digits and -, 2-40; name); kConflict (key).
  core::Result<HolidaySet> create_set(const store::Actor& actor, const std::string& key,
                                      const std::string& name);
  // Replaces the set's days of every year the document covers, all or nothing: with any error
  // nothing changes (the report lists each with its line). `format`: "json" or "ical".
  core::Result<ImportReport> import_days(const store::Actor& actor, std::string_view key,
                                         std::string_view format, std::string_view text,
                                         bool dry_run);

  // The shipped holiday set cn-statutory (when missing) and, when there are no calendars, "24×7"
  // and "Office hours" (Monday to Friday 09:00-12:00 and 13:00-18:00, Asia/Shanghai,
  // cn-statutory).
  core::Status seed_defaults(const store::Actor& actor);

 private:
  struct Cached {
    std::string stamp;  // calendar version and the versions of its holiday sets
    std::shared_ptr<const CompiledCalendar> calendar;
  };

  store::Database& db_;
  const core::Clock& clock_;
  std::mutex cache_mu_;
  std::map<std::int64_t, Cached> cache_;
};

}  // namespace yunwei::sla
