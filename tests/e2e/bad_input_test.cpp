// Every write route of the live binary refuses bad input with a 4xx JSON error naming the
// field at fault, and a whole barrage of it leaves the stored data exactly as it was.
#include <functional>

#include "e2e/e2e_util.h"

namespace yunwei::testing {
namespace {

enum class Kind { kString, kInt, kNullableInt, kInts, kStrings, kTime };

struct Field {
  std::string name;
  Kind kind;
  bool required = false;
  bool null_ok = false;        // null means "empty" (strings) or "none" (ids)
  std::vector<json> bad = {};  // values of the right type the server must still refuse
};

// What a write route accepts: a valid body (never sent as is) and its fields. A route without
// `base` takes no body.
struct WriteRoute {
  std::optional<json> base;
  std::vector<Field> fields;
  bool empty_ok = false;  // an empty body is valid
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

class BadInputTest : public SharedServerTest {
 protected:
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
  }

  std::string concrete(const std::string& pattern) {
    std::string id;
    if (pattern.rfind("/api/v1/users/", 0) == 0)
      id = std::to_string(target_user_["id"].get<std::int64_t>());
    if (pattern.rfind("/api/v1/teams/", 0) == 0)
      id = std::to_string(target_team_["id"].get<std::int64_t>());
    if (pattern.rfind("/api/v1/me/tokens/", 0) == 0)
      id = std::to_string(target_token_["id"].get<std::int64_t>());
    return id.empty() ? pattern : replace_all(pattern, "{id}", id);
  }

  // The write routes this test knows. A write route missing here fails the test.
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
         {"roles", Kind::kStrings, true, false, roles.bad},
         new_password}};
    m["PATCH /api/v1/users/{id}"] = {
        json{{"display_name", "Changed"}, {"version", target_user_["version"]}},
        {display_name, email, phone, locale, time_zone, roles, version}};
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
    return m;
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
      j[name] = v;
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
        j.erase(n);
        add("missing required " + n, j.dump(), n);
      }
      std::vector<json> wrong;
      switch (f.kind) {
        case Kind::kString:
          wrong = {12345, true, 1.5, json::object(), json::array({"x"})};
          add("over-long " + n, with(n, kLong), n);
          add("over-long CJK " + n, with(n, long_cjk()), n);
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
          add("too many elements in " + n, with(n, json(std::vector<int>(1001, 1))), n);
          break;
        case Kind::kStrings:
          wrong = {"agent", 1, json::object()};
          add("a number element in " + n, with(n, json::array({1})), n);
          add("a null element in " + n, with(n, json::array({nullptr})), n);
          add("too many elements in " + n, with(n, json(std::vector<std::string>(11, "agent"))), n);
          break;
        case Kind::kTime:
          wrong = {5, true, json::array(), json::object()};
          break;
      }
      if (!f.null_ok) wrong.push_back(nullptr);
      for (const json& w : wrong) add("wrong type " + w.dump() + " for " + n, with(n, w), n);
      for (const json& b : f.bad)
        add("refused value " + b.dump().substr(0, 60) + " for " + n, with(n, b), n);
    }
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
  json target_user_, target_team_, target_token_, admin_;
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
    auto it = known.find(key);
    if (it == known.end()) {
      ADD_FAILURE()
          << key
          << " is a write route this test does not know; describe its fields in write_routes()";
      continue;
    }
    std::string path = concrete(r.path);
    for (const Case& c : cases_for(it->second)) {
      HttpResponse res = send(r.method, path, c);
      ++requests;
      std::string what = key + " with " + c.what + " -> " + std::to_string(res.status) + " " +
                         res.body.substr(0, 300);
      EXPECT_EQ(res.status, c.status) << what;
      EXPECT_EQ(error_shape_problem(res), "") << what;
      std::string want_code = c.status == 415 ? "unsupported_media_type" : "invalid_argument";
      EXPECT_EQ(error_code(res), want_code) << what;
      if (!c.field.empty()) {
        std::string field = error_field(res);
        bool ok = field == c.field || field.rfind(c.field + "[", 0) == 0 ||
                  (c.body_field_ok && field == "body");
        EXPECT_TRUE(ok) << what << " names field '" << field << "', want '" << c.field << "'";
      } else if (c.body_field_ok) {
        EXPECT_FALSE(error_field(res).empty()) << what;
      }
    }
  }
  for (const auto& [key, route] : known)
    EXPECT_TRUE(live.count(key)) << key << " is no longer served";
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
           {"POST", "/api/v1/teams/99999999999999999999/activate"}}) {
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
