#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "core/clock.h"
#include "store/audit.h"
#include "store/database.h"
#include "store/search/search.h"
#include "tickets/priority.h"
#include "tickets/ticket.h"
#include "tickets/workflow.h"

namespace yunwei::tickets {

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
  std::optional<std::int64_t> assignee_team_id;
  std::optional<std::int64_t> assignee_id;
};

// A move to another state with the fields the transition may need.
struct TransitionRequest {
  std::string to;
  std::int64_t version = 0;
  bool by_requester = false;  // only transitions marked requester_may are allowed
  std::optional<std::string> pending_reason, resolution_code, resolution_notes, cancel_reason,
      reopen_reason;
  std::optional<std::int64_t> assignee_team_id, assignee_id;
};

// The full-text index of tickets: number + title (weighted first), then description.
const store::search::IndexSpec& ticket_index();
// Resolution codes accepted when resolving.
const std::vector<std::string>& resolution_codes();

// Tickets: numbering, priority, workflow, audit and search index, one transaction per
// command. Thread-safe. Visibility (who may see which ticket) is the caller's concern for now.
class TicketService {
 public:
  TicketService(store::Database& db, const core::Clock& clock) : db_(db), clock_(clock) {}

  // kInvalidArgument naming the field (title, kind, impact, urgency, channel, category_id,
  // requester_id, assignee_team_id, assignee_id).
  core::Result<Ticket> create(const store::Actor& actor, const NewTicket& in);
  // kNotFound for an unknown number.
  core::Result<Ticket> get(std::string_view number);
  // kConflict naming the allowed targets for an impossible move, or "version" when stale;
  // kInvalidArgument naming a missing or bad field; kForbidden for a requester's move that only
  // agents may make.
  core::Result<Ticket> transition(const store::Actor& actor, std::string_view number,
                                  const TransitionRequest& req);

  static const Workflow* workflow_for(std::string_view kind);

 private:
  store::Database& db_;
  const core::Clock& clock_;
  PriorityMatrix matrix_ = PriorityMatrix::standard();
};

}  // namespace yunwei::tickets
