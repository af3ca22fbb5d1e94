#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "sla/calendar.h"

// Holiday sets: dated public holidays and make-up workdays, shipped (cn-statutory) or imported
// by admins as JSON or iCalendar.
namespace yunwei::sla {

// One problem in an import, with the 1-based line it is on (0: the whole document).
struct ImportError {
  int line = 0;
  std::string message;
};

struct ParsedHolidays {
  std::vector<HolidayDay> days;  // sorted by date, each date once
  std::vector<int> years;        // the years the document covers, sorted
  std::vector<ImportError> errors;
};

// The JSON format of ../shared/fixtures/calendars (and of the shipped set):
//   {"name": "...", "years": {"2027": {"holidays": [{"name": "春节", "days": ["2027-02-06", ...]}],
//                                      "make_up_workdays": ["2027-02-14", ...]}}}
// Every day must lie in the year it is listed under; a date listed as both kinds is an error
// (repeats of one kind count once, the first name kept). A year present with empty lists is
// covered too: importing it clears that year.
ParsedHolidays parse_holiday_json(std::string_view text);

// iCalendar (RFC 5545) with all-day VEVENTs: DTSTART;VALUE=DATE (DTEND exclusive, one day when
// absent), SUMMARY the name. An event is a make-up workday when its SUMMARY says 班 (补班,
// 上班, 调休上班 ...) or it has X-YUNWEI-DAY-KIND:WORKDAY; otherwise a holiday. Folded lines are
// unfolded; lines are counted as written.
ParsedHolidays parse_holiday_ical(std::string_view text);

// The shipped set `cn-statutory`: mainland China's public holidays and make-up workdays for
// 2024-2026 (State Council notices), in the JSON format above.
std::string_view cn_statutory_json();

}  // namespace yunwei::sla
