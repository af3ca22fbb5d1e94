#include <algorithm>
#include <charconv>

#include "api/internal.h"
#include "change/change_service.h"
#include "cmdb/affected.h"
#include "core/json_writer.h"
#include "core/text.h"
#include "http/multipart.h"
#include "sla/summary.h"
#include "tickets/ticket_service.h"
#include "tickets/views.h"
#include "tickets/workflow.h"

namespace yunwei::api {

using identity::Permission;
using identity::Role;

tickets::Viewer viewer_of(const Ctx& ctx) {
  tickets::Viewer v;
  if (!ctx.principal) return v;
  identity::RoleSet r = ctx.principal->roles;
  auto has = [&](Role role) { return (r & identity::role_bit(role)) != 0; };
  v.user_id = ctx.principal->user_id;
  v.admin = has(Role::kAdmin);
  v.agent = v.admin || has(Role::kAgent);
  v.staff = v.agent || has(Role::kApprover) || has(Role::kAuditor);
  return v;
}

namespace {

void opt_id(JsonWriter& w, std::string_view k, const std::optional<std::int64_t>& v) {
  w.key(k);
  if (v) {
    w.value(*v);
  } else {
    w.null();
  }
}

// The transitions `v` may take from the ticket's state, with the fields each needs.
// `may_reopen` is false once a resolved ticket's reopen period has ended.
void write_transitions(JsonWriter& w, const tickets::Ticket& t, const tickets::Viewer& v,
                       bool may_reopen = true) {
  w.key("allowed_transitions").begin_array();
  const tickets::Workflow* wf = tickets::TicketService::workflow_for(t.kind);
  if (wf) {
    for (const tickets::Transition* tr : wf->from(t.status, t.subtype)) {
      if (tr->system) continue;
      if (!v.agent && (!tr->requester_may || t.requester_id != v.user_id)) continue;
      bool reopen = tr->to == "reopened" || (tr->from == "fulfilled" && tr->to == "in_progress");
      if (!v.agent && reopen && !may_reopen) continue;
      w.begin_object();
      w.key("to").value(tr->to);
      w.key("required_fields").value(tr->required_fields);
      w.key("roles").value(tr->roles);
      w.end_object();
    }
  }
  w.end_array();
}

void write_sla_metric(JsonWriter& w, std::string_view k,
                      const std::optional<sla::MetricSummary>& m) {
  w.key(k);
  if (!m) {
    w.null();
    return;
  }
  w.begin_object();
  w.key("state").value(m->state);
  opt_time(w, "due_at", m->due_at);
  opt_time(w, "breached_at", m->breached_at);
  w.end_object();
}

// "sla": the ticket's SLA as last evaluated, or null (none yet, or no policy applies).
void write_sla(JsonWriter& w, const sla::SlaSummary* s) {
  w.key("sla");
  if (!s) {
    w.null();
    return;
  }
  w.begin_object();
  w.key("flag").value(s->flag);
  opt_time(w, "due_at", s->due_at);
  opt_id(w, "policy_id", s->policy_id);
  write_sla_metric(w, "response", s->response);
  write_sla_metric(w, "resolution", s->resolution);
  w.key("evaluated_at").value(core::format_iso8601(s->evaluated_at));
  w.end_object();
}

const sla::SlaSummary* find_sla(const std::unordered_map<std::int64_t, sla::SlaSummary>& all,
                                std::int64_t ticket_id) {
  auto it = all.find(ticket_id);
  return it == all.end() ? nullptr : &it->second;
}

void write_ticket_fields(JsonWriter& w, const tickets::Ticket& t) {
  w.key("id").value(t.id);
  w.key("number").value(t.number);
  w.key("kind").value(t.kind);
  w.key("subtype").value(t.subtype);
  w.key("title").value(t.title);
  w.key("description").value(t.description);
  w.key("status").value(t.status);
  w.key("impact").value(std::int64_t{t.impact});
  w.key("urgency").value(std::int64_t{t.urgency});
  w.key("priority").value(t.priority);
  w.key("priority_overridden").value(t.priority_overridden);
  w.key("major").value(t.major);
  w.key("major_cadence_minutes");
  if (t.major_cadence_minutes) {
    w.value(std::int64_t{*t.major_cadence_minutes});
  } else {
    w.null();
  }
  w.key("major_stakeholder_ids").value(t.major_stakeholder_ids);
  opt_time(w, "major_declared_at", t.major_declared_at);
  opt_time(w, "major_next_update_due", tickets::next_update_due(t));
  opt_id(w, "category_id", t.category_id);
  w.key("restricted").value(t.restricted);
  w.key("requester_id").value(t.requester_id);
  w.key("channel").value(t.channel);
  opt_id(w, "service_id", t.service_id);
  opt_id(w, "ci_id", t.ci_id);
  opt_id(w, "assignee_team_id", t.assignee_team_id);
  opt_id(w, "assignee_id", t.assignee_id);
  w.key("pending_reason").value(t.pending_reason);
  w.key("resolution_code").value(t.resolution_code);
  w.key("resolution_notes").value(t.resolution_notes);
  w.key("cancel_reason").value(t.cancel_reason);
  w.key("reopen_count").value(std::int64_t{t.reopen_count});
  w.key("reassignment_count").value(std::int64_t{t.reassignment_count});
  w.key("escalation_level").value(std::int64_t{t.escalation_level});
  w.key("first_contact_resolution");
  if (t.first_contact_resolution) {
    w.value(*t.first_contact_resolution);
  } else {
    w.null();
  }
  opt_id(w, "created_by", t.created_by);
  w.key("created_at").value(core::format_iso8601(t.created_at));
  w.key("updated_at").value(core::format_iso8601(t.updated_at));
  opt_time(w, "first_assigned_at", t.first_assigned_at);
  opt_time(w, "resolved_at", t.resolved_at);
  opt_time(w, "closed_at", t.closed_at);
  w.key("version").value(t.version);
}

// "ci" and "service": {id, name[, type]} of the ticket's CI and business service, or null. The
// CI only for staff: requesters do not read the CMDB.
void write_ci_refs(JsonWriter& w, const tickets::Ticket& t, const tickets::Viewer& v) {
  w.key("ci");
  if (t.ci_id && v.staff) {
    w.begin_object();
    w.key("id").value(*t.ci_id);
    w.key("name").value(t.ci_name);
    w.key("type").value(t.ci_type);
    w.end_object();
  } else {
    w.null();
  }
  w.key("service");
  if (t.service_id) {
    w.begin_object();
    w.key("id").value(*t.service_id);
    w.key("name").value(t.service_name);
    w.end_object();
  } else {
    w.null();
  }
}

std::string ticket_json(const tickets::Ticket& t, const tickets::Viewer& v,
                        const sla::SlaSummary* sla) {
  JsonWriter w;
  w.begin_object();
  write_ticket_fields(w, t);
  write_sla(w, sla);
  write_transitions(w, t, v);
  w.end_object();
  return w.take();
}

// The answer to a write: the ticket with its SLA as last evaluated (before this write: the
// tracker evaluates it shortly after).
core::Result<http::Response> ticket_response(Ctx& ctx, int status, const tickets::Ticket& t,
                                             const tickets::Viewer& v) {
  YW_ASSIGN(auto sla, sla::load_summary(ctx.deps.db, t.id));
  return http::Response::json(status, ticket_json(t, v, sla ? &*sla : nullptr));
}

core::Result<std::string> detail_json(Ctx& ctx, const tickets::TicketDetail& d,
                                      const tickets::Viewer& v, core::TimeMs now,
                                      const sla::SlaSummary* sla,
                                      const std::vector<cmdb::ServiceRef>& affected_services) {
  JsonWriter w;
  w.begin_object();
  if (d.ticket.kind == "problem") YW_TRY(write_problem_view(ctx, w, d.ticket, v));
  if (d.ticket.kind == "change") YW_TRY(write_change_view(ctx, w, d.ticket, v));
  write_ticket_fields(w, d.ticket);
  write_ci_refs(w, d.ticket, v);
  w.key("affected_services").begin_array();
  for (const cmdb::ServiceRef& s : affected_services) {
    w.begin_object();
    w.key("id").value(s.id);
    w.key("name").value(s.name);
    w.key("depth").value(std::int64_t{s.depth});
    w.end_object();
  }
  w.end_array();
  write_sla(w, sla);
  write_transitions(w, d.ticket, v, !d.reopen_until || now < *d.reopen_until);
  opt_time(w, "reopen_until", d.reopen_until);
  w.key("requester_name").value(d.requester_name);
  w.key("assignee_name").value(d.assignee_name);
  w.key("team_name").value(d.team_name);
  w.key("team_name_zh").value(d.team_name_zh);
  w.key("category_name").value(d.category_name);
  w.key("category_name_zh").value(d.category_name_zh);
  w.key("survey");
  if (d.survey) {
    w.begin_object();
    w.key("rating").value(std::int64_t{d.survey->rating});
    w.key("comment").value(d.survey->comment);
    w.key("created_at").value(core::format_iso8601(d.survey->created_at));
    w.end_object();
  } else {
    w.null();
  }
  bool resolved =
      d.ticket.resolved_at && (d.ticket.status == "resolved" || d.ticket.status == "fulfilled" ||
                               d.ticket.status == "closed");
  w.key("survey_pending").value(resolved && !d.survey && d.ticket.requester_id == v.user_id);
  w.end_object();
  return w.take();
}

json comment_json(const tickets::Comment& c) {
  return {{"id", c.id},
          {"author_id", c.author_id ? json(*c.author_id) : json(nullptr)},
          {"author_name", c.author_name},
          {"body", c.body},
          {"public", c.is_public},
          {"created_at", time_json(c.created_at)}};
}

json attachment_json(const std::string& number, const tickets::Attachment& a) {
  return {{"id", a.id},
          {"sha256", a.sha256},
          {"filename", a.filename},
          {"content_type", a.content_type},
          {"size", a.size},
          {"public", a.is_public},
          {"uploaded_by", a.uploaded_by ? json(*a.uploaded_by) : json(nullptr)},
          {"created_at", time_json(a.created_at)},
          {"url", "/api/v1/tickets/" + number + "/attachments/" + std::to_string(a.id)}};
}

json link_json(const tickets::Link& l) {
  return {{"id", l.id},       {"type", l.type},     {"number", l.number},
          {"title", l.title}, {"status", l.status}, {"created_at", time_json(l.created_at)}};
}

std::string number_of(const Ctx& ctx) { return std::string(ctx.req.path_param("number")); }

// "a,b,c" from a query parameter, each non-empty.
core::Result<std::vector<std::string>> query_list(const http::Request& req, std::string_view name) {
  YW_ASSIGN(std::string raw, query_string(req, name, 500));
  std::vector<std::string> out;
  for (std::string& s : core::split(raw, ',')) {
    std::string t = core::trim(s);
    if (!t.empty()) out.push_back(std::move(t));
  }
  return out;
}

// An id parameter that may also be "none" (unset) or "me" (the caller).
struct IdFilter {
  std::optional<std::int64_t> id;
  bool none = false;
};
core::Result<IdFilter> query_id_filter(const Ctx& ctx, std::string_view name, bool allow_me) {
  auto v = ctx.req.query_param(name);
  IdFilter f;
  if (!v) return f;
  if (*v == "none") {
    f.none = true;
    return f;
  }
  if (allow_me && *v == "me") {
    f.id = ctx.principal->user_id;
    return f;
  }
  YW_ASSIGN(f.id, query_int(ctx.req, name));
  return f;
}

core::Result<tickets::TransitionRequest> read_transition(const Body& body, bool need_to) {
  tickets::TransitionRequest r;
  YW_ASSIGN(auto to, body.opt_string("to", 40, false));
  if (!to) {
    if (need_to) return core::invalid("to", "is required: the state to move to");
  } else {
    r.to = *to;
  }
  YW_ASSIGN(r.pending_reason, body.opt_string("pending_reason", 40, false));
  YW_ASSIGN(r.resolution_code, body.opt_string("resolution_code", 40, false));
  YW_ASSIGN(r.resolution_notes, body.opt_string("resolution_notes", 5000, false));
  YW_ASSIGN(r.cancel_reason, body.opt_string("cancel_reason", 5000, false));
  YW_ASSIGN(r.reopen_reason, body.opt_string("reopen_reason", 5000, false));
  YW_ASSIGN(r.assignee_team_id, body.opt_int("assignee_team_id"));
  YW_ASSIGN(r.assignee_id, body.opt_int("assignee_id"));
  return r;
}

core::Result<int> small_int(const Body& body, std::string_view name, int fallback) {
  YW_ASSIGN(auto v, body.opt_int(name));
  if (!v) return fallback;
  if (*v < -1000000 || *v > 1000000) return core::invalid(std::string(name), "is out of range");
  return static_cast<int>(*v);
}

}  // namespace

void opt_time(JsonWriter& w, std::string_view k, const std::optional<core::TimeMs>& v) {
  w.key(k);
  if (v) {
    w.value(core::format_iso8601(*v));
  } else {
    w.null();
  }
}

void write_ci_list(JsonWriter& w, const std::vector<change::CiRef>& cis) {
  w.key("ci_ids").value(change::ids_of(cis));
  w.key("cis").begin_array();
  for (const change::CiRef& c : cis) {
    w.begin_object();
    w.key("id").value(c.id);
    w.key("name").value(c.name);
    w.key("type").value(c.type);
    w.end_object();
  }
  w.end_array();
}

core::Result<http::Response> ticket_detail_response(Ctx& ctx, std::string_view number, int status) {
  tickets::Viewer v = viewer_of(ctx);
  std::unordered_map<std::int64_t, sla::SlaSummary> slas;
  YW_ASSIGN(tickets::TicketDetail d,
            ctx.deps.tickets.get(v, number, [&](store::Tx& tx, const auto& ids) -> core::Status {
              YW_ASSIGN(slas, sla::load_summaries(tx, ids));
              return {};
            }));
  // The business services an incident on the CI affects, and the ticket's own service.
  std::vector<cmdb::ServiceRef> affected;
  if (d.ticket.ci_id && v.staff) {
    YW_ASSIGN(affected, cmdb::affected_services(ctx.deps.db, ctx.deps.relations, *d.ticket.ci_id));
  }
  if (d.ticket.service_id &&
      std::none_of(affected.begin(), affected.end(),
                   [&](const cmdb::ServiceRef& s) { return s.id == *d.ticket.service_id; })) {
    affected.insert(affected.begin(),
                    cmdb::ServiceRef{*d.ticket.service_id, d.ticket.service_name, 0});
  }
  YW_ASSIGN(std::string body,
            detail_json(ctx, d, v, ctx.deps.clock.now_ms(), find_sla(slas, d.ticket.id), affected));
  return http::Response::json(status, std::move(body));
}

void register_ticket_routes(Registry& r) {
  r.add("POST", "/api/v1/tickets", Permission::kTicketsCreate,
        "Report a ticket: dispatched by the assignment rules unless an agent assigns it",
        [](Ctx& ctx) -> core::Result<http::Response> {
          // Problems and changes have fields of their own (their routes parse the body).
          if (ctx.req.body.find("\"problem\"") != std::string::npos ||
              ctx.req.body.find("\"change\"") != std::string::npos) {
            json raw = json::parse(ctx.req.body, nullptr, false);
            if (raw.is_object() && raw.contains("kind") && raw["kind"] == "problem")
              return create_problem(ctx);
            if (raw.is_object() && raw.contains("kind") && raw["kind"] == "change")
              return create_change(ctx);
          }
          YW_ASSIGN(Body body,
                    Body::parse(ctx.req, {"kind", "title", "description", "impact", "urgency",
                                          "channel", "category_id", "requester_id", "service_id",
                                          "ci_id", "assignee_team_id", "assignee_id"}));
          tickets::NewTicket n;
          YW_ASSIGN(auto kind, body.opt_string("kind", 20, false));
          if (kind) n.kind = *kind;
          YW_ASSIGN(n.title, body.string("title", 200));
          YW_ASSIGN(auto description, body.opt_string("description", 20000));
          if (description) n.description = *description;
          YW_ASSIGN(n.impact, small_int(body, "impact", 3));
          YW_ASSIGN(n.urgency, small_int(body, "urgency", 3));
          YW_ASSIGN(auto channel, body.opt_string("channel", 20, false));
          if (channel) n.channel = *channel;
          YW_ASSIGN(auto category, body.opt_nullable_int("category_id"));
          if (category) n.category_id = *category;
          YW_ASSIGN(n.requester_id, body.opt_int("requester_id"));
          YW_ASSIGN(auto service, body.opt_nullable_int("service_id"));
          if (service) n.service_id = *service;
          YW_ASSIGN(auto ci, body.opt_nullable_int("ci_id"));
          if (ci) n.ci_id = *ci;
          YW_ASSIGN(auto team, body.opt_nullable_int("assignee_team_id"));
          if (team) n.assignee_team_id = *team;
          YW_ASSIGN(auto person, body.opt_nullable_int("assignee_id"));
          if (person) n.assignee_id = *person;
          tickets::Viewer v = viewer_of(ctx);
          YW_ASSIGN(tickets::Ticket t, ctx.deps.tickets.create(ctx.actor(), v, n));
          // A new ticket has no evaluation yet.
          http::Response res = http::Response::json(201, ticket_json(t, v, nullptr));
          res.set_header("location", "/api/v1/tickets/" + t.number);
          return res;
        });

  r.add("GET", "/api/v1/tickets", Permission::kTicketsRead,
        "List the tickets the caller may see (kind, status, priority, channel, team_id, "
        "assignee_id, requester_id, category_id, service_id, ci_id, affects_service, major, open, "
        "created_from, "
        "created_to, updated_from, updated_to, sla, sla_metric, sla_outcome, sla_from, sla_to, "
        "q, sort, limit, cursor)",
        [](Ctx& ctx) -> core::Result<http::Response> {
          tickets::TicketQuery q;
          YW_TRY(read_list_params(ctx.req, q));
          YW_ASSIGN(q.kinds, query_list(ctx.req, "kind"));
          YW_ASSIGN(q.statuses, query_list(ctx.req, "status"));
          YW_ASSIGN(q.priorities, query_list(ctx.req, "priority"));
          YW_ASSIGN(q.channels, query_list(ctx.req, "channel"));
          YW_ASSIGN(IdFilter team, query_id_filter(ctx, "team_id", false));
          q.team_id = team.id;
          q.team_none = team.none;
          YW_ASSIGN(IdFilter assignee, query_id_filter(ctx, "assignee_id", true));
          q.assignee_id = assignee.id;
          q.assignee_none = assignee.none;
          YW_ASSIGN(IdFilter requester, query_id_filter(ctx, "requester_id", true));
          if (requester.none) return core::invalid("requester_id", "every ticket has a requester");
          q.requester_id = requester.id;
          YW_ASSIGN(IdFilter category, query_id_filter(ctx, "category_id", false));
          q.category_id = category.id;
          q.category_none = category.none;
          YW_ASSIGN(IdFilter service, query_id_filter(ctx, "service_id", false));
          q.service_id = service.id;
          q.service_none = service.none;
          YW_ASSIGN(q.ci_id, query_int(ctx.req, "ci_id"));
          YW_ASSIGN(q.affects_service, query_int(ctx.req, "affects_service"));
          if (q.affects_service && !identity::allows(ctx.principal->roles, Permission::kCmdbRead))
            return core::forbidden("filtering by affected service needs the cmdb.read permission");
          if (q.affects_service) {
            YW_ASSIGN(q.affects_cis, cmdb::affecting_cis(ctx.deps.db, ctx.deps.relations,
                                                         *q.affects_service, "affects_service"));
          }
          YW_ASSIGN(q.major, query_bool(ctx.req, "major"));
          YW_ASSIGN(q.open, query_bool(ctx.req, "open"));
          YW_ASSIGN(q.created_from, query_time(ctx.req, "created_from"));
          YW_ASSIGN(q.created_to, query_time(ctx.req, "created_to"));
          YW_ASSIGN(q.updated_from, query_time(ctx.req, "updated_from"));
          YW_ASSIGN(q.updated_to, query_time(ctx.req, "updated_to"));
          YW_ASSIGN(q.sla, query_string(ctx.req, "sla", 20));
          YW_ASSIGN(q.sla_metric, query_string(ctx.req, "sla_metric", 20));
          YW_ASSIGN(q.sla_outcome, query_string(ctx.req, "sla_outcome", 20));
          YW_ASSIGN(q.sla_from, query_time(ctx.req, "sla_from"));
          YW_ASSIGN(q.sla_to, query_time(ctx.req, "sla_to"));
          YW_ASSIGN(auto subtypes, query_list(ctx.req, "subtype"));
          q.subtypes = subtypes;
          YW_ASSIGN(auto known_error, query_bool(ctx.req, "known_error"));
          if (known_error) {
            q.kinds = {"problem"};
            q.extra_where = change::known_error_condition(*known_error);
          }
          tickets::Viewer v = viewer_of(ctx);
          std::unordered_map<std::int64_t, sla::SlaSummary> slas;
          YW_ASSIGN(auto page, ctx.deps.tickets.list(
                                   v, q, [&](store::Tx& tx, const auto& ids) -> core::Status {
                                     YW_ASSIGN(slas, sla::load_summaries(tx, ids));
                                     return {};
                                   }));
          // What problems and changes show besides (only when the page has some: a queue of
          // incidents costs nothing more).
          std::map<std::int64_t, change::RowExtras> extras;
          std::vector<std::int64_t> own;
          for (const tickets::Ticket& t : page.items) {
            if (t.kind == "problem" || t.kind == "change") own.push_back(t.id);
          }
          if (!own.empty()) {
            YW_TRY(ctx.deps.db.read([&](store::Tx& tx) -> core::Status {
              YW_ASSIGN(extras, change::row_extras(tx, own));
              return {};
            }));
          }
          JsonWriter w;
          w.begin_object().key("items").begin_array();
          for (const tickets::Ticket& t : page.items) {
            w.begin_object();
            write_ticket_fields(w, t);
            write_ci_refs(w, t, v);
            write_sla(w, find_sla(slas, t.id));
            w.key("requester_name").value(t.requester_name);
            w.key("assignee_name").value(t.assignee_name);
            w.key("team_name").value(t.team_name);
            w.key("team_name_zh").value(t.team_name_zh);
            if (auto x = extras.find(t.id); x != extras.end()) {
              if (t.kind == "change") {
                w.key("risk_level").value(x->second.risk_level);
                opt_time(w, "planned_start", x->second.planned_start);
                opt_time(w, "planned_end", x->second.planned_end);
              }
              if (x->second.known_error) w.key("known_error").value(*x->second.known_error);
            }
            w.end_object();
          }
          w.end_array().key("next_cursor");
          if (page.next_cursor) {
            w.value(*page.next_cursor);
          } else {
            w.null();
          }
          w.end_object();
          return http::Response::json(200, w.take());
        });

  r.add("POST", "/api/v1/tickets/bulk", Permission::kTicketsWork,
        "Change status, assignment or priority of many tickets; one result per ticket",
        [](Ctx& ctx) -> core::Result<http::Response> {
          YW_ASSIGN(Body body, Body::parse(ctx.req, {"numbers", "set"}));
          YW_ASSIGN(auto numbers, body.opt_strings("numbers", 500));
          if (!numbers || numbers->empty()) return core::invalid("numbers", "is required");
          YW_ASSIGN(auto set,
                    body.opt_object("set", {"status", "assignee_team_id", "assignee_id", "priority",
                                            "priority_reason", "pending_reason", "resolution_code",
                                            "resolution_notes", "cancel_reason"}));
          if (!set) return core::invalid("set", "is required: the fields to change");
          tickets::BulkChange c;
          YW_ASSIGN(auto status, set->opt_string("status", 40, false));
          YW_ASSIGN(auto pending, set->opt_string("pending_reason", 40, false));
          YW_ASSIGN(auto code, set->opt_string("resolution_code", 40, false));
          YW_ASSIGN(auto notes, set->opt_string("resolution_notes", 5000, false));
          YW_ASSIGN(auto cancel, set->opt_string("cancel_reason", 5000, false));
          if (status && !tickets::incident_workflow().has_state(*status) &&
              !tickets::request_workflow().has_state(*status))
            return core::invalid("set.status", "unknown state");
          if (status) {
            tickets::TransitionRequest tr;
            tr.pending_reason = pending;
            tr.resolution_code = code;
            tr.resolution_notes = notes;
            tr.cancel_reason = cancel;
            tr.to = *status;
            tr.assignee_team_id.reset();
            tr.assignee_id.reset();
            c.transition = tr;
          }
          YW_ASSIGN(c.assignee_team_id, set->opt_nullable_int("assignee_team_id"));
          YW_ASSIGN(c.assignee_id, set->opt_nullable_int("assignee_id"));
          YW_ASSIGN(c.priority, set->opt_string("priority", 5, false));
          if (c.priority && *c.priority != "P1" && *c.priority != "P2" && *c.priority != "P3" &&
              *c.priority != "P4" && *c.priority != "P5")
            return core::invalid("set.priority", "must be P1 to P5");
          YW_ASSIGN(c.priority_reason, set->opt_string("priority_reason", 5000, false));
          tickets::Viewer v = viewer_of(ctx);
          auto bulk = ctx.deps.tickets.bulk(ctx.actor(), v, *numbers, c);
          if (!bulk.ok()) {
            core::Error e = bulk.error();
            if (!e.field.empty() && e.field != "numbers" && e.field != "set")
              e.field = "set." + e.field;
            return e;
          }
          auto results = std::move(bulk).value();
          JsonWriter w;
          w.begin_object().key("results").begin_array();
          for (const tickets::BulkResult& b : results) {
            w.begin_object();
            w.key("number").value(b.number);
            w.key("ok").value(b.ticket.has_value());
            if (b.ticket) {
              w.key("status").value(b.ticket->status);
              w.key("version").value(b.ticket->version);
            } else if (b.error) {
              w.key("error").begin_object();
              w.key("code").value(core::error_code_name(b.error->code));
              w.key("message").value(b.error->message);
              if (!b.error->field.empty()) w.key("field").value(b.error->field);
              w.end_object();
            }
            w.end_object();
          }
          w.end_array().end_object();
          return http::Response::json(200, w.take());
        });

  r.add("GET", "/api/v1/tickets/{number}", Permission::kTicketsRead,
        "Get a ticket with its allowed transitions, names and survey answer",
        [](Ctx& ctx) -> core::Result<http::Response> {
          return ticket_detail_response(ctx, number_of(ctx), 200);
        });

  r.add("PATCH", "/api/v1/tickets/{number}", Permission::kTicketsWork,
        "Update a ticket: fields, assignment, priority override (with priority_reason), major "
        "incident (send the version you read)",
        [](Ctx& ctx) -> core::Result<http::Response> {
          YW_ASSIGN(Body body,
                    Body::parse(ctx.req, {"version", "title", "description", "channel", "impact",
                                          "urgency", "priority", "priority_reason", "category_id",
                                          "service_id", "ci_id", "assignee_team_id", "assignee_id",
                                          "requester_id", "major", "major_cadence_minutes",
                                          "major_stakeholder_ids", "note"}));
          tickets::TicketPatch p;
          YW_ASSIGN(p.version, expected_version(ctx, body));
          YW_ASSIGN(p.title, body.opt_string("title", 200, false));
          YW_ASSIGN(p.description, body.opt_string("description", 20000));
          YW_ASSIGN(p.channel, body.opt_string("channel", 20, false));
          YW_ASSIGN(auto impact, body.opt_int("impact"));
          if (impact) {
            if (*impact < 1 || *impact > 5) return core::invalid("impact", "must be 1 to 5");
            p.impact = static_cast<int>(*impact);
          }
          YW_ASSIGN(auto urgency, body.opt_int("urgency"));
          if (urgency) {
            if (*urgency < 1 || *urgency > 5) return core::invalid("urgency", "must be 1 to 5");
            p.urgency = static_cast<int>(*urgency);
          }
          YW_ASSIGN(p.priority, body.opt_string("priority", 5, false));
          YW_ASSIGN(p.priority_reason, body.opt_string("priority_reason", 5000));
          YW_ASSIGN(p.category_id, body.opt_nullable_int("category_id"));
          YW_ASSIGN(p.service_id, body.opt_nullable_int("service_id"));
          YW_ASSIGN(p.ci_id, body.opt_nullable_int("ci_id"));
          YW_ASSIGN(p.assignee_team_id, body.opt_nullable_int("assignee_team_id"));
          YW_ASSIGN(p.assignee_id, body.opt_nullable_int("assignee_id"));
          YW_ASSIGN(p.requester_id, body.opt_int("requester_id"));
          YW_ASSIGN(p.major, body.opt_bool("major"));
          YW_ASSIGN(auto cadence, body.opt_int("major_cadence_minutes"));
          if (cadence) {
            if (*cadence < 5 || *cadence > 1440)
              return core::invalid("major_cadence_minutes", "must be between 5 and 1440");
            p.major_cadence_minutes = static_cast<int>(*cadence);
          }
          YW_ASSIGN(p.major_stakeholder_ids, body.opt_ints("major_stakeholder_ids", 50));
          YW_ASSIGN(p.note, body.opt_string("note", 5000));
          tickets::Viewer v = viewer_of(ctx);
          YW_ASSIGN(tickets::Ticket t, ctx.deps.tickets.update(ctx.actor(), v, number_of(ctx), p));
          return ticket_response(ctx, 200, t, v);
        });

  r.add("POST", "/api/v1/tickets/{number}/transitions", Permission::kTicketsCreate,
        "Move a ticket to another state with the fields that transition needs; 409 names the "
        "allowed targets",
        [](Ctx& ctx) -> core::Result<http::Response> {
          YW_ASSIGN(Body body,
                    Body::parse(ctx.req, {"to", "version", "pending_reason", "resolution_code",
                                          "resolution_notes", "cancel_reason", "reopen_reason",
                                          "assignee_team_id", "assignee_id", "resolve_incidents"}));
          YW_ASSIGN(tickets::TransitionRequest tr, read_transition(body, true));
          YW_ASSIGN(auto resolve_incidents, body.opt_bool("resolve_incidents"));
          tr.resolve_incidents = resolve_incidents.value_or(false);
          // The state machine guards the move; a version (body or If-Match) makes it
          // conditional on nobody else having changed the ticket.
          if (body.has("version") || ctx.req.header("if-match")) {
            YW_ASSIGN(std::int64_t version, expected_version(ctx, body));
            tr.version = version;
          }
          tickets::Viewer v = viewer_of(ctx);
          YW_ASSIGN(tickets::Ticket t,
                    ctx.deps.tickets.transition(ctx.actor(), v, number_of(ctx), tr));
          return ticket_response(ctx, 200, t, v);
        });

  r.add("GET", "/api/v1/tickets/{number}/timeline", Permission::kTicketsRead,
        "Every event of a ticket in order: who, when, what changed (before/after)",
        [](Ctx& ctx) -> core::Result<http::Response> {
          YW_ASSIGN(auto entries, ctx.deps.tickets.timeline(viewer_of(ctx), number_of(ctx)));
          JsonWriter w;
          w.begin_object().key("items").begin_array();
          for (const tickets::TimelineEntry& e : entries) {
            w.begin_object();
            w.key("id").value(e.id);
            w.key("at").value(core::format_iso8601(e.at));
            opt_id(w, "actor_id", e.actor_id);
            w.key("actor_name").value(e.actor_name);
            w.key("action").value(e.action);
            w.key("changes").begin_array();
            for (const tickets::FieldChange& c : e.changes) {
              w.begin_object();
              w.key("field").value(c.field);
              w.key("from").raw(c.before_json);
              w.key("to").raw(c.after_json);
              w.end_object();
            }
            w.end_array();
            w.key("detail");
            if (e.detail_json.empty()) {
              w.null();
            } else {
              w.raw(e.detail_json);
            }
            w.end_object();
          }
          w.end_array().end_object();
          return http::Response::json(200, w.take());
        });

  r.add("GET", "/api/v1/tickets/{number}/comments", Permission::kTicketsRead,
        "Comments on a ticket (requesters see public ones only)",
        [](Ctx& ctx) -> core::Result<http::Response> {
          YW_ASSIGN(auto items, ctx.deps.tickets.comments(viewer_of(ctx), number_of(ctx)));
          json out = json::array();
          for (const auto& c : items) out.push_back(comment_json(c));
          return json_response(200, {{"items", out}});
        });

  r.add("POST", "/api/v1/tickets/{number}/comments", Permission::kTicketsCreate,
        "Comment on a ticket: public (the requester sees it) or an internal note (agents)",
        [](Ctx& ctx) -> core::Result<http::Response> {
          YW_ASSIGN(Body body, Body::parse(ctx.req, {"body", "public"}));
          YW_ASSIGN(std::string text, body.string("body", 20000));
          YW_ASSIGN(auto is_public, body.opt_bool("public"));
          YW_ASSIGN(tickets::Comment c,
                    ctx.deps.tickets.add_comment(ctx.actor(), viewer_of(ctx), number_of(ctx), text,
                                                 is_public.value_or(true)));
          return json_response(201, comment_json(c));
        });

  r.add("GET", "/api/v1/tickets/{number}/worklogs", Permission::kTicketsStaff,
        "Work logged on a ticket, with totals per ticket and per person",
        [](Ctx& ctx) -> core::Result<http::Response> {
          YW_ASSIGN(auto s, ctx.deps.tickets.worklogs(viewer_of(ctx), number_of(ctx)));
          json items = json::array();
          for (const auto& w : s.items) {
            items.push_back({{"id", w.id},
                             {"user_id", w.user_id},
                             {"minutes", w.minutes},
                             {"note", w.note},
                             {"worked_at", time_json(w.worked_at)},
                             {"created_at", time_json(w.created_at)}});
          }
          json per = json::array();
          for (const auto& [user, minutes] : s.by_person)
            per.push_back({{"user_id", user}, {"minutes", minutes}});
          return json_response(
              200, {{"items", items}, {"total_minutes", s.total_minutes}, {"by_person", per}});
        });

  r.add("POST", "/api/v1/tickets/{number}/worklogs", Permission::kTicketsWork,
        "Log time spent on a ticket (minutes, note, worked_at)",
        [](Ctx& ctx) -> core::Result<http::Response> {
          YW_ASSIGN(Body body, Body::parse(ctx.req, {"minutes", "note", "worked_at"}));
          YW_ASSIGN(auto minutes, body.opt_int("minutes"));
          if (!minutes) return core::invalid("minutes", "is required");
          if (*minutes < 1 || *minutes > 1440)
            return core::invalid("minutes", "must be between 1 and 1440");
          YW_ASSIGN(auto note, body.opt_string("note", 2000));
          YW_ASSIGN(auto worked_at, body.opt_time("worked_at"));
          YW_ASSIGN(tickets::Worklog w,
                    ctx.deps.tickets.add_worklog(ctx.actor(), viewer_of(ctx), number_of(ctx),
                                                 static_cast<int>(*minutes), note.value_or(""),
                                                 worked_at));
          return json_response(201, {{"id", w.id},
                                     {"user_id", w.user_id},
                                     {"minutes", w.minutes},
                                     {"note", w.note},
                                     {"worked_at", time_json(w.worked_at)},
                                     {"created_at", time_json(w.created_at)}});
        });

  r.add("GET", "/api/v1/worklog-totals", Permission::kTicketsStaff,
        "Minutes logged per person over a period (from, to, team_id, user_id)",
        [](Ctx& ctx) -> core::Result<http::Response> {
          tickets::WorklogTotalsQuery q;
          YW_ASSIGN(q.from, query_time(ctx.req, "from"));
          YW_ASSIGN(q.to, query_time(ctx.req, "to"));
          YW_ASSIGN(q.team_id, query_int(ctx.req, "team_id"));
          YW_ASSIGN(q.user_id, query_int(ctx.req, "user_id"));
          YW_ASSIGN(auto totals, ctx.deps.tickets.worklog_totals(viewer_of(ctx), q));
          json items = json::array();
          for (const auto& t : totals) {
            items.push_back({{"user_id", t.user_id},
                             {"display_name", t.display_name},
                             {"minutes", t.minutes},
                             {"tickets", t.tickets}});
          }
          return json_response(200, {{"items", items}});
        });

  r.add("GET", "/api/v1/tickets/{number}/attachments", Permission::kTicketsRead,
        "Files attached to a ticket", [](Ctx& ctx) -> core::Result<http::Response> {
          std::string number = number_of(ctx);
          YW_ASSIGN(auto items, ctx.deps.tickets.attachments(viewer_of(ctx), number));
          json out = json::array();
          for (const auto& a : items) out.push_back(attachment_json(number, a));
          return json_response(200, {{"items", out}});
        });

  r.add("POST", "/api/v1/tickets/{number}/attachments", Permission::kTicketsCreate,
        "Attach files (multipart/form-data: one or more `file` parts, optional `public`)",
        [](Ctx& ctx) -> core::Result<http::Response> {
          auto ct = ctx.req.header("content-type");
          if (!ct) {
            return core::Error{core::ErrorCode::kUnsupportedMedia,
                               "send the files as multipart/form-data", "content-type"};
          }
          auto parsed = http::parse_multipart(*ct, ctx.req.body, ctx.req.body.size() + 1, 20);
          if (!parsed.ok()) {
            core::Error e = parsed.error();
            if (e.field == "content-type") e.code = core::ErrorCode::kUnsupportedMedia;
            return e;
          }
          bool is_public = true;
          std::vector<const http::MultipartPart*> files;
          for (const http::MultipartPart& p : *parsed) {
            if (p.name == "public" && !p.filename) {
              if (p.data != "true" && p.data != "false")
                return core::invalid("public", "must be true or false");
              is_public = p.data == "true";
            } else if (p.name == "file" && p.filename) {
              files.push_back(&p);
            } else {
              return core::invalid(p.name.empty() ? "body" : p.name, "unknown part");
            }
          }
          if (files.empty()) return core::invalid("file", "attach at least one file part");
          std::string number = number_of(ctx);
          json out = json::array();
          for (const http::MultipartPart* f : files) {
            YW_ASSIGN(tickets::Attachment a, ctx.deps.tickets.add_attachment(
                                                 ctx.actor(), viewer_of(ctx), number, *f->filename,
                                                 f->content_type, f->data, is_public));
            out.push_back(attachment_json(number, a));
          }
          return json_response(201, {{"items", out}});
        });

  r.add("GET", "/api/v1/tickets/{number}/attachments/{id}", Permission::kTicketsRead,
        "Download an attachment (Content-Disposition: attachment)",
        [](Ctx& ctx) -> core::Result<http::Response> {
          YW_ASSIGN(std::int64_t id, path_id(ctx.req));
          YW_ASSIGN(auto file, ctx.deps.tickets.attachment(viewer_of(ctx), number_of(ctx), id));
          http::Response res;
          res.status = 200;
          res.content_type = file.first.content_type;
          res.body = std::move(file.second);
          // RFC 6266 with an ASCII fallback and the UTF-8 name percent-encoded (RFC 5987).
          std::string ascii, encoded;
          static const char* kHex = "0123456789ABCDEF";
          for (unsigned char c : file.first.filename) {
            bool plain = std::isalnum(c) || c == '.' || c == '-' || c == '_';
            ascii += plain ? static_cast<char>(c) : '_';
            if (plain) {
              encoded += static_cast<char>(c);
            } else {
              encoded += '%';
              encoded += kHex[c >> 4];
              encoded += kHex[c & 15];
            }
          }
          res.set_header("content-disposition",
                         "attachment; filename=\"" + ascii + "\"; filename*=UTF-8''" + encoded);
          res.set_header("x-content-type-options", "nosniff");
          res.set_header("content-security-policy", "sandbox");
          res.set_header("cache-control", "private, max-age=3600");
          return res;
        });

  r.add("GET", "/api/v1/tickets/{number}/links", Permission::kTicketsRead,
        "Links to other tickets (parent/child, duplicate, related, caused by)",
        [](Ctx& ctx) -> core::Result<http::Response> {
          YW_ASSIGN(auto items, ctx.deps.tickets.links(viewer_of(ctx), number_of(ctx)));
          json out = json::array();
          for (const auto& l : items) out.push_back(link_json(l));
          return json_response(200, {{"items", out}});
        });

  r.add("POST", "/api/v1/tickets/{number}/links", Permission::kTicketsWork,
        "Link to another ticket: {\"type\":\"child_of\",\"to\":\"INC-000002\"}",
        [](Ctx& ctx) -> core::Result<http::Response> {
          YW_ASSIGN(Body body, Body::parse(ctx.req, {"type", "to"}));
          YW_ASSIGN(std::string type, body.string("type", 40));
          YW_ASSIGN(std::string to, body.string("to", 40));
          YW_ASSIGN(tickets::Link l, ctx.deps.tickets.add_link(ctx.actor(), viewer_of(ctx),
                                                               number_of(ctx), type, to));
          return json_response(201, link_json(l));
        });

  r.add("DELETE", "/api/v1/tickets/{number}/links/{id}", Permission::kTicketsWork, "Remove a link",
        [](Ctx& ctx) -> core::Result<http::Response> {
          YW_ASSIGN(std::int64_t id, path_id(ctx.req));
          YW_TRY(Body::parse(ctx.req, {}, true));
          YW_TRY(ctx.deps.tickets.remove_link(ctx.actor(), viewer_of(ctx), number_of(ctx), id));
          return no_content();
        });

  r.add("POST", "/api/v1/tickets/{number}/escalations", Permission::kTicketsWork,
        "Escalate: functional (hand over to team_id, optionally assignee_id) or hierarchical "
        "(notify the team lead and Operations Management); a note is required",
        [](Ctx& ctx) -> core::Result<http::Response> {
          YW_ASSIGN(Body body, Body::parse(ctx.req, {"type", "team_id", "assignee_id", "note"}));
          tickets::EscalationRequest e;
          YW_ASSIGN(e.type, body.string("type", 20));
          YW_ASSIGN(e.team_id, body.opt_int("team_id"));
          YW_ASSIGN(e.assignee_id, body.opt_int("assignee_id"));
          YW_ASSIGN(e.note, body.string("note", 5000));
          tickets::Viewer v = viewer_of(ctx);
          auto esc = ctx.deps.tickets.escalate(ctx.actor(), v, number_of(ctx), e);
          if (!esc.ok()) {
            core::Error err = esc.error();
            if (err.field == "assignee_team_id") err.field = "team_id";
            return err;
          }
          tickets::Ticket t = std::move(esc).value();
          return ticket_response(ctx, 200, t, v);
        });

  r.add("POST", "/api/v1/tickets/{number}/survey", Permission::kTicketsCreate,
        "The requester rates a resolved ticket once (rating 1-5, comment)",
        [](Ctx& ctx) -> core::Result<http::Response> {
          YW_ASSIGN(Body body, Body::parse(ctx.req, {"rating", "comment"}));
          YW_ASSIGN(auto rating, body.opt_int("rating"));
          if (!rating) return core::invalid("rating", "is required: 1 to 5");
          if (*rating < 1 || *rating > 5) return core::invalid("rating", "must be between 1 and 5");
          YW_ASSIGN(auto comment, body.opt_string("comment", 2000));
          YW_ASSIGN(tickets::Survey s, ctx.deps.tickets.answer_survey(
                                           ctx.actor(), viewer_of(ctx), number_of(ctx),
                                           static_cast<int>(*rating), comment.value_or("")));
          return json_response(201, {{"rating", s.rating},
                                     {"comment", s.comment},
                                     {"created_at", time_json(s.created_at)}});
        });

  r.add(
      "GET", "/api/v1/surveys", Permission::kTicketsStaff,
      "Satisfaction survey answers (from, to, team_id, rating, limit, cursor)",
      [](Ctx& ctx) -> core::Result<http::Response> {
        tickets::SurveyQuery q;
        YW_ASSIGN(q.limit, query_limit(ctx.req));
        YW_ASSIGN(q.cursor, query_string(ctx.req, "cursor", 500));
        YW_ASSIGN(q.from, query_time(ctx.req, "from"));
        YW_ASSIGN(q.to, query_time(ctx.req, "to"));
        YW_ASSIGN(q.team_id, query_int(ctx.req, "team_id"));
        YW_ASSIGN(auto rating, query_int(ctx.req, "rating"));
        if (rating) q.rating = static_cast<int>(*rating);
        YW_ASSIGN(auto page, ctx.deps.tickets.surveys(viewer_of(ctx), q));
        YW_ASSIGN(auto summary, ctx.deps.tickets.survey_summary(viewer_of(ctx), q));
        json items = json::array();
        for (const auto& s : page.items) {
          items.push_back({{"number", s.number},
                           {"title", s.title},
                           {"team_id", s.team_id ? json(*s.team_id) : json(nullptr)},
                           {"rating", s.survey.rating},
                           {"comment", s.survey.comment},
                           {"requester_id", s.survey.requester_id},
                           {"created_at", time_json(s.survey.created_at)}});
        }
        json by_rating = json::object();
        for (int i = 0; i < 5; ++i) by_rating[std::to_string(i + 1)] = summary.by_rating[i];
        return json_response(
            200,
            {{"items", items},
             {"next_cursor", page.next_cursor ? json(*page.next_cursor) : json(nullptr)},
             {"summary",
              {{"count", summary.count}, {"average", summary.average}, {"by_rating", by_rating}}}});
      });

  r.add("GET", "/api/v1/search", Permission::kTicketsRead,
        "Search what the caller may see, ranked, with highlighted snippets (q, limit)",
        [](Ctx& ctx) -> core::Result<http::Response> {
          YW_ASSIGN(std::string q, query_string(ctx.req, "q", 200));
          YW_ASSIGN(int limit, query_limit(ctx.req));
          if (core::trim(q).empty()) return core::invalid("q", "is required");
          tickets::Viewer v = viewer_of(ctx);
          YW_ASSIGN(auto hits, ctx.deps.tickets.search(v, q, std::min(limit, 100)));
          std::vector<std::int64_t> ids;
          ids.reserve(hits.size());
          for (const tickets::SearchResult& h : hits) ids.push_back(h.ticket.id);
          YW_ASSIGN(auto slas, sla::load_summaries(ctx.deps.db, ids));
          JsonWriter w;
          w.begin_object().key("items").begin_array();
          for (const tickets::SearchResult& h : hits) {
            w.begin_object();
            w.key("type").value("ticket");
            w.key("number").value(h.ticket.number);
            w.key("title").value(h.ticket.title);
            w.key("status").value(h.ticket.status);
            w.key("priority").value(h.ticket.priority);
            w.key("kind").value(h.ticket.kind);
            w.key("updated_at").value(core::format_iso8601(h.ticket.updated_at));
            w.key("snippet").value(h.snippet);
            w.key("score").raw(std::to_string(h.score));
            write_sla(w, find_sla(slas, h.ticket.id));
            w.end_object();
          }
          w.end_array().end_object();
          return http::Response::json(200, w.take());
        });

  r.add("GET", "/api/v1/me/ticket-views", Permission::kSelf, "My saved ticket list views",
        [](Ctx& ctx) -> core::Result<http::Response> {
          YW_ASSIGN(auto views, ctx.deps.views.list(ctx.principal->user_id));
          json out = json::array();
          for (const auto& v : views) {
            out.push_back({{"id", v.id},
                           {"name", v.name},
                           {"query", json::parse(v.query_json, nullptr, false)},
                           {"created_at", time_json(v.created_at)}});
          }
          return json_response(200, {{"items", out}});
        });

  r.add("POST", "/api/v1/me/ticket-views", Permission::kSelf,
        "Save a ticket list view: {\"name\":..., \"query\":{\"status\":\"new\",...}}",
        [](Ctx& ctx) -> core::Result<http::Response> {
          YW_ASSIGN(Body body, Body::parse(ctx.req, {"name", "query"}));
          YW_ASSIGN(std::string name, body.string("name", 100));
          YW_ASSIGN(auto query, body.opt_json_text("query"));
          if (!query) return core::invalid("query", "is required");
          YW_ASSIGN(tickets::SavedView v,
                    ctx.deps.views.create(ctx.actor(), ctx.principal->user_id, name, *query));
          return json_response(201, {{"id", v.id},
                                     {"name", v.name},
                                     {"query", json::parse(v.query_json, nullptr, false)},
                                     {"created_at", time_json(v.created_at)}});
        });

  r.add("DELETE", "/api/v1/me/ticket-views/{id}", Permission::kSelf, "Delete a saved view",
        [](Ctx& ctx) -> core::Result<http::Response> {
          YW_ASSIGN(std::int64_t id, path_id(ctx.req));
          YW_TRY(Body::parse(ctx.req, {}, true));
          YW_TRY(ctx.deps.views.remove(ctx.actor(), ctx.principal->user_id, id));
          return no_content();
        });
}

}  // namespace yunwei::api
