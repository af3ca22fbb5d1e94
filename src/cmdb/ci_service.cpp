#include "cmdb/ci_service.h"

#include <nlohmann/json.hpp>

#include "cmdb/ci_internal.h"
#include "cmdb/schema.h"
#include "core/text.h"

namespace yunwei::cmdb {

using nlohmann::json;
using ordered_json = nlohmann::ordered_json;

bool is_ci_status(std::string_view s) {
  return s == "planned" || s == "in_use" || s == "maintenance" || s == "retired";
}

bool is_environment(std::string_view s) {
  return s.empty() || s == "prod" || s == "staging" || s == "test" || s == "dev" || s == "dr";
}

namespace internal {

Ci ci_from_row(const store::Row& r) {
  Ci c;
  c.id = r.i64(0);
  c.type_id = r.i64(1);
  c.type_key = r.str(2);
  c.name = r.str(3);
  c.status = r.str(4);
  c.environment = r.str(5);
  c.owner_team_id = r.opt_i64(6);
  c.attributes_json = r.str(7);
  c.version = r.i64(8);
  c.created_at = r.i64(9);
  c.updated_at = r.i64(10);
  return c;
}

}  // namespace internal

core::Result<Ci> load_ci(store::Tx& tx, std::int64_t id) {
  auto row = tx.query_row(std::string("SELECT ") + internal::kCiColumns +
                              " FROM cis c JOIN ci_types t ON t.id = c.type_id WHERE c.id = ?",
                          {id});
  if (!row.ok()) return std::move(row).error();
  if (!*row) return core::not_found("no CI with id " + std::to_string(id));
  return internal::ci_from_row(**row);
}

namespace {

struct TypeInfo {
  std::int64_t id = 0;
  std::vector<AttributeDef> schema;
};

core::Result<TypeInfo> type_by_key(store::Tx& tx, const std::string& key) {
  auto row = tx.query_row("SELECT id, attributes, active FROM ci_types WHERE key = ?", {key});
  if (!row.ok()) return std::move(row).error();
  if (!*row) return core::invalid("type", "no CI type with key '" + key + "'");
  if ((*row)->i64(2) == 0) return core::invalid("type", "the CI type '" + key + "' is inactive");
  TypeInfo t;
  t.id = (*row)->i64(0);
  YW_ASSIGN(t.schema, parse_schema((*row)->str(1)));
  return t;
}

RefCheck ref_check(store::Tx& tx) {
  return [&tx](std::string_view field, std::int64_t id, std::string_view type) -> core::Status {
    auto row = tx.query_row(
        "SELECT 1 FROM cis c JOIN ci_types t ON t.id = c.type_id WHERE c.id = ? AND t.key = ?",
        {id, std::string(type)});
    if (!row.ok()) return std::move(row).error();
    if (!*row) {
      return core::invalid(std::string(field),
                           "no " + std::string(type) + " CI with id " + std::to_string(id));
    }
    return {};
  };
}

core::Status check_fields(store::Tx& tx, const std::string& name, const std::string& status,
                          const std::string& environment,
                          const std::optional<std::int64_t>& owner_team_id) {
  YW_TRY(core::check_text(name, "name", 200, true, core::Controls::kNone));
  if (!is_ci_status(status))
    return core::invalid("status", "must be planned, in_use, maintenance or retired");
  if (!is_environment(environment))
    return core::invalid("environment", "must be prod, staging, test, dev, dr or empty");
  if (owner_team_id) {
    auto row = tx.query_row("SELECT active FROM teams WHERE id = ?", {*owner_team_id});
    if (!row.ok()) return std::move(row).error();
    if (!*row)
      return core::invalid("owner_team_id", "no team with id " + std::to_string(*owner_team_id));
    if ((*row)->i64(0) == 0) return core::invalid("owner_team_id", "the team is inactive");
  }
  return {};
}

// Keeps ci_unique_values in step with the CI's unique attributes; a value another CI of the type
// holds is kConflict naming the attribute.
core::Status claim_unique(store::Tx& tx, std::int64_t type_id, std::int64_t ci_id,
                          const std::vector<AttributeDef>& schema, const std::string& values) {
  auto del = tx.exec("DELETE FROM ci_unique_values WHERE ci_id = ?", {ci_id});
  if (!del.ok()) return std::move(del).error();
  json v = json::parse(values, nullptr, false);
  for (const AttributeDef& d : schema) {
    if (!d.unique) continue;
    auto it = v.find(d.key);
    if (it == v.end() || it->is_null()) continue;
    std::string value = it->is_string() ? it->get<std::string>() : it->dump();
    auto taken = tx.query_row(
        "SELECT c.name FROM ci_unique_values u JOIN cis c ON c.id = u.ci_id WHERE u.type_id = ?"
        " AND u.attr_key = ? AND u.value = ?",
        {type_id, d.key, value});
    if (!taken.ok()) return std::move(taken).error();
    if (*taken) {
      return core::conflict("'" + value + "' is already the " + d.key + " of " + (*taken)->str(0),
                            "attributes." + d.key);
    }
    auto ins = tx.exec(
        "INSERT INTO ci_unique_values (type_id, attr_key, value, ci_id) VALUES (?, ?, ?, ?)",
        {type_id, d.key, value, ci_id});
    if (!ins.ok()) return std::move(ins).error();
  }
  return {};
}

// The attribute values as one text: strings and numbers, space-separated.
std::string search_body(const std::string& attributes_json) {
  std::string out;
  json v = json::parse(attributes_json, nullptr, false);
  if (!v.is_object()) return out;
  for (const auto& [k, value] : v.items()) {
    if (value.is_string()) {
      out += value.get<std::string>();
    } else if (value.is_number()) {
      out += value.dump();
    } else {
      continue;
    }
    out += ' ';
  }
  return out;
}

}  // namespace

namespace internal {

std::string ci_snapshot(const Ci& c) {
  ordered_json j = {
      {"type", c.type_key},       {"name", c.name},
      {"status", c.status},       {"environment", c.environment},
      {"owner_team_id", nullptr}, {"attributes", ordered_json::parse(c.attributes_json)}};
  if (c.owner_team_id) j["owner_team_id"] = *c.owner_team_id;
  return j.dump();
}

core::Status index_ci(store::Tx& tx, const Ci& c) {
  std::string body = search_body(c.attributes_json);
  return store::search::index_document(tx, ci_index(), c.id, {c.name, body});
}

}  // namespace internal

namespace {

using internal::ci_snapshot;
using internal::index_ci;

store::Value opt_value(const std::optional<std::int64_t>& v) {
  store::Value out;
  if (v) out = *v;
  return out;
}

}  // namespace

const store::search::IndexSpec& ci_index() {
  static const store::search::IndexSpec kIndex{"cis_fts", {"head", "body"}};
  return kIndex;
}

core::Result<Ci> create_ci(store::Tx& tx, const store::Actor& actor, core::TimeMs now,
                           const NewCi& in) {
  YW_ASSIGN(TypeInfo type, type_by_key(tx, in.type));
  std::string name = core::trim(in.name);
  YW_TRY(check_fields(tx, name, in.status, in.environment, in.owner_team_id));
  YW_ASSIGN(std::string values, check_values(type.schema, in.attributes_json, true, ref_check(tx)));
  auto row = tx.query_row(
      "INSERT INTO cis (type_id, name, status, environment, owner_team_id, attributes, version,"
      " created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, 1, ?, ?) RETURNING id",
      {type.id, name, in.status, in.environment, opt_value(in.owner_team_id), values, now, now});
  if (!row.ok()) return std::move(row).error();
  std::int64_t id = (*row)->i64(0);
  YW_TRY(claim_unique(tx, type.id, id, type.schema, values));
  YW_ASSIGN(Ci c, load_ci(tx, id));
  YW_TRY(index_ci(tx, c));
  auto ev = store::append_event(tx, actor, now, "ci.create", "ci", id, "", ci_snapshot(c));
  if (!ev.ok()) return std::move(ev).error();
  return c;
}

core::Result<Ci> update_ci(store::Tx& tx, const store::Actor& actor, core::TimeMs now,
                           std::int64_t id, const CiPatch& p) {
  YW_ASSIGN(Ci before, load_ci(tx, id));
  if (before.version != p.version)
    return core::conflict("the CI was changed by someone else; reload and retry", "version");
  YW_ASSIGN(TypeInfo type, type_by_key(tx, before.type_key));
  Ci after = before;
  if (p.name) after.name = core::trim(*p.name);
  if (p.status) after.status = *p.status;
  if (p.environment) after.environment = *p.environment;
  if (p.owner_team_id) after.owner_team_id = *p.owner_team_id;
  YW_TRY(check_fields(tx, after.name, after.status, after.environment, after.owner_team_id));
  if (p.attributes_json) {
    json patch = json::parse(*p.attributes_json, nullptr, false);
    if (!patch.is_object()) return core::invalid("attributes", "must be an object");
    json merged = json::parse(before.attributes_json, nullptr, false);
    if (!merged.is_object()) merged = json::object();
    for (const auto& [k, v] : patch.items()) {
      if (v.is_null()) {
        merged.erase(k);
      } else {
        merged[k] = v;
      }
    }
    YW_ASSIGN(after.attributes_json,
              check_values(type.schema, merged.dump(), false, ref_check(tx)));
  }
  auto n = tx.exec(
      "UPDATE cis SET name = ?, status = ?, environment = ?, owner_team_id = ?, attributes = ?,"
      " updated_at = ?, version = version + 1 WHERE id = ? AND version = ?",
      {after.name, after.status, after.environment, opt_value(after.owner_team_id),
       after.attributes_json, now, id, p.version});
  if (!n.ok()) return std::move(n).error();
  if (*n != 1) return core::conflict("the CI was changed concurrently; reload", "version");
  if (p.attributes_json) {
    YW_TRY(claim_unique(tx, type.id, id, type.schema, after.attributes_json));
  }
  YW_ASSIGN(Ci stored, load_ci(tx, id));
  YW_TRY(index_ci(tx, stored));
  auto ev = store::append_event(tx, actor, now, "ci.update", "ci", id, ci_snapshot(before),
                                ci_snapshot(stored));
  if (!ev.ok()) return std::move(ev).error();
  return stored;
}

core::Result<Ci> CiService::create(const store::Actor& actor, const NewCi& in) {
  return store::write_tx<Ci>(
      db_, [&](store::Tx& tx) { return create_ci(tx, actor, clock_.now_ms(), in); });
}

core::Result<Ci> CiService::get(std::int64_t id) {
  return store::read_tx<Ci>(db_, [&](store::Tx& tx) { return load_ci(tx, id); });
}

core::Result<Ci> CiService::update(const store::Actor& actor, std::int64_t id, const CiPatch& p) {
  return store::write_tx<Ci>(
      db_, [&](store::Tx& tx) { return update_ci(tx, actor, clock_.now_ms(), id, p); });
}

}  // namespace yunwei::cmdb
