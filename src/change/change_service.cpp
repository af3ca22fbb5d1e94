#include "change/change_service.h"

#include <algorithm>
#include <limits>
#include <nlohmann/json.hpp>
#include <set>
#include <unordered_map>

#include "change/change_config.h"
#include "change/schedule.h"
#include "change/settings.h"
#include "cmdb/affected.h"
#include "cmdb/relations.h"
#include "core/text.h"
#include "store/audit.h"
#include "tickets/config.h"

namespace yunwei::change {
namespace {

using nlohmann::json;
using tickets::Ticket;
using tickets::Viewer;

// Open states whose planned time takes part in the conflict check: drafts included (as
// ServiceNow does), not the changes already implemented, reviewed or ended.
bool scheduled_state(std::string_view s) {
  return s == "new" || s == "assess" || s == "authorise" || s == "scheduled" || s == "implement";
}
constexpr const char* kScheduledStates = "('new', 'assess', 'authorise', 'scheduled', 'implement')";

constexpr core::TimeMs kMaxDuration = 90LL * 86'400'000;  // a change plans at most 90 days

// The change_details row.
struct Details {
  std::int64_t ticket_id = 0;
  std::optional<std::int64_t> template_id;
  std::string reason, implementation_plan, backout_plan, test_plan;
  std::optional<core::TimeMs> planned_start, planned_end, actual_start, actual_end;
  std::string risk_answers = "{}";
  std::optional<std::int64_t> risk_score;
  std::string risk_level;
  std::int64_t approval_round = 0;
  std::string approval_state;
  std::string override_reason, override_conflicts;
  std::optional<std::int64_t> override_by, override_at;
  std::string review_outcome, review_notes;
  std::optional<std::int64_t> reviewed_by, reviewed_at;
  bool retrospective_review = false;
  bool backed_out = false;  // went to failed: counts as failed whatever the review says
};

constexpr const char* kDetailColumns =
    "ticket_id, template_id, reason, implementation_plan, backout_plan, test_plan, planned_start,"
    " planned_end, actual_start, actual_end, risk_answers, risk_score, risk_level, approval_round,"
    " approval_state, override_reason, override_conflicts, override_by, override_at,"
    " review_outcome, review_notes, reviewed_by, reviewed_at, retrospective_review, backed_out";

Details details_from_row(const store::Row& r) {
  Details d;
  d.ticket_id = r.i64(0);
  d.template_id = r.opt_i64(1);
  d.reason = r.str(2);
  d.implementation_plan = r.str(3);
  d.backout_plan = r.str(4);
  d.test_plan = r.str(5);
  d.planned_start = r.opt_i64(6);
  d.planned_end = r.opt_i64(7);
  d.actual_start = r.opt_i64(8);
  d.actual_end = r.opt_i64(9);
  d.risk_answers = r.str(10);
  d.risk_score = r.opt_i64(11);
  d.risk_level = r.str(12);
  d.approval_round = r.i64(13);
  d.approval_state = r.str(14);
  d.override_reason = r.str(15);
  d.override_conflicts = r.str(16);
  d.override_by = r.opt_i64(17);
  d.override_at = r.opt_i64(18);
  d.review_outcome = r.str(19);
  d.review_notes = r.str(20);
  d.reviewed_by = r.opt_i64(21);
  d.reviewed_at = r.opt_i64(22);
  d.retrospective_review = r.i64(23) != 0;
  d.backed_out = r.i64(24) != 0;
  return d;
}

store::Value opt(const std::optional<std::int64_t>& v) {
  if (v) return *v;
  return nullptr;
}

core::Result<Details> load_details(store::Tx& tx, std::int64_t ticket_id) {
  auto row = tx.query_row(
      std::string("SELECT ") + kDetailColumns + " FROM change_details WHERE ticket_id = ?",
      {ticket_id});
  if (!row.ok()) return std::move(row).error();
  if (!*row) return core::internal("change " + std::to_string(ticket_id) + " has no details");
  return details_from_row(**row);
}

core::Status store_details(store::Tx& tx, const Details& d) {
  auto n = tx.exec(
      "UPDATE change_details SET template_id = ?, reason = ?, implementation_plan = ?,"
      " backout_plan = ?, test_plan = ?, planned_start = ?, planned_end = ?, actual_start = ?,"
      " actual_end = ?, risk_answers = ?, risk_score = ?, risk_level = ?, approval_round = ?,"
      " approval_state = ?, override_reason = ?, override_conflicts = ?, override_by = ?,"
      " override_at = ?, review_outcome = ?, review_notes = ?, reviewed_by = ?, reviewed_at = ?,"
      " retrospective_review = ?, backed_out = ? WHERE ticket_id = ?",
      {opt(d.template_id),
       d.reason,
       d.implementation_plan,
       d.backout_plan,
       d.test_plan,
       opt(d.planned_start),
       opt(d.planned_end),
       opt(d.actual_start),
       opt(d.actual_end),
       d.risk_answers,
       opt(d.risk_score),
       d.risk_level,
       d.approval_round,
       d.approval_state,
       d.override_reason,
       d.override_conflicts,
       opt(d.override_by),
       opt(d.override_at),
       d.review_outcome,
       d.review_notes,
       opt(d.reviewed_by),
       opt(d.reviewed_at),
       std::int64_t{d.retrospective_review ? 1 : 0},
       std::int64_t{d.backed_out ? 1 : 0},
       d.ticket_id});
  if (!n.ok()) return std::move(n).error();
  return {};
}

core::Status insert_details(store::Tx& tx, std::int64_t ticket_id) {
  auto n = tx.exec("INSERT INTO change_details (ticket_id) VALUES (?)", {ticket_id});
  if (!n.ok()) return std::move(n).error();
  return {};
}

// A change event on the ticket's timeline and in the audit log: `detail` is what the timeline
// shows.
core::Status change_event(store::Tx& tx, const store::Actor& actor, core::TimeMs at,
                          std::string_view action, std::int64_t ticket_id, const json& detail) {
  auto ev = store::append_event(tx, actor, at, action, "ticket", ticket_id, "", detail.dump());
  if (!ev.ok()) return std::move(ev).error();
  return {};
}

// Bumps the ticket's version (a change to its own fields is a change to the ticket: clients
// holding the old version must reload). kConflict (version) when stale.
core::Status touch_ticket(store::Tx& tx, const Ticket& t, core::TimeMs now) {
  auto n = tx.exec(
      "UPDATE tickets SET version = version + 1, updated_at = ? WHERE id = ? AND version = ?",
      {now, t.id, t.version});
  if (!n.ok()) return std::move(n).error();
  if (*n != 1) return core::conflict("the change was changed concurrently; reload", "version");
  return {};
}

// Takes the change's row lock for the rest of the transaction (PostgreSQL: concurrent
// decisions, overrides and reviews on one change run one after another, each seeing the
// previous one's result) and answers the ticket as it now is.
core::Result<Ticket> lock_change(tickets::TicketService& svc, store::Tx& tx, const Viewer& v,
                                 const Ticket& t) {
  auto n = tx.exec("UPDATE tickets SET version = version WHERE id = ?", {t.id});
  if (!n.ok()) return std::move(n).error();
  return svc.load_in(tx, v, t.number);
}

core::Status check_text(const std::optional<std::string>& s, const char* field, size_t max) {
  if (s) YW_TRY(core::check_text(*s, field, max, false));
  return {};
}

core::Status check_fields(const ChangeFields& f) {
  YW_TRY(check_text(f.reason, "reason", 5000));
  YW_TRY(check_text(f.implementation_plan, "implementation_plan", 20000));
  YW_TRY(check_text(f.backout_plan, "backout_plan", 20000));
  YW_TRY(check_text(f.test_plan, "test_plan", 20000));
  return {};
}

// Applies `f` to `d` (and the CIs in the caller's transaction); checks the planned interval.
core::Status apply_fields(store::Tx& tx, Details& d, const ChangeFields& f,
                          const Questionnaire& questionnaire, std::int64_t ticket_id,
                          bool& schedule_touched) {
  if (f.reason) d.reason = core::trim(*f.reason);
  if (f.implementation_plan) d.implementation_plan = core::trim(*f.implementation_plan);
  if (f.backout_plan) d.backout_plan = core::trim(*f.backout_plan);
  if (f.test_plan) d.test_plan = core::trim(*f.test_plan);
  if (f.planned_start || f.planned_end) {
    if (f.planned_start) d.planned_start = f.planned_start;
    if (f.planned_end) d.planned_end = f.planned_end;
    if (!d.planned_start) return core::invalid("planned_start", "is required with planned_end");
    if (!d.planned_end) return core::invalid("planned_end", "is required with planned_start");
    if (*d.planned_end <= *d.planned_start)
      return core::invalid("planned_end", "must be after planned_start");
    if (*d.planned_end - *d.planned_start > kMaxDuration)
      return core::invalid("planned_end", "a change is planned over 90 days at most");
    schedule_touched = true;
  }
  if (f.ci_ids) {
    YW_TRY(set_ticket_cis(tx, ticket_id, *f.ci_ids, "ci_ids"));
    schedule_touched = true;
  }
  if (f.risk_answers) {
    auto assessed = assess(questionnaire, *f.risk_answers);
    if (!assessed.ok()) {
      core::Error e = assessed.error();
      if (e.field.rfind("answers", 0) == 0) e.field = "risk_" + e.field;
      return e;
    }
    json answers = json::object();
    for (const auto& [k, val] : *f.risk_answers) answers[k] = val;
    d.risk_answers = answers.dump();
    d.risk_score = assessed->score;
    d.risk_level = std::string(risk_level_name(assessed->level));
  }
  return {};
}

void clear_override(Details& d) {
  d.override_reason.clear();
  d.override_conflicts.clear();
  d.override_by.reset();
  d.override_at.reset();
}

std::map<std::string, std::string> answers_of(const Details& d) {
  std::map<std::string, std::string> out;
  json j = json::parse(d.risk_answers, nullptr, false);
  if (!j.is_object()) return out;
  for (auto it = j.begin(); it != j.end(); ++it) {
    if (it.value().is_string()) out[it.key()] = it.value().get<std::string>();
  }
  return out;
}

json conflict_json(const Conflict& c) {
  return {{"kind", std::string(conflict_kind_name(c.kind))},
          {"with", c.with},
          {"with_id", c.with_id},
          {"ci_id", c.ci_id},
          {"ci_name", c.ci_name},
          {"reason", c.reason}};
}

std::vector<Conflict> conflicts_from_json(const std::string& text) {
  std::vector<Conflict> out;
  json j = json::parse(text, nullptr, false);
  if (!j.is_array()) return out;
  for (const json& c : j) {
    Conflict x;
    std::string kind = c.value("kind", "");
    if (kind == "freeze_window") x.kind = ConflictKind::kFreezeWindow;
    if (kind == "outside_maintenance_window") x.kind = ConflictKind::kOutsideMaintenanceWindow;
    x.with = c.value("with", "");
    x.with_id = c.value("with_id", std::int64_t{0});
    x.ci_id = c.value("ci_id", std::int64_t{0});
    x.ci_name = c.value("ci_name", "");
    x.reason = c.value("reason", "");
    out.push_back(std::move(x));
  }
  return out;
}

// The conflicts an override does not cover (compared by kind and what they are with).
std::vector<Conflict> uncovered(const std::vector<Conflict>& found, const Details& d) {
  std::set<std::pair<int, std::string>> covered;
  for (const Conflict& c : conflicts_from_json(d.override_conflicts)) {
    covered.insert({static_cast<int>(c.kind), c.with});
  }
  std::vector<Conflict> out;
  for (const Conflict& c : found) {
    if (!covered.count({static_cast<int>(c.kind), c.with})) out.push_back(c);
  }
  return out;
}

core::Error conflicts_error(const std::vector<Conflict>& open) {
  std::string msg = "the change has " + std::to_string(open.size()) +
                    (open.size() == 1 ? " conflict" : " conflicts") +
                    " a CAB member has not overridden: ";
  for (size_t i = 0; i < open.size() && i < 3; ++i) {
    msg += (i ? "; " : "") + open[i].reason;
  }
  if (open.size() > 3) msg += "; ...";
  return core::conflict(msg, "conflicts");
}

core::Result<bool> is_member(store::Tx& tx, std::optional<std::int64_t> team, std::int64_t user) {
  if (!team) return false;
  auto row =
      tx.query_row("SELECT 1 FROM team_members WHERE team_id = ? AND user_id = ?", {*team, user});
  if (!row.ok()) return std::move(row).error();
  return row->has_value();
}

// The active members of a team, or its active lead.
core::Result<std::vector<std::int64_t>> team_people(store::Tx& tx, std::int64_t team, bool lead) {
  auto rows =
      tx.query(lead ? "SELECT u.id FROM teams t JOIN users u ON u.id = t.lead_id WHERE t.id = ? AND"
                      " u.active = 1"
                    : "SELECT u.id FROM team_members m JOIN users u ON u.id = m.user_id WHERE"
                      " m.team_id = ? AND u.active = 1 ORDER BY u.id",
               {team});
  if (!rows.ok()) return std::move(rows).error();
  std::vector<std::int64_t> out;
  for (const store::Row& r : *rows) out.push_back(r.i64(0));
  return out;
}

// The approvers of a step when it opens: kInvalidArgument naming the setting or field that
// leaves the group empty. The requester never approves their own change.
core::Result<std::vector<std::int64_t>> approvers_for(store::Tx& tx, ApproverGroup g,
                                                      const Ticket& t, const ChangeSettings& s) {
  std::vector<std::int64_t> people;
  std::string field;
  std::string what;
  if (g == ApproverGroup::kTeamLead) {
    field = "assignee_team_id";
    what = "the implementer team's lead";
    if (!t.assignee_team_id)
      return core::invalid(field, "a change needs an implementer team to be authorised");
    YW_ASSIGN(people, team_people(tx, *t.assignee_team_id, true));
  } else {
    bool cab = g == ApproverGroup::kCab;
    field = cab ? "cab_team_id" : "ecab_team_id";
    what = cab ? "the change advisory board" : "the emergency change advisory board";
    std::optional<std::int64_t> team = cab ? s.cab_team_id : s.ecab_team_id;
    if (!team) return core::invalid(field, "no " + what.substr(4) + " is configured");
    YW_ASSIGN(people, team_people(tx, *team, false));
  }
  // Nobody approves their own change: not the requester, not who raised it.
  std::erase(people, t.requester_id);
  if (t.created_by) std::erase(people, *t.created_by);
  if (t.restricted) {
    // A change in a security category: only those who may see it (admins, the security team).
    YW_ASSIGN(tickets::TicketSettings ts, tickets::load_settings(tx));
    std::vector<std::int64_t> allowed;
    for (std::int64_t id : people) {
      store::Value team =
          ts.security_team_id ? store::Value{*ts.security_team_id} : store::Value{nullptr};
      auto row = tx.query_row(
          "SELECT 1 FROM users u WHERE u.id = ? AND (',' || u.roles || ',' LIKE '%,admin,%' OR"
          " EXISTS (SELECT 1 FROM team_members m WHERE m.user_id = u.id AND m.team_id = ?))",
          {id, team});
      if (!row.ok()) return std::move(row).error();
      if (*row) allowed.push_back(id);
    }
    people = std::move(allowed);
  }
  if (people.empty()) {
    std::string who = t.restricted ? " who may see security changes)" : ")";
    return core::invalid(field, "nobody can approve for " + what +
                                    " (no active member other than the change's requester" + who);
  }
  return people;
}

struct StoredStep {
  std::int64_t id = 0;
  std::string name, name_zh;
  ApprovalStep step;
  std::string state;
};

core::Result<std::vector<StoredStep>> load_steps(store::Tx& tx, std::int64_t ticket_id,
                                                 std::int64_t round) {
  auto rows = tx.query(
      "SELECT id, name, name_zh, approver_group, rule, approvers, state FROM change_approval_steps"
      " WHERE ticket_id = ? AND round = ? ORDER BY position",
      {ticket_id, round});
  if (!rows.ok()) return std::move(rows).error();
  std::vector<StoredStep> out;
  for (const store::Row& r : *rows) {
    StoredStep s;
    s.id = r.i64(0);
    s.name = r.str(1);
    s.name_zh = r.str(2);
    s.step.name = s.name;
    s.step.group = parse_approver_group(r.str(3)).value_or(ApproverGroup::kCab);
    s.step.rule = parse_approval_rule(r.str(4)).value_or(ApprovalRule::kAll);
    for (const std::string& id : core::split(r.str(5), ',')) {
      if (!id.empty()) s.step.approvers.push_back(std::stoll(id));
    }
    s.state = r.str(6);
    out.push_back(std::move(s));
  }
  for (StoredStep& s : out) {
    auto ds = tx.query(
        "SELECT user_id, verdict, comment, decided_at FROM change_approval_decisions WHERE"
        " step_id = ? ORDER BY id",
        {s.id});
    if (!ds.ok()) return std::move(ds).error();
    for (const store::Row& r : *ds) {
      s.step.decisions.push_back(
          {r.i64(0), parse_verdict(r.str(1)).value_or(Verdict::kReject), r.str(2), r.i64(3)});
    }
  }
  return out;
}

std::string join(const std::vector<std::int64_t>& ids) {
  std::string out;
  for (std::int64_t id : ids) {
    if (!out.empty()) out += ',';
    out += std::to_string(id);
  }
  return out;
}

const Viewer kSystemViewer{0, true, true, true};

ChangeType type_of(const Ticket& t) {
  return parse_change_type(t.subtype).value_or(ChangeType::kNormal);
}

core::Result<Ticket> load_change(tickets::TicketService& svc, store::Tx& tx, const Viewer& v,
                                 std::string_view number) {
  YW_ASSIGN(Ticket t, svc.load_in(tx, v, number));
  if (t.kind != "change") return core::not_found(t.number + " is not a change");
  return t;
}

}  // namespace

std::string_view review_outcome_name(ReviewOutcome o) {
  switch (o) {
    case ReviewOutcome::kSuccessful:
      return "successful";
    case ReviewOutcome::kPartial:
      return "partial";
    case ReviewOutcome::kFailed:
      return "failed";
  }
  return "";
}

std::optional<ReviewOutcome> parse_review_outcome(std::string_view name) {
  for (ReviewOutcome o :
       {ReviewOutcome::kSuccessful, ReviewOutcome::kPartial, ReviewOutcome::kFailed}) {
    if (review_outcome_name(o) == name) return o;
  }
  return std::nullopt;
}

core::Result<std::map<std::int64_t, RowExtras>> row_extras(store::Tx& tx,
                                                           const std::vector<std::int64_t>& ids) {
  std::map<std::int64_t, RowExtras> out;
  if (ids.empty()) return out;
  auto changes = tx.query(
      "SELECT ticket_id, risk_level, planned_start, planned_end FROM change_details WHERE " +
          tx.in_ids_sql("ticket_id"),
      {tx.in_ids_value(ids)});
  if (!changes.ok()) return std::move(changes).error();
  for (const store::Row& r : *changes) {
    RowExtras& x = out[r.i64(0)];
    x.risk_level = r.str(1);
    x.planned_start = r.opt_i64(2);
    x.planned_end = r.opt_i64(3);
  }
  auto problems = tx.query(
      "SELECT ticket_id, known_error_at FROM problem_details WHERE " + tx.in_ids_sql("ticket_id"),
      {tx.in_ids_value(ids)});
  if (!problems.ok()) return std::move(problems).error();
  for (const store::Row& r : *problems) out[r.i64(0)].known_error = !r.is_null(1);
  return out;
}

std::string known_error_condition(bool published) {
  return std::string(published ? "" : "NOT ") +
         "EXISTS (SELECT 1 FROM problem_details pd WHERE pd.ticket_id = t.id AND"
         " pd.known_error_at IS NOT NULL)";
}

constexpr std::size_t kCalendarLimit = 2000;
constexpr std::size_t kCalendarConflictLimit = 300;

struct ChangeService::Snapshot {
  std::int64_t version = 0;
  ChangeIndex index;
  std::string windows_key;  // the window rows it was built from
  ChangeWindows windows;
};

ChangeService::ChangeService(store::Database& db, const core::Clock& clock,
                             tickets::TicketService& tickets, cmdb::RelationService& relations)
    : db_(db), clock_(clock), tickets_(tickets), relations_(relations) {}

ChangeService::~ChangeService() = default;

tickets::KindHooks ChangeService::hooks() {
  tickets::KindHooks h;
  h.fields = [this](store::Tx& tx, const Ticket& t) { return fields_hook(tx, t); };
  h.has_role = [this](store::Tx& tx, const Viewer& v, const Ticket& t, std::string_view role) {
    return role_hook(tx, v, t, role);
  };
  h.before = [this](store::Tx& tx, const Viewer& v, const Ticket& t,
                    const tickets::TransitionRequest& req,
                    core::TimeMs now) { return before_hook(tx, v, t, req, now); };
  h.after = [this](store::Tx& tx, const store::Actor& actor, const Viewer& v, const Ticket& before,
                   const Ticket& after, const tickets::TransitionRequest& req,
                   core::TimeMs now) { return after_hook(tx, actor, v, before, after, req, now); };
  return h;
}

// ---- the conflict index ----

core::Result<std::shared_ptr<const ChangeService::Snapshot>> ChangeService::snapshot_in(
    store::Tx& tx, bool keep) {
  YW_ASSIGN(std::int64_t version, schedule_version(tx));
  std::lock_guard lock(mu_);
  if (snapshot_ && snapshot_->version == version) return snapshot_;
  auto snap = std::make_shared<Snapshot>();
  snap->version = version;
  {
    auto rows = tx.query(std::string("SELECT t.id, t.number, d.planned_start, d.planned_end FROM"
                                     " tickets t JOIN change_details d ON d.ticket_id = t.id"
                                     " WHERE t.kind = 'change' AND t.status IN ") +
                         kScheduledStates +
                         " AND d.planned_start IS NOT NULL AND d.planned_end IS NOT NULL");
    if (!rows.ok()) return std::move(rows).error();
    std::unordered_map<std::int64_t, ScheduledChange> changes;
    for (const store::Row& r : *rows) {
      changes[r.i64(0)] = ScheduledChange{r.i64(0), r.str(1), {}, r.i64(2), r.i64(3)};
    }
    auto cis = tx.query(std::string("SELECT tc.ticket_id, tc.ci_id FROM ticket_cis tc JOIN"
                                    " tickets t ON t.id = tc.ticket_id WHERE t.kind = 'change'"
                                    " AND t.status IN ") +
                        kScheduledStates);
    if (!cis.ok()) return std::move(cis).error();
    for (const store::Row& r : *cis) {
      auto it = changes.find(r.i64(0));
      if (it != changes.end()) it->second.ci_ids.push_back(r.i64(1));
    }
    std::vector<ScheduledChange> all;
    all.reserve(changes.size());
    for (auto& [id, c] : changes) all.push_back(std::move(c));
    YW_ASSIGN(snap->index, ChangeIndex::build(std::move(all)));
  }
  // Which window rows (and versions) there are: unchanged windows are not compiled again.
  auto rows = tx.query(
      "SELECT 'f', id, version FROM freeze_windows UNION ALL SELECT 'm', id, version FROM"
      " maintenance_windows ORDER BY 1, 2");
  if (!rows.ok()) return std::move(rows).error();
  std::string key;
  for (const store::Row& r : *rows) {
    key += r.str(0) + std::to_string(r.i64(1)) + ":" + std::to_string(r.i64(2)) + ";";
  }
  snap->windows_key = key;
  if (snapshot_ && snapshot_->windows_key == key) {
    snap->windows = snapshot_->windows;  // compiled calendars are shared, not rebuilt
  } else {
    YW_ASSIGN(std::vector<FreezeWindow> fw,
              load_freeze_windows(tx, std::numeric_limits<core::TimeMs>::min(),
                                  std::numeric_limits<core::TimeMs>::max()));
    YW_ASSIGN(std::vector<MaintenanceWindow> mw, load_maintenance_windows(tx));
    std::erase_if(mw, [](const MaintenanceWindow& w) { return w.ranges.empty(); });
    YW_ASSIGN(snap->windows, ChangeWindows::build(std::move(fw), std::move(mw)));
  }
  if (keep) snapshot_ = snap;
  return std::shared_ptr<const Snapshot>(snap);
}

core::Result<std::vector<Conflict>> ChangeService::conflicts_in(store::Tx& tx, const Ticket& t,
                                                                bool keep) {
  YW_ASSIGN(Details d, load_details(tx, t.id));
  if (!d.planned_start || !d.planned_end) return std::vector<Conflict>{};
  YW_ASSIGN(std::vector<CiRef> cis, ticket_cis(tx, t.id));
  YW_ASSIGN(std::shared_ptr<const Snapshot> snap, snapshot_in(tx, keep));
  ScheduledChange me{t.id, t.number, ids_of(cis), *d.planned_start, *d.planned_end};
  CheckOptions o;
  o.tx = &tx;
  o.ci_name = [&tx](std::int64_t id) {
    auto row = tx.query_row("SELECT name FROM cis WHERE id = ?", {id});
    if (row.ok() && *row) return (*row)->str(0);
    return "CI " + std::to_string(id);
  };
  return find_conflicts(me, snap->index, snap->windows, relations_, o);
}

// ---- hooks ----

core::Result<std::set<std::string>> ChangeService::fields_hook(store::Tx& tx, const Ticket& t) {
  YW_ASSIGN(Details d, load_details(tx, t.id));
  YW_ASSIGN(std::vector<CiRef> cis, ticket_cis(tx, t.id));
  std::set<std::string> out;
  if (!d.reason.empty()) out.insert("reason");
  if (!d.implementation_plan.empty()) out.insert("implementation_plan");
  if (!d.backout_plan.empty()) out.insert("backout_plan");
  if (!d.test_plan.empty()) out.insert("test_plan");
  if (d.planned_start) out.insert("planned_start");
  if (d.planned_end) out.insert("planned_end");
  if (!cis.empty()) out.insert("ci_ids");
  if (!d.risk_level.empty()) out.insert("risk_assessment");
  if (!d.review_outcome.empty()) out.insert("review_outcome");
  return out;
}

core::Result<bool> ChangeService::role_hook(store::Tx& tx, const Viewer& v, const Ticket& t,
                                            std::string_view role) {
  if (role == "implementer") {
    if (t.assignee_id == v.user_id) return true;
    return is_member(tx, t.assignee_team_id, v.user_id);
  }
  if (role == "change_manager") {
    YW_ASSIGN(ChangeSettings s, load_settings(tx));
    return is_member(tx, s.cab_team_id, v.user_id);
  }
  return false;
}

core::Status ChangeService::before_hook(store::Tx& tx, const Viewer& v, const Ticket& before,
                                        const tickets::TransitionRequest& req, core::TimeMs now) {
  (void)v, (void)now;
  if (req.to == "authorise") {
    // The steps must have approvers before the change waits on them.
    YW_ASSIGN(Details d, load_details(tx, before.id));
    YW_ASSIGN(ChangeSettings s, load_settings(tx));
    RiskLevel level = parse_risk_level(d.risk_level).value_or(RiskLevel::kHigh);
    for (const ApprovalStepSpec& spec : approval_path(type_of(before), level).steps) {
      auto people = approvers_for(tx, spec.group, before, s);
      if (!people.ok()) return std::move(people).error();
    }
  }
  if (req.to == "scheduled") {
    YW_ASSIGN(Details d, load_details(tx, before.id));
    if (type_of(before) != ChangeType::kStandard && d.approval_state != "approved") {
      return core::conflict("the change is not authorised yet", "approval");
    }
    YW_ASSIGN(std::vector<Conflict> found, conflicts_in(tx, before));
    std::vector<Conflict> open = uncovered(found, d);
    if (!open.empty()) return conflicts_error(open);
  }
  if (req.to == "implement") {
    // A freeze declared (or a change scheduled) since: checked again before work starts.
    YW_ASSIGN(Details d, load_details(tx, before.id));
    YW_ASSIGN(std::vector<Conflict> found, conflicts_in(tx, before));
    std::vector<Conflict> open = uncovered(found, d);
    if (!open.empty()) return conflicts_error(open);
  }
  return {};
}

core::Status ChangeService::after_hook(store::Tx& tx, const store::Actor& actor, const Viewer& v,
                                       const Ticket& before, const Ticket& after,
                                       const tickets::TransitionRequest& req, core::TimeMs now) {
  (void)v;
  YW_ASSIGN(Details d, load_details(tx, after.id));
  bool changed = false;
  if (req.to == "authorise") {
    YW_ASSIGN(ChangeSettings s, load_settings(tx));
    RiskLevel level = parse_risk_level(d.risk_level).value_or(RiskLevel::kHigh);
    ApprovalPath path = approval_path(type_of(after), level);
    d.approval_round += 1;
    d.approval_state = path.steps.empty() ? "approved" : "pending";
    d.retrospective_review = path.retrospective_review;
    json steps = json::array();
    std::vector<std::int64_t> first;
    for (size_t i = 0; i < path.steps.size(); ++i) {
      const ApprovalStepSpec& spec = path.steps[i];
      YW_ASSIGN(std::vector<std::int64_t> people, approvers_for(tx, spec.group, after, s));
      if (i == 0) first = people;
      auto n = tx.exec(
          "INSERT INTO change_approval_steps (ticket_id, round, position, name, name_zh,"
          " approver_group, rule, approvers, state) VALUES (?, ?, ?, ?, ?, ?, ?, ?, 'pending')",
          {after.id, d.approval_round, static_cast<std::int64_t>(i), spec.name, spec.name_zh,
           std::string(approver_group_name(spec.group)), std::string(approval_rule_name(spec.rule)),
           join(people)});
      if (!n.ok()) return std::move(n).error();
      steps.push_back({{"name", spec.name},
                       {"group", std::string(approver_group_name(spec.group))},
                       {"rule", std::string(approval_rule_name(spec.rule))},
                       {"approvers", people}});
    }
    changed = true;
    YW_TRY(change_event(tx, actor, now, "change.approval_requested", after.id,
                        {{"round", d.approval_round},
                         {"risk_level", d.risk_level},
                         {"steps", steps},
                         {"retrospective_review", d.retrospective_review}}));
    if (!first.empty()) {
      YW_TRY(tickets_.notify_in(tx, after.id, first, "change.approval_requested",
                                json{{"step", path.steps[0].name}}.dump()));
    }
  }
  if (req.to == "new") {
    // Rejected, reworked or replanned: the approval and any override start again (a rejection
    // keeps its state for the requester to read).
    if (before.status != "authorise") d.approval_state.clear();
    clear_override(d);
    changed = true;
  }
  if (req.to == "failed") {
    d.backed_out = true;
    changed = true;
  }
  if (req.to == "implement") {
    d.actual_start = now;
    changed = true;
  }
  if (before.status == "implement" && (req.to == "review" || req.to == "failed")) {
    d.actual_end = now;
    changed = true;
  }
  if (changed) YW_TRY(store_details(tx, d));
  if (scheduled_state(before.status) != scheduled_state(after.status) &&
      (d.planned_start || d.planned_end)) {
    YW_TRY(bump_schedule_version(tx));
  }
  return {};
}

// ---- commands ----

core::Result<Ticket> ChangeService::create(const store::Actor& actor, const Viewer& v,
                                           const NewChange& in) {
  YW_TRY(check_fields(in.fields));
  if (!v.agent) {
    if (in.type != ChangeType::kStandard || !in.template_id)
      return core::forbidden("requesters raise standard changes from the catalog only");
    if (in.fields.ci_ids && !in.fields.ci_ids->empty())
      return core::invalid("ci_ids", "only agents name the CIs of a change");
    if (in.base.requester_id && *in.base.requester_id != v.user_id)
      return core::forbidden("requesters raise changes for themselves only");
    if (in.base.assignee_team_id || in.base.assignee_id)
      return core::forbidden("the template names the implementer team");
    if (in.base.channel != "web" && in.base.channel != "api")
      return core::invalid("channel", "requesters report through web or api");
  }
  if (in.type == ChangeType::kStandard) {
    // Pre-approved means exactly as the template says.
    for (const auto& [given, name] :
         {std::pair{in.fields.implementation_plan.has_value(), "implementation_plan"},
          std::pair{in.fields.backout_plan.has_value(), "backout_plan"},
          std::pair{in.fields.test_plan.has_value(), "test_plan"},
          std::pair{in.fields.planned_end.has_value(), "planned_end"}}) {
      if (given) {
        return core::invalid(name,
                             "a standard change follows its template (the end is the start "
                             "plus the template's duration)");
      }
    }
  }
  if (in.type == ChangeType::kStandard && !in.template_id)
    return core::invalid("template_id", "a standard change comes from a template");
  if (in.type != ChangeType::kStandard && in.template_id)
    return core::invalid("template_id", "only standard changes come from templates");
  return store::write_tx<Ticket>(db_, [&](store::Tx& tx) -> core::Result<Ticket> {
    YW_ASSIGN(ChangeSettings settings, load_settings(tx));
    tickets::NewTicket base = in.base;
    base.kind = "change";
    ChangeFields fields = in.fields;
    if (in.template_id) {
      auto row = tx.query_row(
          "SELECT implementation_plan, backout_plan, test_plan, duration_minutes,"
          " implementer_team_id, active, name FROM change_templates WHERE id = ?",
          {*in.template_id});
      if (!row.ok()) return std::move(row).error();
      if (!*row || (*row)->i64(5) == 0)
        return core::invalid("template_id",
                             "no active template with id " + std::to_string(*in.template_id));
      const store::Row& r = **row;
      fields.implementation_plan = r.str(0);
      fields.backout_plan = r.str(1);
      fields.test_plan = r.str(2);
      if (fields.planned_start) fields.planned_end = *fields.planned_start + r.i64(3) * 60'000;
      if (!base.assignee_team_id && !r.is_null(4)) base.assignee_team_id = r.i64(4);
      if (core::trim(base.title).empty()) base.title = r.str(6);
    }
    // A requester's standard change goes to the template's team (checked above: the requester
    // chose neither team, person, requester nor channel).
    tickets::Viewer creator = v;
    if (!v.agent && base.assignee_team_id) creator.agent = true;
    YW_ASSIGN(Ticket t, tickets_.create_in(tx, actor, creator, base, change_type_name(in.type)));
    YW_TRY(insert_details(tx, t.id));
    Details d;
    d.ticket_id = t.id;
    d.template_id = in.template_id;
    bool touched = false;
    YW_TRY(apply_fields(tx, d, fields, settings.questionnaire, t.id, touched));
    YW_TRY(store_details(tx, d));
    if (touched) YW_TRY(bump_schedule_version(tx));
    json detail = {{"change_type", std::string(change_type_name(in.type))}};
    if (in.template_id) detail["template_id"] = *in.template_id;
    if (!d.risk_level.empty()) detail["risk_level"] = d.risk_level;
    YW_TRY(change_event(tx, actor, clock_.now_ms(), "change.plan", t.id, detail));
    return tickets_.load_in(tx, kSystemViewer, t.number);
  });
}

core::Result<Ticket> ChangeService::update(const store::Actor& actor, const Viewer& v,
                                           std::string_view number, std::int64_t version,
                                           const ChangeFields& f, std::optional<ChangeType> type) {
  if (!v.agent) return core::forbidden("only agents edit a change");
  YW_TRY(check_fields(f));
  return store::write_tx<Ticket>(db_, [&](store::Tx& tx) -> core::Result<Ticket> {
    YW_ASSIGN(Ticket t, load_change(tickets_, tx, v, number));
    if (t.version != version) {
      return core::conflict("the change was changed by someone else (version " +
                                std::to_string(t.version) + "); reload and retry",
                            "version");
    }
    bool plan = f.reason || f.implementation_plan || f.backout_plan || f.test_plan ||
                f.planned_start || f.planned_end || f.ci_ids || f.risk_answers;
    if (plan && t.status != "new" && t.status != "assess") {
      return core::conflict(
          "the plan of a change in " + t.status + " is fixed; move it back to new to replan",
          "status");
    }
    if (type && t.status != "new")
      return core::conflict("the type of a change changes only while it is new", "change_type");
    if (type && *type == ChangeType::kStandard && t.subtype != "standard")
      return core::invalid("change_type", "a standard change comes from a template");
    if (type && *type != ChangeType::kStandard && t.subtype == "standard")
      return core::invalid("change_type", "a standard change keeps its type");
    YW_ASSIGN(ChangeSettings settings, load_settings(tx));
    YW_ASSIGN(Details d, load_details(tx, t.id));
    Details before = d;
    ChangeFields fields = f;
    if (t.subtype == "standard") {
      for (const auto& [given, name] :
           {std::pair{f.implementation_plan.has_value(), "implementation_plan"},
            std::pair{f.backout_plan.has_value(), "backout_plan"},
            std::pair{f.test_plan.has_value(), "test_plan"},
            std::pair{f.planned_end.has_value(), "planned_end"}}) {
        if (given) return core::invalid(name, "a standard change follows its template");
      }
      if (f.planned_start && d.template_id) {
        auto row = tx.query_row("SELECT duration_minutes FROM change_templates WHERE id = ?",
                                {*d.template_id});
        if (!row.ok()) return std::move(row).error();
        if (*row) fields.planned_end = *f.planned_start + (*row)->i64(0) * 60'000;
      }
    }
    bool touched = false;
    YW_TRY(apply_fields(tx, d, fields, settings.questionnaire, t.id, touched));
    if (touched) clear_override(d);  // the conflicts overridden were of the old plan
    YW_TRY(store_details(tx, d));
    core::TimeMs now = clock_.now_ms();
    YW_TRY(touch_ticket(tx, t, now));
    if (type && change_type_name(*type) != t.subtype) {
      auto n = tx.exec("UPDATE tickets SET subtype = ? WHERE id = ?",
                       {std::string(change_type_name(*type)), t.id});
      if (!n.ok()) return std::move(n).error();
    }
    if (touched && scheduled_state(t.status)) YW_TRY(bump_schedule_version(tx));
    json detail = json::object();
    auto note = [&](const char* k, const std::string& a, const std::string& b) {
      if (a != b) detail[k] = {{"from", a}, {"to", b}};
    };
    note("reason", before.reason, d.reason);
    note("implementation_plan", before.implementation_plan, d.implementation_plan);
    note("backout_plan", before.backout_plan, d.backout_plan);
    note("test_plan", before.test_plan, d.test_plan);
    note("risk_level", before.risk_level, d.risk_level);
    auto time_text = [](const std::optional<core::TimeMs>& x) {
      return x ? core::format_iso8601(*x) : std::string();
    };
    note("planned_start", time_text(before.planned_start), time_text(d.planned_start));
    note("planned_end", time_text(before.planned_end), time_text(d.planned_end));
    if (f.ci_ids) detail["ci_ids"] = *f.ci_ids;
    if (type) detail["change_type"] = std::string(change_type_name(*type));
    YW_TRY(change_event(tx, actor, now, "change.plan", t.id, detail));
    return tickets_.load_in(tx, kSystemViewer, t.number);
  });
}

core::Status ChangeService::try_schedule(store::Tx& tx, const store::Actor& actor,
                                         const Ticket& t) {
  tickets::TransitionRequest req;
  req.to = "scheduled";
  req.system = true;
  auto moved = tickets_.transition_in(tx, actor, kSystemViewer, t, req);
  if (!moved.ok() && moved.error().field == "conflicts") return {};  // waits for an override
  if (!moved.ok()) return std::move(moved).error();
  return {};
}

core::Result<Ticket> ChangeService::decide(const store::Actor& actor, const Viewer& v,
                                           std::string_view number, Verdict verdict,
                                           std::string_view comment) {
  if (verdict == Verdict::kReject && core::trim(comment).empty())
    return core::invalid("comment", "is required to reject");
  YW_TRY(core::check_text(comment, "comment", 2000, false));
  return store::write_tx<Ticket>(db_, [&](store::Tx& tx) -> core::Result<Ticket> {
    YW_ASSIGN(Ticket found, load_change(tickets_, tx, v, number));
    YW_ASSIGN(Ticket t, lock_change(tickets_, tx, v, found));
    YW_ASSIGN(Details d, load_details(tx, t.id));
    if (t.status != "authorise" || d.approval_state != "pending") {
      return core::conflict(
          "the change " + t.number + " is not waiting for approval (" + t.status + ")", "approval");
    }
    YW_ASSIGN(std::vector<StoredStep> stored, load_steps(tx, t.id, d.approval_round));
    std::vector<ApprovalStep> steps;
    for (const StoredStep& s : stored) steps.push_back(s.step);
    core::TimeMs now = clock_.now_ms();
    if (!steps.empty()) {
      // Decisions are in order even if the clock of another node is behind.
      for (const ApprovalStep& s : steps)
        for (const ApprovalDecision& x : s.decisions) now = std::max(now, x.at);
    }
    YW_ASSIGN(ApprovalProgress before_progress, next_step(steps));
    std::size_t open = before_progress.current;
    ApprovalDecision decision{v.user_id, verdict, core::trim(comment), now};
    YW_ASSIGN(ApprovalProgress progress, change::decide(steps, decision));
    const StoredStep& step = stored[open];
    auto ins = tx.exec(
        "INSERT INTO change_approval_decisions (step_id, user_id, verdict, comment, decided_at)"
        " VALUES (?, ?, ?, ?, ?)",
        {step.id, v.user_id, std::string(verdict_name(verdict)), decision.comment, now});
    if (!ins.ok()) return std::move(ins).error();
    YW_TRY(touch_ticket(tx, t, now));  // a decision changes the change: readers reload
    t.version += 1;
    YW_ASSIGN(StepStatus st, step_status(steps[open]));
    auto up = tx.exec("UPDATE change_approval_steps SET state = ? WHERE id = ?",
                      {std::string(approval_state_name(st.state)), step.id});
    if (!up.ok()) return std::move(up).error();
    YW_TRY(change_event(tx, actor, now, "change.approval", t.id,
                        {{"round", d.approval_round},
                         {"step", step.name},
                         {"verdict", std::string(verdict_name(verdict))},
                         {"comment", decision.comment},
                         {"step_state", std::string(approval_state_name(st.state))}}));
    if (progress.state == ApprovalState::kPending && progress.current != open) {
      YW_TRY(tickets_.notify_in(tx, t.id, progress.awaiting, "change.approval_requested",
                                json{{"step", stored[progress.current].name}}.dump()));
    }
    if (progress.state == ApprovalState::kApproved) {
      d.approval_state = "approved";
      YW_TRY(store_details(tx, d));
      YW_TRY(try_schedule(tx, actor, t));
      YW_TRY(tickets_.notify_in(tx, t.id, {t.requester_id}, "change.approved", "{}"));
    } else if (progress.state == ApprovalState::kRejected) {
      d.approval_state = "rejected";
      YW_TRY(store_details(tx, d));
      tickets::TransitionRequest back;
      back.to = "new";
      back.system = true;
      auto moved = tickets_.transition_in(tx, actor, kSystemViewer, t, back);
      if (!moved.ok()) return std::move(moved).error();
      YW_TRY(tickets_.notify_in(tx, t.id, {t.requester_id}, "change.rejected",
                                json{{"comment", decision.comment}}.dump()));
    }
    return tickets_.load_in(tx, kSystemViewer, t.number);
  });
}

core::Result<ChangeService::ConflictReport> ChangeService::conflicts(const Viewer& v,
                                                                     std::string_view number) {
  using R = ConflictReport;
  return store::read_tx<R>(db_, [&](store::Tx& tx) -> core::Result<R> {
    YW_ASSIGN(Ticket t, load_change(tickets_, tx, v, number));
    R out;
    YW_ASSIGN(out.conflicts, conflicts_in(tx, t, true));
    YW_ASSIGN(Details d, load_details(tx, t.id));
    if (d.override_at) {
      out.override = ConflictOverride{d.override_reason, d.override_by.value_or(0), *d.override_at,
                                      conflicts_from_json(d.override_conflicts)};
      auto name =
          tx.query_row("SELECT display_name FROM users WHERE id = ?", {d.override_by.value_or(0)});
      if (!name.ok()) return std::move(name).error();
      if (*name) out.override_by_name = (*name)->str(0);
    }
    return out;
  });
}

core::Result<Ticket> ChangeService::override_conflicts(const store::Actor& actor, const Viewer& v,
                                                       std::string_view number,
                                                       std::string_view reason) {
  if (core::trim(reason).empty()) return core::invalid("reason", "is required");
  YW_TRY(core::check_text(reason, "reason", 2000, false));
  return store::write_tx<Ticket>(db_, [&](store::Tx& tx) -> core::Result<Ticket> {
    YW_ASSIGN(Ticket found_change, load_change(tickets_, tx, v, number));
    YW_ASSIGN(Ticket t, lock_change(tickets_, tx, v, found_change));
    if (!v.admin) {
      YW_ASSIGN(bool cab, role_hook(tx, v, t, "change_manager"));
      if (!cab) return core::forbidden("only a member of the change advisory board overrides");
    }
    if (t.requester_id == v.user_id || t.created_by == v.user_id)
      return core::forbidden("nobody overrides the conflicts of their own change");
    if (t.status != "new" && t.status != "assess" && t.status != "authorise" &&
        t.status != "scheduled") {
      return core::conflict(
          "conflicts are overridden before a change is implemented (it is " + t.status + ")",
          "status");
    }
    YW_ASSIGN(std::vector<Conflict> found, conflicts_in(tx, t));
    if (found.empty()) return core::conflict("the change has no conflicts", "conflicts");
    YW_ASSIGN(Details d, load_details(tx, t.id));
    json list = json::array();
    for (const Conflict& c : found) list.push_back(conflict_json(c));
    core::TimeMs now = clock_.now_ms();
    d.override_reason = core::trim(reason);
    d.override_conflicts = list.dump();
    d.override_by = v.user_id;
    d.override_at = now;
    YW_TRY(store_details(tx, d));
    YW_TRY(touch_ticket(tx, t, now));
    YW_TRY(change_event(tx, actor, now, "change.conflicts_override", t.id,
                        {{"reason", d.override_reason}, {"conflicts", list}}));
    YW_ASSIGN(Ticket current, tickets_.load_in(tx, kSystemViewer, t.number));
    if (current.status == "authorise" && d.approval_state == "approved") {
      YW_TRY(try_schedule(tx, actor, current));
    }
    return tickets_.load_in(tx, kSystemViewer, t.number);
  });
}

core::Result<Ticket> ChangeService::review(const store::Actor& actor, const Viewer& v,
                                           std::string_view number, ReviewOutcome outcome,
                                           std::string_view notes,
                                           const std::vector<std::string>& caused) {
  if (!v.agent) return core::forbidden("only agents review a change");
  YW_TRY(core::check_text(notes, "notes", 5000, false));
  if (outcome != ReviewOutcome::kSuccessful && core::trim(notes).empty())
    return core::invalid("notes", "say what went wrong in a partial or failed change's review");
  if (caused.size() > 100) return core::invalid("caused_incidents", "at most 100 incidents");
  return store::write_tx<Ticket>(db_, [&](store::Tx& tx) -> core::Result<Ticket> {
    YW_ASSIGN(Ticket found, load_change(tickets_, tx, v, number));
    YW_ASSIGN(Ticket t, lock_change(tickets_, tx, v, found));
    if (t.status != "review") {
      return core::conflict("a change is reviewed in review (it is " + t.status + ")", "status");
    }
    if (!v.admin) {
      YW_ASSIGN(bool implementer, role_hook(tx, v, t, "implementer"));
      YW_ASSIGN(bool manager, role_hook(tx, v, t, "change_manager"));
      if (!implementer && !manager)
        return core::forbidden("only the implementer team or a change manager reviews a change");
    }
    core::TimeMs now = clock_.now_ms();
    json linked = json::array();
    for (size_t i = 0; i < caused.size(); ++i) {
      std::string field = "caused_incidents[" + std::to_string(i) + "]";
      auto inc = tickets_.load_in(tx, v, caused[i]);
      if (!inc.ok() && inc.error().code == core::ErrorCode::kNotFound)
        return core::invalid(field, "no incident " + caused[i]);
      if (!inc.ok()) return std::move(inc).error();
      if (inc->kind != "incident") return core::invalid(field, caused[i] + " is not an incident");
      auto exists = tx.query_row(
          "SELECT 1 FROM ticket_links WHERE from_id = ? AND to_id = ? AND type = 'caused_by'",
          {inc->id, t.id});
      if (!exists.ok()) return std::move(exists).error();
      if (!*exists) {
        auto n = tx.exec(
            "INSERT INTO ticket_links (from_id, to_id, type, created_by, created_at)"
            " VALUES (?, ?, 'caused_by', ?, ?)",
            {inc->id, t.id, opt(actor.user_id), now});
        if (!n.ok()) return std::move(n).error();
        YW_TRY(change_event(tx, actor, now, "ticket.link", inc->id,
                            {{"type", "caused_by"}, {"number", t.number}}));
      }
      linked.push_back(inc->number);
    }
    YW_ASSIGN(Details d, load_details(tx, t.id));
    if (d.backed_out && outcome == ReviewOutcome::kSuccessful)
      return core::invalid("outcome", "the change was backed out: partial or failed");
    d.review_outcome = std::string(review_outcome_name(outcome));
    d.review_notes = core::trim(notes);
    d.reviewed_by = v.user_id;
    d.reviewed_at = now;
    YW_TRY(store_details(tx, d));
    YW_TRY(touch_ticket(tx, t, now));
    YW_TRY(change_event(
        tx, actor, now, "change.review", t.id,
        {{"outcome", d.review_outcome}, {"notes", d.review_notes}, {"caused_incidents", linked}}));
    return tickets_.load_in(tx, kSystemViewer, t.number);
  });
}

// ---- reads ----

core::Result<ChangeView> ChangeService::view(const Viewer& v, std::int64_t ticket_id) {
  core::Result<ChangeView> out =
      store::read_tx<ChangeView>(db_, [&](store::Tx& tx) -> core::Result<ChangeView> {
        auto row = tx.query_row("SELECT number FROM tickets WHERE id = ? AND kind = 'change'",
                                {ticket_id});
        if (!row.ok()) return std::move(row).error();
        if (!*row) return core::not_found("no change with id " + std::to_string(ticket_id));
        YW_ASSIGN(Ticket t, load_change(tickets_, tx, v, (*row)->str(0)));
        YW_ASSIGN(Details d, load_details(tx, t.id));
        ChangeView cv;
        cv.type = type_of(t);
        cv.template_id = d.template_id;
        cv.reason = d.reason;
        cv.implementation_plan = d.implementation_plan;
        cv.backout_plan = d.backout_plan;
        cv.test_plan = d.test_plan;
        cv.planned_start = d.planned_start;
        cv.planned_end = d.planned_end;
        cv.actual_start = d.actual_start;
        cv.actual_end = d.actual_end;
        YW_ASSIGN(cv.cis, ticket_cis(tx, t.id));
        cv.risk_answers = answers_of(d);
        if (d.risk_score) cv.risk_score = static_cast<int>(*d.risk_score);
        cv.risk_level = d.risk_level;
        cv.approval_round = static_cast<int>(d.approval_round);
        cv.approval_state = d.approval_state;
        cv.retrospective_review = d.retrospective_review;
        std::set<std::int64_t> people;
        if (d.approval_round > 0) {
          YW_ASSIGN(std::vector<StoredStep> steps, load_steps(tx, t.id, d.approval_round));
          for (StoredStep& s : steps) {
            ApprovalStepView sv;
            sv.id = s.id;
            sv.name_zh = s.name_zh;
            auto status = step_status(s.step);
            if (status.ok()) sv.status = *status;
            for (std::int64_t id : s.step.approvers) people.insert(id);
            for (const ApprovalDecision& x : s.step.decisions) people.insert(x.user_id);
            sv.step = std::move(s.step);
            cv.steps.push_back(std::move(sv));
          }
        }
        if (d.override_at) {
          cv.override = ConflictOverride{d.override_reason, d.override_by.value_or(0),
                                         *d.override_at, conflicts_from_json(d.override_conflicts)};
          if (d.override_by) people.insert(*d.override_by);
        }
        if (!d.review_outcome.empty()) {
          ChangeReview r;
          r.outcome = parse_review_outcome(d.review_outcome).value_or(ReviewOutcome::kFailed);
          r.notes = d.review_notes;
          r.by = d.reviewed_by;
          r.at = d.reviewed_at.value_or(0);
          if (d.reviewed_by) people.insert(*d.reviewed_by);
          auto rows = tx.query(
              "SELECT t.number FROM ticket_links l JOIN tickets t ON t.id = l.from_id WHERE"
              " l.to_id = ? AND l.type = 'caused_by' AND t.kind = 'incident' ORDER BY t.id",
              {t.id});
          if (!rows.ok()) return std::move(rows).error();
          for (const store::Row& x : *rows) r.caused_incidents.push_back(x.str(0));
          cv.review = std::move(r);
        }
        for (std::int64_t id : people) {
          auto name = tx.query_row("SELECT display_name FROM users WHERE id = ?", {id});
          if (!name.ok()) return std::move(name).error();
          if (*name) cv.user_names[id] = (*name)->str(0);
        }
        return cv;
      });
  if (!out.ok()) return out;
  // The business services the change's CIs touch.
  std::set<std::int64_t> seen;
  for (const CiRef& ci : out->cis) {
    YW_ASSIGN(std::vector<cmdb::ServiceRef> services,
              cmdb::affected_services(db_, relations_, ci.id));
    for (const cmdb::ServiceRef& s : services) {
      if (seen.insert(s.id).second) out->affected_services.push_back({s.id, s.name});
    }
  }
  return out;
}

core::Result<std::vector<InboxItem>> ChangeService::inbox(const Viewer& v) {
  using R = std::vector<InboxItem>;
  return store::read_tx<R>(db_, [&](store::Tx& tx) -> core::Result<R> {
    // Candidate steps naming the caller, of changes the caller may see; then the open step of
    // each change is checked.
    std::string where;
    store::Params params = {"%," + std::to_string(v.user_id) + ",%"};
    YW_TRY(tickets::TicketService::visibility_sql(tx, v, where, params));
    auto rows = tx.query(
        "SELECT t.id, t.number, t.title, t.subtype, d.risk_level, d.planned_start, d.planned_end,"
        " d.approval_round FROM tickets t JOIN change_details d ON d.ticket_id = t.id WHERE"
        " t.kind = 'change' AND t.status = 'authorise' AND d.approval_state = 'pending' AND"
        " EXISTS (SELECT 1 FROM change_approval_steps s WHERE s.ticket_id = t.id AND"
        " s.round = d.approval_round AND s.state = 'pending' AND (',' || s.approvers || ',')"
        " LIKE ?)" +
            where + " ORDER BY t.id LIMIT 500",
        params);
    if (!rows.ok()) return std::move(rows).error();
    R out;
    for (const store::Row& r : *rows) {
      YW_ASSIGN(std::vector<StoredStep> stored, load_steps(tx, r.i64(0), r.i64(7)));
      std::vector<ApprovalStep> steps;
      for (const StoredStep& s : stored) steps.push_back(s.step);
      auto progress = next_step(steps);
      if (!progress.ok() || progress->state != ApprovalState::kPending) continue;
      const auto& awaiting = progress->awaiting;
      if (std::find(awaiting.begin(), awaiting.end(), v.user_id) == awaiting.end()) continue;
      const StoredStep& s = stored[progress->current];
      InboxItem item;
      item.number = r.str(1);
      item.title = r.str(2);
      item.type = parse_change_type(r.str(3)).value_or(ChangeType::kNormal);
      item.risk_level = r.str(4);
      item.planned_start = r.opt_i64(5);
      item.planned_end = r.opt_i64(6);
      item.step_name = s.name;
      item.step_name_zh = s.name_zh;
      item.group = s.step.group;
      item.rule = s.step.rule;
      auto at = tx.query_row(
          "SELECT MAX(at) FROM events WHERE object_type = 'ticket' AND object_id = ? AND"
          " action = 'change.approval_requested'",
          {r.i64(0)});
      if (!at.ok()) return std::move(at).error();
      if (*at && !(*at)->is_null(0)) item.requested_at = (*at)->i64(0);
      out.push_back(std::move(item));
    }
    return out;
  });
}

core::Result<ChangeCalendar> ChangeService::calendar(const Viewer& v, core::TimeMs from,
                                                     core::TimeMs to,
                                                     std::optional<std::int64_t> service_id,
                                                     bool with_conflicts) {
  if (to <= from) return core::invalid("to", "must be after from");
  if (to - from > 400LL * 86'400'000) return core::invalid("to", "at most 400 days at once");
  std::vector<std::int64_t> service_cis;
  if (service_id) {
    YW_ASSIGN(service_cis, cmdb::affecting_cis(db_, relations_, *service_id, "service_id"));
  }
  return store::read_tx<ChangeCalendar>(db_, [&](store::Tx& tx) -> core::Result<ChangeCalendar> {
    std::string where;
    store::Params params;
    YW_TRY(tickets::TicketService::visibility_sql(tx, v, where, params));
    std::string sql =
        "SELECT t.id, t.number, t.title, t.status, t.subtype, d.risk_level, d.planned_start,"
        " d.planned_end FROM tickets t JOIN change_details d ON d.ticket_id = t.id WHERE"
        " t.kind = 'change' AND t.status <> 'cancelled' AND d.planned_start < ? AND"
        " d.planned_end > ?" +
        where;
    store::Params p = {to, from};
    for (auto& x : params) p.push_back(x);
    if (service_id) {
      sql += " AND EXISTS (SELECT 1 FROM ticket_cis tc WHERE tc.ticket_id = t.id AND " +
             tx.in_ids_sql("tc.ci_id") + ")";
      p.push_back(tx.in_ids_value(service_cis));
    }
    sql += " ORDER BY d.planned_start, t.id LIMIT " + std::to_string(kCalendarLimit + 1);
    auto rows = tx.query(sql, p);
    if (!rows.ok()) return std::move(rows).error();
    ChangeCalendar cal;
    cal.truncated = rows->size() > kCalendarLimit;
    if (cal.truncated) rows->pop_back();
    // Conflict counts cost a check each: on request, for a view's worth of changes.
    bool count = with_conflicts && rows->size() <= kCalendarConflictLimit;
    cal.conflicts_counted = count;
    for (const store::Row& r : *rows) {
      CalendarChange c;
      c.number = r.str(1);
      c.title = r.str(2);
      c.status = r.str(3);
      c.type = parse_change_type(r.str(4)).value_or(ChangeType::kNormal);
      c.risk_level = r.str(5);
      c.planned_start = r.i64(6);
      c.planned_end = r.i64(7);
      YW_ASSIGN(std::vector<CiRef> cis, ticket_cis(tx, r.i64(0)));
      c.ci_ids = ids_of(cis);
      if (count && scheduled_state(c.status)) {
        Ticket t;
        t.id = r.i64(0);
        t.number = c.number;
        YW_ASSIGN(std::vector<Conflict> found, conflicts_in(tx, t, true));
        c.conflict_count = static_cast<int>(found.size());
      }
      cal.changes.push_back(std::move(c));
    }
    YW_ASSIGN(std::vector<FreezeWindowRecord> freezes, freeze_window_records(tx, from, to));
    for (const FreezeWindowRecord& f : freezes) {
      if (service_id && !f.service_ids.empty() &&
          std::find(f.service_ids.begin(), f.service_ids.end(), *service_id) ==
              f.service_ids.end()) {
        continue;  // scoped to other services
      }
      CalendarFreeze c{FreezeWindow{f.id, f.name, f.start, f.end, f.service_ids}, f.reason, {}};
      for (const ServiceRef& sr : f.services) c.service_names.push_back(sr.name);
      cal.freezes.push_back(std::move(c));
    }
    YW_ASSIGN(std::vector<MaintenanceOccurrence> occurrences,
              maintenance_occurrences(tx, from, to, service_id));
    for (const MaintenanceOccurrence& o : occurrences) {
      cal.maintenance.push_back(
          {o.window_id, o.service_id, o.service_name, o.name, o.start, o.end});
    }
    return cal;
  });
}

core::Result<ChangeStats> ChangeService::stats(const Viewer& v, core::TimeMs from,
                                               core::TimeMs to) {
  if (!v.staff) return core::forbidden("change statistics are for staff");
  if (to <= from) return core::invalid("to", "must be after from");
  return store::read_tx<ChangeStats>(db_, [&](store::Tx& tx) -> core::Result<ChangeStats> {
    ChangeStats s;
    auto rows = tx.query(
        "SELECT t.id, d.backed_out, d.review_outcome, (SELECT COUNT(*) FROM ticket_links l JOIN"
        " tickets i ON i.id = l.from_id WHERE l.to_id = t.id AND l.type = 'caused_by' AND"
        " i.kind = 'incident') FROM tickets t JOIN change_details d ON d.ticket_id = t.id WHERE"
        " t.kind = 'change' AND d.actual_end >= ? AND d.actual_end < ?",
        {from, to});
    if (!rows.ok()) return std::move(rows).error();
    std::int64_t clean = 0;
    for (const store::Row& r : *rows) {
      ++s.implemented;
      std::string outcome = r.str(2);
      bool caused = r.i64(3) > 0;
      if (caused) ++s.caused_incidents;
      if (r.i64(1) != 0 || outcome == "failed") {
        ++s.failed;  // backed out, whatever the review says
      } else if (outcome == "successful") {
        ++s.successful;
        if (!caused) ++clean;
      } else if (outcome == "partial") {
        ++s.partial;
      } else {
        ++s.unreviewed;
        if (!caused) ++clean;  // implemented without a failure recorded (yet)
      }
    }
    if (s.implemented > 0) {
      s.success_rate = static_cast<double>(clean) / static_cast<double>(s.implemented);
    }
    auto created = tx.query_row(
        "SELECT COUNT(*), SUM(CASE WHEN subtype = 'emergency' THEN 1 ELSE 0 END) FROM tickets"
        " WHERE kind = 'change' AND created_at >= ? AND created_at < ?",
        {from, to});
    if (!created.ok()) return std::move(created).error();
    s.created = (*created)->i64(0);
    s.emergency = (*created)->is_null(1) ? 0 : (*created)->i64(1);
    if (s.created > 0)
      s.emergency_ratio = static_cast<double>(s.emergency) / static_cast<double>(s.created);
    return s;
  });
}

core::Result<std::vector<ChangeService::Upcoming>> ChangeService::upcoming_on(
    const Viewer& v, const std::vector<std::int64_t>& ci_ids, std::size_t limit) {
  using R = std::vector<Upcoming>;
  if (ci_ids.empty()) return R{};
  core::TimeMs now = clock_.now_ms();
  return store::read_tx<R>(db_, [&](store::Tx& tx) -> core::Result<R> {
    std::string where;
    store::Params params = {now, tx.in_ids_value(ci_ids)};
    YW_TRY(tickets::TicketService::visibility_sql(tx, v, where, params));
    params.push_back(static_cast<std::int64_t>(limit));
    auto rows = tx.query(
        std::string("SELECT t.number, t.title, t.status, d.planned_start, d.planned_end FROM"
                    " tickets t JOIN change_details d ON d.ticket_id = t.id WHERE"
                    " t.kind = 'change' AND t.status IN ") +
            kScheduledStates +
            " AND d.planned_end > ? AND EXISTS (SELECT 1 FROM ticket_cis tc WHERE"
            " tc.ticket_id = t.id AND " +
            tx.in_ids_sql("tc.ci_id") + ")" + where + " ORDER BY d.planned_start, t.id LIMIT ?",
        params);
    if (!rows.ok()) return std::move(rows).error();
    R out;
    for (const store::Row& r : *rows) {
      out.push_back({r.str(0), r.str(1), r.str(2), r.i64(3), r.i64(4)});
    }
    return out;
  });
}

}  // namespace yunwei::change
