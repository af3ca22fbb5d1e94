#include "sla/tracker.h"

#include <gtest/gtest.h>

#include <chrono>
#include <future>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "identity/password.h"
#include "identity/team_service.h"
#include "identity/user_service.h"
#include "sla/ticket_sla.h"
#include "store/audit.h"
#include "support/people.h"
#include "support/test_db.h"

namespace yunwei::sla {
namespace {

using std::chrono::hours;
using std::chrono::minutes;
using testing::must;

constexpr std::int64_t kMin = 60'000;
// Monday 2024-03-04 09:00 in Shanghai: a working day.
constexpr core::TimeMs kMonday9 = testing::kTestStart - 8 * 60 * kMin;

TEST(TrackerHistory, EncodesAndDecodesTheTimerHistory) {
  std::vector<HistoryPoint> h = {{1000, {"assigned", "", "P3", 4, false}},
                                 {2000, {"pending", "awaiting_vendor", "P2", std::nullopt, true}}};
  std::string text = encode_history(h);
  EXPECT_EQ(text, "1000,assigned,,P3,4,0;2000,pending,awaiting_vendor,P2,,1");
  std::vector<HistoryPoint> back;
  ASSERT_TRUE(decode_history(text, back));
  ASSERT_EQ(back.size(), 2u);
  EXPECT_EQ(back[1].at, 2000);
  EXPECT_EQ(back[1].state.pending_reason, "awaiting_vendor");
  EXPECT_FALSE(back[1].state.team_id);
  EXPECT_TRUE(back[1].state.responded);
  EXPECT_EQ(back[0].state.team_id, 4);
  for (const char* bad : {"x,assigned,,P3,4,0", "1000,assigned,,P3,4", "1000,a,,P3,4,2",
                          "1000,a,,P3,four,0", "1000,a,,P3,4,0,9"}) {
    EXPECT_FALSE(decode_history(bad, back)) << bad;
  }
  EXPECT_TRUE(decode_history("", back));
  EXPECT_TRUE(back.empty());
}

TEST(TrackerFired, KeysAreWholeWords) {
  std::string f = add_fired("", "resolution:100");
  f = add_fired(f, "ola:4:50");
  EXPECT_EQ(f, " resolution:100 ola:4:50 ");
  EXPECT_TRUE(has_fired(f, "resolution:100"));
  EXPECT_TRUE(has_fired(f, "ola:4:50"));
  EXPECT_FALSE(has_fired(f, "resolution:10"));
  EXPECT_FALSE(has_fired(f, "ola:4:5"));
  EXPECT_FALSE(has_fired(f, "response:100"));
}

class TrackerTest : public testing::BackendTest {
 protected:
  void SetUp() override {
    BackendTest::SetUp();
    if (IsSkipped() || HasFatalFailure()) return;
    clock_.set(kMonday9);
    store::Actor system{std::nullopt, "test"};
    calendars_ = std::make_unique<CalendarService>(db(), clock_);
    must(calendars_->seed_defaults(system));
    policies_ = std::make_unique<PolicyService>(db(), clock_);
    must(policies_->seed_defaults(system));
    tickets_ = std::make_unique<tickets::TicketService>(db(), clock_);
    tracker_ = make_tracker();
    identity::UserService users(db(), clock_, hasher_);
    identity::TeamService teams(db(), clock_);
    auto user = [&](const char* name, std::vector<std::string> roles) {
      return testing::make_user(users, name, std::move(roles));
    };
    requester_ = user("wangxiaoming", {"requester"});
    agent_ = user("zhangwei", {"agent"});
    lead_ = user("lina", {"agent"});
    second_ = user("liuyang", {"agent"});
    desk_ = testing::make_team(teams, "Desk", {agent_, lead_}, lead_);
    network_ = testing::make_team(teams, "Network", {second_});
  }

  std::unique_ptr<SlaTracker> make_tracker() {
    return std::make_unique<SlaTracker>(db(), clock_, *calendars_, *policies_, *tickets_);
  }

  static store::Actor as(std::int64_t user) { return store::Actor{user, "test"}; }
  static tickets::Viewer agent_view(std::int64_t user) { return {user, true, true, false}; }

  tickets::Ticket create(int impact, int urgency) {
    tickets::NewTicket n;
    n.title = "核心交换机宕机";
    n.impact = impact;
    n.urgency = urgency;
    n.requester_id = requester_;
    n.assignee_team_id = desk_;
    n.assignee_id = agent_;
    return must(tickets_->create(as(agent_), agent_view(agent_), n));
  }
  tickets::Ticket p1() { return create(1, 1); }

  tickets::Ticket move(const tickets::Ticket& t, const std::string& to,
                       const std::string& pending_reason = "") {
    tickets::TransitionRequest r;
    r.to = to;
    if (!pending_reason.empty()) r.pending_reason = pending_reason;
    if (to == "resolved") {
      r.resolution_code = "fixed";
      r.resolution_notes = "已更换故障板卡";
    }
    return must(tickets_->transition(as(agent_), agent_view(agent_), t.number, r));
  }

  struct Row {
    std::string flag, response_state, resolution_state, fired;
    std::optional<core::TimeMs> response_due, resolution_due, due_at, next_at, breached_at;
    std::optional<std::int64_t> policy_id;
    bool open = false;
  };
  std::optional<Row> row(std::int64_t ticket_id) {
    return must(store::read_tx<std::optional<Row>>(
        db(), [&](store::Tx& tx) -> core::Result<std::optional<Row>> {
          auto r = tx.query_row(
              "SELECT flag, response_state, resolution_state, fired, response_due,"
              " resolution_due, due_at, next_at, response_breached_at, policy_id, open FROM"
              " ticket_sla WHERE ticket_id = ?",
              {ticket_id});
          if (!r.ok()) return std::move(r).error();
          if (!*r) return std::optional<Row>();
          const store::Row& x = **r;
          return std::optional<Row>(Row{x.str(0), x.str(1), x.str(2), x.str(3), x.opt_i64(4),
                                        x.opt_i64(5), x.opt_i64(6), x.opt_i64(7), x.opt_i64(8),
                                        x.opt_i64(9), x.i64(10) != 0});
        }));
  }

  std::int64_t count(const std::string& sql, store::Params p = {}) {
    return must(
        store::read_tx<std::int64_t>(db(), [&](store::Tx& tx) -> core::Result<std::int64_t> {
          auto r = tx.query_row(sql, p);
          if (!r.ok()) return std::move(r).error();
          return (*r)->i64(0);
        }));
  }
  std::int64_t sla_events(std::int64_t ticket_id) {
    return count(
        "SELECT COUNT(*) FROM events WHERE object_type = 'ticket' AND object_id = ? AND action ="
        " 'ticket.sla' AND actor_id IS NULL",
        {ticket_id});
  }

  void catch_up() {
    for (int i = 0; i < 10; ++i) {
      if (must(tracker_->catch_up()) < 5000) break;
    }
  }

  identity::PasswordHasher hasher_{identity::PasswordHasher::Strength::kMinimum};
  std::unique_ptr<CalendarService> calendars_;
  std::unique_ptr<PolicyService> policies_;
  std::unique_ptr<tickets::TicketService> tickets_;
  std::unique_ptr<SlaTracker> tracker_;
  std::int64_t requester_ = 0, agent_ = 0, lead_ = 0, second_ = 0, desk_ = 0, network_ = 0;
};

TEST_P(TrackerTest, RowsFollowTheEventLog) {
  tickets::Ticket t = p1();
  EXPECT_FALSE(row(t.id)) << "nothing before the tracker has read the events";
  catch_up();
  auto r = row(t.id);
  ASSERT_TRUE(r);
  EXPECT_TRUE(r->open);
  EXPECT_EQ(r->flag, "ok");
  EXPECT_EQ(r->response_state, "running");
  EXPECT_EQ(r->response_due, kMonday9 + 15 * kMin);
  EXPECT_EQ(r->resolution_due, kMonday9 + 240 * kMin);
  EXPECT_EQ(r->due_at, kMonday9 + 15 * kMin) << "the earliest running due";
  EXPECT_EQ(r->next_at, kMonday9 + 7 * kMin + 30'000) << "50 % of the 15 min response";
  EXPECT_TRUE(r->fired.empty());

  clock_.advance(minutes(5));
  t = move(t, "in_progress");
  catch_up();
  r = row(t.id);
  EXPECT_EQ(r->response_state, "met");
  EXPECT_EQ(r->due_at, kMonday9 + 240 * kMin);
  EXPECT_EQ(r->next_at, kMonday9 + 120 * kMin) << "50 % of the resolution";

  // Raising the priority re-targets from the whole history: P1 -> P3 moves to office hours.
  tickets::TicketPatch p;
  p.version = t.version;
  p.impact = 2;
  p.urgency = 2;
  t = must(tickets_->update(as(agent_), agent_view(agent_), t.number, p));
  ASSERT_EQ(t.priority, "P3");
  catch_up();
  r = row(t.id);
  EXPECT_EQ(r->resolution_due, kMonday9 + 57 * 60 * kMin)
      << "24 business hours of 8 a day: Wednesday 18:00";

  t = move(t, "resolved");
  catch_up();
  r = row(t.id);
  EXPECT_FALSE(r->open);
  EXPECT_EQ(r->resolution_state, "met");
  EXPECT_FALSE(r->next_at) << "nothing to fire on a stopped clock";
}

TEST_P(TrackerTest, EachThresholdFiresOnceWithItsActionsAndSurvivesARestart) {
  tickets::Ticket t = p1();
  catch_up();
  EXPECT_EQ(must(tracker_->fire_due()), 0) << "nothing is due yet";

  clock_.advance(minutes(8));  // response 53 %
  EXPECT_EQ(must(tracker_->fire_due()), 1);
  EXPECT_EQ(sla_events(t.id), 1);
  EXPECT_EQ(must(tracker_->fire_due()), 0) << "fired once";
  EXPECT_EQ(count("SELECT COUNT(*) FROM outbox WHERE topic = 'sla.warning' AND recipient = ?",
                  {"user:" + std::to_string(agent_)}),
            1)
      << "50 %: notify the assignee";
  auto r = row(t.id);
  EXPECT_EQ(r->fired, " response:50 ");
  EXPECT_EQ(r->flag, "ok");
  EXPECT_EQ(r->next_at, kMonday9 + 11 * kMin + 15'000) << "75 % next";

  // 16 min: 75 % (mark at risk, tell the lead) and the breach fire together.
  clock_.advance(minutes(8));
  catch_up();
  EXPECT_EQ(must(tracker_->fire_due()), 2);
  EXPECT_EQ(sla_events(t.id), 3);
  r = row(t.id);
  EXPECT_EQ(r->fired, " response:50 response:75 response:100 ");
  EXPECT_EQ(r->flag, "breached");
  EXPECT_EQ(r->response_state, "breached");
  EXPECT_EQ(r->breached_at, kMonday9 + 15 * kMin);
  EXPECT_EQ(count("SELECT COUNT(*) FROM outbox WHERE topic = 'sla.breach'"), 1)
      << "100 %: the lead (no Operations team configured here)";
  EXPECT_EQ(count("SELECT COUNT(*) FROM outbox WHERE topic = 'sla.warning' AND recipient = ?",
                  {"user:" + std::to_string(lead_)}),
            1);

  // A restarted worker reads the same rows and fires nothing again.
  tracker_ = make_tracker();
  catch_up();
  EXPECT_EQ(must(tracker_->fire_due()), 0);
  clock_.advance(hours(1));
  EXPECT_EQ(must(tracker_->fire_due()), 0) << "resolution 50 % is at 2 h";
  clock_.advance(hours(1));
  EXPECT_EQ(must(tracker_->fire_due()), 1);
  EXPECT_EQ(sla_events(t.id), 4);
}

TEST_P(TrackerTest, ThresholdsReachedLongAgoAreRecordedNotActedOn) {
  // The worker meets a ticket whose deadlines passed days ago (an upgrade, a long outage).
  tickets::Ticket t = p1();
  clock_.advance(hours(49));
  catch_up();
  auto r = row(t.id);
  EXPECT_EQ(r->flag, "breached");
  EXPECT_FALSE(r->next_at) << "nothing left worth waking for";
  EXPECT_EQ(must(tracker_->fire_due()), 0);
  EXPECT_EQ(sla_events(t.id), 0);
  EXPECT_EQ(count("SELECT COUNT(*) FROM outbox WHERE topic LIKE 'sla.%'"), 0);

  // 25 hours on: the response thresholds (at 7.5 to 15 minutes) are over a day old, the
  // resolution ones (at 2 to 4 hours) are not. Only the latter are acted on; the former are
  // recorded with them, silently.
  tickets::Ticket u = p1();
  catch_up();
  clock_.advance(hours(25));
  EXPECT_EQ(must(tracker_->fire_due()), 3);
  EXPECT_EQ(sla_events(u.id), 3);
  EXPECT_EQ(count("SELECT COUNT(*) FROM events WHERE object_id = ? AND action = 'ticket.sla' AND"
                  " after_json LIKE '%\"metric\":\"response\"%'",
                  {u.id}),
            0);
  EXPECT_EQ(row(u.id)->fired,
            " response:50 response:75 response:100 resolution:50 resolution:75 resolution:100 ");
  EXPECT_EQ(must(tracker_->fire_due()), 0);
}

TEST_P(TrackerTest, AnEventThatCommitsAfterALaterOneIsNotMissed) {
  if (GetParam() != testing::TestBackend::kPostgres) {
    GTEST_SKIP() << "SQLite's single writer commits events in id order";
  }
  tickets::Ticket a = p1();
  tickets::Ticket b = p1();
  catch_up();
  // A transaction takes an event id for ticket a and stays open while a later one commits.
  std::promise<void> inserted, release;
  std::shared_future<void> go = release.get_future().share();
  std::thread slow([&] {
    core::Status st = db().write([&](store::Tx& tx) -> core::Status {
      auto ev = store::append_event(
          tx, as(agent_), clock_.now_ms(), "ticket.transition", "ticket", a.id, "",
          R"({"number":"x","status":"pending","pending_reason":"awaiting_requester",)"
          R"("priority":"P1","assignee_team_id":)" +
              std::to_string(desk_) + "}");
      if (!ev.ok()) return std::move(ev).error();
      inserted.set_value();
      go.wait();
      return {};
    });
    EXPECT_TRUE(st.ok());
  });
  inserted.get_future().wait();
  clock_.advance(minutes(1));
  move(b, "in_progress");  // a later event id, committed first
  catch_up();
  EXPECT_EQ(row(b.id)->response_state, "met");
  EXPECT_EQ(row(a.id)->resolution_state, "running") << "a's event is not visible yet";
  release.set_value();
  slow.join();
  catch_up();
  EXPECT_EQ(row(a.id)->resolution_state, "paused") << "the late event was looked up again";
}

TEST_P(TrackerTest, TwoWorkersTogetherFireEachThresholdExactlyOnce) {
  std::vector<tickets::Ticket> ts;
  for (int i = 0; i < 12; ++i) ts.push_back(p1());
  catch_up();
  clock_.advance(minutes(20));  // response 50, 75, 100 due on every ticket
  auto other = make_tracker();
  int a = 0, b = 0;
  std::thread ta([&] {
    for (int i = 0; i < 5; ++i) a += must(tracker_->fire_due(4));
  });
  std::thread tb([&] {
    for (int i = 0; i < 5; ++i) b += must(other->fire_due(4));
  });
  ta.join();
  tb.join();
  EXPECT_EQ(a + b, 36);
  EXPECT_EQ(count("SELECT COUNT(*) FROM events WHERE action = 'ticket.sla'"), 36);
  for (const tickets::Ticket& t : ts) EXPECT_EQ(sla_events(t.id), 3) << t.number;
}

TEST_P(TrackerTest, ActionsReassignRaiseThePriorityAndMarkAtRisk) {
  PolicyInput in;
  in.name = "Escalating";
  in.position = 1;
  in.calendar_id = must(policies_->list()).front().calendar_id;  // P1's: 24×7
  in.conditions.priorities = {"P3"};
  in.response_minutes = 60;
  in.thresholds =
      std::vector<Threshold>{{50, {{"mark_at_risk", "", {}}, {"raise_priority", "", {}}}},
                             {100, {{"reassign", "", network_}, {"notify", "team_lead", {}}}}};
  Policy p = must(policies_->create({}, in));
  tickets::Ticket t = create(2, 2);
  ASSERT_EQ(t.priority, "P3");
  catch_up();
  ASSERT_EQ(row(t.id)->policy_id, p.id);

  clock_.advance(minutes(31));
  EXPECT_EQ(must(tracker_->fire_due()), 1);
  tickets::TicketDetail d = must(tickets_->get(agent_view(agent_), t.number));
  EXPECT_EQ(d.ticket.priority, "P2");
  EXPECT_TRUE(d.ticket.priority_overridden);
  EXPECT_EQ(count("SELECT marked_at_risk FROM ticket_sla WHERE ticket_id = ?", {t.id}), 1);
  // Now P2: the P2 policy (24×7, response 30 min) applies from the creation, so its response
  // is already breached, which outranks the mark; its 50 % has fired and does not fire again.
  EXPECT_EQ(row(t.id)->flag, "breached");
  catch_up();
  EXPECT_EQ(row(t.id)->flag, "breached");
  EXPECT_EQ(must(tracker_->fire_due()), 2) << "P2's 75 % and breach of the response";
  std::vector<tickets::TimelineEntry> tl = must(tickets_->timeline(agent_view(agent_), t.number));
  int sla = 0, system_updates = 0;
  for (const tickets::TimelineEntry& e : tl) {
    if (e.action == "ticket.sla") ++sla;
    if (e.action == "ticket.update" && !e.actor_id) ++system_updates;
  }
  EXPECT_EQ(sla, 3);
  EXPECT_EQ(system_updates, 1) << "the priority raise; P2's policy has no reassignment";
  EXPECT_EQ(must(tickets_->get(agent_view(agent_), t.number)).ticket.assignee_team_id, desk_);
}

TEST_P(TrackerTest, AReassignmentAtTheBreachHandsTheTicketOver) {
  PolicyInput in;
  in.name = "Hand over";
  in.position = 1;
  in.calendar_id = must(policies_->list()).front().calendar_id;
  in.conditions.priorities = {"P3"};
  in.resolution_minutes = 60;
  in.thresholds =
      std::vector<Threshold>{{50, {{"mark_at_risk", "", {}}}}, {100, {{"reassign", "", network_}}}};
  must(policies_->create({}, in));
  tickets::Ticket t = create(2, 2);
  catch_up();
  clock_.advance(minutes(31));
  EXPECT_EQ(must(tracker_->fire_due()), 1);
  EXPECT_EQ(row(t.id)->flag, "at_risk");
  catch_up();
  EXPECT_EQ(row(t.id)->flag, "at_risk") << "the tracker keeps the mark";
  clock_.advance(minutes(30));
  EXPECT_EQ(must(tracker_->fire_due()), 1);
  EXPECT_EQ(row(t.id)->flag, "breached");
  tickets::TicketDetail d = must(tickets_->get(agent_view(agent_), t.number));
  EXPECT_EQ(d.ticket.assignee_team_id, network_);
  EXPECT_EQ(d.ticket.assignee_id, std::nullopt) << "Network's strategy is manual";
  EXPECT_EQ(d.ticket.reassignment_count, 1);
}

TEST_P(TrackerTest, APolicyOrCalendarChangeRecomputesOpenTicketsFromTheStoredHistory) {
  tickets::Ticket t = create(2, 2);  // P3: office hours, resolution 24 h
  tickets::Ticket done = create(2, 2);
  done = move(move(done, "in_progress"), "resolved");
  catch_up();
  EXPECT_EQ(must(tracker_->recompute_open()), 1) << "first pass: the open ticket";
  EXPECT_EQ(must(tracker_->recompute_open()), 0) << "nothing changed since";
  EXPECT_EQ(row(t.id)->resolution_due, kMonday9 + 57 * 60 * kMin) << "Wednesday 18:00";

  Policy p3;
  for (const Policy& p : must(policies_->list())) {
    if (p.conditions.priorities == std::vector<std::string>{"P3"}) p3 = p;
  }
  ASSERT_NE(p3.id, 0);
  PolicyPatch patch;
  patch.version = p3.version;
  patch.resolution_minutes = std::optional<std::int64_t>(8 * 60);
  must(policies_->update({}, p3.id, patch));
  EXPECT_EQ(must(tracker_->recompute_open()), 1) << "only the open ticket";
  EXPECT_EQ(row(t.id)->resolution_due, kMonday9 + 9 * 60 * kMin) << "Monday 18:00";
  EXPECT_EQ(row(done.id)->resolution_due, std::nullopt);

  // A working Monday becomes a day off: the due moves to Tuesday.
  Calendar office = must(calendars_->get(p3.calendar_id));
  CalendarPatch cp;
  cp.version = office.version;
  cp.overrides = std::vector<Override>{{parse_date("2024-03-04").value(), {}, "停电"}};
  must(calendars_->update({}, office.id, cp));
  EXPECT_EQ(must(tracker_->recompute_open()), 1);
  EXPECT_EQ(row(t.id)->resolution_due, kMonday9 + 33 * 60 * kMin) << "Tuesday 18:00";
}

INSTANTIATE_TEST_SUITE_P(Backends, TrackerTest, testing::kAllBackends, testing::backend_test_name);

}  // namespace
}  // namespace yunwei::sla
