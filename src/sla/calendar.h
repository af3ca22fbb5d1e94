#pragma once

#include <array>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/clock.h"
#include "core/result.h"

// Business calendars: when a team works, in its own time zone, with public holidays and 调休
// make-up workdays. A calendar is compiled once into sorted UTC working intervals with running
// totals, so "due after N business minutes" and "business minutes between" are binary searches.
namespace yunwei::sla {

// A civil date (proleptic Gregorian) as days since 1970-01-01.
using Day = std::int32_t;

// "2026-02-14" -> its Day; nullopt unless a valid YYYY-MM-DD date.
std::optional<Day> parse_date(std::string_view s);
std::string format_date(Day d);
// 0 = Monday ... 6 = Sunday.
int weekday(Day d);

// Working time within one local day: minutes since local midnight, [begin, end), end <= 1440.
struct Hours {
  int begin = 0;
  int end = 0;
  bool operator==(const Hours&) const = default;
};
using DayHours = std::vector<Hours>;  // sorted and disjoint

// "09:00" -> 540. "24:00" (1440) only when `end_of_day`.
std::optional<int> parse_hhmm(std::string_view s, bool end_of_day);
std::string format_hhmm(int minutes);
// kInvalidArgument naming `field` unless every range is non-empty, sorted and disjoint.
core::Status check_hours(const DayHours& hours, std::string_view field);

enum class DayKind { kHoliday, kWorkday };

// One dated exception from a holiday set: a public holiday (off) or a make-up workday (调休上班,
// a Saturday or Sunday worked with normal hours).
struct HolidayDay {
  Day date = 0;
  DayKind kind = DayKind::kHoliday;
  std::string name;
};

// What a calendar is made of. Per local date, the first that applies: an override (its hours;
// none = a day off), a holiday (off), a make-up workday (the hours of the first weekday from
// Monday to Friday that has any), the weekly pattern.
struct CalendarSpec {
  std::string zone = "Asia/Shanghai";  // IANA name, resolved with the system tz database
  std::array<DayHours, 7> weekly;      // Monday first
  std::vector<HolidayDay> holidays;    // of every holiday set the calendar uses
  std::map<Day, DayHours> overrides;
};

// The hours a spec gives `d` (local date).
DayHours hours_on(const CalendarSpec& spec, Day d,
                  const std::map<Day, DayKind>* holidays = nullptr);

// A compiled calendar: every working interval from kFirstYear to kEndYear (exclusive) in UTC
// milliseconds. Immutable: share it between threads.
class CompiledCalendar {
 public:
  static constexpr int kFirstYear = 2000;
  static constexpr int kEndYear = 2100;

  // kInvalidArgument (zone) for a zone the tz database does not know; hours as check_hours.
  static core::Result<std::shared_ptr<const CompiledCalendar>> compile(const CalendarSpec& spec);

  // The instant at which `work_ms` of working time after `start` has passed: `start` itself for
  // 0, else the end of that working time (a deadline landing on the end of a working range is
  // that end, not the next morning). kInvalidArgument (start / minutes) outside the range.
  core::Result<core::TimeMs> add(core::TimeMs start, std::int64_t work_ms) const;
  // Working time in [start, end) (0 when end <= start); kInvalidArgument outside the range.
  core::Result<std::int64_t> between(core::TimeMs start, core::TimeMs end) const;
  // Whether `t` falls in working time.
  bool working_at(core::TimeMs t) const;
  // The first working instant at or after `t` (nullopt past the range).
  std::optional<core::TimeMs> next_working(core::TimeMs t) const;

  // `t` as RFC 3339 in the calendar's zone: "2026-03-02T09:00:00+08:00" (".250" when it has ms).
  std::string format_local(core::TimeMs t) const;
  const std::string& zone() const { return zone_; }
  core::TimeMs range_begin() const { return range_begin_; }
  core::TimeMs range_end() const { return range_end_; }
  std::size_t interval_count() const { return begins_.size(); }

 private:
  CompiledCalendar() = default;
  // Working time in [range_begin, t).
  std::int64_t worked_before(core::TimeMs t) const;

  std::string zone_;
  const void* tz_ = nullptr;  // date::time_zone, kept out of this header
  core::TimeMs range_begin_ = 0, range_end_ = 0;
  // Interval i is [begins_[i], ends_[i]); cum_[i] is the working time before it (cum_ has one
  // more element: the total).
  std::vector<std::int64_t> begins_, ends_, cum_;
};

}  // namespace yunwei::sla
