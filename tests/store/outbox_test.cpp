#include "store/outbox.h"

#include <gtest/gtest.h>

#include "store/audit.h"
#include "support/test_db.h"

namespace yunwei::store {
namespace {

using core::ErrorCode;
using testing::failed_with;
using testing::must;

class OutboxTest : public testing::BackendTest {
 protected:
  std::int64_t enqueue(const std::string& recipient, std::optional<std::int64_t> event_id = {}) {
    return must(write_tx<std::int64_t>(db(), [&](Tx& tx) {
      return enqueue_outbox(tx, clock_.now_ms(), "email", "user.welcome", recipient,
                            R"({"user_id":1,"name":"张三"})", event_id);
    }));
  }

  std::vector<std::int64_t> due_ids(int limit = 100) {
    std::vector<std::int64_t> out;
    for (const OutboxMessage& m : must(due_outbox(db(), clock_.now_ms(), limit)))
      out.push_back(m.id);
    return out;
  }

  OutboxMessage stored(std::int64_t id) {
    Rows r = query("SELECT status, attempts, next_attempt_at, last_error FROM outbox WHERE id = ?",
                   {id});
    if (r.empty()) throw std::runtime_error("no outbox row " + std::to_string(id));
    OutboxMessage m;
    m.id = id;
    m.status = r[0].str(0);
    m.attempts = static_cast<int>(r[0].i64(1));
    m.next_attempt_at = r[0].i64(2);
    m.last_error = r[0].str(3);
    return m;
  }
};

TEST_P(OutboxTest, AnEnqueuedMessageIsDueAtOnceWithAllItsFields) {
  std::int64_t ev = must(write_tx<std::int64_t>(db(), [&](Tx& tx) {
    return append_event(tx, Actor{}, clock_.now_ms(), "user.create", "user", 1, "", "{}");
  }));
  std::int64_t id = enqueue("zhang.san@example.com", ev);
  std::vector<OutboxMessage> due = must(due_outbox(db(), clock_.now_ms(), 10));
  ASSERT_EQ(due.size(), 1u);
  const OutboxMessage& m = due[0];
  EXPECT_EQ(m.id, id);
  EXPECT_EQ(m.created_at, testing::kTestStart);
  EXPECT_EQ(m.channel, "email");
  EXPECT_EQ(m.topic, "user.welcome");
  EXPECT_EQ(m.recipient, "zhang.san@example.com");
  EXPECT_EQ(m.payload, R"({"user_id":1,"name":"张三"})");
  EXPECT_EQ(m.status, "pending");
  EXPECT_EQ(m.attempts, 0);
  EXPECT_EQ(m.next_attempt_at, testing::kTestStart);
  EXPECT_EQ(m.last_error, "");
  EXPECT_EQ(m.event_id, ev);
}

TEST_P(OutboxTest, ReferencingAMissingEventIsRejected) {
  auto r = write_tx<std::int64_t>(db(), [&](Tx& tx) {
    return enqueue_outbox(tx, clock_.now_ms(), "email", "t", "a@b.c", "{}", 999);
  });
  EXPECT_TRUE(failed_with(r, ErrorCode::kInvalidArgument));
  EXPECT_EQ(count("outbox"), 0);
}

TEST_P(OutboxTest, DueListsOldestFirstUpToTheLimit) {
  std::int64_t a = enqueue("a@example.com");
  clock_.advance(std::chrono::seconds(1));
  std::int64_t b = enqueue("b@example.com");
  std::int64_t c = enqueue("c@example.com");
  EXPECT_EQ(due_ids(), (std::vector<std::int64_t>{a, b, c}));
  EXPECT_EQ(due_ids(2), (std::vector<std::int64_t>{a, b}));
  // Not yet due for a reader whose clock is behind the newer messages.
  EXPECT_EQ(must(due_outbox(db(), testing::kTestStart, 10)).size(), 1u);
}

TEST_P(OutboxTest, ASentMessageIsNoLongerDue) {
  std::int64_t a = enqueue("a@example.com");
  std::int64_t b = enqueue("b@example.com");
  must(mark_outbox(db(), a, true, "", std::nullopt));
  EXPECT_EQ(due_ids(), std::vector<std::int64_t>{b});
  OutboxMessage m = stored(a);
  EXPECT_EQ(m.status, "sent");
  EXPECT_EQ(m.attempts, 1);
  clock_.advance(std::chrono::hours(24));
  EXPECT_EQ(due_ids(), std::vector<std::int64_t>{b});
}

TEST_P(OutboxTest, AFailedMessageIsRetriedOnlyOnceItsRetryTimeComes) {
  std::int64_t a = enqueue("a@example.com");
  core::TimeMs retry_at = clock_.now_ms() + 60'000;
  must(mark_outbox(db(), a, false, "SMTP 451 try later", retry_at));
  EXPECT_TRUE(due_ids().empty());
  clock_.advance(std::chrono::seconds(59));
  EXPECT_TRUE(due_ids().empty());
  clock_.advance(std::chrono::seconds(1));
  std::vector<OutboxMessage> due = must(due_outbox(db(), clock_.now_ms(), 10));
  ASSERT_EQ(due.size(), 1u);
  EXPECT_EQ(due[0].status, "pending");
  EXPECT_EQ(due[0].attempts, 1);
  EXPECT_EQ(due[0].last_error, "SMTP 451 try later");
  EXPECT_EQ(due[0].next_attempt_at, retry_at);

  must(mark_outbox(db(), a, false, "SMTP 451 again", clock_.now_ms() + 120'000));
  EXPECT_EQ(stored(a).attempts, 2);
  EXPECT_EQ(stored(a).last_error, "SMTP 451 again");
}

TEST_P(OutboxTest, AFailureWithoutRetryDeadLettersTheMessage) {
  std::int64_t a = enqueue("a@example.com");
  must(mark_outbox(db(), a, false, "550 no such mailbox", std::nullopt));
  OutboxMessage m = stored(a);
  EXPECT_EQ(m.status, "dead");
  EXPECT_EQ(m.attempts, 1);
  EXPECT_EQ(m.last_error, "550 no such mailbox");
  clock_.advance(std::chrono::hours(24 * 365));
  EXPECT_TRUE(due_ids().empty());
}

TEST_P(OutboxTest, MarkingAnUnknownMessageIsNotFound) {
  EXPECT_TRUE(failed_with(mark_outbox(db(), 12345, true, "", std::nullopt), ErrorCode::kNotFound));
}

INSTANTIATE_TEST_SUITE_P(Backends, OutboxTest, testing::kAllBackends, testing::backend_test_name);

}  // namespace
}  // namespace yunwei::store
