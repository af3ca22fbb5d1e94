// Change configuration (issue #7): freeze windows, maintenance windows, standard-change templates
// and the change settings.
#include <algorithm>
#include <climits>

#include "api/internal.h"
#include "change/change_config.h"
#include "change/settings.h"

namespace yunwei::api {

using identity::Permission;

namespace {

json id_or_null(const std::optional<std::int64_t>& v) {
  if (v) return json(*v);
  return json(nullptr);
}

json freeze_json(const change::FreezeWindowRecord& f) {
  json services = json::array();
  for (const change::ServiceRef& s : f.services) {
    services.push_back({{"id", s.id}, {"name", s.name}});
  }
  return {{"id", f.id},
          {"name", f.name},
          {"reason", f.reason},
          {"start", time_json(f.start)},
          {"end", time_json(f.end)},
          {"service_ids", f.service_ids},
          {"services", services},
          {"created_by", id_or_null(f.created_by)},
          {"created_at", time_json(f.created_at)},
          {"updated_at", time_json(f.updated_at)},
          {"version", f.version}};
}

json maintenance_json(const change::MaintenanceWindowRecord& m) {
  return {{"id", m.id},
          {"service_id", m.service_id},
          {"service_name", m.service_name},
          {"name", m.name},
          {"zone", m.zone},
          {"ranges", m.ranges},
          {"created_at", time_json(m.created_at)},
          {"updated_at", time_json(m.updated_at)},
          {"version", m.version}};
}

json occurrence_json(const change::MaintenanceOccurrence& o) {
  return {{"id", o.window_id},
          {"service_id", o.service_id},
          {"service_name", o.service_name},
          {"name", o.name},
          {"zone", o.zone},
          {"start", time_json(o.start)},
          {"end", time_json(o.end)}};
}

json template_json(const change::ChangeTemplate& t) {
  json team = nullptr;
  if (t.implementer_team_id) {
    team = {{"id", *t.implementer_team_id}, {"name", t.implementer_team_name}};
  }
  return {{"id", t.id},
          {"name", t.name},
          {"name_zh", t.name_zh},
          {"description", t.description},
          {"description_zh", t.description_zh},
          {"implementation_plan", t.implementation_plan},
          {"backout_plan", t.backout_plan},
          {"test_plan", t.test_plan},
          {"duration_minutes", t.duration_minutes},
          {"implementer_team_id", id_or_null(t.implementer_team_id)},
          {"implementer_team", team},
          {"active", t.active},
          {"created_at", time_json(t.created_at)},
          {"updated_at", time_json(t.updated_at)},
          {"version", t.version}};
}

http::Response settings_response(const change::ChangeSettings& s) {
  return json_response(200, json::parse(change::settings_json(s)));
}

constexpr std::size_t kNameChars = 200;
constexpr std::size_t kReasonChars = 2000;
constexpr std::size_t kDescriptionChars = 4000;
constexpr std::size_t kPlanChars = 20000;

// A required time field.
core::Result<core::TimeMs> required_time(const Body& body, const char* name) {
  YW_ASSIGN(std::optional<std::int64_t> t, body.opt_time(name));
  if (!t) return core::invalid(name, "is required (RFC 3339, e.g. 2026-10-01T00:00:00+08:00)");
  return *t;
}

// The fields of a freeze window body (create and patch).
core::Result<change::FreezeWindowPatch> freeze_fields(const Body& body) {
  change::FreezeWindowPatch p;
  YW_ASSIGN(p.name, body.opt_string("name", kNameChars));
  YW_ASSIGN(p.reason, body.opt_string("reason", kReasonChars));
  YW_ASSIGN(p.start, body.opt_time("start"));
  YW_ASSIGN(p.end, body.opt_time("end"));
  if (body.has("start") && !p.start) return core::invalid("start", "must not be null");
  if (body.has("end") && !p.end) return core::invalid("end", "must not be null");
  YW_ASSIGN(p.service_ids, body.opt_ints("service_ids", change::kMaxWindowServices));
  return p;
}

core::Result<change::MaintenanceWindowPatch> maintenance_fields(const Body& body) {
  change::MaintenanceWindowPatch p;
  YW_ASSIGN(p.service_id, body.opt_int("service_id"));
  YW_ASSIGN(p.name, body.opt_string("name", kNameChars));
  YW_ASSIGN(p.zone, body.opt_string("zone", 64));
  YW_ASSIGN(p.ranges, body.opt_strings("ranges", change::kMaxMaintenanceRanges));
  return p;
}

core::Result<change::ChangeTemplatePatch> template_fields(const Body& body) {
  change::ChangeTemplatePatch p;
  YW_ASSIGN(p.name, body.opt_string("name", kNameChars));
  YW_ASSIGN(p.name_zh, body.opt_string("name_zh", kNameChars));
  YW_ASSIGN(p.description, body.opt_string("description", kDescriptionChars));
  YW_ASSIGN(p.description_zh, body.opt_string("description_zh", kDescriptionChars));
  YW_ASSIGN(p.implementation_plan, body.opt_string("implementation_plan", kPlanChars));
  YW_ASSIGN(p.backout_plan, body.opt_string("backout_plan", kPlanChars));
  YW_ASSIGN(p.test_plan, body.opt_string("test_plan", kPlanChars));
  YW_ASSIGN(p.duration_minutes, body.opt_int("duration_minutes"));
  YW_ASSIGN(p.implementer_team_id, body.opt_nullable_int("implementer_team_id"));
  YW_ASSIGN(p.active, body.opt_bool("active"));
  return p;
}

// The version a delete expects: the body's or If-Match, when given.
core::Result<std::optional<std::int64_t>> delete_version(const Ctx& ctx) {
  YW_ASSIGN(Body body, Body::parse(ctx.req, {"version"}, true));
  if (!body.has("version") && !ctx.req.header("if-match")) return std::optional<std::int64_t>();
  YW_ASSIGN(std::int64_t v, expected_version(ctx, body));
  return std::optional<std::int64_t>(v);
}

// Whether the caller may see inactive templates (`?all=true`: staff only).
core::Result<bool> all_templates(const Ctx& ctx) {
  YW_ASSIGN(std::optional<bool> all, query_bool(ctx.req, "all"));
  if (!all || !*all) return false;
  if (!ctx.principal || !identity::allows(ctx.principal->roles, Permission::kChangesRead)) {
    return core::forbidden("only staff see inactive templates (all=true)");
  }
  return true;
}

int clamp_int(std::int64_t v) {
  return static_cast<int>(std::clamp<std::int64_t>(v, INT_MIN, INT_MAX));
}

void register_freeze_routes(Registry& r) {
  r.add("GET", "/api/v1/freeze-windows", Permission::kChangesRead,
        "Freeze (blackout) windows, those overlapping from..to when given, by start",
        [](Ctx& ctx) -> core::Result<http::Response> {
          YW_ASSIGN(auto from, query_time(ctx.req, "from"));
          YW_ASSIGN(auto to, query_time(ctx.req, "to"));
          if (from && to && *to < *from) return core::invalid("to", "must not be before from");
          YW_ASSIGN(auto items, ctx.deps.change_config.list_freeze_windows(from, to));
          json out = json::array();
          for (const auto& f : items) out.push_back(freeze_json(f));
          return json_response(200, {{"items", out}});
        });

  r.add("POST", "/api/v1/freeze-windows", Permission::kChangesAdmin,
        "Create a freeze window: no change in start..end on the services listed (none: all)",
        [](Ctx& ctx) -> core::Result<http::Response> {
          YW_ASSIGN(Body body,
                    Body::parse(ctx.req, {"name", "reason", "start", "end", "service_ids"}));
          YW_ASSIGN(std::string name, body.string("name", kNameChars));
          YW_ASSIGN(core::TimeMs start, required_time(body, "start"));
          YW_ASSIGN(core::TimeMs end, required_time(body, "end"));
          YW_ASSIGN(change::FreezeWindowPatch f, freeze_fields(body));
          change::FreezeWindowInput in;
          in.name = name;
          in.reason = f.reason.value_or("");
          in.start = start;
          in.end = end;
          in.service_ids = f.service_ids.value_or(std::vector<std::int64_t>{});
          YW_ASSIGN(auto w, ctx.deps.change_config.create_freeze_window(ctx.actor(), in));
          http::Response res = json_response(201, freeze_json(w));
          res.set_header("location", "/api/v1/freeze-windows/" + std::to_string(w.id));
          return res;
        });

  r.add("GET", "/api/v1/freeze-windows/{id}", Permission::kChangesRead, "One freeze window",
        [](Ctx& ctx) -> core::Result<http::Response> {
          YW_ASSIGN(std::int64_t id, path_id(ctx.req));
          YW_ASSIGN(auto w, ctx.deps.change_config.get_freeze_window(id));
          return json_response(200, freeze_json(w));
        });

  r.add("PATCH", "/api/v1/freeze-windows/{id}", Permission::kChangesAdmin,
        "Change a freeze window (send the version you read)",
        [](Ctx& ctx) -> core::Result<http::Response> {
          YW_ASSIGN(std::int64_t id, path_id(ctx.req));
          YW_ASSIGN(Body body, Body::parse(ctx.req, {"version", "name", "reason", "start", "end",
                                                     "service_ids"}));
          YW_ASSIGN(change::FreezeWindowPatch p, freeze_fields(body));
          YW_ASSIGN(p.version, expected_version(ctx, body));
          YW_ASSIGN(auto w, ctx.deps.change_config.update_freeze_window(ctx.actor(), id, p));
          return json_response(200, freeze_json(w));
        });

  r.add("DELETE", "/api/v1/freeze-windows/{id}", Permission::kChangesAdmin,
        "Delete a freeze window", [](Ctx& ctx) -> core::Result<http::Response> {
          YW_ASSIGN(std::int64_t id, path_id(ctx.req));
          YW_ASSIGN(auto version, delete_version(ctx));
          YW_TRY(ctx.deps.change_config.delete_freeze_window(ctx.actor(), id, version));
          return no_content();
        });
}

void register_maintenance_routes(Registry& r) {
  r.add("GET", "/api/v1/maintenance-windows", Permission::kChangesRead,
        "Maintenance windows of business services (of one with service_id)",
        [](Ctx& ctx) -> core::Result<http::Response> {
          YW_ASSIGN(auto service_id, query_int(ctx.req, "service_id"));
          YW_ASSIGN(auto items, ctx.deps.change_config.list_maintenance_windows(service_id));
          json out = json::array();
          for (const auto& m : items) out.push_back(maintenance_json(m));
          return json_response(200, {{"items", out}});
        });

  r.add("GET", "/api/v1/maintenance-windows/occurrences", Permission::kChangesRead,
        "When the maintenance windows fall between from and to (default: the next 14 days), in UTC",
        [](Ctx& ctx) -> core::Result<http::Response> {
          YW_ASSIGN(auto from, query_time(ctx.req, "from"));
          YW_ASSIGN(auto to, query_time(ctx.req, "to"));
          YW_ASSIGN(auto service_id, query_int(ctx.req, "service_id"));
          // Defaults: from now, for two weeks.
          core::TimeMs f = from ? *from : ctx.deps.clock.now_ms();
          core::TimeMs t = to ? *to : f + 14 * 86'400'000LL;
          using R = std::vector<change::MaintenanceOccurrence>;
          auto load = [&](store::Tx& tx) {
            return change::maintenance_occurrences(tx, f, t, service_id);
          };
          YW_ASSIGN(R items, store::read_tx<R>(ctx.deps.db, load));
          json out = json::array();
          for (const auto& o : items) out.push_back(occurrence_json(o));
          return json_response(200, {{"items", out}});
        });

  r.add("POST", "/api/v1/maintenance-windows", Permission::kChangesAdmin,
        "Create a maintenance window of a business service: weekly ranges in a time zone",
        [](Ctx& ctx) -> core::Result<http::Response> {
          YW_ASSIGN(Body body, Body::parse(ctx.req, {"service_id", "name", "zone", "ranges"}));
          YW_ASSIGN(change::MaintenanceWindowPatch f, maintenance_fields(body));
          if (!f.service_id) return core::invalid("service_id", "is required");
          if (!f.name) return core::invalid("name", "is required");
          if (!f.ranges) return core::invalid("ranges", "is required");
          change::MaintenanceWindowInput in;
          in.service_id = *f.service_id;
          in.name = *f.name;
          if (f.zone) in.zone = *f.zone;
          in.ranges = *f.ranges;
          YW_ASSIGN(auto m, ctx.deps.change_config.create_maintenance_window(ctx.actor(), in));
          http::Response res = json_response(201, maintenance_json(m));
          res.set_header("location", "/api/v1/maintenance-windows/" + std::to_string(m.id));
          return res;
        });

  r.add("GET", "/api/v1/maintenance-windows/{id}", Permission::kChangesRead,
        "One maintenance window", [](Ctx& ctx) -> core::Result<http::Response> {
          YW_ASSIGN(std::int64_t id, path_id(ctx.req));
          YW_ASSIGN(auto m, ctx.deps.change_config.get_maintenance_window(id));
          return json_response(200, maintenance_json(m));
        });

  r.add("PATCH", "/api/v1/maintenance-windows/{id}", Permission::kChangesAdmin,
        "Change a maintenance window (send the version you read)",
        [](Ctx& ctx) -> core::Result<http::Response> {
          YW_ASSIGN(std::int64_t id, path_id(ctx.req));
          YW_ASSIGN(Body body,
                    Body::parse(ctx.req, {"version", "service_id", "name", "zone", "ranges"}));
          YW_ASSIGN(change::MaintenanceWindowPatch p, maintenance_fields(body));
          YW_ASSIGN(p.version, expected_version(ctx, body));
          YW_ASSIGN(auto m, ctx.deps.change_config.update_maintenance_window(ctx.actor(), id, p));
          return json_response(200, maintenance_json(m));
        });

  r.add("DELETE", "/api/v1/maintenance-windows/{id}", Permission::kChangesAdmin,
        "Delete a maintenance window", [](Ctx& ctx) -> core::Result<http::Response> {
          YW_ASSIGN(std::int64_t id, path_id(ctx.req));
          YW_ASSIGN(auto version, delete_version(ctx));
          YW_TRY(ctx.deps.change_config.delete_maintenance_window(ctx.actor(), id, version));
          return no_content();
        });
}

void register_template_routes(Registry& r) {
  r.add("GET", "/api/v1/change-templates", Permission::kTicketsRead,
        "Standard-change templates: the active ones (staff: all=true for every one)",
        [](Ctx& ctx) -> core::Result<http::Response> {
          YW_ASSIGN(bool all, all_templates(ctx));
          YW_ASSIGN(auto items, ctx.deps.change_config.list_templates(all));
          json out = json::array();
          for (const auto& t : items) out.push_back(template_json(t));
          return json_response(200, {{"items", out}});
        });

  r.add("POST", "/api/v1/change-templates", Permission::kChangesAdmin,
        "Create a standard-change template", [](Ctx& ctx) -> core::Result<http::Response> {
          YW_ASSIGN(Body body,
                    Body::parse(ctx.req, {"name", "name_zh", "description", "description_zh",
                                          "implementation_plan", "backout_plan", "test_plan",
                                          "duration_minutes", "implementer_team_id", "active"}));
          YW_ASSIGN(std::string name, body.string("name", kNameChars));
          YW_ASSIGN(change::ChangeTemplatePatch f, template_fields(body));
          if (!f.duration_minutes) return core::invalid("duration_minutes", "is required");
          change::ChangeTemplateInput in;
          in.name = name;
          in.name_zh = f.name_zh.value_or("");
          in.description = f.description.value_or("");
          in.description_zh = f.description_zh.value_or("");
          in.implementation_plan = f.implementation_plan.value_or("");
          in.backout_plan = f.backout_plan.value_or("");
          in.test_plan = f.test_plan.value_or("");
          in.duration_minutes = *f.duration_minutes;
          if (f.implementer_team_id) in.implementer_team_id = *f.implementer_team_id;
          in.active = f.active.value_or(true);
          YW_ASSIGN(auto t, ctx.deps.change_config.create_template(ctx.actor(), in));
          http::Response res = json_response(201, template_json(t));
          res.set_header("location", "/api/v1/change-templates/" + std::to_string(t.id));
          return res;
        });

  r.add("GET", "/api/v1/change-templates/{id}", Permission::kTicketsRead,
        "One standard-change template (inactive ones: staff only)",
        [](Ctx& ctx) -> core::Result<http::Response> {
          YW_ASSIGN(std::int64_t id, path_id(ctx.req));
          bool staff =
              ctx.principal && identity::allows(ctx.principal->roles, Permission::kChangesRead);
          YW_ASSIGN(auto t, ctx.deps.change_config.get_template(id, staff));
          return json_response(200, template_json(t));
        });

  r.add("PATCH", "/api/v1/change-templates/{id}", Permission::kChangesAdmin,
        "Change a standard-change template (send the version you read); active: false retires it",
        [](Ctx& ctx) -> core::Result<http::Response> {
          YW_ASSIGN(std::int64_t id, path_id(ctx.req));
          YW_ASSIGN(
              Body body,
              Body::parse(ctx.req, {"version", "name", "name_zh", "description", "description_zh",
                                    "implementation_plan", "backout_plan", "test_plan",
                                    "duration_minutes", "implementer_team_id", "active"}));
          YW_ASSIGN(change::ChangeTemplatePatch p, template_fields(body));
          YW_ASSIGN(p.version, expected_version(ctx, body));
          YW_ASSIGN(auto t, ctx.deps.change_config.update_template(ctx.actor(), id, p));
          return json_response(200, template_json(t));
        });
}

void register_settings_routes(Registry& r) {
  r.add("GET", "/api/v1/change-settings", Permission::kChangesRead,
        "Change management settings: boards, risk questionnaire, problem candidates",
        [](Ctx& ctx) -> core::Result<http::Response> {
          YW_ASSIGN(change::ChangeSettings s, ctx.deps.change_config.settings());
          return settings_response(s);
        });

  r.add("PUT", "/api/v1/change-settings", Permission::kChangesAdmin,
        "Change the change management settings (send the version you read)",
        [](Ctx& ctx) -> core::Result<http::Response> {
          YW_ASSIGN(Body body,
                    Body::parse(ctx.req, {"version", "cab_team_id", "ecab_team_id", "questionnaire",
                                          "candidate_window_days", "candidate_min_incidents"}));
          change::ChangeSettingsPatch p;
          YW_ASSIGN(p.version, expected_version(ctx, body));
          YW_ASSIGN(p.cab_team_id, body.opt_nullable_int("cab_team_id"));
          YW_ASSIGN(p.ecab_team_id, body.opt_nullable_int("ecab_team_id"));
          YW_ASSIGN(p.questionnaire_json, body.opt_json_text("questionnaire"));
          YW_ASSIGN(auto days, body.opt_int("candidate_window_days"));
          YW_ASSIGN(auto min_incidents, body.opt_int("candidate_min_incidents"));
          if (days) p.candidate_window_days = clamp_int(*days);
          if (min_incidents) p.candidate_min_incidents = clamp_int(*min_incidents);
          YW_ASSIGN(change::ChangeSettings s,
                    ctx.deps.change_config.update_settings(ctx.actor(), p));
          return settings_response(s);
        });
}

}  // namespace

void register_change_config_routes(Registry& r) {
  register_freeze_routes(r);
  register_maintenance_routes(r);
  register_template_routes(r);
  register_settings_routes(r);
}

}  // namespace yunwei::api
