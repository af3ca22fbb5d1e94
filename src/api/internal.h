#pragma once
// Shared by the api/*.cpp route files; not part of the module's interface.

#include <functional>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "api/api.h"
#include "api/body.h"
#include "core/json_writer.h"
#include "core/result.h"
#include "http/message.h"
#include "identity/auth_service.h"
#include "identity/user.h"
#include "store/audit.h"
#include "tickets/ticket_service.h"

namespace yunwei::change {
struct CiRef;
}

namespace yunwei::api {

using nlohmann::json;

// One request as a route handler sees it.
class Metrics;

struct Ctx {
  http::Request& req;
  Deps& deps;
  const identity::Principal* principal = nullptr;  // null on public routes
  const Metrics* metrics = nullptr;
  store::Actor actor() const {
    return store::Actor{principal ? std::optional<std::int64_t>(principal->user_id) : std::nullopt,
                        req.request_id};
  }
};

using RouteFn = std::function<core::Result<http::Response>(Ctx&)>;

// Collects routes with their access rule.
class Registry {
 public:
  void add_public(std::string method, std::string pattern, std::string summary, RouteFn fn);
  void add(std::string method, std::string pattern, identity::Permission permission,
           std::string summary, RouteFn fn);
  struct Entry {
    RouteSpec spec;
    RouteFn fn;
  };
  std::vector<Entry> entries;
};

void register_ops_routes(Registry& r);
void register_auth_routes(Registry& r);
void register_user_routes(Registry& r);
void register_team_routes(Registry& r);
void register_audit_routes(Registry& r);
void register_ticket_routes(Registry& r);
void register_ticket_config_routes(Registry& r);
void register_sla_routes(Registry& r);
void register_cmdb_routes(Registry& r);           // cmdb_routes.cpp: types, CIs, relations, impact
void register_cmdb_import_routes(Registry& r);    // cmdb_import_routes.cpp: import
void register_problem_routes(Registry& r);        // problem_routes.cpp: problems, known errors
void register_change_routes(Registry& r);         // change_routes.cpp: changes, approvals, calendar
void register_change_config_routes(Registry& r);  // change_config_routes.cpp: windows, templates
void register_test_routes(Registry& r);

// GET /api/v1/tickets/{number}'s answer (with the kind's part), as `status`.
core::Result<http::Response> ticket_detail_response(Ctx& ctx, std::string_view number,
                                                    int status = 200);

// POST /api/v1/tickets for the kinds with their own fields (the body's kind is problem or
// change), and the kind's part of the ticket detail: an object member ("problem", "change")
// written into the open detail object.
core::Result<http::Response> create_problem(Ctx& ctx);
core::Result<http::Response> create_change(Ctx& ctx);
core::Status write_problem_view(Ctx& ctx, core::JsonWriter& w, const tickets::Ticket& t,
                                const tickets::Viewer& v);
core::Status write_change_view(Ctx& ctx, core::JsonWriter& w, const tickets::Ticket& t,
                               const tickets::Viewer& v);

// The caller as the ticket service's visibility rules see them (ticket_routes.cpp).
tickets::Viewer viewer_of(const Ctx& ctx);

// Responses.
http::Response json_response(int status, const json& body);
http::Response no_content();
int status_for(core::ErrorCode code);

// Formats shared by several resources.
using core::JsonWriter;
// Writes the user's fields into an open object (the caller closes it, possibly after more).
void write_user_fields(JsonWriter& w, const identity::User& u);
std::string user_json(const identity::User& u);  // serialised object
json team_json(const identity::Team& t);
json time_json(core::TimeMs t);
json opt_time_json(const std::optional<core::TimeMs>& t);

// `"k": "<ISO 8601>"` or `"k": null`, into an open object.
void opt_time(JsonWriter& w, std::string_view k, const std::optional<core::TimeMs>& v);
// `"ci_ids": [...], "cis": [{id, name, type}]` of a problem's or change's CIs, into an open object.
void write_ci_list(JsonWriter& w, const std::vector<change::CiRef>& cis);

// Fills the paging fields every list query has (limit, q, cursor, sort) from the query string.
template <class Query>
core::Status read_list_params(const http::Request& req, Query& q) {
  YW_ASSIGN(q.limit, query_limit(req));
  YW_ASSIGN(q.q, query_string(req, "q"));
  YW_ASSIGN(q.cursor, query_string(req, "cursor", 500));
  YW_ASSIGN(std::string sort, query_string(req, "sort", 50));
  if (!sort.empty()) q.sort = sort;
  return {};
}

// The record version a write expects: the body's "version" or an If-Match header.
// kInvalidArgument (field "version") when neither is given.
core::Result<std::int64_t> expected_version(const Ctx& ctx, const Body& body);

}  // namespace yunwei::api
