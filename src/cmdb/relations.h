#pragma once

#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/clock.h"
#include "store/audit.h"
#include "store/database.h"

// CI relations (issue #6 points 3 and 4): typed, directed ("A depends_on B"), cycles allowed, and
// impact analysis over them from an in-memory graph.
namespace yunwei::cmdb {

struct RelationType {
  std::int64_t id = 0;
  std::string key;  // depends_on, runs_on, hosted_on, connected_to, member_of, backed_up_by
  std::string name, name_zh, reverse_name, reverse_name_zh;
  bool propagates = false;  // a failure of the target impacts the source
  bool builtin = false;
};

// An admin's relation type: key [a-z][a-z0-9_]{0,39}, a name, optional Chinese and reverse
// names.
struct NewRelationType {
  std::string key, name, name_zh, reverse_name, reverse_name_zh;
  bool propagates = false;
};

struct Relation {
  std::int64_t id = 0;
  std::string type;  // key
  std::int64_t from_ci = 0, to_ci = 0;
  core::TimeMs created_at = 0;
};

// One CI reached by a traversal, with the path from the start (start first, this CI last) and
// the relation keys along it (one fewer than the CIs).
struct Reached {
  std::int64_t ci_id = 0;
  int depth = 0;
  std::vector<std::int64_t> path;
  std::vector<std::string> via;
};

// What RelationService::add does, inside the caller's transaction (an import adds many):
// errors as add's. `bump` = false leaves the relations' version to the caller
// (bump_relations_version once at the end), which every cached graph watches.
core::Result<Relation> add_relation(store::Tx& tx, const store::Actor& actor, core::TimeMs now,
                                    std::int64_t from, std::string_view type, std::int64_t to,
                                    bool bump = true);
core::Status bump_relations_version(store::Tx& tx);

// Thread-safe. The relation graph is read once and kept in memory until a relation changes
// (through this service on this node, or on another node: the cache is keyed by the count and
// highest id of ci_relations, checked with one query per traversal).
class RelationService {
 public:
  RelationService(store::Database& db, const core::Clock& clock) : db_(db), clock_(clock) {}
  ~RelationService();

  core::Status seed_defaults(const store::Actor& actor);  // the shipped relation types
  core::Result<std::vector<RelationType>> types();
  // kInvalidArgument naming the field (key, name, name_zh, reverse_name, reverse_name_zh),
  // kConflict (key) when the key is taken. An event (ci_relation_type.create).
  core::Result<RelationType> create_type(const store::Actor& actor, const NewRelationType& in);

  // "from <type> to". kInvalidArgument naming type / to (unknown, itself), kNotFound for an
  // unknown `from`, kConflict when the relation exists. An event (ci.relate) on `from`.
  core::Result<Relation> add(const store::Actor& actor, std::int64_t from, std::string_view type,
                             std::int64_t to);
  // kNotFound when the relation is not one of `ci`'s. An event (ci.unrelate) on its source.
  core::Status remove(const store::Actor& actor, std::int64_t ci, std::int64_t relation_id);
  // Both directions.
  core::Result<std::vector<Relation>> of(std::int64_t ci);

  // What a failure of `ci` impacts: every CI with a path of propagating relations to it, up to
  // `depth` steps, nearest first, each once with one shortest path. Cycles are handled.
  // `tx`: read through the caller's transaction instead of another connection (a write
  // transaction must not wait for a second connection from the pool).
  core::Result<std::vector<Reached>> impact(std::int64_t ci, int depth, store::Tx* tx = nullptr);
  // What `ci` relies on (root-cause candidates): the same walk forwards.
  core::Result<std::vector<Reached>> dependencies(std::int64_t ci, int depth);
  // impact() / dependencies() without the paths (ids and depths only): cheaper for callers that
  // only need the set, such as a ticket's affected services.
  core::Result<std::vector<Reached>> impact_set(std::int64_t ci, int depth,
                                                store::Tx* tx = nullptr);
  core::Result<std::vector<Reached>> dependency_set(std::int64_t ci, int depth,
                                                    store::Tx* tx = nullptr);

 private:
  struct Graph;
  core::Result<std::shared_ptr<const Graph>> graph(store::Tx* tx);
  core::Result<std::vector<Reached>> walk(std::int64_t ci, int depth, bool upstream, bool paths,
                                          store::Tx* tx);

  store::Database& db_;
  const core::Clock& clock_;
  std::mutex mu_;        // guards graph_
  std::mutex build_mu_;  // one rebuild at a time: the others wait for it, then share it
  std::shared_ptr<const Graph> graph_;
};

}  // namespace yunwei::cmdb
