#pragma once

#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"

namespace yunwei::tickets {

// One allowed move of a work item between states, with the fields it needs (by their API
// names). A transition a requester may trigger (reopen) is marked so. `subtypes` limits it to
// some types of the kind (a standard change skips assess and authorise); `roles` to the agents
// holding one of them for the ticket ("implementer", "change_manager", ...; what a role means is
// the kind's hooks' business, admins hold every role); `system`: made by the system only (an
// approval completing), never requested.
struct Transition {
  std::string from;
  std::string to;
  std::vector<std::string> required_fields;
  bool requester_may = false;
  std::vector<std::string> subtypes;
  std::vector<std::string> roles;
  bool system = false;

  bool applies_to(std::string_view subtype) const;
};

// A kind's state machine as data: states, the initial one, the final ones, the transitions.
// Plain values; the shipped machines are below and a later change can load others.
struct Workflow {
  std::string kind;                   // "incident", "request", "problem", "change"
  std::vector<std::string> subtypes;  // the kind's types; none: untyped
  std::string initial;
  std::vector<std::string> states;
  std::vector<std::string> final_states;
  std::vector<Transition> transitions;

  bool has_state(std::string_view s) const;
  bool is_final(std::string_view s) const;
  // The transitions leaving `state` (for a ticket of `subtype`), in declaration order.
  std::vector<const Transition*> from(std::string_view state, std::string_view subtype = {}) const;
  // Checks a move: kConflict (field "to") naming the allowed targets when `to` cannot be reached
  // from `from` by a ticket of `subtype` (system moves are not offered); kInvalidArgument naming
  // the first required field `has_field` reports missing.
  core::Result<const Transition*> check(std::string_view from, std::string_view to,
                                        const std::function<bool(std::string_view)>& has_field,
                                        std::string_view subtype = {}) const;
  // Structural checks: known states everywhere, initial not final, every state reachable from
  // the initial one, no transitions out of a final state. kInvalidArgument describing the flaw.
  core::Status validate() const;
};

// Incident: new → assigned → in_progress ⇄ pending → resolved → closed; resolved → reopened by
// the requester; cancelled from new/assigned with a reason.
const Workflow& incident_workflow();
// Service request: new → in_progress ⇄ pending → fulfilled → closed; cancelled before work ends.
const Workflow& request_workflow();

// Problem: new → assessed → root_cause_analysis → fix_in_progress → resolved → closed, with
// cancelled (a duplicate, not a problem) before the fix.
const Workflow& problem_workflow();
// Change (ServiceNow's model): new → assess → authorise → scheduled → implement → review →
// closed, with failed (backed out; reviewed like the others) and cancelled before
// implementation. Standard changes go new → scheduled; emergency changes skip assess. Leaving
// authorise for scheduled happens when the approval completes (or by hand once the approval is
// complete and nothing blocks it); back to new on a rejection is the system's move.
const Workflow& change_workflow();

// Reasons a ticket may wait in `pending` (API values).
const std::vector<std::string>& pending_reasons();

}  // namespace yunwei::tickets
