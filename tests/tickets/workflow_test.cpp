#include "tickets/workflow.h"

#include <gtest/gtest.h>

#include <set>

namespace yunwei::tickets {
namespace {

auto has(std::set<std::string> fields) {
  return [fields](std::string_view f) { return fields.count(std::string(f)) > 0; };
}

TEST(Workflow, ShippedMachinesAreWellFormed) {
  EXPECT_TRUE(incident_workflow().validate().ok())
      << incident_workflow().validate().error().message;
  EXPECT_TRUE(request_workflow().validate().ok()) << request_workflow().validate().error().message;
  EXPECT_TRUE(problem_workflow().validate().ok()) << problem_workflow().validate().error().message;
  EXPECT_TRUE(change_workflow().validate().ok()) << change_workflow().validate().error().message;
}

TEST(Workflow, ProblemFollowsAnalysisToResolution) {
  const Workflow& w = problem_workflow();
  EXPECT_TRUE(w.check("new", "assessed", has({"assignee_team_id"})).ok());
  EXPECT_TRUE(w.check("assessed", "root_cause_analysis", has({})).ok());
  EXPECT_EQ(w.check("root_cause_analysis", "fix_in_progress", has({})).error().field, "root_cause");
  EXPECT_TRUE(w.check("root_cause_analysis", "fix_in_progress", has({"root_cause"})).ok());
  EXPECT_EQ(w.check("fix_in_progress", "resolved", has({"resolution_code", "resolution_notes"}))
                .error()
                .field,
            "permanent_fix");
  EXPECT_TRUE(w.check("resolved", "closed", has({})).ok());
  EXPECT_EQ(w.check("new", "resolved", has({})).error().code, core::ErrorCode::kConflict);
}

TEST(Workflow, ChangeTypesTakeTheirOwnPaths) {
  const Workflow& w = change_workflow();
  std::set<std::string> plan = {"implementation_plan", "backout_plan", "planned_start",
                                "planned_end",         "ci_ids",       "risk_assessment"};
  // Normal: new -> assess -> authorise; standard: straight to scheduled; emergency: no assess.
  EXPECT_TRUE(w.check("new", "assess", has(plan), "normal").ok());
  auto skip = w.check("new", "scheduled", has(plan), "normal");
  ASSERT_FALSE(skip.ok());
  EXPECT_NE(skip.error().message.find("a normal change cannot go from new to scheduled; allowed: "
                                      "assess, cancelled"),
            std::string::npos)
      << skip.error().message;
  EXPECT_TRUE(w.check("new", "scheduled", has(plan), "standard").ok());
  EXPECT_FALSE(w.check("new", "assess", has(plan), "standard").ok());
  EXPECT_TRUE(w.check("new", "authorise", has(plan), "emergency").ok());
  // The backout plan is required before authorisation.
  std::set<std::string> no_backout = plan;
  no_backout.erase("backout_plan");
  EXPECT_EQ(w.check("assess", "authorise", has(no_backout), "normal").error().field,
            "backout_plan");
  // Back to new from authorise is the system's move (a rejection): not offered to a request;
  // on to scheduled may be asked for (the change's hooks check the approval and conflicts).
  auto manual = w.check("authorise", "new", has(plan), "normal");
  ASSERT_FALSE(manual.ok());
  EXPECT_NE(manual.error().message.find("allowed: scheduled, cancelled"), std::string::npos)
      << manual.error().message;
  EXPECT_TRUE(w.check("authorise", "scheduled", has(plan), "normal").ok());
  // Roles: implementation by the implementer, closing a normal change by the change manager.
  auto impl = w.check("scheduled", "implement", has({}), "normal");
  ASSERT_TRUE(impl.ok());
  EXPECT_EQ((*impl)->roles, (std::vector<std::string>{"implementer", "change_manager"}));
  auto close = w.check("review", "closed", has({"review_outcome"}), "normal");
  ASSERT_TRUE(close.ok());
  EXPECT_EQ((*close)->roles, (std::vector<std::string>{"change_manager"}));
  EXPECT_EQ(w.check("review", "closed", has({}), "normal").error().field, "review_outcome");
  // No cancelling once implementation started.
  EXPECT_FALSE(w.check("implement", "cancelled", has({"cancel_reason"}), "normal").ok());
}

TEST(Workflow, IncidentFollowsTheItilPathToClosed) {
  const Workflow& w = incident_workflow();
  EXPECT_EQ(w.initial, "new");
  EXPECT_TRUE(w.check("new", "assigned", has({"assignee_team_id"})).ok());
  EXPECT_TRUE(w.check("assigned", "in_progress", has({})).ok());
  EXPECT_TRUE(w.check("in_progress", "pending", has({"pending_reason"})).ok());
  EXPECT_TRUE(w.check("pending", "in_progress", has({})).ok());
  EXPECT_TRUE(
      w.check("in_progress", "resolved", has({"resolution_code", "resolution_notes"})).ok());
  EXPECT_TRUE(w.check("resolved", "closed", has({})).ok());
  EXPECT_TRUE(w.is_final("closed"));
}

TEST(Workflow, AnInvalidMoveIsAConflictNamingTheAllowedTargets) {
  auto r = incident_workflow().check("new", "closed", has({}));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, core::ErrorCode::kConflict);
  EXPECT_EQ(r.error().field, "to");
  EXPECT_NE(r.error().message.find("allowed: assigned, in_progress, resolved, cancelled"),
            std::string::npos)
      << r.error().message;
  auto from_closed = incident_workflow().check("closed", "in_progress", has({}));
  ASSERT_FALSE(from_closed.ok());
  EXPECT_NE(from_closed.error().message.find("allowed: none"), std::string::npos);
}

TEST(Workflow, AnUnknownTargetStateIsABadArgument) {
  auto r = incident_workflow().check("new", "done", has({}));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, core::ErrorCode::kInvalidArgument);
  EXPECT_EQ(r.error().field, "to");
}

TEST(Workflow, ResolvingNeedsACodeAndNotesAndNamesWhatIsMissing) {
  auto r = incident_workflow().check("in_progress", "resolved", has({"resolution_code"}));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, core::ErrorCode::kInvalidArgument);
  EXPECT_EQ(r.error().field, "resolution_notes");
}

TEST(Workflow, PendingNeedsAReasonAndCancellingNeedsOne) {
  EXPECT_EQ(incident_workflow().check("assigned", "pending", has({})).error().field,
            "pending_reason");
  EXPECT_EQ(incident_workflow().check("new", "cancelled", has({})).error().field, "cancel_reason");
  EXPECT_FALSE(incident_workflow().check("in_progress", "cancelled", has({"cancel_reason"})).ok())
      << "work in progress is resolved, not cancelled";
}

TEST(Workflow, RequestersMayOnlyReopenConfirmOrWithdraw) {
  auto r = incident_workflow().check("resolved", "reopened", has({"reopen_reason"}));
  ASSERT_TRUE(r.ok());
  EXPECT_TRUE(r.value()->requester_may);
  std::set<std::string> open_to_requester;
  for (const Transition& t : incident_workflow().transitions) {
    if (t.requester_may) open_to_requester.insert(t.from + "->" + t.to);
  }
  EXPECT_EQ(open_to_requester, (std::set<std::string>{"resolved->reopened", "resolved->closed",
                                                      "new->cancelled", "assigned->cancelled"}));
}

TEST(Workflow, ServiceRequestsHaveTheirOwnSimplerMachine) {
  const Workflow& w = request_workflow();
  EXPECT_FALSE(w.has_state("assigned"));
  EXPECT_TRUE(w.check("in_progress", "fulfilled", has({"resolution_notes"})).ok());
  EXPECT_FALSE(w.check("new", "fulfilled", has({"resolution_notes"})).ok());
}

TEST(Workflow, ValidationFindsUnknownUnreachableAndFinalStateFlaws) {
  Workflow w;
  w.kind = "test";
  w.initial = "a";
  w.states = {"a", "b", "c"};
  w.final_states = {"c"};
  w.transitions = {{"a", "c", {}}};
  EXPECT_NE(w.validate().error().message.find("'b' cannot be reached"), std::string::npos);
  w.transitions.push_back({"a", "b", {}});
  EXPECT_TRUE(w.validate().ok());
  w.transitions.push_back({"c", "a", {}});
  EXPECT_NE(w.validate().error().message.find("final state 'c'"), std::string::npos);
  w.transitions.pop_back();
  w.transitions.push_back({"b", "x", {}});
  EXPECT_NE(w.validate().error().message.find("unknown state"), std::string::npos);
  w.transitions.pop_back();
  w.transitions.push_back({"a", "b", {}});
  EXPECT_NE(w.validate().error().message.find("declared twice"), std::string::npos);
}

}  // namespace
}  // namespace yunwei::tickets
