#pragma once

#include <string>

#include "cmdb/ci_service.h"

// Pieces of create_ci / update_ci that the bulk import (cmdb/import.cpp) and the queries
// (ci_query.cpp) share so that an
// imported CI is recorded exactly like one made through the API. Not for other modules.
namespace yunwei::cmdb::internal {

// The CI as an event's before/after document: type, name, status, environment, owner_team_id,
// attributes.
std::string ci_snapshot(const Ci& c);
// Writes the CI's name and attribute values to the full-text index, in `tx`.
core::Status index_ci(store::Tx& tx, const Ci& c);

// The columns a Ci is read from (`cis c JOIN ci_types t ON t.id = c.type_id`), and the reader.
inline constexpr const char* kCiColumns =
    "c.id, c.type_id, t.key, c.name, c.status, c.environment, c.owner_team_id, c.attributes,"
    " c.version, c.created_at, c.updated_at";
Ci ci_from_row(const store::Row& r);

}  // namespace yunwei::cmdb::internal
