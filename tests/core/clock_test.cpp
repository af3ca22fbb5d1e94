#include "core/clock.h"

#include <gtest/gtest.h>

namespace yunwei::core {
namespace {

TEST(Iso8601, FormatsUtcWithMilliseconds) {
  EXPECT_EQ(format_iso8601(0), "1970-01-01T00:00:00.000Z");
  EXPECT_EQ(format_iso8601(1709542800123), "2024-03-04T09:00:00.123Z");
}

TEST(Iso8601, ParsesZuluOffsetsAndFractions) {
  TimeMs t = 0;
  ASSERT_TRUE(parse_iso8601("2024-03-04T09:00:00Z", t));
  EXPECT_EQ(t, 1709542800000);
  ASSERT_TRUE(parse_iso8601("2024-03-04T17:00:00.5+08:00", t));
  EXPECT_EQ(t, 1709542800500);
  ASSERT_TRUE(parse_iso8601("2024-02-29T23:59:59Z", t));  // leap day
  ASSERT_TRUE(parse_iso8601("2024-03-04", t));
  EXPECT_EQ(t, 1709510400000);
}

TEST(Iso8601, RejectsMalformedInput) {
  TimeMs t = 0;
  for (const char* bad :
       {"", "2024", "2024-13-01T00:00:00Z", "2024-03-04T09:00:00", "2024-03-04T25:00:00Z",
        "2024-03-04T09:00:00Zjunk", "yesterday", "2024-03-04T09:00:00.Z", "2024-02-30",
        "2023-02-29T00:00:00Z", "2024-04-31T00:00:00Z", "2024-03-04T09:00:00+25:00",
        "2024-03-04T09:00:00-08:60"}) {
    EXPECT_FALSE(parse_iso8601(bad, t)) << bad;
  }
}

TEST(FakeClock, MovesOnlyWhenTold) {
  FakeClock clock{1000};
  EXPECT_EQ(clock.now_ms(), 1000);
  clock.advance(std::chrono::minutes(1));
  EXPECT_EQ(clock.now_ms(), 61000);
}

}  // namespace
}  // namespace yunwei::core
