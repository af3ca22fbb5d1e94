#include "store/database.h"

#include <gtest/gtest.h>

#include <atomic>
#include <cstdint>
#include <limits>
#include <thread>
#include <vector>

#include "store/audit.h"
#include "store/outbox.h"
#include "store/pg/pg_database.h"
#include "support/test_db.h"

namespace yunwei::store {
namespace {

using core::ErrorCode;
using testing::failed_with;
using testing::must;

constexpr std::int64_t kMin = std::numeric_limits<std::int64_t>::min();
constexpr std::int64_t kMax = std::numeric_limits<std::int64_t>::max();

class DatabaseTest : public testing::BackendTest {
 protected:
  void SetUp() override {
    BackendTest::SetUp();
    if (IsSkipped() || HasFatalFailure()) return;
    Migration samples{0, "samples",
                      "CREATE TABLE samples (id {{ID}}, t TEXT, i {{INT}}, d DOUBLE PRECISION)"};
    must(db().write(
        [&](Tx& tx) { return tx.exec_script(render_migration_sql(samples, tx.backend())); }));
  }

  std::int64_t insert_sample(const Value& t, const Value& i, const Value& d) {
    return must(write_tx<std::int64_t>(db(), [&](Tx& tx) -> core::Result<std::int64_t> {
      auto row =
          tx.query_row("INSERT INTO samples (t, i, d) VALUES (?, ?, ?) RETURNING id", {t, i, d});
      if (!row.ok()) return std::move(row).error();
      return (*row)->i64(0);
    }));
  }

  Row sample(std::int64_t id) {
    Rows rows = query("SELECT t, i, d FROM samples WHERE id = ?", {id});
    if (rows.empty()) throw std::runtime_error("no sample " + std::to_string(id));
    return rows.front();
  }

  // Inserts a user row directly; returns the statement's result.
  static core::Result<std::int64_t> insert_user(Tx& tx, const std::string& username) {
    auto row = tx.query_row(
        "INSERT INTO users (username, display_name, created_at, updated_at) VALUES (?, ?, 0, 0)"
        " RETURNING id",
        {username, std::string("User ") + username});
    if (!row.ok()) return std::move(row).error();
    return (*row)->i64(0);
  }
};

TEST_P(DatabaseTest, ConcurrentWritersEachCommitOrFailAloneEvenWhenBatchedTogether) {
  // Many threads write at once (on SQLite they share group-committed transactions): every
  // command that succeeds is stored with its event, every command that fails leaves nothing,
  // whatever else ran in the same batch.
  constexpr int kThreads = 8, kPerThread = 40;
  std::atomic<int> ok{0}, failed{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kPerThread; ++i) {
        bool should_fail = (i % 3) == 0;
        std::string text = "w";  // appended: GCC 12 -O3 warns falsely on "w" + to_string()
        text += std::to_string(t);
        text += '-';
        text += std::to_string(i);
        core::Status st = db().write([&](Tx& tx) -> core::Status {
          auto row = tx.query_row("INSERT INTO samples (t, i) VALUES (?, ?) RETURNING id",
                                  {text, std::int64_t{t}});
          if (!row.ok()) return std::move(row).error();
          auto ev =
              append_event(tx, Actor{}, 1, "sample.create", "sample", (*row)->i64(0), "", "{}");
          if (!ev.ok()) return std::move(ev).error();
          if (should_fail) return core::conflict("refused on purpose");
          return {};
        });
        (st.ok() ? ok : failed)++;
        EXPECT_EQ(st.ok(), !should_fail) << st.error().message;
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(failed.load(), kThreads * ((kPerThread + 2) / 3));
  auto counts = must(read_tx<std::pair<std::int64_t, std::int64_t>>(
      db(), [](Tx& tx) -> core::Result<std::pair<std::int64_t, std::int64_t>> {
        auto a = tx.query_row("SELECT COUNT(*) FROM samples");
        if (!a.ok()) return std::move(a).error();
        auto b = tx.query_row("SELECT COUNT(*) FROM events WHERE action = 'sample.create'");
        if (!b.ok()) return std::move(b).error();
        return std::pair{(*a)->i64(0), (*b)->i64(0)};
      }));
  EXPECT_EQ(counts.first, ok.load());
  EXPECT_EQ(counts.second, ok.load());
  // No row of a failed command survived.
  auto leaked = must(read_tx<std::int64_t>(db(), [](Tx& tx) -> core::Result<std::int64_t> {
    auto r = tx.query_row("SELECT COUNT(*) FROM samples WHERE t LIKE 'w%-0' OR t LIKE 'w%-3'");
    if (!r.ok()) return std::move(r).error();
    return (*r)->i64(0);
  }));
  EXPECT_EQ(leaked, 0);
}

TEST_P(DatabaseTest, ReportsItsBackend) {
  EXPECT_EQ(db().backend(), backend());
  must(db().read([&](Tx& tx) -> core::Status {
    EXPECT_EQ(tx.backend(), backend());
    return {};
  }));
  EXPECT_TRUE(db().ping().ok());
}

TEST_P(DatabaseTest, RoundTripsTextWithQuotesChineseAndEmoji) {
  const std::string texts[] = {
      "it's a \"quoted\" value; -- not a comment",
      "网络中断：核心交换机 ✓ 😀",
      "?  $1  '?'",
      "back\\slash and tab\there",
      "",
  };
  for (const std::string& t : texts) {
    std::int64_t id = insert_sample(t, nullptr, nullptr);
    Row r = sample(id);
    ASSERT_FALSE(r.is_null(0)) << t;
    EXPECT_EQ(r.str(0), t);
    EXPECT_TRUE(std::holds_alternative<std::string>(r.at(0)));
  }
  // Text is compared by value, not spliced: a quote in a parameter matches exactly one row.
  EXPECT_EQ(count("samples", "t = ?", {texts[0]}), 1);
  EXPECT_EQ(count("samples", "t = ?", {std::string("it")}), 0);
}

TEST_P(DatabaseTest, RoundTripsInt64ExtremesAndDoubles) {
  for (std::int64_t v : {kMin, kMin + 1, std::int64_t{-1}, std::int64_t{0}, kMax}) {
    Row r = sample(insert_sample(nullptr, v, nullptr));
    ASSERT_TRUE(std::holds_alternative<std::int64_t>(r.at(1))) << v;
    EXPECT_EQ(r.i64(1), v);
  }
  for (double v : {0.0, -0.5, 3.141592653589793, 1e300, -2.2250738585072014e-308, 0.1}) {
    Row r = sample(insert_sample(nullptr, nullptr, v));
    ASSERT_TRUE(std::holds_alternative<double>(r.at(2))) << v;
    EXPECT_EQ(r.f64(2), v);
  }
  // Extremes compare correctly as bound parameters too.
  EXPECT_EQ(count("samples", "i = ?", {kMax}), 1);
  EXPECT_EQ(count("samples", "i < ?", {kMin + 1}), 1);
}

TEST_P(DatabaseTest, RoundTripsNullInEveryColumnType) {
  Row r = sample(insert_sample(nullptr, nullptr, nullptr));
  for (size_t c = 0; c < 3; ++c) {
    EXPECT_TRUE(r.is_null(c)) << c;
  }
  EXPECT_EQ(r.opt_str(0), std::nullopt);
  EXPECT_EQ(r.opt_i64(1), std::nullopt);
  EXPECT_EQ(r.str(0), "");
  EXPECT_EQ(r.i64(1), 0);
  EXPECT_EQ(count("samples", "t IS NULL AND i IS NULL AND d IS NULL"), 1);
}

TEST_P(DatabaseTest, QueryRowIsEmptyWhenNothingMatches) {
  auto row = must(read_tx<std::optional<Row>>(db(), [](Tx& tx) {
    return tx.query_row("SELECT id FROM samples WHERE id = ?", {std::int64_t{42}});
  }));
  EXPECT_FALSE(row.has_value());
}

TEST_P(DatabaseTest, ExecCountsTheRowsItChanged) {
  insert_sample(std::string("a"), std::int64_t{1}, nullptr);
  insert_sample(std::string("b"), std::int64_t{1}, nullptr);
  insert_sample(std::string("c"), std::int64_t{2}, nullptr);
  std::int64_t n = must(write_tx<std::int64_t>(db(), [](Tx& tx) {
    return tx.exec("UPDATE samples SET t = ? WHERE i = ?", {std::string("x"), std::int64_t{1}});
  }));
  EXPECT_EQ(n, 2);
  EXPECT_EQ(count("samples", "t = ?", {std::string("x")}), 2);
}

TEST_P(DatabaseTest, ContainsSqlMatchesTwoCharacterChineseNeedles) {
  std::int64_t net = insert_sample(std::string("核心网络中断"), nullptr, nullptr);
  std::int64_t disk = insert_sample(std::string("磁盘空间不足"), nullptr, nullptr);
  insert_sample(std::string("Network down"), nullptr, nullptr);
  auto ids = [&](const std::string& needle) {
    return must(read_tx<std::vector<std::int64_t>>(
        db(), [&](Tx& tx) -> core::Result<std::vector<std::int64_t>> {
          auto rows = tx.query(
              "SELECT id FROM samples WHERE " + tx.contains_sql("t") + " ORDER BY id", {needle});
          if (!rows.ok()) return std::move(rows).error();
          std::vector<std::int64_t> out;
          for (const Row& r : *rows) out.push_back(r.i64(0));
          return out;
        }));
  };
  EXPECT_EQ(ids("网络"), std::vector<std::int64_t>{net});
  EXPECT_EQ(ids("磁盘"), std::vector<std::int64_t>{disk});
  EXPECT_EQ(ids("中断"), std::vector<std::int64_t>{net});
  EXPECT_TRUE(ids("网盘").empty());
  EXPECT_EQ(ids("work").size(), 1u);
  // Case-sensitive as documented.
  EXPECT_TRUE(ids("network").empty());
}

TEST_P(DatabaseTest, UniqueViolationIsAConflict) {
  must(write_tx<std::int64_t>(db(), [](Tx& tx) { return insert_user(tx, "alice"); }));
  auto again = write_tx<std::int64_t>(db(), [](Tx& tx) { return insert_user(tx, "alice"); });
  EXPECT_TRUE(failed_with(again, ErrorCode::kConflict));
  EXPECT_EQ(count("users"), 1);
}

TEST_P(DatabaseTest, ForeignKeyViolationIsAnInvalidArgument) {
  auto r = write_tx<std::int64_t>(db(), [](Tx& tx) {
    return tx.exec("INSERT INTO team_members (team_id, user_id, created_at) VALUES (?, ?, 0)",
                   {std::int64_t{404}, std::int64_t{405}});
  });
  EXPECT_TRUE(failed_with(r, ErrorCode::kInvalidArgument));
  EXPECT_EQ(count("team_members"), 0);
}

TEST_P(DatabaseTest, NotNullViolationIsAnInvalidArgument) {
  auto r = write_tx<std::int64_t>(db(), [](Tx& tx) {
    return tx.exec(
        "INSERT INTO users (username, display_name, created_at, updated_at)"
        " VALUES (?, NULL, 0, 0)",
        {std::string("nobody")});
  });
  EXPECT_TRUE(failed_with(r, ErrorCode::kInvalidArgument));
}

TEST_P(DatabaseTest, SyntaxErrorIsInternal) {
  auto r = read_tx<Rows>(db(), [](Tx& tx) { return tx.query("SELEKT 1"); });
  EXPECT_TRUE(failed_with(r, ErrorCode::kInternal));
}

TEST_P(DatabaseTest, AFailingWriteRollsBackEverythingItWrote) {
  core::Status st = db().write([&](Tx& tx) -> core::Status {
    YW_ASSIGN(std::int64_t uid, insert_user(tx, "bob"));
    YW_ASSIGN(std::int64_t ev, append_event(tx, Actor{uid, "req-1"}, clock_.now_ms(), "user.create",
                                            "user", uid, "", R"({"username":"bob"})"));
    YW_TRY(
        enqueue_outbox(tx, clock_.now_ms(), "email", "user.welcome", "bob@example.com", "{}", ev));
    return core::conflict("changed my mind", "why");
  });
  EXPECT_TRUE(failed_with(st, ErrorCode::kConflict, "why"));
  EXPECT_EQ(st.error().message, "changed my mind");
  EXPECT_EQ(count("users"), 0);
  EXPECT_EQ(count("events"), 0);
  EXPECT_EQ(count("outbox"), 0);
}

TEST_P(DatabaseTest, AStatementFailingMidwayLeavesNothingHalfWrittenAndTheNextWriteWorks) {
  must(write_tx<std::int64_t>(db(), [](Tx& tx) { return insert_user(tx, "carol"); }));
  core::Status st = db().write([&](Tx& tx) -> core::Status {
    YW_ASSIGN(std::int64_t uid, insert_user(tx, "dave"));
    YW_ASSIGN(std::int64_t ev,
              append_event(tx, Actor{}, clock_.now_ms(), "user.create", "user", uid, "", "{}"));
    YW_TRY(
        enqueue_outbox(tx, clock_.now_ms(), "email", "user.welcome", "dave@example.com", "{}", ev));
    YW_TRY(insert_user(tx, "carol"));  // duplicate: fails after three rows were written
    return {};
  });
  EXPECT_TRUE(failed_with(st, ErrorCode::kConflict));
  EXPECT_EQ(count("users"), 1);
  EXPECT_EQ(count("users", "username = ?", {std::string("dave")}), 0);
  EXPECT_EQ(count("events"), 0);
  EXPECT_EQ(count("outbox"), 0);
  // The connection is usable again (PostgreSQL aborts the transaction on the failed statement).
  must(write_tx<std::int64_t>(db(), [](Tx& tx) { return insert_user(tx, "erin"); }));
  EXPECT_EQ(count("users"), 2);
}

TEST_P(DatabaseTest, ACommittedWriteIsVisibleToRead) {
  std::int64_t id =
      must(write_tx<std::int64_t>(db(), [](Tx& tx) { return insert_user(tx, "frank"); }));
  Rows rows = query("SELECT username FROM users WHERE id = ?", {id});
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0].str(0), "frank");
}

TEST_P(DatabaseTest, ReadersDoNotSeeAWriteBeforeItCommits) {
  std::int64_t seen_inside = -1;
  must(db().write([&](Tx& tx) -> core::Status {
    YW_TRY(enqueue_outbox(tx, clock_.now_ms(), "email", "t", "r@example.com", "{}", std::nullopt));
    YW_ASSIGN(std::vector<OutboxMessage> due, due_outbox(db(), clock_.now_ms(), 10));
    seen_inside = static_cast<std::int64_t>(due.size());
    return {};
  }));
  EXPECT_EQ(seen_inside, 0);
  EXPECT_EQ(must(due_outbox(db(), clock_.now_ms(), 10)).size(), 1u);
}

TEST_P(DatabaseTest, CountsCommitsAndRollbacks) {
  PoolStats before = db().stats();
  must(db().write([](Tx&) -> core::Status { return {}; }));
  (void)db().write([](Tx&) -> core::Status { return core::internal("no"); });
  PoolStats after = db().stats();
  EXPECT_EQ(after.commits, before.commits + 1);
  EXPECT_EQ(after.rollbacks, before.rollbacks + 1);
  EXPECT_EQ(after.in_use, 0);
  EXPECT_GE(after.connections, 2);
}

TEST_P(DatabaseTest, DescribesItselfWithoutThePassword) {
  std::string d = db().describe();
  if (backend() == Backend::kSqlite) {
    EXPECT_EQ(d, "sqlite:" + url_);
  } else {
    EXPECT_EQ(d.rfind("postgres", 0), 0u) << d;
    EXPECT_EQ(d, pg::redact_url(url_));
    size_t at = url_.find('@');
    size_t colon = url_.rfind(':', at);
    if (at != std::string::npos && colon > url_.find("://") + 2) {
      std::string password = url_.substr(colon + 1, at - colon - 1);
      EXPECT_EQ(d.find(":" + password + "@"), std::string::npos) << d;
    }
  }
}

INSTANTIATE_TEST_SUITE_P(Backends, DatabaseTest, testing::kAllBackends, testing::backend_test_name);

TEST(OpenDatabase, AnUnreachablePostgresIsUnavailableAndTheMessageHidesThePassword) {
  OpenOptions o;
  o.url = "postgres://ops:s3cr3t-pw@127.0.0.1:1/yunwei?connect_timeout=2";
  o.pg_pool_size = 1;
  auto r = open_database(o);
  ASSERT_TRUE(failed_with(r, ErrorCode::kUnavailable));
  EXPECT_EQ(r.error().message.find("s3cr3t-pw"), std::string::npos) << r.error().message;
}

TEST(OpenDatabase, ASqliteFileInAMissingDirectoryIsUnavailable) {
  testing::TempDir dir;
  OpenOptions o;
  o.url = dir.path() + "/missing/sub/dir/yunwei.db";
  EXPECT_TRUE(failed_with(open_database(o), ErrorCode::kUnavailable));
}

TEST(PgPlaceholders, AreNumberedInOrder) {
  EXPECT_EQ(pg::rewrite_placeholders("SELECT a FROM t WHERE b = ? AND c = ?"),
            "SELECT a FROM t WHERE b = $1 AND c = $2");
  std::string many = "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";
  EXPECT_EQ(pg::rewrite_placeholders(many),
            "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)");
  EXPECT_EQ(pg::rewrite_placeholders("SELECT 1"), "SELECT 1");
}

TEST(PgPlaceholders, SkipQuotedLiteralsAndIdentifiers) {
  EXPECT_EQ(
      pg::rewrite_placeholders("SELECT '?', \"odd?name\", ? FROM t WHERE x = '?\?' AND y = ?"),
      "SELECT '?', \"odd?name\", $1 FROM t WHERE x = '?\?' AND y = $2");
  // A doubled quote inside a literal does not end it.
  EXPECT_EQ(pg::rewrite_placeholders("SELECT 'it''s ?' || ?"), "SELECT 'it''s ?' || $1");
  EXPECT_EQ(pg::rewrite_placeholders("SELECT '网络?' , ?"), "SELECT '网络?' , $1");
}

TEST(PgRedactUrl, HidesThePassword) {
  EXPECT_EQ(pg::redact_url("postgres://ops:s3cret@db.example.com:5432/yunwei"),
            "postgres://ops@db.example.com:5432/yunwei");
  EXPECT_EQ(pg::redact_url("postgresql://ops:s3cret@10.0.0.5/yunwei?sslmode=require&password=x"),
            "postgresql://ops@10.0.0.5/yunwei");
}

TEST(PgRedactUrl, KeepsAUrlWithoutPasswordAndDropsTheQuery) {
  EXPECT_EQ(pg::redact_url("postgres://ops@db/yunwei"), "postgres://ops@db/yunwei");
  EXPECT_EQ(pg::redact_url("postgres://db/yunwei"), "postgres://db/yunwei");
  EXPECT_EQ(pg::redact_url("postgres://db/yunwei?password=s3cret"), "postgres://db/yunwei");
}

TEST(RowAccessors, ConvertBetweenNumbersAndText) {
  Row r({std::string("42"), std::int64_t{7}, 2.5, nullptr});
  EXPECT_EQ(r.size(), 4u);
  EXPECT_EQ(r.i64(0), 42);
  EXPECT_EQ(r.str(1), "7");
  EXPECT_EQ(r.f64(1), 7.0);
  EXPECT_EQ(r.i64(2), 2);
  EXPECT_EQ(r.f64(0), 42.0);
  EXPECT_EQ(r.opt_i64(3), std::nullopt);
  EXPECT_EQ(r.opt_str(1), std::optional<std::string>("7"));
}

}  // namespace
}  // namespace yunwei::store
