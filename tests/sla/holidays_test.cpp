#include "sla/holidays.h"

#include <gtest/gtest.h>

#include <initializer_list>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "sla/calendar_service.h"
#include "support/test_db.h"

namespace yunwei::sla {
namespace {

using core::ErrorCode;
using testing::failed_with;
using testing::must;

Day day(const std::string& iso) {
  std::optional<Day> d = parse_date(iso);
  EXPECT_TRUE(d.has_value()) << iso;
  return d.value_or(0);
}

// The lines joined with `eol`: line n of the document is element n - 1, so line numbers in
// the expectations can be read off the source.
std::string doc(std::initializer_list<std::string_view> lines, std::string_view eol = "\n") {
  std::string out;
  for (std::string_view l : lines) {
    out.append(l);
    out.append(eol);
  }
  return out;
}

std::string describe(const ParsedHolidays& p) {
  std::string out;
  for (const ImportError& e : p.errors) {
    out += "\n  line ";
    out += std::to_string(e.line);
    out += ": ";
    out += e.message;
  }
  return out.empty() ? std::string(" none") : out;
}

// An error on `line` whose message contains `part`.
::testing::AssertionResult has_error(const ParsedHolidays& p, int line, std::string_view part) {
  for (const ImportError& e : p.errors) {
    if (e.line == line && e.message.find(part) != std::string::npos) {
      return ::testing::AssertionSuccess();
    }
  }
  return ::testing::AssertionFailure()
         << "no error on line " << line << " containing \"" << part << "\"; errors:" << describe(p);
}

const HolidayDay* find_day(const ParsedHolidays& p, const std::string& iso) {
  for (const HolidayDay& d : p.days) {
    if (d.date == day(iso)) return &d;
  }
  return nullptr;
}

// --- the shipped set ---------------------------------------------------------------------

TEST(CnStatutory, ParsesCleanlyWithTheFixturesCounts) {
  ParsedHolidays cn = parse_holiday_json(cn_statutory_json());
  ASSERT_TRUE(cn.errors.empty()) << describe(cn);
  EXPECT_EQ(cn.years, (std::vector<int>{2024, 2025, 2026}));
  // Per year: {holidays, make-up workdays}, as in the State Council notices.
  std::map<int, std::pair<int, int>> counts;
  for (const HolidayDay& d : cn.days) {
    auto& c = counts[std::stoi(format_date(d.date).substr(0, 4))];
    (d.kind == DayKind::kHoliday ? c.first : c.second) += 1;
    if (d.kind == DayKind::kWorkday) {
      EXPECT_GE(weekday(d.date), 5) << format_date(d.date) << " is a make-up day on a weekday";
    }
  }
  EXPECT_EQ(counts[2024], std::make_pair(28, 8));
  EXPECT_EQ(counts[2025], std::make_pair(28, 5));
  EXPECT_EQ(counts[2026], std::make_pair(33, 6));
  for (std::size_t i = 1; i < cn.days.size(); ++i) {
    EXPECT_LT(cn.days[i - 1].date, cn.days[i].date) << "days are sorted, each once";
  }
}

TEST(CnStatutory, NamesTheSpringFestival2026AndItsMakeUpDays) {
  ParsedHolidays cn = parse_holiday_json(cn_statutory_json());
  for (Day d = day("2026-02-15"); d <= day("2026-02-23"); ++d) {
    const HolidayDay* h = find_day(cn, format_date(d));
    ASSERT_NE(h, nullptr) << format_date(d);
    EXPECT_EQ(h->kind, DayKind::kHoliday);
    EXPECT_EQ(h->name, "春节");
  }
  EXPECT_EQ(find_day(cn, "2026-02-24"), nullptr);
  for (const char* w : {"2026-02-14", "2026-02-28"}) {
    const HolidayDay* h = find_day(cn, w);
    ASSERT_NE(h, nullptr) << w;
    EXPECT_EQ(h->kind, DayKind::kWorkday) << w;
    EXPECT_EQ(h->name, "调休上班");
  }
}

// --- JSON ---------------------------------------------------------------------------------

TEST(HolidayJson, AGoodDocumentGivesItsDaysAndYears) {
  ParsedHolidays p = parse_holiday_json(doc({
      R"({"name": "test",)",
      R"( "years": {)",
      R"(  "2028": {"holidays": [{"name": "元旦", "days": ["2028-01-01"]}]},)",
      R"(  "2027": {"holidays": [{"name": "春节", "days": ["2027-02-08", "2027-02-06"]}],)",
      R"(           "make_up_workdays": ["2027-02-14"]})",
      R"( }})",
  }));
  ASSERT_TRUE(p.errors.empty()) << describe(p);
  EXPECT_EQ(p.years, (std::vector<int>{2027, 2028}));
  ASSERT_EQ(p.days.size(), 4u);
  EXPECT_EQ(format_date(p.days[0].date), "2027-02-06");
  EXPECT_EQ(format_date(p.days[1].date), "2027-02-08");
  EXPECT_EQ(format_date(p.days[2].date), "2027-02-14");
  EXPECT_EQ(p.days[2].kind, DayKind::kWorkday);
  EXPECT_EQ(p.days[3].name, "元旦");
}

TEST(HolidayJson, MalformedJsonNamesTheLineOfTheMistake) {
  ParsedHolidays p = parse_holiday_json(doc({
      R"({"years": {)",
      R"(  "2027": {)",
      R"(    "holidays": [{"name": "春节", "days": ["2027-02-06",]}],)",
      R"(    "make_up_workdays": [])",
      R"(  })",
      R"(}})",
  }));
  ASSERT_EQ(p.errors.size(), 1u) << describe(p);
  EXPECT_TRUE(has_error(p, 3, "malformed JSON"));
  EXPECT_TRUE(p.days.empty());

  p = parse_holiday_json(doc({
      R"({"years": {)",
      R"(  "2027": {)",
      R"(    "holidays": [],)",
      R"(    "make_up_workdays" ["2027-02-14"])",
      R"(  })",
      R"(}})",
  }));
  EXPECT_TRUE(has_error(p, 4, "malformed JSON"));
}

TEST(HolidayJson, ADocumentWithoutYearsIsOneWholeDocumentError) {
  for (const char* text : {"[]", R"({"name": "x"})", R"({"years": {}})", R"({"years": []})"}) {
    ParsedHolidays p = parse_holiday_json(text);
    ASSERT_EQ(p.errors.size(), 1u) << text;
    EXPECT_EQ(p.errors[0].line, 0) << text;
  }
}

TEST(HolidayJson, ReportsEveryErrorWithItsLine) {
  ParsedHolidays p = parse_holiday_json(doc({
      R"({"name": "bad",)",                                                     // 1
      R"( "years": {)",                                                         // 2
      R"(  "2027": {)",                                                         // 3
      R"(   "holidays": [)",                                                    // 4
      R"(    {"name": "春节", "days": ["2027-02-06",)",                         // 5
      R"(                             "2027-02-30"]},)",                        // 6
      R"(    {"name": "元旦", "days": ["2028-01-01"]},)",                       // 7
      R"(    {"name": "清明"})",                                                // 8
      R"(   ],)",                                                               // 9
      R"(   "make_up_workdays": ["2027-02-15", "2027-02-06", "2027-02-13"],)",  // 10
      R"(   "colour": "red")",                                                  // 11
      R"(  },)",                                                                // 12
      R"(  "1999": {"holidays": []},)",                                         // 13
      R"(  "20x7": {},)",                                                       // 14
      R"(  "2030": [])",                                                        // 15
      R"( }})",                                                                 // 16
  }));
  EXPECT_TRUE(has_error(p, 6, "\"2027-02-30\" is not a date"));
  EXPECT_TRUE(has_error(p, 7, "2028-01-01 is listed under the year 2027"));
  EXPECT_TRUE(has_error(p, 8, "needs a \"name\""));
  EXPECT_TRUE(has_error(p, 10, "2027-02-15 is not a Saturday or Sunday"));
  EXPECT_TRUE(has_error(p, 10, "2027-02-06 is listed as both a holiday and a make-up workday"));
  EXPECT_TRUE(has_error(p, 11, "unknown field \"colour\""));
  EXPECT_TRUE(has_error(p, 13, "\"1999\" is not a year"));
  EXPECT_TRUE(has_error(p, 14, "\"20x7\" is not a year"));
  EXPECT_TRUE(has_error(p, 15, "2030: expected an object"));
  EXPECT_EQ(p.errors.size(), 9u) << describe(p);
  // What was valid is still parsed (for the report); the first kind given wins.
  ASSERT_EQ(p.days.size(), 2u);
  EXPECT_EQ(p.days[0].date, day("2027-02-06"));
  EXPECT_EQ(p.days[0].kind, DayKind::kHoliday);
  EXPECT_EQ(p.days[1].date, day("2027-02-13"));
  EXPECT_EQ(p.days[1].kind, DayKind::kWorkday);
}

TEST(HolidayJson, YearsOutsideTheCalendarRangeAreRejected) {
  ParsedHolidays p = parse_holiday_json(doc({
      R"({"years": {)",
      R"(  "2100": {"holidays": [{"name": "x", "days": ["2100-01-01"]}]},)",
      R"(  "2099": {"holidays": [{"name": "x", "days": ["2099-01-01"]}]})",
      R"(}})",
  }));
  ASSERT_EQ(p.errors.size(), 1u) << describe(p);
  EXPECT_TRUE(has_error(p, 2, "\"2100\" is not a year from 2000 to 2099"));
  EXPECT_EQ(p.years, (std::vector<int>{2099}));
}

TEST(HolidayJson, NonStringDaysAndNonArrayListsAreErrorsOnTheYearLine) {
  ParsedHolidays p = parse_holiday_json(doc({
      R"({"years": {)",
      R"(  "2027": {"holidays": [{"name": "x", "days": [20270101]}],)",
      R"(           "make_up_workdays": "2027-02-14"})",
      R"(}})",
  }));
  EXPECT_TRUE(has_error(p, 2, "days must be date strings"));
  EXPECT_TRUE(has_error(p, 2, "make_up_workdays must be an array"));
  EXPECT_EQ(p.errors.size(), 2u) << describe(p);
}

// --- iCalendar ------------------------------------------------------------------------------

TEST(HolidayIcal, ReadsAllDayEventsFoldedLinesAndCrlf) {
  ParsedHolidays p = parse_holiday_ical(doc(
      {
          "BEGIN:VCALENDAR",              // 1
          "VERSION:2.0",                  // 2
          "PRODID:-//Yunwei test//CN",    // 3
          "BEGIN:VTIMEZONE",              // 4: not an event: its DTSTART has a time
          "TZID:Asia/Shanghai",           // 5
          "BEGIN:STANDARD",               // 6
          "DTSTART:19700101T000000",      // 7
          "TZOFFSETFROM:+0800",           // 8
          "TZOFFSETTO:+0800",             // 9
          "END:STANDARD",                 // 10
          "END:VTIMEZONE",                // 11
          "BEGIN:VEVENT",                 // 12
          "UID:new-year@test",            // 13
          "DTSTART;VALUE=DATE:20270101",  // 14
          "SUMMARY:元旦",                 // 15
          "END:VEVENT",                   // 16
          "BEGIN:VEVENT",                 // 17
          "UID:spring@test",              // 18
          "DTST",                         // 19
          " ART;VALUE=DATE:20270206",     // 20
          "DTEND;VALUE=DATE:20270214",    // 21: exclusive
          "SUMMARY:春",                   // 22
          " 节",                          // 23
          "END:VEVENT",                   // 24
          "BEGIN:VEVENT",                 // 25
          "DTSTART;VALUE=DATE:20270220",  // 26: a Saturday
          "SUMMARY:春节补班",             // 27
          "END:VEVENT",                   // 28
          "begin:vevent",                 // 29
          "DTSTART;VALUE=DATE:20270306",  // 30: a Saturday
          "SUMMARY:Company make-up day",  // 31
          "X-YUNWEI-DAY-KIND:WORKDAY",    // 32
          "END:VEVENT",                   // 33
          "END:VCALENDAR",                // 34
      },
      "\r\n"));
  ASSERT_TRUE(p.errors.empty()) << describe(p);
  EXPECT_EQ(p.years, (std::vector<int>{2027}));
  ASSERT_EQ(p.days.size(), 11u);
  const HolidayDay* h = find_day(p, "2027-01-01");
  ASSERT_NE(h, nullptr);
  EXPECT_EQ(h->kind, DayKind::kHoliday);
  EXPECT_EQ(h->name, "元旦");
  for (Day d = day("2027-02-06"); d <= day("2027-02-13"); ++d) {
    h = find_day(p, format_date(d));
    ASSERT_NE(h, nullptr) << format_date(d);
    EXPECT_EQ(h->kind, DayKind::kHoliday);
    EXPECT_EQ(h->name, "春节");
  }
  EXPECT_EQ(find_day(p, "2027-02-14"), nullptr);  // DTEND is exclusive
  h = find_day(p, "2027-02-20");
  ASSERT_NE(h, nullptr);
  EXPECT_EQ(h->kind, DayKind::kWorkday);
  EXPECT_EQ(h->name, "春节补班");
  h = find_day(p, "2027-03-06");
  ASSERT_NE(h, nullptr);
  EXPECT_EQ(h->kind, DayKind::kWorkday);
  EXPECT_EQ(h->name, "Company make-up day");
}

TEST(HolidayIcal, ReportsEveryErrorOnTheLineAsWritten) {
  ParsedHolidays p = parse_holiday_ical(doc({
      "BEGIN:VCALENDAR",              // 1
      "BEGIN:VEVENT",                 // 2
      "SUMMARY:a long",               // 3
      "  folded summary",             // 4
      "DTSTART:20270101T090000Z",     // 5: not all-day
      "END:VEVENT",                   // 6
      "BEGIN:VEVENT",                 // 7
      "DTSTART;VALUE=DATE:20270210",  // 8
      "DTEND;VALUE=DATE:20270205",    // 9: before DTSTART
      "END:VEVENT",                   // 10
      "BEGIN:VEVENT",                 // 11
      "DTSTART;VALUE=DATE:20270301",  // 12
      "RRULE:FREQ=YEARLY",            // 13
      "END:VEVENT",                   // 14
      "BEGIN:VEVENT",                 // 15
      "DTSTART;VALUE=DATE:20270303",  // 16: a Wednesday
      "SUMMARY:补班",                 // 17
      "END:VEVENT",                   // 18
      "BEGIN:VEVENT",                 // 19
      "DTSTART;VALUE=DATE:20270401",  // 20
      "SUMMARY:unclosed",             // 21
      "END:VCALENDAR",                // 22
  }));
  EXPECT_TRUE(has_error(p, 5, "DTSTART must be a date such as 20270101"));
  EXPECT_TRUE(has_error(p, 9, "DTEND must come after DTSTART"));
  EXPECT_TRUE(has_error(p, 11, "RRULE"));
  EXPECT_TRUE(has_error(p, 16, "2027-03-03 is not a Saturday or Sunday"));
  EXPECT_TRUE(has_error(p, 19, "not closed with END:VEVENT"));
  EXPECT_EQ(p.errors.size(), 5u) << describe(p);
  EXPECT_TRUE(p.days.empty());
}

TEST(HolidayIcal, RejectsEmptySpansLongSpansAndYearsOutOfRange) {
  ParsedHolidays p = parse_holiday_ical(doc({
      "BEGIN:VCALENDAR",              // 1
      "BEGIN:VEVENT",                 // 2
      "DTSTART;VALUE=DATE:20270210",  // 3
      "DTEND;VALUE=DATE:20270210",    // 4
      "END:VEVENT",                   // 5
      "BEGIN:VEVENT",                 // 6
      "DTSTART;VALUE=DATE:20270101",  // 7
      "DTEND;VALUE=DATE:20270301",    // 8
      "END:VEVENT",                   // 9
      "BEGIN:VEVENT",                 // 10
      "DTSTART;VALUE=DATE:19991231",  // 11
      "END:VEVENT",                   // 12
      "BEGIN:VEVENT",                 // 13
      "SUMMARY:no start",             // 14
      "END:VEVENT",                   // 15
      "BEGIN:VEVENT",                 // 16
      "DTSTART;VALUE=DATE:20270230",  // 17
      "END:VEVENT",                   // 18
      "END:VCALENDAR",                // 19
  }));
  EXPECT_TRUE(has_error(p, 4, "DTEND must come after DTSTART"));
  EXPECT_TRUE(has_error(p, 8, "at most 31 days"));
  EXPECT_TRUE(has_error(p, 11, "1999-12-31 is not between 2000 and 2099"));
  EXPECT_TRUE(has_error(p, 13, "without DTSTART"));
  EXPECT_TRUE(has_error(p, 17, "DTSTART must be a date"));
  EXPECT_EQ(p.errors.size(), 5u) << describe(p);
}

TEST(HolidayIcal, MustStartWithBeginVcalendar) {
  ParsedHolidays p =
      parse_holiday_ical(doc({"BEGIN:VEVENT", "DTSTART;VALUE=DATE:20270101", "END:VEVENT"}));
  ASSERT_EQ(p.errors.size(), 1u) << describe(p);
  EXPECT_TRUE(has_error(p, 1, "expected BEGIN:VCALENDAR"));
  EXPECT_TRUE(p.days.empty());

  p = parse_holiday_ical(doc({"", "", "PRODID:x", "BEGIN:VCALENDAR"}));
  EXPECT_TRUE(has_error(p, 3, "expected BEGIN:VCALENDAR"));
  p = parse_holiday_ical("");
  EXPECT_TRUE(has_error(p, 1, "expected BEGIN:VCALENDAR"));
  p = parse_holiday_ical(R"({"years": {}})");
  EXPECT_TRUE(has_error(p, 1, "expected BEGIN:VCALENDAR"));
}

TEST(HolidayIcal, ACalendarWithoutEventsIsAnError) {
  ParsedHolidays p = parse_holiday_ical(doc({"BEGIN:VCALENDAR", "VERSION:2.0", "END:VCALENDAR"}));
  ASSERT_EQ(p.errors.size(), 1u) << describe(p);
  EXPECT_TRUE(has_error(p, 0, "no events"));
}

// --- weekly hours and overrides ----------------------------------------------------------------

TEST(WeeklyJson, RoundTripsThroughTheStoredForm) {
  std::array<DayHours, 7> w = must(parse_weekly(
      R"({"mon": [["09:00", "12:00"], ["13:00", "18:00"]], "sat": [["10:00", "24:00"]], "sun": []})"));
  EXPECT_EQ(w[0], (DayHours{{540, 720}, {780, 1080}}));
  EXPECT_EQ(w[5], (DayHours{{600, 1440}}));
  for (std::size_t k : {1, 2, 3, 4, 6}) EXPECT_TRUE(w[k].empty()) << k;
  std::string stored = weekly_json(w);
  EXPECT_EQ(stored,
            R"({"fri":[],"mon":[["09:00","12:00"],["13:00","18:00"]],"sat":[["10:00","24:00"]],)"
            R"("sun":[],"thu":[],"tue":[],"wed":[]})");
  EXPECT_EQ(must(parse_weekly(stored)), w);
}

TEST(WeeklyJson, ErrorsNameTheElement) {
  EXPECT_TRUE(failed_with(parse_weekly(R"({"mon": [["09:00", "12:00"], ["13:00", "25:00"]]})"),
                          ErrorCode::kInvalidArgument, "weekly.mon[1]"));
  EXPECT_TRUE(failed_with(parse_weekly(R"({"wed": [["09:00"]]})"), ErrorCode::kInvalidArgument,
                          "weekly.wed[0]"));
  EXPECT_TRUE(failed_with(parse_weekly(R"({"thu": [["24:00", "24:00"]]})"),
                          ErrorCode::kInvalidArgument, "weekly.thu[0]"));
  EXPECT_TRUE(failed_with(parse_weekly(R"({"fri": [[540, 720]]})"), ErrorCode::kInvalidArgument,
                          "weekly.fri[0]"));
  EXPECT_TRUE(
      failed_with(parse_weekly(R"({"funday": []})"), ErrorCode::kInvalidArgument, "weekly.funday"));
  EXPECT_TRUE(failed_with(parse_weekly(R"({"tue": [["09:00", "12:00"], ["11:00", "18:00"]]})"),
                          ErrorCode::kInvalidArgument, "weekly.tue"));
  EXPECT_TRUE(failed_with(parse_weekly(R"({"tue": [["18:00", "09:00"]]})"),
                          ErrorCode::kInvalidArgument, "weekly.tue"));
  EXPECT_TRUE(failed_with(parse_weekly(R"({"sat": "09:00-18:00"})"), ErrorCode::kInvalidArgument,
                          "weekly.sat"));
  EXPECT_TRUE(failed_with(parse_weekly("[]"), ErrorCode::kInvalidArgument, "weekly"));
  EXPECT_TRUE(failed_with(parse_weekly("{"), ErrorCode::kInvalidArgument, "weekly"));
}

TEST(OverridesJson, RoundTripsSortedByDate) {
  std::vector<Override> o = must(
      parse_overrides(R"([{"date": "2026-03-08", "hours": [["10:00", "14:00"]], "note": "迁移"},)"
                      R"( {"date": "2026-03-03"}])"));
  ASSERT_EQ(o.size(), 2u);
  EXPECT_EQ(format_date(o[0].date), "2026-03-03");
  EXPECT_TRUE(o[0].hours.empty());  // no hours: a day off
  EXPECT_EQ(o[0].note, "");
  EXPECT_EQ(format_date(o[1].date), "2026-03-08");
  EXPECT_EQ(o[1].hours, (DayHours{{600, 840}}));
  EXPECT_EQ(o[1].note, "迁移");
  std::string stored = overrides_json(o);
  EXPECT_EQ(stored, R"([{"date":"2026-03-03","hours":[]},)"
                    R"({"date":"2026-03-08","hours":[["10:00","14:00"]],"note":"迁移"}])");
  std::vector<Override> again = must(parse_overrides(stored));
  ASSERT_EQ(again.size(), o.size());
  for (std::size_t i = 0; i < o.size(); ++i) {
    EXPECT_EQ(again[i].date, o[i].date);
    EXPECT_EQ(again[i].hours, o[i].hours);
    EXPECT_EQ(again[i].note, o[i].note);
  }
  EXPECT_TRUE(must(parse_overrides("[]")).empty());
}

TEST(OverridesJson, ErrorsNameTheElementInTheOrderGiven) {
  EXPECT_TRUE(failed_with(parse_overrides(R"([{"date": "2026-02-30"}])"),
                          ErrorCode::kInvalidArgument, "overrides[0].date"));
  EXPECT_TRUE(failed_with(parse_overrides(R"([{"hours": []}])"), ErrorCode::kInvalidArgument,
                          "overrides[0].date"));
  EXPECT_TRUE(failed_with(parse_overrides(R"([{"date": 20260303}])"), ErrorCode::kInvalidArgument,
                          "overrides[0].date"));
  // Indexes are those of the input, not of the date order.
  EXPECT_TRUE(failed_with(
      parse_overrides(R"([{"date": "2026-03-09"}, {"date": "2026-03-04", "hours": [["10:00"]]}])"),
      ErrorCode::kInvalidArgument, "overrides[1].hours[0]"));
  EXPECT_TRUE(failed_with(
      parse_overrides(
          R"([{"date": "2026-03-09"}, {"date": "2026-03-04", "hours": [["10:00", "25:00"]]}])"),
      ErrorCode::kInvalidArgument, "overrides[1].hours[0]"));
  EXPECT_TRUE(failed_with(
      parse_overrides(
          R"([{"date": "2026-03-09"}, {"date": "2026-03-04", "hours": [["14:00", "10:00"]]}])"),
      ErrorCode::kInvalidArgument, "overrides[1].hours"));
  EXPECT_TRUE(failed_with(parse_overrides(R"([{"date": "2026-03-03", "colour": "red"}])"),
                          ErrorCode::kInvalidArgument, "overrides[0].colour"));
  EXPECT_TRUE(failed_with(parse_overrides(R"([{"date": "2026-03-03", "note": 5}])"),
                          ErrorCode::kInvalidArgument, "overrides[0].note"));
  std::string long_note = R"([{"date": "2026-03-03", "note": ")";
  long_note.append(201, 'x');
  long_note.append(R"("}])");
  EXPECT_TRUE(
      failed_with(parse_overrides(long_note), ErrorCode::kInvalidArgument, "overrides[0].note"));
  EXPECT_TRUE(failed_with(parse_overrides(R"([{"date": "2026-03-03"}, "2026-03-04"])"),
                          ErrorCode::kInvalidArgument, "overrides[1]"));
  EXPECT_TRUE(failed_with(parse_overrides(R"({"date": "2026-03-03"})"), ErrorCode::kInvalidArgument,
                          "overrides"));
  EXPECT_TRUE(failed_with(parse_overrides("[{"), ErrorCode::kInvalidArgument, "overrides"));
}

}  // namespace
}  // namespace yunwei::sla
