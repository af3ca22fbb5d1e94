#include "api/internal.h"
#include "identity/user_service.h"

namespace yunwei::api {

using identity::Permission;

json user_json(const identity::User& u) {
  return {{"id", u.id},
          {"username", u.username},
          {"display_name", u.display_name},
          {"email", u.email},
          {"phone", u.phone},
          {"locale", u.locale},
          {"time_zone", u.time_zone},
          {"roles", identity::role_names(u.roles)},
          {"active", u.active},
          {"has_password", u.has_password},
          {"team_ids", u.team_ids},
          {"created_at", time_json(u.created_at)},
          {"updated_at", time_json(u.updated_at)},
          {"version", u.version}};
}

namespace {

core::Result<std::optional<std::int64_t>> optional_version(const Ctx& ctx, const Body& body) {
  if (!body.has("version") && !ctx.req.header("if-match")) return std::optional<std::int64_t>{};
  YW_ASSIGN(std::int64_t v, expected_version(ctx, body));
  return std::optional<std::int64_t>{v};
}

core::Result<http::Response> set_active(Ctx& ctx, bool active) {
  YW_ASSIGN(std::int64_t id, path_id(ctx.req));
  YW_ASSIGN(Body body, Body::parse(ctx.req, {"version"}, true));
  YW_ASSIGN(auto version, optional_version(ctx, body));
  YW_ASSIGN(identity::User u, ctx.deps.users.set_active(ctx.actor(), id, active, version));
  return json_response(200, user_json(u));
}

}  // namespace

void register_user_routes(Registry& r) {
  r.add("GET", "/api/v1/users", Permission::kUsersRead,
        "List users (q, role, active, team_id, sort, limit, cursor)",
        [](Ctx& ctx) -> core::Result<http::Response> {
          identity::UserQuery q;
          YW_ASSIGN(q.limit, query_limit(ctx.req));
          YW_ASSIGN(q.q, query_string(ctx.req, "q"));
          YW_ASSIGN(q.cursor, query_string(ctx.req, "cursor", 500));
          YW_ASSIGN(std::string sort, query_string(ctx.req, "sort", 50));
          if (!sort.empty()) q.sort = sort;
          YW_ASSIGN(q.active, query_bool(ctx.req, "active"));
          YW_ASSIGN(q.team_id, query_int(ctx.req, "team_id"));
          YW_ASSIGN(std::string role, query_string(ctx.req, "role", 20));
          if (!role.empty()) {
            q.role = identity::parse_role(role);
            if (!q.role) return core::invalid("role", "unknown role");
          }
          YW_ASSIGN(auto page, ctx.deps.users.list(q));
          json items = json::array();
          for (const auto& u : page.items) items.push_back(user_json(u));
          return json_response(200, {{"items", items},
                                     {"next_cursor", page.next_cursor ? json(*page.next_cursor)
                                                                      : json(nullptr)}});
        });

  r.add("POST", "/api/v1/users", Permission::kUsersWrite, "Create a user",
        [](Ctx& ctx) -> core::Result<http::Response> {
          YW_ASSIGN(Body body, Body::parse(ctx.req, {"username", "display_name", "email", "phone",
                                                     "locale", "time_zone", "roles", "password"}));
          identity::NewUser n;
          YW_ASSIGN(n.username, body.string("username", 64));
          YW_ASSIGN(n.display_name, body.string("display_name", 100));
          YW_ASSIGN(auto email, body.opt_string("email", 254));
          YW_ASSIGN(auto phone, body.opt_string("phone", 32));
          YW_ASSIGN(auto locale, body.opt_string("locale", 16, false));
          YW_ASSIGN(auto tz, body.opt_string("time_zone", 64, false));
          YW_ASSIGN(auto roles, body.opt_strings("roles", 10));
          YW_ASSIGN(n.password, body.opt_string("password", 256, false));
          if (email) n.email = *email;
          if (phone) n.phone = *phone;
          if (locale) n.locale = *locale;
          if (tz) n.time_zone = *tz;
          if (!roles) return core::invalid("roles", "is required, e.g. [\"agent\"]");
          n.roles = *roles;
          YW_ASSIGN(identity::User u, ctx.deps.users.create(ctx.actor(), n));
          http::Response res = json_response(201, user_json(u));
          res.set_header("location", "/api/v1/users/" + std::to_string(u.id));
          return res;
        });

  r.add("GET", "/api/v1/users/{id}", Permission::kUsersRead, "Get a user",
        [](Ctx& ctx) -> core::Result<http::Response> {
          YW_ASSIGN(std::int64_t id, path_id(ctx.req));
          YW_ASSIGN(identity::User u, ctx.deps.users.get(id));
          return json_response(200, user_json(u));
        });

  r.add("PATCH", "/api/v1/users/{id}", Permission::kUsersWrite,
        "Update a user (send the version you read)",
        [](Ctx& ctx) -> core::Result<http::Response> {
          YW_ASSIGN(std::int64_t id, path_id(ctx.req));
          YW_ASSIGN(Body body, Body::parse(ctx.req, {"display_name", "email", "phone", "locale",
                                                     "time_zone", "roles", "version"}));
          identity::UserPatch p;
          YW_ASSIGN(p.version, expected_version(ctx, body));
          YW_ASSIGN(p.display_name, body.opt_string("display_name", 100, false));
          YW_ASSIGN(p.email, body.opt_string("email", 254));
          YW_ASSIGN(p.phone, body.opt_string("phone", 32));
          YW_ASSIGN(p.locale, body.opt_string("locale", 16, false));
          YW_ASSIGN(p.time_zone, body.opt_string("time_zone", 64, false));
          YW_ASSIGN(p.roles, body.opt_strings("roles", 10));
          YW_ASSIGN(identity::User u, ctx.deps.users.update(ctx.actor(), id, p));
          return json_response(200, user_json(u));
        });

  r.add("POST", "/api/v1/users/{id}/deactivate", Permission::kUsersWrite,
        "Deactivate a user: ends sessions and revokes tokens",
        [](Ctx& ctx) { return set_active(ctx, false); });
  r.add("POST", "/api/v1/users/{id}/activate", Permission::kUsersWrite, "Reactivate a user",
        [](Ctx& ctx) { return set_active(ctx, true); });

  r.add("POST", "/api/v1/users/{id}/password", Permission::kUsersWrite,
        "Set a user's password (admin reset); ends their sessions",
        [](Ctx& ctx) -> core::Result<http::Response> {
          YW_ASSIGN(std::int64_t id, path_id(ctx.req));
          YW_ASSIGN(Body body, Body::parse(ctx.req, {"password"}));
          YW_ASSIGN(std::string password, body.string("password", 256));
          // An admin resetting their own password keeps the session they are using.
          std::optional<std::int64_t> keep;
          if (id == ctx.principal->user_id) keep = ctx.principal->session_id;
          YW_ASSIGN(identity::User u, ctx.deps.users.set_password(ctx.actor(), id, password, keep));
          return json_response(200, user_json(u));
        });
}

}  // namespace yunwei::api
