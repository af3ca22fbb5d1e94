#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "core/clock.h"
#include "core/result.h"
#include "store/audit.h"
#include "store/database.h"

namespace yunwei::tickets {

// A user's saved ticket list: a name and the list's query parameters (a JSON object of
// strings, e.g. {"team_id":"3","status":"assigned,in_progress"}), kept for the UI to replay.
struct SavedView {
  std::int64_t id = 0;
  std::string name;
  std::string query_json;
  core::TimeMs created_at = 0;
};

// Each user's own views; nobody else sees or deletes them.
class SavedViewService {
 public:
  SavedViewService(store::Database& db, const core::Clock& clock) : db_(db), clock_(clock) {}

  core::Result<std::vector<SavedView>> list(std::int64_t user_id);
  // kInvalidArgument: name (1-100 characters), query (an object of at most 30 string values of
  // at most 500 characters each); kConflict when the user already has 100 views.
  core::Result<SavedView> create(const store::Actor& actor, std::int64_t user_id,
                                 std::string_view name, std::string_view query_json);
  // kNotFound for another user's view.
  core::Status remove(const store::Actor& actor, std::int64_t user_id, std::int64_t id);

 private:
  store::Database& db_;
  const core::Clock& clock_;
};

}  // namespace yunwei::tickets
