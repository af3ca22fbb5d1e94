#include "change/change_config.h"

#include <algorithm>
#include <array>
#include <map>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <set>
#include <tuple>
#include <unordered_map>
#include <utility>

#include "change/schedule.h"
#include "core/text.h"
#include "sla/calendar.h"

namespace yunwei::change {

namespace {

using nlohmann::json;

constexpr core::TimeMs kMinuteMs = 60'000;
constexpr core::TimeMs kDayMs = 86'400'000;
constexpr core::TimeMs kMaxOccurrenceSpanMs = 400 * kDayMs;
constexpr std::size_t kNameChars = 200;
constexpr std::size_t kReasonChars = 2000;
constexpr std::size_t kDescriptionChars = 4000;
constexpr std::size_t kPlanChars = 20000;

store::Value opt_value(const std::optional<std::int64_t>& v) {
  if (v) return store::Value(*v);
  return store::Value(nullptr);
}

json opt_json(const std::optional<std::int64_t>& v) {
  if (v) return json(*v);
  return json(nullptr);
}

// "1,2,3" <-> ids, as freeze_windows.service_ids holds them.
std::string ids_text(const std::vector<std::int64_t>& ids) {
  std::string out;
  for (std::int64_t id : ids) {
    if (!out.empty()) out += ',';
    out += std::to_string(id);
  }
  return out;
}

std::vector<std::int64_t> parse_ids(std::string_view text) {
  std::vector<std::int64_t> out;
  for (const std::string& part : core::split(text, ',')) {
    std::string t = core::trim(part);
    if (t.empty()) continue;
    try {
      out.push_back(std::stoll(t));
    } catch (const std::exception&) {
      // A hand-edited row: skip what is not a number.
    }
  }
  return out;
}

std::string lines_text(const std::vector<std::string>& lines) {
  std::string out;
  for (const std::string& l : lines) {
    if (!out.empty()) out += '\n';
    out += l;
  }
  return out;
}

std::vector<std::string> parse_lines(std::string_view text) {
  std::vector<std::string> out;
  for (const std::string& part : core::split(text, '\n')) {
    std::string t = core::trim(part);
    if (!t.empty()) out.push_back(t);
  }
  return out;
}

std::vector<WeeklyRange> parse_ranges(const std::vector<std::string>& lines) {
  std::vector<WeeklyRange> out;
  for (const std::string& l : lines) {
    if (auto r = parse_weekly_range(l)) out.push_back(*r);
  }
  return out;
}

// Names of CIs by id (those that exist).
core::Result<std::unordered_map<std::int64_t, std::string>> ci_names(
    store::Tx& tx, const std::vector<std::int64_t>& ids) {
  std::unordered_map<std::int64_t, std::string> out;
  if (ids.empty()) return out;
  auto rows =
      tx.query("SELECT id, name FROM cis WHERE " + tx.in_ids_sql("id"), {tx.in_ids_value(ids)});
  if (!rows.ok()) return std::move(rows).error();
  for (const store::Row& r : *rows) out.emplace(r.i64(0), r.str(1));
  return out;
}

// The name of the business service `id`; kInvalidArgument naming `field` otherwise.
core::Result<std::string> check_service(store::Tx& tx, std::int64_t id, const std::string& field) {
  auto row = tx.query_row(
      "SELECT t.key, c.name FROM cis c JOIN ci_types t ON t.id = c.type_id WHERE c.id = ?", {id});
  if (!row.ok()) return std::move(row).error();
  std::string n = std::to_string(id);
  if (!*row) return core::invalid(field, "no CI with id " + n);
  if ((*row)->str(0) != "business_service") {
    return core::invalid(field, "CI " + n + " is a " + (*row)->str(0) + ", not a business service");
  }
  return (*row)->str(1);
}

// The services without duplicates (first occurrence kept), each checked.
core::Result<std::vector<std::int64_t>> check_services(store::Tx& tx,
                                                       const std::vector<std::int64_t>& ids) {
  if (ids.size() > kMaxWindowServices) {
    return core::invalid("service_ids",
                         "at most " + std::to_string(kMaxWindowServices) + " services");
  }
  std::vector<std::int64_t> out;
  std::set<std::int64_t> seen;
  for (std::size_t i = 0; i < ids.size(); ++i) {
    if (!seen.insert(ids[i]).second) continue;
    auto name = check_service(tx, ids[i], "service_ids[" + std::to_string(i) + "]");
    if (!name.ok()) return std::move(name).error();
    out.push_back(ids[i]);
  }
  return out;
}

core::Status check_team(store::Tx& tx, const std::optional<std::int64_t>& id) {
  if (!id) return {};
  auto row = tx.query_row("SELECT active FROM teams WHERE id = ?", {*id});
  if (!row.ok()) return std::move(row).error();
  if (!*row) return core::invalid("implementer_team_id", "no team with id " + std::to_string(*id));
  if ((*row)->i64(0) == 0) return core::invalid("implementer_team_id", "the team is inactive");
  return {};
}

core::Error stale(const char* what) {
  return core::conflict(
      std::string("the ") + what + " was changed by someone else; reload and retry", "version");
}

// --- Freeze windows ---

constexpr const char* kFreezeColumns =
    "id, name, reason, start_at, end_at, service_ids, created_by, created_at, updated_at, "
    "version";

FreezeWindowRecord freeze_from_row(const store::Row& r) {
  FreezeWindowRecord f;
  f.id = r.i64(0);
  f.name = r.str(1);
  f.reason = r.str(2);
  f.start = r.i64(3);
  f.end = r.i64(4);
  f.service_ids = parse_ids(r.str(5));
  f.created_by = r.opt_i64(6);
  f.created_at = r.i64(7);
  f.updated_at = r.i64(8);
  f.version = r.i64(9);
  return f;
}

core::Status name_services(store::Tx& tx, std::vector<FreezeWindowRecord>& list) {
  std::vector<std::int64_t> ids;
  for (const FreezeWindowRecord& f : list)
    ids.insert(ids.end(), f.service_ids.begin(), f.service_ids.end());
  std::sort(ids.begin(), ids.end());
  ids.erase(std::unique(ids.begin(), ids.end()), ids.end());
  YW_ASSIGN(auto names, ci_names(tx, ids));
  for (FreezeWindowRecord& f : list) {
    f.services.clear();
    for (std::int64_t id : f.service_ids) {
      auto it = names.find(id);
      f.services.push_back({id, it == names.end() ? std::string() : it->second});
    }
  }
  return {};
}

core::Result<FreezeWindowRecord> load_freeze(store::Tx& tx, std::int64_t id) {
  auto row = tx.query_row(
      std::string("SELECT ") + kFreezeColumns + " FROM freeze_windows WHERE id = ?", {id});
  if (!row.ok()) return std::move(row).error();
  if (!*row) return core::not_found("no freeze window with id " + std::to_string(id));
  std::vector<FreezeWindowRecord> one{freeze_from_row(**row)};
  YW_TRY(name_services(tx, one));
  return std::move(one.front());
}

std::string snapshot(const FreezeWindowRecord& f) {
  return json{{"name", f.name},
              {"reason", f.reason},
              {"start", core::format_iso8601(f.start)},
              {"end", core::format_iso8601(f.end)},
              {"service_ids", f.service_ids},
              {"version", f.version}}
      .dump();
}

core::Status check_freeze(const std::string& name, const std::string& reason, core::TimeMs start,
                          core::TimeMs end) {
  YW_TRY(core::check_text(name, "name", kNameChars, true, core::Controls::kNone));
  YW_TRY(core::check_text(reason, "reason", kReasonChars, false));
  if (end <= start) return core::invalid("end", "must be after start");
  return {};
}

// --- Maintenance windows ---

constexpr const char* kMaintenanceColumns =
    "m.id, m.service_id, c.name, m.name, m.zone, m.ranges, m.created_at, m.updated_at, m.version";
constexpr const char* kMaintenanceFrom =
    " FROM maintenance_windows m LEFT JOIN cis c ON c.id = m.service_id";

MaintenanceWindowRecord maintenance_from_row(const store::Row& r) {
  MaintenanceWindowRecord m;
  m.id = r.i64(0);
  m.service_id = r.i64(1);
  m.service_name = r.str(2);
  m.name = r.str(3);
  m.zone = r.str(4);
  m.ranges = parse_lines(r.str(5));
  m.created_at = r.i64(6);
  m.updated_at = r.i64(7);
  m.version = r.i64(8);
  return m;
}

core::Result<MaintenanceWindowRecord> load_maintenance(store::Tx& tx, std::int64_t id) {
  auto row = tx.query_row(
      std::string("SELECT ") + kMaintenanceColumns + kMaintenanceFrom + " WHERE m.id = ?", {id});
  if (!row.ok()) return std::move(row).error();
  if (!*row) return core::not_found("no maintenance window with id " + std::to_string(id));
  return maintenance_from_row(**row);
}

std::string snapshot(const MaintenanceWindowRecord& m) {
  return json{{"service_id", m.service_id},
              {"name", m.name},
              {"zone", m.zone},
              {"ranges", m.ranges},
              {"version", m.version}}
      .dump();
}

// Checks name, zone and ranges; the ranges normalised ("sat 22:00 - sun 6:00" is not accepted,
// but "Sat 22:00-Sun 06:00" and spacing variants are, and are stored in the canonical form).
core::Result<std::vector<std::string>> check_maintenance(const std::string& name,
                                                         const std::string& zone,
                                                         const std::vector<std::string>& ranges) {
  YW_TRY(core::check_text(name, "name", kNameChars, true, core::Controls::kNone));
  YW_TRY(core::check_text(zone, "zone", 64, true, core::Controls::kNone));
  if (ranges.empty()) {
    return core::invalid("ranges",
                         "give at least one weekly range such as \"Sat 22:00-Sun 06:00\"");
  }
  if (ranges.size() > kMaxMaintenanceRanges) {
    return core::invalid("ranges", "at most " + std::to_string(kMaxMaintenanceRanges) + " ranges");
  }
  MaintenanceWindow w;
  w.name = name;
  w.zone = zone;
  std::vector<std::string> normalised;
  for (std::size_t i = 0; i < ranges.size(); ++i) {
    auto r = parse_weekly_range(ranges[i]);
    if (!r) {
      return core::invalid("ranges[" + std::to_string(i) + "]",
                           "must be a weekly range such as \"Sat 22:00-Sun 06:00\" (days Mon to "
                           "Sun, times 00:00 to 24:00), not empty");
    }
    w.ranges.push_back(*r);
    normalised.push_back(format_weekly_range(*r));
  }
  // The conflict engine's own check: the zone must be known and every range valid.
  auto built = ChangeWindows::build({}, {w});
  if (!built.ok()) return std::move(built).error();
  return normalised;
}

// --- Occurrences ---

// The weekly hours of a calendar whose working time is the ranges (as the conflict engine
// compiles maintenance windows).
std::array<sla::DayHours, 7> weekly_hours(const std::vector<WeeklyRange>& ranges) {
  std::vector<std::pair<int, int>> segments;
  for (const WeeklyRange& r : ranges) {
    if (r.end > r.begin) {
      segments.emplace_back(r.begin, r.end);
    } else {
      segments.emplace_back(r.begin, kMinutesPerWeek);
      if (r.end > 0) segments.emplace_back(0, r.end);
    }
  }
  std::array<sla::DayHours, 7> weekly;
  for (int k = 0; k < 7; ++k) {
    std::vector<sla::Hours> day;
    for (auto [b, e] : segments) {
      int lo = std::max(b, k * 1440), hi = std::min(e, (k + 1) * 1440);
      if (lo < hi) day.push_back({lo - k * 1440, hi - k * 1440});
    }
    std::sort(day.begin(), day.end(),
              [](const sla::Hours& x, const sla::Hours& y) { return x.begin < y.begin; });
    sla::DayHours& merged = weekly[static_cast<std::size_t>(k)];
    for (const sla::Hours& h : day) {
      if (!merged.empty() && h.begin <= merged.back().end) {
        merged.back().end = std::max(merged.back().end, h.end);
      } else {
        merged.push_back(h);
      }
    }
  }
  return weekly;
}

// Compiled calendars by zone and ranges: compiling one costs about a millisecond, and the
// calendar asks for the same windows again and again.
core::Result<std::shared_ptr<const sla::CompiledCalendar>> compiled(const MaintenanceWindow& w) {
  static std::mutex mu;
  static std::map<std::string, std::shared_ptr<const sla::CompiledCalendar>> cache;
  std::string key = w.zone;
  for (const WeeklyRange& r : w.ranges) {
    key += '|';
    key += std::to_string(r.begin) + "-" + std::to_string(r.end);
  }
  {
    std::lock_guard lock(mu);
    auto it = cache.find(key);
    if (it != cache.end()) return it->second;
  }
  if (w.ranges.empty()) return core::invalid("ranges", "the window has no ranges");
  sla::CalendarSpec spec;
  spec.zone = w.zone;
  spec.weekly = weekly_hours(w.ranges);
  YW_ASSIGN(std::shared_ptr<const sla::CompiledCalendar> c, sla::CompiledCalendar::compile(spec));
  std::lock_guard lock(mu);
  if (cache.size() >= 512) cache.clear();
  cache.emplace(key, c);
  return c;
}

// The end of the working run of `c` that starts at the working instant `s` (at most 8 days
// later: a window covering the whole week is cut into such pieces, merged by the caller).
core::TimeMs run_end(const sla::CompiledCalendar& c, core::TimeMs s) {
  auto full = [&](core::TimeMs len) {
    auto w = c.between(s, s + len);
    return w.ok() && *w == len;
  };
  const core::TimeMs limit = std::min(8 * kDayMs, c.range_end() - s);
  core::TimeMs lo = 0, hi = std::min(kMinuteMs, limit);
  while (full(hi)) {
    lo = hi;
    if (hi == limit) return s + hi;
    hi = std::min(hi * 2, limit);
  }
  // full(lo), not full(hi): the run ends in (lo, hi].
  while (hi - lo > 1) {
    core::TimeMs mid = lo + (hi - lo) / 2;
    if (full(mid)) {
      lo = mid;
    } else {
      hi = mid;
    }
  }
  return s + lo;
}

core::Status check_span(core::TimeMs from, core::TimeMs to) {
  if (to < from) return core::invalid("to", "must not be before from");
  // As unsigned: the difference of two far-apart instants overflows a signed one.
  if (static_cast<std::uint64_t>(to) - static_cast<std::uint64_t>(from) >
      static_cast<std::uint64_t>(kMaxOccurrenceSpanMs)) {
    return core::invalid("to", "at most 400 days after from");
  }
  return {};
}

// --- Templates ---

constexpr const char* kTemplateColumns =
    "t.id, t.name, t.name_zh, t.description, t.description_zh, t.implementation_plan, "
    "t.backout_plan, t.test_plan, t.duration_minutes, t.implementer_team_id, tm.name, t.active, "
    "t.created_at, t.updated_at, t.version";
constexpr const char* kTemplateFrom =
    " FROM change_templates t LEFT JOIN teams tm ON tm.id = t.implementer_team_id";

ChangeTemplate template_from_row(const store::Row& r) {
  ChangeTemplate t;
  t.id = r.i64(0);
  t.name = r.str(1);
  t.name_zh = r.str(2);
  t.description = r.str(3);
  t.description_zh = r.str(4);
  t.implementation_plan = r.str(5);
  t.backout_plan = r.str(6);
  t.test_plan = r.str(7);
  t.duration_minutes = static_cast<int>(r.i64(8));
  t.implementer_team_id = r.opt_i64(9);
  t.implementer_team_name = r.str(10);
  t.active = r.i64(11) != 0;
  t.created_at = r.i64(12);
  t.updated_at = r.i64(13);
  t.version = r.i64(14);
  return t;
}

std::string snapshot(const ChangeTemplate& t) {
  return json{{"name", t.name},
              {"name_zh", t.name_zh},
              {"description", t.description},
              {"description_zh", t.description_zh},
              {"implementation_plan", t.implementation_plan},
              {"backout_plan", t.backout_plan},
              {"test_plan", t.test_plan},
              {"duration_minutes", t.duration_minutes},
              {"implementer_team_id", opt_json(t.implementer_team_id)},
              {"active", t.active},
              {"version", t.version}}
      .dump();
}

core::Status check_template(const ChangeTemplateInput& t) {
  YW_TRY(core::check_text(t.name, "name", kNameChars, true, core::Controls::kNone));
  YW_TRY(core::check_text(t.name_zh, "name_zh", kNameChars, false, core::Controls::kNone));
  YW_TRY(core::check_text(t.description, "description", kDescriptionChars, false));
  YW_TRY(core::check_text(t.description_zh, "description_zh", kDescriptionChars, false));
  YW_TRY(core::check_text(t.implementation_plan, "implementation_plan", kPlanChars, false));
  YW_TRY(core::check_text(t.backout_plan, "backout_plan", kPlanChars, false));
  YW_TRY(core::check_text(t.test_plan, "test_plan", kPlanChars, false));
  if (t.duration_minutes < 1 || t.duration_minutes > kMaxTemplateMinutes) {
    return core::invalid(
        "duration_minutes",
        "must be between 1 and " + std::to_string(kMaxTemplateMinutes) + " (one week)");
  }
  return {};
}

}  // namespace

// --- Reads for the change service ---

core::Result<std::vector<FreezeWindow>> load_freeze_windows(store::Tx& tx, core::TimeMs from,
                                                            core::TimeMs to) {
  auto rows = tx.query(
      "SELECT id, name, start_at, end_at, service_ids FROM freeze_windows WHERE start_at < ? AND "
      "end_at > ? ORDER BY start_at, id",
      {to, from});
  if (!rows.ok()) return std::move(rows).error();
  std::vector<FreezeWindow> out;
  for (const store::Row& r : *rows) {
    out.push_back({r.i64(0), r.str(1), r.i64(2), r.i64(3), parse_ids(r.str(4))});
  }
  return out;
}

core::Result<std::vector<MaintenanceWindow>> load_maintenance_windows(
    store::Tx& tx, std::optional<std::int64_t> service_id) {
  std::string sql = "SELECT id, service_id, name, zone, ranges FROM maintenance_windows";
  store::Params params;
  if (service_id) {
    sql += " WHERE service_id = ?";
    params.push_back(*service_id);
  }
  sql += " ORDER BY id";
  auto rows = tx.query(sql, params);
  if (!rows.ok()) return std::move(rows).error();
  std::vector<MaintenanceWindow> out;
  for (const store::Row& r : *rows) {
    MaintenanceWindow w;
    w.id = r.i64(0);
    w.service_ci_id = r.i64(1);
    w.name = r.str(2);
    w.zone = r.str(3);
    w.ranges = parse_ranges(parse_lines(r.str(4)));
    out.push_back(std::move(w));
  }
  return out;
}

core::Result<std::vector<MaintenanceOccurrence>> window_occurrences(const MaintenanceWindow& w,
                                                                    core::TimeMs from,
                                                                    core::TimeMs to) {
  YW_TRY(check_span(from, to));
  YW_ASSIGN(std::shared_ptr<const sla::CompiledCalendar> c, compiled(w));
  std::vector<MaintenanceOccurrence> out;
  // An occurrence is at most a week long (longer only when the ranges cover the whole week), so
  // one that overlaps `from` started at most 8 days before it.
  core::TimeMs t = from < c->range_begin() + 8 * kDayMs ? c->range_begin() : from - 8 * kDayMs;
  const core::TimeMs stop = std::min(to, c->range_end());
  while (t < stop) {
    std::optional<core::TimeMs> s = c->next_working(t);
    if (!s || *s >= stop) break;
    core::TimeMs e = run_end(*c, *s);
    if (e <= *s) break;  // cannot happen for a working instant; never loop forever
    if (!out.empty() && out.back().end == *s) {
      out.back().end = e;  // a whole-week window, cut by run_end
    } else if (e > from) {
      out.push_back({w.id, w.service_ci_id, "", w.name, w.zone, *s, e});
    }
    t = e;
  }
  return out;
}

core::Result<std::vector<MaintenanceOccurrence>> maintenance_occurrences(
    store::Tx& tx, core::TimeMs from, core::TimeMs to, std::optional<std::int64_t> service_id) {
  YW_TRY(check_span(from, to));
  YW_ASSIGN(std::vector<MaintenanceWindow> windows, load_maintenance_windows(tx, service_id));
  std::vector<std::int64_t> services;
  for (const MaintenanceWindow& w : windows) services.push_back(w.service_ci_id);
  YW_ASSIGN(auto names, ci_names(tx, services));
  std::vector<MaintenanceOccurrence> out;
  for (const MaintenanceWindow& w : windows) {
    auto occurrences = window_occurrences(w, from, to);
    // A row that no longer compiles (a zone the tz database dropped) shows no occurrences rather
    // than failing the whole calendar; it was checked when written.
    if (!occurrences.ok()) continue;
    for (MaintenanceOccurrence& o : *occurrences) {
      auto it = names.find(w.service_ci_id);
      if (it != names.end()) o.service_name = it->second;
      out.push_back(std::move(o));
    }
  }
  std::sort(out.begin(), out.end(),
            [](const MaintenanceOccurrence& a, const MaintenanceOccurrence& b) {
              return std::tie(a.start, a.service_id, a.window_id) <
                     std::tie(b.start, b.service_id, b.window_id);
            });
  return out;
}

core::Result<std::optional<ChangeTemplate>> load_template(store::Tx& tx, std::int64_t id) {
  auto row = tx.query_row(
      std::string("SELECT ") + kTemplateColumns + kTemplateFrom + " WHERE t.id = ?", {id});
  if (!row.ok()) return std::move(row).error();
  if (!*row) return std::optional<ChangeTemplate>();
  return std::optional<ChangeTemplate>(template_from_row(**row));
}

// --- Freeze windows ---

core::Result<std::vector<FreezeWindowRecord>> freeze_window_records(
    store::Tx& tx, std::optional<core::TimeMs> from, std::optional<core::TimeMs> to) {
  std::string sql = std::string("SELECT ") + kFreezeColumns + " FROM freeze_windows WHERE 1 = 1";
  store::Params params;
  if (to) {
    sql += " AND start_at < ?";
    params.push_back(*to);
  }
  if (from) {
    sql += " AND end_at > ?";
    params.push_back(*from);
  }
  sql += " ORDER BY start_at, id";
  auto rows = tx.query(sql, params);
  if (!rows.ok()) return std::move(rows).error();
  std::vector<FreezeWindowRecord> out;
  for (const store::Row& r : *rows) out.push_back(freeze_from_row(r));
  YW_TRY(name_services(tx, out));
  return out;
}

core::Result<std::vector<FreezeWindowRecord>> ChangeConfigService::list_freeze_windows(
    std::optional<core::TimeMs> from, std::optional<core::TimeMs> to) {
  using R = std::vector<FreezeWindowRecord>;
  return store::read_tx<R>(db_, [&](store::Tx& tx) { return freeze_window_records(tx, from, to); });
}

core::Result<FreezeWindowRecord> ChangeConfigService::get_freeze_window(std::int64_t id) {
  return store::read_tx<FreezeWindowRecord>(db_,
                                            [&](store::Tx& tx) { return load_freeze(tx, id); });
}

core::Result<FreezeWindowRecord> ChangeConfigService::create_freeze_window(
    const store::Actor& actor, const FreezeWindowInput& in) {
  std::string name = core::trim(in.name);
  YW_TRY(check_freeze(name, in.reason, in.start, in.end));
  return store::write_tx<FreezeWindowRecord>(
      db_, [&](store::Tx& tx) -> core::Result<FreezeWindowRecord> {
        YW_ASSIGN(std::vector<std::int64_t> services, check_services(tx, in.service_ids));
        core::TimeMs now = clock_.now_ms();
        auto row = tx.query_row(
            "INSERT INTO freeze_windows (name, reason, start_at, end_at, service_ids, created_by,"
            " created_at, updated_at, version) VALUES (?, ?, ?, ?, ?, ?, ?, ?, 1) RETURNING id",
            {name, in.reason, in.start, in.end, ids_text(services), opt_value(actor.user_id), now,
             now});
        if (!row.ok()) return std::move(row).error();
        if (!*row) return core::internal("INSERT INTO freeze_windows returned no id");
        YW_ASSIGN(FreezeWindowRecord f, load_freeze(tx, (*row)->i64(0)));
        YW_TRY(bump_schedule_version(tx));
        YW_TRY(store::append_event(tx, actor, now, "freeze_window.create", "freeze_window", f.id,
                                   "", snapshot(f)));
        return f;
      });
}

core::Result<FreezeWindowRecord> ChangeConfigService::update_freeze_window(
    const store::Actor& actor, std::int64_t id, const FreezeWindowPatch& p) {
  return store::write_tx<FreezeWindowRecord>(
      db_, [&](store::Tx& tx) -> core::Result<FreezeWindowRecord> {
        YW_ASSIGN(FreezeWindowRecord before, load_freeze(tx, id));
        if (before.version != p.version) return stale("freeze window");
        FreezeWindowRecord after = before;
        if (p.name) after.name = core::trim(*p.name);
        if (p.reason) after.reason = *p.reason;
        if (p.start) after.start = *p.start;
        if (p.end) after.end = *p.end;
        YW_TRY(check_freeze(after.name, after.reason, after.start, after.end));
        if (p.service_ids) {
          YW_ASSIGN(after.service_ids, check_services(tx, *p.service_ids));
        }
        core::TimeMs now = clock_.now_ms();
        auto n = tx.exec(
            "UPDATE freeze_windows SET name = ?, reason = ?, start_at = ?, end_at = ?,"
            " service_ids = ?, updated_at = ?, version = version + 1 WHERE id = ? AND version = ?",
            {after.name, after.reason, after.start, after.end, ids_text(after.service_ids), now, id,
             p.version});
        if (!n.ok()) return std::move(n).error();
        if (*n != 1) return stale("freeze window");
        YW_ASSIGN(FreezeWindowRecord stored, load_freeze(tx, id));
        YW_TRY(bump_schedule_version(tx));
        YW_TRY(store::append_event(tx, actor, now, "freeze_window.update", "freeze_window", id,
                                   snapshot(before), snapshot(stored)));
        return stored;
      });
}

core::Status ChangeConfigService::delete_freeze_window(const store::Actor& actor, std::int64_t id,
                                                       std::optional<std::int64_t> version) {
  return db_.write([&](store::Tx& tx) -> core::Status {
    YW_ASSIGN(FreezeWindowRecord before, load_freeze(tx, id));
    if (version && before.version != *version) return stale("freeze window");
    auto n =
        tx.exec("DELETE FROM freeze_windows WHERE id = ? AND version = ?", {id, before.version});
    if (!n.ok()) return std::move(n).error();
    if (*n != 1) return stale("freeze window");
    YW_TRY(bump_schedule_version(tx));
    YW_TRY(store::append_event(tx, actor, clock_.now_ms(), "freeze_window.delete", "freeze_window",
                               id, snapshot(before), ""));
    return {};
  });
}

// --- Maintenance windows ---

core::Result<std::vector<MaintenanceWindowRecord>> ChangeConfigService::list_maintenance_windows(
    std::optional<std::int64_t> service_id) {
  using R = std::vector<MaintenanceWindowRecord>;
  return store::read_tx<R>(db_, [&](store::Tx& tx) -> core::Result<R> {
    std::string sql = std::string("SELECT ") + kMaintenanceColumns + kMaintenanceFrom;
    store::Params params;
    if (service_id) {
      sql += " WHERE m.service_id = ?";
      params.push_back(*service_id);
    }
    sql += " ORDER BY c.name, m.service_id, m.name, m.id";
    auto rows = tx.query(sql, params);
    if (!rows.ok()) return std::move(rows).error();
    R out;
    for (const store::Row& r : *rows) out.push_back(maintenance_from_row(r));
    return out;
  });
}

core::Result<MaintenanceWindowRecord> ChangeConfigService::get_maintenance_window(std::int64_t id) {
  return store::read_tx<MaintenanceWindowRecord>(
      db_, [&](store::Tx& tx) { return load_maintenance(tx, id); });
}

core::Result<MaintenanceWindowRecord> ChangeConfigService::create_maintenance_window(
    const store::Actor& actor, const MaintenanceWindowInput& in) {
  std::string name = core::trim(in.name);
  YW_ASSIGN(std::vector<std::string> ranges, check_maintenance(name, in.zone, in.ranges));
  return store::write_tx<MaintenanceWindowRecord>(
      db_, [&](store::Tx& tx) -> core::Result<MaintenanceWindowRecord> {
        YW_TRY(check_service(tx, in.service_id, "service_id"));
        core::TimeMs now = clock_.now_ms();
        auto row = tx.query_row(
            "INSERT INTO maintenance_windows (service_id, name, zone, ranges, created_at,"
            " updated_at, version) VALUES (?, ?, ?, ?, ?, ?, 1) RETURNING id",
            {in.service_id, name, in.zone, lines_text(ranges), now, now});
        if (!row.ok()) return std::move(row).error();
        if (!*row) return core::internal("INSERT INTO maintenance_windows returned no id");
        YW_ASSIGN(MaintenanceWindowRecord m, load_maintenance(tx, (*row)->i64(0)));
        YW_TRY(bump_schedule_version(tx));
        YW_TRY(store::append_event(tx, actor, now, "maintenance_window.create",
                                   "maintenance_window", m.id, "", snapshot(m)));
        return m;
      });
}

core::Result<MaintenanceWindowRecord> ChangeConfigService::update_maintenance_window(
    const store::Actor& actor, std::int64_t id, const MaintenanceWindowPatch& p) {
  return store::write_tx<MaintenanceWindowRecord>(
      db_, [&](store::Tx& tx) -> core::Result<MaintenanceWindowRecord> {
        YW_ASSIGN(MaintenanceWindowRecord before, load_maintenance(tx, id));
        if (before.version != p.version) return stale("maintenance window");
        MaintenanceWindowRecord after = before;
        if (p.name) after.name = core::trim(*p.name);
        if (p.zone) after.zone = *p.zone;
        if (p.ranges) after.ranges = *p.ranges;
        YW_ASSIGN(after.ranges, check_maintenance(after.name, after.zone, after.ranges));
        if (p.service_id) {
          YW_TRY(check_service(tx, *p.service_id, "service_id"));
          after.service_id = *p.service_id;
        }
        core::TimeMs now = clock_.now_ms();
        auto n = tx.exec(
            "UPDATE maintenance_windows SET service_id = ?, name = ?, zone = ?, ranges = ?,"
            " updated_at = ?, version = version + 1 WHERE id = ? AND version = ?",
            {after.service_id, after.name, after.zone, lines_text(after.ranges), now, id,
             p.version});
        if (!n.ok()) return std::move(n).error();
        if (*n != 1) return stale("maintenance window");
        YW_ASSIGN(MaintenanceWindowRecord stored, load_maintenance(tx, id));
        YW_TRY(bump_schedule_version(tx));
        YW_TRY(store::append_event(tx, actor, now, "maintenance_window.update",
                                   "maintenance_window", id, snapshot(before), snapshot(stored)));
        return stored;
      });
}

core::Status ChangeConfigService::delete_maintenance_window(const store::Actor& actor,
                                                            std::int64_t id,
                                                            std::optional<std::int64_t> version) {
  return db_.write([&](store::Tx& tx) -> core::Status {
    YW_ASSIGN(MaintenanceWindowRecord before, load_maintenance(tx, id));
    if (version && before.version != *version) return stale("maintenance window");
    auto n = tx.exec("DELETE FROM maintenance_windows WHERE id = ? AND version = ?",
                     {id, before.version});
    if (!n.ok()) return std::move(n).error();
    if (*n != 1) return stale("maintenance window");
    YW_TRY(bump_schedule_version(tx));
    YW_TRY(store::append_event(tx, actor, clock_.now_ms(), "maintenance_window.delete",
                               "maintenance_window", id, snapshot(before), ""));
    return {};
  });
}

// --- Templates ---

core::Result<std::vector<ChangeTemplate>> ChangeConfigService::list_templates(
    bool include_inactive) {
  using R = std::vector<ChangeTemplate>;
  return store::read_tx<R>(db_, [&](store::Tx& tx) -> core::Result<R> {
    std::string sql = std::string("SELECT ") + kTemplateColumns + kTemplateFrom;
    if (!include_inactive) sql += " WHERE t.active = 1";
    sql += " ORDER BY t.name, t.id";
    auto rows = tx.query(sql);
    if (!rows.ok()) return std::move(rows).error();
    R out;
    for (const store::Row& r : *rows) out.push_back(template_from_row(r));
    return out;
  });
}

core::Result<ChangeTemplate> ChangeConfigService::get_template(std::int64_t id,
                                                               bool include_inactive) {
  return store::read_tx<ChangeTemplate>(db_, [&](store::Tx& tx) -> core::Result<ChangeTemplate> {
    YW_ASSIGN(std::optional<ChangeTemplate> t, load_template(tx, id));
    if (!t || (!t->active && !include_inactive)) {
      return core::not_found("no change template with id " + std::to_string(id));
    }
    return std::move(*t);
  });
}

core::Result<ChangeTemplate> ChangeConfigService::create_template(const store::Actor& actor,
                                                                  const ChangeTemplateInput& in) {
  ChangeTemplateInput t = in;
  t.name = core::trim(in.name);
  t.name_zh = core::trim(in.name_zh);
  YW_TRY(check_template(t));
  return store::write_tx<ChangeTemplate>(db_, [&](store::Tx& tx) -> core::Result<ChangeTemplate> {
    YW_TRY(check_team(tx, t.implementer_team_id));
    core::TimeMs now = clock_.now_ms();
    auto row = tx.query_row(
        "INSERT INTO change_templates (name, name_zh, description, description_zh,"
        " implementation_plan, backout_plan, test_plan, duration_minutes, implementer_team_id,"
        " active, created_at, updated_at, version) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 1)"
        " RETURNING id",
        {t.name, t.name_zh, t.description, t.description_zh, t.implementation_plan, t.backout_plan,
         t.test_plan, t.duration_minutes, opt_value(t.implementer_team_id),
         std::int64_t{t.active ? 1 : 0}, now, now});
    if (!row.ok()) return std::move(row).error();
    if (!*row) return core::internal("INSERT INTO change_templates returned no id");
    YW_ASSIGN(std::optional<ChangeTemplate> stored, load_template(tx, (*row)->i64(0)));
    if (!stored) return core::internal("the new change template vanished");
    YW_TRY(store::append_event(tx, actor, now, "change_template.create", "change_template",
                               stored->id, "", snapshot(*stored)));
    return std::move(*stored);
  });
}

core::Result<ChangeTemplate> ChangeConfigService::update_template(const store::Actor& actor,
                                                                  std::int64_t id,
                                                                  const ChangeTemplatePatch& p) {
  return store::write_tx<ChangeTemplate>(db_, [&](store::Tx& tx) -> core::Result<ChangeTemplate> {
    YW_ASSIGN(std::optional<ChangeTemplate> before, load_template(tx, id));
    if (!before) return core::not_found("no change template with id " + std::to_string(id));
    if (before->version != p.version) return stale("change template");
    ChangeTemplateInput t;
    t.name = core::trim(p.name ? *p.name : before->name);
    t.name_zh = core::trim(p.name_zh ? *p.name_zh : before->name_zh);
    t.description = p.description ? *p.description : before->description;
    t.description_zh = p.description_zh ? *p.description_zh : before->description_zh;
    t.implementation_plan =
        p.implementation_plan ? *p.implementation_plan : before->implementation_plan;
    t.backout_plan = p.backout_plan ? *p.backout_plan : before->backout_plan;
    t.test_plan = p.test_plan ? *p.test_plan : before->test_plan;
    t.duration_minutes = p.duration_minutes ? *p.duration_minutes : before->duration_minutes;
    t.implementer_team_id =
        p.implementer_team_id ? *p.implementer_team_id : before->implementer_team_id;
    t.active = p.active ? *p.active : before->active;
    YW_TRY(check_template(t));
    // An unchanged team stays valid even after it was deactivated; a new one must be active.
    if (p.implementer_team_id && *p.implementer_team_id != before->implementer_team_id) {
      YW_TRY(check_team(tx, t.implementer_team_id));
    }
    core::TimeMs now = clock_.now_ms();
    auto n = tx.exec(
        "UPDATE change_templates SET name = ?, name_zh = ?, description = ?, description_zh = ?,"
        " implementation_plan = ?, backout_plan = ?, test_plan = ?, duration_minutes = ?,"
        " implementer_team_id = ?, active = ?, updated_at = ?, version = version + 1"
        " WHERE id = ? AND version = ?",
        {t.name, t.name_zh, t.description, t.description_zh, t.implementation_plan, t.backout_plan,
         t.test_plan, t.duration_minutes, opt_value(t.implementer_team_id),
         std::int64_t{t.active ? 1 : 0}, now, id, p.version});
    if (!n.ok()) return std::move(n).error();
    if (*n != 1) return stale("change template");
    YW_ASSIGN(std::optional<ChangeTemplate> stored, load_template(tx, id));
    if (!stored) return core::internal("the change template vanished");
    YW_TRY(store::append_event(tx, actor, now, "change_template.update", "change_template", id,
                               snapshot(*before), snapshot(*stored)));
    return std::move(*stored);
  });
}

// --- Settings ---

core::Result<ChangeSettings> ChangeConfigService::settings() {
  return store::read_tx<ChangeSettings>(db_, [](store::Tx& tx) { return load_settings(tx); });
}

core::Result<ChangeSettings> ChangeConfigService::update_settings(const store::Actor& actor,
                                                                  const ChangeSettingsPatch& p) {
  return change::update_settings(db_, clock_, actor, p);
}

}  // namespace yunwei::change
