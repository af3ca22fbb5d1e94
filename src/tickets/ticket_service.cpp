#include "tickets/ticket_service.h"

#include <algorithm>
#include <map>
#include <nlohmann/json.hpp>

#include "core/text.h"
#include "store/outbox.h"
#include "tickets/dispatch.h"
#include "tickets/internal.h"
#include "tickets/priority.h"

namespace yunwei::tickets {
namespace detail {

const char* const kTicketColumns =
    "t.id, t.number, t.kind, t.title, t.description, t.status, t.impact, t.urgency, t.priority,"
    " t.priority_overridden, t.major, t.major_cadence_minutes, t.major_stakeholder_ids,"
    " t.major_declared_at, t.last_public_update_at, t.category_id, t.restricted, t.requester_id,"
    " t.channel, t.service_id, t.ci_id, t.assignee_team_id, t.assignee_id, t.pending_reason,"
    " t.resolution_code, t.resolution_notes, t.cancel_reason, t.reopen_count,"
    " t.reassignment_count, t.escalation_level, t.first_contact_resolution, t.created_by,"
    " t.created_at, t.updated_at, t.first_assigned_at, t.resolved_at, t.closed_at, t.version,"
    " t.subtype";

Ticket ticket_from_row(const store::Row& r) {
  Ticket t;
  t.id = r.i64(0);
  t.number = r.str(1);
  t.kind = r.str(2);
  t.title = r.str(3);
  t.description = r.str(4);
  t.status = r.str(5);
  t.impact = static_cast<int>(r.i64(6));
  t.urgency = static_cast<int>(r.i64(7));
  t.priority = r.str(8);
  t.priority_overridden = r.i64(9) != 0;
  t.major = r.i64(10) != 0;
  if (auto c = r.opt_i64(11)) t.major_cadence_minutes = static_cast<int>(*c);
  t.major_stakeholder_ids = split_ids(r.str(12));
  t.major_declared_at = r.opt_i64(13);
  t.last_public_update_at = r.opt_i64(14);
  t.category_id = r.opt_i64(15);
  t.restricted = r.i64(16) != 0;
  t.requester_id = r.i64(17);
  t.channel = r.str(18);
  t.service_id = r.opt_i64(19);
  t.ci_id = r.opt_i64(20);
  t.assignee_team_id = r.opt_i64(21);
  t.assignee_id = r.opt_i64(22);
  t.pending_reason = r.str(23);
  t.resolution_code = r.str(24);
  t.resolution_notes = r.str(25);
  t.cancel_reason = r.str(26);
  t.reopen_count = static_cast<int>(r.i64(27));
  t.reassignment_count = static_cast<int>(r.i64(28));
  t.escalation_level = static_cast<int>(r.i64(29));
  if (auto f = r.opt_i64(30)) t.first_contact_resolution = *f != 0;
  t.created_by = r.opt_i64(31);
  t.created_at = r.i64(32);
  t.updated_at = r.i64(33);
  t.first_assigned_at = r.opt_i64(34);
  t.resolved_at = r.opt_i64(35);
  t.closed_at = r.opt_i64(36);
  t.version = r.i64(37);
  t.subtype = r.str(38);
  return t;
}

store::Value opt_value(const std::optional<std::int64_t>& v) {
  if (v) return *v;
  return nullptr;
}
store::Value opt_value(const std::optional<int>& v) {
  if (v) return std::int64_t{*v};
  return nullptr;
}

std::string join_ids(const std::vector<std::int64_t>& ids) {
  std::string out;
  for (std::int64_t id : ids) {
    if (!out.empty()) out += ',';
    out += std::to_string(id);
  }
  return out;
}

std::vector<std::int64_t> split_ids(std::string_view text) {
  std::vector<std::int64_t> out;
  for (const std::string& part : core::split(text, ',')) {
    if (part.empty()) continue;
    try {
      out.push_back(std::stoll(part));
    } catch (const std::exception&) {
    }
  }
  return out;
}

core::Result<Ticket> load(store::Tx& tx, std::string_view number) {
  std::optional<std::string> n = normalize_number(number);
  if (!n) return core::not_found("ticket " + std::string(number) + " not found");
  auto row = tx.query_row(
      std::string("SELECT ") + kTicketColumns + " FROM tickets t WHERE t.number = ?", {*n});
  if (!row.ok()) return std::move(row).error();
  if (!*row) return core::not_found("ticket " + *n + " not found");
  return ticket_from_row(**row);
}

core::Result<bool> sees_restricted(store::Tx& tx, const Viewer& v) {
  if (v.admin) return true;
  if (!v.staff) return false;
  YW_ASSIGN(TicketSettings s, load_settings(tx));
  if (!s.security_team_id) return false;
  auto row = tx.query_row("SELECT 1 FROM team_members WHERE team_id = ? AND user_id = ?",
                          {*s.security_team_id, v.user_id});
  if (!row.ok()) return std::move(row).error();
  return row->has_value();
}

core::Result<bool> can_see(store::Tx& tx, const Viewer& v, const Ticket& t) {
  if (v.admin || t.requester_id == v.user_id) return true;
  // A security ticket: its requester (above), admins and the security team; not whoever logged
  // it for the requester.
  if (t.restricted) return v.staff ? sees_restricted(tx, v) : false;
  if (v.staff || (t.created_by && *t.created_by == v.user_id)) return true;
  YW_ASSIGN(TicketSettings s, load_settings(tx));
  if (!s.requesters_see_organisation) return false;
  auto row = tx.query_row(
      "SELECT 1 FROM users a JOIN users b ON a.organisation = b.organisation"
      " WHERE a.id = ? AND b.id = ? AND a.organisation <> ''",
      {v.user_id, t.requester_id});
  if (!row.ok()) return std::move(row).error();
  return row->has_value();
}

core::Status visibility_filter(store::Tx& tx, const Viewer& v, std::string& where,
                               store::Params& params) {
  if (v.admin) return {};
  if (v.staff) {
    YW_ASSIGN(bool restricted_ok, sees_restricted(tx, v));
    if (!restricted_ok) {
      where += " AND (t.restricted = 0 OR t.requester_id = ?)";
      params.emplace_back(v.user_id);
    }
    return {};
  }
  YW_ASSIGN(TicketSettings s, load_settings(tx));
  where += " AND (t.requester_id = ? OR (t.restricted = 0 AND t.created_by = ?)";
  params.emplace_back(v.user_id);
  params.emplace_back(v.user_id);
  if (s.requesters_see_organisation) {
    where +=
        " OR (t.restricted = 0 AND t.requester_id IN (SELECT b.id FROM users a JOIN"
        " users b ON b.organisation = a.organisation WHERE a.id = ? AND"
        " a.organisation <> ''))";
    params.emplace_back(v.user_id);
  }
  where += ")";
  return {};
}

core::Result<Ticket> load_visible(store::Tx& tx, const Viewer& v, std::string_view number) {
  YW_ASSIGN(Ticket t, load(tx, number));
  YW_ASSIGN(bool visible, can_see(tx, v, t));
  if (!visible) return core::not_found("ticket " + t.number + " not found");
  return t;
}

core::Status check_active(store::Tx& tx, Record what, std::int64_t id, std::string_view field) {
  const char* noun = what == Record::kTeam ? "team" : "user";
  auto row = tx.query_row(what == Record::kTeam ? "SELECT active FROM teams WHERE id = ?"
                                                : "SELECT active FROM users WHERE id = ?",
                          {id});
  if (!row.ok()) return std::move(row).error();
  std::string n = std::to_string(id);
  if (!*row) return core::invalid(std::string(field), std::string("no ") + noun + " with id " + n);
  if ((*row)->i64(0) == 0)
    return core::invalid(std::string(field), std::string(noun) + " " + n + " is inactive");
  return {};
}

// A ticket's CI must exist; its service must be a business-service CI. `staff` callers learn
// what a wrong id is; requesters (who may not read the CMDB) only that it is no service.
core::Status check_ci(store::Tx& tx, const std::optional<std::int64_t>& id, std::string_view field,
                      bool service, bool staff = true) {
  if (!id) return {};
  auto row = tx.query_row(
      "SELECT t.key FROM cis c JOIN ci_types t ON t.id = c.type_id WHERE c.id = ?", {*id});
  if (!row.ok()) return std::move(row).error();
  std::string n = std::to_string(*id);
  if (!staff && (!*row || (*row)->str(0) != "business_service"))
    return core::invalid(std::string(field), "no business service with id " + n);
  if (!*row) return core::invalid(std::string(field), "no CI with id " + n);
  if (service && (*row)->str(0) != "business_service") {
    return core::invalid(std::string(field),
                         "CI " + n + " is a " + (*row)->str(0) + ", not a business service");
  }
  return {};
}

core::Status reindex(store::Tx& tx, const Ticket& t) {
  std::string head = t.number;
  head += ' ';
  head += t.title;
  auto rows = tx.query(
      "SELECT body FROM ticket_comments WHERE ticket_id = ? AND public = 1 ORDER BY id", {t.id});
  if (!rows.ok()) return std::move(rows).error();
  std::string comments;
  for (const store::Row& r : *rows) {
    if (comments.size() > 100'000) break;
    if (!comments.empty()) comments += '\n';
    comments += r.str(0);
  }
  return store::search::index_document(tx, ticket_index(), t.id, {head, t.description, comments});
}

core::Status ticket_event(store::Tx& tx, const store::Actor& actor, core::TimeMs at,
                          std::string_view action, std::int64_t ticket_id,
                          std::string_view before_json, std::string_view after_json) {
  auto ev =
      store::append_event(tx, actor, at, action, "ticket", ticket_id, before_json, after_json);
  if (!ev.ok()) return std::move(ev).error();
  return {};
}

core::Status notify_user(store::Tx& tx, core::TimeMs now, std::int64_t user_id,
                         std::string_view topic, const Ticket& t, std::string_view extra_json) {
  nlohmann::json payload = {{"ticket", t.number}, {"title", t.title}, {"user_id", user_id}};
  if (!extra_json.empty()) {
    nlohmann::json extra = nlohmann::json::parse(extra_json, nullptr, false);
    if (extra.is_object()) payload.update(extra);
  }
  auto id = store::enqueue_outbox(tx, now, "user", topic, "user:" + std::to_string(user_id),
                                  payload.dump(), std::nullopt);
  if (!id.ok()) return std::move(id).error();
  return {};
}

}  // namespace detail

using namespace detail;

namespace {

using nlohmann::json;

core::Status check_assignment(store::Tx& tx, const std::optional<std::int64_t>& team,
                              const std::optional<std::int64_t>& person) {
  if (team) YW_TRY(check_active(tx, Record::kTeam, *team, "assignee_team_id"));
  if (person) {
    YW_TRY(check_active(tx, Record::kUser, *person, "assignee_id"));
    if (!team) return core::invalid("assignee_team_id", "an assignee needs a team");
    auto member = tx.query_row("SELECT 1 FROM team_members WHERE team_id = ? AND user_id = ?",
                               {*team, *person});
    if (!member.ok()) return std::move(member).error();
    if (!*member) return core::invalid("assignee_id", "is not a member of the assigned team");
  }
  return {};
}

// The category's security flag and parent; kInvalidArgument when missing or inactive.
struct CategoryInfo {
  bool security = false;
  std::optional<std::int64_t> parent_id;
};
core::Result<CategoryInfo> category_info(store::Tx& tx, std::int64_t id) {
  auto row =
      tx.query_row("SELECT active, security, parent_id FROM ticket_categories WHERE id = ?", {id});
  if (!row.ok()) return std::move(row).error();
  if (!*row) return core::invalid("category_id", "no category with id " + std::to_string(id));
  if ((*row)->i64(0) == 0) return core::invalid("category_id", "the category is inactive");
  return CategoryInfo{(*row)->i64(1) != 0, (*row)->opt_i64(2)};
}

// kTicketColumns without the "t." prefixes, for RETURNING.
const std::string& unprefixed_columns() {
  static const std::string kColumns = [] {
    std::string out;
    std::string_view in = kTicketColumns;
    for (size_t i = 0; i < in.size(); ++i) {
      if (in.compare(i, 2, "t.") == 0 && (i == 0 || in[i - 1] == ' ')) {
        ++i;
        continue;
      }
      out += in[i];
    }
    return out;
  }();
  return kColumns;
}

core::Status check_reason_text(const std::optional<std::string>& s, const char* field) {
  if (s) YW_TRY(core::check_text(*s, field, 5000, false));
  return {};
}

// Writes every mutable column of `after` (whose id and version identify the stored row), bumps
// the version, and returns the stored ticket.
core::Result<Ticket> store_ticket(store::Tx& tx, const Ticket& after, core::TimeMs now) {
  auto n = tx.exec(
      "UPDATE tickets SET title = ?, description = ?, status = ?, impact = ?, urgency = ?,"
      " priority = ?, priority_overridden = ?, major = ?, major_cadence_minutes = ?,"
      " major_stakeholder_ids = ?, major_declared_at = ?, last_public_update_at = ?,"
      " category_id = ?, restricted = ?, requester_id = ?, channel = ?, service_id = ?, ci_id = ?,"
      " assignee_team_id = ?, assignee_id = ?, pending_reason = ?, resolution_code = ?,"
      " resolution_notes = ?, cancel_reason = ?, reopen_count = ?, reassignment_count = ?,"
      " escalation_level = ?, first_contact_resolution = ?, first_assigned_at = ?,"
      " resolved_at = ?, closed_at = ?, updated_at = ?, version = version + 1"
      " WHERE id = ? AND version = ?",
      {after.title,
       after.description,
       after.status,
       std::int64_t{after.impact},
       std::int64_t{after.urgency},
       after.priority,
       std::int64_t{after.priority_overridden ? 1 : 0},
       std::int64_t{after.major ? 1 : 0},
       opt_value(after.major_cadence_minutes),
       join_ids(after.major_stakeholder_ids),
       opt_value(after.major_declared_at),
       opt_value(after.last_public_update_at),
       opt_value(after.category_id),
       std::int64_t{after.restricted ? 1 : 0},
       after.requester_id,
       after.channel,
       opt_value(after.service_id),
       opt_value(after.ci_id),
       opt_value(after.assignee_team_id),
       opt_value(after.assignee_id),
       after.pending_reason,
       after.resolution_code,
       after.resolution_notes,
       after.cancel_reason,
       std::int64_t{after.reopen_count},
       std::int64_t{after.reassignment_count},
       std::int64_t{after.escalation_level},
       after.first_contact_resolution
           ? store::Value{std::int64_t{*after.first_contact_resolution ? 1 : 0}}
           : store::Value{nullptr},
       opt_value(after.first_assigned_at),
       opt_value(after.resolved_at),
       opt_value(after.closed_at),
       now,
       after.id,
       after.version});
  if (!n.ok()) return std::move(n).error();
  if (*n != 1) return core::conflict("the ticket was changed concurrently; reload", "version");
  return load(tx, after.number);
}

core::Status check_version(const Ticket& t, std::optional<std::int64_t> expected) {
  if (expected && *expected != t.version) {
    return core::conflict("the ticket was changed by someone else (version " +
                              std::to_string(t.version) + "); reload and retry",
                          "version");
  }
  return {};
}

// Sets a new team (and person) on `t`, counting a reassignment when the team changes, and moves
// a new or reopened incident to "assigned".
void assign(Ticket& t, std::optional<std::int64_t> team, std::optional<std::int64_t> person,
            core::TimeMs now) {
  if (t.assignee_team_id && team && *t.assignee_team_id != *team) ++t.reassignment_count;
  t.assignee_team_id = team;
  t.assignee_id = person;
  if (team && !t.first_assigned_at) t.first_assigned_at = now;
  if (team && t.kind == "incident" && (t.status == "new" || t.status == "reopened")) {
    t.status = "assigned";
  }
}

// Applies a workflow move to `t` (already loaded and visible) inside `tx`.
core::Result<Ticket> apply_transition(store::Tx& tx, const store::Actor& actor, const Viewer& v,
                                      const Ticket& before, const TransitionRequest& req,
                                      core::TimeMs now, const KindHooks* hooks) {
  YW_TRY(check_version(before, req.version));
  const Workflow* wf = TicketService::workflow_for(before.kind);
  if (!wf) return core::internal("no workflow for kind " + before.kind);
  std::set<std::string> own_fields;  // the kind's own fields set on the ticket
  if (hooks && hooks->fields) {
    YW_ASSIGN(own_fields, hooks->fields(tx, before));
  }
  auto given = [&](std::string_view f) {
    auto nonempty = [](const std::optional<std::string>& s) {
      return s && !core::trim(*s).empty();
    };
    if (f == "pending_reason") return nonempty(req.pending_reason);
    if (f == "resolution_code") return nonempty(req.resolution_code);
    if (f == "resolution_notes") return nonempty(req.resolution_notes);
    if (f == "cancel_reason") return nonempty(req.cancel_reason);
    if (f == "reopen_reason") return nonempty(req.reopen_reason);
    if (f == "assignee_team_id")
      return req.assignee_team_id.has_value() || before.assignee_team_id.has_value();
    return own_fields.count(std::string(f)) > 0;
  };
  const Transition* tr = nullptr;
  if (req.system) {
    for (const Transition* t : wf->from(before.status, before.subtype)) {
      if (t->to == req.to) tr = t;
    }
    if (!tr) {
      return core::conflict(
          "a " + before.kind + " cannot go from " + before.status + " to " + req.to, "to");
    }
  } else {
    YW_ASSIGN(tr, wf->check(before.status, req.to, given, before.subtype));
  }
  YW_ASSIGN(TicketSettings settings, load_settings(tx));
  if (!req.system && v.agent && !v.admin && !tr->roles.empty()) {
    bool holds = false;
    for (const std::string& role : tr->roles) {
      if (hooks && hooks->has_role) {
        YW_ASSIGN(holds, hooks->has_role(tx, v, before, role));
      }
      if (holds) break;
    }
    if (!holds) {
      std::string roles;
      for (const std::string& role : tr->roles) roles += (roles.empty() ? "" : " or ") + role;
      return core::Error{core::ErrorCode::kForbidden,
                         "only the " + roles + " may move this " + before.kind + " from " +
                             before.status + " to " + req.to,
                         "to"};
    }
  }
  if (hooks && hooks->before) YW_TRY(hooks->before(tx, v, before, req, now));
  if (!v.agent && !req.system) {
    if (!tr->requester_may || before.requester_id != v.user_id) {
      return core::forbidden("only agents may move this " + before.kind + " to " + req.to);
    }
    bool reopening =
        req.to == "reopened" || (before.status == "fulfilled" && req.to == "in_progress");
    if (reopening && before.resolved_at &&
        now > *before.resolved_at + std::int64_t{settings.auto_close_days} * 86'400'000) {
      return core::Error{core::ErrorCode::kForbidden,
                         "the reopen period of " + std::to_string(settings.auto_close_days) +
                             " days has ended; report a new ticket",
                         "to"};
    }
  }
  Ticket after = before;
  after.status = req.to;
  if (req.assignee_team_id || req.assignee_id) {
    // A person alone is assigned within the ticket's current team.
    std::optional<std::int64_t> team =
        req.assignee_team_id ? req.assignee_team_id : before.assignee_team_id;
    YW_TRY(check_assignment(tx, team, req.assignee_id));
    assign(after, team, req.assignee_id, now);
    after.status = req.to;
  }
  if (after.assignee_team_id && !after.first_assigned_at) after.first_assigned_at = now;
  after.pending_reason = req.to == "pending" ? *req.pending_reason : "";
  if (req.resolution_code) after.resolution_code = *req.resolution_code;
  if (req.resolution_notes) after.resolution_notes = *req.resolution_notes;
  if (req.cancel_reason) after.cancel_reason = *req.cancel_reason;
  bool resolving = req.to == "resolved" || req.to == "fulfilled";
  bool surveyed = before.kind == "incident" || before.kind == "request";
  if (resolving) {
    after.resolved_at = now;
    after.first_contact_resolution = surveyed && settings.service_desk_team_id &&
                                     after.assignee_team_id == settings.service_desk_team_id &&
                                     after.reassignment_count == 0 && after.reopen_count == 0;
  }
  if (req.to == "reopened" || (before.status == "fulfilled" && req.to == "in_progress")) {
    ++after.reopen_count;
    after.resolved_at.reset();
    after.first_contact_resolution.reset();
  }
  if (wf->is_final(req.to)) after.closed_at = now;
  YW_ASSIGN(Ticket stored, store_ticket(tx, after, now));
  json d = json::object();
  if (req.reopen_reason) d["reason"] = *req.reopen_reason;
  YW_TRY(ticket_event(tx, actor, now, "ticket.transition", stored.id, ticket_snapshot(before),
                      ticket_snapshot(stored, d.dump())));
  if (resolving && surveyed) {
    auto answered = tx.query_row("SELECT 1 FROM ticket_surveys WHERE ticket_id = ?", {stored.id});
    if (!answered.ok()) return std::move(answered).error();
    if (!*answered) YW_TRY(notify_user(tx, now, stored.requester_id, "ticket.survey", stored));
  }
  if (hooks && hooks->after) YW_TRY(hooks->after(tx, actor, v, before, stored, req, now));
  return stored;
}

core::Status check_transition_fields(const TransitionRequest& req) {
  if (req.pending_reason && std::find(pending_reasons().begin(), pending_reasons().end(),
                                      *req.pending_reason) == pending_reasons().end()) {
    return core::invalid("pending_reason",
                         "must be awaiting_requester, awaiting_vendor, awaiting_change or "
                         "awaiting_problem");
  }
  if (req.resolution_code && std::find(resolution_codes().begin(), resolution_codes().end(),
                                       *req.resolution_code) == resolution_codes().end()) {
    return core::invalid("resolution_code", "unknown resolution code");
  }
  YW_TRY(check_reason_text(req.resolution_notes, "resolution_notes"));
  YW_TRY(check_reason_text(req.cancel_reason, "cancel_reason"));
  YW_TRY(check_reason_text(req.reopen_reason, "reopen_reason"));
  return {};
}

// Priority, assignment and the other agent fields of a patch, applied to `after`.
core::Status apply_patch(store::Tx& tx, const Ticket& before, Ticket& after, const TicketPatch& p,
                         core::TimeMs now, json& detail) {
  if (p.title) after.title = core::trim(*p.title);
  if (p.description) after.description = *p.description;
  if (p.channel) after.channel = *p.channel;
  if (p.requester_id) {
    YW_TRY(check_active(tx, Record::kUser, *p.requester_id, "requester_id"));
    after.requester_id = *p.requester_id;
  }
  if (p.category_id) {
    after.category_id = *p.category_id;
    after.restricted = false;
    if (*p.category_id) {
      YW_ASSIGN(CategoryInfo c, category_info(tx, **p.category_id));
      after.restricted = c.security;
    }
  }
  if (p.service_id) {
    YW_TRY(check_ci(tx, *p.service_id, "service_id", true));
    after.service_id = *p.service_id;
  }
  if (p.ci_id) {
    if (after.kind == "problem" || after.kind == "change") {
      return core::invalid(
          "ci_id", "a " + after.kind + " names its CIs in ci_ids (PATCH /" + after.kind + ")");
    }
    YW_TRY(check_ci(tx, *p.ci_id, "ci_id", false));
    after.ci_id = *p.ci_id;
  }
  if (p.impact) after.impact = *p.impact;
  if (p.urgency) after.urgency = *p.urgency;
  YW_ASSIGN(PriorityMatrix matrix, load_matrix(tx));
  YW_ASSIGN(std::string derived, matrix.priority(after.impact, after.urgency));
  if (p.priority) {
    if (priority_rank(*p.priority) == 0) return core::invalid("priority", "must be P1 to P5");
    if (*p.priority != derived) {
      if (!p.priority_reason || core::trim(*p.priority_reason).empty()) {
        return core::invalid(
            "priority_reason",
            "is required to override the priority the matrix gives (" + derived + ")");
      }
      detail["priority_reason"] = core::trim(*p.priority_reason);
      after.priority_overridden = true;
    } else {
      after.priority_overridden = false;
    }
    after.priority = *p.priority;
  } else if (p.impact || p.urgency) {
    after.priority = derived;
    after.priority_overridden = false;
  }
  if (p.assignee_team_id || p.assignee_id) {
    std::optional<std::int64_t> team =
        p.assignee_team_id ? *p.assignee_team_id : before.assignee_team_id;
    std::optional<std::int64_t> person = p.assignee_id ? *p.assignee_id : before.assignee_id;
    if (p.assignee_team_id && !p.assignee_id && team != before.assignee_team_id) person.reset();
    if (!team) person.reset();
    YW_TRY(check_assignment(tx, team, person));
    if (!team && before.assignee_team_id && after.kind == "incident" &&
        after.status == "assigned") {
      return core::invalid("assignee_team_id", "an assigned incident needs a team");
    }
    if (!TicketService::workflow_for(after.kind)->is_final(after.status)) {
      assign(after, team, person, now);
    } else {
      return core::conflict("a " + after.status + " ticket cannot be reassigned", "status");
    }
  }
  if (p.major_stakeholder_ids) {
    if (p.major_stakeholder_ids->size() > 50)
      return core::invalid("major_stakeholder_ids", "at most 50 stakeholders");
    for (size_t i = 0; i < p.major_stakeholder_ids->size(); ++i) {
      auto row = tx.query_row("SELECT 1 FROM users WHERE id = ?", {(*p.major_stakeholder_ids)[i]});
      if (!row.ok()) return std::move(row).error();
      if (!*row)
        return core::invalid("major_stakeholder_ids[" + std::to_string(i) + "]", "no such user");
    }
    after.major_stakeholder_ids = *p.major_stakeholder_ids;
  }
  if (p.major_cadence_minutes) {
    if (*p.major_cadence_minutes < 5 || *p.major_cadence_minutes > 1440)
      return core::invalid("major_cadence_minutes", "must be between 5 and 1440");
    after.major_cadence_minutes = *p.major_cadence_minutes;
  }
  if (p.major) {
    if (*p.major && after.kind != "incident")
      return core::invalid("major", "only incidents can be major incidents");
    if (*p.major && !before.major) {
      if (!after.major_cadence_minutes)
        return core::invalid("major_cadence_minutes",
                             "a major incident needs a communication cadence");
      if (after.major_stakeholder_ids.empty())
        return core::invalid("major_stakeholder_ids", "a major incident needs stakeholders");
      after.major_declared_at = now;
    }
    after.major = *p.major;
  }
  return {};
}

core::Status notify_major(store::Tx& tx, core::TimeMs now, const Ticket& t) {
  for (std::int64_t id : t.major_stakeholder_ids) {
    YW_TRY(notify_user(tx, now, id, "ticket.major_declared", t));
  }
  return {};
}

}  // namespace

const store::search::IndexSpec& ticket_index() {
  static const store::search::IndexSpec kIndex{"tickets_fts", {"head", "body", "comments"}};
  return kIndex;
}

const std::vector<std::string>& resolution_codes() {
  static const std::vector<std::string> kCodes = {
      "fixed", "workaround", "no_fault_found", "duplicate", "user_error", "third_party", "other"};
  return kCodes;
}

const Workflow* TicketService::workflow_for(std::string_view kind) {
  if (kind == "incident") return &incident_workflow();
  if (kind == "request") return &request_workflow();
  if (kind == "problem") return &problem_workflow();
  if (kind == "change") return &change_workflow();
  return nullptr;
}

core::Status TicketService::visibility_sql(store::Tx& tx, const Viewer& v, std::string& where,
                                           store::Params& params) {
  return visibility_filter(tx, v, where, params);
}

core::Result<Ticket> TicketService::create(const store::Actor& actor, const Viewer& v,
                                           const NewTicket& in) {
  if (in.kind != "incident" && in.kind != "request") {
    return core::invalid("kind", "must be incident, request, problem or change");
  }
  return store::write_tx<Ticket>(
      db_, [&](store::Tx& tx) -> core::Result<Ticket> { return create_in(tx, actor, v, in); });
}

core::Result<Ticket> TicketService::create_in(store::Tx& tx, const store::Actor& actor,
                                              const Viewer& v, const NewTicket& in,
                                              std::string_view subtype) {
  const Workflow* wf = workflow_for(in.kind);
  if (!wf) return core::invalid("kind", "must be incident, request, problem or change");
  if (wf->subtypes.empty() != subtype.empty() ||
      (!subtype.empty() &&
       std::find(wf->subtypes.begin(), wf->subtypes.end(), subtype) == wf->subtypes.end())) {
    return core::internal("bad type '" + std::string(subtype) + "' for a " + in.kind);
  }
  YW_TRY(core::check_text(in.title, "title", 200, true, core::Controls::kNone));
  YW_TRY(core::check_text(in.description, "description", 20000, false));
  if (!is_channel(in.channel)) {
    return core::invalid("channel", "must be one of web, email, phone, api, monitoring");
  }
  if (in.impact < 1 || in.impact > 5) return core::invalid("impact", "must be between 1 and 5");
  if (in.urgency < 1 || in.urgency > 5) return core::invalid("urgency", "must be between 1 and 5");
  if (!v.agent) {
    if (in.requester_id && *in.requester_id != v.user_id)
      return core::forbidden("requesters report tickets for themselves only");
    if (in.assignee_team_id || in.assignee_id) return core::forbidden("only agents assign tickets");
    if (in.channel != "web" && in.channel != "api")
      return core::invalid("channel", "requesters report through web or api");
    if (in.ci_id) return core::invalid("ci_id", "only agents link a ticket to a CI");
  }
  std::optional<std::int64_t> requester = in.requester_id ? in.requester_id : actor.user_id;
  if (!requester) return core::invalid("requester_id", "is required");
  {
    YW_ASSIGN(PriorityMatrix matrix, load_matrix(tx));
    YW_ASSIGN(std::string priority, matrix.priority(in.impact, in.urgency));
    YW_TRY(check_active(tx, Record::kUser, *requester, "requester_id"));
    CategoryInfo category;
    if (in.category_id) {
      YW_ASSIGN(category, category_info(tx, *in.category_id));
    }
    YW_TRY(check_assignment(tx, in.assignee_team_id, in.assignee_id));
    YW_TRY(check_ci(tx, in.service_id, "service_id", true, v.staff));
    YW_TRY(check_ci(tx, in.ci_id, "ci_id", false));
    core::TimeMs now = clock_.now_ms();
    // Dispatch: the team given, else the first matching rule, else the service desk; then the
    // team's strategy picks a member unless one was given.
    json dispatch = json::object();
    std::optional<std::int64_t> team = in.assignee_team_id;
    std::optional<std::int64_t> person = in.assignee_id;
    bool triage = false;  // left to the service desk: stays "new" until someone triages it
    if (!team) {
      DispatchSubject s{in.kind,  in.category_id, category.parent_id, in.service_id, in.ci_id,
                        priority, in.channel,     in.title,           in.description};
      YW_ASSIGN(std::optional<RuleMatch> rule, match_rules(tx, s));
      if (rule) {
        team = rule->team_id;
        dispatch["rule_id"] = rule->rule_id;
        dispatch["rule"] = rule->rule_name;
      } else {
        // No rule: the service desk takes it, except a security ticket, which only the
        // security team may see.
        YW_ASSIGN(TicketSettings settings, load_settings(tx));
        if (category.security && settings.security_team_id) {
          team = settings.security_team_id;
          dispatch["rule"] = "security_team";
        } else {
          team = settings.service_desk_team_id;
          if (team) dispatch["rule"] = "service_desk";
          triage = true;
        }
      }
    }
    if (team && !person) {
      YW_ASSIGN(person, pick_member(tx, *team, now));
      if (person) dispatch["picked_user_id"] = *person;
    }
    // The number: a sequence per kind on PostgreSQL (no lock held to the commit), the counter
    // row on SQLite (one writer anyway; no gaps).
    bool pg = tx.backend() == store::Backend::kPostgres;
    auto counter = tx.query_row(
        pg ? "SELECT nextval(?::regclass)"
           : "INSERT INTO ticket_counters (kind, last_number) VALUES (?, 1) ON CONFLICT (kind)"
             " DO UPDATE SET last_number = ticket_counters.last_number + 1 RETURNING last_number",
        {pg ? "ticket_number_" + in.kind : in.kind});
    if (!counter.ok()) return std::move(counter).error();
    std::string number = format_number(in.kind, (*counter)->i64(0));
    std::string status = team && !triage && wf->has_state("assigned") ? "assigned" : wf->initial;
    store::Value first_assigned = team ? store::Value{now} : store::Value{nullptr};
    auto ins = tx.query_row(
        "INSERT INTO tickets (number, kind, title, description, status, impact, urgency, priority,"
        " category_id, restricted, requester_id, channel, service_id, ci_id, assignee_team_id,"
        " assignee_id, created_by, created_at, updated_at, first_assigned_at, version, subtype)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 1, ?) RETURNING " +
            unprefixed_columns(),
        {number,
         in.kind,
         core::trim(in.title),
         in.description,
         status,
         std::int64_t{in.impact},
         std::int64_t{in.urgency},
         priority,
         opt_value(in.category_id),
         std::int64_t{category.security ? 1 : 0},
         *requester,
         in.channel,
         opt_value(in.service_id),
         opt_value(in.ci_id),
         opt_value(team),
         opt_value(person),
         opt_value(actor.user_id),
         now,
         now,
         first_assigned,
         std::string(subtype)});
    if (!ins.ok()) return std::move(ins).error();
    Ticket t = ticket_from_row(**ins);
    std::string head = t.number;
    head += ' ';
    head += t.title;
    YW_TRY(store::search::index_document(tx, ticket_index(), t.id, {head, t.description, ""}));
    json detail = json::object();
    if (!dispatch.empty()) detail["dispatch"] = dispatch;
    YW_TRY(
        ticket_event(tx, actor, now, "ticket.create", t.id, "", ticket_snapshot(t, detail.dump())));
    if (t.assignee_id) YW_TRY(notify_user(tx, now, *t.assignee_id, "ticket.assigned", t));
    return t;
  }
}

core::Result<TicketDetail> TicketService::get(const Viewer& v, std::string_view number,
                                              const AlsoRead& also) {
  std::optional<std::string> n = normalize_number(number);
  if (!n) return core::not_found("ticket " + std::string(number) + " not found");
  return store::read_tx<TicketDetail>(db_, [&](store::Tx& tx) -> core::Result<TicketDetail> {
    // One query: the ticket, the names it refers to and its survey answer.
    auto row = tx.query_row(
        std::string("SELECT ") + kTicketColumns +
            ", ru.display_name, au.display_name, tm.name, tm.name_zh, c.name, c.name_zh,"
            " s.rating, s.comment, s.requester_id, s.created_at, ci.name, cit.key, sv.name"
            " FROM tickets t"
            " LEFT JOIN users ru ON ru.id = t.requester_id"
            " LEFT JOIN users au ON au.id = t.assignee_id"
            " LEFT JOIN teams tm ON tm.id = t.assignee_team_id"
            " LEFT JOIN ticket_categories c ON c.id = t.category_id"
            " LEFT JOIN ticket_surveys s ON s.ticket_id = t.id"
            " LEFT JOIN cis ci ON ci.id = t.ci_id LEFT JOIN ci_types cit ON cit.id = ci.type_id"
            " LEFT JOIN cis sv ON sv.id = t.service_id WHERE t.number = ?",
        {*n});
    if (!row.ok()) return std::move(row).error();
    if (!*row) return core::not_found("ticket " + *n + " not found");
    const store::Row& r = **row;
    TicketDetail d;
    d.ticket = ticket_from_row(r);
    YW_ASSIGN(bool visible, can_see(tx, v, d.ticket));
    if (!visible) return core::not_found("ticket " + *n + " not found");
    constexpr int k = kTicketColumnCount;  // the first column after kTicketColumns
    auto text = [&](int i) { return r.is_null(i) ? std::string() : r.str(i); };
    d.requester_name = text(k);
    d.assignee_name = text(k + 1);
    d.team_name = text(k + 2);
    d.team_name_zh = text(k + 3);
    d.category_name = text(k + 4);
    d.category_name_zh = text(k + 5);
    if (!r.is_null(k + 6)) {
      d.survey = Survey{static_cast<int>(r.i64(k + 6)), r.str(k + 7), r.i64(k + 8), r.i64(k + 9)};
    }
    d.ticket.ci_name = text(k + 10);
    d.ticket.ci_type = text(k + 11);
    d.ticket.service_name = text(k + 12);
    if (d.ticket.resolved_at && (d.ticket.status == "resolved" || d.ticket.status == "fulfilled")) {
      YW_ASSIGN(TicketSettings s, load_settings(tx));
      d.reopen_until = *d.ticket.resolved_at + std::int64_t{s.auto_close_days} * 86'400'000;
    }
    if (also) YW_TRY(also(tx, {d.ticket.id}));
    return d;
  });
}

core::Result<store::Page<Ticket>> TicketService::list(const Viewer& v, const TicketQuery& q,
                                                      const AlsoRead& also) {
  static const std::vector<store::SortSpec> kSorts = {
      {"-id", "t.id", true, false},
      {"id", "t.id", false, false},
      {"-created_at", "t.created_at", true, false},
      {"created_at", "t.created_at", false, false},
      {"-updated_at", "t.updated_at", true, false},
      {"updated_at", "t.updated_at", false, false},
      {"priority", "t.priority", false, true},
      {"-priority", "t.priority", true, true},
      // Tickets without a due date last either way: NULL sorts as the far end.
      {"sla_due", "COALESCE(s.due_at, 9223372036854775807)", false, false},
      {"-sla_due", "COALESCE(s.due_at, -1)", true, false},
  };
  YW_ASSIGN(store::SortSpec sort, store::parse_sort(q.sort, kSorts));
  bool sla_sort = sort.name == "sla_due" || sort.name == "-sla_due";
  if (!q.sla.empty() && q.sla != "at_risk" && q.sla != "breached" && q.sla != "attention")
    return core::invalid("sla", "must be at_risk, breached or attention");
  if (!q.sla_metric.empty() && q.sla_metric != "response" && q.sla_metric != "resolution")
    return core::invalid("sla_metric", "must be response or resolution");
  if (!q.sla_outcome.empty() && q.sla_outcome != "met" && q.sla_outcome != "breached")
    return core::invalid("sla_outcome", "must be met or breached");
  if (!q.sla_outcome.empty() && q.sla_metric.empty())
    return core::invalid("sla_outcome", "needs sla_metric (response or resolution)");
  if (q.sla_from && q.sla_metric.empty())
    return core::invalid("sla_from", "needs sla_metric (response or resolution)");
  if (q.sla_to && q.sla_metric.empty())
    return core::invalid("sla_to", "needs sla_metric (response or resolution)");
  if (q.sla_from && q.sla_to && *q.sla_from >= *q.sla_to)
    return core::invalid("sla_to", "must be after sla_from");
  bool sla_filter = !q.sla.empty() || !q.sla_metric.empty();
  auto check_in = [](const std::vector<std::string>& values, const char* field,
                     auto valid) -> core::Status {
    if (values.size() > 20) return core::invalid(field, "at most 20 values");
    for (const std::string& s : values) {
      if (!valid(s)) return core::invalid(field, "unknown value '" + s + "'");
    }
    return {};
  };
  YW_TRY(
      check_in(q.kinds, "kind", [](const std::string& s) { return workflow_for(s) != nullptr; }));
  YW_TRY(check_in(q.statuses, "status", [](const std::string& s) {
    return incident_workflow().has_state(s) || request_workflow().has_state(s) ||
           problem_workflow().has_state(s) || change_workflow().has_state(s);
  }));
  YW_TRY(check_in(q.subtypes, "subtype", [](const std::string& s) {
    const auto& types = change_workflow().subtypes;
    return std::find(types.begin(), types.end(), s) != types.end();
  }));
  YW_TRY(check_in(q.priorities, "priority",
                  [](const std::string& s) { return priority_rank(s) != 0; }));
  YW_TRY(check_in(q.channels, "channel", [](const std::string& s) { return is_channel(s); }));
  store::search::Query text = store::search::parse_query(q.q);
  if (!core::trim(q.q).empty() && text.empty()) return store::Page<Ticket>{};
  if (!text.empty()) YW_TRY(db_.sync_search());  // see every committed write
  return store::read_tx<store::Page<Ticket>>(
      db_, [&](store::Tx& tx) -> core::Result<store::Page<Ticket>> {
        // Names as scalar subqueries: evaluated for the page's rows only, and they leave the
        // planner's choice of index (or full-text order) alone.
        std::string sql = std::string("SELECT ") + kTicketColumns +
                          ", (SELECT display_name FROM users WHERE id = t.requester_id),"
                          " (SELECT display_name FROM users WHERE id = t.assignee_id),"
                          " (SELECT name FROM teams WHERE id = t.assignee_team_id),"
                          " (SELECT name_zh FROM teams WHERE id = t.assignee_team_id),"
                          " (SELECT name FROM cis WHERE id = t.ci_id),"
                          " (SELECT tp.key FROM cis c JOIN ci_types tp ON tp.id = c.type_id"
                          " WHERE c.id = t.ci_id),"
                          " (SELECT name FROM cis WHERE id = t.service_id)";
        if (sla_sort) sql += std::string(", ") + sort.column;
        sql += " FROM tickets t";
        // ticket_sla has at most one row per ticket: a join never repeats a ticket. Filters
        // need the row; the sort keeps tickets without one (they sort last).
        if (sla_filter) {
          sql += " JOIN ticket_sla s ON s.ticket_id = t.id";
        } else if (sla_sort) {
          sql += " LEFT JOIN ticket_sla s ON s.ticket_id = t.id";
        }
        store::Params params;
        std::string where = " WHERE 1 = 1";
        std::string id_column = "t.id";
        if (!text.empty()) {
          store::search::Match m = store::search::match(tx.backend(), ticket_index(), text, "t.id");
          sql += m.join_sql;
          where += " AND " + m.where_sql;
          params.insert(params.end(), m.where_params.begin(), m.where_params.end());
          // Newest first walks the index backwards and stops after a page.
          if (sort.name == "id" || sort.name == "-id") {
            sort.column = m.doc_id_sql;
            id_column = m.doc_id_sql;
          }
        }
        YW_TRY(visibility_filter(tx, v, where, params));
        auto in_list = [&](const char* column, const std::vector<std::string>& values) {
          if (values.empty()) return;
          where += " AND ";
          where += column;
          where += " IN (";
          for (size_t i = 0; i < values.size(); ++i) {
            where += i ? ", ?" : "?";
            params.emplace_back(values[i]);
          }
          where += ")";
        };
        in_list("t.kind", q.kinds);
        in_list("t.subtype", q.subtypes);
        in_list("t.status", q.statuses);
        if (!q.extra_where.empty()) {
          where += " AND (" + q.extra_where + ")";
          for (const store::Value& x : q.extra_params) params.push_back(x);
        }
        in_list("t.priority", q.priorities);
        in_list("t.channel", q.channels);
        auto eq = [&](const char* column, const std::optional<std::int64_t>& value) {
          if (!value) return;
          where += " AND ";
          where += column;
          where += " = ?";
          params.emplace_back(*value);
        };
        if (q.team_none) {
          where += " AND t.assignee_team_id IS NULL";
        } else {
          eq("t.assignee_team_id", q.team_id);
        }
        if (q.assignee_none) {
          where += " AND t.assignee_id IS NULL";
        } else {
          eq("t.assignee_id", q.assignee_id);
        }
        eq("t.requester_id", q.requester_id);
        if (q.service_none) {
          where += " AND t.service_id IS NULL";
        } else {
          eq("t.service_id", q.service_id);
        }
        eq("t.ci_id", q.ci_id);
        if (q.affects_service) {
          where +=
              " AND (" + tx.in_ids_sql("t.service_id") + " OR " + tx.in_ids_sql("t.ci_id") + ")";
          params.push_back(tx.in_ids_value(q.affects_cis));
          params.push_back(tx.in_ids_value(q.affects_cis));
        }
        if (q.category_none) {
          where += " AND t.category_id IS NULL";
        } else if (q.category_id) {
          where +=
              " AND (t.category_id = ? OR t.category_id IN (SELECT id FROM ticket_categories"
              " WHERE parent_id = ?))";
          params.emplace_back(*q.category_id);
          params.emplace_back(*q.category_id);
        }
        if (q.major) {
          where += " AND t.major = ?";
          params.emplace_back(std::int64_t{*q.major ? 1 : 0});
        }
        if (q.open) {
          where += *q.open ? " AND t.status NOT IN ('resolved', 'fulfilled', 'closed', 'cancelled')"
                           : " AND t.status IN ('resolved', 'fulfilled', 'closed', 'cancelled')";
        }
        auto range = [&](const char* column, const std::optional<core::TimeMs>& from,
                         const std::optional<core::TimeMs>& to) {
          if (from) {
            where += " AND ";
            where += column;
            where += " >= ?";
            params.emplace_back(*from);
          }
          if (to) {
            where += " AND ";
            where += column;
            where += " < ?";
            params.emplace_back(*to);
          }
        };
        range("t.created_at", q.created_from, q.created_to);
        range("t.updated_at", q.updated_from, q.updated_to);
        if (!q.sla.empty()) {
          where += q.sla == "attention" ? " AND s.open = 1 AND s.flag IN ('at_risk', 'breached')"
                                        : " AND s.open = 1 AND s.flag = ?";
          if (q.sla != "attention") params.emplace_back(q.sla);
        }
        if (!q.sla_metric.empty()) {
          // Column names from the whitelist checked above; the values are bound.
          const std::string m = std::string("s.") + q.sla_metric;
          std::string met = std::string("(") + m + "_state = 'met'";
          std::string breached = std::string("(") + m + "_state = 'breached'";
          store::Params met_params, breached_params;
          auto bounds = [&](std::string& cond, store::Params& ps, const std::string& column) {
            if (q.sla_from) {
              cond += std::string(" AND ") + column + " >= ?";
              ps.emplace_back(*q.sla_from);
            }
            if (q.sla_to) {
              cond += std::string(" AND ") + column + " < ?";
              ps.emplace_back(*q.sla_to);
            }
            cond += ")";
          };
          bounds(met, met_params, m + "_stopped_at");
          bounds(breached, breached_params, m + "_breached_at");
          if (q.sla_outcome == "met") {
            where += std::string(" AND ") + met;
            params.insert(params.end(), met_params.begin(), met_params.end());
          } else if (q.sla_outcome == "breached") {
            where += std::string(" AND ") + breached;
            params.insert(params.end(), breached_params.begin(), breached_params.end());
          } else {
            where += std::string(" AND (") + met + " OR " + breached + ")";
            params.insert(params.end(), met_params.begin(), met_params.end());
            params.insert(params.end(), breached_params.begin(), breached_params.end());
          }
        }
        YW_ASSIGN(store::Keyset keyset, store::make_keyset(sort, q.cursor, id_column));
        sql += where;
        store::append_page_clause(sql, params, keyset, q.limit);
        auto rows = tx.query(sql, params);
        if (!rows.ok()) return std::move(rows).error();
        store::Page<Ticket> page;
        std::vector<std::int64_t> sla_keys;  // the sort value of each row (sla_due sorts)
        for (const store::Row& r : *rows) {
          Ticket t = ticket_from_row(r);
          auto name_at = [&](int i) { return r.is_null(i) ? std::string() : r.str(i); };
          t.requester_name = name_at(kTicketColumnCount);
          t.assignee_name = name_at(kTicketColumnCount + 1);
          t.team_name = name_at(kTicketColumnCount + 2);
          t.team_name_zh = name_at(kTicketColumnCount + 3);
          t.ci_name = name_at(kTicketColumnCount + 4);
          t.ci_type = name_at(kTicketColumnCount + 5);
          t.service_name = name_at(kTicketColumnCount + 6);
          if (sla_sort) sla_keys.push_back(r.i64(kTicketColumnCount + 7));
          page.items.push_back(std::move(t));
        }
        store::finish_page(page, q.limit, sort, [&](const Ticket& t) -> store::Value {
          if (sort.column == "t.created_at") return t.created_at;
          if (sort.column == "t.updated_at") return t.updated_at;
          if (sort.column == "t.priority") return t.priority;
          if (sla_sort) return sla_keys[static_cast<size_t>(&t - page.items.data())];
          return t.id;
        });
        if (also) {
          std::vector<std::int64_t> ids;
          ids.reserve(page.items.size());
          for (const Ticket& t : page.items) ids.push_back(t.id);
          YW_TRY(also(tx, ids));
        }
        return page;
      });
}

core::Result<Ticket> TicketService::update(const store::Actor& actor, const Viewer& v,
                                           std::string_view number, const TicketPatch& p) {
  if (!v.agent) return core::forbidden("only agents update tickets");
  if (p.title) YW_TRY(core::check_text(*p.title, "title", 200, true, core::Controls::kNone));
  if (p.description) YW_TRY(core::check_text(*p.description, "description", 20000, false));
  if (p.channel && !is_channel(*p.channel))
    return core::invalid("channel", "must be one of web, email, phone, api, monitoring");
  if (p.impact && (*p.impact < 1 || *p.impact > 5))
    return core::invalid("impact", "must be between 1 and 5");
  if (p.urgency && (*p.urgency < 1 || *p.urgency > 5))
    return core::invalid("urgency", "must be between 1 and 5");
  YW_TRY(check_reason_text(p.priority_reason, "priority_reason"));
  YW_TRY(check_reason_text(p.note, "note"));
  return store::write_tx<Ticket>(db_, [&](store::Tx& tx) -> core::Result<Ticket> {
    YW_ASSIGN(Ticket before, load_visible(tx, v, number));
    YW_TRY(check_version(before, p.version));
    core::TimeMs now = clock_.now_ms();
    Ticket after = before;
    json detail = json::object();
    YW_TRY(apply_patch(tx, before, after, p, now, detail));
    if (p.note && !core::trim(*p.note).empty()) detail["note"] = core::trim(*p.note);
    YW_ASSIGN(Ticket stored, store_ticket(tx, after, now));
    if (stored.title != before.title || stored.description != before.description)
      YW_TRY(reindex(tx, stored));
    YW_TRY(ticket_event(tx, actor, now, "ticket.update", stored.id, ticket_snapshot(before),
                        ticket_snapshot(stored, detail.dump())));
    if (stored.major && !before.major) YW_TRY(notify_major(tx, now, stored));
    if (stored.assignee_id && stored.assignee_id != before.assignee_id)
      YW_TRY(notify_user(tx, now, *stored.assignee_id, "ticket.assigned", stored));
    if (const KindHooks* h = kind_hooks(stored.kind); h && h->updated) {
      YW_TRY(h->updated(tx, actor, before, stored, now));
    }
    return stored;
  });
}

core::Result<Ticket> TicketService::transition(const store::Actor& actor, const Viewer& v,
                                               std::string_view number,
                                               const TransitionRequest& req) {
  YW_TRY(check_transition_fields(req));
  return store::write_tx<Ticket>(db_, [&](store::Tx& tx) -> core::Result<Ticket> {
    YW_ASSIGN(Ticket before, load_visible(tx, v, number));
    return apply_transition(tx, actor, v, before, req, clock_.now_ms(), kind_hooks(before.kind));
  });
}

const KindHooks* TicketService::kind_hooks(std::string_view kind) const {
  auto it = hooks_.find(kind);
  return it == hooks_.end() ? nullptr : &it->second;
}

core::Result<Ticket> TicketService::transition_in(store::Tx& tx, const store::Actor& actor,
                                                  const Viewer& v, const Ticket& before,
                                                  const TransitionRequest& req) {
  YW_TRY(check_transition_fields(req));
  return apply_transition(tx, actor, v, before, req, clock_.now_ms(), kind_hooks(before.kind));
}

core::Result<Ticket> TicketService::load_in(store::Tx& tx, const Viewer& v,
                                            std::string_view number) {
  return load_visible(tx, v, number);
}

core::Result<std::vector<BulkResult>> TicketService::bulk(const store::Actor& actor,
                                                          const Viewer& v,
                                                          const std::vector<std::string>& numbers,
                                                          const BulkChange& change) {
  if (!v.agent) return core::forbidden("only agents update tickets in bulk");
  if (numbers.empty()) return core::invalid("numbers", "is required");
  if (numbers.size() > 500) return core::invalid("numbers", "at most 500 tickets per call");
  if (!change.transition && !change.assignee_team_id && !change.assignee_id && !change.priority)
    return core::invalid("set", "names nothing to change");
  if (change.transition) YW_TRY(check_transition_fields(*change.transition));
  YW_TRY(check_reason_text(change.priority_reason, "priority_reason"));
  std::vector<BulkResult> out;
  for (const std::string& number : numbers) {
    BulkResult r;
    r.number = number;
    auto t = store::write_tx<Ticket>(db_, [&](store::Tx& tx) -> core::Result<Ticket> {
      YW_ASSIGN(Ticket before, load_visible(tx, v, number));
      r.number = before.number;
      core::TimeMs now = clock_.now_ms();
      Ticket current = before;
      if (change.assignee_team_id || change.assignee_id || change.priority) {
        TicketPatch p;
        p.version = before.version;
        p.assignee_team_id = change.assignee_team_id;
        p.assignee_id = change.assignee_id;
        p.priority = change.priority;
        p.priority_reason = change.priority_reason;
        Ticket after = before;
        json detail = {{"bulk", true}};
        YW_TRY(apply_patch(tx, before, after, p, now, detail));
        YW_ASSIGN(current, store_ticket(tx, after, now));
        YW_TRY(ticket_event(tx, actor, now, "ticket.update", current.id, ticket_snapshot(before),
                            ticket_snapshot(current, detail.dump())));
      }
      if (change.transition && change.transition->to != current.status) {
        YW_ASSIGN(current, apply_transition(tx, actor, v, current, *change.transition, now,
                                            kind_hooks(current.kind)));
      }
      return current;
    });
    if (t.ok()) {
      r.ticket = std::move(t).value();
    } else {
      r.error = t.error();
    }
    out.push_back(std::move(r));
  }
  return out;
}

// How many of the newest matches GET /api/v1/search ranks: ranking every match of a word found
// in a sixth of 1,000,000 tickets would cost ~100 ms; the newest 1,000 cost ~1 ms.
constexpr std::int64_t kSearchCandidates = 1000;

core::Result<std::vector<SearchResult>> TicketService::search(const Viewer& v, std::string_view q,
                                                              int limit) {
  store::search::Query text = store::search::parse_query(q);
  std::vector<SearchResult> out;
  if (text.empty()) return out;
  YW_TRY(db_.sync_search());  // see every committed write
  return store::read_tx<std::vector<SearchResult>>(
      db_, [&](store::Tx& tx) -> core::Result<std::vector<SearchResult>> {
        store::search::Match m = store::search::match(tx.backend(), ticket_index(), text, "t.id");
        std::string where = m.where_sql;
        store::Params filter = m.where_params;
        YW_TRY(visibility_filter(tx, v, where, filter));
        // Rank the newest 1,000 visible matches; then read the winners' rows and text.
        std::string sql = "SELECT c.id, c.score FROM (SELECT t.id, " + m.score_sql +
                          " AS score FROM tickets t" + m.join_sql + " WHERE " + where +
                          " ORDER BY " + m.doc_id_sql + " DESC LIMIT ?) c" +
                          " ORDER BY c.score DESC, c.id DESC LIMIT ?";
        store::Params params = m.score_params;
        params.insert(params.end(), filter.begin(), filter.end());
        params.emplace_back(std::int64_t{kSearchCandidates});
        params.emplace_back(std::int64_t{std::clamp(limit, 1, 100)});
        auto rows = tx.query(sql, params);
        if (!rows.ok()) return std::move(rows).error();
        std::vector<SearchResult> hits;
        if (rows->empty()) return hits;
        std::string in;
        store::Params ids;
        for (const store::Row& r : *rows) {
          in += in.empty() ? "?" : ", ?";
          ids.emplace_back(r.i64(0));
        }
        auto tickets = tx.query(
            std::string("SELECT ") + kTicketColumns + " FROM tickets t WHERE t.id IN (" + in + ")",
            ids);
        if (!tickets.ok()) return std::move(tickets).error();
        std::map<std::int64_t, Ticket> by_id;
        for (const store::Row& r : *tickets) {
          Ticket t = ticket_from_row(r);
          by_id.emplace(t.id, std::move(t));
        }
        const std::string& table = ticket_index().table;
        auto texts = tx.query("SELECT " + m.doc_id_sql + ", head, body, comments FROM " + table +
                                  " WHERE " + m.doc_id_sql + " IN (" + in + ")",
                              ids);
        if (!texts.ok()) return std::move(texts).error();
        std::map<std::int64_t, std::string> snippets;
        for (const store::Row& r : *texts) {
          std::string head = r.str(1), body = r.str(2), comments = r.str(3);
          snippets[r.i64(0)] = store::search::best_snippet(text, {head, body, comments});
        }
        for (const store::Row& r : *rows) {
          auto t = by_id.find(r.i64(0));
          if (t == by_id.end()) continue;
          SearchResult h;
          h.ticket = std::move(t->second);
          h.score = r.f64(1);
          h.snippet = snippets[r.i64(0)];
          hits.push_back(std::move(h));
        }
        return hits;
      });
}

core::Result<Ticket> TicketService::escalate(const store::Actor& actor, const Viewer& v,
                                             std::string_view number,
                                             const EscalationRequest& req) {
  if (!v.agent) return core::forbidden("only agents escalate tickets");
  if (req.type != "functional" && req.type != "hierarchical")
    return core::invalid("type", "must be functional or hierarchical");
  YW_TRY(core::check_text(req.note, "note", 5000, true));
  if (req.type == "functional" && !req.team_id)
    return core::invalid("team_id", "a functional escalation names the team to hand over to");
  return store::write_tx<Ticket>(db_, [&](store::Tx& tx) -> core::Result<Ticket> {
    YW_ASSIGN(Ticket before, load_visible(tx, v, number));
    if (!is_open_status(before.status))
      return core::conflict("a " + before.status + " ticket cannot be escalated", "status");
    core::TimeMs now = clock_.now_ms();
    Ticket after = before;
    json detail = {{"escalation", req.type}, {"note", core::trim(req.note)}};
    std::vector<std::int64_t> notified;
    if (req.type == "functional") {
      YW_TRY(check_assignment(tx, req.team_id, req.assignee_id));
      std::optional<std::int64_t> person = req.assignee_id;
      if (!person) {
        YW_ASSIGN(person, pick_member(tx, *req.team_id, now));
      }
      assign(after, req.team_id, person, now);
      if (after.kind == "incident" && before.status == "in_progress") after.status = "assigned";
      if (after.assignee_team_id == before.assignee_team_id &&
          after.assignee_id == before.assignee_id)
        return core::invalid("team_id", "the ticket is already there");
      if (person) notified.push_back(*person);
    } else {
      ++after.escalation_level;
      YW_ASSIGN(TicketSettings s, load_settings(tx));
      // The assignee team's lead, and the Operations Management team (lead and members).
      std::string sql =
          "SELECT lead_id FROM teams WHERE id = ? AND lead_id IS NOT NULL UNION"
          " SELECT lead_id FROM teams WHERE id = ? AND lead_id IS NOT NULL UNION"
          " SELECT m.user_id FROM team_members m JOIN users u ON u.id = m.user_id"
          " WHERE m.team_id = ? AND u.active = 1";
      auto rows = tx.query(sql, {opt_value(before.assignee_team_id),
                                 opt_value(s.operations_team_id), opt_value(s.operations_team_id)});
      if (!rows.ok()) return std::move(rows).error();
      for (const store::Row& r : *rows) notified.push_back(r.i64(0));
      std::sort(notified.begin(), notified.end());
      notified.erase(std::unique(notified.begin(), notified.end()), notified.end());
      detail["level"] = after.escalation_level;
    }
    detail["notified_user_ids"] = notified;
    YW_ASSIGN(Ticket stored, store_ticket(tx, after, now));
    YW_TRY(ticket_event(tx, actor, now, "ticket.escalate", stored.id, ticket_snapshot(before),
                        ticket_snapshot(stored, detail.dump())));
    json extra = {{"escalation", req.type}, {"note", core::trim(req.note)}};
    for (std::int64_t id : notified) {
      YW_TRY(notify_user(tx, now, id, "ticket.escalated", stored, extra.dump()));
    }
    return stored;
  });
}

core::Result<int> TicketService::auto_close(const store::Actor& system) {
  Viewer v{0, true, true, true};
  int closed = 0;
  for (;;) {
    auto batch = store::write_tx<int>(db_, [&](store::Tx& tx) -> core::Result<int> {
      YW_ASSIGN(TicketSettings s, load_settings(tx));
      core::TimeMs now = clock_.now_ms();
      core::TimeMs cutoff = now - std::int64_t{s.auto_close_days} * 86'400'000;
      auto rows = tx.query(
          std::string("SELECT ") + kTicketColumns +
              " FROM tickets t WHERE t.status IN ('resolved', 'fulfilled') AND t.resolved_at <= ?"
              " AND t.kind IN ('incident', 'request') ORDER BY t.resolved_at LIMIT 200",
          {cutoff});
      if (!rows.ok()) return std::move(rows).error();
      int n = 0;
      for (const store::Row& r : *rows) {
        Ticket t = ticket_from_row(r);
        TransitionRequest req;
        req.to = "closed";
        auto moved = apply_transition(tx, system, v, t, req, now, kind_hooks(t.kind));
        if (!moved.ok()) return std::move(moved).error();
        ++n;
      }
      return n;
    });
    if (!batch.ok()) return std::move(batch).error();
    closed += *batch;
    if (*batch < 200) break;
  }
  return closed;
}

// --- SLA threshold actions (sla/tracker.cpp), inside the caller's transaction ---

namespace {

core::Result<std::optional<Ticket>> load_by_id(store::Tx& tx, std::int64_t id) {
  auto row = tx.query_row(
      std::string("SELECT ") + kTicketColumns + " FROM tickets t WHERE t.id = ?", {id});
  if (!row.ok()) return std::move(row).error();
  if (!*row) return std::optional<Ticket>();
  return std::optional<Ticket>(ticket_from_row(**row));
}

}  // namespace

core::Result<std::optional<Ticket>> TicketService::reassign_in(store::Tx& tx,
                                                               const store::Actor& actor,
                                                               std::int64_t ticket_id,
                                                               std::int64_t team_id,
                                                               std::string_view note) {
  YW_ASSIGN(std::optional<Ticket> before, load_by_id(tx, ticket_id));
  if (!before || !is_open_status(before->status) || before->assignee_team_id == team_id)
    return std::optional<Ticket>();
  YW_TRY(check_active(tx, Record::kTeam, team_id, "team_id"));
  core::TimeMs now = clock_.now_ms();
  Ticket after = *before;
  YW_ASSIGN(std::optional<std::int64_t> person, pick_member(tx, team_id, now));
  assign(after, team_id, person, now);
  if (after.kind == "incident" && before->status == "in_progress") after.status = "assigned";
  YW_ASSIGN(Ticket stored, store_ticket(tx, after, now));
  json detail = {{"sla", true}, {"note", std::string(note)}};
  YW_TRY(ticket_event(tx, actor, now, "ticket.update", stored.id, ticket_snapshot(*before),
                      ticket_snapshot(stored, detail.dump())));
  if (person) YW_TRY(notify_user(tx, now, *person, "ticket.assigned", stored));
  return std::optional<Ticket>(std::move(stored));
}

core::Result<std::optional<Ticket>> TicketService::raise_priority_in(store::Tx& tx,
                                                                     const store::Actor& actor,
                                                                     std::int64_t ticket_id,
                                                                     std::string_view note) {
  YW_ASSIGN(std::optional<Ticket> before, load_by_id(tx, ticket_id));
  if (!before || !is_open_status(before->status)) return std::optional<Ticket>();
  int rank = priority_rank(before->priority);  // P1 = 1
  if (rank <= 1) return std::optional<Ticket>();
  Ticket after = *before;
  after.priority = "P" + std::to_string(rank - 1);
  after.priority_overridden = true;
  core::TimeMs now = clock_.now_ms();
  YW_ASSIGN(Ticket stored, store_ticket(tx, after, now));
  json detail = {
      {"sla", true}, {"note", std::string(note)}, {"priority_reason", std::string(note)}};
  YW_TRY(ticket_event(tx, actor, now, "ticket.update", stored.id, ticket_snapshot(*before),
                      ticket_snapshot(stored, detail.dump())));
  return std::optional<Ticket>(std::move(stored));
}

core::Result<std::vector<std::int64_t>> TicketService::recipients_in(store::Tx& tx,
                                                                     std::int64_t ticket_id,
                                                                     std::string_view to) {
  YW_ASSIGN(std::optional<Ticket> t, load_by_id(tx, ticket_id));
  std::vector<std::int64_t> out;
  if (!t) return out;
  std::string sql;
  store::Params params;
  if (to == "assignee") {
    if (!t->assignee_id) return out;
    sql = "SELECT id FROM users WHERE id = ? AND active = 1";
    params.emplace_back(*t->assignee_id);
  } else if (to == "team_lead") {
    if (!t->assignee_team_id) return out;
    sql =
        "SELECT u.id FROM teams g JOIN users u ON u.id = g.lead_id WHERE g.id = ? AND"
        " u.active = 1";
    params.emplace_back(*t->assignee_team_id);
  } else if (to == "operations") {
    YW_ASSIGN(TicketSettings s, load_settings(tx));
    if (!s.operations_team_id) return out;
    sql =
        "SELECT u.id FROM teams g JOIN users u ON u.id = g.lead_id WHERE g.id = ? AND"
        " u.active = 1 UNION SELECT u.id FROM team_members m JOIN users u ON u.id = m.user_id"
        " WHERE m.team_id = ? AND u.active = 1";
    params.emplace_back(*s.operations_team_id);
    params.emplace_back(*s.operations_team_id);
  } else {
    return core::invalid("to", "must be assignee, team_lead or operations");
  }
  auto rows = tx.query(sql, params);
  if (!rows.ok()) return std::move(rows).error();
  for (const store::Row& r : *rows) out.push_back(r.i64(0));
  std::sort(out.begin(), out.end());
  return out;
}

core::Status TicketService::notify_in(store::Tx& tx, std::int64_t ticket_id,
                                      const std::vector<std::int64_t>& user_ids,
                                      std::string_view topic, std::string_view extra_json) {
  if (user_ids.empty()) return {};
  YW_ASSIGN(std::optional<Ticket> t, load_by_id(tx, ticket_id));
  if (!t) return {};
  core::TimeMs now = clock_.now_ms();
  for (std::int64_t id : user_ids) YW_TRY(notify_user(tx, now, id, topic, *t, extra_json));
  return {};
}

}  // namespace yunwei::tickets
