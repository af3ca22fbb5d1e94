#include "cmdb/ci_service.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "cmdb/type_service.h"
#include "identity/password.h"
#include "identity/team_service.h"
#include "identity/user_service.h"
#include "support/people.h"
#include "support/test_db.h"

namespace yunwei::cmdb {
namespace {

using nlohmann::json;
using testing::must;

class CiServiceTest : public testing::BackendTest {
 protected:
  void SetUp() override {
    BackendTest::SetUp();
    if (IsSkipped() || HasFatalFailure()) return;
    must(CiTypeService(db(), clock_).seed_defaults(system_));
    cis_ = std::make_unique<CiService>(db(), clock_);
    identity::UserService users(db(), clock_, hasher_);
    identity::TeamService teams(db(), clock_);
    std::int64_t agent = testing::make_user(users, "zhangwei", {"agent"});
    infra_ = testing::make_team(teams, "Infra", {agent});
    dc_ = must(cis_->create(system_, {"location", "上海张江数据中心", "in_use", "", std::nullopt,
                                      json{{"code", "SH-ZJ"}}.dump()}))
              .id;
  }

  NewCi server(const std::string& hostname, json extra = json::object()) {
    json attrs = {{"hostname", hostname}, {"ip", "10.1.0.10"}, {"location", dc_}};
    attrs.update(extra);
    return {"server", hostname, "in_use", "prod", infra_, attrs.dump()};
  }

  template <class T>
  static std::string field_of(const core::Result<T>& r) {
    return r.ok() ? "(ok)" : r.error().field;
  }

  store::Actor system_{std::nullopt, "test"};
  identity::PasswordHasher hasher_{identity::PasswordHasher::Strength::kMinimum};
  std::unique_ptr<CiService> cis_;
  std::int64_t infra_ = 0, dc_ = 0;
};

TEST_P(CiServiceTest, CreatesACiWithCheckedNormalisedAttributes) {
  Ci c = must(cis_->create(
      system_, server("sh-web-01",
                      {{"purchase_cost", 88000.50}, {"maintenance_contract_end", "2027-03-31"}})));
  EXPECT_EQ(c.type_key, "server");
  EXPECT_EQ(c.environment, "prod");
  EXPECT_EQ(c.owner_team_id, infra_);
  json a = json::parse(c.attributes_json);
  EXPECT_EQ(a["purchase_cost"], "88000.5");
  EXPECT_EQ(a["criticality"], "medium") << "the shipped default";
  EXPECT_EQ(a["location"], dc_);
  EXPECT_EQ(must(cis_->get(c.id)).attributes_json, c.attributes_json);
  EXPECT_EQ(
      count("events", "object_type = 'ci' AND object_id = ? AND action = 'ci.create'", {c.id}), 1);
}

TEST_P(CiServiceTest, RefusesBadInputNamingTheFieldAndStoresNothing) {
  std::int64_t before = count("cis");
  NewCi n = server("sh-web-02");
  n.type = "mainframe";
  EXPECT_EQ(field_of(cis_->create(system_, n)), "type");
  n = server("sh-web-02");
  n.name = "";
  EXPECT_EQ(field_of(cis_->create(system_, n)), "name");
  n = server("sh-web-02");
  n.status = "broken";
  EXPECT_EQ(field_of(cis_->create(system_, n)), "status");
  n = server("sh-web-02");
  n.environment = "production";
  EXPECT_EQ(field_of(cis_->create(system_, n)), "environment");
  n = server("sh-web-02");
  n.owner_team_id = 999;
  EXPECT_EQ(field_of(cis_->create(system_, n)), "owner_team_id");
  EXPECT_EQ(field_of(cis_->create(system_, server("sh-web-02", {{"ip", "300.1.1.1"}}))),
            "attributes.ip");
  EXPECT_EQ(field_of(cis_->create(system_, server("sh-web-02", {{"location", 999}}))),
            "attributes.location")
      << "no such CI";
  Ci other = must(cis_->create(system_, server("sh-web-09")));
  EXPECT_EQ(field_of(cis_->create(system_, server("sh-web-02", {{"location", other.id}}))),
            "attributes.location")
      << "a server is not a location";
  EXPECT_EQ(count("cis"), before + 1);
}

TEST_P(CiServiceTest, UniqueAttributesAreUniqueWithinTheType) {
  must(cis_->create(system_, server("sh-db-01", {{"serial_number", "SN-0001"}})));
  auto dup = cis_->create(system_, server("sh-db-01"));
  ASSERT_FALSE(dup.ok());
  EXPECT_EQ(dup.error().code, core::ErrorCode::kConflict);
  EXPECT_EQ(dup.error().field, "attributes.hostname");
  auto serial = cis_->create(system_, server("sh-db-02", {{"serial_number", "SN-0001"}}));
  EXPECT_EQ(field_of(serial), "attributes.serial_number");
  // Another type may use the same value (a VM named like a server).
  NewCi vm{"virtual_machine", "sh-db-01",
           "in_use",          "",
           std::nullopt,      json{{"hostname", "sh-db-01"}}.dump()};
  EXPECT_TRUE(cis_->create(system_, vm).ok());
}

TEST_P(CiServiceTest, UpdatesMergeAttributesAndRecordBeforeAndAfter) {
  Ci c = must(
      cis_->create(system_, server("sh-app-01", {{"os", "CentOS 7"}, {"serial_number", "A1"}})));
  CiPatch p;
  p.version = c.version;
  p.status = "maintenance";
  p.attributes_json = json{{"os", "Kylin V10"}, {"serial_number", nullptr}}.dump();
  Ci after = must(cis_->update(system_, c.id, p));
  EXPECT_EQ(after.status, "maintenance");
  json a = json::parse(after.attributes_json);
  EXPECT_EQ(a["os"], "Kylin V10");
  EXPECT_FALSE(a.contains("serial_number")) << "null removes";
  EXPECT_EQ(a["hostname"], "sh-app-01") << "keys not given stay";
  // The freed serial number can be used again.
  EXPECT_TRUE(cis_->create(system_, server("sh-app-02", {{"serial_number", "A1"}})).ok());

  auto stale = cis_->update(system_, c.id, p);
  EXPECT_EQ(field_of(stale), "version");
  CiPatch bad;
  bad.version = after.version;
  bad.attributes_json = json{{"hostname", nullptr}}.dump();
  EXPECT_EQ(field_of(cis_->update(system_, c.id, bad)), "attributes.hostname") << "required";
  EXPECT_EQ(must(cis_->get(c.id)).version, after.version);

  store::Rows ev = query(
      "SELECT before_json, after_json FROM events WHERE object_type = 'ci' AND object_id = ? AND"
      " action = 'ci.update'",
      {c.id});
  ASSERT_EQ(ev.size(), 1u);
  EXPECT_EQ(json::parse(ev[0].str(0))["attributes"]["os"], "CentOS 7");
  EXPECT_EQ(json::parse(ev[0].str(1))["attributes"]["os"], "Kylin V10");
}

INSTANTIATE_TEST_SUITE_P(Backends, CiServiceTest, testing::kAllBackends,
                         testing::backend_test_name);

}  // namespace
}  // namespace yunwei::cmdb
