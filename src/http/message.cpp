#include "http/message.h"

#include <cstdio>

#include "core/json_writer.h"
#include "core/text.h"

namespace yunwei::http {

std::optional<std::string_view> Request::header(std::string_view lower_name) const {
  for (const Header& h : headers) {
    if (h.name == lower_name) return std::string_view(h.value);
  }
  return std::nullopt;
}

std::optional<std::string> Request::query_param(std::string_view name) const {
  std::string_view q = query;
  while (!q.empty()) {
    size_t amp = q.find('&');
    std::string_view part = q.substr(0, amp);
    size_t eq = part.find('=');
    std::string key;
    if (core::url_decode(part.substr(0, eq), key) && key == name) {
      std::string value;
      if (eq == std::string_view::npos) return std::string();
      if (!core::url_decode(part.substr(eq + 1), value)) return std::nullopt;
      return value;
    }
    if (amp == std::string_view::npos) break;
    q.remove_prefix(amp + 1);
  }
  return std::nullopt;
}

std::string_view Request::path_param(std::string_view name) const {
  for (const auto& [k, v] : path_params) {
    if (k == name) return v;
  }
  return {};
}

std::string Request::cookie(std::string_view name) const {
  auto h = header("cookie");
  if (!h) return {};
  std::string_view s = *h;
  while (!s.empty()) {
    size_t semi = s.find(';');
    std::string_view part = s.substr(0, semi);
    while (!part.empty() && part.front() == ' ') part.remove_prefix(1);
    size_t eq = part.find('=');
    if (eq != std::string_view::npos && part.substr(0, eq) == name) {
      return std::string(part.substr(eq + 1));
    }
    if (semi == std::string_view::npos) break;
    s.remove_prefix(semi + 1);
  }
  return {};
}

void Response::set_header(std::string name, std::string value) {
  for (Header& h : headers) {
    if (h.name == name) {
      h.value = std::move(value);
      return;
    }
  }
  headers.push_back({std::move(name), std::move(value)});
}

Response Response::json(int status, std::string body) {
  Response r;
  r.status = status;
  r.body = std::move(body);
  return r;
}

Response Response::error(int status, std::string_view code, std::string_view message,
                         std::string_view field) {
  std::string body = "{\"error\":{\"code\":\"" + core::json_escape(code) + "\",\"message\":\"" +
                     core::json_escape(message) + "\"";
  if (!field.empty()) body += ",\"field\":\"" + core::json_escape(field) + "\"";
  body += "}}";
  return json(status, std::move(body));
}

}  // namespace yunwei::http
