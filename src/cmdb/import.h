#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "core/clock.h"
#include "core/result.h"
#include "store/audit.h"
#include "store/database.h"

// CMDB bulk import (issue #6 point 5): CIs and relations from CSV or JSON, matched to existing
// CIs by (type, key value), all in one transaction. The file format is the export's (see
// docs/architecture.md, "CMDB import/export format"):
//
//   CSV: a header row; columns type, name, status, environment, owner_team (a team's name),
//   attributes.<key>, relations.<relation type key> (targets "<type key>:<key value>" separated
//   by ';'). An empty cell leaves the value unchanged on update and takes the default on create.
//   JSON: {"cis":[{"type","name","status","environment","owner_team","attributes":{},
//   "relations":[{"type":"runs_on","to":"virtual_machine:vm-01"}]}]}.
//
// A reference attribute takes a CI id, or the key value of a CI of the referenced type that
// exists or that an earlier line of the file creates. Relations are only ever added; their
// targets may be anywhere in the file.
namespace yunwei::cmdb {

enum class ImportFormat { kCsv, kJson };

struct ImportOptions {
  bool dry_run = false;  // do everything, report, then roll back
  // The attribute matching lines to existing CIs for the types that have it; "" = the name.
  std::string key;
  bool strict = false;  // one rejected line and nothing applies
};

// A line left out, and why: `field` is the column at fault ("type", "attributes.ip",
// "relations.runs_on", ...), `ci` "<type>:<key value>" as far as the line says.
struct RejectedLine {
  int line = 0;  // CSV: the file line where the record starts (the header is line 1); JSON: the
                 // item's position, from 1
  std::string ci, field, message;
};

struct ImportChange {
  int line = 0;
  std::string ci;
  std::string action;               // create | update
  std::vector<std::string> fields;  // "name", "status", "owner_team", "attributes.os",
                                    // "relations.runs_on", ...
};

struct ImportReport {
  bool dry_run = false;
  bool applied = false;  // committed; the counts say what was (or, if not, would have been) done
  int lines = 0;         // records read (blank CSV lines are not counted)
  int created = 0, updated = 0, unchanged = 0;
  int relations_created = 0, relations_existing = 0;
  std::vector<RejectedLine> rejected;  // in line order
  std::vector<ImportChange> changes;   // the first kMaxImportChanges, in line order
};
inline constexpr std::size_t kMaxImportChanges = 1000;

// Called now and then while the plan is written: `done` of `total` steps (CIs and relations).
using ImportProgress = std::function<void(std::int64_t done, std::int64_t total)>;

// Imports `text` (UTF-8; a CSV may start with a byte order mark) in one transaction. Lines that
// fail (unknown type, invalid value, unknown relation target, several CIs with the key, ...) are
// rejected and reported, the others apply, unless `strict`. Fatal errors leave nothing and
// return kInvalidArgument: malformed CSV or JSON (field "body", message naming the line), an
// unknown or repeated column (field: the column), no type or name column, an unknown `key`
// attribute (field "key"), invalid UTF-8 (field "body"). Database errors are returned as they
// come. Events are written per CI (ci.create / ci.update) and per relation (ci.relate).
core::Result<ImportReport> import_cmdb(store::Database& db, const store::Actor& actor,
                                       core::TimeMs now, std::string_view text, ImportFormat format,
                                       const ImportOptions& options,
                                       const ImportProgress& progress = {});

// The report as the API's JSON: {"dry_run","applied","lines","created","updated","unchanged",
// "relations_created","relations_existing","rejected":[{"line","ci","field","message"}],
// "changes":[{"line","ci","action","fields"}]}.
std::string import_report_json(const ImportReport& report);

}  // namespace yunwei::cmdb
