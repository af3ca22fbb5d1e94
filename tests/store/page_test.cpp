#include "store/page.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <set>
#include <tuple>

#include "core/crypto.h"
#include "support/test_db.h"

namespace yunwei::store {
namespace {

using core::ErrorCode;
using testing::failed_with;
using testing::must;

const std::vector<SortSpec>& sorts() {
  static const std::vector<SortSpec> kSorts = {
      {"id", "id", false, false},
      {"-id", "id", true, false},
      {"username", "username", false, true},
      {"-username", "username", true, true},
      {"score", "score", false, false},
      {"-score", "score", true, false},
  };
  return kSorts;
}

struct Person {
  std::int64_t id;
  std::string username;
  std::int64_t score;
};

class KeysetTest : public testing::BackendTest {
 protected:
  void SetUp() override {
    BackendTest::SetUp();
    if (IsSkipped() || HasFatalFailure()) return;
    Migration people{
        0, "people",
        "CREATE TABLE people (id {{ID}}, username TEXT NOT NULL, score {{INT}} NOT NULL)"};
    // Repeated names and scores, so the id tie-break matters; Chinese and mixed case too.
    const char* names[] = {"bob", "alice", "bob",  "运维",  "Carol", "alice", "dave",
                           "bob", "网络",  "erin", "alice", "zed",   "a",     "bob"};
    must(db().write([&](Tx& tx) -> core::Status {
      YW_TRY(tx.exec_script(render_migration_sql(people, tx.backend())));
      std::int64_t i = 0;
      for (const char* n : names) {
        ++i;
        auto row = tx.query_row("INSERT INTO people (username, score) VALUES (?, ?) RETURNING id",
                                {std::string(n), std::int64_t{(i * 7) % 5 - 2}});
        if (!row.ok()) return std::move(row).error();
        people_.push_back({(*row)->i64(0), n, (i * 7) % 5 - 2});
      }
      return {};
    }));
  }

  // Walks every page of `limit` rows the way a client would and returns the ids in order.
  std::vector<std::int64_t> walk(const SortSpec& sort, int limit, int* pages) {
    std::vector<std::int64_t> out;
    std::string cursor;
    *pages = 0;
    while (true) {
      Keyset ks = must(make_keyset(sort, cursor));
      std::string sql = "SELECT id, username, score FROM people";
      if (!ks.where_sql.empty()) sql += " WHERE " + ks.where_sql;
      sql += " ORDER BY " + ks.order_sql + " LIMIT ?";
      Params params = ks.params;
      params.emplace_back(std::int64_t{limit + 1});
      Rows rows = query(sql, params);
      ++*pages;
      bool more = static_cast<int>(rows.size()) > limit;
      if (more) rows.erase(rows.begin() + limit, rows.end());
      for (const Row& r : rows) out.push_back(r.i64(0));
      if (!more || *pages > 100) break;
      const Row& last = rows.back();
      Value key = sort.column == "username" ? Value{last.str(1)}
                  : sort.column == "score"  ? Value{last.i64(2)}
                                            : Value{last.i64(0)};
      cursor = make_cursor(sort, key, last.i64(0));
    }
    return out;
  }

  // The order of one unpaged query: what the pages must add up to.
  std::vector<std::int64_t> full_order(const SortSpec& sort) {
    std::vector<std::int64_t> out;
    for (const Row& r :
         query("SELECT id FROM people ORDER BY " + must(make_keyset(sort, "")).order_sql)) {
      out.push_back(r.i64(0));
    }
    return out;
  }

  // Byte order for text, which is what SQLite uses; PostgreSQL text order follows the
  // database collation, so there only full_order() is authoritative.
  std::vector<std::int64_t> expected(const SortSpec& sort) {
    if (sort.text && backend() == Backend::kPostgres) return full_order(sort);
    std::vector<Person> p = people_;
    std::sort(p.begin(), p.end(), [&](const Person& a, const Person& b) {
      auto ka = sort.column == "username" ? std::make_tuple(std::int64_t{0}, a.username, a.id)
                : sort.column == "score"  ? std::make_tuple(a.score, std::string(), a.id)
                                          : std::make_tuple(a.id, std::string(), a.id);
      auto kb = sort.column == "username" ? std::make_tuple(std::int64_t{0}, b.username, b.id)
                : sort.column == "score"  ? std::make_tuple(b.score, std::string(), b.id)
                                          : std::make_tuple(b.id, std::string(), b.id);
      return sort.desc ? kb < ka : ka < kb;
    });
    std::vector<std::int64_t> out;
    for (const Person& x : p) out.push_back(x.id);
    return out;
  }

  std::vector<Person> people_;
};

TEST_P(KeysetTest, WalksEveryRowExactlyOnceInOrderForEachSort) {
  for (const SortSpec& sort : sorts()) {
    for (int limit : {1, 3, 5, 14, 50}) {
      int pages = 0;
      std::vector<std::int64_t> got = walk(sort, limit, &pages);
      EXPECT_EQ(got, expected(sort)) << sort.name << " limit " << limit;
      EXPECT_EQ(got, full_order(sort)) << sort.name << " limit " << limit;
      EXPECT_EQ(std::set<std::int64_t>(got.begin(), got.end()).size(), people_.size());
      int want_pages = static_cast<int>((people_.size() + static_cast<size_t>(limit) - 1) /
                                        static_cast<size_t>(limit));
      // A last page that is exactly full is followed by one empty page at most.
      EXPECT_GE(pages, want_pages) << sort.name;
      EXPECT_LE(pages, want_pages + 1) << sort.name;
    }
  }
}

INSTANTIATE_TEST_SUITE_P(Backends, KeysetTest, testing::kAllBackends, testing::backend_test_name);

TEST(MakeKeyset, OrdersByTheColumnThenIdAndHasNoFilterOnTheFirstPage) {
  Keyset k = must(make_keyset(sorts()[3], ""));
  EXPECT_EQ(k.where_sql, "");
  EXPECT_TRUE(k.params.empty());
  EXPECT_EQ(k.order_sql, "username DESC, id DESC");
  EXPECT_EQ(must(make_keyset(sorts()[0], "")).order_sql, "id ASC");
}

TEST(MakeKeyset, ContinuesAfterTheCursorRow) {
  const SortSpec& by_name = sorts()[2];
  Keyset k = must(make_keyset(by_name, make_cursor(by_name, Value{std::string("bob")}, 7)));
  EXPECT_EQ(k.where_sql, "(username > ? OR (username = ? AND id > ?))");
  ASSERT_EQ(k.params.size(), 3u);
  EXPECT_EQ(k.params[0], Value{std::string("bob")});
  EXPECT_EQ(k.params[2], Value{std::int64_t{7}});

  const SortSpec& by_id_desc = sorts()[1];
  Keyset d = must(make_keyset(by_id_desc, make_cursor(by_id_desc, Value{std::int64_t{9}}, 9)));
  EXPECT_EQ(d.where_sql, "id < ?");
  EXPECT_EQ(d.params, Params{Value{std::int64_t{9}}});
}

TEST(MakeKeyset, RejectsACursorMadeForAnotherSort) {
  std::string cursor = make_cursor(sorts()[2], Value{std::string("bob")}, 3);
  for (const SortSpec& other : {sorts()[0], sorts()[1], sorts()[3]}) {
    EXPECT_TRUE(failed_with(make_keyset(other, cursor), ErrorCode::kInvalidArgument, "cursor"))
        << other.name;
  }
}

TEST(MakeKeyset, RejectsGarbageCursors) {
  const SortSpec& by_score = sorts()[4];
  for (const std::string& bad :
       {std::string("!!!not base64!!!"), std::string("x"), core::base64url_encode("score\n1"),
        core::base64url_encode("score\n1\nseven"), core::base64url_encode("score\n1\n7x"),
        core::base64url_encode("score\nabc\n7"), core::base64url_encode("score\n1\n7\nextra")}) {
    EXPECT_TRUE(failed_with(make_keyset(by_score, bad), ErrorCode::kInvalidArgument, "cursor"))
        << bad;
  }
}

TEST(ParseSort, AcceptsAllowedNamesAndRejectsOthersOnFieldSort) {
  EXPECT_EQ(must(parse_sort("-username", sorts())).column, "username");
  EXPECT_TRUE(must(parse_sort("-username", sorts())).desc);
  for (const char* bad : {"", "password_hash", "USERNAME", "--id", "id;DROP TABLE users"}) {
    EXPECT_TRUE(failed_with(parse_sort(bad, sorts()), ErrorCode::kInvalidArgument, "sort")) << bad;
  }
}

}  // namespace
}  // namespace yunwei::store
