#include "cmdb/import.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "cmdb/ci_service.h"
#include "cmdb/relations.h"
#include "cmdb/schema.h"
#include "cmdb/type_service.h"
#include "identity/password.h"
#include "identity/team_service.h"
#include "identity/user_service.h"
#include "support/people.h"
#include "support/test_db.h"

namespace yunwei::cmdb {
namespace {

using nlohmann::json;
using testing::must;

class ImportTest : public testing::BackendTest {
 protected:
  void SetUp() override {
    BackendTest::SetUp();
    if (IsSkipped() || HasFatalFailure()) return;
    must(CiTypeService(db(), clock_).seed_defaults(system_));
    must(RelationService(db(), clock_).seed_defaults(system_));
    identity::UserService users(db(), clock_, hasher_);
    identity::TeamService teams(db(), clock_);
    std::int64_t agent = testing::make_user(users, "zhangwei", {"agent"});
    infra_ = testing::make_team(teams, "Infra", {agent});
  }

  core::Result<ImportReport> run(const std::string& text, ImportOptions options = {},
                                 ImportFormat format = ImportFormat::kCsv) {
    return import_cmdb(db(), system_, clock_.now_ms(), text, format, options);
  }
  ImportReport ok(const std::string& text, ImportOptions options = {},
                  ImportFormat format = ImportFormat::kCsv) {
    return must(run(text, options, format));
  }

  std::int64_t ci_id(const std::string& type, const std::string& name) {
    store::Rows rows = query(
        "SELECT c.id FROM cis c JOIN ci_types t ON t.id = c.type_id WHERE t.key = ? AND c.name = ?",
        {type, name});
    return rows.empty() ? 0 : rows[0].i64(0);
  }
  json attrs_of(std::int64_t id) {
    return json::parse(query("SELECT attributes FROM cis WHERE id = ?", {id}).at(0).str(0));
  }
  bool related(std::int64_t from, const std::string& type, std::int64_t to) {
    return count("ci_relations r JOIN ci_relation_types t ON t.id = r.type_id",
                 "r.from_ci = ? AND t.key = ? AND r.to_ci = ?", {from, type, to}) == 1;
  }
  // What a state of the database looks like, to compare before and after.
  std::string fingerprint() {
    std::string out;
    for (const store::Row& r : query("SELECT id, name, status, attributes, version FROM cis"
                                     " ORDER BY id")) {
      out += r.str(0) + "|" + r.str(1) + "|" + r.str(2) + "|" + r.str(3) + "|" + r.str(4) + "\n";
    }
    out += std::to_string(count("ci_relations")) + " relations, " +
           std::to_string(count("events")) + " events, " +
           std::to_string(count("ci_unique_values")) + " unique values";
    return out;
  }

  store::Actor system_{std::nullopt, "test"};
  identity::PasswordHasher hasher_{identity::PasswordHasher::Strength::kMinimum};
  std::int64_t infra_ = 0;
};

const char* kEstate =
    "type,name,status,environment,owner_team,attributes.hostname,attributes.ip,"
    "attributes.criticality,relations.depends_on,relations.runs_on\r\n"
    "business_service,网上银行,in_use,prod,Infra,,,critical,application:核心账务,\r\n"
    "application,核心账务,,prod,,,,high,database:db-core,virtual_machine:vm-app-01\r\n"
    "virtual_machine,vm-app-01,,prod,,vm-app-01,10.2.0.11,,,\r\n"
    "database,db-core,,prod,,,10.2.0.20,,,virtual_machine:vm-app-01\r\n";

TEST_P(ImportTest, CreatesCisAndRelationsToLinesLaterInTheFile) {
  ImportReport r = ok(kEstate);
  EXPECT_TRUE(r.applied);
  EXPECT_FALSE(r.dry_run);
  EXPECT_EQ(r.lines, 4);
  EXPECT_EQ(r.created, 4);
  EXPECT_EQ(r.updated + r.unchanged, 0);
  EXPECT_EQ(r.relations_created, 4);
  EXPECT_TRUE(r.rejected.empty()) << r.rejected[0].message;
  std::int64_t bank = ci_id("business_service", "网上银行");
  std::int64_t app = ci_id("application", "核心账务");
  std::int64_t vm = ci_id("virtual_machine", "vm-app-01");
  std::int64_t dbase = ci_id("database", "db-core");
  ASSERT_TRUE(bank && app && vm && dbase);
  EXPECT_TRUE(related(bank, "depends_on", app));
  EXPECT_TRUE(related(app, "depends_on", dbase));
  EXPECT_TRUE(related(app, "runs_on", vm));
  EXPECT_TRUE(related(dbase, "runs_on", vm));
  EXPECT_EQ(attrs_of(bank)["criticality"], "critical");
  EXPECT_EQ(attrs_of(vm)["ip"], "10.2.0.11");
  EXPECT_EQ(query("SELECT owner_team_id, environment FROM cis WHERE id = ?", {bank})[0].i64(0),
            infra_);
  EXPECT_EQ(count("events", "action = 'ci.create'"), 4);
  EXPECT_EQ(count("events", "action = 'ci.relate' AND object_id = ?", {app}), 2);
  EXPECT_EQ(count("meta", "key = 'cmdb.relations_version'"), 1) << "cached graphs must reload";
  // The relate event is the one RelationService::add writes, byte for byte.
  RelationService service(db(), clock_);
  Relation added = must(service.add(system_, dbase, "depends_on", vm));
  std::string by_service = query(
                               "SELECT after_json FROM events WHERE action = 'ci.relate' AND "
                               "object_id = ? ORDER BY id DESC",
                               {dbase})[0]
                               .str(0);
  std::string by_import =
      query(
          "SELECT after_json FROM events WHERE action = 'ci.relate' AND object_id = ? ORDER BY id",
          {dbase})[0]
          .str(0);
  json a = json::parse(by_service), b = json::parse(by_import);
  EXPECT_EQ(a["relation_id"], added.id);
  EXPECT_EQ(b["to"], vm);
  EXPECT_EQ(b["type"], "runs_on");
  a["relation_id"] = b["relation_id"];
  a["type"] = b["type"];
  EXPECT_EQ(a.dump(), by_import);
  // The impact graph sees the imported relations.
  RelationService relations(db(), clock_);
  auto up = must(relations.impact(vm, 10));
  bool reaches_bank = false;
  for (const Reached& x : up) reaches_bank = reaches_bank || x.ci_id == bank;
  EXPECT_TRUE(reaches_bank);
  ASSERT_EQ(r.changes.size(), 4u);
  EXPECT_EQ(r.changes[0].line, 2);
  EXPECT_EQ(r.changes[0].ci, "business_service:网上银行");
  EXPECT_EQ(r.changes[0].action, "create");
  auto& f = r.changes[0].fields;
  EXPECT_NE(std::find(f.begin(), f.end(), "relations.depends_on"), f.end());
  EXPECT_NE(std::find(f.begin(), f.end(), "owner_team"), f.end());
}

TEST_P(ImportTest, UpdatesByNameAndASecondRunChangesNothing) {
  ok(kEstate);
  std::int64_t events = count("events");
  std::int64_t vm = ci_id("virtual_machine", "vm-app-01");
  ImportReport again = ok(kEstate);
  EXPECT_TRUE(again.applied);
  EXPECT_EQ(again.unchanged, 4);
  EXPECT_EQ(again.created + again.updated, 0);
  EXPECT_EQ(again.relations_created, 0);
  EXPECT_EQ(again.relations_existing, 4);
  EXPECT_TRUE(again.changes.empty());
  EXPECT_EQ(count("events"), events) << "an unchanged import writes no history";
  EXPECT_EQ(query("SELECT version FROM cis WHERE id = ?", {vm})[0].i64(0), 1);

  ImportReport upd =
      ok("type,name,status,attributes.os,attributes.ip,relations.hosted_on\n"
         "virtual_machine,vm-app-01,maintenance,Kylin V10,10.2.0.11,server:sh-esx-01\n"
         "server,sh-esx-01,,,,\n");
  ASSERT_EQ(upd.rejected.size(), 2u);
  // The relation's target was rejected, so the line relating to it goes too.
  EXPECT_EQ(upd.rejected[0].line, 2);
  EXPECT_EQ(upd.rejected[0].field, "relations.hosted_on");
  EXPECT_EQ(upd.rejected[1].line, 3);
  EXPECT_EQ(upd.rejected[1].field, "attributes.hostname") << "a server needs a hostname";
  EXPECT_EQ(upd.updated, 0);
  EXPECT_EQ(upd.created, 0);

  upd =
      ok("type,name,status,attributes.os,attributes.ip\n"
         "virtual_machine,vm-app-01,maintenance,Kylin V10,10.2.0.11\n");
  EXPECT_EQ(upd.updated, 1);
  ASSERT_EQ(upd.changes.size(), 1u);
  EXPECT_EQ(upd.changes[0].action, "update");
  EXPECT_EQ(upd.changes[0].fields, (std::vector<std::string>{"status", "attributes.os"}));
  EXPECT_EQ(ci_id("virtual_machine", "vm-app-01"), vm);
  EXPECT_EQ(attrs_of(vm)["os"], "Kylin V10");
  EXPECT_EQ(attrs_of(vm)["hostname"], "vm-app-01") << "empty cells leave values alone";
  store::Rows ev = query(
      "SELECT before_json, after_json FROM events WHERE action = 'ci.update' AND object_id = ?",
      {vm});
  ASSERT_EQ(ev.size(), 1u);
  EXPECT_EQ(json::parse(ev[0].str(0))["status"], "in_use");
  EXPECT_EQ(json::parse(ev[0].str(1))["status"], "maintenance");
}

TEST_P(ImportTest, MatchesByAKeyAttributeForTypesThatHaveIt) {
  ok("type,name,attributes.hostname,attributes.ip\n"
     "server,web-a,sh-web-01,10.1.0.1\n"
     "business_service,ERP,,\n");
  std::int64_t server = ci_id("server", "web-a");
  ImportOptions by_hostname;
  by_hostname.key = "hostname";
  ImportReport r =
      ok("type,name,attributes.hostname,attributes.ip,relations.depends_on\n"
         "server,上海-web-01,sh-web-01,10.1.0.2,\n"
         "business_service,ERP,,,server:sh-web-01\n",
         by_hostname);
  EXPECT_TRUE(r.rejected.empty()) << r.rejected[0].field << ": " << r.rejected[0].message;
  EXPECT_EQ(r.updated, 2) << "the server renamed, the service (matched by name) related";
  EXPECT_EQ(ci_id("server", "上海-web-01"), server);
  EXPECT_TRUE(related(ci_id("business_service", "ERP"), "depends_on", server));
  EXPECT_EQ(r.changes.at(0).ci, "server:sh-web-01");

  ImportOptions bad;
  bad.key = "no_such_attribute";
  auto fatal = run("type,name\nserver,x\n", bad);
  EXPECT_TRUE(testing::failed_with(fatal, core::ErrorCode::kInvalidArgument, "key"));
}

TEST_P(ImportTest, RejectsLinesNamingTheLineAndTheFieldAndAppliesTheRest) {
  CiService cis(db(), clock_);
  // Two applications with one name: a line keyed by that name is ambiguous.
  must(cis.create(system_, {"application", "OA", "in_use", "", std::nullopt, "{}"}));
  must(cis.create(system_, {"application", "OA", "in_use", "", std::nullopt, "{}"}));
  std::string csv =
      "type,name,attributes.hostname,attributes.ip,attributes.criticality,relations.runs_on\n"
      "server,sh-db-01,sh-db-01,10.0.0.1,high,\n"      // 2 ok
      "mainframe,z-01,,,,\n"                           // 3 unknown type
      "server,sh-db-02,sh-db-02,10.0.0.2,extreme,\n"   // 4 bad enum
      "server,sh-db-03,sh-db-03,10.0.0.300,,\n"        // 5 bad IP
      "database,db-x,,,,virtual_machine:vm-nowhere\n"  // 6 unknown relation target
      "application,OA,,,,\n"                           // 7 ambiguous
      "server,sh-db-04,sh-db-01,10.0.0.4,,\n"          // 8 hostname taken by line 2
      "server,sh-db-01,sh-db-05,10.0.0.5,,\n"          // 9 line 2 again
      "database,db-y,,,,server:sh-db-02\n"             // 10 target rejected (line 4)
      "\n"                                             // blank: skipped
      "database,db-z,,not-an-ip,,\n";                  // 12 bad IP on another type
  std::int64_t before = count("cis");
  ImportReport r = ok(csv);
  EXPECT_TRUE(r.applied);
  EXPECT_EQ(r.lines, 10);
  EXPECT_EQ(r.created, 1);
  EXPECT_EQ(count("cis"), before + 1);
  std::vector<std::pair<int, std::string>> got;
  for (const RejectedLine& l : r.rejected) got.emplace_back(l.line, l.field);
  std::vector<std::pair<int, std::string>> want = {
      {3, "type"},           {4, "attributes.criticality"},
      {5, "attributes.ip"},  {6, "relations.runs_on"},
      {7, "name"},           {8, "attributes.hostname"},
      {9, "name"},           {10, "relations.runs_on"},
      {12, "attributes.ip"},
  };
  EXPECT_EQ(got, want);
  ASSERT_EQ(r.rejected.size(), want.size());
  EXPECT_EQ(r.rejected[0].ci, "mainframe:z-01");
  EXPECT_NE(r.rejected[0].message.find("mainframe"), std::string::npos);
  EXPECT_NE(r.rejected[1].message.find("critical"), std::string::npos) << "lists the options";
  EXPECT_NE(r.rejected[3].message.find("vm-nowhere"), std::string::npos);
  EXPECT_NE(r.rejected[4].message.find("ambiguous"), std::string::npos);
  EXPECT_NE(r.rejected[5].message.find("sh-db-01"), std::string::npos);
  EXPECT_NE(r.rejected[6].message.find("line 2"), std::string::npos);
  EXPECT_NE(r.rejected[7].message.find("line 4"), std::string::npos);
  EXPECT_EQ(ci_id("database", "db-y"), 0);
}

TEST_P(ImportTest, AUniqueValueOfALineRejectedLaterStaysWithItsCi) {
  CiService cis(db(), clock_);
  std::int64_t app1 =
      must(cis.create(system_, {"server", "sh-app-01", "in_use", "", std::nullopt,
                                R"({"hostname": "sh-app-01", "serial_number": "SN-1"})"}))
          .id;
  // Line 2 would move SN-1 away but goes for its relation; then SN-1 is still sh-app-01's and
  // line 3 cannot have it.
  std::string csv =
      "type,name,attributes.hostname,attributes.serial_number,relations.depends_on\n"
      "server,sh-app-01,,SN-2,storage:san-nowhere\n"
      "server,sh-app-02,sh-app-02,SN-1,\n"
      "server,sh-app-03,sh-app-03,SN-3,\n";
  ImportReport r = ok(csv);
  EXPECT_TRUE(r.applied);
  std::vector<std::pair<int, std::string>> got;
  for (const RejectedLine& l : r.rejected) got.emplace_back(l.line, l.field);
  std::vector<std::pair<int, std::string>> want = {{2, "relations.depends_on"},
                                                   {3, "attributes.serial_number"}};
  EXPECT_EQ(got, want);
  EXPECT_EQ(r.created, 1);
  EXPECT_EQ(attrs_of(app1)["serial_number"], "SN-1");
  EXPECT_EQ(ci_id("server", "sh-app-02"), 0);
  EXPECT_NE(ci_id("server", "sh-app-03"), 0);
}

TEST_P(ImportTest, ReferencesAreResolvedThroughChainsOfTypes) {
  // app_x refers to servers, servers to locations: a file naming app_x first still knows the
  // locations.
  AttributeDef host;
  host.key = "host";
  host.name = "Host";
  host.kind = AttrKind::kReference;
  host.ref_type = "server";
  must(CiTypeService(db(), clock_).create(system_, {"app_x", "App X", "", "", {host}}));
  CiService cis(db(), clock_);
  must(cis.create(system_, {"location", "DC-SH", "in_use", "", std::nullopt, "{}"}));
  must(cis.create(system_,
                  {"server", "sh-1", "in_use", "", std::nullopt, R"({"hostname": "sh-1"})"}));
  std::string csv =
      "type,name,attributes.host,attributes.hostname,attributes.location\n"
      "app_x,a1,sh-1,,\n"
      "server,sh-2,,sh-2,DC-SH\n";
  ImportReport r = ok(csv);
  EXPECT_TRUE(r.rejected.empty()) << r.rejected.at(0).message;
  EXPECT_EQ(r.created, 2);
  EXPECT_EQ(attrs_of(ci_id("server", "sh-2"))["location"], ci_id("location", "DC-SH"));
}

TEST_P(ImportTest, StrictAppliesNothingWhenALineIsRejected) {
  std::string before = fingerprint();
  ImportOptions strict;
  strict.strict = true;
  ImportReport r =
      ok("type,name,attributes.hostname\n"
         "server,ok-01,ok-01\n"
         "server,bad,\n",
         strict);
  EXPECT_FALSE(r.applied);
  EXPECT_EQ(r.created, 1) << "says what would have applied";
  ASSERT_EQ(r.rejected.size(), 1u);
  EXPECT_EQ(r.rejected[0].line, 3);
  EXPECT_EQ(fingerprint(), before);
  ImportReport clean = ok("type,name,attributes.hostname\nserver,ok-01,ok-01\n", strict);
  EXPECT_TRUE(clean.applied);
  EXPECT_NE(ci_id("server", "ok-01"), 0);
}

TEST_P(ImportTest, DryRunChangesNothingAndReportsWhatARealRunDoes) {
  ok("type,name,attributes.hostname\nvirtual_machine,vm-app-01,vm-app-01\n");
  std::string csv = std::string(kEstate) + "server,broken,,,,,not-an-ip,,,\r\n";
  std::string before = fingerprint();
  ImportOptions dry;
  dry.dry_run = true;
  ImportReport preview = ok(csv, dry);
  EXPECT_TRUE(preview.dry_run);
  EXPECT_FALSE(preview.applied);
  EXPECT_EQ(fingerprint(), before);
  ImportReport real = ok(csv);
  EXPECT_TRUE(real.applied);
  EXPECT_EQ(preview.created, 3);
  EXPECT_EQ(preview.updated, 1) << "the VM exists";
  json a = json::parse(import_report_json(preview));
  json b = json::parse(import_report_json(real));
  a.erase("dry_run");
  a.erase("applied");
  b.erase("dry_run");
  b.erase("applied");
  EXPECT_EQ(a, b);
  EXPECT_EQ(a["rejected"].size(), 1u);
}

TEST_P(ImportTest, FatalErrorsLeaveNothing) {
  std::string before = fingerprint();
  auto unknown = run("type,name,attributes.colour\nserver,x,red\n");
  ASSERT_TRUE(
      testing::failed_with(unknown, core::ErrorCode::kInvalidArgument, "attributes.colour"));
  EXPECT_NE(unknown.error().message.find("attributes.colour"), std::string::npos);
  EXPECT_TRUE(testing::failed_with(run("type,name,colour\nserver,x,red\n"),
                                   core::ErrorCode::kInvalidArgument, "colour"));
  EXPECT_TRUE(testing::failed_with(run("type,name,relations.likes\nserver,x,\n"),
                                   core::ErrorCode::kInvalidArgument, "relations.likes"));
  EXPECT_TRUE(testing::failed_with(run("name,status\nx,in_use\n"),
                                   core::ErrorCode::kInvalidArgument, "type"));
  EXPECT_TRUE(testing::failed_with(run("type,name,name\nserver,x,y\n"),
                                   core::ErrorCode::kInvalidArgument, "name"));
  auto quote =
      run("type,name,attributes.hostname\n"
          "server,a-01,a-01\n"
          "server,\"a-02,a-02\n");
  ASSERT_TRUE(testing::failed_with(quote, core::ErrorCode::kInvalidArgument, "body"));
  EXPECT_NE(quote.error().message.find("line 3"), std::string::npos) << quote.error().message;
  EXPECT_TRUE(testing::failed_with(run("type,name\nserver,\xff\n"),
                                   core::ErrorCode::kInvalidArgument, "body"));
  EXPECT_TRUE(testing::failed_with(run("{\"cis\": [", {}, ImportFormat::kJson),
                                   core::ErrorCode::kInvalidArgument, "body"));
  EXPECT_TRUE(testing::failed_with(run("[]", {}, ImportFormat::kJson),
                                   core::ErrorCode::kInvalidArgument, "cis"));
  EXPECT_EQ(fingerprint(), before);
}

TEST_P(ImportTest, ReadsJsonWithTypedValuesAndItemNumbersAsLines) {
  json doc = {
      {"cis",
       {{{"type", "location"}, {"name", "上海张江数据中心"}, {"attributes", {{"code", "SH-ZJ"}}}},
        {{"type", "server"},
         {"name", "sh-app-01"},
         {"environment", "prod"},
         {"owner_team", "Infra"},
         {"attributes",
          {{"hostname", "sh-app-01"},
           {"ip", "10.3.0.1"},
           {"cpu_cores", 16},
           {"memory_gb", "64"},
           {"location", "上海张江数据中心"}}},
         {"relations", {{{"type", "connected_to"}, {"to", "server:sh-app-02"}}}}},
        {{"type", "server"}, {"name", "sh-app-02"}, {"attributes", {{"hostname", "sh-app-02"}}}},
        {{"type", "server"},
         {"name", "x"},
         {"attributes", {{"hostname", "x"}, {"cpu_cores", "many"}}}},
        {{"type", "server"}, {"name", "y"}, {"colour", "red"}},
        "not an object",
        {{"type", "server"},
         {"name", "z"},
         {"attributes", {{"hostname", "z"}, {"location", "北京亦庄数据中心"}}}}}}};
  ImportReport r = ok(doc.dump(), {}, ImportFormat::kJson);
  EXPECT_EQ(r.lines, 7);
  EXPECT_EQ(r.created, 3);
  std::vector<std::pair<int, std::string>> got;
  for (const RejectedLine& l : r.rejected) got.emplace_back(l.line, l.field);
  std::vector<std::pair<int, std::string>> want = {
      {4, "attributes.cpu_cores"}, {5, "colour"}, {6, "cis[5]"}, {7, "attributes.location"}};
  EXPECT_EQ(got, want);
  std::int64_t app = ci_id("server", "sh-app-01");
  json a = attrs_of(app);
  EXPECT_EQ(a["cpu_cores"], 16);
  EXPECT_EQ(a["memory_gb"], 64) << "a number in a string is taken as the number";
  EXPECT_EQ(a["location"], ci_id("location", "上海张江数据中心")) << "a reference by name";
  EXPECT_TRUE(related(app, "connected_to", ci_id("server", "sh-app-02")));
}

TEST_P(ImportTest, AReferenceToALaterLineIsRejectedWithAHint) {
  ImportReport r =
      ok("type,name,attributes.hostname,attributes.location,attributes.code\n"
         "server,sh-01,sh-01,机房A,\n"
         "location,机房A,,,ROOM-A\n");
  ASSERT_EQ(r.rejected.size(), 1u);
  EXPECT_EQ(r.rejected[0].line, 2);
  EXPECT_EQ(r.rejected[0].field, "attributes.location");
  EXPECT_NE(r.rejected[0].message.find("line 3"), std::string::npos) << r.rejected[0].message;
  EXPECT_EQ(r.created, 1);
}

TEST_P(ImportTest, ReportsProgressUpToTheTotal) {
  std::vector<std::pair<std::int64_t, std::int64_t>> calls;
  auto r =
      import_cmdb(db(), system_, clock_.now_ms(), kEstate, ImportFormat::kCsv, {},
                  [&](std::int64_t done, std::int64_t total) { calls.emplace_back(done, total); });
  ASSERT_TRUE(r.ok());
  ASSERT_FALSE(calls.empty());
  EXPECT_EQ(calls.back(), std::make_pair(std::int64_t{8}, std::int64_t{8}))
      << "4 CIs and 4 relations";
  for (std::size_t i = 1; i < calls.size(); ++i) {
    EXPECT_LE(calls[i - 1].first, calls[i].first);
  }
}

INSTANTIATE_TEST_SUITE_P(Backends, ImportTest, testing::kAllBackends, testing::backend_test_name);

}  // namespace
}  // namespace yunwei::cmdb
