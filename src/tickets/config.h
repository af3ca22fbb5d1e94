#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "core/clock.h"
#include "core/result.h"
#include "store/audit.h"
#include "store/database.h"
#include "tickets/priority.h"

namespace yunwei::tickets {

// Service desk settings admins edit, stored as one JSON document in `meta`
// (key "tickets.settings"): every node reads the same values.
struct TicketSettings {
  int auto_close_days = 7;  // resolved tickets close after this many days; reopen until then
  std::optional<std::int64_t> service_desk_team_id;  // first line: first-contact resolution
  std::optional<std::int64_t> security_team_id;      // sees tickets in security categories
  std::optional<std::int64_t> operations_team_id;    // told of hierarchical escalations
  bool requesters_see_organisation = false;          // requesters see their organisation's tickets
  std::int64_t attachment_max_bytes = 8 * 1024 * 1024;
  std::int64_t version = 0;  // 0 until first saved
};

struct SettingsPatch {
  std::int64_t version = 0;
  std::optional<int> auto_close_days;
  std::optional<std::optional<std::int64_t>> service_desk_team_id, security_team_id,
      operations_team_id;
  std::optional<bool> requesters_see_organisation;
  std::optional<std::int64_t> attachment_max_bytes;
};

// Reads inside the caller's transaction (defaults when never saved).
core::Result<TicketSettings> load_settings(store::Tx& tx);
core::Result<PriorityMatrix> load_matrix(store::Tx& tx);

// Settings and the priority matrix: read, validated update with an audit event.
class TicketConfig {
 public:
  TicketConfig(store::Database& db, const core::Clock& clock) : db_(db), clock_(clock) {}

  core::Result<TicketSettings> settings();
  // kInvalidArgument naming the field; kConflict (version) when stale.
  core::Result<TicketSettings> update_settings(const store::Actor& actor, const SettingsPatch& p);

  // The matrix and its version (0 for the shipped default).
  core::Result<std::pair<PriorityMatrix, std::int64_t>> matrix();
  // Replaces the matrix after PriorityMatrix::validate(); existing tickets keep their priority.
  core::Result<std::pair<PriorityMatrix, std::int64_t>> set_matrix(const store::Actor& actor,
                                                                   const PriorityMatrix& m,
                                                                   std::int64_t version);

  // Points the team settings at the default teams ("Service Desk", "Security Operations",
  // "Operations Management") when never saved.
  core::Status seed_defaults(const store::Actor& actor);

 private:
  store::Database& db_;
  const core::Clock& clock_;
};

}  // namespace yunwei::tickets
