#include "store/outbox.h"

namespace yunwei::store {

core::Result<std::int64_t> enqueue_outbox(Tx& tx, core::TimeMs now, std::string_view channel,
                                          std::string_view topic, std::string_view recipient,
                                          std::string_view payload,
                                          std::optional<std::int64_t> event_id) {
  Value ev = nullptr;
  if (event_id) ev = *event_id;
  auto row = tx.query_row(
      "INSERT INTO outbox (created_at, channel, topic, recipient, payload, status, attempts,"
      " next_attempt_at, event_id) VALUES (?, ?, ?, ?, ?, 'pending', 0, ?, ?) RETURNING id",
      {now, std::string(channel), std::string(topic), std::string(recipient), std::string(payload),
       now, ev});
  if (!row.ok()) return std::move(row).error();
  return (*row)->i64(0);
}

core::Result<std::vector<OutboxMessage>> due_outbox(Database& db, core::TimeMs now, int limit) {
  return read_tx<std::vector<OutboxMessage>>(
      db, [&](Tx& tx) -> core::Result<std::vector<OutboxMessage>> {
        auto rows = tx.query(
            "SELECT id, created_at, channel, topic, recipient, payload, status, attempts,"
            " next_attempt_at, last_error, event_id FROM outbox"
            " WHERE status = 'pending' AND next_attempt_at <= ? ORDER BY id LIMIT ?",
            {now, std::int64_t{limit}});
        if (!rows.ok()) return std::move(rows).error();
        std::vector<OutboxMessage> out;
        for (const Row& r : *rows) {
          OutboxMessage m;
          m.id = r.i64(0);
          m.created_at = r.i64(1);
          m.channel = r.str(2);
          m.topic = r.str(3);
          m.recipient = r.str(4);
          m.payload = r.str(5);
          m.status = r.str(6);
          m.attempts = static_cast<int>(r.i64(7));
          m.next_attempt_at = r.i64(8);
          m.last_error = r.str(9);
          m.event_id = r.opt_i64(10);
          out.push_back(std::move(m));
        }
        return out;
      });
}

core::Status mark_outbox(Database& db, std::int64_t id, bool sent, std::string_view error,
                         std::optional<core::TimeMs> retry_at) {
  return db.write([&](Tx& tx) -> core::Status {
    std::string status = sent ? "sent" : (retry_at ? "pending" : "dead");
    auto r = tx.exec(
        "UPDATE outbox SET status = ?, attempts = attempts + 1, last_error = ?,"
        " next_attempt_at = ? WHERE id = ?",
        {status, std::string(error), retry_at ? Value{*retry_at} : Value{std::int64_t{0}}, id});
    if (!r.ok()) return std::move(r).error();
    if (*r == 0) return core::not_found("outbox message " + std::to_string(id));
    return {};
  });
}

}  // namespace yunwei::store
