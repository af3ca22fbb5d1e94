// SLA: business calendars, holiday sets, the calendar calculators and SLA policies (issue #5).
#include "api/internal.h"
#include "core/clock.h"
#include "sla/calendar_service.h"
#include "sla/policy.h"
#include "sla/report.h"
#include "sla/ticket_sla.h"
#include "tickets/priority.h"
#include "tickets/ticket.h"

namespace yunwei::api {

using identity::Permission;

namespace {

json calendar_json(const sla::Calendar& c) {
  return {{"id", c.id},
          {"name", c.name},
          {"zone", c.zone},
          {"weekly", json::parse(sla::weekly_json(c.weekly))},
          {"holiday_sets", c.holiday_sets},
          {"overrides", json::parse(sla::overrides_json(c.overrides))},
          {"active", c.active},
          {"version", c.version},
          {"created_at", time_json(c.created_at)},
          {"updated_at", time_json(c.updated_at)}};
}

json set_json(const sla::HolidaySet& s) {
  return {{"id", s.id},
          {"key", s.key},
          {"name", s.name},
          {"builtin", s.builtin},
          {"years", s.years},
          {"holidays", s.holidays},
          {"workdays", s.workdays},
          {"version", s.version},
          {"updated_at", time_json(s.updated_at)}};
}

json report_json(const sla::ImportReport& r) {
  json errors = json::array();
  for (const sla::ImportError& e : r.errors) {
    errors.push_back({{"line", e.line}, {"message", e.message}});
  }
  return {{"applied", r.applied},
          {"years", r.years},
          {"holidays", r.holidays},
          {"workdays", r.workdays},
          {"errors", errors}};
}

core::Result<std::vector<std::string>> holiday_sets_field(const Body& body) {
  YW_ASSIGN(auto sets, body.opt_strings("holiday_sets", 10));
  return sets ? *sets : std::vector<std::string>{};
}

// An optional JSON field handed to `parse`, a codec that names the elements it rejects.
template <class T, class Parse>
core::Result<std::optional<T>> opt_parsed(const Body& body, std::string_view name, Parse parse) {
  YW_ASSIGN(auto text, body.opt_json_text(name));
  if (!text) return std::optional<T>();
  YW_ASSIGN(T value, parse(*text));
  return std::optional<T>(std::move(value));
}

// The calendar fields of a create or PATCH body (everything but the version).
core::Result<sla::CalendarPatch> calendar_fields(const Body& body) {
  sla::CalendarPatch p;
  YW_ASSIGN(p.name, body.opt_string("name", 100, false));
  YW_ASSIGN(p.zone, body.opt_string("zone", 64, false));
  using Week = std::array<sla::DayHours, 7>;
  YW_ASSIGN(p.weekly, opt_parsed<Week>(body, "weekly", sla::parse_weekly));
  if (body.has("holiday_sets")) {
    YW_ASSIGN(p.holiday_sets, holiday_sets_field(body));
  }
  YW_ASSIGN(p.overrides,
            opt_parsed<std::vector<sla::Override>>(body, "overrides", sla::parse_overrides));
  YW_ASSIGN(p.active, body.opt_bool("active"));
  return p;
}

// A required RFC 3339 time field.
core::Result<core::TimeMs> time_field(const Body& body, std::string_view name) {
  YW_ASSIGN(auto t, body.opt_time(name));
  if (!t) return core::invalid(std::string(name), "is required (RFC 3339)");
  return *t;
}

json policy_json(const sla::Policy& p) {
  auto opt = [](const std::optional<std::int64_t>& v) { return v ? json(*v) : json(nullptr); };
  return {{"id", p.id},
          {"name", p.name},
          {"position", p.position},
          {"active", p.active},
          {"conditions", json::parse(sla::conditions_json(p.conditions))},
          {"calendar_id", p.calendar_id},
          {"response_minutes", opt(p.response_minutes)},
          {"resolution_minutes", opt(p.resolution_minutes)},
          {"ola", json::parse(sla::ola_json(p.ola))},
          {"pause_reasons", p.pause_reasons},
          {"thresholds", json::parse(sla::thresholds_json(p.thresholds))},
          {"version", p.version},
          {"created_at", time_json(p.created_at)},
          {"updated_at", time_json(p.updated_at)}};
}

core::Result<std::optional<int>> position_field(const Body& body) {
  YW_ASSIGN(auto pos, body.opt_int("position"));
  if (!pos) return std::optional<int>();
  if (*pos < -1'000'000 || *pos > 1'000'000) return core::invalid("position", "is out of range");
  return std::optional<int>(static_cast<int>(*pos));
}

// The policy fields of a create or PATCH body (everything but the version); a null target
// clears it.
core::Result<sla::PolicyPatch> policy_fields(const Body& body) {
  sla::PolicyPatch p;
  YW_ASSIGN(p.name, body.opt_string("name", 100, false));
  YW_ASSIGN(p.position, position_field(body));
  YW_ASSIGN(p.active, body.opt_bool("active"));
  YW_ASSIGN(p.conditions,
            opt_parsed<sla::PolicyConditions>(body, "conditions", sla::parse_conditions));
  YW_ASSIGN(p.calendar_id, body.opt_int("calendar_id"));
  YW_ASSIGN(p.response_minutes, body.opt_nullable_int("response_minutes"));
  YW_ASSIGN(p.resolution_minutes, body.opt_nullable_int("resolution_minutes"));
  YW_ASSIGN(p.ola, opt_parsed<std::vector<sla::OlaTarget>>(body, "ola", sla::parse_ola));
  YW_ASSIGN(p.pause_reasons, body.opt_strings("pause_reasons", 10));
  YW_ASSIGN(p.thresholds,
            opt_parsed<std::vector<sla::Threshold>>(body, "thresholds", sla::parse_thresholds));
  return p;
}

json metric_json(const sla::TicketSlaMetric& tm, const sla::CompiledCalendar& cal) {
  const sla::MetricResult& m = tm.result;
  auto t = [](const std::optional<core::TimeMs>& v) { return v ? time_json(*v) : json(nullptr); };
  auto local = [&cal](const std::optional<core::TimeMs>& v) {
    return v ? json(cal.format_local(*v)) : json(nullptr);
  };
  json thresholds = json::array();
  for (const sla::ThresholdState& th : tm.thresholds) {
    thresholds.push_back({{"percent", th.percent}, {"at", t(th.at)}, {"reached", th.reached}});
  }
  json intervals = json::array();
  for (const sla::ClockInterval& iv : m.intervals) {
    intervals.push_back({{"from", time_json(iv.from)},
                         {"to", time_json(iv.to)},
                         {"counted", iv.counted},
                         {"reason", iv.reason.empty() ? json(nullptr) : json(iv.reason)},
                         {"business_minutes", iv.business_ms / 60'000}});
  }
  return {{"metric", m.metric},
          {"team_id", m.team_id ? json(*m.team_id) : json(nullptr)},
          {"target_minutes", m.target_ms / 60'000},
          {"elapsed_minutes", m.elapsed_ms / 60'000},
          // Whole minutes; remaining is target - elapsed so the two always add up.
          {"remaining_minutes", m.target_ms / 60'000 - m.elapsed_ms / 60'000},
          {"percent", m.target_ms > 0 ? m.elapsed_ms * 100 / m.target_ms : 0},
          {"state", sla::clock_state_name(m.state)},
          {"running", m.running},
          {"due", t(m.due)},
          {"due_local", local(m.due)},
          {"breached_at", t(m.breached_at)},
          {"stopped_at", t(m.stopped_at)},
          {"thresholds", thresholds},
          {"intervals", intervals}};
}

json counts_json(const sla::OutcomeCounts& c) {
  std::optional<double> compliance = c.compliance();
  return {{"met", c.met},
          {"breached", c.breached},
          {"compliance", compliance ? json(*compliance) : json(nullptr)}};
}

json report_group_json(const sla::SlaReport& report, const sla::ReportGroup& g, bool total) {
  json out = json::object();
  if (!total) {
    if (g.text_key) {
      out["key"] = *g.text_key;
    } else if (g.id_key) {
      out["key"] = *g.id_key;
    } else {
      out["key"] = nullptr;
    }
    out["name"] = g.name ? json(*g.name) : json(nullptr);
    out["name_zh"] = g.name_zh ? json(*g.name_zh) : json(nullptr);
  }
  out["response"] = counts_json(g.response);
  out["resolution"] = counts_json(g.resolution);
  json links = json::object();
  for (const char* metric : {"response", "resolution"}) {
    for (const char* outcome : {"met", "breached"}) {
      links[std::string(metric) + "_" + outcome] = sla::tickets_link(report, g, metric, outcome);
    }
  }
  out["tickets"] = links;
  return out;
}

}  // namespace

void register_sla_routes(Registry& r) {
  r.add("GET", "/api/v1/calendars", Permission::kSlaRead, "Business calendars",
        [](Ctx& ctx) -> core::Result<http::Response> {
          YW_ASSIGN(auto items, ctx.deps.calendars.list());
          json out = json::array();
          for (const auto& c : items) out.push_back(calendar_json(c));
          return json_response(200, {{"items", out}});
        });

  r.add("POST", "/api/v1/calendars", Permission::kSlaAdmin,
        "Create a calendar: zone, weekly hours, holiday sets, dated overrides",
        [](Ctx& ctx) -> core::Result<http::Response> {
          YW_ASSIGN(Body body,
                    Body::parse(ctx.req, {"name", "zone", "weekly", "holiday_sets", "overrides"}));
          YW_ASSIGN(sla::CalendarPatch f, calendar_fields(body));
          if (!f.name) return core::invalid("name", "is required");
          if (!f.weekly) return core::invalid("weekly", "is required");
          sla::CalendarInput in;
          in.name = *f.name;
          if (f.zone) in.zone = *f.zone;
          in.weekly = *f.weekly;
          if (f.holiday_sets) in.holiday_sets = *f.holiday_sets;
          if (f.overrides) in.overrides = *f.overrides;
          YW_ASSIGN(sla::Calendar c, ctx.deps.calendars.create(ctx.actor(), in));
          http::Response res = json_response(201, calendar_json(c));
          res.set_header("location", "/api/v1/calendars/" + std::to_string(c.id));
          return res;
        });

  r.add("GET", "/api/v1/calendars/{id}", Permission::kSlaRead, "One calendar",
        [](Ctx& ctx) -> core::Result<http::Response> {
          YW_ASSIGN(std::int64_t id, path_id(ctx.req));
          YW_ASSIGN(sla::Calendar c, ctx.deps.calendars.get(id));
          return json_response(200, calendar_json(c));
        });

  r.add("PATCH", "/api/v1/calendars/{id}", Permission::kSlaAdmin,
        "Change a calendar (send the version you read); SLA due dates follow",
        [](Ctx& ctx) -> core::Result<http::Response> {
          YW_ASSIGN(std::int64_t id, path_id(ctx.req));
          YW_ASSIGN(Body body, Body::parse(ctx.req, {"version", "name", "zone", "weekly",
                                                     "holiday_sets", "overrides", "active"}));
          YW_ASSIGN(sla::CalendarPatch p, calendar_fields(body));
          YW_ASSIGN(p.version, expected_version(ctx, body));
          YW_ASSIGN(sla::Calendar c, ctx.deps.calendars.update(ctx.actor(), id, p));
          return json_response(200, calendar_json(c));
        });

  r.add("POST", "/api/v1/calendars/{id}/add", Permission::kSlaRead,
        "The deadline N business minutes after a start, in the calendar's zone",
        [](Ctx& ctx) -> core::Result<http::Response> {
          YW_ASSIGN(std::int64_t id, path_id(ctx.req));
          YW_ASSIGN(Body body, Body::parse(ctx.req, {"start", "minutes"}));
          YW_ASSIGN(core::TimeMs start, time_field(body, "start"));
          YW_ASSIGN(auto minutes, body.opt_int("minutes"));
          if (!minutes) return core::invalid("minutes", "is required");
          if (*minutes < 0 || *minutes > 100LL * 366 * 24 * 60)
            return core::invalid("minutes", "must be between 0 and 100 years of minutes");
          YW_ASSIGN(auto cal, ctx.deps.calendars.compiled(id));
          YW_ASSIGN(core::TimeMs due, cal->add(start, *minutes * 60'000));
          return json_response(200, {{"due", cal->format_local(due)}, {"due_utc", time_json(due)}});
        });

  r.add("POST", "/api/v1/calendars/{id}/between", Permission::kSlaRead,
        "Business minutes between two instants", [](Ctx& ctx) -> core::Result<http::Response> {
          YW_ASSIGN(std::int64_t id, path_id(ctx.req));
          YW_ASSIGN(Body body, Body::parse(ctx.req, {"start", "end"}));
          YW_ASSIGN(core::TimeMs start, time_field(body, "start"));
          YW_ASSIGN(core::TimeMs end, time_field(body, "end"));
          YW_ASSIGN(auto cal, ctx.deps.calendars.compiled(id));
          YW_ASSIGN(std::int64_t ms, cal->between(start, end));
          return json_response(200, {{"minutes", ms / 60'000}});
        });

  r.add("GET", "/api/v1/holiday-sets", Permission::kSlaRead,
        "Holiday sets (public holidays and make-up workdays) with the years they cover",
        [](Ctx& ctx) -> core::Result<http::Response> {
          YW_ASSIGN(auto sets, ctx.deps.calendars.list_sets());
          json out = json::array();
          for (const auto& s : sets) out.push_back(set_json(s));
          return json_response(200, {{"items", out}});
        });

  r.add("POST", "/api/v1/holiday-sets", Permission::kSlaAdmin, "Create an empty holiday set",
        [](Ctx& ctx) -> core::Result<http::Response> {
          YW_ASSIGN(Body body, Body::parse(ctx.req, {"key", "name"}));
          YW_ASSIGN(std::string key, body.string("key", 40));
          YW_ASSIGN(std::string name, body.string("name", 100));
          YW_ASSIGN(sla::HolidaySet s, ctx.deps.calendars.create_set(ctx.actor(), key, name));
          return json_response(201, set_json(s));
        });

  r.add("GET", "/api/v1/holiday-sets/{key}/days", Permission::kSlaRead,
        "The days of a holiday set (?year=2026 for one year)",
        [](Ctx& ctx) -> core::Result<http::Response> {
          std::optional<int> year;
          if (auto y = ctx.req.query_param("year")) {
            bool ok = y->size() == 4 && std::all_of(y->begin(), y->end(),
                                                    [](char c) { return c >= '0' && c <= '9'; });
            if (!ok) return core::invalid("year", "must be a year such as 2026");
            year = std::stoi(*y);
          }
          YW_ASSIGN(auto days, ctx.deps.calendars.set_days(ctx.req.path_param("key"), year));
          json out = json::array();
          for (const auto& d : days) {
            out.push_back({{"date", sla::format_date(d.date)},
                           {"kind", d.kind == sla::DayKind::kWorkday ? "workday" : "holiday"},
                           {"name", d.name}});
          }
          return json_response(200, {{"items", out}});
        });

  r.add("POST", "/api/v1/holiday-sets/{key}/import", Permission::kSlaAdmin,
        "Import years of holidays and make-up workdays: JSON (application/json) or iCalendar "
        "(text/calendar); replaces the years it covers, all or nothing; ?dry_run=true checks only",
        [](Ctx& ctx) -> core::Result<http::Response> {
          std::string_view ct = ctx.req.header("content-type").value_or("");
          std::string type(ct.substr(0, ct.find(';')));
          for (char& c : type) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
          std::string format;
          if (type == "application/json") {
            format = "json";
          } else if (type == "text/calendar") {
            format = "ical";
          } else {
            return core::Error{core::ErrorCode::kUnsupportedMedia,
                               "send application/json or text/calendar", "content-type"};
          }
          bool dry_run = ctx.req.query_param("dry_run").value_or("") == "true";
          YW_ASSIGN(sla::ImportReport report,
                    ctx.deps.calendars.import_days(ctx.actor(), ctx.req.path_param("key"), format,
                                                   ctx.req.body, dry_run));
          json body = report_json(report);
          if (!report.errors.empty()) {
            body["error"] = {{"code", core::error_code_name(core::ErrorCode::kUnprocessable)},
                             {"message", "the document has errors; nothing was imported"},
                             {"field", "body"}};
            return json_response(422, body);
          }
          return json_response(200, body);
        });

  r.add("GET", "/api/v1/sla-policies", Permission::kSlaRead,
        "SLA policies in evaluation order (the first active match applies)",
        [](Ctx& ctx) -> core::Result<http::Response> {
          YW_ASSIGN(auto items, ctx.deps.policies.list());
          json out = json::array();
          for (const auto& p : items) out.push_back(policy_json(p));
          return json_response(200, {{"items", out}});
        });

  r.add(
      "POST", "/api/v1/sla-policies", Permission::kSlaAdmin,
      "Create an SLA policy: conditions, calendar, targets, OLA targets, pause reasons, "
      "thresholds and their actions",
      [](Ctx& ctx) -> core::Result<http::Response> {
        YW_ASSIGN(Body body,
                  Body::parse(ctx.req, {"name", "position", "active", "conditions", "calendar_id",
                                        "response_minutes", "resolution_minutes", "ola",
                                        "pause_reasons", "thresholds"}));
        YW_ASSIGN(sla::PolicyPatch f, policy_fields(body));
        if (!f.name) return core::invalid("name", "is required");
        if (!f.calendar_id) return core::invalid("calendar_id", "is required");
        sla::PolicyInput in;
        in.name = *f.name;
        in.position = f.position;
        if (f.active) in.active = *f.active;
        if (f.conditions) in.conditions = *f.conditions;
        in.calendar_id = *f.calendar_id;
        // Null clears a target in a PATCH; a new policy leaves the field out instead.
        for (const auto& [name, value] : {std::pair{"response_minutes", &f.response_minutes},
                                          std::pair{"resolution_minutes", &f.resolution_minutes}}) {
          if (*value && !**value)
            return core::invalid(name, "must be a whole number (leave it out for no target)");
        }
        if (f.response_minutes) in.response_minutes = *f.response_minutes;
        if (f.resolution_minutes) in.resolution_minutes = *f.resolution_minutes;
        if (f.ola) in.ola = *f.ola;
        in.pause_reasons = f.pause_reasons;
        in.thresholds = f.thresholds;
        YW_ASSIGN(sla::Policy p, ctx.deps.policies.create(ctx.actor(), in));
        http::Response res = json_response(201, policy_json(p));
        res.set_header("location", "/api/v1/sla-policies/" + std::to_string(p.id));
        return res;
      });

  r.add("GET", "/api/v1/sla-policies/{id}", Permission::kSlaRead, "One SLA policy",
        [](Ctx& ctx) -> core::Result<http::Response> {
          YW_ASSIGN(std::int64_t id, path_id(ctx.req));
          YW_ASSIGN(sla::Policy p, ctx.deps.policies.get(id));
          return json_response(200, policy_json(p));
        });

  r.add("PATCH", "/api/v1/sla-policies/{id}", Permission::kSlaAdmin,
        "Change an SLA policy (send the version you read); null clears a target",
        [](Ctx& ctx) -> core::Result<http::Response> {
          YW_ASSIGN(std::int64_t id, path_id(ctx.req));
          YW_ASSIGN(Body body,
                    Body::parse(ctx.req, {"version", "name", "position", "active", "conditions",
                                          "calendar_id", "response_minutes", "resolution_minutes",
                                          "ola", "pause_reasons", "thresholds"}));
          YW_ASSIGN(sla::PolicyPatch p, policy_fields(body));
          YW_ASSIGN(p.version, expected_version(ctx, body));
          YW_ASSIGN(sla::Policy saved, ctx.deps.policies.update(ctx.actor(), id, p));
          return json_response(200, policy_json(saved));
        });

  r.add("POST", "/api/v1/sla-policies/match", Permission::kSlaRead,
        "The policy a ticket with these attributes gets (kind, priority, service_id, "
        "category_id, organisation); null when none matches",
        [](Ctx& ctx) -> core::Result<http::Response> {
          YW_ASSIGN(Body body, Body::parse(ctx.req, {"kind", "priority", "service_id",
                                                     "category_id", "organisation"}));
          sla::PolicySubject s;
          // Refused rather than answered with null: a typo must not read as "no SLA applies".
          YW_ASSIGN(s.kind, body.string("kind", 20));
          if (tickets::number_prefix(s.kind).empty())
            return core::invalid("kind", "must be incident, request, problem or change");
          YW_ASSIGN(s.priority, body.string("priority", 2));
          if (tickets::priority_rank(s.priority) == 0)
            return core::invalid("priority", "must be P1 to P5");
          YW_ASSIGN(s.service_id, body.opt_int("service_id"));
          YW_ASSIGN(s.category_id, body.opt_int("category_id"));
          YW_ASSIGN(auto org, body.opt_string("organisation", 100));
          if (org) s.organisation = *org;
          YW_ASSIGN(auto p, ctx.deps.policies.match(s));
          return json_response(200, {{"policy", p ? policy_json(*p) : json(nullptr)}});
        });

  r.add("GET", "/api/v1/reports/sla", Permission::kSlaRead,
        "SLA compliance over a period (from, to: RFC 3339, at most 366 days) per priority, team, "
        "service or category (group_by), optionally of one kind: response and resolution targets "
        "met and breached, with links to the tickets counted",
        [](Ctx& ctx) -> core::Result<http::Response> {
          sla::ReportQuery q;
          YW_ASSIGN(q.from, query_time(ctx.req, "from"));
          YW_ASSIGN(q.to, query_time(ctx.req, "to"));
          YW_ASSIGN(q.group_by, query_string(ctx.req, "group_by", 20));
          YW_ASSIGN(q.kind, query_string(ctx.req, "kind", 20));
          YW_ASSIGN(sla::SlaReport report, sla::sla_report(ctx.deps.db, viewer_of(ctx), q));
          json groups = json::array();
          for (const sla::ReportGroup& g : report.groups) {
            groups.push_back(report_group_json(report, g, false));
          }
          return json_response(200,
                               {{"from", time_json(report.from)},
                                {"to", time_json(report.to)},
                                {"group_by", report.group_by},
                                {"kind", report.kind.empty() ? json(nullptr) : json(report.kind)},
                                {"groups", groups},
                                {"total", report_group_json(report, report.total, true)}});
        });

  r.add("GET", "/api/v1/tickets/{number}/sla", Permission::kTicketsStaff,
        "A ticket's SLA: the policy and calendar, and per metric (response, resolution, OLA) the "
        "target, elapsed and remaining business minutes, state, due, thresholds and the "
        "intervals counted and paused",
        [](Ctx& ctx) -> core::Result<http::Response> {
          YW_ASSIGN(tickets::TicketDetail d,
                    ctx.deps.tickets.get(viewer_of(ctx), ctx.req.path_param("number")));
          YW_ASSIGN(sla::TicketSla s, ctx.deps.sla.for_ticket(d.ticket.id));
          json out = {{"number", d.ticket.number}, {"policy", nullptr}, {"calendar", nullptr}};
          json metrics = json::array();
          if (s.policy && s.calendar && s.compiled) {
            out["policy"] = {{"id", s.policy->id}, {"name", s.policy->name}};
            out["calendar"] = {
                {"id", s.calendar->id}, {"name", s.calendar->name}, {"zone", s.calendar->zone}};
            for (const sla::TicketSlaMetric& m : s.metrics) {
              metrics.push_back(metric_json(m, *s.compiled));
            }
          }
          out["metrics"] = metrics;
          return json_response(200, out);
        });
}

}  // namespace yunwei::api
