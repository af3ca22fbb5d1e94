#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "cmdb/ci_service.h"
#include "core/clock.h"
#include "core/result.h"
#include "store/database.h"

// Reading CIs (issue #6 points 2-4): the filtered, keyset-paged list, every match for an export,
// a CI's history from the events, and its relations with the other CI's summary.
namespace yunwei::cmdb {

struct CiQuery {
  std::vector<std::string> types;  // type keys; any of them
  std::optional<std::string> status, environment;
  std::optional<std::int64_t> owner_team_id;
  bool owner_none = false;  // owner_team_id=none: no owner team
  std::string q;            // full text (name and attribute values): words, bigrams, IPs, codes
  std::vector<std::pair<std::string, std::string>> attrs;  // attr.<key>=<value>, all must hold
  std::vector<std::int64_t> ids;
  std::string sort = "name";  // name, updated_at, created_at; "-" for descending
  int limit = 50;             // 1..500
  std::string cursor;
};

struct CiPage {
  std::vector<Ci> items;
  std::optional<std::string> next_cursor;
};

// One page of the CIs matching `q`, in its sort order. kInvalidArgument naming the parameter
// (type, status, environment, attr.<key>, ids, sort, limit, cursor). With a text query the
// caller calls Database::sync_search() before opening `tx` (CiService::list does).
core::Result<CiPage> list_cis(store::Tx& tx, const CiQuery& q);
// Every match in sort order, ignoring limit/cursor (export). Stops at fn's first error.
core::Status for_each_ci(store::Tx& tx, const CiQuery& q,
                         const std::function<core::Status(const Ci&)>& fn);

// A CI, a user or a team as other records show it.
struct CiSummary {
  std::int64_t id = 0;
  std::string name, type, status, environment;
};
struct UserRef {
  std::int64_t id = 0;
  std::string username, display_name;
};
struct TeamRef {
  std::int64_t id = 0;
  std::string name, name_zh;
};

// The summaries of these CIs (unknown ids are left out).
core::Result<std::map<std::int64_t, CiSummary>> ci_summaries(store::Tx& tx,
                                                             const std::vector<std::int64_t>& ids);
// The owner teams of these CIs, by team id.
core::Result<std::map<std::int64_t, TeamRef>> owner_teams(store::Tx& tx,
                                                          const std::vector<Ci>& cis);

// One entry of a CI's history (its events, object_type 'ci').
struct CiChange {
  std::string field;  // "name", "status", "environment", "owner_team_id", "attributes.<key>"
  std::string before_json = "null", after_json = "null";  // JSON values
};
struct HistoryEntry {
  std::int64_t id = 0;  // the event's
  core::TimeMs at = 0;
  std::string action;            // ci.create, ci.update, ci.relate, ci.unrelate
  std::optional<UserRef> actor;  // none: the system
  std::vector<CiChange> changes;
  // ci.relate / ci.unrelate: the relation, and the CI at its other end.
  std::optional<std::int64_t> relation_id;
  std::string relation_type;
  std::optional<CiSummary> relation_to;
};
struct HistoryPage {
  std::vector<HistoryEntry> items;
  std::optional<std::string> next_cursor;
};
// Newest first. kNotFound for an unknown CI; kInvalidArgument (cursor, limit).
core::Result<HistoryPage> ci_history(store::Tx& tx, std::int64_t ci, int limit,
                                     const std::string& cursor);

// A relation of a CI as seen from it: outgoing ("out": this CI <type> other) or incoming.
struct CiRelation {
  std::int64_t id = 0;
  std::string type;
  bool outgoing = true;
  CiSummary other;
  core::TimeMs created_at = 0;
};
// Every relation of `ci`, by id. kNotFound for an unknown CI.
core::Result<std::vector<CiRelation>> ci_relations(store::Tx& tx, std::int64_t ci);

}  // namespace yunwei::cmdb
