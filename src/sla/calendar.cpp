#include "sla/calendar.h"

#include <date/date.h>
#include <date/tz.h>

#include <algorithm>
#include <cstdio>

namespace yunwei::sla {
namespace {

using std::chrono::milliseconds;
using std::chrono::minutes;

const date::time_zone* tz_of(const void* p) { return static_cast<const date::time_zone*>(p); }

bool digits(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

int to_int(std::string_view s) {
  int n = 0;
  for (char c : s) n = n * 10 + (c - '0');
  return n;
}

// The hours of a make-up workday: those of the first weekday (Monday to Friday) that has any.
const DayHours& makeup_hours(const CalendarSpec& spec) {
  for (int d = 0; d < 5; ++d) {
    if (!spec.weekly[static_cast<std::size_t>(d)].empty())
      return spec.weekly[static_cast<std::size_t>(d)];
  }
  return spec.weekly[0];
}

}  // namespace

std::optional<Day> parse_date(std::string_view s) {
  if (s.size() != 10 || s[4] != '-' || s[7] != '-') return std::nullopt;
  std::string_view y = s.substr(0, 4), m = s.substr(5, 2), d = s.substr(8, 2);
  if (!digits(y) || !digits(m) || !digits(d)) return std::nullopt;
  date::year_month_day ymd{date::year{to_int(y)}, date::month{static_cast<unsigned>(to_int(m))},
                           date::day{static_cast<unsigned>(to_int(d))}};
  if (!ymd.ok()) return std::nullopt;
  return static_cast<Day>(date::sys_days{ymd}.time_since_epoch().count());
}

std::string format_date(Day d) {
  date::year_month_day ymd{date::sys_days{date::days{d}}};
  char buf[16];
  std::snprintf(buf, sizeof buf, "%04d-%02u-%02u", static_cast<int>(ymd.year()),
                static_cast<unsigned>(ymd.month()), static_cast<unsigned>(ymd.day()));
  return buf;
}

int weekday(Day d) {
  // date::weekday: Sunday = 0.
  unsigned wd = date::weekday{date::sys_days{date::days{d}}}.c_encoding();
  return static_cast<int>((wd + 6) % 7);
}

std::optional<int> parse_hhmm(std::string_view s, bool end_of_day) {
  if (s.size() != 5 || s[2] != ':' || !digits(s.substr(0, 2)) || !digits(s.substr(3, 2)))
    return std::nullopt;
  int h = to_int(s.substr(0, 2)), m = to_int(s.substr(3, 2));
  if (h == 24 && m == 0 && end_of_day) return 1440;
  if (h > 23 || m > 59) return std::nullopt;
  return h * 60 + m;
}

std::string format_hhmm(int minutes_of_day) {
  int m = std::clamp(minutes_of_day, 0, 1440);
  std::string out = "00:00";
  out[0] = static_cast<char>('0' + m / 600);
  out[1] = static_cast<char>('0' + m / 60 % 10);
  out[3] = static_cast<char>('0' + m % 60 / 10);
  out[4] = static_cast<char>('0' + m % 10);
  return out;
}

core::Status check_hours(const DayHours& hours, std::string_view field) {
  int last_end = -1;
  for (const Hours& h : hours) {
    if (h.begin < 0 || h.end > 1440 || h.begin >= h.end) {
      return core::invalid(std::string(field),
                           "each range must start before it ends, within the day");
    }
    if (h.begin < last_end) {
      return core::invalid(std::string(field), "ranges must be in order and must not overlap");
    }
    last_end = h.end;
  }
  return {};
}

DayHours hours_on(const CalendarSpec& spec, Day d, const std::map<Day, DayKind>* holidays) {
  if (auto o = spec.overrides.find(d); o != spec.overrides.end()) return o->second;
  std::optional<DayKind> kind;
  if (holidays) {
    if (auto h = holidays->find(d); h != holidays->end()) kind = h->second;
  } else {
    for (const HolidayDay& h : spec.holidays) {
      if (h.date != d) continue;
      if (!kind || h.kind == DayKind::kHoliday) kind = h.kind;  // a holiday wins
    }
  }
  if (kind == DayKind::kHoliday) return {};
  if (kind == DayKind::kWorkday) return makeup_hours(spec);
  return spec.weekly[static_cast<std::size_t>(weekday(d))];
}

core::Result<std::shared_ptr<const CompiledCalendar>> CompiledCalendar::compile(
    const CalendarSpec& spec) {
  static constexpr const char* kDays[] = {"mon", "tue", "wed", "thu", "fri", "sat", "sun"};
  const date::time_zone* tz = nullptr;
  try {
    tz = date::locate_zone(spec.zone);
  } catch (const std::exception&) {
    return core::invalid("zone", "unknown time zone " + spec.zone);
  }
  for (std::size_t k = 0; k < 7; ++k) {
    YW_TRY(check_hours(spec.weekly[k], std::string("weekly.") + kDays[k]));
  }
  for (const auto& [day, hours] : spec.overrides) {
    YW_TRY(check_hours(hours, "overrides"));
  }
  std::map<Day, DayKind> holidays;
  for (const HolidayDay& h : spec.holidays) {
    auto [it, added] = holidays.emplace(h.date, h.kind);
    if (!added && h.kind == DayKind::kHoliday) it->second = DayKind::kHoliday;
  }

  std::shared_ptr<CompiledCalendar> c(new CompiledCalendar());
  c->zone_ = spec.zone;
  c->tz_ = tz;
  auto first = static_cast<Day>(
      date::sys_days{date::year{kFirstYear} / date::January / 1}.time_since_epoch().count());
  auto end = static_cast<Day>(
      date::sys_days{date::year{kEndYear} / date::January / 1}.time_since_epoch().count());
  // Local time -> UTC ms; a time skipped by a daylight-saving jump maps to the jump, a repeated
  // one to its first occurrence.
  auto utc = [tz](Day d, int minute) -> core::TimeMs {
    date::local_time<minutes> lt{date::days{d} + minutes{minute}};
    return date::floor<milliseconds>(tz->to_sys(lt, date::choose::earliest))
        .time_since_epoch()
        .count();
  };
  c->range_begin_ = utc(first, 0);
  c->range_end_ = utc(end, 0);
  for (Day d = first; d < end; ++d) {
    for (const Hours& h : hours_on(spec, d, &holidays)) {
      core::TimeMs b = utc(d, h.begin), e = utc(d, h.end);
      if (e <= b) continue;
      if (!c->ends_.empty() && b <= c->ends_.back()) {
        c->ends_.back() = std::max(c->ends_.back(), e);  // continues the previous range
      } else {
        c->begins_.push_back(b);
        c->ends_.push_back(e);
      }
    }
  }
  c->cum_.reserve(c->begins_.size() + 1);
  c->cum_.push_back(0);
  for (std::size_t i = 0; i < c->begins_.size(); ++i) {
    c->cum_.push_back(c->cum_.back() + (c->ends_[i] - c->begins_[i]));
  }
  return std::shared_ptr<const CompiledCalendar>(std::move(c));
}

std::int64_t CompiledCalendar::worked_before(core::TimeMs t) const {
  auto i =
      static_cast<std::size_t>(std::upper_bound(ends_.begin(), ends_.end(), t) - ends_.begin());
  if (i == ends_.size()) return cum_.back();
  return cum_[i] + std::max<std::int64_t>(0, t - begins_[i]);
}

core::Result<core::TimeMs> CompiledCalendar::add(core::TimeMs start, std::int64_t work_ms) const {
  if (start < range_begin_ || start >= range_end_) {
    return core::invalid("start", "must fall between the years 2000 and 2099");
  }
  if (work_ms < 0) return core::invalid("minutes", "must not be negative");
  if (work_ms == 0) return start;
  std::int64_t before = worked_before(start);
  // Compared as a difference: `before + work_ms` overflows for a huge work_ms.
  if (work_ms > cum_.back() - before) {
    return core::invalid("minutes", "the deadline falls after 2099");
  }
  std::int64_t target = before + work_ms;
  // The first interval whose end has `target` of working time before it.
  auto j = static_cast<std::size_t>(std::lower_bound(cum_.begin() + 1, cum_.end(), target) -
                                    (cum_.begin() + 1));
  return begins_[j] + (target - cum_[j]);
}

core::Result<std::int64_t> CompiledCalendar::between(core::TimeMs start, core::TimeMs end) const {
  if (start < range_begin_ || start > range_end_) {
    return core::invalid("start", "must fall between the years 2000 and 2099");
  }
  if (end < range_begin_ || end > range_end_) {
    return core::invalid("end", "must fall between the years 2000 and 2099");
  }
  if (end <= start) return std::int64_t{0};
  return worked_before(end) - worked_before(start);
}

bool CompiledCalendar::working_at(core::TimeMs t) const {
  auto i =
      static_cast<std::size_t>(std::upper_bound(ends_.begin(), ends_.end(), t) - ends_.begin());
  return i < ends_.size() && begins_[i] <= t;
}

std::optional<core::TimeMs> CompiledCalendar::next_working(core::TimeMs t) const {
  auto i =
      static_cast<std::size_t>(std::upper_bound(ends_.begin(), ends_.end(), t) - ends_.begin());
  if (i == ends_.size()) return std::nullopt;
  return std::max(t, begins_[i]);
}

std::string CompiledCalendar::format_local(core::TimeMs t) const {
  date::sys_time<milliseconds> st{milliseconds{t}};
  date::sys_info info = tz_of(tz_)->get_info(st);
  auto local = st + info.offset;
  auto day = date::floor<date::days>(local);
  date::year_month_day ymd{day};
  date::hh_mm_ss<milliseconds> tod{local - day};
  char buf[48];
  int n =
      std::snprintf(buf, sizeof buf, "%04d-%02u-%02uT%02d:%02d:%02d", static_cast<int>(ymd.year()),
                    static_cast<unsigned>(ymd.month()), static_cast<unsigned>(ymd.day()),
                    static_cast<int>(tod.hours().count()), static_cast<int>(tod.minutes().count()),
                    static_cast<int>(tod.seconds().count()));
  std::string out(buf, static_cast<std::size_t>(n));
  if (auto ms = tod.subseconds().count(); ms != 0) {
    std::snprintf(buf, sizeof buf, ".%03d", static_cast<int>(ms));
    out += buf;
  }
  auto offset = info.offset.count();  // seconds
  char sign = offset < 0 ? '-' : '+';
  offset = offset < 0 ? -offset : offset;
  std::snprintf(buf, sizeof buf, "%c%02d:%02d", sign, static_cast<int>(offset / 3600),
                static_cast<int>(offset / 60 % 60));
  out += buf;
  return out;
}

}  // namespace yunwei::sla
