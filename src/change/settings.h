#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "change/risk.h"
#include "core/clock.h"
#include "core/result.h"
#include "store/audit.h"
#include "store/database.h"

// Settings of problem and change management admins edit, one JSON document in `meta` (key
// "change.settings") so that every node reads the same values.
namespace yunwei::change {

struct ChangeSettings {
  std::optional<std::int64_t> cab_team_id;   // the change advisory board: CAB approval steps,
                                             // conflict overrides, closing normal changes
  std::optional<std::int64_t> ecab_team_id;  // the emergency board: emergency changes
  Questionnaire questionnaire = default_questionnaire();
  // Problem candidates: at least `candidate_min_incidents` incidents on the same CI or category
  // within `candidate_window_days` days, not linked to a problem.
  int candidate_window_days = 30;
  int candidate_min_incidents = 3;
  std::int64_t version = 0;  // 0 until first saved
};

struct ChangeSettingsPatch {
  std::int64_t version = 0;
  std::optional<std::optional<std::int64_t>> cab_team_id, ecab_team_id;
  std::optional<std::string> questionnaire_json;  // parse_questionnaire() format
  std::optional<int> candidate_window_days, candidate_min_incidents;
};

// Inside the caller's transaction; the defaults when never saved.
core::Result<ChangeSettings> load_settings(store::Tx& tx);
// The JSON form served by the API (questionnaire in its parse_questionnaire() form).
std::string settings_json(const ChangeSettings& s);

// kInvalidArgument naming the field (questionnaire.*, candidate_window_days 1..365,
// candidate_min_incidents 2..1000, cab_team_id ...); kConflict (version) when stale. Audited.
core::Result<ChangeSettings> update_settings(store::Database& db, const core::Clock& clock,
                                             const store::Actor& actor,
                                             const ChangeSettingsPatch& p);
// Points the boards at the shipped teams ("Change Advisory Board", "Emergency Change Advisory
// Board") when never saved.
core::Status seed_settings(store::Database& db, const core::Clock& clock,
                           const store::Actor& actor);

}  // namespace yunwei::change
