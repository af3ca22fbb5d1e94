#include "sla/ticket_sla.h"

#include <charconv>
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

namespace {

// Folds one ticket's events (in order) into history points.
class HistoryBuilder {
 public:
  void add(core::TimeMs at, const std::string& action, std::optional<std::int64_t> actor,
           const std::string& after_json) {
    json j = json::parse(after_json, nullptr, false);
    if (!j.is_object()) return;
    TicketState s = out_.empty() ? TicketState{} : out_.back().state;
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
        requester_ = req->get<std::int64_t>();
      if (responding_status(s.status)) s.responded = true;
    } else {  // ticket.comment
      bool is_public = j.value("public", false);
      if (!is_public || !actor || actor == requester_ || s.responded || out_.empty()) return;
      s.responded = true;
    }
    if (!out_.empty() && out_.back().at == at) {
      out_.back().state = s;  // several events of one command: the last state holds
    } else if (out_.empty() || action == "ticket.create" ||
               !(s.status == out_.back().state.status &&
                 s.pending_reason == out_.back().state.pending_reason &&
                 s.priority == out_.back().state.priority &&
                 s.team_id == out_.back().state.team_id &&
                 s.responded == out_.back().state.responded)) {
      out_.push_back({at, s});
    }
  }
  std::vector<HistoryPoint>& points() { return out_; }

 private:
  std::vector<HistoryPoint> out_;
  std::optional<std::int64_t> requester_;
};

constexpr const char* kHistoryActions =
    "action IN ('ticket.create', 'ticket.transition', 'ticket.update', 'ticket.escalate',"
    " 'ticket.comment')";

}  // namespace

const char* const kSubjectColumns =
    "t.kind, t.priority, t.service_id, t.category_id, c.parent_id, u.organisation, t.status";
const char* const kSubjectJoins =
    " LEFT JOIN ticket_categories c ON c.id = t.category_id LEFT JOIN users u ON u.id ="
    " t.requester_id";

PolicySubject subject_from_row(const store::Row& r, std::size_t first) {
  PolicySubject s;
  s.kind = r.str(first);
  s.priority = r.str(first + 1);
  s.service_id = r.opt_i64(first + 2);
  s.category_id = r.opt_i64(first + 3);
  s.category_parent_id = r.opt_i64(first + 4);
  s.organisation = r.str(first + 5);
  return s;
}

core::Result<std::vector<HistoryPoint>> ticket_history(store::Tx& tx, std::int64_t ticket_id) {
  auto rows = tx.query(std::string("SELECT at, action, actor_id, after_json FROM events WHERE"
                                   " object_type = 'ticket' AND object_id = ? AND ") +
                           kHistoryActions + " ORDER BY at, id",
                       {ticket_id});
  if (!rows.ok()) return std::move(rows).error();
  HistoryBuilder b;
  for (const store::Row& r : *rows) b.add(r.i64(0), r.str(1), r.opt_i64(2), r.str(3));
  return std::move(b.points());
}

core::Result<std::unordered_map<std::int64_t, std::vector<HistoryPoint>>> ticket_histories(
    store::Tx& tx, const std::vector<std::int64_t>& ids) {
  std::unordered_map<std::int64_t, std::vector<HistoryPoint>> out;
  constexpr std::size_t kChunk = 200;
  for (std::size_t i = 0; i < ids.size(); i += kChunk) {
    std::string sql =
        "SELECT object_id, at, action, actor_id, after_json FROM events WHERE object_type ="
        " 'ticket' AND object_id IN (";
    store::Params params;
    store::append_in_list(sql, params, ids, i, i + kChunk);
    sql += ") AND ";
    sql += kHistoryActions;
    sql += " ORDER BY object_id, at, id";
    auto rows = tx.query(sql, params);
    if (!rows.ok()) return std::move(rows).error();
    std::optional<std::int64_t> current;
    HistoryBuilder b;
    auto flush = [&] {
      if (current && !b.points().empty()) out[*current] = std::move(b.points());
      b = HistoryBuilder();
    };
    for (const store::Row& r : *rows) {
      std::int64_t id = r.i64(0);
      if (current != id) {
        flush();
        current = id;
      }
      b.add(r.i64(1), r.str(2), r.opt_i64(3), r.str(4));
    }
    flush();
  }
  return out;
}

std::string encode_history(const std::vector<HistoryPoint>& history) {
  std::string out;
  out.reserve(history.size() * 40);
  for (const HistoryPoint& p : history) {
    if (!out.empty()) out += ';';
    out += std::to_string(p.at);
    out += ',';
    out += p.state.status;
    out += ',';
    out += p.state.pending_reason;
    out += ',';
    out += p.state.priority;
    out += ',';
    if (p.state.team_id) out += std::to_string(*p.state.team_id);
    out += p.state.responded ? ",1" : ",0";
  }
  return out;
}

namespace {

bool parse_i64(std::string_view s, std::int64_t& v) {
  if (s.empty()) return false;
  auto r = std::from_chars(s.data(), s.data() + s.size(), v);
  return r.ec == std::errc() && r.ptr == s.data() + s.size();
}

}  // namespace

bool decode_history(std::string_view text, std::vector<HistoryPoint>& out) {
  out.clear();
  while (!text.empty()) {
    std::size_t end = text.find(';');
    std::string_view point = text.substr(0, end);
    text = end == std::string_view::npos ? std::string_view() : text.substr(end + 1);
    std::string_view f[6];
    for (int i = 0; i < 6; ++i) {
      std::size_t comma = point.find(',');
      if ((comma == std::string_view::npos) != (i == 5)) return false;
      f[i] = point.substr(0, comma);
      point = comma == std::string_view::npos ? std::string_view() : point.substr(comma + 1);
    }
    HistoryPoint p;
    if (!parse_i64(f[0], p.at)) return false;
    p.state.status = f[1];
    p.state.pending_reason = f[2];
    p.state.priority = f[3];
    if (!f[4].empty()) {
      std::int64_t team = 0;
      if (!parse_i64(f[4], team)) return false;
      p.state.team_id = team;
    }
    if (f[5] != "0" && f[5] != "1") return false;
    p.state.responded = f[5] == "1";
    out.push_back(std::move(p));
  }
  return true;
}

core::Result<TicketSla> SlaService::for_ticket(std::int64_t ticket_id) {
  PolicySubject subject;
  std::vector<HistoryPoint> history;
  YW_TRY(db_.read([&](store::Tx& tx) -> core::Status {
    auto row = tx.query_row(std::string("SELECT ") + kSubjectColumns + " FROM tickets t" +
                                kSubjectJoins + " WHERE t.id = ?",
                            {ticket_id});
    if (!row.ok()) return std::move(row).error();
    if (!*row) return core::not_found("ticket " + std::to_string(ticket_id) + " not found");
    subject = subject_from_row(**row, 0);
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
