#include "http/multipart.h"

#include <algorithm>
#include <utility>

#include "core/text.h"

namespace yunwei::http {
namespace {

using core::invalid;

// Part headers larger than this are refused (browsers send well under 1 KiB).
constexpr std::size_t kMaxHeaderBytes = 8 * 1024;
constexpr std::size_t kMaxFilenameBytes = 255;

bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    char x = a[i];
    char y = b[i];
    if (x >= 'A' && x <= 'Z') x = static_cast<char>(x - 'A' + 'a');
    if (y >= 'A' && y <= 'Z') y = static_cast<char>(y - 'A' + 'a');
    if (x != y) return false;
  }
  return true;
}

std::string_view trim_ows(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

struct Param {
  std::string name;  // lower-case
  std::string value;
};

// Parses `; name=value; name="quoted"` parameters (the text after the media or disposition
// type). In quoted strings a backslash escapes only '"' and '\': browsers and old clients send
// unescaped Windows paths, whose backslashes must survive. False on an unterminated quote, an
// empty parameter name or text after a closing quote.
bool parse_params(std::string_view s, std::vector<Param>& out) {
  std::size_t i = 0;
  const std::size_t n = s.size();
  while (true) {
    while (i < n && (s[i] == ' ' || s[i] == '\t' || s[i] == ';')) ++i;
    if (i == n) return true;
    std::size_t name_end = i;
    while (name_end < n && s[name_end] != '=' && s[name_end] != ';') ++name_end;
    std::string name = core::ascii_lower(trim_ows(s.substr(i, name_end - i)));
    if (name.empty()) return false;
    i = name_end;
    std::string value;
    if (i < n && s[i] == '=') {
      ++i;
      while (i < n && (s[i] == ' ' || s[i] == '\t')) ++i;
      if (i < n && s[i] == '"') {
        ++i;
        bool closed = false;
        while (i < n) {
          char c = s[i];
          if (c == '\\' && i + 1 < n && (s[i + 1] == '"' || s[i + 1] == '\\')) {
            value += s[i + 1];
            i += 2;
          } else if (c == '"') {
            ++i;
            closed = true;
            break;
          } else {
            value += c;
            ++i;
          }
        }
        if (!closed) return false;
        while (i < n && (s[i] == ' ' || s[i] == '\t')) ++i;
        if (i < n && s[i] != ';') return false;
      } else {
        std::size_t end = s.find(';', i);
        if (end == std::string_view::npos) end = n;
        value = std::string(trim_ows(s.substr(i, end - i)));
        i = end;
      }
    }
    out.push_back(Param{std::move(name), std::move(value)});
  }
}

const std::string* find_param(const std::vector<Param>& params, std::string_view name) {
  for (const Param& p : params) {
    if (p.name == name) return &p.value;
  }
  return nullptr;
}

// RFC 2046 bchars; a space may not be last.
bool valid_boundary(std::string_view b) {
  if (b.empty() || b.size() > 70 || b.back() == ' ') return false;
  for (char c : b) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              std::string_view("'()+_,-./:=? ").find(c) != std::string_view::npos;
    if (!ok) return false;
  }
  return true;
}

core::Result<std::string> boundary_of(std::string_view content_type) {
  std::size_t semi = content_type.find(';');
  std::string_view type = trim_ows(content_type.substr(0, semi));
  if (!iequals(type, "multipart/form-data")) {
    return invalid("content-type", "Content-Type must be multipart/form-data");
  }
  std::vector<Param> params;
  if (semi != std::string_view::npos && !parse_params(content_type.substr(semi + 1), params)) {
    return invalid("content-type", "malformed parameters in the multipart/form-data Content-Type");
  }
  const std::string* boundary = find_param(params, "boundary");
  if (!boundary) return invalid("content-type", "multipart/form-data Content-Type has no boundary");
  if (!valid_boundary(*boundary)) {
    return invalid("content-type",
                   "the multipart boundary must be 1 to 70 characters from RFC 2046 (letters, "
                   "digits and '()+_,-./:=? ), not ending in a space");
  }
  return *boundary;
}

enum class DelimiterKind { kPart, kClose, kTruncated };

struct Delimiter {
  std::size_t pos;   // where `needle` starts
  std::size_t next;  // first byte after the delimiter line
  DelimiterKind kind;
};

// The first occurrence of `needle` (ending in "--boundary") at or after `from` that is a real
// delimiter: followed by optional blanks and then "--" (close), CRLF or LF (another part), or
// the end of the body (truncated). Anything else after it is data that merely looks alike.
std::optional<Delimiter> find_delimiter(std::string_view body, std::size_t from,
                                        std::string_view needle) {
  while (true) {
    std::size_t p = body.find(needle, from);
    if (p == std::string_view::npos) return std::nullopt;
    std::size_t q = p + needle.size();
    while (q < body.size() && (body[q] == ' ' || body[q] == '\t')) ++q;
    std::string_view rest = body.substr(q);
    if (rest.starts_with("--")) return Delimiter{p, q + 2, DelimiterKind::kClose};
    if (rest.starts_with("\r\n")) return Delimiter{p, q + 2, DelimiterKind::kPart};
    if (rest.starts_with("\n")) return Delimiter{p, q + 1, DelimiterKind::kPart};
    if (rest.empty()) return Delimiter{p, q, DelimiterKind::kTruncated};
    from = p + 1;
  }
}

struct PartHeaders {
  std::vector<std::pair<std::string, std::string>> fields;  // lower-case name, value
  std::size_t data_start = 0;

  const std::string* get(std::string_view name) const {
    for (const auto& [k, v] : fields) {
      if (k == name) return &v;
    }
    return nullptr;
  }
};

std::string part_label(std::size_t index) { return "part " + std::to_string(index + 1); }

// Reads the header block of the part that starts at `pos`, up to and including its empty line.
core::Result<PartHeaders> read_headers(std::string_view body, std::size_t pos, std::size_t index) {
  PartHeaders h;
  const std::size_t window_end = std::min(body.size(), pos + kMaxHeaderBytes);
  std::size_t i = pos;
  while (true) {
    std::size_t nl = body.substr(0, window_end).find('\n', i);
    if (nl == std::string_view::npos) {
      if (window_end < body.size()) {
        return invalid("body", part_label(index) + ": headers are longer than " +
                                   std::to_string(kMaxHeaderBytes) + " bytes");
      }
      return invalid("body",
                     part_label(index) +
                         ": the body ends inside the part headers (missing closing delimiter)");
    }
    std::string_view line = body.substr(i, nl - i);
    if (line.ends_with('\r')) line.remove_suffix(1);
    i = nl + 1;
    if (line.empty()) break;
    if (line.front() == ' ' || line.front() == '\t') {
      // Obsolete line folding: a continuation of the previous header.
      if (h.fields.empty()) return invalid("body", part_label(index) + ": malformed header line");
      h.fields.back().second += ' ';
      h.fields.back().second += trim_ows(line);
      continue;
    }
    std::size_t colon = line.find(':');
    std::string_view name = colon == std::string_view::npos ? "" : trim_ows(line.substr(0, colon));
    if (name.empty()) return invalid("body", part_label(index) + ": malformed header line");
    h.fields.emplace_back(core::ascii_lower(name), std::string(trim_ows(line.substr(colon + 1))));
  }
  h.data_start = i;
  return h;
}

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// Decodes an RFC 5987 ext-value (charset'language'percent-encoded) into UTF-8. Supports the
// UTF-8 and ISO-8859-1 charsets; false on anything else or on a malformed value.
bool decode_ext_value(std::string_view v, std::string& out) {
  std::size_t q1 = v.find('\'');
  if (q1 == std::string_view::npos) return false;
  std::size_t q2 = v.find('\'', q1 + 1);
  if (q2 == std::string_view::npos) return false;
  std::string charset = core::ascii_lower(v.substr(0, q1));
  std::string_view encoded = v.substr(q2 + 1);
  std::string raw;
  for (std::size_t i = 0; i < encoded.size(); ++i) {
    if (encoded[i] != '%') {
      raw += encoded[i];
      continue;
    }
    if (i + 2 >= encoded.size()) return false;
    int hi = hex_value(encoded[i + 1]);
    int lo = hex_value(encoded[i + 2]);
    if (hi < 0 || lo < 0) return false;
    raw += static_cast<char>(hi * 16 + lo);
    i += 2;
  }
  if (charset == "utf-8") {
    if (!core::valid_utf8(raw)) return false;
    out = std::move(raw);
    return true;
  }
  if (charset == "iso-8859-1") {
    out.clear();
    for (char ch : raw) {
      auto c = static_cast<unsigned char>(ch);
      if (c < 0x80) {
        out += ch;
      } else {
        out += static_cast<char>(0xC0 | (c >> 6));
        out += static_cast<char>(0x80 | (c & 0x3F));
      }
    }
    return true;
  }
  return false;
}

bool dropped_code_point(char32_t c) {
  return c < 0x20 || c == 0x7F || (c >= 0x80 && c <= 0x9F) ||  // C0, DEL, C1
         c == 0x200E || c == 0x200F || (c >= 0x202A && c <= 0x202E) ||
         (c >= 0x2066 && c <= 0x2069);  // bidi marks, embeddings, overrides and isolates
}

}  // namespace

std::string sanitize_filename(std::string_view name) {
  std::size_t slash = name.find_last_of("/\\");
  if (slash != std::string_view::npos) name.remove_prefix(slash + 1);
  std::string out;
  for (std::size_t i = 0; i < name.size();) {
    core::DecodedUtf8 d = core::decode_utf8(name, i);
    if (d.ok && !dropped_code_point(d.cp)) out.append(name.substr(i, d.len));
    i += d.len;
  }
  std::string_view trimmed = out;
  while (!trimmed.empty() && trimmed.front() == ' ') trimmed.remove_prefix(1);
  while (!trimmed.empty() && trimmed.back() == ' ') trimmed.remove_suffix(1);
  if (trimmed.empty() || trimmed == "." || trimmed == "..") return "file";
  if (trimmed.size() <= kMaxFilenameBytes) return std::string(trimmed);

  // Too long: shorten the stem, keeping a short extension, and cut on a code point boundary.
  std::string_view ext;
  std::size_t dot = trimmed.rfind('.');
  if (dot != std::string_view::npos && dot > 0 && trimmed.size() - dot <= 16) {
    ext = trimmed.substr(dot);
  }
  std::string_view stem = trimmed.substr(0, trimmed.size() - ext.size());
  std::size_t keep = kMaxFilenameBytes - ext.size();
  while (keep > 0 && (static_cast<unsigned char>(stem[keep]) & 0xC0) == 0x80) --keep;
  return std::string(stem.substr(0, keep)) + std::string(ext);
}

core::Result<std::vector<MultipartPart>> parse_multipart(std::string_view content_type,
                                                         std::string_view body,
                                                         std::size_t max_part_bytes,
                                                         std::size_t max_parts) {
  YW_ASSIGN(std::string boundary, boundary_of(content_type));
  const std::string dash_boundary = "--" + boundary;

  // The first delimiter may open the body or follow a preamble line.
  std::optional<Delimiter> open;
  if (body.starts_with(dash_boundary)) {
    open = find_delimiter(body, 0, dash_boundary);
    if (open && open->pos != 0) open.reset();
  }
  if (!open) open = find_delimiter(body, 0, "\n" + dash_boundary);
  if (!open) return invalid("body", "the body has no opening multipart boundary delimiter");
  if (open->kind == DelimiterKind::kClose) return std::vector<MultipartPart>{};
  if (open->kind == DelimiterKind::kTruncated) {
    return invalid("body", "missing closing delimiter \"" + dash_boundary + "--\"");
  }

  const std::string needle = "\r\n" + dash_boundary;
  std::vector<MultipartPart> parts;
  std::size_t pos = open->next;
  while (true) {
    const std::size_t index = parts.size();
    if (index >= max_parts) {
      return invalid("body", "the body has more than " + std::to_string(max_parts) + " parts");
    }
    YW_ASSIGN(PartHeaders headers, read_headers(body, pos, index));

    const std::string* disposition = headers.get("content-disposition");
    if (!disposition) {
      return invalid("body", part_label(index) + " has no Content-Disposition header");
    }
    std::size_t semi = disposition->find(';');
    if (!iequals(trim_ows(std::string_view(*disposition).substr(0, semi)), "form-data")) {
      return invalid("body", part_label(index) + ": Content-Disposition is not form-data");
    }
    std::vector<Param> params;
    if (semi != std::string::npos &&
        !parse_params(std::string_view(*disposition).substr(semi + 1), params)) {
      return invalid("body", part_label(index) + ": malformed Content-Disposition parameters");
    }
    const std::string* name = find_param(params, "name");
    if (!name) return invalid("body", part_label(index) + ": Content-Disposition has no name");

    MultipartPart part;
    part.name = *name;
    const std::string* filename = find_param(params, "filename");
    const std::string* filename_ext = find_param(params, "filename*");
    std::string decoded;
    if (filename_ext && decode_ext_value(*filename_ext, decoded)) {
      part.filename = sanitize_filename(decoded);
    } else if (filename) {
      part.filename = sanitize_filename(*filename);
    } else if (filename_ext) {
      return invalid("body", part_label(index) + ": malformed filename* (RFC 5987)");
    }
    const std::string* type = headers.get("content-type");
    if (type && !type->empty()) {
      part.content_type = *type;
    } else {
      part.content_type = part.filename ? "application/octet-stream" : "text/plain";
    }

    std::optional<Delimiter> end = find_delimiter(body, headers.data_start, needle);
    if (!end || end->kind == DelimiterKind::kTruncated) {
      return invalid("body", "missing closing delimiter \"" + dash_boundary + "--\"");
    }
    std::size_t size = end->pos - headers.data_start;
    if (size > max_part_bytes) {
      return core::Error{core::ErrorCode::kPayloadTooLarge,
                         "part '" + part.name + "' is larger than the limit of " +
                             std::to_string(max_part_bytes) + " bytes",
                         part.name};
    }
    part.data = std::string(body.substr(headers.data_start, size));
    parts.push_back(std::move(part));
    if (end->kind == DelimiterKind::kClose) return parts;
    pos = end->next;
  }
}

}  // namespace yunwei::http
