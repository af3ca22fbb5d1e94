#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "change/approval.h"
#include "change/conflicts.h"
#include "change/risk.h"
#include "change/ticket_cis.h"
#include "core/clock.h"
#include "store/database.h"
#include "tickets/ticket_service.h"

namespace yunwei::cmdb {
class RelationService;
}

// Change management (issue #7 points 3-7): changes are tickets of kind "change" whose type
// (standard, normal, emergency) is the ticket's subtype; this service keeps their own fields
// (plans, planned and actual times, CIs, risk, approvals, conflict override, review) and the
// hooks the ticket service calls on their transitions:
//   - entering authorise opens the approval steps the type and risk level choose
//     (approval_path()), with the approvers of each group as they are then (the requester
//     excluded: nobody approves their own change);
//   - the last approval moves the change to scheduled, a rejection back to new (system moves);
//   - reaching scheduled (that move, or a standard change's new -> scheduled) is refused with 409
//     (field "conflicts") while the change has conflicts a CAB member has not overridden;
//   - implement sets the actual start, leaving it the actual end.
// Conflicts are found against an in-memory index of the scheduled changes and the windows,
// rebuilt when the schedule version in the database moves (change/schedule.h), so every node
// answers from the same data.
namespace yunwei::change {

// Fields of a change a request sets; absent ones stay.
struct ChangeFields {
  std::optional<std::string> reason, implementation_plan, backout_plan, test_plan;
  std::optional<core::TimeMs> planned_start, planned_end;
  std::optional<std::vector<std::int64_t>> ci_ids;
  std::optional<std::map<std::string, std::string>> risk_answers;
};

struct NewChange {
  tickets::NewTicket base;  // kind "change"; assignee_team_id is the implementer team
  ChangeType type = ChangeType::kNormal;
  std::optional<std::int64_t> template_id;  // required for a standard change
  ChangeFields fields;
};

struct ApprovalStepView {
  std::int64_t id = 0;
  ApprovalStep step;
  std::string name_zh;
  StepStatus status;
};

struct ConflictOverride {
  std::string reason;
  std::int64_t by = 0;
  core::TimeMs at = 0;
  std::vector<Conflict> conflicts;  // what was overridden (kind and `with` are compared)
};

enum class ReviewOutcome { kSuccessful, kPartial, kFailed };
std::string_view review_outcome_name(ReviewOutcome o);
std::optional<ReviewOutcome> parse_review_outcome(std::string_view name);

struct ChangeReview {
  ReviewOutcome outcome = ReviewOutcome::kSuccessful;
  std::string notes;
  std::optional<std::int64_t> by;
  core::TimeMs at = 0;
  std::vector<std::string> caused_incidents;  // incident numbers linked "caused_by" the change
};

struct ServiceTouched {
  std::int64_t id = 0;
  std::string name;
};

struct ChangeView {
  ChangeType type = ChangeType::kNormal;
  std::optional<std::int64_t> template_id;
  std::string reason, implementation_plan, backout_plan, test_plan;
  std::optional<core::TimeMs> planned_start, planned_end, actual_start, actual_end;
  std::vector<CiRef> cis;
  std::vector<ServiceTouched> affected_services;  // business services the CIs touch
  std::map<std::string, std::string> risk_answers;
  std::optional<int> risk_score;
  std::string risk_level;  // "" until assessed
  int approval_round = 0;
  std::string approval_state;  // "", pending, approved, rejected
  std::vector<ApprovalStepView> steps;
  std::optional<ConflictOverride> override;
  std::optional<ChangeReview> review;
  bool retrospective_review = false;
  std::map<std::int64_t, std::string> user_names;  // approvers, deciders, override, review
};

// The change calendar: changes whose planned time overlaps [from, to), freeze windows.
struct CalendarChange {
  std::string number, title, status;
  ChangeType type = ChangeType::kNormal;
  std::string risk_level;
  core::TimeMs planned_start = 0, planned_end = 0;
  std::vector<std::int64_t> ci_ids;
  int conflict_count = 0;
};
struct CalendarFreeze {
  FreezeWindow window;
  std::string reason;
  std::vector<std::string> service_names;  // as window.service_ci_ids
};
struct CalendarMaintenance {
  std::int64_t window_id = 0, service_id = 0;
  std::string service_name, name;
  core::TimeMs start = 0, end = 0;
};
struct ChangeCalendar {
  std::vector<CalendarChange> changes;  // by planned start, at most 2,000
  bool truncated = false;               // more changes in the range than listed
  bool conflicts_counted = false;       // conflict_count computed (asked, ≤ 300 changes)
  std::vector<CalendarFreeze> freezes;
  std::vector<CalendarMaintenance> maintenance;  // occurrences overlapping the range
};

struct InboxItem {
  std::string number, title;
  ChangeType type = ChangeType::kNormal;
  std::string risk_level;
  std::optional<core::TimeMs> planned_start, planned_end;
  std::string step_name, step_name_zh;
  ApproverGroup group = ApproverGroup::kTeamLead;
  ApprovalRule rule = ApprovalRule::kAny;
  core::TimeMs requested_at = 0;  // when the change entered authorise
};

struct ChangeStats {
  std::int64_t implemented = 0;  // changes whose implementation ended in the period
  std::int64_t successful = 0, partial = 0, failed = 0, unreviewed = 0;
  std::int64_t caused_incidents = 0;  // of the implemented, those that caused incidents
  double success_rate = 0;  // successful and caused no incident / implemented (0 when none)
  std::int64_t created = 0, emergency = 0;  // changes raised in the period, emergency ones
  double emergency_ratio = 0;
};

// What list pages show of problems and changes beyond the shared ticket fields.
struct RowExtras {
  std::string risk_level;  // changes: "" until assessed
  std::optional<core::TimeMs> planned_start, planned_end;
  std::optional<bool> known_error;  // problems: published or not
};
// The extras of the listed tickets that are problems or changes (others are absent).
core::Result<std::map<std::int64_t, RowExtras>> row_extras(store::Tx& tx,
                                                           const std::vector<std::int64_t>& ids);
// A ticket-list condition (tickets aliased t): problems whose known error is (not) published.
std::string known_error_condition(bool published);

class ChangeService {
 public:
  ChangeService(store::Database& db, const core::Clock& clock, tickets::TicketService& tickets,
                cmdb::RelationService& relations);
  ~ChangeService();

  // The hooks the ticket service calls for kind "change".
  tickets::KindHooks hooks();

  // kInvalidArgument naming the field; requesters raise standard changes from active templates
  // only (kForbidden otherwise).
  core::Result<tickets::Ticket> create(const store::Actor& actor, const tickets::Viewer& v,
                                       const NewChange& in);
  // kNotFound for a ticket that is not a visible change.
  core::Result<ChangeView> view(const tickets::Viewer& v, std::int64_t ticket_id);
  // Agents. kConflict: stale version ("version"), plan edits after assessment ("status"), type
  // change after new ("change_type").
  core::Result<tickets::Ticket> update(const store::Actor& actor, const tickets::Viewer& v,
                                       std::string_view number, std::int64_t version,
                                       const ChangeFields& f,
                                       std::optional<ChangeType> type = std::nullopt);
  // A decision on the open approval step (see approval.h for the errors); the change moves on
  // when the approval completes.
  core::Result<tickets::Ticket> decide(const store::Actor& actor, const tickets::Viewer& v,
                                       std::string_view number, Verdict verdict,
                                       std::string_view comment);
  struct ConflictReport {
    std::vector<Conflict> conflicts;
    std::optional<ConflictOverride> override;
    std::string override_by_name;
  };
  // The change's conflicts now, and the override on record.
  core::Result<ConflictReport> conflicts(const tickets::Viewer& v, std::string_view number);
  // A CAB member (or admin) authorises the current conflicts with a reason; a change whose
  // approval is complete then moves to scheduled.
  core::Result<tickets::Ticket> override_conflicts(const store::Actor& actor,
                                                   const tickets::Viewer& v,
                                                   std::string_view number,
                                                   std::string_view reason);
  // The post-implementation review, in state review; links the incidents it caused.
  core::Result<tickets::Ticket> review(const store::Actor& actor, const tickets::Viewer& v,
                                       std::string_view number, ReviewOutcome outcome,
                                       std::string_view notes,
                                       const std::vector<std::string>& caused_incidents);
  core::Result<std::vector<InboxItem>> inbox(const tickets::Viewer& v);
  // `with_conflicts`: count each listed change's conflicts (a check each; done for at most 300
  // changes).
  core::Result<ChangeCalendar> calendar(const tickets::Viewer& v, core::TimeMs from,
                                        core::TimeMs to, std::optional<std::int64_t> service_id,
                                        bool with_conflicts = false);
  core::Result<ChangeStats> stats(const tickets::Viewer& v, core::TimeMs from, core::TimeMs to);

  // The scheduled changes (open, with planned times, not the drafts in review or later) that
  // overlap `ci_id`'s impact or dependencies are for the CMDB impact view: changes whose planned
  // end is after `now`, on any of `ci_ids`.
  struct Upcoming {
    std::string number, title, status;
    core::TimeMs planned_start = 0, planned_end = 0;
  };
  core::Result<std::vector<Upcoming>> upcoming_on(const tickets::Viewer& v,
                                                  const std::vector<std::int64_t>& ci_ids,
                                                  std::size_t limit = 50);

 private:
  struct Snapshot;
  // The index and windows as of the database's schedule version, read in `tx`. `keep`: cache
  // what is built for the next callers, for read transactions only (a write transaction may
  // hold a version it has not committed and may roll back: what it builds serves it alone).
  core::Result<std::shared_ptr<const Snapshot>> snapshot_in(store::Tx& tx, bool keep);
  core::Result<std::vector<Conflict>> conflicts_in(store::Tx& tx, const tickets::Ticket& t,
                                                   bool keep = false);
  // Moves a change whose approval completed to scheduled when nothing blocks it.
  core::Status try_schedule(store::Tx& tx, const store::Actor& actor, const tickets::Ticket& t);

  core::Result<std::set<std::string>> fields_hook(store::Tx& tx, const tickets::Ticket& t);
  core::Result<bool> role_hook(store::Tx& tx, const tickets::Viewer& v, const tickets::Ticket& t,
                               std::string_view role);
  core::Status before_hook(store::Tx& tx, const tickets::Viewer& v, const tickets::Ticket& before,
                           const tickets::TransitionRequest& req, core::TimeMs now);
  core::Status after_hook(store::Tx& tx, const store::Actor& actor, const tickets::Viewer& v,
                          const tickets::Ticket& before, const tickets::Ticket& after,
                          const tickets::TransitionRequest& req, core::TimeMs now);

  store::Database& db_;
  const core::Clock& clock_;
  tickets::TicketService& tickets_;
  cmdb::RelationService& relations_;
  std::mutex mu_;  // guards snapshot_ and serialises rebuilds
  std::shared_ptr<const Snapshot> snapshot_;
};

}  // namespace yunwei::change
