#include "tickets/ticket_service.h"

#include <gtest/gtest.h>

#include <memory>

#include "identity/password.h"
#include "identity/team_service.h"
#include "identity/user_service.h"
#include "store/search/search.h"
#include "support/people.h"
#include "support/test_db.h"

namespace yunwei::tickets {
namespace {

using core::ErrorCode;
using testing::failed_with;
using testing::must;

class TicketServiceTest : public testing::BackendTest {
 protected:
  void SetUp() override {
    BackendTest::SetUp();
    if (IsSkipped() || HasFatalFailure()) return;
    tickets_ = std::make_unique<TicketService>(db(), clock_);
    identity::UserService users(db(), clock_, hasher_);
    identity::TeamService teams(db(), clock_);
    auto user = [&](const char* name, std::vector<std::string> roles) {
      return testing::make_user(users, name, std::move(roles));
    };
    requester_ = user("wangxiaoming", {"requester"});
    agent_ = user("zhangwei", {"agent"});
    outsider_ = user("lina", {"agent"});
    desk_ = testing::make_team(teams, "Desk", {agent_});
    infra_ = testing::make_team(teams, "Infra", {outsider_});
  }

  static NewTicket incident(std::string title) {
    NewTicket n;
    n.title = std::move(title);
    n.description = "财务部的 ERP 登录很慢";
    return n;
  }
  static store::Actor as(std::int64_t user) { return store::Actor{user, "test"}; }
  // Who is looking: an agent works tickets; a requester only sees and moves their own.
  static Viewer agent_view(std::int64_t user) { return Viewer{user, true, true, false}; }
  static Viewer requester_view(std::int64_t user) { return Viewer{user, false, false, false}; }

  identity::PasswordHasher hasher_{identity::PasswordHasher::Strength::kMinimum};
  std::unique_ptr<TicketService> tickets_;
  std::int64_t requester_ = 0, agent_ = 0, outsider_ = 0, desk_ = 0, infra_ = 0;
};

TEST_P(TicketServiceTest, NumbersEachKindInItsOwnSequence) {
  Ticket a =
      must(tickets_->create(as(requester_), requester_view(requester_), incident("邮件发不出去")));
  Ticket b =
      must(tickets_->create(as(requester_), requester_view(requester_), incident("打印机卡纸")));
  NewTicket req = incident("申请一台笔记本");
  req.kind = "request";
  Ticket c = must(tickets_->create(as(requester_), requester_view(requester_), req));
  EXPECT_EQ(a.number, "INC-000001");
  EXPECT_EQ(b.number, "INC-000002");
  EXPECT_EQ(c.number, "REQ-000001");
  EXPECT_EQ(must(tickets_->get(agent_view(agent_), "INC-000002")).ticket.title, "打印机卡纸");
  EXPECT_TRUE(failed_with(tickets_->get(agent_view(agent_), "INC-999999"), ErrorCode::kNotFound));
}

TEST_P(TicketServiceTest, DerivesPriorityFromImpactAndUrgency) {
  NewTicket n = incident("核心交换机宕机");
  n.impact = 1;
  n.urgency = 1;
  EXPECT_EQ(must(tickets_->create(as(agent_), agent_view(agent_), n)).priority, "P1");
  n.impact = 2;
  n.urgency = 3;
  EXPECT_EQ(must(tickets_->create(as(agent_), agent_view(agent_), n)).priority, "P4");
  n.urgency = 4;
  EXPECT_TRUE(failed_with(tickets_->create(as(agent_), agent_view(agent_), n),
                          ErrorCode::kInvalidArgument, "urgency"));
}

TEST_P(TicketServiceTest, RejectsBadInputNamingTheFieldAndStoresNothing) {
  NewTicket n = incident("");
  EXPECT_TRUE(failed_with(tickets_->create(as(requester_), requester_view(requester_), n),
                          ErrorCode::kInvalidArgument, "title"));
  n = incident("x");
  n.kind = "complaint";
  EXPECT_TRUE(failed_with(tickets_->create(as(requester_), requester_view(requester_), n),
                          ErrorCode::kInvalidArgument, "kind"));
  n = incident("x");
  n.channel = "pigeon";
  EXPECT_TRUE(failed_with(tickets_->create(as(requester_), requester_view(requester_), n),
                          ErrorCode::kInvalidArgument, "channel"));
  n = incident("x");
  n.category_id = 999;
  EXPECT_TRUE(failed_with(tickets_->create(as(requester_), requester_view(requester_), n),
                          ErrorCode::kInvalidArgument, "category_id"));
  n = incident("x");
  n.assignee_team_id = desk_;
  n.assignee_id = outsider_;  // not in the desk team
  EXPECT_TRUE(failed_with(tickets_->create(as(agent_), agent_view(agent_), n),
                          ErrorCode::kInvalidArgument, "assignee_id"));
  EXPECT_EQ(query("SELECT COUNT(*) FROM tickets")[0].i64(0), 0);
  Ticket first = must(tickets_->create(as(requester_), requester_view(requester_), incident("x")));
  EXPECT_EQ(first.number, "INC-000001") << "no number was used up";
}

TEST_P(TicketServiceTest, WalksAnIncidentThroughItsLifecycleWithAnEventPerStep) {
  Ticket t =
      must(tickets_->create(as(requester_), requester_view(requester_), incident("VPN 连不上")));
  EXPECT_EQ(t.status, "new");
  TransitionRequest r;
  r.to = "assigned";
  r.version = t.version;
  r.assignee_team_id = desk_;
  r.assignee_id = agent_;
  t = must(tickets_->transition(as(agent_), agent_view(agent_), t.number, r));
  EXPECT_EQ(t.status, "assigned");
  EXPECT_TRUE(t.first_assigned_at.has_value());
  r = {};
  r.to = "pending";
  r.version = t.version;
  r.pending_reason = "awaiting_requester";
  t = must(tickets_->transition(as(agent_), agent_view(agent_), t.number, r));
  EXPECT_EQ(t.pending_reason, "awaiting_requester");
  r = {};
  r.to = "in_progress";
  r.version = t.version;
  t = must(tickets_->transition(as(agent_), agent_view(agent_), t.number, r));
  EXPECT_EQ(t.pending_reason, "");
  r = {};
  r.to = "resolved";
  r.version = t.version;
  r.resolution_code = "fixed";
  r.resolution_notes = "重置了 VPN 证书";
  // Resolving is the agents' move: the requester may not make it (they may confirm or reopen).
  EXPECT_TRUE(
      failed_with(tickets_->transition(as(requester_), requester_view(requester_), t.number, r),
                  ErrorCode::kForbidden));
  t = must(tickets_->transition(as(agent_), agent_view(agent_), t.number, r));
  EXPECT_EQ(t.status, "resolved");
  EXPECT_TRUE(t.resolved_at.has_value());
  // The requester may reopen it.
  r = {};
  r.to = "reopened";
  r.version = t.version;
  r.reopen_reason = "还是连不上";
  t = must(tickets_->transition(as(requester_), requester_view(requester_), t.number, r));
  EXPECT_EQ(t.reopen_count, 1);
  EXPECT_FALSE(t.resolved_at.has_value());
  auto events =
      query("SELECT action, after_json FROM events WHERE object_type = 'ticket' ORDER BY id");
  ASSERT_EQ(events.size(), 6u);
  EXPECT_EQ(events[0].str(0), "ticket.create");
  EXPECT_EQ(events[5].str(0), "ticket.transition");
  // The reopen reason goes into the transition's event (its "detail").
  EXPECT_NE(events[5].str(1).find("\"reason\":\"还是连不上\""), std::string::npos)
      << events[5].str(1);
  EXPECT_EQ(events[4].str(1).find("\"reason\""), std::string::npos) << "no reason without one";
}

TEST_P(TicketServiceTest, AnImpossibleMoveIsAConflictAndAStaleVersionToo) {
  Ticket t = must(tickets_->create(as(requester_), requester_view(requester_), incident("网络慢")));
  TransitionRequest r;
  r.to = "closed";
  r.version = t.version;
  auto bad = tickets_->transition(as(agent_), agent_view(agent_), t.number, r);
  ASSERT_TRUE(failed_with(bad, ErrorCode::kConflict, "to"));
  EXPECT_NE(bad.error().message.find("allowed: assigned"), std::string::npos);
  r.to = "resolved";
  r.resolution_code = "fixed";
  EXPECT_TRUE(failed_with(tickets_->transition(as(agent_), agent_view(agent_), t.number, r),
                          ErrorCode::kInvalidArgument, "resolution_notes"));
  r.resolution_notes = "ok";
  r.version = t.version + 1;
  EXPECT_TRUE(failed_with(tickets_->transition(as(agent_), agent_view(agent_), t.number, r),
                          ErrorCode::kConflict, "version"));
  EXPECT_EQ(must(tickets_->get(agent_view(agent_), t.number)).ticket.status, "new");
}

TEST_P(TicketServiceTest, ReassigningToAnotherTeamIsCounted) {
  NewTicket n = incident("磁盘满了");
  n.assignee_team_id = desk_;
  Ticket t = must(tickets_->create(as(agent_), agent_view(agent_), n));
  EXPECT_EQ(t.status, "assigned");
  TransitionRequest r;
  r.to = "in_progress";
  r.version = t.version;
  t = must(tickets_->transition(as(agent_), agent_view(agent_), t.number, r));
  r = {};
  r.to = "assigned";
  r.version = t.version;
  r.assignee_team_id = infra_;
  t = must(tickets_->transition(as(agent_), agent_view(agent_), t.number, r));
  EXPECT_EQ(t.assignee_team_id, infra_);
  EXPECT_EQ(t.reassignment_count, 1);
}

TEST_P(TicketServiceTest, IndexesTicketsForChineseSearchInTheSameTransaction) {
  Ticket t =
      must(tickets_->create(as(requester_), requester_view(requester_), incident("办公网络故障")));
  must(tickets_->create(as(requester_), requester_view(requester_), incident("打印机没有纸了")));
  must(db().sync_search());
  auto hits = must(store::read_tx<std::vector<store::search::SearchHit>>(db(), [&](store::Tx& tx) {
    return store::search::search(tx, ticket_index(), store::search::parse_query("网络"));
  }));
  ASSERT_EQ(hits.size(), 1u);
  EXPECT_EQ(hits[0].id, t.id);
  auto by_number =
      must(store::read_tx<std::vector<store::search::SearchHit>>(db(), [&](store::Tx& tx) {
        return store::search::search(tx, ticket_index(), store::search::parse_query(t.number));
      }));
  ASSERT_EQ(by_number.size(), 1u);
  EXPECT_EQ(by_number[0].id, t.id);
}

INSTANTIATE_TEST_SUITE_P(Backends, TicketServiceTest, testing::kAllBackends,
                         testing::backend_test_name);

}  // namespace
}  // namespace yunwei::tickets
