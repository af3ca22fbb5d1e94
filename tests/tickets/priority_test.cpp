#include "tickets/priority.h"

#include <gtest/gtest.h>

namespace yunwei::tickets {
namespace {

TEST(PriorityMatrix, TheStandardMatrixIsServiceNowsThreeByThree) {
  PriorityMatrix m = PriorityMatrix::standard();
  ASSERT_TRUE(m.validate().ok());
  const char* expected[3][3] = {{"P1", "P2", "P3"}, {"P2", "P3", "P4"}, {"P3", "P4", "P5"}};
  for (int impact = 1; impact <= 3; ++impact) {
    for (int urgency = 1; urgency <= 3; ++urgency) {
      EXPECT_EQ(m.priority(impact, urgency).value(), expected[impact - 1][urgency - 1])
          << impact << "x" << urgency;
    }
  }
}

TEST(PriorityMatrix, OutOfRangeImpactOrUrgencyNamesTheField) {
  PriorityMatrix m = PriorityMatrix::standard();
  EXPECT_EQ(m.priority(0, 1).error().field, "impact");
  EXPECT_EQ(m.priority(4, 1).error().field, "impact");
  EXPECT_EQ(m.priority(1, 0).error().field, "urgency");
  EXPECT_EQ(m.priority(1, 4).error().field, "urgency");
}

TEST(PriorityMatrix, AnEditedMatrixOfOtherSizeWorks) {
  // iTop-like: 3 impacts x 4 urgencies.
  PriorityMatrix m{3, 4, {"P1", "P1", "P2", "P4", "P1", "P2", "P3", "P4", "P2", "P3", "P3", "P4"}};
  ASSERT_TRUE(m.validate().ok()) << m.validate().error().message;
  EXPECT_EQ(m.priority(2, 3).value(), "P3");
  EXPECT_EQ(m.priority(3, 4).value(), "P4");
}

TEST(PriorityMatrix, ValidationRejectsBadShapesValuesAndInversions) {
  PriorityMatrix m = PriorityMatrix::standard();
  m.cells.pop_back();
  EXPECT_EQ(m.validate().error().field, "cells");
  m = PriorityMatrix::standard();
  m.cells[4] = "P9";
  EXPECT_EQ(m.validate().error().field, "cells[4]");
  m = PriorityMatrix::standard();
  m.cells[8] = "P1";  // low impact, low urgency outranking everything
  EXPECT_EQ(m.validate().error().field, "cells[8]");
  m = PriorityMatrix::standard();
  m.impact_levels = 6;
  EXPECT_EQ(m.validate().error().field, "impact_levels");
}

TEST(PriorityRank, OrdersP1First) {
  EXPECT_EQ(priority_rank("P1"), 1);
  EXPECT_EQ(priority_rank("P5"), 5);
  EXPECT_EQ(priority_rank("P6"), 0);
  EXPECT_EQ(priority_rank("high"), 0);
}

}  // namespace
}  // namespace yunwei::tickets
