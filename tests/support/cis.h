#pragma once
// Configuration items for in-process tests (header-only: link yunwei_cmdb).

#include <cstdint>
#include <string>

#include "cmdb/ci_service.h"
#include "cmdb/relations.h"
#include "cmdb/type_service.h"
#include "support/test_db.h"

namespace yunwei::testing {

// A CI of a shipped type (seeded on first use) with these attribute values; returns the id.
inline std::int64_t make_ci(store::Database& db, const core::Clock& clock, const std::string& type,
                            const std::string& name, const std::string& attributes = "{}") {
  must(cmdb::CiTypeService(db, clock).seed_defaults({}));
  cmdb::NewCi n;
  n.type = type;
  n.name = name;
  n.attributes_json = attributes;
  return must(cmdb::CiService(db, clock).create({}, n)).id;
}

// "from <type> to", with the shipped relation types seeded on first use.
inline void relate(store::Database& db, const core::Clock& clock, std::int64_t from,
                   const std::string& type, std::int64_t to) {
  cmdb::RelationService relations(db, clock);
  must(relations.seed_defaults({}));
  must(relations.add({}, from, type, to));
}

}  // namespace yunwei::testing
