#include "http/assets.h"

#include <cstring>
#include <string>

namespace yunwei::http {
namespace {

bool accepts_gzip(const Request& req) {
  auto ae = req.header("accept-encoding");
  if (!ae) return false;
  std::string_view v = *ae;
  size_t pos = v.find("gzip");
  if (pos == std::string_view::npos) return false;
  // "gzip;q=0" refuses it.
  std::string_view rest = v.substr(pos + 4);
  size_t comma = rest.find(',');
  std::string_view params = rest.substr(0, comma);
  return params.find("q=0") == std::string_view::npos ||
         params.find("q=0.") != std::string_view::npos;
}

bool etag_matches(std::string_view header, std::string_view etag) {
  if (header == "*") return true;
  size_t pos = 0;
  while (pos < header.size()) {
    size_t comma = header.find(',', pos);
    std::string_view part =
        header.substr(pos, comma == std::string_view::npos ? header.npos : comma - pos);
    while (!part.empty() && part.front() == ' ') part.remove_prefix(1);
    while (!part.empty() && part.back() == ' ') part.remove_suffix(1);
    if (part.rfind("W/", 0) == 0) part.remove_prefix(2);
    if (part == etag) return true;
    if (comma == std::string_view::npos) break;
    pos = comma + 1;
  }
  return false;
}

}  // namespace

AssetHandler::AssetHandler() { index_ = find("/index.html"); }

const EmbeddedAsset* AssetHandler::find(std::string_view path) const {
  for (const EmbeddedAsset& a : embedded_assets()) {
    if (path == a.path) return &a;
  }
  return nullptr;
}

std::optional<Response> AssetHandler::serve(const Request& req) const {
  if (req.method != "GET" && req.method != "HEAD") return std::nullopt;
  std::string_view path = req.path;
  if (path.rfind("/api/", 0) == 0 || path == "/api") return std::nullopt;
  const EmbeddedAsset* a = path == "/" ? index_ : find(path);
  if (!a) {
    // Client-side routes (/admin/users, /profile) get the app shell; missing files stay 404.
    std::string_view last = path.substr(path.rfind('/') + 1);
    if (last.find('.') != std::string_view::npos) return std::nullopt;
    a = index_;
  }
  if (!a) return std::nullopt;
  Response r;
  r.content_type = a->content_type;
  r.set_header("etag", a->etag);
  r.set_header("cache-control", a->immutable ? "public, max-age=31536000, immutable" : "no-cache");
  if (a->gzip) r.set_header("vary", "Accept-Encoding");
  if (a == index_) {
    r.set_header("x-content-type-options", "nosniff");
    r.set_header("referrer-policy", "same-origin");
  }
  if (auto inm = req.header("if-none-match"); inm && etag_matches(*inm, a->etag)) {
    r.status = 304;
    r.content_type.clear();
    return r;
  }
  if (a->gzip && accepts_gzip(req)) {
    r.set_header("content-encoding", "gzip");
    r.body.assign(reinterpret_cast<const char*>(a->gzip), a->gzip_size);
  } else {
    r.body.assign(reinterpret_cast<const char*>(a->data), a->size);
  }
  return r;
}

}  // namespace yunwei::http
