#include "tickets/workflow.h"

#include <algorithm>
#include <set>

namespace yunwei::tickets {
namespace {

bool contains(const std::vector<std::string>& v, std::string_view s) {
  return std::find(v.begin(), v.end(), s) != v.end();
}

}  // namespace

bool Transition::applies_to(std::string_view subtype) const {
  return subtypes.empty() || contains(subtypes, subtype);
}

bool Workflow::has_state(std::string_view s) const { return contains(states, s); }

bool Workflow::is_final(std::string_view s) const { return contains(final_states, s); }

std::vector<const Transition*> Workflow::from(std::string_view state,
                                              std::string_view subtype) const {
  std::vector<const Transition*> out;
  for (const Transition& t : transitions) {
    if (t.from == state && (subtype.empty() || t.applies_to(subtype))) out.push_back(&t);
  }
  return out;
}

core::Result<const Transition*> Workflow::check(
    std::string_view from_state, std::string_view to,
    const std::function<bool(std::string_view)>& has_field, std::string_view subtype) const {
  if (!has_state(to)) {
    return core::invalid("to", "unknown state '" + std::string(to) + "' for a " + kind);
  }
  const Transition* found = nullptr;
  std::string allowed;
  for (const Transition* t : this->from(from_state, subtype)) {
    if (t->system) continue;
    if (t->to == to) found = t;
    allowed += (allowed.empty() ? "" : ", ") + t->to;
  }
  if (!found) {
    std::string who = subtype.empty() ? kind : std::string(subtype) + " " + kind;
    std::string msg = "a " + who + " cannot go from " + std::string(from_state) + " to " +
                      std::string(to) + "; allowed: " + (allowed.empty() ? "none" : allowed);
    return core::conflict(msg, "to");
  }
  for (const std::string& f : found->required_fields) {
    if (!has_field(f)) {
      return core::invalid(f, "is required to move a " + kind + " to " + std::string(to));
    }
  }
  return found;
}

core::Status Workflow::validate() const {
  auto flaw = [&](const std::string& m) { return core::invalid("workflow", kind + ": " + m); };
  if (!has_state(initial)) return flaw("initial state '" + initial + "' is not a state");
  if (is_final(initial)) return flaw("the initial state cannot be final");
  for (const std::string& f : final_states) {
    if (!has_state(f)) return flaw("final state '" + f + "' is not a state");
  }
  std::set<std::string> seen;
  for (const Transition& t : transitions) {
    if (!has_state(t.from) || !has_state(t.to)) {
      return flaw("transition " + t.from + " -> " + t.to + " names an unknown state");
    }
    if (is_final(t.from)) return flaw("final state '" + t.from + "' has an outgoing transition");
    for (const std::string& st : t.subtypes) {
      if (!contains(subtypes, st))
        return flaw("transition " + t.from + " -> " + t.to + " names unknown type '" + st + "'");
    }
    std::string key = t.from + "\n" + t.to;
    for (const std::string& st : t.subtypes) key += "\n" + st;
    if (!seen.insert(key).second) {
      return flaw("transition " + t.from + " -> " + t.to + " is declared twice");
    }
  }
  // Every state reachable from the initial one (by some type).
  std::set<std::string> reached{initial};
  std::vector<std::string> todo{initial};
  while (!todo.empty()) {
    std::string s = todo.back();
    todo.pop_back();
    for (const Transition* t : this->from(s)) {
      if (reached.insert(t->to).second) todo.push_back(t->to);
    }
  }
  for (const std::string& s : states) {
    if (!reached.count(s)) return flaw("state '" + s + "' cannot be reached from " + initial);
  }
  return {};
}

const std::vector<std::string>& pending_reasons() {
  static const std::vector<std::string> kReasons = {"awaiting_requester", "awaiting_vendor",
                                                    "awaiting_change", "awaiting_problem"};
  return kReasons;
}

const Workflow& incident_workflow() {
  static const Workflow kIncident = [] {
    const std::vector<std::string> resolve = {"resolution_code", "resolution_notes"};
    const std::vector<std::string> assign = {"assignee_team_id"};
    const std::vector<std::string> pend = {"pending_reason"};
    const std::vector<std::string> cancel = {"cancel_reason"};
    Workflow w;
    w.kind = "incident";
    w.initial = "new";
    w.states = {"new",      "assigned", "in_progress", "pending",
                "resolved", "reopened", "closed",      "cancelled"};
    w.final_states = {"closed", "cancelled"};
    w.transitions = {
        {"new", "assigned", assign},
        {"new", "in_progress", assign},
        {"new", "resolved", resolve},        // first-contact resolution at the service desk
        {"new", "cancelled", cancel, true},  // the requester withdraws it
        {"assigned", "in_progress", {}},
        {"assigned", "pending", pend},
        {"assigned", "resolved", resolve},
        {"assigned", "cancelled", cancel, true},  // withdrawn before anyone started
        {"in_progress", "pending", pend},
        {"in_progress", "resolved", resolve},
        {"in_progress", "assigned", assign},  // handed back to a queue
        {"pending", "in_progress", {}},
        {"pending", "resolved", resolve},
        {"resolved", "closed", {}, true},  // the requester confirms the resolution
        {"resolved", "reopened", {"reopen_reason"}, true},
        {"reopened", "assigned", assign},
        {"reopened", "in_progress", {}},
        {"reopened", "resolved", resolve},
    };
    return w;
  }();
  return kIncident;
}

const Workflow& request_workflow() {
  static const Workflow kRequest = [] {
    Workflow w;
    w.kind = "request";
    w.initial = "new";
    w.states = {"new", "in_progress", "pending", "fulfilled", "closed", "cancelled"};
    w.final_states = {"closed", "cancelled"};
    w.transitions = {
        {"new", "in_progress", {}},
        {"new", "cancelled", {"cancel_reason"}, true},
        {"in_progress", "pending", {"pending_reason"}},
        {"in_progress", "fulfilled", {"resolution_notes"}},
        {"in_progress", "cancelled", {"cancel_reason"}},
        {"pending", "in_progress", {}},
        {"pending", "fulfilled", {"resolution_notes"}},
        {"fulfilled", "closed", {}, true},
        {"fulfilled", "in_progress", {"reopen_reason"}, true},
    };
    return w;
  }();
  return kRequest;
}

}  // namespace yunwei::tickets

namespace yunwei::tickets {

const Workflow& problem_workflow() {
  static const Workflow kProblem = [] {
    const std::vector<std::string> resolve = {"resolution_code", "resolution_notes"};
    Workflow w;
    w.kind = "problem";
    w.initial = "new";
    w.states = {"new",    "assessed", "root_cause_analysis", "fix_in_progress", "resolved",
                "closed", "cancelled"};
    w.final_states = {"closed", "cancelled"};
    w.transitions = {
        {"new", "assessed", {"assignee_team_id"}},
        {"new", "cancelled", {"cancel_reason"}},
        {"assessed", "root_cause_analysis", {}},
        {"assessed", "cancelled", {"cancel_reason"}},
        {"root_cause_analysis", "fix_in_progress", {"root_cause"}},
        {"root_cause_analysis", "resolved", resolve},    // no fix needed (cause went away)
        {"fix_in_progress", "root_cause_analysis", {}},  // the fix did not hold
        {"fix_in_progress", "resolved", {"resolution_code", "resolution_notes", "permanent_fix"}},
        {"resolved", "closed", {}},
        {"resolved", "fix_in_progress", {"reopen_reason"}},  // the fault came back
    };
    return w;
  }();
  return kProblem;
}

const Workflow& change_workflow() {
  static const Workflow kChange = [] {
    const std::vector<std::string> standard = {"standard"};
    const std::vector<std::string> normal = {"normal"};
    const std::vector<std::string> emergency = {"emergency"};
    const std::vector<std::string> assessed = {"normal", "emergency"};
    const std::vector<std::string> plan = {"implementation_plan", "backout_plan", "planned_start",
                                           "planned_end", "ci_ids"};
    std::vector<std::string> authorise_fields = plan;
    authorise_fields.push_back("risk_assessment");
    const std::vector<std::string> cancel = {"cancel_reason"};
    const std::vector<std::string> manager = {"change_manager"};
    const std::vector<std::string> implementer = {"implementer", "change_manager"};
    Workflow w;
    w.kind = "change";
    w.subtypes = {"standard", "normal", "emergency"};
    w.initial = "new";
    w.states = {"new",    "assess", "authorise", "scheduled", "implement",
                "review", "failed", "closed",    "cancelled"};
    w.final_states = {"closed", "cancelled"};
    w.transitions = {
        {"new", "assess", {"ci_ids"}, false, normal},
        {"new", "authorise", authorise_fields, false, emergency},
        {"new", "scheduled", plan, false, standard},
        {"new", "cancelled", cancel, true},
        {"assess", "authorise", authorise_fields, false, normal},
        {"assess", "new", {}, false, normal},  // back for rework
        {"assess", "cancelled", cancel},
        // When the approval completes (the system), or later by hand once nothing blocks it.
        {"authorise", "scheduled", {}, false, assessed},
        {"authorise", "new", {}, false, assessed, {}, true},  // rejected: back to the requester
        {"authorise", "cancelled", cancel},
        {"scheduled", "implement", {}, false, {}, implementer},
        {"scheduled", "new", {"reopen_reason"}},  // replan: approvals start again
        {"scheduled", "cancelled", cancel},
        {"implement", "review", {}, false, {}, implementer},
        {"implement", "failed", {"resolution_notes"}, false, {}, implementer},  // backed out
        {"failed", "review", {}, false, {}, implementer},
        // A standard change's implementer closes it; the change manager closes the others.
        {"review", "closed", {"review_outcome"}, false, standard, implementer},
        {"review", "closed", {"review_outcome"}, false, assessed, manager},
    };
    return w;
  }();
  return kChange;
}

}  // namespace yunwei::tickets
