#include "cmdb/schema.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <set>

namespace yunwei::cmdb {
namespace {

using nlohmann::json;

std::vector<AttributeDef> schema(const json& j) {
  auto s = parse_schema(j.dump());
  EXPECT_TRUE(s.ok()) << (s.ok() ? "" : s.error().field + ": " + s.error().message);
  return s.ok() ? *s : std::vector<AttributeDef>{};
}

// The field a failed result names.
template <class T>
std::string field_of(const core::Result<T>& r) {
  return r.ok() ? "(ok)" : r.error().field;
}

const json kServer = json::array({
    {{"key", "hostname"},
     {"name", "Hostname"},
     {"name_zh", "主机名"},
     {"kind", "string"},
     {"required", true},
     {"unique", true}},
    {{"key", "ip"}, {"name", "IP"}, {"kind", "ip"}},
    {{"key", "cpu_cores"}, {"name", "CPU"}, {"kind", "integer"}},
    {{"key", "purchase_cost"}, {"name", "Cost"}, {"kind", "decimal"}},
    {{"key", "virtualised"}, {"name", "Virtualised"}, {"kind", "boolean"}},
    {{"key", "contract_end"}, {"name", "Contract end"}, {"kind", "date"}},
    {{"key", "env"},
     {"name", "Environment"},
     {"kind", "enum"},
     {"options",
      {{{"value", "prod"}, {"label", "Production"}, {"label_zh", "生产"}},
       {{"value", "test"}, {"label", "Test"}, {"label_zh", "测试"}}}},
     {"default", "prod"}},
    {{"key", "location"}, {"name", "Location"}, {"kind", "reference"}, {"ref_type", "location"}},
    {{"key", "notes"}, {"name", "Notes"}, {"kind", "text"}},
});

TEST(CmdbSchema, ParsesEveryKindAndRoundTrips) {
  std::vector<AttributeDef> s = schema(kServer);
  ASSERT_EQ(s.size(), 9u);
  EXPECT_EQ(s[0].name_zh, "主机名");
  EXPECT_TRUE(s[0].required && s[0].unique);
  EXPECT_EQ(s[6].kind, AttrKind::kEnum);
  EXPECT_EQ(s[6].options[0].label_zh, "生产");
  EXPECT_EQ(s[6].default_json, "\"prod\"");
  EXPECT_EQ(s[7].ref_type, "location");
  std::vector<AttributeDef> again = schema(json::parse(schema_json(s)));
  EXPECT_EQ(schema_json(again), schema_json(s));
}

TEST(CmdbSchema, RefusesBadDefinitionsNamingTheElement) {
  auto bad = [](json attrs) { return field_of(parse_schema(attrs.dump())); };
  EXPECT_EQ(bad(json::object()), "attributes");
  EXPECT_EQ(bad({{{"key", "Host"}, {"name", "H"}, {"kind", "string"}}}), "attributes[0].key");
  EXPECT_EQ(bad({{{"key", "a"}, {"name", "A"}, {"kind", "string"}},
                 {{"key", "a"}, {"name", "B"}, {"kind", "string"}}}),
            "attributes[1].key");
  EXPECT_EQ(bad({{{"key", "a"}, {"name", "A"}, {"kind", "float"}}}), "attributes[0].kind");
  EXPECT_EQ(bad({{{"key", "a"}, {"kind", "string"}}}), "attributes[0].name");
  EXPECT_EQ(bad({{{"key", "a"}, {"name", "A"}, {"kind", "enum"}}}), "attributes[0].options");
  EXPECT_EQ(bad({{{"key", "a"},
                  {"name", "A"},
                  {"kind", "enum"},
                  {"options", {{{"value", "x"}}, {{"value", "x"}}}}}}),
            "attributes[0].options[1].value");
  EXPECT_EQ(bad({{{"key", "a"},
                  {"name", "A"},
                  {"kind", "enum"},
                  {"options", {{{"value", "x"}}}},
                  {"default", "y"}}}),
            "attributes[0].default");
  EXPECT_EQ(bad({{{"key", "a"}, {"name", "A"}, {"kind", "reference"}}}), "attributes[0].ref_type");
  EXPECT_EQ(bad({{{"key", "a"}, {"name", "A"}, {"kind", "boolean"}, {"unique", true}}}),
            "attributes[0].unique");
  EXPECT_EQ(bad({{{"key", "a"}, {"name", "A"}, {"kind", "integer"}, {"default", "7"}}}),
            "attributes[0].default");
  EXPECT_EQ(bad({{{"key", "a"}, {"name", "A"}, {"kind", "string"}, {"colour", "red"}}}),
            "attributes[0].colour");
  EXPECT_EQ(
      bad({{{"key", "a"}, {"name", "A"}, {"kind", "string"}, {"options", {{{"value", "x"}}}}}}),
      "attributes[0].options");
}

TEST(CmdbSchema, ChecksAndNormalisesValues) {
  std::vector<AttributeDef> s = schema(kServer);
  std::vector<std::int64_t> looked_up;
  RefCheck refs = [&](std::string_view field, std::int64_t id, std::string_view type) {
    looked_up.push_back(id);
    if (id == 404) return core::Status(core::invalid(std::string(field), "no such CI"));
    EXPECT_EQ(type, "location");
    return core::Status();
  };
  auto out = check_values(s,
                          json{{"hostname", "  sh-web-01 "},
                               {"ip", "10.010.0.1"},
                               {"cpu_cores", 16},
                               {"purchase_cost", "088000.50"},
                               {"virtualised", false},
                               {"contract_end", "2027-03-31"},
                               {"location", 7},
                               {"notes", "机房 A\n第 3 排"}}
                              .dump(),
                          true, refs);
  // inet_pton refuses leading zeros in IPv4: a typo, not an octal address.
  EXPECT_EQ(field_of(out), "attributes.ip");
  out = check_values(s,
                     json{{"hostname", "  sh-web-01 "},
                          {"ip", "2001:DB8:0:0::1/64"},
                          {"cpu_cores", 16},
                          {"purchase_cost", "088000.50"},
                          {"virtualised", false},
                          {"contract_end", "2027-03-31"},
                          {"location", 7},
                          {"notes", "机房 A\n第 3 排"}}
                         .dump(),
                     true, refs);
  ASSERT_TRUE(out.ok()) << out.error().field << ": " << out.error().message;
  json v = json::parse(*out);
  EXPECT_EQ(v["hostname"], "sh-web-01");
  EXPECT_EQ(v["ip"], "2001:db8::1/64");
  EXPECT_EQ(v["purchase_cost"], "88000.5");
  EXPECT_EQ(v["env"], "prod") << "the default, on creation";
  EXPECT_EQ(v["location"], 7);
  EXPECT_EQ(looked_up, (std::vector<std::int64_t>{7}));
  // Keys come out in schema order.
  std::vector<std::string> keys;
  nlohmann::ordered_json ordered = nlohmann::ordered_json::parse(*out);
  for (const auto& [k, x] : ordered.items()) keys.push_back(k);
  EXPECT_EQ(keys,
            (std::vector<std::string>{"hostname", "ip", "cpu_cores", "purchase_cost", "virtualised",
                                      "contract_end", "env", "location", "notes"}));

  // Without defaults (an update) an absent value stays absent.
  auto patch = check_values(s, json{{"hostname", "a"}}.dump(), false, refs);
  ASSERT_TRUE(patch.ok());
  EXPECT_FALSE(json::parse(*patch).contains("env"));
}

TEST(CmdbSchema, RefusesBadValuesNamingTheAttribute) {
  std::vector<AttributeDef> s = schema(kServer);
  RefCheck refs = [](std::string_view field, std::int64_t id, std::string_view) {
    if (id == 404) return core::Status(core::invalid(std::string(field), "no such CI"));
    return core::Status();
  };
  auto bad = [&](json values) {
    json base = {{"hostname", "sh-web-01"}};
    base.update(values);
    return field_of(check_values(s, base.dump(), true, refs));
  };
  EXPECT_EQ(field_of(check_values(s, "[]", true)), "attributes");
  EXPECT_EQ(field_of(check_values(s, json{{"ip", "10.0.0.1"}}.dump(), true)), "attributes.hostname")
      << "required";
  EXPECT_EQ(bad({{"hostname", "   "}}), "attributes.hostname") << "blank is absent";
  EXPECT_EQ(bad({{"colour", "red"}}), "attributes.colour");
  EXPECT_EQ(bad({{"ip", "10.0.0.256"}}), "attributes.ip");
  EXPECT_EQ(bad({{"ip", "10.0.0.1/33"}}), "attributes.ip");
  EXPECT_EQ(bad({{"cpu_cores", "16"}}), "attributes.cpu_cores");
  EXPECT_EQ(bad({{"cpu_cores", 1.5}}), "attributes.cpu_cores");
  EXPECT_EQ(bad({{"purchase_cost", "1e5"}}), "attributes.purchase_cost");
  EXPECT_EQ(bad({{"purchase_cost", "1.1234567"}}), "attributes.purchase_cost");
  EXPECT_EQ(bad({{"virtualised", "yes"}}), "attributes.virtualised");
  EXPECT_EQ(bad({{"contract_end", "2027-02-30"}}), "attributes.contract_end");
  EXPECT_EQ(bad({{"contract_end", "2027/03/31"}}), "attributes.contract_end");
  EXPECT_EQ(bad({{"env", "staging"}}), "attributes.env");
  EXPECT_EQ(bad({{"location", 404}}), "attributes.location");
  EXPECT_EQ(bad({{"location", "7"}}), "attributes.location");
  EXPECT_EQ(bad({{"hostname", std::string(201, 'x')}}), "attributes.hostname");
  EXPECT_EQ(bad({{"hostname", "two\nlines"}}), "attributes.hostname");
}

TEST(CmdbSchema, ReportsWhatStoredValuesNoLongerFit) {
  std::vector<AttributeDef> s = schema(kServer);
  std::string stored =
      check_values(s, json{{"hostname", "db-01"}, {"env", "test"}}.dump(), true).value();
  EXPECT_TRUE(misfits(s, stored).empty());
  // The schema changes: env loses "test", a new required attribute, hostname removed.
  json changed = kServer;
  changed.erase(0);
  changed[5]["options"] = {{{"value", "prod"}}};
  changed.push_back({{"key", "owner"}, {"name", "Owner"}, {"kind", "string"}, {"required", true}});
  std::vector<std::string> m = misfits(schema(changed), stored);
  EXPECT_EQ(m, (std::vector<std::string>{"attributes.hostname: no longer an attribute of this type",
                                         "attributes.env: must be one of prod",
                                         "attributes.owner: is required"}));
}

TEST(CmdbSchema, ShipsTheTwelveTypesWithValidSchemas) {
  std::set<std::string> keys;
  for (const ShippedType& t : shipped_types()) {
    keys.insert(t.key);
    EXPECT_FALSE(t.name_zh.empty()) << t.key;
    // Each shipped schema survives its own parser (names, kinds, options, defaults).
    auto again = parse_schema(schema_json(t.attributes));
    ASSERT_TRUE(again.ok()) << t.key << ": " << again.error().field << " " << again.error().message;
    EXPECT_EQ(again->size(), t.attributes.size());
    for (const AttributeDef& d : t.attributes) {
      EXPECT_FALSE(d.name_zh.empty()) << t.key << "." << d.key;
      if (d.kind == AttrKind::kReference) {
        EXPECT_EQ(d.ref_type, "location") << t.key << "." << d.key;
      }
    }
  }
  EXPECT_EQ(keys,
            (std::set<std::string>{"business_service", "application", "database", "middleware",
                                   "server", "virtual_machine", "container_cluster", "storage",
                                   "network_device", "load_balancer", "ip_subnet", "location"}));
}

}  // namespace
}  // namespace yunwei::cmdb
