#include "change/change_service.h"

namespace yunwei::change {

ChangeService::ChangeService(store::Database& db, const core::Clock& clock,
                             tickets::TicketService& tickets, cmdb::RelationService& relations)
    : db_(db), clock_(clock), tickets_(tickets), relations_(relations) {}

ChangeService::~ChangeService() = default;

tickets::KindHooks ChangeService::hooks() { return {}; }

}  // namespace yunwei::change
