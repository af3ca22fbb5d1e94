// Every write route of the live binary refuses bad input with a 4xx JSON error naming the
// field at fault, and a whole barrage of it leaves the stored data exactly as it was.
#include <functional>

#include "e2e/e2e_util.h"

namespace yunwei::testing {
namespace {

// kAny: a field whose value the server checks itself (any JSON type may arrive); its `bad`
// values say what must be refused.
enum class Kind { kString, kInt, kNullableInt, kInts, kStrings, kTime, kBool, kObject, kAny };

struct Field {
  std::string name;  // "set.status" names a field of the nested object "set"
  Kind kind;
  bool required = false;
  bool null_ok = false;        // null means "empty" (strings) or "none" (ids)
  std::vector<json> bad = {};  // values of the right type the server must still refuse
  // Strings: the most characters accepted (0: fewer than kLong); lists: the most items
  // (0: 10 strings, 1000 integers).
  size_t max = 0;
};

// What a write route accepts: a valid body (never sent as is) and its fields. A route without
// `base` takes no body.
struct WriteRoute {
  std::optional<json> base;
  std::vector<Field> fields;
  bool empty_ok = false;        // an empty body is valid
  bool multipart = false;       // takes multipart/form-data: multipart_cases() instead
  bool holiday_import = false;  // takes a holiday document: import_cases() instead
  bool cmdb_import = false;     // takes CSV or JSON CIs: cmdb_import_cases() instead
};

// One bad request and what must come back.
struct Case {
  std::string what;
  std::string body;
  std::vector<std::string> headers;  // besides authentication
  int status = 400;
  std::string field;           // the field the error must name ("" = any or none)
  bool body_field_ok = false;  // "body" is also acceptable as the field
  bool raw_without_content_type = false;
  // A 422 import report must list errors on exactly these lines (empty: any, at least one).
  std::vector<int> lines = {};
};

const std::string kLong(10000, 'x');
std::string long_cjk() {
  std::string s;
  for (int i = 0; i < 10000; ++i) s += "字";
  return s;
}

// Byte sequences that are not UTF-8: a stray continuation byte, an overlong '/', a surrogate,
// a truncated sequence, a code point past U+10FFFF.
const std::vector<std::string> kBadUtf8 = {
    "a\xff"
    "b",
    "\xc0\xaf", "\xed\xa0\x80", "\xe5\xad", "\xf4\x90\x80\x80"};

std::string deep_array(int depth) {
  return std::string(static_cast<size_t>(depth), '[') +
         std::string(static_cast<size_t>(depth), ']');
}

std::string cjk(size_t n) {
  std::string s;
  for (size_t i = 0; i < n; ++i) s += "字";
  return s;
}

// "set.status" -> /set/status
json::json_pointer pointer(const std::string& name) {
  std::string path = "/";  // appended: GCC 12 -O3 warns falsely (-Wrestrict) on "/" + string
  path += replace_all(name, ".", "/");
  return json::json_pointer(path);
}

const std::string kBoundary = "bad-input-boundary";

// One multipart/form-data part; a file part when `filename` is given.
std::string form_part(const std::string& name, const std::optional<std::string>& filename,
                      const std::string& data) {
  std::string p = "--" + kBoundary + "\r\nContent-Disposition: form-data; name=\"" + name + "\"";
  if (filename) p += "; filename=\"" + *filename + "\"\r\nContent-Type: text/plain";
  return p + "\r\n\r\n" + data + "\r\n";
}
std::string form_end() { return "--" + kBoundary + "--\r\n"; }

class BadInputTest : public SharedServerTest {
 protected:
  // With the test clock, so that its route is there to probe too (nothing here moves it).
  std::vector<std::string> server_args() const override { return {"--test-clock"}; }

  void SetUp() override {
    SharedServerTest::SetUp();
    if (IsSkipped() || HasFatalFailure()) return;
    routes_ = live_routes();
    // Records the {id} routes act on, made before the first snapshot.
    target_user_ = create_user(port_, admin_token_, unique_name("badtarget"), {"agent"});
    ASSERT_FALSE(target_user_.is_discarded());
    HttpClient c(port_);
    HttpResponse team =
        c.request("POST", "/api/v1/teams", json{{"name", unique_name("Bad Input Team ")}}.dump(),
                  {bearer(admin_token_)});
    ASSERT_EQ(team.status, 201) << team.body;
    target_team_ = parse_body(team);
    HttpResponse token = c.request("POST", "/api/v1/me/tokens", R"({"name":"bad input target"})",
                                   {bearer(admin_token_)});
    ASSERT_EQ(token.status, 201);
    target_token_ = parse_body(token);
    admin_ = get_json(port_, "/api/v1/me", admin_token_);
    json teams = get_json(port_, "/api/v1/teams?limit=500", admin_token_);
    for (const json& t : teams["items"]) {
      if (t["id"] != target_team_["id"] && t["active"] == true) other_team_ = t;
    }
    ASSERT_TRUE(other_team_.is_object()) << "no second active team";

    // Service desk records: the ticket the {number} routes act on (assigned to the target
    // team, linked to another), a third ticket to link to, a resolved ticket of the admin's for
    // the survey, a category with a child, an assignment rule, a saved view.
    std::int64_t team_id = target_team_["id"];
    ticket_ = created("/api/v1/tickets", {{"title", "Bad input target: 打印机卡纸"},
                                          {"description", "财务部三楼的打印机"},
                                          {"assignee_team_id", team_id}});
    ASSERT_FALSE(ticket_.is_discarded());
    json linked = created("/api/v1/tickets", {{"title", "Bad input: linked"}});
    ASSERT_FALSE(linked.is_discarded());
    link_ = created(ticket_path("/links"), {{"type", "related_to"}, {"to", linked["number"]}});
    ASSERT_FALSE(link_.is_discarded());
    other_ticket_ = created("/api/v1/tickets", {{"title", "Bad input: link target"}});
    ASSERT_FALSE(other_ticket_.is_discarded());
    HttpResponse file = c.request(
        "POST", ticket_path("/attachments"),
        form_part("file", "note.txt", "paper jam") + form_end(),
        {bearer(admin_token_), "Content-Type: multipart/form-data; boundary=" + kBoundary});
    ASSERT_EQ(file.status, 201) << file.body;
    attachment_ = parse_body(file)["items"][0];
    json done = created("/api/v1/tickets",
                        {{"title", "Bad input: resolved"}, {"assignee_team_id", team_id}});
    ASSERT_FALSE(done.is_discarded());
    HttpResponse resolved =
        c.request("POST", "/api/v1/tickets/" + done["number"].get<std::string>() + "/transitions",
                  json{{"to", "resolved"},
                       {"version", done["version"]},
                       {"resolution_code", "fixed"},
                       {"resolution_notes", "cleared the jam"}}
                      .dump(),
                  {bearer(admin_token_)});
    ASSERT_EQ(resolved.status, 200) << resolved.body;
    resolved_ticket_ = parse_body(resolved);
    category_ = created("/api/v1/categories",
                        {{"code", unique_name("bad-input")}, {"name", "Bad input target"}});
    ASSERT_FALSE(category_.is_discarded());
    child_category_ = created("/api/v1/categories", {{"code", unique_name("bad-input-child")},
                                                     {"name", "Bad input child"},
                                                     {"parent_id", category_["id"]}});
    ASSERT_FALSE(child_category_.is_discarded());
    rule_ = created("/api/v1/assignment-rules", {{"name", "Bad input target"},
                                                 {"team_id", team_id},
                                                 {"active", false},
                                                 {"conditions", {{"keywords", {"bad input"}}}}});
    ASSERT_FALSE(rule_.is_discarded());
    view_ = created("/api/v1/me/ticket-views",
                    {{"name", "Bad input target"}, {"query", {{"status", "new"}}}});
    ASSERT_FALSE(view_.is_discarded());
    // SLA records: a calendar and a holiday set with a year of days (a bad import must leave
    // them as they are).
    json calendar = json::parse(R"({
        "zone": "Asia/Shanghai",
        "weekly": {"mon": [["09:00", "12:00"], ["13:00", "18:00"]], "fri": [["09:00", "18:00"]]},
        "holiday_sets": ["cn-statutory"],
        "overrides": [{"date": "2026-03-02", "hours": [], "note": "bad input"}]})");
    calendar["name"] = unique_name("Bad input target ");
    calendar_ = created("/api/v1/calendars", calendar);
    ASSERT_FALSE(calendar_.is_discarded());
    holiday_set_ = created("/api/v1/holiday-sets",
                           {{"key", unique_name("bad-input-")}, {"name", "Bad input target"}});
    ASSERT_FALSE(holiday_set_.is_discarded());
    std::string import_path = "/api/v1/holiday-sets/";
    import_path += holiday_set_["key"].get<std::string>();
    import_path += "/import";
    HttpResponse imported =
        c.request("POST", import_path,
                  R"({"years": {"2030": {"holidays": [{"name": "New Year", "days": ["2030-01-01"]}],
                               "make_up_workdays": ["2030-01-05"]}}})",
                  {bearer(admin_token_)});
    ASSERT_EQ(imported.status, 200) << imported.body;
    // An SLA policy on that calendar, scoped to the category, with an OLA target and thresholds.
    sla_policy_ = created(
        "/api/v1/sla-policies",
        {{"name", unique_name("Bad input target ")},
         {"conditions", {{"kinds", {"incident"}}, {"category_ids", {category_["id"]}}}},
         {"calendar_id", calendar_["id"]},
         {"response_minutes", 60},
         {"resolution_minutes", 480},
         {"ola", {{{"team_id", team_id}, {"minutes", 240}}}},
         {"thresholds",
          {{{"percent", 50}, {"actions", {{{"type", "notify"}, {"to", "assignee"}}}}},
           {{"percent", 100}, {"actions", {{{"type", "reassign"}, {"team_id", team_id}}}}}}}});
    ASSERT_FALSE(sla_policy_.is_discarded());
    // CMDB records: a CI type of its own, two servers related by depends_on, a third CI to
    // relate to.
    cmdb_type_ =
        created("/api/v1/ci-types",
                {{"key", replace_all(unique_name("bad_input_"), "-", "_")},
                 {"name", "Bad input target"},
                 {"attributes", {{{"key", "branch"}, {"name", "Branch"}, {"kind", "string"}}}}});
    ASSERT_FALSE(cmdb_type_.is_discarded());
    auto server = [&](const std::string& prefix) {
      std::string host = unique_name(prefix);
      return created("/api/v1/cis", {{"type", "server"},
                                     {"name", host},
                                     {"owner_team_id", team_id},
                                     {"attributes", {{"hostname", host}, {"ip", "10.1.2.3"}}}});
    };
    ci_ = server("bad-input-ci-");
    ASSERT_FALSE(ci_.is_discarded());
    json related = server("bad-input-related-");
    ASSERT_FALSE(related.is_discarded());
    other_ci_ = server("bad-input-other-");
    ASSERT_FALSE(other_ci_.is_discarded());
    ci_relation_ = created("/api/v1/cis/" + id_of(ci_) + "/relations",
                           {{"type", "depends_on"}, {"to", related["id"]}});
    ASSERT_FALSE(ci_relation_.is_discarded());
    ci_ = get_json(port_, "/api/v1/cis/" + id_of(ci_), admin_token_);
    matrix_ = get_json(port_, "/api/v1/priority-matrix", admin_token_);
    settings_ = get_json(port_, "/api/v1/ticket-settings", admin_token_);
    ticket_ = get_json(port_, ticket_path(), admin_token_);  // its version after the link

    // Problems and changes: a problem with a linked incident (other_ticket_ stays free to link),
    // a normal change with no plan yet.
    json incident = created("/api/v1/tickets", {{"title", "Bad input: a problem's incident"}});
    ASSERT_FALSE(incident.is_discarded());
    linked_incident_ = incident["number"];
    problem_ = created("/api/v1/tickets", {{"kind", "problem"},
                                           {"title", "Bad input target: 网银登录超时"},
                                           {"incident_numbers", {linked_incident_}},
                                           {"ci_ids", {ci_["id"]}}});
    ASSERT_FALSE(problem_.is_discarded());
    change_ = created("/api/v1/tickets", {{"kind", "change"},
                                          {"change_type", "normal"},
                                          {"title", "Bad input target: 升级数据库"},
                                          {"assignee_team_id", team_id}});
    ASSERT_FALSE(change_.is_discarded());
    // Change configuration: a business service, its maintenance window, a freeze window, a
    // standard-change template, an inactive team, the change settings.
    business_service_ = created(
        "/api/v1/cis", {{"type", "business_service"}, {"name", unique_name("Bad input service ")}});
    ASSERT_FALSE(business_service_.is_discarded());
    freeze_window_ = created("/api/v1/freeze-windows", {{"name", "Bad input freeze"},
                                                        {"start", "2090-01-01T00:00:00Z"},
                                                        {"end", "2090-01-02T00:00:00Z"}});
    ASSERT_FALSE(freeze_window_.is_discarded());
    maintenance_window_ =
        created("/api/v1/maintenance-windows", {{"service_id", business_service_["id"]},
                                                {"name", "Bad input window"},
                                                {"ranges", {"Sat 22:00-Sun 06:00"}}});
    ASSERT_FALSE(maintenance_window_.is_discarded());
    change_template_ = created("/api/v1/change-templates",
                               {{"name", "Bad input template"}, {"duration_minutes", 30}});
    ASSERT_FALSE(change_template_.is_discarded());
    json inactive = created("/api/v1/teams", {{"name", unique_name("Bad input inactive ")}});
    ASSERT_FALSE(inactive.is_discarded());
    HttpResponse off = c.request("POST", "/api/v1/teams/" + id_of(inactive) + "/deactivate", "",
                                 {bearer(admin_token_)});
    ASSERT_EQ(off.status, 200) << off.body;
    inactive_team_ = parse_body(off);
    change_settings_ = get_json(port_, "/api/v1/change-settings", admin_token_);
    problem_ = get_json(port_, "/api/v1/tickets/" + number_of(problem_), admin_token_);
    change_ = get_json(port_, "/api/v1/tickets/" + number_of(change_), admin_token_);
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

  std::string ticket_path(const std::string& rest = "") {
    return "/api/v1/tickets/" + ticket_["number"].get<std::string>() + rest;
  }

  static std::string id_of(const json& record) {
    return std::to_string(record["id"].get<std::int64_t>());
  }

  static std::string number_of(const json& ticket) { return ticket["number"].get<std::string>(); }

  // The routes of a problem or a change act on one; the others on the incident ticket_.
  const json& ticket_for(const std::string& pattern) const {
    static const std::set<std::string> kProblem = {
        "/api/v1/tickets/{number}/problem", "/api/v1/tickets/{number}/incidents",
        "/api/v1/tickets/{number}/incidents/{incident}", "/api/v1/tickets/{number}/known-error"};
    static const std::set<std::string> kChange = {
        "/api/v1/tickets/{number}/change", "/api/v1/tickets/{number}/approvals",
        "/api/v1/tickets/{number}/conflicts", "/api/v1/tickets/{number}/conflicts/override",
        "/api/v1/tickets/{number}/review"};
    if (kProblem.count(pattern)) return problem_;
    if (kChange.count(pattern)) return change_;
    // The survey is the requester's, on a resolved ticket: the admin's resolved one.
    if (pattern == "/api/v1/tickets/{number}/survey") return resolved_ticket_;
    return ticket_;
  }

  std::string concrete(const std::string& pattern) {
    std::string id;
    auto under = [&](const char* prefix) { return pattern.rfind(prefix, 0) == 0; };
    if (under("/api/v1/users/")) id = id_of(target_user_);
    if (under("/api/v1/teams/")) id = id_of(target_team_);
    if (under("/api/v1/me/tokens/")) id = id_of(target_token_);
    if (under("/api/v1/me/ticket-views/")) id = id_of(view_);
    if (under("/api/v1/categories/")) id = id_of(category_);
    if (under("/api/v1/assignment-rules/")) id = id_of(rule_);
    if (under("/api/v1/calendars/")) id = id_of(calendar_);
    if (under("/api/v1/sla-policies/")) id = id_of(sla_policy_);
    if (under("/api/v1/ci-types/")) id = id_of(cmdb_type_);
    if (under("/api/v1/cis/")) id = id_of(ci_);
    if (under("/api/v1/tickets/{number}/links/")) id = id_of(link_);
    if (under("/api/v1/tickets/{number}/attachments/")) id = id_of(attachment_);
    if (under("/api/v1/freeze-windows/")) id = id_of(freeze_window_);
    if (under("/api/v1/maintenance-windows/")) id = id_of(maintenance_window_);
    if (under("/api/v1/change-templates/")) id = id_of(change_template_);
    std::string p = replace_all(pattern, "{number}", number_of(ticket_for(pattern)));
    p = replace_all(p, "{key}", holiday_set_["key"].get<std::string>());
    p = replace_all(p, "{relation_id}", id_of(ci_relation_));
    p = replace_all(p, "{incident}", linked_incident_.get<std::string>());
    p = replace_all(p, "{problem}", number_of(problem_));
    return id.empty() ? p : replace_all(p, "{id}", id);
  }

  // The write routes this test knows, by "METHOD /pattern"; a key may end in " (variant)" for a
  // second body the same route takes (POST /api/v1/tickets: a problem, a change). A write route
  // missing here fails the test.
  std::map<std::string, WriteRoute> write_routes() {
    const std::string pw = "Another-Pass-9";
    std::int64_t uid = target_user_["id"];
    Field version{"version", Kind::kInt, true};
    Field opt_version{"version", Kind::kInt, false};
    Field display_name{"display_name",
                       Kind::kString,
                       false,
                       false,
                       {"", "   ",
                        "tab\tok but\x01"
                        "control"}};
    Field email{"email",
                Kind::kString,
                false,
                true,
                {"not-an-email", "a@b", "@example.com", "a b@example.com"}};
    Field phone{"phone", Kind::kString, false, true, {"call me maybe", "123;DROP"}};
    Field locale{"locale", Kind::kString, false, false, {"fr", "zh-TW", "", "EN"}};
    Field time_zone{
        "time_zone", Kind::kString, false, false, {"Mars/Olympus_Mons", "", "../../../etc/passwd"}};
    Field roles{"roles",
                Kind::kStrings,
                false,
                false,
                {json::array({"wizard"}), json::array(), json::array({"admin", "root"}),
                 json::array({"Admin"})}};
    Field organisation{
        "organisation", Kind::kString, false, true, {"line\nbreak", "bell\x07"}, 100};
    Field team_name{"name", Kind::kString, false, false, {"", "   ", "line\nbreak"}};
    Field name_zh{"name_zh", Kind::kString, false, true, {"换\n行"}};
    Field description{"description", Kind::kString, false, true};
    Field lead_id{"lead_id", Kind::kNullableInt, false, true, {999999, 0, -1}};
    Field member_ids{
        "member_ids", Kind::kInts, false, false, {json::array({999999}), json::array({uid, 0})}};

    std::map<std::string, WriteRoute> m;
    m["POST /api/v1/auth/login"] = {
        json{{"username", "admin"}, {"password", server_->admin_password()}},
        {{"username", Kind::kString, true}, {"password", Kind::kString, true}}};
    m["POST /api/v1/auth/logout"] = {std::nullopt, {}};
    m["PATCH /api/v1/me"] = {json{{"locale", "en"}, {"version", admin_["version"]}},
                             {display_name, email, phone, locale, time_zone, version}};
    m["POST /api/v1/me/password"] = {
        json{{"current_password", server_->admin_password()}, {"new_password", pw}},
        {{"current_password", Kind::kString, true},
         {"new_password", Kind::kString, true, false, {"short", "1234567"}}}};
    m["POST /api/v1/me/tokens"] = {json{{"name", "valid token"}},
                                   {{"name", Kind::kString, true, false, {"", "    "}},
                                    {"expires_at",
                                     Kind::kTime,
                                     false,
                                     true,
                                     {"2001-01-01T00:00:00Z", "tomorrow", "2030-13-01T00:00:00Z",
                                      "2030-02-30T25:00:00Z", ""}}}};
    m["DELETE /api/v1/me/tokens/{id}"] = {std::nullopt, {}};
    Field new_password{"password", Kind::kString, false, false, {"short"}};
    m["POST /api/v1/users"] = {
        json{{"username", unique_name("never-created")},
             {"display_name", "Never Created"},
             {"email", "never@example.com"},
             {"phone", "+86 10 8888 0000"},
             {"locale", "en"},
             {"time_zone", "Asia/Shanghai"},
             {"organisation", "财务部"},
             {"roles", {"agent"}},
             {"password", pw}},
        {{"username",
          Kind::kString,
          true,
          false,
          {"Upper", "with space", "x", "-dash-first", "名字", ""}},
         {"display_name", Kind::kString, true, false, {"", "   ", "bell\x07"}},
         email,
         phone,
         locale,
         time_zone,
         organisation,
         {"roles", Kind::kStrings, true, false, roles.bad},
         new_password}};
    m["PATCH /api/v1/users/{id}"] = {
        json{{"display_name", "Changed"}, {"version", target_user_["version"]}},
        {display_name, email, phone, locale, time_zone, organisation, roles, version}};
    m["POST /api/v1/users/{id}/deactivate"] = {
        json{{"version", target_user_["version"]}}, {opt_version}, true};
    m["POST /api/v1/users/{id}/activate"] = {
        json{{"version", target_user_["version"]}}, {opt_version}, true};
    m["POST /api/v1/users/{id}/password"] = {
        json{{"password", pw}}, {{"password", Kind::kString, true, false, {"short", ""}}}};
    m["POST /api/v1/teams"] = {json{{"name", unique_name("Never Created ")},
                                    {"name_zh", "从未创建"},
                                    {"description", "never"},
                                    {"lead_id", uid},
                                    {"member_ids", {uid}}},
                               {{"name", Kind::kString, true, false, team_name.bad},
                                name_zh,
                                description,
                                lead_id,
                                member_ids}};
    m["PATCH /api/v1/teams/{id}"] = {
        json{{"name_zh", "改名"}, {"version", target_team_["version"]}},
        {team_name, name_zh, description, lead_id, member_ids, version}};
    m["POST /api/v1/teams/{id}/deactivate"] = {
        json{{"version", target_team_["version"]}}, {opt_version}, true};
    m["POST /api/v1/teams/{id}/activate"] = {
        json{{"version", target_team_["version"]}}, {opt_version}, true};
    add_ticket_routes(m);
    add_ticket_config_routes(m);
    add_calendar_routes(m);
    add_sla_policy_routes(m);
    add_cmdb_routes(m);
    add_problem_routes(m);
    add_change_routes(m);
    add_change_config_routes(m);
    return m;
  }

  // The route a write_routes() key describes (without its variant).
  static std::string route_of(const std::string& key) {
    size_t variant = key.find(" (");
    return variant == std::string::npos ? key : key.substr(0, variant);
  }

  // Problems (issue #7): raised through POST /api/v1/tickets, their analysis, linked incidents,
  // known errors. Bad incidents: unknown, not a ticket number, not an incident, listed twice.
  void add_problem_routes(std::map<std::string, WriteRoute>& m) {
    std::int64_t uid = target_user_["id"];  // not a member of the target team
    std::int64_t team = target_team_["id"];
    std::string free_incident = number_of(other_ticket_);
    auto text = [](const std::string& name, size_t max) {
      return Field{name, Kind::kString, false, true, {}, max};
    };
    Field ci_ids{"ci_ids",
                 Kind::kInts,
                 false,
                 false,
                 {json::array({999999}), json::array({ci_["id"], ci_["id"]})},
                 200};
    Field incidents{
        "incident_numbers",
        Kind::kStrings,
        false,
        false,
        {json::array({"INC-999999"}), json::array({"nonsense"}), json::array({number_of(problem_)}),
         json::array({free_incident, free_incident})},
        100};
    m["POST /api/v1/tickets (problem)"] = {
        json{{"kind", "problem"},
             {"title", "Never created"},
             {"description", "从未创建"},
             {"impact", 2},
             {"urgency", 2},
             {"category_id", category_["id"]},
             {"service_id", nullptr},
             {"assignee_team_id", team},
             {"incident_numbers", {free_incident}},
             {"ci_ids", {ci_["id"]}},
             {"symptoms", "登录页面超时"},
             {"root_cause", "会话表已满"},
             {"workaround", "清理会话表"},
             {"permanent_fix", "扩容"}},
        {{"title", Kind::kString, true, false, {"", "   ", "line\nbreak"}, 200},
         text("description", 20000),
         {"impact", Kind::kInt, false, false, {0, 6, -1, 4}},
         {"urgency", Kind::kInt, false, false, {0, 6, -1, 5}},
         {"category_id", Kind::kNullableInt, false, true, {999999, 0, -1}},
         {"service_id", Kind::kNullableInt, false, true, {999999, 0}},
         {"assignee_team_id", Kind::kNullableInt, false, true, {999999, 0}},
         {"assignee_id", Kind::kNullableInt, false, true, {999999, uid}},
         incidents,
         ci_ids,
         text("symptoms", 20000),
         text("root_cause", 20000),
         text("workaround", 20000),
         text("permanent_fix", 20000)}};
    m["PATCH /api/v1/tickets/{number}/problem"] = {
        json{{"version", problem_["version"]}, {"root_cause", "会话表已满"}},
        {{"version", Kind::kInt, true},
         text("symptoms", 20000),
         text("root_cause", 20000),
         text("workaround", 20000),
         text("permanent_fix", 20000),
         ci_ids}};
    Field numbers = incidents;
    numbers.name = "numbers";
    numbers.required = true;
    m["POST /api/v1/tickets/{number}/incidents"] = {json{{"numbers", {free_incident}}}, {numbers}};
    m["DELETE /api/v1/tickets/{number}/incidents/{incident}"] = {std::nullopt, {}};
    m["POST /api/v1/tickets/{number}/known-error"] = {
        json{{"published", false}, {"version", problem_["version"]}},
        {{"published", Kind::kBool, true}, {"version", Kind::kInt}}};
    m["POST /api/v1/tickets/{number}/known-errors/{problem}/apply"] = {std::nullopt, {}};
  }

  // Changes (issue #7): raised through POST /api/v1/tickets, their plan, approvals, the
  // conflicts override, the review. Times: RFC 3339, a plan ends after it starts, within 90
  // days.
  void add_change_routes(std::map<std::string, WriteRoute>& m) {
    std::int64_t uid = target_user_["id"];  // not a member of the target team
    std::int64_t team = target_team_["id"];
    auto text = [](const std::string& name, size_t max) {
      return Field{name, Kind::kString, false, true, {}, max};
    };
    json risk_bad = {"x", 1, json::array(), nullptr, json{{"no_such_question", "x"}}};
    json questions = change_settings_["questionnaire"].value("questions", json::array());
    if (!questions.empty()) {
      std::string q = questions[0]["key"];
      risk_bad.push_back(json{{q, "no_such_option"}});
      risk_bad.push_back(json{{q, 5}});
    }
    // planned_start and planned_end come together (null leaves both as they are).
    std::vector<Field> plan = {
        text("reason", 5000),
        text("implementation_plan", 20000),
        text("backout_plan", 20000),
        text("test_plan", 20000),
        {"planned_start",
         Kind::kTime,
         false,
         true,
         {"tomorrow", "2031-02-30T09:00:00Z", "", "2031-06-01T02:00"}},
        {"planned_end",
         Kind::kTime,
         false,
         true,
         {"soon", "2031-06-01T01:00:00Z", "2031-06-01T02:00:00Z", "2031-12-01T00:00:00Z"}},
        {"ci_ids",
         Kind::kInts,
         false,
         false,
         {json::array({999999}), json::array({ci_["id"], ci_["id"]})},
         200},
        {"risk_answers", Kind::kAny, false, false, risk_bad.get<std::vector<json>>()}};
    Field change_type{"change_type", Kind::kString, true, false, {"weekly", "", "NORMAL"}, 20};
    std::vector<Field> create = {
        change_type,
        {"template_id", Kind::kInt, false, false, {999999, change_template_["id"]}},
        {"title", Kind::kString, true, false, {"", "   ", "line\nbreak"}, 200},
        text("description", 20000),
        {"impact", Kind::kInt, false, false, {0, 6, -1, 4}},
        {"urgency", Kind::kInt, false, false, {0, 6, -1, 5}},
        {"channel", Kind::kString, false, false, {"pigeon", "", "WEB"}, 20},
        {"category_id", Kind::kNullableInt, false, true, {999999, 0, -1}},
        {"requester_id", Kind::kInt, false, false, {999999, 0}},
        {"service_id", Kind::kNullableInt, false, true, {999999, 0}},
        {"assignee_team_id", Kind::kNullableInt, false, true, {999999, 0}},
        {"assignee_id", Kind::kNullableInt, false, true, {999999, uid}}};
    create.insert(create.end(), plan.begin(), plan.end());
    m["POST /api/v1/tickets (change)"] = {json{{"kind", "change"},
                                               {"change_type", "normal"},
                                               {"title", "Never created"},
                                               {"description", "从未创建"},
                                               {"impact", 2},
                                               {"urgency", 2},
                                               {"channel", "phone"},
                                               {"category_id", category_["id"]},
                                               {"requester_id", admin_["id"]},
                                               {"service_id", nullptr},
                                               {"assignee_team_id", team},
                                               {"ci_ids", {ci_["id"]}},
                                               {"planned_start", "2031-06-01T02:00:00Z"},
                                               {"planned_end", "2031-06-01T04:00:00Z"},
                                               {"reason", "补丁"},
                                               {"implementation_plan", "打补丁"},
                                               {"backout_plan", "回滚"},
                                               {"test_plan", "登录一次"}},
                                          create};
    // A standard change keeps its type and a normal one cannot become standard.
    change_type.required = false;
    change_type.bad.push_back("standard");
    std::vector<Field> patch = {{"version", Kind::kInt, true}, change_type};
    patch.insert(patch.end(), plan.begin(), plan.end());
    m["PATCH /api/v1/tickets/{number}/change"] = {json{{"version", change_["version"]},
                                                       {"reason", "Replanned"},
                                                       {"planned_start", "2031-06-01T02:00:00Z"},
                                                       {"planned_end", "2031-06-01T04:00:00Z"}},
                                                  patch};
    m["POST /api/v1/tickets/{number}/approvals"] = {
        json{{"decision", "approve"}, {"comment", "ok"}},
        {{"decision", Kind::kString, true, false, {"maybe", "", "APPROVE", "approved"}, 20},
         text("comment", 2000)}};
    m["POST /api/v1/tickets/{number}/conflicts/override"] = {
        json{{"reason", "CAB agreed"}},
        {{"reason", Kind::kString, true, false, {"", "   "}, 2000}}};
    // A partial outcome needs notes.
    m["POST /api/v1/tickets/{number}/review"] = {
        json{{"outcome", "partial"},
             {"notes", "one step rolled back"},
             {"caused_incidents", {number_of(ticket_)}}},
        {{"outcome", Kind::kString, true, false, {"great", "", "SUCCESSFUL"}, 20},
         {"notes", Kind::kString, false, false, {"", "   "}, 5000},
         {"caused_incidents", Kind::kStrings, false, false, {}, 100}}};
  }

  // Change configuration (issue #7): freeze windows, maintenance windows, standard-change
  // templates, the change settings. Services must be business services, teams active.
  void add_change_config_routes(std::map<std::string, WriteRoute>& m) {
    Field version{"version", Kind::kInt, true};
    Field name{"name", Kind::kString, true, false, {"", "   ", "line\nbreak"}, 200};
    Field patch_name = name;
    patch_name.required = false;
    Field reason{"reason", Kind::kString, false, true, {}, 2000};
    Field start{"start",
                Kind::kTime,
                true,
                false,
                {"tomorrow", "2026-02-30T09:00:00+08:00", "", "2026-02-13T17:00"}};
    Field end{"end", Kind::kTime, true, false, {"tomorrow", "", "2089-12-31T00:00:00Z"}};
    Field services{"service_ids",
                   Kind::kInts,
                   false,
                   false,
                   {json::array({999999999}), json::array({business_service_["id"], ci_["id"]})},
                   100};
    m["POST /api/v1/freeze-windows"] = {json{{"name", "Never created"},
                                             {"start", "2090-03-01T00:00:00Z"},
                                             {"end", "2090-03-02T00:00:00Z"},
                                             {"service_ids", {business_service_["id"]}}},
                                        {name, reason, start, end, services}};
    Field patch_start = start;
    patch_start.required = false;
    Field patch_end = end;
    patch_end.required = false;
    m["PATCH /api/v1/freeze-windows/{id}"] = {
        json{{"version", freeze_window_["version"]}, {"name", "Renamed"}},
        {version, patch_name, reason, patch_start, patch_end, services}};
    // A delete takes an optional version (or If-Match) and nothing else.
    m["DELETE /api/v1/freeze-windows/{id}"] = {
        json{{"version", freeze_window_["version"]}}, {{"version", Kind::kInt}}, true};

    Field service{"service_id", Kind::kInt, true, false, {999999999, ci_["id"]}};
    Field zone{"zone", Kind::kString, false, false, {"Mars/Olympus_Mons", ""}, 64};
    Field ranges{"ranges",
                 Kind::kStrings,
                 true,
                 false,
                 {json::array(), json::array({"Saturday night"}),
                  json::array({"Sat 22:00-Sun 06:00", "Sat 22:00-Sat 22:00"})},
                 20};
    m["POST /api/v1/maintenance-windows"] = {json{{"service_id", business_service_["id"]},
                                                  {"name", "Never created"},
                                                  {"zone", "Asia/Shanghai"},
                                                  {"ranges", {"Sun 01:00-Sun 02:00"}}},
                                             {service, name, zone, ranges}};
    Field patch_service = service;
    patch_service.required = false;
    Field patch_ranges = ranges;
    patch_ranges.required = false;
    m["PATCH /api/v1/maintenance-windows/{id}"] = {
        json{{"version", maintenance_window_["version"]}, {"name", "Renamed"}},
        {version, patch_service, patch_name, zone, patch_ranges}};
    m["DELETE /api/v1/maintenance-windows/{id}"] = {
        json{{"version", maintenance_window_["version"]}}, {{"version", Kind::kInt}}, true};

    Field name_zh{"name_zh", Kind::kString, false, true, {"line\nbreak"}, 200};
    Field duration{"duration_minutes", Kind::kInt, true, false, {0, -5, 10081}};
    Field team{
        "implementer_team_id", Kind::kNullableInt, false, true, {999999999, inactive_team_["id"]}};
    std::vector<Field> text = {{"description", Kind::kString, false, true, {}, 4000},
                               {"description_zh", Kind::kString, false, true, {}, 4000},
                               {"implementation_plan", Kind::kString, false, true, {}, 20000},
                               {"backout_plan", Kind::kString, false, true, {}, 20000},
                               {"test_plan", Kind::kString, false, true, {}, 20000}};
    std::vector<Field> template_fields = {name, name_zh, duration, team, {"active", Kind::kBool}};
    template_fields.insert(template_fields.end(), text.begin(), text.end());
    m["POST /api/v1/change-templates"] = {json{{"name", "Never created"}, {"duration_minutes", 60}},
                                          template_fields};
    Field patch_duration = duration;
    patch_duration.required = false;
    std::vector<Field> patch_fields = {version,        patch_name, name_zh,
                                       patch_duration, team,       {"active", Kind::kBool}};
    patch_fields.insert(patch_fields.end(), text.begin(), text.end());
    m["PATCH /api/v1/change-templates/{id}"] = {
        json{{"version", change_template_["version"]}, {"name", "Renamed"}}, patch_fields};

    Field board{"cab_team_id", Kind::kNullableInt, false, true, {999999999, inactive_team_["id"]}};
    Field ecab = board;
    ecab.name = "ecab_team_id";
    m["PUT /api/v1/change-settings"] = {
        json{{"version", change_settings_["version"]}, {"candidate_window_days", 20}},
        {version,
         board,
         ecab,
         {"questionnaire",
          Kind::kAny,
          false,
          false,
          {nullptr, "text", 1, json::array(), json::object(), json{{"questions", json::array()}}}},
         {"candidate_window_days", Kind::kInt, false, false, {0, 366}},
         {"candidate_min_incidents", Kind::kInt, false, false, {1, 1001}}}};
  }

  // The service desk's write routes. Bad enums: kind, channel, status, priority, pending_reason,
  // resolution_code, link type, escalation type, strategy; ratings outside 1..5.
  void add_ticket_routes(std::map<std::string, WriteRoute>& m) {
    std::int64_t uid = target_user_["id"];  // not a member of the target team
    std::int64_t team = target_team_["id"];
    std::int64_t other_team = other_team_["id"];
    std::string number = ticket_["number"];
    Field version{"version", Kind::kInt, true};
    Field title{"title", Kind::kString, true, false, {"", "   ", "line\nbreak"}, 200};
    Field description{"description", Kind::kString, false, true, {}, 20000};
    Field kind{"kind", Kind::kString, false, false, {"complaint", "", "INCIDENT", "Request"}, 20};
    Field channel{"channel", Kind::kString, false, false, {"pigeon", "", "WEB", "fax"}, 20};
    // The matrix has 3 levels: 4 and 5 pass the route's 1..5 check and must still be refused.
    Field impact{"impact", Kind::kInt, false, false, {0, 6, -1, 4}};
    Field urgency{"urgency", Kind::kInt, false, false, {0, 6, -1, 5}};
    Field category{"category_id", Kind::kNullableInt, false, true, {999999, 0, -1}};
    // Not CIs.
    Field service{"service_id", Kind::kNullableInt, false, true, {999999, 0}};
    Field ci{"ci_id", Kind::kNullableInt, false, true, {999999, 0}};
    Field team_id{"assignee_team_id", Kind::kNullableInt, false, true, {999999, 0}};
    Field assignee{"assignee_id", Kind::kNullableInt, false, true, {999999, uid}};
    Field requester{"requester_id", Kind::kInt, false, false, {999999, 0}};
    Field priority{"priority", Kind::kString, false, false, {"P9", "p1", "", "P0", "high"}, 5};
    auto text = [&](const std::string& name, size_t max, bool null_ok = false,
                    std::vector<json> bad = {}) {
      return Field{name, Kind::kString, false, null_ok, std::move(bad), max};
    };
    Field pending{"pending_reason",
                  Kind::kString,
                  false,
                  false,
                  {"waiting", "", "AWAITING_VENDOR", "awaiting"},
                  40};
    Field resolution{"resolution_code", Kind::kString, false, false, {"solved", "", "FIXED"}, 40};

    m["POST /api/v1/tickets"] = {json{{"kind", "incident"},
                                      {"title", "Never created"},
                                      {"description", "从未创建"},
                                      {"impact", 2},
                                      {"urgency", 2},
                                      {"channel", "phone"},
                                      {"category_id", category_["id"]},
                                      {"requester_id", admin_["id"]},
                                      {"service_id", nullptr},
                                      {"ci_id", nullptr},
                                      {"assignee_team_id", team}},
                                 {kind, title, description, impact, urgency, channel, category,
                                  requester, service, ci, team_id, assignee}};
    // Each ticket changes in its own transaction, but a value no ticket can take is the
    // request's fault.
    m["POST /api/v1/tickets/bulk"] = {
        json{{"numbers", {number}},
             {"set",
              {{"status", "pending"},
               {"pending_reason", "awaiting_vendor"},
               {"priority", "P2"},
               {"priority_reason", "bulk re-prioritised"}}}},
        {{"numbers", Kind::kStrings, true, false, {json::array()}, 500},
         {"set", Kind::kObject, true},
         {"set.status", Kind::kString, false, false, {"flying", "", "Pending"}, 40},
         {"set.priority", Kind::kString, false, false, {"P9", "p1", ""}, 5},
         {"set.priority_reason", Kind::kString, false, false, {}, 5000},
         {"set.pending_reason", Kind::kString, false, false, {"waiting", "AWAITING_VENDOR"}, 40},
         {"set.resolution_code", Kind::kString, false, false, {"solved"}, 40},
         {"set.resolution_notes", Kind::kString, false, false, {}, 5000},
         {"set.cancel_reason", Kind::kString, false, false, {}, 5000},
         {"set.assignee_team_id", Kind::kNullableInt, false, true},
         {"set.assignee_id", Kind::kNullableInt, false, true}}};
    Field title_patch = title;
    title_patch.required = false;
    m["PATCH /api/v1/tickets/{number}"] = {
        json{{"version", ticket_["version"]},
             {"title", "Changed"},
             {"priority", "P1"},
             {"priority_reason", "the CFO cannot print"}},
        {version,
         title_patch,
         description,
         channel,
         impact,
         urgency,
         priority,
         text("priority_reason", 5000, true, {"", "   "}),
         category,
         service,
         ci,
         team_id,
         assignee,
         requester,
         {"major", Kind::kBool},
         {"major_cadence_minutes", Kind::kInt, false, false, {0, 4, 1441, -5}},
         {"major_stakeholder_ids", Kind::kInts, false, false, {json::array({999999})}, 50},
         text("note", 5000, true)}};
    // assignee_id last: a move that wrongly succeeds makes the later versions stale.
    m["POST /api/v1/tickets/{number}/transitions"] = {
        json{{"to", "pending"},
             {"version", ticket_["version"]},
             {"pending_reason", "awaiting_vendor"}},
        {{"to", Kind::kString, true, false, {"flying", "", "Pending", "fulfilled"}, 40},
         {"version", Kind::kInt},  // optional: the state machine guards the move
         pending,
         resolution,
         text("resolution_notes", 5000),
         text("cancel_reason", 5000),
         text("reopen_reason", 5000),
         {"assignee_team_id", Kind::kInt, false, false, {999999, 0}},
         {"resolve_incidents", Kind::kBool},
         {"assignee_id", Kind::kInt, false, false, {999999}}}};
    m["POST /api/v1/tickets/{number}/comments"] = {
        json{{"body", "Never posted"}, {"public", false}},
        {{"body", Kind::kString, true, false, {"", "   "}, 20000}, {"public", Kind::kBool}}};
    m["POST /api/v1/tickets/{number}/worklogs"] = {
        json{{"minutes", 30}, {"note", "cleared the jam"}, {"worked_at", "2024-05-01T09:00:00Z"}},
        {{"minutes", Kind::kInt, true, false, {0, 1441, -5}},
         text("note", 2000, true),
         {"worked_at",
          Kind::kTime,
          false,
          true,
          {"tomorrow", "2030-13-01T00:00:00Z", "2999-01-01T00:00:00Z", ""}}}};
    m["POST /api/v1/tickets/{number}/attachments"] = {std::nullopt, {}, false, true};
    m["POST /api/v1/tickets/{number}/links"] = {
        json{{"type", "caused_by"}, {"to", other_ticket_["number"]}},
        {{"type", Kind::kString, true, false, {"friend_of", "", "RELATED_TO", "parent"}, 40},
         {"to", Kind::kString, true, false, {"INC-999999", "nonsense", "", number}, 40}}};
    m["DELETE /api/v1/tickets/{number}/links/{id}"] = {std::nullopt, {}};
    m["POST /api/v1/tickets/{number}/escalations"] = {
        json{{"type", "functional"}, {"team_id", other_team}, {"note", "handing over"}},
        {{"type", Kind::kString, true, false, {"sideways", "", "FUNCTIONAL"}, 20},
         {"team_id", Kind::kInt, false, false, {999999}},
         {"assignee_id", Kind::kInt, false, false, {999999, uid}},
         {"note", Kind::kString, true, false, {"", "   "}, 5000}}};
    m["POST /api/v1/tickets/{number}/survey"] = {
        json{{"rating", 4}, {"comment", "quick fix"}},
        {{"rating", Kind::kInt, true, false, {0, 6, -1, 100}}, text("comment", 2000, true)}};
    m["POST /api/v1/me/ticket-views"] = {
        json{{"name", "Never saved"}, {"query", {{"status", "new"}}}},
        {{"name", Kind::kString, true, false, {"", "   ", "tab\tname"}, 100},
         {"query",
          Kind::kAny,
          true,
          false,
          {nullptr, "status=new", 1, json::array(), json{{"status", 1}}, json{{"a", nullptr}},
           json{{"status", std::string(501, 's')}}}}}};
    m["DELETE /api/v1/me/ticket-views/{id}"] = {std::nullopt, {}};
  }

  void add_ticket_config_routes(std::map<std::string, WriteRoute>& m) {
    std::int64_t team = target_team_["id"];
    Field version{"version", Kind::kInt, true};
    Field name{"name", Kind::kString, true, false, {"", "   ", "line\nbreak"}, 100};
    Field name_zh{"name_zh", Kind::kString, false, true, {"换\n行"}, 100};
    Field sort_order{"sort_order", Kind::kInt, false, false, {100001, -100001}};
    m["POST /api/v1/categories"] = {
        json{{"parent_id", category_["id"]},
             {"code", "never-created"},
             {"name", "Never created"},
             {"name_zh", "从未创建"},
             {"security", false},
             {"sort_order", 5}},
        {{"parent_id", Kind::kNullableInt, false, true, {999999, 0, child_category_["id"]}},
         {"code", Kind::kString, true, false, {"Upper", "with space", "", "名字", "a/b"}, 64},
         name,
         name_zh,
         {"security", Kind::kBool},
         sort_order}};
    Field patch_name = name;
    patch_name.required = false;
    m["PATCH /api/v1/categories/{id}"] = {
        json{{"version", category_["version"]}, {"name", "Renamed"}},
        {version,
         patch_name,
         name_zh,
         {"security", Kind::kBool},
         {"active", Kind::kBool},
         sort_order}};
    json cells = matrix_["cells"];
    m["PUT /api/v1/priority-matrix"] = {
        json{{"impact_levels", matrix_["impact_levels"]},
             {"urgency_levels", matrix_["urgency_levels"]},
             {"cells", cells},
             {"version", matrix_["version"]}},
        {{"impact_levels", Kind::kInt, true, false, {1, 6, 0}},
         {"urgency_levels", Kind::kInt, true, false, {1, 6}},
         {"cells",
          Kind::kStrings,
          true,
          false,
          {json::array({"P1"}), json(std::vector<std::string>(cells.size(), "P9")),
           json({"P5", "P5", "P5", "P5", "P5", "P5", "P5", "P5", "P1"})},
          25},
         version}};
    Field team_setting{"", Kind::kNullableInt, false, true, {999999, 0}};
    auto setting = [&](const std::string& n) {
      Field f = team_setting;
      f.name = n;
      return f;
    };
    m["PATCH /api/v1/ticket-settings"] = {
        json{{"version", settings_["version"]}, {"auto_close_days", 5}},
        {version,
         {"auto_close_days", Kind::kInt, false, false, {-1, 366}},
         setting("service_desk_team_id"),
         setting("security_team_id"),
         setting("operations_team_id"),
         {"requesters_see_organisation", Kind::kBool},
         {"attachment_max_bytes", Kind::kInt, false, false, {0, 1023, 1073741825}}}};
    std::vector<Field> rule_fields = {
        name,
        {"position", Kind::kInt, false, false, {-1, 1000001}},
        {"conditions", Kind::kObject},
        {"conditions.kinds", Kind::kStrings, false, false, {json::array({"complaint"})}, 50},
        {"conditions.category_ids", Kind::kInts, false, false, {json::array({999999})}, 200},
        {"conditions.service_ids", Kind::kInts, false, false, {}, 200},
        {"conditions.ci_ids", Kind::kInts, false, false, {}, 200},
        {"conditions.priorities",
         Kind::kStrings,
         false,
         false,
         {json::array({"P9"}), json::array({"P1", "p2"})},
         50},
        {"conditions.channels", Kind::kStrings, false, false, {json::array({"pigeon"})}, 50},
        {"conditions.keywords",
         Kind::kStrings,
         false,
         false,
         {json::array({""}), json::array({"ok", "   "}), json::array({std::string(101, 'k')})},
         50},
        {"team_id", Kind::kInt, true, false, {999999, 0}},
        {"active", Kind::kBool}};
    json rule = {{"name", "Never created"},
                 {"position", 3},
                 {"conditions",
                  {{"kinds", {"incident"}},
                   {"category_ids", {category_["id"]}},
                   {"priorities", {"P1", "P2"}},
                   {"channels", {"email"}},
                   {"keywords", {"打印机"}}}},
                 {"team_id", team},
                 {"active", true}};
    m["POST /api/v1/assignment-rules"] = {rule, rule_fields};
    for (Field& f : rule_fields) f.required = false;
    rule_fields.push_back(version);
    rule["version"] = rule_["version"];
    m["PATCH /api/v1/assignment-rules/{id}"] = {rule, rule_fields};
    m["DELETE /api/v1/assignment-rules/{id}"] = {std::nullopt, {}};
    m["PUT /api/v1/teams/{id}/dispatch"] = {json{{"strategy", "round_robin"}},
                                            {{"strategy",
                                              Kind::kString,
                                              true,
                                              false,
                                              {"random", "", "ROUND_ROBIN", "least-open"},
                                              20}}};
  }

  // Business calendars and holiday sets. Weekly hours and overrides are JSON the service checks
  // itself: the error names the element ("weekly.mon[0]", "overrides[1].date").
  void add_calendar_routes(std::map<std::string, WriteRoute>& m) {
    Field version{"version", Kind::kInt, true};
    Field name{"name", Kind::kString, true, false, {"", "   ", "line\nbreak", "tab\tname"}, 100};
    Field zone{"zone",
               Kind::kString,
               false,
               false,
               {"Mars/Olympus_Mons", "", "   ", "asia/shanghai", "UTC+8", "Asia/Shanghai ",
                "../../../etc/passwd", "/usr/share/zoneinfo/UTC", "Asia/../Asia/Shanghai"},
               64};
    auto j = [](const char* text) { return json::parse(text); };
    Field weekly{"weekly",
                 Kind::kAny,
                 true,
                 false,
                 {"x",
                  1,
                  json::array(),
                  nullptr,
                  j(R"({"funday": []})"),
                  j(R"({"Mon": [["09:00", "18:00"]]})"),
                  j(R"({"mon": "09:00-18:00"})"),
                  j(R"({"mon": [["18:00", "09:00"]]})"),
                  j(R"({"mon": [["12:00", "12:00"]]})"),
                  j(R"({"mon": [["09:00", "12:00"], ["11:00", "13:00"]]})"),
                  j(R"({"mon": [["13:00", "18:00"], ["09:00", "12:00"]]})"),
                  j(R"({"mon": [["09:00"]]})"),
                  j(R"({"mon": [["09:00", "12:00", "13:00"]]})"),
                  j(R"({"mon": [["9:00", "12:00"]]})"),
                  j(R"({"mon": [["00:00", "24:01"]]})"),
                  j(R"({"mon": [["24:00", "24:00"]]})"),
                  j(R"({"mon": [[9, 12]]})"),
                  j(R"({"mon": [["09:60", "10:00"]]})"),
                  j(R"({"mon": [null]})"),
                  j(R"({"sun": [["00:00", "01:00"], ["01:00", "02:00"], ["02:00", "03:00"],
                                ["03:00", "04:00"], ["04:00", "05:00"], ["05:00", "06:00"],
                                ["06:00", "07:00"], ["07:00", "08:00"], ["08:00", "09:00"],
                                ["09:00", "10:00"], ["10:00", "11:00"], ["11:00", "12:00"],
                                ["12:00", "13:00"]]})")}};
    json many = json::array();  // 2,001 distinct dates: one more than a calendar may have
    for (int y = 2030; many.size() < 2001; ++y) {
      for (int mo = 1; mo <= 12 && many.size() < 2001; ++mo) {
        for (int d = 1; d <= 28 && many.size() < 2001; ++d) {
          char date[32];
          std::snprintf(date, sizeof date, "%04d-%02d-%02d", y, mo, d);
          many.push_back({{"date", date}, {"hours", json::array()}});
        }
      }
    }
    Field overrides{"overrides",
                    Kind::kAny,
                    false,
                    false,
                    {"x", 1, json::object(), nullptr, j("[1]"), j(R"([{"hours": []}])"),
                     j(R"([{"date": "2026-02-30"}])"), j(R"([{"date": "2026/03/02"}])"),
                     j(R"([{"date": "20260302"}])"), j(R"([{"date": 20260302}])"),
                     j(R"([{"date": "2026-03-02", "hours": [["18:00", "09:00"]]}])"),
                     j(R"([{"date": "2026-03-02", "hours": "none"}])"),
                     j(R"([{"date": "2026-03-02", "bogus": 1}])"),
                     j(R"([{"date": "2026-03-02", "note": "line\nbreak"}])"),
                     j(R"([{"date": "2026-03-02", "note": 5}])"),
                     json::array({{{"date", "2026-03-02"}, {"note", std::string(201, 'n')}}}),
                     j(R"([{"date": "2026-03-02"}, {"date": "2026-03-02", "hours": []}])"), many}};
    Field holiday_sets{"holiday_sets",
                       Kind::kStrings,
                       false,
                       false,
                       {json::array({"no-such-set"}), json::array({""}),
                        json::array({"CN-STATUTORY"}), json::array({"cn-statutory", "nope"})},
                       10};
    json week = j(R"({"mon": [["09:00", "12:00"], ["13:00", "18:00"]],
                      "tue": [["09:00", "12:00"], ["13:00", "18:00"]],
                      "wed": [["09:00", "12:00"], ["13:00", "18:00"]],
                      "thu": [["09:00", "12:00"], ["13:00", "18:00"]],
                      "fri": [["09:00", "12:00"], ["13:00", "18:00"]], "sat": [], "sun": []})");
    m["POST /api/v1/calendars"] = {
        json{{"name", "Never created"},
             {"zone", "Asia/Shanghai"},
             {"weekly", week},
             {"holiday_sets", {"cn-statutory"}},
             {"overrides", j(R"([{"date": "2026-03-02", "hours": []}])")}},
        {name, zone, weekly, holiday_sets, overrides}};
    Field patch_name = name;
    patch_name.required = false;
    Field patch_weekly = weekly;
    patch_weekly.required = false;
    m["PATCH /api/v1/calendars/{id}"] = {
        json{{"version", calendar_["version"]}, {"name", "Renamed"}, {"weekly", week}},
        {version,
         patch_name,
         zone,
         patch_weekly,
         holiday_sets,
         overrides,
         {"active", Kind::kBool}}};
    Field start{"start",
                Kind::kTime,
                true,
                false,
                {"tomorrow", "2026-02-30T09:00:00+08:00", "", "2026-02-13T17:00",
                 "1999-06-01T00:00:00Z", "2100-06-01T00:00:00Z"}};
    m["POST /api/v1/calendars/{id}/add"] = {
        json{{"start", "2026-02-13T17:00:00+08:00"}, {"minutes", 120}},
        {start,
         // The largest value passes the route's check, but its deadline falls after 2099.
         {"minutes", Kind::kInt, true, false, {-1, 52704001, 52704000}}}};
    m["POST /api/v1/calendars/{id}/between"] = {
        json{{"start", "2026-02-13T17:00:00+08:00"}, {"end", "2026-02-24T10:00:00+08:00"}},
        {start,
         {"end",
          Kind::kTime,
          true,
          false,
          {"soon", "1999-06-01T00:00:00Z", "2100-06-01T00:00:00Z"}}}};
    m["POST /api/v1/holiday-sets"] = {
        json{{"key", "never-created"}, {"name", "Never created"}},
        {{"key",
          Kind::kString,
          true,
          false,
          {"", "x", "UPPER", "with space", "名字", "a/b", "under_score", "a.b", "  padded  "},
          40},
         {"name", Kind::kString, true, false, {"", "   ", "line\nbreak"}, 100}}};
    WriteRoute holiday_import;
    holiday_import.holiday_import = true;
    m["POST /api/v1/holiday-sets/{key}/import"] = holiday_import;
  }

  // SLA policies. Conditions, OLA targets and thresholds are JSON the service checks itself: the
  // error names the element ("conditions.priorities[0]", "thresholds[1].actions[0].type").
  void add_sla_policy_routes(std::map<std::string, WriteRoute>& m) {
    std::int64_t team = target_team_["id"];
    auto j = [](const char* text) { return json::parse(text); };
    // Every list of a condition may be null (empty).
    auto condition = [](const char* name, Kind kind, std::vector<json> bad) {
      return Field{name, kind, false, true, std::move(bad), 100};
    };
    json many_ola = json::array();
    json many_actions = json::array();
    json many_thresholds = json::array();
    for (int i = 1; i <= 51; ++i) many_ola.push_back({{"team_id", i}, {"minutes", 60}});
    for (int i = 1; i <= 11; ++i) {
      many_actions.push_back({{"type", "mark_at_risk"}});
      many_thresholds.push_back({{"percent", i * 10}});
    }
    Field minutes{"", Kind::kInt, false, false, {0, -1, 527041}};
    auto target = [&](const char* name, Kind kind) {
      Field f = minutes;
      f.name = name;
      f.kind = kind;
      f.null_ok = kind == Kind::kNullableInt;  // null clears a target in a change
      return f;
    };
    std::vector<Field> fields = {
        {"name", Kind::kString, true, false, {"", "   ", "line\nbreak", "tab\tname"}, 100},
        {"position", Kind::kInt, false, false, {1000001, -1000001}},
        {"active", Kind::kBool},
        {"conditions", Kind::kObject},
        condition("conditions.kinds", Kind::kStrings,
                  {json::array({"complaint"}), json::array({"Incident"}), json::array({""})}),
        condition("conditions.priorities", Kind::kStrings,
                  {json::array({"P9"}), json::array({"P1", "p2"}), json::array({""})}),
        condition("conditions.service_ids", Kind::kInts, {json::array({0}), json::array({-1})}),
        condition("conditions.category_ids", Kind::kInts,
                  {json::array({999999}), json::array({0})}),
        condition("conditions.organisations", Kind::kStrings,
                  {json::array({""}), json::array({"line\nbreak"}),
                   json::array({std::string(101, 'o')})}),
        {"calendar_id", Kind::kInt, true, false, {999999, 0, -1}},
        target("response_minutes", Kind::kInt),
        target("resolution_minutes", Kind::kInt),
        {"ola",
         Kind::kAny,
         false,
         false,
         {"x", 1, json::object(), nullptr, j("[1]"), j(R"([{"team_id": 999999, "minutes": 60}])"),
          json::array({{{"team_id", team}, {"minutes", 0}}}),
          json::array({{{"team_id", team}, {"minutes", 527041}}}),
          json::array({{{"team_id", team}, {"minutes", "60"}}}), json::array({{{"team_id", team}}}),
          j(R"([{"minutes": 60}])"),
          json::array({{{"team_id", team}, {"minutes", 60}}, {{"team_id", team}, {"minutes", 30}}}),
          json::array({{{"team_id", team}, {"minutes", 60}, {"bogus", 1}}}), many_ola}},
        {"pause_reasons",
         Kind::kStrings,
         false,
         false,
         {json::array({"waiting"}), json::array({"AWAITING_VENDOR"}), json::array({""})},
         10},
        {"thresholds",
         Kind::kAny,
         false,
         false,
         {"x",
          1,
          json::object(),
          nullptr,
          j("[50]"),
          j(R"([{"percent": 0}])"),
          j(R"([{"percent": 501}])"),
          j(R"([{"percent": "50"}])"),
          j(R"([{"percent": 50.5}])"),
          j(R"([{"actions": []}])"),
          j(R"([{"percent": 50}, {"percent": 50}])"),
          j(R"([{"percent": 75}, {"percent": 50}])"),
          j(R"([{"percent": 50, "actions": [{"type": "explode"}]}])"),
          j(R"([{"percent": 50, "actions": [{"to": "assignee"}]}])"),
          j(R"([{"percent": 50, "actions": [{"type": "notify"}]}])"),
          j(R"([{"percent": 50, "actions": [{"type": "notify", "to": "ceo"}]}])"),
          j(R"([{"percent": 50, "actions": [{"type": "reassign"}]}])"),
          j(R"([{"percent": 50, "actions": [{"type": "reassign", "team_id": 999999}]}])"),
          j(R"([{"percent": 50, "actions": [{"type": "mark_at_risk", "bogus": 1}]}])"),
          j(R"([{"percent": 50, "actions": {"type": "mark_at_risk"}}])"),
          j(R"([{"percent": 50, "bogus": 1}])"),
          json::array({{{"percent", 50}, {"actions", many_actions}}}),
          many_thresholds}}};
    json policy = {
        {"name", "Never created"},
        {"position", 7},
        {"active", true},
        {"conditions",
         {{"kinds", {"incident"}},
          {"priorities", {"P1", "P2"}},
          {"service_ids", {1}},
          {"category_ids", {category_["id"]}},
          {"organisations", {"财务部"}}}},
        {"calendar_id", calendar_["id"]},
        {"response_minutes", 30},
        {"resolution_minutes", 240},
        {"ola", {{{"team_id", team}, {"minutes", 120}}}},
        {"pause_reasons", {"awaiting_requester"}},
        {"thresholds", j(R"([{"percent": 50, "actions": [{"type": "notify", "to": "assignee"}]},
                             {"percent": 100, "actions": [{"type": "raise_priority"}]}])")}};
    m["POST /api/v1/sla-policies"] = {policy, fields};
    for (Field& f : fields) {
      f.required = false;
      if (f.name == "response_minutes" || f.name == "resolution_minutes")
        f = target(f.name.c_str(), Kind::kNullableInt);
    }
    fields.push_back({"version", Kind::kInt, true});
    policy["version"] = sla_policy_["version"];
    m["PATCH /api/v1/sla-policies/{id}"] = {policy, fields};
    m["POST /api/v1/test/clock"] = {json{{"advance_minutes", 1}},
                                    {{"advance_minutes", Kind::kInt, false, false, {-1, 527041}},
                                     {"advance_ms", Kind::kInt, false, false, {-1}}}};
    m["POST /api/v1/sla-policies/match"] = {
        json{{"kind", "incident"},
             {"priority", "P1"},
             {"service_id", 1},
             {"category_id", child_category_["id"]},
             {"organisation", "财务部"}},
        {{"kind", Kind::kString, true, false, {"complaint", "", "INCIDENT", "Request"}, 20},
         {"priority", Kind::kString, true, false, {"P9", "p1", "", "P0"}, 2},
         {"service_id", Kind::kInt},
         {"category_id", Kind::kInt},
         {"organisation", Kind::kString, false, true, {}, 100}}};
  }

  // The CMDB: types (a schema is JSON the service checks: the error names the element,
  // "attributes[0].kind"), relation types, CIs (attribute values checked against the type's
  // schema: "attributes.ip"), relations, the import.
  void add_cmdb_routes(std::map<std::string, WriteRoute>& m) {
    auto j = [](const char* text) { return json::parse(text); };
    Field key{"key",
              Kind::kString,
              true,
              false,
              {"", "Upper", "with space", "名字", "a-b", "1abc", "_x", "a/b"},
              40};
    Field name{"name", Kind::kString, true, false, {"", "   ", "line\nbreak"}, 100};
    Field name_zh{"name_zh", Kind::kString, false, true, {"换\n行"}, 100};
    Field schema{"attributes",
                 Kind::kAny,
                 false,
                 false,
                 {"x", 1, json::object(), nullptr, j("[1]"),
                  j(R"([{"key": "a", "name": "A", "kind": "wizard"}])"),
                  j(R"([{"key": "A", "name": "A", "kind": "string"}])"),
                  j(R"([{"name": "A", "kind": "string"}])"),
                  j(R"([{"key": "a", "name": "A", "kind": "string"},
                        {"key": "a", "name": "B", "kind": "string"}])"),
                  j(R"([{"key": "a", "name": "A", "kind": "enum"}])"),
                  j(R"([{"key": "a", "name": "A", "kind": "reference"}])"),
                  j(R"([{"key": "a", "name": "A", "kind": "reference", "ref_type": "nope"}])"),
                  j(R"([{"key": "a", "name": "A", "kind": "integer", "default": "x"}])"),
                  j(R"([{"key": "a", "name": "A", "kind": "boolean", "unique": true}])"),
                  j(R"([{"key": "a", "name": "A", "kind": "string", "bogus": 1}])")}};
    m["POST /api/v1/ci-types"] = {
        json{{"key", "never_created"},
             {"name", "Never created"},
             {"name_zh", "从未创建"},
             {"description", "never"},
             {"attributes", j(R"([{"key": "a", "name": "A", "kind": "string"}])")}},
        {key, name, name_zh, {"description", Kind::kString, false, true, {}, 2000}, schema}};
    Field patch_name = name;
    patch_name.required = false;
    m["PATCH /api/v1/ci-types/{id}"] = {
        json{{"version", cmdb_type_["version"]}, {"name", "Renamed"}},
        {{"version", Kind::kInt, true},
         patch_name,
         name_zh,
         {"description", Kind::kString, false, true, {}, 2000},
         schema,
         {"active", Kind::kBool},
         {"accept_misfits", Kind::kBool},
         {"dry_run", Kind::kBool}}};
    m["POST /api/v1/ci-relation-types"] = {
        json{{"key", "never_created"},
             {"name", "never"},
             {"name_zh", "从未"},
             {"reverse_name", "never back"},
             {"reverse_name_zh", "从未"},
             {"propagates", true}},
        {key,
         name,
         name_zh,
         {"reverse_name", Kind::kString, false, true, {"换\n行"}, 100},
         {"reverse_name_zh", Kind::kString, false, true, {"换\n行"}, 100},
         {"propagates", Kind::kBool}}};
    Field type{"type", Kind::kString, true, false, {"mainframe", "", "SERVER"}, 40};
    Field ci_name{"name", Kind::kString, true, false, {"", "   ", "line\nbreak"}, 200};
    Field status{"status", Kind::kString, false, false, {"broken", "", "IN_USE"}, 40};
    Field environment{"environment", Kind::kString, false, true, {"mars", "PROD", " "}, 40};
    Field owner{"owner_team_id", Kind::kNullableInt, false, true, {999999, 0, -1}};
    Field values{
        "attributes",
        Kind::kAny,
        false,
        false,
        {"x", 1, json::array(), nullptr, j(R"({"hostname": "x", "wheels": 4})"),
         j(R"({"hostname": "x", "ip": "10.1.2"})"), j(R"({"hostname": "x", "cpu_cores": "many"})"),
         j(R"({"hostname": "x", "criticality": "extreme"})"),
         j(R"({"hostname": "x", "maintenance_contract_end": "2027-02-30"})"),
         j(R"({"hostname": "x", "location": 999999})"), j(R"({"hostname": ""})")}};
    m["POST /api/v1/cis"] = {json{{"type", "server"},
                                  {"name", "never-created"},
                                  {"status", "in_use"},
                                  {"environment", "prod"},
                                  {"owner_team_id", target_team_["id"]},
                                  {"attributes", {{"hostname", "never-created"}}}},
                             {type, ci_name, status, environment, owner, values}};
    Field patch_ci_name = ci_name;
    patch_ci_name.required = false;
    Field patch_values = values;
    patch_values.bad.push_back(j(R"({"hostname": null})"));
    patch_values.bad.push_back(j(R"({"ip": "300.1.2.3"})"));
    m["PATCH /api/v1/cis/{id}"] = {
        json{{"version", ci_["version"]}, {"status", "maintenance"}},
        {{"version", Kind::kInt, true}, patch_ci_name, status, environment, owner, patch_values}};
    m["POST /api/v1/cis/{id}/relations"] = {
        json{{"type", "runs_on"}, {"to", other_ci_["id"]}},
        {{"type", Kind::kString, true, false, {"loves", "", "DEPENDS_ON"}, 40},
         {"to", Kind::kInt, true, false, {999999, 0, -1, ci_["id"]}}}};
    m["DELETE /api/v1/cis/{id}/relations/{relation_id}"] = {std::nullopt, {}};
    WriteRoute import;
    import.cmdb_import = true;
    m["POST /api/v1/cmdb/import"] = import;
  }

  // The CMDB import takes CSV or JSON (the spec's format): other content types are refused, and
  // a document that is not one (malformed JSON, no "cis", a CSV without its header or with an
  // unknown column) is refused whole.
  static std::vector<Case> cmdb_import_cases() {
    const std::string json_ct = "Content-Type: application/json";
    const std::string csv_ct = "Content-Type: text/csv";
    const std::string valid = R"({"cis": [{"type": "server", "name": "never-imported",
                                  "attributes": {"hostname": "never-imported"}}]})";
    std::vector<Case> out = {
        {"a text/plain body", valid, {"Content-Type: text/plain"}, 415, ""},
        {"a form body", valid, {"Content-Type: application/x-www-form-urlencoded"}, 415, ""},
        {"a JSON-lookalike content type", valid, {"Content-Type: application/jsonp"}, 415, ""},
        {"no content type", valid, {}, 415, "", false, true},
    };
    for (const char* malformed : {"{\"cis\":", "{'cis': []}", "{\"cis\": [}"})
      out.push_back({std::string("malformed JSON ") + malformed, malformed, {json_ct}, 400, ""});
    for (const char* shape : {"[]", "42", "\"text\"", "{\"cis\": 1}", "{\"cis\": {}}"})
      out.push_back(
          {std::string("JSON without a list of CIs: ") + shape, shape, {json_ct}, 400, ""});
    out.push_back({"a CSV with an unknown column",
                   "type,name,colour\r\nserver,never-imported,blue\r\n",
                   {csv_ct},
                   400,
                   "colour",
                   true});
    out.push_back({"a CSV without type and name columns", "colour\r\nblue\r\n", {csv_ct}, 400, ""});
    return out;
  }

  // A holiday import takes a JSON or iCalendar document: a broken one answers 422 with the
  // report of its errors by line (and the error envelope), a wrong content type 415.
  static std::vector<Case> import_cases() {
    const std::string json_ct = "Content-Type: application/json";
    const std::string ical_ct = "Content-Type: text/calendar";
    const std::string valid =
        R"({"years": {"2031": {"holidays": [{"name": "X", "days": ["2031-01-01"]}]}}})";
    auto doc = [](std::string what, std::string body, std::string ct, std::vector<int> lines) {
      return Case{std::move(what), std::move(body), {std::move(ct)}, 422,
                  "body",          false,           false,           std::move(lines)};
    };
    std::vector<Case> out = {
        {"a text/plain body", valid, {"Content-Type: text/plain"}, 415, "content-type"},
        {"a form body",
         valid,
         {"Content-Type: application/x-www-form-urlencoded"},
         415,
         "content-type"},
        {"a JSON-lookalike content type",
         valid,
         {"Content-Type: application/jsonp"},
         415,
         "content-type"},
        {"a calendar-lookalike content type",
         valid,
         {"Content-Type: text/calendars"},
         415,
         "content-type"},
        {"a multipart body",
         valid,
         {"Content-Type: multipart/form-data; boundary=x"},
         415,
         "content-type"},
        {"no content type", valid, {}, 415, "content-type", false, true},
    };
    std::string big = "BEGIN:VCALENDAR\r\n";
    big.append(1'000'001, 'x');
    out.push_back({"a body over 1 MB", big, {ical_ct}, 400, "body"});
    // JSON documents.
    for (const char* malformed : {"", "{\"years\":", "{'years': 1}", "{\"years\": {}}}",
                                  "{\"a\":\"\\ud800\"}", "\xef\xbb\xbf{}"}) {
      out.push_back(doc(std::string("malformed JSON ") + malformed, malformed, json_ct, {}));
    }
    for (const char* shape : {"[]", "null", "42", "\"text\"", "{}", "{\"years\": {}}",
                              "{\"years\": []}", "{\"years\": null}"}) {
      out.push_back(doc(std::string("a document without years: ") + shape, shape, json_ct, {0}));
    }
    out.push_back(doc("a number too large for a double", "{\"years\": 1e400}", json_ct, {0}));
    out.push_back(doc("invalid UTF-8 in a name",
                      "{\"years\": {\"2031\": {\"holidays\": [{\"name\": \"a\xff\", \"days\": "
                      "[\"2031-01-01\"]}]}}}",
                      json_ct, {1}));
    out.push_back(doc("years out of range and not years",
                      "{\"years\": {\n"
                      "  \"1999\": {\"holidays\": []},\n"
                      "  \"2100\": {\"holidays\": []},\n"
                      "  \"27\": {\"holidays\": []},\n"
                      "  \"2031\": []\n"
                      "}}",
                      json_ct, {2, 3, 4, 5}));
    out.push_back(doc("bad days, each on its line",
                      "{\"years\": {\"2031\": {\n"
                      "  \"holidays\": [\n"
                      "    {\"name\": \"New Year\", \"days\": [\"2031-01-01\", \"2031-13-01\"]},\n"
                      "    {\"name\": \"Spring\", \"days\": [\"2032-01-26\"]},\n"
                      "    {\"name\": \"\", \"days\": [\"2031-02-01\"]},\n"
                      "    {\"name\": \"Empty\", \"days\": []}\n"
                      "  ],\n"
                      "  \"make_up_workdays\": [\n"
                      "    \"2031-01-06\",\n"
                      "    \"2031-01-01\",\n"
                      "    7\n"
                      "  ],\n"
                      "  \"bogus\": []\n"
                      "}}}",
                      // 2031-01-06 is a Monday; 2031-01-01 is also a holiday; 7 is no date (its
                      // year's line); "bogus" is no field.
                      json_ct, {1, 3, 4, 5, 6, 9, 10, 13}));
    // iCalendar documents.
    auto ical = [](const std::string& events) {
      std::string text = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//e2e//bad input//EN\r\n";
      text += events;
      text += "END:VCALENDAR\r\n";
      return text;
    };
    out.push_back(doc("a text/calendar body that is not iCalendar", "hello", ical_ct, {1}));
    out.push_back(doc("an empty text/calendar body", "", ical_ct, {1}));
    out.push_back(doc("a calendar without events", ical(""), ical_ct, {0}));
    out.push_back(doc("bad events, each on its line",
                      ical("BEGIN:VEVENT\r\n"                 // 4
                           "DTSTART:20310101T090000Z\r\n"     // 5: not all-day
                           "END:VEVENT\r\n"                   // 6
                           "BEGIN:VEVENT\r\n"                 // 7: no DTSTART
                           "SUMMARY:no start\r\n"             // 8
                           "END:VEVENT\r\n"                   // 9
                           "BEGIN:VEVENT\r\n"                 // 10: recurring
                           "DTSTART;VALUE=DATE:20310102\r\n"  // 11
                           "RRULE:FREQ=YEARLY\r\n"            // 12
                           "END:VEVENT\r\n"                   // 13
                           "BEGIN:VEVENT\r\n"                 // 14
                           "DTSTART;VALUE=DATE:20310110\r\n"  // 15
                           "DTEND;VALUE=DATE:20310105\r\n"    // 16: before DTSTART
                           "END:VEVENT\r\n"                   // 17
                           "BEGIN:VEVENT\r\n"                 // 18
                           "DTSTART;VALUE=DATE:20310101\r\n"  // 19
                           "DTEND;VALUE=DATE:20310301\r\n"    // 20: 59 days
                           "END:VEVENT\r\n"                   // 21
                           "BEGIN:VEVENT\r\n"                 // 22
                           "DTSTART;VALUE=DATE:20310106\r\n"  // 23: a Monday
                           "SUMMARY:补班\r\n"                 // 24
                           "END:VEVENT\r\n"                   // 25
                           "BEGIN:VEVENT\r\n"                 // 26
                           "DTSTART;VALUE=DATE:19991231\r\n"  // 27: out of range
                           "END:VEVENT\r\n"                   // 28
                           "BEGIN:VEVENT\r\n"                 // 29
                           "DTSTART;VALUE=DATE:20310201\r\n"  // 30
                           "SUMMARY:bad \xff name\r\n"        // 31: not UTF-8
                           "END:VEVENT\r\n"                   // 32
                           "BEGIN:VEVENT\r\n"                 // 33: never closed
                           "BEGIN:VEVENT\r\n"                 // 34: nested
                           "DTSTART;VALUE=DATE:20310301\r\n"  // 35
                           "END:VEVENT\r\n"),                 // 36
                      ical_ct, {5, 7, 10, 16, 20, 23, 27, 31, 34}));
    out.push_back(doc("an event never closed",
                      ical("BEGIN:VEVENT\r\nDTSTART;VALUE=DATE:20310101\r\n"), ical_ct, {4}));
    out.push_back(doc("a good event next to a bad one",
                      ical("BEGIN:VEVENT\r\nDTSTART;VALUE=DATE:20310101\r\nSUMMARY:New Year\r\n"
                           "END:VEVENT\r\nBEGIN:VEVENT\r\nDTSTART;VALUE=DATE:2031011\r\n"
                           "END:VEVENT\r\n"),
                      "Content-Type: text/calendar; charset=utf-8", {9}));
    return out;
  }

  static std::vector<Case> cases_for(const WriteRoute& r) {
    std::vector<Case> out;
    auto add = [&](std::string what, std::string body, std::string field, bool body_ok = false) {
      out.push_back({std::move(what), std::move(body), {}, 400, std::move(field), body_ok});
    };
    // The shape of the body.
    for (const char* malformed :
         {"{\"a\":", "{\"a\":1}}", "{'a':1}", "{\"a\":1,}", "{a:1}", "{\"a\":\"\\ud800\"}",
          "{\"a\":\"unterminated}", "\xef\xbb\xbf{\"a\":[1,2}"}) {
      add(std::string("malformed JSON ") + malformed, malformed, "body");
    }
    for (const char* not_object : {"[]", "[{}]", "\"text\"", "42", "null", "true"}) {
      add(std::string("JSON that is not an object: ") + not_object, not_object, "body");
    }
    add("an unknown field holding 20000 nested arrays", "{\"deep\":" + deep_array(20000) + "}", "",
        true);
    add("a number too large for a double", "{\"huge\":1e400}", "", true);
    for (const std::string& bad : kBadUtf8)
      add("invalid UTF-8 in an unknown field", "{\"x\":\"" + bad + "\"}", "", true);
    if (!r.base) {
      add("an unknown field", R"({"bogus":1})", "bogus", true);
      out.push_back({"a text/plain body", "hello", {"Content-Type: text/plain"}, 415, ""});
      return out;
    }
    if (!r.empty_ok) add("an empty body", "", "body");
    if (!r.empty_ok) add("a blank body", "  \r\n ", "body");
    json base = *r.base;
    auto with = [&](const std::string& name, const json& v) {
      json j = base;
      j[pointer(name)] = v;
      return j.dump();
    };
    add("an unknown field", with("bogus", 1), "bogus");
    add("a server-owned field", with("created_at", "2024-01-01T00:00:00Z"), "created_at");
    add("a field in the wrong case", with("Version", 1), "Version");
    out.push_back(
        {"a text/plain content type", base.dump(), {"Content-Type: text/plain"}, 415, ""});
    out.push_back({"a form content type",
                   base.dump(),
                   {"Content-Type: application/x-www-form-urlencoded"},
                   415,
                   ""});
    out.push_back({"a JSON-lookalike content type",
                   base.dump(),
                   {"Content-Type: application/jsonp"},
                   415,
                   ""});
    out.push_back({"no content type", base.dump(), {}, 415, "", false, true});

    for (const Field& f : r.fields) {
      const std::string& n = f.name;
      if (f.required) {
        json j = base;
        json::json_pointer ptr = pointer(n);
        j[ptr.parent_pointer()].erase(ptr.back());
        add("missing required " + n, j.dump(), n);
      }
      std::vector<json> wrong;
      switch (f.kind) {
        case Kind::kString:
          wrong = {12345, true, 1.5, json::object(), json::array({"x"})};
          add("over-long " + n, with(n, f.max ? std::string(f.max + 1, 'x') : kLong), n);
          add("over-long CJK " + n, with(n, f.max ? cjk(f.max + 1) : long_cjk()), n);
          for (const std::string& bad : kBadUtf8) {
            std::string body = with(n, "@@BAD@@");
            add("invalid UTF-8 in " + n, replace_all(body, "@@BAD@@", bad), n, true);
          }
          break;
        case Kind::kInt:
          wrong = {"1", 1.5, true, json::array(), json::object()};
          add("an out-of-range number in " + n, replace_all(with(n, "@@"), "\"@@\"", "1e400"), n,
              true);
          add("an integer past 64 bits in " + n,
              replace_all(with(n, "@@"), "\"@@\"", "123456789012345678901234567890"), n);
          break;
        case Kind::kNullableInt:
          wrong = {"1", 1.5, true, json::array({1}), json::object()};
          break;
        case Kind::kInts:
          wrong = {"1", 1, json::object()};
          add("a string element in " + n, with(n, json::array({"1"})), n);
          add("a null element in " + n, with(n, json::array({nullptr})), n);
          add("a fractional element in " + n, with(n, json::array({1.5})), n);
          add("too many elements in " + n,
              with(n, json(std::vector<int>((f.max ? f.max : 1000) + 1, 1))), n);
          break;
        case Kind::kStrings:
          wrong = {"agent", 1, json::object()};
          add("a number element in " + n, with(n, json::array({1})), n);
          add("a null element in " + n, with(n, json::array({nullptr})), n);
          add("too many elements in " + n,
              with(n, json(std::vector<std::string>((f.max ? f.max : 10) + 1, "agent"))), n);
          break;
        case Kind::kTime:
          wrong = {5, true, json::array(), json::object()};
          break;
        case Kind::kBool:
          wrong = {"true", 1, 0, json::array(), json::object()};
          break;
        case Kind::kObject:
          wrong = {"x", 1, true, json::array({json::object()})};
          add("an unknown field inside " + n, with(n + ".bogus", 1), n + ".bogus");
          break;
        case Kind::kAny:
          break;
      }
      if (!f.null_ok && f.kind != Kind::kAny) wrong.push_back(nullptr);
      for (const json& w : wrong) add("wrong type " + w.dump() + " for " + n, with(n, w), n);
      for (const json& b : f.bad)
        add("refused value " + b.dump().substr(0, 60) + " for " + n, with(n, b), n);
    }
    return out;
  }

  // A multipart/form-data route (attachments): the content type, the body's structure, its
  // parts.
  static std::vector<Case> multipart_cases() {
    const std::string ct = "Content-Type: multipart/form-data; boundary=" + kBoundary;
    const std::string file = form_part("file", "note.txt", "paper jam");
    const std::string valid = file + form_end();
    std::vector<Case> out = {
        {"a JSON body", R"({"file":"note.txt"})", {}, 415, "content-type"},
        {"a text/plain body", "paper jam", {"Content-Type: text/plain"}, 415, "content-type"},
        {"a form-urlencoded body",
         "file=note.txt",
         {"Content-Type: application/x-www-form-urlencoded"},
         415,
         "content-type"},
        {"no content type", valid, {}, 415, "content-type", false, true},
        {"multipart without a boundary",
         valid,
         {"Content-Type: multipart/form-data"},
         415,
         "content-type"},
        {"an empty boundary",
         valid,
         {"Content-Type: multipart/form-data; boundary="},
         415,
         "content-type"},
        {"multipart/mixed",
         valid,
         {"Content-Type: multipart/mixed; boundary=" + kBoundary},
         415,
         "content-type"},
        {"another boundary than the body's",
         valid,
         {"Content-Type: multipart/form-data; boundary=other"},
         400,
         "body"},
        {"no delimiters", "paper jam", {ct}, 400, "body"},
        {"no closing delimiter", file, {ct}, 400, "body"},
        {"an empty body", "", {ct}, 400, "body"},
        {"a part without Content-Disposition",
         "--" + kBoundary + "\r\nContent-Type: text/plain\r\n\r\nx\r\n" + form_end(),
         {ct},
         400,
         "body"},
        {"a part without a name",
         "--" + kBoundary + "\r\nContent-Disposition: form-data; filename=\"a.txt\"\r\n\r\nx\r\n" +
             form_end(),
         {ct},
         400,
         "body"},
        {"no file part", form_part("public", std::nullopt, "true") + form_end(), {ct}, 400, "file"},
        {"no parts", form_end(), {ct}, 400, "file", true},
        {"a file part without a filename",
         form_part("file", std::nullopt, "data") + form_end(),
         {ct},
         400,
         "file"},
        {"an unknown file part",
         form_part("upload", "a.txt", "x") + form_end(),
         {ct},
         400,
         "upload"},
        {"an unknown field next to a file",
         file + form_part("comment", std::nullopt, "hi") + form_end(),
         {ct},
         400,
         "comment"},
        {"a public value that is not true or false",
         file + form_part("public", std::nullopt, "yes") + form_end(),
         {ct},
         400,
         "public"},
        {"an empty file", form_part("file", "empty.txt", "") + form_end(), {ct}, 400, "file"},
    };
    return out;
  }

  // Everything a client can read back, to compare before and after.
  json snapshot() {
    json s;
    json users = get_json(port_, "/api/v1/users?limit=500", admin_token_);
    json teams = get_json(port_, "/api/v1/teams?limit=500", admin_token_);
    s["users"] = users;
    s["teams"] = teams;
    for (const json& u : users["items"]) {
      std::string id = std::to_string(u["id"].get<std::int64_t>());
      s["user " + id] = get_json(port_, "/api/v1/users/" + id, admin_token_);
    }
    for (const json& t : teams["items"]) {
      std::string id = std::to_string(t["id"].get<std::int64_t>());
      s["team " + id] = get_json(port_, "/api/v1/teams/" + id, admin_token_);
    }
    json audit = get_json(port_, "/api/v1/audit?limit=500", admin_token_);
    s["audit count"] = audit["items"].size();
    s["newest event"] = audit["items"].empty() ? json(nullptr) : audit["items"][0];
    json tokens = get_json(port_, "/api/v1/me/tokens", admin_token_);
    for (json& t : tokens["items"]) t.erase("last_used_at");
    s["tokens"] = tokens;
    s["me"] = get_json(port_, "/api/v1/me", admin_token_);
    // A ticket's "sla" is derived by the SLA worker in the background, whenever it gets there.
    json tickets = get_json(port_, "/api/v1/tickets?limit=500", admin_token_);
    for (json& t : tickets["items"]) t.erase("sla");
    s["tickets"] = tickets;
    for (const json& t : tickets["items"]) {
      std::string base = "/api/v1/tickets/" + t["number"].get<std::string>();
      for (const char* part :
           {"", "/comments", "/worklogs", "/attachments", "/links", "/timeline"}) {
        s[base + part] = get_json(port_, base + part, admin_token_);
      }
      s[base].erase("sla");
    }
    for (const char* path :
         {"/api/v1/categories", "/api/v1/priority-matrix", "/api/v1/ticket-settings",
          "/api/v1/assignment-rules", "/api/v1/dispatch-strategies", "/api/v1/me/ticket-views",
          "/api/v1/surveys?limit=500", "/api/v1/calendars", "/api/v1/sla-policies",
          "/api/v1/ci-types", "/api/v1/ci-relation-types", "/api/v1/known-errors",
          "/api/v1/freeze-windows", "/api/v1/maintenance-windows",
          "/api/v1/change-templates?all=true", "/api/v1/change-settings"}) {
      s[path] = get_json(port_, path, admin_token_);
    }
    json cis = get_json(port_, "/api/v1/cis?limit=500", admin_token_);
    s["cis"] = cis;
    for (const json& c : cis["items"]) {
      std::string base = "/api/v1/cis/" + id_of(c);
      for (const char* part : {"/relations", "/history"})
        s[base + part] = get_json(port_, base + part, admin_token_);
    }
    json sets = get_json(port_, "/api/v1/holiday-sets", admin_token_);
    s["holiday sets"] = sets;
    for (const json& h : sets["items"]) {
      std::string days = "/api/v1/holiday-sets/";
      days += h["key"].get<std::string>();
      days += "/days";
      s[days] = get_json(port_, days, admin_token_);
    }
    return s;
  }

  HttpResponse send(const std::string& method, const std::string& path, const Case& c) {
    if (c.raw_without_content_type) {
      HttpClient client(port_);
      std::string req =
          method + " " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\n" + bearer(admin_token_) +
          "\r\nContent-Length: " + std::to_string(c.body.size()) + "\r\n\r\n" + c.body;
      return client.raw(req);
    }
    std::vector<std::string> headers = c.headers;
    headers.push_back(bearer(admin_token_));
    return client_->request(method, path, c.body, headers);
  }

  std::vector<RouteInfo> routes_;
  json target_user_, target_team_, target_token_, admin_, other_team_;
  json ticket_, other_ticket_, resolved_ticket_, link_, attachment_, category_, child_category_,
      rule_, view_, matrix_, settings_, calendar_, holiday_set_, sla_policy_, cmdb_type_, ci_,
      other_ci_, ci_relation_, problem_, change_, linked_incident_, business_service_,
      freeze_window_, maintenance_window_, change_template_, inactive_team_, change_settings_;
  std::unique_ptr<HttpClient> client_;
};

TEST_P(BadInputTest, EveryWriteRouteRefusesBadInputAndNothingChanges) {
  std::map<std::string, WriteRoute> known = write_routes();
  std::set<std::string> live;
  client_ = std::make_unique<HttpClient>(port_);
  json before = snapshot();
  int requests = 0;
  for (const RouteInfo& r : routes_) {
    if (!is_write_method(r.method)) continue;
    std::string key = r.method + " " + r.path;
    live.insert(key);
    std::vector<std::pair<std::string, const WriteRoute*>> variants;
    for (const auto& [known_key, route] : known) {
      if (route_of(known_key) == key) variants.emplace_back(known_key, &route);
    }
    if (variants.empty()) {
      ADD_FAILURE()
          << key
          << " is a write route this test does not know; describe its fields in write_routes()";
      continue;
    }
    std::string path = concrete(r.path);
    for (const auto& [variant, route_ptr] : variants) {
      const WriteRoute& route = *route_ptr;
      for (const Case& c : route.multipart        ? multipart_cases()
                           : route.holiday_import ? import_cases()
                           : route.cmdb_import    ? cmdb_import_cases()
                                                  : cases_for(route)) {
        HttpResponse res = send(r.method, path, c);
        ++requests;
        std::string what = variant + " with " + c.what + " -> " + std::to_string(res.status) + " " +
                           res.body.substr(0, 300);
        EXPECT_EQ(res.status, c.status) << what;
        EXPECT_EQ(error_shape_problem(res), "") << what;
        std::string want_code = c.status == 415   ? "unsupported_media_type"
                                : c.status == 422 ? "unprocessable"
                                                  : "invalid_argument";
        EXPECT_EQ(error_code(res), want_code) << what;
        if (c.status == 422) {
          // An import report: nothing applied, every error with its line.
          json report = parse_body(res);
          EXPECT_EQ(report.value("applied", true), false) << what;
          std::set<int> lines;
          for (const json& e : report.value("errors", json::array())) {
            EXPECT_TRUE(e["line"].is_number_integer() && e["message"].is_string()) << what;
            if (e["line"].is_number_integer()) lines.insert(e["line"].get<int>());
          }
          EXPECT_FALSE(lines.empty()) << what;
          if (!c.lines.empty()) {
            EXPECT_EQ(lines, std::set<int>(c.lines.begin(), c.lines.end())) << what;
          }
        }
        if (!c.field.empty()) {
          std::string field = error_field(res);
          bool ok = field == c.field || field.rfind(c.field + "[", 0) == 0 ||
                    field.rfind(c.field + ".", 0) == 0 || (c.body_field_ok && field == "body");
          EXPECT_TRUE(ok) << what << " names field '" << field << "', want '" << c.field << "'";
        } else if (c.body_field_ok) {
          EXPECT_FALSE(error_field(res).empty()) << what;
        }
      }
    }
  }
  for (const auto& [key, route] : known)
    EXPECT_TRUE(live.count(route_of(key))) << key << " is no longer served";
  EXPECT_GT(requests, 500);
  ASSERT_EQ(client_->request("GET", "/healthz").status, 200) << "the server survived";
  json after = snapshot();
  EXPECT_EQ(before, after) << "stored data changed:\nbefore " << before.dump().substr(0, 4000)
                           << "\nafter  " << after.dump().substr(0, 4000);
}

TEST_P(BadInputTest, BadQueryParametersAreRefusedNamingTheParameter) {
  struct Q {
    std::string target, field;
  };
  std::vector<Q> qs = {
      {"/api/v1/users?limit=0", "limit"},
      {"/api/v1/users?limit=501", "limit"},
      {"/api/v1/users?limit=abc", "limit"},
      {"/api/v1/users?limit=-1", "limit"},
      {"/api/v1/users?limit=2.5", "limit"},
      {"/api/v1/users?limit=99999999999999999999", "limit"},
      {"/api/v1/users?sort=password_hash", "sort"},
      {"/api/v1/users?sort=id;DROP%20TABLE%20users", "sort"},
      {"/api/v1/users?cursor=!!!", "cursor"},
      {"/api/v1/users?cursor=" + std::string(600, 'A'), "cursor"},
      {"/api/v1/users?active=maybe", "active"},
      {"/api/v1/users?team_id=x", "team_id"},
      {"/api/v1/users?role=wizard", "role"},
      {"/api/v1/users?q=" + std::string(201, 'q'), "q"},
      {"/api/v1/users?q=%ff%fe", "q"},
      {"/api/v1/users?q=%zz", "q"},
      {"/api/v1/teams?limit=0", "limit"},
      {"/api/v1/teams?sort=lead_id", "sort"},
      {"/api/v1/teams?member_id=me", "member_id"},
      {"/api/v1/teams?active=yes", "active"},
      {"/api/v1/teams?cursor=%00", "cursor"},
      {"/api/v1/audit?limit=501", "limit"},
      {"/api/v1/audit?object_id=x", "object_id"},
      {"/api/v1/audit?actor_id=1.5", "actor_id"},
      {"/api/v1/audit?since=yesterday", "since"},
      {"/api/v1/audit?until=2024-13-01", "until"},
      {"/api/v1/audit?cursor=abc", "cursor"},
      {"/api/v1/audit?object_type=" + std::string(51, 't'), "object_type"},
      {"/api/v1/tickets?limit=0", "limit"},
      {"/api/v1/tickets?sort=title", "sort"},
      {"/api/v1/tickets?cursor=!!!", "cursor"},
      {"/api/v1/tickets?q=" + std::string(201, 'q'), "q"},
      {"/api/v1/tickets?kind=complaint", "kind"},
      {"/api/v1/tickets?status=new,flying", "status"},
      {"/api/v1/tickets?priority=P9", "priority"},
      {"/api/v1/tickets?channel=pigeon", "channel"},
      {"/api/v1/tickets?status=" + replace_all(std::string(21, 'x'), "x", "new,") + "new",
       "status"},
      {"/api/v1/tickets?team_id=x", "team_id"},
      {"/api/v1/tickets?assignee_id=someone", "assignee_id"},
      {"/api/v1/tickets?requester_id=1.5", "requester_id"},
      {"/api/v1/tickets?category_id=x", "category_id"},
      {"/api/v1/tickets?major=maybe", "major"},
      {"/api/v1/tickets?open=2", "open"},
      {"/api/v1/tickets?created_from=yesterday", "created_from"},
      {"/api/v1/tickets?updated_to=2024-13-01", "updated_to"},
      {"/api/v1/tickets?service_id=x", "service_id"},
      {"/api/v1/tickets?affects_service=x", "affects_service"},
      {"/api/v1/tickets?affects_service=99999999", "affects_service"},
      {"/api/v1/tickets?category_id=None", "category_id"},
      {"/api/v1/tickets?sla=late", "sla"},
      {"/api/v1/tickets?sla=" + std::string(21, 's'), "sla"},
      {"/api/v1/tickets?sort=sla", "sort"},
      {"/api/v1/tickets?sla_metric=ola", "sla_metric"},
      {"/api/v1/tickets?sla_metric=response&sla_outcome=cancelled", "sla_outcome"},
      {"/api/v1/tickets?sla_outcome=met", "sla_outcome"},
      {"/api/v1/tickets?sla_metric=response&sla_from=soon", "sla_from"},
      {"/api/v1/tickets?sla_from=2024-03-01T00:00:00Z", "sla_from"},
      {"/api/v1/tickets?sla_metric=response&sla_from=2024-03-01T00:00:00Z"
       "&sla_to=2024-02-01T00:00:00Z",
       "sla_to"},
      {"/api/v1/reports/sla?to=2024-02-01T00:00:00Z&group_by=team", "from"},
      {"/api/v1/reports/sla?from=2024-01-01T00:00:00Z&group_by=team", "to"},
      {"/api/v1/reports/sla?from=soon&to=2024-02-01T00:00:00Z&group_by=team", "from"},
      {"/api/v1/reports/sla?from=2024-02-01T00:00:00Z&to=2024-01-01T00:00:00Z&group_by=team", "to"},
      {"/api/v1/reports/sla?from=2024-01-01T00:00:00Z&to=2025-01-03T00:00:00Z&group_by=team", "to"},
      {"/api/v1/reports/sla?from=2024-01-01T00:00:00Z&to=2024-02-01T00:00:00Z", "group_by"},
      {"/api/v1/reports/sla?from=2024-01-01T00:00:00Z&to=2024-02-01T00:00:00Z&group_by=x",
       "group_by"},
      {"/api/v1/reports/sla?from=2024-01-01T00:00:00Z&to=2024-02-01T00:00:00Z&group_by=team"
       "&kind=change",
       "kind"},
      {"/api/v1/search", "q"},
      {"/api/v1/search?q=%20%20", "q"},
      {"/api/v1/search?q=" + std::string(201, 'q'), "q"},
      {"/api/v1/search?q=x&limit=0", "limit"},
      {"/api/v1/surveys?rating=9", "rating"},
      {"/api/v1/surveys?from=soon", "from"},
      {"/api/v1/surveys?team_id=x", "team_id"},
      {"/api/v1/surveys?limit=501", "limit"},
      {"/api/v1/worklog-totals?from=soon", "from"},
      {"/api/v1/worklog-totals?to=2024-02-30T00:00:00Z", "to"},
      {"/api/v1/worklog-totals?team_id=x", "team_id"},
      {"/api/v1/worklog-totals?user_id=me", "user_id"},
      {"/api/v1/holiday-sets/cn-statutory/days?year=27", "year"},
      {"/api/v1/holiday-sets/cn-statutory/days?year=abcd", "year"},
      {"/api/v1/holiday-sets/cn-statutory/days?year=20261", "year"},
      {"/api/v1/holiday-sets/cn-statutory/days?year=-202", "year"},
      {"/api/v1/holiday-sets/cn-statutory/days?year=", "year"},
      {"/api/v1/ci-types?active=maybe", "active"},
      {"/api/v1/cis?limit=0", "limit"},
      {"/api/v1/cis?sort=attributes", "sort"},
      {"/api/v1/cis?cursor=!!!", "cursor"},
      {"/api/v1/cis?type=mainframe", "type"},
      {"/api/v1/cis?type=server,Bad%20Type", "type"},
      {"/api/v1/cis?status=broken", "status"},
      {"/api/v1/cis?environment=mars", "environment"},
      {"/api/v1/cis?owner_team_id=x", "owner_team_id"},
      {"/api/v1/cis?ids=1,x", "ids"},
      {"/api/v1/cis?ids=0", "ids"},
      {"/api/v1/cis?attr.Bad=1", "attr.Bad"},
      {"/api/v1/cis?attr.os=" + std::string(1001, 'o'), "attr.os"},
      {"/api/v1/cis?q=" + std::string(201, 'q'), "q"},
      {"/api/v1/cis/export?format=xml", "format"},
      {"/api/v1/cis/export?relations=maybe", "relations"},
      {"/api/v1/cis/export?status=broken", "status"},
      {"/api/v1/cis/" + id_of(ci_) + "/history?limit=0", "limit"},
      {"/api/v1/cis/" + id_of(ci_) + "/history?cursor=!!!", "cursor"},
      {"/api/v1/cis/" + id_of(ci_) + "/impact?depth=0", "depth"},
      {"/api/v1/cis/" + id_of(ci_) + "/impact?depth=x", "depth"},
      {"/api/v1/cis/" + id_of(ci_) + "/dependencies?depth=51", "depth"},
      {"/api/v1/known-errors?limit=0", "limit"},
      {"/api/v1/known-errors?ci_id=x", "ci_id"},
      {"/api/v1/known-errors?service_id=1.5", "service_id"},
      {"/api/v1/known-errors?q=" + std::string(201, 'q'), "q"},
      {"/api/v1/problem-candidates?group_by=service", "group_by"},
      {"/api/v1/problem-candidates?window_days=0", "window_days"},
      {"/api/v1/problem-candidates?window_days=366", "window_days"},
      {"/api/v1/problem-candidates?window_days=x", "window_days"},
      {"/api/v1/problem-candidates?min_incidents=1", "min_incidents"},
      {"/api/v1/problem-candidates?limit=501", "limit"},
      {"/api/v1/changes/calendar", "from"},
      {"/api/v1/changes/calendar?from=2024-01-01T00:00:00Z", "to"},
      {"/api/v1/changes/calendar?from=soon&to=2024-02-01T00:00:00Z", "from"},
      {"/api/v1/changes/calendar?from=2024-02-01T00:00:00Z&to=2024-01-01T00:00:00Z", "to"},
      {"/api/v1/changes/calendar?from=2024-01-01T00:00:00Z&to=2026-01-01T00:00:00Z", "to"},
      {"/api/v1/changes/calendar?from=2024-01-01T00:00:00Z&to=2024-02-01T00:00:00Z&service_id=x",
       "service_id"},
      {"/api/v1/changes/calendar?from=2024-01-01T00:00:00Z&to=2024-02-01T00:00:00Z&conflicts=2",
       "conflicts"},
      {"/api/v1/changes/stats?to=2024-02-01T00:00:00Z", "from"},
      {"/api/v1/changes/stats?from=2024-01-01T00:00:00Z&to=2024-13-01T00:00:00Z", "to"},
      {"/api/v1/freeze-windows?from=soon", "from"},
      {"/api/v1/freeze-windows?from=2024-02-01T00:00:00Z&to=2024-01-01T00:00:00Z", "to"},
      {"/api/v1/maintenance-windows?service_id=x", "service_id"},
      {"/api/v1/maintenance-windows/occurrences?from=soon", "from"},
      {"/api/v1/maintenance-windows/occurrences?service_id=x", "service_id"},
      {"/api/v1/change-templates?all=maybe", "all"},
  };
  HttpClient c(port_);
  for (const Q& q : qs) {
    HttpResponse r = c.request("GET", q.target, "", {bearer(admin_token_)});
    EXPECT_EQ(r.status, 400) << q.target << ": " << r.body;
    EXPECT_EQ(error_shape_problem(r), "") << q.target;
    EXPECT_EQ(error_field(r), q.field) << q.target << ": " << r.body;
  }
  // Search text is data, never SQL.
  for (const char* q : {"' OR '1'='1", "\" OR 1=1 --", "%", "_", "\\"}) {
    HttpResponse r =
        c.request("GET", "/api/v1/users?q=" + url_encode(q), "", {bearer(admin_token_)});
    EXPECT_EQ(r.status, 200) << q << ": " << r.body;
    EXPECT_TRUE(parse_body(r)["items"].empty()) << q << ": " << r.body;
    for (const char* target :
         {"/api/v1/tickets?q=", "/api/v1/search?q=", "/api/v1/cis?q=", "/api/v1/cis?attr.os="}) {
      HttpResponse t = c.request("GET", target + url_encode(q), "", {bearer(admin_token_)});
      EXPECT_EQ(t.status, 200) << target << q << ": " << t.body;
      EXPECT_TRUE(parse_body(t)["items"].empty()) << target << q << ": " << t.body;
    }
  }
}

TEST_P(BadInputTest, UnknownRoutesAnswer404AndUnknownMethods405InJson) {
  HttpClient c(port_);
  // (Other GET paths outside /api/ may serve the web UI's app shell.)
  for (const char* path :
       {"/api", "/api/v1", "/api/v1/", "/api/v1/users/", "/api/v1/nothing", "/api/v2/users",
        "/api/V1/USERS", "/api/v1/users/1/nope", "/api/v1/users/../teams", "/api/v1/teams/0",
        "/api/v1/users/-5", "/api/v1/users/1e3", "/api/v1/users/%zz", "/api/v1/healthz",
        "/metrics.txt", "/no-such-file.js"}) {
    HttpResponse r = c.request("GET", path, "", {bearer(admin_token_)});
    EXPECT_EQ(r.status, 404) << path << ": " << r.body;
    EXPECT_EQ(error_shape_problem(r), "") << path;
    EXPECT_EQ(error_code(r), "not_found") << path;
  }
  for (const auto& [method, path] :
       std::vector<std::pair<std::string, std::string>>{{"POST", "/"},
                                                        {"DELETE", "/admin/users"},
                                                        {"PATCH", "/healthz/"},
                                                        {"POST", "/api/v1/nothing"}}) {
    HttpResponse r = c.request(method, path, "{}", {bearer(admin_token_)});
    EXPECT_EQ(r.status, 404) << method << " " << path << ": " << r.body;
    EXPECT_EQ(error_shape_problem(r), "") << method << " " << path;
  }
  // Ids that name nothing, on routes that exist.
  for (const auto& [method, path] : std::vector<std::pair<std::string, std::string>>{
           {"DELETE", "/api/v1/me/tokens/abc"},
           {"DELETE", "/api/v1/me/tokens/0"},
           {"DELETE", "/api/v1/me/tokens/999999"},
           {"PATCH", "/api/v1/users/abc"},
           {"PATCH", "/api/v1/teams/999999"},
           {"POST", "/api/v1/users/999999/deactivate"},
           {"POST", "/api/v1/teams/99999999999999999999/activate"},
           {"PATCH", "/api/v1/tickets/INC-999999"},
           {"PATCH", "/api/v1/tickets/nonsense"},
           {"PATCH", "/api/v1/categories/999999"},
           {"PATCH", "/api/v1/assignment-rules/999999"},
           {"PATCH", "/api/v1/calendars/999999"},
           {"PATCH", "/api/v1/calendars/abc"},
           {"PATCH", "/api/v1/sla-policies/999999"},
           {"PATCH", "/api/v1/sla-policies/abc"},
           {"POST", "/api/v1/holiday-sets/no-such-set/import"},
           {"DELETE", "/api/v1/assignment-rules/999999"},
           {"DELETE", "/api/v1/me/ticket-views/999999"},
           {"PATCH", "/api/v1/ci-types/999999"},
           {"PATCH", "/api/v1/ci-types/no_such_type"},
           {"PATCH", "/api/v1/cis/999999"},
           {"PATCH", "/api/v1/cis/abc"},
           {"DELETE", "/api/v1/cis/" + id_of(ci_) + "/relations/999999"},
           {"DELETE", "/api/v1/cis/999999/relations/" + id_of(ci_relation_)},
           {"DELETE", ticket_path("/links/999999")},
           {"PATCH", "/api/v1/tickets/PRB-999999/problem"},
           {"PATCH", ticket_path("/problem")},
           {"DELETE", "/api/v1/tickets/" + number_of(problem_) + "/incidents/INC-999999"},
           {"PATCH", "/api/v1/tickets/CHG-999999/change"},
           {"PATCH", ticket_path("/change")},
           {"PATCH", "/api/v1/freeze-windows/999999"},
           {"DELETE", "/api/v1/freeze-windows/abc"},
           {"PATCH", "/api/v1/maintenance-windows/999999"},
           {"DELETE", "/api/v1/maintenance-windows/999999"},
           {"PATCH", "/api/v1/change-templates/999999"},
           {"DELETE", "/api/v1/tickets/INC-999999/links/" + id_of(link_)}}) {
    HttpResponse r = c.request(method, path, method == "DELETE" ? "" : R"({"version":1})",
                               {bearer(admin_token_)});
    EXPECT_EQ(r.status, 404) << method << " " << path << ": " << r.body;
    EXPECT_EQ(error_shape_problem(r), "") << path;
  }

  std::map<std::string, std::set<std::string>> methods;  // concrete path -> methods served
  for (const RouteInfo& r : routes_) methods[concrete(r.path)].insert(r.method);
  for (const auto& [path, served] : methods) {
    for (const char* m : {"GET", "POST", "PATCH", "PUT", "DELETE", "OPTIONS"}) {
      if (served.count(m)) continue;
      HttpResponse r = c.request(m, path, "", {bearer(admin_token_)});
      std::string what = std::string(m) + " " + path;
      EXPECT_EQ(r.status, 405) << what << ": " << r.body;
      EXPECT_EQ(error_shape_problem(r), "") << what;
      EXPECT_EQ(error_code(r), "method_not_allowed") << what;
      std::string allow = r.header("allow");
      for (const std::string& s : served)
        EXPECT_NE(allow.find(s), std::string::npos) << what << " Allow: " << allow;
    }
  }
}

YUNWEI_INSTANTIATE_BACKENDS(BadInputTest);

}  // namespace
}  // namespace yunwei::testing
