#include "cmdb/relations.h"

#include <algorithm>
#include <nlohmann/json.hpp>
#include <unordered_map>

#include "cmdb/schema.h"
#include "core/text.h"

namespace yunwei::cmdb {

using nlohmann::json;

namespace {

struct ShippedRelation {
  const char* key;
  const char* name;
  const char* name_zh;
  const char* reverse;
  const char* reverse_zh;
  bool propagates;
};

constexpr ShippedRelation kShipped[] = {
    {"depends_on", "depends on", "依赖", "is depended on by", "被依赖", true},
    {"runs_on", "runs on", "运行于", "runs", "运行", true},
    {"hosted_on", "is hosted on", "托管于", "hosts", "托管", true},
    {"connected_to", "is connected to", "连接到", "is connected from", "被连接", false},
    {"member_of", "is a member of", "属于", "has member", "包含", false},
    {"backed_up_by", "is backed up by", "备份于", "backs up", "备份", false},
};

// The relations' version in `meta`, bumped by every change so that every node's cached graph
// notices with one primary-key read.
constexpr const char* kVersionKey = "cmdb.relations_version";

}  // namespace

core::Status bump_relations_version(store::Tx& tx) {
  auto n = tx.exec(
      "INSERT INTO meta (key, value) VALUES (?, '1') ON CONFLICT (key) DO UPDATE SET value ="
      " CAST(CAST(meta.value AS INTEGER) + 1 AS TEXT)",
      {std::string(kVersionKey)});
  if (!n.ok()) return std::move(n).error();
  return {};
}

// Propagating edges in compressed sparse rows, both directions.
struct RelationService::Graph {
  std::string version;
  std::vector<std::int64_t> ids;                         // index -> CI id
  std::unordered_map<std::int64_t, std::int32_t> index;  // CI id -> index
  std::vector<std::int32_t> fwd_off, fwd_to, bwd_off, bwd_to;
  std::vector<std::int16_t> fwd_type, bwd_type;  // into type_keys
  std::vector<std::string> type_keys;
};

RelationService::~RelationService() = default;

core::Status RelationService::seed_defaults(const store::Actor& actor) {
  (void)actor;
  return db_.write([&](store::Tx& tx) -> core::Status {
    core::TimeMs now = clock_.now_ms();
    for (const ShippedRelation& r : kShipped) {
      auto n = tx.exec(
          "INSERT INTO ci_relation_types (key, name, name_zh, reverse_name, reverse_name_zh,"
          " propagates, builtin, created_at) VALUES (?, ?, ?, ?, ?, ?, 1, ?) ON CONFLICT (key) DO"
          " NOTHING",
          {std::string(r.key), std::string(r.name), std::string(r.name_zh), std::string(r.reverse),
           std::string(r.reverse_zh), std::int64_t{r.propagates ? 1 : 0}, now});
      if (!n.ok()) return std::move(n).error();
    }
    return {};
  });
}

core::Result<std::vector<RelationType>> RelationService::types() {
  using R = std::vector<RelationType>;
  return store::read_tx<R>(db_, [&](store::Tx& tx) -> core::Result<R> {
    auto rows = tx.query(
        "SELECT id, key, name, name_zh, reverse_name, reverse_name_zh, propagates, builtin FROM"
        " ci_relation_types ORDER BY id");
    if (!rows.ok()) return std::move(rows).error();
    R out;
    for (const store::Row& r : *rows) {
      out.push_back({r.i64(0), r.str(1), r.str(2), r.str(3), r.str(4), r.str(5), r.i64(6) != 0,
                     r.i64(7) != 0});
    }
    return out;
  });
}

core::Result<RelationType> RelationService::create_type(const store::Actor& actor,
                                                        const NewRelationType& in) {
  const std::string& k = in.key;
  if (!valid_key(k))
    return core::invalid("key", "must be a-z, 0-9 and _, starting with a letter, at most 40");
  RelationType t;
  t.key = k;
  t.name = core::trim(in.name);
  t.name_zh = core::trim(in.name_zh);
  t.reverse_name = core::trim(in.reverse_name);
  t.reverse_name_zh = core::trim(in.reverse_name_zh);
  t.propagates = in.propagates;
  YW_TRY(core::check_text(t.name, "name", 100, true, core::Controls::kNone));
  YW_TRY(core::check_text(t.name_zh, "name_zh", 100, false, core::Controls::kNone));
  YW_TRY(core::check_text(t.reverse_name, "reverse_name", 100, false, core::Controls::kNone));
  YW_TRY(core::check_text(t.reverse_name_zh, "reverse_name_zh", 100, false, core::Controls::kNone));
  return store::write_tx<RelationType>(db_, [&](store::Tx& tx) -> core::Result<RelationType> {
    auto taken = tx.query_row("SELECT 1 FROM ci_relation_types WHERE key = ?", {t.key});
    if (!taken.ok()) return std::move(taken).error();
    if (*taken) return core::conflict("a relation type with key '" + t.key + "' exists", "key");
    core::TimeMs now = clock_.now_ms();
    auto row = tx.query_row(
        "INSERT INTO ci_relation_types (key, name, name_zh, reverse_name, reverse_name_zh,"
        " propagates, builtin, created_at) VALUES (?, ?, ?, ?, ?, ?, 0, ?) RETURNING id",
        {t.key, t.name, t.name_zh, t.reverse_name, t.reverse_name_zh,
         std::int64_t{t.propagates ? 1 : 0}, now});
    if (!row.ok()) {
      core::Error e = std::move(row).error();
      if (e.code == core::ErrorCode::kConflict)
        return core::conflict("a relation type with key '" + t.key + "' exists", "key");
      return e;
    }
    t.id = (*row)->i64(0);
    auto ev =
        store::append_event(tx, actor, now, "ci_relation_type.create", "ci_relation_type", t.id, "",
                            json{{"key", t.key},
                                 {"name", t.name},
                                 {"name_zh", t.name_zh},
                                 {"reverse_name", t.reverse_name},
                                 {"reverse_name_zh", t.reverse_name_zh},
                                 {"propagates", t.propagates}}
                                .dump());
    if (!ev.ok()) return std::move(ev).error();
    return t;
  });
}

core::Result<Relation> add_relation(store::Tx& tx, const store::Actor& actor, core::TimeMs now,
                                    std::int64_t from, std::string_view type, std::int64_t to,
                                    bool bump) {
  if (from == to) return core::invalid("to", "a CI cannot relate to itself");
  auto src = tx.query_row("SELECT 1 FROM cis WHERE id = ?", {from});
  if (!src.ok()) return std::move(src).error();
  if (!*src) return core::not_found("no CI with id " + std::to_string(from));
  auto dst = tx.query_row("SELECT 1 FROM cis WHERE id = ?", {to});
  if (!dst.ok()) return std::move(dst).error();
  if (!*dst) return core::invalid("to", "no CI with id " + std::to_string(to));
  auto t = tx.query_row("SELECT id FROM ci_relation_types WHERE key = ?", {std::string(type)});
  if (!t.ok()) return std::move(t).error();
  if (!*t) return core::invalid("type", "no relation type '" + std::string(type) + "'");
  std::int64_t type_id = (*t)->i64(0);
  auto dup =
      tx.query_row("SELECT 1 FROM ci_relations WHERE type_id = ? AND from_ci = ? AND to_ci = ?",
                   {type_id, from, to});
  if (!dup.ok()) return std::move(dup).error();
  if (*dup) return core::conflict("the relation exists", "to");
  auto row = tx.query_row(
      "INSERT INTO ci_relations (type_id, from_ci, to_ci, created_at) VALUES (?, ?, ?, ?)"
      " RETURNING id",
      {type_id, from, to, now});
  if (!row.ok()) return std::move(row).error();
  Relation r{(*row)->i64(0), std::string(type), from, to, now};
  if (bump) YW_TRY(bump_relations_version(tx));
  auto ev = store::append_event(tx, actor, now, "ci.relate", "ci", from, "",
                                json{{"relation_id", r.id}, {"type", r.type}, {"to", to}}.dump());
  if (!ev.ok()) return std::move(ev).error();
  return r;
}

core::Result<Relation> RelationService::add(const store::Actor& actor, std::int64_t from,
                                            std::string_view type, std::int64_t to) {
  return store::write_tx<Relation>(
      db_, [&](store::Tx& tx) { return add_relation(tx, actor, clock_.now_ms(), from, type, to); });
}

core::Status RelationService::remove(const store::Actor& actor, std::int64_t ci,
                                     std::int64_t relation_id) {
  return db_.write([&](store::Tx& tx) -> core::Status {
    auto row = tx.query_row(
        "SELECT r.from_ci, r.to_ci, t.key FROM ci_relations r JOIN ci_relation_types t ON t.id ="
        " r.type_id WHERE r.id = ? AND (r.from_ci = ? OR r.to_ci = ?)",
        {relation_id, ci, ci});
    if (!row.ok()) return std::move(row).error();
    if (!*row)
      return core::not_found("CI " + std::to_string(ci) + " has no relation " +
                             std::to_string(relation_id));
    std::int64_t from = (*row)->i64(0);
    json before = {{"relation_id", relation_id}, {"type", (*row)->str(2)}, {"to", (*row)->i64(1)}};
    auto n = tx.exec("DELETE FROM ci_relations WHERE id = ?", {relation_id});
    if (!n.ok()) return std::move(n).error();
    YW_TRY(bump_relations_version(tx));
    auto ev = store::append_event(tx, actor, clock_.now_ms(), "ci.unrelate", "ci", from,
                                  before.dump(), "");
    if (!ev.ok()) return std::move(ev).error();
    return {};
  });
}

core::Result<std::vector<Relation>> RelationService::of(std::int64_t ci) {
  using R = std::vector<Relation>;
  return store::read_tx<R>(db_, [&](store::Tx& tx) -> core::Result<R> {
    auto rows = tx.query(
        "SELECT r.id, t.key, r.from_ci, r.to_ci, r.created_at FROM ci_relations r JOIN"
        " ci_relation_types t ON t.id = r.type_id WHERE r.from_ci = ? OR r.to_ci = ? ORDER BY r.id",
        {ci, ci});
    if (!rows.ok()) return std::move(rows).error();
    R out;
    for (const store::Row& r : *rows)
      out.push_back({r.i64(0), r.str(1), r.i64(2), r.i64(3), r.i64(4)});
    return out;
  });
}

core::Result<std::shared_ptr<const RelationService::Graph>> RelationService::graph(store::Tx* in) {
  using G = std::shared_ptr<const Graph>;
  auto read_version = [](store::Tx& tx) -> core::Result<std::string> {
    auto row = tx.query_row("SELECT value FROM meta WHERE key = ?", {std::string(kVersionKey)});
    if (!row.ok()) return std::move(row).error();
    return *row ? (*row)->str(0) : std::string("0");
  };
  std::string version;
  if (in) {
    YW_ASSIGN(version, read_version(*in));
  } else {
    YW_ASSIGN(version, store::read_tx<std::string>(db_, read_version));
  }
  {
    std::lock_guard lock(mu_);
    if (graph_ && graph_->version == version) return graph_;
  }
  // After a change every request finds the cache stale at once: one of them rebuilds.
  std::lock_guard building(build_mu_);
  {
    std::lock_guard lock(mu_);
    if (graph_ && graph_->version == version) return graph_;
  }
  auto g = std::make_shared<Graph>();
  g->version = version;
  struct Edge {
    std::int32_t from, to;
    std::int16_t type;
  };
  std::vector<Edge> edges;
  auto load = [&](store::Tx& tx) -> core::Status {
    auto types = tx.query("SELECT id, key FROM ci_relation_types WHERE propagates = 1 ORDER BY id");
    if (!types.ok()) return std::move(types).error();
    std::unordered_map<std::int64_t, std::int16_t> type_index;
    for (const store::Row& r : *types) {
      type_index[r.i64(0)] = static_cast<std::int16_t>(g->type_keys.size());
      g->type_keys.push_back(r.str(1));
    }
    auto rows = tx.query(
        "SELECT r.from_ci, r.to_ci, r.type_id FROM ci_relations r JOIN ci_relation_types t ON"
        " t.id = r.type_id WHERE t.propagates = 1");
    if (!rows.ok()) return std::move(rows).error();
    auto node = [&](std::int64_t id) {
      auto [it, added] = g->index.emplace(id, static_cast<std::int32_t>(g->ids.size()));
      if (added) g->ids.push_back(id);
      return it->second;
    };
    edges.reserve(rows->size());
    for (const store::Row& r : *rows) {
      edges.push_back({node(r.i64(0)), node(r.i64(1)), type_index[r.i64(2)]});
    }
    return {};
  };
  core::Status loaded = in ? load(*in) : db_.read(load);
  if (!loaded.ok()) return std::move(loaded).error();
  std::size_t n = g->ids.size();
  auto build = [&](bool forward, std::vector<std::int32_t>& off, std::vector<std::int32_t>& to,
                   std::vector<std::int16_t>& type) {
    off.assign(n + 1, 0);
    for (const Edge& e : edges) ++off[static_cast<std::size_t>(forward ? e.from : e.to) + 1];
    for (std::size_t i = 0; i < n; ++i) off[i + 1] += off[i];
    to.resize(edges.size());
    type.resize(edges.size());
    std::vector<std::int32_t> fill(off.begin(), off.end() - 1);
    for (const Edge& e : edges) {
      std::int32_t& at = fill[static_cast<std::size_t>(forward ? e.from : e.to)];
      to[static_cast<std::size_t>(at)] = forward ? e.to : e.from;
      type[static_cast<std::size_t>(at)] = e.type;
      ++at;
    }
  };
  build(true, g->fwd_off, g->fwd_to, g->fwd_type);
  build(false, g->bwd_off, g->bwd_to, g->bwd_type);
  std::lock_guard lock(mu_);
  graph_ = g;
  return G(g);
}

core::Result<std::vector<Reached>> RelationService::walk(std::int64_t ci, int depth, bool upstream,
                                                         bool paths, store::Tx* tx) {
  YW_ASSIGN(std::shared_ptr<const Graph> g, graph(tx));
  std::vector<Reached> out;
  auto start = g->index.find(ci);
  if (start == g->index.end() || depth < 1) return out;
  const auto& off = upstream ? g->bwd_off : g->fwd_off;
  const auto& next = upstream ? g->bwd_to : g->fwd_to;
  const auto& type = upstream ? g->bwd_type : g->fwd_type;
  // Breadth first: each CI once, by one of its shortest paths; cycles end where they revisit.
  std::unordered_map<std::int32_t, std::pair<std::int32_t, std::int16_t>> parent;  // via edge
  std::vector<std::int32_t> frontier = {start->second};
  parent[start->second] = {-1, -1};
  for (int d = 1; d <= depth && !frontier.empty(); ++d) {
    std::vector<std::int32_t> found;
    for (std::int32_t u : frontier) {
      for (std::int32_t e = off[static_cast<std::size_t>(u)];
           e < off[static_cast<std::size_t>(u) + 1]; ++e) {
        std::int32_t v = next[static_cast<std::size_t>(e)];
        if (parent.emplace(v, std::make_pair(u, type[static_cast<std::size_t>(e)])).second) {
          found.push_back(v);
        }
      }
    }
    for (std::int32_t v : found) {
      Reached r;
      r.ci_id = g->ids[static_cast<std::size_t>(v)];
      r.depth = d;
      if (!paths) {
        out.push_back(std::move(r));
        continue;
      }
      for (std::int32_t x = v; x != -1; x = parent[x].first) {
        r.path.push_back(g->ids[static_cast<std::size_t>(x)]);
        if (parent[x].second >= 0)
          r.via.push_back(g->type_keys[static_cast<std::size_t>(parent[x].second)]);
      }
      std::reverse(r.path.begin(), r.path.end());
      std::reverse(r.via.begin(), r.via.end());
      out.push_back(std::move(r));
    }
    frontier = std::move(found);
  }
  return out;
}

core::Result<std::vector<Reached>> RelationService::impact(std::int64_t ci, int depth,
                                                           store::Tx* tx) {
  return walk(ci, depth, true, true, tx);
}

core::Result<std::vector<Reached>> RelationService::dependencies(std::int64_t ci, int depth) {
  return walk(ci, depth, false, true, nullptr);
}

core::Result<std::vector<Reached>> RelationService::impact_set(std::int64_t ci, int depth,
                                                               store::Tx* tx) {
  return walk(ci, depth, true, false, tx);
}

core::Result<std::vector<Reached>> RelationService::dependency_set(std::int64_t ci, int depth,
                                                                   store::Tx* tx) {
  return walk(ci, depth, false, false, tx);
}

}  // namespace yunwei::cmdb
