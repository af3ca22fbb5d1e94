#include "api/internal.h"
#include "core/json_writer.h"
#include "identity/user_service.h"

namespace yunwei::api {
namespace {

using identity::Permission;

json token_json(const identity::ApiToken& t, core::TimeMs now) {
  bool expired = t.expires_at && *t.expires_at <= now;
  return {{"id", t.id},
          {"name", t.name},
          {"prefix", t.prefix},
          {"created_at", time_json(t.created_at)},
          {"expires_at", opt_time_json(t.expires_at)},
          {"last_used_at", opt_time_json(t.last_used_at)},
          {"revoked_at", opt_time_json(t.revoked_at)},
          {"expired", expired},
          {"active", !t.revoked_at && !expired},
          {"version", t.version}};
}

std::string session_cookie(const std::string& value, std::int64_t max_age_s, bool secure) {
  std::string c = "yw_session=" + value +
                  "; Path=/; HttpOnly; SameSite=Lax; Max-Age=" + std::to_string(max_age_s);
  if (secure) c += "; Secure";
  return c;
}

// Writes the caller's profile object (user, permissions, the session's CSRF token).
core::Status write_me(Ctx& ctx, const identity::Principal& principal, JsonWriter& w) {
  YW_ASSIGN(identity::User u, ctx.deps.users.get(principal.user_id));
  w.begin_object();
  write_user_fields(w, u);
  w.key("permissions").begin_object();
  w.key("users_read").value(identity::allows(u.roles, Permission::kUsersRead));
  w.key("users_write").value(identity::allows(u.roles, Permission::kUsersWrite));
  w.key("audit_read").value(identity::allows(u.roles, Permission::kAuditRead));
  w.key("tickets_read").value(identity::allows(u.roles, Permission::kTicketsRead));
  w.key("tickets_create").value(identity::allows(u.roles, Permission::kTicketsCreate));
  w.key("tickets_staff").value(identity::allows(u.roles, Permission::kTicketsStaff));
  w.key("tickets_work").value(identity::allows(u.roles, Permission::kTicketsWork));
  w.key("tickets_admin").value(identity::allows(u.roles, Permission::kTicketsAdmin));
  w.key("sla_read").value(identity::allows(u.roles, Permission::kSlaRead));
  w.key("sla_admin").value(identity::allows(u.roles, Permission::kSlaAdmin));
  w.key("cmdb_read").value(identity::allows(u.roles, Permission::kCmdbRead));
  w.key("cmdb_write").value(identity::allows(u.roles, Permission::kCmdbWrite));
  w.key("cmdb_admin").value(identity::allows(u.roles, Permission::kCmdbAdmin));
  w.key("changes_read").value(identity::allows(u.roles, Permission::kChangesRead));
  w.key("changes_approve").value(identity::allows(u.roles, Permission::kChangesApprove));
  w.key("changes_admin").value(identity::allows(u.roles, Permission::kChangesAdmin));
  w.end_object();
  if (principal.session_id) w.key("csrf_token").value(principal.csrf_token);
  w.end_object();
  return {};
}

core::Result<http::Response> me(Ctx& ctx) {
  JsonWriter w;
  YW_TRY(write_me(ctx, *ctx.principal, w));
  return http::Response::json(200, w.take());
}

}  // namespace

void register_auth_routes(Registry& r) {
  r.add_public(
      "POST", "/api/v1/auth/login", "Log in with username and password; sets the session cookie",
      [](Ctx& ctx) -> core::Result<http::Response> {
        YW_ASSIGN(Body body, Body::parse(ctx.req, {"username", "password"}));
        YW_ASSIGN(std::string username, body.string("username", 64));
        YW_ASSIGN(std::string password, body.string("password", 256));
        std::string ua(ctx.req.header("user-agent").value_or(""));
        YW_ASSIGN(
            identity::LoginResult login,
            ctx.deps.auth.login(username, password, ctx.req.remote_addr, ua, ctx.req.request_id));
        YW_ASSIGN(identity::User u, ctx.deps.users.get(login.user_id));
        JsonWriter w;
        w.begin_object().key("user").raw(user_json(u));
        w.key("csrf_token").value(login.csrf_token);
        w.key("expires_at").value(core::format_iso8601(login.expires_at));
        http::Response res = http::Response::json(200, w.end_object().take());
        std::int64_t max_age = (login.expires_at - ctx.deps.clock.now_ms()) / 1000;
        res.set_header("set-cookie",
                       session_cookie(login.session_token, max_age, ctx.deps.cookie_secure));
        return res;
      });

  r.add_public("GET", "/api/v1/auth/session",
               "Whether the caller has a live session (never 401); the web UI's start-up probe",
               [](Ctx& ctx) -> core::Result<http::Response> {
                 std::string cookie = ctx.req.cookie("yw_session");
                 if (!cookie.empty()) {
                   auto p = ctx.deps.auth.authenticate_session(cookie);
                   if (p.ok()) {
                     JsonWriter w;
                     w.begin_object().key("authenticated").value(true).key("user");
                     YW_TRY(write_me(ctx, *p, w));
                     w.key("csrf_token").value(p->csrf_token);
                     return http::Response::json(200, w.end_object().take());
                   }
                   if (p.error().code != core::ErrorCode::kUnauthenticated) return p.error();
                 }
                 return http::Response::json(200, R"({"authenticated":false})");
               });

  r.add("POST", "/api/v1/auth/logout", Permission::kSelf, "End the current session",
        [](Ctx& ctx) -> core::Result<http::Response> {
          YW_TRY(Body::parse(ctx.req, {}, true));  // takes no fields: refuse any body
          YW_TRY(ctx.deps.auth.logout(*ctx.principal, ctx.req.request_id));
          http::Response res = no_content();
          res.set_header("set-cookie", session_cookie("", 0, ctx.deps.cookie_secure));
          return res;
        });

  r.add("GET", "/api/v1/me", Permission::kSelf, "The caller's profile, roles and teams", me);

  r.add("PATCH", "/api/v1/me", Permission::kSelf, "Update the caller's own profile",
        [](Ctx& ctx) -> core::Result<http::Response> {
          YW_ASSIGN(Body body, Body::parse(ctx.req, {"display_name", "email", "phone", "locale",
                                                     "time_zone", "version"}));
          identity::UserPatch p;
          YW_ASSIGN(p.version, expected_version(ctx, body));
          YW_ASSIGN(p.display_name, body.opt_string("display_name", 100, false));
          YW_ASSIGN(p.email, body.opt_string("email", 254));
          YW_ASSIGN(p.phone, body.opt_string("phone", 32));
          YW_ASSIGN(p.locale, body.opt_string("locale", 16, false));
          YW_ASSIGN(p.time_zone, body.opt_string("time_zone", 64, false));
          YW_TRY(ctx.deps.users.update(ctx.actor(), ctx.principal->user_id, p));
          return me(ctx);
        });

  r.add("POST", "/api/v1/me/password", Permission::kSelf,
        "Change the caller's password (other sessions end)",
        [](Ctx& ctx) -> core::Result<http::Response> {
          YW_ASSIGN(Body body, Body::parse(ctx.req, {"current_password", "new_password"}));
          YW_ASSIGN(std::string current, body.string("current_password", 256));
          YW_ASSIGN(std::string next, body.string("new_password", 256));
          YW_TRY(identity::check_password_policy(next, "new_password"));
          // Re-checking the current password goes through login's throttle and audit.
          auto check = ctx.deps.auth.verify_password(ctx.principal->username, current,
                                                     ctx.req.remote_addr, ctx.req.request_id);
          if (!check.ok()) {
            core::Error e = check.error();
            if (e.code == core::ErrorCode::kUnauthenticated) {
              return core::invalid("current_password", "is wrong");
            }
            return e;
          }
          YW_TRY(ctx.deps.users.set_password(ctx.actor(), ctx.principal->user_id, next,
                                             ctx.principal->session_id));
          return no_content();
        });

  r.add("GET", "/api/v1/me/tokens", Permission::kSelf, "The caller's API tokens",
        [](Ctx& ctx) -> core::Result<http::Response> {
          YW_ASSIGN(auto tokens, ctx.deps.auth.list_tokens(ctx.principal->user_id));
          json items = json::array();
          for (const auto& t : tokens) items.push_back(token_json(t, ctx.deps.clock.now_ms()));
          return json_response(200, {{"items", items}, {"next_cursor", nullptr}});
        });

  r.add("POST", "/api/v1/me/tokens", Permission::kSelf,
        "Create an API token; the secret is in this response only",
        [](Ctx& ctx) -> core::Result<http::Response> {
          YW_ASSIGN(Body body, Body::parse(ctx.req, {"name", "expires_at"}));
          YW_ASSIGN(std::string name, body.string("name", 100));
          YW_ASSIGN(auto expires, body.opt_time("expires_at"));
          YW_ASSIGN(identity::CreatedToken t,
                    ctx.deps.auth.create_token(ctx.actor(), ctx.principal->user_id, name, expires));
          json j = token_json(t.token, ctx.deps.clock.now_ms());
          j["token"] = t.secret;
          return json_response(201, j);
        });

  r.add("DELETE", "/api/v1/me/tokens/{id}", Permission::kSelf, "Revoke one of the caller's tokens",
        [](Ctx& ctx) -> core::Result<http::Response> {
          YW_ASSIGN(std::int64_t id, path_id(ctx.req));
          YW_TRY(Body::parse(ctx.req, {}, true));  // takes no fields: refuse any body
          YW_ASSIGN(identity::ApiToken t,
                    ctx.deps.auth.revoke_token(ctx.actor(), ctx.principal->user_id, id));
          return json_response(200, token_json(t, ctx.deps.clock.now_ms()));
        });
}

}  // namespace yunwei::api
