#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace yunwei::http {

struct Header {
  std::string name;  // lower-case
  std::string value;
};

// One parsed HTTP request. Plain data: no Asio or Beast types.
struct Request {
  std::string method;  // "GET", "POST" ...
  std::string target;  // as sent: "/api/v1/users?limit=5"
  std::string path;    // "/api/v1/users" (not percent-decoded)
  std::string query;   // "limit=5" (raw)
  std::vector<Header> headers;
  std::string body;
  std::string remote_addr;
  std::string request_id;
  std::vector<std::pair<std::string, std::string>> path_params;  // set by the Router
  std::string route;  // the matched route pattern, for metrics and logs; "" when none

  // First header with this lower-case name.
  std::optional<std::string_view> header(std::string_view lower_name) const;
  // Decoded value of a query parameter; nullopt when absent (or malformed escapes).
  std::optional<std::string> query_param(std::string_view name) const;
  std::string_view path_param(std::string_view name) const;
  // Value of a cookie from the Cookie header; "" when absent.
  std::string cookie(std::string_view name) const;
};

struct Response {
  int status = 200;
  std::string content_type = "application/json";
  std::vector<Header> headers;
  std::string body;

  void set_header(std::string name, std::string value);
  static Response json(int status, std::string body);
  // {"error":{"code":...,"message":...,"field":...}}; field omitted when empty.
  static Response error(int status, std::string_view code, std::string_view message,
                        std::string_view field = {});
};

}  // namespace yunwei::http
