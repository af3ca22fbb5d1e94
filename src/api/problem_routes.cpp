// Problem management routes (issue #7): problems (tickets of kind "problem") with their
// analysis, linked incidents and known errors; known-error search, suggestions for an incident
// and applying one; the problem-candidates report.
#include "api/internal.h"
#include "change/problem_service.h"
#include "core/text.h"

namespace yunwei::api {

using identity::Permission;

namespace {

std::string number_of(const Ctx& ctx, std::string_view name = "number") {
  return std::string(ctx.req.path_param(name));
}

core::Result<std::optional<int>> one_to_five(const Body& body, std::string_view name) {
  YW_ASSIGN(auto v, body.opt_int(name));
  if (!v) return std::optional<int>{};
  if (*v < 1 || *v > 5) return core::invalid(std::string(name), "must be between 1 and 5");
  return std::optional<int>{static_cast<int>(*v)};
}

// A query parameter that must be an int within [lo, hi] when given.
core::Result<std::optional<int>> query_range(const http::Request& req, std::string_view name,
                                             int lo, int hi) {
  YW_ASSIGN(auto v, query_int(req, name));
  if (!v) return std::optional<int>{};
  if (*v < lo || *v > hi) {
    return core::invalid(std::string(name),
                         "must be between " + std::to_string(lo) + " and " + std::to_string(hi));
  }
  return std::optional<int>{static_cast<int>(*v)};
}

void write_known_error_fields(JsonWriter& w, const change::KnownError& k) {
  w.key("number").value(k.number);
  w.key("title").value(k.title);
  w.key("status").value(k.status);
  w.key("symptoms").value(k.text.symptoms);
  w.key("root_cause").value(k.text.root_cause);
  w.key("workaround").value(k.text.workaround);
  w.key("known_error_at").value(core::format_iso8601(k.known_error_at));
  w.key("ci_ids").value(k.ci_ids);
  w.key("service_id");
  if (k.service_id) {
    w.value(*k.service_id);
  } else {
    w.null();
  }
}

}  // namespace

core::Result<http::Response> create_problem(Ctx& ctx) {
  tickets::Viewer v = viewer_of(ctx);
  if (!v.agent) return core::forbidden("only agents raise problems");
  YW_ASSIGN(
      Body body,
      Body::parse(ctx.req, {"kind", "title", "description", "impact", "urgency", "category_id",
                            "service_id", "assignee_team_id", "assignee_id", "incident_numbers",
                            "ci_ids", "symptoms", "root_cause", "workaround", "permanent_fix"}));
  change::NewProblem n;
  n.base.kind = "problem";
  YW_ASSIGN(n.base.title, body.string("title", 200));
  YW_ASSIGN(auto description, body.opt_string("description", 20000));
  if (description) n.base.description = *description;
  YW_ASSIGN(auto impact, one_to_five(body, "impact"));
  if (impact) n.base.impact = *impact;
  YW_ASSIGN(auto urgency, one_to_five(body, "urgency"));
  if (urgency) n.base.urgency = *urgency;
  YW_ASSIGN(auto category, body.opt_nullable_int("category_id"));
  if (category) n.base.category_id = *category;
  YW_ASSIGN(auto service, body.opt_nullable_int("service_id"));
  n.service_given = service.has_value();
  if (service) n.base.service_id = *service;
  YW_ASSIGN(auto team, body.opt_nullable_int("assignee_team_id"));
  if (team) n.base.assignee_team_id = *team;
  YW_ASSIGN(auto person, body.opt_nullable_int("assignee_id"));
  if (person) n.base.assignee_id = *person;
  YW_ASSIGN(auto incidents, body.opt_strings("incident_numbers", 100));
  if (incidents) n.incident_numbers = *incidents;
  YW_ASSIGN(n.ci_ids, body.opt_ints("ci_ids", 200));
  YW_ASSIGN(auto symptoms, body.opt_string("symptoms", 20000));
  if (symptoms) n.text.symptoms = *symptoms;
  YW_ASSIGN(auto root_cause, body.opt_string("root_cause", 20000));
  if (root_cause) n.text.root_cause = *root_cause;
  YW_ASSIGN(auto workaround, body.opt_string("workaround", 20000));
  if (workaround) n.text.workaround = *workaround;
  YW_ASSIGN(auto permanent_fix, body.opt_string("permanent_fix", 20000));
  if (permanent_fix) n.text.permanent_fix = *permanent_fix;
  YW_ASSIGN(tickets::Ticket t, ctx.deps.problems.create(ctx.actor(), v, n));
  YW_ASSIGN(http::Response res, ticket_detail_response(ctx, t.number, 201));
  res.set_header("location", "/api/v1/tickets/" + t.number);
  return res;
}

core::Status write_problem_view(Ctx& ctx, JsonWriter& w, const tickets::Ticket& t,
                                const tickets::Viewer& v) {
  w.key("problem");
  // Problems are the team's analysis: requesters who may see the ticket do not see it.
  if (!v.staff) {
    w.null();
    return {};
  }
  YW_ASSIGN(change::ProblemView p, ctx.deps.problems.view(v, t));
  w.begin_object();
  w.key("symptoms").value(p.text.symptoms);
  w.key("root_cause").value(p.text.root_cause);
  w.key("workaround").value(p.text.workaround);
  w.key("permanent_fix").value(p.text.permanent_fix);
  w.key("known_error").value(p.known_error_at.has_value());
  opt_time(w, "known_error_at", p.known_error_at);
  w.key("known_error_by");
  if (p.known_error_by) {
    w.value(*p.known_error_by);
  } else {
    w.null();
  }
  write_ci_list(w, p.cis);
  w.key("incidents").begin_array();
  for (const change::LinkedIncident& i : p.incidents) {
    w.begin_object();
    w.key("number").value(i.number);
    w.key("title").value(i.title);
    w.key("status").value(i.status);
    w.key("priority").value(i.priority);
    w.key("via_known_error").value(i.via_known_error);
    w.key("linked_at").value(core::format_iso8601(i.linked_at));
    w.end_object();
  }
  w.end_array();
  w.end_object();
  return {};
}

void register_problem_routes(Registry& r) {
  r.add("PATCH", "/api/v1/tickets/{number}/problem", Permission::kTicketsWork,
        "Update a problem's analysis: symptoms, root cause, workaround, permanent fix, CIs (send "
        "the ticket version you read)",
        [](Ctx& ctx) -> core::Result<http::Response> {
          YW_ASSIGN(Body body, Body::parse(ctx.req, {"version", "symptoms", "root_cause",
                                                     "workaround", "permanent_fix", "ci_ids"}));
          change::ProblemPatch p;
          YW_ASSIGN(p.version, expected_version(ctx, body));
          YW_ASSIGN(p.symptoms, body.opt_string("symptoms", 20000));
          YW_ASSIGN(p.root_cause, body.opt_string("root_cause", 20000));
          YW_ASSIGN(p.workaround, body.opt_string("workaround", 20000));
          YW_ASSIGN(p.permanent_fix, body.opt_string("permanent_fix", 20000));
          YW_ASSIGN(p.ci_ids, body.opt_ints("ci_ids", 200));
          YW_ASSIGN(tickets::Ticket t,
                    ctx.deps.problems.update(ctx.actor(), viewer_of(ctx), number_of(ctx), p));
          return ticket_detail_response(ctx, t.number, 200);
        });

  r.add("POST", "/api/v1/tickets/{number}/incidents", Permission::kTicketsWork,
        "Link more incidents to a problem: {\"numbers\":[\"INC-000001\"]}",
        [](Ctx& ctx) -> core::Result<http::Response> {
          YW_ASSIGN(Body body, Body::parse(ctx.req, {"numbers"}));
          YW_ASSIGN(auto numbers, body.opt_strings("numbers", 100));
          if (!numbers) return core::invalid("numbers", "is required: the incidents to link");
          YW_ASSIGN(tickets::Ticket t, ctx.deps.problems.link_incidents(ctx.actor(), viewer_of(ctx),
                                                                        number_of(ctx), *numbers));
          return ticket_detail_response(ctx, t.number, 200);
        });

  r.add("DELETE", "/api/v1/tickets/{number}/incidents/{incident}", Permission::kTicketsWork,
        "Unlink an incident from a problem", [](Ctx& ctx) -> core::Result<http::Response> {
          YW_TRY(Body::parse(ctx.req, {}, true));
          YW_ASSIGN(tickets::Ticket t,
                    ctx.deps.problems.unlink_incident(ctx.actor(), viewer_of(ctx), number_of(ctx),
                                                      number_of(ctx, "incident")));
          return ticket_detail_response(ctx, t.number, 200);
        });

  r.add("POST", "/api/v1/tickets/{number}/known-error", Permission::kTicketsWork,
        "Publish (or withdraw) a problem's workaround as a known error: {\"published\":true}",
        [](Ctx& ctx) -> core::Result<http::Response> {
          YW_ASSIGN(Body body, Body::parse(ctx.req, {"published", "version"}));
          YW_ASSIGN(auto published, body.opt_bool("published"));
          if (!published) return core::invalid("published", "is required: true or false");
          YW_ASSIGN(auto version, body.opt_int("version"));
          YW_ASSIGN(tickets::Ticket t,
                    ctx.deps.problems.set_known_error(ctx.actor(), viewer_of(ctx), number_of(ctx),
                                                      *published, version));
          return ticket_detail_response(ctx, t.number, 200);
        });

  r.add("GET", "/api/v1/known-errors", Permission::kChangesRead,
        "Published known errors (q: full text; ci_id, service_id; limit)",
        [](Ctx& ctx) -> core::Result<http::Response> {
          change::KnownErrorQuery q;
          YW_ASSIGN(q.q, query_string(ctx.req, "q"));
          YW_ASSIGN(q.limit, query_limit(ctx.req));
          YW_ASSIGN(q.ci_id, query_int(ctx.req, "ci_id"));
          YW_ASSIGN(q.service_id, query_int(ctx.req, "service_id"));
          YW_ASSIGN(auto items, ctx.deps.problems.known_errors(viewer_of(ctx), q));
          JsonWriter w;
          w.begin_object().key("items").begin_array();
          for (const change::KnownError& k : items) {
            w.begin_object();
            write_known_error_fields(w, k);
            w.end_object();
          }
          w.end_array().end_object();
          return http::Response::json(200, w.take());
        });

  r.add("GET", "/api/v1/tickets/{number}/known-errors", Permission::kChangesRead,
        "Known errors suggested for an incident (same CI, same service, similar text), best "
        "first, at most 10",
        [](Ctx& ctx) -> core::Result<http::Response> {
          YW_ASSIGN(auto items, ctx.deps.problems.suggestions(viewer_of(ctx), number_of(ctx)));
          JsonWriter w;
          w.begin_object().key("items").begin_array();
          for (const change::KnownErrorSuggestion& s : items) {
            w.begin_object();
            write_known_error_fields(w, s.known_error);
            w.key("reasons").value(s.reasons);
            w.key("linked").value(s.linked);
            w.end_object();
          }
          w.end_array().end_object();
          return http::Response::json(200, w.take());
        });

  r.add("POST", "/api/v1/tickets/{number}/known-errors/{problem}/apply", Permission::kTicketsWork,
        "Apply a known error to an incident: links it to the problem and adds the workaround as "
        "an internal note",
        [](Ctx& ctx) -> core::Result<http::Response> {
          if (!ctx.req.body.empty()) {
            YW_ASSIGN(Body body, Body::parse(ctx.req, {}, true));
            (void)body;
          }
          YW_ASSIGN(change::ApplyResult a,
                    ctx.deps.problems.apply_known_error(ctx.actor(), viewer_of(ctx), number_of(ctx),
                                                        number_of(ctx, "problem")));
          YW_ASSIGN(http::Response detail, ticket_detail_response(ctx, a.incident.number, 200));
          JsonWriter w;
          w.begin_object();
          w.key("problem").value(a.problem_number);
          w.key("incident").raw(detail.body);
          w.end_object();
          return http::Response::json(200, w.take());
        });

  r.add("GET", "/api/v1/problem-candidates", Permission::kChangesRead,
        "Recurring incidents not linked to a problem, grouped by CI or category "
        "(group_by, window_days, min_incidents, limit)",
        [](Ctx& ctx) -> core::Result<http::Response> {
          change::CandidateQuery q;
          YW_ASSIGN(std::string group_by, query_string(ctx.req, "group_by", 20));
          if (!group_by.empty()) q.group_by = group_by;
          YW_ASSIGN(q.window_days, query_range(ctx.req, "window_days", 1, 365));
          YW_ASSIGN(q.min_incidents, query_range(ctx.req, "min_incidents", 2, 1000));
          YW_ASSIGN(q.limit, query_limit(ctx.req));
          YW_ASSIGN(change::CandidateReport rep, ctx.deps.problems.candidates(viewer_of(ctx), q));
          bool by_ci = rep.group_by == "ci";
          JsonWriter w;
          w.begin_object();
          w.key("group_by").value(rep.group_by);
          w.key("window_days").value(std::int64_t{rep.window_days});
          w.key("min_incidents").value(std::int64_t{rep.min_incidents});
          w.key("from").value(core::format_iso8601(rep.from));
          w.key("to").value(core::format_iso8601(rep.to));
          w.key("items").begin_array();
          for (const change::CandidateGroup& g : rep.groups) {
            w.begin_object();
            w.key("key").begin_object();
            w.key(by_ci ? "ci_id" : "category_id").value(g.id);
            w.key("name").value(g.name);
            if (by_ci) {
              w.key("type").value(g.type);
            } else {
              w.key("name_zh").value(g.name_zh);
            }
            w.end_object();
            w.key("count").value(g.count);
            w.key("first_at").value(core::format_iso8601(g.first_at));
            w.key("last_at").value(core::format_iso8601(g.last_at));
            w.key("incidents").begin_array();
            for (const change::CandidateIncident& i : g.incidents) {
              w.begin_object();
              w.key("number").value(i.number);
              w.key("title").value(i.title);
              w.key("status").value(i.status);
              w.key("priority").value(i.priority);
              w.key("created_at").value(core::format_iso8601(i.created_at));
              w.end_object();
            }
            w.end_array();
            w.end_object();
          }
          w.end_array();
          w.end_object();
          return http::Response::json(200, w.take());
        });
}

}  // namespace yunwei::api
