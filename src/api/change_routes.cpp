// Change management routes (issue #7): changes created through POST /api/v1/tickets, their own
// fields, approvals, conflicts and override, post-implementation review, the approver's inbox,
// the change calendar and statistics.
#include <algorithm>

#include "api/internal.h"
#include "change/change_config.h"
#include "change/change_service.h"

namespace yunwei::api {
namespace {

using identity::Permission;

std::string number_param(const Ctx& ctx) { return std::string(ctx.req.path_param("number")); }

void write_conflict(JsonWriter& w, const change::Conflict& c) {
  w.begin_object();
  w.key("kind").value(change::conflict_kind_name(c.kind));
  w.key("with").value(c.with);
  w.key("with_id").value(c.with_id);
  w.key("ci_id").value(c.ci_id);
  w.key("ci_name").value(c.ci_name);
  w.key("reason").value(c.reason);
  w.end_object();
}

void write_conflicts(JsonWriter& w, const std::vector<change::Conflict>& cs) {
  w.begin_array();
  for (const change::Conflict& c : cs) write_conflict(w, c);
  w.end_array();
}

std::string name_of(const change::ChangeView& cv, std::int64_t id) {
  auto it = cv.user_names.find(id);
  return it == cv.user_names.end() ? std::string() : it->second;
}

// The change fields of a request body (create and PATCH).
core::Result<change::ChangeFields> read_fields(const Body& body) {
  change::ChangeFields f;
  YW_ASSIGN(f.reason, body.opt_string("reason", 5000));
  YW_ASSIGN(f.implementation_plan, body.opt_string("implementation_plan", 20000));
  YW_ASSIGN(f.backout_plan, body.opt_string("backout_plan", 20000));
  YW_ASSIGN(f.test_plan, body.opt_string("test_plan", 20000));
  YW_ASSIGN(f.planned_start, body.opt_time("planned_start"));
  YW_ASSIGN(f.planned_end, body.opt_time("planned_end"));
  YW_ASSIGN(f.ci_ids, body.opt_ints("ci_ids", 200));
  YW_ASSIGN(auto answers, body.opt_json_text("risk_answers"));
  if (answers) {
    json j = json::parse(*answers, nullptr, false);
    if (!j.is_object()) {
      return core::invalid("risk_answers", "must be an object of question key -> option value");
    }
    std::map<std::string, std::string> m;
    for (auto it = j.begin(); it != j.end(); ++it) {
      if (!it.value().is_string())
        return core::invalid("risk_answers." + it.key(), "must be a string (an option value)");
      m[it.key()] = it.value().get<std::string>();
    }
    f.risk_answers = std::move(m);
  }
  return f;
}

core::Result<change::ChangeType> read_type(const Body& body, bool required) {
  YW_ASSIGN(auto t, body.opt_string("change_type", 20, false));
  if (!t) {
    if (required) return core::invalid("change_type", "is required: standard, normal or emergency");
    return change::ChangeType::kNormal;
  }
  auto type = change::parse_change_type(*t);
  if (!type) return core::invalid("change_type", "must be standard, normal or emergency");
  return *type;
}

core::Result<http::Response> answer_with_conflicts(Ctx& ctx, const tickets::Ticket& t, int status) {
  // The detail, with the conflicts checked on save.
  YW_ASSIGN(http::Response res, ticket_detail_response(ctx, t.number, status));
  if (res.status >= 300) return res;
  tickets::Viewer v = viewer_of(ctx);
  // The change is stored: a failing check is reported as unknown conflicts, not as a failure.
  auto report = ctx.deps.changes.conflicts(v, t.number);
  JsonWriter w;
  if (report.ok()) {
    write_conflicts(w, report->conflicts);
  } else {
    w.null();
  }
  // Splice "conflicts" into the detail object.
  std::string body = std::move(res.body);
  if (!body.empty() && body.back() == '}') {
    body.pop_back();
    body += ",\"conflicts\":" + w.take() + "}";
  }
  res.body = std::move(body);
  if (t.number.size() && status == 201) res.set_header("location", "/api/v1/tickets/" + t.number);
  return res;
}

}  // namespace

core::Result<http::Response> create_change(Ctx& ctx) {
  YW_ASSIGN(Body body, Body::parse(ctx.req, {"kind",         "change_type", "template_id",
                                             "title",        "description", "impact",
                                             "urgency",      "channel",     "category_id",
                                             "requester_id", "service_id",  "assignee_team_id",
                                             "assignee_id",  "ci_ids",      "planned_start",
                                             "planned_end",  "reason",      "implementation_plan",
                                             "backout_plan", "test_plan",   "risk_answers"}));
  change::NewChange n;
  YW_ASSIGN(n.type, read_type(body, true));
  YW_ASSIGN(n.template_id, body.opt_int("template_id"));
  YW_ASSIGN(auto title, body.opt_string("title", 200, false));
  if (title) n.base.title = *title;
  if (!n.template_id && n.base.title.empty()) {
    YW_ASSIGN(n.base.title, body.string("title", 200));
  }
  YW_ASSIGN(auto description, body.opt_string("description", 20000));
  if (description) n.base.description = *description;
  YW_ASSIGN(auto impact, body.opt_int("impact"));
  YW_ASSIGN(auto urgency, body.opt_int("urgency"));
  if (impact) n.base.impact = static_cast<int>(std::clamp<std::int64_t>(*impact, -1, 99));
  if (urgency) n.base.urgency = static_cast<int>(std::clamp<std::int64_t>(*urgency, -1, 99));
  YW_ASSIGN(auto channel, body.opt_string("channel", 20, false));
  if (channel) n.base.channel = *channel;
  YW_ASSIGN(auto category, body.opt_nullable_int("category_id"));
  if (category) n.base.category_id = *category;
  YW_ASSIGN(n.base.requester_id, body.opt_int("requester_id"));
  YW_ASSIGN(auto service, body.opt_nullable_int("service_id"));
  if (service) n.base.service_id = *service;
  YW_ASSIGN(auto team, body.opt_nullable_int("assignee_team_id"));
  if (team) n.base.assignee_team_id = *team;
  YW_ASSIGN(auto person, body.opt_nullable_int("assignee_id"));
  if (person) n.base.assignee_id = *person;
  YW_ASSIGN(n.fields, read_fields(body));
  tickets::Viewer v = viewer_of(ctx);
  YW_ASSIGN(tickets::Ticket t, ctx.deps.changes.create(ctx.actor(), v, n));
  return answer_with_conflicts(ctx, t, 201);
}

core::Status write_change_view(Ctx& ctx, JsonWriter& w, const tickets::Ticket& t,
                               const tickets::Viewer& v) {
  YW_ASSIGN(change::ChangeView cv, ctx.deps.changes.view(v, t.id));
  w.key("change").begin_object();
  w.key("change_type").value(change::change_type_name(cv.type));
  w.key("template_id");
  if (cv.template_id) {
    w.value(*cv.template_id);
  } else {
    w.null();
  }
  w.key("reason").value(cv.reason);
  w.key("implementation_plan").value(cv.implementation_plan);
  w.key("backout_plan").value(cv.backout_plan);
  w.key("test_plan").value(cv.test_plan);
  opt_time(w, "planned_start", cv.planned_start);
  opt_time(w, "planned_end", cv.planned_end);
  opt_time(w, "actual_start", cv.actual_start);
  opt_time(w, "actual_end", cv.actual_end);
  write_ci_list(w, cv.cis);
  w.key("affected_services").begin_array();
  for (const change::ServiceTouched& s : cv.affected_services) {
    w.begin_object();
    w.key("id").value(s.id);
    w.key("name").value(s.name);
    w.end_object();
  }
  w.end_array();
  w.key("risk");
  if (cv.risk_score) {
    w.begin_object();
    w.key("answers").begin_object();
    for (const auto& [k, val] : cv.risk_answers) w.key(k).value(val);
    w.end_object();
    w.key("score").value(std::int64_t{*cv.risk_score});
    w.key("level").value(cv.risk_level);
    w.end_object();
  } else {
    w.null();
  }
  w.key("approval").begin_object();
  w.key("state").value(cv.approval_state);
  w.key("round").value(std::int64_t{cv.approval_round});
  w.key("steps").begin_array();
  for (const change::ApprovalStepView& s : cv.steps) {
    w.begin_object();
    w.key("name").value(s.step.name);
    w.key("name_zh").value(s.name_zh);
    w.key("group").value(change::approver_group_name(s.step.group));
    w.key("rule").value(change::approval_rule_name(s.step.rule));
    w.key("state").value(change::approval_state_name(s.status.state));
    w.key("approvers").begin_array();
    for (std::int64_t id : s.step.approvers) {
      w.begin_object();
      w.key("id").value(id);
      w.key("name").value(name_of(cv, id));
      w.end_object();
    }
    w.end_array();
    w.key("awaiting").value(s.status.awaiting);
    w.key("decisions").begin_array();
    for (const change::ApprovalDecision& d : s.step.decisions) {
      w.begin_object();
      w.key("user_id").value(d.user_id);
      w.key("user_name").value(name_of(cv, d.user_id));
      w.key("verdict").value(change::verdict_name(d.verdict));
      w.key("comment").value(d.comment);
      w.key("at").value(core::format_iso8601(d.at));
      w.end_object();
    }
    w.end_array();
    w.end_object();
  }
  w.end_array();
  w.end_object();
  w.key("override");
  if (cv.override) {
    w.begin_object();
    w.key("reason").value(cv.override->reason);
    w.key("by").value(cv.override->by);
    w.key("by_name").value(name_of(cv, cv.override->by));
    w.key("at").value(core::format_iso8601(cv.override->at));
    w.key("conflicts");
    write_conflicts(w, cv.override->conflicts);
    w.end_object();
  } else {
    w.null();
  }
  w.key("review");
  if (cv.review) {
    w.begin_object();
    w.key("outcome").value(change::review_outcome_name(cv.review->outcome));
    w.key("notes").value(cv.review->notes);
    w.key("by");
    if (cv.review->by) {
      w.value(*cv.review->by);
    } else {
      w.null();
    }
    w.key("by_name").value(cv.review->by ? name_of(cv, *cv.review->by) : std::string());
    w.key("at").value(core::format_iso8601(cv.review->at));
    w.key("caused_incidents").value(cv.review->caused_incidents);
    w.end_object();
  } else {
    w.null();
  }
  w.key("retrospective_review").value(cv.retrospective_review);
  w.end_object();
  return {};
}

void register_change_routes(Registry& r) {
  r.add("PATCH", "/api/v1/tickets/{number}/change", Permission::kTicketsWork,
        "Edit a change's plan: reason, plans, planned times, CIs, risk answers, type (send the "
        "ticket version you read); answers the detail with the conflicts found",
        [](Ctx& ctx) -> core::Result<http::Response> {
          YW_ASSIGN(Body body,
                    Body::parse(ctx.req, {"version", "change_type", "ci_ids", "planned_start",
                                          "planned_end", "reason", "implementation_plan",
                                          "backout_plan", "test_plan", "risk_answers"}));
          YW_ASSIGN(std::int64_t version, expected_version(ctx, body));
          YW_ASSIGN(change::ChangeFields f, read_fields(body));
          std::optional<change::ChangeType> type;
          if (body.has("change_type")) {
            YW_ASSIGN(type, read_type(body, true));
          }
          tickets::Viewer v = viewer_of(ctx);
          YW_ASSIGN(tickets::Ticket t,
                    ctx.deps.changes.update(ctx.actor(), v, number_param(ctx), version, f, type));
          return answer_with_conflicts(ctx, t, 200);
        });

  r.add("POST", "/api/v1/tickets/{number}/approvals", Permission::kChangesApprove,
        "Approve or reject the open approval step of a change (an approver of the step); a "
        "rejection needs a comment and returns the change to new",
        [](Ctx& ctx) -> core::Result<http::Response> {
          YW_ASSIGN(Body body, Body::parse(ctx.req, {"decision", "comment"}));
          YW_ASSIGN(std::string decision, body.string("decision", 20));
          auto verdict = change::parse_verdict(decision);
          if (!verdict) return core::invalid("decision", "must be approve or reject");
          YW_ASSIGN(auto comment, body.opt_string("comment", 2000));
          tickets::Viewer v = viewer_of(ctx);
          YW_ASSIGN(tickets::Ticket t, ctx.deps.changes.decide(ctx.actor(), v, number_param(ctx),
                                                               *verdict, comment.value_or("")));
          return ticket_detail_response(ctx, t.number, 200);
        });

  r.add("GET", "/api/v1/approvals/inbox", Permission::kChangesApprove,
        "The changes whose open approval step waits for the caller",
        [](Ctx& ctx) -> core::Result<http::Response> {
          tickets::Viewer v = viewer_of(ctx);
          YW_ASSIGN(std::vector<change::InboxItem> items, ctx.deps.changes.inbox(v));
          JsonWriter w;
          w.begin_object();
          w.key("items").begin_array();
          for (const change::InboxItem& i : items) {
            w.begin_object();
            w.key("number").value(i.number);
            w.key("title").value(i.title);
            w.key("change_type").value(change::change_type_name(i.type));
            w.key("risk_level").value(i.risk_level);
            opt_time(w, "planned_start", i.planned_start);
            opt_time(w, "planned_end", i.planned_end);
            w.key("step").begin_object();
            w.key("name").value(i.step_name);
            w.key("name_zh").value(i.step_name_zh);
            w.key("group").value(change::approver_group_name(i.group));
            w.key("rule").value(change::approval_rule_name(i.rule));
            w.end_object();
            w.key("requested_at").value(core::format_iso8601(i.requested_at));
            w.end_object();
          }
          w.end_array();
          w.key("total").value(static_cast<std::int64_t>(items.size()));
          w.end_object();
          return http::Response::json(200, w.take());
        });

  r.add("GET", "/api/v1/tickets/{number}/conflicts", Permission::kChangesRead,
        "A change's conflicts: other changes overlapping on the same or related CIs, freeze "
        "windows, time outside the services' maintenance windows; and the override, if any",
        [](Ctx& ctx) -> core::Result<http::Response> {
          tickets::Viewer v = viewer_of(ctx);
          std::string number = number_param(ctx);
          YW_ASSIGN(change::ChangeService::ConflictReport report,
                    ctx.deps.changes.conflicts(v, number));
          JsonWriter w;
          w.begin_object();
          w.key("conflicts");
          write_conflicts(w, report.conflicts);
          w.key("override");
          if (report.override) {
            w.begin_object();
            w.key("reason").value(report.override->reason);
            w.key("by").value(report.override->by);
            w.key("by_name").value(report.override_by_name);
            w.key("at").value(core::format_iso8601(report.override->at));
            w.key("conflicts");
            write_conflicts(w, report.override->conflicts);
            w.end_object();
          } else {
            w.null();
          }
          w.end_object();
          return http::Response::json(200, w.take());
        });

  r.add("POST", "/api/v1/tickets/{number}/conflicts/override", Permission::kTicketsWork,
        "Authorise a change despite its current conflicts (a member of the change advisory board, "
        "with a reason); an approved change waiting on them moves to scheduled",
        [](Ctx& ctx) -> core::Result<http::Response> {
          YW_ASSIGN(Body body, Body::parse(ctx.req, {"reason"}));
          YW_ASSIGN(std::string reason, body.string("reason", 2000));
          tickets::Viewer v = viewer_of(ctx);
          YW_ASSIGN(tickets::Ticket t,
                    ctx.deps.changes.override_conflicts(ctx.actor(), v, number_param(ctx), reason));
          return ticket_detail_response(ctx, t.number, 200);
        });

  r.add("POST", "/api/v1/tickets/{number}/review", Permission::kTicketsWork,
        "Record a change's post-implementation review: outcome (successful, partial, failed), "
        "notes, the incidents it caused (linked to the change)",
        [](Ctx& ctx) -> core::Result<http::Response> {
          YW_ASSIGN(Body body, Body::parse(ctx.req, {"outcome", "notes", "caused_incidents"}));
          YW_ASSIGN(std::string outcome_text, body.string("outcome", 20));
          auto outcome = change::parse_review_outcome(outcome_text);
          if (!outcome) return core::invalid("outcome", "must be successful, partial or failed");
          YW_ASSIGN(auto notes, body.opt_string("notes", 5000));
          YW_ASSIGN(auto caused, body.opt_strings("caused_incidents", 100));
          tickets::Viewer v = viewer_of(ctx);
          YW_ASSIGN(tickets::Ticket t,
                    ctx.deps.changes.review(ctx.actor(), v, number_param(ctx), *outcome,
                                            notes.value_or(""),
                                            caused.value_or(std::vector<std::string>{})));
          return ticket_detail_response(ctx, t.number, 200);
        });

  r.add("GET", "/api/v1/changes/calendar", Permission::kChangesRead,
        "The change calendar: changes planned in [from, to) (at most 2,000; truncated says when "
        "more), freeze windows and maintenance window occurrences (service_id: changes on that "
        "service and what it depends on; conflicts=true: each change's conflict count, for up "
        "to 300 changes)",
        [](Ctx& ctx) -> core::Result<http::Response> {
          YW_ASSIGN(auto from, query_time(ctx.req, "from"));
          YW_ASSIGN(auto to, query_time(ctx.req, "to"));
          if (!from) return core::invalid("from", "is required (RFC 3339)");
          if (!to) return core::invalid("to", "is required (RFC 3339)");
          YW_ASSIGN(auto service, query_int(ctx.req, "service_id"));
          YW_ASSIGN(auto with_conflicts, query_bool(ctx.req, "conflicts"));
          tickets::Viewer v = viewer_of(ctx);
          YW_ASSIGN(
              change::ChangeCalendar cal,
              ctx.deps.changes.calendar(v, *from, *to, service, with_conflicts.value_or(false)));
          JsonWriter w;
          w.begin_object();
          w.key("from").value(core::format_iso8601(*from));
          w.key("to").value(core::format_iso8601(*to));
          w.key("changes").begin_array();
          for (const change::CalendarChange& c : cal.changes) {
            w.begin_object();
            w.key("number").value(c.number);
            w.key("title").value(c.title);
            w.key("status").value(c.status);
            w.key("change_type").value(change::change_type_name(c.type));
            w.key("risk_level").value(c.risk_level);
            w.key("planned_start").value(core::format_iso8601(c.planned_start));
            w.key("planned_end").value(core::format_iso8601(c.planned_end));
            w.key("ci_ids").value(c.ci_ids);
            w.key("conflict_count");
            if (cal.conflicts_counted) {
              w.value(std::int64_t{c.conflict_count});
            } else {
              w.null();
            }
            w.end_object();
          }
          w.end_array();
          w.key("truncated").value(cal.truncated);
          w.key("freeze_windows").begin_array();
          for (const change::CalendarFreeze& f : cal.freezes) {
            w.begin_object();
            w.key("id").value(f.window.id);
            w.key("name").value(f.window.name);
            w.key("reason").value(f.reason);
            w.key("start").value(core::format_iso8601(f.window.start));
            w.key("end").value(core::format_iso8601(f.window.end));
            w.key("service_ids").value(f.window.service_ci_ids);
            w.key("service_names").value(f.service_names);
            w.end_object();
          }
          w.end_array();
          w.key("maintenance_windows").begin_array();
          for (const change::CalendarMaintenance& m : cal.maintenance) {
            w.begin_object();
            w.key("id").value(m.window_id);
            w.key("service_id").value(m.service_id);
            w.key("service_name").value(m.service_name);
            w.key("name").value(m.name);
            w.key("start").value(core::format_iso8601(m.start));
            w.key("end").value(core::format_iso8601(m.end));
            w.end_object();
          }
          w.end_array();
          w.end_object();
          return http::Response::json(200, w.take());
        });

  r.add("GET", "/api/v1/changes/stats", Permission::kChangesRead,
        "Change success rate over [from, to): implemented changes by review outcome, those that "
        "caused incidents, and the share of emergency changes among those raised",
        [](Ctx& ctx) -> core::Result<http::Response> {
          YW_ASSIGN(auto from, query_time(ctx.req, "from"));
          YW_ASSIGN(auto to, query_time(ctx.req, "to"));
          if (!from) return core::invalid("from", "is required (RFC 3339)");
          if (!to) return core::invalid("to", "is required (RFC 3339)");
          tickets::Viewer v = viewer_of(ctx);
          YW_ASSIGN(change::ChangeStats s, ctx.deps.changes.stats(v, *from, *to));
          JsonWriter w;
          w.begin_object();
          w.key("implemented").value(s.implemented);
          w.key("successful").value(s.successful);
          w.key("partial").value(s.partial);
          w.key("failed").value(s.failed);
          w.key("unreviewed").value(s.unreviewed);
          w.key("caused_incidents").value(s.caused_incidents);
          w.key("success_rate").raw(json(s.success_rate).dump());
          w.key("created").value(s.created);
          w.key("emergency").value(s.emergency);
          w.key("emergency_ratio").raw(json(s.emergency_ratio).dump());
          w.end_object();
          return http::Response::json(200, w.take());
        });
}

}  // namespace yunwei::api
