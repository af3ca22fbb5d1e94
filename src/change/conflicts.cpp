#include "change/conflicts.h"

#include <algorithm>
#include <array>
#include <limits>
#include <tuple>

#include "cmdb/relations.h"
#include "core/text.h"
#include "sla/calendar.h"

namespace yunwei::change {

namespace {

constexpr core::TimeMs kDayMs = 86'400'000;
// Changes longer than this are scanned linearly rather than widening every start-ordered scan.
constexpr core::TimeMs kLongMs = 2 * kDayMs;
constexpr std::array<const char*, 7> kDayNames = {"Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"};
// Intermediate CIs named in an explanation before "and N more".
constexpr std::size_t kPathNames = 3;

core::TimeMs floor_div(core::TimeMs a, core::TimeMs b) {
  return a / b - ((a % b != 0 && (a < 0) != (b < 0)) ? 1 : 0);
}

// "2026-12-05" and "22:00" (":30" seconds when not whole minutes) of a UTC instant.
std::pair<std::string, std::string> utc_parts(core::TimeMs t) {
  core::TimeMs day = floor_div(t, kDayMs);
  core::TimeMs in_day = t - day * kDayMs;
  std::string time = sla::format_hhmm(static_cast<int>(in_day / 60'000));
  core::TimeMs seconds = (in_day / 1000) % 60;
  if (seconds != 0) {
    time += (seconds < 10 ? ":0" : ":") + std::to_string(seconds);
  }
  return {sla::format_date(static_cast<sla::Day>(day)), time};
}

// "2026-12-05 22:00 and 23:00 UTC", the date repeated only when it differs.
std::string between_utc(core::TimeMs start, core::TimeMs end) {
  auto [d1, t1] = utc_parts(start);
  auto [d2, t2] = utc_parts(end);
  std::string out = d1 + " " + t1 + " and ";
  if (d2 != d1) out += d2 + " ";
  return out + t2 + " UTC";
}

std::optional<int> parse_day(std::string_view s) {
  std::string lower = core::ascii_lower(s);
  for (std::size_t i = 0; i < kDayNames.size(); ++i) {
    if (lower == core::ascii_lower(kDayNames[i])) return static_cast<int>(i);
  }
  return std::nullopt;
}

// "Sat 22:00" -> minutes since Monday 00:00.
std::optional<int> parse_week_point(std::string_view s, bool end) {
  std::string t = core::trim(s);
  std::size_t space = t.find(' ');
  if (space == std::string::npos) return std::nullopt;
  auto day = parse_day(std::string_view(t).substr(0, space));
  auto minute = sla::parse_hhmm(core::trim(std::string_view(t).substr(space + 1)), end);
  if (!day || !minute) return std::nullopt;
  return week_minute(*day, *minute);
}

std::string format_week_point(int m) {
  m %= kMinutesPerWeek;
  return std::string(kDayNames[static_cast<std::size_t>(m / 1440)]) + " " +
         sla::format_hhmm(m % 1440);
}

bool valid_range(const WeeklyRange& r) {
  return r.begin >= 0 && r.begin < kMinutesPerWeek && r.end >= 0 && r.end <= kMinutesPerWeek &&
         r.begin != r.end;
}

// The weekly hours of a calendar whose working time is the window's ranges.
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
    // Overlapping or touching ranges become one, as check_hours wants them disjoint.
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

}  // namespace

std::optional<WeeklyRange> parse_weekly_range(std::string_view s) {
  std::size_t dash = s.find('-');
  if (dash == std::string_view::npos) return std::nullopt;
  auto begin = parse_week_point(s.substr(0, dash), false);
  auto end = parse_week_point(s.substr(dash + 1), true);
  if (!begin || !end || *begin == *end || *begin >= kMinutesPerWeek) return std::nullopt;
  return WeeklyRange{*begin, *end};
}

std::string format_weekly_range(const WeeklyRange& r) {
  return format_week_point(r.begin) + "-" + format_week_point(r.end);
}

std::string_view conflict_kind_name(ConflictKind k) {
  switch (k) {
    case ConflictKind::kChangeOverlap:
      return "change_overlap";
    case ConflictKind::kFreezeWindow:
      return "freeze_window";
    case ConflictKind::kOutsideMaintenanceWindow:
      return "outside_maintenance_window";
  }
  return "change_overlap";
}

// --- ChangeIndex ---

bool ChangeIndex::is_long(const ScheduledChange& c) {
  return c.planned_end - c.planned_start > kLongMs;
}

core::Result<ChangeIndex> ChangeIndex::build(std::vector<ScheduledChange> changes) {
  ChangeIndex index;
  index.by_id_.reserve(changes.size());
  for (ScheduledChange& c : changes) YW_TRY(index.add(std::move(c)));
  return index;
}

namespace {

core::Status check_times(const ScheduledChange& c) {
  if (c.planned_end <= c.planned_start) {
    return core::invalid("planned_end", "must be after planned_start");
  }
  return {};
}

void normalize(ScheduledChange& c) {
  std::sort(c.ci_ids.begin(), c.ci_ids.end());
  c.ci_ids.erase(std::unique(c.ci_ids.begin(), c.ci_ids.end()), c.ci_ids.end());
}

}  // namespace

core::Status ChangeIndex::add(ScheduledChange change) {
  YW_TRY(check_times(change));
  if (by_id_.count(change.id)) {
    return core::conflict("change " + std::to_string(change.id) + " is already indexed", "id");
  }
  normalize(change);
  std::pair key{change.planned_start, change.id};
  if (is_long(change)) {
    long_.emplace(key, change.planned_end);
  } else {
    short_.emplace(key, change.planned_end);
    short_durations_.insert(change.planned_end - change.planned_start);
  }
  std::int64_t id = change.id;
  by_id_.emplace(id, std::move(change));
  return {};
}

void ChangeIndex::unlink(const ScheduledChange& c) {
  std::pair key{c.planned_start, c.id};
  if (is_long(c)) {
    long_.erase(key);
  } else {
    short_.erase(key);
    short_durations_.erase(short_durations_.find(c.planned_end - c.planned_start));
  }
}

core::Status ChangeIndex::replace(ScheduledChange change) {
  YW_TRY(check_times(change));
  auto it = by_id_.find(change.id);
  if (it == by_id_.end()) {
    return core::not_found("change " + std::to_string(change.id) + " is not indexed");
  }
  unlink(it->second);
  by_id_.erase(it);
  return add(std::move(change));
}

core::Status ChangeIndex::remove(std::int64_t id) {
  auto it = by_id_.find(id);
  if (it == by_id_.end())
    return core::not_found("change " + std::to_string(id) + " is not indexed");
  unlink(it->second);
  by_id_.erase(it);
  return {};
}

const ScheduledChange* ChangeIndex::find(std::int64_t id) const {
  auto it = by_id_.find(id);
  return it == by_id_.end() ? nullptr : &it->second;
}

std::vector<const ScheduledChange*> ChangeIndex::overlapping(core::TimeMs start,
                                                             core::TimeMs end) const {
  std::vector<const ScheduledChange*> out;
  if (end <= start) return out;
  constexpr std::int64_t kMinId = std::numeric_limits<std::int64_t>::min();
  auto scan = [&](const ByStart& m, ByStart::const_iterator it) {
    for (; it != m.end() && it->first.first < end; ++it) {
      if (it->second > start) out.push_back(&by_id_.at(it->first.second));
    }
  };
  if (!short_.empty()) {
    // A change starting earlier than this ends before `start`.
    core::TimeMs longest = *short_durations_.rbegin();
    scan(short_, short_.lower_bound({start - longest, kMinId}));
  }
  scan(long_, long_.begin());
  return out;
}

// --- ChangeWindows ---

core::Result<ChangeWindows> ChangeWindows::build(std::vector<FreezeWindow> freezes,
                                                 std::vector<MaintenanceWindow> maintenance) {
  ChangeWindows out;
  for (FreezeWindow& f : freezes) {
    if (f.end <= f.start) {
      return core::invalid("end", "freeze window '" + f.name + "' must end after it starts");
    }
    std::sort(f.service_ci_ids.begin(), f.service_ci_ids.end());
    f.service_ci_ids.erase(std::unique(f.service_ci_ids.begin(), f.service_ci_ids.end()),
                           f.service_ci_ids.end());
  }
  std::sort(freezes.begin(), freezes.end(), [](const FreezeWindow& a, const FreezeWindow& b) {
    return std::tie(a.start, a.id) < std::tie(b.start, b.id);
  });
  out.freezes_ = std::move(freezes);
  for (MaintenanceWindow& m : maintenance) {
    if (m.ranges.empty()) {
      return core::invalid("ranges", "maintenance window '" + m.name + "' has no ranges");
    }
    for (const WeeklyRange& r : m.ranges) {
      if (!valid_range(r)) {
        return core::invalid("ranges", "maintenance window '" + m.name +
                                           "' has an empty range or one outside the week");
      }
    }
    sla::CalendarSpec spec;
    spec.zone = m.zone;
    spec.weekly = weekly_hours(m.ranges);
    YW_ASSIGN(std::shared_ptr<const sla::CompiledCalendar> calendar,
              sla::CompiledCalendar::compile(spec));
    std::int64_t service = m.service_ci_id;
    out.maintenance_[service].push_back({std::move(m), std::move(calendar)});
  }
  for (auto& [service, list] : out.maintenance_) {
    std::sort(list.begin(), list.end(), [](const Compiled& a, const Compiled& b) {
      return std::tie(a.window.name, a.window.id) < std::tie(b.window.name, b.window.id);
    });
  }
  return out;
}

// --- The check ---

// One check of one change: the related CIs (ids only) walked once, then probed per overlapping
// change and per window.
class ConflictCheck {
 public:
  ConflictCheck(const ScheduledChange& change, cmdb::RelationService& relations,
                const CheckOptions& options)
      : change_(change), relations_(relations), options_(options) {}

  core::Result<std::vector<Conflict>> run(const ChangeIndex& scheduled,
                                          const ChangeWindows& windows);

 private:
  // How a CI is related to the change: reached from `origin` (one of the change's CIs) in
  // `depth` steps; depth 0 is the CI itself.
  struct Hit {
    std::int64_t origin = 0;
    int depth = 0;
  };
  using Hits = std::unordered_map<std::int64_t, Hit>;
  static void keep_best(Hits& hits, std::int64_t ci, Hit h);

  core::Status walk();
  core::Status overlaps(const ChangeIndex& scheduled, std::vector<Conflict>& out);
  core::Status freezes(const ChangeWindows& windows, std::vector<Conflict>& out);
  core::Status maintenance(const ChangeWindows& windows, std::vector<Conflict>& out);

  std::string name(std::int64_t ci) const;
  // " through b, c" when `upper` depends on `lower` through other CIs; "" when directly.
  core::Result<std::string> through(std::int64_t upper, std::int64_t lower);
  // How service `s` (in up_) is affected: "touches service X" or "affects service X, which
  // depends on Y through Z".
  core::Result<std::string> affected_service(std::int64_t s);

  const ScheduledChange& change_;
  cmdb::RelationService& relations_;
  const CheckOptions& options_;
  std::vector<std::int64_t> cis_;
  Hits up_;    // the change's CIs and every CI that depends on one of them
  Hits down_;  // every CI one of the change's CIs depends on
  std::unordered_map<std::int64_t, std::vector<cmdb::Reached>> impact_paths_;  // by start
};

void ConflictCheck::keep_best(Hits& hits, std::int64_t ci, Hit h) {
  auto [it, added] = hits.emplace(ci, h);
  if (!added && std::tie(h.depth, h.origin) < std::tie(it->second.depth, it->second.origin)) {
    it->second = h;
  }
}

core::Status ConflictCheck::walk() {
  cis_ = change_.ci_ids;
  std::sort(cis_.begin(), cis_.end());
  cis_.erase(std::unique(cis_.begin(), cis_.end()), cis_.end());
  for (std::int64_t a : cis_) keep_best(up_, a, {a, 0});
  for (std::int64_t a : cis_) {
    YW_ASSIGN(std::vector<cmdb::Reached> up, relations_.impact_set(a, options_.depth, options_.tx));
    for (const cmdb::Reached& r : up) keep_best(up_, r.ci_id, {a, r.depth});
    YW_ASSIGN(std::vector<cmdb::Reached> down,
              relations_.dependency_set(a, options_.depth, options_.tx));
    for (const cmdb::Reached& r : down) keep_best(down_, r.ci_id, {a, r.depth});
  }
  return {};
}

std::string ConflictCheck::name(std::int64_t ci) const {
  if (options_.ci_name) return options_.ci_name(ci);
  return "CI " + std::to_string(ci);
}

core::Result<std::string> ConflictCheck::through(std::int64_t upper, std::int64_t lower) {
  // Walked from the lower CI upwards: impact sets are small where dependency sets are large (a
  // business service depends on thousands of CIs).
  auto it = impact_paths_.find(lower);
  if (it == impact_paths_.end()) {
    YW_ASSIGN(std::vector<cmdb::Reached> paths,
              relations_.impact(lower, options_.depth, options_.tx));
    it = impact_paths_.emplace(lower, std::move(paths)).first;
  }
  for (const cmdb::Reached& r : it->second) {
    if (r.ci_id != upper) continue;
    if (r.path.size() <= 2) return std::string();
    // path: lower ... upper; named from the upper side.
    std::vector<std::int64_t> mid(r.path.rbegin() + 1, r.path.rend() - 1);
    std::string out = " through ";
    for (std::size_t i = 0; i < mid.size() && i < kPathNames; ++i) {
      if (i > 0) out += ", ";
      out += name(mid[i]);
    }
    if (mid.size() > kPathNames) out += " and " + std::to_string(mid.size() - kPathNames) + " more";
    return out;
  }
  return std::string();  // the graph changed since the walk
}

core::Result<std::string> ConflictCheck::affected_service(std::int64_t s) {
  const Hit& h = up_.at(s);
  if (h.depth == 0) return "touches service " + name(s);
  YW_ASSIGN(std::string via, through(s, h.origin));
  return "affects service " + name(s) + ", which depends on " + name(h.origin) + via;
}

core::Status ConflictCheck::overlaps(const ChangeIndex& scheduled, std::vector<Conflict>& out) {
  if (cis_.empty()) return {};
  for (const ScheduledChange* other :
       scheduled.overlapping(change_.planned_start, change_.planned_end)) {
    if (other->id == change_.id) continue;
    // The closest relation: the same CI, then the fewest steps; ties by CI id.
    constexpr int kSame = 0, kUp = 1, kDown = 2;
    using Rank = std::tuple<int, int, std::int64_t>;  // depth, kind, CI
    std::optional<Rank> best;
    for (std::int64_t b : other->ci_ids) {
      if (auto u = up_.find(b); u != up_.end()) {
        Rank r{u->second.depth, u->second.depth == 0 ? kSame : kUp, b};
        if (!best || r < *best) best = r;
      }
      if (auto d = down_.find(b); d != down_.end()) {
        Rank r{d->second.depth, kDown, b};
        if (!best || r < *best) best = r;
      }
    }
    if (!best) continue;
    int kind = std::get<1>(*best);
    std::int64_t b = std::get<2>(*best);
    std::string when = between_utc(std::max(change_.planned_start, other->planned_start),
                                   std::min(change_.planned_end, other->planned_end));
    Conflict c{ConflictKind::kChangeOverlap, other->number, other->id, b, {}};
    if (kind == kSame) {
      c.reason = "both change " + name(b) + " between " + when;
    } else if (kind == kUp) {
      std::int64_t a = up_.at(b).origin;
      YW_ASSIGN(std::string via, through(b, a));
      c.reason = other->number + " changes " + name(b) + ", which depends on " + name(a) + via +
                 " changed here, between " + when;
    } else {
      std::int64_t a = down_.at(b).origin;
      YW_ASSIGN(std::string via, through(a, b));
      c.reason = name(a) + " changed here depends on " + name(b) + via + ", which " +
                 other->number + " changes between " + when;
    }
    out.push_back(std::move(c));
  }
  return {};
}

core::Status ConflictCheck::freezes(const ChangeWindows& windows, std::vector<Conflict>& out) {
  for (const FreezeWindow& w : windows.freezes_) {
    if (w.start >= change_.planned_end || w.end <= change_.planned_start) continue;
    std::string frozen = " is frozen between " + between_utc(w.start, w.end);
    std::string planned =
        "this change is planned between " + between_utc(change_.planned_start, change_.planned_end);
    if (w.service_ci_ids.empty()) {
      out.push_back({ConflictKind::kFreezeWindow, w.name, w.id, 0,
                     "everything" + frozen + " and " + planned});
      continue;
    }
    std::optional<std::pair<int, std::int64_t>> best;  // depth, service
    for (std::int64_t s : w.service_ci_ids) {
      if (auto h = up_.find(s); h != up_.end()) {
        std::pair p{h->second.depth, s};
        if (!best || p < *best) best = p;
      }
    }
    if (!best) continue;
    std::int64_t s = best->second;
    YW_ASSIGN(std::string how, affected_service(s));
    out.push_back({ConflictKind::kFreezeWindow, w.name, w.id, s,
                   "service " + name(s) + frozen + "; " + planned + " and " + how});
  }
  return {};
}

core::Status ConflictCheck::maintenance(const ChangeWindows& windows, std::vector<Conflict>& out) {
  for (const auto& [service, list] : windows.maintenance_) {
    if (!up_.count(service)) continue;
    bool inside = false;
    for (const ChangeWindows::Compiled& w : list) {
      auto worked = w.calendar->between(change_.planned_start, change_.planned_end);
      // All of [start, end) in working time = inside one (merged) occurrence.
      if (worked.ok() && *worked == change_.planned_end - change_.planned_start) {
        inside = true;
        break;
      }
    }
    if (inside) continue;
    YW_ASSIGN(std::string how, affected_service(service));
    for (const ChangeWindows::Compiled& w : list) {
      std::string ranges;
      for (const WeeklyRange& r : w.window.ranges) {
        if (!ranges.empty()) ranges += ", ";
        ranges += format_weekly_range(r);
      }
      out.push_back({ConflictKind::kOutsideMaintenanceWindow, w.window.name, w.window.id, service,
                     "this change " + how + "; it runs between " +
                         between_utc(change_.planned_start, change_.planned_end) +
                         ", outside the service's maintenance window " + ranges + " (" +
                         w.window.zone + ")"});
    }
  }
  return {};
}

core::Result<std::vector<Conflict>> ConflictCheck::run(const ChangeIndex& scheduled,
                                                       const ChangeWindows& windows) {
  YW_TRY(check_times(change_));
  YW_TRY(walk());
  std::vector<Conflict> out;
  YW_TRY(overlaps(scheduled, out));
  YW_TRY(freezes(windows, out));
  YW_TRY(maintenance(windows, out));
  for (Conflict& c : out) {
    if (c.ci_id) c.ci_name = name(c.ci_id);
  }
  std::sort(out.begin(), out.end(), [](const Conflict& a, const Conflict& b) {
    return std::tie(a.kind, a.with, a.reason, a.with_id, a.ci_id) <
           std::tie(b.kind, b.with, b.reason, b.with_id, b.ci_id);
  });
  return out;
}

core::Result<std::vector<Conflict>> find_conflicts(const ScheduledChange& change,
                                                   const ChangeIndex& scheduled,
                                                   const ChangeWindows& windows,
                                                   cmdb::RelationService& relations,
                                                   const CheckOptions& options) {
  ConflictCheck check(change, relations, options);
  return check.run(scheduled, windows);
}

}  // namespace yunwei::change
