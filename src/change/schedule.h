#pragma once

#include <cstdint>

#include "core/result.h"
#include "store/database.h"

// The version of everything the conflict check reads: scheduled changes (planned times, CIs,
// states), freeze windows and maintenance windows. Every write that changes one of them bumps it
// in the same transaction; ChangeService rebuilds its in-memory index when the version it holds
// is older (every node sees the same version in the database).
namespace yunwei::change {

core::Status bump_schedule_version(store::Tx& tx);
core::Result<std::int64_t> schedule_version(store::Tx& tx);

}  // namespace yunwei::change
