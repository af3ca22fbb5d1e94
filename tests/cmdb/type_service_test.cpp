#include "cmdb/type_service.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "support/test_db.h"

namespace yunwei::cmdb {
namespace {

using nlohmann::json;
using testing::must;

class CiTypeServiceTest : public testing::BackendTest {
 protected:
  void SetUp() override {
    BackendTest::SetUp();
    if (IsSkipped() || HasFatalFailure()) return;
    types_ = std::make_unique<CiTypeService>(db(), clock_);
    must(types_->seed_defaults(admin_));
  }

  static std::vector<AttributeDef> attrs(const json& j) { return must(parse_schema(j.dump())); }

  // A CI of the type with these stored values, straight into the table (the CI service is the
  // next slice of #6).
  std::int64_t ci(std::int64_t type_id, const std::string& name, const json& values) {
    return must(
        store::write_tx<std::int64_t>(db(), [&](store::Tx& tx) -> core::Result<std::int64_t> {
          auto row = tx.query_row(
              "INSERT INTO cis (type_id, name, attributes, created_at, updated_at) VALUES (?, ?, ?,"
              " 0, 0) RETURNING id",
              {type_id, name, values.dump()});
          if (!row.ok()) return std::move(row).error();
          return (*row)->i64(0);
        }));
  }

  store::Actor admin_{1, "test"};
  std::unique_ptr<CiTypeService> types_;
};

TEST_P(CiTypeServiceTest, ShipsTheTwelveTypesOnceWithTheirSchemas) {
  std::vector<CiType> all = must(types_->list());
  ASSERT_EQ(all.size(), 12u);
  must(types_->seed_defaults(admin_));
  EXPECT_EQ(must(types_->list()).size(), 12u) << "seeding again adds nothing";
  std::optional<CiType> server = must(types_->find("server"));
  ASSERT_TRUE(server);
  EXPECT_TRUE(server->builtin);
  EXPECT_EQ(server->name_zh, "服务器");
  EXPECT_EQ(server->attributes.front().key, "hostname");
  EXPECT_TRUE(server->attributes.front().required);
  EXPECT_FALSE(must(types_->find("mainframe")));
}

TEST_P(CiTypeServiceTest, CreatesATypeAndRefusesBadOnesNamingTheField) {
  CiTypeInput in{
      "printer", "Printer", "打印机", "Office printers",
      attrs(
          {{{"key", "model"}, {"name", "Model"}, {"kind", "string"}},
           {{"key", "room"}, {"name", "Room"}, {"kind", "reference"}, {"ref_type", "location"}}})};
  CiType t = must(types_->create(admin_, in));
  EXPECT_EQ(t.key, "printer");
  EXPECT_FALSE(t.builtin);
  EXPECT_EQ(t.attributes.size(), 2u);

  auto dup = types_->create(admin_, in);
  ASSERT_FALSE(dup.ok());
  EXPECT_EQ(dup.error().code, core::ErrorCode::kConflict);
  EXPECT_EQ(dup.error().field, "key");

  CiTypeInput bad = in;
  bad.key = "Printer 2";
  EXPECT_EQ(types_->create(admin_, bad).error().field, "key");
  bad = in;
  bad.key = "scanner";
  bad.name = " ";
  EXPECT_EQ(types_->create(admin_, bad).error().field, "name");
  bad = in;
  bad.key = "scanner";
  bad.attributes[1].ref_type = "building";
  EXPECT_EQ(types_->create(admin_, bad).error().field, "attributes[1].ref_type");
  // A type may refer to itself (a rack inside a room inside a data centre).
  bad.key = "zone";
  bad.attributes[1].ref_type = "zone";
  EXPECT_TRUE(types_->create(admin_, bad).ok());
}

TEST_P(CiTypeServiceTest, ASchemaChangeReportsTheCisThatNoLongerFitAndChangesNothing) {
  CiType t = must(
      types_->create(admin_, {"appliance", "Appliance", "设备", "",
                              attrs({{{"key", "model"}, {"name", "Model"}, {"kind", "string"}},
                                     {{"key", "env"},
                                      {"name", "Env"},
                                      {"kind", "enum"},
                                      {"options", {{{"value", "prod"}}, {{"value", "test"}}}}}})}));
  std::int64_t fits = ci(t.id, "ap-01", {{"model", "X1"}, {"env", "prod"}});
  std::int64_t misfit = ci(t.id, "ap-02", {{"env", "test"}});
  (void)fits;

  // Make model required and drop "test": ap-02 breaks twice.
  CiTypePatch p;
  p.version = t.version;
  p.attributes = attrs(
      {{{"key", "model"}, {"name", "Model"}, {"kind", "string"}, {"required", true}},
       {{"key", "env"}, {"name", "Env"}, {"kind", "enum"}, {"options", {{{"value", "prod"}}}}}});
  TypeChange refused = must(types_->update(admin_, t.id, p));
  EXPECT_FALSE(refused.applied);
  EXPECT_EQ(refused.checked, 2);
  ASSERT_EQ(refused.misfits.size(), 1u);
  EXPECT_EQ(refused.misfits[0].ci_id, misfit);
  EXPECT_EQ(refused.misfits[0].name, "ap-02");
  EXPECT_EQ(refused.misfits[0].problems,
            (std::vector<std::string>{"attributes.model: is required",
                                      "attributes.env: must be one of prod"}));
  CiType unchanged = must(types_->get(t.id));
  EXPECT_EQ(unchanged.version, t.version);
  EXPECT_FALSE(unchanged.attributes[0].required);

  // A dry run of a harmless change reports and changes nothing either.
  CiTypePatch dry;
  dry.version = t.version;
  dry.name = "Network appliance";
  dry.dry_run = true;
  TypeChange preview = must(types_->update(admin_, t.id, dry));
  EXPECT_FALSE(preview.applied);
  EXPECT_EQ(must(types_->get(t.id)).name, "Appliance");

  // Accepting the misfits applies the change (the CIs are reported, not rewritten).
  p.accept_misfits = true;
  TypeChange applied = must(types_->update(admin_, t.id, p));
  EXPECT_TRUE(applied.applied);
  EXPECT_EQ(applied.misfits.size(), 1u);
  EXPECT_EQ(applied.type.version, t.version + 1);
  EXPECT_TRUE(applied.type.attributes[0].required);

  // The old version is stale now.
  auto stale = types_->update(admin_, t.id, p);
  ASSERT_FALSE(stale.ok());
  EXPECT_EQ(stale.error().code, core::ErrorCode::kConflict);
  EXPECT_EQ(stale.error().field, "version");
  auto events =
      query("SELECT action FROM events WHERE object_type = 'ci_type' AND object_id = ?", {t.id});
  EXPECT_EQ(events.size(), 2u) << "create and the one applied update";
}

INSTANTIATE_TEST_SUITE_P(Backends, CiTypeServiceTest, testing::kAllBackends,
                         testing::backend_test_name);

}  // namespace
}  // namespace yunwei::cmdb
