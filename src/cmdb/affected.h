#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "cmdb/relations.h"
#include "core/result.h"
#include "store/database.h"

// What tickets need from the CMDB (issue #6 point 4): the business services an incident on a CI
// affects, and the CIs whose incidents affect a service.
namespace yunwei::cmdb {

struct ServiceRef {
  std::int64_t id = 0;
  std::string name;
  int depth = 0;  // relations between the CI and the service (0: the CI is the service)
};

// The business services a failure of `ci` impacts (itself when it is one), nearest first, then
// by name. An unknown CI impacts nothing.
core::Result<std::vector<ServiceRef>> affected_services(store::Database& db,
                                                        RelationService& relations,
                                                        std::int64_t ci);

// `service` and every CI it depends on (what a failure of would affect it). kInvalidArgument
// naming `field` when `service` is not a CI.
core::Result<std::vector<std::int64_t>> affecting_cis(store::Database& db,
                                                      RelationService& relations,
                                                      std::int64_t service, std::string_view field);

}  // namespace yunwei::cmdb
