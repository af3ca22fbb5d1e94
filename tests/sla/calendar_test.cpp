#include "sla/calendar.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <limits>
#include <memory>
#include <random>
#include <string>

#include "sla/holidays.h"
#include "support/test_db.h"

namespace yunwei::sla {
namespace {

using core::ErrorCode;
using core::TimeMs;
using testing::failed_with;
using testing::must;

constexpr std::int64_t kMinute = 60'000;
constexpr std::int64_t kHour = 60 * kMinute;

// An RFC 3339 instant ("2026-02-13T17:00:00+08:00") as UTC milliseconds.
TimeMs at(const std::string& rfc3339) {
  TimeMs t = 0;
  EXPECT_TRUE(core::parse_iso8601(rfc3339, t)) << rfc3339;
  return t;
}

Day day(const std::string& iso) {
  std::optional<Day> d = parse_date(iso);
  EXPECT_TRUE(d.has_value()) << iso;
  return d.value_or(0);
}

const DayHours kOfficeDay = {{9 * 60, 12 * 60}, {13 * 60, 18 * 60}};

// Monday to Friday 09:00-12:00 and 13:00-18:00 in Shanghai, with the shipped cn-statutory set.
CalendarSpec office_spec() {
  CalendarSpec spec;
  spec.zone = "Asia/Shanghai";
  for (std::size_t k = 0; k < 5; ++k) spec.weekly[k] = kOfficeDay;
  ParsedHolidays cn = parse_holiday_json(cn_statutory_json());
  EXPECT_TRUE(cn.errors.empty());
  spec.holidays = cn.days;
  return spec;
}

CalendarSpec always_spec(const std::string& zone) {
  CalendarSpec spec;
  spec.zone = zone;
  for (DayHours& d : spec.weekly) d = {{0, 1440}};
  return spec;
}

// Compiled once: a century of days takes a moment.
const CompiledCalendar& office() {
  static const std::shared_ptr<const CompiledCalendar> cal =
      must(CompiledCalendar::compile(office_spec()));
  return *cal;
}

// Working time of one local day in the office calendar.
std::int64_t worked_on(const CompiledCalendar& cal, const std::string& date,
                       const std::string& offset = "+08:00") {
  Day d = day(date);
  std::string from = date, to = format_date(d + 1);
  from += "T00:00:00";
  from += offset;
  to += "T00:00:00";
  to += offset;
  return must(cal.between(at(from), at(to)));
}

// --- dates and times of day -------------------------------------------------------------

TEST(CalendarDates, ParseAndFormatRoundTripValidDatesOnly) {
  EXPECT_EQ(parse_date("1970-01-01"), 0);
  EXPECT_EQ(parse_date("1970-01-02"), 1);
  EXPECT_EQ(parse_date("1969-12-31"), -1);
  EXPECT_TRUE(parse_date("2024-02-29").has_value());
  EXPECT_FALSE(parse_date("2025-02-29").has_value());
  EXPECT_FALSE(parse_date("2027-02-30").has_value());
  EXPECT_FALSE(parse_date("2026-13-01").has_value());
  EXPECT_FALSE(parse_date("2026-00-10").has_value());
  EXPECT_FALSE(parse_date("2026-1-01").has_value());
  EXPECT_FALSE(parse_date("2026/01/01").has_value());
  EXPECT_FALSE(parse_date("2026-01-0a").has_value());
  EXPECT_FALSE(parse_date("").has_value());
  for (const char* s : {"2000-01-01", "2024-02-29", "2026-02-14", "2099-12-31"}) {
    EXPECT_EQ(format_date(day(s)), s);
  }
}

TEST(CalendarDates, WeekdayCountsFromMonday) {
  EXPECT_EQ(weekday(0), 3);  // 1970-01-01 was a Thursday
  EXPECT_EQ(weekday(day("2026-02-13")), 4);
  EXPECT_EQ(weekday(day("2026-02-14")), 5);
  EXPECT_EQ(weekday(day("2026-02-15")), 6);
  EXPECT_EQ(weekday(day("2026-02-16")), 0);
  EXPECT_EQ(weekday(day("1969-12-29")), 0);  // before the epoch too
}

TEST(CalendarHours, ParseHhmmAcceptsTwentyFourOnlyAsAnEnd) {
  EXPECT_EQ(parse_hhmm("00:00", false), 0);
  EXPECT_EQ(parse_hhmm("09:05", false), 9 * 60 + 5);
  EXPECT_EQ(parse_hhmm("23:59", false), 1439);
  EXPECT_EQ(parse_hhmm("24:00", true), 1440);
  EXPECT_FALSE(parse_hhmm("24:00", false).has_value());
  EXPECT_FALSE(parse_hhmm("24:01", true).has_value());
  EXPECT_FALSE(parse_hhmm("25:00", true).has_value());
  EXPECT_FALSE(parse_hhmm("12:60", false).has_value());
  EXPECT_FALSE(parse_hhmm("9:00", false).has_value());
  EXPECT_FALSE(parse_hhmm("09-00", false).has_value());
  EXPECT_FALSE(parse_hhmm("09:00 ", false).has_value());
  EXPECT_FALSE(parse_hhmm("", true).has_value());
  EXPECT_EQ(format_hhmm(0), "00:00");
  EXPECT_EQ(format_hhmm(545), "09:05");
  EXPECT_EQ(format_hhmm(1440), "24:00");
}

TEST(CalendarHours, CheckHoursRejectsEmptyReversedOverlappingAndUnsortedRanges) {
  EXPECT_TRUE(check_hours({}, "weekly.sun").ok());
  EXPECT_TRUE(check_hours(kOfficeDay, "weekly.mon").ok());
  EXPECT_TRUE(check_hours({{0, 720}, {720, 1440}}, "weekly.mon").ok());  // touching is fine
  EXPECT_TRUE(failed_with(check_hours({{540, 540}}, "weekly.mon"), ErrorCode::kInvalidArgument,
                          "weekly.mon"));
  EXPECT_TRUE(failed_with(check_hours({{600, 540}}, "weekly.tue"), ErrorCode::kInvalidArgument,
                          "weekly.tue"));
  EXPECT_TRUE(failed_with(check_hours({{540, 720}, {700, 800}}, "overrides"),
                          ErrorCode::kInvalidArgument, "overrides"));
  EXPECT_TRUE(failed_with(check_hours({{780, 1080}, {540, 720}}, "weekly.fri"),
                          ErrorCode::kInvalidArgument, "weekly.fri"));
  EXPECT_TRUE(failed_with(check_hours({{-1, 60}}, "x"), ErrorCode::kInvalidArgument, "x"));
  EXPECT_TRUE(failed_with(check_hours({{60, 1441}}, "x"), ErrorCode::kInvalidArgument, "x"));
}

TEST(CalendarCompile, RejectsAnUnknownZoneAndBadHoursNamingTheField) {
  CalendarSpec spec = always_spec("Mars/Olympus_Mons");
  EXPECT_TRUE(failed_with(CompiledCalendar::compile(spec), ErrorCode::kInvalidArgument, "zone"));
  spec.zone = "";
  EXPECT_TRUE(failed_with(CompiledCalendar::compile(spec), ErrorCode::kInvalidArgument, "zone"));

  spec = office_spec();
  spec.weekly[1] = {{780, 1080}, {540, 720}};
  EXPECT_TRUE(
      failed_with(CompiledCalendar::compile(spec), ErrorCode::kInvalidArgument, "weekly.tue"));
  spec = office_spec();
  spec.overrides[day("2026-03-08")] = {{600, 500}};
  EXPECT_TRUE(
      failed_with(CompiledCalendar::compile(spec), ErrorCode::kInvalidArgument, "overrides"));
}

// --- the Shanghai office calendar with cn-statutory ------------------------------------

TEST(OfficeCalendar, SpringFestival2026DueOnTheMakeUpSaturdayBeforeIt) {
  // Holidays 2026-02-15 (Sun) to 02-23 (Mon); Saturday 02-14 is a make-up workday.
  const CompiledCalendar& cal = office();
  TimeMs due = must(cal.add(at("2026-02-13T17:00:00+08:00"), 120 * kMinute));
  EXPECT_EQ(cal.format_local(due), "2026-02-14T10:00:00+08:00");
  EXPECT_EQ(due, at("2026-02-14T10:00:00+08:00"));
}

TEST(OfficeCalendar, SpringFestival2026SkipsTheWholeHolidayIncludingItsMonday) {
  const CompiledCalendar& cal = office();
  TimeMs due = must(cal.add(at("2026-02-14T17:00:00+08:00"), 120 * kMinute));
  EXPECT_EQ(cal.format_local(due), "2026-02-24T10:00:00+08:00");
  // Nine days off in between: only the last working hour of the 14th and one hour on the 24th.
  EXPECT_EQ(must(cal.between(at("2026-02-14T17:00:00+08:00"), due)), 120 * kMinute);
  EXPECT_EQ(must(cal.between(at("2026-02-14T18:00:00+08:00"), at("2026-02-24T09:00:00+08:00"))), 0);
  EXPECT_EQ(cal.next_working(at("2026-02-14T18:00:00+08:00")), at("2026-02-24T09:00:00+08:00"));
}

TEST(OfficeCalendar, AMakeUpWeekendDayHasNormalHours) {
  const CompiledCalendar& cal = office();
  CalendarSpec spec = office_spec();
  for (const char* d : {"2026-02-14", "2026-02-28", "2026-01-04", "2024-02-04", "2025-10-11"}) {
    EXPECT_EQ(hours_on(spec, day(d)), kOfficeDay) << d;
    EXPECT_EQ(worked_on(cal, d), 8 * kHour) << d;
  }
  EXPECT_TRUE(cal.working_at(at("2026-02-14T09:00:00+08:00")));
  EXPECT_FALSE(cal.working_at(at("2026-02-14T12:30:00+08:00")));
  // An ordinary weekend stays off.
  EXPECT_TRUE(hours_on(spec, day("2026-02-07")).empty());
  EXPECT_EQ(worked_on(cal, "2026-02-07"), 0);
  EXPECT_EQ(worked_on(cal, "2026-02-08"), 0);
}

TEST(OfficeCalendar, APublicHolidayOnAWeekdayHasNoHours) {
  const CompiledCalendar& cal = office();
  CalendarSpec spec = office_spec();
  for (const char* d : {"2026-02-16", "2026-02-23", "2026-01-02", "2024-10-01", "2025-06-02"}) {
    EXPECT_LT(weekday(day(d)), 5) << d;
    EXPECT_TRUE(hours_on(spec, day(d)).empty()) << d;
    EXPECT_EQ(worked_on(cal, d), 0) << d;
  }
  EXPECT_FALSE(cal.working_at(at("2026-10-01T10:00:00+08:00")));
  // The ordinary weekdays around a holiday work.
  EXPECT_EQ(worked_on(cal, "2026-02-13"), 8 * kHour);
  EXPECT_EQ(worked_on(cal, "2026-02-24"), 8 * kHour);
}

TEST(OfficeCalendar, TheLunchBreakIsNotCounted) {
  const CompiledCalendar& cal = office();
  EXPECT_EQ(cal.format_local(must(cal.add(at("2026-03-02T11:30:00+08:00"), 60 * kMinute))),
            "2026-03-02T13:30:00+08:00");
  EXPECT_EQ(must(cal.between(at("2026-03-02T11:00:00+08:00"), at("2026-03-02T14:00:00+08:00"))),
            2 * kHour);
  // Opened during lunch: the clock starts at 13:00.
  EXPECT_EQ(cal.format_local(must(cal.add(at("2026-03-02T12:15:00+08:00"), 30 * kMinute))),
            "2026-03-02T13:30:00+08:00");
  EXPECT_FALSE(cal.working_at(at("2026-03-02T12:00:00+08:00")));
  EXPECT_TRUE(cal.working_at(at("2026-03-02T11:59:59.999+08:00")));
  EXPECT_TRUE(cal.working_at(at("2026-03-02T13:00:00+08:00")));
  EXPECT_EQ(cal.next_working(at("2026-03-02T12:00:00+08:00")), at("2026-03-02T13:00:00+08:00"));
  EXPECT_EQ(cal.next_working(at("2026-03-02T10:00:00+08:00")), at("2026-03-02T10:00:00+08:00"));
}

TEST(OfficeCalendar, ADeadlineOnTheEndOfARangeStaysThere) {
  const CompiledCalendar& cal = office();
  EXPECT_EQ(cal.format_local(must(cal.add(at("2026-03-02T17:00:00+08:00"), 60 * kMinute))),
            "2026-03-02T18:00:00+08:00");
  EXPECT_EQ(cal.format_local(must(cal.add(at("2026-03-02T11:00:00+08:00"), 60 * kMinute))),
            "2026-03-02T12:00:00+08:00");
  // A whole working day from 09:00 ends at 18:00 the same day.
  EXPECT_EQ(cal.format_local(must(cal.add(at("2026-03-02T09:00:00+08:00"), 8 * kHour))),
            "2026-03-02T18:00:00+08:00");
  // One millisecond more rolls over to the next morning.
  EXPECT_EQ(cal.format_local(must(cal.add(at("2026-03-02T17:00:00+08:00"), 60 * kMinute + 1))),
            "2026-03-03T09:00:00.001+08:00");
  // From the evening: Friday night to Monday morning.
  EXPECT_EQ(cal.format_local(must(cal.add(at("2026-03-06T20:00:00+08:00"), 60 * kMinute))),
            "2026-03-09T10:00:00+08:00");
}

TEST(OfficeCalendar, AddingNothingReturnsTheStart) {
  const CompiledCalendar& cal = office();
  for (const char* t : {"2026-03-02T10:17:03.5+08:00", "2026-03-07T03:00:00+08:00",
                        "2026-02-16T12:00:00+08:00", "2026-03-02T18:00:00+08:00"}) {
    EXPECT_EQ(must(cal.add(at(t), 0)), at(t)) << t;
  }
  EXPECT_EQ(must(cal.add(cal.range_begin(), 0)), cal.range_begin());
}

TEST(OfficeCalendar, BetweenIsTheInverseOfAdd) {
  const CompiledCalendar& cal = office();
  std::mt19937 rng(20260213);
  std::uniform_int_distribution<TimeMs> starts(at("2024-01-01T00:00:00+08:00"),
                                               at("2027-01-01T00:00:00+08:00") - 1);
  // Up to about six working weeks, sometimes with seconds and milliseconds.
  std::uniform_int_distribution<std::int64_t> minutes(0, 6 * 5 * 8 * 60);
  std::uniform_int_distribution<std::int64_t> extra(0, kMinute - 1);
  for (int i = 0; i < 3000; ++i) {
    TimeMs start = starts(rng);
    std::int64_t work = minutes(rng) * kMinute + (i % 4 == 0 ? extra(rng) : 0);
    TimeMs due = must(cal.add(start, work));
    ASSERT_GE(due, start) << cal.format_local(start) << " + " << work;
    ASSERT_EQ(must(cal.between(start, due)), work) << cal.format_local(start) << " + " << work;
    if (work > 0) {
      // The deadline is the end of working time: the instant before it was working.
      ASSERT_TRUE(cal.working_at(due - 1)) << cal.format_local(due);
      // And nothing sooner would do.
      ASSERT_LT(must(cal.between(start, due - 1)), work);
    }
  }
}

TEST(OfficeCalendar, BetweenAnEndNotAfterTheStartIsZero) {
  const CompiledCalendar& cal = office();
  TimeMs t = at("2026-03-02T10:00:00+08:00");
  EXPECT_EQ(must(cal.between(t, t)), 0);
  EXPECT_EQ(must(cal.between(t, t - kHour)), 0);
  EXPECT_EQ(must(cal.between(t, t + kHour)), kHour);
}

TEST(OfficeCalendar, TimesOutsideTheYears2000To2099NameTheField) {
  const CompiledCalendar& cal = office();
  EXPECT_EQ(cal.range_begin(), at("2000-01-01T00:00:00+08:00"));
  EXPECT_EQ(cal.range_end(), at("2100-01-01T00:00:00+08:00"));
  TimeMs ok = at("2026-03-02T10:00:00+08:00");

  EXPECT_TRUE(
      failed_with(cal.add(cal.range_begin() - 1, kMinute), ErrorCode::kInvalidArgument, "start"));
  EXPECT_TRUE(failed_with(cal.add(cal.range_end(), 0), ErrorCode::kInvalidArgument, "start"));
  EXPECT_TRUE(failed_with(cal.add(at("2150-01-01T00:00:00Z"), kMinute), ErrorCode::kInvalidArgument,
                          "start"));
  EXPECT_TRUE(failed_with(cal.add(ok, -1), ErrorCode::kInvalidArgument, "minutes"));
  // 2099-12-31 is a Thursday: two hours from 17:00 would be in 2100.
  EXPECT_TRUE(failed_with(cal.add(at("2099-12-31T17:00:00+08:00"), 120 * kMinute),
                          ErrorCode::kInvalidArgument, "minutes"));
  EXPECT_EQ(cal.format_local(must(cal.add(at("2099-12-31T17:00:00+08:00"), 60 * kMinute))),
            "2099-12-31T18:00:00+08:00");
  EXPECT_TRUE(failed_with(cal.add(ok, std::numeric_limits<std::int64_t>::max()),
                          ErrorCode::kInvalidArgument, "minutes"));

  EXPECT_TRUE(
      failed_with(cal.between(cal.range_begin() - 1, ok), ErrorCode::kInvalidArgument, "start"));
  EXPECT_TRUE(
      failed_with(cal.between(ok, cal.range_end() + 1), ErrorCode::kInvalidArgument, "end"));
  EXPECT_TRUE(
      failed_with(cal.between(ok, cal.range_begin() - 1), ErrorCode::kInvalidArgument, "end"));
  EXPECT_TRUE(cal.between(cal.range_begin(), cal.range_end()).ok());
  EXPECT_FALSE(cal.next_working(cal.range_end()).has_value());
}

TEST(OfficeCalendar, FormatLocalShowsMillisecondsOnlyWhenThereAreAny) {
  const CompiledCalendar& cal = office();
  EXPECT_EQ(cal.zone(), "Asia/Shanghai");
  EXPECT_EQ(cal.format_local(at("2026-03-01T16:00:00Z")), "2026-03-02T00:00:00+08:00");
  EXPECT_EQ(cal.format_local(at("2026-03-02T01:00:00.250Z")), "2026-03-02T09:00:00.250+08:00");
}

// --- overrides --------------------------------------------------------------------------

TEST(CalendarOverrides, TakePrecedenceOverHolidaysMakeUpDaysAndTheWeek) {
  CalendarSpec spec = office_spec();
  spec.overrides[day("2026-03-03")] = {};                    // a Tuesday off
  spec.overrides[day("2026-03-08")] = {{10 * 60, 14 * 60}};  // a Sunday worked, no lunch
  spec.overrides[day("2026-10-01")] = {{9 * 60, 11 * 60}};   // National Day, on call
  spec.overrides[day("2026-02-14")] = {};                    // the make-up Saturday off
  std::shared_ptr<const CompiledCalendar> cal = must(CompiledCalendar::compile(spec));

  EXPECT_TRUE(hours_on(spec, day("2026-03-03")).empty());
  EXPECT_EQ(worked_on(*cal, "2026-03-03"), 0);
  EXPECT_EQ(worked_on(*cal, "2026-03-04"), 8 * kHour);

  EXPECT_EQ(hours_on(spec, day("2026-03-08")), (DayHours{{600, 840}}));
  EXPECT_EQ(worked_on(*cal, "2026-03-08"), 4 * kHour);
  EXPECT_TRUE(cal->working_at(at("2026-03-08T12:30:00+08:00")));
  // Saturday noon + 60 minutes: Sunday 11:00, not Monday.
  EXPECT_EQ(cal->format_local(must(cal->add(at("2026-03-07T12:00:00+08:00"), 60 * kMinute))),
            "2026-03-08T11:00:00+08:00");

  EXPECT_EQ(worked_on(*cal, "2026-10-01"), 2 * kHour);
  EXPECT_EQ(worked_on(*cal, "2026-10-02"), 0);  // the holiday around it is untouched

  EXPECT_EQ(worked_on(*cal, "2026-02-14"), 0);
  EXPECT_EQ(cal->format_local(must(cal->add(at("2026-02-13T17:00:00+08:00"), 120 * kMinute))),
            "2026-02-24T10:00:00+08:00");
}

TEST(CalendarHolidays, AHolidayWinsOverAMakeUpDayOnTheSameDate) {
  CalendarSpec spec;
  for (std::size_t k = 0; k < 5; ++k) spec.weekly[k] = kOfficeDay;
  spec.holidays = {{day("2027-02-20"), DayKind::kWorkday, "补班"},
                   {day("2027-02-20"), DayKind::kHoliday, "春节"},
                   {day("2027-02-21"), DayKind::kWorkday, "补班"}};
  EXPECT_TRUE(hours_on(spec, day("2027-02-20")).empty());
  EXPECT_EQ(hours_on(spec, day("2027-02-21")), kOfficeDay);
  std::shared_ptr<const CompiledCalendar> cal = must(CompiledCalendar::compile(spec));
  EXPECT_EQ(worked_on(*cal, "2027-02-20"), 0);
  EXPECT_EQ(worked_on(*cal, "2027-02-21"), 8 * kHour);
}

TEST(CalendarHolidays, AMakeUpDayWorksTheHoursOfTheFirstWorkingWeekday) {
  CalendarSpec spec;
  spec.weekly[2] = {{8 * 60, 16 * 60}};  // only Wednesdays
  spec.weekly[4] = {{10 * 60, 11 * 60}};
  spec.holidays = {{day("2027-02-20"), DayKind::kWorkday, "补班"}};
  EXPECT_EQ(hours_on(spec, day("2027-02-20")), (DayHours{{480, 960}}));
}

// --- 24x7 ------------------------------------------------------------------------------

TEST(AlwaysOpenCalendar, IsOneIntervalAndAddIsPlainArithmetic) {
  std::shared_ptr<const CompiledCalendar> cal =
      must(CompiledCalendar::compile(always_spec("Asia/Shanghai")));
  EXPECT_EQ(cal->interval_count(), 1u);
  EXPECT_EQ(must(cal->between(cal->range_begin(), cal->range_end())),
            cal->range_end() - cal->range_begin());
  std::mt19937 rng(7);
  std::uniform_int_distribution<TimeMs> starts(at("2001-01-01T00:00:00Z"),
                                               at("2098-01-01T00:00:00Z"));
  std::uniform_int_distribution<std::int64_t> minutes(0, 400 * 24 * 60);
  for (int i = 0; i < 500; ++i) {
    TimeMs start = starts(rng);
    std::int64_t n = minutes(rng);
    EXPECT_EQ(must(cal->add(start, n * kMinute)), start + n * kMinute);
    EXPECT_TRUE(cal->working_at(start));
  }
}

// --- daylight saving -------------------------------------------------------------------

TEST(DaylightSaving, AlwaysOpenCountsTheLocalDayAs23And25Hours) {
  std::shared_ptr<const CompiledCalendar> cal =
      must(CompiledCalendar::compile(always_spec("America/New_York")));
  EXPECT_EQ(cal->interval_count(), 1u);
  EXPECT_EQ(worked_on(*cal, "2026-03-07", "-05:00"), 24 * kHour);
  EXPECT_EQ(must(cal->between(at("2026-03-08T00:00:00-05:00"), at("2026-03-09T00:00:00-04:00"))),
            23 * kHour);
  EXPECT_EQ(must(cal->between(at("2026-11-01T00:00:00-04:00"), at("2026-11-02T00:00:00-05:00"))),
            25 * kHour);
  // Across the night, add is still elapsed time: 01:30 EST + 1 h = 03:30 EDT.
  EXPECT_EQ(cal->format_local(must(cal->add(at("2026-03-08T01:30:00-05:00"), kHour))),
            "2026-03-08T03:30:00-04:00");
}

TEST(DaylightSaving, FormatLocalShowsTheOffsetInForce) {
  std::shared_ptr<const CompiledCalendar> cal =
      must(CompiledCalendar::compile(always_spec("America/New_York")));
  // The spring-forward jump is at 07:00Z on 2026-03-08.
  EXPECT_EQ(cal->format_local(at("2026-03-08T06:59:59Z")), "2026-03-08T01:59:59-05:00");
  EXPECT_EQ(cal->format_local(at("2026-03-08T07:00:00Z")), "2026-03-08T03:00:00-04:00");
  // Falling back at 06:00Z on 2026-11-01: 01:30 happens twice.
  EXPECT_EQ(cal->format_local(at("2026-11-01T05:30:00Z")), "2026-11-01T01:30:00-04:00");
  EXPECT_EQ(cal->format_local(at("2026-11-01T06:30:00Z")), "2026-11-01T01:30:00-05:00");
  EXPECT_EQ(cal->format_local(at("2026-07-01T16:00:00.007Z")), "2026-07-01T12:00:00.007-04:00");
}

TEST(DaylightSaving, ARangeAcrossTheSkippedHourIsShorterAndTheRepeatedOneLonger) {
  CalendarSpec spec;
  spec.zone = "America/New_York";
  spec.weekly[6] = {{1 * 60, 4 * 60}};  // Sundays 01:00-04:00
  std::shared_ptr<const CompiledCalendar> cal = must(CompiledCalendar::compile(spec));
  EXPECT_EQ(worked_on(*cal, "2026-03-01", "-05:00"), 3 * kHour);
  EXPECT_EQ(must(cal->between(at("2026-03-08T00:00:00-05:00"), at("2026-03-09T00:00:00-04:00"))),
            2 * kHour);
  EXPECT_EQ(must(cal->between(at("2026-11-01T00:00:00-04:00"), at("2026-11-02T00:00:00-05:00"))),
            4 * kHour);
  // A range starting inside the skipped hour starts at the jump.
  spec.weekly[6] = {{2 * 60 + 30, 4 * 60}};
  cal = must(CompiledCalendar::compile(spec));
  EXPECT_EQ(must(cal->between(at("2026-03-08T00:00:00-05:00"), at("2026-03-09T00:00:00-04:00"))),
            1 * kHour);
  EXPECT_EQ(cal->next_working(at("2026-03-08T00:00:00-05:00")), at("2026-03-08T03:00:00-04:00"));
}

TEST(DaylightSaving, OfficeHoursKeepLocalTimeAcrossTheChange) {
  CalendarSpec spec;
  spec.zone = "Europe/Berlin";
  for (std::size_t k = 0; k < 5; ++k) spec.weekly[k] = {{9 * 60, 17 * 60}};
  std::shared_ptr<const CompiledCalendar> cal = must(CompiledCalendar::compile(spec));
  // Summer time starts on Sunday 2026-03-29.
  TimeMs due = must(cal->add(at("2026-03-27T16:00:00+01:00"), 120 * kMinute));
  EXPECT_EQ(cal->format_local(due), "2026-03-30T10:00:00+02:00");
  EXPECT_EQ(worked_on(*cal, "2026-03-27", "+01:00"), 8 * kHour);
  EXPECT_EQ(worked_on(*cal, "2026-03-30", "+02:00"), 8 * kHour);
  // And ends on Sunday 2026-10-25.
  due = must(cal->add(at("2026-10-23T16:00:00+02:00"), 120 * kMinute));
  EXPECT_EQ(cal->format_local(due), "2026-10-26T10:00:00+01:00");
}

}  // namespace
}  // namespace yunwei::sla
