#pragma once

#include "core/clock.h"
#include "store/database.h"
#include "tickets/ticket_service.h"

// Problem management (issue #7 points 1-2). STUB: the helper implementing problems owns this
// file and replaces this comment.
namespace yunwei::change {

class ProblemService {
 public:
  ProblemService(store::Database& db, const core::Clock& clock, tickets::TicketService& tickets)
      : db_(db), clock_(clock), tickets_(tickets) {}

  // The hooks the ticket service calls for kind "problem".
  tickets::KindHooks hooks();

 private:
  store::Database& db_;
  const core::Clock& clock_;
  tickets::TicketService& tickets_;
};

}  // namespace yunwei::change
