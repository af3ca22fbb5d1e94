// CMDB: CI types, configuration items, relations, history and impact analysis (issue #6).
#include <algorithm>
#include <charconv>
#include <map>
#include <set>

#include "api/internal.h"
#include "change/change_service.h"
#include "cmdb/ci_query.h"
#include "cmdb/ci_service.h"
#include "cmdb/relations.h"
#include "cmdb/type_service.h"
#include "core/csv.h"
#include "core/text.h"

namespace yunwei::api {

using identity::Permission;

namespace {

using TeamMap = std::map<std::int64_t, cmdb::TeamRef>;
using SummaryMap = std::map<std::int64_t, cmdb::CiSummary>;

json type_json(const cmdb::CiType& t, std::int64_t ci_count) {
  return {{"id", t.id},
          {"key", t.key},
          {"name", t.name},
          {"name_zh", t.name_zh},
          {"description", t.description},
          {"attributes", json::parse(cmdb::schema_json(t.attributes))},
          {"builtin", t.builtin},
          {"active", t.active},
          {"version", t.version},
          {"created_at", time_json(t.created_at)},
          {"updated_at", time_json(t.updated_at)},
          {"ci_count", ci_count}};
}

json relation_type_json(const cmdb::RelationType& t) {
  return {{"id", t.id},
          {"key", t.key},
          {"name", t.name},
          {"name_zh", t.name_zh},
          {"reverse_name", t.reverse_name},
          {"reverse_name_zh", t.reverse_name_zh},
          {"propagates", t.propagates},
          {"builtin", t.builtin}};
}

json ci_json(const cmdb::Ci& c, const std::map<std::int64_t, cmdb::TeamRef>& teams) {
  json owner = nullptr;
  if (c.owner_team_id) {
    auto it = teams.find(*c.owner_team_id);
    if (it != teams.end())
      owner = {{"id", it->second.id}, {"name", it->second.name}, {"name_zh", it->second.name_zh}};
  }
  json attrs = json::parse(c.attributes_json, nullptr, false);
  if (!attrs.is_object()) attrs = json::object();
  return {{"id", c.id},
          {"type", c.type_key},
          {"type_id", c.type_id},
          {"name", c.name},
          {"status", c.status},
          {"environment", c.environment},
          {"owner_team_id", c.owner_team_id ? json(*c.owner_team_id) : json(nullptr)},
          {"owner_team", owner},
          {"attributes", attrs},
          {"version", c.version},
          {"created_at", time_json(c.created_at)},
          {"updated_at", time_json(c.updated_at)}};
}

// One CI as the API shows it (with its owner team).
core::Result<json> load_ci_json(Ctx& ctx, std::int64_t id) {
  return store::read_tx<json>(ctx.deps.db, [&](store::Tx& tx) -> core::Result<json> {
    YW_ASSIGN(cmdb::Ci c, cmdb::load_ci(tx, id));
    std::vector<cmdb::Ci> one = {c};
    YW_ASSIGN(auto teams, cmdb::owner_teams(tx, one));
    return ci_json(c, teams);
  });
}

// A type's {id}: its numeric id or its key.
core::Result<cmdb::CiType> type_of(Ctx& ctx) {
  return ctx.deps.ci_types.resolve(ctx.req.path_param("id"));
}

core::Result<std::vector<cmdb::AttributeDef>> schema_field(const Body& body) {
  YW_ASSIGN(auto text, body.opt_json_text("attributes"));
  if (!text) return std::vector<cmdb::AttributeDef>{};
  json j = json::parse(*text, nullptr, false);
  if (!j.is_array()) return core::invalid("attributes", "must be an array of attributes");
  return cmdb::parse_schema(*text);
}

// The "attributes" of a CI body: an object (or absent).
core::Result<std::optional<std::string>> values_field(const Body& body) {
  YW_ASSIGN(auto text, body.opt_json_text("attributes"));
  if (!text) return text;
  json j = json::parse(*text, nullptr, false);
  if (!j.is_object()) return core::invalid("attributes", "must be an object of attribute values");
  return text;
}

// The list filters shared by the list and the export (without paging for the export).
core::Result<cmdb::CiQuery> ci_query_of(const Ctx& ctx) {
  cmdb::CiQuery q;
  const http::Request& req = ctx.req;
  YW_TRY(read_list_params(req, q));
  YW_ASSIGN(std::string types, query_string(req, "type", 2000));
  for (const std::string& t : core::split(types, ',')) {
    std::string key = core::trim(t);
    if (!key.empty()) q.types.push_back(key);
  }
  if (req.query_param("status")) {
    YW_ASSIGN(std::string s, query_string(req, "status", 40));
    q.status = s;
  }
  if (req.query_param("environment")) {
    YW_ASSIGN(std::string e, query_string(req, "environment", 40));
    q.environment = e;
  }
  if (auto owner = req.query_param("owner_team_id")) {
    if (*owner == "none") {
      q.owner_none = true;
    } else {
      YW_ASSIGN(q.owner_team_id, query_int(req, "owner_team_id"));
    }
  }
  YW_ASSIGN(std::string ids, query_string(req, "ids", 20000));
  for (const std::string& part : core::split(ids, ',')) {
    std::string s = core::trim(part);
    if (s.empty()) continue;
    std::int64_t n = 0;
    auto r = std::from_chars(s.data(), s.data() + s.size(), n);
    if (r.ec != std::errc() || r.ptr != s.data() + s.size() || n <= 0)
      return core::invalid("ids", "must be CI ids separated by commas");
    q.ids.push_back(n);
  }
  if (!ids.empty() && q.ids.empty()) return core::invalid("ids", "must list at least one id");
  // attr.<key>=<value>, in the order given.
  for (const std::string& pair : core::split(req.query, '&')) {
    std::string name = pair.substr(0, pair.find('='));
    if (name.rfind("attr.", 0) != 0) continue;
    YW_ASSIGN(std::string value, query_string(req, name, 1000));
    q.attrs.emplace_back(name.substr(5), value);
  }
  return q;
}

// Lists CIs in one read transaction, the full-text index synced first for a text query.
core::Result<cmdb::CiPage> list_page(Ctx& ctx, const cmdb::CiQuery& q) {
  if (!core::trim(q.q).empty()) YW_TRY(ctx.deps.db.sync_search());
  return store::read_tx<cmdb::CiPage>(ctx.deps.db,
                                      [&](store::Tx& tx) { return cmdb::list_cis(tx, q); });
}

// ---------------------------------------------------------------------------------------------
// Impact and dependencies

// Writes the open incidents (visible to the caller) whose CI or business service is one of
// `ids` as a JSON array, most urgent first.
core::Status write_open_incidents(store::Tx& tx, const tickets::Viewer& v,
                                  const std::vector<std::int64_t>& ids, JsonWriter& w) {
  std::string where =
      " WHERE t.kind = 'incident' AND t.status NOT IN ('resolved', 'fulfilled', 'closed',"
      " 'cancelled') AND (" +
      tx.in_ids_sql("t.ci_id") + " OR " + tx.in_ids_sql("t.service_id") + ")";
  store::Params params = {tx.in_ids_value(ids), tx.in_ids_value(ids)};
  YW_TRY(tickets::TicketService::visibility_sql(tx, v, where, params));
  auto rows = tx.query(
      "SELECT t.number, t.title, t.priority, t.status, t.ci_id, t.service_id FROM tickets t" +
          where + " ORDER BY t.priority, t.id LIMIT 200",
      params);
  if (!rows.ok()) return std::move(rows).error();
  w.begin_array();
  for (const store::Row& r : *rows) {
    w.begin_object();
    w.key("number").value(r.str(0));
    w.key("title").value(r.str(1));
    w.key("priority").value(r.str(2));
    w.key("status").value(r.str(3));
    w.key("ci_id");
    if (r.is_null(4)) {
      w.null();
    } else {
      w.value(r.i64(4));
    }
    w.key("service_id");
    if (r.is_null(5)) {
      w.null();
    } else {
      w.value(r.i64(5));
    }
    w.end_object();
  }
  w.end_array();
  return {};
}

core::Result<int> depth_param(const http::Request& req) {
  YW_ASSIGN(auto d, query_int(req, "depth"));
  if (!d) return 10;
  if (*d < 1 || *d > 50) return core::invalid("depth", "must be between 1 and 50");
  return static_cast<int>(*d);
}

void write_summary(JsonWriter& w, const cmdb::CiSummary& c) {
  w.begin_object();
  w.key("id").value(c.id);
  w.key("name").value(c.name);
  w.key("type").value(c.type);
  w.key("status").value(c.status);
  w.key("environment").value(c.environment);
  w.end_object();
}

// One reached CI's place: depth, path (ids, the start first) and the relations along it.
void write_path(JsonWriter& w, const cmdb::Reached& r) {
  w.key("depth").value(std::int64_t{r.depth});
  w.key("path").value(r.path);
  w.key("via").value(r.via);
}

// Impact (upstream) or dependencies (downstream) of a CI, written directly as text: a walk from
// a hypervisor reaches hundreds of CIs, and this is the hot path of impact analysis.
core::Result<http::Response> traversal(Ctx& ctx, bool upstream) {
  YW_ASSIGN(std::int64_t id, path_id(ctx.req));
  YW_ASSIGN(int depth, depth_param(ctx.req));
  auto walked =
      upstream ? ctx.deps.relations.impact(id, depth) : ctx.deps.relations.dependencies(id, depth);
  if (!walked.ok()) return std::move(walked).error();
  const std::vector<cmdb::Reached>& reached = *walked;
  tickets::Viewer v = viewer_of(ctx);
  // Changes planned on the CI or anything its failure reaches (still to end).
  std::vector<change::ChangeService::Upcoming> changes;
  if (upstream) {
    std::vector<std::int64_t> touched = {id};
    for (const cmdb::Reached& r : reached) touched.push_back(r.ci_id);
    YW_ASSIGN(changes, ctx.deps.changes.upcoming_on(v, touched));
  }
  JsonWriter w;
  core::Status st = ctx.deps.db.read([&](store::Tx& tx) -> core::Status {
    YW_ASSIGN(cmdb::Ci c, cmdb::load_ci(tx, id));
    std::vector<cmdb::Ci> one = {c};
    YW_ASSIGN(auto teams, cmdb::owner_teams(tx, one));
    std::vector<std::int64_t> ids = {id};
    ids.reserve(reached.size() + 1);
    for (const cmdb::Reached& r : reached) ids.push_back(r.ci_id);
    YW_ASSIGN(auto summaries, cmdb::ci_summaries(tx, ids));
    w.begin_object();
    w.key("ci").raw(ci_json(c, teams).dump(-1, ' ', false, json::error_handler_t::replace));
    // A storage array or a core switch can reach most of the estate: the list is capped (the
    // business services and open incidents are not).
    constexpr std::size_t kMaxItems = 5000;
    w.key("total").value(static_cast<std::int64_t>(reached.size()));
    w.key("truncated").value(reached.size() > kMaxItems);
    w.key("items").begin_array();
    std::size_t written = 0;
    for (const cmdb::Reached& r : reached) {
      if (written == kMaxItems) break;
      auto it = summaries.find(r.ci_id);
      if (it == summaries.end()) continue;
      ++written;
      w.begin_object();
      w.key("ci");
      write_summary(w, it->second);
      write_path(w, r);
      w.end_object();
    }
    w.end_array();
    if (upstream) {
      w.key("business_services").begin_array();
      if (c.type_key == "business_service") {
        w.begin_object();
        w.key("id").value(id);
        w.key("name").value(c.name);
        write_path(w, cmdb::Reached{id, 0, {id}, {}});
        w.end_object();
      }
      for (const cmdb::Reached& r : reached) {
        auto it = summaries.find(r.ci_id);
        if (it == summaries.end() || it->second.type != "business_service") continue;
        w.begin_object();
        w.key("id").value(r.ci_id);
        w.key("name").value(it->second.name);
        write_path(w, r);
        w.end_object();
      }
      w.end_array();
    }
    w.key("open_incidents");
    YW_TRY(write_open_incidents(tx, v, ids, w));
    w.key("scheduled_changes").begin_array();
    for (const change::ChangeService::Upcoming& u : changes) {
      w.begin_object();
      w.key("number").value(u.number);
      w.key("title").value(u.title);
      w.key("status").value(u.status);
      w.key("planned_start").value(core::format_iso8601(u.planned_start));
      w.key("planned_end").value(core::format_iso8601(u.planned_end));
      w.end_object();
    }
    w.end_array();
    w.end_object();
    return {};
  });
  YW_TRY(st);
  return http::Response::json(200, w.take());
}

// ---------------------------------------------------------------------------------------------
// Export

// An attribute value as a CSV cell: strings as they are, numbers and booleans as JSON text.
std::string cell(const json& v) {
  if (v.is_null()) return "";
  if (v.is_string()) return v.get<std::string>();
  return v.dump();
}

core::Result<http::Response> export_cis(Ctx& ctx) {
  YW_ASSIGN(std::string format, query_string(ctx.req, "format", 10));
  if (format.empty()) format = "csv";
  if (format != "csv" && format != "json") return core::invalid("format", "must be csv or json");
  YW_ASSIGN(auto with_relations, query_bool(ctx.req, "relations"));
  bool relations = with_relations.value_or(false);
  YW_ASSIGN(cmdb::CiQuery q, ci_query_of(ctx));
  if (!core::trim(q.q).empty()) YW_TRY(ctx.deps.db.sync_search());
  std::vector<cmdb::Ci> cis;
  std::map<std::int64_t, cmdb::TeamRef> teams;
  std::vector<cmdb::CiType> types;
  // relations: CI id -> relation key -> targets ("type:name"), in relation id order.
  std::map<std::int64_t, std::map<std::string, std::vector<std::string>>> outgoing;
  std::vector<std::string> relation_keys;
  YW_ASSIGN(auto all_types, ctx.deps.ci_types.list());
  YW_ASSIGN(auto relation_types, ctx.deps.relations.types());
  auto collect = [&](const cmdb::Ci& c) -> core::Status {
    cis.push_back(c);
    return core::Status();
  };
  core::Status st = ctx.deps.db.read([&](store::Tx& tx) -> core::Status {
    core::Status each = cmdb::for_each_ci(tx, q, collect);
    if (!each.ok()) return each;
    YW_ASSIGN(teams, cmdb::owner_teams(tx, cis));
    if (!relations) return {};
    std::vector<std::int64_t> ids;
    for (const cmdb::Ci& c : cis) ids.push_back(c.id);
    auto rows = tx.query(
        "SELECT r.from_ci, rt.key, ot.key, o.name FROM ci_relations r JOIN ci_relation_types rt"
        " ON rt.id = r.type_id JOIN cis o ON o.id = r.to_ci JOIN ci_types ot ON ot.id ="
        " o.type_id WHERE " +
            tx.in_ids_sql("r.from_ci") + " ORDER BY r.id",
        {tx.in_ids_value(ids)});
    if (!rows.ok()) return std::move(rows).error();
    for (const store::Row& r : *rows)
      outgoing[r.i64(0)][r.str(1)].push_back(r.str(2) + ":" + r.str(3));
    return {};
  });
  YW_TRY(st);
  // Columns: the attributes of the exported types, type by type in type order; relation types
  // in their order.
  std::set<std::int64_t> used_types;
  for (const cmdb::Ci& c : cis) used_types.insert(c.type_id);
  std::vector<std::string> attr_keys;
  std::set<std::string> seen_keys;
  for (const cmdb::CiType& t : all_types) {
    if (!used_types.count(t.id)) continue;
    for (const cmdb::AttributeDef& d : t.attributes) {
      if (seen_keys.insert(d.key).second) attr_keys.push_back(d.key);
    }
  }
  if (relations) {
    for (const cmdb::RelationType& rt : relation_types) relation_keys.push_back(rt.key);
  }
  auto team_name = [&](const cmdb::Ci& c) -> std::string {
    if (!c.owner_team_id) return "";
    auto it = teams.find(*c.owner_team_id);
    return it == teams.end() ? "" : it->second.name;
  };
  http::Response res;
  if (format == "csv") {
    std::string out = "\xEF\xBB\xBF";  // a byte order mark: spreadsheets then read UTF-8
    std::vector<std::string> header = {"type", "name", "status", "environment", "owner_team"};
    for (const std::string& k : attr_keys) header.push_back("attributes." + k);
    for (const std::string& k : relation_keys) header.push_back("relations." + k);
    core::append_csv_row(out, header);
    for (const cmdb::Ci& c : cis) {
      std::vector<std::string> row = {c.type_key, c.name, c.status, c.environment, team_name(c)};
      json attrs = json::parse(c.attributes_json, nullptr, false);
      for (const std::string& k : attr_keys) {
        row.push_back(attrs.is_object() && attrs.contains(k) ? cell(attrs[k]) : std::string());
      }
      for (const std::string& k : relation_keys) {
        std::string targets;
        auto ci_it = outgoing.find(c.id);
        if (ci_it != outgoing.end()) {
          auto it = ci_it->second.find(k);
          if (it != ci_it->second.end()) {
            for (const std::string& t : it->second) {
              if (!targets.empty()) targets += ';';
              targets += t;
            }
          }
        }
        row.push_back(targets);
      }
      core::append_csv_row(out, row);
    }
    res.status = 200;
    res.content_type = "text/csv; charset=utf-8";
    res.body = std::move(out);
    res.set_header("content-disposition", "attachment; filename=\"cis.csv\"");
    return res;
  }
  json items = json::array();
  for (const cmdb::Ci& c : cis) {
    json attrs = json::parse(c.attributes_json, nullptr, false);
    if (!attrs.is_object()) attrs = json::object();
    json item = {{"type", c.type_key},         {"name", c.name},
                 {"status", c.status},         {"environment", c.environment},
                 {"owner_team", team_name(c)}, {"attributes", attrs}};
    if (relations) {
      json rels = json::array();
      auto ci_it = outgoing.find(c.id);
      if (ci_it != outgoing.end()) {
        for (const std::string& k : relation_keys) {
          auto it = ci_it->second.find(k);
          if (it == ci_it->second.end()) continue;
          for (const std::string& t : it->second) rels.push_back({{"type", k}, {"to", t}});
        }
      }
      item["relations"] = rels;
    }
    items.push_back(std::move(item));
  }
  res = json_response(200, {{"cis", items}});
  res.set_header("content-disposition", "attachment; filename=\"cis.json\"");
  return res;
}

}  // namespace

void register_cmdb_routes(Registry& r) {
  // --- CI types -------------------------------------------------------------------------------
  r.add("GET", "/api/v1/ci-types", Permission::kCmdbRead,
        "CI types with their attribute schemas and CI counts (active)",
        [](Ctx& ctx) -> core::Result<http::Response> {
          YW_ASSIGN(auto active, query_bool(ctx.req, "active"));
          YW_ASSIGN(auto types, ctx.deps.ci_types.list());
          YW_ASSIGN(auto counts, ctx.deps.ci_types.ci_counts());
          json items = json::array();
          for (const cmdb::CiType& t : types) {
            if (active && t.active != *active) continue;
            auto it = counts.find(t.id);
            items.push_back(type_json(t, it == counts.end() ? 0 : it->second));
          }
          return json_response(200, {{"items", items}});
        });

  r.add("POST", "/api/v1/ci-types", Permission::kCmdbAdmin,
        "Create a CI type: key, names, description, attribute schema",
        [](Ctx& ctx) -> core::Result<http::Response> {
          YW_ASSIGN(Body body,
                    Body::parse(ctx.req, {"key", "name", "name_zh", "description", "attributes"}));
          cmdb::CiTypeInput in;
          YW_ASSIGN(in.key, body.string("key", 40));
          YW_ASSIGN(in.name, body.string("name", 100));
          YW_ASSIGN(auto name_zh, body.opt_string("name_zh", 100));
          YW_ASSIGN(auto description, body.opt_string("description", 2000));
          if (name_zh) in.name_zh = *name_zh;
          if (description) in.description = *description;
          YW_ASSIGN(in.attributes, schema_field(body));
          YW_ASSIGN(cmdb::CiType t, ctx.deps.ci_types.create(ctx.actor(), in));
          http::Response res = json_response(201, type_json(t, 0));
          res.set_header("location", "/api/v1/ci-types/" + std::to_string(t.id));
          return res;
        });

  r.add("GET", "/api/v1/ci-types/{id}", Permission::kCmdbRead, "Get a CI type by id or key",
        [](Ctx& ctx) -> core::Result<http::Response> {
          YW_ASSIGN(cmdb::CiType t, type_of(ctx));
          YW_ASSIGN(auto counts, ctx.deps.ci_types.ci_counts());
          auto it = counts.find(t.id);
          return json_response(200, type_json(t, it == counts.end() ? 0 : it->second));
        });

  r.add("PATCH", "/api/v1/ci-types/{id}", Permission::kCmdbAdmin,
        "Change a CI type; a schema change is checked against every CI of the type first "
        "(dry_run, accept_misfits)",
        [](Ctx& ctx) -> core::Result<http::Response> {
          YW_ASSIGN(cmdb::CiType current, type_of(ctx));
          YW_ASSIGN(Body body,
                    Body::parse(ctx.req, {"version", "name", "name_zh", "description", "attributes",
                                          "active", "accept_misfits", "dry_run"}));
          cmdb::CiTypePatch p;
          YW_ASSIGN(p.version, expected_version(ctx, body));
          YW_ASSIGN(p.name, body.opt_string("name", 100, false));
          YW_ASSIGN(p.name_zh, body.opt_string("name_zh", 100));
          YW_ASSIGN(p.description, body.opt_string("description", 2000));
          if (body.has("attributes")) {
            YW_ASSIGN(auto attrs, schema_field(body));
            p.attributes = std::move(attrs);
          }
          YW_ASSIGN(p.active, body.opt_bool("active"));
          YW_ASSIGN(auto accept, body.opt_bool("accept_misfits"));
          YW_ASSIGN(auto dry_run, body.opt_bool("dry_run"));
          p.accept_misfits = accept.value_or(false);
          p.dry_run = dry_run.value_or(false);
          YW_ASSIGN(cmdb::TypeChange change, ctx.deps.ci_types.update(ctx.actor(), current.id, p));
          YW_ASSIGN(auto counts, ctx.deps.ci_types.ci_counts());
          auto it = counts.find(change.type.id);
          json misfits = json::array();
          for (const cmdb::Misfit& m : change.misfits) {
            misfits.push_back({{"ci_id", m.ci_id}, {"name", m.name}, {"problems", m.problems}});
          }
          if (!change.applied && !p.dry_run) {
            return json_response(
                422, {{"error",
                       {{"code", core::error_code_name(core::ErrorCode::kUnprocessable)},
                        {"message", std::to_string(change.misfits.size()) +
                                        " CIs would no longer fit the schema; nothing changed "
                                        "(send accept_misfits to change it anyway)"},
                        {"field", "attributes"}}},
                      {"checked", change.checked},
                      {"misfits", misfits}});
          }
          return json_response(
              200, {{"type", type_json(change.type, it == counts.end() ? 0 : it->second)},
                    {"applied", change.applied},
                    {"checked", change.checked},
                    {"misfits", misfits}});
        });

  // --- Relation types -------------------------------------------------------------------------
  r.add("GET", "/api/v1/ci-relation-types", Permission::kCmdbRead, "CI relation types",
        [](Ctx& ctx) -> core::Result<http::Response> {
          YW_ASSIGN(auto types, ctx.deps.relations.types());
          json items = json::array();
          for (const cmdb::RelationType& t : types) items.push_back(relation_type_json(t));
          return json_response(200, {{"items", items}});
        });

  r.add("POST", "/api/v1/ci-relation-types", Permission::kCmdbAdmin,
        "Add a relation type: key, names, reverse names, whether failures propagate",
        [](Ctx& ctx) -> core::Result<http::Response> {
          YW_ASSIGN(Body body, Body::parse(ctx.req, {"key", "name", "name_zh", "reverse_name",
                                                     "reverse_name_zh", "propagates"}));
          cmdb::NewRelationType in;
          YW_ASSIGN(in.key, body.string("key", 40));
          YW_ASSIGN(in.name, body.string("name", 100));
          YW_ASSIGN(auto name_zh, body.opt_string("name_zh", 100));
          YW_ASSIGN(auto reverse, body.opt_string("reverse_name", 100));
          YW_ASSIGN(auto reverse_zh, body.opt_string("reverse_name_zh", 100));
          YW_ASSIGN(auto propagates, body.opt_bool("propagates"));
          if (name_zh) in.name_zh = *name_zh;
          if (reverse) in.reverse_name = *reverse;
          if (reverse_zh) in.reverse_name_zh = *reverse_zh;
          in.propagates = propagates.value_or(false);
          YW_ASSIGN(cmdb::RelationType t, ctx.deps.relations.create_type(ctx.actor(), in));
          return json_response(201, relation_type_json(t));
        });

  // --- CIs ------------------------------------------------------------------------------------
  r.add("GET", "/api/v1/cis", Permission::kCmdbRead,
        "List CIs (type, status, environment, owner_team_id, q, attr.<key>, ids, sort, limit, "
        "cursor)",
        [](Ctx& ctx) -> core::Result<http::Response> {
          YW_ASSIGN(cmdb::CiQuery q, ci_query_of(ctx));
          YW_ASSIGN(cmdb::CiPage page, list_page(ctx, q));
          auto teams = store::read_tx<TeamMap>(
              ctx.deps.db, [&](store::Tx& tx) { return cmdb::owner_teams(tx, page.items); });
          if (!teams.ok()) return std::move(teams).error();
          json items = json::array();
          for (const cmdb::Ci& c : page.items) items.push_back(ci_json(c, *teams));
          return json_response(
              200, {{"items", items},
                    {"next_cursor", page.next_cursor ? json(*page.next_cursor) : json(nullptr)}});
        });

  r.add("GET", "/api/v1/cis/export", Permission::kCmdbRead,
        "Export every matching CI as CSV or JSON (format, relations, and the list's filters)",
        [](Ctx& ctx) { return export_cis(ctx); });

  r.add("POST", "/api/v1/cis", Permission::kCmdbWrite, "Create a CI",
        [](Ctx& ctx) -> core::Result<http::Response> {
          YW_ASSIGN(Body body, Body::parse(ctx.req, {"type", "name", "status", "environment",
                                                     "owner_team_id", "attributes"}));
          cmdb::NewCi in;
          YW_ASSIGN(in.type, body.string("type", 40));
          YW_ASSIGN(in.name, body.string("name", 200));
          YW_ASSIGN(auto status, body.opt_string("status", 40, false));
          YW_ASSIGN(auto environment, body.opt_string("environment", 40));
          YW_ASSIGN(auto owner, body.opt_nullable_int("owner_team_id"));
          YW_ASSIGN(auto attrs, values_field(body));
          if (status) in.status = *status;
          if (environment) in.environment = *environment;
          if (owner) in.owner_team_id = *owner;
          if (attrs) in.attributes_json = *attrs;
          YW_ASSIGN(cmdb::Ci c, ctx.deps.cis.create(ctx.actor(), in));
          YW_ASSIGN(json out, load_ci_json(ctx, c.id));
          http::Response res = json_response(201, out);
          res.set_header("location", "/api/v1/cis/" + std::to_string(c.id));
          return res;
        });

  r.add("GET", "/api/v1/cis/{id}", Permission::kCmdbRead, "Get a CI",
        [](Ctx& ctx) -> core::Result<http::Response> {
          YW_ASSIGN(std::int64_t id, path_id(ctx.req));
          YW_ASSIGN(json out, load_ci_json(ctx, id));
          return json_response(200, out);
        });

  r.add("PATCH", "/api/v1/cis/{id}", Permission::kCmdbWrite,
        "Change a CI (attributes merge: a value sets, null removes; send the version you read)",
        [](Ctx& ctx) -> core::Result<http::Response> {
          YW_ASSIGN(std::int64_t id, path_id(ctx.req));
          YW_ASSIGN(Body body, Body::parse(ctx.req, {"version", "name", "status", "environment",
                                                     "owner_team_id", "attributes"}));
          cmdb::CiPatch p;
          YW_ASSIGN(p.version, expected_version(ctx, body));
          YW_ASSIGN(p.name, body.opt_string("name", 200, false));
          YW_ASSIGN(p.status, body.opt_string("status", 40, false));
          YW_ASSIGN(p.environment, body.opt_string("environment", 40));
          YW_ASSIGN(p.owner_team_id, body.opt_nullable_int("owner_team_id"));
          YW_ASSIGN(p.attributes_json, values_field(body));
          YW_ASSIGN(cmdb::Ci c, ctx.deps.cis.update(ctx.actor(), id, p));
          YW_ASSIGN(json out, load_ci_json(ctx, c.id));
          return json_response(200, out);
        });

  r.add("GET", "/api/v1/cis/{id}/history", Permission::kCmdbRead,
        "A CI's changes, newest first: who, when, each field before and after (limit, cursor)",
        [](Ctx& ctx) -> core::Result<http::Response> {
          YW_ASSIGN(std::int64_t id, path_id(ctx.req));
          YW_ASSIGN(int limit, query_limit(ctx.req));
          YW_ASSIGN(std::string cursor, query_string(ctx.req, "cursor", 500));
          auto page = store::read_tx<cmdb::HistoryPage>(
              ctx.deps.db, [&](store::Tx& tx) { return cmdb::ci_history(tx, id, limit, cursor); });
          if (!page.ok()) return std::move(page).error();
          json items = json::array();
          for (const cmdb::HistoryEntry& e : page->items) {
            json changes = json::array();
            for (const cmdb::CiChange& c : e.changes) {
              changes.push_back({{"field", c.field},
                                 {"before", json::parse(c.before_json, nullptr, false)},
                                 {"after", json::parse(c.after_json, nullptr, false)}});
            }
            json item = {{"id", e.id},
                         {"at", time_json(e.at)},
                         {"action", e.action},
                         {"actor", nullptr},
                         {"changes", changes}};
            if (e.actor) {
              item["actor"] = {{"id", e.actor->id},
                               {"username", e.actor->username},
                               {"display_name", e.actor->display_name}};
            }
            if (e.relation_id) {
              json to = nullptr;
              if (e.relation_to) {
                to = {{"id", e.relation_to->id},
                      {"name", e.relation_to->name},
                      {"type", e.relation_to->type}};
              }
              item["relation"] = {{"id", *e.relation_id}, {"type", e.relation_type}, {"to", to}};
            }
            items.push_back(std::move(item));
          }
          return json_response(
              200, {{"items", items},
                    {"next_cursor", page->next_cursor ? json(*page->next_cursor) : json(nullptr)}});
        });

  r.add("GET", "/api/v1/cis/{id}/relations", Permission::kCmdbRead,
        "A CI's relations, both directions, with the CI at the other end",
        [](Ctx& ctx) -> core::Result<http::Response> {
          YW_ASSIGN(std::int64_t id, path_id(ctx.req));
          auto rels = store::read_tx<std::vector<cmdb::CiRelation>>(
              ctx.deps.db, [&](store::Tx& tx) { return cmdb::ci_relations(tx, id); });
          if (!rels.ok()) return std::move(rels).error();
          json items = json::array();
          for (const cmdb::CiRelation& rel : *rels) {
            items.push_back({{"id", rel.id},
                             {"type", rel.type},
                             {"direction", rel.outgoing ? "out" : "in"},
                             {"ci",
                              {{"id", rel.other.id},
                               {"name", rel.other.name},
                               {"type", rel.other.type},
                               {"status", rel.other.status}}},
                             {"created_at", time_json(rel.created_at)}});
          }
          return json_response(200, {{"items", items}});
        });

  r.add("POST", "/api/v1/cis/{id}/relations", Permission::kCmdbWrite,
        "Relate the CI to another: {type, to} (this CI <type> to)",
        [](Ctx& ctx) -> core::Result<http::Response> {
          YW_ASSIGN(std::int64_t id, path_id(ctx.req));
          YW_ASSIGN(Body body, Body::parse(ctx.req, {"type", "to"}));
          YW_ASSIGN(std::string type, body.string("type", 40));
          YW_ASSIGN(auto to, body.opt_int("to"));
          if (!to) return core::invalid("to", "is required");
          YW_ASSIGN(cmdb::Relation rel, ctx.deps.relations.add(ctx.actor(), id, type, *to));
          auto others = store::read_tx<SummaryMap>(
              ctx.deps.db, [&](store::Tx& tx) { return cmdb::ci_summaries(tx, {rel.to_ci}); });
          if (!others.ok()) return std::move(others).error();
          json other = nullptr;
          if (auto it = others->find(rel.to_ci); it != others->end()) {
            other = {{"id", it->second.id},
                     {"name", it->second.name},
                     {"type", it->second.type},
                     {"status", it->second.status}};
          }
          return json_response(201, {{"id", rel.id},
                                     {"type", rel.type},
                                     {"direction", "out"},
                                     {"from_ci", rel.from_ci},
                                     {"to_ci", rel.to_ci},
                                     {"ci", other},
                                     {"created_at", time_json(rel.created_at)}});
        });

  r.add("DELETE", "/api/v1/cis/{id}/relations/{relation_id}", Permission::kCmdbWrite,
        "Remove one of the CI's relations", [](Ctx& ctx) -> core::Result<http::Response> {
          YW_ASSIGN(std::int64_t id, path_id(ctx.req));
          YW_ASSIGN(std::int64_t relation_id, path_id(ctx.req, "relation_id"));
          YW_TRY(Body::parse(ctx.req, {}, true));
          YW_TRY(ctx.deps.relations.remove(ctx.actor(), id, relation_id));
          return no_content();
        });

  r.add("GET", "/api/v1/cis/{id}/impact", Permission::kCmdbRead,
        "What a failure of the CI impacts (depth): CIs with paths, business services, open "
        "incidents",
        [](Ctx& ctx) { return traversal(ctx, true); });

  r.add("GET", "/api/v1/cis/{id}/dependencies", Permission::kCmdbRead,
        "What the CI relies on (depth): CIs with paths, open incidents on the chain",
        [](Ctx& ctx) { return traversal(ctx, false); });
}

}  // namespace yunwei::api
