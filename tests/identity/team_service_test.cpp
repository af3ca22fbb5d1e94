#include "identity/team_service.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <nlohmann/json.hpp>
#include <set>

#include "identity/user_service.h"
#include "support/test_db.h"

namespace yunwei::identity {
namespace {

using core::ErrorCode;
using nlohmann::json;
using testing::failed_with;
using testing::must;

class TeamServiceTest : public testing::BackendTest {
 protected:
  void SetUp() override {
    BackendTest::SetUp();
    if (IsSkipped() || HasFatalFailure()) return;
    for (const char* name : {"lead", "ann", "ben", "cat"}) {
      NewUser n;
      n.username = name;
      n.display_name = std::string("User ") + name;
      n.roles = {"agent"};
      ids_[name] = must(users().create(system_, n)).id;
    }
    NewUser gone;
    gone.username = "gone";
    gone.display_name = "Former colleague";
    gone.roles = {"agent"};
    ids_["gone"] = must(users().create(system_, gone)).id;
    must(users().set_active(system_, ids_["gone"], false, std::nullopt));
  }

  UserService users() { return UserService(db(), clock_, hasher_); }
  TeamService teams() { return TeamService(db(), clock_); }
  std::int64_t id(const std::string& name) { return ids_.at(name); }

  NewTeam new_team(const std::string& name, std::vector<std::int64_t> members = {},
                   std::optional<std::int64_t> lead = std::nullopt) {
    NewTeam t;
    t.name = name;
    t.member_ids = std::move(members);
    t.lead_id = lead;
    return t;
  }

  std::vector<store::Event> team_events(std::int64_t team_id) {
    store::EventFilter f;
    f.object_type = "team";
    f.object_id = team_id;
    auto events = must(store::read_tx<std::vector<store::Event>>(
        db(), [&](store::Tx& tx) { return store::list_events(tx, f); }));
    std::reverse(events.begin(), events.end());
    return events;
  }

  std::vector<std::int64_t> sorted(std::vector<std::int64_t> v) {
    std::sort(v.begin(), v.end());
    return v;
  }

  PasswordHasher hasher_{PasswordHasher::Strength::kMinimum};
  store::Actor system_{std::nullopt, "req-test"};
  std::map<std::string, std::int64_t> ids_;
};

TEST_P(TeamServiceTest, SeedingCreatesTheEightDefaultTeamsOnce) {
  must(teams().seed_default_teams(system_));
  must(teams().seed_default_teams(system_));
  TeamQuery q;
  q.limit = 100;
  store::Page<Team> page = must(teams().list(q));
  std::set<std::string> zh;
  for (const Team& t : page.items) {
    zh.insert(t.name_zh);
    EXPECT_TRUE(t.active) << t.name;
    EXPECT_FALSE(t.name.empty());
    EXPECT_FALSE(t.description.empty()) << t.name;
    EXPECT_TRUE(t.member_ids.empty()) << t.name;
    EXPECT_EQ(t.lead_id, std::nullopt) << t.name;
  }
  EXPECT_EQ(page.items.size(), 8u);
  EXPECT_EQ(zh,
            (std::set<std::string>{"服务台", "基础设施运维", "应用运维", "安全运维", "自动化与平台",
                                   "运维管理", "变更咨询委员会", "紧急变更咨询委员会"}));
  EXPECT_EQ(count("events", "action = ?", {std::string("team.create")}), 8);
}

TEST_P(TeamServiceTest, SeedingKeepsTeamsThatAlreadyExist) {
  Team desk = must(teams().create(system_, new_team("Service Desk", {id("ann")})));
  must(teams().seed_default_teams(system_));
  EXPECT_EQ(count("teams"), 8);
  EXPECT_EQ(must(teams().get(desk.id)).member_ids, std::vector<std::int64_t>{id("ann")});
}

TEST_P(TeamServiceTest, CreateMakesTheLeadAMemberAndRecordsAnEvent) {
  NewTeam in = new_team("  Network  ", {id("ben"), id("ann"), id("ben")}, id("lead"));
  in.name_zh = " 网络组 ";
  in.description = "Routers, switches, firewalls";
  Team t = must(teams().create(system_, in));
  EXPECT_EQ(t.name, "Network");
  EXPECT_EQ(t.name_zh, "网络组");
  EXPECT_EQ(t.lead_id, id("lead"));
  EXPECT_EQ(t.member_ids, sorted({id("lead"), id("ann"), id("ben")}));
  EXPECT_EQ(t.version, 1);
  EXPECT_EQ(must(teams().get(t.id)).member_ids, t.member_ids);
  EXPECT_EQ(must(users().get(id("lead"))).team_ids, std::vector<std::int64_t>{t.id});

  std::vector<store::Event> events = team_events(t.id);
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].action, "team.create");
  EXPECT_EQ(events[0].before_json, "");
  json after = json::parse(events[0].after_json);
  EXPECT_EQ(after.at("name"), "Network");
  EXPECT_EQ(after.at("lead_id"), id("lead"));
  EXPECT_EQ(after.at("member_ids").size(), 3u);
}

TEST_P(TeamServiceTest, CreateRejectsMissingOrInactiveMembersByIndex) {
  EXPECT_TRUE(failed_with(teams().create(system_, new_team("Net", {id("ann"), 9999})),
                          ErrorCode::kInvalidArgument, "member_ids[1]"));
  EXPECT_TRUE(failed_with(teams().create(system_, new_team("Net", {id("gone"), id("ann")})),
                          ErrorCode::kInvalidArgument, "member_ids[0]"));
  EXPECT_TRUE(failed_with(teams().create(system_, new_team("Net", {id("ann")}, 9999)),
                          ErrorCode::kInvalidArgument, "lead_id"));
  EXPECT_TRUE(failed_with(teams().create(system_, new_team("Net", {}, id("gone"))),
                          ErrorCode::kInvalidArgument, "lead_id"));
  EXPECT_EQ(count("teams"), 0);
  EXPECT_EQ(count("team_members"), 0);
  EXPECT_EQ(count("events", "object_type = ?", {std::string("team")}), 0);
}

TEST_P(TeamServiceTest, CreateValidatesNames) {
  EXPECT_TRUE(
      failed_with(teams().create(system_, new_team("   ")), ErrorCode::kInvalidArgument, "name"));
  EXPECT_TRUE(failed_with(teams().create(system_, new_team("Tab\tbed")),
                          ErrorCode::kInvalidArgument, "name"));
  EXPECT_TRUE(failed_with(teams().create(system_, new_team(std::string(101, 'n'))),
                          ErrorCode::kInvalidArgument, "name"));
  NewTeam zh = new_team("Net");
  zh.name_zh = "网络\n组";
  EXPECT_TRUE(failed_with(teams().create(system_, zh), ErrorCode::kInvalidArgument, "name_zh"));
  NewTeam desc = new_team("Net");
  desc.description = std::string(2001, 'd');
  EXPECT_TRUE(
      failed_with(teams().create(system_, desc), ErrorCode::kInvalidArgument, "description"));
  desc.description = "Multi-line\nis fine";
  EXPECT_TRUE(teams().create(system_, desc).ok());
}

TEST_P(TeamServiceTest, NamesAreUniqueIgnoringCase) {
  Team net = must(teams().create(system_, new_team("Network")));
  EXPECT_TRUE(
      failed_with(teams().create(system_, new_team("network ")), ErrorCode::kConflict, "name"));
  EXPECT_TRUE(
      failed_with(teams().create(system_, new_team("NETWORK")), ErrorCode::kConflict, "name"));
  Team db_team = must(teams().create(system_, new_team("Database")));
  TeamPatch p;
  p.version = 1;
  p.name = "NetWork";
  EXPECT_TRUE(failed_with(teams().update(system_, db_team.id, p), ErrorCode::kConflict, "name"));
  // Renaming a team to another case of its own name is fine.
  p.name = "NETWORK";
  EXPECT_EQ(must(teams().update(system_, net.id, p)).name, "NETWORK");
}

TEST_P(TeamServiceTest, UpdateReplacesTheMemberListButKeepsTheLead) {
  Team t = must(teams().create(system_, new_team("Net", {id("ann"), id("ben")}, id("lead"))));
  TeamPatch p;
  p.version = 1;
  p.member_ids = std::vector<std::int64_t>{id("cat")};
  Team after = must(teams().update(system_, t.id, p));
  EXPECT_EQ(after.member_ids, sorted({id("cat"), id("lead")}));
  EXPECT_EQ(after.version, 2);
  EXPECT_EQ(must(teams().get(t.id)).member_ids, after.member_ids);
  EXPECT_TRUE(must(users().get(id("ann"))).team_ids.empty());

  std::vector<store::Event> events = team_events(t.id);
  ASSERT_EQ(events.size(), 2u);
  EXPECT_EQ(events[1].action, "team.update");
  EXPECT_EQ(json::parse(events[1].before_json).at("member_ids").size(), 3u);
  EXPECT_EQ(json::parse(events[1].after_json).at("member_ids"),
            json(sorted({id("cat"), id("lead")})));
}

TEST_P(TeamServiceTest, UpdateRejectsInactiveMembersAndLeadsWithoutChangingAnything) {
  Team t = must(teams().create(system_, new_team("Net", {id("ann")})));
  TeamPatch p;
  p.version = 1;
  p.member_ids = std::vector<std::int64_t>{id("ben"), id("gone")};
  EXPECT_TRUE(
      failed_with(teams().update(system_, t.id, p), ErrorCode::kInvalidArgument, "member_ids[1]"));
  p = {};
  p.version = 1;
  p.lead_id = std::optional<std::int64_t>{9999};
  EXPECT_TRUE(
      failed_with(teams().update(system_, t.id, p), ErrorCode::kInvalidArgument, "lead_id"));
  Team stored = must(teams().get(t.id));
  EXPECT_EQ(stored.member_ids, std::vector<std::int64_t>{id("ann")});
  EXPECT_EQ(stored.version, 1);
}

TEST_P(TeamServiceTest, ANewLeadJoinsAndClearingTheLeadKeepsTheMembers) {
  Team t = must(teams().create(system_, new_team("Net", {id("ann")})));
  TeamPatch p;
  p.version = 1;
  p.lead_id = std::optional<std::int64_t>{id("ben")};
  Team led = must(teams().update(system_, t.id, p));
  EXPECT_EQ(led.lead_id, id("ben"));
  EXPECT_EQ(led.member_ids, sorted({id("ann"), id("ben")}));

  TeamPatch clear;
  clear.version = 2;
  clear.lead_id = std::optional<std::int64_t>{};
  Team cleared = must(teams().update(system_, t.id, clear));
  EXPECT_EQ(cleared.lead_id, std::nullopt);
  EXPECT_EQ(cleared.member_ids, sorted({id("ann"), id("ben")}));
}

TEST_P(TeamServiceTest, UpdateWithAStaleVersionIsAConflictAndChangesNothing) {
  Team t = must(teams().create(system_, new_team("Net", {id("ann")})));
  TeamPatch p;
  p.version = 1;
  p.description = "first";
  must(teams().update(system_, t.id, p));
  p.description = "stale";
  p.member_ids = std::vector<std::int64_t>{};
  EXPECT_TRUE(failed_with(teams().update(system_, t.id, p), ErrorCode::kConflict, "version"));
  Team stored = must(teams().get(t.id));
  EXPECT_EQ(stored.description, "first");
  EXPECT_EQ(stored.member_ids, std::vector<std::int64_t>{id("ann")});
  EXPECT_EQ(team_events(t.id).size(), 2u);
}

TEST_P(TeamServiceTest, DeactivationIsVersionedAndAudited) {
  Team t = must(teams().create(system_, new_team("Net")));
  EXPECT_TRUE(
      failed_with(teams().set_active(system_, t.id, false, 5), ErrorCode::kConflict, "version"));
  Team off = must(teams().set_active(system_, t.id, false, 1));
  EXPECT_FALSE(off.active);
  EXPECT_EQ(off.version, 2);
  std::vector<store::Event> events = team_events(t.id);
  ASSERT_EQ(events.size(), 2u);
  EXPECT_EQ(events[1].action, "team.deactivate");
  EXPECT_EQ(json::parse(events[1].before_json).at("active"), true);
  EXPECT_EQ(json::parse(events[1].after_json).at("active"), false);
  EXPECT_TRUE(failed_with(teams().get(9999), ErrorCode::kNotFound));
}

TEST_P(TeamServiceTest, ListFindsTeamsByChineseNameMemberAndActivity) {
  must(teams().seed_default_teams(system_));
  Team net = must(teams().create(system_, new_team("Network", {id("ann")})));
  auto names_zh = [&](TeamQuery q) {
    std::set<std::string> out;
    for (const Team& t : must(teams().list(q)).items)
      out.insert(t.name_zh.empty() ? t.name : t.name_zh);
    return out;
  };
  TeamQuery q;
  q.q = "运维";
  EXPECT_EQ(names_zh(q),
            (std::set<std::string>{"基础设施运维", "应用运维", "安全运维", "运维管理"}));
  q.q = "服务";
  EXPECT_EQ(names_zh(q), std::set<std::string>{"服务台"});
  q.q = "network";
  EXPECT_EQ(names_zh(q), std::set<std::string>{"Network"});
  q = {};
  q.member_id = id("ann");
  EXPECT_EQ(names_zh(q), std::set<std::string>{"Network"});
  must(teams().set_active(system_, net.id, false, std::nullopt));
  q = {};
  q.active = false;
  EXPECT_EQ(names_zh(q), std::set<std::string>{"Network"});
}

TEST_P(TeamServiceTest, ListPagesByNameInBothDirections) {
  must(teams().seed_default_teams(system_));
  for (const char* sort : {"name", "-name", "id", "-id"}) {
    TeamQuery q;
    q.sort = sort;
    q.limit = 4;
    std::vector<std::string> seen;
    for (int pages = 0; pages < 10; ++pages) {
      store::Page<Team> page = must(teams().list(q));
      for (const Team& t : page.items) seen.push_back(t.name);
      if (!page.next_cursor) break;
      q.cursor = *page.next_cursor;
    }
    ASSERT_EQ(seen.size(), 8u) << sort;
    std::vector<std::string> by_name = seen;
    std::sort(by_name.begin(), by_name.end());
    if (sort[0] == '-') std::reverse(by_name.begin(), by_name.end());
    if (std::string(sort).find("name") != std::string::npos) {
      EXPECT_EQ(seen, by_name) << sort;
    } else {
      EXPECT_EQ(std::set<std::string>(seen.begin(), seen.end()).size(), 8u) << sort;
    }
  }
}

INSTANTIATE_TEST_SUITE_P(Backends, TeamServiceTest, testing::kAllBackends,
                         testing::backend_test_name);

}  // namespace
}  // namespace yunwei::identity
