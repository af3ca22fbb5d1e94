#pragma once

#include <functional>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "core/clock.h"
#include "store/audit.h"
#include "store/blob_store.h"
#include "store/database.h"
#include "store/page.h"
#include "store/search/search.h"
#include "tickets/ticket.h"
#include "tickets/workflow.h"

namespace yunwei::tickets {

// Who is looking, as far as ticket visibility goes (DESIGN.md §3, issue #4 point 8):
// - requesters (no staff role) see the tickets they requested or reported, and their
//   organisation's when the settings say so, and only public comments and attachments;
// - staff (agent, admin, approver, auditor) see every ticket outside security categories;
// - security tickets: admins, members of the security team, and their requester only.
// Agents (agent or admin) may work tickets: assign, update, internal notes, worklogs.
struct Viewer {
  std::int64_t user_id = 0;
  bool staff = false;
  bool agent = false;
  bool admin = false;
};

struct NewTicket {
  std::string kind = "incident";
  std::string title;
  std::string description;
  int impact = 3;
  int urgency = 3;
  std::string channel = "web";
  std::optional<std::int64_t> category_id;
  std::optional<std::int64_t> requester_id;  // default: the actor
  std::optional<std::int64_t> service_id;
  std::optional<std::int64_t> ci_id;
  std::optional<std::int64_t> assignee_team_id;  // none: the assignment rules decide
  std::optional<std::int64_t> assignee_id;       // none: the team's strategy decides
};

// Fields an agent changes. Absent fields stay; `version` must match.
struct TicketPatch {
  std::int64_t version = 0;
  std::optional<std::string> title, description, channel;
  std::optional<int> impact, urgency;
  std::optional<std::string> priority;  // an override: needs priority_reason
  std::optional<std::string> priority_reason;
  std::optional<std::optional<std::int64_t>> category_id, service_id, ci_id, assignee_team_id,
      assignee_id;
  std::optional<std::int64_t> requester_id;
  std::optional<bool> major;
  std::optional<int> major_cadence_minutes;
  std::optional<std::vector<std::int64_t>> major_stakeholder_ids;
  std::optional<std::string> note;  // why; goes into the timeline
};

// A move to another state with the fields the transition may need.
struct TransitionRequest {
  std::string to;
  std::optional<std::int64_t> version;  // none: last write wins (bulk)
  std::optional<std::string> pending_reason, resolution_code, resolution_notes, cancel_reason,
      reopen_reason;
  std::optional<std::int64_t> assignee_team_id, assignee_id;
  // A problem being resolved: also resolve its open incidents (with this problem's notes).
  bool resolve_incidents = false;
  // A move only the system makes (a change's approval completing); never from a request body.
  bool system = false;
};

// What a kind adds to the shared ticket handling (the change module registers problems' and
// changes'), called inside the ticket's write transaction. Unset members do nothing.
struct KindHooks {
  // The kind's own fields set on the ticket, by API name ("backout_plan", "root_cause"), for
  // the workflow's required fields.
  std::function<core::Result<std::set<std::string>>(store::Tx&, const Ticket&)> fields;
  // Whether `v` (an agent) holds `role` for the ticket (a transition's roles; admins hold all).
  std::function<core::Result<bool>(store::Tx&, const Viewer&, const Ticket&, std::string_view)>
      has_role;
  // Before a move is stored: guards beyond the workflow (conflicts, approvals).
  std::function<core::Status(store::Tx&, const Viewer&, const Ticket& before,
                             const TransitionRequest&, core::TimeMs now)>
      before;
  // After the move is stored and its event written: side effects (approval steps, actual
  // times, linked incidents).
  std::function<core::Status(store::Tx&, const store::Actor&, const Viewer&, const Ticket& before,
                             const Ticket& after, const TransitionRequest&, core::TimeMs now)>
      after;
  // After an update of the shared fields (title, description ...) is stored: what the kind
  // derives from them (a published known error's search document).
  std::function<core::Status(store::Tx&, const store::Actor&, const Ticket& before,
                             const Ticket& after, core::TimeMs now)>
      updated;
};

struct TicketQuery {
  std::vector<std::string> kinds, statuses, priorities, channels;
  std::vector<std::string> subtypes;  // a change's type: standard, normal, emergency
  // A condition another module adds (SQL over tickets aliased t, values bound): the problems
  // with a published known error, say.
  std::string extra_where;
  store::Params extra_params;
  std::optional<std::int64_t> team_id, assignee_id, requester_id, category_id, service_id, ci_id;
  bool team_none = false;      // team_id=none: no team yet
  bool assignee_none = false;  // assignee_id=none: nobody assigned
  bool category_none = false;  // category_id=none: no category
  bool service_none = false;   // service_id=none: no service
  // affects_service=X: tickets whose service or CI is X or one X depends on; the caller
  // resolves the dependency closure (cmdb) into affects_cis (X included).
  std::optional<std::int64_t> affects_service;
  std::vector<std::int64_t> affects_cis;
  std::optional<bool> major;
  std::optional<bool> open;  // open = not resolved, closed or cancelled
  std::optional<core::TimeMs> created_from, created_to, updated_from, updated_to;
  std::string q;
  // SLA, as the tracker last stored it (table ticket_sla):
  // sla: "at_risk", "breached" or "attention" (either): open tickets with that flag.
  std::string sla;
  // sla_metric ("response", "resolution") with sla_outcome ("met", "breached"; empty: either):
  // the tickets whose metric was decided in [sla_from, sla_to): met by its stop time, breached
  // by its breach time. sla_from/sla_to need sla_metric.
  std::string sla_metric, sla_outcome;
  std::optional<core::TimeMs> sla_from, sla_to;
  // id, created_at, updated_at, priority, sla_due (tickets without a due last); "-" for descending
  std::string sort = "-id";
  std::string cursor;
  int limit = 50;
};

// The rest of a ticket as its detail page needs it.
struct Survey {
  int rating = 0;
  std::string comment;
  std::int64_t requester_id = 0;
  core::TimeMs created_at = 0;
};

struct TicketDetail {
  Ticket ticket;
  std::optional<Survey> survey;
  // Display names of what the ticket refers to ("" when unset).
  std::string requester_name, assignee_name, team_name, team_name_zh, category_name,
      category_name_zh;
  // Until when the requester may reopen a resolved ticket (unset for other states).
  std::optional<core::TimeMs> reopen_until;
};

struct BulkChange {
  std::optional<TransitionRequest> transition;  // status, with the fields it needs
  std::optional<std::optional<std::int64_t>> assignee_team_id, assignee_id;
  std::optional<std::string> priority, priority_reason;
};

struct BulkResult {
  std::string number;
  std::optional<Ticket> ticket;
  std::optional<core::Error> error;
};

struct Comment {
  std::int64_t id = 0;
  std::optional<std::int64_t> author_id;
  std::string body;
  bool is_public = true;
  core::TimeMs created_at = 0;
  std::string author_name;  // display name (filled by comments())
};

struct Worklog {
  std::int64_t id = 0;
  std::int64_t user_id = 0;
  int minutes = 0;
  std::string note;
  core::TimeMs worked_at = 0;
  core::TimeMs created_at = 0;
};

struct WorklogSummary {
  std::vector<Worklog> items;
  std::int64_t total_minutes = 0;
  std::vector<std::pair<std::int64_t, std::int64_t>> by_person;  // user id, minutes
};

// Work logged per person over a period (a staff report).
struct WorklogTotalsQuery {
  std::optional<core::TimeMs> from, to;  // by worked_at
  std::optional<std::int64_t> team_id;   // people in this team
  std::optional<std::int64_t> user_id;
};
struct WorklogTotal {
  std::int64_t user_id = 0;
  std::string display_name;
  std::int64_t minutes = 0;
  std::int64_t tickets = 0;  // distinct tickets worked on
};

struct Attachment {
  std::int64_t id = 0;
  std::string sha256;
  std::string filename;
  std::string content_type;
  std::int64_t size = 0;
  bool is_public = true;
  std::optional<std::int64_t> uploaded_by;
  core::TimeMs created_at = 0;
};

// A link as seen from one ticket: `type` reads "this ticket <type> other".
struct Link {
  std::int64_t id = 0;
  std::string type;  // parent_of, child_of, duplicate_of, duplicated_by, related_to, caused_by,
                     // causes
  std::string number;
  std::string title;
  std::string status;
  core::TimeMs created_at = 0;
};

// Link types a client may create, and what each reads as from the other side.
bool is_link_type(std::string_view type);

struct FieldChange {
  std::string field;
  std::string before_json;  // JSON values
  std::string after_json;
};

struct TimelineEntry {
  std::int64_t id = 0;
  core::TimeMs at = 0;
  std::optional<std::int64_t> actor_id;
  std::string actor_name;
  std::string action;  // ticket.create, ticket.transition, ticket.comment, ...
  std::vector<FieldChange> changes;
  std::string detail_json;  // the action's own data: the comment, worklog, link, note ...
};

struct EscalationRequest {
  std::string type;                                  // functional | hierarchical
  std::optional<std::int64_t> team_id, assignee_id;  // functional: where to
  std::string note;
};

struct SearchResult {
  Ticket ticket;
  double score = 0;
  std::string snippet;
};

struct SurveyQuery {
  std::optional<core::TimeMs> from, to;
  std::optional<std::int64_t> team_id;
  std::optional<int> rating;
  std::string cursor;
  int limit = 50;
};

struct SurveyRow {
  std::int64_t id = 0;  // the ticket id
  std::string number;
  std::string title;
  std::optional<std::int64_t> team_id;
  Survey survey;
};

// The full-text index of tickets: number + title (weighted first), description, public comments.
const store::search::IndexSpec& ticket_index();
// Resolution codes accepted when resolving.
const std::vector<std::string>& resolution_codes();

// Tickets: numbering, priority, workflow, dispatch, conversation, visibility, audit and search
// index, one transaction per command. Thread-safe. Unknown or invisible tickets are kNotFound
// (a requester cannot probe for numbers); actions the viewer may not take are kForbidden.
class TicketService {
 public:
  TicketService(store::Database& db, const core::Clock& clock, store::BlobStore* blobs = nullptr)
      : db_(db), clock_(clock), blobs_(blobs) {}

  // kInvalidArgument naming the field (title, kind, impact, urgency, channel, category_id,
  // requester_id, assignee_team_id, assignee_id). Requesters create for themselves only and
  // cannot assign.
  core::Result<Ticket> create(const store::Actor& actor, const Viewer& v, const NewTicket& in);
  // `also` runs in the same read transaction with the ticket id(s) found, for what another
  // module adds to the answer (the api layer: each ticket's SLA summary) without a second
  // transaction.
  using AlsoRead = std::function<core::Status(store::Tx&, const std::vector<std::int64_t>&)>;
  core::Result<TicketDetail> get(const Viewer& v, std::string_view number,
                                 const AlsoRead& also = {});
  core::Result<store::Page<Ticket>> list(const Viewer& v, const TicketQuery& q,
                                         const AlsoRead& also = {});
  // Agents only. kConflict (version) when stale.
  core::Result<Ticket> update(const store::Actor& actor, const Viewer& v, std::string_view number,
                              const TicketPatch& p);
  // kConflict naming the allowed targets for an impossible move, or "version" when stale;
  // kInvalidArgument naming a missing or bad field; kForbidden for a requester's move that only
  // agents may make, or a reopen after the reopen period.
  core::Result<Ticket> transition(const store::Actor& actor, const Viewer& v,
                                  std::string_view number, const TransitionRequest& req);
  // Each ticket in its own transaction; one result per number, in order.
  core::Result<std::vector<BulkResult>> bulk(const store::Actor& actor, const Viewer& v,
                                             const std::vector<std::string>& numbers,
                                             const BulkChange& change);
  // Ranked, visible tickets matching `q` (newest 1,000 matches ranked), with snippets.
  core::Result<std::vector<SearchResult>> search(const Viewer& v, std::string_view q, int limit);

  // Conversation and work.
  core::Result<Comment> add_comment(const store::Actor& actor, const Viewer& v,
                                    std::string_view number, std::string_view body, bool is_public);
  core::Result<std::vector<Comment>> comments(const Viewer& v, std::string_view number);
  core::Result<Worklog> add_worklog(const store::Actor& actor, const Viewer& v,
                                    std::string_view number, int minutes, std::string_view note,
                                    std::optional<core::TimeMs> worked_at);
  core::Result<WorklogSummary> worklogs(const Viewer& v, std::string_view number);
  // Most minutes first.
  core::Result<std::vector<WorklogTotal>> worklog_totals(const Viewer& v,
                                                         const WorklogTotalsQuery& q);
  // kPayloadTooLarge over the settings' limit; kUnavailable without a blob store.
  core::Result<Attachment> add_attachment(const store::Actor& actor, const Viewer& v,
                                          std::string_view number, std::string_view filename,
                                          std::string_view content_type, std::string_view data,
                                          bool is_public);
  core::Result<std::vector<Attachment>> attachments(const Viewer& v, std::string_view number);
  // The attachment and its bytes.
  core::Result<std::pair<Attachment, std::string>> attachment(const Viewer& v,
                                                              std::string_view number,
                                                              std::int64_t id);
  core::Result<Link> add_link(const store::Actor& actor, const Viewer& v, std::string_view number,
                              std::string_view type, std::string_view other);
  core::Status remove_link(const store::Actor& actor, const Viewer& v, std::string_view number,
                           std::int64_t link_id);
  core::Result<std::vector<Link>> links(const Viewer& v, std::string_view number);
  core::Result<std::vector<TimelineEntry>> timeline(const Viewer& v, std::string_view number);
  core::Result<Ticket> escalate(const store::Actor& actor, const Viewer& v, std::string_view number,
                                const EscalationRequest& req);

  // The requester rates a resolved or closed ticket once: kConflict on a second answer.
  core::Result<Survey> answer_survey(const store::Actor& actor, const Viewer& v,
                                     std::string_view number, int rating, std::string_view comment);
  core::Result<store::Page<SurveyRow>> surveys(const Viewer& v, const SurveyQuery& q);
  // Count, average and answers per rating (index 0 = rating 1) over the same filters, all pages.
  struct SurveySummary {
    std::int64_t count = 0;
    double average = 0;
    std::int64_t by_rating[5] = {0, 0, 0, 0, 0};
  };
  core::Result<SurveySummary> survey_summary(const Viewer& v, const SurveyQuery& q);

  // Closes tickets resolved more than auto_close_days ago; returns how many.
  core::Result<int> auto_close(const store::Actor& system);

  // What SLA threshold actions do to a ticket, inside the caller's transaction so that a
  // threshold's firing and its effects commit together (tickets/system_actions.cpp). Each writes
  // the ticket's own event (actor: the system) with `note` as the reason.
  // Hands an open ticket to `team_id` (the team's strategy picks the person); nullopt when the
  // ticket is not open or already with that team.
  core::Result<std::optional<Ticket>> reassign_in(store::Tx& tx, const store::Actor& actor,
                                                  std::int64_t ticket_id, std::int64_t team_id,
                                                  std::string_view note);
  // Raises an open ticket's priority one step (P3 -> P2) as an override; nullopt at P1.
  core::Result<std::optional<Ticket>> raise_priority_in(store::Tx& tx, const store::Actor& actor,
                                                        std::int64_t ticket_id,
                                                        std::string_view note);
  // The active users that `to` names for a ticket: "assignee", "team_lead" (of the assignee
  // team) or "operations" (lead and members of the settings' Operations Management team).
  core::Result<std::vector<std::int64_t>> recipients_in(store::Tx& tx, std::int64_t ticket_id,
                                                        std::string_view to);
  // Queues notification `topic` about the ticket for each user (outbox, channel "user").
  core::Status notify_in(store::Tx& tx, std::int64_t ticket_id,
                         const std::vector<std::int64_t>& user_ids, std::string_view topic,
                         std::string_view extra_json);

  static const Workflow* workflow_for(std::string_view kind);

  // Registers a kind's hooks; call before serving (not synchronised with requests).
  void set_kind_hooks(const std::string& kind, KindHooks hooks) { hooks_[kind] = std::move(hooks); }
  const KindHooks* kind_hooks(std::string_view kind) const;

  // create() inside the caller's transaction, for the modules that store a kind's own fields
  // with the ticket (problems, changes): `subtype` is the ticket's type within its kind. Checks
  // as create(); kInvalidArgument (kind) for an unknown kind.
  core::Result<Ticket> create_in(store::Tx& tx, const store::Actor& actor, const Viewer& v,
                                 const NewTicket& in, std::string_view subtype = {});
  // transition() inside the caller's transaction on a ticket the caller loaded (checked
  // visible); `req.system` allows the system's own moves.
  core::Result<Ticket> transition_in(store::Tx& tx, const store::Actor& actor, const Viewer& v,
                                     const Ticket& before, const TransitionRequest& req);
  // The ticket when `v` may see it, inside the caller's transaction; kNotFound otherwise.
  core::Result<Ticket> load_in(store::Tx& tx, const Viewer& v, std::string_view number);

  // Appends to `where` (tickets aliased t) the conditions that keep out the tickets `v` may not
  // see, as list() and search() do, for other modules' queries over tickets (SLA reports).
  static core::Status visibility_sql(store::Tx& tx, const Viewer& v, std::string& where,
                                     store::Params& params);

 private:
  store::Database& db_;
  const core::Clock& clock_;
  store::BlobStore* blobs_;
  std::map<std::string, KindHooks, std::less<>> hooks_;
};

}  // namespace yunwei::tickets
