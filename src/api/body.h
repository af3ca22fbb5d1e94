#pragma once

#include <cstdint>
#include <initializer_list>
#include <memory>
#include <nlohmann/json_fwd.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"
#include "http/message.h"

namespace yunwei::api {

// A JSON object request body with typed, validated field access. Every failure is a
// kInvalidArgument naming the field (or kUnsupportedMedia for a non-JSON content type).
class Body {
 public:
  ~Body();
  Body(Body&&) noexcept;
  Body& operator=(Body&&) noexcept;

  // Parses the request body: it must be JSON (Content-Type application/json), valid UTF-8, an
  // object, and have no fields outside `allowed`. An empty body is an empty object when
  // `allow_empty`.
  static core::Result<Body> parse(const http::Request& req,
                                  std::initializer_list<std::string_view> allowed,
                                  bool allow_empty = false);

  bool has(std::string_view name) const;
  // Required string; "is required" when absent or null.
  core::Result<std::string> string(std::string_view name, size_t max_chars = 1000) const;
  // Absent -> nullopt; null -> "" when `null_as_empty`, else an error.
  core::Result<std::optional<std::string>> opt_string(std::string_view name,
                                                      size_t max_chars = 1000,
                                                      bool null_as_empty = true) const;
  core::Result<std::optional<std::int64_t>> opt_int(std::string_view name) const;
  // Absent -> nullopt; null -> Some(None); number -> Some(Some(n)).
  core::Result<std::optional<std::optional<std::int64_t>>> opt_nullable_int(
      std::string_view name) const;
  core::Result<std::optional<bool>> opt_bool(std::string_view name) const;
  core::Result<std::optional<std::vector<std::string>>> opt_strings(std::string_view name,
                                                                    size_t max_items = 100) const;
  core::Result<std::optional<std::vector<std::int64_t>>> opt_ints(std::string_view name,
                                                                  size_t max_items = 1000) const;
  // A nested object with its own allowed fields; errors name "<name>.<field>".
  core::Result<std::optional<Body>> opt_object(std::string_view name,
                                               const std::vector<std::string_view>& allowed) const;
  // The field's JSON text, whatever its type (for values a service validates itself).
  core::Result<std::optional<std::string>> opt_json_text(std::string_view name) const;
  // ISO 8601 timestamp in a string field, as UTC milliseconds.
  core::Result<std::optional<std::int64_t>> opt_time(std::string_view name) const;

 private:
  Body();
  std::string field(std::string_view name) const;  // prefix_ + name
  std::unique_ptr<nlohmann::json> j_;
  std::string prefix_;
};

// Query helpers; kInvalidArgument naming the parameter.
core::Result<int> query_limit(const http::Request& req);  // default 50, 1..500
core::Result<std::optional<std::int64_t>> query_int(const http::Request& req,
                                                    std::string_view name);
core::Result<std::optional<bool>> query_bool(const http::Request& req, std::string_view name);
core::Result<std::optional<std::int64_t>> query_time(const http::Request& req,
                                                     std::string_view name);
core::Result<std::string> query_string(const http::Request& req, std::string_view name,
                                       size_t max_chars = 200);
// A positive id from a path parameter; kNotFound when it is not a number.
core::Result<std::int64_t> path_id(const http::Request& req, std::string_view name = "id");

}  // namespace yunwei::api
