// Every route of the live binary (`yunwei routes --json`) enforces its access rule over real
// HTTP: no credentials -> 401, a role without the permission -> 403, a role with it -> neither.
// A route added later is covered without touching this file.
#include "e2e/e2e_util.h"

namespace yunwei::testing {
namespace {

// The routes anyone may call. A new public route must be added here on purpose.
const std::set<std::string> kPublicRoutes = {
    "GET /healthz",
    "GET /readyz",
    "GET /metrics",
    "GET /api/v1/openapi.json",
    "POST /api/v1/auth/login",
    "GET /api/v1/auth/session",
};

// Which roles hold each permission (DESIGN §4: the auditor is read-only, the requester an end
// user).
const std::map<std::string, std::set<std::string>> kHolders = {
    {"users.read", {"admin", "agent", "approver", "auditor"}},
    {"users.write", {"admin"}},
    {"audit.read", {"admin", "auditor"}},
    {"tickets.read", {"admin", "agent", "approver", "requester", "auditor"}},
    {"tickets.create", {"admin", "agent", "approver", "requester"}},
    {"tickets.staff", {"admin", "agent", "approver", "auditor"}},
    {"tickets.work", {"admin", "agent"}},
    {"tickets.admin", {"admin"}},
    {"sla.read", {"admin", "agent", "approver", "auditor"}},
    {"sla.admin", {"admin"}},
    {"cmdb.read", {"admin", "agent", "approver", "auditor"}},
    {"cmdb.write", {"admin", "agent"}},
    {"cmdb.admin", {"admin"}},
    {"changes.read", {"admin", "agent", "approver", "auditor"}},
    {"changes.approve", {"admin", "agent", "approver"}},
    {"changes.admin", {"admin"}},
};

// Query strings without which a route answers 400 (a probe should be a request that works).
const std::map<std::string, std::string> kProbeQuery = {
    {"/api/v1/search", "?q=printer"},
    {"/api/v1/reports/sla", "?from=2024-01-01T00:00:00Z&to=2024-02-01T00:00:00Z&group_by=team"},
    {"/api/v1/changes/calendar", "?from=2024-01-01T00:00:00Z&to=2024-02-01T00:00:00Z"},
    {"/api/v1/changes/stats", "?from=2024-01-01T00:00:00Z&to=2024-02-01T00:00:00Z"},
};

const std::string kBoundary = "yunwei-permissions-boundary";

// A multipart/form-data body with one file part.
std::string multipart_file(const std::string& filename, const std::string& data) {
  return "--" + kBoundary + "\r\nContent-Disposition: form-data; name=\"file\"; filename=\"" +
         filename + "\"\r\nContent-Type: text/plain\r\n\r\n" + data + "\r\n--" + kBoundary +
         "--\r\n";
}

const std::vector<std::string> kRoles = {"admin", "agent", "approver", "requester", "auditor"};

class PermissionsTest : public SharedServerTest {
 protected:
  // With the test clock, so that its route is there to probe too (nothing here moves it).
  std::vector<std::string> server_args() const override { return {"--test-clock"}; }

  void SetUp() override {
    SharedServerTest::SetUp();
    if (IsSkipped() || HasFatalFailure()) return;
    routes_ = live_routes();
    ASSERT_FALSE(routes_.empty());
    // A user to act on, a team and a token, so {id} names something that exists.
    json target = create_user(port_, admin_token_, unique_name("permtarget"), {"agent"});
    ASSERT_FALSE(target.is_discarded());
    ids_["/api/v1/users/"] = std::to_string(target["id"].get<std::int64_t>());
    json teams = get_json(port_, "/api/v1/teams?limit=1", admin_token_);
    ASSERT_FALSE(teams["items"].empty());
    ids_["/api/v1/teams/"] = std::to_string(teams["items"][0]["id"].get<std::int64_t>());
    HttpClient c(port_);
    HttpResponse t =
        c.request("POST", "/api/v1/me/tokens", R"({"name":"perm target"})", {bearer(admin_token_)});
    ASSERT_EQ(t.status, 201);
    ids_["/api/v1/me/tokens/"] = std::to_string(parse_body(t)["id"].get<std::int64_t>());
    team_id_ = teams["items"][0]["id"].get<std::int64_t>();

    // The requester the probes log in as is the ticket's requester, so the ticket is theirs to
    // see. The ticket has an attachment and a link; a category, an assignment rule and a saved
    // view complete the records the {number} and {id} routes act on.
    requester_name_ = unique_name("permrequester");
    json requester = create_user(port_, admin_token_, requester_name_, {"requester"});
    ASSERT_FALSE(requester.is_discarded());
    json ticket = created("/api/v1/tickets", {{"title", "Permission probe: the printer is jammed"},
                                              {"requester_id", requester["id"]}});
    ASSERT_FALSE(ticket.is_discarded());
    number_ = ticket["number"].get<std::string>();
    ids_["/api/v1/tickets/"] = number_;
    std::string base = "/api/v1/tickets/" + number_;
    HttpResponse file = c.request(
        "POST", base + "/attachments", multipart_file("jam.txt", "paper"),
        {bearer(admin_token_), "Content-Type: multipart/form-data; boundary=" + kBoundary});
    ASSERT_EQ(file.status, 201) << file.body;
    ids_[base + "/attachments/"] = id_of(parse_body(file)["items"][0]);
    std::string link = new_link();
    ASSERT_FALSE(link.empty());
    ids_[base + "/links/"] = link;
    json category = created("/api/v1/categories",
                            {{"code", unique_name("perm-category")}, {"name", "Permission probe"}});
    ASSERT_FALSE(category.is_discarded());
    ids_["/api/v1/categories/"] = id_of(category);
    std::string rule = new_rule();
    ASSERT_FALSE(rule.empty());
    ids_["/api/v1/assignment-rules/"] = rule;
    json view = created("/api/v1/me/ticket-views",
                        {{"name", "Permission probe"}, {"query", {{"status", "new"}}}});
    ASSERT_FALSE(view.is_discarded());
    ids_["/api/v1/me/ticket-views/"] = id_of(view);
    // A seeded calendar and the shipped holiday set (the probes change neither: their bodies
    // are refused, an import's as a document with errors).
    json calendars = get_json(port_, "/api/v1/calendars", admin_token_);
    ASSERT_FALSE(calendars.is_discarded());
    ASSERT_FALSE(calendars["items"].empty());
    ids_["/api/v1/calendars/"] = id_of(calendars["items"][0]);
    ids_["/api/v1/holiday-sets/"] = "cn-statutory";
    // A seeded SLA policy (the probes' bodies are refused, so it stays as it is).
    json policies = get_json(port_, "/api/v1/sla-policies", admin_token_);
    ASSERT_FALSE(policies.is_discarded());
    ASSERT_FALSE(policies["items"].empty());
    ids_["/api/v1/sla-policies/"] = id_of(policies["items"][0]);
    // CMDB: a shipped CI type (by key), a CI with a relation.
    ids_["/api/v1/ci-types/"] = "server";
    json ci = new_ci();
    ASSERT_FALSE(ci.is_discarded());
    ci_ = id_of(ci);
    ids_["/api/v1/cis/"] = ci_;
    std::string relation = new_relation();
    ASSERT_FALSE(relation.empty());
    ids_["/api/v1/cis/" + ci_ + "/relations/"] = relation;

    // Problems and changes (issue #7): a problem with a linked incident, a normal change. The
    // {number} of their own routes is theirs; the routes for an incident (known-error
    // suggestions, applying one) act on the probe ticket.
    json incident = created("/api/v1/tickets", {{"title", "Permission probe: linked incident"}});
    ASSERT_FALSE(incident.is_discarded());
    std::string linked = incident["number"].get<std::string>();
    json problem =
        created("/api/v1/tickets",
                {{"kind", "problem"}, {"title", "probe"}, {"incident_numbers", {linked}}});
    ASSERT_FALSE(problem.is_discarded());
    problem_ = problem["number"].get<std::string>();
    ids_[base + "/known-errors/"] = problem_;
    std::string problem_base = "/api/v1/tickets/" + problem_;
    paths_["/api/v1/tickets/{number}/problem"] = problem_base + "/problem";
    paths_["/api/v1/tickets/{number}/incidents"] = problem_base + "/incidents";
    paths_["/api/v1/tickets/{number}/incidents/{incident}"] = problem_base + "/incidents/" + linked;
    paths_["/api/v1/tickets/{number}/known-error"] = problem_base + "/known-error";
    json change = created("/api/v1/tickets",
                          {{"kind", "change"}, {"change_type", "normal"}, {"title", "probe"}});
    ASSERT_FALSE(change.is_discarded());
    std::string change_base = "/api/v1/tickets/" + change["number"].get<std::string>();
    for (const char* rest :
         {"/change", "/approvals", "/conflicts", "/conflicts/override", "/review"}) {
      paths_[std::string("/api/v1/tickets/{number}") + rest] = change_base + rest;
    }
    // Change configuration: a business service with a maintenance window, a freeze window, and
    // an active standard-change template (requesters may read active ones).
    json service = created("/api/v1/cis",
                           {{"type", "business_service"}, {"name", unique_name("perm-service-")}});
    ASSERT_FALSE(service.is_discarded());
    service_ = id_of(service);
    std::string freeze = new_freeze_window();
    ASSERT_FALSE(freeze.empty());
    ids_["/api/v1/freeze-windows/"] = freeze;
    std::string window = new_maintenance_window();
    ASSERT_FALSE(window.empty());
    ids_["/api/v1/maintenance-windows/"] = window;
    json change_template = created("/api/v1/change-templates",
                                   {{"name", "Permission probe"}, {"duration_minutes", 30}});
    ASSERT_FALSE(change_template.is_discarded());
    ids_["/api/v1/change-templates/"] = id_of(change_template);
  }

  // A freeze window, far in the future; its id, or "" (with a test failure).
  std::string new_freeze_window() {
    json w = created("/api/v1/freeze-windows", {{"name", "Permission probe"},
                                                {"start", "2090-01-01T00:00:00Z"},
                                                {"end", "2090-01-02T00:00:00Z"}});
    return w.is_discarded() ? "" : id_of(w);
  }

  // A maintenance window of the probe service; its id, or "" (with a test failure).
  std::string new_maintenance_window() {
    json w = created("/api/v1/maintenance-windows", {{"service_id", std::stoll(service_)},
                                                     {"name", "Permission probe"},
                                                     {"ranges", {"Sun 01:00-Sun 02:00"}}});
    return w.is_discarded() ? "" : id_of(w);
  }

  // A new problem with a new incident linked to it; the path that unlinks them, or "" (with a
  // test failure).
  std::string new_problem_incident() {
    json incident = created("/api/v1/tickets", {{"title", "Permission probe: to unlink"}});
    if (incident.is_discarded()) return "";
    json problem = created(
        "/api/v1/tickets",
        {{"kind", "problem"}, {"title", "probe"}, {"incident_numbers", {incident["number"]}}});
    if (problem.is_discarded()) return "";
    return "/api/v1/tickets/" + problem["number"].get<std::string>() + "/incidents/" +
           incident["number"].get<std::string>();
  }

  // A new server CI; the record, or a discarded value (with a test failure).
  json new_ci() {
    std::string host = unique_name("perm-ci-");
    return created("/api/v1/cis",
                   {{"type", "server"}, {"name", host}, {"attributes", {{"hostname", host}}}});
  }

  // A relation from the probe CI to a new CI; its id, or "" (with a test failure).
  std::string new_relation() {
    json other = new_ci();
    if (other.is_discarded()) return "";
    json rel =
        created("/api/v1/cis/" + ci_ + "/relations", {{"type", "depends_on"}, {"to", other["id"]}});
    return rel.is_discarded() ? "" : id_of(rel);
  }

  static std::string id_of(const json& record) {
    return std::to_string(record["id"].get<std::int64_t>());
  }

  // POST as the admin; the created record, or a discarded value (with a test failure).
  json created(const std::string& path, const json& body) {
    HttpClient c(port_);
    HttpResponse r = c.request("POST", path, body.dump(), {bearer(admin_token_)});
    if (r.status != 201) {
      ADD_FAILURE() << "POST " << path << ": " << r.status << " " << r.body;
      return json(json::value_t::discarded);
    }
    return parse_body(r);
  }

  // A link from the probe ticket to a new ticket; its id, or "" (with a test failure).
  std::string new_link() {
    json other = created("/api/v1/tickets", {{"title", "Permission probe: linked ticket"}});
    if (other.is_discarded()) return "";
    json link = created("/api/v1/tickets/" + number_ + "/links",
                        {{"type", "related_to"}, {"to", other["number"]}});
    return link.is_discarded() ? "" : id_of(link);
  }

  // An inactive assignment rule (it dispatches nothing); its id, or "" (with a test failure).
  std::string new_rule() {
    json rule = created("/api/v1/assignment-rules", {{"name", "Permission probe"},
                                                     {"team_id", team_id_},
                                                     {"active", false},
                                                     {"conditions", {{"keywords", {"probe"}}}}});
    return rule.is_discarded() ? "" : id_of(rule);
  }

  // The route's path with each {parameter} replaced by an existing record's id (looked up by
  // the path before it, parameters already replaced), plus the query the route needs.
  std::string concrete(const RouteInfo& r) {
    auto fixed = paths_.find(r.path);
    std::string p = fixed == paths_.end() ? r.path : fixed->second;
    for (size_t brace = p.find('{'); brace != std::string::npos; brace = p.find('{')) {
      auto it = ids_.find(p.substr(0, brace));
      if (it == ids_.end()) {
        ADD_FAILURE() << "no test id for the parameters of " << r.path
                      << "; add one to PermissionsTest";
        return replace_all(replace_all(r.path, "{id}", "1"), "{number}", "INC-000001");
      }
      p.replace(brace, p.find('}', brace) - brace + 1, it->second);
    }
    auto q = kProbeQuery.find(r.path);
    return q == kProbeQuery.end() ? p : p + q->second;
  }

  // A holder's DELETE is made for real, without a body, on a record made for it here (the
  // probe's unknown field would not protect a route that reads no body). Its concrete path.
  std::string fresh_target(const RouteInfo& r) {
    if (r.path == "/api/v1/tickets/{number}/links/{id}")
      return "/api/v1/tickets/" + number_ + "/links/" + new_link();
    if (r.path == "/api/v1/assignment-rules/{id}") return "/api/v1/assignment-rules/" + new_rule();
    if (r.path == "/api/v1/cis/{id}/relations/{relation_id}")
      return "/api/v1/cis/" + ci_ + "/relations/" + new_relation();
    if (r.path == "/api/v1/tickets/{number}/incidents/{incident}") return new_problem_incident();
    if (r.path == "/api/v1/freeze-windows/{id}")
      return "/api/v1/freeze-windows/" + new_freeze_window();
    if (r.path == "/api/v1/maintenance-windows/{id}")
      return "/api/v1/maintenance-windows/" + new_maintenance_window();
    ADD_FAILURE() << r.method << " " << r.path
                  << " deletes for real: make a record per holder in fresh_target()";
    return concrete(r);
  }

  // A token for a user with exactly `role` (the probe ticket's requester for "requester").
  std::string token_for(const std::string& role) {
    if (role == "requester") return login_token(port_, requester_name_, kUserPassword);
    std::string name = unique_name("perm" + role);
    if (create_user(port_, admin_token_, name, {role}).is_discarded()) return "";
    return login_token(port_, name, kUserPassword);
  }

  // The request a route gets in these tests: writes carry a body every write route refuses
  // (an unknown field), so a caller who passes the access check changes nothing.
  HttpResponse call(const RouteInfo& r, const std::vector<std::string>& headers) {
    HttpClient c(port_);
    std::string body = is_write_method(r.method) ? R"({"e2e_unknown_field":1})" : "";
    return c.request(r.method, concrete(r), body, headers);
  }

  // The id of the newest audit event: it moves whenever anything is written.
  std::int64_t newest_event_id() {
    json j = get_json(port_, "/api/v1/audit?limit=1", admin_token_);
    if (j.is_discarded() || j["items"].empty()) return -1;
    return j["items"][0]["id"].get<std::int64_t>();
  }

  std::vector<RouteInfo> routes_;
  std::map<std::string, std::string> ids_;  // path before a {parameter} -> its value
  // Routes whose parameters name a record of their own kind (a problem's, a change's routes):
  // pattern -> concrete path.
  std::map<std::string, std::string> paths_;
  std::int64_t team_id_ = 0;
  std::string requester_name_, number_, ci_, problem_, service_;
};

TEST_P(PermissionsTest, EveryRouteHasAKnownAccessRule) {
  for (const RouteInfo& r : routes_) {
    std::string key = r.method + " " + r.path;
    if (r.access == "public") {
      EXPECT_TRUE(kPublicRoutes.count(key))
          << key << " is public; if it must be, list it in kPublicRoutes";
    } else if (r.access == "self") {
      // "self" routes act only on the caller's own records.
      EXPECT_TRUE(r.path == "/api/v1/me" || r.path.rfind("/api/v1/me/", 0) == 0 ||
                  r.path == "/api/v1/auth/logout")
          << key << " needs only a login; routes on others' records need a permission";
    } else {
      EXPECT_TRUE(kHolders.count(r.access)) << key << " has an unknown access rule " << r.access;
    }
  }
  for (const std::string& key : kPublicRoutes) {
    bool found = false;
    for (const RouteInfo& r : routes_) found = found || r.method + " " + r.path == key;
    EXPECT_TRUE(found) << key << " is no longer served";
  }
}

TEST_P(PermissionsTest, TicketRoutesForStaffOnlyNeedTicketsStaff) {
  // The probes below cover these like every route; this pins the rule itself, so a route that
  // shows internal SLA data cannot slip to tickets.read (which requesters hold).
  for (const std::string& path : {std::string("/api/v1/tickets/{number}/sla")}) {
    bool found = false;
    for (const RouteInfo& r : routes_) {
      if (r.method != "GET" || r.path != path) continue;
      found = true;
      EXPECT_EQ(r.access, "tickets.staff") << path;
    }
    EXPECT_TRUE(found) << "GET " << path << " is not served";
  }
}

TEST_P(PermissionsTest, EveryNonPublicRouteAnswers401WithoutCredentials) {
  std::int64_t before = newest_event_id();
  int checked = 0;
  for (const RouteInfo& r : routes_) {
    if (r.access == "public") continue;
    ++checked;
    for (const std::vector<std::string>& headers :
         std::vector<std::vector<std::string>>{{},
                                               {"Authorization: Bearer not-a-token"},
                                               {"Authorization: Bearer yw_" + std::string(43, 'A')},
                                               {"Authorization: Basic YWRtaW46YWRtaW4="},
                                               {"Authorization: " + admin_token_},
                                               {"Cookie: yw_session=forged-session-value"}}) {
      HttpResponse res = call(r, headers);
      std::string what = r.method + " " + r.path + (headers.empty() ? "" : " with " + headers[0]);
      EXPECT_EQ(res.status, 401) << what << ": " << res.body;
      EXPECT_EQ(error_shape_problem(res), "") << what;
      EXPECT_EQ(error_code(res), "unauthenticated") << what;
      EXPECT_EQ(res.header("www-authenticate"), "Bearer realm=\"yunwei\"") << what;
    }
  }
  EXPECT_GT(checked, 10);
  EXPECT_EQ(newest_event_id(), before) << "a refused request changed the audit trail";
}

TEST_P(PermissionsTest, PublicRoutesAnswerWithoutCredentials) {
  for (const RouteInfo& r : routes_) {
    if (r.access != "public") continue;
    HttpResponse res = call(r, {});
    EXPECT_NE(res.status, 401) << r.method << " " << r.path;
    EXPECT_NE(res.status, 403) << r.method << " " << r.path;
    EXPECT_LT(res.status, 500) << r.method << " " << r.path << ": " << res.body;
  }
}

TEST_P(PermissionsTest, EveryRoleGets403ExactlyWhereItLacksThePermission) {
  std::map<std::string, std::string> tokens;
  for (const std::string& role : kRoles) {
    tokens[role] = token_for(role);
    ASSERT_FALSE(tokens[role].empty()) << role;
  }
  std::int64_t before = newest_event_id();
  int denied = 0, allowed = 0;
  for (const RouteInfo& r : routes_) {
    if (r.access == "public" || r.access == "self") continue;
    auto holders = kHolders.find(r.access);
    ASSERT_NE(holders, kHolders.end()) << r.access;
    for (const std::string& role : kRoles) {
      std::string what = r.method + " " + r.path + " as " + role;
      HttpResponse res;
      if (holders->second.count(role) && r.method == "DELETE") {
        EXPECT_EQ(newest_event_id(), before)
            << "a refused or invalid request before " << what << " changed the audit trail";
        std::string target = fresh_target(r);
        HttpClient c(port_);
        res = c.request("DELETE", target, "", {bearer(tokens[role])});
        EXPECT_TRUE(res.status == 200 || res.status == 204) << what << ": " << res.body;
        before = newest_event_id();  // that deletion (and its record) changed it
      } else {
        res = call(r, {bearer(tokens[role])});
      }
      if (holders->second.count(role)) {
        ++allowed;
        EXPECT_NE(res.status, 401) << what << ": " << res.body;
        EXPECT_NE(res.status, 403) << what << ": " << res.body;
        EXPECT_LT(res.status, 500) << what << ": " << res.body;
        if (r.method == "GET") {
          EXPECT_EQ(res.status, 200) << what << ": " << res.body;
        }
      } else {
        ++denied;
        EXPECT_EQ(res.status, 403) << what << ": " << res.body;
        EXPECT_EQ(error_shape_problem(res), "") << what;
        EXPECT_EQ(error_code(res), "forbidden") << what;
      }
    }
  }
  EXPECT_GT(denied, 10);
  EXPECT_GT(allowed, 10);
  EXPECT_EQ(newest_event_id(), before) << "a refused or invalid request changed the audit trail";
}

TEST_P(PermissionsTest, SelfRoutesServeEveryRole) {
  for (const std::string& role : {std::string("requester"), std::string("auditor")}) {
    std::string token = token_for(role);
    ASSERT_FALSE(token.empty());
    HttpClient c(port_);
    HttpResponse me = c.request("GET", "/api/v1/me", "", {bearer(token)});
    EXPECT_EQ(me.status, 200) << role;
    EXPECT_EQ(parse_body(me)["roles"], json({role}));
    EXPECT_EQ(c.request("GET", "/api/v1/me/tokens", "", {bearer(token)}).status, 200) << role;
  }
}

TEST_P(PermissionsTest, ADeactivatedUsersTokenAndSessionAnswer401) {
  std::string name = unique_name("permgone");
  json u = create_user(port_, admin_token_, name, {"admin"});
  ASSERT_FALSE(u.is_discarded());
  std::string token = login_token(port_, name, kUserPassword);
  auto session = login(port_, name, kUserPassword);
  ASSERT_TRUE(session);
  HttpClient c(port_);
  ASSERT_EQ(c.request("GET", "/api/v1/users", "", {bearer(token)}).status, 200);
  HttpResponse off = c.request(
      "POST", "/api/v1/users/" + std::to_string(u["id"].get<std::int64_t>()) + "/deactivate", "",
      {bearer(admin_token_)});
  ASSERT_EQ(off.status, 200) << off.body;
  for (const RouteInfo& r : routes_) {
    if (r.access == "public") continue;
    HttpResponse by_token = call(r, {bearer(token)});
    EXPECT_EQ(by_token.status, 401) << r.method << " " << r.path << ": " << by_token.body;
    HttpResponse by_cookie = call(r, session->headers());
    EXPECT_EQ(by_cookie.status, 401) << r.method << " " << r.path << ": " << by_cookie.body;
  }
}

TEST_P(PermissionsTest, ARevokedTokenAnswers401) {
  HttpClient c(port_);
  HttpResponse t =
      c.request("POST", "/api/v1/me/tokens", R"({"name":"short lived"})", {bearer(admin_token_)});
  ASSERT_EQ(t.status, 201);
  json tok = parse_body(t);
  ASSERT_EQ(c.request("GET", "/api/v1/users", "", {bearer(tok["token"])}).status, 200);
  ASSERT_EQ(
      c.request("DELETE", "/api/v1/me/tokens/" + std::to_string(tok["id"].get<std::int64_t>()), "",
                {bearer(admin_token_)})
          .status,
      200);
  HttpResponse r = c.request("GET", "/api/v1/users", "", {bearer(tok["token"])});
  EXPECT_EQ(r.status, 401);
  EXPECT_EQ(error_code(r), "unauthenticated");
}

YUNWEI_INSTANTIATE_BACKENDS(PermissionsTest);

}  // namespace
}  // namespace yunwei::testing
