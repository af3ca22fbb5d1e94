#include "tickets/ticket_service.h"

#include <algorithm>

#include "core/text.h"

namespace yunwei::tickets {
namespace {

constexpr const char* kColumns =
    "id, number, kind, title, description, status, impact, urgency, priority,"
    " priority_overridden, major, category_id, requester_id, channel, service_id, ci_id,"
    " assignee_team_id, assignee_id, pending_reason, resolution_code, resolution_notes,"
    " cancel_reason, reopen_count, reassignment_count, created_by, created_at, updated_at,"
    " first_assigned_at, resolved_at, closed_at, version";

Ticket from_row(const store::Row& r) {
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
  t.category_id = r.opt_i64(11);
  t.requester_id = r.i64(12);
  t.channel = r.str(13);
  t.service_id = r.opt_i64(14);
  t.ci_id = r.opt_i64(15);
  t.assignee_team_id = r.opt_i64(16);
  t.assignee_id = r.opt_i64(17);
  t.pending_reason = r.str(18);
  t.resolution_code = r.str(19);
  t.resolution_notes = r.str(20);
  t.cancel_reason = r.str(21);
  t.reopen_count = static_cast<int>(r.i64(22));
  t.reassignment_count = static_cast<int>(r.i64(23));
  t.created_by = r.opt_i64(24);
  t.created_at = r.i64(25);
  t.updated_at = r.i64(26);
  t.first_assigned_at = r.opt_i64(27);
  t.resolved_at = r.opt_i64(28);
  t.closed_at = r.opt_i64(29);
  t.version = r.i64(30);
  return t;
}

store::Value opt(const std::optional<std::int64_t>& v) {
  if (v) return *v;
  return nullptr;
}

// The row `id` of `table` exists and is active; else kInvalidArgument naming `field`.
core::Status check_active(store::Tx& tx, const char* table, std::int64_t id,
                          std::string_view field) {
  auto row = tx.query_row(std::string("SELECT active FROM ") + table + " WHERE id = ?", {id});
  if (!row.ok()) return std::move(row).error();
  if (!*row) return core::invalid(std::string(field), "no record with id " + std::to_string(id));
  if ((*row)->i64(0) == 0)
    return core::invalid(std::string(field), "record " + std::to_string(id) + " is inactive");
  return {};
}

core::Status check_assignment(store::Tx& tx, const std::optional<std::int64_t>& team,
                              const std::optional<std::int64_t>& person) {
  if (team) YW_TRY(check_active(tx, "teams", *team, "assignee_team_id"));
  if (person) {
    YW_TRY(check_active(tx, "users", *person, "assignee_id"));
    if (!team) return core::invalid("assignee_team_id", "an assignee needs a team");
    auto member = tx.query_row("SELECT 1 FROM team_members WHERE team_id = ? AND user_id = ?",
                               {*team, *person});
    if (!member.ok()) return std::move(member).error();
    if (!*member) return core::invalid("assignee_id", "is not a member of the assigned team");
  }
  return {};
}

core::Result<Ticket> load(store::Tx& tx, std::string_view number) {
  auto row = tx.query_row(std::string("SELECT ") + kColumns + " FROM tickets WHERE number = ?",
                          {std::string(number)});
  if (!row.ok()) return std::move(row).error();
  if (!*row) return core::not_found("ticket " + std::string(number) + " not found");
  return from_row(**row);
}

core::Status reindex(store::Tx& tx, const Ticket& t) {
  std::string head = t.number + " " + t.title;
  return store::search::index_document(tx, ticket_index(), t.id, {head, t.description});
}

}  // namespace

const store::search::IndexSpec& ticket_index() {
  static const store::search::IndexSpec kIndex{"tickets_fts", {"head", "body"}};
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
  return nullptr;
}

core::Result<Ticket> TicketService::create(const store::Actor& actor, const NewTicket& in) {
  const Workflow* wf = workflow_for(in.kind);
  if (!wf) return core::invalid("kind", "must be incident or request");
  YW_TRY(core::check_text(in.title, "title", 200, true));
  YW_TRY(core::check_text(in.description, "description", 20000, false));
  if (!is_channel(in.channel)) {
    return core::invalid("channel", "must be one of web, email, phone, api, monitoring");
  }
  YW_ASSIGN(std::string priority, matrix_.priority(in.impact, in.urgency));
  std::optional<std::int64_t> requester = in.requester_id ? in.requester_id : actor.user_id;
  if (!requester) return core::invalid("requester_id", "is required");
  return store::write_tx<Ticket>(db_, [&](store::Tx& tx) -> core::Result<Ticket> {
    YW_TRY(check_active(tx, "users", *requester, "requester_id"));
    if (in.category_id)
      YW_TRY(check_active(tx, "ticket_categories", *in.category_id, "category_id"));
    YW_TRY(check_assignment(tx, in.assignee_team_id, in.assignee_id));
    auto counter = tx.query_row(
        "INSERT INTO ticket_counters (kind, last_number) VALUES (?, 1) ON CONFLICT (kind)"
        " DO UPDATE SET last_number = ticket_counters.last_number + 1 RETURNING last_number",
        {in.kind});
    if (!counter.ok()) return std::move(counter).error();
    std::string number = format_number(in.kind, (*counter)->i64(0));
    core::TimeMs now = clock_.now_ms();
    bool assigned = in.assignee_team_id.has_value();
    std::string status = assigned && wf->has_state("assigned") ? "assigned" : wf->initial;
    store::Value first_assigned = assigned ? store::Value{now} : store::Value{nullptr};
    auto ins = tx.query_row(
        "INSERT INTO tickets (number, kind, title, description, status, impact, urgency, priority,"
        " category_id, requester_id, channel, service_id, ci_id, assignee_team_id, assignee_id,"
        " created_by, created_at, updated_at, first_assigned_at, version)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 1) RETURNING " +
            std::string(kColumns),
        {number, in.kind, core::trim(in.title), in.description, status, std::int64_t{in.impact},
         std::int64_t{in.urgency}, priority, opt(in.category_id), *requester, in.channel,
         opt(in.service_id), opt(in.ci_id), opt(in.assignee_team_id), opt(in.assignee_id),
         opt(actor.user_id), now, now, first_assigned});
    if (!ins.ok()) return std::move(ins).error();
    Ticket t = from_row(**ins);
    YW_TRY(reindex(tx, t));
    auto ev = store::append_event(tx, actor, now, "ticket.create", "ticket", t.id, "",
                                  ticket_snapshot(t));
    if (!ev.ok()) return std::move(ev).error();
    return t;
  });
}

core::Result<Ticket> TicketService::get(std::string_view number) {
  return store::read_tx<Ticket>(db_, [&](store::Tx& tx) { return load(tx, number); });
}

core::Result<Ticket> TicketService::transition(const store::Actor& actor, std::string_view number,
                                               const TransitionRequest& req) {
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
  for (auto [field, value] : {std::pair{"resolution_notes", &req.resolution_notes},
                              std::pair{"cancel_reason", &req.cancel_reason},
                              std::pair{"reopen_reason", &req.reopen_reason}}) {
    if (*value) YW_TRY(core::check_text(**value, field, 5000, false));
  }
  return store::write_tx<Ticket>(db_, [&](store::Tx& tx) -> core::Result<Ticket> {
    YW_ASSIGN(Ticket before, load(tx, number));
    if (before.version != req.version) {
      return core::conflict("the ticket was changed by someone else (version " +
                                std::to_string(before.version) + "); reload and retry",
                            "version");
    }
    const Workflow* wf = workflow_for(before.kind);
    if (!wf) return core::internal("no workflow for kind " + before.kind);
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
      return false;
    };
    YW_ASSIGN(const Transition* tr, wf->check(before.status, req.to, given));
    if (req.by_requester && !tr->requester_may) {
      return core::forbidden("only agents may move a " + before.kind + " to " + req.to);
    }
    Ticket after = before;
    core::TimeMs now = clock_.now_ms();
    after.status = req.to;
    if (req.assignee_team_id) {
      if (after.assignee_team_id && *after.assignee_team_id != *req.assignee_team_id) {
        ++after.reassignment_count;
      }
      after.assignee_team_id = req.assignee_team_id;
      after.assignee_id = req.assignee_id;
      YW_TRY(check_assignment(tx, after.assignee_team_id, after.assignee_id));
    }
    if (after.assignee_team_id && !after.first_assigned_at) after.first_assigned_at = now;
    after.pending_reason = req.to == "pending" ? *req.pending_reason : "";
    if (req.resolution_code) after.resolution_code = *req.resolution_code;
    if (req.resolution_notes) after.resolution_notes = *req.resolution_notes;
    if (req.cancel_reason) after.cancel_reason = *req.cancel_reason;
    if (req.to == "resolved" || req.to == "fulfilled") after.resolved_at = now;
    if (req.to == "reopened" || (before.status == "fulfilled" && req.to == "in_progress")) {
      ++after.reopen_count;
      after.resolved_at.reset();
    }
    if (wf->is_final(req.to)) after.closed_at = now;
    auto n = tx.exec(
        "UPDATE tickets SET status = ?, assignee_team_id = ?, assignee_id = ?, pending_reason = ?,"
        " resolution_code = ?, resolution_notes = ?, cancel_reason = ?, reopen_count = ?,"
        " reassignment_count = ?, first_assigned_at = ?, resolved_at = ?, closed_at = ?,"
        " updated_at = ?, version = version + 1 WHERE id = ? AND version = ?",
        {after.status, opt(after.assignee_team_id), opt(after.assignee_id), after.pending_reason,
         after.resolution_code, after.resolution_notes, after.cancel_reason,
         std::int64_t{after.reopen_count}, std::int64_t{after.reassignment_count},
         opt(after.first_assigned_at), opt(after.resolved_at), opt(after.closed_at), now, before.id,
         before.version});
    if (!n.ok()) return std::move(n).error();
    if (*n != 1) return core::conflict("the ticket was changed concurrently; reload", "version");
    YW_ASSIGN(Ticket stored, load(tx, number));
    // Reasons that are not fields of the ticket still belong in its timeline.
    std::string note = req.reopen_reason ? *req.reopen_reason : "";
    auto ev = store::append_event(tx, actor, now, "ticket.transition", "ticket", stored.id,
                                  ticket_snapshot(before), ticket_snapshot(stored, note));
    if (!ev.ok()) return std::move(ev).error();
    return stored;
  });
}

}  // namespace yunwei::tickets
