#pragma once

#include <gtest/gtest.h>

#include <cstdint>
#include <memory>
#include <source_location>
#include <stdexcept>
#include <string>
#include <utility>

#include "core/clock.h"
#include "core/result.h"
#include "store/database.h"
#include "store/migrations.h"
#include "support/server_process.h"

namespace yunwei::testing {

// 2024-03-04T09:00:00Z, where every FakeClock in these tests starts.
inline constexpr core::TimeMs kTestStart = 1709542800000;

inline std::string describe_error(const core::Error& e) {
  std::string out = std::string(core::error_code_name(e.code)) + ": " + e.message;
  if (!e.field.empty()) out += " (field " + e.field + ")";
  return out;
}

// EXPECT_TRUE(failed_with(r, ErrorCode::kConflict, "username")): `r` failed with `code` and,
// when `field` is given, names that field.
template <class R>
::testing::AssertionResult failed_with(const R& r, core::ErrorCode code,
                                       const char* field = nullptr) {
  if (r.ok()) {
    return ::testing::AssertionFailure()
           << "succeeded; expected " << core::error_code_name(code)
           << (field ? std::string(" on field ") + field : std::string());
  }
  const core::Error& e = r.error();
  if (e.code != code || (field && e.field != field)) {
    return ::testing::AssertionFailure()
           << "failed with " << describe_error(e) << "; expected " << core::error_code_name(code)
           << (field ? std::string(" on field ") + field : std::string());
  }
  return ::testing::AssertionSuccess();
}

// The value of an ok Result. Otherwise records a failure at the caller and throws, which ends
// the test (gtest reports the exception): for setup steps that must work.
template <class T>
T must(core::Result<T> r, std::source_location at = std::source_location::current()) {
  if (!r.ok()) {
    std::string what = describe_error(r.error());
    ADD_FAILURE_AT(at.file_name(), static_cast<int>(at.line())) << what;
    throw std::runtime_error(what);
  }
  return std::move(r).value();
}

inline void must(const core::Status& st,
                 std::source_location at = std::source_location::current()) {
  if (!st.ok()) {
    std::string what = describe_error(st.error());
    ADD_FAILURE_AT(at.file_name(), static_cast<int>(at.line())) << what;
    throw std::runtime_error(what);
  }
}

// A fresh database per test on the backend of the test parameter: a SQLite file in a
// temporary directory, or a new PostgreSQL database (skipped unless YUNWEI_TEST_PG is set).
// Migrated unless the subclass sets migrate_ = false before SetUp.
class BackendTest : public ::testing::TestWithParam<TestBackend> {
 protected:
  void SetUp() override {
    store::OpenOptions options;
    if (GetParam() == TestBackend::kPostgres) {
      if (test_pg_url().empty()) GTEST_SKIP() << "YUNWEI_TEST_PG is not set";
      pg_ = std::make_unique<TempPgDatabase>();
      ASSERT_FALSE(pg_->url().empty()) << "cannot create a database at " << test_pg_url();
      options.url = pg_->url();
    } else {
      dir_ = std::make_unique<TempDir>();
      ASSERT_FALSE(dir_->path().empty());
      options.url = dir_->path() + "/yunwei.db";
    }
    options.sqlite_readers = 2;
    options.pg_pool_size = 2;
    url_ = options.url;
    auto opened = store::open_database(options);
    ASSERT_TRUE(opened.ok()) << describe_error(opened.error());
    db_ = std::move(opened).value();
    if (migrate_) {
      auto applied = store::migrate(*db_, clock_);
      ASSERT_TRUE(applied.ok()) << describe_error(applied.error());
    }
  }

  void TearDown() override {
    db_.reset();
    pg_.reset();
    dir_.reset();
  }

  store::Database& db() { return *db_; }
  // Closes the database and opens it again (as a restart would), without migrating.
  void reopen() {
    db_.reset();
    store::OpenOptions options;
    options.url = url_;
    options.sqlite_readers = 2;
    options.pg_pool_size = 2;
    auto opened = store::open_database(options);
    ASSERT_TRUE(opened.ok()) << describe_error(opened.error());
    db_ = std::move(opened).value();
  }
  store::Backend backend() const {
    return GetParam() == TestBackend::kPostgres ? store::Backend::kPostgres
                                                : store::Backend::kSqlite;
  }

  // Runs `sql` in its own transaction and returns its rows; fails the test on error.
  store::Rows query(const std::string& sql, const store::Params& params = {}) {
    return must(store::read_tx<store::Rows>(
        *db_, [&](store::Tx& tx) -> core::Result<store::Rows> { return tx.query(sql, params); }));
  }
  std::int64_t count(const std::string& table, const std::string& where = "1=1",
                     const store::Params& params = {}) {
    store::Rows rows = query("SELECT COUNT(*) FROM " + table + " WHERE " + where, params);
    return rows.at(0).i64(0);
  }

  core::FakeClock clock_{kTestStart};
  bool migrate_ = true;
  std::string url_;  // what the database was opened with

 private:
  std::unique_ptr<TempDir> dir_;
  std::unique_ptr<TempPgDatabase> pg_;
  std::unique_ptr<store::Database> db_;
};

// INSTANTIATE_TEST_SUITE_P(Backends, SomeTest, kAllBackends, backend_test_name);
inline const auto kAllBackends = ::testing::Values(TestBackend::kSqlite, TestBackend::kPostgres);
inline std::string backend_test_name(const ::testing::TestParamInfo<TestBackend>& info) {
  return backend_name(info.param);
}

}  // namespace yunwei::testing
