#include "identity/throttle.h"

#include <gtest/gtest.h>

#include "support/test_db.h"

namespace yunwei::identity {
namespace {

constexpr core::TimeMs kT0 = testing::kTestStart;
constexpr std::int64_t kWindowMs = 60'000;

TEST(LoginThrottle, AllowsUpToTheLimitThenBlocksUntilTheOldestFailureLeavesTheWindow) {
  LoginThrottle t(3, kWindowMs);
  EXPECT_EQ(t.retry_after_s("u:alice", kT0), 0);
  t.record_failure("u:alice", kT0);
  t.record_failure("u:alice", kT0 + 10'000);
  EXPECT_EQ(t.retry_after_s("u:alice", kT0 + 10'000), 0);
  t.record_failure("u:alice", kT0 + 20'000);
  EXPECT_EQ(t.retry_after_s("u:alice", kT0 + 20'000), 40);
  EXPECT_EQ(t.retry_after_s("u:alice", kT0 + 59'999), 1);
  // The window slides: once the first failure is a minute old, two remain and a try is allowed.
  EXPECT_EQ(t.retry_after_s("u:alice", kT0 + 60'000), 0);
}

TEST(LoginThrottle, RoundsTheWaitUpToWholeSeconds) {
  LoginThrottle t(1, kWindowMs);
  t.record_failure("k", kT0);
  EXPECT_EQ(t.retry_after_s("k", kT0 + 59'001), 1);
  EXPECT_EQ(t.retry_after_s("k", kT0 + 58'999), 2);
  EXPECT_EQ(t.retry_after_s("k", kT0), 60);
}

TEST(LoginThrottle, CountsKeysIndependently) {
  LoginThrottle t(2, kWindowMs);
  t.record_failure("u:alice", kT0);
  t.record_failure("u:alice", kT0);
  t.record_failure("u:bob", kT0);
  EXPECT_GT(t.retry_after_s("u:alice", kT0), 0);
  EXPECT_EQ(t.retry_after_s("u:bob", kT0), 0);
  EXPECT_EQ(t.retry_after_s("u:carol", kT0), 0);
}

TEST(LoginThrottle, ResetForgetsAKeysFailures) {
  LoginThrottle t(2, kWindowMs);
  t.record_failure("u:alice", kT0);
  t.record_failure("u:alice", kT0);
  ASSERT_GT(t.retry_after_s("u:alice", kT0), 0);
  t.reset("u:alice");
  EXPECT_EQ(t.retry_after_s("u:alice", kT0), 0);
  t.record_failure("u:alice", kT0);
  EXPECT_EQ(t.retry_after_s("u:alice", kT0), 0);
}

TEST(LoginThrottle, KeepsCountingAKeyAfterOthersAreSweptAway) {
  LoginThrottle t(2, kWindowMs);
  t.record_failure("old", kT0);
  t.record_failure("old", kT0);
  // Much later: the sweep drops "old" while "new" accumulates failures normally.
  core::TimeMs later = kT0 + 10 * kWindowMs;
  t.record_failure("new", later);
  t.record_failure("new", later + 1);
  EXPECT_EQ(t.retry_after_s("old", later), 0);
  EXPECT_EQ(t.retry_after_s("new", later + 1), 60);
}

}  // namespace
}  // namespace yunwei::identity
