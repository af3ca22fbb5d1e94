#include "change/change_config.h"

#include <gtest/gtest.h>

#include "change/schedule.h"
#include "identity/password.h"
#include "support/cis.h"
#include "support/people.h"
#include "support/test_db.h"

namespace yunwei::change {
namespace {

using testing::must;

core::TimeMs at(const char* iso) {
  core::TimeMs t = 0;
  EXPECT_TRUE(core::parse_iso8601(iso, t)) << iso;
  return t;
}

template <class R>
std::string field_of(const R& r) {
  return r.ok() ? "(ok)" : r.error().field;
}

class ChangeConfigTest : public testing::BackendTest {
 protected:
  void SetUp() override {
    BackendTest::SetUp();
    if (IsSkipped() || HasFatalFailure()) return;
    config_ = std::make_unique<ChangeConfigService>(db(), clock_);
    erp_ = testing::make_ci(db(), clock_, "business_service", "ERP");
    bank_ = testing::make_ci(db(), clock_, "business_service", "网上银行");
    server_ = testing::make_ci(db(), clock_, "server", "sh-db-01", R"({"hostname": "sh-db-01"})");
    identity::UserService users(db(), clock_, hasher_);
    identity::TeamService teams(db(), clock_);
    std::int64_t agent = testing::make_user(users, "lina", {"agent"});
    infra_ = testing::make_team(teams, "Infra", {agent});
    retired_team_ = testing::make_team(teams, "Retired", {agent});
    must(teams.set_active(system_, retired_team_, false, std::nullopt));
  }

  FreezeWindowInput freeze(const std::string& name, const char* start, const char* end,
                           std::vector<std::int64_t> services = {}) {
    FreezeWindowInput in;
    in.name = name;
    in.reason = "national holiday";
    in.start = at(start);
    in.end = at(end);
    in.service_ids = std::move(services);
    return in;
  }

  MaintenanceWindowInput maintenance(std::int64_t service, const std::string& zone,
                                     std::vector<std::string> ranges) {
    MaintenanceWindowInput in;
    in.service_id = service;
    in.name = "Weekly";
    in.zone = zone;
    in.ranges = std::move(ranges);
    return in;
  }

  ChangeTemplateInput standard(const std::string& name, bool active = true) {
    ChangeTemplateInput in;
    in.name = name;
    in.name_zh = "标准变更";
    in.implementation_plan = "1. drain 2. patch 3. undrain";
    in.backout_plan = "restore the snapshot";
    in.duration_minutes = 90;
    in.implementer_team_id = infra_;
    in.active = active;
    return in;
  }

  std::int64_t schedule() {
    return must(
        store::read_tx<std::int64_t>(db(), [](store::Tx& tx) { return schedule_version(tx); }));
  }

  std::vector<MaintenanceOccurrence> occurrences(core::TimeMs from, core::TimeMs to,
                                                 std::optional<std::int64_t> service = {}) {
    using R = std::vector<MaintenanceOccurrence>;
    return must(store::read_tx<R>(
        db(), [&](store::Tx& tx) { return maintenance_occurrences(tx, from, to, service); }));
  }

  std::int64_t events(const std::string& action) { return count("events", "action = ?", {action}); }

  store::Actor system_{std::nullopt, "test"};
  identity::PasswordHasher hasher_{identity::PasswordHasher::Strength::kMinimum};
  std::unique_ptr<ChangeConfigService> config_;
  std::int64_t erp_ = 0, bank_ = 0, server_ = 0, infra_ = 0, retired_team_ = 0;
};

// --- Freeze windows ---

TEST_P(ChangeConfigTest, FreezeWindowsAreListedByOverlapSortedByStartWithServiceNames) {
  std::int64_t v0 = schedule();
  auto golden = must(config_->create_freeze_window(
      system_, freeze("国庆封网", "2026-10-01T00:00:00+08:00", "2026-10-08T00:00:00+08:00",
                      {bank_, erp_, bank_})));
  auto spring = must(config_->create_freeze_window(
      system_, freeze("春节封网", "2026-02-14T00:00:00+08:00", "2026-02-24T00:00:00+08:00")));
  auto year_end = must(config_->create_freeze_window(
      system_, freeze("Year end", "2026-12-28T00:00:00Z", "2027-01-04T00:00:00Z", {erp_})));
  EXPECT_EQ(golden.version, 1);
  EXPECT_EQ(golden.service_ids, (std::vector<std::int64_t>{bank_, erp_})) << "duplicates dropped";
  EXPECT_EQ(golden.services, (std::vector<ServiceRef>{{bank_, "网上银行"}, {erp_, "ERP"}}));
  EXPECT_EQ(golden.start, at("2026-09-30T16:00:00Z"));
  EXPECT_EQ(schedule(), v0 + 3) << "every write bumps the schedule version";
  EXPECT_EQ(events("freeze_window.create"), 3);

  auto all = must(config_->list_freeze_windows(std::nullopt, std::nullopt));
  ASSERT_EQ(all.size(), 3u);
  EXPECT_EQ(all[0].id, spring.id);
  EXPECT_EQ(all[1].id, golden.id);
  EXPECT_EQ(all[2].id, year_end.id);
  EXPECT_EQ(all[2].services, (std::vector<ServiceRef>{{erp_, "ERP"}}));

  // Overlapping [from, to): touching the end is not overlapping.
  auto october =
      must(config_->list_freeze_windows(at("2026-10-07T16:00:00Z"), at("2026-12-28T00:00:00Z")));
  EXPECT_TRUE(october.empty());
  october = must(config_->list_freeze_windows(at("2026-10-07T15:59:00Z"), std::nullopt));
  ASSERT_EQ(october.size(), 2u);
  EXPECT_EQ(october[0].id, golden.id);
  EXPECT_EQ(october[1].id, year_end.id);

  auto engine = must(store::read_tx<std::vector<FreezeWindow>>(db(), [&](store::Tx& tx) {
    return load_freeze_windows(tx, at("2026-01-01T00:00:00Z"), at("2026-11-01T00:00:00Z"));
  }));
  ASSERT_EQ(engine.size(), 2u);
  EXPECT_EQ(engine[0].name, "春节封网");
  EXPECT_TRUE(engine[0].service_ci_ids.empty());
  EXPECT_EQ(engine[1].service_ci_ids, (std::vector<std::int64_t>{bank_, erp_}));
  EXPECT_TRUE(ChangeWindows::build(engine, {}).ok());
  auto records = must(store::read_tx<std::vector<FreezeWindowRecord>>(db(), [&](store::Tx& tx) {
    return freeze_window_records(tx, at("2026-10-01T00:00:00Z"), std::nullopt);
  }));
  ASSERT_EQ(records.size(), 2u);
  EXPECT_EQ(records[0].reason, "national holiday");
  EXPECT_EQ(records[0].services.size(), 2u);
}

TEST_P(ChangeConfigTest, FreezeWindowsRefuseBadInputNamingTheField) {
  auto ok = freeze("Freeze", "2026-10-01T00:00:00Z", "2026-10-02T00:00:00Z");
  auto in = ok;
  in.name = "  ";
  EXPECT_EQ(field_of(config_->create_freeze_window(system_, in)), "name");
  in.name = std::string(201, 'x');
  EXPECT_EQ(field_of(config_->create_freeze_window(system_, in)), "name");
  in = ok;
  in.end = in.start;
  EXPECT_EQ(field_of(config_->create_freeze_window(system_, in)), "end");
  in = ok;
  in.service_ids = {erp_, server_};
  EXPECT_EQ(field_of(config_->create_freeze_window(system_, in)), "service_ids[1]");
  in.service_ids = {99999};
  EXPECT_EQ(field_of(config_->create_freeze_window(system_, in)), "service_ids[0]");
  in.service_ids.assign(101, erp_);
  EXPECT_EQ(field_of(config_->create_freeze_window(system_, in)), "service_ids");
  EXPECT_EQ(count("freeze_windows"), 0);
  EXPECT_EQ(events("freeze_window.create"), 0);
}

TEST_P(ChangeConfigTest, FreezeWindowWritesNeedTheCurrentVersion) {
  auto w = must(config_->create_freeze_window(
      system_, freeze("Freeze", "2026-10-01T00:00:00Z", "2026-10-02T00:00:00Z")));
  FreezeWindowPatch p;
  p.version = w.version;
  p.name = "国庆封网";
  p.end = at("2026-10-08T00:00:00Z");
  p.service_ids = std::vector<std::int64_t>{erp_};
  auto updated = must(config_->update_freeze_window(system_, w.id, p));
  EXPECT_EQ(updated.version, 2);
  EXPECT_EQ(updated.name, "国庆封网");
  EXPECT_EQ(updated.end, at("2026-10-08T00:00:00Z"));
  EXPECT_EQ(updated.services, (std::vector<ServiceRef>{{erp_, "ERP"}}));
  EXPECT_EQ(must(config_->get_freeze_window(w.id)).version, 2);

  EXPECT_TRUE(testing::failed_with(config_->update_freeze_window(system_, w.id, p),
                                   core::ErrorCode::kConflict, "version"));
  FreezeWindowPatch reversed;
  reversed.version = 2;
  reversed.start = at("2026-10-09T00:00:00Z");
  EXPECT_EQ(field_of(config_->update_freeze_window(system_, w.id, reversed)), "end");
  EXPECT_TRUE(testing::failed_with(config_->update_freeze_window(system_, 9999, p),
                                   core::ErrorCode::kNotFound));

  std::int64_t v = schedule();
  EXPECT_TRUE(testing::failed_with(config_->delete_freeze_window(system_, w.id, 1),
                                   core::ErrorCode::kConflict, "version"));
  must(config_->delete_freeze_window(system_, w.id, 2));
  EXPECT_EQ(schedule(), v + 1);
  EXPECT_TRUE(testing::failed_with(config_->get_freeze_window(w.id), core::ErrorCode::kNotFound));
  EXPECT_TRUE(testing::failed_with(config_->delete_freeze_window(system_, w.id, std::nullopt),
                                   core::ErrorCode::kNotFound));
  EXPECT_EQ(events("freeze_window.update"), 1);
  EXPECT_EQ(events("freeze_window.delete"), 1);
}

// --- Maintenance windows ---

TEST_P(ChangeConfigTest, MaintenanceWindowsNormaliseRangesAndListByService) {
  std::int64_t v0 = schedule();
  auto m = must(config_->create_maintenance_window(
      system_,
      maintenance(erp_, "Asia/Shanghai", {"Sat 22:00-Sun 06:00", " wed 01:00 - wed 03:30 "})));
  EXPECT_EQ(m.ranges, (std::vector<std::string>{"Sat 22:00-Sun 06:00", "Wed 01:00-Wed 03:30"}));
  EXPECT_EQ(m.service_name, "ERP");
  must(config_->create_maintenance_window(
      system_, maintenance(bank_, "Asia/Shanghai", {"Sun 02:00-Sun 04:00"})));
  EXPECT_EQ(schedule(), v0 + 2);
  EXPECT_EQ(must(config_->list_maintenance_windows(std::nullopt)).size(), 2u);
  auto erp_only = must(config_->list_maintenance_windows(erp_));
  ASSERT_EQ(erp_only.size(), 1u);
  EXPECT_EQ(erp_only[0].id, m.id);

  MaintenanceWindowPatch p;
  p.version = 1;
  p.zone = "Europe/Berlin";
  p.ranges = std::vector<std::string>{"Sun 00:00-Mon 00:00"};
  auto updated = must(config_->update_maintenance_window(system_, m.id, p));
  EXPECT_EQ(updated.version, 2);
  EXPECT_EQ(updated.zone, "Europe/Berlin");
  EXPECT_EQ(updated.ranges, (std::vector<std::string>{"Sun 00:00-Mon 00:00"}));
  EXPECT_TRUE(testing::failed_with(config_->update_maintenance_window(system_, m.id, p),
                                   core::ErrorCode::kConflict, "version"));
  auto engine = must(store::read_tx<std::vector<MaintenanceWindow>>(
      db(), [&](store::Tx& tx) { return load_maintenance_windows(tx, erp_); }));
  ASSERT_EQ(engine.size(), 1u);
  EXPECT_EQ(engine[0].zone, "Europe/Berlin");
  EXPECT_EQ(engine[0].ranges, (std::vector<WeeklyRange>{{week_minute(6, 0), week_minute(0, 0)}}));

  must(config_->delete_maintenance_window(system_, m.id, std::nullopt));
  EXPECT_TRUE(
      testing::failed_with(config_->get_maintenance_window(m.id), core::ErrorCode::kNotFound));
  EXPECT_EQ(events("maintenance_window.create"), 2);
  EXPECT_EQ(events("maintenance_window.update"), 1);
  EXPECT_EQ(events("maintenance_window.delete"), 1);
}

TEST_P(ChangeConfigTest, MaintenanceWindowsRefuseBadInputNamingTheField) {
  auto ok = maintenance(erp_, "Asia/Shanghai", {"Sat 22:00-Sun 06:00"});
  auto in = ok;
  in.zone = "Mars/Olympus_Mons";
  EXPECT_EQ(field_of(config_->create_maintenance_window(system_, in)), "zone");
  in = ok;
  in.ranges = {"Sat 22:00-Sun 06:00", "Sat 22:00"};
  EXPECT_EQ(field_of(config_->create_maintenance_window(system_, in)), "ranges[1]");
  in.ranges = {"Fri 25:00-Sat 01:00"};
  EXPECT_EQ(field_of(config_->create_maintenance_window(system_, in)), "ranges[0]");
  in.ranges = {"Sat 22:00-Sat 22:00"};
  EXPECT_EQ(field_of(config_->create_maintenance_window(system_, in)), "ranges[0]");
  in.ranges = {};
  EXPECT_EQ(field_of(config_->create_maintenance_window(system_, in)), "ranges");
  in.ranges.assign(21, "Sat 22:00-Sun 06:00");
  EXPECT_EQ(field_of(config_->create_maintenance_window(system_, in)), "ranges");
  in = ok;
  in.service_id = server_;
  EXPECT_EQ(field_of(config_->create_maintenance_window(system_, in)), "service_id");
  in.service_id = 424242;
  EXPECT_EQ(field_of(config_->create_maintenance_window(system_, in)), "service_id");
  in = ok;
  in.name = "";
  EXPECT_EQ(field_of(config_->create_maintenance_window(system_, in)), "name");
  EXPECT_EQ(count("maintenance_windows"), 0);
}

TEST_P(ChangeConfigTest, MaintenanceOccurrencesFollowDaylightSavingInTheWindowsZone) {
  auto berlin = must(config_->create_maintenance_window(
      system_, maintenance(erp_, "Europe/Berlin", {"Sat 22:00-Sun 06:00"})));
  auto shanghai = must(config_->create_maintenance_window(
      system_, maintenance(bank_, "Asia/Shanghai", {"Sun 02:00-Sun 04:00"})));

  // Europe/Berlin moves to summer time on Sunday 2026-03-29 at 02:00: that night's window is
  // 7 hours, the one before 8 (CET), the one after 8 (CEST).
  auto march = occurrences(at("2026-03-21T00:00:00Z"), at("2026-04-06T00:00:00Z"), erp_);
  ASSERT_EQ(march.size(), 3u);
  EXPECT_EQ(march[0].start, at("2026-03-21T21:00:00Z"));
  EXPECT_EQ(march[0].end, at("2026-03-22T05:00:00Z"));
  EXPECT_EQ(march[1].start, at("2026-03-28T21:00:00Z"));
  EXPECT_EQ(march[1].end, at("2026-03-29T04:00:00Z"));
  EXPECT_EQ(march[1].end - march[1].start, 7 * 3'600'000);
  EXPECT_EQ(march[2].start, at("2026-04-04T20:00:00Z"));
  EXPECT_EQ(march[2].end, at("2026-04-05T04:00:00Z"));
  EXPECT_EQ(march[1].window_id, berlin.id);
  EXPECT_EQ(march[1].service_id, erp_);
  EXPECT_EQ(march[1].service_name, "ERP");
  EXPECT_EQ(march[1].name, "Weekly");
  EXPECT_EQ(march[1].zone, "Europe/Berlin");

  // And back on Sunday 2026-10-25 at 03:00: 9 hours.
  auto october = occurrences(at("2026-10-24T00:00:00Z"), at("2026-10-25T12:00:00Z"), erp_);
  ASSERT_EQ(october.size(), 1u);
  EXPECT_EQ(october[0].start, at("2026-10-24T20:00:00Z"));
  EXPECT_EQ(october[0].end, at("2026-10-25T05:00:00Z"));

  // An occurrence running over `from` is returned whole; one starting at `to` is not.
  auto whole = occurrences(at("2026-03-29T00:00:00Z"), at("2026-04-04T20:00:00Z"), erp_);
  ASSERT_EQ(whole.size(), 1u);
  EXPECT_EQ(whole[0].start, at("2026-03-28T21:00:00Z"));

  // Both services, sorted by start: Shanghai Sun 02:00 is Sat 18:00 UTC.
  auto both = occurrences(at("2026-03-28T00:00:00Z"), at("2026-03-29T12:00:00Z"));
  ASSERT_EQ(both.size(), 2u);
  EXPECT_EQ(both[0].window_id, shanghai.id);
  EXPECT_EQ(both[0].service_name, "网上银行");
  EXPECT_EQ(both[0].start, at("2026-03-28T18:00:00Z"));
  EXPECT_EQ(both[0].end, at("2026-03-28T20:00:00Z"));
  EXPECT_EQ(both[1].window_id, berlin.id);

  EXPECT_TRUE(occurrences(at("2026-03-28T00:00:00Z"), at("2026-03-29T00:00:00Z"), server_).empty());
  using R = std::vector<MaintenanceOccurrence>;
  auto too_long = store::read_tx<R>(db(), [&](store::Tx& tx) {
    return maintenance_occurrences(tx, at("2026-01-01T00:00:00Z"), at("2027-06-01T00:00:00Z"),
                                   std::nullopt);
  });
  EXPECT_EQ(field_of(too_long), "to");
}

TEST_P(ChangeConfigTest, OverlappingRangesMergeAndAWholeWeekIsOneOccurrence) {
  MaintenanceWindow w;
  w.id = 7;
  w.service_ci_id = erp_;
  w.name = "Nights";
  w.zone = "Asia/Shanghai";
  w.ranges = {*parse_weekly_range("Mon 01:00-Mon 03:00"),
              *parse_weekly_range("Mon 02:00-Mon 04:00")};
  auto merged = must(window_occurrences(w, at("2026-03-01T00:00:00Z"), at("2026-03-03T00:00:00Z")));
  ASSERT_EQ(merged.size(), 1u);
  EXPECT_EQ(merged[0].start, at("2026-03-01T17:00:00Z"));  // Mon 01:00 +08:00
  EXPECT_EQ(merged[0].end, at("2026-03-01T20:00:00Z"));

  w.ranges = {WeeklyRange{0, kMinutesPerWeek}};
  auto always = must(window_occurrences(w, at("2026-03-10T00:00:00Z"), at("2026-03-31T00:00:00Z")));
  ASSERT_EQ(always.size(), 1u) << "a window covering the whole week never ends";
  EXPECT_LE(always[0].start, at("2026-03-10T00:00:00Z"));
  EXPECT_GE(always[0].end, at("2026-03-31T00:00:00Z"));
}

// --- Templates ---

TEST_P(ChangeConfigTest, TemplatesListTheActiveOnesUnlessAskedForAll) {
  auto patch = must(config_->create_template(system_, standard("OS patching")));
  auto cert = must(config_->create_template(system_, standard("Certificate renewal")));
  auto old = must(config_->create_template(system_, standard("Old tape rotation", false)));
  EXPECT_EQ(patch.implementer_team_name, "Infra");
  EXPECT_EQ(patch.duration_minutes, 90);
  EXPECT_EQ(patch.version, 1);

  auto active = must(config_->list_templates(false));
  ASSERT_EQ(active.size(), 2u);
  EXPECT_EQ(active[0].id, cert.id) << "by name";
  EXPECT_EQ(active[1].id, patch.id);
  EXPECT_EQ(must(config_->list_templates(true)).size(), 3u);
  EXPECT_TRUE(
      testing::failed_with(config_->get_template(old.id, false), core::ErrorCode::kNotFound));
  EXPECT_EQ(must(config_->get_template(old.id, true)).name, "Old tape rotation");

  ChangeTemplatePatch retire;
  retire.version = 1;
  retire.active = false;
  retire.implementer_team_id = std::optional<std::int64_t>();
  auto retired = must(config_->update_template(system_, patch.id, retire));
  EXPECT_FALSE(retired.active);
  EXPECT_FALSE(retired.implementer_team_id);
  EXPECT_EQ(retired.version, 2);
  EXPECT_EQ(must(config_->list_templates(false)).size(), 1u);
  EXPECT_TRUE(testing::failed_with(config_->update_template(system_, patch.id, retire),
                                   core::ErrorCode::kConflict, "version"));
  EXPECT_TRUE(testing::failed_with(config_->update_template(system_, 4242, retire),
                                   core::ErrorCode::kNotFound));
  EXPECT_EQ(events("change_template.create"), 3);
  EXPECT_EQ(events("change_template.update"), 1);

  auto loaded = must(store::read_tx<std::optional<ChangeTemplate>>(
      db(), [&](store::Tx& tx) { return load_template(tx, cert.id); }));
  ASSERT_TRUE(loaded);
  EXPECT_EQ(loaded->backout_plan, "restore the snapshot");
}

TEST_P(ChangeConfigTest, TemplatesRefuseBadInputNamingTheField) {
  auto in = standard("OS patching");
  in.duration_minutes = 0;
  EXPECT_EQ(field_of(config_->create_template(system_, in)), "duration_minutes");
  in.duration_minutes = 10081;
  EXPECT_EQ(field_of(config_->create_template(system_, in)), "duration_minutes");
  in = standard("OS patching");
  in.implementer_team_id = 999999;
  EXPECT_EQ(field_of(config_->create_template(system_, in)), "implementer_team_id");
  in.implementer_team_id = retired_team_;
  EXPECT_EQ(field_of(config_->create_template(system_, in)), "implementer_team_id");
  in = standard("");
  EXPECT_EQ(field_of(config_->create_template(system_, in)), "name");
  EXPECT_EQ(count("change_templates"), 0);

  auto t = must(config_->create_template(system_, standard("OS patching")));
  ChangeTemplatePatch p;
  p.version = t.version;
  p.duration_minutes = 10080;
  EXPECT_EQ(must(config_->update_template(system_, t.id, p)).duration_minutes, 10080);
  p.version = 2;
  p.implementer_team_id = std::optional<std::int64_t>(retired_team_);
  EXPECT_EQ(field_of(config_->update_template(system_, t.id, p)), "implementer_team_id");
  EXPECT_EQ(schedule(), 0) << "templates do not touch the schedule";
}

// --- Settings ---

TEST_P(ChangeConfigTest, SettingsUpdateNeedsTheVersionAndNamesBadFields) {
  ChangeSettings s = must(config_->settings());
  EXPECT_EQ(s.version, 0);
  ChangeSettingsPatch p;
  p.version = 0;
  p.cab_team_id = std::optional<std::int64_t>(infra_);
  p.candidate_window_days = 14;
  ChangeSettings saved = must(config_->update_settings(system_, p));
  EXPECT_EQ(saved.version, 1);
  EXPECT_EQ(saved.cab_team_id, infra_);
  EXPECT_EQ(must(config_->settings()).candidate_window_days, 14);
  EXPECT_TRUE(testing::failed_with(config_->update_settings(system_, p), core::ErrorCode::kConflict,
                                   "version"));
  p.version = 1;
  p.cab_team_id = std::optional<std::int64_t>(retired_team_);
  EXPECT_EQ(field_of(config_->update_settings(system_, p)), "cab_team_id");
  p.cab_team_id.reset();
  p.candidate_window_days = 0;
  EXPECT_EQ(field_of(config_->update_settings(system_, p)), "candidate_window_days");
}

INSTANTIATE_TEST_SUITE_P(Backends, ChangeConfigTest, testing::kAllBackends,
                         testing::backend_test_name);

}  // namespace
}  // namespace yunwei::change
