#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/clock.h"
#include "store/audit.h"
#include "store/database.h"
#include "store/search/search.h"

// Configuration items (issue #6 point 2): a type, a name, a lifecycle status, an environment, an
// owner team and attribute values checked against the type's schema; unique attributes are
// unique within the type; every change is an event (ci.create / ci.update) with before/after.
namespace yunwei::cmdb {

// planned, in_use, maintenance, retired.
bool is_ci_status(std::string_view s);
// "" (not set), prod, staging, test, dev, dr.
bool is_environment(std::string_view s);

struct Ci {
  std::int64_t id = 0;
  std::int64_t type_id = 0;
  std::string type_key;
  std::string name;
  std::string status = "in_use";
  std::string environment;
  std::optional<std::int64_t> owner_team_id;
  std::string attributes_json = "{}";  // stored values, in schema order
  std::int64_t version = 1;
  core::TimeMs created_at = 0, updated_at = 0;
};

struct NewCi {
  std::string type;  // the type's key
  std::string name;
  std::string status = "in_use";
  std::string environment;
  std::optional<std::int64_t> owner_team_id;
  std::string attributes_json = "{}";
};

// Absent fields stay. `attributes_json` is merged: a key with a value replaces it, a key with
// null removes it, keys not given stay.
struct CiPatch {
  std::int64_t version = 0;
  std::optional<std::string> name, status, environment;
  std::optional<std::optional<std::int64_t>> owner_team_id;
  std::optional<std::string> attributes_json;
};

// The full-text index of CIs: "head" the name, "body" the attribute values.
const store::search::IndexSpec& ci_index();

// What create and update do, inside the caller's transaction (an import runs many in one):
// validation, unique values, the full-text index and the event. Errors as CiService's.
core::Result<Ci> create_ci(store::Tx& tx, const store::Actor& actor, core::TimeMs now,
                           const NewCi& in);
core::Result<Ci> update_ci(store::Tx& tx, const store::Actor& actor, core::TimeMs now,
                           std::int64_t id, const CiPatch& p);
core::Result<Ci> load_ci(store::Tx& tx, std::int64_t id);  // kNotFound

// Thread-safe; each method is one transaction.
class CiService {
 public:
  CiService(store::Database& db, const core::Clock& clock) : db_(db), clock_(clock) {}

  // kInvalidArgument naming the field (type, name, status, environment, owner_team_id,
  // attributes.<key>); kConflict naming attributes.<key> when a unique value is taken.
  core::Result<Ci> create(const store::Actor& actor, const NewCi& in);
  core::Result<Ci> get(std::int64_t id);  // kNotFound
  // kConflict (version) when stale; otherwise as create.
  core::Result<Ci> update(const store::Actor& actor, std::int64_t id, const CiPatch& p);

 private:
  store::Database& db_;
  const core::Clock& clock_;
};

}  // namespace yunwei::cmdb
