#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/clock.h"
#include "store/database.h"

namespace yunwei::store {

// A message to send once the transaction that wrote it commits. Delivery (SMTP, chat robots,
// webhooks) belongs to the notify module; the store only keeps the queue.
struct OutboxMessage {
  std::int64_t id = 0;
  core::TimeMs created_at = 0;
  std::string channel;    // "email", "dingtalk", "webhook" ...
  std::string topic;      // "user.welcome", "incident.assigned" ...
  std::string recipient;  // address, robot id ...
  std::string payload;    // JSON
  std::string status;     // pending | sent | dead
  int attempts = 0;
  core::TimeMs next_attempt_at = 0;
  std::string last_error;
  std::optional<std::int64_t> event_id;
};

// Queues a message inside the caller's transaction: it is visible to readers only once that
// transaction commits, and vanishes with it on rollback.
core::Result<std::int64_t> enqueue_outbox(Tx& tx, core::TimeMs now, std::string_view channel,
                                          std::string_view topic, std::string_view recipient,
                                          std::string_view payload,
                                          std::optional<std::int64_t> event_id);

// Pending messages due at `now`, oldest first.
core::Result<std::vector<OutboxMessage>> due_outbox(Database& db, core::TimeMs now, int limit);

// Records a delivery result: sent, or failed with a retry at `retry_at` (dead when nullopt).
core::Status mark_outbox(Database& db, std::int64_t id, bool sent, std::string_view error,
                         std::optional<core::TimeMs> retry_at);

}  // namespace yunwei::store
