#include <cstdio>

#include "api/internal.h"
#include "api/metrics.h"
#include "store/database.h"

namespace yunwei::api {

void register_ops_routes(Registry& r) {
  r.add_public("GET", "/healthz", "Liveness: the process answers",
               [](Ctx&) -> core::Result<http::Response> {
                 return http::Response::json(200, R"({"status":"ok"})");
               });

  r.add_public("GET", "/readyz", "Readiness: database reachable and accepting requests",
               [](Ctx& ctx) -> core::Result<http::Response> {
                 if (ctx.deps.accepting && !ctx.deps.accepting()) {
                   return http::Response::error(503, "unavailable", "shutting down");
                 }
                 if (auto st = ctx.deps.db.ping(); !st.ok()) {
                   return http::Response::error(503, "unavailable", "database unreachable");
                 }
                 return http::Response::json(200, R"({"status":"ready"})");
               });

  r.add_public(
      "GET", "/metrics", "Prometheus metrics", [](Ctx& ctx) -> core::Result<http::Response> {
        std::string out;
        out.reserve(16 * 1024);
        char buf[2048];
        std::snprintf(buf, sizeof buf,
                      "# HELP yunwei_build_info Build of the running binary.\n"
                      "# TYPE yunwei_build_info gauge\n"
                      "yunwei_build_info{version=\"%s\",commit=\"%s\"} 1\n",
                      ctx.deps.version.c_str(), ctx.deps.commit.c_str());
        out += buf;
        store::PoolStats s = ctx.deps.db.stats();
        const char* backend =
            ctx.deps.db.backend() == store::Backend::kSqlite ? "sqlite" : "postgres";
        std::snprintf(buf, sizeof buf,
                      "# HELP yunwei_db_connections Open database connections.\n"
                      "# TYPE yunwei_db_connections gauge\n"
                      "yunwei_db_connections{backend=\"%s\"} %d\n"
                      "# HELP yunwei_db_connections_in_use Connections lent out now.\n"
                      "# TYPE yunwei_db_connections_in_use gauge\n"
                      "yunwei_db_connections_in_use{backend=\"%s\"} %d\n"
                      "# HELP yunwei_db_pool_waits_total Times a request waited for a connection.\n"
                      "# TYPE yunwei_db_pool_waits_total counter\n"
                      "yunwei_db_pool_waits_total{backend=\"%s\"} %lld\n"
                      "# HELP yunwei_db_commits_total Write transactions committed.\n"
                      "# TYPE yunwei_db_commits_total counter\n"
                      "yunwei_db_commits_total{backend=\"%s\"} %lld\n"
                      "# HELP yunwei_db_rollbacks_total Write transactions rolled back.\n"
                      "# TYPE yunwei_db_rollbacks_total counter\n"
                      "yunwei_db_rollbacks_total{backend=\"%s\"} %lld\n",
                      backend, s.connections, backend, s.in_use, backend,
                      static_cast<long long>(s.waits), backend, static_cast<long long>(s.commits),
                      backend, static_cast<long long>(s.rollbacks));
        out += buf;
        if (ctx.metrics) ctx.metrics->render(out);
        http::Response res = http::Response::json(200, std::move(out));
        res.content_type = "text/plain; version=0.0.4; charset=utf-8";
        return res;
      });

  r.add_public("GET", "/api/v1/openapi.json", "This API's OpenAPI 3 description",
               [](Ctx&) -> core::Result<http::Response> {
                 return http::Response::json(200, Api::openapi_json());
               });
}

}  // namespace yunwei::api
