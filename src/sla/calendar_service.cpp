#include "sla/calendar_service.h"

#include <algorithm>
#include <nlohmann/json.hpp>
#include <set>

#include "core/text.h"

namespace yunwei::sla {

using nlohmann::json;

namespace {

constexpr const char* kDays[] = {"mon", "tue", "wed", "thu", "fri", "sat", "sun"};

constexpr const char* kColumns =
    "id, name, zone, weekly, holiday_sets, overrides, active, version, created_at, updated_at";

// [["09:00","12:00"], ...] at `field`.
core::Result<DayHours> parse_hours(const json& j, const std::string& field) {
  if (!j.is_array()) return core::invalid(field, R"(must be a list of ["HH:MM", "HH:MM"] ranges)");
  if (j.size() > 12) return core::invalid(field, "at most 12 ranges a day");
  DayHours out;
  for (std::size_t i = 0; i < j.size(); ++i) {
    std::string f = field + "[" + std::to_string(i) + "]";
    const json& r = j[i];
    if (!r.is_array() || r.size() != 2 || !r[0].is_string() || !r[1].is_string())
      return core::invalid(f, R"(must be ["HH:MM", "HH:MM"])");
    std::optional<int> b = parse_hhmm(r[0].get<std::string>(), false);
    std::optional<int> e = parse_hhmm(r[1].get<std::string>(), true);
    if (!b || !e) return core::invalid(f, "times are HH:MM from 00:00 to 24:00");
    out.push_back({*b, *e});
  }
  YW_TRY(check_hours(out, field));
  return out;
}

json hours_json(const DayHours& hours) {
  json out = json::array();
  for (const Hours& h : hours) out.push_back({format_hhmm(h.begin), format_hhmm(h.end)});
  return out;
}

Calendar from_row(const store::Row& r) {
  Calendar c;
  c.id = r.i64(0);
  c.name = r.str(1);
  c.zone = r.str(2);
  if (auto w = parse_weekly(r.str(3)); w.ok()) c.weekly = *w;
  json sets = json::parse(r.str(4), nullptr, false);
  if (sets.is_array()) {
    for (const json& s : sets) {
      if (s.is_string()) c.holiday_sets.push_back(s.get<std::string>());
    }
  }
  if (auto o = parse_overrides(r.str(5)); o.ok()) c.overrides = *o;
  c.active = r.i64(6) != 0;
  c.version = r.i64(7);
  c.created_at = r.i64(8);
  c.updated_at = r.i64(9);
  return c;
}

std::string sets_json(const std::vector<std::string>& sets) { return json(sets).dump(); }

std::string snapshot(const Calendar& c) {
  return json{{"name", c.name},
              {"zone", c.zone},
              {"weekly", json::parse(weekly_json(c.weekly))},
              {"holiday_sets", c.holiday_sets},
              {"overrides", json::parse(overrides_json(c.overrides))},
              {"active", c.active}}
      .dump();
}

core::Result<Calendar> load(store::Tx& tx, std::int64_t id) {
  auto row = tx.query_row(std::string("SELECT ") + kColumns + " FROM calendars WHERE id = ?", {id});
  if (!row.ok()) return std::move(row).error();
  if (!*row) return core::not_found("calendar " + std::to_string(id) + " not found");
  return from_row(**row);
}

// Validates what create and update store; names the field.
core::Status check_calendar(store::Tx& tx, const std::string& name, const std::string& zone,
                            const std::array<DayHours, 7>& weekly,
                            const std::vector<std::string>& sets,
                            const std::vector<Override>& overrides) {
  YW_TRY(core::check_text(name, "name", 100, true, core::Controls::kNone));
  for (std::size_t k = 0; k < 7; ++k)
    YW_TRY(check_hours(weekly[k], std::string("weekly.") + kDays[k]));
  if (overrides.size() > 2000) return core::invalid("overrides", "at most 2,000 overrides");
  for (std::size_t i = 0; i < overrides.size(); ++i) {
    YW_TRY(check_hours(overrides[i].hours, "overrides[" + std::to_string(i) + "].hours"));
  }
  std::set<Day> dates;
  for (std::size_t i = 0; i < overrides.size(); ++i) {
    if (!dates.insert(overrides[i].date).second) {
      return core::invalid("overrides[" + std::to_string(i) + "].date",
                           format_date(overrides[i].date) + " is given twice");
    }
  }
  if (sets.size() > 10) return core::invalid("holiday_sets", "at most 10 holiday sets");
  if (std::set<std::string>(sets.begin(), sets.end()).size() != sets.size())
    return core::invalid("holiday_sets", "lists a holiday set twice");
  for (const std::string& key : sets) {
    auto row = tx.query_row("SELECT 1 FROM holiday_sets WHERE key = ?", {key});
    if (!row.ok()) return std::move(row).error();
    if (!*row) return core::invalid("holiday_sets", "no holiday set \"" + key + "\"");
  }
  if (zone.empty() || zone.size() > 64) return core::invalid("zone", "must be an IANA time zone");
  return {};
}

core::Status check_zone(const std::string& zone) {
  // IANA names ("Asia/Shanghai", "UTC"), not the files beside them in the tz folder
  // ("localtime", "posixrules", "posix/...", "right/...").
  bool named = zone == "UTC" || (zone.find('/') != std::string::npos &&
                                 zone.rfind("posix/", 0) != 0 && zone.rfind("right/", 0) != 0);
  if (!named) return core::invalid("zone", "must be an IANA time zone such as Asia/Shanghai");
  // Compiling an empty week is cheap and resolves the zone exactly as the maths will.
  CalendarSpec probe;
  probe.zone = zone;
  auto c = CompiledCalendar::compile(probe);
  if (!c.ok()) return std::move(c).error();
  return {};
}

bool valid_set_key(std::string_view k) {
  if (k.size() < 2 || k.size() > 40) return false;
  return std::all_of(k.begin(), k.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-';
  });
}

core::Result<std::optional<store::Row>> set_row(store::Tx& tx, std::string_view key) {
  return tx.query_row(
      "SELECT id, key, name, builtin, version, updated_at FROM holiday_sets WHERE key = ?",
      {std::string(key)});
}

core::Result<HolidaySet> load_set(store::Tx& tx, const store::Row& r) {
  HolidaySet s;
  s.id = r.i64(0);
  s.key = r.str(1);
  s.name = r.str(2);
  s.builtin = r.i64(3) != 0;
  s.version = r.i64(4);
  s.updated_at = r.i64(5);
  auto days = tx.query("SELECT day, kind FROM holiday_days WHERE set_id = ? ORDER BY day", {s.id});
  if (!days.ok()) return std::move(days).error();
  std::set<int> years;
  for (const store::Row& d : *days) {
    years.insert(std::stoi(d.str(0).substr(0, 4)));
    (d.str(1) == "workday" ? s.workdays : s.holidays) += 1;
  }
  s.years.assign(years.begin(), years.end());
  return s;
}

core::Status write_days(store::Tx& tx, std::int64_t set_id, const ParsedHolidays& parsed) {
  for (int y : parsed.years) {
    std::string from = std::to_string(y) + "-01-01", to = std::to_string(y + 1) + "-01-01";
    auto del = tx.exec("DELETE FROM holiday_days WHERE set_id = ? AND day >= ? AND day < ?",
                       {set_id, from, to});
    if (!del.ok()) return std::move(del).error();
  }
  for (const HolidayDay& d : parsed.days) {
    auto ins = tx.exec("INSERT INTO holiday_days (set_id, day, kind, name) VALUES (?, ?, ?, ?)",
                       {set_id, format_date(d.date),
                        std::string(d.kind == DayKind::kWorkday ? "workday" : "holiday"), d.name});
    if (!ins.ok()) return std::move(ins).error();
  }
  return {};
}

}  // namespace

core::Result<std::array<DayHours, 7>> parse_weekly(std::string_view json_text) {
  json j = json::parse(json_text, nullptr, false);
  if (j.is_discarded() || !j.is_object())
    return core::invalid("weekly",
                         R"(must be an object such as {"mon": [["09:00", "18:00"]], ...})");
  std::array<DayHours, 7> out;
  for (auto& [key, value] : j.items()) {
    auto it = std::find(std::begin(kDays), std::end(kDays), key);
    if (it == std::end(kDays)) {
      return core::invalid("weekly." + key, "unknown day (mon, tue, wed, thu, fri, sat, sun)");
    }
    YW_ASSIGN(out[static_cast<std::size_t>(it - std::begin(kDays))],
              parse_hours(value, "weekly." + key));
  }
  return out;
}

core::Result<std::vector<Override>> parse_overrides(std::string_view json_text) {
  json j = json::parse(json_text, nullptr, false);
  if (j.is_discarded() || !j.is_array())
    return core::invalid("overrides",
                         R"(must be a list of {"date": "YYYY-MM-DD", "hours": [...]})");
  std::vector<Override> out;
  for (std::size_t i = 0; i < j.size(); ++i) {
    std::string f = "overrides[" + std::to_string(i) + "]";
    const json& o = j[i];
    if (!o.is_object())
      return core::invalid(f, R"(must be {"date": "YYYY-MM-DD", "hours": [...]})");
    for (auto& [key, value] : o.items()) {
      if (key != "date" && key != "hours" && key != "note")
        return core::invalid(f + "." + key, "unknown field (date, hours, note)");
    }
    auto date = o.find("date");
    std::optional<Day> d;
    if (date != o.end() && date->is_string()) d = parse_date(date->get<std::string>());
    if (!d) return core::invalid(f + ".date", "must be a date (YYYY-MM-DD)");
    Override ov;
    ov.date = *d;
    if (auto h = o.find("hours"); h != o.end()) {
      YW_ASSIGN(ov.hours, parse_hours(*h, f + ".hours"));
    }
    if (auto n = o.find("note"); n != o.end()) {
      if (!n->is_string()) return core::invalid(f + ".note", "must be a string");
      ov.note = n->get<std::string>();
      YW_TRY(core::check_text(ov.note, f + ".note", 200, false, core::Controls::kNone));
    }
    out.push_back(std::move(ov));
  }
  std::sort(out.begin(), out.end(),
            [](const Override& a, const Override& b) { return a.date < b.date; });
  return out;
}

std::string weekly_json(const std::array<DayHours, 7>& weekly) {
  json out = json::object();
  for (std::size_t k = 0; k < 7; ++k) out[kDays[k]] = hours_json(weekly[k]);
  return out.dump();
}

std::string overrides_json(const std::vector<Override>& overrides) {
  json out = json::array();
  for (const Override& o : overrides) {
    json e = {{"date", format_date(o.date)}, {"hours", hours_json(o.hours)}};
    if (!o.note.empty()) e["note"] = o.note;
    out.push_back(std::move(e));
  }
  return out.dump();
}

core::Result<Calendar> CalendarService::create(const store::Actor& actor, const CalendarInput& in) {
  YW_TRY(check_zone(in.zone));
  return store::write_tx<Calendar>(db_, [&](store::Tx& tx) -> core::Result<Calendar> {
    std::string name = core::trim(in.name);
    YW_TRY(check_calendar(tx, name, in.zone, in.weekly, in.holiday_sets, in.overrides));
    core::TimeMs now = clock_.now_ms();
    auto row = tx.query_row(
        "INSERT INTO calendars (name, zone, weekly, holiday_sets, overrides, active, version,"
        " created_at, updated_at) VALUES (?, ?, ?, ?, ?, 1, 1, ?, ?) RETURNING id",
        {name, in.zone, weekly_json(in.weekly), sets_json(in.holiday_sets),
         overrides_json(in.overrides), now, now});
    if (!row.ok()) {
      if (row.error().code == core::ErrorCode::kConflict)
        return core::conflict("a calendar named \"" + name + "\" exists", "name");
      return std::move(row).error();
    }
    YW_ASSIGN(Calendar c, load(tx, (*row)->i64(0)));
    YW_TRY(
        store::append_event(tx, actor, now, "calendar.create", "calendar", c.id, "", snapshot(c)));
    return c;
  });
}

core::Result<Calendar> CalendarService::get(std::int64_t id) {
  return store::read_tx<Calendar>(db_, [&](store::Tx& tx) { return load(tx, id); });
}

core::Result<std::vector<Calendar>> CalendarService::list() {
  return store::read_tx<std::vector<Calendar>>(
      db_, [&](store::Tx& tx) -> core::Result<std::vector<Calendar>> {
        auto rows =
            tx.query(std::string("SELECT ") + kColumns + " FROM calendars ORDER BY name, id");
        if (!rows.ok()) return std::move(rows).error();
        std::vector<Calendar> out;
        for (const store::Row& r : *rows) out.push_back(from_row(r));
        return out;
      });
}

core::Result<Calendar> CalendarService::update(const store::Actor& actor, std::int64_t id,
                                               const CalendarPatch& p) {
  if (p.zone) YW_TRY(check_zone(*p.zone));
  return store::write_tx<Calendar>(db_, [&](store::Tx& tx) -> core::Result<Calendar> {
    YW_ASSIGN(Calendar before, load(tx, id));
    if (before.version != p.version) {
      return core::conflict("the calendar was changed by someone else; reload and retry",
                            "version");
    }
    Calendar after = before;
    if (p.name) after.name = core::trim(*p.name);
    if (p.zone) after.zone = *p.zone;
    if (p.weekly) after.weekly = *p.weekly;
    if (p.holiday_sets) after.holiday_sets = *p.holiday_sets;
    if (p.overrides) after.overrides = *p.overrides;
    if (p.active) after.active = *p.active;
    YW_TRY(check_calendar(tx, after.name, after.zone, after.weekly, after.holiday_sets,
                          after.overrides));
    core::TimeMs now = clock_.now_ms();
    auto n = tx.exec(
        "UPDATE calendars SET name = ?, zone = ?, weekly = ?, holiday_sets = ?, overrides = ?,"
        " active = ?, updated_at = ?, version = version + 1 WHERE id = ? AND version = ?",
        {after.name, after.zone, weekly_json(after.weekly), sets_json(after.holiday_sets),
         overrides_json(after.overrides), std::int64_t{after.active ? 1 : 0}, now, id, p.version});
    if (!n.ok()) {
      if (n.error().code == core::ErrorCode::kConflict)
        return core::conflict("a calendar named \"" + after.name + "\" exists", "name");
      return std::move(n).error();
    }
    if (*n != 1) return core::conflict("the calendar was changed concurrently; reload", "version");
    YW_ASSIGN(Calendar stored, load(tx, id));
    YW_TRY(store::append_event(tx, actor, now, "calendar.update", "calendar", id, snapshot(before),
                               snapshot(stored)));
    return stored;
  });
}

core::Result<std::shared_ptr<const CompiledCalendar>> CalendarService::compiled(std::int64_t id) {
  using R = std::shared_ptr<const CompiledCalendar>;
  Calendar cal;
  std::string stamp;
  CalendarSpec spec;
  // One read: the calendar, its sets' versions, and (on a cache miss) their days.
  core::Result<R> cached = store::read_tx<R>(db_, [&](store::Tx& tx) -> core::Result<R> {
    YW_ASSIGN(cal, load(tx, id));
    stamp = std::to_string(cal.version);
    std::vector<std::int64_t> set_ids;
    for (const std::string& key : cal.holiday_sets) {
      auto row = tx.query_row("SELECT id, version FROM holiday_sets WHERE key = ?", {key});
      if (!row.ok()) return std::move(row).error();
      if (!*row) continue;
      set_ids.push_back((*row)->i64(0));
      stamp += "," + key + ":" + std::to_string((*row)->i64(1));
    }
    {
      std::lock_guard lock(cache_mu_);
      if (auto it = cache_.find(id); it != cache_.end() && it->second.stamp == stamp)
        return it->second.calendar;
    }
    for (std::int64_t set_id : set_ids) {
      auto days = tx.query("SELECT day, kind, name FROM holiday_days WHERE set_id = ?", {set_id});
      if (!days.ok()) return std::move(days).error();
      for (const store::Row& d : *days) {
        if (auto day = parse_date(d.str(0))) {
          spec.holidays.push_back(
              {*day, d.str(1) == "workday" ? DayKind::kWorkday : DayKind::kHoliday, d.str(2)});
        }
      }
    }
    return R();
  });
  if (!cached.ok()) return std::move(cached).error();
  if (*cached) return *cached;
  spec.zone = cal.zone;
  spec.weekly = cal.weekly;
  for (const Override& o : cal.overrides) spec.overrides[o.date] = o.hours;
  YW_ASSIGN(R compiled, CompiledCalendar::compile(spec));
  std::lock_guard lock(cache_mu_);
  cache_[id] = Cached{stamp, compiled};
  return compiled;
}

core::Result<std::vector<HolidaySet>> CalendarService::list_sets() {
  using R = std::vector<HolidaySet>;
  return store::read_tx<R>(db_, [&](store::Tx& tx) -> core::Result<R> {
    auto rows = tx.query(
        "SELECT id, key, name, builtin, version, updated_at FROM holiday_sets ORDER BY key");
    if (!rows.ok()) return std::move(rows).error();
    R out;
    for (const store::Row& r : *rows) {
      YW_ASSIGN(HolidaySet s, load_set(tx, r));
      out.push_back(std::move(s));
    }
    return out;
  });
}

core::Result<std::vector<HolidayDay>> CalendarService::set_days(std::string_view key,
                                                                std::optional<int> year) {
  using R = std::vector<HolidayDay>;
  return store::read_tx<R>(db_, [&](store::Tx& tx) -> core::Result<R> {
    auto set = set_row(tx, key);
    if (!set.ok()) return std::move(set).error();
    if (!*set) return core::not_found("holiday set " + std::string(key) + " not found");
    std::string from = year ? std::to_string(*year) + "-01-01" : "0000-01-01";
    std::string to = year ? std::to_string(*year + 1) + "-01-01" : "9999-12-31";
    auto rows = tx.query(
        "SELECT day, kind, name FROM holiday_days WHERE set_id = ? AND day >= ? AND day < ?"
        " ORDER BY day",
        {(*set)->i64(0), from, to});
    if (!rows.ok()) return std::move(rows).error();
    R out;
    for (const store::Row& r : *rows) {
      if (auto d = parse_date(r.str(0))) {
        out.push_back(
            {*d, r.str(1) == "workday" ? DayKind::kWorkday : DayKind::kHoliday, r.str(2)});
      }
    }
    return out;
  });
}

core::Result<HolidaySet> CalendarService::create_set(const store::Actor& actor,
                                                     const std::string& key,
                                                     const std::string& name) {
  if (!valid_set_key(key))
    return core::invalid("key", "2 to 40 lower-case letters, digits and hyphens");
  YW_TRY(core::check_text(name, "name", 100, true, core::Controls::kNone));
  return store::write_tx<HolidaySet>(db_, [&](store::Tx& tx) -> core::Result<HolidaySet> {
    core::TimeMs now = clock_.now_ms();
    auto row = tx.query_row(
        "INSERT INTO holiday_sets (key, name, builtin, version, created_at, updated_at)"
        " VALUES (?, ?, 0, 1, ?, ?) RETURNING id, key, name, builtin, version, updated_at",
        {key, core::trim(name), now, now});
    if (!row.ok()) {
      if (row.error().code == core::ErrorCode::kConflict)
        return core::conflict("a holiday set \"" + key + "\" exists", "key");
      return std::move(row).error();
    }
    YW_ASSIGN(HolidaySet s, load_set(tx, **row));
    YW_TRY(store::append_event(tx, actor, now, "holiday_set.create", "holiday_set", s.id, "",
                               json{{"key", s.key}, {"name", s.name}}.dump()));
    return s;
  });
}

core::Result<ImportReport> CalendarService::import_days(const store::Actor& actor,
                                                        std::string_view key,
                                                        std::string_view format,
                                                        std::string_view text, bool dry_run) {
  if (format != "json" && format != "ical") return core::invalid("format", "must be json or ical");
  if (text.size() > 1'000'000) return core::invalid("body", "at most 1 MB");
  ParsedHolidays parsed = format == "json" ? parse_holiday_json(text) : parse_holiday_ical(text);
  ImportReport report;
  report.years = parsed.years;
  report.errors = parsed.errors;
  for (const HolidayDay& d : parsed.days)
    (d.kind == DayKind::kWorkday ? report.workdays : report.holidays) += 1;
  return store::write_tx<ImportReport>(db_, [&](store::Tx& tx) -> core::Result<ImportReport> {
    auto set = set_row(tx, key);
    if (!set.ok()) return std::move(set).error();
    if (!*set) return core::not_found("holiday set " + std::string(key) + " not found");
    if (dry_run || !report.errors.empty()) return report;
    std::int64_t set_id = (*set)->i64(0);
    YW_TRY(write_days(tx, set_id, parsed));
    core::TimeMs now = clock_.now_ms();
    auto n = tx.exec("UPDATE holiday_sets SET version = version + 1, updated_at = ? WHERE id = ?",
                     {now, set_id});
    if (!n.ok()) return std::move(n).error();
    YW_TRY(store::append_event(
        tx, actor, now, "holiday_set.import", "holiday_set", set_id, "",
        json{{"years", report.years}, {"holidays", report.holidays}, {"workdays", report.workdays}}
            .dump()));
    report.applied = true;
    return report;
  });
}

core::Status CalendarService::seed_defaults(const store::Actor& actor) {
  return db_.write([&](store::Tx& tx) -> core::Status {
    core::TimeMs now = clock_.now_ms();
    auto set = set_row(tx, "cn-statutory");
    if (!set.ok()) return std::move(set).error();
    if (!*set) {
      ParsedHolidays parsed = parse_holiday_json(cn_statutory_json());
      if (!parsed.errors.empty()) return core::internal("the shipped holiday set is invalid");
      auto row = tx.query_row(
          "INSERT INTO holiday_sets (key, name, builtin, version, created_at, updated_at)"
          " VALUES ('cn-statutory', ?, 1, 1, ?, ?) RETURNING id",
          {std::string("中国法定节假日 China statutory holidays"), now, now});
      if (!row.ok()) return std::move(row).error();
      YW_TRY(write_days(tx, (*row)->i64(0), parsed));
    }
    auto any = tx.query_row("SELECT 1 FROM calendars LIMIT 1");
    if (!any.ok()) return std::move(any).error();
    if (*any) return {};
    std::array<DayHours, 7> always;
    for (DayHours& d : always) d = {{0, 1440}};
    std::array<DayHours, 7> office;
    for (std::size_t k = 0; k < 5; ++k) office[k] = {{9 * 60, 12 * 60}, {13 * 60, 18 * 60}};
    struct Seed {
      const char* name;
      const std::array<DayHours, 7>* weekly;
      const char* sets;
    };
    for (const Seed& s : {Seed{"24×7", &always, "[]"},
                          Seed{"Office hours 工作时间", &office, R"(["cn-statutory"])"}}) {
      auto ins = tx.query_row(
          "INSERT INTO calendars (name, zone, weekly, holiday_sets, overrides, active, version,"
          " created_at, updated_at) VALUES (?, 'Asia/Shanghai', ?, ?, '[]', 1, 1, ?, ?)"
          " RETURNING id",
          {std::string(s.name), weekly_json(*s.weekly), std::string(s.sets), now, now});
      if (!ins.ok()) return std::move(ins).error();
      YW_ASSIGN(Calendar c, load(tx, (*ins)->i64(0)));
      YW_TRY(store::append_event(tx, actor, now, "calendar.create", "calendar", c.id, "",
                                 snapshot(c)));
    }
    return {};
  });
}

}  // namespace yunwei::sla
