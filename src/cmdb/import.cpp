#include "cmdb/import.h"

#include <algorithm>
#include <charconv>
#include <functional>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <unordered_map>
#include <unordered_set>
#include <utility>

#include "cmdb/ci_internal.h"
#include "cmdb/ci_service.h"
#include "cmdb/relations.h"
#include "cmdb/schema.h"
#include "core/csv.h"
#include "core/text.h"

namespace yunwei::cmdb {

using nlohmann::json;
using ordered_json = nlohmann::ordered_json;

namespace {

// Ids standing for CIs that lines of the file create, until they are written: kPlanned + the
// line's index. Far above any real id.
constexpr std::int64_t kPlanned = std::int64_t{1} << 60;

// One line of the file as read, before anything is looked up.
struct RawLine {
  int line = 0;
  std::string type, name;
  std::optional<std::string> status, environment, owner_team;  // nullopt: not given
  json attrs = json::object();                                 // given values only
  std::vector<std::pair<std::string, std::string>> relations;  // (relation type, "type:key")
  std::string bad_field, bad_message;                          // the item's shape is wrong
};

struct TypeInfo {
  std::int64_t id = 0;
  std::string key;
  bool active = true;
  std::vector<AttributeDef> schema;
  int key_attr = -1;  // index in schema of the import key; -1: the name
  bool loaded = false;
};

struct RelType {
  std::int64_t id = 0;
  std::string key;
};

struct Team {
  std::int64_t id = 0;
  bool active = true;
};

// A CI that exists.
struct Known {
  std::int64_t id = 0;
  std::int64_t type_id = 0;
  std::string name, status, environment;
  std::optional<std::int64_t> owner_team_id;
  std::string attributes;
  std::int64_t version = 0;
};

struct Dep {
  int line_index = 0;
  std::string field;
};

struct PlannedRelation {
  const RelType* type = nullptr;
  std::string field;           // relations.<key>
  std::int64_t target_id = 0;  // a real id or kPlanned + line index
};

// What one line does.
struct Plan {
  int line = 0;
  std::string ci;  // "<type>:<key value>"
  TypeInfo* type = nullptr;
  std::string key_value;
  bool rejected = false;
  std::string field, message;
  int match = -1;  // index into known; -1: a new CI
  // The CI as it is to be.
  std::string name, status, environment;
  std::optional<std::int64_t> owner_team_id;
  std::string attributes;  // stored form
  bool ci_changed = false;
  bool unique_changed = false;
  std::vector<std::string> fields;
  std::vector<std::pair<std::string, int>> planned_refs;  // attribute -> line index it creates
  std::vector<Dep> deps;                                  // lines this one needs
  std::vector<PlannedRelation> relations;                 // to create
  int relations_existing = 0;                             // already there (or twice in the line)
  std::int64_t id = 0;                                    // once written
};

void reject(Plan& p, std::string field, std::string message) {
  if (p.rejected) return;
  p.rejected = true;
  p.field = std::move(field);
  p.message = std::move(message);
}

std::string value_text(const json& v) { return v.is_string() ? v.get<std::string>() : v.dump(); }

std::string in_quotes(std::string_view s) {
  std::string out;
  out.reserve(s.size() + 2);
  out += '\'';
  out.append(s);
  out += '\'';
  return out;
}

bool all_digits(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

// A text value of the file in the JSON type the attribute's kind takes. What cannot be converted
// stays text so that check_values reports it.
json convert(const AttributeDef& d, const json& v) {
  if (!v.is_string()) return v;
  std::string s = core::trim(v.get<std::string>());
  switch (d.kind) {
    case AttrKind::kInteger: {
      std::int64_t n = 0;
      auto r = std::from_chars(s.data(), s.data() + s.size(), n);
      if (!s.empty() && r.ec == std::errc() && r.ptr == s.data() + s.size()) return n;
      return v;
    }
    case AttrKind::kBoolean: {
      std::string l = core::ascii_lower(s);
      if (l == "true" || l == "1" || l == "yes" || s == "是") return true;
      if (l == "false" || l == "0" || l == "no" || s == "否") return false;
      return v;
    }
    default:
      return v;
  }
}

bool is_blank(const json& v) {
  return v.is_null() || (v.is_string() && core::trim(v.get<std::string>()).empty());
}

core::Error body_error(std::string message) { return core::invalid("body", std::move(message)); }

// ---------------------------------------------------------------------------------------------
// Reading the file

struct Parsed {
  std::vector<std::string> header;  // CSV only
  std::vector<std::vector<std::string>> records;
  std::vector<int> record_lines;
  std::vector<RawLine> json_lines;  // JSON only
};

core::Result<Parsed> parse_csv(std::string_view text) {
  Parsed out;
  core::CsvReader reader(text);
  std::vector<std::string> fields;
  bool header = true;
  while (true) {
    auto more = reader.next(fields);
    if (!more.ok()) return body_error(more.error().message);
    if (!*more) break;
    if (fields.size() == 1 && fields[0].empty()) continue;  // a blank line
    if (header) {
      out.header = fields;
      header = false;
      continue;
    }
    out.records.push_back(fields);
    out.record_lines.push_back(reader.line());
  }
  if (header) return body_error("the CSV is empty: a header row is required");
  return out;
}

std::optional<std::string> json_text(const json& item, const char* key, RawLine& l) {
  auto it = item.find(key);
  if (it == item.end() || it->is_null()) return std::nullopt;
  if (!it->is_string()) {
    if (l.bad_field.empty()) {
      l.bad_field = key;
      l.bad_message = "must be a string";
    }
    return std::nullopt;
  }
  std::string s = core::trim(it->get<std::string>());
  if (s.empty()) return std::nullopt;
  return s;
}

core::Result<Parsed> parse_json(std::string_view text) {
  json doc;
  try {
    doc = json::parse(text);
  } catch (const json::parse_error& e) {
    return body_error("not valid JSON (at byte " + std::to_string(e.byte) + ")");
  }
  if (!doc.is_object() || !doc.contains("cis") || !doc["cis"].is_array())
    return core::invalid("cis", "the body must be {\"cis\": [...]}");
  Parsed out;
  int n = 0;
  for (const json& item : doc["cis"]) {
    RawLine l;
    l.line = ++n;
    if (!item.is_object()) {
      l.bad_field = "cis[" + std::to_string(n - 1) + "]";
      l.bad_message = "must be an object";
      out.json_lines.push_back(std::move(l));
      continue;
    }
    for (auto it = item.begin(); it != item.end(); ++it) {
      static const char* kKnown[] = {"type",       "name",       "status",   "environment",
                                     "owner_team", "attributes", "relations"};
      if (std::none_of(std::begin(kKnown), std::end(kKnown),
                       [&](const char* k) { return it.key() == k; })) {
        l.bad_field = it.key();
        l.bad_message = "is not a field of an import item";
        break;
      }
    }
    l.type = json_text(item, "type", l).value_or("");
    l.name = json_text(item, "name", l).value_or("");
    l.status = json_text(item, "status", l);
    l.environment = json_text(item, "environment", l);
    l.owner_team = json_text(item, "owner_team", l);
    auto attrs = item.find("attributes");
    if (attrs != item.end() && !attrs->is_null()) {
      if (!attrs->is_object()) {
        if (l.bad_field.empty()) {
          l.bad_field = "attributes";
          l.bad_message = "must be an object";
        }
      } else {
        for (auto a = attrs->begin(); a != attrs->end(); ++a) {
          if (!is_blank(a.value())) l.attrs[a.key()] = a.value();
        }
      }
    }
    auto rels = item.find("relations");
    if (rels != item.end() && !rels->is_null()) {
      bool ok = rels->is_array();
      if (ok) {
        for (const json& r : *rels) {
          if (!r.is_object() || !r.contains("type") || !r["type"].is_string() ||
              !r.contains("to") || !r["to"].is_string()) {
            ok = false;
            break;
          }
          l.relations.emplace_back(r["type"].get<std::string>(), r["to"].get<std::string>());
        }
      }
      if (!ok && l.bad_field.empty()) {
        l.bad_field = "relations";
        l.bad_message =
            "must be a list of {\"type\": \"<relation type>\", \"to\": \"<type>:<key>\"}";
      }
    }
    out.json_lines.push_back(std::move(l));
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Multi-row INSERTs: most of an import's time is per statement, not per row.

class BatchInsert {
 public:
  // `head`: "INSERT INTO t (a, b, c) VALUES "; `tail`: "" or " RETURNING ...", whose rows go to
  // `on_row`. Full batches are one statement of kRows rows; what is left at flush() goes one
  // row per statement, so that only two statements per table are ever prepared and cached.
  BatchInsert(store::Tx& tx, std::string head, std::size_t columns, std::string tail = "",
              std::function<core::Status(const store::Row&)> on_row = {})
      : tx_(tx),
        head_(std::move(head)),
        tail_(std::move(tail)),
        columns_(columns),
        on_row_(std::move(on_row)) {}

  core::Status add(store::Params row) {
    for (store::Value& v : row) pending_.push_back(std::move(v));
    if (pending_.size() < kRows * columns_) return {};
    return run(kRows, pending_);
  }
  core::Status flush() {
    for (std::size_t at = 0; at < pending_.size(); at += columns_) {
      store::Params one(pending_.begin() + static_cast<std::ptrdiff_t>(at),
                        pending_.begin() + static_cast<std::ptrdiff_t>(at + columns_));
      YW_TRY(run(1, one));
    }
    pending_.clear();
    return {};
  }

 private:
  static constexpr std::size_t kRows = 200;  // 8 columns: 1,600 parameters (PostgreSQL: 65,535)

  core::Status run(std::size_t rows, store::Params& params) {
    std::string& sql = rows == 1 ? one_sql_ : full_sql_;
    if (sql.empty()) {
      std::string tuple = "(";
      for (std::size_t c = 0; c < columns_; ++c) tuple += c ? ", ?" : "?";
      tuple += ")";
      sql = head_;
      for (std::size_t r = 0; r < rows; ++r) {
        if (r) sql += ", ";
        sql += tuple;
      }
      sql += tail_;
    }
    auto out = tx_.query(sql, params);
    if (!out.ok()) return std::move(out).error();
    params.clear();
    if (on_row_) {
      for (const store::Row& r : *out) YW_TRY(on_row_(r));
    }
    return {};
  }

  store::Tx& tx_;
  std::string head_, tail_;
  std::size_t columns_;
  std::function<core::Status(const store::Row&)> on_row_;
  store::Params pending_;
  std::string full_sql_, one_sql_;
};

// Events as store::append_event writes them (store/audit.cpp), in batches.
class EventBatch {
 public:
  EventBatch(store::Tx& tx, const store::Actor& actor, core::TimeMs now)
      : actor_(actor),
        now_(now),
        batch_(tx,
               "INSERT INTO events (at, actor_id, action, object_type, object_id, before_json,"
               " after_json, request_id) VALUES ",
               8) {}
  core::Status add(const char* action, std::int64_t ci, std::string before, std::string after) {
    store::Value actor_id, before_v, after_v;
    if (actor_.user_id) actor_id = *actor_.user_id;
    if (!before.empty()) before_v = std::move(before);
    if (!after.empty()) after_v = std::move(after);
    return batch_.add({now_, std::move(actor_id), std::string(action), std::string("ci"), ci,
                       std::move(before_v), std::move(after_v), actor_.request_id});
  }
  core::Status flush() { return batch_.flush(); }

 private:
  const store::Actor& actor_;
  core::TimeMs now_;
  BatchInsert batch_;
};

// ---------------------------------------------------------------------------------------------
// The import, inside one transaction

class Importer {
 public:
  Importer(store::Tx& tx, const store::Actor& actor, core::TimeMs now, const ImportOptions& options,
           const ImportProgress& progress)
      : tx_(tx), actor_(actor), now_(now), options_(options), progress_(progress) {}

  core::Status run(Parsed& parsed, ImportFormat format, ImportReport& report);

 private:
  core::Status load_catalog();
  core::Status csv_lines(const Parsed& parsed, std::vector<RawLine>& out);
  core::Status load_known();
  core::Status load_unique_values();
  core::Status load_relations();
  void identify(std::size_t i, const RawLine& raw);
  void validate(std::size_t i, const RawLine& raw);
  void plan_relations(std::size_t i, const RawLine& raw);
  void cascade();
  bool claim_unique(std::size_t i, std::unordered_map<std::string, std::int64_t>& owner);
  void recheck_unique();
  core::Status write();
  core::Status write_ci(std::size_t i, EventBatch& events, BatchInsert& unique_values);

  TypeInfo* type_by_key(const std::string& key) {
    auto it = types_by_key_.find(key);
    return it == types_by_key_.end() ? nullptr : &types_[it->second];
  }
  std::string key_field(const TypeInfo& t) const {
    return t.key_attr < 0 ? std::string("name") : "attributes." + t.schema[t.key_attr].key;
  }
  // The key value of a known CI, "" when it has none.
  std::string known_key(const TypeInfo& t, const Known& k) const;
  // The CIs of `t` with key value `v`.
  const std::vector<int>* known_with_key(const TypeInfo& t, const std::string& v) const {
    auto by_type = key_index_.find(t.id);
    if (by_type == key_index_.end()) return nullptr;
    auto it = by_type->second.find(v);
    return it == by_type->second.end() ? nullptr : &it->second;
  }
  // The line of the file with (type, key value), -1 if none.
  int file_line(const TypeInfo& t, const std::string& v) const {
    auto it = file_keys_.find(std::to_string(t.id) + '\x1f' + v);
    return it == file_keys_.end() ? -1 : it->second;
  }
  // Resolves "<key value>" of type `t` for line `i` (a reference or a relation target): an id,
  // kPlanned + j for a CI line j creates, or false with the line rejected for `field`.
  bool resolve(std::size_t i, const TypeInfo& t, const std::string& value, const std::string& field,
               bool earlier_only, std::int64_t& id);
  std::string unique_key(std::int64_t type_id, const std::string& attr, const std::string& value) {
    return std::to_string(type_id) + '\x1f' + attr + '\x1f' + value;
  }
  std::string ci_name(std::int64_t id) const;
  void step();

  store::Tx& tx_;
  const store::Actor& actor_;
  core::TimeMs now_;
  const ImportOptions& options_;
  const ImportProgress& progress_;

  std::vector<TypeInfo> types_;
  std::unordered_map<std::string, std::size_t> types_by_key_;
  std::unordered_map<std::int64_t, std::size_t> types_by_id_;
  std::vector<RelType> rel_types_;
  std::unordered_map<std::string, std::size_t> rel_types_by_key_;
  std::unordered_map<std::string, Team> teams_by_name_;
  std::map<std::int64_t, std::string> team_names_;

  std::vector<Known> known_;
  std::unordered_map<std::int64_t, int> known_by_id_;
  std::unordered_map<std::int64_t, std::unordered_map<std::string, std::vector<int>>> key_index_;
  std::unordered_map<std::string, std::int64_t> unique_owner_;   // value -> CI id or kPlanned + i
  std::unordered_map<std::string, std::int64_t> stored_unique_;  // as in the database
  struct TripleHash {
    std::size_t operator()(const std::tuple<std::int64_t, std::int64_t, std::int64_t>& t) const {
      auto [a, b, c] = t;
      std::size_t h = std::hash<std::int64_t>()(a);
      h = h * 1000003u ^ std::hash<std::int64_t>()(b);
      return h * 1000003u ^ std::hash<std::int64_t>()(c);
    }
  };
  std::unordered_set<std::tuple<std::int64_t, std::int64_t, std::int64_t>, TripleHash> relations_;

  std::vector<RawLine> raw_;
  std::vector<Plan> plans_;
  std::unordered_map<std::string, int> file_keys_;  // "<type id>\x1f<key value>" -> line index
  std::int64_t done_ = 0, total_ = 0, next_report_ = 0;
};

core::Status Importer::load_catalog() {
  auto types = tx_.query("SELECT id, key, attributes, active FROM ci_types ORDER BY id");
  if (!types.ok()) return std::move(types).error();
  for (const store::Row& r : *types) {
    TypeInfo t;
    t.id = r.i64(0);
    t.key = r.str(1);
    t.active = r.i64(3) != 0;
    auto schema = parse_schema(r.str(2));
    if (!schema.ok()) return core::internal("the stored schema of " + t.key + " is invalid");
    t.schema = std::move(schema).value();
    for (std::size_t k = 0; k < t.schema.size(); ++k) {
      if (!options_.key.empty() && t.schema[k].key == options_.key)
        t.key_attr = static_cast<int>(k);
    }
    types_by_key_[t.key] = types_.size();
    types_by_id_[t.id] = types_.size();
    types_.push_back(std::move(t));
  }
  if (!options_.key.empty() && options_.key != "name" &&
      std::none_of(types_.begin(), types_.end(), [](const TypeInfo& t) { return t.key_attr >= 0; }))
    return core::invalid("key", "no CI type has an attribute " + in_quotes(options_.key));
  auto rels = tx_.query("SELECT id, key FROM ci_relation_types ORDER BY id");
  if (!rels.ok()) return std::move(rels).error();
  for (const store::Row& r : *rels) {
    rel_types_by_key_[r.str(1)] = rel_types_.size();
    rel_types_.push_back({r.i64(0), r.str(1)});
  }
  auto teams = tx_.query("SELECT id, name, active FROM teams");
  if (!teams.ok()) return std::move(teams).error();
  for (const store::Row& r : *teams) {
    teams_by_name_[r.str(1)] = {r.i64(0), r.i64(2) != 0};
    team_names_[r.i64(0)] = r.str(1);
  }
  return {};
}

core::Status Importer::csv_lines(const Parsed& parsed, std::vector<RawLine>& out) {
  enum Kind { kType, kName, kStatus, kEnvironment, kOwnerTeam, kAttribute, kRelation };
  struct Column {
    Kind kind;
    std::string key;
  };
  std::vector<Column> columns;
  std::unordered_set<std::string> seen;
  bool has_type = false, has_name = false;
  for (const std::string& raw : parsed.header) {
    std::string h = core::trim(raw);
    if (!seen.insert(h).second)
      return core::invalid(h, "the column " + in_quotes(h) + " is repeated");
    if (h == "type") {
      columns.push_back({kType, ""});
      has_type = true;
    } else if (h == "name") {
      columns.push_back({kName, ""});
      has_name = true;
    } else if (h == "status") {
      columns.push_back({kStatus, ""});
    } else if (h == "environment") {
      columns.push_back({kEnvironment, ""});
    } else if (h == "owner_team") {
      columns.push_back({kOwnerTeam, ""});
    } else if (h.rfind("attributes.", 0) == 0) {
      std::string key = h.substr(11);
      bool known = false;
      for (const TypeInfo& t : types_) {
        for (const AttributeDef& d : t.schema) known = known || d.key == key;
      }
      if (!known) {
        return core::invalid(h, "unknown column " + in_quotes(h) +
                                    ": no CI type has the attribute " + in_quotes(key));
      }
      columns.push_back({kAttribute, key});
    } else if (h.rfind("relations.", 0) == 0) {
      std::string key = h.substr(10);
      if (!rel_types_by_key_.count(key))
        return core::invalid(
            h, "unknown column " + in_quotes(h) + ": no relation type " + in_quotes(key));
      columns.push_back({kRelation, key});
    } else {
      return core::invalid(h, "unknown column " + in_quotes(h) +
                                  " (the columns are type, name, status, environment, owner_team,"
                                  " attributes.<key> and relations.<relation type>)");
    }
  }
  if (!has_type) return core::invalid("type", "the CSV has no type column");
  if (!has_name) return core::invalid("name", "the CSV has no name column");
  out.reserve(parsed.records.size());
  for (std::size_t r = 0; r < parsed.records.size(); ++r) {
    const std::vector<std::string>& cells = parsed.records[r];
    RawLine l;
    l.line = parsed.record_lines[r];
    if (cells.size() > columns.size()) {
      l.bad_field = "columns";
      l.bad_message = "has " + std::to_string(cells.size()) + " cells, the header " +
                      std::to_string(columns.size());
    }
    for (std::size_t c = 0; c < columns.size() && c < cells.size(); ++c) {
      std::string v = core::trim(cells[c]);
      if (v.empty()) continue;
      switch (columns[c].kind) {
        case kType:
          l.type = std::move(v);
          break;
        case kName:
          l.name = std::move(v);
          break;
        case kStatus:
          l.status = std::move(v);
          break;
        case kEnvironment:
          l.environment = std::move(v);
          break;
        case kOwnerTeam:
          l.owner_team = std::move(v);
          break;
        case kAttribute:
          l.attrs[columns[c].key] = cells[c];
          break;
        case kRelation:
          for (const std::string& target : core::split(v, ';')) {
            std::string t = core::trim(target);
            if (!t.empty()) l.relations.emplace_back(columns[c].key, std::move(t));
          }
          break;
      }
    }
    out.push_back(std::move(l));
  }
  return {};
}

std::string Importer::known_key(const TypeInfo& t, const Known& k) const {
  if (t.key_attr < 0) return k.name;
  json v = json::parse(k.attributes, nullptr, false);
  if (!v.is_object()) return "";
  auto it = v.find(t.schema[t.key_attr].key);
  if (it == v.end() || it->is_null()) return "";
  return value_text(*it);
}

// The existing CIs of every type the file names, and of the types their references and
// relations point to: matching, references and relation targets are then answered from memory.
core::Status Importer::load_known() {
  // A type, and the types its references point to, and theirs.
  std::function<void(const std::string&)> want = [&](const std::string& key) {
    TypeInfo* t = type_by_key(key);
    if (!t || t->loaded) return;
    t->loaded = true;
    for (const AttributeDef& d : t->schema) {
      if (d.kind == AttrKind::kReference) want(d.ref_type);
    }
  };
  for (const RawLine& l : raw_) {
    want(l.type);
    for (const auto& [rel, target] : l.relations) {
      auto colon = target.find(':');
      if (colon != std::string::npos) want(core::trim(target.substr(0, colon)));
    }
  }
  for (const TypeInfo& t : types_) {
    if (!t.loaded) continue;
    auto rows = tx_.query(
        "SELECT id, name, status, environment, owner_team_id, attributes, version FROM cis"
        " WHERE type_id = ? ORDER BY id",
        {t.id});
    if (!rows.ok()) return std::move(rows).error();
    auto& index = key_index_[t.id];
    for (const store::Row& r : *rows) {
      Known k{r.i64(0), t.id, r.str(1), r.str(2), r.str(3), r.opt_i64(4), r.str(5), r.i64(6)};
      int at = static_cast<int>(known_.size());
      known_by_id_[k.id] = at;
      std::string key = known_key(t, k);
      if (!key.empty()) index[key].push_back(at);
      known_.push_back(std::move(k));
    }
  }
  return {};
}

core::Status Importer::load_unique_values() {
  for (const TypeInfo& t : types_) {
    if (!t.loaded) continue;
    if (std::none_of(t.schema.begin(), t.schema.end(),
                     [](const AttributeDef& d) { return d.unique; }))
      continue;
    auto rows =
        tx_.query("SELECT attr_key, value, ci_id FROM ci_unique_values WHERE type_id = ?", {t.id});
    if (!rows.ok()) return std::move(rows).error();
    for (const store::Row& r : *rows)
      unique_owner_[unique_key(t.id, r.str(0), r.str(1))] = r.i64(2);
  }
  stored_unique_ = unique_owner_;
  return {};
}

// The relations that exist from the CIs the file updates and relates.
core::Status Importer::load_relations() {
  std::vector<std::int64_t> from;
  for (const Plan& p : plans_) {
    if (!p.rejected && p.match >= 0 && !raw_[&p - plans_.data()].relations.empty())
      from.push_back(known_[p.match].id);
  }
  if (from.empty()) return {};
  auto rows = tx_.query(
      "SELECT type_id, from_ci, to_ci FROM ci_relations WHERE " + tx_.in_ids_sql("from_ci"),
      {tx_.in_ids_value(from)});
  if (!rows.ok()) return std::move(rows).error();
  for (const store::Row& r : *rows) relations_.insert({r.i64(0), r.i64(1), r.i64(2)});
  return {};
}

// Pass 1, every line: the type, the key value and the CI it matches.
void Importer::identify(std::size_t i, const RawLine& raw) {
  Plan& p = plans_[i];
  p.line = raw.line;
  p.ci = raw.type + ":" + raw.name;
  if (!raw.bad_field.empty()) return reject(p, raw.bad_field, raw.bad_message);
  if (raw.type.empty()) return reject(p, "type", "is required");
  p.type = type_by_key(raw.type);
  if (!p.type) return reject(p, "type", "no CI type with key " + in_quotes(raw.type));
  if (!p.type->active)
    return reject(p, "type", "the CI type " + in_quotes(raw.type) + " is inactive");
  const TypeInfo& t = *p.type;
  if (t.key_attr < 0) {
    if (raw.name.empty()) return reject(p, "name", "is required");
    p.key_value = raw.name;
  } else {
    const AttributeDef& d = t.schema[t.key_attr];
    std::string field = key_field(t);
    auto it = raw.attrs.find(d.key);
    if (it == raw.attrs.end()) return reject(p, field, "is the import key and must be given");
    // The key in stored form, as the existing CIs hold it.
    AttributeDef one = d;
    one.required = false;
    one.default_json.clear();
    json v = json::object();
    v[d.key] = convert(d, *it);
    auto stored = check_values({one}, v.dump(), false);
    if (!stored.ok()) return reject(p, field, stored.error().message);
    json s = json::parse(*stored);
    if (!s.contains(d.key)) return reject(p, field, "is the import key and must be given");
    p.key_value = value_text(s[d.key]);
    p.ci = raw.type + ":" + p.key_value;
  }
  std::string file_key = std::to_string(t.id) + '\x1f' + p.key_value;
  auto [at, fresh] = file_keys_.emplace(file_key, static_cast<int>(i));
  if (!fresh) {
    return reject(
        p, key_field(t),
        "the file has " + p.ci + " already, on line " + std::to_string(plans_[at->second].line));
  }
  const std::vector<int>* matches = known_with_key(t, p.key_value);
  if (matches && matches->size() > 1) {
    return reject(p, key_field(t),
                  "ambiguous: " + std::to_string(matches->size()) + " " + t.key + " CIs have the " +
                      (t.key_attr < 0 ? std::string("name") : t.schema[t.key_attr].key) + " " +
                      in_quotes(p.key_value));
  }
  if (matches) p.match = matches->front();
  if (p.match < 0 && raw.name.empty()) return reject(p, "name", "is required for a new CI");
}

bool Importer::resolve(std::size_t i, const TypeInfo& t, const std::string& value,
                       const std::string& field, bool earlier_only, std::int64_t& id) {
  Plan& p = plans_[i];
  int j = file_line(t, value);
  if (j >= 0 && plans_[j].match >= 0) {
    id = known_[plans_[j].match].id;
    return true;
  }
  if (j >= 0) {
    const Plan& q = plans_[j];
    if (static_cast<std::size_t>(j) == i) {
      reject(p, field, "a CI cannot refer to itself");
      return false;
    }
    if (earlier_only && static_cast<std::size_t>(j) > i) {
      reject(p, field,
             q.ci + " is created by line " + std::to_string(q.line) +
                 ", after this one: put the lines a reference points to first");
      return false;
    }
    if (q.rejected) {
      reject(p, field, q.ci + " (line " + std::to_string(q.line) + ") was rejected");
      return false;
    }
    p.deps.push_back({j, field});
    id = kPlanned + j;
    return true;
  }
  const std::vector<int>* matches = known_with_key(t, value);
  if (!matches) {
    reject(p, field, "no " + t.key + " CI " + in_quotes(value));
    return false;
  }
  if (matches->size() > 1) {
    reject(p, field,
           "ambiguous: " + std::to_string(matches->size()) + " " + t.key + " CIs have the key " +
               in_quotes(value));
    return false;
  }
  id = known_[matches->front()].id;
  return true;
}

std::string Importer::ci_name(std::int64_t id) const {
  if (id >= kPlanned) return plans_[static_cast<std::size_t>(id - kPlanned)].ci;
  auto it = known_by_id_.find(id);
  return it == known_by_id_.end() ? "CI " + std::to_string(id) : known_[it->second].name;
}

// Pass 2, in file order: the fields and attribute values as check_values sees them, and the
// unique values.
void Importer::validate(std::size_t i, const RawLine& raw) {
  Plan& p = plans_[i];
  if (p.rejected) return;
  const TypeInfo& t = *p.type;
  const Known* before = p.match >= 0 ? &known_[p.match] : nullptr;
  p.name = !raw.name.empty() ? raw.name : before->name;
  p.status = raw.status.value_or(before ? before->status : "in_use");
  p.environment = raw.environment.value_or(before ? before->environment : "");
  if (before) p.owner_team_id = before->owner_team_id;
  if (auto st = core::check_text(p.name, "name", 200, true, core::Controls::kNone); !st.ok())
    return reject(p, "name", st.error().message);
  if (!is_ci_status(p.status))
    return reject(p, "status", "must be planned, in_use, maintenance or retired");
  if (!is_environment(p.environment))
    return reject(p, "environment", "must be prod, staging, test, dev, dr or empty");
  if (raw.owner_team) {
    auto team = teams_by_name_.find(*raw.owner_team);
    if (team == teams_by_name_.end())
      return reject(p, "owner_team", "no team named " + in_quotes(*raw.owner_team));
    if (!team->second.active)
      return reject(p, "owner_team", "the team " + in_quotes(*raw.owner_team) + " is inactive");
    p.owner_team_id = team->second.id;
  }
  // The given values in the kinds of their attributes, references resolved to ids.
  json patch = json::object();
  for (auto it = raw.attrs.begin(); it != raw.attrs.end(); ++it) {
    const AttributeDef* def = nullptr;
    for (const AttributeDef& d : t.schema) {
      if (d.key == it.key()) def = &d;
    }
    if (!def) {
      patch[it.key()] = it.value();  // check_values names it
      continue;
    }
    json v = convert(*def, it.value());
    if (def->kind == AttrKind::kReference && v.is_string()) {
      std::string s = core::trim(v.get<std::string>());
      std::string field = "attributes." + def->key;
      if (all_digits(s) && s.size() <= 18) {
        v = std::stoll(s);
      } else {
        const TypeInfo* ref = type_by_key(def->ref_type);
        if (!ref) return reject(p, field, "no CI type " + in_quotes(def->ref_type));
        std::int64_t id = 0;
        if (!resolve(i, *ref, s, field, true, id)) return;
        if (id >= kPlanned) p.planned_refs.emplace_back(def->key, static_cast<int>(id - kPlanned));
        v = id;
      }
    }
    patch[it.key()] = std::move(v);
  }
  RefCheck refs = [this, &p](std::string_view field, std::int64_t id,
                             std::string_view type) -> core::Status {
    std::int64_t type_id = 0;
    bool planned = std::any_of(p.planned_refs.begin(), p.planned_refs.end(),
                               [&](const auto& r) { return kPlanned + r.second == id; });
    if (planned) {
      type_id = plans_[static_cast<std::size_t>(id - kPlanned)].type->id;
    } else if (auto k = known_by_id_.find(id); k != known_by_id_.end()) {
      type_id = known_[k->second].type_id;
    }
    const TypeInfo* want = type_by_key(std::string(type));
    if (type_id == 0 || !want || want->id != type_id) {
      return core::invalid(std::string(field),
                           "no " + std::string(type) + " CI with id " + std::to_string(id));
    }
    return {};
  };
  json before_values = json::object();
  if (before) {
    before_values = json::parse(before->attributes, nullptr, false);
    if (!before_values.is_object()) before_values = json::object();
  }
  if (!before) {
    auto values = check_values(t.schema, patch.dump(), true, refs);
    if (!values.ok()) return reject(p, values.error().field, values.error().message);
    p.attributes = std::move(values).value();
  } else if (!patch.empty()) {
    json merged = before_values;
    for (auto it = patch.begin(); it != patch.end(); ++it) merged[it.key()] = it.value();
    auto values = check_values(t.schema, merged.dump(), false, refs);
    if (!values.ok()) return reject(p, values.error().field, values.error().message);
    p.attributes = std::move(values).value();
  } else {
    p.attributes = before->attributes;
  }
  json after_values = json::parse(p.attributes, nullptr, false);
  if (!after_values.is_object()) after_values = json::object();
  // What changes.
  if (before) {
    if (p.name != before->name) p.fields.push_back("name");
    if (p.status != before->status) p.fields.push_back("status");
    if (p.environment != before->environment) p.fields.push_back("environment");
    if (p.owner_team_id != before->owner_team_id) p.fields.push_back("owner_team");
    for (const AttributeDef& d : t.schema) {
      auto a = before_values.find(d.key);
      auto b = after_values.find(d.key);
      bool has_a = a != before_values.end(), has_b = b != after_values.end();
      if (has_a != has_b || (has_a && *a != *b)) {
        p.fields.push_back("attributes." + d.key);
        if (d.unique) p.unique_changed = true;
      }
    }
    p.ci_changed = !p.fields.empty();
  } else {
    p.fields.push_back("name");
    p.fields.push_back("status");
    if (!p.environment.empty()) p.fields.push_back("environment");
    if (p.owner_team_id) p.fields.push_back("owner_team");
    for (auto it = after_values.begin(); it != after_values.end(); ++it)
      p.fields.push_back("attributes." + it.key());
    p.ci_changed = true;
    p.unique_changed = true;
  }
  if (p.unique_changed) claim_unique(i, unique_owner_);
}

// The line's unique values: one taken by another CI (or an earlier line) rejects the line;
// otherwise its CI gives up its old values and holds the new ones in `owner`, in file order as
// the writes go.
bool Importer::claim_unique(std::size_t i, std::unordered_map<std::string, std::int64_t>& owner) {
  Plan& p = plans_[i];
  const TypeInfo& t = *p.type;
  const Known* before = p.match >= 0 ? &known_[static_cast<std::size_t>(p.match)] : nullptr;
  auto parse = [](const std::string& text) {
    json v = json::parse(text, nullptr, false);
    return v.is_object() ? v : json::object();
  };
  json after_values = parse(p.attributes);
  std::int64_t self = before ? before->id : kPlanned + static_cast<std::int64_t>(i);
  std::vector<std::string> claims;
  for (const AttributeDef& d : t.schema) {
    if (!d.unique) continue;
    auto it = after_values.find(d.key);
    if (it == after_values.end() || it->is_null()) continue;
    std::string value = value_text(*it);
    std::string k = unique_key(t.id, d.key, value);
    auto taken = owner.find(k);
    if (taken != owner.end() && taken->second != self) {
      reject(p, "attributes." + d.key,
             in_quotes(value) + " is already the " + d.key + " of " + ci_name(taken->second));
      return false;
    }
    claims.push_back(std::move(k));
  }
  if (before) {
    json before_values = parse(before->attributes);
    for (const AttributeDef& d : t.schema) {
      auto it = before_values.find(d.key);
      if (!d.unique || it == before_values.end() || it->is_null()) continue;
      auto held = owner.find(unique_key(t.id, d.key, value_text(*it)));
      if (held != owner.end() && held->second == self) owner.erase(held);
    }
  }
  for (std::string& k : claims) owner[std::move(k)] = self;
  return true;
}

// Pass 3: the relation targets, anywhere in the file.
void Importer::plan_relations(std::size_t i, const RawLine& raw) {
  Plan& p = plans_[i];
  if (p.rejected || raw.relations.empty()) return;
  std::int64_t self = p.match >= 0 ? known_[p.match].id : kPlanned + static_cast<std::int64_t>(i);
  std::vector<std::string> related;
  for (const auto& [type_key, target] : raw.relations) {
    std::string field = "relations." + type_key;
    auto rt = rel_types_by_key_.find(type_key);
    if (rt == rel_types_by_key_.end())
      return reject(p, "relations", "no relation type " + in_quotes(type_key));
    const RelType& type = rel_types_[rt->second];
    auto colon = target.find(':');
    if (colon == std::string::npos)
      return reject(p, field, in_quotes(target) + " must be <CI type>:<key value>");
    std::string target_type = core::trim(target.substr(0, colon));
    std::string value = core::trim(target.substr(colon + 1));
    const TypeInfo* t = type_by_key(target_type);
    if (!t) return reject(p, field, "no CI type " + in_quotes(target_type));
    std::int64_t to = 0;
    if (!resolve(i, *t, value, field, false, to)) return;
    if (to == self) return reject(p, field, "a CI cannot relate to itself");
    if (!relations_.insert({type.id, self, to}).second) {
      ++p.relations_existing;
      continue;
    }
    p.relations.push_back({&type, field, to});
    if (std::find(related.begin(), related.end(), field) == related.end()) related.push_back(field);
  }
  for (std::string& f : related) p.fields.push_back(std::move(f));
}

// A line that needs a CI another line creates goes when that line goes, and so on (relations
// may form cycles): a worklist over the reverse dependencies, each line and edge once.
void Importer::cascade() {
  std::vector<std::vector<std::pair<int, const Dep*>>> needed_by(plans_.size());
  std::vector<int> work;
  for (std::size_t i = 0; i < plans_.size(); ++i) {
    for (const Dep& d : plans_[i].deps)
      needed_by[static_cast<std::size_t>(d.line_index)].emplace_back(static_cast<int>(i), &d);
    if (plans_[i].rejected) work.push_back(static_cast<int>(i));
  }
  while (!work.empty()) {
    const Plan& q = plans_[static_cast<std::size_t>(work.back())];
    const auto& dependants = needed_by[static_cast<std::size_t>(work.back())];
    work.pop_back();
    for (const auto& [j, dep] : dependants) {
      Plan& p = plans_[static_cast<std::size_t>(j)];
      if (p.rejected) continue;
      reject(p, dep->field, q.ci + " (line " + std::to_string(q.line) + ") was rejected");
      work.push_back(j);
    }
  }
}

// After lines were rejected in later passes, their unique values were still counted as theirs:
// the claims again, over the lines that remain, from what is stored. Rejects (and cascades)
// until nothing changes.
void Importer::recheck_unique() {
  for (;;) {
    std::unordered_map<std::string, std::int64_t> owner = stored_unique_;
    bool rejected = false;
    for (std::size_t i = 0; i < plans_.size(); ++i) {
      if (plans_[i].rejected || !plans_[i].unique_changed) continue;
      if (!claim_unique(i, owner)) rejected = true;
    }
    if (!rejected) return;
    cascade();
  }
}

void Importer::step() {
  ++done_;
  if (progress_ && (done_ >= next_report_ || done_ == total_)) {
    progress_(done_, total_);
    next_report_ = done_ + std::max<std::int64_t>(1, total_ / 200);
  }
}

store::Value opt_value(const std::optional<std::int64_t>& v) {
  store::Value out;
  if (v) out = *v;
  return out;
}

core::Status Importer::write_ci(std::size_t i, EventBatch& events, BatchInsert& unique_values) {
  Plan& p = plans_[i];
  const TypeInfo& t = *p.type;
  if (!p.planned_refs.empty()) {
    ordered_json v = ordered_json::parse(p.attributes);
    for (const auto& [attr, j] : p.planned_refs) v[attr] = plans_[j].id;
    p.attributes = v.dump();
  }
  Ci c;
  c.type_id = t.id;
  c.type_key = t.key;
  c.name = p.name;
  c.status = p.status;
  c.environment = p.environment;
  c.owner_team_id = p.owner_team_id;
  c.attributes_json = p.attributes;
  c.updated_at = now_;
  std::string before_snapshot;
  if (p.match < 0) {
    auto row = tx_.query_row(
        "INSERT INTO cis (type_id, name, status, environment, owner_team_id, attributes, version,"
        " created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, 1, ?, ?) RETURNING id",
        {t.id, p.name, p.status, p.environment, opt_value(p.owner_team_id), p.attributes, now_,
         now_});
    if (!row.ok()) return std::move(row).error();
    p.id = (*row)->i64(0);
    c.created_at = now_;
  } else {
    const Known& k = known_[p.match];
    p.id = k.id;
    Ci b;
    b.id = k.id;
    b.type_id = t.id;
    b.type_key = t.key;
    b.name = k.name;
    b.status = k.status;
    b.environment = k.environment;
    b.owner_team_id = k.owner_team_id;
    b.attributes_json = k.attributes;
    before_snapshot = internal::ci_snapshot(b);
    auto n = tx_.exec(
        "UPDATE cis SET name = ?, status = ?, environment = ?, owner_team_id = ?, attributes = ?,"
        " updated_at = ?, version = version + 1 WHERE id = ? AND version = ?",
        {p.name, p.status, p.environment, opt_value(p.owner_team_id), p.attributes, now_, k.id,
         k.version});
    if (!n.ok()) return std::move(n).error();
    if (*n != 1)
      return core::conflict(p.ci + " was changed by someone else during the import; retry");
    c.version = k.version + 1;
    if (p.unique_changed) {
      auto del = tx_.exec("DELETE FROM ci_unique_values WHERE ci_id = ?", {k.id});
      if (!del.ok()) return std::move(del).error();
    }
  }
  c.id = p.id;
  if (p.unique_changed) {
    json v = json::parse(p.attributes);
    for (const AttributeDef& d : t.schema) {
      auto it = v.find(d.key);
      if (!d.unique || it == v.end() || it->is_null()) continue;
      YW_TRY(unique_values.add({t.id, d.key, value_text(*it), p.id}));
    }
  }
  YW_TRY(internal::index_ci(tx_, c));
  return events.add(p.match < 0 ? "ci.create" : "ci.update", p.id, std::move(before_snapshot),
                    internal::ci_snapshot(c));
}

core::Status Importer::write() {
  total_ = 0;
  for (const Plan& p : plans_) {
    if (p.rejected) continue;
    total_ += (p.ci_changed ? 1 : 0) + static_cast<std::int64_t>(p.relations.size());
  }
  if (progress_) progress_(0, total_);
  EventBatch events(tx_, actor_, now_);
  BatchInsert unique_values(
      tx_, "INSERT INTO ci_unique_values (type_id, attr_key, value, ci_id) VALUES ", 4);
  for (std::size_t i = 0; i < plans_.size(); ++i) {
    Plan& p = plans_[i];
    if (p.rejected) continue;
    if (!p.ci_changed) {
      p.id = known_[p.match].id;
      continue;
    }
    // Queued unique values never meet an update's DELETE: that removes the CI's own values only,
    // and a value it gives up can only be taken by a later line (validate() runs in file order).
    YW_TRY(write_ci(i, events, unique_values));
    step();
  }
  YW_TRY(unique_values.flush());
  std::unordered_map<std::int64_t, const RelType*> rel_by_id;
  for (const RelType& t : rel_types_) rel_by_id[t.id] = &t;
  // Each relation's event needs its id: RETURNING gives the rows (in no promised order) with
  // what identifies them.
  BatchInsert relations(
      tx_, "INSERT INTO ci_relations (type_id, from_ci, to_ci, created_at) VALUES ", 4,
      " RETURNING id, type_id, from_ci, to_ci", [&](const store::Row& r) -> core::Status {
        // The event RelationService::add writes (cmdb/relations.cpp), byte for byte: keys
        // sorted, and relation type keys need no escaping ([a-z0-9_]).
        std::string after = "{\"relation_id\":" + std::to_string(r.i64(0)) +
                            ",\"to\":" + std::to_string(r.i64(3)) + ",\"type\":\"" +
                            rel_by_id.at(r.i64(1))->key + "\"}";
        YW_TRY(events.add("ci.relate", r.i64(2), "", std::move(after)));
        step();
        return {};
      });
  bool related = false;
  for (const Plan& p : plans_) {
    if (p.rejected) continue;
    for (const PlannedRelation& r : p.relations) {
      std::int64_t to = r.target_id >= kPlanned
                            ? plans_[static_cast<std::size_t>(r.target_id - kPlanned)].id
                            : r.target_id;
      YW_TRY(relations.add({r.type->id, p.id, to, now_}));
      related = true;
    }
  }
  YW_TRY(relations.flush());
  YW_TRY(events.flush());
  if (related) YW_TRY(bump_relations_version(tx_));
  return {};
}

core::Status Importer::run(Parsed& parsed, ImportFormat format, ImportReport& report) {
  YW_TRY(load_catalog());
  if (format == ImportFormat::kCsv) {
    YW_TRY(csv_lines(parsed, raw_));
  } else {
    raw_ = std::move(parsed.json_lines);
  }
  parsed = Parsed();
  report.lines = static_cast<int>(raw_.size());
  YW_TRY(load_known());
  YW_TRY(load_unique_values());
  plans_.resize(raw_.size());
  for (std::size_t i = 0; i < raw_.size(); ++i) identify(i, raw_[i]);
  for (std::size_t i = 0; i < raw_.size(); ++i) validate(i, raw_[i]);
  YW_TRY(load_relations());
  for (std::size_t i = 0; i < raw_.size(); ++i) plan_relations(i, raw_[i]);
  cascade();
  recheck_unique();

  for (const Plan& p : plans_) {
    if (p.rejected) {
      report.rejected.push_back({p.line, p.ci, p.field, p.message});
      continue;
    }
    report.relations_created += static_cast<int>(p.relations.size());
    report.relations_existing += p.relations_existing;
    bool changed = p.ci_changed || !p.relations.empty();
    if (p.match < 0) {
      ++report.created;
    } else if (changed) {
      ++report.updated;
    } else {
      ++report.unchanged;
    }
    if (changed && report.changes.size() < kMaxImportChanges)
      report.changes.push_back({p.line, p.ci, p.match < 0 ? "create" : "update", p.fields});
  }
  if (options_.strict && !report.rejected.empty()) return {};
  return write();
}

}  // namespace

core::Result<ImportReport> import_cmdb(store::Database& db, const store::Actor& actor,
                                       core::TimeMs now, std::string_view text, ImportFormat format,
                                       const ImportOptions& options,
                                       const ImportProgress& progress) {
  if (!core::valid_utf8(text)) return body_error("is not valid UTF-8 text");
  ImportOptions opts = options;
  opts.key = core::trim(opts.key);
  if (opts.key == "name") opts.key.clear();
  Parsed parsed;
  if (format == ImportFormat::kCsv) {
    YW_ASSIGN(parsed, parse_csv(text));
  } else {
    YW_ASSIGN(parsed, parse_json(text));
  }
  ImportReport report;
  report.dry_run = opts.dry_run;
  // Returned from the transaction to roll it back when nothing is to be kept.
  bool rolled_back = false;
  core::Status st = db.write([&](store::Tx& tx) -> core::Status {
    report = ImportReport();
    report.dry_run = opts.dry_run;
    Importer importer(tx, actor, now, opts, progress);
    core::Status ran = importer.run(parsed, format, report);
    if (!ran.ok()) return ran;
    if (opts.dry_run || (opts.strict && !report.rejected.empty())) {
      rolled_back = true;
      return core::internal("import rolled back on purpose");
    }
    return {};
  });
  if (!st.ok() && !rolled_back) return std::move(st).error();
  report.applied = st.ok();
  return report;
}

std::string import_report_json(const ImportReport& r) {
  ordered_json rejected = ordered_json::array();
  for (const RejectedLine& l : r.rejected) {
    rejected.push_back(
        {{"line", l.line}, {"ci", l.ci}, {"field", l.field}, {"message", l.message}});
  }
  ordered_json changes = ordered_json::array();
  for (const ImportChange& c : r.changes) {
    changes.push_back({{"line", c.line}, {"ci", c.ci}, {"action", c.action}, {"fields", c.fields}});
  }
  ordered_json out = {{"dry_run", r.dry_run},
                      {"applied", r.applied},
                      {"lines", r.lines},
                      {"created", r.created},
                      {"updated", r.updated},
                      {"unchanged", r.unchanged},
                      {"relations_created", r.relations_created},
                      {"relations_existing", r.relations_existing},
                      {"rejected", std::move(rejected)},
                      {"changes", std::move(changes)}};
  return out.dump();
}

}  // namespace yunwei::cmdb
