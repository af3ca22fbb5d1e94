#pragma once

#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"

namespace yunwei::tickets {

// One allowed move of a work item between states, with the fields it needs (by their API
// names). A transition a requester may trigger (reopen) is marked so.
struct Transition {
  std::string from;
  std::string to;
  std::vector<std::string> required_fields;
  bool requester_may = false;
};

// A kind's state machine as data: states, the initial one, the final ones, the transitions.
// Plain values; the shipped machines are below and a later change can load others.
struct Workflow {
  std::string kind;  // "incident", "request"
  std::string initial;
  std::vector<std::string> states;
  std::vector<std::string> final_states;
  std::vector<Transition> transitions;

  bool has_state(std::string_view s) const;
  bool is_final(std::string_view s) const;
  // The transitions leaving `state`, in declaration order.
  std::vector<const Transition*> from(std::string_view state) const;
  // Checks a move: kConflict (field "to") naming the allowed targets when `to` cannot be reached
  // from `from`; kInvalidArgument naming the first required field `has_field` reports missing.
  core::Result<const Transition*> check(
      std::string_view from, std::string_view to,
      const std::function<bool(std::string_view)>& has_field) const;
  // Structural checks: known states everywhere, initial not final, every state reachable from
  // the initial one, no transitions out of a final state. kInvalidArgument describing the flaw.
  core::Status validate() const;
};

// Incident: new → assigned → in_progress ⇄ pending → resolved → closed; resolved → reopened by
// the requester; cancelled from new/assigned with a reason.
const Workflow& incident_workflow();
// Service request: new → in_progress ⇄ pending → fulfilled → closed; cancelled before work ends.
const Workflow& request_workflow();

// Reasons a ticket may wait in `pending` (API values).
const std::vector<std::string>& pending_reasons();

}  // namespace yunwei::tickets
