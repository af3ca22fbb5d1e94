// The JSON API through the real binary over real HTTP: sessions, CSRF, tokens, throttling,
// users, teams and the audit trail, on SQLite and (with YUNWEI_TEST_PG) PostgreSQL.
#include <algorithm>

#include "e2e/e2e_util.h"

namespace yunwei::testing {
namespace {

class ApiTest : public SharedServerTest {
 protected:
  HttpResponse as_admin(const std::string& method, const std::string& target,
                        const std::string& body = "", std::vector<std::string> headers = {}) {
    headers.push_back(bearer(admin_token_));
    HttpClient c(port_);
    return c.request(method, target, body, headers);
  }
  json admin_get(const std::string& target) { return get_json(port_, target, admin_token_); }
  std::int64_t admin_id() { return admin_get("/api/v1/me").value("id", std::int64_t{0}); }

  // Every item of a paged list, following next_cursor; fails on a repeated id.
  std::vector<json> walk(const std::string& target, const std::string& token) {
    std::vector<json> all;
    std::set<std::int64_t> seen;
    std::string cursor;
    for (int page = 0; page < 1000; ++page) {
      std::string t = target + (target.find('?') == std::string::npos ? "?" : "&");
      if (!cursor.empty()) t += "cursor=" + url_encode(cursor);
      json j = get_json(port_, t, token);
      if (j.is_discarded()) break;
      for (const json& item : j["items"]) {
        EXPECT_TRUE(seen.insert(item["id"].get<std::int64_t>()).second)
            << "id " << item["id"] << " appeared twice walking " << target;
        all.push_back(item);
      }
      if (j["next_cursor"].is_null()) break;
      cursor = j["next_cursor"].get<std::string>();
    }
    return all;
  }
};

// ---------------------------------------------------------------------------------------------
// Sessions and CSRF

TEST_P(ApiTest, LoginSetsAnHttpOnlyLaxSessionCookieAndReturnsACsrfToken) {
  HttpResponse r = post_login(port_, "admin", server_->admin_password());
  ASSERT_EQ(r.status, 200) << r.body;
  std::string cookie = r.header("set-cookie");
  EXPECT_EQ(cookie.rfind("yw_session=", 0), 0u) << cookie;
  EXPECT_NE(cookie.find("; HttpOnly"), std::string::npos) << cookie;
  EXPECT_NE(cookie.find("; SameSite=Lax"), std::string::npos) << cookie;
  EXPECT_NE(cookie.find("; Path=/"), std::string::npos) << cookie;
  json j = parse_body(r);
  EXPECT_GE(j.value("csrf_token", "").size(), 16u) << r.body;
  EXPECT_EQ(j["user"]["username"], "admin");
  EXPECT_FALSE(j["user"].contains("password"));
  EXPECT_FALSE(j["user"].contains("password_hash"));
  EXPECT_TRUE(j["expires_at"].is_string());
  // The cookie alone authenticates reads.
  HttpClient c(port_);
  std::string value = cookie.substr(0, cookie.find(';'));
  HttpResponse me = c.request("GET", "/api/v1/me", "", {"Cookie: " + value});
  EXPECT_EQ(me.status, 200) << me.body;
  EXPECT_EQ(parse_body(me)["csrf_token"], j["csrf_token"]);
}

TEST_P(ApiTest, SessionProbeTellsWhetherTheCookieIsLiveWithoutAnswering401) {
  HttpClient c(port_);
  HttpResponse none = c.request("GET", "/api/v1/auth/session");
  EXPECT_EQ(none.status, 200);
  EXPECT_EQ(parse_body(none), json({{"authenticated", false}}));
  HttpResponse stale = c.request("GET", "/api/v1/auth/session", "", {"Cookie: yw_session=stale"});
  EXPECT_EQ(parse_body(stale)["authenticated"], false);
  auto s = login(port_, "admin", server_->admin_password());
  ASSERT_TRUE(s);
  HttpResponse live = c.request("GET", "/api/v1/auth/session", "", s->cookie_only());
  json j = parse_body(live);
  EXPECT_EQ(j["authenticated"], true);
  EXPECT_EQ(j["user"]["username"], "admin");
  EXPECT_EQ(j["user"]["permissions"]["users_write"], true);
  EXPECT_EQ(j["csrf_token"], s->csrf);
  // After logout the same cookie is no longer live.
  ASSERT_EQ(c.request("POST", "/api/v1/auth/logout", "", s->headers()).status, 204);
  EXPECT_EQ(
      parse_body(c.request("GET", "/api/v1/auth/session", "", s->cookie_only()))["authenticated"],
      false);
}

TEST_P(ApiTest, RefusesAWrongPasswordWithOneMessageForUnknownAndKnownAccounts) {
  std::string name = unique_name("wrongpw");
  ASSERT_FALSE(create_user(port_, admin_token_, name, {"agent"}).is_discarded());
  HttpResponse known = post_login(port_, name, "not-the-password");
  HttpResponse unknown = post_login(port_, unique_name("nobody"), "not-the-password");
  EXPECT_EQ(known.status, 401);
  EXPECT_EQ(unknown.status, 401);
  EXPECT_EQ(error_code(known), "unauthenticated");
  EXPECT_EQ(parse_body(known)["error"]["message"], parse_body(unknown)["error"]["message"]);
  EXPECT_TRUE(known.header("set-cookie").empty());
}

TEST_P(ApiTest, CookieWritesNeedTheSessionsCsrfToken) {
  auto s = login(port_, "admin", server_->admin_password());
  ASSERT_TRUE(s);
  HttpClient c(port_);
  std::string body = R"({"name":"csrf probe"})";
  HttpResponse none = c.request("POST", "/api/v1/me/tokens", body, s->cookie_only());
  EXPECT_EQ(none.status, 403) << none.body;
  EXPECT_EQ(error_code(none), "forbidden");
  HttpResponse wrong = c.request("POST", "/api/v1/me/tokens", body,
                                 {"Cookie: " + s->cookie, "X-CSRF-Token: " + s->csrf + "x"});
  EXPECT_EQ(wrong.status, 403) << wrong.body;
  HttpResponse empty =
      c.request("POST", "/api/v1/me/tokens", body, {"Cookie: " + s->cookie, "X-CSRF-Token: "});
  EXPECT_EQ(empty.status, 403) << empty.body;
  // Another session's token does not fit this session.
  auto other = login(port_, "admin", server_->admin_password());
  ASSERT_TRUE(other);
  HttpResponse foreign = c.request("POST", "/api/v1/me/tokens", body,
                                   {"Cookie: " + s->cookie, "X-CSRF-Token: " + other->csrf});
  EXPECT_EQ(foreign.status, 403) << foreign.body;
  // Nothing was created by the refused writes.
  json before = admin_get("/api/v1/me/tokens");
  size_t probes = 0;
  for (const json& t : before["items"]) probes += t["name"] == "csrf probe";
  EXPECT_EQ(probes, 0u);

  HttpResponse ok = c.request("POST", "/api/v1/me/tokens", body, s->headers());
  EXPECT_EQ(ok.status, 201) << ok.body;
}

TEST_P(ApiTest, BearerTokenWritesNeedNoCsrfToken) {
  HttpResponse r = as_admin("POST", "/api/v1/me/tokens", R"({"name":"bearer write"})");
  EXPECT_EQ(r.status, 201) << r.body;
}

TEST_P(ApiTest, LogoutEndsTheSession) {
  auto s = login(port_, "admin", server_->admin_password());
  ASSERT_TRUE(s);
  HttpClient c(port_);
  ASSERT_EQ(c.request("GET", "/api/v1/me", "", s->cookie_only()).status, 200);
  HttpResponse without_csrf = c.request("POST", "/api/v1/auth/logout", "", s->cookie_only());
  EXPECT_EQ(without_csrf.status, 403);
  HttpResponse out = c.request("POST", "/api/v1/auth/logout", "", s->headers());
  EXPECT_EQ(out.status, 204) << out.body;
  std::string cleared = out.header("set-cookie");
  EXPECT_EQ(cleared.rfind("yw_session=;", 0), 0u) << cleared;
  EXPECT_NE(cleared.find("Max-Age=0"), std::string::npos) << cleared;
  HttpResponse after = c.request("GET", "/api/v1/me", "", s->cookie_only());
  EXPECT_EQ(after.status, 401) << after.body;
  EXPECT_EQ(error_code(after), "unauthenticated");
}

TEST_P(ApiTest, CookieWritesOfEveryMethodNeedTheCsrfToken) {
  std::string name = unique_name("csrfall");
  ASSERT_FALSE(create_user(port_, admin_token_, name, {"agent"}).is_discarded());
  auto s = login(port_, name, kUserPassword);
  ASSERT_TRUE(s);
  std::string token = login_token(port_, name, kUserPassword);
  json tokens = get_json(port_, "/api/v1/me/tokens", token);
  ASSERT_FALSE(tokens["items"].empty());
  std::string token_path =
      "/api/v1/me/tokens/" + std::to_string(tokens["items"][0]["id"].get<std::int64_t>());
  HttpClient c(port_);
  HttpResponse patch =
      c.request("PATCH", "/api/v1/me", R"({"locale":"en","version":1})", s->cookie_only());
  EXPECT_EQ(patch.status, 403) << patch.body;
  HttpResponse del = c.request("DELETE", token_path, "", s->cookie_only());
  EXPECT_EQ(del.status, 403) << del.body;
  EXPECT_EQ(c.request("GET", "/api/v1/me", "", {bearer(token)}).status, 200)
      << "the token was not revoked";
  EXPECT_EQ(get_json(port_, "/api/v1/me", token)["locale"], "zh-CN");
  EXPECT_EQ(c.request("DELETE", token_path, "", s->headers()).status, 200);
  EXPECT_EQ(c.request("GET", "/api/v1/me", "", {bearer(token)}).status, 401);
}

TEST_P(ApiTest, LoginIgnoresTheCaseOfTheUsername) {
  HttpResponse r = post_login(port_, "ADMIN", server_->admin_password());
  EXPECT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(parse_body(r)["user"]["username"], "admin");
}

TEST_P(ApiTest, APasswordCountsCharactersNotBytes) {
  std::string name = unique_name("unicodepw");
  json body = {{"username", name},
               {"display_name", "Unicode Password"},
               {"password", "密码密码"},
               {"roles", {"agent"}}};
  HttpResponse short_one = as_admin("POST", "/api/v1/users", body.dump());
  EXPECT_EQ(short_one.status, 400)
      << "four characters (twelve bytes) are too few: " << short_one.body;
  EXPECT_EQ(error_field(short_one), "password");
  body["password"] = "运维密码足够长了";
  ASSERT_EQ(as_admin("POST", "/api/v1/users", body.dump()).status, 201);
  EXPECT_EQ(post_login(port_, name, "运维密码足够长了").status, 200);
}

TEST_P(ApiTest, TheSessionCookieIsSecureWhenConfigured) {
  std::string err;
  auto secure = ServerProcess::start({GetParam(), {"--cookie-secure", "true"}, {}}, &err);
  ASSERT_TRUE(secure) << err;
  HttpResponse r = post_login(secure->port(), "admin", secure->admin_password());
  ASSERT_EQ(r.status, 200);
  EXPECT_NE(r.header("set-cookie").find("; Secure"), std::string::npos) << r.header("set-cookie");
  EXPECT_EQ(
      post_login(port_, "admin", server_->admin_password()).header("set-cookie").find("Secure"),
      std::string::npos);
}

// ---------------------------------------------------------------------------------------------
// The caller's own profile

TEST_P(ApiTest, MeShowsRolesTeamsAndPermissions) {
  std::string name = unique_name("meagent");
  json u = create_user(port_, admin_token_, name, {"agent"});
  ASSERT_FALSE(u.is_discarded());
  json team = parse_body(
      as_admin("POST", "/api/v1/teams",
               json{{"name", unique_name("Me Team ")}, {"member_ids", {u["id"]}}}.dump()));
  ASSERT_TRUE(team.contains("id")) << team;
  std::string token = login_token(port_, name, kUserPassword);
  ASSERT_FALSE(token.empty());
  json me = get_json(port_, "/api/v1/me", token);
  EXPECT_EQ(me["username"], name);
  EXPECT_EQ(me["roles"], json({"agent"}));
  EXPECT_EQ(me["team_ids"], json({team["id"]}));
  EXPECT_EQ(me["permissions"], json({{"users_read", true},
                                     {"users_write", false},
                                     {"audit_read", false},
                                     {"tickets_read", true},
                                     {"tickets_create", true},
                                     {"tickets_staff", true},
                                     {"tickets_work", true},
                                     {"tickets_admin", false},
                                     {"sla_read", true},
                                     {"sla_admin", false},
                                     {"cmdb_read", true},
                                     {"cmdb_write", true},
                                     {"cmdb_admin", false},
                                     {"changes_read", true},
                                     {"changes_approve", true},
                                     {"changes_admin", false}}));
  EXPECT_FALSE(me.contains("csrf_token")) << "a token caller has no session";

  json admin = admin_get("/api/v1/me");
  EXPECT_EQ(admin["permissions"], json({{"users_read", true},
                                        {"users_write", true},
                                        {"audit_read", true},
                                        {"tickets_read", true},
                                        {"tickets_create", true},
                                        {"tickets_staff", true},
                                        {"tickets_work", true},
                                        {"tickets_admin", true},
                                        {"sla_read", true},
                                        {"sla_admin", true},
                                        {"cmdb_read", true},
                                        {"cmdb_write", true},
                                        {"cmdb_admin", true},
                                        {"changes_read", true},
                                        {"changes_approve", true},
                                        {"changes_admin", true}}));
  std::string req_name = unique_name("mereq");
  ASSERT_FALSE(create_user(port_, admin_token_, req_name, {"requester"}).is_discarded());
  json req = get_json(port_, "/api/v1/me", login_token(port_, req_name, kUserPassword));
  EXPECT_EQ(req["permissions"], json({{"users_read", false},
                                      {"users_write", false},
                                      {"audit_read", false},
                                      {"tickets_read", true},
                                      {"tickets_create", true},
                                      {"tickets_staff", false},
                                      {"tickets_work", false},
                                      {"tickets_admin", false},
                                      {"sla_read", false},
                                      {"sla_admin", false},
                                      {"cmdb_read", false},
                                      {"cmdb_write", false},
                                      {"cmdb_admin", false},
                                      {"changes_read", false},
                                      {"changes_approve", false},
                                      {"changes_admin", false}}));
}

TEST_P(ApiTest, PatchMeUpdatesLocaleAndTimeZoneAndRefusesAStaleVersion) {
  std::string name = unique_name("mepatch");
  ASSERT_FALSE(create_user(port_, admin_token_, name, {"requester"}).is_discarded());
  std::string token = login_token(port_, name, kUserPassword);
  json me = get_json(port_, "/api/v1/me", token);
  std::int64_t v = me["version"];
  EXPECT_EQ(me["locale"], "zh-CN");
  HttpClient c(port_);
  HttpResponse r =
      c.request("PATCH", "/api/v1/me",
                json{{"locale", "en"}, {"time_zone", "Europe/Berlin"}, {"version", v}}.dump(),
                {bearer(token)});
  ASSERT_EQ(r.status, 200) << r.body;
  json after = parse_body(r);
  EXPECT_EQ(after["locale"], "en");
  EXPECT_EQ(after["time_zone"], "Europe/Berlin");
  EXPECT_EQ(after["version"], v + 1);
  EXPECT_EQ(after["roles"], json({"requester"})) << "PATCH /me must not touch roles";

  HttpResponse stale = c.request("PATCH", "/api/v1/me",
                                 json{{"locale", "zh-CN"}, {"version", v}}.dump(), {bearer(token)});
  EXPECT_EQ(stale.status, 409) << stale.body;
  EXPECT_EQ(error_field(stale), "version");
  json reread = get_json(port_, "/api/v1/me", token);
  EXPECT_EQ(reread["locale"], "en");
  EXPECT_EQ(reread["version"], v + 1);

  // A caller cannot grant themself roles through their profile.
  HttpResponse roles =
      c.request("PATCH", "/api/v1/me", json{{"roles", {"admin"}}, {"version", v + 1}}.dump(),
                {bearer(token)});
  EXPECT_EQ(roles.status, 400) << roles.body;
  EXPECT_EQ(get_json(port_, "/api/v1/me", token)["roles"], json({"requester"}));
}

TEST_P(ApiTest, ChangingOwnPasswordChecksTheCurrentOneAndEndsOtherSessions) {
  std::string name = unique_name("mepw");
  ASSERT_FALSE(create_user(port_, admin_token_, name, {"agent"}).is_discarded());
  auto mine = login(port_, name, kUserPassword);
  auto other = login(port_, name, kUserPassword);
  ASSERT_TRUE(mine && other);
  HttpClient c(port_);
  HttpResponse wrong = c.request(
      "POST", "/api/v1/me/password",
      json{{"current_password", "not-my-password"}, {"new_password", "Brand-New-Pass-1"}}.dump(),
      mine->headers());
  EXPECT_EQ(wrong.status, 400) << wrong.body;
  EXPECT_EQ(error_field(wrong), "current_password");
  EXPECT_EQ(post_login(port_, name, "Brand-New-Pass-1").status, 401)
      << "a refused change changed nothing";

  HttpResponse weak = c.request(
      "POST", "/api/v1/me/password",
      json{{"current_password", kUserPassword}, {"new_password", "short"}}.dump(), mine->headers());
  EXPECT_EQ(weak.status, 400) << weak.body;
  EXPECT_EQ(error_field(weak), "new_password");

  HttpResponse ok = c.request(
      "POST", "/api/v1/me/password",
      json{{"current_password", kUserPassword}, {"new_password", "Brand-New-Pass-1"}}.dump(),
      mine->headers());
  EXPECT_EQ(ok.status, 204) << ok.body;
  EXPECT_EQ(post_login(port_, name, kUserPassword).status, 401);
  EXPECT_EQ(post_login(port_, name, "Brand-New-Pass-1").status, 200);
  EXPECT_EQ(c.request("GET", "/api/v1/me", "", mine->cookie_only()).status, 200)
      << "the session that changed the password stays";
  EXPECT_EQ(c.request("GET", "/api/v1/me", "", other->cookie_only()).status, 401)
      << "other sessions end";
}

// ---------------------------------------------------------------------------------------------
// API tokens

TEST_P(ApiTest, ATokensSecretIsShownOnceAndRevokingItEndsIt) {
  HttpResponse created = as_admin("POST", "/api/v1/me/tokens", R"({"name":"deploy bot"})");
  ASSERT_EQ(created.status, 201) << created.body;
  json t = parse_body(created);
  std::string secret = t["token"];
  EXPECT_EQ(secret.rfind("yw_", 0), 0u);
  EXPECT_EQ(t["name"], "deploy bot");
  EXPECT_EQ(t["active"], true);
  EXPECT_EQ(t["prefix"], secret.substr(0, t["prefix"].get<std::string>().size()));
  EXPECT_LT(t["prefix"].get<std::string>().size(), secret.size());

  HttpClient c(port_);
  HttpResponse list = c.request("GET", "/api/v1/me/tokens", "", {bearer(secret)});
  ASSERT_EQ(list.status, 200) << "the new token authenticates: " << list.body;
  EXPECT_EQ(list.body.find(secret), std::string::npos) << "the list never shows a secret";
  bool listed = false;
  json items = parse_body(list)["items"];
  for (const json& item : items) {
    EXPECT_FALSE(item.contains("token"));
    listed = listed || item["id"] == t["id"];
  }
  EXPECT_TRUE(listed);

  HttpResponse revoked =
      as_admin("DELETE", "/api/v1/me/tokens/" + std::to_string(t["id"].get<std::int64_t>()));
  ASSERT_EQ(revoked.status, 200) << revoked.body;
  EXPECT_EQ(parse_body(revoked)["active"], false);
  EXPECT_TRUE(parse_body(revoked)["revoked_at"].is_string());
  HttpResponse after = c.request("GET", "/api/v1/me", "", {bearer(secret)});
  EXPECT_EQ(after.status, 401) << after.body;
  EXPECT_FALSE(after.header("www-authenticate").empty());
}

TEST_P(ApiTest, AUserCannotRevokeAnotherUsersToken) {
  HttpResponse created = as_admin("POST", "/api/v1/me/tokens", R"({"name":"not yours"})");
  ASSERT_EQ(created.status, 201);
  json t = parse_body(created);
  std::string name = unique_name("thief");
  ASSERT_FALSE(create_user(port_, admin_token_, name, {"agent"}).is_discarded());
  std::string token = login_token(port_, name, kUserPassword);
  HttpClient c(port_);
  HttpResponse r =
      c.request("DELETE", "/api/v1/me/tokens/" + std::to_string(t["id"].get<std::int64_t>()), "",
                {bearer(token)});
  EXPECT_EQ(r.status, 404) << r.body;
  EXPECT_EQ(c.request("GET", "/api/v1/me", "", {bearer(t["token"])}).status, 200);
}

TEST_P(ApiTest, ATokenWithAnExpiryInThePastIsRefused) {
  HttpResponse r = as_admin("POST", "/api/v1/me/tokens",
                            R"({"name":"old","expires_at":"2001-01-01T00:00:00Z"})");
  EXPECT_EQ(r.status, 400) << r.body;
  EXPECT_EQ(error_field(r), "expires_at");
  HttpResponse future = as_admin("POST", "/api/v1/me/tokens",
                                 R"({"name":"later","expires_at":"2999-01-01T08:00:00+08:00"})");
  ASSERT_EQ(future.status, 201) << future.body;
  EXPECT_EQ(parse_body(future)["expires_at"], "2999-01-01T00:00:00.000Z");
}

TEST_P(ApiTest, ATokenRecordsWhenItWasLastUsed) {
  HttpResponse created = as_admin("POST", "/api/v1/me/tokens", R"({"name":"usage probe"})");
  ASSERT_EQ(created.status, 201);
  json t = parse_body(created);
  EXPECT_TRUE(t["last_used_at"].is_null());
  HttpClient c(port_);
  ASSERT_EQ(c.request("GET", "/api/v1/me", "", {bearer(t["token"])}).status, 200);
  json list = admin_get("/api/v1/me/tokens");
  bool seen = false;
  for (const json& item : list["items"]) {
    if (item["id"] != t["id"]) continue;
    seen = true;
    EXPECT_TRUE(item["last_used_at"].is_string()) << item;
  }
  EXPECT_TRUE(seen);
}

// ---------------------------------------------------------------------------------------------
// Login throttling

TEST_P(ApiTest, FiveWrongPasswordsForOneAccountThrottleItWithRetryAfter) {
  std::string name = unique_name("throttled");
  ASSERT_FALSE(create_user(port_, admin_token_, name, {"agent"}).is_discarded());
  for (int i = 0; i < 5; ++i) {
    HttpResponse r = post_login(port_, name, "wrong-password-" + std::to_string(i));
    EXPECT_EQ(r.status, 401) << "attempt " << i << ": " << r.body;
  }
  HttpResponse blocked = post_login(port_, name, "wrong-password-again");
  EXPECT_EQ(blocked.status, 429) << blocked.body;
  EXPECT_EQ(error_code(blocked), "too_many_requests");
  std::string retry = blocked.header("retry-after");
  ASSERT_FALSE(retry.empty());
  int seconds = std::atoi(retry.c_str());
  EXPECT_GT(seconds, 0);
  EXPECT_LE(seconds, 15 * 60);
  // Even the right password waits, and the failures were audited.
  EXPECT_EQ(post_login(port_, name, kUserPassword).status, 429);
  // Another account from the same address is not blocked by this one.
  std::string other = unique_name("unthrottled");
  ASSERT_FALSE(create_user(port_, admin_token_, other, {"agent"}).is_discarded());
  EXPECT_EQ(post_login(port_, other, kUserPassword).status, 200);
  json u = admin_get("/api/v1/users?q=" + url_encode(name));
  ASSERT_EQ(u["items"].size(), 1u);
  json failures = admin_get("/api/v1/audit?action=auth.login_failed&object_type=user&object_id=" +
                            std::to_string(u["items"][0]["id"].get<std::int64_t>()));
  EXPECT_EQ(failures["items"].size(), 5u);
}

TEST_P(ApiTest, TwentyFailuresFromOneAddressThrottleEveryAccountFromIt) {
  // Its own server: the address limit would throttle the other tests' logins.
  std::string err;
  auto own = ServerProcess::start({GetParam(), {}, {}}, &err);
  ASSERT_TRUE(own) << err;
  for (int i = 0; i < 20; ++i) {
    HttpResponse r = post_login(own->port(), "guess" + std::to_string(i), "wrong-password");
    ASSERT_EQ(r.status, 401) << "attempt " << i << ": " << r.body;
  }
  HttpResponse blocked = post_login(own->port(), "admin", own->admin_password());
  EXPECT_EQ(blocked.status, 429) << blocked.body;
  EXPECT_FALSE(blocked.header("retry-after").empty());
}

// ---------------------------------------------------------------------------------------------
// Users

TEST_P(ApiTest, CreatingAUserAnswers201WithIdVersionAndLocation) {
  std::string name = unique_name("newuser");
  json body = {{"username", name},
               {"display_name", "New User"},
               {"email", name + "@example.com"},
               {"password", "Initial-Pass-1"},
               {"roles", {"agent"}}};
  HttpResponse r = as_admin("POST", "/api/v1/users", body.dump());
  ASSERT_EQ(r.status, 201) << r.body;
  json u = parse_body(r);
  ASSERT_TRUE(u["id"].is_number_integer());
  std::int64_t id = u["id"];
  EXPECT_EQ(u["version"], 1);
  EXPECT_EQ(r.header("location"), "/api/v1/users/" + std::to_string(id));
  EXPECT_EQ(u["username"], name);
  EXPECT_EQ(u["roles"], json({"agent"}));
  EXPECT_EQ(u["active"], true);
  EXPECT_EQ(u["has_password"], true);
  EXPECT_EQ(r.body.find("Initial-Pass-1"), std::string::npos);
  EXPECT_EQ(r.body.find("argon2"), std::string::npos);

  json got = admin_get(r.header("location"));
  EXPECT_EQ(got["username"], name);
  EXPECT_EQ(got["display_name"], "New User");
  EXPECT_EQ(got["version"], 1);
  EXPECT_EQ(post_login(port_, name, "Initial-Pass-1").status, 200);

  HttpResponse dup = as_admin("POST", "/api/v1/users", body.dump());
  EXPECT_EQ(dup.status, 409) << dup.body;
  EXPECT_EQ(error_code(dup), "conflict");
  EXPECT_EQ(error_field(dup), "username");
}

TEST_P(ApiTest, GettingAMissingUserAnswers404) {
  for (const char* id : {"999999", "0", "-1", "abc", "99999999999999999999"}) {
    HttpResponse r = as_admin("GET", std::string("/api/v1/users/") + id);
    EXPECT_EQ(r.status, 404) << id << ": " << r.body;
    EXPECT_EQ(error_code(r), "not_found") << id;
  }
}

TEST_P(ApiTest, PatchingAUserWithAStaleVersionAnswers409AndChangesNothing) {
  std::string name = unique_name("patchme");
  json u = create_user(port_, admin_token_, name, {"agent"}, "Before Name");
  ASSERT_FALSE(u.is_discarded());
  std::string path = "/api/v1/users/" + std::to_string(u["id"].get<std::int64_t>());
  HttpResponse stale =
      as_admin("PATCH", path, json{{"display_name", "Stale Name"}, {"version", 7}}.dump());
  EXPECT_EQ(stale.status, 409) << stale.body;
  EXPECT_EQ(error_field(stale), "version");
  json unchanged = admin_get(path);
  EXPECT_EQ(unchanged["display_name"], "Before Name");
  EXPECT_EQ(unchanged["version"], 1);

  HttpResponse missing = as_admin("PATCH", path, json{{"display_name", "No Version"}}.dump());
  EXPECT_EQ(missing.status, 400) << missing.body;
  EXPECT_EQ(error_field(missing), "version");

  HttpResponse ok = as_admin(
      "PATCH", path, json{{"display_name", "After Name"}, {"roles", {"agent", "approver"}}}.dump(),
      {"If-Match: \"1\""});
  ASSERT_EQ(ok.status, 200) << ok.body;
  json after = parse_body(ok);
  EXPECT_EQ(after["display_name"], "After Name");
  EXPECT_EQ(after["roles"], json({"agent", "approver"}));
  EXPECT_EQ(after["version"], 2);
  HttpResponse stale_match =
      as_admin("PATCH", path, json{{"display_name", "Again"}}.dump(), {"If-Match: \"1\""});
  EXPECT_EQ(stale_match.status, 409) << stale_match.body;
  EXPECT_EQ(admin_get(path)["display_name"], "After Name");
}

TEST_P(ApiTest, DeactivatingAUserEndsTheirTokenAndSessionUntilReactivated) {
  std::string name = unique_name("leaver");
  json u = create_user(port_, admin_token_, name, {"agent"});
  ASSERT_FALSE(u.is_discarded());
  std::string path = "/api/v1/users/" + std::to_string(u["id"].get<std::int64_t>());
  std::string token = login_token(port_, name, kUserPassword);
  auto session = login(port_, name, kUserPassword);
  ASSERT_TRUE(session);
  HttpClient c(port_);
  ASSERT_EQ(c.request("GET", "/api/v1/me", "", {bearer(token)}).status, 200);

  HttpResponse off = as_admin("POST", path + "/deactivate");
  ASSERT_EQ(off.status, 200) << off.body;
  EXPECT_EQ(parse_body(off)["active"], false);
  EXPECT_EQ(c.request("GET", "/api/v1/me", "", {bearer(token)}).status, 401);
  EXPECT_EQ(c.request("GET", "/api/v1/me", "", session->cookie_only()).status, 401);
  EXPECT_EQ(post_login(port_, name, kUserPassword).status, 401);
  json inactive = admin_get("/api/v1/users?active=false&limit=500");
  bool listed = false;
  for (const json& item : inactive["items"]) {
    EXPECT_EQ(item["active"], false);
    listed = listed || item["username"] == name;
  }
  EXPECT_TRUE(listed);

  std::int64_t v = parse_body(off)["version"];
  HttpResponse stale = as_admin("POST", path + "/activate", json{{"version", v - 1}}.dump());
  EXPECT_EQ(stale.status, 409) << stale.body;
  HttpResponse on = as_admin("POST", path + "/activate", json{{"version", v}}.dump());
  ASSERT_EQ(on.status, 200) << on.body;
  EXPECT_EQ(parse_body(on)["active"], true);
  EXPECT_EQ(post_login(port_, name, kUserPassword).status, 200);
  EXPECT_EQ(c.request("GET", "/api/v1/me", "", {bearer(token)}).status, 401)
      << "tokens revoked by deactivation stay revoked";
}

TEST_P(ApiTest, AnAdminCannotDeactivateThemself) {
  HttpResponse r = as_admin("POST", "/api/v1/users/" + std::to_string(admin_id()) + "/deactivate");
  EXPECT_EQ(r.status, 409) << r.body;
  EXPECT_EQ(admin_get("/api/v1/me")["active"], true);
}

TEST_P(ApiTest, AnAdminPasswordResetReplacesThePasswordAndEndsSessions) {
  std::string name = unique_name("forgetful");
  json u = create_user(port_, admin_token_, name, {"requester"});
  ASSERT_FALSE(u.is_discarded());
  auto session = login(port_, name, kUserPassword);
  ASSERT_TRUE(session);
  std::string path = "/api/v1/users/" + std::to_string(u["id"].get<std::int64_t>()) + "/password";
  HttpResponse weak = as_admin("POST", path, R"({"password":"1234"})");
  EXPECT_EQ(weak.status, 400);
  EXPECT_EQ(error_field(weak), "password");
  HttpResponse r = as_admin("POST", path, R"({"password":"Reset-By-Admin-7"})");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(parse_body(r)["username"], name);
  HttpClient c(port_);
  EXPECT_EQ(c.request("GET", "/api/v1/me", "", session->cookie_only()).status, 401);
  EXPECT_EQ(post_login(port_, name, kUserPassword).status, 401);
  EXPECT_EQ(post_login(port_, name, "Reset-By-Admin-7").status, 200);
}

TEST_P(ApiTest, ListingUsersTwoAtATimeVisitsEveryUserExactlyOnce) {
  for (int i = 0; i < 5; ++i)
    ASSERT_FALSE(create_user(port_, admin_token_, unique_name("pager"), {"agent"}).is_discarded());
  json all = admin_get("/api/v1/users?limit=500");
  ASSERT_FALSE(all.is_discarded());
  ASSERT_TRUE(all["next_cursor"].is_null());
  std::vector<std::int64_t> expected;
  for (const json& u : all["items"]) expected.push_back(u["id"]);
  ASSERT_GE(expected.size(), 6u);

  std::vector<json> by_id = walk("/api/v1/users?limit=2", admin_token_);
  std::vector<std::int64_t> got;
  for (const json& u : by_id) got.push_back(u["id"]);
  EXPECT_EQ(got, expected);
  EXPECT_TRUE(std::is_sorted(got.begin(), got.end()));

  std::vector<json> by_name = walk("/api/v1/users?limit=2&sort=username", admin_token_);
  std::vector<std::string> names;
  for (const json& u : by_name) names.push_back(u["username"]);
  EXPECT_EQ(names.size(), expected.size());
  EXPECT_TRUE(std::is_sorted(names.begin(), names.end()));

  std::vector<json> desc = walk("/api/v1/users?limit=3&sort=-username", admin_token_);
  std::vector<std::string> desc_names;
  for (const json& u : desc) desc_names.push_back(u["username"]);
  std::reverse(desc_names.begin(), desc_names.end());
  EXPECT_EQ(desc_names, names);

  // A cursor of one sort order is refused by another.
  json first = admin_get("/api/v1/users?limit=2&sort=username");
  HttpResponse mixed = as_admin("GET", "/api/v1/users?limit=2&sort=id&cursor=" +
                                           url_encode(first["next_cursor"].get<std::string>()));
  EXPECT_EQ(mixed.status, 400);
  EXPECT_EQ(error_field(mixed), "cursor");
}

TEST_P(ApiTest, SearchingUsersFindsAChineseDisplayNameByTwoCharacters) {
  std::string name = unique_name("zhangsan");
  ASSERT_FALSE(create_user(port_, admin_token_, name, {"agent"}, "张三丰").is_discarded());
  std::string other = unique_name("lisi");
  ASSERT_FALSE(create_user(port_, admin_token_, other, {"agent"}, "李四").is_discarded());
  json found = admin_get("/api/v1/users?q=" + url_encode("张三"));
  ASSERT_EQ(found["items"].size(), 1u) << found;
  EXPECT_EQ(found["items"][0]["username"], name);
  EXPECT_EQ(found["items"][0]["display_name"], "张三丰");
  json none = admin_get("/api/v1/users?q=" + url_encode("王五"));
  EXPECT_TRUE(none["items"].empty());
  json wildcard = admin_get("/api/v1/users?q=" + url_encode(other.substr(0, 6) + "%"));
  EXPECT_TRUE(wildcard["items"].empty())
      << "% is a literal character, not a wildcard: " << wildcard;
  // Usernames match case-insensitively.
  json upper = admin_get("/api/v1/users?q=" + url_encode("LISI"));
  bool has_other = false;
  for (const json& u : upper["items"]) has_other = has_other || u["username"] == other;
  EXPECT_TRUE(has_other);
}

TEST_P(ApiTest, FilteringUsersByRoleAndActiveReturnsOnlyMatches) {
  std::string auditor = unique_name("auditfilter");
  ASSERT_FALSE(create_user(port_, admin_token_, auditor, {"auditor"}).is_discarded());
  json auditors = admin_get("/api/v1/users?role=auditor&limit=500");
  bool found = false;
  for (const json& u : auditors["items"]) {
    std::vector<std::string> roles = u["roles"];
    EXPECT_NE(std::find(roles.begin(), roles.end(), "auditor"), roles.end()) << u;
    found = found || u["username"] == auditor;
  }
  EXPECT_TRUE(found);
  json admins = admin_get("/api/v1/users?role=admin&limit=500");
  for (const json& u : admins["items"]) EXPECT_NE(u["username"], auditor);
  EXPECT_FALSE(admins["items"].empty());
  HttpResponse bad = as_admin("GET", "/api/v1/users?role=wizard");
  EXPECT_EQ(bad.status, 400);
  EXPECT_EQ(error_field(bad), "role");
  json team = parse_body(
      as_admin("POST", "/api/v1/teams", json{{"name", unique_name("Filter Team ")}}.dump()));
  json in_team = create_user(port_, admin_token_, unique_name("teamfilter"), {"agent"});
  ASSERT_EQ(as_admin("PATCH", "/api/v1/teams/" + std::to_string(team["id"].get<std::int64_t>()),
                     json{{"member_ids", {in_team["id"]}}, {"version", 1}}.dump())
                .status,
            200);
  json members =
      admin_get("/api/v1/users?team_id=" + std::to_string(team["id"].get<std::int64_t>()));
  ASSERT_EQ(members["items"].size(), 1u);
  EXPECT_EQ(members["items"][0]["id"], in_team["id"]);
  json active = admin_get("/api/v1/users?active=true&role=auditor&limit=500");
  for (const json& u : active["items"]) EXPECT_EQ(u["active"], true);
  EXPECT_EQ(active["items"].size(), auditors["items"].size());
}

// ---------------------------------------------------------------------------------------------
// Teams

TEST_P(ApiTest, TheSixDefaultTeamsExist) {
  json teams = admin_get("/api/v1/teams?limit=500");
  std::set<std::string> zh;
  for (const json& t : teams["items"]) zh.insert(t["name_zh"].get<std::string>());
  for (const char* want :
       {"服务台", "基础设施运维", "应用运维", "安全运维", "自动化与平台", "运维管理"}) {
    EXPECT_TRUE(zh.count(want)) << want;
  }
  json desk = admin_get("/api/v1/teams?q=" + url_encode("服务台"));
  ASSERT_EQ(desk["items"].size(), 1u);
  EXPECT_EQ(desk["items"][0]["name"], "Service Desk");
}

TEST_P(ApiTest, ATeamIsCreatedWithItsLeadAsAMemberAndUpdatedByVersion) {
  json lead = create_user(port_, admin_token_, unique_name("lead"), {"agent"});
  json m1 = create_user(port_, admin_token_, unique_name("member"), {"agent"});
  json m2 = create_user(port_, admin_token_, unique_name("member"), {"agent"});
  ASSERT_FALSE(lead.is_discarded() || m1.is_discarded() || m2.is_discarded());
  std::string name = unique_name("Night Shift ");
  HttpResponse r = as_admin(
      "POST", "/api/v1/teams",
      json{{"name", name}, {"name_zh", "夜班"}, {"lead_id", lead["id"]}, {"member_ids", {m1["id"]}}}
          .dump());
  ASSERT_EQ(r.status, 201) << r.body;
  json t = parse_body(r);
  std::string path = "/api/v1/teams/" + std::to_string(t["id"].get<std::int64_t>());
  EXPECT_EQ(r.header("location"), path);
  EXPECT_EQ(t["version"], 1);
  EXPECT_EQ(t["lead_id"], lead["id"]);
  std::vector<std::int64_t> members = t["member_ids"];
  std::vector<std::int64_t> want = {lead["id"], m1["id"]};
  std::sort(want.begin(), want.end());
  EXPECT_EQ(members, want);
  EXPECT_EQ(
      admin_get("/api/v1/users/" + std::to_string(lead["id"].get<std::int64_t>()))["team_ids"],
      json({t["id"]}));

  HttpResponse dup = as_admin("POST", "/api/v1/teams", json{{"name", name}}.dump());
  EXPECT_EQ(dup.status, 409);
  EXPECT_EQ(error_field(dup), "name");

  // Replace the members and hand the lead to m2, who joins.
  HttpResponse p =
      as_admin("PATCH", path,
               json{{"member_ids", {m1["id"]}}, {"lead_id", m2["id"]}, {"version", 1}}.dump());
  ASSERT_EQ(p.status, 200) << p.body;
  json t2 = parse_body(p);
  EXPECT_EQ(t2["version"], 2);
  EXPECT_EQ(t2["lead_id"], m2["id"]);
  std::vector<std::int64_t> members2 = t2["member_ids"];
  std::vector<std::int64_t> want2 = {m1["id"], m2["id"]};
  std::sort(want2.begin(), want2.end());
  EXPECT_EQ(members2, want2);
  EXPECT_TRUE(
      admin_get("/api/v1/users/" + std::to_string(lead["id"].get<std::int64_t>()))["team_ids"]
          .empty());

  HttpResponse stale = as_admin("PATCH", path, json{{"name_zh", "旧"}, {"version", 1}}.dump());
  EXPECT_EQ(stale.status, 409);
  EXPECT_EQ(admin_get(path)["name_zh"], "夜班");

  HttpResponse clear = as_admin("PATCH", path, json{{"lead_id", nullptr}, {"version", 2}}.dump());
  ASSERT_EQ(clear.status, 200) << clear.body;
  EXPECT_TRUE(parse_body(clear)["lead_id"].is_null());

  json member_of =
      admin_get("/api/v1/teams?member_id=" + std::to_string(m2["id"].get<std::int64_t>()));
  ASSERT_EQ(member_of["items"].size(), 1u);
  EXPECT_EQ(member_of["items"][0]["id"], t["id"]);
}

TEST_P(ApiTest, ATeamCanBeDeactivatedAndReactivated) {
  HttpResponse r =
      as_admin("POST", "/api/v1/teams", json{{"name", unique_name("Temp Team ")}}.dump());
  ASSERT_EQ(r.status, 201);
  json t = parse_body(r);
  std::string path = "/api/v1/teams/" + std::to_string(t["id"].get<std::int64_t>());
  HttpResponse off = as_admin("POST", path + "/deactivate", "", {"If-Match: \"1\""});
  ASSERT_EQ(off.status, 200) << off.body;
  EXPECT_EQ(parse_body(off)["active"], false);
  EXPECT_EQ(parse_body(off)["version"], 2);
  json inactive = admin_get("/api/v1/teams?active=false&limit=500");
  bool listed = false;
  for (const json& item : inactive["items"]) {
    EXPECT_EQ(item["active"], false);
    listed = listed || item["id"] == t["id"];
  }
  EXPECT_TRUE(listed);
  HttpResponse stale = as_admin("POST", path + "/activate", "", {"If-Match: \"1\""});
  EXPECT_EQ(stale.status, 409);
  HttpResponse on = as_admin("POST", path + "/activate");
  ASSERT_EQ(on.status, 200);
  EXPECT_EQ(parse_body(on)["active"], true);
  EXPECT_EQ(as_admin("GET", "/api/v1/teams/999999").status, 404);
}

TEST_P(ApiTest, AnInactiveUserCannotJoinATeam) {
  json u = create_user(port_, admin_token_, unique_name("gone"), {"agent"});
  ASSERT_FALSE(u.is_discarded());
  std::string id = std::to_string(u["id"].get<std::int64_t>());
  ASSERT_EQ(as_admin("POST", "/api/v1/users/" + id + "/deactivate").status, 200);
  HttpResponse r =
      as_admin("POST", "/api/v1/teams",
               json{{"name", unique_name("Ghosts ")}, {"member_ids", {u["id"]}}}.dump());
  EXPECT_EQ(r.status, 400) << r.body;
  EXPECT_EQ(error_field(r), "member_ids[0]");
}

// ---------------------------------------------------------------------------------------------
// Audit

TEST_P(ApiTest, TheAuditTrailRecordsUserCreationWithTheRequestId) {
  std::string rid = unique_name("e2e-audit-rid-");
  std::string name = unique_name("audited");
  json u = create_user(port_, admin_token_, name, {"agent"}, "", {"X-Request-Id: " + rid});
  ASSERT_FALSE(u.is_discarded());
  std::int64_t id = u["id"];
  HttpResponse patched = as_admin("PATCH", "/api/v1/users/" + std::to_string(id),
                                  json{{"display_name", "Renamed"}, {"version", 1}}.dump());
  ASSERT_EQ(patched.status, 200);

  json events = admin_get("/api/v1/audit?object_type=user&object_id=" + std::to_string(id));
  ASSERT_EQ(events["items"].size(), 2u) << events;
  const json& update = events["items"][0];  // newest first
  const json& create = events["items"][1];
  EXPECT_EQ(create["action"], "user.create");
  EXPECT_EQ(create["request_id"], rid);
  EXPECT_EQ(create["actor_id"], admin_id());
  EXPECT_TRUE(create["before"].is_null());
  EXPECT_EQ(create["after"]["username"], name);
  EXPECT_EQ(create["after"]["roles"], json({"agent"}));
  EXPECT_FALSE(create["after"].contains("password_hash"));
  EXPECT_EQ(events.dump().find(kUserPassword), std::string::npos);
  EXPECT_EQ(update["action"], "user.update");
  EXPECT_EQ(update["before"]["display_name"], name);
  EXPECT_EQ(update["after"]["display_name"], "Renamed");
  EXPECT_EQ(update["after"]["version"], 2);
  EXPECT_GT(update["id"].get<std::int64_t>(), create["id"].get<std::int64_t>());

  // since is inclusive, until exclusive.
  std::string at = create["at"];
  json since = admin_get("/api/v1/audit?object_type=user&object_id=" + std::to_string(id) +
                         "&since=" + url_encode(at));
  EXPECT_EQ(since["items"].size(), 2u);
  json until = admin_get("/api/v1/audit?object_type=user&object_id=" + std::to_string(id) +
                         "&until=" + url_encode(at));
  EXPECT_TRUE(until["items"].empty()) << until;
  json future = admin_get("/api/v1/audit?since=2999-01-01T00:00:00Z");
  EXPECT_TRUE(future["items"].empty());
  json past = admin_get("/api/v1/audit?until=2000-01-01T00:00:00Z");
  EXPECT_TRUE(past["items"].empty());
}

TEST_P(ApiTest, TheAuditTrailKeepsTheServersRequestIdWhenTheClientsIsUnusable) {
  for (const std::vector<std::string>& headers : std::vector<std::vector<std::string>>{
           {}, {"X-Request-Id: has spaces in it"}, {"X-Request-Id: " + std::string(200, 'r')}}) {
    std::string name = unique_name("ridless");
    HttpClient c(port_);
    std::vector<std::string> h = headers;
    h.push_back(bearer(admin_token_));
    json body = {{"username", name}, {"display_name", name}, {"roles", {"requester"}}};
    HttpResponse r = c.request("POST", "/api/v1/users", body.dump(), h);
    ASSERT_EQ(r.status, 201) << r.body;
    std::string rid = r.header("x-request-id");
    EXPECT_EQ(rid.size(), 16u) << rid;
    json events = admin_get("/api/v1/audit?action=user.create&object_type=user&object_id=" +
                            std::to_string(parse_body(r)["id"].get<std::int64_t>()));
    ASSERT_EQ(events["items"].size(), 1u);
    EXPECT_EQ(events["items"][0]["request_id"], rid);
  }
}

TEST_P(ApiTest, TheAuditTrailFiltersByObjectAndActor) {
  std::string name = unique_name("actor");
  json u = create_user(port_, admin_token_, name, {"admin"});
  ASSERT_FALSE(u.is_discarded());
  std::string token = login_token(port_, name, kUserPassword);
  HttpClient c(port_);
  HttpResponse team = c.request("POST", "/api/v1/teams",
                                json{{"name", unique_name("Audit Team ")}}.dump(), {bearer(token)});
  ASSERT_EQ(team.status, 201);
  std::int64_t actor = u["id"];
  json by_actor = admin_get("/api/v1/audit?limit=500&actor_id=" + std::to_string(actor));
  std::set<std::string> actions;
  for (const json& e : by_actor["items"]) {
    EXPECT_EQ(e["actor_id"], actor);
    actions.insert(e["action"]);
  }
  EXPECT_EQ(actions, (std::set<std::string>{"auth.login", "api_token.create", "team.create"}));
  json teams = admin_get("/api/v1/audit?limit=500&object_type=team");
  for (const json& e : teams["items"]) EXPECT_EQ(e["object_type"], "team");
  EXPECT_GE(teams["items"].size(), 7u) << "six seeded teams and one created";
  HttpResponse bad = as_admin("GET", "/api/v1/audit?since=yesterday");
  EXPECT_EQ(bad.status, 400);
  EXPECT_EQ(error_field(bad), "since");
}

TEST_P(ApiTest, TheAuditTrailPagesByCursorNewestFirst) {
  for (int i = 0; i < 4; ++i)
    ASSERT_FALSE(
        create_user(port_, admin_token_, unique_name("auditpage"), {"agent"}).is_discarded());
  json all = admin_get("/api/v1/audit?limit=500&object_type=user");
  ASSERT_GE(all["items"].size(), 5u);
  std::vector<std::int64_t> expected;
  for (const json& e : all["items"]) expected.push_back(e["id"]);
  std::vector<std::int64_t> got;
  for (const json& e : walk("/api/v1/audit?limit=3&object_type=user", admin_token_))
    got.push_back(e["id"]);
  EXPECT_EQ(got, expected);
  EXPECT_TRUE(std::is_sorted(got.rbegin(), got.rend()));
  HttpResponse bad = as_admin("GET", "/api/v1/audit?cursor=not-a-cursor");
  EXPECT_EQ(bad.status, 400);
  EXPECT_EQ(error_field(bad), "cursor");
}

TEST_P(ApiTest, AuditorsReadTheAuditTrailAndAgentsMayNot) {
  std::string auditor = unique_name("auditor");
  std::string agent = unique_name("agent");
  ASSERT_FALSE(create_user(port_, admin_token_, auditor, {"auditor"}).is_discarded());
  ASSERT_FALSE(create_user(port_, admin_token_, agent, {"agent"}).is_discarded());
  HttpClient c(port_);
  std::string auditor_token = login_token(port_, auditor, kUserPassword);
  HttpResponse ok = c.request("GET", "/api/v1/audit?limit=5", "", {bearer(auditor_token)});
  EXPECT_EQ(ok.status, 200) << ok.body;
  EXPECT_EQ(parse_body(ok)["items"].size(), 5u);
  HttpResponse denied =
      c.request("GET", "/api/v1/audit", "", {bearer(login_token(port_, agent, kUserPassword))});
  EXPECT_EQ(denied.status, 403) << denied.body;
  EXPECT_EQ(error_code(denied), "forbidden");
  // Auditors are read-only.
  HttpResponse write =
      c.request("POST", "/api/v1/teams", json{{"name", unique_name("Nope ")}}.dump(),
                {bearer(auditor_token)});
  EXPECT_EQ(write.status, 403);
}

YUNWEI_INSTANTIATE_BACKENDS(ApiTest);

}  // namespace
}  // namespace yunwei::testing
