#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "core/clock.h"
#include "http/message.h"
#include "identity/roles.h"

namespace yunwei::store {
class Database;
}
namespace yunwei::identity {
class UserService;
class TeamService;
class AuthService;
}  // namespace yunwei::identity
namespace yunwei::tickets {
class TicketService;
class CategoryService;
class TicketConfig;
class DispatchService;
class SavedViewService;
}  // namespace yunwei::tickets
namespace yunwei::sla {
class CalendarService;
class PolicyService;
class SlaService;
}  // namespace yunwei::sla
namespace yunwei::cmdb {
class CiTypeService;
class CiService;
class RelationService;
}  // namespace yunwei::cmdb
namespace yunwei::change {
class ProblemService;
class ChangeService;
class ChangeConfigService;
}  // namespace yunwei::change

namespace yunwei::api {

// What a route needs from its caller: nothing (public), or a session/token with a permission.
std::string_view permission_name(identity::Permission p);

struct RouteSpec {
  std::string method;
  std::string pattern;
  bool is_public = false;
  identity::Permission permission = identity::Permission::kSelf;
  std::string summary;
};

struct Deps {
  store::Database& db;
  const core::Clock& clock;
  identity::UserService& users;
  identity::TeamService& teams;
  identity::AuthService& auth;
  tickets::TicketService& tickets;
  tickets::CategoryService& categories;
  tickets::TicketConfig& ticket_config;
  tickets::DispatchService& dispatch;
  tickets::SavedViewService& views;
  sla::CalendarService& calendars;
  sla::PolicyService& policies;
  sla::SlaService& sla;
  cmdb::CiTypeService& ci_types;
  cmdb::CiService& cis;
  cmdb::RelationService& relations;
  change::ProblemService& problems;
  change::ChangeService& changes;
  change::ChangeConfigService& change_config;
  std::string version;
  std::string commit;
  bool cookie_secure = false;             // add `Secure` to the session cookie (behind HTTPS)
  std::function<bool()> accepting;        // false while shutting down: /readyz answers 503
  core::TestClock* test_clock = nullptr;  // serve --test-clock: `clock` is this one
  std::function<void()> wake_workers;     // after the test clock moved: look at once
};

// The JSON API: every route, its permission check, and the Error -> HTTP status mapping.
// Thread-safe once constructed.
class Api {
 public:
  explicit Api(Deps deps);
  ~Api();
  http::Response handle(http::Request& req);
  // Records a finished request in the metrics.
  void observe(const http::Request& req, const http::Response& res, std::int64_t duration_ns);
  const std::vector<RouteSpec>& routes() const;
  // Every route with its access rule, without constructing an Api (for `yunwei routes`).
  static std::vector<RouteSpec> route_specs();
  // The OpenAPI 3 document served at /api/v1/openapi.json.
  static const std::string& openapi_json();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace yunwei::api
