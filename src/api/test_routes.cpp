// The test clock of `serve --test-clock`: end-to-end tests move the server's time forward to
// see SLA warnings, breaches and escalations without waiting. Without the flag: 404.
#include "api/internal.h"

namespace yunwei::api {

namespace {

core::Result<http::Response> clock_json(Ctx& ctx) {
  return json_response(200, {{"now", time_json(ctx.deps.clock.now_ms())},
                             {"offset_ms", ctx.deps.test_clock->offset_ms()}});
}

core::Status require_test_clock(Ctx& ctx) {
  if (!ctx.deps.test_clock) return core::not_found("the test clock is off (serve --test-clock)");
  return {};
}

}  // namespace

void register_test_routes(Registry& r) {
  using identity::Permission;
  r.add("GET", "/api/v1/test/clock", Permission::kSlaAdmin,
        "Tests only (serve --test-clock): the server's time and how far it was moved",
        [](Ctx& ctx) -> core::Result<http::Response> {
          YW_TRY(require_test_clock(ctx));
          return clock_json(ctx);
        });
  r.add("POST", "/api/v1/test/clock", Permission::kSlaAdmin,
        "Tests only (serve --test-clock): moves the server's time forward",
        [](Ctx& ctx) -> core::Result<http::Response> {
          YW_TRY(require_test_clock(ctx));
          YW_ASSIGN(Body body, Body::parse(ctx.req, {"advance_ms", "advance_minutes"}));
          YW_ASSIGN(auto ms, body.opt_int("advance_ms"));
          YW_ASSIGN(auto minutes, body.opt_int("advance_minutes"));
          if (ms && minutes)
            return core::invalid("advance_ms", "give advance_ms or advance_minutes");
          if (!ms && !minutes) return core::invalid("advance_minutes", "is required");
          constexpr std::int64_t kYearMs = 366LL * 24 * 3600 * 1000;
          std::int64_t d = ms ? *ms : *minutes * 60'000;
          if (d < 0 || d > kYearMs)
            return core::invalid(ms ? "advance_ms" : "advance_minutes",
                                 "must move forward, by at most a year");
          ctx.deps.test_clock->advance(std::chrono::milliseconds(d));
          if (ctx.deps.wake_workers) ctx.deps.wake_workers();
          return clock_json(ctx);
        });
}

}  // namespace yunwei::api
