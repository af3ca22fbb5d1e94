#include "change/conflicts.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdio>
#include <map>
#include <memory>

#include "cmdb/relations.h"
#include "support/cis.h"
#include "support/test_db.h"

namespace yunwei::change {
namespace {

using testing::failed_with;
using testing::must;

core::TimeMs at(const char* iso) {
  core::TimeMs t = 0;
  EXPECT_TRUE(core::parse_iso8601(iso, t)) << iso;
  return t;
}

ScheduledChange chg(std::int64_t id, std::vector<std::int64_t> cis, const char* start,
                    const char* end) {
  char number[32];
  std::snprintf(number, sizeof number, "CHG-%06lld", static_cast<long long>(id));
  return {id, number, std::move(cis), at(start), at(end)};
}

// A small estate: service erp depends on app-erp, which runs on vm-erp hosted on sh-host-01 and
// depends on database sh-db-01 running on sh-host-02; service crm depends on app-crm, which runs
// on vm-crm, also hosted on sh-host-01 (a sibling of vm-erp, not related to it).
class ConflictsTest : public testing::BackendTest {
 protected:
  void SetUp() override {
    BackendTest::SetUp();
    if (IsSkipped() || HasFatalFailure()) return;
    erp_ = make("business_service", "erp");
    app_ = make("application", "app-erp");
    vm_ = make("virtual_machine", "vm-erp");
    host_ = make("server", "sh-host-01");
    db_ci_ = make("database", "sh-db-01");
    host2_ = make("server", "sh-host-02");
    crm_ = make("business_service", "crm");
    app_crm_ = make("application", "app-crm");
    vm_crm_ = make("virtual_machine", "vm-crm");
    relate(erp_, "depends_on", app_);
    relate(app_, "runs_on", vm_);
    relate(vm_, "hosted_on", host_);
    relate(app_, "depends_on", db_ci_);
    relate(db_ci_, "runs_on", host2_);
    relate(crm_, "depends_on", app_crm_);
    relate(app_crm_, "runs_on", vm_crm_);
    relate(vm_crm_, "hosted_on", host_);
    relations_ = std::make_unique<cmdb::RelationService>(db(), clock_);
    options_.ci_name = [this](std::int64_t id) {
      auto it = names_.find(id);
      return it == names_.end() ? "?" : it->second;
    };
  }

  std::int64_t make(const char* type, const char* name) {
    std::string t = type;
    std::string attributes = t == "server" || t == "virtual_machine"
                                 ? "{\"hostname\": \"" + std::string(name) + "\"}"
                                 : std::string("{}");
    std::int64_t id = testing::make_ci(db(), clock_, t, name, attributes);
    names_[id] = name;
    return id;
  }
  void relate(std::int64_t from, const char* type, std::int64_t to) {
    testing::relate(db(), clock_, from, type, to);
  }

  std::vector<Conflict> check(const ScheduledChange& c, const ChangeIndex& index,
                              const ChangeWindows& windows = {}) {
    return must(find_conflicts(c, index, windows, *relations_, options_));
  }
  std::vector<Conflict> check(const ScheduledChange& c, std::vector<ScheduledChange> others,
                              const ChangeWindows& windows = {}) {
    return check(c, must(ChangeIndex::build(std::move(others))), windows);
  }

  std::map<std::int64_t, std::string> names_;
  std::unique_ptr<cmdb::RelationService> relations_;
  CheckOptions options_;
  std::int64_t erp_ = 0, app_ = 0, vm_ = 0, host_ = 0, db_ci_ = 0, host2_ = 0, crm_ = 0,
               app_crm_ = 0, vm_crm_ = 0;
};

TEST_P(ConflictsTest, ChangesOnTheSameCiOverlappingInTimeCollide) {
  auto out = check(chg(1, {db_ci_}, "2026-12-05T22:00:00Z", "2026-12-05T23:00:00Z"),
                   {chg(42, {db_ci_, host2_}, "2026-12-05T22:30:00Z", "2026-12-06T01:00:00Z")});
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].kind, ConflictKind::kChangeOverlap);
  EXPECT_EQ(out[0].with, "CHG-000042");
  EXPECT_EQ(out[0].with_id, 42);
  EXPECT_EQ(out[0].ci_id, db_ci_) << "the same CI ranks before the related sh-host-02";
  EXPECT_EQ(out[0].reason, "both change sh-db-01 between 2026-12-05 22:30 and 23:00 UTC");
  EXPECT_EQ(conflict_kind_name(out[0].kind), "change_overlap");
}

TEST_P(ConflictsTest, AChangeOnACiThatDependsOnOursThroughTwoHopsCollides) {
  // app-erp runs on vm-erp, hosted on sh-host-01: a change to the host impacts the app.
  auto out = check(chg(1, {host_}, "2026-12-05T22:00:00Z", "2026-12-06T02:00:00Z"),
                   {chg(42, {app_}, "2026-12-06T01:00:00Z", "2026-12-06T03:00:00Z")});
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].ci_id, app_);
  EXPECT_EQ(out[0].reason,
            "CHG-000042 changes app-erp, which depends on sh-host-01 through vm-erp changed here,"
            " between 2026-12-06 01:00 and 02:00 UTC");
}

TEST_P(ConflictsTest, AChangeOnACiOursDependsOnThroughTwoHopsCollides) {
  auto out = check(chg(1, {erp_}, "2026-12-05T22:00:00Z", "2026-12-05T23:00:00Z"),
                   {chg(42, {db_ci_}, "2026-12-05T20:00:00Z", "2026-12-05T22:15:00Z"),
                    chg(43, {host_}, "2026-12-05T22:59:00Z", "2026-12-05T23:30:00Z")});
  ASSERT_EQ(out.size(), 2u);
  EXPECT_EQ(out[0].with, "CHG-000042");
  EXPECT_EQ(out[0].reason,
            "erp changed here depends on sh-db-01 through app-erp, which CHG-000042 changes"
            " between 2026-12-05 22:00 and 22:15 UTC");
  EXPECT_EQ(out[1].with, "CHG-000043");
  EXPECT_EQ(out[1].reason,
            "erp changed here depends on sh-host-01 through app-erp, vm-erp, which CHG-000043"
            " changes between 2026-12-05 22:59 and 23:00 UTC");
}

TEST_P(ConflictsTest, TheClosestRelationExplainsACollision) {
  // sh-host-02 is three steps below erp and one below sh-db-01.
  auto out = check(chg(1, {erp_, db_ci_}, "2026-12-05T22:00:00Z", "2026-12-05T23:00:00Z"),
                   {chg(42, {host2_}, "2026-12-05T22:00:00Z", "2026-12-05T23:00:00Z")});
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].reason,
            "sh-db-01 changed here depends on sh-host-02, which CHG-000042 changes between "
            "2026-12-05 22:00 and 23:00 UTC");
}

TEST_P(ConflictsTest, ChangesOnUnrelatedCisDoNotCollide) {
  // app-crm shares a hypervisor with app-erp, but neither depends on the other.
  auto out = check(chg(1, {app_crm_, vm_crm_}, "2026-12-05T22:00:00Z", "2026-12-05T23:00:00Z"),
                   {chg(42, {app_, db_ci_, vm_}, "2026-12-05T21:00:00Z", "2026-12-06T00:00:00Z")});
  EXPECT_TRUE(out.empty()) << out[0].reason;
  // The shared host relates them both.
  out = check(chg(2, {app_crm_}, "2026-12-05T22:00:00Z", "2026-12-05T23:00:00Z"),
              {chg(42, {host_}, "2026-12-05T21:00:00Z", "2026-12-06T00:00:00Z")});
  EXPECT_EQ(out.size(), 1u);
}

TEST_P(ConflictsTest, TouchingIntervalsDoNotOverlap) {
  std::vector<ScheduledChange> others = {
      chg(41, {db_ci_}, "2026-12-05T09:00:00Z", "2026-12-05T10:00:00Z"),
      chg(42, {db_ci_}, "2026-12-05T11:00:00Z", "2026-12-05T12:00:00Z")};
  EXPECT_TRUE(
      check(chg(1, {db_ci_}, "2026-12-05T10:00:00Z", "2026-12-05T11:00:00Z"), others).empty());
  auto out = check(chg(1, {db_ci_}, "2026-12-05T10:00:00Z", "2026-12-05T11:00:01Z"), others);
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].with, "CHG-000042");
  EXPECT_EQ(out[0].reason, "both change sh-db-01 between 2026-12-05 11:00 and 11:00:01 UTC");
}

TEST_P(ConflictsTest, TheDepthLimitsTheWalk) {
  options_.depth = 1;
  EXPECT_TRUE(check(chg(1, {erp_}, "2026-12-05T22:00:00Z", "2026-12-05T23:00:00Z"),
                    {chg(42, {db_ci_}, "2026-12-05T22:00:00Z", "2026-12-05T23:00:00Z")})
                  .empty());
  options_.depth = 2;
  EXPECT_EQ(check(chg(1, {erp_}, "2026-12-05T22:00:00Z", "2026-12-05T23:00:00Z"),
                  {chg(42, {db_ci_}, "2026-12-05T22:00:00Z", "2026-12-05T23:00:00Z")})
                .size(),
            1u);
}

TEST_P(ConflictsTest, AGlobalFreezeWindowAppliesToEveryChange) {
  auto windows = must(ChangeWindows::build(
      {{7, "year end", at("2026-12-31T00:00:00Z"), at("2027-01-02T00:00:00Z"), {}}}, {}));
  auto out = check(chg(1, {app_crm_}, "2027-01-01T23:00:00Z", "2027-01-02T01:00:00Z"),
                   std::vector<ScheduledChange>{}, windows);
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].kind, ConflictKind::kFreezeWindow);
  EXPECT_EQ(out[0].with, "year end");
  EXPECT_EQ(out[0].with_id, 7);
  EXPECT_EQ(out[0].reason,
            "everything is frozen between 2026-12-31 00:00 and 2027-01-02 00:00 UTC and this "
            "change is planned between 2027-01-01 23:00 and 2027-01-02 01:00 UTC");
  EXPECT_TRUE(check(chg(1, {app_crm_}, "2027-01-02T00:00:00Z", "2027-01-02T01:00:00Z"),
                    std::vector<ScheduledChange>{}, windows)
                  .empty())
      << "starts as the freeze ends";
}

TEST_P(ConflictsTest, AScopedFreezeWindowAppliesOnlyToTheServicesAChangeAffects) {
  auto windows = must(ChangeWindows::build(
      {{7, "erp close", at("2026-12-30T00:00:00Z"), at("2027-01-03T00:00:00Z"), {crm_, erp_}},
       {8, "crm close", at("2026-12-30T00:00:00Z"), at("2027-01-03T00:00:00Z"), {crm_}}},
      {}));
  auto out = check(chg(1, {db_ci_}, "2026-12-31T10:00:00Z", "2026-12-31T11:00:00Z"),
                   std::vector<ScheduledChange>{}, windows);
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].with, "erp close");
  EXPECT_EQ(out[0].ci_id, erp_);
  EXPECT_EQ(out[0].reason,
            "service erp is frozen between 2026-12-30 00:00 and 2027-01-03 00:00 UTC; this change "
            "is planned between 2026-12-31 10:00 and 11:00 UTC and affects service erp, which "
            "depends on sh-db-01 through app-erp");
  // A change to the service itself.
  out = check(chg(1, {erp_}, "2026-12-31T10:00:00Z", "2026-12-31T11:00:00Z"),
              std::vector<ScheduledChange>{}, windows);
  ASSERT_EQ(out.size(), 1u);
  EXPECT_NE(out[0].reason.find("and touches service erp"), std::string::npos) << out[0].reason;
  // sh-host-01 affects both services, each three steps away.
  out = check(chg(1, {host_}, "2026-12-31T10:00:00Z", "2026-12-31T11:00:00Z"),
              std::vector<ScheduledChange>{}, windows);
  ASSERT_EQ(out.size(), 2u);
  EXPECT_EQ(out[0].with, "crm close");
  EXPECT_EQ(out[0].ci_id, crm_);
  EXPECT_EQ(out[1].with, "erp close");
  EXPECT_EQ(out[1].ci_id, erp_) << "erp and crm tie on depth: the lower id is named";
  // Outside the freeze.
  EXPECT_TRUE(check(chg(1, {host_}, "2027-01-03T00:00:00Z", "2027-01-03T01:00:00Z"),
                    std::vector<ScheduledChange>{}, windows)
                  .empty());
}

TEST_P(ConflictsTest, AMaintenanceWindowAcrossMidnightContainsOnlyChangesWhollyInside) {
  // Sat 22:00 - Sun 06:00 in Shanghai (UTC+8) is Sat 14:00 - 22:00 UTC.
  auto windows = must(ChangeWindows::build(
      {},
      {{3, erp_, "erp weekend", "Asia/Shanghai", {*parse_weekly_range("Sat 22:00-Sun 06:00")}}}));
  auto on_db = [&](const char* start, const char* end) {
    return check(chg(1, {db_ci_}, start, end), std::vector<ScheduledChange>{}, windows);
  };
  EXPECT_TRUE(on_db("2026-12-05T14:00:00Z", "2026-12-05T22:00:00Z").empty()) << "the whole window";
  EXPECT_TRUE(on_db("2026-12-05T15:30:00Z", "2026-12-05T21:00:00Z").empty()) << "across midnight";
  auto out = on_db("2026-12-05T13:00:00Z", "2026-12-05T15:00:00Z");
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].kind, ConflictKind::kOutsideMaintenanceWindow);
  EXPECT_EQ(out[0].with, "erp weekend");
  EXPECT_EQ(out[0].with_id, 3);
  EXPECT_EQ(out[0].ci_id, erp_);
  EXPECT_EQ(out[0].reason,
            "this change affects service erp, which depends on sh-db-01 through app-erp; it runs "
            "between 2026-12-05 13:00 and 15:00 UTC, outside the service's maintenance window "
            "Sat 22:00-Sun 06:00 (Asia/Shanghai)");
  EXPECT_EQ(on_db("2026-12-05T21:00:00Z", "2026-12-05T22:00:01Z").size(), 1u) << "one second late";
  EXPECT_EQ(on_db("2026-12-03T14:00:00Z", "2026-12-03T15:00:00Z").size(), 1u) << "a Thursday";
  EXPECT_EQ(on_db("2026-12-05T14:00:00Z", "2026-12-12T22:00:00Z").size(), 1u)
      << "two occurrences with a week between them";
  // A change that affects no service with windows.
  EXPECT_TRUE(check(chg(1, {app_crm_}, "2026-12-03T14:00:00Z", "2026-12-03T15:00:00Z"),
                    std::vector<ScheduledChange>{}, windows)
                  .empty());
}

TEST_P(ConflictsTest, AMaintenanceWindowFollowsDaylightSavingTime) {
  // Berlin moves to summer time on Sunday 2026-03-29 at 02:00 (UTC+1 -> UTC+2) and back on
  // Sunday 2026-10-25 at 03:00.
  auto windows = must(ChangeWindows::build(
      {}, {{3, erp_, "erp night", "Europe/Berlin", {*parse_weekly_range("Sat 22:00-Sun 06:00")}}}));
  auto on_erp = [&](const char* start, const char* end) {
    return check(chg(1, {erp_}, start, end), std::vector<ScheduledChange>{}, windows);
  };
  EXPECT_TRUE(on_erp("2026-03-21T21:00:00Z", "2026-03-22T05:00:00Z").empty()) << "8 h in winter";
  EXPECT_TRUE(on_erp("2026-03-28T21:00:00Z", "2026-03-29T04:00:00Z").empty()) << "7 h that night";
  auto out = on_erp("2026-03-28T21:00:00Z", "2026-03-29T04:30:00Z");
  ASSERT_EQ(out.size(), 1u) << "06:30 summer time";
  EXPECT_EQ(out[0].reason,
            "this change touches service erp; it runs between 2026-03-28 21:00 and 2026-03-29 "
            "04:30 UTC, outside the service's maintenance window Sat 22:00-Sun 06:00 "
            "(Europe/Berlin)");
  EXPECT_TRUE(on_erp("2026-10-24T20:00:00Z", "2026-10-25T05:00:00Z").empty()) << "9 h in autumn";
  EXPECT_EQ(on_erp("2026-10-24T19:59:00Z", "2026-10-25T05:00:00Z").size(), 1u);
  EXPECT_EQ(on_erp("2026-03-28T20:30:00Z", "2026-03-28T23:00:00Z").size(), 1u)
      << "21:30 winter time";
}

TEST_P(ConflictsTest, AServiceWithSeveralWindowsNeedsTheChangeInsideOneOfThem) {
  auto windows = must(ChangeWindows::build(
      {},
      {{3, erp_, "erp weekend", "Asia/Shanghai", {*parse_weekly_range("Sat 22:00-Sun 06:00")}},
       {4, erp_, "erp wednesday", "Asia/Shanghai", {*parse_weekly_range("Wed 01:00-Wed 03:00")}}}));
  auto on_app = [&](const char* start, const char* end) {
    return check(chg(1, {app_}, start, end), std::vector<ScheduledChange>{}, windows);
  };
  EXPECT_TRUE(on_app("2026-12-08T17:00:00Z", "2026-12-08T19:00:00Z").empty()) << "Wed 01-03 local";
  auto out = on_app("2026-12-08T17:00:00Z", "2026-12-08T19:30:00Z");
  ASSERT_EQ(out.size(), 2u) << "one per window it misses";
  EXPECT_EQ(out[0].with, "erp wednesday");
  EXPECT_EQ(out[1].with, "erp weekend");
}

TEST_P(ConflictsTest, AChangeWithNoCisMeetsOnlyGlobalFreezes) {
  auto windows = must(ChangeWindows::build(
      {{7, "all", at("2026-12-05T00:00:00Z"), at("2026-12-06T00:00:00Z"), {}},
       {8, "erp only", at("2026-12-05T00:00:00Z"), at("2026-12-06T00:00:00Z"), {erp_}}},
      {{3, erp_, "erp weekend", "Asia/Shanghai", {*parse_weekly_range("Mon 00:00-Mon 01:00")}}}));
  auto out = check(chg(1, {}, "2026-12-05T10:00:00Z", "2026-12-05T11:00:00Z"),
                   {chg(42, {db_ci_}, "2026-12-05T10:00:00Z", "2026-12-05T11:00:00Z")}, windows);
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].with, "all");
}

TEST_P(ConflictsTest, CyclesInTheGraphEndTheWalk) {
  relate(db_ci_, "depends_on", app_);  // app-erp <-> sh-db-01
  auto out = check(chg(1, {db_ci_}, "2026-12-05T22:00:00Z", "2026-12-05T23:00:00Z"),
                   {chg(41, {erp_}, "2026-12-05T22:00:00Z", "2026-12-05T23:00:00Z"),
                    chg(42, {host_}, "2026-12-05T22:00:00Z", "2026-12-05T23:00:00Z"),
                    chg(43, {app_crm_}, "2026-12-05T22:00:00Z", "2026-12-05T23:00:00Z")});
  ASSERT_EQ(out.size(), 2u);
  EXPECT_EQ(out[0].reason,
            "CHG-000041 changes erp, which depends on sh-db-01 through app-erp changed here, "
            "between 2026-12-05 22:00 and 23:00 UTC");
  EXPECT_EQ(out[1].reason,
            "sh-db-01 changed here depends on sh-host-01 through app-erp, vm-erp, which CHG-000042 "
            "changes between 2026-12-05 22:00 and 23:00 UTC")
      << "only through the cycle";
}

TEST_P(ConflictsTest, TheIndexFollowsReplacedAndRemovedChanges) {
  ChangeIndex index =
      must(ChangeIndex::build({chg(42, {db_ci_}, "2026-12-05T22:00:00Z", "2026-12-05T23:00:00Z"),
                               chg(43, {crm_}, "2026-12-05T22:00:00Z", "2026-12-05T23:00:00Z")}));
  ScheduledChange mine = chg(1, {app_}, "2026-12-05T22:00:00Z", "2026-12-05T23:00:00Z");
  ASSERT_EQ(check(mine, index).size(), 1u);
  must(index.replace(chg(42, {db_ci_}, "2026-12-06T22:00:00Z", "2026-12-06T23:00:00Z")));
  EXPECT_TRUE(check(mine, index).empty()) << "moved a day later";
  must(index.replace(chg(43, {erp_}, "2026-12-05T22:00:00Z", "2026-12-05T23:00:00Z")));
  auto out = check(mine, index);
  ASSERT_EQ(out.size(), 1u) << "now on a related CI";
  EXPECT_EQ(out[0].with, "CHG-000043");
  must(index.remove(43));
  EXPECT_TRUE(check(mine, index).empty());
  // A scheduled change checked again is not compared with itself.
  must(index.add(mine));
  EXPECT_TRUE(check(mine, index).empty());
}

TEST_P(ConflictsTest, AnEmptyPlannedIntervalIsRejected) {
  auto r = find_conflicts(chg(1, {app_}, "2026-12-05T22:00:00Z", "2026-12-05T22:00:00Z"),
                          ChangeIndex{}, ChangeWindows{}, *relations_, options_);
  EXPECT_TRUE(failed_with(r, core::ErrorCode::kInvalidArgument, "planned_end"));
}

INSTANTIATE_TEST_SUITE_P(Backends, ConflictsTest, testing::kAllBackends,
                         testing::backend_test_name);

// --- Without a database ---

TEST(ConflictIndex, FindsOnlyOverlappingChangesIncludingLongOnes) {
  ChangeIndex index =
      must(ChangeIndex::build({chg(1, {}, "2026-12-01T00:00:00Z", "2026-12-01T01:00:00Z"),
                               chg(2, {}, "2026-12-01T00:30:00Z", "2026-12-01T12:00:00Z"),
                               chg(3, {}, "2026-11-01T00:00:00Z", "2026-12-20T00:00:00Z"),
                               chg(4, {}, "2026-12-01T02:00:00Z", "2026-12-01T03:00:00Z")}));
  auto ids = [&](const char* start, const char* end) {
    std::vector<std::int64_t> out;
    for (const ScheduledChange* c : index.overlapping(at(start), at(end))) out.push_back(c->id);
    std::sort(out.begin(), out.end());
    return out;
  };
  EXPECT_EQ(ids("2026-12-01T01:00:00Z", "2026-12-01T02:00:00Z"), (std::vector<std::int64_t>{2, 3}));
  EXPECT_EQ(ids("2026-12-01T11:00:00Z", "2026-12-01T11:30:00Z"), (std::vector<std::int64_t>{2, 3}))
      << "a change that started 10.5 hours earlier";
  EXPECT_EQ(ids("2026-12-19T00:00:00Z", "2026-12-21T00:00:00Z"), (std::vector<std::int64_t>{3}));
  EXPECT_EQ(ids("2026-12-20T00:00:00Z", "2026-12-21T00:00:00Z"), (std::vector<std::int64_t>{}));
  EXPECT_EQ(ids("2026-11-30T00:00:00Z", "2026-12-02T00:00:00Z"),
            (std::vector<std::int64_t>{1, 2, 3, 4}));
  // Removing the longest short change narrows the scan but keeps the others.
  must(index.remove(2));
  EXPECT_EQ(ids("2026-12-01T00:59:00Z", "2026-12-01T02:00:01Z"),
            (std::vector<std::int64_t>{1, 3, 4}));
  // A long change made short and a short one made long.
  must(index.replace(chg(3, {}, "2026-12-01T00:10:00Z", "2026-12-01T00:20:00Z")));
  must(index.replace(chg(4, {}, "2026-12-01T02:00:00Z", "2026-12-09T00:00:00Z")));
  EXPECT_EQ(ids("2026-12-05T00:00:00Z", "2026-12-06T00:00:00Z"), (std::vector<std::int64_t>{4}));
  EXPECT_EQ(ids("2026-12-01T00:15:00Z", "2026-12-01T00:16:00Z"), (std::vector<std::int64_t>{1, 3}));
  EXPECT_EQ(index.size(), 3u);
}

TEST(ConflictIndex, RejectsBadIntervalsDuplicatesAndUnknownIds) {
  ChangeIndex index;
  EXPECT_TRUE(failed_with(index.add(chg(1, {}, "2026-12-01T01:00:00Z", "2026-12-01T00:00:00Z")),
                          core::ErrorCode::kInvalidArgument, "planned_end"));
  must(index.add(chg(1, {5, 5, 3}, "2026-12-01T00:00:00Z", "2026-12-01T01:00:00Z")));
  EXPECT_EQ(index.find(1)->ci_ids, (std::vector<std::int64_t>{3, 5}));
  EXPECT_TRUE(failed_with(index.add(chg(1, {}, "2026-12-01T00:00:00Z", "2026-12-01T01:00:00Z")),
                          core::ErrorCode::kConflict, "id"));
  EXPECT_TRUE(failed_with(index.replace(chg(2, {}, "2026-12-01T00:00:00Z", "2026-12-01T01:00:00Z")),
                          core::ErrorCode::kNotFound));
  EXPECT_TRUE(failed_with(index.remove(2), core::ErrorCode::kNotFound));
  EXPECT_TRUE(
      failed_with(ChangeIndex::build({chg(1, {}, "2026-12-01T00:00:00Z", "2026-12-01T01:00:00Z"),
                                      chg(1, {}, "2026-12-02T00:00:00Z", "2026-12-02T01:00:00Z")}),
                  core::ErrorCode::kConflict, "id"));
}

TEST(ConflictWeeklyRange, ParsesAndFormatsWeeklyRanges) {
  auto r = parse_weekly_range("Sat 22:00-Sun 06:00");
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(*r, (WeeklyRange{week_minute(5, 22 * 60), week_minute(6, 6 * 60)}));
  EXPECT_EQ(format_weekly_range(*r), "Sat 22:00-Sun 06:00");
  EXPECT_EQ(parse_weekly_range(" sun 22:00 - mon 02:00 "),
            (WeeklyRange{week_minute(6, 1320), 120}));
  EXPECT_EQ(parse_weekly_range("Sun 00:00-Sun 24:00"), (WeeklyRange{week_minute(6, 0), 10080}));
  EXPECT_FALSE(parse_weekly_range("Sat 22:00"));
  EXPECT_FALSE(parse_weekly_range("Sat 22:00-Sat 22:00"));
  EXPECT_FALSE(parse_weekly_range("Sab 22:00-Sun 06:00"));
  EXPECT_FALSE(parse_weekly_range("Sat 24:00-Sun 06:00"));
  EXPECT_FALSE(parse_weekly_range("Sat 22:00-Sun 6"));
}

TEST(ConflictWindows, RejectsUnknownZonesEmptyRangesAndReversedFreezes) {
  EXPECT_TRUE(failed_with(ChangeWindows::build({}, {{1, 2, "w", "Mars/Olympus", {{0, 60}}}}),
                          core::ErrorCode::kInvalidArgument, "zone"));
  EXPECT_TRUE(failed_with(ChangeWindows::build({}, {{1, 2, "w", "Asia/Shanghai", {}}}),
                          core::ErrorCode::kInvalidArgument, "ranges"));
  EXPECT_TRUE(failed_with(ChangeWindows::build({}, {{1, 2, "w", "Asia/Shanghai", {{60, 60}}}}),
                          core::ErrorCode::kInvalidArgument, "ranges"));
  EXPECT_TRUE(failed_with(ChangeWindows::build({{1, "f", 10, 10, {}}}, {}),
                          core::ErrorCode::kInvalidArgument, "end"));
  EXPECT_TRUE(
      ChangeWindows::build({{1, "f", 10, 11, {}}}, {{1, 2, "w", "Europe/Berlin", {{0, 60}}}}).ok());
}

}  // namespace
}  // namespace yunwei::change
