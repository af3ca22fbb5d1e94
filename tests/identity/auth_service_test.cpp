#include "identity/auth_service.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "core/crypto.h"
#include "identity/user_service.h"
#include "support/test_db.h"

namespace yunwei::identity {
namespace {

using core::ErrorCode;
using nlohmann::json;
using testing::failed_with;
using testing::must;

constexpr const char* kPassword = "s3cret-passw0rd";

class AuthServiceTest : public testing::BackendTest {
 protected:
  void SetUp() override {
    BackendTest::SetUp();
    if (IsSkipped() || HasFatalFailure()) return;
    auth_ = std::make_unique<AuthService>(db(), clock_, hasher_);
    alice_ = create("alice", {"admin", "agent"}, kPassword);
  }

  UserService users() { return UserService(db(), clock_, hasher_); }
  AuthService& auth() { return *auth_; }

  User create(const std::string& username, std::vector<std::string> roles,
              std::optional<std::string> password) {
    NewUser n;
    n.username = username;
    n.display_name = "User " + username;
    n.roles = std::move(roles);
    n.password = std::move(password);
    return must(users().create(system_, n));
  }

  core::Result<LoginResult> login(std::string_view username, std::string_view password,
                                  const std::string& addr = "10.0.0.1") {
    return auth().login(username, password, addr, "Mozilla/5.0 测试", "req-login");
  }

  std::vector<std::string> actions_of(std::int64_t user_id) {
    store::EventFilter f;
    f.object_type = "user";
    f.object_id = user_id;
    auto events = must(store::read_tx<std::vector<store::Event>>(
        db(), [&](store::Tx& tx) { return store::list_events(tx, f); }));
    std::vector<std::string> out;
    for (auto it = events.rbegin(); it != events.rend(); ++it) out.push_back(it->action);
    return out;
  }

  PasswordHasher hasher_{PasswordHasher::Strength::kMinimum};
  store::Actor system_{std::nullopt, "req-test"};
  std::unique_ptr<AuthService> auth_;
  User alice_;
};

TEST_P(AuthServiceTest, LoginOpensASessionWhoseTokenAuthenticatesAndOnlyItsHashIsStored) {
  LoginResult s = must(login("alice", kPassword));
  EXPECT_EQ(s.user_id, alice_.id);
  EXPECT_GE(s.session_token.size(), 32u);
  EXPECT_FALSE(s.csrf_token.empty());
  EXPECT_NE(s.csrf_token, s.session_token);
  EXPECT_EQ(s.expires_at, testing::kTestStart + AuthOptions{}.session_ttl_ms);

  Principal p = must(auth().authenticate_session(s.session_token));
  EXPECT_EQ(p.user_id, alice_.id);
  EXPECT_EQ(p.username, "alice");
  EXPECT_EQ(p.roles, role_bit(Role::kAdmin) | role_bit(Role::kAgent));
  EXPECT_EQ(p.csrf_token, s.csrf_token);
  EXPECT_TRUE(p.session_id.has_value());
  EXPECT_FALSE(p.token_id.has_value());

  store::Rows rows = query("SELECT token_hash, client_addr, user_agent, expires_at FROM sessions");
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0].str(0), core::sha256_hex(s.session_token));
  EXPECT_NE(rows[0].str(0), s.session_token);
  EXPECT_EQ(rows[0].str(1), "10.0.0.1");
  EXPECT_EQ(rows[0].str(2), "Mozilla/5.0 测试");
  EXPECT_EQ(rows[0].i64(3), s.expires_at);
  EXPECT_EQ(
      count("sessions", "token_hash = ? OR csrf_token = ?", {s.session_token, s.session_token}), 0);
  EXPECT_EQ(actions_of(alice_.id), (std::vector<std::string>{"user.create", "auth.login"}));
}

TEST_P(AuthServiceTest, LoginIgnoresTheCaseOfTheUsername) {
  EXPECT_EQ(must(login("ALICE", kPassword)).user_id, alice_.id);
}

TEST_P(AuthServiceTest, AWrongPasswordAndAnUnknownUserGetTheSameAnswer) {
  auto wrong = login("alice", "not-the-password");
  auto unknown = login("nobody", kPassword);
  ASSERT_TRUE(failed_with(wrong, ErrorCode::kUnauthenticated));
  ASSERT_TRUE(failed_with(unknown, ErrorCode::kUnauthenticated));
  EXPECT_EQ(wrong.error().message, unknown.error().message);
  EXPECT_EQ(wrong.error().field, unknown.error().field);
  EXPECT_EQ(count("sessions"), 0);
  // The failed attempt on a real account is audited with where it came from.
  store::Rows rows =
      query("SELECT after_json FROM events WHERE action = ?", {std::string("auth.login_failed")});
  ASSERT_EQ(rows.size(), 1u);
  json after = json::parse(rows[0].str(0));
  EXPECT_EQ(after.at("result"), "failure");
  EXPECT_EQ(after.at("client_addr"), "10.0.0.1");
}

TEST_P(AuthServiceTest, AUserWithoutAPasswordCannotLogIn) {
  create("bob", {"agent"}, std::nullopt);
  EXPECT_TRUE(failed_with(login("bob", ""), ErrorCode::kUnauthenticated));
  EXPECT_TRUE(failed_with(login("bob", "anything-at-all"), ErrorCode::kUnauthenticated));
}

TEST_P(AuthServiceTest, AnInactiveUserCannotLogInEvenWithTheRightPassword) {
  User bob = create("bob", {"agent"}, kPassword);
  must(users().set_active(system_, bob.id, false, std::nullopt));
  auto r = login("bob", kPassword);
  ASSERT_TRUE(failed_with(r, ErrorCode::kUnauthenticated));
  EXPECT_EQ(r.error().message, login("nobody", kPassword).error().message);
  EXPECT_TRUE(failed_with(auth().verify_password("bob", kPassword, "10.0.0.1", "r"),
                          ErrorCode::kUnauthenticated));
}

TEST_P(AuthServiceTest, TheSixthAttemptAfterFiveFailuresIsThrottledUntilTheWindowPasses) {
  for (int i = 0; i < 5; ++i) {
    EXPECT_TRUE(
        failed_with(login("alice", "wrong-" + std::to_string(i)), ErrorCode::kUnauthenticated))
        << i;
    clock_.advance(std::chrono::seconds(1));
  }
  auto blocked = login("alice", kPassword);
  ASSERT_TRUE(failed_with(blocked, ErrorCode::kTooManyRequests));
  EXPECT_GT(blocked.error().retry_after_s, 0);
  EXPECT_LE(blocked.error().retry_after_s, 15 * 60);
  EXPECT_EQ(count("sessions"), 0);
  // Another address does not help: the account itself is throttled.
  EXPECT_TRUE(failed_with(login("alice", kPassword, "192.168.1.9"), ErrorCode::kTooManyRequests));
  // Other accounts from the same address are not.
  create("bob", {"agent"}, kPassword);
  EXPECT_TRUE(login("bob", kPassword).ok());

  clock_.advance(std::chrono::minutes(15));
  LoginResult s = must(login("alice", kPassword));
  EXPECT_TRUE(auth().authenticate_session(s.session_token).ok());
}

TEST_P(AuthServiceTest, AccountFailuresCountWhateverTheCaseOfTheUsername) {
  for (const char* name : {"alice", "ALICE", "Alice", "aLiCe", "alicE"}) {
    EXPECT_TRUE(failed_with(login(name, "wrong-password"), ErrorCode::kUnauthenticated)) << name;
  }
  EXPECT_TRUE(failed_with(login("alice", kPassword), ErrorCode::kTooManyRequests));
}

TEST_P(AuthServiceTest, ASuccessfulLoginClearsTheAccountsFailures) {
  for (int i = 0; i < 4; ++i) (void)login("alice", "wrong-password");
  ASSERT_TRUE(login("alice", kPassword).ok());
  for (int i = 0; i < 4; ++i) (void)login("alice", "wrong-password");
  EXPECT_TRUE(login("alice", kPassword).ok());
}

TEST_P(AuthServiceTest, TwentyFailuresFromOneAddressBlockEveryAccountFromIt) {
  for (int i = 0; i < 20; ++i) {
    EXPECT_TRUE(failed_with(login("user" + std::to_string(i), "wrong-password", "203.0.113.7"),
                            ErrorCode::kUnauthenticated))
        << i;
  }
  auto blocked = login("alice", kPassword, "203.0.113.7");
  ASSERT_TRUE(failed_with(blocked, ErrorCode::kTooManyRequests));
  EXPECT_GT(blocked.error().retry_after_s, 0);
  EXPECT_TRUE(login("alice", kPassword, "203.0.113.8").ok());
  clock_.advance(std::chrono::minutes(15));
  EXPECT_TRUE(login("alice", kPassword, "203.0.113.7").ok());
}

TEST_P(AuthServiceTest, NineteenFailuresFromOneAddressDoNotBlockIt) {
  for (int i = 0; i < 19; ++i) (void)login("user" + std::to_string(i), "wrong", "203.0.113.7");
  EXPECT_TRUE(login("alice", kPassword, "203.0.113.7").ok());
}

TEST_P(AuthServiceTest, ASessionExpiresAfterItsTimeToLive) {
  LoginResult s = must(login("alice", kPassword));
  clock_.set(s.expires_at - 1);
  EXPECT_TRUE(auth().authenticate_session(s.session_token).ok());
  clock_.set(s.expires_at);
  EXPECT_TRUE(
      failed_with(auth().authenticate_session(s.session_token), ErrorCode::kUnauthenticated));
}

TEST_P(AuthServiceTest, ExpiredSessionsAreSweptOnTheNextLogin) {
  must(login("alice", kPassword));
  must(login("alice", kPassword));
  clock_.advance(std::chrono::hours(13));
  LoginResult fresh = must(login("alice", kPassword));
  EXPECT_EQ(count("sessions"), 1);
  EXPECT_TRUE(auth().authenticate_session(fresh.session_token).ok());
}

TEST_P(AuthServiceTest, LogoutEndsTheSessionAndIsAudited) {
  LoginResult s = must(login("alice", kPassword));
  LoginResult other = must(login("alice", kPassword));
  Principal p = must(auth().authenticate_session(s.session_token));
  must(auth().logout(p, "req-logout"));
  EXPECT_TRUE(
      failed_with(auth().authenticate_session(s.session_token), ErrorCode::kUnauthenticated));
  EXPECT_TRUE(auth().authenticate_session(other.session_token).ok());
  EXPECT_EQ(actions_of(alice_.id).back(), "auth.logout");
}

TEST_P(AuthServiceTest, UnknownOrMalformedSessionTokensAreRejected) {
  must(login("alice", kPassword));
  for (const std::string& bad :
       {std::string(""), std::string("x"), std::string(200, 'a'), core::random_token(32)}) {
    EXPECT_TRUE(failed_with(auth().authenticate_session(bad), ErrorCode::kUnauthenticated)) << bad;
  }
}

TEST_P(AuthServiceTest, VerifyPasswordChecksWithoutOpeningASession) {
  EXPECT_EQ(must(auth().verify_password("alice", kPassword, "10.0.0.1", "r")), alice_.id);
  EXPECT_TRUE(failed_with(auth().verify_password("alice", "nope-nope", "10.0.0.1", "r"),
                          ErrorCode::kUnauthenticated));
  EXPECT_EQ(count("sessions"), 0);
}

TEST_P(AuthServiceTest, ACreatedTokenStartsWithYwAndAuthenticatesItsUser) {
  store::Actor actor{alice_.id, "req-token"};
  CreatedToken t = must(auth().create_token(actor, alice_.id, "  CI 流水线  ", std::nullopt));
  EXPECT_EQ(t.secret.rfind("yw_", 0), 0u) << t.secret;
  EXPECT_GE(t.secret.size(), 40u);
  EXPECT_EQ(t.token.name, "CI 流水线");
  EXPECT_EQ(t.token.user_id, alice_.id);
  EXPECT_EQ(t.token.prefix, t.secret.substr(0, t.token.prefix.size()));
  EXPECT_LT(t.token.prefix.size(), t.secret.size() / 2);
  EXPECT_EQ(t.token.expires_at, std::nullopt);
  EXPECT_EQ(t.token.revoked_at, std::nullopt);

  Principal p = must(auth().authenticate_token(t.secret));
  EXPECT_EQ(p.user_id, alice_.id);
  EXPECT_EQ(p.username, "alice");
  EXPECT_EQ(p.token_id, t.token.id);
  EXPECT_FALSE(p.session_id.has_value());
  EXPECT_TRUE(p.roles & role_bit(Role::kAdmin));

  store::Rows rows = query("SELECT token_hash FROM api_tokens");
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0].str(0), core::sha256_hex(t.secret));
  store::Rows events = query("SELECT after_json, actor_id FROM events WHERE action = ?",
                             {std::string("api_token.create")});
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].str(0).find(t.secret), std::string::npos);
  EXPECT_EQ(events[0].i64(1), alice_.id);
}

TEST_P(AuthServiceTest, ListingTokensNeverShowsTheSecret) {
  CreatedToken a = must(auth().create_token(system_, alice_.id, "a", std::nullopt));
  CreatedToken b = must(auth().create_token(system_, alice_.id, "b", clock_.now_ms() + 3'600'000));
  User bob = create("bob", {"agent"}, kPassword);
  must(auth().create_token(system_, bob.id, "bob's", std::nullopt));
  std::vector<ApiToken> tokens = must(auth().list_tokens(alice_.id));
  ASSERT_EQ(tokens.size(), 2u);
  EXPECT_EQ(tokens[0].id, b.token.id);  // newest first
  EXPECT_EQ(tokens[1].id, a.token.id);
  EXPECT_EQ(tokens[0].expires_at, clock_.now_ms() + 3'600'000);
  for (const ApiToken& t : tokens) {
    const std::string& own = t.id == a.token.id ? a.secret : b.secret;
    EXPECT_EQ(own.rfind(t.prefix, 0), 0u) << "the prefix is the start of the secret";
    EXPECT_LT(t.prefix.size(), own.size() / 2);
    EXPECT_EQ(t.name.find(own), std::string::npos);
  }
  // Nothing stored holds a secret either.
  for (const std::string& secret : {a.secret, b.secret}) {
    EXPECT_EQ(
        count("api_tokens", "token_hash = ? OR prefix = ? OR name = ?", {secret, secret, secret}),
        0);
    EXPECT_EQ(count("events", "after_json LIKE ?", {"%" + secret + "%"}), 0);
  }
}

TEST_P(AuthServiceTest, UsingATokenRecordsWhenToTheMinute) {
  CreatedToken t = must(auth().create_token(system_, alice_.id, "ci", std::nullopt));
  EXPECT_EQ(must(auth().list_tokens(alice_.id)).at(0).last_used_at, std::nullopt);
  must(auth().authenticate_token(t.secret));
  EXPECT_EQ(must(auth().list_tokens(alice_.id)).at(0).last_used_at, testing::kTestStart);
  // Within a minute it is not rewritten; after that it is.
  clock_.advance(std::chrono::seconds(30));
  must(auth().authenticate_token(t.secret));
  EXPECT_EQ(must(auth().list_tokens(alice_.id)).at(0).last_used_at, testing::kTestStart);
  clock_.advance(std::chrono::seconds(31));
  must(auth().authenticate_token(t.secret));
  EXPECT_EQ(must(auth().list_tokens(alice_.id)).at(0).last_used_at, clock_.now_ms());
  // A rejected token records nothing.
  must(auth().revoke_token(system_, alice_.id, t.token.id));
  clock_.advance(std::chrono::minutes(5));
  (void)auth().authenticate_token(t.secret);
  EXPECT_EQ(must(auth().list_tokens(alice_.id)).at(0).last_used_at, testing::kTestStart + 61'000);
}

TEST_P(AuthServiceTest, ARevokedTokenNoLongerAuthenticates) {
  CreatedToken t = must(auth().create_token(system_, alice_.id, "ci", std::nullopt));
  clock_.advance(std::chrono::minutes(1));
  ApiToken revoked = must(auth().revoke_token(system_, alice_.id, t.token.id));
  EXPECT_EQ(revoked.revoked_at, clock_.now_ms());
  EXPECT_EQ(revoked.version, 2);
  EXPECT_TRUE(failed_with(auth().authenticate_token(t.secret), ErrorCode::kUnauthenticated));
  // Revoking again changes nothing.
  clock_.advance(std::chrono::minutes(1));
  ApiToken again = must(auth().revoke_token(system_, alice_.id, t.token.id));
  EXPECT_EQ(again.revoked_at, revoked.revoked_at);
  EXPECT_EQ(again.version, 2);
  EXPECT_EQ(count("events", "action = ?", {std::string("api_token.revoke")}), 1);
}

TEST_P(AuthServiceTest, OnlyTheOwnerCanRevokeAToken) {
  User bob = create("bob", {"agent"}, kPassword);
  CreatedToken t = must(auth().create_token(system_, alice_.id, "ci", std::nullopt));
  EXPECT_TRUE(failed_with(auth().revoke_token(system_, bob.id, t.token.id), ErrorCode::kNotFound));
  EXPECT_TRUE(failed_with(auth().revoke_token(system_, alice_.id, 999), ErrorCode::kNotFound));
  EXPECT_TRUE(auth().authenticate_token(t.secret).ok());
}

TEST_P(AuthServiceTest, AnExpiredTokenNoLongerAuthenticates) {
  CreatedToken t =
      must(auth().create_token(system_, alice_.id, "temp", clock_.now_ms() + 3'600'000));
  clock_.advance(std::chrono::minutes(59));
  EXPECT_TRUE(auth().authenticate_token(t.secret).ok());
  clock_.advance(std::chrono::minutes(1));
  EXPECT_TRUE(failed_with(auth().authenticate_token(t.secret), ErrorCode::kUnauthenticated));
}

TEST_P(AuthServiceTest, MalformedOrUnknownBearerTokensAreRejected) {
  must(auth().create_token(system_, alice_.id, "ci", std::nullopt));
  for (const std::string& bad : {std::string(""), std::string("yw_"), std::string("abcdefghijk"),
                                 "yw_" + core::random_token(32), std::string(200, 'y')}) {
    EXPECT_TRUE(failed_with(auth().authenticate_token(bad), ErrorCode::kUnauthenticated)) << bad;
  }
}

TEST_P(AuthServiceTest, CreatingATokenValidatesNameExpiryAndUser) {
  EXPECT_TRUE(failed_with(auth().create_token(system_, alice_.id, "   ", std::nullopt),
                          ErrorCode::kInvalidArgument, "name"));
  EXPECT_TRUE(
      failed_with(auth().create_token(system_, alice_.id, std::string(101, 'n'), std::nullopt),
                  ErrorCode::kInvalidArgument, "name"));
  EXPECT_TRUE(failed_with(auth().create_token(system_, alice_.id, "ci", clock_.now_ms()),
                          ErrorCode::kInvalidArgument, "expires_at"));
  EXPECT_TRUE(
      failed_with(auth().create_token(system_, 999, "ci", std::nullopt), ErrorCode::kNotFound));
  User bob = create("bob", {"agent"}, kPassword);
  must(users().set_active(system_, bob.id, false, std::nullopt));
  EXPECT_TRUE(
      failed_with(auth().create_token(system_, bob.id, "ci", std::nullopt), ErrorCode::kConflict));
  EXPECT_EQ(count("api_tokens"), 0);
}

INSTANTIATE_TEST_SUITE_P(Backends, AuthServiceTest, testing::kAllBackends,
                         testing::backend_test_name);

}  // namespace
}  // namespace yunwei::identity
