// The CMDB bulk import through the real binary over real HTTP, on SQLite and (with
// YUNWEI_TEST_PG) PostgreSQL (issue #6 point 5): CSV with a BOM and Chinese names, rejected lines
// with their numbers and fields, strict and dry runs leaving nothing, the imported CIs in the
// list and their impact on the business service, and an export that re-imports unchanged.
#include "e2e/e2e_util.h"

namespace yunwei::testing {
namespace {

class CmdbImportE2eTest : public SharedServerTest {
 protected:
  HttpResponse import(const std::string& body, const std::string& content_type,
                      const std::string& query = "", const std::string& token = "") {
    HttpClient c(port_);
    return c.request(
        "POST", "/api/v1/cmdb/import" + query, body,
        {bearer(token.empty() ? admin_token_ : token), "Content-Type: " + content_type});
  }
  json import_ok(const std::string& body, const std::string& content_type = "text/csv",
                 const std::string& query = "") {
    HttpResponse r = import(body, content_type, query);
    EXPECT_EQ(r.status, 200) << r.body;
    return parse_body(r);
  }
  // The CIs of `type` whose hostname (or other attribute) is `value`.
  json find(const std::string& type, const std::string& attr, const std::string& value) {
    return get_json(port_, "/api/v1/cis?type=" + type + "&attr." + attr + "=" + url_encode(value),
                    admin_token_)["items"];
  }

  // A small estate with names unique to this test: a business service depending on an
  // application that runs on a VM hosted on a server, plus one line with a bad IP (line 6).
  std::string estate(const std::string& p) {
    return "\xEF\xBB\xBF"
           "type,name,environment,attributes.hostname,attributes.ip,relations.depends_on,"
           "relations.runs_on,relations.hosted_on\r\n"
           "business_service,网上银行-" +
           p + ",prod,,,application:核心账务-" + p + ",,\r\n" + "application,核心账务-" + p +
           ",prod,,,,virtual_machine:vm-" + p + ",\r\n" + "virtual_machine,vm-" + p + ",prod,vm-" +
           p + ",10.20.0.1,,,server:宿主机-" + p + "\r\n" + "server,宿主机-" + p + ",prod,esx-" +
           p + ",10.20.0.2,,,\r\n" + "server,坏的-" + p + ",prod,bad-" + p + ",10.20.0.999,,,\r\n";
  }
};

TEST_P(CmdbImportE2eTest, ImportsACsvWithABomAndChineseNamesAndTheServerImpactsTheService) {
  std::string p = unique_name("imp");
  std::string csv = estate(p);

  json dry = import_ok(csv, "text/csv; charset=utf-8", "?dry_run=true");
  EXPECT_EQ(dry["dry_run"], true);
  EXPECT_EQ(dry["applied"], false);
  EXPECT_EQ(dry["lines"], 5);
  EXPECT_EQ(dry["created"], 4);
  EXPECT_EQ(dry["relations_created"], 3);
  EXPECT_TRUE(find("server", "hostname", "esx-" + p).empty()) << "a dry run changes nothing";

  json r = import_ok(csv);
  EXPECT_EQ(r["dry_run"], false);
  EXPECT_EQ(r["applied"], true);
  EXPECT_EQ(r["created"], 4);
  EXPECT_EQ(r["relations_created"], 3);
  ASSERT_EQ(r["rejected"].size(), 1u) << r.dump();
  EXPECT_EQ(r["rejected"][0]["line"], 6);
  EXPECT_EQ(r["rejected"][0]["ci"], "server:坏的-" + p);
  EXPECT_EQ(r["rejected"][0]["field"], "attributes.ip");
  EXPECT_FALSE(r["rejected"][0]["message"].get<std::string>().empty());
  ASSERT_EQ(r["changes"].size(), 4u);
  EXPECT_EQ(r["changes"][0]["line"], 2);
  EXPECT_EQ(r["changes"][0]["action"], "create");
  EXPECT_EQ(r["changes"][0]["ci"], "business_service:网上银行-" + p);
  dry.erase("dry_run");
  dry.erase("applied");
  r.erase("dry_run");
  r.erase("applied");
  EXPECT_EQ(dry, r) << "the dry run reported what the real run did";

  json servers = find("server", "hostname", "esx-" + p);
  ASSERT_EQ(servers.size(), 1u);
  EXPECT_EQ(servers[0]["name"], "宿主机-" + p);
  EXPECT_EQ(servers[0]["environment"], "prod");
  EXPECT_EQ(servers[0]["attributes"]["ip"], "10.20.0.2");
  EXPECT_TRUE(find("server", "hostname", "bad-" + p).empty()) << "the rejected line is left out";
  json found = get_json(port_, "/api/v1/cis?type=business_service&q=" + url_encode("网上银行-" + p),
                        admin_token_)["items"];
  json services = json::array();
  for (const json& c : found) {
    if (c["name"] == "网上银行-" + p) services.push_back(c);
  }
  ASSERT_EQ(services.size(), 1u) << "the full-text index has the imported CIs: " << found.dump();
  std::int64_t service = services[0]["id"];
  json impact = get_json(
      port_, "/api/v1/cis/" + std::to_string(servers[0]["id"].get<std::int64_t>()) + "/impact",
      admin_token_);
  ASSERT_EQ(impact["business_services"].size(), 1u) << impact.dump();
  EXPECT_EQ(impact["business_services"][0]["id"], service);
  EXPECT_EQ(impact["business_services"][0]["name"], "网上银行-" + p);
  EXPECT_EQ(impact["business_services"][0]["depth"], 3) << "server <- vm <- application <- service";

  json history =
      get_json(port_, "/api/v1/cis/" + std::to_string(service) + "/history", admin_token_)["items"];
  std::set<std::string> actions;
  for (const json& h : history) actions.insert(h["action"].get<std::string>());
  EXPECT_EQ(actions, (std::set<std::string>{"ci.create", "ci.relate"}));

  // Again: nothing changes, nothing is recorded.
  json again = import_ok(csv);
  EXPECT_EQ(again["unchanged"], 4);
  EXPECT_EQ(again["created"], 0);
  EXPECT_EQ(again["updated"], 0);
  EXPECT_EQ(again["relations_existing"], 3);
  EXPECT_EQ(
      get_json(port_, "/api/v1/cis/" + std::to_string(service) + "/history", admin_token_)["items"]
          .size(),
      history.size());
}

TEST_P(CmdbImportE2eTest, StrictImportsNothingWhenALineIsRejectedAndUpdatesByKey) {
  std::string p = unique_name("strict");
  std::string csv =
      "type,name,attributes.hostname,attributes.os\n"
      "server,s1-" +
      p + ",h1-" + p + ",CentOS 7\n" + "mainframe,m-" + p + ",,\n";
  json r = import_ok(csv, "text/csv", "?strict=true");
  EXPECT_EQ(r["applied"], false);
  ASSERT_EQ(r["rejected"].size(), 1u);
  EXPECT_EQ(r["rejected"][0]["line"], 3);
  EXPECT_EQ(r["rejected"][0]["field"], "type");
  EXPECT_TRUE(find("server", "hostname", "h1-" + p).empty());

  r = import_ok(csv, "text/csv", "?strict=false");
  EXPECT_EQ(r["applied"], true);
  EXPECT_EQ(r["created"], 1);
  // Matched by hostname: the line renames the server and changes its OS.
  json upd = import_ok("type,name,attributes.hostname,attributes.os\nserver,s1-renamed-" + p +
                           ",h1-" + p + ",Kylin V10\n",
                       "text/csv", "?key=hostname");
  EXPECT_EQ(upd["updated"], 1);
  EXPECT_EQ(upd["changes"][0]["fields"], json({"name", "attributes.os"}));
  json servers = find("server", "hostname", "h1-" + p);
  ASSERT_EQ(servers.size(), 1u);
  EXPECT_EQ(servers[0]["name"], "s1-renamed-" + p);
  EXPECT_EQ(servers[0]["attributes"]["os"], "Kylin V10");
  EXPECT_EQ(servers[0]["version"], 2);
}

TEST_P(CmdbImportE2eTest, ImportsJson) {
  std::string p = unique_name("json");
  json doc = {{"cis",
               {{{"type", "database"},
                 {"name", "db-" + p},
                 {"attributes", {{"engine", "dameng"}, {"port", 5236}}},
                 {"relations", {{{"type", "runs_on"}, {"to", "virtual_machine:vm-" + p}}}}},
                {{"type", "virtual_machine"},
                 {"name", "vm-" + p},
                 {"attributes", {{"hostname", "vm-" + p}, {"platform", "kvm"}}}},
                {{"type", "virtual_machine"}, {"name", "no-hostname-" + p}}}}};
  json r = import_ok(doc.dump(), "application/json");
  EXPECT_EQ(r["created"], 2);
  EXPECT_EQ(r["relations_created"], 1);
  ASSERT_EQ(r["rejected"].size(), 1u);
  EXPECT_EQ(r["rejected"][0]["line"], 3);
  EXPECT_EQ(r["rejected"][0]["field"], "attributes.hostname");
  json dbs = find("database", "engine", "dameng");
  bool found = false;
  for (const json& d : dbs) {
    if (d["name"] != "db-" + p) continue;
    found = true;
    EXPECT_EQ(d["attributes"]["port"], 5236);
    json rel =
        get_json(port_, "/api/v1/cis/" + std::to_string(d["id"].get<std::int64_t>()) + "/relations",
                 admin_token_)["items"];
    ASSERT_EQ(rel.size(), 1u);
    EXPECT_EQ(rel[0]["type"], "runs_on");
    EXPECT_EQ(rel[0]["ci"]["name"], "vm-" + p);
  }
  EXPECT_TRUE(found);
}

TEST_P(CmdbImportE2eTest, RefusesBadFilesAndOtherMediaTypesAndLeavesNothing) {
  std::string p = unique_name("bad");
  std::string ok_line = "server,x-" + p + ",x-" + p + "\n";
  HttpResponse media = import("type,name\n", "text/plain");
  EXPECT_EQ(media.status, 415) << media.body;
  EXPECT_EQ(error_shape_problem(media), "");

  HttpResponse column = import("type,name,attributes.hostname,colour\n" + ok_line + "", "text/csv");
  EXPECT_EQ(column.status, 400) << column.body;
  EXPECT_EQ(error_field(column), "colour");

  HttpResponse quote =
      import("type,name,attributes.hostname\n" + ok_line + "server,\"open,y\n", "text/csv");
  EXPECT_EQ(quote.status, 400) << quote.body;
  EXPECT_EQ(error_field(quote), "body");
  EXPECT_NE(parse_body(quote)["error"]["message"].get<std::string>().find("line 3"),
            std::string::npos)
      << quote.body;

  HttpResponse utf8 =
      import("type,name,attributes.hostname\n" + ok_line + "server,\xff\xfe,z\n", "text/csv");
  EXPECT_EQ(utf8.status, 400) << utf8.body;
  EXPECT_EQ(error_field(utf8), "body");

  HttpResponse json_bad = import("{\"cis\": [", "application/json");
  EXPECT_EQ(json_bad.status, 400) << json_bad.body;
  EXPECT_EQ(error_field(json_bad), "body");

  HttpResponse empty = import("", "text/csv");
  EXPECT_EQ(empty.status, 400) << empty.body;
  HttpResponse flag = import("type,name\n", "text/csv", "?dry_run=maybe");
  EXPECT_EQ(flag.status, 400);
  EXPECT_EQ(error_field(flag), "dry_run");
  HttpResponse key = import("type,name\n", "text/csv", "?key=no_such_attribute");
  EXPECT_EQ(key.status, 400);
  EXPECT_EQ(error_field(key), "key");
  EXPECT_TRUE(find("server", "hostname", "x-" + p).empty()) << "fatal errors leave nothing";

  // Reading the CMDB is not enough to import into it.
  std::string auditor = unique_name("impaud");
  ASSERT_FALSE(create_user(port_, admin_token_, auditor, {"auditor"}).is_discarded());
  HttpResponse denied = import("type,name,attributes.hostname\n" + ok_line, "text/csv", "",
                               login_token(port_, auditor, kUserPassword));
  EXPECT_EQ(denied.status, 403) << denied.body;
  EXPECT_TRUE(find("server", "hostname", "x-" + p).empty());
}

TEST_P(CmdbImportE2eTest, AnExportReimportsUnchanged) {
  std::string p = unique_name("round");
  json r = import_ok(estate(p));
  ASSERT_EQ(r["created"], 4);
  std::vector<std::int64_t> ids;
  for (const char* type : {"business_service", "application", "virtual_machine", "server"}) {
    json items = get_json(port_, std::string("/api/v1/cis?type=") + type + "&q=" + url_encode(p),
                          admin_token_)["items"];
    for (const json& c : items) {
      std::string name = c["name"];
      if (name.size() > p.size() && name.compare(name.size() - p.size(), p.size(), p) == 0)
        ids.push_back(c["id"]);
    }
  }
  ASSERT_EQ(ids.size(), 4u);
  std::string list;
  for (std::int64_t id : ids) {
    if (!list.empty()) list += ',';
    list += std::to_string(id);
  }
  for (const char* format : {"csv", "json"}) {
    HttpClient c(port_);
    HttpResponse exported = c.request(
        "GET", std::string("/api/v1/cis/export?relations=true&format=") + format + "&ids=" + list,
        "", {bearer(admin_token_)});
    ASSERT_EQ(exported.status, 200) << exported.body;
    std::string type = std::string(format) == "csv" ? "text/csv" : "application/json";
    json again = import_ok(exported.body, type);
    EXPECT_EQ(again["lines"], 4) << format;
    EXPECT_EQ(again["unchanged"], 4) << format << ": " << again.dump();
    EXPECT_EQ(again["relations_existing"], 3) << format;
    EXPECT_TRUE(again["rejected"].empty()) << format << ": " << again.dump();
    EXPECT_TRUE(again["changes"].empty()) << format << ": " << again.dump();
  }
}

YUNWEI_INSTANTIATE_BACKENDS(CmdbImportE2eTest);

}  // namespace
}  // namespace yunwei::testing
