#include "api/internal.h"
#include "identity/team_service.h"

namespace yunwei::api {

using identity::Permission;

json team_json(const identity::Team& t) {
  return {{"id", t.id},
          {"name", t.name},
          {"name_zh", t.name_zh},
          {"description", t.description},
          {"lead_id", t.lead_id ? json(*t.lead_id) : json(nullptr)},
          {"active", t.active},
          {"member_ids", t.member_ids},
          {"created_at", time_json(t.created_at)},
          {"updated_at", time_json(t.updated_at)},
          {"version", t.version}};
}

namespace {

core::Result<http::Response> set_active(Ctx& ctx, bool active) {
  YW_ASSIGN(std::int64_t id, path_id(ctx.req));
  YW_ASSIGN(Body body, Body::parse(ctx.req, {"version"}, true));
  std::optional<std::int64_t> version;
  if (body.has("version") || ctx.req.header("if-match")) {
    YW_ASSIGN(std::int64_t v, expected_version(ctx, body));
    version = v;
  }
  YW_ASSIGN(identity::Team t, ctx.deps.teams.set_active(ctx.actor(), id, active, version));
  return json_response(200, team_json(t));
}

}  // namespace

void register_team_routes(Registry& r) {
  r.add("GET", "/api/v1/teams", Permission::kUsersRead,
        "List teams (q, active, member_id, sort, limit, cursor)",
        [](Ctx& ctx) -> core::Result<http::Response> {
          identity::TeamQuery q;
          YW_TRY(read_list_params(ctx.req, q));
          YW_ASSIGN(q.active, query_bool(ctx.req, "active"));
          YW_ASSIGN(q.member_id, query_int(ctx.req, "member_id"));
          YW_ASSIGN(auto page, ctx.deps.teams.list(q));
          json items = json::array();
          for (const auto& t : page.items) items.push_back(team_json(t));
          return json_response(
              200, {{"items", items},
                    {"next_cursor", page.next_cursor ? json(*page.next_cursor) : json(nullptr)}});
        });

  r.add("POST", "/api/v1/teams", Permission::kUsersWrite, "Create a team",
        [](Ctx& ctx) -> core::Result<http::Response> {
          YW_ASSIGN(Body body, Body::parse(ctx.req, {"name", "name_zh", "description", "lead_id",
                                                     "member_ids"}));
          identity::NewTeam n;
          YW_ASSIGN(n.name, body.string("name", 100));
          YW_ASSIGN(auto name_zh, body.opt_string("name_zh", 100));
          YW_ASSIGN(auto description, body.opt_string("description", 2000));
          YW_ASSIGN(auto lead, body.opt_nullable_int("lead_id"));
          YW_ASSIGN(auto members, body.opt_ints("member_ids"));
          if (name_zh) n.name_zh = *name_zh;
          if (description) n.description = *description;
          if (lead) n.lead_id = *lead;
          if (members) n.member_ids = *members;
          YW_ASSIGN(identity::Team t, ctx.deps.teams.create(ctx.actor(), n));
          http::Response res = json_response(201, team_json(t));
          res.set_header("location", "/api/v1/teams/" + std::to_string(t.id));
          return res;
        });

  r.add("GET", "/api/v1/teams/{id}", Permission::kUsersRead, "Get a team",
        [](Ctx& ctx) -> core::Result<http::Response> {
          YW_ASSIGN(std::int64_t id, path_id(ctx.req));
          YW_ASSIGN(identity::Team t, ctx.deps.teams.get(id));
          return json_response(200, team_json(t));
        });

  r.add("PATCH", "/api/v1/teams/{id}", Permission::kUsersWrite,
        "Update a team: names, description, lead, members (send the version you read)",
        [](Ctx& ctx) -> core::Result<http::Response> {
          YW_ASSIGN(std::int64_t id, path_id(ctx.req));
          YW_ASSIGN(Body body, Body::parse(ctx.req, {"name", "name_zh", "description", "lead_id",
                                                     "member_ids", "version"}));
          identity::TeamPatch p;
          YW_ASSIGN(p.version, expected_version(ctx, body));
          YW_ASSIGN(p.name, body.opt_string("name", 100, false));
          YW_ASSIGN(p.name_zh, body.opt_string("name_zh", 100));
          YW_ASSIGN(p.description, body.opt_string("description", 2000));
          YW_ASSIGN(p.lead_id, body.opt_nullable_int("lead_id"));
          YW_ASSIGN(p.member_ids, body.opt_ints("member_ids"));
          YW_ASSIGN(identity::Team t, ctx.deps.teams.update(ctx.actor(), id, p));
          return json_response(200, team_json(t));
        });

  r.add("POST", "/api/v1/teams/{id}/deactivate", Permission::kUsersWrite, "Deactivate a team",
        [](Ctx& ctx) { return set_active(ctx, false); });
  r.add("POST", "/api/v1/teams/{id}/activate", Permission::kUsersWrite, "Reactivate a team",
        [](Ctx& ctx) { return set_active(ctx, true); });
}

}  // namespace yunwei::api
