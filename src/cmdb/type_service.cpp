#include "cmdb/type_service.h"

#include <nlohmann/json.hpp>
#include <set>

#include "cmdb/schema.h"
#include "core/text.h"

namespace yunwei::cmdb {

using nlohmann::json;

namespace {

constexpr const char* kColumns =
    "id, key, name, name_zh, description, attributes, builtin, active, version, created_at,"
    " updated_at";

core::Result<CiType> from_row(const store::Row& r) {
  CiType t;
  t.id = r.i64(0);
  t.key = r.str(1);
  t.name = r.str(2);
  t.name_zh = r.str(3);
  t.description = r.str(4);
  YW_ASSIGN(t.attributes, parse_schema(r.str(5)));
  t.builtin = r.i64(6) != 0;
  t.active = r.i64(7) != 0;
  t.version = r.i64(8);
  t.created_at = r.i64(9);
  t.updated_at = r.i64(10);
  return t;
}

core::Result<CiType> load(store::Tx& tx, std::int64_t id) {
  auto row = tx.query_row(std::string("SELECT ") + kColumns + " FROM ci_types WHERE id = ?", {id});
  if (!row.ok()) return std::move(row).error();
  if (!*row) return core::not_found("no CI type with id " + std::to_string(id));
  return from_row(**row);
}

std::string snapshot(const CiType& t) {
  return json{{"key", t.key},
              {"name", t.name},
              {"name_zh", t.name_zh},
              {"description", t.description},
              {"attributes", json::parse(schema_json(t.attributes))},
              {"active", t.active}}
      .dump();
}

core::Status check_names(const std::string& name, const std::string& name_zh,
                         const std::string& description) {
  YW_TRY(core::check_text(name, "name", 100, true, core::Controls::kNone));
  YW_TRY(core::check_text(name_zh, "name_zh", 100, false, core::Controls::kNone));
  YW_TRY(core::check_text(description, "description", 2000, false));
  return {};
}

// Every reference names an existing type (or `self`, the type being created or changed).
core::Status check_references(store::Tx& tx, const std::vector<AttributeDef>& attrs,
                              std::string_view self) {
  for (std::size_t i = 0; i < attrs.size(); ++i) {
    const AttributeDef& d = attrs[i];
    if (d.kind != AttrKind::kReference || d.ref_type == self) continue;
    auto row = tx.query_row("SELECT 1 FROM ci_types WHERE key = ?", {d.ref_type});
    if (!row.ok()) return std::move(row).error();
    if (!*row) {
      return core::invalid("attributes[" + std::to_string(i) + "].ref_type",
                           "no CI type with key '" + d.ref_type + "'");
    }
  }
  return {};
}

core::Result<CiType> insert(store::Tx& tx, const store::Actor& actor, core::TimeMs now,
                            const CiTypeInput& in, bool builtin) {
  auto row = tx.query_row(
      "INSERT INTO ci_types (key, name, name_zh, description, attributes, builtin, active,"
      " version, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, 1, 1, ?, ?) RETURNING id",
      {in.key, core::trim(in.name), core::trim(in.name_zh), core::trim(in.description),
       schema_json(in.attributes), std::int64_t{builtin ? 1 : 0}, now, now});
  if (!row.ok()) {
    core::Error e = std::move(row).error();
    if (e.code == core::ErrorCode::kConflict)
      return core::conflict("a CI type with key '" + in.key + "' exists", "key");
    return e;
  }
  YW_ASSIGN(CiType t, load(tx, (*row)->i64(0)));
  auto ev = store::append_event(tx, actor, now, "ci_type.create", "ci_type", t.id, "", snapshot(t));
  if (!ev.ok()) return std::move(ev).error();
  return t;
}

}  // namespace

core::Result<CiType> CiTypeService::create(const store::Actor& actor, const CiTypeInput& in) {
  if (!valid_key(in.key))
    return core::invalid("key", "must be a-z, 0-9 and _, starting with a letter, at most 40");
  YW_TRY(check_names(core::trim(in.name), core::trim(in.name_zh), core::trim(in.description)));
  return store::write_tx<CiType>(db_, [&](store::Tx& tx) -> core::Result<CiType> {
    YW_TRY(check_references(tx, in.attributes, in.key));
    return insert(tx, actor, clock_.now_ms(), in, false);
  });
}

core::Result<CiType> CiTypeService::get(std::int64_t id) {
  return store::read_tx<CiType>(db_, [&](store::Tx& tx) { return load(tx, id); });
}

core::Result<std::optional<CiType>> CiTypeService::find(std::string_view key) {
  using R = std::optional<CiType>;
  return store::read_tx<R>(db_, [&](store::Tx& tx) -> core::Result<R> {
    auto row = tx.query_row(std::string("SELECT ") + kColumns + " FROM ci_types WHERE key = ?",
                            {std::string(key)});
    if (!row.ok()) return std::move(row).error();
    if (!*row) return R();
    YW_ASSIGN(CiType t, from_row(**row));
    return R(std::move(t));
  });
}

core::Result<std::vector<CiType>> CiTypeService::list() {
  using R = std::vector<CiType>;
  return store::read_tx<R>(db_, [&](store::Tx& tx) -> core::Result<R> {
    auto rows = tx.query(std::string("SELECT ") + kColumns + " FROM ci_types ORDER BY name, id");
    if (!rows.ok()) return std::move(rows).error();
    R out;
    for (const store::Row& r : *rows) {
      YW_ASSIGN(CiType t, from_row(r));
      out.push_back(std::move(t));
    }
    return out;
  });
}

core::Result<TypeChange> CiTypeService::update(const store::Actor& actor, std::int64_t id,
                                               const CiTypePatch& p) {
  return store::write_tx<TypeChange>(db_, [&](store::Tx& tx) -> core::Result<TypeChange> {
    YW_ASSIGN(CiType before, load(tx, id));
    if (before.version != p.version)
      return core::conflict("the CI type was changed by someone else; reload and retry", "version");
    CiType after = before;
    if (p.name) after.name = core::trim(*p.name);
    if (p.name_zh) after.name_zh = core::trim(*p.name_zh);
    if (p.description) after.description = core::trim(*p.description);
    if (p.active) after.active = *p.active;
    YW_TRY(check_names(after.name, after.name_zh, after.description));
    TypeChange change;
    if (p.attributes) {
      after.attributes = *p.attributes;
      YW_TRY(check_references(tx, after.attributes, after.key));
      // Every CI of the type against the new schema, before anything changes.
      auto rows =
          tx.query("SELECT id, name, attributes FROM cis WHERE type_id = ? ORDER BY id", {id});
      if (!rows.ok()) return std::move(rows).error();
      for (const store::Row& r : *rows) {
        ++change.checked;
        std::vector<std::string> problems = misfits(after.attributes, r.str(2));
        if (!problems.empty()) change.misfits.push_back({r.i64(0), r.str(1), std::move(problems)});
      }
    }
    if (p.dry_run || (!change.misfits.empty() && !p.accept_misfits)) {
      change.type = before;
      return change;
    }
    core::TimeMs now = clock_.now_ms();
    auto n = tx.exec(
        "UPDATE ci_types SET name = ?, name_zh = ?, description = ?, attributes = ?, active = ?,"
        " updated_at = ?, version = version + 1 WHERE id = ? AND version = ?",
        {after.name, after.name_zh, after.description, schema_json(after.attributes),
         std::int64_t{after.active ? 1 : 0}, now, id, p.version});
    if (!n.ok()) return std::move(n).error();
    if (*n != 1) return core::conflict("the CI type was changed concurrently; reload", "version");
    YW_ASSIGN(change.type, load(tx, id));
    auto ev = store::append_event(tx, actor, now, "ci_type.update", "ci_type", id, snapshot(before),
                                  snapshot(change.type));
    if (!ev.ok()) return std::move(ev).error();
    change.applied = true;
    return change;
  });
}

core::Status CiTypeService::seed_defaults(const store::Actor& actor) {
  return db_.write([&](store::Tx& tx) -> core::Status {
    core::TimeMs now = clock_.now_ms();
    for (const ShippedType& s : shipped_types()) {
      auto row = tx.query_row("SELECT 1 FROM ci_types WHERE key = ?", {s.key});
      if (!row.ok()) return std::move(row).error();
      if (*row) continue;
      CiTypeInput in{s.key, s.name, s.name_zh, s.description, s.attributes};
      auto t = insert(tx, actor, now, in, true);
      if (!t.ok()) return std::move(t).error();
    }
    return {};
  });
}

core::Result<std::map<std::int64_t, std::int64_t>> CiTypeService::ci_counts() {
  using R = std::map<std::int64_t, std::int64_t>;
  return store::read_tx<R>(db_, [&](store::Tx& tx) -> core::Result<R> {
    auto rows = tx.query("SELECT type_id, COUNT(*) FROM cis GROUP BY type_id");
    if (!rows.ok()) return std::move(rows).error();
    R out;
    for (const store::Row& r : *rows) out[r.i64(0)] = r.i64(1);
    return out;
  });
}

core::Result<CiType> CiTypeService::resolve(std::string_view id_or_key) {
  bool numeric = !id_or_key.empty() && id_or_key.size() <= 18;
  for (char c : id_or_key) numeric = numeric && c >= '0' && c <= '9';
  if (numeric) return get(std::stoll(std::string(id_or_key)));
  if (!valid_key(id_or_key)) return core::not_found("no CI type '" + std::string(id_or_key) + "'");
  YW_ASSIGN(std::optional<CiType> t, find(id_or_key));
  if (!t) return core::not_found("no CI type with key '" + std::string(id_or_key) + "'");
  return std::move(*t);
}

}  // namespace yunwei::cmdb
