#include "change/problem_service.h"

#include <algorithm>
#include <map>
#include <nlohmann/json.hpp>
#include <set>

#include "change/settings.h"
#include "core/text.h"
#include "store/search/tokenizer.h"

namespace yunwei::change {

namespace {

using nlohmann::json;
using tickets::Ticket;
using tickets::Viewer;

constexpr std::size_t kTextMax = 20000;
constexpr std::size_t kMaxIncidents = 100;
constexpr std::size_t kMaxSuggestions = 10;
constexpr std::int64_t kIncidentsPerGroup = 50;
constexpr std::int64_t kDayMs = 86'400'000;

// The system resolving a problem's incidents sees and may move every ticket.
const Viewer kSystemViewer{0, true, true, true};

store::Value opt_value(const std::optional<std::int64_t>& v) {
  if (v) return store::Value{*v};
  return store::Value{nullptr};
}

// The first `max_chars` code points of valid UTF-8 text.
std::string cut(std::string_view s, std::size_t max_chars) {
  std::size_t chars = 0;
  for (std::size_t i = 0; i < s.size(); ++i) {
    if ((static_cast<unsigned char>(s[i]) & 0xC0) != 0x80) {
      if (chars == max_chars) return std::string(s.substr(0, i));
      ++chars;
    }
  }
  return std::string(s);
}

bool blank(std::string_view s) { return core::trim(s).empty(); }

core::Status check_opt_text(const std::optional<std::string>& s, const char* field) {
  if (s) YW_TRY(core::check_text(*s, field, kTextMax, false));
  return {};
}

core::Status check_text_fields(const ProblemText& x) {
  YW_TRY(core::check_text(x.symptoms, "symptoms", kTextMax, false));
  YW_TRY(core::check_text(x.root_cause, "root_cause", kTextMax, false));
  YW_TRY(core::check_text(x.workaround, "workaround", kTextMax, false));
  YW_TRY(core::check_text(x.permanent_fix, "permanent_fix", kTextMax, false));
  return {};
}

struct Details {
  ProblemText text;
  std::optional<core::TimeMs> known_error_at;
  std::optional<std::int64_t> known_error_by;
};

// A problem's own row; empty when missing (a problem created before its row existed).
core::Result<Details> load_details(store::Tx& tx, std::int64_t ticket_id) {
  auto row = tx.query_row(
      "SELECT symptoms, root_cause, workaround, permanent_fix, known_error_at, known_error_by"
      " FROM problem_details WHERE ticket_id = ?",
      {ticket_id});
  if (!row.ok()) return std::move(row).error();
  Details d;
  if (!*row) return d;
  const store::Row& r = **row;
  d.text = {r.str(0), r.str(1), r.str(2), r.str(3)};
  d.known_error_at = r.opt_i64(4);
  d.known_error_by = r.opt_i64(5);
  return d;
}

core::Status ensure_details(store::Tx& tx, std::int64_t ticket_id) {
  auto n = tx.exec(
      "INSERT INTO problem_details (ticket_id) VALUES (?) ON CONFLICT (ticket_id) DO NOTHING",
      {ticket_id});
  if (!n.ok()) return std::move(n).error();
  return {};
}

// What the timeline compares for a problem's own fields (a flat object with "number" and
// "status", like the ticket snapshots, so the timeline diffs it field by field).
std::string snapshot(const Ticket& t, const ProblemText& x, const std::vector<std::int64_t>& cis,
                     bool known_error, const json& detail = json()) {
  json j = {{"number", t.number},
            {"status", t.status},
            {"symptoms", x.symptoms},
            {"root_cause", x.root_cause},
            {"workaround", x.workaround},
            {"permanent_fix", x.permanent_fix},
            {"ci_ids", cis},
            {"known_error", known_error}};
  if (!detail.is_null()) j["detail"] = detail;
  return j.dump();
}

core::Status event(store::Tx& tx, const store::Actor& actor, core::TimeMs now,
                   std::string_view action, std::int64_t ticket_id, std::string_view before,
                   std::string_view after) {
  auto ev = store::append_event(tx, actor, now, action, "ticket", ticket_id, before, after);
  if (!ev.ok()) return std::move(ev).error();
  return {};
}

// Bumps the ticket's version (the detail a client edits includes the problem part) as
// TicketService's own writes do; kConflict "version" when it moved meanwhile.
core::Status touch(store::Tx& tx, const Ticket& t, core::TimeMs now) {
  auto n = tx.exec(
      "UPDATE tickets SET updated_at = ?, version = version + 1 WHERE id = ? AND version = ?",
      {now, t.id, t.version});
  if (!n.ok()) return std::move(n).error();
  if (*n != 1) return core::conflict("the ticket was changed concurrently; reload", "version");
  return {};
}

core::Status check_version(const Ticket& t, std::int64_t expected) {
  if (expected != t.version) {
    return core::conflict("the problem was changed by someone else (version " +
                              std::to_string(t.version) + "); reload and retry",
                          "version");
  }
  return {};
}

core::Status index_known_error(store::Tx& tx, const Ticket& t, const ProblemText& x) {
  std::string head = t.number + " " + t.title;
  std::string body = x.symptoms + "\n" + x.root_cause + "\n" + x.workaround;
  return store::search::index_document(tx, known_error_index(), t.id, {head, body});
}

// CI ids checked before the ticket exists (set_ticket_cis checks them again with the row).
core::Status check_ci_ids(store::Tx& tx, const std::vector<std::int64_t>& ids,
                          std::string_view field) {
  if (ids.size() > 200) return core::invalid(std::string(field), "at most 200 CIs");
  std::set<std::int64_t> seen;
  for (std::size_t i = 0; i < ids.size(); ++i) {
    std::string f = std::string(field) + "[" + std::to_string(i) + "]";
    if (!seen.insert(ids[i]).second) return core::invalid(f, "is listed twice");
    auto row = tx.query_row("SELECT 1 FROM cis WHERE id = ?", {ids[i]});
    if (!row.ok()) return std::move(row).error();
    if (!*row) return core::invalid(f, "no CI with id " + std::to_string(ids[i]));
  }
  return {};
}

core::Result<std::vector<std::int64_t>> ci_ids_of(store::Tx& tx, std::int64_t ticket_id) {
  auto rows =
      tx.query("SELECT ci_id FROM ticket_cis WHERE ticket_id = ? ORDER BY position", {ticket_id});
  if (!rows.ok()) return std::move(rows).error();
  std::vector<std::int64_t> out;
  for (const store::Row& r : *rows) out.push_back(r.i64(0));
  return out;
}

// The CIs of several tickets, each in order.
core::Result<std::map<std::int64_t, std::vector<std::int64_t>>> ci_ids_of(
    store::Tx& tx, const std::vector<std::int64_t>& ticket_ids) {
  std::map<std::int64_t, std::vector<std::int64_t>> out;
  if (ticket_ids.empty()) return out;
  auto rows = tx.query("SELECT ticket_id, ci_id FROM ticket_cis WHERE " +
                           tx.in_ids_sql("ticket_id") + " ORDER BY ticket_id, position",
                       {tx.in_ids_value(ticket_ids)});
  if (!rows.ok()) return std::move(rows).error();
  for (const store::Row& r : *rows) out[r.i64(0)].push_back(r.i64(1));
  return out;
}

// The problem an incident is linked to: its number, or nullopt.
core::Result<std::optional<std::pair<std::int64_t, std::string>>> problem_of(
    store::Tx& tx, std::int64_t incident_id) {
  auto row = tx.query_row(
      "SELECT t.id, t.number FROM problem_incidents pi JOIN tickets t ON t.id = pi.problem_id"
      " WHERE pi.incident_id = ?",
      {incident_id});
  if (!row.ok()) return std::move(row).error();
  if (!*row) return std::optional<std::pair<std::int64_t, std::string>>();
  return std::optional<std::pair<std::int64_t, std::string>>(
      std::make_pair((*row)->i64(0), (*row)->str(1)));
}

constexpr const char* kKnownErrorColumns =
    "t.id, t.number, t.title, t.status, pd.symptoms, pd.root_cause, pd.workaround,"
    " pd.permanent_fix, pd.known_error_at, t.service_id";

KnownError known_error_from_row(const store::Row& r) {
  KnownError k;
  k.problem_id = r.i64(0);
  k.number = r.str(1);
  k.title = r.str(2);
  k.status = r.str(3);
  k.text = {r.str(4), r.str(5), r.str(6), r.str(7)};
  k.known_error_at = r.i64(8);
  k.service_id = r.opt_i64(9);
  return k;
}

// Published known errors by problem id (no visibility check: the ids come from queries that
// applied it).
core::Result<std::vector<KnownError>> load_known_errors(store::Tx& tx,
                                                        const std::vector<std::int64_t>& ids) {
  std::vector<KnownError> out;
  if (ids.empty()) return out;
  auto rows = tx.query(std::string("SELECT ") + kKnownErrorColumns +
                           " FROM tickets t JOIN problem_details pd ON pd.ticket_id = t.id"
                           " WHERE pd.known_error_at IS NOT NULL AND " +
                           tx.in_ids_sql("t.id"),
                       {tx.in_ids_value(ids)});
  if (!rows.ok()) return std::move(rows).error();
  for (const store::Row& r : *rows) out.push_back(known_error_from_row(r));
  YW_ASSIGN(auto cis, ci_ids_of(tx, ids));
  for (KnownError& k : out) k.ci_ids = cis[k.problem_id];
  return out;
}

// The single-token terms of a text: every word, code and CJK bigram (or lone character) of
// parse_query, each on its own, so that any of them may match.
std::vector<store::search::Term> loose_terms(std::string_view text) {
  std::vector<store::search::Term> out;
  std::set<std::string> seen;
  for (const store::search::Term& term : store::search::parse_query(text).terms) {
    for (const std::string& token : term.tokens) {
      if (seen.insert(token).second) out.push_back(store::search::Term{{token}});
    }
  }
  return out;
}

// The terms of `terms` that occur in the texts (token for token, as the index compares).
std::size_t matched_terms(const std::vector<store::search::Term>& terms,
                          const std::vector<std::string_view>& texts) {
  std::set<std::string> tokens;
  for (std::string_view text : texts) {
    for (store::search::Token& t : store::search::tokenize(text)) tokens.insert(std::move(t.text));
  }
  std::size_t n = 0;
  for (const store::search::Term& term : terms) {
    if (!term.tokens.empty() && tokens.count(term.tokens[0])) ++n;
  }
  return n;
}

}  // namespace

const store::search::IndexSpec& known_error_index() {
  static const store::search::IndexSpec kIndex{"known_errors_fts", {"head", "body"}};
  return kIndex;
}

// ---------------------------------------------------------------------------------------------
// Hooks

tickets::KindHooks ProblemService::hooks() {
  tickets::KindHooks h;
  h.fields = [this](store::Tx& tx, const Ticket& t) { return fields_hook(tx, t); };
  h.before = [this](store::Tx&, const Viewer&, const Ticket& before,
                    const tickets::TransitionRequest& req,
                    core::TimeMs) { return before_hook(before, req); };
  h.after = [this](store::Tx& tx, const store::Actor& actor, const Viewer&, const Ticket& before,
                   const Ticket& after, const tickets::TransitionRequest& req,
                   core::TimeMs now) { return after_hook(tx, actor, before, after, req, now); };
  // The known-error index heads each document with the number and title: a new title through
  // PATCH /api/v1/tickets/{number} re-indexes a published known error.
  h.updated = [](store::Tx& tx, const store::Actor&, const Ticket& before, const Ticket& after,
                 core::TimeMs) -> core::Status {
    if (after.title == before.title) return {};
    YW_ASSIGN(Details d, load_details(tx, after.id));
    if (!d.known_error_at) return {};
    return index_known_error(tx, after, d.text);
  };
  return h;
}

core::Result<std::set<std::string>> ProblemService::fields_hook(store::Tx& tx, const Ticket& t) {
  YW_ASSIGN(Details d, load_details(tx, t.id));
  std::set<std::string> out;
  if (!blank(d.text.symptoms)) out.insert("symptoms");
  if (!blank(d.text.root_cause)) out.insert("root_cause");
  if (!blank(d.text.workaround)) out.insert("workaround");
  if (!blank(d.text.permanent_fix)) out.insert("permanent_fix");
  return out;
}

core::Status ProblemService::before_hook(const Ticket& before,
                                         const tickets::TransitionRequest& req) {
  (void)before;
  if (req.resolve_incidents && req.to != "resolved") {
    return core::invalid("resolve_incidents", "applies only when resolving a problem");
  }
  return {};
}

core::Status ProblemService::after_hook(store::Tx& tx, const store::Actor& actor,
                                        const Ticket& before, const Ticket& after,
                                        const tickets::TransitionRequest& req, core::TimeMs now) {
  if (after.status == "cancelled") {
    // A cancelled problem (a duplicate, not a problem) withdraws its known error.
    YW_ASSIGN(Details d, load_details(tx, after.id));
    if (d.known_error_at) {
      auto n = tx.exec(
          "UPDATE problem_details SET known_error_at = NULL, known_error_by = NULL"
          " WHERE ticket_id = ?",
          {after.id});
      if (!n.ok()) return std::move(n).error();
      YW_TRY(store::search::remove_document(tx, known_error_index(), after.id));
      YW_ASSIGN(auto cis, ci_ids_of(tx, after.id));
      YW_TRY(event(tx, actor, now, "problem.known_error", after.id,
                   snapshot(after, d.text, cis, true),
                   snapshot(after, d.text, cis, false, {{"reason", "problem cancelled"}})));
    }
    return {};
  }
  if (after.status != "resolved" || before.status == "resolved" || !req.resolve_incidents) {
    return {};
  }
  auto rows = tx.query(
      "SELECT t.number, t.status FROM problem_incidents pi JOIN tickets t ON t.id = pi.incident_id"
      " WHERE pi.problem_id = ? ORDER BY t.id",
      {after.id});
  if (!rows.ok()) return std::move(rows).error();
  // The system moves them (the agent resolving the problem may not see every incident), as
  // its own actor within this request.
  store::Actor system{std::nullopt, actor.request_id};
  std::string prefix = "Resolved by problem " + after.number + ": ";
  std::string notes = prefix + cut(after.resolution_notes, 5000 - prefix.size());
  std::vector<std::string> resolved;
  for (const store::Row& r : *rows) {
    if (!tickets::is_open_status(r.str(1))) continue;
    YW_ASSIGN(Ticket incident, tickets_.load_in(tx, kSystemViewer, r.str(0)));
    tickets::TransitionRequest move;
    move.to = "resolved";
    move.resolution_code = "fixed";
    move.resolution_notes = notes;
    YW_TRY(tickets_.transition_in(tx, system, kSystemViewer, incident, move));
    resolved.push_back(incident.number);
  }
  if (!resolved.empty()) {
    json detail = {{"resolved_incidents", resolved}};
    YW_TRY(event(tx, actor, now, "problem.resolve_incidents", after.id, "", detail.dump()));
  }
  return {};
}

// ---------------------------------------------------------------------------------------------
// Writes

core::Result<Ticket> ProblemService::load_problem(store::Tx& tx, const Viewer& v,
                                                  std::string_view number) {
  if (!v.agent) return core::forbidden("only agents work on problems");
  YW_ASSIGN(Ticket t, tickets_.load_in(tx, v, number));
  if (t.kind != "problem") return core::not_found("ticket " + t.number + " is not a problem");
  return t;
}

core::Result<std::vector<Ticket>> ProblemService::check_incidents(
    store::Tx& tx, const Viewer& v, const std::vector<std::string>& numbers, std::string_view field,
    std::optional<std::int64_t> problem_id) {
  if (numbers.size() > kMaxIncidents)
    return core::invalid(std::string(field), "at most 100 incidents at once");
  std::vector<Ticket> out;
  std::set<std::string> seen;
  for (std::size_t i = 0; i < numbers.size(); ++i) {
    std::string f = std::string(field) + "[" + std::to_string(i) + "]";
    std::optional<std::string> n = tickets::normalize_number(core::trim(numbers[i]));
    if (!n) return core::invalid(f, "'" + numbers[i] + "' is not a ticket number");
    if (!seen.insert(*n).second) return core::invalid(f, *n + " is listed twice");
    auto loaded = tickets_.load_in(tx, v, *n);
    if (!loaded.ok()) {
      if (loaded.error().code == core::ErrorCode::kNotFound)
        return core::invalid(f, "no incident " + *n);
      return std::move(loaded).error();
    }
    Ticket t = std::move(loaded).value();
    if (t.kind != "incident") return core::invalid(f, *n + " is not an incident");
    YW_ASSIGN(auto linked, problem_of(tx, t.id));
    if (linked) {
      std::string msg = linked->first == problem_id
                            ? *n + " is already linked to this problem"
                            : *n + " is already linked to problem " + linked->second;
      return core::conflict(msg, f);
    }
    out.push_back(std::move(t));
  }
  return out;
}

core::Status ProblemService::link_in(store::Tx& tx, const store::Actor& actor, const Viewer& v,
                                     const Ticket& problem, const std::vector<Ticket>& incidents,
                                     bool via_known_error, core::TimeMs now) {
  (void)v;
  const store::Value by = opt_value(actor.user_id);
  const std::int64_t via = via_known_error ? 1 : 0;
  for (const Ticket& inc : incidents) {
    store::Params params{inc.id, problem.id, via, by, now};
    auto n = tx.exec(
        "INSERT INTO problem_incidents (incident_id, problem_id, via_known_error, linked_by,"
        " linked_at) VALUES (?, ?, ?, ?, ?)",
        params);
    if (!n.ok()) return std::move(n).error();
    YW_TRY(touch(tx, inc, now));
    json on_problem = {
        {"type", "incident"}, {"number", inc.number}, {"via_known_error", via_known_error}};
    json on_incident = {
        {"type", "problem"}, {"number", problem.number}, {"via_known_error", via_known_error}};
    YW_TRY(event(tx, actor, now, "ticket.link", problem.id, "", on_problem.dump()));
    YW_TRY(event(tx, actor, now, "ticket.link", inc.id, "", on_incident.dump()));
  }
  return {};
}

core::Result<Ticket> ProblemService::create(const store::Actor& actor, const Viewer& v,
                                            const NewProblem& in) {
  if (!v.agent) return core::forbidden("only agents raise problems");
  YW_TRY(check_text_fields(in.text));
  return store::write_tx<Ticket>(db_, [&](store::Tx& tx) -> core::Result<Ticket> {
    core::TimeMs now = clock_.now_ms();
    YW_ASSIGN(std::vector<Ticket> incidents,
              check_incidents(tx, v, in.incident_numbers, "incident_numbers", std::nullopt));
    std::vector<std::int64_t> cis;
    if (in.ci_ids) {
      cis = *in.ci_ids;
      YW_TRY(check_ci_ids(tx, cis, "ci_ids"));
    } else {
      for (const Ticket& inc : incidents) {
        if (inc.ci_id && std::find(cis.begin(), cis.end(), *inc.ci_id) == cis.end())
          cis.push_back(*inc.ci_id);
      }
    }
    tickets::NewTicket base = in.base;
    base.kind = "problem";
    base.ci_id = cis.empty() ? std::nullopt : std::optional<std::int64_t>(cis.front());
    if (!in.service_given) {
      for (const Ticket& inc : incidents) {
        if (inc.service_id) {
          base.service_id = inc.service_id;
          break;
        }
      }
    }
    YW_ASSIGN(Ticket t, tickets_.create_in(tx, actor, v, base));
    auto n = tx.exec(
        "INSERT INTO problem_details (ticket_id, symptoms, root_cause, workaround, permanent_fix)"
        " VALUES (?, ?, ?, ?, ?)",
        {t.id, in.text.symptoms, in.text.root_cause, in.text.workaround, in.text.permanent_fix});
    if (!n.ok()) return std::move(n).error();
    YW_TRY(set_ticket_cis(tx, t.id, cis, "ci_ids"));
    bool any = !cis.empty() || !in.text.symptoms.empty() || !in.text.root_cause.empty() ||
               !in.text.workaround.empty() || !in.text.permanent_fix.empty();
    if (any) {
      YW_TRY(event(tx, actor, now, "problem.update", t.id, snapshot(t, {}, {}, false),
                   snapshot(t, in.text, cis, false)));
    }
    YW_TRY(link_in(tx, actor, v, t, incidents, false, now));
    return t;
  });
}

core::Result<Ticket> ProblemService::update(const store::Actor& actor, const Viewer& v,
                                            std::string_view number, const ProblemPatch& p) {
  if (!v.agent) return core::forbidden("only agents work on problems");
  YW_TRY(check_opt_text(p.symptoms, "symptoms"));
  YW_TRY(check_opt_text(p.root_cause, "root_cause"));
  YW_TRY(check_opt_text(p.workaround, "workaround"));
  YW_TRY(check_opt_text(p.permanent_fix, "permanent_fix"));
  return store::write_tx<Ticket>(db_, [&](store::Tx& tx) -> core::Result<Ticket> {
    core::TimeMs now = clock_.now_ms();
    YW_ASSIGN(Ticket t, load_problem(tx, v, number));
    YW_TRY(check_version(t, p.version));
    if (t.status == "closed" || t.status == "cancelled")
      return core::conflict("a " + t.status + " problem cannot be changed", "status");
    YW_ASSIGN(Details d, load_details(tx, t.id));
    YW_ASSIGN(std::vector<std::int64_t> cis, ci_ids_of(tx, t.id));
    ProblemText x = d.text;
    if (p.symptoms) x.symptoms = *p.symptoms;
    if (p.root_cause) x.root_cause = *p.root_cause;
    if (p.workaround) x.workaround = *p.workaround;
    if (p.permanent_fix) x.permanent_fix = *p.permanent_fix;
    std::vector<std::int64_t> new_cis = p.ci_ids ? *p.ci_ids : cis;
    if (d.known_error_at && blank(x.workaround)) {
      return core::invalid("workaround",
                           "a published known error needs its workaround; withdraw it first");
    }
    bool text_changed = x.symptoms != d.text.symptoms || x.root_cause != d.text.root_cause ||
                        x.workaround != d.text.workaround ||
                        x.permanent_fix != d.text.permanent_fix;
    bool cis_changed = new_cis != cis;
    if (!text_changed && !cis_changed) return t;
    YW_TRY(ensure_details(tx, t.id));
    auto n = tx.exec(
        "UPDATE problem_details SET symptoms = ?, root_cause = ?, workaround = ?,"
        " permanent_fix = ? WHERE ticket_id = ?",
        {x.symptoms, x.root_cause, x.workaround, x.permanent_fix, t.id});
    if (!n.ok()) return std::move(n).error();
    if (cis_changed) YW_TRY(set_ticket_cis(tx, t.id, new_cis, "ci_ids"));
    YW_TRY(touch(tx, t, now));
    bool indexed_text = x.symptoms != d.text.symptoms || x.root_cause != d.text.root_cause ||
                        x.workaround != d.text.workaround;
    if (d.known_error_at && indexed_text) YW_TRY(index_known_error(tx, t, x));
    bool known = d.known_error_at.has_value();
    YW_TRY(event(tx, actor, now, "problem.update", t.id, snapshot(t, d.text, cis, known),
                 snapshot(t, x, new_cis, known)));
    return tickets_.load_in(tx, v, t.number);
  });
}

core::Result<Ticket> ProblemService::link_incidents(const store::Actor& actor, const Viewer& v,
                                                    std::string_view number,
                                                    const std::vector<std::string>& incidents) {
  if (!v.agent) return core::forbidden("only agents work on problems");
  if (incidents.empty()) return core::invalid("numbers", "is required: the incidents to link");
  return store::write_tx<Ticket>(db_, [&](store::Tx& tx) -> core::Result<Ticket> {
    core::TimeMs now = clock_.now_ms();
    YW_ASSIGN(Ticket t, load_problem(tx, v, number));
    if (t.status == "closed" || t.status == "cancelled")
      return core::conflict("a " + t.status + " problem takes no more incidents", "status");
    YW_ASSIGN(std::vector<Ticket> found, check_incidents(tx, v, incidents, "numbers", t.id));
    YW_TRY(link_in(tx, actor, v, t, found, false, now));
    YW_TRY(touch(tx, t, now));
    return tickets_.load_in(tx, v, t.number);
  });
}

core::Result<Ticket> ProblemService::unlink_incident(const store::Actor& actor, const Viewer& v,
                                                     std::string_view number,
                                                     std::string_view incident) {
  if (!v.agent) return core::forbidden("only agents work on problems");
  return store::write_tx<Ticket>(db_, [&](store::Tx& tx) -> core::Result<Ticket> {
    core::TimeMs now = clock_.now_ms();
    YW_ASSIGN(Ticket t, load_problem(tx, v, number));
    YW_ASSIGN(Ticket inc, tickets_.load_in(tx, v, incident));
    auto n = tx.exec("DELETE FROM problem_incidents WHERE incident_id = ? AND problem_id = ?",
                     {inc.id, t.id});
    if (!n.ok()) return std::move(n).error();
    if (*n == 0) return core::not_found(inc.number + " is not linked to " + t.number);
    YW_TRY(touch(tx, inc, now));
    YW_TRY(touch(tx, t, now));
    json on_problem = {{"type", "incident"}, {"number", inc.number}};
    json on_incident = {{"type", "problem"}, {"number", t.number}};
    YW_TRY(event(tx, actor, now, "ticket.unlink", t.id, "", on_problem.dump()));
    YW_TRY(event(tx, actor, now, "ticket.unlink", inc.id, "", on_incident.dump()));
    return tickets_.load_in(tx, v, t.number);
  });
}

core::Result<Ticket> ProblemService::set_known_error(const store::Actor& actor, const Viewer& v,
                                                     std::string_view number, bool published,
                                                     std::optional<std::int64_t> version) {
  if (!v.agent) return core::forbidden("only agents work on problems");
  return store::write_tx<Ticket>(db_, [&](store::Tx& tx) -> core::Result<Ticket> {
    core::TimeMs now = clock_.now_ms();
    YW_ASSIGN(Ticket t, load_problem(tx, v, number));
    if (version) YW_TRY(check_version(t, *version));
    YW_ASSIGN(Details d, load_details(tx, t.id));
    if (published == d.known_error_at.has_value()) return t;
    if (published) {
      if (t.status == "cancelled")
        return core::conflict("a cancelled problem publishes no known error", "status");
      if (blank(d.text.workaround))
        return core::invalid("workaround", "is required to publish a known error");
    }
    YW_TRY(ensure_details(tx, t.id));
    auto n = tx.exec(
        "UPDATE problem_details SET known_error_at = ?, known_error_by = ? WHERE ticket_id = ?",
        {published ? store::Value{now} : store::Value{nullptr},
         published ? opt_value(actor.user_id) : store::Value{nullptr}, t.id});
    if (!n.ok()) return std::move(n).error();
    if (published) {
      YW_TRY(index_known_error(tx, t, d.text));
    } else {
      YW_TRY(store::search::remove_document(tx, known_error_index(), t.id));
    }
    YW_TRY(touch(tx, t, now));
    YW_ASSIGN(auto cis, ci_ids_of(tx, t.id));
    YW_TRY(event(tx, actor, now, "problem.known_error", t.id, snapshot(t, d.text, cis, !published),
                 snapshot(t, d.text, cis, published)));
    return tickets_.load_in(tx, v, t.number);
  });
}

core::Result<ApplyResult> ProblemService::apply_known_error(const store::Actor& actor,
                                                            const Viewer& v,
                                                            std::string_view incident,
                                                            std::string_view problem) {
  if (!v.agent) return core::forbidden("only agents apply known errors");
  return store::write_tx<ApplyResult>(db_, [&](store::Tx& tx) -> core::Result<ApplyResult> {
    core::TimeMs now = clock_.now_ms();
    YW_ASSIGN(Ticket inc, tickets_.load_in(tx, v, incident));
    if (inc.kind != "incident")
      return core::not_found("ticket " + inc.number + " is not an incident");
    YW_ASSIGN(Ticket prb, load_problem(tx, v, problem));
    YW_ASSIGN(Details d, load_details(tx, prb.id));
    if (!d.known_error_at) {
      return core::conflict(prb.number + " has no published known error", "known_error");
    }
    if (inc.status == "closed" || inc.status == "cancelled")
      return core::conflict("a " + inc.status + " incident takes no known error", "status");
    YW_ASSIGN(auto linked, problem_of(tx, inc.id));
    if (linked) {
      return core::conflict(inc.number + " is already linked to problem " + linked->second,
                            "incident");
    }
    YW_TRY(link_in(tx, actor, v, prb, {inc}, true, now));
    YW_TRY(touch(tx, prb, now));
    // link_in bumped the incident: the comment below goes on the stored row.
    std::string body = cut("Known error " + prb.number + " applied (" + prb.title +
                               ").\nWorkaround:\n" + d.text.workaround,
                           20000);
    auto row = tx.query_row(
        "INSERT INTO ticket_comments (ticket_id, author_id, body, public, created_at)"
        " VALUES (?, ?, ?, 0, ?) RETURNING id",
        {inc.id, opt_value(actor.user_id), body, now});
    if (!row.ok()) return std::move(row).error();
    json detail = {{"comment_id", (*row)->i64(0)}, {"public", false}, {"body", body}};
    YW_TRY(event(tx, actor, now, "ticket.comment", inc.id, "", detail.dump()));
    YW_ASSIGN(Ticket stored, tickets_.load_in(tx, v, inc.number));
    return ApplyResult{prb.number, std::move(stored)};
  });
}

// ---------------------------------------------------------------------------------------------
// Reads

core::Result<ProblemView> ProblemService::view(const Viewer& v, const Ticket& problem) {
  return store::read_tx<ProblemView>(db_, [&](store::Tx& tx) -> core::Result<ProblemView> {
    ProblemView out;
    YW_ASSIGN(Details d, load_details(tx, problem.id));
    out.text = std::move(d.text);
    out.known_error_at = d.known_error_at;
    out.known_error_by = d.known_error_by;
    YW_ASSIGN(out.cis, ticket_cis(tx, problem.id));
    std::string sql =
        "SELECT t.number, t.title, t.status, t.priority, pi.via_known_error, pi.linked_at"
        " FROM problem_incidents pi JOIN tickets t ON t.id = pi.incident_id"
        " WHERE pi.problem_id = ?";
    store::Params params{problem.id};
    YW_TRY(tickets::TicketService::visibility_sql(tx, v, sql, params));
    sql += " ORDER BY pi.linked_at, t.id";
    auto rows = tx.query(sql, params);
    if (!rows.ok()) return std::move(rows).error();
    for (const store::Row& r : *rows) {
      out.incidents.push_back({r.str(0), r.str(1), r.str(2), r.str(3), r.i64(4) != 0, r.i64(5)});
    }
    return out;
  });
}

core::Result<std::vector<KnownError>> ProblemService::known_errors(const Viewer& v,
                                                                   const KnownErrorQuery& q) {
  if (!v.staff) return core::forbidden("known errors are for staff");
  int limit = std::clamp(q.limit, 1, 500);
  store::search::Query text = store::search::parse_query(q.q);
  if (!blank(q.q) && text.empty()) return std::vector<KnownError>{};
  if (!text.empty()) YW_TRY(db_.sync_search());
  using R = std::vector<KnownError>;
  return store::read_tx<R>(db_, [&](store::Tx& tx) -> core::Result<R> {
    std::string sql = std::string("SELECT ") + kKnownErrorColumns;
    store::Params params;
    std::string where = " WHERE pd.known_error_at IS NOT NULL AND t.kind = 'problem'";
    std::string from = " FROM tickets t JOIN problem_details pd ON pd.ticket_id = t.id";
    std::string order = " ORDER BY pd.known_error_at DESC, t.id DESC";
    store::Params where_params;
    if (!text.empty()) {
      store::search::Match m =
          store::search::match(tx.backend(), known_error_index(), text, "t.id");
      sql += ", " + m.score_sql + " AS score";
      params.insert(params.end(), m.score_params.begin(), m.score_params.end());
      from += m.join_sql;
      where += " AND " + m.where_sql;
      where_params.insert(where_params.end(), m.where_params.begin(), m.where_params.end());
      order = " ORDER BY score DESC, pd.known_error_at DESC, t.id DESC";
    }
    if (q.ci_id) {
      where +=
          " AND EXISTS (SELECT 1 FROM ticket_cis tc WHERE tc.ticket_id = t.id AND"
          " tc.ci_id = ?)";
      where_params.emplace_back(*q.ci_id);
    }
    if (q.service_id) {
      where +=
          " AND (t.service_id = ? OR EXISTS (SELECT 1 FROM ticket_cis tc WHERE"
          " tc.ticket_id = t.id AND tc.ci_id = ?))";
      where_params.emplace_back(*q.service_id);
      where_params.emplace_back(*q.service_id);
    }
    YW_TRY(tickets::TicketService::visibility_sql(tx, v, where, where_params));
    sql += from + where + order + " LIMIT ?";
    params.insert(params.end(), where_params.begin(), where_params.end());
    params.emplace_back(std::int64_t{limit});
    auto rows = tx.query(sql, params);
    if (!rows.ok()) return std::move(rows).error();
    R out;
    std::vector<std::int64_t> ids;
    for (const store::Row& r : *rows) {
      out.push_back(known_error_from_row(r));
      ids.push_back(out.back().problem_id);
    }
    YW_ASSIGN(auto cis, ci_ids_of(tx, ids));
    for (KnownError& k : out) k.ci_ids = cis[k.problem_id];
    return out;
  });
}

core::Result<std::vector<KnownErrorSuggestion>> ProblemService::suggestions(
    const Viewer& v, std::string_view incident) {
  if (!v.staff) return core::forbidden("known errors are for staff");
  YW_TRY(db_.sync_search());
  using R = std::vector<KnownErrorSuggestion>;
  return store::read_tx<R>(db_, [&](store::Tx& tx) -> core::Result<R> {
    YW_ASSIGN(Ticket inc, tickets_.load_in(tx, v, incident));
    if (inc.kind != "incident")
      return core::not_found("ticket " + inc.number + " is not an incident");
    std::set<std::int64_t> candidates;
    if (inc.ci_id || inc.service_id) {
      std::string sql =
          "SELECT t.id FROM tickets t JOIN problem_details pd ON pd.ticket_id = t.id"
          " WHERE pd.known_error_at IS NOT NULL AND (t.service_id = ? OR EXISTS (SELECT 1 FROM"
          " ticket_cis tc WHERE tc.ticket_id = t.id AND (tc.ci_id = ? OR tc.ci_id = ?)))";
      store::Params params{opt_value(inc.service_id), opt_value(inc.ci_id),
                           opt_value(inc.service_id)};
      YW_TRY(tickets::TicketService::visibility_sql(tx, v, sql, params));
      auto rows = tx.query(sql, params);
      if (!rows.ok()) return std::move(rows).error();
      for (const store::Row& r : *rows) candidates.insert(r.i64(0));
    }
    // Similar text: any of the title's terms through the index (a known error about 网银登录超时
    // shares 登录, 录超, 超时 with an incident 网上银行登录超时), then enough of them in common.
    std::vector<store::search::Term> terms = loose_terms(inc.title);
    std::map<std::int64_t, double> similarity;
    if (!terms.empty()) {
      std::string any;
      bool pg = tx.backend() == store::Backend::kPostgres;
      for (const store::search::Term& term : terms) {
        store::search::Query one{{term}};
        if (!any.empty()) any += pg ? " | " : " OR ";
        any += pg ? store::search::to_tsquery(one) : store::search::to_fts5_match(one);
      }
      store::search::Match m = store::search::match(tx.backend(), known_error_index(),
                                                    store::search::Query{{terms[0]}}, "t.id");
      for (store::Value& p : m.where_params) p = any;
      for (store::Value& p : m.score_params) p = any;
      std::string sql = "SELECT t.id, " + m.score_sql +
                        " AS score FROM tickets t JOIN problem_details pd ON pd.ticket_id = t.id" +
                        m.join_sql + " WHERE pd.known_error_at IS NOT NULL AND " + m.where_sql;
      store::Params params = m.score_params;
      params.insert(params.end(), m.where_params.begin(), m.where_params.end());
      YW_TRY(tickets::TicketService::visibility_sql(tx, v, sql, params));
      sql += " ORDER BY score DESC, t.id DESC LIMIT 50";
      auto rows = tx.query(sql, params);
      if (!rows.ok()) return std::move(rows).error();
      std::vector<std::int64_t> hits;
      for (const store::Row& r : *rows) hits.push_back(r.i64(0));
      YW_ASSIGN(std::vector<KnownError> found, load_known_errors(tx, hits));
      for (const KnownError& k : found) {
        std::string head = k.number + " " + k.title;
        std::size_t n =
            matched_terms(terms, {head, k.text.symptoms, k.text.root_cause, k.text.workaround});
        // At least two terms (all of a shorter title) and a third of the title's terms.
        if (n >= std::min<std::size_t>(2, terms.size()) && n * 3 >= terms.size()) {
          similarity[k.problem_id] = static_cast<double>(n) / static_cast<double>(terms.size());
          candidates.insert(k.problem_id);
        }
      }
    }
    YW_ASSIGN(auto linked, problem_of(tx, inc.id));
    YW_ASSIGN(
        std::vector<KnownError> all,
        load_known_errors(tx, std::vector<std::int64_t>(candidates.begin(), candidates.end())));
    std::vector<std::pair<double, KnownErrorSuggestion>> scored;
    for (KnownError& k : all) {
      KnownErrorSuggestion s;
      double score = 0;
      auto has_ci = [&](const std::optional<std::int64_t>& id) {
        return id && std::find(k.ci_ids.begin(), k.ci_ids.end(), *id) != k.ci_ids.end();
      };
      if (has_ci(inc.ci_id)) {
        s.reasons.push_back("same_ci");
        score += 4;
      }
      if (inc.service_id && (k.service_id == inc.service_id || has_ci(inc.service_id))) {
        s.reasons.push_back("same_service");
        score += 2;
      }
      auto sim = similarity.find(k.problem_id);
      if (sim != similarity.end()) {
        s.reasons.push_back("similar_text");
        score += 3 * sim->second;
      }
      if (s.reasons.empty()) continue;
      s.linked = linked && linked->first == k.problem_id;
      s.known_error = std::move(k);
      scored.emplace_back(score, std::move(s));
    }
    std::sort(scored.begin(), scored.end(), [](const auto& a, const auto& b) {
      if (a.first != b.first) return a.first > b.first;
      if (a.second.known_error.known_error_at != b.second.known_error.known_error_at)
        return a.second.known_error.known_error_at > b.second.known_error.known_error_at;
      return a.second.known_error.problem_id > b.second.known_error.problem_id;
    });
    R out;
    for (auto& [score, s] : scored) {
      if (out.size() == kMaxSuggestions) break;
      out.push_back(std::move(s));
    }
    return out;
  });
}

core::Result<CandidateReport> ProblemService::candidates(const Viewer& v, const CandidateQuery& q) {
  if (!v.staff) return core::forbidden("problem candidates are for staff");
  std::string column;
  if (q.group_by == "ci") {
    column = "t.ci_id";
  } else if (q.group_by == "category") {
    column = "t.category_id";
  } else {
    return core::invalid("group_by", "must be ci or category");
  }
  if (q.window_days && (*q.window_days < 1 || *q.window_days > 365))
    return core::invalid("window_days", "must be between 1 and 365");
  if (q.min_incidents && (*q.min_incidents < 2 || *q.min_incidents > 1000))
    return core::invalid("min_incidents", "must be between 2 and 1000");
  int limit = std::clamp(q.limit, 1, 500);
  return store::read_tx<CandidateReport>(db_, [&](store::Tx& tx) -> core::Result<CandidateReport> {
    YW_ASSIGN(ChangeSettings settings, load_settings(tx));
    CandidateReport out;
    out.group_by = q.group_by;
    out.window_days = q.window_days.value_or(settings.candidate_window_days);
    out.min_incidents = q.min_incidents.value_or(settings.candidate_min_incidents);
    out.to = clock_.now_ms();
    out.from = out.to - std::int64_t{out.window_days} * kDayMs;
    // The incidents that count: created in the window, not withdrawn, on a CI/category,
    // not yet explained by a problem, visible to the caller. `column` is one of two
    // literals above; every value is bound.
    std::string where = " WHERE t.kind = 'incident' AND t.status <> 'cancelled' AND " + column +
                        " IS NOT NULL AND t.created_at >= ? AND t.created_at <= ?" +
                        " AND NOT EXISTS (SELECT 1 FROM problem_incidents pi WHERE" +
                        " pi.incident_id = t.id)";
    store::Params where_params{out.from, out.to};
    YW_TRY(tickets::TicketService::visibility_sql(tx, v, where, where_params));
    std::string sql = "SELECT " + column +
                      ", COUNT(*), MIN(t.created_at), MAX(t.created_at) FROM tickets t" + where +
                      " GROUP BY " + column + " HAVING COUNT(*) >= ? ORDER BY" +
                      " COUNT(*) DESC, MAX(t.created_at) DESC, " + column + " LIMIT ?";
    store::Params params = where_params;
    params.emplace_back(std::int64_t{out.min_incidents});
    params.emplace_back(std::int64_t{limit});
    auto rows = tx.query(sql, params);
    if (!rows.ok()) return std::move(rows).error();
    std::vector<std::int64_t> keys;
    for (const store::Row& r : *rows) {
      CandidateGroup g;
      g.id = r.i64(0);
      g.count = r.i64(1);
      g.first_at = r.i64(2);
      g.last_at = r.i64(3);
      keys.push_back(g.id);
      out.groups.push_back(std::move(g));
    }
    if (keys.empty()) return out;
    std::map<std::int64_t, CandidateGroup*> by_key;
    for (CandidateGroup& g : out.groups) by_key[g.id] = &g;
    auto names = tx.query(
        q.group_by == "ci"
            ? "SELECT c.id, c.name, '', ct.key FROM cis c JOIN ci_types ct ON"
              " ct.id = c.type_id WHERE " +
                  tx.in_ids_sql("c.id")
            : "SELECT id, name, name_zh, '' FROM ticket_categories WHERE " + tx.in_ids_sql("id"),
        {tx.in_ids_value(keys)});
    if (!names.ok()) return std::move(names).error();
    for (const store::Row& r : *names) {
      CandidateGroup* g = by_key[r.i64(0)];
      g->name = r.str(1);
      g->name_zh = r.str(2);
      g->type = r.str(3);
    }
    // The newest incidents of each group.
    std::string list =
        "SELECT k, number, title, status, priority, created_at FROM (SELECT " + column +
        " AS k, t.number, t.title, t.status, t.priority, t.created_at, ROW_NUMBER() OVER" +
        " (PARTITION BY " + column + " ORDER BY t.created_at DESC, t.id DESC) AS rn" +
        " FROM tickets t" + where + " AND " + tx.in_ids_sql(column) +
        ") x WHERE rn <= ? ORDER BY k, created_at DESC, number DESC";
    store::Params list_params = where_params;
    list_params.push_back(tx.in_ids_value(keys));
    list_params.emplace_back(kIncidentsPerGroup);
    auto incidents = tx.query(list, list_params);
    if (!incidents.ok()) return std::move(incidents).error();
    for (const store::Row& r : *incidents) {
      auto it = by_key.find(r.i64(0));
      if (it == by_key.end()) continue;
      it->second->incidents.push_back({r.str(1), r.str(2), r.str(3), r.str(4), r.i64(5)});
    }
    return out;
  });
}

}  // namespace yunwei::change
