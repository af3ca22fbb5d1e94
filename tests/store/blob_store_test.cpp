#include "store/blob_store.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <cctype>
#include <cstdio>
#include <filesystem>
#include <latch>
#include <string>
#include <thread>
#include <vector>

#include "core/crypto.h"

namespace yunwei::store {
namespace {

namespace fs = std::filesystem;
using core::ErrorCode;
using namespace std::string_literals;

// Every regular file under `dir`, temporary files included.
std::vector<fs::path> files_under(const fs::path& dir) {
  std::vector<fs::path> out;
  if (!fs::exists(dir)) return out;
  for (const auto& e : fs::recursive_directory_iterator(dir)) {
    if (e.is_regular_file()) out.push_back(e.path());
  }
  return out;
}

class BlobStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("yunwei-blob-" + core::random_token(9));
  }
  void TearDown() override {
    std::error_code ec;
    fs::remove_all(dir_, ec);
  }
  fs::path dir_;
};

TEST_F(BlobStoreTest, PutThenGetRoundTripsBinaryData) {
  BlobStore blobs(dir_ / "blobs");
  EXPECT_FALSE(fs::exists(blobs.root()));  // created on first put
  std::string data = "PK\x03\x04\0\0\r\n\xff\xfe 运维\0"s;
  auto sha = blobs.put(data);
  ASSERT_TRUE(sha.ok()) << sha.error().message;
  EXPECT_EQ(sha.value(), core::sha256_hex(data));
  EXPECT_EQ(sha.value().size(), 64u);

  fs::path expected = dir_ / "blobs" / sha.value().substr(0, 2) / sha.value();
  EXPECT_TRUE(fs::is_regular_file(expected));
  EXPECT_EQ(fs::file_size(expected), data.size());
  EXPECT_TRUE(blobs.contains(sha.value()));

  auto back = blobs.get(sha.value());
  ASSERT_TRUE(back.ok()) << back.error().message;
  EXPECT_EQ(back.value(), data);

  // A second store over the same directory sees it too.
  BlobStore again(dir_ / "blobs");
  EXPECT_EQ(again.get(sha.value()).value(), data);
}

TEST_F(BlobStoreTest, EmptyBlob) {
  BlobStore blobs(dir_);
  auto sha = blobs.put("");
  ASSERT_TRUE(sha.ok());
  EXPECT_EQ(sha.value(), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  auto back = blobs.get(sha.value());
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(back.value(), "");
}

TEST_F(BlobStoreTest, SameContentTwiceIsStoredOnceAndNotRewritten) {
  BlobStore blobs(dir_);
  std::string a = blobs.put("same bytes").value();
  fs::path path = dir_ / a.substr(0, 2) / a;
  struct stat before {};
  ASSERT_EQ(::stat(path.c_str(), &before), 0);
  std::string b = blobs.put("same bytes").value();
  EXPECT_EQ(a, b);
  struct stat after {};
  ASSERT_EQ(::stat(path.c_str(), &after), 0);
  EXPECT_EQ(before.st_ino, after.st_ino);  // not replaced by a new file
  EXPECT_EQ(files_under(dir_).size(), 1u);

  std::string c = blobs.put("other bytes").value();
  EXPECT_NE(a, c);
  EXPECT_EQ(files_under(dir_).size(), 2u);
}

TEST_F(BlobStoreTest, MalformedShaIsInvalidArgument) {
  fs::create_directories(dir_ / "root");
  BlobStore blobs(dir_ / "root");
  std::string good = core::sha256_hex("x");
  std::string upper = good;
  for (char& ch : upper) ch = static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
  for (const std::string& bad :
       std::vector<std::string>{""s, "abc"s, good.substr(0, 63), good + "0", upper,
                                "../" + good.substr(3), "../../etc/passwd"s, std::string(64, 'g'),
                                good.substr(0, 63) + "/", good.substr(0, 63) + "\0"s}) {
    auto r = blobs.get(bad);
    ASSERT_FALSE(r.ok()) << bad;
    EXPECT_EQ(r.error().code, ErrorCode::kInvalidArgument) << bad;
    EXPECT_EQ(r.error().field, "sha256");
    EXPECT_FALSE(blobs.contains(bad)) << bad;
  }
}

TEST_F(BlobStoreTest, UnknownShaIsNotFound) {
  BlobStore blobs(dir_);
  std::string sha = core::sha256_hex("never stored");
  auto r = blobs.get(sha);  // root does not even exist yet
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, ErrorCode::kNotFound);
  EXPECT_FALSE(blobs.contains(sha));

  ASSERT_TRUE(blobs.put("something else").ok());
  r = blobs.get(sha);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, ErrorCode::kNotFound);
}

TEST_F(BlobStoreTest, CorruptedBlobIsAnInternalError) {
  BlobStore blobs(dir_);
  std::string sha = blobs.put("original").value();
  fs::path path = dir_ / sha.substr(0, 2) / sha;
  fs::permissions(path, fs::perms::owner_write, fs::perm_options::add);
  {
    FILE* f = std::fopen(path.c_str(), "wb");
    ASSERT_NE(f, nullptr);
    std::fputs("tampered", f);
    std::fclose(f);
  }
  auto r = blobs.get(sha);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, ErrorCode::kInternal);
  EXPECT_NE(r.error().message.find(path.string()), std::string::npos);
}

TEST_F(BlobStoreTest, IoFailureNamesThePath) {
  // root is an existing regular file, so the shard directory cannot be created.
  {
    std::FILE* f = std::fopen(dir_.c_str(), "wb");
    ASSERT_NE(f, nullptr);
    std::fclose(f);
  }
  BlobStore blobs(dir_);
  auto r = blobs.put("data");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, ErrorCode::kInternal);
  EXPECT_NE(r.error().message.find(dir_.string()), std::string::npos) << r.error().message;
  std::error_code ec;
  fs::remove(dir_, ec);
}

TEST_F(BlobStoreTest, ConcurrentPutsOfTheSameContent) {
  BlobStore blobs(dir_);
  std::string data(256 * 1024, '\0');
  for (std::size_t i = 0; i < data.size(); ++i) data[i] = static_cast<char>(i * 7 + i / 251);
  constexpr int kThreads = 8;
  std::vector<std::string> shas(kThreads);
  std::vector<std::thread> threads;
  std::latch start(kThreads);  // all threads race on the first put
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      start.arrive_and_wait();
      for (int round = 0; round < 5; ++round) {
        auto r = blobs.put(data);
        shas[t] = r.ok() ? r.value() : "error: " + r.error().message;
      }
    });
  }
  for (auto& th : threads) th.join();
  const std::string expected = core::sha256_hex(data);
  for (const std::string& s : shas) EXPECT_EQ(s, expected);
  auto files = files_under(dir_);
  ASSERT_EQ(files.size(), 1u);  // no leftover temporary files
  EXPECT_EQ(files[0], dir_ / expected.substr(0, 2) / expected);
  EXPECT_EQ(blobs.get(expected).value(), data);
}

}  // namespace
}  // namespace yunwei::store
