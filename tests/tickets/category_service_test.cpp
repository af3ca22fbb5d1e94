#include "tickets/category_service.h"

#include <gtest/gtest.h>

#include <memory>

#include "support/test_db.h"

namespace yunwei::tickets {
namespace {

using core::ErrorCode;
using testing::failed_with;
using testing::must;

class CategoryServiceTest : public testing::BackendTest {
 protected:
  void SetUp() override {
    BackendTest::SetUp();
    if (IsSkipped() || HasFatalFailure()) return;
    categories_ = std::make_unique<CategoryService>(db(), clock_);
  }
  std::unique_ptr<CategoryService> categories_;
};

TEST_P(CategoryServiceTest, SeedsAnItDepartmentsTwoLevelTreeOnce) {
  must(categories_->seed_defaults({}));
  must(categories_->seed_defaults({}));
  auto all = must(categories_->list());
  ASSERT_GT(all.size(), 20u);
  EXPECT_EQ(all[0].code, "network");
  EXPECT_EQ(all[0].name_zh, "网络");
  EXPECT_EQ(all[1].parent_id, all[0].id) << "children follow their parent";
  int security = 0;
  for (const Category& c : all) {
    if (c.code.rfind("security", 0) == 0) {
      EXPECT_TRUE(c.security) << c.code << " inherits the security flag";
      ++security;
    } else {
      EXPECT_FALSE(c.security) << c.code;
    }
  }
  EXPECT_EQ(security, 5);
}

TEST_P(CategoryServiceTest, KeepsTheTreeToTwoLevelsAndCodesUnique) {
  Category top = must(categories_->create({}, {std::nullopt, "hr", "HR systems", "人力资源系统"}));
  Category child = must(categories_->create({}, {top.id, "hr.payroll", "Payroll", "薪酬"}));
  EXPECT_TRUE(failed_with(categories_->create({}, {child.id, "hr.payroll.x", "Too deep", ""}),
                          ErrorCode::kInvalidArgument, "parent_id"));
  EXPECT_TRUE(failed_with(categories_->create({}, {std::nullopt, "hr", "Again", ""}),
                          ErrorCode::kConflict, "code"));
  EXPECT_TRUE(failed_with(categories_->create({}, {std::nullopt, "HR Systems", "x", ""}),
                          ErrorCode::kInvalidArgument, "code"));
  EXPECT_TRUE(failed_with(categories_->create({}, {std::nullopt, "x", " ", ""}),
                          ErrorCode::kInvalidArgument, "name"));
  EXPECT_TRUE(failed_with(categories_->create({}, {999, "y", "Orphan", ""}),
                          ErrorCode::kInvalidArgument, "parent_id"));
}

TEST_P(CategoryServiceTest, MarkingAParentSecurityMarksItsChildrenAndVersionsGuardEdits) {
  Category top = must(categories_->create({}, {std::nullopt, "soc", "SOC", "安全运营"}));
  Category child = must(categories_->create({}, {top.id, "soc.alerts", "Alerts", "告警"}));
  CategoryPatch p;
  p.version = top.version;
  p.security = true;
  Category updated = must(categories_->update({}, top.id, p));
  EXPECT_TRUE(updated.security);
  EXPECT_TRUE(failed_with(categories_->update({}, top.id, p), ErrorCode::kConflict, "version"));
  auto all = must(categories_->list());
  for (const Category& c : all) {
    if (c.id == child.id) {
      EXPECT_TRUE(c.security);
    }
  }
  CategoryPatch unmark;
  unmark.version = child.version + 1;  // bumped by the parent's change
  unmark.security = false;
  EXPECT_TRUE(failed_with(categories_->update({}, child.id, unmark), ErrorCode::kInvalidArgument,
                          "security"));
  EXPECT_EQ(query("SELECT COUNT(*) FROM events WHERE object_type = 'category'")[0].i64(0), 3);
}

INSTANTIATE_TEST_SUITE_P(Backends, CategoryServiceTest, testing::kAllBackends,
                         testing::backend_test_name);

}  // namespace
}  // namespace yunwei::tickets
