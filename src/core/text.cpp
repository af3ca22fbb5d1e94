#include "core/text.h"

namespace yunwei::core {

bool valid_utf8(std::string_view s) {
  for (std::size_t i = 0; i < s.size();) {
    DecodedUtf8 d = decode_utf8(s, i);
    if (!d.ok) return false;
    i += d.len;
  }
  return true;
}

core::Status check_text(std::string_view value, std::string_view field, size_t max_chars,
                        bool required, Controls controls) {
  if (!valid_utf8(value)) return core::invalid(std::string(field), "must be valid UTF-8");
  if (required && trim(value).empty()) return core::invalid(std::string(field), "is required");
  if (utf8_length(value) > max_chars) {
    return core::invalid(std::string(field),
                         "must be at most " + std::to_string(max_chars) + " characters");
  }
  if (controls != Controls::kAllowed) {
    for (unsigned char c : value) {
      if (c < 0x20 && !(c == '\t' && controls == Controls::kTabOnly)) {
        return core::invalid(std::string(field), "must not contain control characters");
      }
    }
  }
  return {};
}

size_t utf8_length(std::string_view s) {
  size_t n = 0;
  for (unsigned char c : s) {
    if ((c & 0xC0) != 0x80) ++n;
  }
  return n;
}

std::string ascii_lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

std::string trim(std::string_view s) {
  size_t b = 0, e = s.size();
  while (b < e && (s[b] == ' ' || s[b] == '\t' || s[b] == '\r' || s[b] == '\n')) ++b;
  while (e > b && (s[e - 1] == ' ' || s[e - 1] == '\t' || s[e - 1] == '\r' || s[e - 1] == '\n'))
    --e;
  return std::string(s.substr(b, e - b));
}

std::vector<std::string> split(std::string_view s, char sep) {
  std::vector<std::string> out;
  size_t start = 0;
  while (true) {
    size_t pos = s.find(sep, start);
    out.emplace_back(s.substr(start, pos == std::string_view::npos ? s.npos : pos - start));
    if (pos == std::string_view::npos) break;
    start = pos + 1;
  }
  return out;
}

bool url_decode(std::string_view in, std::string& out) {
  out.clear();
  out.reserve(in.size());
  for (size_t i = 0; i < in.size(); ++i) {
    char c = in[i];
    if (c == '+') {
      out += ' ';
    } else if (c == '%') {
      if (i + 2 >= in.size()) return false;
      auto hex = [](char h) -> int {
        if (h >= '0' && h <= '9') return h - '0';
        if (h >= 'a' && h <= 'f') return h - 'a' + 10;
        if (h >= 'A' && h <= 'F') return h - 'A' + 10;
        return -1;
      };
      int hi = hex(in[i + 1]), lo = hex(in[i + 2]);
      if (hi < 0 || lo < 0) return false;
      out += static_cast<char>(hi * 16 + lo);
      i += 2;
    } else {
      out += c;
    }
  }
  return true;
}

}  // namespace yunwei::core
