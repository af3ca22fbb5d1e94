// CMDB bulk import (issue #6 point 5).

#include "api/internal.h"
#include "cmdb/import.h"
#include "core/text.h"

namespace yunwei::api {

namespace {

core::Result<http::Response> import_cis(Ctx& ctx) {
  std::string_view ct = ctx.req.header("content-type").value_or("");
  std::string type = core::ascii_lower(core::trim(ct.substr(0, ct.find(';'))));
  cmdb::ImportFormat format;
  if (type == "text/csv") {
    format = cmdb::ImportFormat::kCsv;
  } else if (type == "application/json") {
    format = cmdb::ImportFormat::kJson;
  } else {
    return core::Error{core::ErrorCode::kUnsupportedMedia, "send text/csv or application/json",
                       "content-type"};
  }
  cmdb::ImportOptions options;
  YW_ASSIGN(auto dry_run, query_bool(ctx.req, "dry_run"));
  YW_ASSIGN(auto strict, query_bool(ctx.req, "strict"));
  YW_ASSIGN(options.key, query_string(ctx.req, "key", 40));
  options.dry_run = dry_run.value_or(false);
  options.strict = strict.value_or(false);
  if (core::trim(ctx.req.body).empty()) return core::invalid("body", "the file to import is empty");
  YW_ASSIGN(cmdb::ImportReport report,
            cmdb::import_cmdb(ctx.deps.db, ctx.actor(), ctx.deps.clock.now_ms(), ctx.req.body,
                              format, options));
  http::Response res;
  res.status = 200;
  res.content_type = "application/json";
  res.body = cmdb::import_report_json(report);
  return res;
}

}  // namespace

void register_cmdb_import_routes(Registry& r) {
  r.add("POST", "/api/v1/cmdb/import", identity::Permission::kCmdbWrite,
        "Import CIs and relations from CSV or JSON (dry_run, key, strict)",
        [](Ctx& ctx) { return import_cis(ctx); });
}

}  // namespace yunwei::api
