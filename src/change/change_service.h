#pragma once

#include "core/clock.h"
#include "store/database.h"
#include "tickets/ticket_service.h"

namespace yunwei::cmdb {
class RelationService;
}

// Change management (issue #7 points 3-7). Work in progress.
namespace yunwei::change {

class ChangeService {
 public:
  ChangeService(store::Database& db, const core::Clock& clock, tickets::TicketService& tickets,
                cmdb::RelationService& relations);
  ~ChangeService();

  // The hooks the ticket service calls for kind "change".
  tickets::KindHooks hooks();

 private:
  store::Database& db_;
  const core::Clock& clock_;
  tickets::TicketService& tickets_;
  cmdb::RelationService& relations_;
};

}  // namespace yunwei::change
