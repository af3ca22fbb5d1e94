#include "api/internal.h"
#include "core/json_writer.h"
#include "identity/user_service.h"

namespace yunwei::api {

using identity::Permission;

void write_user_fields(JsonWriter& w, const identity::User& u) {
  w.key("id").value(u.id);
  w.key("username").value(u.username);
  w.key("display_name").value(u.display_name);
  w.key("email").value(u.email);
  w.key("phone").value(u.phone);
  w.key("locale").value(u.locale);
  w.key("time_zone").value(u.time_zone);
  w.key("organisation").value(u.organisation);
  w.key("roles").value(identity::role_names(u.roles));
  w.key("active").value(u.active);
  w.key("has_password").value(u.has_password);
  w.key("team_ids").value(u.team_ids);
  w.key("created_at").value(core::format_iso8601(u.created_at));
  w.key("updated_at").value(core::format_iso8601(u.updated_at));
  w.key("version").value(u.version);
}

std::string user_json(const identity::User& u) {
  JsonWriter w;
  w.begin_object();
  write_user_fields(w, u);
  w.end_object();
  return w.take();
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
  return http::Response::json(200, user_json(u));
}

}  // namespace

void register_user_routes(Registry& r) {
  r.add("GET", "/api/v1/users", Permission::kUsersRead,
        "List users (q, role, active, team_id, sort, limit, cursor)",
        [](Ctx& ctx) -> core::Result<http::Response> {
          identity::UserQuery q;
          YW_TRY(read_list_params(ctx.req, q));
          YW_ASSIGN(q.active, query_bool(ctx.req, "active"));
          YW_ASSIGN(q.team_id, query_int(ctx.req, "team_id"));
          YW_ASSIGN(std::string role, query_string(ctx.req, "role", 20));
          if (!role.empty()) {
            q.role = identity::parse_role(role);
            if (!q.role) return core::invalid("role", "unknown role");
          }
          YW_ASSIGN(auto page, ctx.deps.users.list(q));
          JsonWriter w;
          w.begin_object().key("items").begin_array();
          for (const auto& u : page.items) {
            w.begin_object();
            write_user_fields(w, u);
            w.end_object();
          }
          w.end_array().key("next_cursor");
          if (page.next_cursor) {
            w.value(*page.next_cursor);
          } else {
            w.null();
          }
          return http::Response::json(200, w.end_object().take());
        });

  r.add("POST", "/api/v1/users", Permission::kUsersWrite, "Create a user",
        [](Ctx& ctx) -> core::Result<http::Response> {
          YW_ASSIGN(Body body,
                    Body::parse(ctx.req, {"username", "display_name", "email", "phone", "locale",
                                          "time_zone", "organisation", "roles", "password"}));
          identity::NewUser n;
          YW_ASSIGN(n.username, body.string("username", 64));
          YW_ASSIGN(n.display_name, body.string("display_name", 100));
          YW_ASSIGN(auto email, body.opt_string("email", 254));
          YW_ASSIGN(auto phone, body.opt_string("phone", 32));
          YW_ASSIGN(auto locale, body.opt_string("locale", 16, false));
          YW_ASSIGN(auto tz, body.opt_string("time_zone", 64, false));
          YW_ASSIGN(auto organisation, body.opt_string("organisation", 100));
          YW_ASSIGN(auto roles, body.opt_strings("roles", 10));
          YW_ASSIGN(n.password, body.opt_string("password", 256, false));
          if (email) n.email = *email;
          if (phone) n.phone = *phone;
          if (locale) n.locale = *locale;
          if (tz) n.time_zone = *tz;
          if (organisation) n.organisation = *organisation;
          if (!roles) return core::invalid("roles", "is required, e.g. [\"agent\"]");
          n.roles = *roles;
          YW_ASSIGN(identity::User u, ctx.deps.users.create(ctx.actor(), n));
          http::Response res = http::Response::json(201, user_json(u));
          res.set_header("location", "/api/v1/users/" + std::to_string(u.id));
          return res;
        });

  r.add("GET", "/api/v1/users/{id}", Permission::kUsersRead, "Get a user",
        [](Ctx& ctx) -> core::Result<http::Response> {
          YW_ASSIGN(std::int64_t id, path_id(ctx.req));
          YW_ASSIGN(identity::User u, ctx.deps.users.get(id));
          return http::Response::json(200, user_json(u));
        });

  r.add("PATCH", "/api/v1/users/{id}", Permission::kUsersWrite,
        "Update a user (send the version you read)", [](Ctx& ctx) -> core::Result<http::Response> {
          YW_ASSIGN(std::int64_t id, path_id(ctx.req));
          YW_ASSIGN(Body body,
                    Body::parse(ctx.req, {"display_name", "email", "phone", "locale", "time_zone",
                                          "organisation", "roles", "version"}));
          identity::UserPatch p;
          YW_ASSIGN(p.version, expected_version(ctx, body));
          YW_ASSIGN(p.display_name, body.opt_string("display_name", 100, false));
          YW_ASSIGN(p.email, body.opt_string("email", 254));
          YW_ASSIGN(p.phone, body.opt_string("phone", 32));
          YW_ASSIGN(p.locale, body.opt_string("locale", 16, false));
          YW_ASSIGN(p.time_zone, body.opt_string("time_zone", 64, false));
          YW_ASSIGN(p.organisation, body.opt_string("organisation", 100));
          YW_ASSIGN(p.roles, body.opt_strings("roles", 10));
          YW_ASSIGN(identity::User u, ctx.deps.users.update(ctx.actor(), id, p));
          return http::Response::json(200, user_json(u));
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
          return http::Response::json(200, user_json(u));
        });
}

}  // namespace yunwei::api
