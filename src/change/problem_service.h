#pragma once

#include <cstdint>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "change/ticket_cis.h"
#include "core/clock.h"
#include "store/audit.h"
#include "store/database.h"
#include "store/search/search.h"
#include "tickets/ticket_service.h"

// Problem management (issue #7 points 1-2): problems are tickets of kind "problem"
// (PRB-000001) whose own fields live in problem_details (symptoms, root cause, workaround,
// permanent fix, when the known error was published), their CIs in ticket_cis and the
// incidents they explain in problem_incidents (one problem per incident).
//   - Publishing the workaround makes the problem a known error: indexed in known_errors_fts
//     (head: number + title; body: symptoms, root cause, workaround), searchable, suggested on
//     incidents with the same CI, the same service or a similar title, and applicable to an
//     incident (links it and leaves the workaround as an internal note).
//   - Resolving a problem with resolve_incidents resolves its open incidents in the same
//     transaction (hooks()); cancelling one withdraws its known error.
//   - Candidates: recurring incidents on one CI or category not yet linked to a problem.
// Every write is one transaction, bumps the problem ticket's version (optimistic locking of
// the ticket detail) and writes timeline events on every ticket it touches. Thread-safe.
namespace yunwei::change {

// The full-text index of published known errors; document id = the problem's ticket id.
const store::search::IndexSpec& known_error_index();

// A problem's analysis, by API field name.
struct ProblemText {
  std::string symptoms, root_cause, workaround, permanent_fix;
};

struct NewProblem {
  tickets::NewTicket base;  // kind is forced to "problem"; requester: the actor
  // The incidents the problem is raised from (each visible to the agent, none linked to
  // another problem).
  std::vector<std::string> incident_numbers;
  // The CIs concerned; unset: the incidents' CIs (distinct, in order).
  std::optional<std::vector<std::int64_t>> ci_ids;
  // Whether base.service_id was given; if not, the first incident's service is taken.
  bool service_given = false;
  ProblemText text;
};

// The analysis fields an agent changes; absent ones stay. `version` is the ticket's.
struct ProblemPatch {
  std::int64_t version = 0;
  std::optional<std::string> symptoms, root_cause, workaround, permanent_fix;
  std::optional<std::vector<std::int64_t>> ci_ids;
};

struct LinkedIncident {
  std::string number, title, status, priority;
  bool via_known_error = false;
  core::TimeMs linked_at = 0;
};

struct ProblemView {
  ProblemText text;
  std::optional<core::TimeMs> known_error_at;  // unset: not published
  std::optional<std::int64_t> known_error_by;
  std::vector<CiRef> cis;
  std::vector<LinkedIncident> incidents;  // those the viewer may see, oldest link first
};

struct KnownError {
  std::int64_t problem_id = 0;
  std::string number, title, status;
  ProblemText text;
  core::TimeMs known_error_at = 0;
  std::vector<std::int64_t> ci_ids;
  std::optional<std::int64_t> service_id;
};

struct KnownErrorQuery {
  std::string q;                           // full text (the service desk's tokenizer), AND of terms
  std::optional<std::int64_t> ci_id;       // the problem concerns this CI
  std::optional<std::int64_t> service_id;  // the problem's service, or one of its CIs
  int limit = 50;
};

// A known error suggested for an incident, with why: "same_ci", "same_service",
// "similar_text".
struct KnownErrorSuggestion {
  KnownError known_error;
  std::vector<std::string> reasons;
  bool linked = false;  // the incident is already linked to this problem
};

struct ApplyResult {
  std::string problem_number;
  tickets::Ticket incident;
};

struct CandidateQuery {
  std::string group_by = "ci";                    // ci | category
  std::optional<int> window_days, min_incidents;  // unset: the change settings
  int limit = 50;                                 // groups
};

struct CandidateIncident {
  std::string number, title, status, priority;
  core::TimeMs created_at = 0;
};

struct CandidateGroup {
  std::int64_t id = 0;     // the CI or category
  std::string name;        // CI name or category name
  std::string name_zh;     // categories only
  std::string type;        // CIs only: the type key
  std::int64_t count = 0;  // every incident of the group in the window
  core::TimeMs first_at = 0, last_at = 0;
  std::vector<CandidateIncident> incidents;  // newest first, at most 50
};

struct CandidateReport {
  std::string group_by;
  int window_days = 0;
  int min_incidents = 0;
  core::TimeMs from = 0, to = 0;
  std::vector<CandidateGroup> groups;  // most incidents first
};

class ProblemService {
 public:
  ProblemService(store::Database& db, const core::Clock& clock, tickets::TicketService& tickets)
      : db_(db), clock_(clock), tickets_(tickets) {}

  // The hooks the ticket service calls for kind "problem": the own fields the workflow
  // requires (root_cause, permanent_fix, workaround, symptoms when not blank); resolving with
  // resolve_incidents resolves the linked open incidents as the system (resolution "fixed",
  // notes "Resolved by problem PRB-…: <notes>"); cancelling withdraws the known error.
  tickets::KindHooks hooks();

  // Agents only (kForbidden). kInvalidArgument naming the field (title, …, incident_numbers[i]:
  // unknown, invisible or not an incident, listed twice; ci_ids[i]); kConflict naming
  // incident_numbers[i] when that incident is linked to another problem.
  core::Result<tickets::Ticket> create(const store::Actor& actor, const tickets::Viewer& v,
                                       const NewProblem& in);
  // The problem part of a ticket the viewer was shown (checked visible by the caller).
  core::Result<ProblemView> view(const tickets::Viewer& v, const tickets::Ticket& problem);
  // Agents. kNotFound unless a visible problem; kConflict "version" when stale, "status" when
  // closed or cancelled; kInvalidArgument naming the field (texts up to 20,000 characters,
  // ci_ids[i]; "workaround" when blanked while published).
  core::Result<tickets::Ticket> update(const store::Actor& actor, const tickets::Viewer& v,
                                       std::string_view number, const ProblemPatch& p);
  // Links more incidents (errors as create(), naming numbers[i]); kConflict "status" on a
  // closed or cancelled problem.
  core::Result<tickets::Ticket> link_incidents(const store::Actor& actor, const tickets::Viewer& v,
                                               std::string_view number,
                                               const std::vector<std::string>& incidents);
  // kNotFound when the incident is not linked to this problem.
  core::Result<tickets::Ticket> unlink_incident(const store::Actor& actor, const tickets::Viewer& v,
                                                std::string_view number, std::string_view incident);
  // Publishes or withdraws the known error. Publishing needs a workaround (kInvalidArgument
  // "workaround") and a problem that is not cancelled (kConflict "status"). Publishing twice
  // or withdrawing an unpublished one changes nothing.
  core::Result<tickets::Ticket> set_known_error(const store::Actor& actor, const tickets::Viewer& v,
                                                std::string_view number, bool published,
                                                std::optional<std::int64_t> version);
  // Published known errors of problems the viewer may see: best match first with `q`, else
  // the most recently published first.
  core::Result<std::vector<KnownError>> known_errors(const tickets::Viewer& v,
                                                     const KnownErrorQuery& q);
  // Known errors for an incident (kNotFound unless a visible incident): those concerning the
  // incident's CI (same_ci), its service (same_service), or whose text shares enough of the
  // incident title's terms (similar_text, through the full-text index). Best first, at most 10.
  core::Result<std::vector<KnownErrorSuggestion>> suggestions(const tickets::Viewer& v,
                                                              std::string_view incident);
  // Agents. Links the incident to the problem (via_known_error) and adds an internal comment
  // with the workaround. kNotFound unless a visible incident and a visible problem; kConflict
  // "known_error" when not published, "incident" when the incident is linked to a problem
  // already, "status" when the incident is closed or cancelled.
  core::Result<ApplyResult> apply_known_error(const store::Actor& actor, const tickets::Viewer& v,
                                              std::string_view incident, std::string_view problem);
  // Incidents created in the last window_days (1-365), not cancelled and not linked to a
  // problem, grouped by CI or category; groups of at least min_incidents (2-1000). Staff only;
  // the ticket visibility rule applies. kInvalidArgument naming group_by, window_days,
  // min_incidents.
  core::Result<CandidateReport> candidates(const tickets::Viewer& v, const CandidateQuery& q);

 private:
  core::Result<std::set<std::string>> fields_hook(store::Tx& tx, const tickets::Ticket& t);
  core::Status before_hook(const tickets::Ticket& before, const tickets::TransitionRequest& req);
  core::Status after_hook(store::Tx& tx, const store::Actor& actor, const tickets::Ticket& before,
                          const tickets::Ticket& after, const tickets::TransitionRequest& req,
                          core::TimeMs now);
  // Loads a visible problem for a write by an agent (kForbidden, kNotFound otherwise).
  core::Result<tickets::Ticket> load_problem(store::Tx& tx, const tickets::Viewer& v,
                                             std::string_view number);
  // Checks and links incidents to `problem`; errors name "<field>[i]".
  core::Status link_in(store::Tx& tx, const store::Actor& actor, const tickets::Viewer& v,
                       const tickets::Ticket& problem,
                       const std::vector<tickets::Ticket>& incidents, bool via_known_error,
                       core::TimeMs now);
  core::Result<std::vector<tickets::Ticket>> check_incidents(
      store::Tx& tx, const tickets::Viewer& v, const std::vector<std::string>& numbers,
      std::string_view field, std::optional<std::int64_t> problem_id);

  store::Database& db_;
  const core::Clock& clock_;
  tickets::TicketService& tickets_;
};

}  // namespace yunwei::change
