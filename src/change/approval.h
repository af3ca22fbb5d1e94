#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/clock.h"
#include "core/result.h"

// Change approvals (issue #7 point 4), in memory: an approval step is a group of approvers and a
// rule; its state follows from the decisions recorded on it. A change's approval is an ordered
// list of steps, decided one after another. Pure: no database, no clock (times are given).
//
// Errors of decide(), for the route POST /api/v1/tickets/{number}/approvals:
//   kForbidden (403)       user_id: the user is not an approver of the open step.
//   kConflict (409)        user_id: the user has already decided on this step;
//                          step: the step is already approved or rejected;
//                          approval: the change's approval is finished (approved or rejected).
//   kInvalidArgument (400) comment: missing on a rejection, too long or not text;
//                          at: earlier than the step's last decision;
//                          approvers: the step has no approvers or lists one twice (a server bug
//                          or an empty group when the step was opened, not the caller's fault:
//                          check approvers when opening the step).
namespace yunwei::change {

// Who approves a step: the lead of the implementer team, the change advisory board, or the
// emergency change advisory board. "team_lead", "cab", "ecab".
enum class ApproverGroup { kTeamLead, kCab, kEcab };
std::string_view approver_group_name(ApproverGroup g);
std::optional<ApproverGroup> parse_approver_group(std::string_view name);

// How a step's decisions decide it. "any", "all", "majority".
//   any:      the earliest decision decides the step: an approval approves it, a rejection
//             rejects it (ServiceNow's "anyone approves" group approval, where the first
//             response wins); later decisions are refused as the step is decided.
//   all:      approved when every approver has approved; the first rejection rejects it.
//   majority: approved when more than half of the approvers approve; rejected as soon as that
//             can no longer happen (more than half rejected, or with 4 approvers a 2-2 tie),
//             without waiting for the others.
enum class ApprovalRule { kAny, kAll, kMajority };
std::string_view approval_rule_name(ApprovalRule r);
std::optional<ApprovalRule> parse_approval_rule(std::string_view name);

enum class Verdict { kApprove, kReject };
// "approve", "reject".
std::string_view verdict_name(Verdict v);
std::optional<Verdict> parse_verdict(std::string_view name);

struct ApprovalDecision {
  std::int64_t user_id = 0;
  Verdict verdict = Verdict::kApprove;
  std::string comment;  // required on a rejection; at most 2000 characters
  core::TimeMs at = 0;  // UTC milliseconds
  bool operator==(const ApprovalDecision&) const = default;
};

enum class ApprovalState { kPending, kApproved, kRejected };
// "pending", "approved", "rejected".
std::string_view approval_state_name(ApprovalState s);

// One step of a change's approval, as stored: `approvers` are the members of the group when the
// step opened (later membership changes do not move a running step), `decisions` in the order
// they were recorded.
struct ApprovalStep {
  std::string name;
  ApproverGroup group = ApproverGroup::kTeamLead;
  ApprovalRule rule = ApprovalRule::kAny;
  std::vector<std::int64_t> approvers;
  std::vector<ApprovalDecision> decisions;
};

struct StepStatus {
  ApprovalState state = ApprovalState::kPending;
  int approvals = 0, rejections = 0;
  std::vector<std::int64_t> awaiting;  // approvers yet to decide, in approver order; none once
                                       // the step is decided
  core::TimeMs decided_at = 0;         // the deciding decision's time; 0 while pending
};

// The state of `step`, replaying its decisions in order with the checks of decide(); a stored
// decision that decide() would have refused is reported with its index ("decisions[2].user_id").
core::Result<StepStatus> step_status(const ApprovalStep& step);

// Records `decision` on `step` and returns the new status; on error the step is unchanged.
// Errors: see the top of this file (fields "user_id", "step", "comment", "at", "approvers").
core::Result<StepStatus> decide(ApprovalStep& step, ApprovalDecision decision);

// The overall state of a change's approval.
struct ApprovalProgress {
  ApprovalState state = ApprovalState::kPending;
  // pending: the open step; rejected: the rejected step; approved: steps.size().
  std::size_t current = 0;
  std::vector<std::int64_t> awaiting;  // pending: who the open step waits for
};

// Approved when every step is approved, in order (no steps: approved, as a standard change);
// rejected when a step is rejected; otherwise pending on the first step not approved. A step
// after the open or rejected one that holds decisions is kInvalidArgument naming it
// ("steps[2].decisions"); errors of step_status() are prefixed with "steps[i].".
core::Result<ApprovalProgress> next_step(const std::vector<ApprovalStep>& steps);

// Records `decision` on the open step of `steps` (the route's usual entry point) and returns the
// new progress. kConflict (approval) when the approval is already approved or rejected; errors
// of decide() otherwise, fields unprefixed as they name the request's fields.
core::Result<ApprovalProgress> decide(std::vector<ApprovalStep>& steps, ApprovalDecision decision);

}  // namespace yunwei::change
