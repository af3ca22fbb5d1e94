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
