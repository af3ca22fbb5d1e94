#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"
#include "store/database.h"

// The CIs a problem or a change concerns (table ticket_cis), shared by both.
namespace yunwei::change {

struct CiRef {
  std::int64_t id = 0;
  std::string name;
  std::string type;  // the CI type's key
};

// Replaces the ticket's CIs with `ids` (in order, at most 200, no duplicates, each an existing
// CI): kInvalidArgument naming "<field>[i]". Also points tickets.ci_id at the first CI (list
// pages show one CI), or clears it.
core::Status set_ticket_cis(store::Tx& tx, std::int64_t ticket_id,
                            const std::vector<std::int64_t>& ids, std::string_view field);
// The ticket's CIs, in order.
core::Result<std::vector<CiRef>> ticket_cis(store::Tx& tx, std::int64_t ticket_id);
std::vector<std::int64_t> ids_of(const std::vector<CiRef>& cis);

}  // namespace yunwei::change
