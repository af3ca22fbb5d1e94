#include "identity/user_service.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "identity/auth_service.h"
#include "identity/team_service.h"
#include "support/test_db.h"

namespace yunwei::identity {
namespace {

using core::ErrorCode;
using nlohmann::json;
using testing::failed_with;
using testing::must;

class UserServiceTest : public testing::BackendTest {
 protected:
  void SetUp() override {
    BackendTest::SetUp();
    if (IsSkipped() || HasFatalFailure()) return;
    auth_ = std::make_unique<AuthService>(db(), clock_, hasher_);
  }

  UserService users() { return UserService(db(), clock_, hasher_); }
  AuthService& auth() { return *auth_; }

  static NewUser new_user(const std::string& username, std::vector<std::string> roles = {"agent"}) {
    NewUser u;
    u.username = username;
    u.display_name = "User " + username;
    u.roles = std::move(roles);
    return u;
  }
  User create(const NewUser& in) { return must(users().create(system_, in)); }
  User create(const std::string& username, std::vector<std::string> roles = {"agent"}) {
    return create(new_user(username, std::move(roles)));
  }
  User create_with_password(const std::string& username,
                            std::vector<std::string> roles = {"agent"}) {
    NewUser n = new_user(username, std::move(roles));
    n.password = kPassword;
    return create(n);
  }

  // The user's events, oldest first.
  std::vector<store::Event> events_of(std::int64_t user_id) {
    store::EventFilter f;
    f.object_type = "user";
    f.object_id = user_id;
    auto events = must(store::read_tx<std::vector<store::Event>>(
        db(), [&](store::Tx& tx) { return store::list_events(tx, f); }));
    std::reverse(events.begin(), events.end());
    return events;
  }

  // Expects `in` to be rejected on `field` without anything being written.
  void expect_rejected(const NewUser& in, const char* field) {
    std::int64_t users_before = count("users"), events_before = count("events");
    EXPECT_TRUE(failed_with(users().create(system_, in), ErrorCode::kInvalidArgument, field))
        << "username '" << in.username << "' display_name '" << in.display_name << "' email '"
        << in.email << "' phone '" << in.phone << "' locale '" << in.locale << "' time_zone '"
        << in.time_zone << "'";
    EXPECT_EQ(count("users"), users_before);
    EXPECT_EQ(count("events"), events_before);
  }

  static constexpr const char* kPassword = "s3cret-passw0rd";
  PasswordHasher hasher_{PasswordHasher::Strength::kMinimum};
  store::Actor system_{std::nullopt, "req-test"};
  std::unique_ptr<AuthService> auth_;
};

TEST_P(UserServiceTest, CreatesAUserWithATrimmedDisplayNameAndDefaults) {
  NewUser n = new_user("zhangsan", {"agent", "approver"});
  n.display_name = "  张三  ";
  User u = create(n);
  EXPECT_GT(u.id, 0);
  EXPECT_EQ(u.username, "zhangsan");
  EXPECT_EQ(u.display_name, "张三");
  EXPECT_EQ(u.locale, "zh-CN");
  EXPECT_EQ(u.time_zone, "Asia/Shanghai");
  EXPECT_EQ(u.roles, role_bit(Role::kAgent) | role_bit(Role::kApprover));
  EXPECT_TRUE(u.active);
  EXPECT_FALSE(u.has_password);
  EXPECT_EQ(u.version, 1);
  EXPECT_EQ(u.created_at, testing::kTestStart);
  EXPECT_EQ(u.updated_at, testing::kTestStart);

  User got = must(users().get(u.id));
  EXPECT_EQ(got.display_name, "张三");
  EXPECT_EQ(got.roles, u.roles);
  EXPECT_EQ(must(users().find_by_username("zhangsan"))->id, u.id);
  EXPECT_FALSE(must(users().find_by_username("lisi")).has_value());
}

TEST_P(UserServiceTest, RejectsMalformedUsernamesOnFieldUsername) {
  for (const std::string& bad :
       {std::string(""), std::string("a"), std::string(65, 'a'), std::string("Alice"),
        std::string("_alice"), std::string(".alice"), std::string("@alice"), std::string("al ice"),
        std::string("张三"), std::string("a/b"), std::string("alice\n"), std::string("o'brien")}) {
    expect_rejected(new_user(bad), "username");
  }
}

TEST_P(UserServiceTest, AcceptsUsernamesWithInnerPunctuation) {
  for (const std::string& good : {std::string("a1"), std::string("9ops"),
                                  std::string("ops.lead_2-x@corp.cn"), std::string(64, 'z')}) {
    EXPECT_TRUE(users().create(system_, new_user(good)).ok()) << good;
  }
  EXPECT_EQ(count("users"), 4);
}

TEST_P(UserServiceTest, RequiresAShortDisplayNameWithoutControlCharacters) {
  for (const std::string& bad :
       {std::string(""), std::string("   "), std::string(101, 'x'), std::string("line\nbreak"),
        std::string("bell\x07"), std::string("bad \xff utf8")}) {
    NewUser n = new_user("bob");
    n.display_name = bad;
    expect_rejected(n, "display_name");
  }
  NewUser ok = new_user("bob");
  std::string hundred_chinese;
  for (int i = 0; i < 100; ++i) hundred_chinese += "运";
  ok.display_name = hundred_chinese;
  EXPECT_EQ(create(ok).display_name, hundred_chinese);
  NewUser tab = new_user("carol");
  tab.display_name = "Carol\tOps";
  EXPECT_TRUE(users().create(system_, tab).ok());
}

TEST_P(UserServiceTest, RejectsMalformedEmailAddresses) {
  for (const std::string& bad :
       {std::string("nobody"), std::string("@example.com"), std::string("a@"),
        std::string("a@b@example.com"), std::string("a@examplecom"), std::string("a b@example.com"),
        std::string(250, 'a') + "@x.cn"}) {
    NewUser n = new_user("bob");
    n.email = bad;
    expect_rejected(n, "email");
  }
  NewUser ok = new_user("bob");
  ok.email = "bob.ops@example.com.cn";
  EXPECT_EQ(create(ok).email, "bob.ops@example.com.cn");
}

TEST_P(UserServiceTest, RejectsPhonesWithLettersOrOver32Characters) {
  for (const std::string& bad :
       {std::string("138-0000-000x"), std::string("ext. 12"), std::string(33, '1')}) {
    NewUser n = new_user("bob");
    n.phone = bad;
    expect_rejected(n, "phone");
  }
  NewUser ok = new_user("bob");
  ok.phone = "+86 (10) 138-0000-0000";
  EXPECT_EQ(create(ok).phone, "+86 (10) 138-0000-0000");
}

TEST_P(UserServiceTest, AcceptsOnlySupportedLocales) {
  for (const std::string& bad :
       {std::string(""), std::string("fr"), std::string("zh-cn"), std::string("zh-TW")}) {
    NewUser n = new_user("bob");
    n.locale = bad;
    expect_rejected(n, "locale");
  }
  NewUser en = new_user("bob");
  en.locale = "en";
  EXPECT_EQ(create(en).locale, "en");
}

TEST_P(UserServiceTest, AcceptsIanaTimeZonesAndRejectsOthers) {
  for (const std::string& bad :
       {std::string("Mars/Base"), std::string(""), std::string("Asia/Beijing"),
        std::string("../../etc/passwd"), std::string(65, 'A')}) {
    NewUser n = new_user("bob");
    n.time_zone = bad;
    expect_rejected(n, "time_zone");
  }
  int i = 0;
  for (const char* good : {"Asia/Shanghai", "Europe/Berlin", "America/New_York", "UTC"}) {
    NewUser n = new_user("tz" + std::to_string(i++));
    n.time_zone = good;
    EXPECT_EQ(create(n).time_zone, good);
  }
}

TEST_P(UserServiceTest, NeedsAtLeastOneKnownRoleAndNamesTheBadOne) {
  expect_rejected(new_user("bob", {}), "roles");
  expect_rejected(new_user("bob", {"agent", "wizard"}), "roles[1]");
  expect_rejected(new_user("bob", {"Admin"}), "roles[0]");
}

TEST_P(UserServiceTest, RejectsAShortPasswordBeforeWritingAnything) {
  NewUser n = new_user("bob");
  n.password = "short";
  expect_rejected(n, "password");
}

TEST_P(UserServiceTest, StoresThePasswordOnlyAsAnArgon2Hash) {
  User u = create_with_password("bob");
  EXPECT_TRUE(u.has_password);
  store::Rows rows = query("SELECT password_hash FROM users WHERE id = ?", {u.id});
  std::string hash = rows.at(0).str(0);
  EXPECT_EQ(hash.rfind("$argon2id$", 0), 0u);
  EXPECT_EQ(hash.find(kPassword), std::string::npos);
  EXPECT_TRUE(hasher_.verify(hash, kPassword));
}

TEST_P(UserServiceTest, RejectsADuplicateUsernameWithConflictOnUsername) {
  create("bob");
  EXPECT_TRUE(failed_with(users().create(system_, new_user("bob", {"admin"})), ErrorCode::kConflict,
                          "username"));
  EXPECT_EQ(count("users"), 1);
  EXPECT_EQ(count("events"), 1);
}

TEST_P(UserServiceTest, CreatingAUserWithEmailQueuesAWelcomeMessage) {
  NewUser n = new_user("bob");
  n.email = "bob@example.com";
  User u = create(n);
  store::Rows rows = query("SELECT channel, topic, recipient, payload, status FROM outbox");
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0].str(0), "email");
  EXPECT_EQ(rows[0].str(1), "user.welcome");
  EXPECT_EQ(rows[0].str(2), "bob@example.com");
  EXPECT_EQ(json::parse(rows[0].str(3)).at("user_id"), u.id);
  EXPECT_EQ(rows[0].str(4), "pending");
}

TEST_P(UserServiceTest, CreatingAUserWithoutEmailQueuesNothing) {
  create("bob");
  EXPECT_EQ(count("users"), 1);
  EXPECT_EQ(count("outbox"), 0);
}

TEST_P(UserServiceTest, CreateRecordsTheNewUserAsTheEventsAfterState) {
  NewUser n = new_user("bob", {"admin", "auditor"});
  n.password = kPassword;
  store::Actor actor{42, "req-create-bob"};
  User u = must(users().create(actor, n));
  std::vector<store::Event> events = events_of(u.id);
  ASSERT_EQ(events.size(), 1u);
  const store::Event& e = events[0];
  EXPECT_EQ(e.action, "user.create");
  EXPECT_EQ(e.actor_id, 42);
  EXPECT_EQ(e.request_id, "req-create-bob");
  EXPECT_EQ(e.at, testing::kTestStart);
  EXPECT_EQ(e.before_json, "");
  json after = json::parse(e.after_json);
  EXPECT_EQ(after.at("username"), "bob");
  EXPECT_EQ(after.at("roles"), json::array({"admin", "auditor"}));
  EXPECT_EQ(after.at("version"), 1);
  EXPECT_EQ(e.after_json.find("argon2"), std::string::npos);
  EXPECT_EQ(e.after_json.find("password"), std::string::npos);
}

TEST_P(UserServiceTest, GettingAnUnknownUserIsNotFound) {
  EXPECT_TRUE(failed_with(users().get(999), ErrorCode::kNotFound));
}

TEST_P(UserServiceTest, UpdateChangesOnlyTheGivenFieldsAndBumpsTheVersion) {
  NewUser n = new_user("bob");
  n.email = "bob@example.com";
  n.phone = "110";
  User u = create(n);
  clock_.advance(std::chrono::minutes(5));
  UserPatch p;
  p.version = 1;
  p.display_name = " 鲍勃 ";
  p.time_zone = "Europe/Berlin";
  p.roles = std::vector<std::string>{"approver"};
  User after = must(users().update(system_, u.id, p));
  EXPECT_EQ(after.display_name, "鲍勃");
  EXPECT_EQ(after.time_zone, "Europe/Berlin");
  EXPECT_EQ(after.roles, role_bit(Role::kApprover));
  EXPECT_EQ(after.email, "bob@example.com");
  EXPECT_EQ(after.phone, "110");
  EXPECT_EQ(after.locale, "zh-CN");
  EXPECT_EQ(after.version, 2);
  EXPECT_EQ(after.created_at, testing::kTestStart);
  EXPECT_EQ(after.updated_at, testing::kTestStart + 5 * 60'000);

  std::vector<store::Event> events = events_of(u.id);
  ASSERT_EQ(events.size(), 2u);
  EXPECT_EQ(events[1].action, "user.update");
  json before_j = json::parse(events[1].before_json), after_j = json::parse(events[1].after_json);
  EXPECT_EQ(before_j.at("display_name"), "User bob");
  EXPECT_EQ(before_j.at("version"), 1);
  EXPECT_EQ(after_j.at("display_name"), "鲍勃");
  EXPECT_EQ(after_j.at("roles"), json::array({"approver"}));
  EXPECT_EQ(after_j.at("version"), 2);
}

TEST_P(UserServiceTest, UpdateWithAStaleVersionIsAConflictAndChangesNothing) {
  User u = create("bob");
  UserPatch first;
  first.version = 1;
  first.display_name = "Bob One";
  must(users().update(system_, u.id, first));

  UserPatch stale;
  stale.version = 1;
  stale.display_name = "Bob Stale";
  stale.roles = std::vector<std::string>{"admin"};
  EXPECT_TRUE(failed_with(users().update(system_, u.id, stale), ErrorCode::kConflict, "version"));
  User stored = must(users().get(u.id));
  EXPECT_EQ(stored.display_name, "Bob One");
  EXPECT_EQ(stored.roles, role_bit(Role::kAgent));
  EXPECT_EQ(stored.version, 2);
  EXPECT_EQ(events_of(u.id).size(), 2u);
}

TEST_P(UserServiceTest, UpdateValidatesEveryFieldLikeCreate) {
  User u = create("bob");
  auto rejected = [&](UserPatch p, const char* field) {
    p.version = 1;
    EXPECT_TRUE(failed_with(users().update(system_, u.id, p), ErrorCode::kInvalidArgument, field));
  };
  UserPatch p;
  p.display_name = " ";
  rejected(p, "display_name");
  p = {};
  p.email = "not-an-email";
  rejected(p, "email");
  p = {};
  p.phone = "call me";
  rejected(p, "phone");
  p = {};
  p.locale = "de";
  rejected(p, "locale");
  p = {};
  p.time_zone = "Mars/Base";
  rejected(p, "time_zone");
  p = {};
  p.roles = std::vector<std::string>{};
  rejected(p, "roles");
  p = {};
  p.roles = std::vector<std::string>{"agent", "nope"};
  rejected(p, "roles[1]");
  EXPECT_EQ(must(users().get(u.id)).version, 1);
  EXPECT_EQ(events_of(u.id).size(), 1u);
}

TEST_P(UserServiceTest, UpdatingAnUnknownUserIsNotFound) {
  UserPatch p;
  p.version = 1;
  p.display_name = "Ghost";
  EXPECT_TRUE(failed_with(users().update(system_, 999, p), ErrorCode::kNotFound));
}

TEST_P(UserServiceTest, TheLastActiveAdminCannotLoseTheAdminRole) {
  User admin = create("admin", {"admin"});
  UserPatch demote;
  demote.version = 1;
  demote.roles = std::vector<std::string>{"agent"};
  EXPECT_TRUE(
      failed_with(users().update(system_, admin.id, demote), ErrorCode::kConflict, "roles"));
  EXPECT_EQ(must(users().get(admin.id)).roles, role_bit(Role::kAdmin));

  // An inactive second admin does not count.
  User second = create("admin2", {"admin", "agent"});
  must(users().set_active(system_, second.id, false, std::nullopt));
  EXPECT_TRUE(
      failed_with(users().update(system_, admin.id, demote), ErrorCode::kConflict, "roles"));

  must(users().set_active(system_, second.id, true, std::nullopt));
  User demoted = must(users().update(system_, admin.id, demote));
  EXPECT_EQ(demoted.roles, role_bit(Role::kAgent));
  // Keeping admin among other roles is always allowed.
  UserPatch keep;
  keep.version = must(users().get(second.id)).version;
  keep.roles = std::vector<std::string>{"auditor", "admin"};
  EXPECT_TRUE(users().update(system_, second.id, keep).ok());
}

TEST_P(UserServiceTest, TheLastActiveAdminCannotBeDeactivated) {
  User admin = create("admin", {"admin"});
  EXPECT_TRUE(failed_with(users().set_active(system_, admin.id, false, std::nullopt),
                          ErrorCode::kConflict));
  EXPECT_TRUE(must(users().get(admin.id)).active);
  User second = create("admin2", {"admin"});
  User off = must(users().set_active(system_, admin.id, false, std::nullopt));
  EXPECT_FALSE(off.active);
  // Now admin2 is the last one.
  EXPECT_TRUE(failed_with(users().set_active(system_, second.id, false, std::nullopt),
                          ErrorCode::kConflict));
}

TEST_P(UserServiceTest, AnAdminCannotDeactivateThemself) {
  User a = create("admin", {"admin"});
  create("admin2", {"admin"});
  store::Actor self{a.id, "req-self"};
  EXPECT_TRUE(
      failed_with(users().set_active(self, a.id, false, std::nullopt), ErrorCode::kConflict));
  EXPECT_TRUE(must(users().get(a.id)).active);
}

TEST_P(UserServiceTest, SetActiveWithAStaleVersionIsAConflictAndAnUnchangedStateWritesNothing) {
  User u = create("bob");
  EXPECT_TRUE(
      failed_with(users().set_active(system_, u.id, false, 7), ErrorCode::kConflict, "version"));
  EXPECT_TRUE(must(users().get(u.id)).active);
  User same = must(users().set_active(system_, u.id, true, 1));
  EXPECT_EQ(same.version, 1);
  EXPECT_EQ(events_of(u.id).size(), 1u);
}

TEST_P(UserServiceTest, DeactivationEndsSessionsAndRevokesTokens) {
  User bob = create_with_password("bob");
  User other = create_with_password("carol");
  LoginResult s1 = must(auth().login("bob", kPassword, "10.0.0.1", "ua", "r1"));
  LoginResult s2 = must(auth().login("bob", kPassword, "10.0.0.2", "ua", "r2"));
  LoginResult carol_session = must(auth().login("carol", kPassword, "10.0.0.3", "ua", "r3"));
  CreatedToken t1 = must(auth().create_token(system_, bob.id, "ci", std::nullopt));
  CreatedToken t2 = must(auth().create_token(system_, bob.id, "cron", std::nullopt));
  CreatedToken carol_token = must(auth().create_token(system_, other.id, "ci", std::nullopt));
  ASSERT_TRUE(auth().authenticate_session(s1.session_token).ok());
  ASSERT_TRUE(auth().authenticate_token(t1.secret).ok());

  clock_.advance(std::chrono::minutes(1));
  User off = must(users().set_active(system_, bob.id, false, 1));
  EXPECT_FALSE(off.active);
  EXPECT_EQ(off.version, 2);
  for (const LoginResult& s : {s1, s2}) {
    EXPECT_TRUE(
        failed_with(auth().authenticate_session(s.session_token), ErrorCode::kUnauthenticated));
  }
  for (const CreatedToken& t : {t1, t2}) {
    EXPECT_TRUE(failed_with(auth().authenticate_token(t.secret), ErrorCode::kUnauthenticated));
  }
  EXPECT_EQ(count("sessions", "user_id = ?", {bob.id}), 0);
  EXPECT_EQ(count("api_tokens", "user_id = ? AND revoked_at = ?", {bob.id, clock_.now_ms()}), 2);
  // Other users keep theirs.
  EXPECT_TRUE(auth().authenticate_session(carol_session.session_token).ok());
  EXPECT_TRUE(auth().authenticate_token(carol_token.secret).ok());

  std::vector<store::Event> events = events_of(bob.id);
  ASSERT_FALSE(events.empty());
  EXPECT_EQ(events.back().action, "user.deactivate");
  EXPECT_EQ(json::parse(events.back().before_json).at("active"), true);
  EXPECT_EQ(json::parse(events.back().after_json).at("active"), false);

  // Reactivation lets the user log in again but does not bring the tokens back.
  User on = must(users().set_active(system_, bob.id, true, std::nullopt));
  EXPECT_TRUE(on.active);
  EXPECT_EQ(events_of(bob.id).back().action, "user.activate");
  EXPECT_TRUE(auth().login("bob", kPassword, "10.0.0.1", "ua", "r4").ok());
  EXPECT_TRUE(failed_with(auth().authenticate_token(t1.secret), ErrorCode::kUnauthenticated));
}

TEST_P(UserServiceTest, SetPasswordKeepsOnlyTheGivenSession) {
  User bob = create_with_password("bob");
  LoginResult keep = must(auth().login("bob", kPassword, "10.0.0.1", "ua", "r1"));
  LoginResult drop = must(auth().login("bob", kPassword, "10.0.0.2", "ua", "r2"));
  Principal p = must(auth().authenticate_session(keep.session_token));
  ASSERT_TRUE(p.session_id.has_value());

  User after = must(
      users().set_password(store::Actor{bob.id, "r3"}, bob.id, "n3w-passw0rd-长", p.session_id));
  EXPECT_EQ(after.version, 2);
  EXPECT_TRUE(auth().authenticate_session(keep.session_token).ok());
  EXPECT_TRUE(
      failed_with(auth().authenticate_session(drop.session_token), ErrorCode::kUnauthenticated));
  EXPECT_TRUE(failed_with(auth().login("bob", kPassword, "10.0.0.1", "ua", "r4"),
                          ErrorCode::kUnauthenticated));
  EXPECT_TRUE(auth().login("bob", "n3w-passw0rd-长", "10.0.0.1", "ua", "r5").ok());
}

TEST_P(UserServiceTest, SetPasswordWithoutASessionToKeepEndsThemAll) {
  User bob = create("bob");
  EXPECT_FALSE(bob.has_password);
  User after = must(users().set_password(system_, bob.id, "first-passw0rd"));
  EXPECT_TRUE(after.has_password);
  LoginResult s = must(auth().login("bob", "first-passw0rd", "10.0.0.1", "ua", "r1"));
  must(users().set_password(system_, bob.id, "second-passw0rd"));
  EXPECT_TRUE(
      failed_with(auth().authenticate_session(s.session_token), ErrorCode::kUnauthenticated));
  EXPECT_EQ(count("sessions"), 0);
}

TEST_P(UserServiceTest, SetPasswordRejectsAShortPasswordAndKeepsTheOldOne) {
  User bob = create_with_password("bob");
  EXPECT_TRUE(failed_with(users().set_password(system_, bob.id, "1234567"),
                          ErrorCode::kInvalidArgument, "password"));
  EXPECT_TRUE(
      failed_with(users().set_password(system_, 999, "long-enough-1"), ErrorCode::kNotFound));
  EXPECT_TRUE(auth().login("bob", kPassword, "10.0.0.1", "ua", "r").ok());
  EXPECT_EQ(must(users().get(bob.id)).version, 1);
}

TEST_P(UserServiceTest, EveryMutationAppendsAnEventWithBeforeAndAfterState) {
  User bob = create("bob");
  UserPatch p;
  p.version = 1;
  p.email = "bob@example.com";
  must(users().update(system_, bob.id, p));
  must(users().set_active(system_, bob.id, false, std::nullopt));
  must(users().set_active(system_, bob.id, true, std::nullopt));
  must(users().set_password(system_, bob.id, "long-enough-1"));

  std::vector<store::Event> events = events_of(bob.id);
  std::vector<std::string> actions;
  for (const store::Event& e : events) actions.push_back(e.action);
  EXPECT_EQ(actions, (std::vector<std::string>{"user.create", "user.update", "user.deactivate",
                                               "user.activate", "user.password"}));
  for (size_t i = 0; i < events.size(); ++i) {
    const store::Event& e = events[i];
    EXPECT_EQ(e.object_id, bob.id);
    ASSERT_FALSE(e.after_json.empty()) << e.action;
    json after = json::parse(e.after_json);
    EXPECT_EQ(after.at("version"), static_cast<std::int64_t>(i + 1)) << e.action;
    if (i == 0) {
      EXPECT_EQ(e.before_json, "");
    } else {
      ASSERT_FALSE(e.before_json.empty()) << e.action;
      EXPECT_EQ(json::parse(e.before_json).at("version"), static_cast<std::int64_t>(i)) << e.action;
    }
    // Snapshots never carry secrets.
    EXPECT_EQ(e.after_json.find("argon2"), std::string::npos) << e.action;
    EXPECT_EQ(e.after_json.find("long-enough"), std::string::npos) << e.action;
  }
}

TEST_P(UserServiceTest, ListPagesThroughAllUsersOnceForEachSort) {
  std::vector<std::int64_t> ids;
  for (const char* name : {"mike", "alice", "zoe", "bob", "carol", "dave", "erin"}) {
    ids.push_back(create(name).id);
    clock_.advance(std::chrono::seconds(1));
  }
  for (const char* sort : {"id", "-id", "username", "-username", "created_at", "-created_at"}) {
    std::vector<std::string> seen;
    UserQuery q;
    q.sort = sort;
    q.limit = 2;
    int pages = 0;
    while (true) {
      store::Page<User> page = must(users().list(q));
      ASSERT_LE(page.items.size(), 2u);
      for (const User& u : page.items) seen.push_back(u.username);
      if (!page.next_cursor || ++pages > 10) break;
      q.cursor = *page.next_cursor;
    }
    std::vector<std::string> want = {"mike", "alice", "zoe", "bob", "carol", "dave", "erin"};
    if (std::string(sort) == "username" || std::string(sort) == "-username") {
      std::sort(want.begin(), want.end());
    }
    if (sort[0] == '-') std::reverse(want.begin(), want.end());
    EXPECT_EQ(seen, want) << sort;
  }
}

TEST_P(UserServiceTest, ListFiltersBySubstringRoleActivityAndTeam) {
  NewUser a = new_user("alice", {"admin"});
  a.display_name = "网络组 爱丽丝";
  create(a);
  NewUser b = new_user("bob", {"approver"});
  b.email = "bob@NET.example.com";
  User bob = create(b);
  NewUser c = new_user("carol", {"agent", "requester"});
  c.display_name = "Carol 磁盘";
  User carol = create(c);
  TeamService teams(db(), clock_);
  NewTeam t;
  t.name = "Network";
  t.member_ids = {bob.id, carol.id};
  Team team = must(teams.create(system_, t));
  must(users().set_active(system_, carol.id, false, std::nullopt));

  auto usernames = [&](UserQuery q) {
    std::vector<std::string> out;
    for (const User& u : must(users().list(q)).items) out.push_back(u.username);
    return out;
  };
  UserQuery q;
  q.q = "网络";
  EXPECT_EQ(usernames(q), std::vector<std::string>{"alice"});
  q.q = "ALI";
  EXPECT_EQ(usernames(q), std::vector<std::string>{"alice"});
  q.q = "net.example";
  EXPECT_EQ(usernames(q), std::vector<std::string>{"bob"});
  q = {};
  q.role = Role::kAgent;
  EXPECT_EQ(usernames(q), std::vector<std::string>{"carol"});
  q.role = Role::kAdmin;
  EXPECT_EQ(usernames(q), std::vector<std::string>{"alice"});
  q = {};
  q.active = false;
  EXPECT_EQ(usernames(q), std::vector<std::string>{"carol"});
  q.active = true;
  EXPECT_EQ(usernames(q), (std::vector<std::string>{"alice", "bob"}));
  q = {};
  q.team_id = team.id;
  EXPECT_EQ(usernames(q), (std::vector<std::string>{"bob", "carol"}));
  // Team ids come with both the list and get().
  for (const User& u : must(users().list(q)).items) {
    EXPECT_EQ(u.team_ids, std::vector<std::int64_t>{team.id}) << u.username;
  }
  EXPECT_EQ(must(users().get(bob.id)).team_ids, std::vector<std::int64_t>{team.id});
  q = {};
  q.q = "alice";
  EXPECT_TRUE(must(users().list(q)).items.at(0).team_ids.empty());
}

TEST_P(UserServiceTest, ListRejectsAnUnknownSortAndACursorOfAnotherSort) {
  create("alice");
  create("bob");
  UserQuery q;
  q.sort = "password_hash";
  EXPECT_TRUE(failed_with(users().list(q), ErrorCode::kInvalidArgument, "sort"));
  q.sort = "username";
  q.limit = 1;
  store::Page<User> page = must(users().list(q));
  ASSERT_TRUE(page.next_cursor.has_value());
  q.sort = "-username";
  q.cursor = *page.next_cursor;
  EXPECT_TRUE(failed_with(users().list(q), ErrorCode::kInvalidArgument, "cursor"));
  q.sort = "username";
  q.cursor = "garbage!";
  EXPECT_TRUE(failed_with(users().list(q), ErrorCode::kInvalidArgument, "cursor"));
}

INSTANTIATE_TEST_SUITE_P(Backends, UserServiceTest, testing::kAllBackends,
                         testing::backend_test_name);

TEST(ValidateUsername, IsSharedWithOtherEntryPoints) {
  EXPECT_TRUE(UserService::validate_username("ops-admin").ok());
  EXPECT_TRUE(
      failed_with(UserService::validate_username("Ops"), ErrorCode::kInvalidArgument, "username"));
}

TEST(UserSnapshot, HoldsTheProfileAndNoSecrets) {
  User u;
  u.id = 5;
  u.username = "bob";
  u.display_name = "鲍勃";
  u.roles = role_bit(Role::kAgent);
  u.has_password = true;
  json j = json::parse(user_snapshot(u));
  EXPECT_EQ(j.at("id"), 5);
  EXPECT_EQ(j.at("display_name"), "鲍勃");
  EXPECT_EQ(j.at("roles"), json::array({"agent"}));
  EXPECT_FALSE(j.contains("password_hash"));
  EXPECT_FALSE(j.contains("password"));
}

}  // namespace
}  // namespace yunwei::identity
