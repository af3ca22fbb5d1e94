#include "sla/policy.h"

#include <gtest/gtest.h>

#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include "sla/calendar_service.h"
#include "support/test_db.h"
#include "tickets/category_service.h"

namespace yunwei::sla {
namespace {

using core::ErrorCode;
using testing::failed_with;
using testing::must;

// ---------------------------------------------------------------------------------------------
// Matching

PolicySubject subject(std::string kind, std::string priority) {
  PolicySubject s;
  s.kind = std::move(kind);
  s.priority = std::move(priority);
  return s;
}

Policy policy(std::int64_t id, int position, PolicyConditions c, bool active = true) {
  Policy p;
  p.id = id;
  p.name = "policy ";
  p.name += std::to_string(id);
  p.position = position;
  p.active = active;
  p.conditions = std::move(c);
  return p;
}

TEST(PolicyMatches, EmptyListsMatchAnything) {
  PolicyConditions none;
  EXPECT_TRUE(matches(none, subject("incident", "P1")));
  EXPECT_TRUE(matches(none, subject("change", "P5")));
  PolicySubject full = subject("request", "P3");
  full.service_id = 7;
  full.category_id = 12;
  full.category_parent_id = 3;
  full.organisation = "财务部";
  EXPECT_TRUE(matches(none, full));
  EXPECT_TRUE(matches(none, PolicySubject{})) << "even a subject with nothing set";
}

TEST(PolicyMatches, EveryNonEmptyListMustHoldTheTicketsValue) {
  PolicyConditions c;
  c.kinds = {"incident", "request"};
  c.priorities = {"P1", "P2"};
  EXPECT_TRUE(matches(c, subject("incident", "P1")));
  EXPECT_TRUE(matches(c, subject("request", "P2")));
  EXPECT_FALSE(matches(c, subject("change", "P1"))) << "kind outside the list";
  EXPECT_FALSE(matches(c, subject("incident", "P3"))) << "priority outside the list";

  PolicyConditions services;
  services.service_ids = {7, 8};
  PolicySubject s = subject("incident", "P3");
  EXPECT_FALSE(matches(services, s)) << "no service at all";
  s.service_id = 9;
  EXPECT_FALSE(matches(services, s));
  s.service_id = 8;
  EXPECT_TRUE(matches(services, s));

  PolicyConditions orgs;
  orgs.organisations = {"财务部"};
  s.organisation = "";
  EXPECT_FALSE(matches(orgs, s));
  s.organisation = "人力资源部";
  EXPECT_FALSE(matches(orgs, s));
  s.organisation = "财务部";
  EXPECT_TRUE(matches(orgs, s));
}

TEST(PolicyMatches, AParentCategoryMatchesItsChildren) {
  PolicyConditions c;
  c.category_ids = {3};
  PolicySubject s = subject("incident", "P3");
  EXPECT_FALSE(matches(c, s)) << "no category";
  s.category_id = 3;
  EXPECT_TRUE(matches(c, s)) << "the category itself";
  s.category_id = 12;
  s.category_parent_id = 3;
  EXPECT_TRUE(matches(c, s)) << "a child of it";
  s.category_parent_id = 4;
  EXPECT_FALSE(matches(c, s)) << "a child of another";
  s.category_parent_id.reset();
  EXPECT_FALSE(matches(c, s));

  // A condition on the child does not cover the parent or the child's siblings.
  PolicyConditions child;
  child.category_ids = {12};
  PolicySubject parent = subject("incident", "P3");
  parent.category_id = 3;
  EXPECT_FALSE(matches(child, parent));
  PolicySubject sibling = subject("incident", "P3");
  sibling.category_id = 13;
  sibling.category_parent_id = 3;
  EXPECT_FALSE(matches(child, sibling));
}

TEST(PolicyFirstMatch, SkipsInactivePoliciesAndOrdersByPositionThenId) {
  PolicyConditions p1;
  p1.priorities = {"P1"};
  PolicyConditions anything;
  // Deliberately out of order: the list order must not matter.
  std::vector<Policy> all = {policy(5, 20, anything), policy(4, 20, anything), policy(3, 30, p1),
                             policy(2, 10, p1, false), policy(1, 5, p1, false)};
  const Policy* hit = first_match(all, subject("incident", "P1"));
  ASSERT_NE(hit, nullptr);
  EXPECT_EQ(hit->id, 4) << "inactive 1 and 2 skipped; position 20 before 30, id 4 before 5";
  all[1].active = false;
  hit = first_match(all, subject("incident", "P1"));
  ASSERT_NE(hit, nullptr);
  EXPECT_EQ(hit->id, 5);
  all[0].position = 40;
  hit = first_match(all, subject("incident", "P1"));
  ASSERT_NE(hit, nullptr);
  EXPECT_EQ(hit->id, 3);
  hit = first_match(all, subject("incident", "P2"));
  ASSERT_NE(hit, nullptr);
  EXPECT_EQ(hit->id, 5) << "the only active policy covering P2";
  all[0].active = false;
  EXPECT_EQ(first_match(all, subject("incident", "P2")), nullptr);
  EXPECT_EQ(first_match({}, subject("incident", "P1")), nullptr);
}

// ---------------------------------------------------------------------------------------------
// JSON

void expect_same(const std::vector<Threshold>& a, const std::vector<Threshold>& b) {
  ASSERT_EQ(a.size(), b.size());
  for (std::size_t i = 0; i < a.size(); ++i) {
    EXPECT_EQ(a[i].percent, b[i].percent) << i;
    ASSERT_EQ(a[i].actions.size(), b[i].actions.size()) << i;
    for (std::size_t k = 0; k < a[i].actions.size(); ++k) {
      EXPECT_EQ(a[i].actions[k].type, b[i].actions[k].type) << i << "." << k;
      EXPECT_EQ(a[i].actions[k].to, b[i].actions[k].to) << i << "." << k;
      EXPECT_EQ(a[i].actions[k].team_id, b[i].actions[k].team_id) << i << "." << k;
    }
  }
}

TEST(PolicyJson, ConditionsRoundTrip) {
  PolicyConditions c;
  c.kinds = {"incident", "change"};
  c.priorities = {"P1", "P2"};
  c.service_ids = {7};
  c.category_ids = {3, 12};
  c.organisations = {"财务部", "Sales"};
  std::string text = conditions_json(c);
  PolicyConditions back = must(parse_conditions(text));
  EXPECT_EQ(back.kinds, c.kinds);
  EXPECT_EQ(back.priorities, c.priorities);
  EXPECT_EQ(back.service_ids, c.service_ids);
  EXPECT_EQ(back.category_ids, c.category_ids);
  EXPECT_EQ(back.organisations, c.organisations);
  EXPECT_EQ(conditions_json(back), text);

  EXPECT_EQ(
      conditions_json(PolicyConditions{}),
      R"({"category_ids":[],"kinds":[],"organisations":[],"priorities":[],"service_ids":[]})");
  // Absent and null lists are empty.
  PolicyConditions sparse = must(parse_conditions(R"({"priorities": ["P3"], "kinds": null})"));
  EXPECT_EQ(sparse.priorities, std::vector<std::string>{"P3"});
  EXPECT_TRUE(sparse.kinds.empty());
  EXPECT_TRUE(sparse.category_ids.empty());
  EXPECT_TRUE(must(parse_conditions("{}")).organisations.empty());
}

TEST(PolicyJson, OlaRoundTrips) {
  std::vector<OlaTarget> ola = {{4, 240}, {9, 60}};
  std::string text = ola_json(ola);
  EXPECT_EQ(text, R"([{"minutes":240,"team_id":4},{"minutes":60,"team_id":9}])");
  std::vector<OlaTarget> back = must(parse_ola(text));
  ASSERT_EQ(back.size(), 2u);
  EXPECT_EQ(back[0].team_id, 4);
  EXPECT_EQ(back[0].minutes, 240);
  EXPECT_EQ(back[1].team_id, 9);
  EXPECT_EQ(back[1].minutes, 60);
  EXPECT_EQ(ola_json({}), "[]");
  EXPECT_TRUE(must(parse_ola("[]")).empty());
}

TEST(PolicyJson, ThresholdsRoundTripWithEveryKindOfAction) {
  std::vector<Threshold> t = default_thresholds();
  expect_same(must(parse_thresholds(thresholds_json(t))), t);
  std::vector<Threshold> custom = {{25, {}},
                                   {90, {{"notify", "operations", {}}, {"mark_at_risk", "", {}}}},
                                   {150, {{"reassign", "", 7}, {"raise_priority", "", {}}}}};
  std::string text = thresholds_json(custom);
  EXPECT_EQ(
      text,
      R"([{"actions":[],"percent":25},)"
      R"({"actions":[{"to":"operations","type":"notify"},{"type":"mark_at_risk"}],"percent":90},)"
      R"({"actions":[{"team_id":7,"type":"reassign"},{"type":"raise_priority"}],"percent":150}])");
  expect_same(must(parse_thresholds(text)), custom);
  // Actions may be left out.
  std::vector<Threshold> bare = must(parse_thresholds(R"([{"percent": 80}])"));
  ASSERT_EQ(bare.size(), 1u);
  EXPECT_EQ(bare[0].percent, 80);
  EXPECT_TRUE(bare[0].actions.empty());
}

TEST(PolicyJson, TheDefaultsNotifyAtHalfThreeQuartersAndFullTime) {
  std::vector<Threshold> t = default_thresholds();
  ASSERT_EQ(t.size(), 3u);
  EXPECT_EQ(t[0].percent, 50);
  EXPECT_EQ(t[1].percent, 75);
  EXPECT_EQ(t[2].percent, 100);
  EXPECT_EQ(
      thresholds_json(t),
      R"([{"actions":[{"to":"assignee","type":"notify"}],"percent":50},)"
      R"({"actions":[{"to":"assignee","type":"notify"},{"to":"team_lead","type":"notify"},)"
      R"({"type":"mark_at_risk"}],"percent":75},)"
      R"({"actions":[{"to":"team_lead","type":"notify"},{"to":"operations","type":"notify"}],)"
      R"("percent":100}])");
  EXPECT_EQ(default_pause_reasons(),
            (std::vector<std::string>{"awaiting_requester", "awaiting_vendor"}));
}

TEST(PolicyJson, ConditionErrorsNameTheElement) {
  struct Bad {
    const char* text;
    const char* field;
  };
  for (const Bad& b : std::vector<Bad>{
           {R"({"colour": ["red"]})", "conditions.colour"},
           {R"({"kinds": ["incident"], "Kinds": []})", "conditions.Kinds"},
           {"[]", "conditions"},
           {"null", "conditions"},
           {"\"P1\"", "conditions"},
           {"{", "conditions"},
           {R"({"priorities": "P1"})", "conditions.priorities"},
           {R"({"priorities": ["P1", 2]})", "conditions.priorities[1]"},
           {R"({"kinds": [null]})", "conditions.kinds[0]"},
           {R"({"category_ids": [3, 0]})", "conditions.category_ids[1]"},
           {R"({"category_ids": [-4]})", "conditions.category_ids[0]"},
           {R"({"service_ids": ["7"]})", "conditions.service_ids[0]"},
           {R"({"service_ids": [1.5]})", "conditions.service_ids[0]"},
           {R"({"organisations": {"a": 1}})", "conditions.organisations"},
       }) {
    EXPECT_TRUE(failed_with(parse_conditions(b.text), ErrorCode::kInvalidArgument, b.field))
        << b.text;
  }
  std::string many = "{\"service_ids\": [";
  for (int i = 1; i <= 101; ++i) {
    if (i > 1) many += ',';
    many += std::to_string(i);
  }
  many += "]}";
  EXPECT_TRUE(
      failed_with(parse_conditions(many), ErrorCode::kInvalidArgument, "conditions.service_ids"));
}

TEST(PolicyJson, OlaErrorsNameTheElement) {
  struct Bad {
    const char* text;
    const char* field;
  };
  for (const Bad& b : std::vector<Bad>{
           {R"([{"team_id": 4, "minutes": "60"}])", "ola[0].minutes"},
           {R"([{"team_id": 4}])", "ola[0].minutes"},
           {R"([{"team_id": 4, "minutes": 1.5}])", "ola[0].minutes"},
           {R"([{"team_id": 4, "minutes": 60}, {"minutes": 60}])", "ola[1].team_id"},
           {R"([{"team_id": 0, "minutes": 60}])", "ola[0].team_id"},
           {R"([{"team_id": "4", "minutes": 60}])", "ola[0].team_id"},
           {R"([{"team_id": 4, "minutes": 60, "note": "x"}])", "ola[0].note"},
           {R"([4])", "ola[0]"},
           {R"({"team_id": 4, "minutes": 60})", "ola"},
           {"null", "ola"},
           {"[", "ola"},
       }) {
    EXPECT_TRUE(failed_with(parse_ola(b.text), ErrorCode::kInvalidArgument, b.field)) << b.text;
  }
}

TEST(PolicyJson, ThresholdErrorsNameTheElement) {
  struct Bad {
    const char* text;
    const char* field;
  };
  for (
      const Bad& b : std::vector<Bad>{
          {R"([{"percent": 50}, {"percent": 75, "actions": [{"type": "explode"}]}])",
           "thresholds[1].actions[0].type"},
          {R"([{"percent": 50, "actions": [{"to": "assignee"}]}])",
           "thresholds[0].actions[0].type"},
          {R"([{"percent": 50, "actions": [{"type": 1}]}])", "thresholds[0].actions[0].type"},
          {R"([{"percent": 50, "actions": ["notify"]}])", "thresholds[0].actions[0].type"},
          {R"([{"percent": 50, "actions": [{"type": "notify"}]}])", "thresholds[0].actions[0].to"},
          {R"([{"percent": 50, "actions": [{"type": "notify", "to": "ceo"}]}])",
           "thresholds[0].actions[0].to"},
          {R"([{"percent": 50, "actions": [{"type": "notify", "to": "assignee"},
                                            {"type": "reassign"}]}])",
           "thresholds[0].actions[1].team_id"},
          {R"([{"percent": 50, "actions": [{"type": "reassign", "team_id": 0}]}])",
           "thresholds[0].actions[0].team_id"},
          {R"([{"percent": 50, "actions": [{"type": "mark_at_risk", "colour": "red"}]}])",
           "thresholds[0].actions[0].colour"},
          // A field the action does not use is refused, not dropped.
          {R"([{"percent": 50, "actions": [{"type": "notify", "to": "assignee", "team_id": 3}]}])",
           "thresholds[0].actions[0].team_id"},
          {R"([{"percent": 50, "actions": [{"type": "reassign", "team_id": 3, "to": "assignee"}]}])",
           "thresholds[0].actions[0].to"},
          {R"([{"percent": 50, "actions": [{"type": "raise_priority", "team_id": 3}]}])",
           "thresholds[0].actions[0].team_id"},
          {R"([{"percent": 50, "actions": {"type": "mark_at_risk"}}])", "thresholds[0].actions"},
          {R"([{"percent": 0}])", "thresholds[0].percent"},
          {R"([{"percent": 501}])", "thresholds[0].percent"},
          {R"([{"percent": "50"}])", "thresholds[0].percent"},
          {R"([{"percent": 50.5}])", "thresholds[0].percent"},
          {R"([{"actions": []}])", "thresholds[0].percent"},
          {R"([{"percent": 50, "when": "later"}])", "thresholds[0].when"},
          {R"([50])", "thresholds[0]"},
          {R"({"percent": 50})", "thresholds"},
          {"null", "thresholds"},
          {"]", "thresholds"},
      }) {
    EXPECT_TRUE(failed_with(parse_thresholds(b.text), ErrorCode::kInvalidArgument, b.field))
        << b.text;
  }
  std::string eleven = "[";
  for (int i = 1; i <= 11; ++i) {
    if (i > 1) eleven += ',';
    eleven += "{\"percent\": ";
    eleven += std::to_string(i * 10);
    eleven += '}';
  }
  eleven += "]";
  EXPECT_TRUE(failed_with(parse_thresholds(eleven), ErrorCode::kInvalidArgument, "thresholds"));
}

// ---------------------------------------------------------------------------------------------
// The service, on both backends

class PolicyServiceTest : public testing::BackendTest {
 protected:
  void SetUp() override {
    BackendTest::SetUp();
    if (IsSkipped() || HasFatalFailure()) return;
    calendars_ = std::make_unique<CalendarService>(db(), clock_);
    policies_ = std::make_unique<PolicyService>(db(), clock_);
    must(calendars_->seed_defaults({}));
    for (const Calendar& c : must(calendars_->list())) {
      if (c.name == "24×7") always_ = c.id;
      if (c.name == "Office hours 工作时间") office_ = c.id;
    }
    ASSERT_NE(always_, 0);
    ASSERT_NE(office_, 0);
    team_ = team("Network 网络组");
    tickets::CategoryService categories(db(), clock_);
    parent_ = must(categories.create({}, {std::nullopt, "network", "Network", "网络"})).id;
    child_ = must(categories.create({}, {parent_, "network.vpn", "VPN", "VPN"})).id;
    other_ = must(categories.create({}, {std::nullopt, "printing", "Printing", "打印"})).id;
  }

  // A team, straight into the table (the identity module is not this test's business).
  std::int64_t team(const std::string& name) {
    return must(
        store::write_tx<std::int64_t>(db(), [&](store::Tx& tx) -> core::Result<std::int64_t> {
          auto row = tx.query_row(
              "INSERT INTO teams (name, created_at, updated_at) VALUES (?, ?, ?) RETURNING id",
              {name, clock_.now_ms(), clock_.now_ms()});
          if (!row.ok()) return std::move(row).error();
          return (*row)->i64(0);
        }));
  }

  // A valid policy on the office calendar: 60 minutes to respond, 480 to resolve.
  PolicyInput input(const std::string& name) const {
    PolicyInput in;
    in.name = name;
    in.calendar_id = office_;
    in.response_minutes = 60;
    in.resolution_minutes = 480;
    return in;
  }

  std::unique_ptr<CalendarService> calendars_;
  std::unique_ptr<PolicyService> policies_;
  std::int64_t always_ = 0, office_ = 0, team_ = 0, parent_ = 0, child_ = 0, other_ = 0;
};

TEST_P(PolicyServiceTest, CreatesWithDefaultsAndListsByPositionThenId) {
  PolicyInput in = input("  Network incidents  ");
  in.conditions.kinds = {"incident"};
  in.conditions.category_ids = {parent_};
  in.ola = {{team_, 240}};
  Policy first = must(policies_->create(store::Actor{std::nullopt, "test"}, in));
  EXPECT_GT(first.id, 0);
  EXPECT_EQ(first.name, "Network incidents") << "trimmed";
  EXPECT_EQ(first.position, 10) << "the first goes to 10";
  EXPECT_TRUE(first.active);
  EXPECT_EQ(first.conditions.kinds, std::vector<std::string>{"incident"});
  EXPECT_EQ(first.conditions.category_ids, std::vector<std::int64_t>{parent_});
  EXPECT_EQ(first.calendar_id, office_);
  EXPECT_EQ(first.response_minutes, 60);
  EXPECT_EQ(first.resolution_minutes, 480);
  ASSERT_EQ(first.ola.size(), 1u);
  EXPECT_EQ(first.ola[0].team_id, team_);
  EXPECT_EQ(first.ola[0].minutes, 240);
  EXPECT_EQ(first.pause_reasons, default_pause_reasons());
  expect_same(first.thresholds, default_thresholds());
  EXPECT_EQ(first.version, 1);
  EXPECT_EQ(first.created_at, testing::kTestStart);
  EXPECT_EQ(first.updated_at, testing::kTestStart);

  // Explicit empty lists are kept empty, not replaced by the defaults.
  PolicyInput bare = input("No pauses, no thresholds");
  bare.response_minutes.reset();
  bare.pause_reasons = std::vector<std::string>{};
  bare.thresholds = std::vector<Threshold>{};
  bare.active = false;
  Policy second = must(policies_->create({}, bare));
  EXPECT_EQ(second.position, 20) << "10 after the last";
  EXPECT_FALSE(second.active);
  EXPECT_FALSE(second.response_minutes);
  EXPECT_TRUE(second.pause_reasons.empty());
  EXPECT_TRUE(second.thresholds.empty());

  PolicyInput early = input("Early");
  early.position = 20;
  Policy tie = must(policies_->create({}, early));
  early.name = "Earliest";
  early.position = -5;
  Policy front = must(policies_->create({}, early));

  std::vector<Policy> all = must(policies_->list());
  ASSERT_EQ(all.size(), 4u);
  EXPECT_EQ(all[0].id, front.id);
  EXPECT_EQ(all[1].id, first.id);
  EXPECT_EQ(all[2].id, second.id) << "position 20, the lower id";
  EXPECT_EQ(all[3].id, tie.id);

  Policy got = must(policies_->get(first.id));
  EXPECT_EQ(got.name, first.name);
  EXPECT_EQ(got.ola.size(), 1u);
  expect_same(got.thresholds, first.thresholds);
  EXPECT_TRUE(failed_with(policies_->get(999999), ErrorCode::kNotFound));
  EXPECT_EQ(count("events", "action = 'sla_policy.create'"), 4);
}

TEST_P(PolicyServiceTest, ValidationErrorsNameTheFieldAndStoreNothing) {
  auto refused = [&](const PolicyInput& in, const char* field) {
    return failed_with(policies_->create({}, in), ErrorCode::kInvalidArgument, field);
  };
  PolicyInput in = input("Bad");
  in.calendar_id = 999999;
  EXPECT_TRUE(refused(in, "calendar_id"));
  in = input("Bad");
  in.calendar_id = 0;
  EXPECT_TRUE(refused(in, "calendar_id"));

  in = input("   ");
  EXPECT_TRUE(refused(in, "name"));
  in = input(std::string(101, 'n'));
  EXPECT_TRUE(refused(in, "name"));

  in = input("Bad");
  in.conditions.priorities = {"P9"};
  EXPECT_TRUE(refused(in, "conditions.priorities[0]"));
  in.conditions.priorities = {"P1", "p2"};
  EXPECT_TRUE(refused(in, "conditions.priorities[1]"));
  in = input("Bad");
  in.conditions.kinds = {"complaint"};
  EXPECT_TRUE(refused(in, "conditions.kinds[0]"));
  in = input("Bad");
  in.conditions.category_ids = {parent_, 999999};
  EXPECT_TRUE(refused(in, "conditions.category_ids[1]"));
  in = input("Bad");
  in.conditions.organisations = {"财务部", ""};
  EXPECT_TRUE(refused(in, "conditions.organisations[1]"));

  in = input("Bad");
  in.pause_reasons = std::vector<std::string>{"awaiting_vendor", "awaiting_godot"};
  EXPECT_TRUE(refused(in, "pause_reasons[1]"));

  in = input("Bad");
  in.thresholds = std::vector<Threshold>{{75, {}}, {50, {}}};
  EXPECT_TRUE(refused(in, "thresholds[1].percent")) << "not rising";
  in.thresholds = std::vector<Threshold>{{50, {}}, {50, {}}};
  EXPECT_TRUE(refused(in, "thresholds[1].percent")) << "repeated";
  in.thresholds = std::vector<Threshold>{{0, {}}};
  EXPECT_TRUE(refused(in, "thresholds[0].percent"));
  in.thresholds = std::vector<Threshold>{{501, {}}};
  EXPECT_TRUE(refused(in, "thresholds[0].percent"));
  in.thresholds =
      std::vector<Threshold>{{50, {}}, {100, {{"notify", "team_lead", {}}, {"reassign", "", {}}}}};
  EXPECT_TRUE(refused(in, "thresholds[1].actions[1].team_id")) << "reassign without a team";
  in.thresholds = std::vector<Threshold>{{100, {{"reassign", "", 999999}}}};
  EXPECT_TRUE(refused(in, "thresholds[0].actions[0].team_id")) << "reassign to no team";

  in = input("Bad");
  in.ola = {{999999, 60}};
  EXPECT_TRUE(refused(in, "ola[0].team_id")) << "OLA for an unknown team";
  in.ola = {{team_, 60}, {team_, 120}};
  EXPECT_TRUE(refused(in, "ola[1].team_id")) << "the same team twice";
  in.ola = {{team_, 0}};
  EXPECT_TRUE(refused(in, "ola[0].minutes"));
  in.ola = {{team_, 366LL * 24 * 60 + 1}};
  EXPECT_TRUE(refused(in, "ola[0].minutes"));

  in = input("Bad");
  in.response_minutes.reset();
  in.resolution_minutes.reset();
  EXPECT_TRUE(refused(in, "resolution_minutes")) << "neither target given";
  in = input("Bad");
  in.response_minutes = 0;
  EXPECT_TRUE(refused(in, "response_minutes"));
  in = input("Bad");
  in.resolution_minutes = 366LL * 24 * 60 + 1;
  EXPECT_TRUE(refused(in, "resolution_minutes"));

  // The limits themselves are fine.
  in = input("Limits");
  in.response_minutes = 1;
  in.resolution_minutes = 366LL * 24 * 60;
  in.thresholds = std::vector<Threshold>{{1, {}}, {500, {{"reassign", "", team_}}}};
  Policy ok = must(policies_->create({}, in));
  EXPECT_EQ(ok.resolution_minutes, 527040);
  EXPECT_EQ(count("sla_policies"), 1) << "only the valid policy was stored";
  EXPECT_EQ(count("events", "action LIKE 'sla_policy.%'"), 1);
}

TEST_P(PolicyServiceTest, UpdatesGuardTheVersionAndKeepATarget) {
  Policy p = must(policies_->create({}, input("Printing")));
  PolicyPatch patch;
  patch.version = p.version;
  patch.name = "Printing 打印";
  patch.position = 3;
  patch.response_minutes = std::optional<std::int64_t>();  // cleared
  patch.conditions = PolicyConditions{};
  patch.conditions->category_ids = {other_};
  patch.ola = std::vector<OlaTarget>{{team_, 30}};
  patch.thresholds = std::vector<Threshold>{{80, {{"raise_priority", "", {}}}}};
  clock_.advance(std::chrono::minutes(5));
  Policy v2 = must(policies_->update({}, p.id, patch));
  EXPECT_EQ(v2.version, 2);
  EXPECT_EQ(v2.name, "Printing 打印");
  EXPECT_EQ(v2.position, 3);
  EXPECT_FALSE(v2.response_minutes);
  EXPECT_EQ(v2.resolution_minutes, 480) << "absent fields are kept";
  EXPECT_EQ(v2.conditions.category_ids, std::vector<std::int64_t>{other_});
  ASSERT_EQ(v2.ola.size(), 1u);
  EXPECT_EQ(v2.ola[0].minutes, 30);
  ASSERT_EQ(v2.thresholds.size(), 1u);
  EXPECT_EQ(v2.thresholds[0].actions[0].type, "raise_priority");
  EXPECT_EQ(v2.pause_reasons, default_pause_reasons());
  EXPECT_EQ(v2.created_at, testing::kTestStart);
  EXPECT_EQ(v2.updated_at, testing::kTestStart + 5 * 60'000);

  // The stale version changes nothing.
  PolicyPatch stale;
  stale.version = 1;
  stale.name = "Stale";
  EXPECT_TRUE(failed_with(policies_->update({}, p.id, stale), ErrorCode::kConflict, "version"));
  EXPECT_EQ(must(policies_->get(p.id)).name, "Printing 打印");

  // Clearing the last target is refused; so is a bad value, naming it.
  PolicyPatch clear;
  clear.version = 2;
  clear.resolution_minutes = std::optional<std::int64_t>();
  EXPECT_TRUE(failed_with(policies_->update({}, p.id, clear), ErrorCode::kInvalidArgument,
                          "resolution_minutes"));
  PolicyPatch bad;
  bad.version = 2;
  bad.calendar_id = 999999;
  EXPECT_TRUE(
      failed_with(policies_->update({}, p.id, bad), ErrorCode::kInvalidArgument, "calendar_id"));
  bad.calendar_id.reset();
  bad.pause_reasons = std::vector<std::string>{"lunch"};
  EXPECT_TRUE(failed_with(policies_->update({}, p.id, bad), ErrorCode::kInvalidArgument,
                          "pause_reasons[0]"));
  EXPECT_EQ(must(policies_->get(p.id)).version, 2);

  PolicyPatch move;
  move.version = 2;
  move.calendar_id = always_;
  move.active = false;
  move.response_minutes = std::optional<std::int64_t>(15);
  Policy v3 = must(policies_->update({}, p.id, move));
  EXPECT_EQ(v3.version, 3);
  EXPECT_EQ(v3.calendar_id, always_);
  EXPECT_FALSE(v3.active);
  EXPECT_EQ(v3.response_minutes, 15);

  PolicyPatch missing;
  missing.version = 1;
  EXPECT_TRUE(failed_with(policies_->update({}, 999999, missing), ErrorCode::kNotFound));
  EXPECT_EQ(count("events", "action = 'sla_policy.update'"), 2);
}

TEST_P(PolicyServiceTest, SeedsTheFiveDefaultsOnce) {
  must(policies_->seed_defaults({}));
  must(policies_->seed_defaults({}));
  std::vector<Policy> all = must(policies_->list());
  ASSERT_EQ(all.size(), 5u);
  struct Want {
    const char* name;
    const char* priority;
    std::int64_t calendar;
    std::optional<std::int64_t> response, resolution;
  };
  const Want want[] = {
      {"P1 严重 Critical", "P1", always_, 15, 240},
      {"P2 高 High", "P2", always_, 30, 480},
      {"P3 中 Moderate", "P3", office_, 240, 1440},
      {"P4 低 Low", "P4", office_, 480, 2400},
      {"P5 计划 Planning", "P5", office_, 960, std::nullopt},
  };
  for (std::size_t i = 0; i < 5; ++i) {
    const Policy& p = all[i];
    EXPECT_EQ(p.name, want[i].name);
    EXPECT_EQ(p.position, static_cast<int>(10 * (i + 1)));
    EXPECT_TRUE(p.active);
    EXPECT_EQ(p.conditions.kinds, (std::vector<std::string>{"incident", "request"}));
    EXPECT_EQ(p.conditions.priorities, std::vector<std::string>{want[i].priority});
    EXPECT_TRUE(p.conditions.category_ids.empty());
    EXPECT_EQ(p.calendar_id, want[i].calendar) << p.name;
    EXPECT_EQ(p.response_minutes, want[i].response) << p.name;
    EXPECT_EQ(p.resolution_minutes, want[i].resolution) << p.name;
    EXPECT_EQ(p.pause_reasons, default_pause_reasons());
    ASSERT_EQ(p.thresholds.size(), 3u) << p.name;
    if (i > 0) expect_same(p.thresholds, default_thresholds());
  }
  // P1 runs at major-incident pace: the team lead hears at half time, Operations at 75 %.
  EXPECT_EQ(
      thresholds_json(all[0].thresholds),
      R"([{"actions":[{"to":"assignee","type":"notify"},{"to":"team_lead","type":"notify"}],)"
      R"("percent":50},)"
      R"({"actions":[{"to":"operations","type":"notify"},{"type":"mark_at_risk"}],)"
      R"("percent":75},)"
      R"({"actions":[{"to":"team_lead","type":"notify"},{"to":"operations","type":"notify"}],)"
      R"("percent":100}])");
  EXPECT_EQ(count("events", "action = 'sla_policy.create'"), 5);

  // With policies in place a later seeding adds nothing, even after a change.
  PolicyPatch off;
  off.version = all[4].version;
  off.active = false;
  must(policies_->update({}, all[4].id, off));
  must(policies_->seed_defaults({}));
  EXPECT_EQ(must(policies_->list()).size(), 5u);
}

TEST_P(PolicyServiceTest, SeedsNothingWhenTheDefaultCalendarsWereRenamed) {
  Calendar office = must(calendars_->get(office_));
  CalendarPatch rename;
  rename.version = office.version;
  rename.name = "Head office";
  must(calendars_->update({}, office_, rename));
  must(policies_->seed_defaults({}));
  EXPECT_EQ(count("sla_policies"), 0);
}

TEST_P(PolicyServiceTest, MatchPicksTheSeededP3PolicyAndLooksUpTheParentCategory) {
  must(policies_->seed_defaults({}));
  auto match = [&](PolicySubject s) { return must(policies_->match(s)); };
  std::optional<Policy> p3 = match(subject("incident", "P3"));
  ASSERT_TRUE(p3);
  EXPECT_EQ(p3->name, "P3 中 Moderate");
  EXPECT_EQ(p3->calendar_id, office_);
  EXPECT_EQ(p3->response_minutes, 240);
  EXPECT_EQ(p3->resolution_minutes, 1440);
  std::optional<Policy> p1 = match(subject("request", "P1"));
  ASSERT_TRUE(p1);
  EXPECT_EQ(p1->calendar_id, always_);
  EXPECT_FALSE(match(subject("change", "P3"))) << "the defaults cover incidents and requests";

  // A policy on the parent category, evaluated first, covers a ticket in its child: the parent
  // is looked up.
  PolicyInput in = input("Network");
  in.position = 1;
  in.conditions.category_ids = {parent_};
  Policy network = must(policies_->create({}, in));
  PolicySubject vpn = subject("incident", "P3");
  vpn.category_id = child_;
  std::optional<Policy> hit = match(vpn);
  ASSERT_TRUE(hit);
  EXPECT_EQ(hit->id, network.id);
  vpn.category_id = parent_;
  hit = match(vpn);
  ASSERT_TRUE(hit);
  EXPECT_EQ(hit->id, network.id);
  PolicySubject printing = subject("incident", "P3");
  printing.category_id = other_;
  hit = match(printing);
  ASSERT_TRUE(hit);
  EXPECT_EQ(hit->name, "P3 中 Moderate");
  printing.category_id = 999999;  // no such category: no parent either
  hit = match(printing);
  ASSERT_TRUE(hit);
  EXPECT_EQ(hit->name, "P3 中 Moderate");

  // Deactivated, it no longer applies.
  PolicyPatch off;
  off.version = network.version;
  off.active = false;
  must(policies_->update({}, network.id, off));
  vpn.category_id = child_;
  hit = match(vpn);
  ASSERT_TRUE(hit);
  EXPECT_EQ(hit->name, "P3 中 Moderate");
}

INSTANTIATE_TEST_SUITE_P(Backends, PolicyServiceTest, testing::kAllBackends,
                         testing::backend_test_name);

}  // namespace
}  // namespace yunwei::sla
