#pragma once

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "http/message.h"

namespace yunwei::http {

using Handler = std::function<Response(Request&)>;

struct Route {
  std::string method;
  std::string pattern;  // "/api/v1/users/{id}"
  Handler handler;
  std::vector<std::string> segments;  // pattern split on '/'
};

// Maps method + path to a handler. Path parameters are `{name}` segments. Unknown paths answer
// 404, known paths with another method 405 with an Allow header. Thread-safe once built.
class Router {
 public:
  void add(std::string method, std::string pattern, Handler handler);
  Response dispatch(Request& req) const;
  // Called when no route matches the path (before answering 404); returns nullopt to decline.
  void set_fallback(std::function<std::optional<Response>(Request&)> fallback) {
    fallback_ = std::move(fallback);
  }
  const std::vector<Route>& routes() const { return routes_; }

 private:
  static bool match(const Route& r, std::string_view path,
                    std::vector<std::pair<std::string, std::string>>* params);
  std::vector<Route> routes_;
  std::function<std::optional<Response>(Request&)> fallback_;
};

}  // namespace yunwei::http
