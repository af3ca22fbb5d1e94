// CMDB bulk import (issue #6 point 5).
#include "api/internal.h"

namespace yunwei::api {

void register_cmdb_import_routes(Registry& r) { (void)r; }

}  // namespace yunwei::api
