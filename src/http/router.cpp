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
  // Among the routes matching the path, the most specific (most literal segments) decide:
  // POST /tickets/bulk exists, so GET /tickets/bulk is a 405, not GET /tickets/{number}.
  const Route* chosen = nullptr;
  int best = -1;
  std::string allow;
  for (const Route& r : routes_) {
    if (!match(r, req.path, nullptr)) continue;
    int literals = 0;
    for (const std::string& seg : r.segments) {
      if (!(seg.size() > 2 && seg.front() == '{' && seg.back() == '}')) ++literals;
    }
    if (literals < best) continue;
    if (literals > best) {
      best = literals;
      chosen = nullptr;
      allow.clear();
    }
    if (!chosen && (r.method == req.method || (req.method == "HEAD" && r.method == "GET"))) {
      chosen = &r;
    } else if (r.method != req.method) {
      if (!allow.empty()) allow += ", ";
      allow += r.method;
    }
  }
  if (chosen) {
    req.route = chosen->pattern;
    req.path_params.clear();
    match(*chosen, req.path, &req.path_params);
    return chosen->handler(req);
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
