#include "api/body.h"

#include <charconv>
#include <nlohmann/json.hpp>

#include "core/clock.h"
#include "core/text.h"

namespace yunwei::api {

using nlohmann::json;

Body::Body() : j_(std::make_unique<json>(json::object())) {}
Body::~Body() = default;
Body::Body(Body&&) noexcept = default;
Body& Body::operator=(Body&&) noexcept = default;

namespace {

core::Error type_error(std::string_view name, std::string_view want) {
  return core::invalid(std::string(name), "must be " + std::string(want));
}

bool is_json_content_type(std::string_view ct) {
  std::string lower = core::ascii_lower(ct.substr(0, ct.find(';')));
  return core::trim(lower) == "application/json";
}

// Number of positions of an error inside a JSON text, as "line L column C".
std::string parse_position(const std::string& body, std::size_t byte) {
  int line = 1, col = 1;
  for (std::size_t i = 0; i < byte && i < body.size(); ++i) {
    if (body[i] == '\n') {
      ++line;
      col = 1;
    } else {
      ++col;
    }
  }
  return "line " + std::to_string(line) + " column " + std::to_string(col);
}

}  // namespace

core::Result<Body> Body::parse(const http::Request& req,
                               std::initializer_list<std::string_view> allowed, bool allow_empty) {
  Body b;
  if (req.body.empty() || core::trim(req.body).empty()) {
    if (allow_empty) return b;
    return core::invalid("body", "a JSON object body is required");
  }
  auto ct = req.header("content-type");
  if (!ct || !is_json_content_type(*ct)) {
    return core::Error{core::ErrorCode::kUnsupportedMedia, "send the body as application/json",
                       "content-type"};
  }
  if (!core::valid_utf8(req.body)) return core::invalid("body", "body is not valid UTF-8");
  try {
    *b.j_ = json::parse(req.body);
  } catch (const json::parse_error& e) {
    return core::invalid(
        "body", "malformed JSON at " + parse_position(req.body, e.byte > 0 ? e.byte - 1 : 0));
  } catch (const json::exception&) {  // e.g. out_of_range for a number like 1e400
    return core::invalid("body", "malformed JSON: a number is out of range");
  }
  if (!b.j_->is_object()) return core::invalid("body", "the body must be a JSON object");
  for (const auto& [key, value] : b.j_->items()) {
    bool known = false;
    for (std::string_view a : allowed) known = known || key == a;
    if (!known) return core::invalid(key, "unknown field");
  }
  return b;
}

std::string Body::field(std::string_view name) const {
  std::string f = prefix_;
  f += name;
  return f;
}

core::Result<std::optional<Body>> Body::opt_object(
    std::string_view name, const std::vector<std::string_view>& allowed) const {
  using R = std::optional<Body>;
  auto it = j_->find(name);
  if (it == j_->end()) return R{};
  if (!it->is_object()) return type_error(field(name), "an object");
  Body b;
  *b.j_ = *it;
  b.prefix_ = field(name) + ".";
  for (const auto& [key, value] : b.j_->items()) {
    bool known = false;
    for (std::string_view a : allowed) known = known || key == a;
    if (!known) return core::invalid(b.field(key), "unknown field");
  }
  return R{std::move(b)};
}

core::Result<std::optional<std::string>> Body::opt_json_text(std::string_view name) const {
  auto it = j_->find(name);
  if (it == j_->end()) return std::optional<std::string>{};
  return std::optional<std::string>{it->dump()};
}

bool Body::has(std::string_view name) const { return j_->contains(name); }

core::Result<std::string> Body::string(std::string_view name, size_t max_chars) const {
  auto v = opt_string(name, max_chars, false);
  if (!v.ok()) return std::move(v).error();
  if (!*v) return core::invalid(field(name), "is required");
  return std::move(**v);
}

core::Result<std::optional<std::string>> Body::opt_string(std::string_view name, size_t max_chars,
                                                          bool null_as_empty) const {
  auto it = j_->find(name);
  if (it == j_->end()) return std::optional<std::string>{};
  if (it->is_null()) {
    if (null_as_empty) return std::optional<std::string>{std::string()};
    return core::invalid(field(name), "is required");
  }
  if (!it->is_string()) return type_error(field(name), "a string");
  const std::string& s = it->get_ref<const std::string&>();
  if (core::utf8_length(s) > max_chars) {
    return core::invalid(field(name),
                         "must be at most " + std::to_string(max_chars) + " characters");
  }
  return std::optional<std::string>{s};
}

core::Result<std::optional<std::int64_t>> Body::opt_int(std::string_view name) const {
  auto it = j_->find(name);
  if (it == j_->end()) return std::optional<std::int64_t>{};
  if (!it->is_number_integer()) return type_error(field(name), "an integer");
  return std::optional<std::int64_t>{it->get<std::int64_t>()};
}

core::Result<std::optional<std::optional<std::int64_t>>> Body::opt_nullable_int(
    std::string_view name) const {
  using R = std::optional<std::optional<std::int64_t>>;
  auto it = j_->find(name);
  if (it == j_->end()) return R{};
  if (it->is_null()) return R{std::optional<std::int64_t>{}};
  if (!it->is_number_integer()) return type_error(field(name), "an integer or null");
  return R{std::optional<std::int64_t>{it->get<std::int64_t>()}};
}

core::Result<std::optional<bool>> Body::opt_bool(std::string_view name) const {
  auto it = j_->find(name);
  if (it == j_->end()) return std::optional<bool>{};
  if (!it->is_boolean()) return type_error(field(name), "true or false");
  return std::optional<bool>{it->get<bool>()};
}

core::Result<std::optional<std::vector<std::string>>> Body::opt_strings(std::string_view name,
                                                                        size_t max_items) const {
  using R = std::optional<std::vector<std::string>>;
  auto it = j_->find(name);
  if (it == j_->end()) return R{};
  if (!it->is_array()) return type_error(field(name), "an array of strings");
  if (it->size() > max_items) {
    return core::invalid(field(name), "at most " + std::to_string(max_items) + " items");
  }
  std::vector<std::string> out;
  for (size_t i = 0; i < it->size(); ++i) {
    const json& e = (*it)[i];
    if (!e.is_string()) return type_error(field(name) + "[" + std::to_string(i) + "]", "a string");
    out.push_back(e.get<std::string>());
  }
  return R{std::move(out)};
}

core::Result<std::optional<std::vector<std::int64_t>>> Body::opt_ints(std::string_view name,
                                                                      size_t max_items) const {
  using R = std::optional<std::vector<std::int64_t>>;
  auto it = j_->find(name);
  if (it == j_->end()) return R{};
  if (!it->is_array()) return type_error(field(name), "an array of integers");
  if (it->size() > max_items) {
    return core::invalid(field(name), "at most " + std::to_string(max_items) + " items");
  }
  std::vector<std::int64_t> out;
  for (size_t i = 0; i < it->size(); ++i) {
    const json& e = (*it)[i];
    if (!e.is_number_integer()) {
      return type_error(field(name) + "[" + std::to_string(i) + "]", "an integer");
    }
    out.push_back(e.get<std::int64_t>());
  }
  return R{std::move(out)};
}

core::Result<std::optional<std::int64_t>> Body::opt_time(std::string_view name) const {
  auto it = j_->find(name);
  if (it == j_->end() || it->is_null()) return std::optional<std::int64_t>{};
  if (!it->is_string()) return type_error(field(name), "an ISO 8601 time string");
  core::TimeMs t = 0;
  if (!core::parse_iso8601(it->get_ref<const std::string&>(), t)) {
    return type_error(field(name), "an ISO 8601 time such as 2026-01-31T09:00:00+08:00");
  }
  return std::optional<std::int64_t>{t};
}

core::Result<int> query_limit(const http::Request& req) {
  auto v = req.query_param("limit");
  if (!v) return 50;
  int n = 0;
  auto r = std::from_chars(v->data(), v->data() + v->size(), n);
  if (r.ec != std::errc() || r.ptr != v->data() + v->size() || n < 1 || n > 500) {
    return core::invalid("limit", "must be an integer from 1 to 500");
  }
  return n;
}

core::Result<std::optional<std::int64_t>> query_int(const http::Request& req,
                                                    std::string_view name) {
  auto v = req.query_param(name);
  if (!v) return std::optional<std::int64_t>{};
  std::int64_t n = 0;
  auto r = std::from_chars(v->data(), v->data() + v->size(), n);
  if (r.ec != std::errc() || r.ptr != v->data() + v->size()) {
    return core::invalid(std::string(name), "must be an integer");
  }
  return std::optional<std::int64_t>{n};
}

core::Result<std::optional<bool>> query_bool(const http::Request& req, std::string_view name) {
  auto v = req.query_param(name);
  if (!v) return std::optional<bool>{};
  if (*v == "true" || *v == "1") return std::optional<bool>{true};
  if (*v == "false" || *v == "0") return std::optional<bool>{false};
  return core::invalid(std::string(name), "must be true or false");
}

core::Result<std::optional<std::int64_t>> query_time(const http::Request& req,
                                                     std::string_view name) {
  auto v = req.query_param(name);
  if (!v) return std::optional<std::int64_t>{};
  core::TimeMs t = 0;
  if (!core::parse_iso8601(*v, t)) {
    return core::invalid(std::string(name),
                         "must be an ISO 8601 time such as 2026-01-31T09:00:00Z");
  }
  return std::optional<std::int64_t>{t};
}

core::Result<std::string> query_string(const http::Request& req, std::string_view name,
                                       size_t max_chars) {
  auto v = req.query_param(name);
  if (!v) {
    if (req.query.find(std::string(name) + "=") != std::string::npos) {
      return core::invalid(std::string(name), "malformed percent-encoding");
    }
    return std::string();
  }
  if (!core::valid_utf8(*v)) return core::invalid(std::string(name), "must be valid UTF-8");
  if (core::utf8_length(*v) > max_chars) {
    return core::invalid(std::string(name),
                         "must be at most " + std::to_string(max_chars) + " characters");
  }
  return std::move(*v);
}

core::Result<std::int64_t> path_id(const http::Request& req, std::string_view name) {
  std::string_view v = req.path_param(name);
  std::int64_t n = 0;
  auto r = std::from_chars(v.data(), v.data() + v.size(), n);
  if (v.empty() || r.ec != std::errc() || r.ptr != v.data() + v.size() || n <= 0) {
    return core::not_found("no record with id '" + std::string(v) + "'");
  }
  return n;
}

}  // namespace yunwei::api
