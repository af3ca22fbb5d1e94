#pragma once

#include <string>

#include "cmdb/ci_service.h"

// Pieces of create_ci / update_ci that the bulk import (cmdb/import.cpp) shares so that an
// imported CI is recorded exactly like one made through the API. Not for other modules.
namespace yunwei::cmdb::internal {

// The CI as an event's before/after document: type, name, status, environment, owner_team_id,
// attributes.
std::string ci_snapshot(const Ci& c);
// Writes the CI's name and attribute values to the full-text index, in `tx`.
core::Status index_ci(store::Tx& tx, const Ci& c);

}  // namespace yunwei::cmdb::internal
