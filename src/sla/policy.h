#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/clock.h"
#include "store/audit.h"
#include "store/database.h"

// SLA policies: which tickets a policy covers, its targets on which calendar, when its clock
// pauses, and what happens at each threshold.
namespace yunwei::sla {

// Empty lists match anything; every non-empty list must contain the ticket's value.
struct PolicyConditions {
  std::vector<std::string> kinds;
  std::vector<std::string> priorities;
  std::vector<std::int64_t> service_ids;
  std::vector<std::int64_t> category_ids;  // a parent category matches its children too
  std::vector<std::string> organisations;  // the requester's organisation
};

// What a ticket offers to matching.
struct PolicySubject {
  std::string kind;
  std::string priority;
  std::optional<std::int64_t> service_id;
  std::optional<std::int64_t> category_id;
  std::optional<std::int64_t> category_parent_id;
  std::string organisation;
};

// An operational-level target: how long one team may hold the ticket.
struct OlaTarget {
  std::int64_t team_id = 0;
  std::int64_t minutes = 0;
};

// What a threshold does: notify (to = assignee | team_lead | operations, queued in the outbox),
// reassign (to team_id), raise_priority (one step, not above P1), mark_at_risk.
struct ThresholdAction {
  std::string type;
  std::string to;
  std::optional<std::int64_t> team_id;
};

struct Threshold {
  int percent = 100;  // of the target's business time
  std::vector<ThresholdAction> actions;
};

struct Policy {
  std::int64_t id = 0;
  std::string name;
  int position = 0;  // evaluated in ascending order; the first match wins
  bool active = true;
  PolicyConditions conditions;
  std::int64_t calendar_id = 0;
  std::optional<std::int64_t> response_minutes;    // business minutes to the first response
  std::optional<std::int64_t> resolution_minutes;  // business minutes to resolution
  std::vector<OlaTarget> ola;
  std::vector<std::string> pause_reasons;  // pending reasons that stop the clock
  std::vector<Threshold> thresholds;       // by percent
  std::int64_t version = 1;
  core::TimeMs created_at = 0, updated_at = 0;
};

// Whether `p` covers `s` (ignores `p.active`).
bool matches(const PolicyConditions& c, const PolicySubject& s);
// The first active policy (by position, then id) covering `s`.
const Policy* first_match(const std::vector<Policy>& policies, const PolicySubject& s);

// The JSON of conditions, OLA targets and thresholds as the API and the database hold them.
// Parsing errors are kInvalidArgument naming the element ("thresholds[1].actions[0].type").
std::string conditions_json(const PolicyConditions& c);
std::string ola_json(const std::vector<OlaTarget>& ola);
std::string thresholds_json(const std::vector<Threshold>& t);
core::Result<PolicyConditions> parse_conditions(std::string_view json_text);
core::Result<std::vector<OlaTarget>> parse_ola(std::string_view json_text);
core::Result<std::vector<Threshold>> parse_thresholds(std::string_view json_text);

// The defaults: 50/75/100 % thresholds notifying the assignee, the team lead and Operations
// Management; pending on the requester or a vendor pauses.
std::vector<Threshold> default_thresholds();
std::vector<std::string> default_pause_reasons();

struct PolicyInput {
  std::string name;
  std::optional<int> position;  // default: after the last
  bool active = true;
  PolicyConditions conditions;
  std::int64_t calendar_id = 0;
  std::optional<std::int64_t> response_minutes, resolution_minutes;
  std::vector<OlaTarget> ola;
  std::optional<std::vector<std::string>> pause_reasons;  // default_pause_reasons()
  std::optional<std::vector<Threshold>> thresholds;       // default_thresholds()
};

struct PolicyPatch {
  std::int64_t version = 0;
  std::optional<std::string> name;
  std::optional<int> position;
  std::optional<bool> active;
  std::optional<PolicyConditions> conditions;
  std::optional<std::int64_t> calendar_id;
  std::optional<std::optional<std::int64_t>> response_minutes, resolution_minutes;
  std::optional<std::vector<OlaTarget>> ola;
  std::optional<std::vector<std::string>> pause_reasons;
  std::optional<std::vector<Threshold>> thresholds;
};

// SLA policies. Thread-safe; each method is one transaction.
class PolicyService {
 public:
  PolicyService(store::Database& db, const core::Clock& clock) : db_(db), clock_(clock) {}

  // kInvalidArgument naming the field: name, calendar_id (unknown), conditions.* (unknown kind,
  // priority, category), *_minutes (1 minute to 1 year), ola[i].team_id (unknown team),
  // pause_reasons[i], thresholds[i] (percent 1-500, in order, no repeats; known actions).
  core::Result<Policy> create(const store::Actor& actor, const PolicyInput& in);
  core::Result<Policy> get(std::int64_t id);
  // By position, then id.
  core::Result<std::vector<Policy>> list();
  // kConflict (version) when stale.
  core::Result<Policy> update(const store::Actor& actor, std::int64_t id, const PolicyPatch& p);
  // The policy a ticket with these attributes gets; nullopt when none matches. The category's
  // parent is looked up when not given.
  core::Result<std::optional<Policy>> match(const PolicySubject& s);

  // The shipped defaults when there are no policies (../shared/reference/itsm.md §6.2): P1 and
  // P2 on 24×7 (15 min / 4 h, 30 min / 8 h), P3-P5 on office hours (4 h / 24 h, 8 h / 40 h,
  // 16 h / none), for incidents and requests.
  core::Status seed_defaults(const store::Actor& actor);

 private:
  store::Database& db_;
  const core::Clock& clock_;
};

}  // namespace yunwei::sla
