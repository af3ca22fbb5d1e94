#include "core/text.h"

#include <gtest/gtest.h>

#include "core/crypto.h"

namespace yunwei::core {
namespace {

TEST(Utf8, AcceptsChineseAndRejectsBrokenSequences) {
  EXPECT_TRUE(valid_utf8("服务台 Service Desk"));
  EXPECT_FALSE(valid_utf8("\xff"));
  EXPECT_FALSE(valid_utf8("\xe6\x9c"));          // truncated
  EXPECT_FALSE(valid_utf8("\xc0\xaf"));          // overlong '/'
  EXPECT_FALSE(valid_utf8("\xed\xa0\x80"));      // surrogate
  EXPECT_FALSE(valid_utf8("\xf4\x90\x80\x80"));  // past U+10FFFF
  EXPECT_EQ(utf8_length("运维ops"), 5u);
}

TEST(UrlDecode, DecodesPercentAndPlusAndRejectsBadEscapes) {
  std::string out;
  ASSERT_TRUE(url_decode("%E7%BD%91%E7%BB%9C+ok", out));
  EXPECT_EQ(out, "网络 ok");
  EXPECT_FALSE(url_decode("%E7%B", out));
  EXPECT_FALSE(url_decode("%zz", out));
}

TEST(Crypto, Base64UrlRoundTripsAndTokensDiffer) {
  std::string back;
  ASSERT_TRUE(base64url_decode(base64url_encode("id\n42\n7"), back));
  EXPECT_EQ(back, "id\n42\n7");
  EXPECT_FALSE(base64url_decode("***", back));
  EXPECT_NE(random_token(32), random_token(32));
  EXPECT_EQ(sha256_hex("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

}  // namespace
}  // namespace yunwei::core
