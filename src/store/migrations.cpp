#include "store/migrations.h"

#include <set>

#include "core/text.h"
#include "store/search/search.h"

namespace yunwei::store {
namespace {

const char* kCreateMigrationsTable =
    "CREATE TABLE IF NOT EXISTS schema_migrations ("
    " version {{INT}} PRIMARY KEY, name TEXT NOT NULL, applied_at {{INT}} NOT NULL)";

void replace_all(std::string& s, std::string_view from, std::string_view to) {
  for (size_t pos = s.find(from); pos != std::string::npos; pos = s.find(from, pos + to.size())) {
    s.replace(pos, from.size(), to);
  }
}

// Advisory lock key for migrations on PostgreSQL ("yunwei" in ASCII).
constexpr const char* kMigrationLock = "SELECT pg_advisory_xact_lock(121117110119101)";

}  // namespace

const std::vector<Migration>& all_migrations() {
  static const std::vector<Migration> kMigrations = {
      {1, "identity, audit events and outbox", R"SQL(
CREATE TABLE users (
  id {{ID}},
  username TEXT NOT NULL UNIQUE,
  display_name TEXT NOT NULL,
  email TEXT NOT NULL DEFAULT '',
  phone TEXT NOT NULL DEFAULT '',
  locale TEXT NOT NULL DEFAULT 'zh-CN',
  time_zone TEXT NOT NULL DEFAULT 'Asia/Shanghai',
  roles TEXT NOT NULL DEFAULT '',
  active {{INT}} NOT NULL DEFAULT 1,
  password_hash TEXT,
  created_at {{INT}} NOT NULL,
  updated_at {{INT}} NOT NULL,
  version {{INT}} NOT NULL DEFAULT 1
);
CREATE TABLE teams (
  id {{ID}},
  name TEXT NOT NULL UNIQUE,
  name_zh TEXT NOT NULL DEFAULT '',
  description TEXT NOT NULL DEFAULT '',
  lead_id {{INT}} REFERENCES users(id),
  active {{INT}} NOT NULL DEFAULT 1,
  created_at {{INT}} NOT NULL,
  updated_at {{INT}} NOT NULL,
  version {{INT}} NOT NULL DEFAULT 1
);
CREATE TABLE team_members (
  team_id {{INT}} NOT NULL REFERENCES teams(id),
  user_id {{INT}} NOT NULL REFERENCES users(id),
  created_at {{INT}} NOT NULL,
  PRIMARY KEY (team_id, user_id)
);
CREATE INDEX team_members_user ON team_members(user_id);
CREATE TABLE sessions (
  id {{ID}},
  token_hash TEXT NOT NULL UNIQUE,
  user_id {{INT}} NOT NULL REFERENCES users(id),
  csrf_token TEXT NOT NULL,
  created_at {{INT}} NOT NULL,
  expires_at {{INT}} NOT NULL,
  client_addr TEXT NOT NULL DEFAULT '',
  user_agent TEXT NOT NULL DEFAULT ''
);
CREATE INDEX sessions_user ON sessions(user_id);
CREATE TABLE api_tokens (
  id {{ID}},
  user_id {{INT}} NOT NULL REFERENCES users(id),
  name TEXT NOT NULL,
  token_hash TEXT NOT NULL UNIQUE,
  prefix TEXT NOT NULL,
  created_at {{INT}} NOT NULL,
  expires_at {{INT}},
  last_used_at {{INT}},
  revoked_at {{INT}},
  version {{INT}} NOT NULL DEFAULT 1
);
CREATE INDEX api_tokens_user ON api_tokens(user_id);
CREATE TABLE events (
  id {{ID}},
  at {{INT}} NOT NULL,
  actor_id {{INT}},
  action TEXT NOT NULL,
  object_type TEXT NOT NULL,
  object_id {{INT}},
  before_json TEXT,
  after_json TEXT,
  request_id TEXT NOT NULL DEFAULT ''
);
CREATE INDEX events_object ON events(object_type, object_id, id);
CREATE INDEX events_actor ON events(actor_id, id);
CREATE INDEX events_at ON events(at);
CREATE TABLE outbox (
  id {{ID}},
  created_at {{INT}} NOT NULL,
  channel TEXT NOT NULL,
  topic TEXT NOT NULL,
  recipient TEXT NOT NULL DEFAULT '',
  payload TEXT NOT NULL,
  status TEXT NOT NULL DEFAULT 'pending',
  attempts {{INT}} NOT NULL DEFAULT 0,
  next_attempt_at {{INT}} NOT NULL,
  last_error TEXT NOT NULL DEFAULT '',
  event_id {{INT}} REFERENCES events(id)
);
CREATE INDEX outbox_due ON outbox(status, next_attempt_at);
CREATE TABLE meta (
  key TEXT PRIMARY KEY,
  value TEXT NOT NULL
)
)SQL"},
      // Issue #4 is in progress: until it closes this migration may still change.
      {2, "tickets: the shared work item, categories, numbering, search index", R"SQL(
CREATE TABLE ticket_categories (
  id {{ID}},
  parent_id {{INT}} REFERENCES ticket_categories(id),
  code TEXT NOT NULL UNIQUE,
  name TEXT NOT NULL,
  name_zh TEXT NOT NULL DEFAULT '',
  security {{INT}} NOT NULL DEFAULT 0,
  active {{INT}} NOT NULL DEFAULT 1,
  sort_order {{INT}} NOT NULL DEFAULT 0,
  created_at {{INT}} NOT NULL,
  updated_at {{INT}} NOT NULL,
  version {{INT}} NOT NULL DEFAULT 1
);
CREATE TABLE ticket_counters (
  kind TEXT PRIMARY KEY,
  last_number {{INT}} NOT NULL
);
CREATE TABLE tickets (
  id {{ID}},
  number TEXT NOT NULL UNIQUE,
  kind TEXT NOT NULL,
  title TEXT NOT NULL,
  description TEXT NOT NULL DEFAULT '',
  status TEXT NOT NULL,
  impact {{INT}} NOT NULL,
  urgency {{INT}} NOT NULL,
  priority TEXT NOT NULL,
  priority_overridden {{INT}} NOT NULL DEFAULT 0,
  major {{INT}} NOT NULL DEFAULT 0,
  major_cadence_minutes {{INT}},
  major_stakeholder_ids TEXT NOT NULL DEFAULT '',
  major_declared_at {{INT}},
  last_public_update_at {{INT}},
  category_id {{INT}} REFERENCES ticket_categories(id),
  restricted {{INT}} NOT NULL DEFAULT 0,
  requester_id {{INT}} NOT NULL REFERENCES users(id),
  channel TEXT NOT NULL DEFAULT 'web',
  service_id {{INT}},
  ci_id {{INT}},
  assignee_team_id {{INT}} REFERENCES teams(id),
  assignee_id {{INT}} REFERENCES users(id),
  pending_reason TEXT NOT NULL DEFAULT '',
  resolution_code TEXT NOT NULL DEFAULT '',
  resolution_notes TEXT NOT NULL DEFAULT '',
  cancel_reason TEXT NOT NULL DEFAULT '',
  reopen_count {{INT}} NOT NULL DEFAULT 0,
  reassignment_count {{INT}} NOT NULL DEFAULT 0,
  escalation_level {{INT}} NOT NULL DEFAULT 0,
  first_contact_resolution {{INT}},
  created_by {{INT}} REFERENCES users(id),
  created_at {{INT}} NOT NULL,
  updated_at {{INT}} NOT NULL,
  first_assigned_at {{INT}},
  resolved_at {{INT}},
  closed_at {{INT}},
  version {{INT}} NOT NULL DEFAULT 1
);
CREATE INDEX tickets_team_status ON tickets(assignee_team_id, status, id);
CREATE INDEX tickets_assignee_status ON tickets(assignee_id, status, id);
CREATE INDEX tickets_requester ON tickets(requester_id, id);
CREATE INDEX tickets_status ON tickets(status, id);
CREATE INDEX tickets_updated ON tickets(updated_at);
CREATE INDEX tickets_resolved ON tickets(status, resolved_at);
{{SEARCH_INDEX tickets_fts head,body,comments}};
CREATE TABLE ticket_comments (
  id {{ID}},
  ticket_id {{INT}} NOT NULL REFERENCES tickets(id),
  author_id {{INT}} REFERENCES users(id),
  body TEXT NOT NULL,
  public {{INT}} NOT NULL,
  created_at {{INT}} NOT NULL
);
CREATE INDEX ticket_comments_ticket ON ticket_comments(ticket_id, id);
CREATE TABLE ticket_worklogs (
  id {{ID}},
  ticket_id {{INT}} NOT NULL REFERENCES tickets(id),
  user_id {{INT}} NOT NULL REFERENCES users(id),
  minutes {{INT}} NOT NULL,
  note TEXT NOT NULL DEFAULT '',
  worked_at {{INT}} NOT NULL,
  created_at {{INT}} NOT NULL
);
CREATE INDEX ticket_worklogs_ticket ON ticket_worklogs(ticket_id, id);
CREATE INDEX ticket_worklogs_user ON ticket_worklogs(user_id, worked_at);
CREATE TABLE ticket_attachments (
  id {{ID}},
  ticket_id {{INT}} NOT NULL REFERENCES tickets(id),
  sha256 TEXT NOT NULL,
  filename TEXT NOT NULL,
  content_type TEXT NOT NULL,
  size {{INT}} NOT NULL,
  public {{INT}} NOT NULL DEFAULT 1,
  uploaded_by {{INT}} REFERENCES users(id),
  created_at {{INT}} NOT NULL
);
CREATE INDEX ticket_attachments_ticket ON ticket_attachments(ticket_id, id);
CREATE TABLE ticket_links (
  id {{ID}},
  from_id {{INT}} NOT NULL REFERENCES tickets(id),
  to_id {{INT}} NOT NULL REFERENCES tickets(id),
  type TEXT NOT NULL,
  created_by {{INT}} REFERENCES users(id),
  created_at {{INT}} NOT NULL,
  UNIQUE (from_id, to_id, type)
);
CREATE INDEX ticket_links_to ON ticket_links(to_id);
CREATE TABLE ticket_surveys (
  ticket_id {{INT}} PRIMARY KEY REFERENCES tickets(id),
  requester_id {{INT}} NOT NULL REFERENCES users(id),
  rating {{INT}} NOT NULL,
  comment TEXT NOT NULL DEFAULT '',
  created_at {{INT}} NOT NULL
);
CREATE INDEX ticket_surveys_at ON ticket_surveys(created_at);
CREATE TABLE assignment_rules (
  id {{ID}},
  name TEXT NOT NULL,
  position {{INT}} NOT NULL,
  conditions TEXT NOT NULL,
  team_id {{INT}} NOT NULL REFERENCES teams(id),
  active {{INT}} NOT NULL DEFAULT 1,
  created_at {{INT}} NOT NULL,
  updated_at {{INT}} NOT NULL,
  version {{INT}} NOT NULL DEFAULT 1
);
CREATE TABLE team_dispatch (
  team_id {{INT}} PRIMARY KEY REFERENCES teams(id),
  strategy TEXT NOT NULL DEFAULT 'manual',
  last_user_id {{INT}},
  updated_at {{INT}} NOT NULL
);
CREATE TABLE saved_views (
  id {{ID}},
  user_id {{INT}} NOT NULL REFERENCES users(id),
  name TEXT NOT NULL,
  query TEXT NOT NULL,
  created_at {{INT}} NOT NULL
);
CREATE INDEX saved_views_user ON saved_views(user_id, id);
ALTER TABLE users ADD COLUMN organisation TEXT NOT NULL DEFAULT '';
CREATE INDEX users_organisation ON users(organisation);
)SQL"},
      {3, "search: queued full-text index changes", R"SQL(
-- SQLite applies full-text index changes in batches (store/search/search.h); this holds the
-- committed ones not applied yet. fields: "<byte length>:<text>" per column, NULL to remove.
CREATE TABLE search_queue (
  id {{ID}},
  index_table TEXT NOT NULL,
  doc_id {{INT}} NOT NULL,
  fields TEXT
);
)SQL",
       // Ticket numbers on PostgreSQL come from a sequence per kind: concurrent creations do not
       // queue on one counter row (a failed creation may leave a gap, as in ServiceNow).
       // SQLite's single writer keeps using ticket_counters.
       R"SQL(
CREATE SEQUENCE ticket_number_incident;
CREATE SEQUENCE ticket_number_request;
CREATE SEQUENCE ticket_number_problem;
CREATE SEQUENCE ticket_number_change;
SELECT setval(('ticket_number_' || kind)::regclass, last_number) FROM ticket_counters
  WHERE kind IN ('incident', 'request', 'problem', 'change') AND last_number > 0;
)SQL"},
      {4, "sla: business calendars and holiday sets", R"SQL(
CREATE TABLE holiday_sets (
  id {{ID}},
  key TEXT NOT NULL UNIQUE,
  name TEXT NOT NULL,
  builtin INTEGER NOT NULL DEFAULT 0,
  version {{INT}} NOT NULL DEFAULT 1,
  created_at {{INT}} NOT NULL,
  updated_at {{INT}} NOT NULL
);
-- day: YYYY-MM-DD; kind: holiday (off) or workday (a make-up workday, 调休上班).
CREATE TABLE holiday_days (
  set_id {{INT}} NOT NULL REFERENCES holiday_sets(id),
  day TEXT NOT NULL,
  kind TEXT NOT NULL CHECK (kind IN ('holiday', 'workday')),
  name TEXT NOT NULL DEFAULT '',
  PRIMARY KEY (set_id, day)
);
-- weekly: {"mon": [["09:00","12:00"], ...], ...}; holiday_sets: ["cn-statutory"];
-- overrides: [{"date": "2026-03-02", "hours": [], "note": "..."}] (sla/calendar_service.h).
CREATE TABLE calendars (
  id {{ID}},
  name TEXT NOT NULL UNIQUE,
  zone TEXT NOT NULL,
  weekly TEXT NOT NULL,
  holiday_sets TEXT NOT NULL DEFAULT '[]',
  overrides TEXT NOT NULL DEFAULT '[]',
  active INTEGER NOT NULL DEFAULT 1,
  version {{INT}} NOT NULL DEFAULT 1,
  created_at {{INT}} NOT NULL,
  updated_at {{INT}} NOT NULL
);
)SQL"},
      {5, "sla: policies", R"SQL(
-- conditions: {"kinds": [], "priorities": [], "service_ids": [], "category_ids": [],
-- "organisations": []}; ola: [{"team_id", "minutes"}]; pause_reasons: ["awaiting_requester"];
-- thresholds: [{"percent": 50, "actions": [{"type": "notify", "to": "assignee"}]}]
-- (sla/policy.h).
CREATE TABLE sla_policies (
  id {{ID}},
  name TEXT NOT NULL,
  position {{INT}} NOT NULL,
  active INTEGER NOT NULL DEFAULT 1,
  conditions TEXT NOT NULL,
  calendar_id {{INT}} NOT NULL REFERENCES calendars(id),
  response_minutes {{INT}},
  resolution_minutes {{INT}},
  ola TEXT NOT NULL DEFAULT '[]',
  pause_reasons TEXT NOT NULL DEFAULT '[]',
  thresholds TEXT NOT NULL DEFAULT '[]',
  version {{INT}} NOT NULL DEFAULT 1,
  created_at {{INT}} NOT NULL,
  updated_at {{INT}} NOT NULL
);
CREATE INDEX sla_policies_position ON sla_policies(position, id);
)SQL"},
      {6, "ticket_sla", R"SQL(
-- Each ticket's SLA as last evaluated (derived data: sla/tracker.h rebuilds it from the events).
-- Per metric: state (running, paused, met, breached, cancelled; NULL = no such target), target
-- in business ms, due (while running), when it was breached and when it stopped.
CREATE TABLE ticket_sla (
  ticket_id {{INT}} PRIMARY KEY REFERENCES tickets(id),
  open INTEGER NOT NULL,
  policy_id {{INT}},
  calendar_id {{INT}},
  history TEXT NOT NULL,
  response_state TEXT,
  response_target {{INT}},
  response_due {{INT}},
  response_breached_at {{INT}},
  response_stopped_at {{INT}},
  resolution_state TEXT,
  resolution_target {{INT}},
  resolution_due {{INT}},
  resolution_breached_at {{INT}},
  resolution_stopped_at {{INT}},
  ola_team_id {{INT}},
  ola_state TEXT,
  ola_target {{INT}},
  ola_due {{INT}},
  ola_breached_at {{INT}},
  ola_stopped_at {{INT}},
  flag TEXT NOT NULL DEFAULT 'none',
  due_at {{INT}},
  next_at {{INT}},
  fired TEXT NOT NULL DEFAULT '',
  marked_at_risk INTEGER NOT NULL DEFAULT 0,
  eval_hash {{INT}} NOT NULL DEFAULT 0,
  eval_hash_cold {{INT}} NOT NULL DEFAULT 0,
  evaluated_at {{INT}} NOT NULL
);
CREATE INDEX ticket_sla_next ON ticket_sla(next_at) WHERE next_at IS NOT NULL;
CREATE INDEX ticket_sla_queue ON ticket_sla(open, flag);
CREATE INDEX ticket_sla_open ON ticket_sla(open, ticket_id);
-- The SLA report counts outcomes decided in a period (met: stopped_at, breached: breached_at).
CREATE INDEX ticket_sla_response_stopped ON ticket_sla(response_stopped_at)
  WHERE response_stopped_at IS NOT NULL;
CREATE INDEX ticket_sla_response_breached ON ticket_sla(response_breached_at)
  WHERE response_breached_at IS NOT NULL;
CREATE INDEX ticket_sla_resolution_stopped ON ticket_sla(resolution_stopped_at)
  WHERE resolution_stopped_at IS NOT NULL;
CREATE INDEX ticket_sla_resolution_breached ON ticket_sla(resolution_breached_at)
  WHERE resolution_breached_at IS NOT NULL;
)SQL"},
      {7, "cmdb: CI types and configuration items", R"SQL(
-- attributes: the type's schema as JSON (cmdb/schema.h). builtin: shipped (key fixed).
CREATE TABLE ci_types (
  id {{ID}},
  key TEXT NOT NULL UNIQUE,
  name TEXT NOT NULL,
  name_zh TEXT NOT NULL DEFAULT '',
  description TEXT NOT NULL DEFAULT '',
  attributes TEXT NOT NULL DEFAULT '[]',
  builtin INTEGER NOT NULL DEFAULT 0,
  active INTEGER NOT NULL DEFAULT 1,
  version {{INT}} NOT NULL DEFAULT 1,
  created_at {{INT}} NOT NULL,
  updated_at {{INT}} NOT NULL
);
-- status: planned, in_use, maintenance, retired. attributes: the values as JSON, checked
-- against the type's schema.
CREATE TABLE cis (
  id {{ID}},
  type_id {{INT}} NOT NULL REFERENCES ci_types(id),
  name TEXT NOT NULL,
  status TEXT NOT NULL DEFAULT 'in_use',
  environment TEXT NOT NULL DEFAULT '',
  owner_team_id {{INT}} REFERENCES teams(id),
  attributes TEXT NOT NULL DEFAULT '{}',
  version {{INT}} NOT NULL DEFAULT 1,
  created_at {{INT}} NOT NULL,
  updated_at {{INT}} NOT NULL
);
CREATE INDEX cis_type ON cis(type_id, name);
CREATE INDEX cis_owner ON cis(owner_team_id);
-- The values of unique attributes (cmdb/ci_service.cpp): one CI per value within a type.
CREATE TABLE ci_unique_values (
  type_id {{INT}} NOT NULL REFERENCES ci_types(id),
  attr_key TEXT NOT NULL,
  value TEXT NOT NULL,
  ci_id {{INT}} NOT NULL REFERENCES cis(id),
  PRIMARY KEY (type_id, attr_key, value)
);
CREATE INDEX ci_unique_values_ci ON ci_unique_values(ci_id);
-- Directed relation types: "A <key> B" (A depends on B). propagates: a failure of B impacts A
-- (impact analysis follows these edges backwards).
CREATE TABLE ci_relation_types (
  id {{ID}},
  key TEXT NOT NULL UNIQUE,
  name TEXT NOT NULL,
  name_zh TEXT NOT NULL DEFAULT '',
  reverse_name TEXT NOT NULL DEFAULT '',
  reverse_name_zh TEXT NOT NULL DEFAULT '',
  propagates INTEGER NOT NULL DEFAULT 0,
  builtin INTEGER NOT NULL DEFAULT 0,
  created_at {{INT}} NOT NULL
);
CREATE TABLE ci_relations (
  id {{ID}},
  type_id {{INT}} NOT NULL REFERENCES ci_relation_types(id),
  from_ci {{INT}} NOT NULL REFERENCES cis(id),
  to_ci {{INT}} NOT NULL REFERENCES cis(id),
  created_at {{INT}} NOT NULL,
  UNIQUE (type_id, from_ci, to_ci)
);
CREATE INDEX ci_relations_from ON ci_relations(from_ci);
CREATE INDEX ci_relations_to ON ci_relations(to_ci);
)SQL"},
      {8, "cmdb: full-text index of CIs, tickets by CI and service", R"SQL(
-- Full-text index of CIs (cmdb::ci_index()): the name, and the attribute values.
{{SEARCH_INDEX cis_fts head,body}};
-- Tickets by the CI and the business service they are about (impact analysis, affects_service).
CREATE INDEX tickets_ci ON tickets(ci_id);
CREATE INDEX tickets_service ON tickets(service_id);
)SQL"},
      {9, "problem and change management", R"SQL(
-- A work item's type within its kind: a change's type (standard, normal, emergency); '' for
-- kinds without types. Transitions of a kind's workflow may apply to some types only.
ALTER TABLE tickets ADD COLUMN subtype TEXT NOT NULL DEFAULT '';
-- The CIs a problem or a change concerns (incidents name one CI in tickets.ci_id).
CREATE TABLE ticket_cis (
  ticket_id {{INT}} NOT NULL REFERENCES tickets(id),
  ci_id {{INT}} NOT NULL REFERENCES cis(id),
  position {{INT}} NOT NULL,
  PRIMARY KEY (ticket_id, ci_id)
);
CREATE INDEX ticket_cis_ci ON ticket_cis(ci_id);
-- A problem's analysis. known_error_at: when the workaround was published as a known error
-- (unset: not published).
CREATE TABLE problem_details (
  ticket_id {{INT}} PRIMARY KEY REFERENCES tickets(id),
  symptoms TEXT NOT NULL DEFAULT '',
  root_cause TEXT NOT NULL DEFAULT '',
  workaround TEXT NOT NULL DEFAULT '',
  permanent_fix TEXT NOT NULL DEFAULT '',
  known_error_at {{INT}},
  known_error_by {{INT}} REFERENCES users(id)
);
CREATE INDEX problem_details_known ON problem_details(known_error_at);
-- The incidents a problem explains (one problem per incident). via_known_error: linked by
-- applying the problem's known error to the incident.
CREATE TABLE problem_incidents (
  incident_id {{INT}} PRIMARY KEY REFERENCES tickets(id),
  problem_id {{INT}} NOT NULL REFERENCES tickets(id),
  via_known_error {{INT}} NOT NULL DEFAULT 0,
  linked_by {{INT}} REFERENCES users(id),
  linked_at {{INT}} NOT NULL
);
CREATE INDEX problem_incidents_problem ON problem_incidents(problem_id);
-- Known errors searched by text (change::known_error_index()): number and title; symptoms,
-- root cause and workaround.
{{SEARCH_INDEX known_errors_fts head,body}};
-- Pre-approved standard changes offered in the catalog.
CREATE TABLE change_templates (
  id {{ID}},
  name TEXT NOT NULL,
  name_zh TEXT NOT NULL DEFAULT '',
  description TEXT NOT NULL DEFAULT '',
  description_zh TEXT NOT NULL DEFAULT '',
  implementation_plan TEXT NOT NULL DEFAULT '',
  backout_plan TEXT NOT NULL DEFAULT '',
  test_plan TEXT NOT NULL DEFAULT '',
  duration_minutes {{INT}} NOT NULL,
  implementer_team_id {{INT}} REFERENCES teams(id),
  active {{INT}} NOT NULL DEFAULT 1,
  created_at {{INT}} NOT NULL,
  updated_at {{INT}} NOT NULL,
  version {{INT}} NOT NULL DEFAULT 1
);
-- A change's plan, risk, approval state and review. Times are UTC milliseconds.
-- approval_state: '' (not submitted), pending, approved, rejected. risk_answers: JSON object.
-- override_*: a CAB member authorised the change despite the conflicts listed in
-- override_conflicts (JSON). review_outcome: successful, partial, failed.
CREATE TABLE change_details (
  ticket_id {{INT}} PRIMARY KEY REFERENCES tickets(id),
  template_id {{INT}} REFERENCES change_templates(id),
  reason TEXT NOT NULL DEFAULT '',
  implementation_plan TEXT NOT NULL DEFAULT '',
  backout_plan TEXT NOT NULL DEFAULT '',
  test_plan TEXT NOT NULL DEFAULT '',
  planned_start {{INT}},
  planned_end {{INT}},
  actual_start {{INT}},
  actual_end {{INT}},
  risk_answers TEXT NOT NULL DEFAULT '{}',
  risk_score {{INT}},
  risk_level TEXT NOT NULL DEFAULT '',
  approval_round {{INT}} NOT NULL DEFAULT 0,
  approval_state TEXT NOT NULL DEFAULT '',
  override_reason TEXT NOT NULL DEFAULT '',
  override_conflicts TEXT NOT NULL DEFAULT '',
  override_by {{INT}} REFERENCES users(id),
  override_at {{INT}},
  review_outcome TEXT NOT NULL DEFAULT '',
  review_notes TEXT NOT NULL DEFAULT '',
  reviewed_by {{INT}} REFERENCES users(id),
  reviewed_at {{INT}},
  retrospective_review {{INT}} NOT NULL DEFAULT 0
);
CREATE INDEX change_details_planned ON change_details(planned_start);
-- Approval steps of a change, per approval round; approvers (comma-separated user ids) are the
-- group's members when the step opened.
CREATE TABLE change_approval_steps (
  id {{ID}},
  ticket_id {{INT}} NOT NULL REFERENCES tickets(id),
  round {{INT}} NOT NULL,
  position {{INT}} NOT NULL,
  name TEXT NOT NULL,
  name_zh TEXT NOT NULL DEFAULT '',
  approver_group TEXT NOT NULL,
  rule TEXT NOT NULL,
  approvers TEXT NOT NULL,
  state TEXT NOT NULL DEFAULT 'pending',
  UNIQUE (ticket_id, round, position)
);
CREATE TABLE change_approval_decisions (
  id {{ID}},
  step_id {{INT}} NOT NULL REFERENCES change_approval_steps(id),
  user_id {{INT}} NOT NULL REFERENCES users(id),
  verdict TEXT NOT NULL,
  comment TEXT NOT NULL DEFAULT '',
  decided_at {{INT}} NOT NULL
);
CREATE INDEX change_approval_decisions_step ON change_approval_decisions(step_id, id);
-- Freeze (blackout) windows: no change in [start_at, end_at) on the services listed
-- (comma-separated CI ids; empty: every change).
CREATE TABLE freeze_windows (
  id {{ID}},
  name TEXT NOT NULL,
  reason TEXT NOT NULL DEFAULT '',
  start_at {{INT}} NOT NULL,
  end_at {{INT}} NOT NULL,
  service_ids TEXT NOT NULL DEFAULT '',
  created_by {{INT}} REFERENCES users(id),
  created_at {{INT}} NOT NULL,
  updated_at {{INT}} NOT NULL,
  version {{INT}} NOT NULL DEFAULT 1
);
CREATE INDEX freeze_windows_start ON freeze_windows(start_at);
-- Maintenance windows of a business service: weekly ranges ("Sat 22:00-Sun 06:00", one per
-- line) in an IANA time zone.
CREATE TABLE maintenance_windows (
  id {{ID}},
  service_id {{INT}} NOT NULL REFERENCES cis(id),
  name TEXT NOT NULL,
  zone TEXT NOT NULL,
  ranges TEXT NOT NULL,
  created_at {{INT}} NOT NULL,
  updated_at {{INT}} NOT NULL,
  version {{INT}} NOT NULL DEFAULT 1
);
CREATE INDEX maintenance_windows_service ON maintenance_windows(service_id);
)SQL"},
      {10, "change management: one decision per approver and step, backed-out changes", R"SQL(
-- Two requests of one approver racing on another node cannot both be stored.
CREATE UNIQUE INDEX change_approval_decisions_user ON change_approval_decisions(step_id, user_id);
-- The change went to failed (backed out): it counts as failed whatever its review says.
ALTER TABLE change_details ADD COLUMN backed_out {{INT}} NOT NULL DEFAULT 0;
)SQL"},
  };
  return kMigrations;
}

std::string render_migration_sql(const Migration& m, Backend backend) {
  std::string sql = m.sql;
  // {{SEARCH_INDEX table col1,col2}}
  for (size_t pos = sql.find("{{SEARCH_INDEX "); pos != std::string::npos;
       pos = sql.find("{{SEARCH_INDEX ", pos)) {
    size_t end = sql.find("}}", pos);
    std::string args = sql.substr(pos + 15, end - pos - 15);
    size_t space = args.find(' ');
    search::IndexSpec spec{args.substr(0, space), {}};
    for (std::string& c : core::split(args.substr(space + 1), ','))
      spec.columns.push_back(core::trim(c));
    std::string ddl = search::create_index_sql(backend, spec);
    sql.replace(pos, end + 2 - pos, ddl);
    pos += ddl.size();
  }
  if (backend == Backend::kPostgres) {
    replace_all(sql, "{{ID}}", "BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY");
    replace_all(sql, "{{INT}}", "BIGINT");
  } else {
    replace_all(sql, "{{ID}}", "INTEGER PRIMARY KEY");
    replace_all(sql, "{{INT}}", "INTEGER");
  }
  return sql;
}

namespace {

core::Result<std::set<int>> applied_versions(Tx& tx) {
  Migration table{0, "", kCreateMigrationsTable};
  if (auto st = tx.exec_script(render_migration_sql(table, tx.backend())); !st.ok())
    return st.error();
  auto rows = tx.query("SELECT version FROM schema_migrations");
  if (!rows.ok()) return std::move(rows).error();
  std::set<int> out;
  for (const Row& r : *rows) out.insert(static_cast<int>(r.i64(0)));
  return out;
}

}  // namespace

core::Result<std::vector<Migration>> pending_migrations(Database& db) {
  // The write lock keeps this correct while another process migrates; it creates only the
  // bookkeeping table.
  return write_tx<std::vector<Migration>>(db, [&](Tx& tx) -> core::Result<std::vector<Migration>> {
    auto applied = applied_versions(tx);
    if (!applied.ok()) return std::move(applied).error();
    std::vector<Migration> out;
    for (const Migration& m : all_migrations()) {
      if (!applied->count(m.version)) out.push_back(m);
    }
    return out;
  });
}

core::Result<std::vector<int>> migrate(Database& db, const core::Clock& clock) {
  std::vector<int> done;
  for (const Migration& m : all_migrations()) {
    bool applied_now = false;
    core::Status st = db.write([&](Tx& tx) -> core::Status {
      if (tx.backend() == Backend::kPostgres) {
        if (auto r = tx.query(kMigrationLock); !r.ok()) return std::move(r).error();
      }
      auto applied = applied_versions(tx);
      if (!applied.ok()) return std::move(applied).error();
      if (applied->count(m.version)) return {};
      core::Status s = tx.exec_script(render_migration_sql(m, tx.backend()));
      if (s.ok() && tx.backend() == Backend::kPostgres && !m.postgres_sql.empty()) {
        s = tx.exec_script(render_migration_sql({m.version, m.name, m.postgres_sql}, tx.backend()));
      }
      if (!s.ok()) {
        core::Error e = s.error();
        e.message = "migration " + std::to_string(m.version) + " (" + m.name + "): " + e.message;
        return e;
      }
      auto ins =
          tx.exec("INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)",
                  {std::int64_t{m.version}, m.name, clock.now_ms()});
      if (!ins.ok()) return std::move(ins).error();
      applied_now = true;
      return {};
    });
    if (!st.ok()) return std::move(st).error();
    if (applied_now) done.push_back(m.version);
  }
  return done;
}

}  // namespace yunwei::store
