#include "sla/ticket_sla.h"

#include <nlohmann/json.hpp>

namespace yunwei::sla {

using nlohmann::json;

namespace {

bool snapshot_action(const std::string& a) {
  return a == "ticket.create" || a == "ticket.transition" || a == "ticket.update" ||
         a == "ticket.escalate";
}

// Statuses that mean someone has taken the ticket up: the first response.
bool responding_status(const std::string& s) {
  return s == "in_progress" || s == "pending" || s == "resolved" || s == "fulfilled" ||
         s == "closed";
}

}  // namespace

core::Result<std::vector<HistoryPoint>> ticket_history(store::Tx& tx, std::int64_t ticket_id) {
  auto rows = tx.query(
      "SELECT at, action, actor_id, after_json FROM events WHERE object_type = 'ticket' AND"
      " object_id = ? AND action IN ('ticket.create', 'ticket.transition', 'ticket.update',"
      " 'ticket.escalate', 'ticket.comment') ORDER BY at, id",
      {ticket_id});
  if (!rows.ok()) return std::move(rows).error();
  std::vector<HistoryPoint> out;
  std::optional<std::int64_t> requester;
  for (const store::Row& r : *rows) {
    core::TimeMs at = r.i64(0);
    std::string action = r.str(1);
    json j = json::parse(r.str(3), nullptr, false);
    if (!j.is_object()) continue;
    TicketState s = out.empty() ? TicketState{} : out.back().state;
    if (snapshot_action(action)) {
      s.status = j.value("status", s.status);
      s.pending_reason = j.value("pending_reason", std::string());
      s.priority = j.value("priority", s.priority);
      auto team = j.find("assignee_team_id");
      if (team != j.end()) {
        s.team_id = team->is_number_integer()
                        ? std::optional<std::int64_t>(team->get<std::int64_t>())
                        : std::nullopt;
      }
      if (auto req = j.find("requester_id"); req != j.end() && req->is_number_integer())
        requester = req->get<std::int64_t>();
      if (responding_status(s.status)) s.responded = true;
    } else {  // ticket.comment
      bool is_public = j.value("public", false);
      std::optional<std::int64_t> actor = r.opt_i64(2);
      if (!is_public || !actor || actor == requester || s.responded || out.empty()) continue;
      s.responded = true;
    }
    if (!out.empty() && out.back().at == at) {
      out.back().state = s;  // several events of one command: the last state holds
    } else if (out.empty() || action == "ticket.create" ||
               !(s.status == out.back().state.status &&
                 s.pending_reason == out.back().state.pending_reason &&
                 s.priority == out.back().state.priority && s.team_id == out.back().state.team_id &&
                 s.responded == out.back().state.responded)) {
      out.push_back({at, s});
    }
  }
  return out;
}

core::Result<TicketSla> SlaService::for_ticket(std::int64_t ticket_id) {
  PolicySubject subject;
  std::vector<HistoryPoint> history;
  YW_TRY(db_.read([&](store::Tx& tx) -> core::Status {
    auto row = tx.query_row(
        "SELECT t.kind, t.priority, t.service_id, t.category_id, c.parent_id, u.organisation"
        " FROM tickets t LEFT JOIN ticket_categories c ON c.id = t.category_id"
        " LEFT JOIN users u ON u.id = t.requester_id WHERE t.id = ?",
        {ticket_id});
    if (!row.ok()) return std::move(row).error();
    if (!*row) return core::not_found("ticket " + std::to_string(ticket_id) + " not found");
    const store::Row& t = **row;
    subject.kind = t.str(0);
    subject.priority = t.str(1);
    subject.service_id = t.opt_i64(2);
    subject.category_id = t.opt_i64(3);
    subject.category_parent_id = t.opt_i64(4);
    subject.organisation = t.str(5);
    YW_ASSIGN(history, ticket_history(tx, ticket_id));
    return {};
  }));
  TicketSla out;
  YW_ASSIGN(out.policy, policies_.match(subject));
  if (!out.policy) return out;
  YW_ASSIGN(Calendar cal, calendars_.get(out.policy->calendar_id));
  out.calendar = cal;
  YW_ASSIGN(out.compiled, calendars_.compiled(cal.id));
  core::TimeMs now = clock_.now_ms();
  for (MetricResult& m : evaluate(history, now, *out.policy, *out.compiled)) {
    TicketSlaMetric tm;
    for (const Threshold& th : out.policy->thresholds) {
      ThresholdState ts;
      ts.percent = th.percent;
      ts.at = m.reached_at(th.percent, *out.compiled);
      ts.reached = ts.at && *ts.at <= now;
      tm.thresholds.push_back(ts);
    }
    tm.result = std::move(m);
    out.metrics.push_back(std::move(tm));
  }
  return out;
}

}  // namespace yunwei::sla
