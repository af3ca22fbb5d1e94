#include "identity/password.h"

#include <gtest/gtest.h>

#include "support/test_db.h"

namespace yunwei::identity {
namespace {

using core::ErrorCode;
using testing::failed_with;
using testing::must;

// The one test at production cost (~0.2 s).
TEST(PasswordHasher, InteractiveHashesVerifyTheRightPasswordOnly) {
  PasswordHasher hasher(PasswordHasher::Strength::kInteractive);
  std::string h = must(hasher.hash("correct horse 电池 staple"));
  EXPECT_EQ(h.rfind("$argon2id$", 0), 0u) << h;
  EXPECT_TRUE(hasher.verify(h, "correct horse 电池 staple"));
  EXPECT_FALSE(hasher.verify(h, "correct horse 电池 staplE"));
}

TEST(PasswordHasher, SaltsEachHashAndRejectsMangledHashes) {
  PasswordHasher hasher(PasswordHasher::Strength::kMinimum);
  std::string a = must(hasher.hash("hunter2hunter2"));
  std::string b = must(hasher.hash("hunter2hunter2"));
  EXPECT_NE(a, b);
  EXPECT_TRUE(hasher.verify(a, "hunter2hunter2"));
  EXPECT_TRUE(hasher.verify(b, "hunter2hunter2"));
  EXPECT_FALSE(hasher.verify(a, ""));
  EXPECT_FALSE(hasher.verify("", "hunter2hunter2"));
  EXPECT_FALSE(hasher.verify("not a hash", "hunter2hunter2"));
  EXPECT_FALSE(hasher.verify(a.substr(0, a.size() - 2), "hunter2hunter2"));
}

TEST(PasswordHasher, DummyHashMatchesNoOrdinaryPassword) {
  PasswordHasher hasher(PasswordHasher::Strength::kMinimum);
  const std::string& dummy = hasher.dummy_hash();
  EXPECT_EQ(dummy.rfind("$argon2id$", 0), 0u);
  EXPECT_FALSE(hasher.verify(dummy, ""));
  EXPECT_FALSE(hasher.verify(dummy, "password"));
}

TEST(PasswordPolicy, NeedsEightCharactersCountedAsCharactersNotBytes) {
  EXPECT_TRUE(failed_with(check_password_policy("1234567", "new_password"),
                          ErrorCode::kInvalidArgument, "new_password"));
  EXPECT_TRUE(check_password_policy("12345678", "password").ok());
  // Seven Chinese characters are 21 bytes but still too short; eight are enough.
  EXPECT_TRUE(failed_with(check_password_policy("运维服务管理平", "password"),
                          ErrorCode::kInvalidArgument, "password"));
  EXPECT_TRUE(check_password_policy("运维服务管理平台", "password").ok());
}

TEST(PasswordPolicy, RejectsOverlongAndInvalidUtf8Passwords) {
  EXPECT_TRUE(check_password_policy(std::string(256, 'x'), "password").ok());
  EXPECT_TRUE(failed_with(check_password_policy(std::string(257, 'x'), "password"),
                          ErrorCode::kInvalidArgument, "password"));
  EXPECT_TRUE(failed_with(check_password_policy("abcdefgh\xff", "password"),
                          ErrorCode::kInvalidArgument, "password"));
}

}  // namespace
}  // namespace yunwei::identity
