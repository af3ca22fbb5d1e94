#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "cmdb/schema.h"
#include "core/clock.h"
#include "store/audit.h"
#include "store/database.h"

// CI types (issue #6 point 1): a stable key, bilingual names and an attribute schema. A schema
// change is checked against every CI of the type first; CIs that would no longer fit are
// reported and, unless the change accepts them, nothing changes.
namespace yunwei::cmdb {

struct CiType {
  std::int64_t id = 0;
  std::string key;  // stable: business_service, server, ...
  std::string name, name_zh, description;
  std::vector<AttributeDef> attributes;
  bool builtin = false;
  bool active = true;
  std::int64_t version = 1;
  core::TimeMs created_at = 0, updated_at = 0;
};

struct CiTypeInput {
  std::string key, name, name_zh, description;
  std::vector<AttributeDef> attributes;
};

struct CiTypePatch {
  std::int64_t version = 0;
  std::optional<std::string> name, name_zh, description;
  std::optional<std::vector<AttributeDef>> attributes;
  std::optional<bool> active;
  bool accept_misfits = false;  // apply a schema change even though some CIs no longer fit
  bool dry_run = false;         // report what the change would do, change nothing
};

// A CI that does not fit a (changed) schema, and why.
struct Misfit {
  std::int64_t ci_id = 0;
  std::string name;
  std::vector<std::string> problems;  // "attributes.os: is required"
};

struct TypeChange {
  CiType type;           // as it is after the call (unchanged unless applied)
  bool applied = false;  // false: refused because of misfits, or a dry run
  std::vector<Misfit> misfits;
  std::int64_t checked = 0;  // CIs checked against the new schema
};

// Thread-safe; each method is one transaction.
class CiTypeService {
 public:
  CiTypeService(store::Database& db, const core::Clock& clock) : db_(db), clock_(clock) {}

  // kInvalidArgument naming the field (key: a-z0-9_, ≤ 40; name; attributes[i].ref_type: an
  // unknown type), kConflict when the key is taken.
  core::Result<CiType> create(const store::Actor& actor, const CiTypeInput& in);
  core::Result<CiType> get(std::int64_t id);
  core::Result<std::optional<CiType>> find(std::string_view key);
  core::Result<std::vector<CiType>> list();  // by name
  // kConflict (version) when stale. See TypeChange for schema changes.
  core::Result<TypeChange> update(const store::Actor& actor, std::int64_t id, const CiTypePatch& p);
  // The shipped types (shipped_types()) that do not exist yet, by key.
  core::Status seed_defaults(const store::Actor& actor);
  // How many CIs each type has, by type id (one query; types without CIs are absent).
  core::Result<std::map<std::int64_t, std::int64_t>> ci_counts();
  // A type by its numeric id or its key (the API's {id}); kNotFound.
  core::Result<CiType> resolve(std::string_view id_or_key);

 private:
  store::Database& db_;
  const core::Clock& clock_;
};

}  // namespace yunwei::cmdb
