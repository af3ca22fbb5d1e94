#include "change/approval.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "support/test_db.h"

namespace yunwei::change {
namespace {

using core::ErrorCode;
using testing::failed_with;
using testing::must;

constexpr core::TimeMs kT0 = 1'700'000'000'000;

ApprovalDecision approve(std::int64_t user, core::TimeMs at = kT0) {
  return {user, Verdict::kApprove, "", at};
}
ApprovalDecision reject(std::int64_t user, core::TimeMs at = kT0) {
  return {user, Verdict::kReject, "backout not tested", at};
}

ApprovalStep step(ApprovalRule rule, std::vector<std::int64_t> approvers) {
  ApprovalStep s;
  s.name = "CAB approval";
  s.group = ApproverGroup::kCab;
  s.rule = rule;
  s.approvers = std::move(approvers);
  return s;
}

// Records the decisions in turn, each of which must be accepted; returns the last status.
StepStatus decide_all(ApprovalStep& s, const std::vector<ApprovalDecision>& decisions) {
  StepStatus last = must(step_status(s));
  for (const ApprovalDecision& d : decisions) last = must(decide(s, d));
  return last;
}

TEST(ApprovalStep, IsPendingOnAllApproversBeforeAnyDecision) {
  ApprovalStep s = step(ApprovalRule::kAll, {3, 1, 2});
  StepStatus st = must(step_status(s));
  EXPECT_EQ(st.state, ApprovalState::kPending);
  EXPECT_EQ(st.awaiting, (std::vector<std::int64_t>{3, 1, 2}));
  EXPECT_EQ(st.decided_at, 0);
}

TEST(ApprovalStep, AnyIsApprovedByTheFirstApproval) {
  ApprovalStep s = step(ApprovalRule::kAny, {1, 2, 3});
  StepStatus st = decide_all(s, {approve(2, kT0 + 5)});
  EXPECT_EQ(st.state, ApprovalState::kApproved);
  EXPECT_EQ(st.approvals, 1);
  EXPECT_TRUE(st.awaiting.empty());
  EXPECT_EQ(st.decided_at, kT0 + 5);
}

TEST(ApprovalStep, AnyIsRejectedByAnEarlierRejectionAndLaterDecisionsAreRefused) {
  ApprovalStep s = step(ApprovalRule::kAny, {1, 2, 3});
  EXPECT_EQ(decide_all(s, {reject(1)}).state, ApprovalState::kRejected);
  EXPECT_TRUE(failed_with(decide(s, approve(2, kT0 + 1)), ErrorCode::kConflict, "step"));
  EXPECT_EQ(s.decisions.size(), 1u);
  EXPECT_EQ(must(step_status(s)).state, ApprovalState::kRejected);
}

TEST(ApprovalStep, AllNeedsEveryApproval) {
  ApprovalStep s = step(ApprovalRule::kAll, {1, 2, 3});
  StepStatus st = decide_all(s, {approve(1), approve(3)});
  EXPECT_EQ(st.state, ApprovalState::kPending);
  EXPECT_EQ(st.awaiting, (std::vector<std::int64_t>{2}));
  EXPECT_EQ(must(decide(s, approve(2, kT0 + 9))).state, ApprovalState::kApproved);
  EXPECT_EQ(must(step_status(s)).decided_at, kT0 + 9);
}

TEST(ApprovalStep, AllIsRejectedByOneRejectionWithoutWaiting) {
  ApprovalStep s = step(ApprovalRule::kAll, {1, 2, 3});
  StepStatus st = decide_all(s, {approve(1), reject(2)});
  EXPECT_EQ(st.state, ApprovalState::kRejected);
  EXPECT_EQ(st.approvals, 1);
  EXPECT_EQ(st.rejections, 1);
  EXPECT_TRUE(st.awaiting.empty());
  EXPECT_TRUE(failed_with(decide(s, approve(3)), ErrorCode::kConflict, "step"));
}

TEST(ApprovalStep, MajorityOfThreeIsApprovedByTwo) {
  ApprovalStep s = step(ApprovalRule::kMajority, {1, 2, 3});
  EXPECT_EQ(decide_all(s, {approve(1)}).state, ApprovalState::kPending);
  EXPECT_EQ(must(decide(s, reject(2))).state, ApprovalState::kPending);
  EXPECT_EQ(must(decide(s, approve(3))).state, ApprovalState::kApproved);
}

TEST(ApprovalStep, MajorityOfFourNeedsThreeApprovals) {
  ApprovalStep s = step(ApprovalRule::kMajority, {1, 2, 3, 4});
  StepStatus st = decide_all(s, {approve(1), approve(2), reject(3)});
  EXPECT_EQ(st.state, ApprovalState::kPending);
  EXPECT_EQ(st.awaiting, (std::vector<std::int64_t>{4}));
  EXPECT_EQ(must(decide(s, approve(4))).state, ApprovalState::kApproved);
}

TEST(ApprovalStep, MajorityTieOfTwoToTwoRejects) {
  ApprovalStep s = step(ApprovalRule::kMajority, {1, 2, 3, 4});
  StepStatus st = decide_all(s, {approve(1), reject(2), approve(3)});
  EXPECT_EQ(st.state, ApprovalState::kPending);
  EXPECT_EQ(must(decide(s, reject(4))).state, ApprovalState::kRejected);
}

TEST(ApprovalStep, MajorityRejectsAsSoonAsItIsOutOfReach) {
  // Four approvers: two rejections leave at most two approvals, one short of three.
  ApprovalStep four = step(ApprovalRule::kMajority, {1, 2, 3, 4});
  StepStatus st = decide_all(four, {reject(1), reject(2, kT0 + 3)});
  EXPECT_EQ(st.state, ApprovalState::kRejected);
  EXPECT_EQ(st.decided_at, kT0 + 3);
  EXPECT_TRUE(st.awaiting.empty());
  EXPECT_TRUE(failed_with(decide(four, approve(3)), ErrorCode::kConflict, "step"));
  // Five approvers: two rejections still leave three possible approvals.
  ApprovalStep five = step(ApprovalRule::kMajority, {1, 2, 3, 4, 5});
  EXPECT_EQ(decide_all(five, {reject(1), reject(2)}).state, ApprovalState::kPending);
  EXPECT_EQ(must(decide(five, reject(3))).state, ApprovalState::kRejected);
}

TEST(ApprovalStep, MajorityOfOneIsThatApprover) {
  ApprovalStep s = step(ApprovalRule::kMajority, {7});
  EXPECT_EQ(decide_all(s, {approve(7)}).state, ApprovalState::kApproved);
}

TEST(ApprovalStep, RefusesDecisionsByNonMembers) {
  ApprovalStep s = step(ApprovalRule::kAll, {1, 2});
  EXPECT_TRUE(failed_with(decide(s, approve(9)), ErrorCode::kForbidden, "user_id"));
  EXPECT_TRUE(s.decisions.empty());
}

TEST(ApprovalStep, RefusesASecondDecisionByTheSameApprover) {
  ApprovalStep s = step(ApprovalRule::kAll, {1, 2});
  decide_all(s, {approve(1)});
  EXPECT_TRUE(failed_with(decide(s, approve(1, kT0 + 1)), ErrorCode::kConflict, "user_id"));
  EXPECT_TRUE(failed_with(decide(s, reject(1, kT0 + 1)), ErrorCode::kConflict, "user_id"));
  EXPECT_EQ(s.decisions.size(), 1u);
}

TEST(ApprovalStep, RefusesARejectionWithoutAComment) {
  ApprovalStep s = step(ApprovalRule::kAny, {1});
  EXPECT_TRUE(failed_with(decide(s, ApprovalDecision{1, Verdict::kReject, "  ", kT0}),
                          ErrorCode::kInvalidArgument, "comment"));
  EXPECT_TRUE(
      failed_with(decide(s, ApprovalDecision{1, Verdict::kApprove, std::string(2001, 'x'), kT0}),
                  ErrorCode::kInvalidArgument, "comment"));
  EXPECT_TRUE(decide(s, approve(1)).ok());
}

TEST(ApprovalStep, RefusesADecisionDatedBeforeTheLastOne) {
  ApprovalStep s = step(ApprovalRule::kAll, {1, 2});
  decide_all(s, {approve(1, kT0 + 10)});
  EXPECT_TRUE(failed_with(decide(s, approve(2, kT0 + 9)), ErrorCode::kInvalidArgument, "at"));
  EXPECT_TRUE(decide(s, approve(2, kT0 + 10)).ok());
}

TEST(ApprovalStep, RefusesStepsWithoutOrWithRepeatedApprovers) {
  ApprovalStep none = step(ApprovalRule::kAll, {});
  EXPECT_TRUE(failed_with(step_status(none), ErrorCode::kInvalidArgument, "approvers"));
  EXPECT_TRUE(failed_with(decide(none, approve(1)), ErrorCode::kInvalidArgument, "approvers"));
  ApprovalStep twice = step(ApprovalRule::kMajority, {1, 2, 1});
  EXPECT_TRUE(failed_with(step_status(twice), ErrorCode::kInvalidArgument, "approvers"));
}

TEST(ApprovalStep, ReportsAStoredDecisionThatShouldHaveBeenRefused) {
  ApprovalStep s = step(ApprovalRule::kAll, {1, 2});
  s.decisions = {approve(1), approve(1)};
  EXPECT_TRUE(failed_with(step_status(s), ErrorCode::kConflict, "decisions[1].user_id"));
  s.decisions = {approve(1), approve(5)};
  EXPECT_TRUE(failed_with(step_status(s), ErrorCode::kForbidden, "decisions[1].user_id"));
  s.rule = ApprovalRule::kAny;
  s.decisions = {approve(1), approve(2)};
  EXPECT_TRUE(failed_with(step_status(s), ErrorCode::kConflict, "decisions[1].step"));
}

TEST(ApprovalNames, RoundTrip) {
  for (ApprovalRule r : {ApprovalRule::kAny, ApprovalRule::kAll, ApprovalRule::kMajority}) {
    EXPECT_EQ(parse_approval_rule(approval_rule_name(r)), r);
  }
  for (ApproverGroup g : {ApproverGroup::kTeamLead, ApproverGroup::kCab, ApproverGroup::kEcab}) {
    EXPECT_EQ(parse_approver_group(approver_group_name(g)), g);
  }
  EXPECT_EQ(parse_verdict("approve"), Verdict::kApprove);
  EXPECT_EQ(parse_verdict("reject"), Verdict::kReject);
  EXPECT_EQ(parse_verdict("abstain"), std::nullopt);
  EXPECT_EQ(parse_approval_rule("most"), std::nullopt);
  EXPECT_EQ(parse_approver_group("board"), std::nullopt);
  EXPECT_EQ(approval_state_name(ApprovalState::kRejected), "rejected");
  EXPECT_EQ(approver_group_name(ApproverGroup::kTeamLead), "team_lead");
}

// Team lead (any: users 1, 2), then CAB (majority: users 3, 4, 5).
std::vector<ApprovalStep> two_steps() {
  ApprovalStep lead = step(ApprovalRule::kAny, {1, 2});
  lead.name = "Team lead approval";
  lead.group = ApproverGroup::kTeamLead;
  return {lead, step(ApprovalRule::kMajority, {3, 4, 5})};
}

TEST(ApprovalProgress, NoStepsIsApproved) {
  ApprovalProgress p = must(next_step({}));
  EXPECT_EQ(p.state, ApprovalState::kApproved);
  EXPECT_EQ(p.current, 0u);
  std::vector<ApprovalStep> none;
  EXPECT_TRUE(failed_with(decide(none, approve(1)), ErrorCode::kConflict, "approval"));
}

TEST(ApprovalProgress, StepsAreDecidedInOrder) {
  std::vector<ApprovalStep> steps = two_steps();
  ApprovalProgress p = must(next_step(steps));
  EXPECT_EQ(p.state, ApprovalState::kPending);
  EXPECT_EQ(p.current, 0u);
  EXPECT_EQ(p.awaiting, (std::vector<std::int64_t>{1, 2}));
  // A CAB member cannot decide while the team lead step is open.
  EXPECT_TRUE(failed_with(decide(steps, approve(3)), ErrorCode::kForbidden, "user_id"));

  p = must(decide(steps, approve(2)));
  EXPECT_EQ(p.state, ApprovalState::kPending);
  EXPECT_EQ(p.current, 1u);
  EXPECT_EQ(p.awaiting, (std::vector<std::int64_t>{3, 4, 5}));
  // The team lead step is decided: its other member is no approver of the open step.
  EXPECT_TRUE(failed_with(decide(steps, approve(1)), ErrorCode::kForbidden, "user_id"));

  p = must(decide(steps, approve(3, kT0 + 1)));
  EXPECT_EQ(p.current, 1u);
  EXPECT_EQ(p.awaiting, (std::vector<std::int64_t>{4, 5}));
  p = must(decide(steps, approve(5, kT0 + 2)));
  EXPECT_EQ(p.state, ApprovalState::kApproved);
  EXPECT_EQ(p.current, 2u);
  EXPECT_TRUE(p.awaiting.empty());
  EXPECT_TRUE(failed_with(decide(steps, approve(4, kT0 + 3)), ErrorCode::kConflict, "approval"));
  EXPECT_EQ(steps[1].decisions.size(), 2u);
}

TEST(ApprovalProgress, ARejectedStepRejectsTheChange) {
  std::vector<ApprovalStep> steps = two_steps();
  ApprovalProgress p = must(decide(steps, reject(1)));
  EXPECT_EQ(p.state, ApprovalState::kRejected);
  EXPECT_EQ(p.current, 0u);
  EXPECT_TRUE(failed_with(decide(steps, approve(3)), ErrorCode::kConflict, "approval"));

  steps = two_steps();
  must(decide(steps, approve(1)));
  must(decide(steps, reject(3)));
  p = must(decide(steps, reject(4)));
  EXPECT_EQ(p.state, ApprovalState::kRejected);
  EXPECT_EQ(p.current, 1u);
}

TEST(ApprovalProgress, RefusesDecisionsOnAStepAfterTheOpenOne) {
  std::vector<ApprovalStep> steps = two_steps();
  steps[1].decisions.push_back(approve(3));
  EXPECT_TRUE(failed_with(next_step(steps), ErrorCode::kInvalidArgument, "steps[1].decisions"));
  steps[0].decisions.push_back(reject(1));
  EXPECT_TRUE(failed_with(next_step(steps), ErrorCode::kInvalidArgument, "steps[1].decisions"));
}

TEST(ApprovalProgress, PrefixesErrorsOfAStoredStep) {
  std::vector<ApprovalStep> steps = two_steps();
  steps[0].decisions = {approve(1), approve(2)};
  EXPECT_TRUE(failed_with(next_step(steps), ErrorCode::kConflict, "steps[0].decisions[1].step"));
  steps = two_steps();
  steps[0].approvers.clear();
  EXPECT_TRUE(failed_with(next_step(steps), ErrorCode::kInvalidArgument, "steps[0].approvers"));
}

}  // namespace
}  // namespace yunwei::change
