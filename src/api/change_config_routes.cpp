// Freeze windows, maintenance windows, change templates (issue #7). STUB: owned by the helper
// implementing the change configuration.
#include "api/internal.h"

namespace yunwei::api {

void register_change_config_routes(Registry& r) { (void)r; }

}  // namespace yunwei::api
