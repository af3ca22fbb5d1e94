#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"

// CI type attribute schemas (issue #6): what attributes a type has, and checking a CI's values
// against them. Pure: no database; the caller says whether a referenced CI exists.
namespace yunwei::cmdb {

enum class AttrKind { kString, kText, kInteger, kDecimal, kBoolean, kDate, kEnum, kIp, kReference };
// A key of a type, an attribute or a relation type: [a-z][a-z0-9_]{0,39}.
bool valid_key(std::string_view k);

// "string", "text", "integer", "decimal", "boolean", "date", "enum", "ip", "reference".
const char* attr_kind_name(AttrKind k);
std::optional<AttrKind> parse_attr_kind(std::string_view name);

struct EnumOption {
  std::string value;  // stored
  std::string label, label_zh;
};

struct AttributeDef {
  std::string key;  // [a-z][a-z0-9_]{0,39}, unique in the type
  std::string name, name_zh;
  AttrKind kind = AttrKind::kString;
  bool required = false;
  bool unique = false;       // no two CIs of the type share a value
  std::string default_json;  // a value of the kind as JSON text; "" = none
  std::string help, help_zh;
  std::vector<EnumOption> options;  // enum: the allowed values, in display order
  std::string ref_type;             // reference: the key of the CI type referred to
};

// The JSON form used by the API and stored with the type:
//   [{"key": "hostname", "name": "Hostname", "name_zh": "主机名", "kind": "string",
//     "required": true, "unique": true, "default": null, "help": "...", "help_zh": "...",
//     "options": [{"value": "prod", "label": "Production", "label_zh": "生产"}],
//     "ref_type": "location"}]
// Errors are kInvalidArgument naming the element ("attributes[2].kind"). At most 100
// attributes; keys unique; enum needs 1-100 distinct options and a default among them;
// reference needs ref_type; a default must be a valid value of the kind; booleans and text
// cannot be unique.
core::Result<std::vector<AttributeDef>> parse_schema(std::string_view json_text);
std::string schema_json(const std::vector<AttributeDef>& schema);

// Says whether CI `id` exists and is of type `type` (kInvalidArgument naming `field` if not).
using RefCheck =
    std::function<core::Status(std::string_view field, std::int64_t id, std::string_view type)>;

// Checks a CI's attribute values (a JSON object) against the schema and returns them in stored
// form (JSON text, keys in schema order): strings trimmed, decimals as canonical text
// ("1234.50" -> "1234.5"), dates "YYYY-MM-DD", IP addresses in canonical form (IPv4/IPv6, with
// an optional /prefix), references as ids. Null or absent values are left out; with
// `fill_defaults` (creation) absent ones take the default. Errors are kInvalidArgument naming
// "attributes.<key>": unknown attribute, wrong type, not an option, missing required value.
core::Result<std::string> check_values(const std::vector<AttributeDef>& schema,
                                       std::string_view values_json, bool fill_defaults,
                                       const RefCheck& refs = {});

// The problems stored values have under a changed schema, one line each ("attributes.os:
// required"), without changing anything: what a schema change reports for each CI that no
// longer fits.
std::vector<std::string> misfits(const std::vector<AttributeDef>& schema,
                                 std::string_view stored_values_json);

// The CI types Yunwei ships (business service, application, database, middleware, server,
// virtual machine, container cluster, storage, network device, load balancer, IP subnet,
// location), created on first start.
struct ShippedType {
  std::string key, name, name_zh, description;
  std::vector<AttributeDef> attributes;
};
const std::vector<ShippedType>& shipped_types();

}  // namespace yunwei::cmdb
