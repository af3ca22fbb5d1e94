#include "http/router.h"

#include "core/text.h"

namespace yunwei::http {

void Router::add(std::string method, std::string pattern, Handler handler) {
  Route r{std::move(method), std::move(pattern), std::move(handler), {}};
  r.segments = core::split(r.pattern, '/');
  routes_.push_back(std::move(r));
}

bool Router::match(const Route& r, std::string_view path,
                   std::vector<std::pair<std::string, std::string>>* params) {
  size_t i = 0;
  size_t start = 0;
  while (true) {
    size_t slash = path.find('/', start);
    std::string_view seg =
        path.substr(start, slash == std::string_view::npos ? path.npos : slash - start);
    if (i >= r.segments.size()) return false;
    const std::string& want = r.segments[i];
    if (want.size() > 2 && want.front() == '{' && want.back() == '}') {
      if (seg.empty()) return false;
      std::string decoded;
      if (!core::url_decode(seg, decoded)) return false;
      if (params) params->emplace_back(want.substr(1, want.size() - 2), std::move(decoded));
    } else if (want != seg) {
      return false;
    }
    ++i;
    if (slash == std::string_view::npos) break;
    start = slash + 1;
  }
  return i == r.segments.size();
}

Response Router::dispatch(Request& req) const {
  std::string allow;
  for (const Route& r : routes_) {
    if (!match(r, req.path, nullptr)) continue;
    if (r.method == req.method || (req.method == "HEAD" && r.method == "GET")) {
      req.route = r.pattern;
      req.path_params.clear();
      match(r, req.path, &req.path_params);
      return r.handler(req);
    }
    if (!allow.empty()) allow += ", ";
    allow += r.method;
  }
  if (!allow.empty()) {
    req.route = "(method not allowed)";
    Response res =
        Response::error(405, "method_not_allowed",
                        "method " + req.method + " is not allowed here; allowed: " + allow);
    res.set_header("allow", allow);
    return res;
  }
  if (fallback_) {
    if (auto r = fallback_(req)) {
      req.route = "(static)";
      return std::move(*r);
    }
  }
  req.route = "(not found)";
  return Response::error(404, "not_found", "no route for " + req.path);
}

}  // namespace yunwei::http
