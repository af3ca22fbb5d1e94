// Change management routes (issue #7).
#include "api/internal.h"

namespace yunwei::api {

core::Result<http::Response> create_change(Ctx& ctx) {
  (void)ctx;
  return core::invalid("kind", "changes are not available yet");
}

core::Status write_change_view(Ctx& ctx, JsonWriter& w, const tickets::Ticket& t,
                               const tickets::Viewer& v) {
  (void)ctx, (void)w, (void)t, (void)v;
  return {};
}

void register_change_routes(Registry& r) { (void)r; }

}  // namespace yunwei::api
