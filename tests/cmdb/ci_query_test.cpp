// The CI list query (filters, text search, attribute values, keyset paging, sorts), the export's
// walk over every match, a CI's history and its relations, on both backends.
#include "cmdb/ci_query.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <set>

#include "cmdb/relations.h"
#include "cmdb/type_service.h"
#include "identity/password.h"
#include "identity/team_service.h"
#include "identity/user_service.h"
#include "support/people.h"
#include "support/test_db.h"

namespace yunwei::cmdb {
namespace {

using nlohmann::json;
using testing::failed_with;
using testing::must;

class CiQueryTest : public testing::BackendTest {
 protected:
  void SetUp() override {
    BackendTest::SetUp();
    if (IsSkipped() || HasFatalFailure()) return;
    must(CiTypeService(db(), clock_).seed_defaults(system_));
    relations_ = std::make_unique<RelationService>(db(), clock_);
    must(relations_->seed_defaults(system_));
    cis_ = std::make_unique<CiService>(db(), clock_);
    identity::UserService users(db(), clock_, hasher_);
    identity::TeamService teams(db(), clock_);
    agent_ = testing::make_user(users, "zhangwei", {"agent"});
    infra_ = testing::make_team(teams, "Infra", {agent_});
    dba_ = testing::make_team(teams, "DBA", {agent_});
    bank_ = make("business_service", "网上银行", "prod", std::nullopt, json::object());
    web1_ = make("server", "sh-web-01", "prod", infra_,
                 {{"hostname", "sh-web-01"}, {"ip", "10.1.2.3"}, {"os", "Kylin V10"}});
    web2_ = make("server", "sh-web-02", "test", infra_,
                 {{"hostname", "sh-web-02"}, {"ip", "10.1.2.4"}, {"os", "CentOS 7"}});
    db1_ = make("database", "ora-core", "prod", dba_,
                {{"engine", "oracle"}, {"ip", "10.9.0.1"}, {"port", 1521}});
    db2_ = make("database", "mysql-crm", "dev", std::nullopt,
                {{"engine", "mysql"}, {"ip", "10.9.0.2"}, {"port", 3306}});
  }

  std::int64_t make(const char* type, const char* name, const char* env,
                    std::optional<std::int64_t> team, json attrs) {
    clock_.advance(std::chrono::minutes(1));
    return must(cis_->create(actor(), {type, name, "in_use", env, team, attrs.dump()})).id;
  }

  store::Actor actor() const { return {agent_, "test"}; }

  core::Result<CiPage> list(const CiQuery& q) {
    if (!q.q.empty()) {
      core::Status synced = db().sync_search();
      if (!synced.ok()) return std::move(synced).error();
    }
    return store::read_tx<CiPage>(db(), [&](store::Tx& tx) { return list_cis(tx, q); });
  }

  std::vector<std::string> names(const CiQuery& q) {
    CiPage page = must(list(q));
    std::vector<std::string> out;
    for (const Ci& c : page.items) out.push_back(c.name);
    return out;
  }

  store::Actor system_{std::nullopt, "test"};
  identity::PasswordHasher hasher_{identity::PasswordHasher::Strength::kMinimum};
  std::unique_ptr<CiService> cis_;
  std::unique_ptr<RelationService> relations_;
  std::int64_t agent_ = 0, infra_ = 0, dba_ = 0;
  std::int64_t bank_ = 0, web1_ = 0, web2_ = 0, db1_ = 0, db2_ = 0;
};

using Names = std::vector<std::string>;

TEST_P(CiQueryTest, ListsByNameAndFiltersByTypeStatusEnvironmentAndOwner) {
  EXPECT_EQ(names({}), (Names{"mysql-crm", "ora-core", "sh-web-01", "sh-web-02", "网上银行"}));
  CiQuery q;
  q.types = {"server"};
  EXPECT_EQ(names(q), (Names{"sh-web-01", "sh-web-02"}));
  q.types = {"server", "database"};
  q.environment = "prod";
  EXPECT_EQ(names(q), (Names{"ora-core", "sh-web-01"}));
  q = {};
  q.owner_team_id = dba_;
  EXPECT_EQ(names(q), (Names{"ora-core"}));
  q = {};
  q.owner_none = true;
  EXPECT_EQ(names(q), (Names{"mysql-crm", "网上银行"}));
  CiPatch retire;
  retire.version = 1;
  retire.status = "retired";
  must(cis_->update(actor(), web2_, retire));
  q = {};
  q.status = "retired";
  EXPECT_EQ(names(q), (Names{"sh-web-02"}));
  q = {};
  q.ids = {web2_, db1_, 999999};
  EXPECT_EQ(names(q), (Names{"ora-core", "sh-web-02"}));
}

TEST_P(CiQueryTest, FiltersOnAttributeValuesOfEveryKind) {
  CiQuery q;
  q.attrs = {{"os", "Kylin V10"}};
  EXPECT_EQ(names(q), (Names{"sh-web-01"}));
  q.attrs = {{"port", "3306"}};  // an integer value
  EXPECT_EQ(names(q), (Names{"mysql-crm"}));
  q.attrs = {{"engine", "oracle"}, {"ip", "10.9.0.1"}};  // ANDed
  EXPECT_EQ(names(q), (Names{"ora-core"}));
  q.attrs = {{"engine", "oracle"}, {"ip", "10.9.0.2"}};
  EXPECT_EQ(names(q), Names{});
  q.attrs = {{"os", "kylin v10"}};  // exact value
  EXPECT_EQ(names(q), Names{});
  q.attrs = {{"os", "' OR '1'='1"}};
  EXPECT_EQ(names(q), Names{});
}

TEST_P(CiQueryTest, FindsByFullTextInNamesAndAttributeValues) {
  CiQuery q;
  q.q = "银行";
  EXPECT_EQ(names(q), (Names{"网上银行"}));
  q.q = "网上银行";
  EXPECT_EQ(names(q), (Names{"网上银行"}));
  q.q = "10.1.2.3";
  EXPECT_EQ(names(q), (Names{"sh-web-01"}));
  q.q = "kylin";
  EXPECT_EQ(names(q), (Names{"sh-web-01"}));
  q.q = "oracle";
  q.types = {"server"};
  EXPECT_EQ(names(q), Names{});
  q.q = "   ";
  q.types = {};
  EXPECT_EQ(names(q).size(), 5u) << "blank text is no filter";
  q.q = "!!!";
  EXPECT_EQ(names(q), Names{}) << "text without a token matches nothing";
}

TEST_P(CiQueryTest, PagesWithKeysetCursorsInEverySort) {
  for (const char* sort : {"name", "-name", "created_at", "-created_at", "updated_at"}) {
    CiQuery q;
    q.sort = sort;
    Names all = names(q);
    ASSERT_EQ(all.size(), 5u);
    q.limit = 2;
    Names paged;
    for (int i = 0; i < 5; ++i) {
      CiPage page = must(list(q));
      for (const Ci& c : page.items) paged.push_back(c.name);
      if (!page.next_cursor) break;
      q.cursor = *page.next_cursor;
    }
    EXPECT_EQ(paged, all) << sort;
  }
  CiQuery q;
  q.sort = "-created_at";
  EXPECT_EQ(names(q).front(), "mysql-crm");
  q.sort = "-name";
  EXPECT_EQ(names(q).back(), "mysql-crm");
}

TEST_P(CiQueryTest, RefusesBadQueriesNamingTheParameter) {
  CiQuery q;
  q.types = {"mainframe"};
  EXPECT_TRUE(failed_with(list(q), core::ErrorCode::kInvalidArgument, "type"));
  q = {};
  q.status = "broken";
  EXPECT_TRUE(failed_with(list(q), core::ErrorCode::kInvalidArgument, "status"));
  q = {};
  q.environment = "mars";
  EXPECT_TRUE(failed_with(list(q), core::ErrorCode::kInvalidArgument, "environment"));
  q = {};
  q.attrs = {{"os'); DROP TABLE cis; --", "x"}};
  EXPECT_TRUE(
      failed_with(list(q), core::ErrorCode::kInvalidArgument, "attr.os'); DROP TABLE cis; --"));
  q = {};
  q.sort = "attributes";
  EXPECT_TRUE(failed_with(list(q), core::ErrorCode::kInvalidArgument, "sort"));
  q = {};
  q.cursor = "!!!";
  EXPECT_TRUE(failed_with(list(q), core::ErrorCode::kInvalidArgument, "cursor"));
  q = {};
  q.limit = 0;
  EXPECT_TRUE(failed_with(list(q), core::ErrorCode::kInvalidArgument, "limit"));
  EXPECT_EQ(count("cis"), 5);
}

TEST_P(CiQueryTest, ForEachVisitsEveryMatchInOrderIgnoringPaging) {
  for (int i = 0; i < 620; ++i) {
    char name[32];
    std::snprintf(name, sizeof name, "vm-%04d", i);
    must(cis_->create(system_, {"virtual_machine", name, "in_use", "", std::nullopt,
                                json{{"hostname", name}}.dump()}));
  }
  CiQuery q;
  q.types = {"virtual_machine"};
  q.limit = 3;
  q.cursor = "ignored";
  std::vector<std::string> seen;
  must(db().read([&](store::Tx& tx) -> core::Status {
    return for_each_ci(tx, q, [&](const Ci& c) -> core::Status {
      seen.push_back(c.name);
      return core::Status();
    });
  }));
  ASSERT_EQ(seen.size(), 620u);
  EXPECT_EQ(seen.front(), "vm-0000");
  EXPECT_EQ(seen.back(), "vm-0619");
  EXPECT_TRUE(std::is_sorted(seen.begin(), seen.end()));
  // The callback's error stops the walk.
  int visited = 0;
  core::Status st = db().read([&](store::Tx& tx) -> core::Status {
    return for_each_ci(tx, q, [&](const Ci&) -> core::Status {
      if (++visited == 10) return core::invalid("stop", "enough");
      return core::Status();
    });
  });
  EXPECT_TRUE(failed_with(st, core::ErrorCode::kInvalidArgument, "stop"));
  EXPECT_EQ(visited, 10);
}

TEST_P(CiQueryTest, HistoryShowsWhoWhenAndEachFieldBeforeAndAfterNewestFirst) {
  clock_.advance(std::chrono::minutes(5));
  CiPatch p;
  p.version = 1;
  p.status = "maintenance";
  p.attributes_json = json{{"os", "Kylin V10 SP3"}, {"ip", nullptr}}.dump();
  must(cis_->update(actor(), web1_, p));
  must(relations_->add(actor(), web1_, "depends_on", db1_));
  auto history = [&](int limit, const std::string& cursor) {
    return must(store::read_tx<HistoryPage>(
        db(), [&](store::Tx& tx) { return ci_history(tx, web1_, limit, cursor); }));
  };
  HistoryPage page = history(50, "");
  ASSERT_EQ(page.items.size(), 3u);
  EXPECT_FALSE(page.next_cursor);
  const HistoryEntry& rel = page.items[0];
  EXPECT_EQ(rel.action, "ci.relate");
  EXPECT_EQ(rel.relation_type, "depends_on");
  ASSERT_TRUE(rel.relation_to);
  EXPECT_EQ(rel.relation_to->name, "ora-core");
  EXPECT_EQ(rel.relation_to->type, "database");
  const HistoryEntry& upd = page.items[1];
  EXPECT_EQ(upd.action, "ci.update");
  ASSERT_TRUE(upd.actor);
  EXPECT_EQ(upd.actor->username, "zhangwei");
  EXPECT_EQ(upd.at, clock_.now_ms());
  std::map<std::string, std::pair<json, json>> changes;
  for (const CiChange& c : upd.changes)
    changes[c.field] = {json::parse(c.before_json), json::parse(c.after_json)};
  EXPECT_EQ(changes.size(), 3u);
  EXPECT_EQ(changes["status"].first, "in_use");
  EXPECT_EQ(changes["status"].second, "maintenance");
  EXPECT_EQ(changes["attributes.os"].first, "Kylin V10");
  EXPECT_EQ(changes["attributes.os"].second, "Kylin V10 SP3");
  EXPECT_EQ(changes["attributes.ip"].first, "10.1.2.3");
  EXPECT_TRUE(changes["attributes.ip"].second.is_null());
  const HistoryEntry& created = page.items[2];
  EXPECT_EQ(created.action, "ci.create");
  std::set<std::string> fields;
  for (const CiChange& c : created.changes) {
    fields.insert(c.field);
    EXPECT_EQ(c.before_json, "null") << c.field;
  }
  EXPECT_TRUE(fields.count("name") && fields.count("attributes.hostname") &&
              fields.count("owner_team_id"));
  // Paged, newest first.
  HistoryPage first = history(2, "");
  ASSERT_EQ(first.items.size(), 2u);
  ASSERT_TRUE(first.next_cursor);
  HistoryPage rest = history(2, *first.next_cursor);
  ASSERT_EQ(rest.items.size(), 1u);
  EXPECT_EQ(rest.items[0].action, "ci.create");
  EXPECT_FALSE(rest.next_cursor);
  // Removing the relation is history too.
  std::int64_t relation_id = *rel.relation_id;
  must(relations_->remove(actor(), web1_, relation_id));
  HistoryPage after = history(1, "");
  EXPECT_EQ(after.items[0].action, "ci.unrelate");
  EXPECT_EQ(after.items[0].relation_id, relation_id);
  EXPECT_TRUE(failed_with(store::read_tx<HistoryPage>(
                              db(), [&](store::Tx& tx) { return ci_history(tx, 999999, 10, ""); }),
                          core::ErrorCode::kNotFound));
}

TEST_P(CiQueryTest, RelationsListBothDirectionsWithTheOtherCi) {
  must(relations_->add(actor(), bank_, "depends_on", web1_));
  must(relations_->add(actor(), web1_, "depends_on", db1_));
  auto rels = must(store::read_tx<std::vector<CiRelation>>(
      db(), [&](store::Tx& tx) { return ci_relations(tx, web1_); }));
  ASSERT_EQ(rels.size(), 2u);
  EXPECT_FALSE(rels[0].outgoing);
  EXPECT_EQ(rels[0].other.name, "网上银行");
  EXPECT_EQ(rels[0].other.type, "business_service");
  EXPECT_TRUE(rels[1].outgoing);
  EXPECT_EQ(rels[1].other.id, db1_);
  EXPECT_EQ(rels[1].type, "depends_on");
  EXPECT_TRUE(failed_with(store::read_tx<std::vector<CiRelation>>(
                              db(), [&](store::Tx& tx) { return ci_relations(tx, 999999); }),
                          core::ErrorCode::kNotFound));
}

TEST_P(CiQueryTest, AdminsAddRelationTypesWithCheckedKeys) {
  NewRelationType t{"replicates_to",      "replicates to", "复制到",
                    "is replicated from", "复制自",        true};
  RelationType made = must(relations_->create_type(system_, t));
  EXPECT_FALSE(made.builtin);
  EXPECT_TRUE(made.propagates);
  auto types = must(relations_->types());
  EXPECT_EQ(types.back().key, "replicates_to");
  EXPECT_TRUE(failed_with(relations_->create_type(system_, t), core::ErrorCode::kConflict, "key"));
  t.key = "Bad-Key";
  EXPECT_TRUE(
      failed_with(relations_->create_type(system_, t), core::ErrorCode::kInvalidArgument, "key"));
  t.key = "ok_key";
  t.name = "  ";
  EXPECT_TRUE(
      failed_with(relations_->create_type(system_, t), core::ErrorCode::kInvalidArgument, "name"));
  // The new type relates CIs and, propagating, carries impact.
  must(relations_->add(actor(), db2_, "replicates_to", db1_));
  auto impact = must(relations_->impact(db1_, 5));
  ASSERT_EQ(impact.size(), 1u);
  EXPECT_EQ(impact[0].ci_id, db2_);
}

TEST_P(CiQueryTest, TypeCountsAndLookupByIdOrKey) {
  CiTypeService types(db(), clock_);
  auto counts = must(types.ci_counts());
  CiType server = must(types.resolve("server"));
  EXPECT_EQ(counts[server.id], 2);
  EXPECT_EQ(must(types.resolve(std::to_string(server.id))).key, "server");
  EXPECT_TRUE(failed_with(types.resolve("mainframe"), core::ErrorCode::kNotFound));
  EXPECT_TRUE(failed_with(types.resolve("99999"), core::ErrorCode::kNotFound));
  EXPECT_TRUE(failed_with(types.resolve("../x"), core::ErrorCode::kNotFound));
}

INSTANTIATE_TEST_SUITE_P(Backends, CiQueryTest, testing::kAllBackends, testing::backend_test_name);

}  // namespace
}  // namespace yunwei::cmdb
