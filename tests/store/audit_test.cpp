#include "store/audit.h"

#include <gtest/gtest.h>

#include "support/test_db.h"

namespace yunwei::store {
namespace {

using testing::must;

class AuditTest : public testing::BackendTest {
 protected:
  std::int64_t append(std::optional<std::int64_t> actor, const std::string& action,
                      const std::string& type, std::optional<std::int64_t> object,
                      const std::string& before = "", const std::string& after = "") {
    return must(write_tx<std::int64_t>(db(), [&](Tx& tx) {
      return append_event(tx, Actor{actor, "req-" + action}, clock_.now_ms(), action, type, object,
                          before, after);
    }));
  }

  std::vector<std::int64_t> ids(const EventFilter& f) {
    std::vector<Event> events =
        must(read_tx<std::vector<Event>>(db(), [&](Tx& tx) { return list_events(tx, f); }));
    std::vector<std::int64_t> out;
    for (const Event& e : events) out.push_back(e.id);
    return out;
  }

  // Six events a minute apart:
  //  e1 user 1 by 10 user.create      e2 user 1 by 10 user.update   e3 team 1 by 11 team.create
  //  e4 user 2 by 11 user.create      e5 user 1 by -- user.update   e6 team 1 by 10 team.update
  void seed() {
    e_[1] = append(10, "user.create", "user", 1, "", R"({"v":1})");
    clock_.advance(std::chrono::minutes(1));
    e_[2] = append(10, "user.update", "user", 1, R"({"v":1})", R"({"v":2})");
    clock_.advance(std::chrono::minutes(1));
    e_[3] = append(11, "team.create", "team", 1);
    clock_.advance(std::chrono::minutes(1));
    e_[4] = append(11, "user.create", "user", 2);
    clock_.advance(std::chrono::minutes(1));
    e_[5] = append(std::nullopt, "user.update", "user", 1);
    clock_.advance(std::chrono::minutes(1));
    e_[6] = append(10, "team.update", "team", 1);
  }

  static constexpr core::TimeMs minute(int n) { return testing::kTestStart + n * 60'000; }

  std::int64_t e_[7] = {};
};

TEST_P(AuditTest, StoresEveryFieldAndEmptyJsonAsNull) {
  std::int64_t id = append(7, "user.update", "user", 3, R"({"a":1})", R"({"a":"网络"})");
  std::int64_t bare = append(std::nullopt, "system.start", "system", std::nullopt);
  EXPECT_GT(bare, id);
  std::vector<Event> events = must(
      read_tx<std::vector<Event>>(db(), [](Tx& tx) { return list_events(tx, EventFilter{}); }));
  ASSERT_EQ(events.size(), 2u);
  const Event& e = events[1];
  EXPECT_EQ(e.id, id);
  EXPECT_EQ(e.at, testing::kTestStart);
  EXPECT_EQ(e.actor_id, 7);
  EXPECT_EQ(e.action, "user.update");
  EXPECT_EQ(e.object_type, "user");
  EXPECT_EQ(e.object_id, 3);
  EXPECT_EQ(e.before_json, R"({"a":1})");
  EXPECT_EQ(e.after_json, R"({"a":"网络"})");
  EXPECT_EQ(e.request_id, "req-user.update");
  EXPECT_EQ(events[0].actor_id, std::nullopt);
  EXPECT_EQ(events[0].object_id, std::nullopt);
  EXPECT_EQ(count("events", "before_json IS NULL AND after_json IS NULL AND id = ?", {bare}), 1);
}

TEST_P(AuditTest, ListsNewestFirst) {
  seed();
  EXPECT_EQ(ids({}), (std::vector<std::int64_t>{e_[6], e_[5], e_[4], e_[3], e_[2], e_[1]}));
}

TEST_P(AuditTest, FiltersByObject) {
  seed();
  EventFilter f;
  f.object_type = "user";
  EXPECT_EQ(ids(f), (std::vector<std::int64_t>{e_[5], e_[4], e_[2], e_[1]}));
  f.object_id = 1;
  EXPECT_EQ(ids(f), (std::vector<std::int64_t>{e_[5], e_[2], e_[1]}));
  f.object_type = "team";
  EXPECT_EQ(ids(f), (std::vector<std::int64_t>{e_[6], e_[3]}));
}

TEST_P(AuditTest, FiltersByActorAndAction) {
  seed();
  EventFilter by_actor;
  by_actor.actor_id = 11;
  EXPECT_EQ(ids(by_actor), (std::vector<std::int64_t>{e_[4], e_[3]}));
  EventFilter by_action;
  by_action.action = "user.update";
  EXPECT_EQ(ids(by_action), (std::vector<std::int64_t>{e_[5], e_[2]}));
  by_action.actor_id = 10;
  EXPECT_EQ(ids(by_action), (std::vector<std::int64_t>{e_[2]}));
  by_action.action = "user.delete";
  EXPECT_TRUE(ids(by_action).empty());
}

TEST_P(AuditTest, FiltersByTimeWithInclusiveSinceAndExclusiveUntil) {
  seed();
  EventFilter f;
  f.since = minute(1);
  f.until = minute(4);
  EXPECT_EQ(ids(f), (std::vector<std::int64_t>{e_[4], e_[3], e_[2]}));
  f.since = minute(5);
  f.until.reset();
  EXPECT_EQ(ids(f), (std::vector<std::int64_t>{e_[6]}));
  f.since.reset();
  f.until = minute(0);
  EXPECT_TRUE(ids(f).empty());
}

TEST_P(AuditTest, PagesWithTheBeforeIdCursorAndReturnsOneExtraRow) {
  seed();
  EventFilter f;
  f.limit = 2;
  // limit + 1 rows tell the caller there is more.
  EXPECT_EQ(ids(f), (std::vector<std::int64_t>{e_[6], e_[5], e_[4]}));
  f.before_id = e_[5];
  EXPECT_EQ(ids(f), (std::vector<std::int64_t>{e_[4], e_[3], e_[2]}));
  f.before_id = e_[2];
  EXPECT_EQ(ids(f), (std::vector<std::int64_t>{e_[1]}));
  f.before_id = e_[3];
  f.object_type = "user";
  EXPECT_EQ(ids(f), (std::vector<std::int64_t>{e_[2], e_[1]}));
}

INSTANTIATE_TEST_SUITE_P(Backends, AuditTest, testing::kAllBackends, testing::backend_test_name);

}  // namespace
}  // namespace yunwei::store
