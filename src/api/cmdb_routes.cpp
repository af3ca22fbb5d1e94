// CMDB: CI types, configuration items, relations, history and impact analysis (issue #6).
#include "api/internal.h"

namespace yunwei::api {

void register_cmdb_routes(Registry& r) { (void)r; }

}  // namespace yunwei::api
