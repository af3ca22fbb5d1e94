#include "cmdb/schema.h"

#include <arpa/inet.h>

#include <charconv>
#include <chrono>
#include <nlohmann/json.hpp>
#include <set>

#include "core/text.h"

namespace yunwei::cmdb {

using nlohmann::json;

namespace {

constexpr const char* kKindNames[] = {"string", "text", "integer", "decimal",  "boolean",
                                      "date",   "enum", "ip",      "reference"};

std::string at(std::string_view base, std::size_t i) {
  return std::string(base) + "[" + std::to_string(i) + "]";
}

core::Result<std::string> text_field(const json& obj, const char* name, const std::string& field,
                                     std::size_t max_chars, bool required) {
  auto it = obj.find(name);
  if (it == obj.end() || it->is_null()) {
    if (required) return core::invalid(field + "." + name, "is required");
    return std::string();
  }
  if (!it->is_string()) return core::invalid(field + "." + name, "must be a string");
  std::string v = core::trim(it->get<std::string>());
  if (required && v.empty()) return core::invalid(field + "." + name, "must not be empty");
  YW_TRY(core::check_text(v, field + "." + name, max_chars, false));
  return v;
}

core::Result<bool> bool_field(const json& obj, const char* name, const std::string& field) {
  auto it = obj.find(name);
  if (it == obj.end() || it->is_null()) return false;
  if (!it->is_boolean()) return core::invalid(field + "." + name, "must be true or false");
  return it->get<bool>();
}

// "-12.50" -> "-12.5"; at most 15 digits before the point and 6 after.
std::optional<std::string> canonical_decimal(std::string_view s) {
  std::string out;
  std::size_t i = 0;
  if (i < s.size() && s[i] == '-') {
    out += '-';
    ++i;
  }
  std::size_t int_start = i;
  while (i < s.size() && s[i] >= '0' && s[i] <= '9') ++i;
  std::string_view whole = s.substr(int_start, i - int_start);
  std::string_view frac;
  if (i < s.size() && s[i] == '.') {
    std::size_t f = ++i;
    while (i < s.size() && s[i] >= '0' && s[i] <= '9') ++i;
    frac = s.substr(f, i - f);
    if (frac.empty()) return std::nullopt;
  }
  if (i != s.size() || whole.empty() || whole.size() > 15 || frac.size() > 6) return std::nullopt;
  while (whole.size() > 1 && whole[0] == '0') whole.remove_prefix(1);
  while (!frac.empty() && frac.back() == '0') frac.remove_suffix(1);
  out += whole;
  if (!frac.empty()) {
    out += '.';
    out += frac;
  }
  if (out == "-0") out = "0";
  return out;
}

std::optional<std::string> canonical_date(std::string_view s) {
  if (s.size() != 10 || s[4] != '-' || s[7] != '-') return std::nullopt;
  int y = 0, m = 0, d = 0;
  auto num = [&](std::size_t from, std::size_t n, int& v) {
    auto r = std::from_chars(s.data() + from, s.data() + from + n, v);
    return r.ec == std::errc() && r.ptr == s.data() + from + n;
  };
  if (!num(0, 4, y) || !num(5, 2, m) || !num(8, 2, d)) return std::nullopt;
  std::chrono::year_month_day ymd{std::chrono::year(y),
                                  std::chrono::month(static_cast<unsigned>(m)),
                                  std::chrono::day(static_cast<unsigned>(d))};
  if (!ymd.ok() || y < 1900 || y > 2999) return std::nullopt;
  return std::string(s);
}

// IPv4 or IPv6 in canonical form, with an optional "/prefix" (0-32 / 0-128).
std::optional<std::string> canonical_ip(std::string_view s) {
  std::string addr(s);
  std::optional<int> prefix;
  if (auto slash = addr.find('/'); slash != std::string::npos) {
    std::string_view p = std::string_view(addr).substr(slash + 1);
    int v = -1;
    auto r = std::from_chars(p.data(), p.data() + p.size(), v);
    if (p.empty() || r.ec != std::errc() || r.ptr != p.data() + p.size()) return std::nullopt;
    prefix = v;
    addr.resize(slash);
  }
  unsigned char buf[16];
  char out[INET6_ADDRSTRLEN];
  int family = addr.find(':') != std::string::npos ? AF_INET6 : AF_INET;
  if (inet_pton(family, addr.c_str(), buf) != 1) return std::nullopt;
  if (!inet_ntop(family, buf, out, sizeof out)) return std::nullopt;
  std::string result = out;
  if (prefix) {
    if (*prefix < 0 || *prefix > (family == AF_INET ? 32 : 128)) return std::nullopt;
    result += "/" + std::to_string(*prefix);
  }
  return result;
}

// One value of `def`'s kind in stored form, or an error naming `field`.
core::Result<json> check_value(const AttributeDef& def, const json& v, const std::string& field,
                               const RefCheck& refs) {
  switch (def.kind) {
    case AttrKind::kString:
    case AttrKind::kText: {
      if (!v.is_string()) return core::invalid(field, "must be a string");
      std::string s = core::trim(v.get<std::string>());
      bool single_line = def.kind == AttrKind::kString;
      YW_TRY(core::check_text(s, field, single_line ? 200 : 10'000, false,
                              single_line ? core::Controls::kNone : core::Controls::kAllowed));
      return json(s);
    }
    case AttrKind::kInteger:
      if (!v.is_number_integer()) return core::invalid(field, "must be a whole number");
      return v;
    case AttrKind::kDecimal: {
      std::string text;
      if (v.is_number_integer()) {
        text = std::to_string(v.get<std::int64_t>());
      } else if (v.is_number_float()) {
        text = v.dump();
      } else if (v.is_string()) {
        text = core::trim(v.get<std::string>());
      } else {
        return core::invalid(field, "must be a number");
      }
      auto c = canonical_decimal(text);
      if (!c) return core::invalid(field, "must be a number with at most 15 digits and 6 decimals");
      return json(*c);
    }
    case AttrKind::kBoolean:
      if (!v.is_boolean()) return core::invalid(field, "must be true or false");
      return v;
    case AttrKind::kDate: {
      auto c = v.is_string() ? canonical_date(core::trim(v.get<std::string>())) : std::nullopt;
      if (!c) return core::invalid(field, "must be a date YYYY-MM-DD");
      return json(*c);
    }
    case AttrKind::kEnum: {
      if (v.is_string()) {
        std::string s = v.get<std::string>();
        for (const EnumOption& o : def.options) {
          if (o.value == s) return json(s);
        }
      }
      std::string allowed;
      for (const EnumOption& o : def.options) allowed += (allowed.empty() ? "" : ", ") + o.value;
      return core::invalid(field, "must be one of " + allowed);
    }
    case AttrKind::kIp: {
      auto c = v.is_string() ? canonical_ip(core::trim(v.get<std::string>())) : std::nullopt;
      if (!c) return core::invalid(field, "must be an IPv4 or IPv6 address (optionally /prefix)");
      return json(*c);
    }
    case AttrKind::kReference: {
      if (!v.is_number_integer() || v.get<std::int64_t>() < 1)
        return core::invalid(field, "must be the id of a " + def.ref_type + " CI");
      if (refs) YW_TRY(refs(field, v.get<std::int64_t>(), def.ref_type));
      return v;
    }
  }
  return core::invalid(field, "unknown kind");
}

}  // namespace

bool valid_key(std::string_view k) {
  if (k.empty() || k.size() > 40 || k[0] < 'a' || k[0] > 'z') return false;
  for (char c : k) {
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_')) return false;
  }
  return true;
}

const char* attr_kind_name(AttrKind k) { return kKindNames[static_cast<int>(k)]; }

std::optional<AttrKind> parse_attr_kind(std::string_view name) {
  for (int i = 0; i < 9; ++i) {
    if (name == kKindNames[i]) return static_cast<AttrKind>(i);
  }
  return std::nullopt;
}

core::Result<std::vector<AttributeDef>> parse_schema(std::string_view json_text) {
  json doc = json::parse(json_text, nullptr, false);
  if (!doc.is_array() || doc.size() > 100)
    return core::invalid("attributes", "must be a list of up to 100 attribute definitions");
  std::vector<AttributeDef> out;
  std::set<std::string> keys;
  static const std::set<std::string> kKnown = {"key",      "name",    "name_zh", "kind",
                                               "required", "unique",  "default", "help",
                                               "help_zh",  "options", "ref_type"};
  for (std::size_t i = 0; i < doc.size(); ++i) {
    const json& a = doc[i];
    std::string f = at("attributes", i);
    if (!a.is_object()) return core::invalid(f, "must be an object");
    for (const auto& [k, v] : a.items()) {
      if (!kKnown.count(k)) return core::invalid(f + "." + k, "is not a field of an attribute");
    }
    AttributeDef d;
    YW_ASSIGN(d.key, text_field(a, "key", f, 40, true));
    if (!valid_key(d.key))
      return core::invalid(f + ".key", "must be a-z, 0-9 and _, starting with a letter, ≤ 40");
    if (!keys.insert(d.key).second) return core::invalid(f + ".key", "is used twice");
    YW_ASSIGN(d.name, text_field(a, "name", f, 100, true));
    YW_ASSIGN(d.name_zh, text_field(a, "name_zh", f, 100, false));
    YW_ASSIGN(std::string kind, text_field(a, "kind", f, 20, true));
    auto k = parse_attr_kind(kind);
    if (!k) {
      return core::invalid(
          f + ".kind",
          "must be string, text, integer, decimal, boolean, date, enum, ip or reference");
    }
    d.kind = *k;
    YW_ASSIGN(d.required, bool_field(a, "required", f));
    YW_ASSIGN(d.unique, bool_field(a, "unique", f));
    if (d.unique && (d.kind == AttrKind::kBoolean || d.kind == AttrKind::kText))
      return core::invalid(f + ".unique", "a " + kind + " attribute cannot be unique");
    YW_ASSIGN(d.help, text_field(a, "help", f, 500, false));
    YW_ASSIGN(d.help_zh, text_field(a, "help_zh", f, 500, false));
    auto opts = a.find("options");
    if (d.kind == AttrKind::kEnum) {
      if (opts == a.end() || !opts->is_array() || opts->empty() || opts->size() > 100)
        return core::invalid(f + ".options", "an enum needs 1 to 100 options");
      std::set<std::string> values;
      for (std::size_t k2 = 0; k2 < opts->size(); ++k2) {
        const json& o = (*opts)[k2];
        std::string of = at(f + ".options", k2);
        if (!o.is_object()) return core::invalid(of, R"(must be {"value", "label", "label_zh"})");
        EnumOption eo;
        YW_ASSIGN(eo.value, text_field(o, "value", of, 60, true));
        YW_ASSIGN(eo.label, text_field(o, "label", of, 100, false));
        YW_ASSIGN(eo.label_zh, text_field(o, "label_zh", of, 100, false));
        if (eo.label.empty()) eo.label = eo.value;
        if (!values.insert(eo.value).second) return core::invalid(of + ".value", "is used twice");
        d.options.push_back(std::move(eo));
      }
    } else if (opts != a.end() && !opts->is_null() && !(opts->is_array() && opts->empty())) {
      return core::invalid(f + ".options", "only an enum has options");
    }
    auto ref = a.find("ref_type");
    if (d.kind == AttrKind::kReference) {
      YW_ASSIGN(d.ref_type, text_field(a, "ref_type", f, 40, true));
      if (!valid_key(d.ref_type)) return core::invalid(f + ".ref_type", "must be a CI type key");
    } else if (ref != a.end() && !ref->is_null() && *ref != "") {
      return core::invalid(f + ".ref_type", "only a reference has ref_type");
    }
    auto def = a.find("default");
    if (def != a.end() && !def->is_null()) {
      if (d.kind == AttrKind::kReference)
        return core::invalid(f + ".default", "a reference has no default");
      if (d.unique) return core::invalid(f + ".default", "a unique attribute has no default");
      YW_ASSIGN(json v, check_value(d, *def, f + ".default", {}));
      d.default_json = v.dump();
    }
    out.push_back(std::move(d));
  }
  return out;
}

std::string schema_json(const std::vector<AttributeDef>& schema) {
  json out = json::array();
  for (const AttributeDef& d : schema) {
    json a = {{"key", d.key},           {"name", d.name},
              {"name_zh", d.name_zh},   {"kind", attr_kind_name(d.kind)},
              {"required", d.required}, {"unique", d.unique},
              {"help", d.help},         {"help_zh", d.help_zh}};
    a["default"] = d.default_json.empty() ? json(nullptr) : json::parse(d.default_json);
    if (d.kind == AttrKind::kEnum) {
      json opts = json::array();
      for (const EnumOption& o : d.options)
        opts.push_back({{"value", o.value}, {"label", o.label}, {"label_zh", o.label_zh}});
      a["options"] = std::move(opts);
    }
    if (d.kind == AttrKind::kReference) a["ref_type"] = d.ref_type;
    out.push_back(std::move(a));
  }
  return out.dump();
}

core::Result<std::string> check_values(const std::vector<AttributeDef>& schema,
                                       std::string_view values_json, bool fill_defaults,
                                       const RefCheck& refs) {
  json in = values_json.empty() ? json::object() : json::parse(values_json, nullptr, false);
  if (!in.is_object()) return core::invalid("attributes", "must be an object");
  for (const auto& [k, v] : in.items()) {
    bool known = false;
    for (const AttributeDef& d : schema) known = known || d.key == k;
    if (!known) return core::invalid("attributes." + k, "is not an attribute of this type");
  }
  nlohmann::ordered_json out = nlohmann::ordered_json::object();  // in schema order
  for (const AttributeDef& d : schema) {
    std::string field = "attributes." + d.key;
    auto it = in.find(d.key);
    bool absent = it == in.end() || it->is_null() ||
                  (it->is_string() && core::trim(it->get<std::string>()).empty());
    if (absent) {
      if (fill_defaults && !d.default_json.empty()) {
        out[d.key] = json::parse(d.default_json);
      } else if (d.required) {
        return core::invalid(field, "is required");
      }
      continue;
    }
    YW_ASSIGN(json v, check_value(d, *it, field, refs));
    out[d.key] = std::move(v);
  }
  return out.dump();
}

std::vector<std::string> misfits(const std::vector<AttributeDef>& schema,
                                 std::string_view stored_values_json) {
  std::vector<std::string> out;
  json in = json::parse(stored_values_json, nullptr, false);
  if (!in.is_object()) {
    out.push_back("attributes: not an object");
    return out;
  }
  for (const auto& [k, v] : in.items()) {
    bool known = false;
    for (const AttributeDef& d : schema) known = known || d.key == k;
    if (!known) out.push_back("attributes." + k + ": no longer an attribute of this type");
  }
  for (const AttributeDef& d : schema) {
    std::string field = "attributes." + d.key;
    auto it = in.find(d.key);
    if (it == in.end() || it->is_null()) {
      if (d.required) out.push_back(field + ": is required");
      continue;
    }
    auto checked = check_value(d, *it, field, {});
    if (!checked.ok()) out.push_back(field + ": " + checked.error().message);
  }
  return out;
}

}  // namespace yunwei::cmdb
