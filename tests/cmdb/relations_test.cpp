#include "cmdb/relations.h"

#include <gtest/gtest.h>

#include <map>
#include <nlohmann/json.hpp>

#include "cmdb/ci_service.h"
#include "cmdb/type_service.h"
#include "support/test_db.h"

namespace yunwei::cmdb {
namespace {

using nlohmann::json;
using testing::must;

// A small estate: 网上银行 depends on the banking app, which runs on a VM hosted on a server
// and depends on a database running on a second server; the database also depends on the app
// (a cycle); the server is connected to a switch (not an impact path).
class RelationsTest : public testing::BackendTest {
 protected:
  void SetUp() override {
    BackendTest::SetUp();
    if (IsSkipped() || HasFatalFailure()) return;
    must(CiTypeService(db(), clock_).seed_defaults(system_));
    relations_ = std::make_unique<RelationService>(db(), clock_);
    must(relations_->seed_defaults(system_));
    CiService cis(db(), clock_);
    auto make = [&](const char* type, const char* name, json attrs) {
      return must(cis.create(system_, {type, name, "in_use", "prod", std::nullopt, attrs.dump()}))
          .id;
    };
    bank_ = make("business_service", "网上银行", json::object());
    app_ = make("application", "核心银行应用", json::object());
    vm_ = make("virtual_machine", "vm-bank-01", {{"hostname", "vm-bank-01"}});
    server_ = make("server", "sh-host-01", {{"hostname", "sh-host-01"}});
    db_ci_ = make("database", "bankdb", {{"engine", "oracle"}});
    server2_ = make("server", "sh-host-02", {{"hostname", "sh-host-02"}});
    switch_ = make("network_device", "sw-core-01", {{"hostname", "sw-core-01"}});
    relate(bank_, "depends_on", app_);
    relate(app_, "runs_on", vm_);
    relate(vm_, "hosted_on", server_);
    relate(app_, "depends_on", db_ci_);
    relate(db_ci_, "runs_on", server2_);
    relate(db_ci_, "depends_on", app_);  // a cycle
    relate(server_, "connected_to", switch_);
  }

  Relation relate(std::int64_t from, const char* type, std::int64_t to) {
    return must(relations_->add(system_, from, type, to));
  }

  static std::map<std::int64_t, Reached> by_id(const std::vector<Reached>& rs) {
    std::map<std::int64_t, Reached> out;
    for (const Reached& r : rs) out[r.ci_id] = r;
    return out;
  }

  store::Actor system_{std::nullopt, "test"};
  std::unique_ptr<RelationService> relations_;
  std::int64_t bank_ = 0, app_ = 0, vm_ = 0, server_ = 0, db_ci_ = 0, server2_ = 0, switch_ = 0;
};

TEST_P(RelationsTest, ImpactFollowsPropagatingRelationsUpstreamWithPaths) {
  auto reached = by_id(must(relations_->impact(server_, 10)));
  ASSERT_EQ(reached.size(), 4u) << "vm, app, bank and (through the cycle) the database";
  EXPECT_EQ(reached[vm_].depth, 1);
  EXPECT_EQ(reached[app_].depth, 2);
  EXPECT_EQ(reached[bank_].depth, 3);
  EXPECT_EQ(reached[bank_].path, (std::vector<std::int64_t>{server_, vm_, app_, bank_}));
  EXPECT_EQ(reached[bank_].via, (std::vector<std::string>{"hosted_on", "runs_on", "depends_on"}));
  EXPECT_EQ(reached[db_ci_].depth, 3) << "the database depends on the app";
  EXPECT_FALSE(reached.count(switch_)) << "connected_to does not carry impact";

  // The database's server reaches the bank through the database and the app.
  auto from_db_server = by_id(must(relations_->impact(server2_, 10)));
  EXPECT_EQ(from_db_server[bank_].path, (std::vector<std::int64_t>{server2_, db_ci_, app_, bank_}));
  // Depth limits the walk.
  EXPECT_EQ(must(relations_->impact(server_, 1)).size(), 1u);
  EXPECT_TRUE(must(relations_->impact(switch_, 10)).empty());
  EXPECT_TRUE(must(relations_->impact(bank_, 10)).empty()) << "nothing depends on the service";
}

TEST_P(RelationsTest, DependenciesWalkDownstream) {
  auto reached = by_id(must(relations_->dependencies(bank_, 10)));
  EXPECT_EQ(reached.size(), 5u);
  EXPECT_EQ(reached[app_].depth, 1);
  EXPECT_EQ(reached[server_].path, (std::vector<std::int64_t>{bank_, app_, vm_, server_}));
  EXPECT_EQ(reached[server2_].depth, 3);
}

TEST_P(RelationsTest, ChangesReachTheCachedGraphAndBadRelationsAreRefused) {
  EXPECT_EQ(must(relations_->impact(server_, 10)).size(), 4u);
  // A second node (its own cache) sees what this one changes.
  RelationService other(db(), clock_);
  EXPECT_EQ(must(other.impact(server_, 10)).size(), 4u);
  Relation hosted = relate(vm_, "hosted_on", server2_);
  (void)hosted;
  std::vector<Relation> mine = must(relations_->of(vm_));
  ASSERT_EQ(mine.size(), 3u);
  Relation first_host;
  for (const Relation& r : mine) {
    if (r.type == "hosted_on" && r.to_ci == server_) first_host = r;
  }
  must(relations_->remove(system_, vm_, first_host.id));
  EXPECT_TRUE(by_id(must(other.impact(server_, 10))).empty())
      << "the VM moved: the first server impacts nothing now";
  EXPECT_EQ(by_id(must(other.impact(server2_, 10))).count(vm_), 1u);

  auto self = relations_->add(system_, vm_, "depends_on", vm_);
  EXPECT_EQ(self.error().field, "to");
  auto type = relations_->add(system_, vm_, "loves", app_);
  EXPECT_EQ(type.error().field, "type");
  auto dup = relations_->add(system_, app_, "runs_on", vm_);
  EXPECT_EQ(dup.error().code, core::ErrorCode::kConflict);
  auto nobody = relations_->add(system_, 99999, "runs_on", vm_);
  EXPECT_EQ(nobody.error().code, core::ErrorCode::kNotFound);
  auto missing = relations_->add(system_, vm_, "runs_on", 99999);
  EXPECT_EQ(missing.error().field, "to");
  EXPECT_EQ(relations_->remove(system_, switch_, first_host.id).error().code,
            core::ErrorCode::kNotFound);
  EXPECT_EQ(count("events", "action = 'ci.relate'"), 8);
  EXPECT_EQ(count("events", "action = 'ci.unrelate'"), 1);
}

INSTANTIATE_TEST_SUITE_P(Backends, RelationsTest, testing::kAllBackends,
                         testing::backend_test_name);

}  // namespace
}  // namespace yunwei::cmdb
