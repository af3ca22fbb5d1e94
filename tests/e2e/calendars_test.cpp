// Business calendars and holiday sets through the real binary over real HTTP, on SQLite and (with
// YUNWEI_TEST_PG) PostgreSQL (issue #5): the seeded records, the calendar maths across the 2026
// Spring Festival and its make-up workdays, overrides, optimistic locking and the compiled-
// calendar cache, JSON and iCalendar imports (and refused ones), access rules, time zones and a
// daylight-saving night.
#include <algorithm>

#include "e2e/e2e_util.h"

namespace yunwei::testing {
namespace {

// The issue's example: Monday to Friday 09:00-12:00 and 13:00-18:00 in Shanghai, observing the
// shipped mainland China holidays, with Monday 2026-03-02 off.
json office_body(const std::string& name) {
  json body = json::parse(R"({
    "zone": "Asia/Shanghai",
    "weekly": {"mon": [["09:00", "12:00"], ["13:00", "18:00"]],
               "tue": [["09:00", "12:00"], ["13:00", "18:00"]],
               "wed": [["09:00", "12:00"], ["13:00", "18:00"]],
               "thu": [["09:00", "12:00"], ["13:00", "18:00"]],
               "fri": [["09:00", "12:00"], ["13:00", "18:00"]],
               "sat": [], "sun": []},
    "holiday_sets": ["cn-statutory"],
    "overrides": [{"date": "2026-03-02", "hours": []}]})");
  body["name"] = name;
  return body;
}

// Every day of the week 00:00-24:00.
json always() {
  json day = json::parse(R"([["00:00", "24:00"]])");
  json week;
  for (const char* d : {"mon", "tue", "wed", "thu", "fri", "sat", "sun"}) week[d] = day;
  return week;
}

// A 2027 for cn-statutory, made up for the test (the State Council had not published 2027 when
// it was written): New Year's Day, a Spring Festival from Saturday 6 to Sunday 14 February, and
// Saturday 20 February worked.
const char* kYear2027 = R"JSON({
  "name": "China statutory holidays 2027 (test data)",
  "years": {
    "2027": {
      "holidays": [
        {"name": "元旦", "days": ["2027-01-01"]},
        {"name": "春节", "days": ["2027-02-06", "2027-02-07", "2027-02-08", "2027-02-09",
                                 "2027-02-10", "2027-02-11", "2027-02-12", "2027-02-13",
                                 "2027-02-14"]}
      ],
      "make_up_workdays": ["2027-02-20"]
    }
  }
})JSON";

class CalendarsE2eTest : public SharedServerTest {
 protected:
  HttpResponse call(const std::string& method, const std::string& target, const std::string& token,
                    const std::string& body = "", std::vector<std::string> headers = {}) {
    headers.push_back(bearer(token));
    HttpClient c(port_);
    return c.request(method, target, body, headers);
  }
  HttpResponse call(const std::string& method, const std::string& target, const std::string& token,
                    const json& body) {
    return call(method, target, token, body.dump());
  }

  // A token for a new user with exactly `role`.
  std::string token_for(const std::string& role) {
    std::string name = unique_name("cal" + role);
    if (create_user(port_, admin_token_, name, {role}).is_discarded()) return "";
    return login_token(port_, name, kUserPassword);
  }

  static std::string path(std::int64_t id, const std::string& rest = "") {
    std::string p = "/api/v1/calendars/";
    p += std::to_string(id);
    p += rest;
    return p;
  }
  static std::string set_path(const std::string& key, const std::string& rest) {
    std::string p = "/api/v1/holiday-sets/";
    p += key;
    p += rest;
    return p;
  }

  // Creates a calendar as the admin; the created calendar (a test failure unless 201).
  json create(const json& body) {
    HttpResponse r = call("POST", "/api/v1/calendars", admin_token_, body);
    EXPECT_EQ(r.status, 201) << r.body;
    return parse_body(r);
  }

  // The seeded calendar called `name`; a discarded value (with a test failure) when missing.
  json seeded(const std::string& name) {
    json list = get_json(port_, "/api/v1/calendars", admin_token_);
    for (const json& c : list["items"]) {
      if (c["name"] == name) return c;
    }
    ADD_FAILURE() << "no calendar " << name << ": " << list.dump();
    return json(json::value_t::discarded);
  }

  // POST .../add; the local due time ("" with a test failure unless 200).
  std::string add(std::int64_t id, const std::string& start, std::int64_t minutes,
                  const std::string& token = "") {
    HttpResponse r = call("POST", path(id, "/add"), token.empty() ? admin_token_ : token,
                          json{{"start", start}, {"minutes", minutes}});
    EXPECT_EQ(r.status, 200) << "add " << minutes << " after " << start << ": " << r.body;
    return parse_body(r).value("due", "");
  }
  // POST .../between; the minutes (-1 with a test failure unless 200).
  std::int64_t between(std::int64_t id, const std::string& start, const std::string& end,
                       const std::string& token = "") {
    HttpResponse r = call("POST", path(id, "/between"), token.empty() ? admin_token_ : token,
                          json{{"start", start}, {"end", end}});
    EXPECT_EQ(r.status, 200) << start << " .. " << end << ": " << r.body;
    return parse_body(r).value("minutes", std::int64_t{-1});
  }

  HttpResponse import_days(const std::string& key, const std::string& body,
                           const std::string& content_type, const std::string& query = "") {
    return call("POST", set_path(key, "/import") + query, admin_token_, body,
                {"Content-Type: " + content_type});
  }
  json days(const std::string& key, int year) {
    return get_json(port_, set_path(key, "/days?year=" + std::to_string(year)), admin_token_);
  }
  json holiday_set(const std::string& key) {
    json sets = get_json(port_, "/api/v1/holiday-sets", admin_token_);
    for (const json& s : sets["items"]) {
      if (s["key"] == key) return s;
    }
    ADD_FAILURE() << "no holiday set " << key << ": " << sets.dump();
    return json(json::value_t::discarded);
  }

  static std::set<int> error_lines(const json& report) {
    std::set<int> out;
    for (const json& e : report.value("errors", json::array())) out.insert(e.value("line", -1));
    return out;
  }
};

TEST_P(CalendarsE2eTest, TheSeededCalendarsAndTheShippedHolidaySetExist) {
  json list = get_json(port_, "/api/v1/calendars", admin_token_);
  ASSERT_FALSE(list.is_discarded());
  json always_on = seeded("24×7");
  ASSERT_FALSE(always_on.is_discarded());
  EXPECT_EQ(always_on["zone"], "Asia/Shanghai");
  EXPECT_EQ(always_on["weekly"], always());
  EXPECT_EQ(always_on["holiday_sets"], json::array());
  EXPECT_EQ(always_on["active"], true);
  json office = seeded("Office hours 工作时间");
  ASSERT_FALSE(office.is_discarded());
  EXPECT_EQ(office["zone"], "Asia/Shanghai");
  EXPECT_EQ(office["weekly"]["mon"], json::parse(R"([["09:00", "12:00"], ["13:00", "18:00"]])"));
  EXPECT_EQ(office["weekly"]["fri"], office["weekly"]["mon"]);
  EXPECT_EQ(office["weekly"]["sat"], json::array());
  EXPECT_EQ(office["weekly"]["sun"], json::array());
  EXPECT_EQ(office["holiday_sets"], json({"cn-statutory"}));
  EXPECT_EQ(office["overrides"], json::array());
  EXPECT_GE(office["version"].get<std::int64_t>(), 1);
  EXPECT_TRUE(office["created_at"].is_string());
  EXPECT_EQ(get_json(port_, path(office["id"].get<std::int64_t>()), admin_token_), office);

  json set = holiday_set("cn-statutory");
  ASSERT_FALSE(set.is_discarded());
  EXPECT_EQ(set["builtin"], true);
  std::vector<int> years = set["years"].get<std::vector<int>>();
  for (int y : {2024, 2025, 2026}) {
    EXPECT_NE(std::find(years.begin(), years.end(), y), years.end()) << y;
  }
  // The fixture's counts: holidays plus make-up workdays per year.
  EXPECT_EQ(days("cn-statutory", 2024)["items"].size(), 28u + 8u);
  EXPECT_EQ(days("cn-statutory", 2025)["items"].size(), 28u + 5u);
  json y2026 = days("cn-statutory", 2026)["items"];
  ASSERT_EQ(y2026.size(), 33u + 6u);
  EXPECT_EQ(y2026[0], json({{"date", "2026-01-01"}, {"kind", "holiday"}, {"name", "元旦"}}));
  std::map<std::string, json> by_date;
  for (const json& d : y2026) by_date[d["date"]] = d;
  EXPECT_EQ(by_date["2026-02-14"]["kind"], "workday");
  EXPECT_EQ(by_date["2026-02-28"]["kind"], "workday");
  for (const char* d : {"2026-02-15", "2026-02-19", "2026-02-23"}) {
    EXPECT_EQ(by_date[d]["kind"], "holiday") << d;
    EXPECT_EQ(by_date[d]["name"], "春节") << d;
  }
  EXPECT_EQ(by_date.count("2026-02-24"), 0u);
  EXPECT_EQ(days("cn-statutory", 2023)["items"], json::array());

  json me = get_json(port_, "/api/v1/me", admin_token_);
  EXPECT_EQ(me["permissions"]["sla_read"], true);
  EXPECT_EQ(me["permissions"]["sla_admin"], true);
}

TEST_P(CalendarsE2eTest, TheIssuesExampleSkipsTheSpringFestivalAndWorksTheMakeUpSaturday) {
  HttpResponse r =
      call("POST", "/api/v1/calendars", admin_token_, office_body(unique_name("Office ")));
  ASSERT_EQ(r.status, 201) << r.body;
  json cal = parse_body(r);
  std::int64_t id = cal["id"];
  EXPECT_EQ(r.header("location"), path(id));
  EXPECT_EQ(cal["zone"], "Asia/Shanghai");
  EXPECT_EQ(cal["weekly"]["wed"], json::parse(R"([["09:00", "12:00"], ["13:00", "18:00"]])"));
  EXPECT_EQ(cal["holiday_sets"], json({"cn-statutory"}));
  EXPECT_EQ(cal["overrides"], json::parse(R"([{"date": "2026-03-02", "hours": []}])"));
  EXPECT_EQ(cal["active"], true);
  EXPECT_EQ(cal["version"], 1);

  // Friday 13 February 2026, 17:00 in Shanghai, plus 120 business minutes: 60 until 18:00 that
  // Friday; Saturday the 14th is a make-up workday (调休上班) with Monday's hours, so the other
  // 60 run from 09:00 to 10:00 that Saturday.
  HttpResponse due = call("POST", path(id, "/add"), admin_token_,
                          json{{"start", "2026-02-13T17:00:00+08:00"}, {"minutes", 120}});
  ASSERT_EQ(due.status, 200) << due.body;
  EXPECT_EQ(parse_body(due),
            json({{"due", "2026-02-14T10:00:00+08:00"}, {"due_utc", "2026-02-14T02:00:00.000Z"}}));
  // 600 minutes: 60 on Friday, 480 on the make-up Saturday (180 + 300) = 540; Sunday 15 to
  // Monday 23 February are the Spring Festival (春节) holidays; the last 60 run from 09:00 on
  // Tuesday the 24th.
  EXPECT_EQ(add(id, "2026-02-13T17:00:00+08:00", 600), "2026-02-24T10:00:00+08:00");
  // The same start in UTC; the answer is in the calendar's zone.
  EXPECT_EQ(add(id, "2026-02-13T09:00:00Z", 600), "2026-02-24T10:00:00+08:00");
  // From inside the holidays the clock starts on the first working morning after them.
  EXPECT_EQ(add(id, "2026-02-18T10:00:00+08:00", 1), "2026-02-24T09:01:00+08:00");
  // A deadline that ends a working range is that end, not the next morning; 0 is the start.
  EXPECT_EQ(add(id, "2026-02-13T17:00:00+08:00", 60), "2026-02-13T18:00:00+08:00");
  EXPECT_EQ(add(id, "2026-02-13T09:00:00Z", 0), "2026-02-13T17:00:00+08:00");
  // The lunch break does not count.
  EXPECT_EQ(add(id, "2026-02-12T11:30:00+08:00", 60), "2026-02-12T13:30:00+08:00");

  EXPECT_EQ(between(id, "2026-02-13T17:00:00+08:00", "2026-02-24T10:00:00+08:00"), 600);
  EXPECT_EQ(between(id, "2026-02-24T10:00:00+08:00", "2026-02-13T17:00:00+08:00"), 0);
  EXPECT_EQ(between(id, "2026-02-15T00:00:00+08:00", "2026-02-24T00:00:00+08:00"), 0);
  EXPECT_EQ(between(id, "2026-02-14T00:00:00+08:00", "2026-02-15T00:00:00+08:00"), 480);
  EXPECT_EQ(between(id, "2026-02-12T12:00:00+08:00", "2026-02-12T13:00:00+08:00"), 0);

  // The seeded office calendar observes the same holidays.
  json office = seeded("Office hours 工作时间");
  ASSERT_FALSE(office.is_discarded());
  EXPECT_EQ(add(office["id"], "2026-02-13T17:00:00+08:00", 600), "2026-02-24T10:00:00+08:00");
  // 24×7 observes none: 600 minutes are ten hours.
  json always_on = seeded("24×7");
  ASSERT_FALSE(always_on.is_discarded());
  EXPECT_EQ(add(always_on["id"], "2026-02-13T17:00:00+08:00", 600), "2026-02-14T03:00:00+08:00");

  // Any staff member may run the maths.
  std::string agent = token_for("agent");
  ASSERT_FALSE(agent.empty());
  EXPECT_EQ(add(id, "2026-02-13T17:00:00+08:00", 120, agent), "2026-02-14T10:00:00+08:00");
  std::string auditor = token_for("auditor");
  ASSERT_FALSE(auditor.empty());
  EXPECT_EQ(between(id, "2026-02-13T17:00:00+08:00", "2026-02-24T10:00:00+08:00", auditor), 600);
}

TEST_P(CalendarsE2eTest, TheOverrideDayIsOff) {
  json cal = create(office_body(unique_name("Override ")));
  ASSERT_FALSE(cal.is_discarded());
  std::int64_t id = cal["id"];
  json office = seeded("Office hours 工作时间");
  ASSERT_FALSE(office.is_discarded());
  std::int64_t plain = office["id"];
  // Monday 2 March 2026: off by override; an ordinary Monday in the seeded calendar.
  EXPECT_EQ(between(id, "2026-03-02T00:00:00+08:00", "2026-03-03T00:00:00+08:00"), 0);
  EXPECT_EQ(between(plain, "2026-03-02T00:00:00+08:00", "2026-03-03T00:00:00+08:00"), 480);
  EXPECT_EQ(between(id, "2026-03-03T00:00:00+08:00", "2026-03-04T00:00:00+08:00"), 480);
  // From the end of the make-up Saturday 28 February: Sunday is off, and so is the override
  // Monday, so 60 minutes end at 10:00 on Tuesday (on Monday without the override).
  EXPECT_EQ(add(id, "2026-02-28T18:00:00+08:00", 60), "2026-03-03T10:00:00+08:00");
  EXPECT_EQ(add(plain, "2026-02-28T18:00:00+08:00", 60), "2026-03-02T10:00:00+08:00");
  EXPECT_EQ(between(id, "2026-02-28T00:00:00+08:00", "2026-03-01T00:00:00+08:00"), 480);

  // An override with hours makes a Sunday a (short) working day.
  HttpResponse r =
      call("PATCH", path(id), admin_token_, json::parse(R"({"version": 1, "overrides": [
        {"date": "2026-03-02", "hours": []},
        {"date": "2026-03-08", "hours": [["10:00", "12:00"]], "note": "stocktaking"}]})"));
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(parse_body(r)["overrides"][1],
            json::parse(R"({"date": "2026-03-08", "hours": [["10:00", "12:00"]],
                            "note": "stocktaking"})"));
  EXPECT_EQ(between(id, "2026-03-08T00:00:00+08:00", "2026-03-09T00:00:00+08:00"), 120);
  EXPECT_EQ(add(id, "2026-03-06T18:00:00+08:00", 30), "2026-03-08T10:30:00+08:00");
}

TEST_P(CalendarsE2eTest, AStaleVersionIs409AndNewHoursChangeTheAnswerAtOnce) {
  json cal = create(office_body(unique_name("Patched ")));
  ASSERT_FALSE(cal.is_discarded());
  std::int64_t id = cal["id"];
  // Computed once, so the compiled calendar is cached before it changes.
  EXPECT_EQ(add(id, "2026-02-13T17:00:00+08:00", 120), "2026-02-14T10:00:00+08:00");

  json weekly = json::parse(R"({"mon": [["09:00", "19:00"]], "tue": [["09:00", "19:00"]],
                                "wed": [["09:00", "19:00"]], "thu": [["09:00", "19:00"]],
                                "fri": [["09:00", "19:00"]]})");
  HttpResponse r = call("PATCH", path(id), admin_token_, json{{"version", 1}, {"weekly", weekly}});
  ASSERT_EQ(r.status, 200) << r.body;
  json v2 = parse_body(r);
  EXPECT_EQ(v2["version"], 2);
  EXPECT_EQ(v2["weekly"]["fri"], json::parse(R"([["09:00", "19:00"]])"));
  EXPECT_EQ(v2["weekly"]["sat"], json::array());
  EXPECT_EQ(v2["name"], cal["name"]);
  // Friday now runs to 19:00: the 120 minutes end that evening.
  EXPECT_EQ(add(id, "2026-02-13T17:00:00+08:00", 120), "2026-02-13T19:00:00+08:00");

  // A stale version changes nothing.
  r = call("PATCH", path(id), admin_token_, json{{"version", 1}, {"name", "Stale write"}});
  EXPECT_EQ(r.status, 409) << r.body;
  EXPECT_EQ(error_shape_problem(r), "");
  EXPECT_EQ(error_code(r), "conflict");
  EXPECT_EQ(error_field(r), "version");
  EXPECT_EQ(get_json(port_, path(id), admin_token_), v2);
  r = call("PATCH", path(id), admin_token_, R"({"active": false})", {"If-Match: \"1\""});
  EXPECT_EQ(r.status, 409) << r.body;
  EXPECT_EQ(error_field(r), "version");
  r = call("PATCH", path(id), admin_token_, std::string(R"({"name": "No version"})"));
  EXPECT_EQ(r.status, 400) << r.body;
  EXPECT_EQ(error_field(r), "version");

  // Dropping the holiday set (If-Match instead of a body version): Saturday 14 February is no
  // longer worked, so after Friday's 120 minutes the last 60 run from 09:00 on Monday the 16th.
  r = call("PATCH", path(id), admin_token_, R"({"holiday_sets": []})", {"If-Match: W/\"2\""});
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(parse_body(r)["version"], 3);
  EXPECT_EQ(add(id, "2026-02-13T17:00:00+08:00", 180), "2026-02-16T10:00:00+08:00");

  // Moving the calendar to another zone moves its hours: 09:00 in Tokyo is 08:00 in Shanghai.
  r = call("PATCH", path(id), admin_token_, json{{"version", 3}, {"zone", "Asia/Tokyo"}});
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(add(id, "2026-02-16T08:00:00+08:00", 60), "2026-02-16T10:00:00+09:00");

  // A name another calendar has is refused.
  r = call("PATCH", path(id), admin_token_, json{{"version", 4}, {"name", "24×7"}});
  EXPECT_EQ(r.status, 409) << r.body;
  EXPECT_EQ(error_field(r), "name");
  r = call("POST", "/api/v1/calendars", admin_token_, office_body("Office hours 工作时间"));
  EXPECT_EQ(r.status, 409) << r.body;
  EXPECT_EQ(error_field(r), "name");
}

TEST_P(CalendarsE2eTest, ImportingA2027YearAsJsonExtendsTheSetAndTheMaths) {
  json office = seeded("Office hours 工作时间");
  ASSERT_FALSE(office.is_discarded());
  std::int64_t id = office["id"];
  json before = holiday_set("cn-statutory");
  ASSERT_FALSE(before.is_discarded());
  // Without 2027 days, Friday 5 February 2027 17:00 + 120 minutes is Monday the 8th, 10:00.
  EXPECT_EQ(add(id, "2027-02-05T17:00:00+08:00", 120), "2027-02-08T10:00:00+08:00");

  // A dry run checks and reports, and changes nothing.
  HttpResponse r = import_days("cn-statutory", kYear2027, "application/json", "?dry_run=true");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(parse_body(r), json::parse(R"({"applied": false, "years": [2027], "holidays": 10,
                                           "workdays": 1, "errors": []})"));
  EXPECT_EQ(days("cn-statutory", 2027)["items"], json::array());
  EXPECT_EQ(holiday_set("cn-statutory"), before);

  r = import_days("cn-statutory", kYear2027, "application/json; charset=utf-8");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(parse_body(r), json::parse(R"({"applied": true, "years": [2027], "holidays": 10,
                                           "workdays": 1, "errors": []})"));
  json listed = days("cn-statutory", 2027)["items"];
  ASSERT_EQ(listed.size(), 11u) << listed.dump();
  EXPECT_EQ(listed[0], json({{"date", "2027-01-01"}, {"kind", "holiday"}, {"name", "元旦"}}));
  EXPECT_EQ(listed[1], json({{"date", "2027-02-06"}, {"kind", "holiday"}, {"name", "春节"}}));
  EXPECT_EQ(listed[9], json({{"date", "2027-02-14"}, {"kind", "holiday"}, {"name", "春节"}}));
  EXPECT_EQ(listed[10]["date"], "2027-02-20");
  EXPECT_EQ(listed[10]["kind"], "workday");
  json after = holiday_set("cn-statutory");
  EXPECT_EQ(after["version"], before["version"].get<std::int64_t>() + 1);
  std::vector<int> years = after["years"].get<std::vector<int>>();
  EXPECT_NE(std::find(years.begin(), years.end(), 2027), years.end());
  EXPECT_EQ(days("cn-statutory", 2026)["items"].size(), 39u) << "2026 was not touched";

  // 60 minutes on Friday 5 February; Saturday 6 to Sunday 14 are now holidays; the other 60 run
  // from 09:00 on Monday the 15th.
  EXPECT_EQ(add(id, "2027-02-05T17:00:00+08:00", 120), "2027-02-15T10:00:00+08:00");
  // Saturday 20 February is worked.
  EXPECT_EQ(add(id, "2027-02-19T18:00:00+08:00", 60), "2027-02-20T10:00:00+08:00");
  EXPECT_EQ(between(id, "2027-02-01T00:00:00+08:00", "2027-03-01T00:00:00+08:00"),
            (20 - 5 + 1) * 480);  // 20 weekdays, 5 of them holidays, plus the Saturday

  // Importing the year again replaces it.
  r = import_days(
      "cn-statutory",
      R"({"years": {"2027": {"holidays": [{"name": "元旦", "days": ["2027-01-01"]}]}}})",
      "application/json");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(days("cn-statutory", 2027)["items"].size(), 1u);
  EXPECT_EQ(add(id, "2027-02-05T17:00:00+08:00", 120), "2027-02-08T10:00:00+08:00");
  // A year listed without days is covered: importing it clears it.
  r = import_days("cn-statutory", R"({"years": {"2027": {"holidays": []}}})", "application/json");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(parse_body(r)["years"], json({2027}));
  EXPECT_EQ(days("cn-statutory", 2027)["items"], json::array());
  r = import_days("cn-statutory", kYear2027, "application/json");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(add(id, "2027-02-05T17:00:00+08:00", 120), "2027-02-15T10:00:00+08:00");
}

TEST_P(CalendarsE2eTest, ImportingICalendarFillsANewSet) {
  std::string key = unique_name("e2e-ical-");
  HttpResponse r = call("POST", "/api/v1/holiday-sets", admin_token_,
                        json{{"key", key}, {"name", "iCalendar 测试"}});
  ASSERT_EQ(r.status, 201) << r.body;
  json created = parse_body(r);
  EXPECT_EQ(created["key"], key);
  EXPECT_EQ(created["name"], "iCalendar 测试");
  EXPECT_EQ(created["builtin"], false);
  EXPECT_EQ(created["years"], json::array());
  EXPECT_EQ(created["holidays"], 0);
  r = call("POST", "/api/v1/holiday-sets", admin_token_, json{{"key", key}, {"name", "Again"}});
  EXPECT_EQ(r.status, 409) << r.body;
  EXPECT_EQ(error_field(r), "key");
  r = call("POST", "/api/v1/holiday-sets", admin_token_, json{{"key", "CN"}, {"name", "Upper"}});
  EXPECT_EQ(r.status, 400) << r.body;
  EXPECT_EQ(error_field(r), "key");

  // CRLF lines, a folded SUMMARY (补班 on the continuation line), DTEND exclusive, and a
  // workday marked by X-YUNWEI-DAY-KIND.
  const std::string ics =
      "BEGIN:VCALENDAR\r\n"
      "VERSION:2.0\r\n"
      "PRODID:-//Yunwei//e2e//EN\r\n"
      "BEGIN:VEVENT\r\n"
      "UID:new-year-2027@e2e\r\n"
      "DTSTART;VALUE=DATE:20270101\r\n"
      "SUMMARY:元旦\r\n"
      "END:VEVENT\r\n"
      "BEGIN:VEVENT\r\n"
      "UID:spring-2027@e2e\r\n"
      "DTSTART;VALUE=DATE:20270206\r\n"
      "DTEND;VALUE=DATE:20270215\r\n"
      "SUMMARY:春节\r\n"
      "END:VEVENT\r\n"
      "BEGIN:VEVENT\r\n"
      "DTSTART;VALUE=DATE:20270220\r\n"
      "SUMMARY:春节调休\r\n"
      " 补班\r\n"
      "END:VEVENT\r\n"
      "BEGIN:VEVENT\r\n"
      "DTSTART;VALUE=DATE:20270221\r\n"
      "SUMMARY:Stocktaking\r\n"
      "X-YUNWEI-DAY-KIND:WORKDAY\r\n"
      "END:VEVENT\r\n"
      "END:VCALENDAR\r\n";
  r = import_days(key, ics, "text/calendar; charset=utf-8");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(parse_body(r), json::parse(R"({"applied": true, "years": [2027], "holidays": 10,
                                           "workdays": 2, "errors": []})"));
  json listed = days(key, 2027)["items"];
  ASSERT_EQ(listed.size(), 12u) << listed.dump();
  EXPECT_EQ(listed[0], json({{"date", "2027-01-01"}, {"kind", "holiday"}, {"name", "元旦"}}));
  EXPECT_EQ(listed[9], json({{"date", "2027-02-14"}, {"kind", "holiday"}, {"name", "春节"}}));
  EXPECT_EQ(listed[10],
            json({{"date", "2027-02-20"}, {"kind", "workday"}, {"name", "春节调休补班"}}));
  EXPECT_EQ(listed[11],
            json({{"date", "2027-02-21"}, {"kind", "workday"}, {"name", "Stocktaking"}}));
  json set = holiday_set(key);
  EXPECT_EQ(set["years"], json({2027}));
  EXPECT_EQ(set["holidays"], 10);
  EXPECT_EQ(set["workdays"], 2);

  // A calendar on the new set: Monday to Friday 09:00-18:00.
  json body = {{"name", unique_name("iCal office ")},
               {"weekly", json::parse(R"({"mon": [["09:00", "18:00"]], "tue": [["09:00", "18:00"]],
                                         "wed": [["09:00", "18:00"]], "thu": [["09:00", "18:00"]],
                                         "fri": [["09:00", "18:00"]]})")},
               {"holiday_sets", {key}}};
  json cal = create(body);
  ASSERT_FALSE(cal.is_discarded());
  EXPECT_EQ(cal["zone"], "Asia/Shanghai") << "the default zone";
  std::int64_t id = cal["id"];
  // 60 minutes on Friday 5 February, the festival off, 60 from 09:00 on Monday the 15th.
  EXPECT_EQ(add(id, "2027-02-05T17:00:00+08:00", 120), "2027-02-15T10:00:00+08:00");
  // Both weekend days 20 and 21 February are worked, 540 minutes each.
  EXPECT_EQ(between(id, "2027-02-20T00:00:00+08:00", "2027-02-22T00:00:00+08:00"), 1080);
}

TEST_P(CalendarsE2eTest, ABadImportAnswers422WithLineNumbersAndImportsNothing) {
  json before = holiday_set("cn-statutory");
  ASSERT_FALSE(before.is_discarded());
  json office = seeded("Office hours 工作时间");
  ASSERT_FALSE(office.is_discarded());
  std::string due_before = add(office["id"], "2028-12-29T17:00:00+08:00", 120);

  // A good 2029 next to a broken 2028: line 5 has a date that is none, line 6 a weekday made
  // up and a 2029 day listed under 2028.
  const std::string bad_json =
      "{\n"
      "  \"years\": {\n"
      "    \"2029\": {\"holidays\": [{\"name\": \"元旦\", \"days\": [\"2029-01-01\"]}]},\n"
      "    \"2028\": {\n"
      "      \"holidays\": [{\"name\": \"元旦\", \"days\": [\"2028-01-01\", \"2028-13-01\"]}],\n"
      "      \"make_up_workdays\": [\"2028-02-02\", \"2029-02-03\"]\n"
      "    }\n"
      "  }\n"
      "}\n";
  for (const std::string query : {"", "?dry_run=true"}) {
    HttpResponse r = import_days("cn-statutory", bad_json, "application/json", query);
    ASSERT_EQ(r.status, 422) << r.body;
    EXPECT_EQ(error_shape_problem(r), "");
    EXPECT_EQ(error_code(r), "unprocessable");
    EXPECT_EQ(error_field(r), "body");
    json report = parse_body(r);
    EXPECT_EQ(report["applied"], false);
    EXPECT_EQ(report["errors"].size(), 3u) << r.body;
    EXPECT_EQ(error_lines(report), std::set<int>({5, 6})) << r.body;
    for (const json& e : report["errors"]) EXPECT_TRUE(e["message"].is_string());
  }

  // iCalendar: line 8 has a date that is none, the event of line 10 no DTSTART.
  const std::string bad_ics =
      "BEGIN:VCALENDAR\n"
      "VERSION:2.0\n"
      "BEGIN:VEVENT\n"
      "DTSTART;VALUE=DATE:20280101\n"
      "SUMMARY:New Year\n"
      "END:VEVENT\n"
      "BEGIN:VEVENT\n"
      "DTSTART;VALUE=DATE:20280132\n"
      "END:VEVENT\n"
      "BEGIN:VEVENT\n"
      "SUMMARY:no start\n"
      "END:VEVENT\n"
      "END:VCALENDAR\n";
  HttpResponse r = import_days("cn-statutory", bad_ics, "text/calendar");
  ASSERT_EQ(r.status, 422) << r.body;
  EXPECT_EQ(error_code(r), "unprocessable");
  json report = parse_body(r);
  EXPECT_EQ(report["applied"], false);
  EXPECT_EQ(error_lines(report), std::set<int>({8, 10})) << r.body;

  // Neither document changed anything.
  EXPECT_EQ(holiday_set("cn-statutory"), before);
  EXPECT_EQ(days("cn-statutory", 2028)["items"], json::array());
  EXPECT_EQ(days("cn-statutory", 2029)["items"], json::array());
  EXPECT_EQ(add(office["id"], "2028-12-29T17:00:00+08:00", 120), due_before);

  // Neither JSON nor iCalendar; a set that does not exist.
  r = import_days("cn-statutory", "2028-01-01 New Year", "text/plain");
  EXPECT_EQ(r.status, 415) << r.body;
  EXPECT_EQ(error_field(r), "content-type");
  r = import_days("no-such-set", kYear2027, "application/json");
  EXPECT_EQ(r.status, 404) << r.body;
  EXPECT_EQ(holiday_set("cn-statutory"), before);
}

TEST_P(CalendarsE2eTest, OnlyStaffReadAndOnlyAdminsWrite) {
  std::string requester = token_for("requester");
  std::string agent = token_for("agent");
  ASSERT_FALSE(requester.empty());
  ASSERT_FALSE(agent.empty());
  json office = seeded("Office hours 工作时间");
  ASSERT_FALSE(office.is_discarded());
  std::int64_t id = office["id"];

  for (const char* target :
       {"/api/v1/calendars", "/api/v1/holiday-sets", "/api/v1/holiday-sets/cn-statutory/days"}) {
    HttpResponse r = call("GET", target, requester);
    EXPECT_EQ(r.status, 403) << target << ": " << r.body;
    EXPECT_EQ(error_code(r), "forbidden") << target;
    EXPECT_EQ(call("GET", target, agent).status, 200) << target;
  }
  HttpResponse r = call("POST", path(id, "/add"), requester,
                        json{{"start", "2026-02-13T17:00:00+08:00"}, {"minutes", 120}});
  EXPECT_EQ(r.status, 403) << r.body;

  r = call("POST", "/api/v1/calendars", agent, office_body(unique_name("Agent's ")));
  EXPECT_EQ(r.status, 403) << r.body;
  EXPECT_EQ(error_shape_problem(r), "");
  EXPECT_EQ(error_code(r), "forbidden");
  r = call("PATCH", path(id), agent, json{{"version", office["version"]}, {"name", "Agent's"}});
  EXPECT_EQ(r.status, 403) << r.body;
  r = call("POST", "/api/v1/holiday-sets", agent, json{{"key", "agent-set"}, {"name", "Agent"}});
  EXPECT_EQ(r.status, 403) << r.body;
  r = call("POST", "/api/v1/holiday-sets/cn-statutory/import", agent, std::string(kYear2027));
  EXPECT_EQ(r.status, 403) << r.body;
  EXPECT_EQ(get_json(port_, path(id), admin_token_), office) << "nothing changed";

  json agent_me = get_json(port_, "/api/v1/me", agent);
  EXPECT_EQ(agent_me["permissions"]["sla_read"], true);
  EXPECT_EQ(agent_me["permissions"]["sla_admin"], false);
  json requester_me = get_json(port_, "/api/v1/me", requester);
  EXPECT_EQ(requester_me["permissions"]["sla_read"], false);
  EXPECT_EQ(requester_me["permissions"]["sla_admin"], false);
}

TEST_P(CalendarsE2eTest, AnUnknownZoneIs400NamingTheZone) {
  json body = office_body(unique_name("Nowhere "));
  body["zone"] = "Mars/Olympus_Mons";
  HttpResponse r = call("POST", "/api/v1/calendars", admin_token_, body);
  EXPECT_EQ(r.status, 400) << r.body;
  EXPECT_EQ(error_shape_problem(r), "");
  EXPECT_EQ(error_code(r), "invalid_argument");
  EXPECT_EQ(error_field(r), "zone");

  json cal = create(office_body(unique_name("Zoned ")));
  ASSERT_FALSE(cal.is_discarded());
  std::int64_t id = cal["id"];
  r = call("PATCH", path(id), admin_token_, json{{"version", 1}, {"zone", "Asia/Atlantis"}});
  EXPECT_EQ(r.status, 400) << r.body;
  EXPECT_EQ(error_field(r), "zone");
  EXPECT_EQ(get_json(port_, path(id), admin_token_), cal);

  // Files of the tz directory that are not zones, and paths, are never a 500: refused naming the
  // zone, or (a real zone such as "localtime") a calendar whose maths work.
  for (const char* zone : {"zone.tab", "zone1970.tab", "tzdata.zi", "leapseconds", "iso3166.tab",
                           "posixrules", "posix/Asia/Shanghai", "right/UTC", "Factory", "localtime",
                           "Asia", "../zoneinfo/UTC", "/etc/localtime", ".", "Etc/GMT-8"}) {
    json b = office_body(unique_name("Odd zone "));
    b["zone"] = zone;
    HttpResponse res = call("POST", "/api/v1/calendars", admin_token_, b);
    EXPECT_TRUE(res.status == 201 || res.status == 400)
        << zone << ": " << res.status << " " << res.body;
    if (res.status == 400) {
      EXPECT_EQ(error_field(res), "zone") << zone << ": " << res.body;
    } else if (res.status == 201) {
      std::int64_t odd = parse_body(res)["id"];
      HttpResponse due = call("POST", path(odd, "/add"), admin_token_,
                              json{{"start", "2026-02-13T17:00:00+08:00"}, {"minutes", 120}});
      EXPECT_EQ(due.status, 200) << zone << ": " << due.body;
    }
  }

  // Records that do not exist.
  r = call("POST", path(999999, "/add"), admin_token_,
           json{{"start", "2026-02-13T17:00:00+08:00"}, {"minutes", 120}});
  EXPECT_EQ(r.status, 404) << r.body;
  EXPECT_EQ(call("GET", path(999999), admin_token_).status, 404);
  EXPECT_EQ(call("GET", "/api/v1/holiday-sets/no-such-set/days", admin_token_).status, 404);
  body = office_body(unique_name("Unknown set "));
  body["holiday_sets"] = {"no-such-set"};
  r = call("POST", "/api/v1/calendars", admin_token_, body);
  EXPECT_EQ(r.status, 400) << r.body;
  EXPECT_EQ(error_field(r), "holiday_sets");
}

TEST_P(CalendarsE2eTest, TheSpringForwardDayInNewYorkHas23Hours) {
  json cal = create({{"name", unique_name("New York 24x7 ")},
                     {"zone", "America/New_York"},
                     {"weekly", always()}});
  ASSERT_FALSE(cal.is_discarded());
  std::int64_t id = cal["id"];
  // Sunday 8 March 2026: clocks go from 02:00 EST to 03:00 EDT, so the local day (midnight to
  // midnight) has 23 hours; Sunday 1 November they go back and it has 25.
  EXPECT_EQ(between(id, "2026-03-08T00:00:00-05:00", "2026-03-09T00:00:00-04:00"), 23 * 60);
  EXPECT_EQ(between(id, "2026-03-07T00:00:00-05:00", "2026-03-08T00:00:00-05:00"), 24 * 60);
  EXPECT_EQ(between(id, "2026-11-01T00:00:00-04:00", "2026-11-02T00:00:00-05:00"), 25 * 60);
  // 01:30 EST plus an hour is 03:30 EDT; the answer carries the new offset.
  HttpResponse r = call("POST", path(id, "/add"), admin_token_,
                        json{{"start", "2026-03-08T01:30:00-05:00"}, {"minutes", 60}});
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(parse_body(r),
            json({{"due", "2026-03-08T03:30:00-04:00"}, {"due_utc", "2026-03-08T07:30:00.000Z"}}));

  // Office hours follow local time across the change: Friday 6 March 16:00 EST plus 120 minutes
  // is an hour that Friday and an hour from 09:00 EDT on Monday the 9th.
  json office = create({{"name", unique_name("New York office ")},
                        {"zone", "America/New_York"},
                        {"weekly", json::parse(R"({"mon": [["09:00", "17:00"]],
                                                  "tue": [["09:00", "17:00"]],
                                                  "wed": [["09:00", "17:00"]],
                                                  "thu": [["09:00", "17:00"]],
                                                  "fri": [["09:00", "17:00"]]})")}});
  ASSERT_FALSE(office.is_discarded());
  EXPECT_EQ(add(office["id"], "2026-03-06T16:00:00-05:00", 120), "2026-03-09T10:00:00-04:00");
  EXPECT_EQ(between(office["id"], "2026-03-06T00:00:00-05:00", "2026-03-10T00:00:00-04:00"),
            2 * 8 * 60);  // Friday and Monday
}

YUNWEI_INSTANTIATE_BACKENDS(CalendarsE2eTest);

}  // namespace
}  // namespace yunwei::testing
