#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/clock.h"
#include "store/database.h"

namespace yunwei::store {

// Who performs a command: the authenticated user (none for the system itself) and the
// request that carried it, recorded with every event.
struct Actor {
  std::optional<std::int64_t> user_id;
  std::string request_id;
};

// One row of the audit trail. before/after are JSON documents (empty when not applicable).
struct Event {
  std::int64_t id = 0;
  core::TimeMs at = 0;
  std::optional<std::int64_t> actor_id;
  std::string action;       // "user.create", "team.update", "auth.login" ...
  std::string object_type;  // "user", "team", "api_token" ...
  std::optional<std::int64_t> object_id;
  std::string before_json;
  std::string after_json;
  std::string request_id;
};

// Appends an event in the caller's transaction; returns its id.
core::Result<std::int64_t> append_event(Tx& tx, const Actor& actor, core::TimeMs at,
                                        std::string_view action, std::string_view object_type,
                                        std::optional<std::int64_t> object_id,
                                        std::string_view before_json, std::string_view after_json);

struct EventFilter {
  std::optional<std::string> object_type;
  std::optional<std::int64_t> object_id;
  std::optional<std::int64_t> actor_id;
  std::optional<std::string> action;
  std::optional<core::TimeMs> since;      // inclusive
  std::optional<core::TimeMs> until;      // exclusive
  std::optional<std::int64_t> before_id;  // keyset cursor: events with a smaller id
  int limit = 50;
};

// Newest first. Returns up to filter.limit + 1 rows so the caller can tell if there is more.
core::Result<std::vector<Event>> list_events(Tx& tx, const EventFilter& filter);

}  // namespace yunwei::store
