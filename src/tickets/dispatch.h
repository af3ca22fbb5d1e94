#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/clock.h"
#include "core/result.h"
#include "store/audit.h"
#include "store/database.h"

namespace yunwei::tickets {

// What an assignment rule looks at. Every non-empty list must match (AND); within a list any
// value matches (OR). A parent category matches tickets in its children too; keywords match
// title or description, case-insensitively for Latin letters.
struct RuleConditions {
  std::vector<std::string> kinds;
  std::vector<std::int64_t> category_ids;
  std::vector<std::int64_t> service_ids;
  std::vector<std::int64_t> ci_ids;
  std::vector<std::string> priorities;
  std::vector<std::string> channels;
  std::vector<std::string> keywords;
};

struct AssignmentRule {
  std::int64_t id = 0;
  std::string name;
  int position = 0;  // evaluated in ascending order; the first match wins
  RuleConditions conditions;
  std::int64_t team_id = 0;
  bool active = true;
  core::TimeMs created_at = 0;
  core::TimeMs updated_at = 0;
  std::int64_t version = 1;
};

struct NewRule {
  std::string name;
  std::optional<int> position;  // default: after the last rule
  RuleConditions conditions;
  std::int64_t team_id = 0;
  bool active = true;
};

struct RulePatch {
  std::int64_t version = 0;
  std::optional<std::string> name;
  std::optional<int> position;
  std::optional<RuleConditions> conditions;
  std::optional<std::int64_t> team_id;
  std::optional<bool> active;
};

// A new ticket as the rules see it.
struct DispatchSubject {
  std::string kind;
  std::optional<std::int64_t> category_id;
  std::optional<std::int64_t> parent_category_id;
  std::optional<std::int64_t> service_id;
  std::optional<std::int64_t> ci_id;
  std::string priority;
  std::string channel;
  std::string title;
  std::string description;
};

bool rule_matches(const RuleConditions& c, const DispatchSubject& s);

// How a team hands its tickets to members: "manual" (the team's queue), "round_robin", or
// "least_open" (fewest open tickets). Only active members with the agent role are picked.
struct TeamDispatch {
  std::int64_t team_id = 0;
  std::string strategy = "manual";
  std::optional<std::int64_t> last_user_id;  // round_robin: the member it picked last
};

// The team of the first active rule matching `s`, with the rule's id.
struct RuleMatch {
  std::int64_t rule_id = 0;
  std::string rule_name;
  std::int64_t team_id = 0;
};
core::Result<std::optional<RuleMatch>> match_rules(store::Tx& tx, const DispatchSubject& s);
// The member the team's strategy picks (none for manual or a team without active agents);
// round-robin remembers its position in the same transaction.
core::Result<std::optional<std::int64_t>> pick_member(store::Tx& tx, std::int64_t team_id,
                                                      core::TimeMs now);

// Assignment rules and team strategies, as admins edit them.
class DispatchService {
 public:
  DispatchService(store::Database& db, const core::Clock& clock) : db_(db), clock_(clock) {}

  // By position, then id.
  core::Result<std::vector<AssignmentRule>> list_rules();
  // kInvalidArgument naming the field (name, team_id, conditions.priorities[1], ...).
  core::Result<AssignmentRule> create_rule(const store::Actor& actor, const NewRule& in);
  core::Result<AssignmentRule> update_rule(const store::Actor& actor, std::int64_t id,
                                           const RulePatch& p);
  core::Status delete_rule(const store::Actor& actor, std::int64_t id);

  // Every active team's strategy (manual when never set).
  core::Result<std::vector<TeamDispatch>> strategies();
  // kInvalidArgument (strategy) for an unknown one; kNotFound for an unknown team.
  core::Result<TeamDispatch> set_strategy(const store::Actor& actor, std::int64_t team_id,
                                          const std::string& strategy);

 private:
  store::Database& db_;
  const core::Clock& clock_;
};

}  // namespace yunwei::tickets
