// Change management through the real binary over real HTTP, on SQLite and (with YUNWEI_TEST_PG)
// PostgreSQL (issue #7 points 3-7): typed changes created with POST /api/v1/tickets, the risk
// questionnaire choosing the approval path, approvals (any / majority) with the approver's inbox,
// rejection back to new, collisions with another change on a dependent CI, the CAB override,
// roles on transitions, actual times, the post-implementation review with caused incidents, the
// success rate, the calendar, and bad input.
#include "e2e/e2e_util.h"

namespace yunwei::testing {
namespace {

class ChangesE2eTest : public SharedServerTest {
 protected:
  struct Person {
    std::string name;
    std::int64_t id = 0;
    std::string token;
  };

  HttpResponse call(const std::string& method, const std::string& target, const std::string& token,
                    const json& body = nullptr) {
    HttpClient c(port_);
    return c.request(method, target, body.is_null() ? "" : body.dump(), {bearer(token)});
  }
  json ok(const HttpResponse& r, int status = 200) {
    EXPECT_EQ(r.status, status) << r.body;
    return parse_body(r);
  }
  json admin_post(const std::string& target, const json& body, int status = 201) {
    return ok(call("POST", target, admin_token_, body), status);
  }

  Person person(const std::string& prefix, const std::vector<std::string>& roles) {
    Person p;
    p.name = unique_name(prefix);
    json u = create_user(port_, admin_token_, p.name, roles);
    if (u.is_discarded()) return p;
    p.id = u["id"];
    p.token = login_token(port_, p.name, kUserPassword);
    return p;
  }

  std::int64_t team(const std::string& name, std::int64_t lead,
                    const std::vector<std::int64_t>& members) {
    json t = admin_post("/api/v1/teams",
                        {{"name", unique_name(name)}, {"lead_id", lead}, {"member_ids", members}});
    return t.is_discarded() ? 0 : t["id"].get<std::int64_t>();
  }

  // Makes `members` the whole change advisory board (the seeded team the settings name).
  void set_cab(const std::vector<std::int64_t>& members,
               const std::string& board = "Change Advisory Board") {
    json teams = get_json(port_, "/api/v1/teams?limit=200", admin_token_);
    for (const json& t : teams["items"]) {
      if (t["name"] == board) {
        ok(call("PATCH", "/api/v1/teams/" + std::to_string(t["id"].get<std::int64_t>()),
                admin_token_, {{"member_ids", members}, {"version", t["version"]}}));
        return;
      }
    }
    ADD_FAILURE() << "no team " << board;
  }

  std::int64_t ci(const std::string& type, const std::string& name) {
    json c = admin_post("/api/v1/cis", {{"type", type}, {"name", unique_name(name)}});
    return c.is_discarded() ? 0 : c["id"].get<std::int64_t>();
  }
  void relate(std::int64_t from, const std::string& type, std::int64_t to) {
    admin_post("/api/v1/cis/" + std::to_string(from) + "/relations", {{"type", type}, {"to", to}});
  }

  static json low_risk() {
    return {{"impact_scope", "single_system"}, {"backout", "tested"},
            {"maintenance_window", "inside"},  {"complexity", "simple"},
            {"experience", "often"},           {"critical_components", "none"}};
  }
  static json medium_risk() {
    json r = low_risk();
    r["impact_scope"] = "core_service";  // 25 points: medium
    return r;
  }

  // A normal change with a full plan on `cis` over [start, end).
  json normal_change(const Person& by, std::int64_t team_id, const std::vector<std::int64_t>& cis,
                     const std::string& start, const std::string& end, const json& risk) {
    return ok(call("POST", "/api/v1/tickets", by.token,
                   {{"kind", "change"},
                    {"change_type", "normal"},
                    {"title", unique_name("Patch")},
                    {"ci_ids", cis},
                    {"planned_start", start},
                    {"planned_end", end},
                    {"reason", "Security patch"},
                    {"implementation_plan", "1. drain 2. patch 3. restore"},
                    {"backout_plan", "Restore the snapshot"},
                    {"test_plan", "Smoke tests"},
                    {"assignee_team_id", team_id},
                    {"risk_answers", risk}}),
              201);
  }

  HttpResponse move(const std::string& number, const std::string& token, const json& body) {
    return call("POST", "/api/v1/tickets/" + number + "/transitions", token, body);
  }
  HttpResponse decide(const std::string& number, const Person& p, const std::string& decision,
                      const std::string& comment = "") {
    json body = {{"decision", decision}};
    if (!comment.empty()) body["comment"] = comment;
    return call("POST", "/api/v1/tickets/" + number + "/approvals", p.token, body);
  }
  json detail(const std::string& number) {
    return get_json(port_, "/api/v1/tickets/" + number, admin_token_);
  }
};

TEST_P(ChangesE2eTest, ANormalChangeCollidesOnADependentCiIsApprovedOverriddenAndReviewed) {
  Person lead = person("chglead", {"agent"});
  Person impl = person("chgimpl", {"agent"});
  Person raiser = person("chgraiser", {"agent"});
  Person outsider = person("chgout", {"agent"});
  Person cab1 = person("cab1", {"approver"});
  Person cab2 = person("cab2", {"approver"});
  Person cab3 = person("cab3", {"agent"});
  ASSERT_FALSE(cab3.token.empty());
  set_cab({cab1.id, cab2.id, cab3.id});
  std::int64_t ops = team("Change ops ", lead.id, {lead.id, impl.id});
  // service <- app <- db: the app depends on the database.
  std::int64_t service = ci("business_service", "网上银行");
  std::int64_t app = ci("application", "ebank-app");
  std::int64_t db = ci("database", "ebank-db");
  relate(service, "depends_on", app);
  relate(app, "depends_on", db);

  // First change, on the database: low risk, the team lead approves it.
  json first =
      normal_change(raiser, ops, {db}, "2031-03-01T14:00:00Z", "2031-03-01T16:00:00Z", low_risk());
  std::string a = first["number"];
  EXPECT_EQ(a.rfind("CHG-", 0), 0u) << a;
  EXPECT_EQ(first["subtype"], "normal");
  EXPECT_EQ(first["change"]["risk"]["level"], "low");
  EXPECT_EQ(first["conflicts"], json::array());
  EXPECT_EQ(first["change"]["affected_services"][0]["name"].get<std::string>().rfind("网上银行", 0),
            0u)
      << first["change"]["affected_services"].dump();
  ok(move(a, raiser.token, {{"to", "assess"}}));
  json waiting = ok(move(a, raiser.token, {{"to", "authorise"}}));
  EXPECT_EQ(waiting["status"], "authorise");
  json steps = detail(a)["change"]["approval"]["steps"];
  ASSERT_EQ(steps.size(), 1u) << steps.dump();
  EXPECT_EQ(steps[0]["group"], "team_lead");
  EXPECT_EQ(steps[0]["approvers"][0]["id"], lead.id);
  // Only the step's approver decides; the lead's approval schedules it.
  EXPECT_EQ(decide(a, cab1, "approve").status, 403);
  json scheduled = ok(decide(a, lead, "approve", "ok"));
  EXPECT_EQ(scheduled["status"], "scheduled");
  EXPECT_EQ(scheduled["change"]["approval"]["state"], "approved");
  // The change list shows type, risk and planned time, and filters by type.
  json normals =
      get_json(port_, "/api/v1/tickets?kind=change&subtype=normal&limit=500", raiser.token);
  bool row_seen = false;
  for (const json& t : normals["items"]) {
    EXPECT_EQ(t["subtype"], "normal");
    if (t["number"] != a) continue;
    row_seen = true;
    EXPECT_EQ(t["risk_level"], "low");
    EXPECT_EQ(t["planned_start"], "2031-03-01T14:00:00.000Z");
  }
  EXPECT_TRUE(row_seen) << normals.dump();
  for (const json& t : get_json(port_, "/api/v1/tickets?kind=change&subtype=emergency&limit=500",
                                raiser.token)["items"]) {
    EXPECT_EQ(t["subtype"], "emergency") << t["number"];
    EXPECT_NE(t["number"], a);
  }
  EXPECT_EQ(error_field(call("GET", "/api/v1/tickets?subtype=quick", raiser.token)), "subtype");
  // The CMDB's impact view of the database lists the change planned on it.
  json impact = get_json(port_, "/api/v1/cis/" + std::to_string(db) + "/impact", admin_token_);
  ASSERT_EQ(impact["scheduled_changes"].size(), 1u) << impact["scheduled_changes"].dump();
  EXPECT_EQ(impact["scheduled_changes"][0]["number"], a);

  // Second change, on the application, overlapping in time: it collides with the first through
  // the dependency (app depends on db).
  json second = normal_change(raiser, ops, {app}, "2031-03-01T15:00:00Z", "2031-03-01T17:00:00Z",
                              medium_risk());
  std::string b = second["number"];
  ASSERT_EQ(second["conflicts"].size(), 1u) << second["conflicts"].dump();
  EXPECT_EQ(second["conflicts"][0]["kind"], "change_overlap");
  EXPECT_EQ(second["conflicts"][0]["with"], a);
  json conflicts = get_json(port_, "/api/v1/tickets/" + b + "/conflicts", raiser.token);
  ASSERT_EQ(conflicts["conflicts"].size(), 1u);
  EXPECT_NE(conflicts["conflicts"][0]["reason"].get<std::string>().find("ebank-db"),
            std::string::npos)
      << conflicts.dump();
  EXPECT_TRUE(conflicts["override"].is_null());

  // Medium risk: team lead, then the CAB by majority.
  ok(move(b, raiser.token, {{"to", "assess"}}));
  ok(move(b, raiser.token, {{"to", "authorise"}}));
  json bsteps = detail(b)["change"]["approval"]["steps"];
  ASSERT_EQ(bsteps.size(), 2u);
  EXPECT_EQ(bsteps[1]["group"], "cab");
  EXPECT_EQ(bsteps[1]["rule"], "majority");
  EXPECT_EQ(get_json(port_, "/api/v1/approvals/inbox", cab1.token)["items"].size(), 0u)
      << "the CAB step is not open yet";
  ok(decide(b, lead, "approve"));
  json inbox = get_json(port_, "/api/v1/approvals/inbox", cab1.token);
  ASSERT_EQ(inbox["items"].size(), 1u) << inbox.dump();
  EXPECT_EQ(inbox["items"][0]["number"], b);
  EXPECT_EQ(inbox["items"][0]["step"]["group"], "cab");
  ok(decide(b, cab1, "approve"));
  EXPECT_EQ(decide(b, cab1, "approve").status, 409) << "one decision per approver";
  json approved = ok(decide(b, cab2, "approve", "同意"));
  // Approved, but the collision holds it in authorise until a CAB member overrides it.
  EXPECT_EQ(approved["change"]["approval"]["state"], "approved");
  EXPECT_EQ(approved["status"], "authorise");
  EXPECT_EQ(move(b, raiser.token, {{"to", "scheduled"}}).status, 409);
  HttpResponse not_cab = call("POST", "/api/v1/tickets/" + b + "/conflicts/override",
                              outsider.token, {{"reason", "fine"}});
  EXPECT_EQ(not_cab.status, 403) << not_cab.body;
  EXPECT_EQ(call("POST", "/api/v1/tickets/" + b + "/conflicts/override", cab3.token, json::object())
                .status,
            400);
  json overridden = ok(call("POST", "/api/v1/tickets/" + b + "/conflicts/override", cab3.token,
                            {{"reason", "Same maintenance team, sequenced by runbook"}}));
  EXPECT_EQ(overridden["status"], "scheduled");
  EXPECT_EQ(overridden["change"]["override"]["by"], cab3.id);
  EXPECT_EQ(overridden["change"]["override"]["conflicts"][0]["with"], a);

  // Implementation: the implementer team, not an outsider.
  HttpResponse by_outsider = move(b, outsider.token, {{"to", "implement"}});
  EXPECT_EQ(by_outsider.status, 403) << by_outsider.body;
  ok(move(b, impl.token, {{"to", "implement"}}));
  EXPECT_FALSE(detail(b)["change"]["actual_start"].is_null());
  EXPECT_TRUE(detail(b)["change"]["actual_end"].is_null());
  ok(move(b, impl.token, {{"to", "review"}}));
  EXPECT_FALSE(detail(b)["change"]["actual_end"].is_null());
  HttpResponse no_review = move(b, cab3.token, {{"to", "closed"}});
  EXPECT_EQ(no_review.status, 400);
  EXPECT_EQ(error_field(no_review), "review_outcome");

  // The review: partial needs notes; it links the incident the change caused.
  json inc = ok(
      call("POST", "/api/v1/tickets", impl.token, {{"title", "网银登录慢"}, {"kind", "incident"}}),
      201);
  HttpResponse no_notes =
      call("POST", "/api/v1/tickets/" + b + "/review", impl.token, {{"outcome", "partial"}});
  EXPECT_EQ(no_notes.status, 400);
  EXPECT_EQ(error_field(no_notes), "notes");
  json reviewed = ok(call("POST", "/api/v1/tickets/" + b + "/review", impl.token,
                          {{"outcome", "partial"},
                           {"notes", "Slow logins for 20 minutes"},
                           {"caused_incidents", {inc["number"]}}}));
  EXPECT_EQ(reviewed["change"]["review"]["outcome"], "partial");
  EXPECT_EQ(reviewed["change"]["review"]["caused_incidents"], json({inc["number"]}));
  // A normal change is closed by the change manager (a CAB member), not the implementer.
  EXPECT_EQ(move(b, impl.token, {{"to", "closed"}}).status, 403);
  EXPECT_EQ(ok(move(b, cab3.token, {{"to", "closed"}}))["status"], "closed");

  // The timeline and the audit trail hold every decision.
  json timeline = get_json(port_, "/api/v1/tickets/" + b + "/timeline", admin_token_);
  int decisions = 0;
  bool override_seen = false;
  for (const json& e : timeline["items"]) {
    if (e["action"] == "change.approval") ++decisions;
    if (e["action"] == "change.conflicts_override") override_seen = true;
  }
  EXPECT_EQ(decisions, 3) << timeline.dump();
  EXPECT_TRUE(override_seen);

  // The calendar shows both; the stats count the partial change that caused an incident.
  json cal =
      get_json(port_, "/api/v1/changes/calendar?from=2031-03-01T00:00:00Z&to=2031-03-02T00:00:00Z",
               raiser.token);
  std::set<std::string> numbers;
  for (const json& c : cal["changes"]) numbers.insert(c["number"]);
  EXPECT_TRUE(numbers.count(a) && numbers.count(b)) << cal.dump();
  json stats =
      get_json(port_, "/api/v1/changes/stats?from=2000-01-01T00:00:00Z&to=2100-01-01T00:00:00Z",
               raiser.token);
  EXPECT_GE(stats["implemented"].get<int>(), 1);
  EXPECT_GE(stats["partial"].get<int>(), 1);
  EXPECT_GE(stats["caused_incidents"].get<int>(), 1);
  EXPECT_LT(stats["success_rate"].get<double>(), 1.0);
}

TEST_P(ChangesE2eTest, ARejectionReturnsTheChangeToNewAndPathsFollowTheType) {
  Person lead = person("rjlead", {"agent"});
  Person raiser = person("rjraiser", {"agent"});
  std::int64_t ops = team("Reject ops ", lead.id, {lead.id});
  std::int64_t host = ci("application", "rj-app");
  json c = normal_change(raiser, ops, {host}, "2031-05-01T01:00:00Z", "2031-05-01T02:00:00Z",
                         low_risk());
  std::string n = c["number"];
  // A normal change cannot skip assessment: 409 naming what is allowed.
  HttpResponse skip = move(n, raiser.token, {{"to", "scheduled"}});
  EXPECT_EQ(skip.status, 409);
  EXPECT_NE(
      parse_body(skip)["error"]["message"].get<std::string>().find("allowed: assess, cancelled"),
      std::string::npos)
      << skip.body;
  ok(move(n, raiser.token, {{"to", "assess"}}));
  ok(move(n, raiser.token, {{"to", "authorise"}}));
  EXPECT_EQ(detail(n)["allowed_transitions"].size(), 2u) << "scheduled (guarded), cancelled";
  EXPECT_EQ(move(n, raiser.token, {{"to", "scheduled"}}).status, 409) << "not approved yet";
  HttpResponse bare = decide(n, lead, "reject");
  EXPECT_EQ(bare.status, 400);
  EXPECT_EQ(error_field(bare), "comment");
  json back = ok(decide(n, lead, "reject", "Backout untested"));
  EXPECT_EQ(back["status"], "new");
  EXPECT_EQ(back["change"]["approval"]["state"], "rejected");
  EXPECT_EQ(decide(n, lead, "approve").status, 409);
  // Resubmitted: a new round of approval.
  ok(move(n, raiser.token, {{"to", "assess"}}));
  ok(move(n, raiser.token, {{"to", "authorise"}}));
  json again = detail(n);
  EXPECT_EQ(again["change"]["approval"]["round"], 2);
  EXPECT_EQ(again["change"]["approval"]["state"], "pending");
}

TEST_P(ChangesE2eTest, AnEmergencyChangeGoesToTheEmergencyBoardAndNeedsARetrospectiveReview) {
  Person lead = person("emlead", {"agent"});
  Person ecab = person("ecab", {"approver"});
  set_cab({ecab.id}, "Emergency Change Advisory Board");
  std::int64_t ops = team("Emergency ops ", lead.id, {lead.id});
  std::int64_t app = ci("application", "em-app");
  json c = ok(call("POST", "/api/v1/tickets", lead.token,
                   {{"kind", "change"},
                    {"change_type", "emergency"},
                    {"title", "Hotfix the login outage"},
                    {"ci_ids", {app}},
                    {"planned_start", "2031-07-01T01:00:00Z"},
                    {"planned_end", "2031-07-01T01:30:00Z"},
                    {"implementation_plan", "Deploy 2.3.1"},
                    {"backout_plan", "Redeploy 2.3.0"},
                    {"assignee_team_id", ops},
                    {"risk_answers", low_risk()}}),
              201);
  std::string n = c["number"];
  EXPECT_EQ(move(n, lead.token, {{"to", "assess"}}).status, 409) << "emergency skips assess";
  ok(move(n, lead.token, {{"to", "authorise"}}));
  json d = detail(n);
  ASSERT_EQ(d["change"]["approval"]["steps"].size(), 1u);
  EXPECT_EQ(d["change"]["approval"]["steps"][0]["group"], "ecab");
  EXPECT_EQ(d["change"]["approval"]["steps"][0]["rule"], "any");
  EXPECT_TRUE(d["change"]["retrospective_review"].get<bool>());
  EXPECT_EQ(ok(decide(n, ecab, "approve"))["status"], "scheduled");
}

TEST_P(ChangesE2eTest, FreezeAndMaintenanceWindowsAreConflictsAndShowInTheCalendar) {
  Person lead = person("fzlead", {"agent"});
  Person raiser = person("fzraiser", {"agent"});
  std::int64_t ops = team("Freeze ops ", lead.id, {lead.id, raiser.id});
  std::int64_t service = ci("business_service", "清算系统");
  std::int64_t app = ci("application", "clearing-app");
  relate(service, "depends_on", app);
  // A global freeze over 2032-02-10..12, and Saturday-night maintenance for the service.
  json freeze = admin_post("/api/v1/freeze-windows", {{"name", unique_name("春节封网 ")},
                                                      {"start", "2032-02-10T00:00:00Z"},
                                                      {"end", "2032-02-12T00:00:00Z"}});
  json window = admin_post("/api/v1/maintenance-windows", {{"service_id", service},
                                                           {"name", "清算系统周末窗口"},
                                                           {"zone", "Asia/Shanghai"},
                                                           {"ranges", {"Sat 22:00-Sun 06:00"}}});
  // Inside the freeze, on a Wednesday afternoon: two conflicts.
  json in_freeze =
      normal_change(raiser, ops, {app}, "2032-02-11T06:00:00Z", "2032-02-11T07:00:00Z", low_risk());
  std::set<std::string> kinds;
  for (const json& c : in_freeze["conflicts"]) kinds.insert(c["kind"]);
  EXPECT_EQ(kinds, (std::set<std::string>{"freeze_window", "outside_maintenance_window"}))
      << in_freeze["conflicts"].dump();
  for (const json& c : in_freeze["conflicts"]) {
    if (c["kind"] == "freeze_window") {
      EXPECT_EQ(c["with"], freeze["name"]);
    } else {
      EXPECT_EQ(c["with"], "清算系统周末窗口");
    }
  }
  // Saturday 2032-02-14 23:00 Beijing (15:00 UTC), outside the freeze: inside the window.
  json ok_time =
      normal_change(raiser, ops, {app}, "2032-02-14T15:00:00Z", "2032-02-14T17:00:00Z", low_risk());
  EXPECT_EQ(ok_time["conflicts"], json::array()) << ok_time["conflicts"].dump();
  // An override is of the plan it saw: moving the change drops it, and clears its conflicts.
  std::string n = in_freeze["number"];
  json overridden = ok(call("POST", "/api/v1/tickets/" + n + "/conflicts/override", admin_token_,
                            {{"reason", "Year-end closing needs it"}}));
  EXPECT_EQ(overridden["change"]["override"]["conflicts"].size(), 2u);
  json moved = ok(call("PATCH", "/api/v1/tickets/" + n + "/change", raiser.token,
                       {{"version", overridden["version"]},
                        {"planned_start", "2032-02-21T15:00:00Z"},
                        {"planned_end", "2032-02-21T16:00:00Z"}}));
  EXPECT_EQ(moved["conflicts"], json::array()) << moved["conflicts"].dump();
  EXPECT_TRUE(moved["change"]["override"].is_null()) << moved["change"].dump();

  json cal = get_json(port_,
                      "/api/v1/changes/calendar?from=2032-02-09T00:00:00Z&to=2032-02-23T00:00:00Z"
                      "&service_id=" +
                          std::to_string(service),
                      raiser.token);
  ASSERT_EQ(cal["changes"].size(), 2u) << cal.dump();
  bool freeze_listed = false;
  for (const json& f : cal["freeze_windows"]) freeze_listed |= f["id"] == freeze["id"];
  EXPECT_TRUE(freeze_listed) << cal["freeze_windows"].dump();
  // Two Saturday nights in the range: 14th and 21st (22:00 Beijing = 14:00 UTC).
  std::vector<std::string> starts;
  for (const json& m : cal["maintenance_windows"]) {
    if (m["id"] == window["id"]) starts.push_back(m["start"]);
  }
  EXPECT_EQ(starts,
            (std::vector<std::string>{"2032-02-14T14:00:00.000Z", "2032-02-21T14:00:00.000Z"}))
      << cal["maintenance_windows"].dump();
}

TEST_P(ChangesE2eTest, ARequesterRaisesAStandardChangeFromTheCatalog) {
  Person lead = person("stdlead", {"agent"});
  Person impl = person("stdimpl", {"agent"});
  Person requester = person("stdreq", {"requester"});
  std::int64_t ops = team("Std ops ", lead.id, {lead.id, impl.id});
  json tpl = admin_post("/api/v1/change-templates", {{"name", unique_name("Read-only DB account ")},
                                                     {"name_zh", "数据库只读账号开通"},
                                                     {"implementation_plan", "Create the account"},
                                                     {"backout_plan", "Drop the account"},
                                                     {"duration_minutes", 30},
                                                     {"implementer_team_id", ops}});
  HttpResponse own_plan = call("POST", "/api/v1/tickets", requester.token,
                               {{"kind", "change"},
                                {"change_type", "standard"},
                                {"template_id", tpl["id"]},
                                {"planned_start", "2032-04-01T02:00:00Z"},
                                {"backout_plan", "none needed"}});
  EXPECT_EQ(own_plan.status, 400);
  EXPECT_EQ(error_field(own_plan), "backout_plan");
  HttpResponse assigning = call("POST", "/api/v1/tickets", requester.token,
                                {{"kind", "change"},
                                 {"change_type", "standard"},
                                 {"template_id", tpl["id"]},
                                 {"assignee_id", impl.id}});
  EXPECT_EQ(assigning.status, 403);
  json catalog = get_json(port_, "/api/v1/change-templates", requester.token);
  bool listed = false;
  for (const json& t : catalog["items"]) listed |= t["id"] == tpl["id"];
  EXPECT_TRUE(listed) << catalog.dump();
  json c = ok(call("POST", "/api/v1/tickets", requester.token,
                   {{"kind", "change"},
                    {"change_type", "standard"},
                    {"template_id", tpl["id"]},
                    {"planned_start", "2032-04-01T02:00:00Z"}}),
              201);
  std::string n = c["number"];
  EXPECT_EQ(c["subtype"], "standard");
  EXPECT_EQ(c["title"], tpl["name"]);
  EXPECT_EQ(c["assignee_team_id"], ops) << "the template's implementer team";
  EXPECT_EQ(c["change"]["planned_end"], "2032-04-01T02:30:00.000Z");
  EXPECT_EQ(c["change"]["backout_plan"], "Drop the account");
  EXPECT_EQ(c["change"]["approval"]["steps"], json::array());
  // Pre-approved: the implementer schedules it once a CI is named, without assess or authorise.
  std::int64_t app = ci("application", "std-app");
  json d = detail(n);
  ok(call("PATCH", "/api/v1/tickets/" + n + "/change", impl.token,
          {{"version", d["version"]}, {"ci_ids", {app}}}));
  EXPECT_EQ(move(n, impl.token, {{"to", "assess"}}).status, 409);
  EXPECT_EQ(ok(move(n, impl.token, {{"to", "scheduled"}}))["status"], "scheduled");
  // The requester sees their change, not the change calendar.
  EXPECT_EQ(call("GET", "/api/v1/tickets/" + n, requester.token).status, 200);
  // An inactive template is not in the catalog and cannot be used.
  ok(call("PATCH", "/api/v1/change-templates/" + std::to_string(tpl["id"].get<std::int64_t>()),
          admin_token_, {{"version", tpl["version"]}, {"active", false}}));
  HttpResponse retired = call("POST", "/api/v1/tickets", requester.token,
                              {{"kind", "change"},
                               {"change_type", "standard"},
                               {"template_id", tpl["id"]},
                               {"planned_start", "2032-04-02T02:00:00Z"}});
  EXPECT_EQ(retired.status, 400);
  EXPECT_EQ(error_field(retired), "template_id");
}

TEST_P(ChangesE2eTest, NobodyApprovesTheirOwnChangeAndABackedOutChangeIsAFailure) {
  Person lead = person("ownlead", {"agent"});
  Person member = person("ownmember", {"agent"});
  Person other = person("ownother", {"requester"});
  std::int64_t ops = team("Own ops ", lead.id, {lead.id, member.id});
  std::int64_t app = ci("application", "own-app");
  // The lead raises a change in someone else's name: still the lead's own change.
  json c = ok(call("POST", "/api/v1/tickets", lead.token,
                   {{"kind", "change"},
                    {"change_type", "normal"},
                    {"title", "Own change"},
                    {"requester_id", other.id},
                    {"ci_ids", {app}},
                    {"planned_start", "2033-01-04T14:00:00Z"},
                    {"planned_end", "2033-01-04T15:00:00Z"},
                    {"implementation_plan", "Do it"},
                    {"backout_plan", "Undo it"},
                    {"assignee_team_id", ops},
                    {"risk_answers", low_risk()}}),
              201);
  std::string n = c["number"];
  ok(move(n, lead.token, {{"to", "assess"}}));
  HttpResponse own = move(n, lead.token, {{"to", "authorise"}});
  EXPECT_EQ(own.status, 400) << own.body;
  EXPECT_EQ(error_field(own), "assignee_team_id");
  // The shared PATCH does not set a change's CI behind its CI list.
  HttpResponse ci_patch = call("PATCH", "/api/v1/tickets/" + n, lead.token,
                               {{"version", detail(n)["version"]}, {"ci_id", app}});
  EXPECT_EQ(ci_patch.status, 400);
  EXPECT_EQ(error_field(ci_patch), "ci_id");

  // Raised by the member: the lead approves; backed out, it cannot be reviewed as a success.
  json m =
      normal_change(member, ops, {app}, "2033-01-05T14:00:00Z", "2033-01-05T15:00:00Z", low_risk());
  std::string b = m["number"];
  ok(move(b, member.token, {{"to", "assess"}}));
  ok(move(b, member.token, {{"to", "authorise"}}));
  EXPECT_EQ(ok(decide(b, lead, "approve"))["status"], "scheduled");
  ok(move(b, member.token, {{"to", "implement"}}));
  HttpResponse no_notes = move(b, member.token, {{"to", "failed"}});
  EXPECT_EQ(error_field(no_notes), "resolution_notes");
  ok(move(b, member.token, {{"to", "failed"}, {"resolution_notes", "Rolled back"}}));
  ok(move(b, member.token, {{"to", "review"}}));
  HttpResponse success =
      call("POST", "/api/v1/tickets/" + b + "/review", member.token, {{"outcome", "successful"}});
  EXPECT_EQ(success.status, 400);
  EXPECT_EQ(error_field(success), "outcome");
  ok(call("POST", "/api/v1/tickets/" + b + "/review", member.token,
          {{"outcome", "failed"}, {"notes", "Backed out: the schema migration timed out"}}));
}

TEST_P(ChangesE2eTest, PlansAreCheckedBeforeAuthorisation) {
  Person lead = person("pllead", {"agent"});
  Person raiser = person("plraiser", {"agent"});
  std::int64_t ops = team("Plan ops ", lead.id, {lead.id});
  std::int64_t host = ci("application", "pl-app");
  json c = ok(call("POST", "/api/v1/tickets", raiser.token,
                   {{"kind", "change"},
                    {"change_type", "normal"},
                    {"title", "Replace a disk"},
                    {"ci_ids", {host}},
                    {"assignee_team_id", ops}}),
              201);
  std::string n = c["number"];
  ok(move(n, raiser.token, {{"to", "assess"}}));
  HttpResponse missing = move(n, raiser.token, {{"to", "authorise"}});
  EXPECT_EQ(missing.status, 400);
  EXPECT_EQ(error_field(missing), "implementation_plan");
  std::int64_t version = detail(n)["version"];
  HttpResponse reversed = call("PATCH", "/api/v1/tickets/" + n + "/change", raiser.token,
                               {{"version", version},
                                {"planned_start", "2031-06-01T03:00:00Z"},
                                {"planned_end", "2031-06-01T02:00:00Z"}});
  EXPECT_EQ(reversed.status, 400);
  EXPECT_EQ(error_field(reversed), "planned_end");
  HttpResponse bad_answer = call("PATCH", "/api/v1/tickets/" + n + "/change", raiser.token,
                                 {{"version", version}, {"risk_answers", {{"backout", "maybe"}}}});
  EXPECT_EQ(bad_answer.status, 400);
  EXPECT_EQ(error_field(bad_answer), "risk_answers.backout");
  json planned = ok(call("PATCH", "/api/v1/tickets/" + n + "/change", raiser.token,
                         {{"version", version},
                          {"planned_start", "2031-06-01T02:00:00Z"},
                          {"planned_end", "2031-06-01T03:00:00Z"},
                          {"implementation_plan", "Swap the disk"},
                          {"risk_answers", low_risk()}}));
  EXPECT_EQ(planned["change"]["risk"]["level"], "low");
  EXPECT_EQ(call("PATCH", "/api/v1/tickets/" + n + "/change", raiser.token,
                 {{"version", version}, {"reason", "stale"}})
                .status,
            409);
  HttpResponse no_backout = move(n, raiser.token, {{"to", "authorise"}});
  EXPECT_EQ(no_backout.status, 400);
  EXPECT_EQ(error_field(no_backout), "backout_plan");
  // Nothing of the plan was lost by the refused requests.
  json now = detail(n);
  EXPECT_EQ(now["change"]["implementation_plan"], "Swap the disk");
  EXPECT_EQ(now["change"]["planned_start"], "2031-06-01T02:00:00.000Z");
}

TEST_P(ChangesE2eTest, BadInputAndPermissions) {
  Person requester = person("chgreq", {"requester"});
  Person agent = person("chgagent", {"agent"});
  HttpResponse normal = call("POST", "/api/v1/tickets", requester.token,
                             {{"kind", "change"}, {"change_type", "normal"}, {"title", "x"}});
  EXPECT_EQ(normal.status, 403) << normal.body;
  HttpResponse no_type =
      call("POST", "/api/v1/tickets", agent.token, {{"kind", "change"}, {"title", "x"}});
  EXPECT_EQ(no_type.status, 400);
  EXPECT_EQ(error_field(no_type), "change_type");
  HttpResponse odd_type = call("POST", "/api/v1/tickets", agent.token,
                               {{"kind", "change"}, {"change_type", "quick"}, {"title", "x"}});
  EXPECT_EQ(error_field(odd_type), "change_type");
  HttpResponse unknown =
      call("POST", "/api/v1/tickets", agent.token,
           {{"kind", "change"}, {"change_type", "normal"}, {"title", "x"}, {"colour", "red"}});
  EXPECT_EQ(unknown.status, 400);
  HttpResponse bad_ci = call(
      "POST", "/api/v1/tickets", agent.token,
      {{"kind", "change"}, {"change_type", "normal"}, {"title", "x"}, {"ci_ids", {999999999}}});
  EXPECT_EQ(error_field(bad_ci), "ci_ids[0]");
  HttpResponse standard = call("POST", "/api/v1/tickets", agent.token,
                               {{"kind", "change"}, {"change_type", "standard"}, {"title", "x"}});
  EXPECT_EQ(error_field(standard), "template_id");
  HttpResponse bad_time = call("POST", "/api/v1/tickets", agent.token,
                               {{"kind", "change"},
                                {"change_type", "normal"},
                                {"title", "x"},
                                {"planned_start", "tomorrow"}});
  EXPECT_EQ(error_field(bad_time), "planned_start");
  // Requesters see no calendar, inbox or conflicts.
  EXPECT_EQ(
      call("GET", "/api/v1/changes/calendar?from=2031-01-01T00:00:00Z&to=2031-02-01T00:00:00Z",
           requester.token)
          .status,
      403);
  EXPECT_EQ(call("GET", "/api/v1/approvals/inbox", requester.token).status, 403);
  HttpResponse range =
      call("GET", "/api/v1/changes/calendar?from=2031-02-01T00:00:00Z&to=2031-01-01T00:00:00Z",
           agent.token);
  EXPECT_EQ(range.status, 400);
  EXPECT_EQ(error_field(range), "to");
  // Change routes on an incident are 404.
  json inc = ok(call("POST", "/api/v1/tickets", agent.token, {{"title", "Printer jam"}}), 201);
  EXPECT_EQ(
      call("GET", "/api/v1/tickets/" + inc["number"].get<std::string>() + "/conflicts", agent.token)
          .status,
      404);
}

YUNWEI_INSTANTIATE_BACKENDS(ChangesE2eTest);

}  // namespace
}  // namespace yunwei::testing
