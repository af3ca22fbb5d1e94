#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "change/conflicts.h"
#include "change/settings.h"
#include "core/clock.h"
#include "core/result.h"
#include "store/audit.h"
#include "store/database.h"

// What admins configure for change management (issue #7 points 3 and 6): freeze (blackout)
// windows, maintenance windows of business services, standard-change templates, and (over the
// settings of settings.h) the boards and the risk questionnaire. Tables freeze_windows,
// maintenance_windows and change_templates (migration 9); the change service reads them too.
namespace yunwei::change {

// A business service (a CI of type business_service) as responses name it.
struct ServiceRef {
  std::int64_t id = 0;
  std::string name;
  bool operator==(const ServiceRef&) const = default;
};

struct FreezeWindowRecord {
  std::int64_t id = 0;
  std::string name;
  std::string reason;
  core::TimeMs start = 0, end = 0;        // [start, end), UTC ms
  std::vector<std::int64_t> service_ids;  // none: every change
  std::vector<ServiceRef> services;       // the same, with names, in the same order
  std::optional<std::int64_t> created_by;
  core::TimeMs created_at = 0, updated_at = 0;
  std::int64_t version = 1;
};

struct FreezeWindowInput {
  std::string name;
  std::string reason;
  core::TimeMs start = 0, end = 0;
  std::vector<std::int64_t> service_ids;
};

struct FreezeWindowPatch {
  std::int64_t version = 0;
  std::optional<std::string> name, reason;
  std::optional<core::TimeMs> start, end;
  std::optional<std::vector<std::int64_t>> service_ids;
};

struct MaintenanceWindowRecord {
  std::int64_t id = 0;
  std::int64_t service_id = 0;
  std::string service_name;
  std::string name;
  std::string zone;
  std::vector<std::string> ranges;  // "Sat 22:00-Sun 06:00", normalised
  core::TimeMs created_at = 0, updated_at = 0;
  std::int64_t version = 1;
};

struct MaintenanceWindowInput {
  std::int64_t service_id = 0;
  std::string name;
  std::string zone = "Asia/Shanghai";
  std::vector<std::string> ranges;
};

struct MaintenanceWindowPatch {
  std::int64_t version = 0;
  std::optional<std::int64_t> service_id;
  std::optional<std::string> name, zone;
  std::optional<std::vector<std::string>> ranges;
};

// One concrete occurrence of a maintenance window, in UTC: [start, end).
struct MaintenanceOccurrence {
  std::int64_t window_id = 0;
  std::int64_t service_id = 0;
  std::string service_name;
  std::string name;
  std::string zone;
  core::TimeMs start = 0, end = 0;
  bool operator==(const MaintenanceOccurrence&) const = default;
};

// A pre-approved standard change.
struct ChangeTemplate {
  std::int64_t id = 0;
  std::string name, name_zh, description, description_zh;
  std::string implementation_plan, backout_plan, test_plan;
  int duration_minutes = 60;
  std::optional<std::int64_t> implementer_team_id;
  std::string implementer_team_name;  // "" without a team
  bool active = true;
  core::TimeMs created_at = 0, updated_at = 0;
  std::int64_t version = 1;
};

struct ChangeTemplateInput {
  std::string name, name_zh, description, description_zh;
  std::string implementation_plan, backout_plan, test_plan;
  std::int64_t duration_minutes = 0;
  std::optional<std::int64_t> implementer_team_id;
  bool active = true;
};

struct ChangeTemplatePatch {
  std::int64_t version = 0;
  std::optional<std::string> name, name_zh, description, description_zh;
  std::optional<std::string> implementation_plan, backout_plan, test_plan;
  std::optional<std::int64_t> duration_minutes;
  std::optional<std::optional<std::int64_t>> implementer_team_id;  // Some(None): no team
  std::optional<bool> active;
};

// Limits of the inputs.
constexpr std::size_t kMaxWindowServices = 100;
constexpr std::size_t kMaxMaintenanceRanges = 20;
constexpr int kMaxTemplateMinutes = 7 * 1440;

// --- For the change service and the calendar: reads inside the caller's transaction ---

// The freeze windows overlapping [from, to), sorted by start then id, as the conflict engine
// takes them (pass the widest range for all of them).
core::Result<std::vector<FreezeWindow>> load_freeze_windows(store::Tx& tx, core::TimeMs from,
                                                            core::TimeMs to);
// The same with what the API shows (reason, service names, versions), overlapping [from, to)
// when given (either bound may be open): for the calendar.
core::Result<std::vector<FreezeWindowRecord>> freeze_window_records(
    store::Tx& tx, std::optional<core::TimeMs> from, std::optional<core::TimeMs> to);
// Every maintenance window (of one service when `service_id` is set), parsed; rows whose ranges
// no longer parse keep the ranges that do.
core::Result<std::vector<MaintenanceWindow>> load_maintenance_windows(
    store::Tx& tx, std::optional<std::int64_t> service_id = std::nullopt);
// The concrete UTC occurrences of every maintenance window (of one service when set) that
// overlap [from, to), whole (an occurrence running over `from` or `to` is not cut), sorted by
// start, then service and window id. Local times follow the window's zone, daylight saving
// included (a Sat 22:00-Sun 06:00 window in Europe/Berlin is 7 hours on the night clocks go
// forward). Overlapping ranges of one window merge. Outside 2000-2099 there are none.
// kInvalidArgument (to) when to - from exceeds 400 days.
core::Result<std::vector<MaintenanceOccurrence>> maintenance_occurrences(
    store::Tx& tx, core::TimeMs from, core::TimeMs to, std::optional<std::int64_t> service_id);
// The occurrences of one window within [from, to) (as above, without the database);
// kInvalidArgument (zone, ranges) when it does not compile.
core::Result<std::vector<MaintenanceOccurrence>> window_occurrences(const MaintenanceWindow& w,
                                                                    core::TimeMs from,
                                                                    core::TimeMs to);
// One template (inactive ones too); nullopt when there is none.
core::Result<std::optional<ChangeTemplate>> load_template(store::Tx& tx, std::int64_t id);

// CRUD of freeze windows, maintenance windows and templates, and the change settings. Every
// write is one transaction with an audit event; writes to windows bump the schedule version
// (schedule.h) so the conflict index reloads them. Thread-safe.
//
// Errors: kInvalidArgument naming the field (name: required, at most 200 characters; end: after
// start; service_ids[i] / service_id: not a business service; zone: unknown; ranges /
// ranges[i]: 1 to 20 weekly ranges such as "Sat 22:00-Sun 06:00"; duration_minutes: 1 to 10080;
// implementer_team_id: no such or an inactive team); kNotFound for an unknown id; kConflict
// (version) when the version given is stale.
class ChangeConfigService {
 public:
  ChangeConfigService(store::Database& db, const core::Clock& clock) : db_(db), clock_(clock) {}

  // Overlapping [from, to) when given (either bound may be open), sorted by start then id.
  core::Result<std::vector<FreezeWindowRecord>> list_freeze_windows(
      std::optional<core::TimeMs> from, std::optional<core::TimeMs> to);
  core::Result<FreezeWindowRecord> get_freeze_window(std::int64_t id);
  core::Result<FreezeWindowRecord> create_freeze_window(const store::Actor& actor,
                                                        const FreezeWindowInput& in);
  core::Result<FreezeWindowRecord> update_freeze_window(const store::Actor& actor, std::int64_t id,
                                                        const FreezeWindowPatch& p);
  // `version`: when set, must be the current one.
  core::Status delete_freeze_window(const store::Actor& actor, std::int64_t id,
                                    std::optional<std::int64_t> version);

  // Of one service when set; by service name, window name, then id.
  core::Result<std::vector<MaintenanceWindowRecord>> list_maintenance_windows(
      std::optional<std::int64_t> service_id);
  core::Result<MaintenanceWindowRecord> get_maintenance_window(std::int64_t id);
  core::Result<MaintenanceWindowRecord> create_maintenance_window(const store::Actor& actor,
                                                                  const MaintenanceWindowInput& in);
  core::Result<MaintenanceWindowRecord> update_maintenance_window(const store::Actor& actor,
                                                                  std::int64_t id,
                                                                  const MaintenanceWindowPatch& p);
  core::Status delete_maintenance_window(const store::Actor& actor, std::int64_t id,
                                         std::optional<std::int64_t> version);

  // Active ones only unless `include_inactive`; by name then id.
  core::Result<std::vector<ChangeTemplate>> list_templates(bool include_inactive);
  // kNotFound also for an inactive template unless `include_inactive`.
  core::Result<ChangeTemplate> get_template(std::int64_t id, bool include_inactive);
  core::Result<ChangeTemplate> create_template(const store::Actor& actor,
                                               const ChangeTemplateInput& in);
  core::Result<ChangeTemplate> update_template(const store::Actor& actor, std::int64_t id,
                                               const ChangeTemplatePatch& p);

  // The change settings (settings.h), for the settings routes.
  core::Result<ChangeSettings> settings();
  core::Result<ChangeSettings> update_settings(const store::Actor& actor,
                                               const ChangeSettingsPatch& p);

 private:
  store::Database& db_;
  const core::Clock& clock_;
};

}  // namespace yunwei::change
