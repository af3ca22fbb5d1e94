#include <gtest/gtest.h>

#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <string>
#include <vector>

#include "api/api.h"

namespace yunwei::api {
namespace {

using nlohmann::json;

// The keys of an OpenAPI path item that name operations (the others are shared fields).
const std::set<std::string>& http_methods() {
  static const std::set<std::string> kMethods = {"get",   "put",     "post", "delete",
                                                 "patch", "options", "head", "trace"};
  return kMethods;
}

std::string upper(std::string s) {
  for (char& c : s) {
    if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
  }
  return s;
}

std::string access_rule(const RouteSpec& r) {
  return r.is_public ? std::string("public") : std::string(permission_name(r.permission));
}

std::string join(const std::vector<std::string>& items) {
  std::string out;
  for (const std::string& s : items) out += "\n  " + s;
  return out;
}

// The served document, parsed once; a discarded value when it is not JSON.
const json& doc() {
  static const json kDoc = json::parse(Api::openapi_json(), nullptr, false);
  return kDoc;
}

struct Operation {
  std::string method;  // upper case, as the router spells it
  std::string path;
  const json* op;
  const json* path_item;
  std::string key() const { return method + " " + path; }
};

std::vector<Operation> operations() {
  std::vector<Operation> out;
  if (doc().is_discarded() || !doc().contains("paths") || !doc()["paths"].is_object()) return out;
  for (const auto& [path, item] : doc()["paths"].items()) {
    if (!item.is_object()) continue;
    for (const auto& [method, op] : item.items()) {
      if (http_methods().count(method) == 0) continue;
      out.push_back(Operation{upper(method), path, &op, &item});
    }
  }
  return out;
}

std::map<std::string, RouteSpec> routes_by_key() {
  std::map<std::string, RouteSpec> out;
  for (const RouteSpec& r : Api::route_specs()) out.emplace(r.method + " " + r.pattern, r);
  return out;
}

// Follows a local "$ref" (one level is all the document uses for parameters).
const json& deref(const json& j) {
  if (j.is_object() && j.contains("$ref") && j["$ref"].is_string()) {
    std::string ref = j["$ref"].get<std::string>();
    if (ref.rfind("#/", 0) == 0) {
      json::json_pointer ptr(ref.substr(1));
      if (doc().contains(ptr)) return doc().at(ptr);
    }
  }
  return j;
}

bool has_response(const json& op, const std::string& status) {
  return op.contains("responses") && op["responses"].is_object() &&
         op["responses"].contains(status);
}

void collect_refs(const json& j, std::vector<std::string>& out) {
  if (j.is_object()) {
    for (const auto& [key, value] : j.items()) {
      if (key == "$ref" && value.is_string()) out.push_back(value.get<std::string>());
      collect_refs(value, out);
    }
  } else if (j.is_array()) {
    for (const json& e : j) collect_refs(e, out);
  }
}

TEST(OpenApi, DocumentIsOpenApi303Json) {
  ASSERT_FALSE(doc().is_discarded()) << "Api::openapi_json() is not valid JSON";
  ASSERT_TRUE(doc().is_object());
  EXPECT_EQ(doc().value("openapi", ""), "3.0.3");
  EXPECT_TRUE(doc().contains("info"));
  ASSERT_TRUE(doc().contains("paths"));
  EXPECT_TRUE(doc()["paths"].is_object());
}

TEST(OpenApi, DescribesEveryRoute) {
  std::set<std::string> described;
  for (const Operation& o : operations()) described.insert(o.key());
  std::vector<std::string> missing;
  for (const RouteSpec& r : Api::route_specs()) {
    std::string key = r.method + " " + r.pattern;
    if (described.count(key) == 0) missing.push_back(key);
  }
  EXPECT_TRUE(missing.empty()) << "routes with no operation in src/api/openapi.json:"
                               << join(missing);
}

TEST(OpenApi, DescribesNoOperationTheRouterLacks) {
  auto routes = routes_by_key();
  std::vector<std::string> stale;
  for (const Operation& o : operations()) {
    if (routes.count(o.key()) == 0) stale.push_back(o.key());
  }
  EXPECT_TRUE(stale.empty()) << "operations in src/api/openapi.json that no route serves:"
                             << join(stale);
}

TEST(OpenApi, GivesEachOperationItsRoutesAccessRule) {
  auto routes = routes_by_key();
  std::vector<std::string> wrong;
  for (const Operation& o : operations()) {
    auto it = routes.find(o.key());
    if (it == routes.end()) continue;
    std::string want = access_rule(it->second);
    const json& got = o.op->contains("x-yunwei-access") ? (*o.op)["x-yunwei-access"] : json();
    if (!got.is_string() || got.get<std::string>() != want) {
      wrong.push_back(o.key() + ": x-yunwei-access is " + got.dump() + ", the route says \"" +
                      want + "\"");
    }
  }
  EXPECT_TRUE(wrong.empty()) << "operations whose x-yunwei-access differs from the route:"
                             << join(wrong);
}

TEST(OpenApi, MarksPublicOperationsWithoutSecurityAndOthersWithIt) {
  auto routes = routes_by_key();
  std::vector<std::string> wrong;
  for (const Operation& o : operations()) {
    auto it = routes.find(o.key());
    if (it == routes.end()) continue;
    const json& security = o.op->contains("security")   ? (*o.op)["security"]
                           : doc().contains("security") ? doc()["security"]
                                                        : json::array();
    bool open = security.is_array() && security.empty();
    if (it->second.is_public && !open) wrong.push_back(o.key() + " is public: needs security []");
    if (!it->second.is_public && (open || !security.is_array())) {
      wrong.push_back(o.key() + " needs authentication: list bearerAuth and cookieAuth");
    }
  }
  EXPECT_TRUE(wrong.empty()) << join(wrong);
}

TEST(OpenApi, ListsUnauthorizedAndForbiddenForEveryProtectedOperation) {
  auto routes = routes_by_key();
  std::vector<std::string> missing;
  for (const Operation& o : operations()) {
    auto it = routes.find(o.key());
    if (it == routes.end() || it->second.is_public) continue;
    for (const char* status : {"401", "403"}) {
      if (!has_response(*o.op, status)) missing.push_back(o.key() + " lacks " + status);
    }
  }
  EXPECT_TRUE(missing.empty()) << "protected operations must list 401 and 403:" << join(missing);
}

TEST(OpenApi, ListsBadRequestForEveryOperationWithABody) {
  std::vector<std::string> missing;
  for (const Operation& o : operations()) {
    if (o.op->contains("requestBody") && !has_response(*o.op, "400")) {
      missing.push_back(o.key() + " takes a body but lacks 400");
    }
  }
  EXPECT_TRUE(missing.empty()) << join(missing);
}

TEST(OpenApi, GivesEveryOperationAUniqueIdSummaryAndSuccessResponse) {
  std::map<std::string, std::string> seen;
  std::vector<std::string> wrong;
  for (const Operation& o : operations()) {
    const json& op = *o.op;
    if (!op.contains("operationId") || !op["operationId"].is_string()) {
      wrong.push_back(o.key() + " has no operationId");
    } else {
      std::string id = op["operationId"].get<std::string>();
      auto [it, fresh] = seen.emplace(id, o.key());
      if (!fresh) wrong.push_back(o.key() + " reuses operationId " + id + " of " + it->second);
    }
    if (!op.contains("summary") || !op["summary"].is_string()) {
      wrong.push_back(o.key() + " has no summary");
    }
    bool success = false;
    if (op.contains("responses") && op["responses"].is_object()) {
      for (const auto& [status, response] : op["responses"].items()) {
        success = success || (!status.empty() && status[0] == '2');
      }
    }
    if (!success) wrong.push_back(o.key() + " lists no 2xx response");
  }
  EXPECT_TRUE(wrong.empty()) << join(wrong);
}

TEST(OpenApi, DeclaresEveryPathParameter) {
  std::vector<std::string> missing;
  for (const Operation& o : operations()) {
    std::set<std::string> declared;
    for (const json* holder : {o.path_item, o.op}) {
      if (!holder->contains("parameters")) continue;
      for (const json& p : (*holder)["parameters"]) {
        const json& param = deref(p);
        if (param.value("in", "") == "path") declared.insert(param.value("name", ""));
      }
    }
    for (size_t open = o.path.find('{'); open != std::string::npos;
         open = o.path.find('{', open + 1)) {
      size_t close = o.path.find('}', open);
      if (close == std::string::npos) break;
      std::string name = o.path.substr(open + 1, close - open - 1);
      if (declared.count(name) == 0) {
        missing.push_back(o.key() + " does not declare {" + name + "}");
      }
    }
  }
  EXPECT_TRUE(missing.empty()) << join(missing);
}

TEST(OpenApi, ResolvesEveryReference) {
  ASSERT_FALSE(doc().is_discarded());
  std::vector<std::string> refs;
  collect_refs(doc(), refs);
  EXPECT_FALSE(refs.empty());
  std::vector<std::string> broken;
  for (const std::string& ref : refs) {
    if (ref.rfind("#/", 0) != 0 || !doc().contains(json::json_pointer(ref.substr(1)))) {
      broken.push_back(ref);
    }
  }
  EXPECT_TRUE(broken.empty()) << "unresolved $ref:" << join(broken);
}

}  // namespace
}  // namespace yunwei::api
