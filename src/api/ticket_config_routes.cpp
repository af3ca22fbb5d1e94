// Service desk configuration: categories, the priority matrix, workflows, settings, assignment
// rules and team dispatch strategies.
#include "api/internal.h"
#include "tickets/category_service.h"
#include "tickets/config.h"
#include "tickets/dispatch.h"
#include "tickets/ticket_service.h"
#include "tickets/workflow.h"

namespace yunwei::api {

using identity::Permission;

namespace {

json category_json(const tickets::Category& c) {
  return {{"id", c.id},           {"parent_id", c.parent_id ? json(*c.parent_id) : json(nullptr)},
          {"code", c.code},       {"name", c.name},
          {"name_zh", c.name_zh}, {"security", c.security},
          {"active", c.active},   {"sort_order", c.sort_order},
          {"version", c.version}};
}

json matrix_json(const tickets::PriorityMatrix& m, std::int64_t version) {
  return {{"impact_levels", m.impact_levels},
          {"urgency_levels", m.urgency_levels},
          {"cells", m.cells},
          {"version", version}};
}

json id_or_null(const std::optional<std::int64_t>& v) { return v ? json(*v) : json(nullptr); }

json settings_json(const tickets::TicketSettings& s) {
  return {{"auto_close_days", s.auto_close_days},
          {"service_desk_team_id", id_or_null(s.service_desk_team_id)},
          {"security_team_id", id_or_null(s.security_team_id)},
          {"operations_team_id", id_or_null(s.operations_team_id)},
          {"requesters_see_organisation", s.requesters_see_organisation},
          {"attachment_max_bytes", s.attachment_max_bytes},
          {"version", s.version}};
}

json conditions_json(const tickets::RuleConditions& c) {
  return {{"kinds", c.kinds},      {"category_ids", c.category_ids}, {"service_ids", c.service_ids},
          {"ci_ids", c.ci_ids},    {"priorities", c.priorities},     {"channels", c.channels},
          {"keywords", c.keywords}};
}

json rule_json(const tickets::AssignmentRule& r) {
  return {{"id", r.id},
          {"name", r.name},
          {"position", r.position},
          {"conditions", conditions_json(r.conditions)},
          {"team_id", r.team_id},
          {"active", r.active},
          {"created_at", time_json(r.created_at)},
          {"updated_at", time_json(r.updated_at)},
          {"version", r.version}};
}

json workflow_json(const tickets::Workflow& w) {
  json transitions = json::array();
  for (const auto& t : w.transitions) {
    transitions.push_back({{"from", t.from},
                           {"to", t.to},
                           {"required_fields", t.required_fields},
                           {"requester_may", t.requester_may}});
  }
  return {{"kind", w.kind},
          {"initial", w.initial},
          {"states", w.states},
          {"final_states", w.final_states},
          {"transitions", transitions}};
}

core::Result<tickets::RuleConditions> read_conditions(const Body& c) {
  tickets::RuleConditions out;
  auto strings = [&](const char* name, std::vector<std::string>& into) -> core::Status {
    YW_ASSIGN(auto v, c.opt_strings(name, 50));
    if (v) into = *v;
    return {};
  };
  auto ints = [&](const char* name, std::vector<std::int64_t>& into) -> core::Status {
    YW_ASSIGN(auto v, c.opt_ints(name, 200));
    if (v) into = *v;
    return {};
  };
  YW_TRY(strings("kinds", out.kinds));
  YW_TRY(ints("category_ids", out.category_ids));
  YW_TRY(ints("service_ids", out.service_ids));
  YW_TRY(ints("ci_ids", out.ci_ids));
  YW_TRY(strings("priorities", out.priorities));
  YW_TRY(strings("channels", out.channels));
  YW_TRY(strings("keywords", out.keywords));
  return out;
}

const std::vector<std::string_view> kConditionFields = {
    "kinds", "category_ids", "service_ids", "ci_ids", "priorities", "channels", "keywords"};

}  // namespace

void register_ticket_config_routes(Registry& r) {
  r.add("GET", "/api/v1/categories", Permission::kTicketsRead,
        "The ticket category tree (parents before children)",
        [](Ctx& ctx) -> core::Result<http::Response> {
          YW_ASSIGN(auto items, ctx.deps.categories.list());
          json out = json::array();
          for (const auto& c : items) out.push_back(category_json(c));
          return json_response(200, {{"items", out}});
        });

  r.add("POST", "/api/v1/categories", Permission::kTicketsAdmin,
        "Create a category (two levels: parent_id names a top-level one)",
        [](Ctx& ctx) -> core::Result<http::Response> {
          YW_ASSIGN(Body body, Body::parse(ctx.req, {"parent_id", "code", "name", "name_zh",
                                                     "security", "sort_order"}));
          tickets::NewCategory n;
          YW_ASSIGN(auto parent, body.opt_nullable_int("parent_id"));
          if (parent) n.parent_id = *parent;
          YW_ASSIGN(n.code, body.string("code", 64));
          YW_ASSIGN(n.name, body.string("name", 100));
          YW_ASSIGN(auto zh, body.opt_string("name_zh", 100));
          if (zh) n.name_zh = *zh;
          YW_ASSIGN(auto security, body.opt_bool("security"));
          if (security) n.security = *security;
          YW_ASSIGN(auto order, body.opt_int("sort_order"));
          if (order) {
            if (*order < -100000 || *order > 100000)
              return core::invalid("sort_order", "is out of range");
            n.sort_order = static_cast<int>(*order);
          }
          YW_ASSIGN(tickets::Category c, ctx.deps.categories.create(ctx.actor(), n));
          return json_response(201, category_json(c));
        });

  r.add("PATCH", "/api/v1/categories/{id}", Permission::kTicketsAdmin,
        "Update a category: names, security flag, active, sort order (send the version)",
        [](Ctx& ctx) -> core::Result<http::Response> {
          YW_ASSIGN(std::int64_t id, path_id(ctx.req));
          YW_ASSIGN(Body body, Body::parse(ctx.req, {"version", "name", "name_zh", "security",
                                                     "active", "sort_order"}));
          tickets::CategoryPatch p;
          YW_ASSIGN(p.version, expected_version(ctx, body));
          YW_ASSIGN(p.name, body.opt_string("name", 100, false));
          YW_ASSIGN(p.name_zh, body.opt_string("name_zh", 100));
          YW_ASSIGN(p.security, body.opt_bool("security"));
          YW_ASSIGN(p.active, body.opt_bool("active"));
          YW_ASSIGN(auto order, body.opt_int("sort_order"));
          if (order) {
            if (*order < -100000 || *order > 100000)
              return core::invalid("sort_order", "is out of range");
            p.sort_order = static_cast<int>(*order);
          }
          YW_ASSIGN(tickets::Category c, ctx.deps.categories.update(ctx.actor(), id, p));
          return json_response(200, category_json(c));
        });

  r.add("GET", "/api/v1/priority-matrix", Permission::kTicketsRead,
        "Impact x urgency -> priority, row-major by impact",
        [](Ctx& ctx) -> core::Result<http::Response> {
          YW_ASSIGN(auto m, ctx.deps.ticket_config.matrix());
          return json_response(200, matrix_json(m.first, m.second));
        });

  r.add("PUT", "/api/v1/priority-matrix", Permission::kTicketsAdmin,
        "Replace the priority matrix (send the version you read)",
        [](Ctx& ctx) -> core::Result<http::Response> {
          YW_ASSIGN(Body body,
                    Body::parse(ctx.req, {"impact_levels", "urgency_levels", "cells", "version"}));
          tickets::PriorityMatrix m;
          YW_ASSIGN(auto impact, body.opt_int("impact_levels"));
          YW_ASSIGN(auto urgency, body.opt_int("urgency_levels"));
          if (!impact) return core::invalid("impact_levels", "is required");
          if (!urgency) return core::invalid("urgency_levels", "is required");
          if (*impact < 2 || *impact > 5) return core::invalid("impact_levels", "must be 2 to 5");
          if (*urgency < 2 || *urgency > 5)
            return core::invalid("urgency_levels", "must be 2 to 5");
          m.impact_levels = static_cast<int>(*impact);
          m.urgency_levels = static_cast<int>(*urgency);
          YW_ASSIGN(auto cells, body.opt_strings("cells", 25));
          if (!cells) return core::invalid("cells", "is required");
          m.cells = *cells;
          YW_ASSIGN(std::int64_t version, expected_version(ctx, body));
          YW_ASSIGN(auto saved, ctx.deps.ticket_config.set_matrix(ctx.actor(), m, version));
          return json_response(200, matrix_json(saved.first, saved.second));
        });

  r.add("GET", "/api/v1/workflows", Permission::kTicketsRead,
        "The state machines of each ticket kind, pending reasons, resolution codes, and the "
        "limits a requester needs (attachment size, reopen period)",
        [](Ctx& ctx) -> core::Result<http::Response> {
          YW_ASSIGN(auto settings, ctx.deps.ticket_config.settings());
          return json_response(200, {{"attachment_max_bytes", settings.attachment_max_bytes},
                                     {"auto_close_days", settings.auto_close_days},
                                     {"items",
                                      {workflow_json(tickets::incident_workflow()),
                                       workflow_json(tickets::request_workflow())}},
                                     {"pending_reasons", tickets::pending_reasons()},
                                     {"resolution_codes", tickets::resolution_codes()}});
        });

  r.add("GET", "/api/v1/ticket-settings", Permission::kTicketsStaff,
        "Service desk settings: auto-close days, special teams, visibility, attachment limit",
        [](Ctx& ctx) -> core::Result<http::Response> {
          YW_ASSIGN(auto s, ctx.deps.ticket_config.settings());
          return json_response(200, settings_json(s));
        });

  r.add("PATCH", "/api/v1/ticket-settings", Permission::kTicketsAdmin,
        "Change service desk settings (send the version you read)",
        [](Ctx& ctx) -> core::Result<http::Response> {
          YW_ASSIGN(Body body,
                    Body::parse(ctx.req, {"version", "auto_close_days", "service_desk_team_id",
                                          "security_team_id", "operations_team_id",
                                          "requesters_see_organisation", "attachment_max_bytes"}));
          tickets::SettingsPatch p;
          YW_ASSIGN(p.version, expected_version(ctx, body));
          YW_ASSIGN(auto days, body.opt_int("auto_close_days"));
          if (days) {
            if (*days < 0 || *days > 365)
              return core::invalid("auto_close_days", "must be between 0 and 365");
            p.auto_close_days = static_cast<int>(*days);
          }
          YW_ASSIGN(p.service_desk_team_id, body.opt_nullable_int("service_desk_team_id"));
          YW_ASSIGN(p.security_team_id, body.opt_nullable_int("security_team_id"));
          YW_ASSIGN(p.operations_team_id, body.opt_nullable_int("operations_team_id"));
          YW_ASSIGN(p.requesters_see_organisation, body.opt_bool("requesters_see_organisation"));
          YW_ASSIGN(p.attachment_max_bytes, body.opt_int("attachment_max_bytes"));
          YW_ASSIGN(auto s, ctx.deps.ticket_config.update_settings(ctx.actor(), p));
          return json_response(200, settings_json(s));
        });

  r.add("GET", "/api/v1/assignment-rules", Permission::kTicketsStaff,
        "Assignment rules in evaluation order", [](Ctx& ctx) -> core::Result<http::Response> {
          YW_ASSIGN(auto rules, ctx.deps.dispatch.list_rules());
          json out = json::array();
          for (const auto& rule : rules) out.push_back(rule_json(rule));
          return json_response(200, {{"items", out}});
        });

  r.add("POST", "/api/v1/assignment-rules", Permission::kTicketsAdmin,
        "Create an assignment rule: conditions -> team",
        [](Ctx& ctx) -> core::Result<http::Response> {
          YW_ASSIGN(Body body,
                    Body::parse(ctx.req, {"name", "position", "conditions", "team_id", "active"}));
          tickets::NewRule n;
          YW_ASSIGN(n.name, body.string("name", 100));
          YW_ASSIGN(auto position, body.opt_int("position"));
          if (position) {
            if (*position < 0 || *position > 1000000)
              return core::invalid("position", "must be between 0 and 1000000");
            n.position = static_cast<int>(*position);
          }
          YW_ASSIGN(auto conditions, body.opt_object("conditions", kConditionFields));
          if (conditions) {
            YW_ASSIGN(n.conditions, read_conditions(*conditions));
          }
          YW_ASSIGN(auto team, body.opt_int("team_id"));
          if (!team) return core::invalid("team_id", "is required");
          n.team_id = *team;
          YW_ASSIGN(auto active, body.opt_bool("active"));
          if (active) n.active = *active;
          YW_ASSIGN(tickets::AssignmentRule rule, ctx.deps.dispatch.create_rule(ctx.actor(), n));
          return json_response(201, rule_json(rule));
        });

  r.add("PATCH", "/api/v1/assignment-rules/{id}", Permission::kTicketsAdmin,
        "Update an assignment rule (send the version you read)",
        [](Ctx& ctx) -> core::Result<http::Response> {
          YW_ASSIGN(std::int64_t id, path_id(ctx.req));
          YW_ASSIGN(Body body, Body::parse(ctx.req, {"version", "name", "position", "conditions",
                                                     "team_id", "active"}));
          tickets::RulePatch p;
          YW_ASSIGN(p.version, expected_version(ctx, body));
          YW_ASSIGN(p.name, body.opt_string("name", 100, false));
          YW_ASSIGN(auto position, body.opt_int("position"));
          if (position) {
            if (*position < 0 || *position > 1000000)
              return core::invalid("position", "must be between 0 and 1000000");
            p.position = static_cast<int>(*position);
          }
          YW_ASSIGN(auto conditions, body.opt_object("conditions", kConditionFields));
          if (conditions) {
            YW_ASSIGN(tickets::RuleConditions c, read_conditions(*conditions));
            p.conditions = c;
          }
          YW_ASSIGN(p.team_id, body.opt_int("team_id"));
          YW_ASSIGN(p.active, body.opt_bool("active"));
          YW_ASSIGN(tickets::AssignmentRule rule,
                    ctx.deps.dispatch.update_rule(ctx.actor(), id, p));
          return json_response(200, rule_json(rule));
        });

  r.add("DELETE", "/api/v1/assignment-rules/{id}", Permission::kTicketsAdmin,
        "Delete an assignment rule", [](Ctx& ctx) -> core::Result<http::Response> {
          YW_ASSIGN(std::int64_t id, path_id(ctx.req));
          YW_TRY(Body::parse(ctx.req, {}, true));
          YW_TRY(ctx.deps.dispatch.delete_rule(ctx.actor(), id));
          return no_content();
        });

  r.add("GET", "/api/v1/dispatch-strategies", Permission::kTicketsStaff,
        "How each active team hands tickets to its members",
        [](Ctx& ctx) -> core::Result<http::Response> {
          YW_ASSIGN(auto items, ctx.deps.dispatch.strategies());
          json out = json::array();
          for (const auto& d : items) {
            out.push_back({{"team_id", d.team_id},
                           {"strategy", d.strategy},
                           {"last_user_id", id_or_null(d.last_user_id)}});
          }
          return json_response(200, {{"items", out}});
        });

  r.add("PUT", "/api/v1/teams/{id}/dispatch", Permission::kTicketsAdmin,
        "Set a team's dispatch strategy: manual, round_robin or least_open",
        [](Ctx& ctx) -> core::Result<http::Response> {
          YW_ASSIGN(std::int64_t id, path_id(ctx.req));
          YW_ASSIGN(Body body, Body::parse(ctx.req, {"strategy"}));
          YW_ASSIGN(std::string strategy, body.string("strategy", 20));
          YW_ASSIGN(tickets::TeamDispatch d,
                    ctx.deps.dispatch.set_strategy(ctx.actor(), id, strategy));
          return json_response(200, {{"team_id", d.team_id}, {"strategy", d.strategy}});
        });
}

}  // namespace yunwei::api
