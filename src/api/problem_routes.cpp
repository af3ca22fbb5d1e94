// Problem management routes (issue #7). STUB: owned by the helper implementing problems.
#include "api/internal.h"

namespace yunwei::api {

core::Result<http::Response> create_problem(Ctx& ctx) {
  (void)ctx;
  return core::invalid("kind", "problems are not available yet");
}

core::Status write_problem_view(Ctx& ctx, JsonWriter& w, const tickets::Ticket& t,
                                const tickets::Viewer& v) {
  (void)ctx, (void)w, (void)t, (void)v;
  return {};
}

void register_problem_routes(Registry& r) { (void)r; }

}  // namespace yunwei::api
