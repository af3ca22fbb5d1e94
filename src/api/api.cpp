#include "api/api.h"

#include <spdlog/spdlog.h>

#include "api/internal.h"
#include "api/metrics.h"
#include "core/crypto.h"
#include "http/assets.h"
#include "http/router.h"

namespace yunwei::api {

void Registry::add_public(std::string method, std::string pattern, std::string summary,
                          RouteFn fn) {
  entries.push_back({RouteSpec{std::move(method), std::move(pattern), true,
                               identity::Permission::kSelf, std::move(summary)},
                     std::move(fn)});
}

void Registry::add(std::string method, std::string pattern, identity::Permission permission,
                   std::string summary, RouteFn fn) {
  entries.push_back(
      {RouteSpec{std::move(method), std::move(pattern), false, permission, std::move(summary)},
       std::move(fn)});
}

http::Response json_response(int status, const json& body) {
  return http::Response::json(status, body.dump(-1, ' ', false, json::error_handler_t::replace));
}

http::Response no_content() {
  http::Response r;
  r.status = 204;
  r.content_type.clear();
  return r;
}

int status_for(core::ErrorCode code) {
  using core::ErrorCode;
  switch (code) {
    case ErrorCode::kInvalidArgument:
      return 400;
    case ErrorCode::kUnauthenticated:
      return 401;
    case ErrorCode::kForbidden:
      return 403;
    case ErrorCode::kNotFound:
      return 404;
    case ErrorCode::kMethodNotAllowed:
      return 405;
    case ErrorCode::kConflict:
      return 409;
    case ErrorCode::kPreconditionFailed:
      return 412;
    case ErrorCode::kPayloadTooLarge:
      return 413;
    case ErrorCode::kUnsupportedMedia:
      return 415;
    case ErrorCode::kUnprocessable:
      return 422;
    case ErrorCode::kTooManyRequests:
      return 429;
    case ErrorCode::kUnavailable:
      return 503;
    case ErrorCode::kInternal:
      return 500;
  }
  return 500;
}

json time_json(core::TimeMs t) { return core::format_iso8601(t); }

json opt_time_json(const std::optional<core::TimeMs>& t) {
  return t ? json(core::format_iso8601(*t)) : json(nullptr);
}

core::Result<std::int64_t> expected_version(const Ctx& ctx, const Body& body) {
  auto v = body.opt_int("version");
  if (!v.ok()) return std::move(v).error();
  if (*v) return **v;
  if (auto im = ctx.req.header("if-match")) {
    std::string_view s = *im;
    if (s.rfind("W/", 0) == 0) s.remove_prefix(2);
    if (s.size() >= 2 && s.front() == '"' && s.back() == '"') s = s.substr(1, s.size() - 2);
    try {
      size_t used = 0;
      std::int64_t n = std::stoll(std::string(s), &used);
      if (used == s.size()) return n;
    } catch (const std::exception&) {
    }
    return core::invalid("version", "If-Match must hold the record version");
  }
  return core::invalid("version", "is required: send the version you read (or If-Match)");
}

namespace {

bool is_write(const std::string& method) {
  return method != "GET" && method != "HEAD" && method != "OPTIONS";
}

http::Response error_response(const core::Error& e, const http::Request& req) {
  int status = status_for(e.code);
  if (status >= 500) {
    spdlog::error("request {} {} {}: {}", req.request_id, req.method, req.path, e.message);
    if (status == 500) {
      return http::Response::error(
          500, "internal", "internal error; see the server log for request " + req.request_id);
    }
  }
  http::Response r =
      http::Response::error(status, core::error_code_name(e.code), e.message, e.field);
  if (status == 429 && e.retry_after_s > 0)
    r.set_header("retry-after", std::to_string(e.retry_after_s));
  if (status == 401) r.set_header("www-authenticate", "Bearer realm=\"yunwei\"");
  return r;
}

}  // namespace

struct Api::Impl {
  explicit Impl(Deps d) : deps(std::move(d)) {}
  Deps deps;
  http::Router router;
  std::vector<RouteSpec> specs;
  std::unique_ptr<Metrics> metrics;
  http::AssetHandler assets;

  core::Result<identity::Principal> authenticate(const http::Request& req) {
    if (auto authz = req.header("authorization")) {
      std::string_view v = *authz;
      if (v.size() > 7 && (v.substr(0, 7) == "Bearer " || v.substr(0, 7) == "bearer ")) {
        return deps.auth.authenticate_token(v.substr(7));
      }
      return core::Error{core::ErrorCode::kUnauthenticated, "use Authorization: Bearer <token>"};
    }
    std::string cookie = req.cookie("yw_session");
    if (cookie.empty()) {
      return core::Error{core::ErrorCode::kUnauthenticated, "log in or send an API token"};
    }
    auto p = deps.auth.authenticate_session(cookie);
    if (!p.ok()) return p;
    if (is_write(req.method)) {
      auto csrf = req.header("x-csrf-token");
      if (!csrf || !core::constant_time_equal(*csrf, p->csrf_token)) {
        return core::Error{core::ErrorCode::kForbidden,
                           "missing or wrong X-CSRF-Token header for a cookie-authenticated write",
                           "X-CSRF-Token"};
      }
    }
    return p;
  }
};

namespace {

Registry all_routes() {
  Registry reg;
  register_ops_routes(reg);
  register_auth_routes(reg);
  register_user_routes(reg);
  register_team_routes(reg);
  register_audit_routes(reg);
  register_ticket_routes(reg);
  register_ticket_config_routes(reg);
  register_sla_routes(reg);
  register_cmdb_routes(reg);
  register_cmdb_import_routes(reg);
  register_problem_routes(reg);
  register_change_routes(reg);
  register_change_config_routes(reg);
  register_test_routes(reg);
  return reg;
}

}  // namespace

std::string_view permission_name(identity::Permission p) {
  switch (p) {
    case identity::Permission::kSelf:
      return "self";
    case identity::Permission::kUsersRead:
      return "users.read";
    case identity::Permission::kUsersWrite:
      return "users.write";
    case identity::Permission::kAuditRead:
      return "audit.read";
    case identity::Permission::kTicketsRead:
      return "tickets.read";
    case identity::Permission::kTicketsCreate:
      return "tickets.create";
    case identity::Permission::kTicketsStaff:
      return "tickets.staff";
    case identity::Permission::kTicketsWork:
      return "tickets.work";
    case identity::Permission::kTicketsAdmin:
      return "tickets.admin";
    case identity::Permission::kSlaRead:
      return "sla.read";
    case identity::Permission::kSlaAdmin:
      return "sla.admin";
    case identity::Permission::kCmdbRead:
      return "cmdb.read";
    case identity::Permission::kCmdbWrite:
      return "cmdb.write";
    case identity::Permission::kCmdbAdmin:
      return "cmdb.admin";
    case identity::Permission::kChangesRead:
      return "changes.read";
    case identity::Permission::kChangesApprove:
      return "changes.approve";
    case identity::Permission::kChangesAdmin:
      return "changes.admin";
  }
  return "";
}

std::vector<RouteSpec> Api::route_specs() {
  std::vector<RouteSpec> out;
  for (auto& e : all_routes().entries) out.push_back(e.spec);
  return out;
}

Api::Api(Deps deps) : impl_(std::make_unique<Impl>(std::move(deps))) {
  Registry reg = all_routes();
  std::vector<std::string> keys;
  for (auto& e : reg.entries) {
    impl_->specs.push_back(e.spec);
    keys.push_back(e.spec.method + " " + e.spec.pattern);
    RouteSpec spec = e.spec;
    RouteFn fn = std::move(e.fn);
    Impl* impl = impl_.get();
    impl_->router.add(spec.method, spec.pattern, [impl, spec, fn](http::Request& req) {
      Ctx ctx{req, impl->deps, nullptr, impl->metrics.get()};
      identity::Principal principal;
      if (!spec.is_public) {
        auto p = impl->authenticate(req);
        if (!p.ok()) return error_response(p.error(), req);
        principal = std::move(p).value();
        if (!identity::allows(principal.roles, spec.permission)) {
          return error_response(core::forbidden("your role does not allow this"), req);
        }
        ctx.principal = &principal;
      }
      core::Result<http::Response> r = fn(ctx);
      if (!r.ok()) return error_response(r.error(), req);
      return std::move(r).value();
    });
  }
  keys.push_back("GET (static)");
  keys.push_back("GET (not found)");
  impl_->metrics = std::make_unique<Metrics>(keys);
  impl_->router.set_fallback(
      [impl = impl_.get()](http::Request& req) { return impl->assets.serve(req); });
}

Api::~Api() = default;

http::Response Api::handle(http::Request& req) {
  http::Response res = impl_->router.dispatch(req);
  bool has_cache_control = false;
  for (const auto& h : res.headers)
    has_cache_control = has_cache_control || h.name == "cache-control";
  if (!has_cache_control) res.set_header("cache-control", "no-store");
  return res;
}

void Api::observe(const http::Request& req, const http::Response& res, std::int64_t duration_ns) {
  impl_->metrics->observe(req.method, req.route, res.status, duration_ns);
}

const std::vector<RouteSpec>& Api::routes() const { return impl_->specs; }

}  // namespace yunwei::api
