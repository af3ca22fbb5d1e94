#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"

namespace yunwei::core {

// One code point decoded from UTF-8; `ok` false (len 1) for a malformed sequence.
struct DecodedUtf8 {
  char32_t cp = 0;
  std::size_t len = 1;
  bool ok = false;
};
// Strict decoding at byte `i` of `s` (i < s.size()): no overlongs, surrogates or code points
// past U+10FFFF. Inline: the tokenizer calls it per character.
inline DecodedUtf8 decode_utf8(std::string_view s, std::size_t i) {
  auto byte = [&](std::size_t k) { return static_cast<unsigned char>(s[k]); };
  unsigned char c = byte(i);
  if (c < 0x80) return {c, 1, true};
  std::size_t n;
  char32_t cp;
  if ((c & 0xE0) == 0xC0) {
    n = 1;
    cp = c & 0x1F;
  } else if ((c & 0xF0) == 0xE0) {
    n = 2;
    cp = c & 0x0F;
  } else if ((c & 0xF8) == 0xF0) {
    n = 3;
    cp = c & 0x07;
  } else {
    return {};
  }
  if (s.size() - i <= n) return {};
  for (std::size_t k = 1; k <= n; ++k) {
    if ((byte(i + k) & 0xC0) != 0x80) return {};
    cp = (cp << 6) | (byte(i + k) & 0x3F);
  }
  if ((n == 1 && cp < 0x80) || (n == 2 && cp < 0x800) || (n == 3 && cp < 0x10000)) return {};
  if (cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return {};
  return {cp, n + 1, true};
}

// True when `s` is well-formed UTF-8 (no overlongs, surrogates or code points past U+10FFFF).
bool valid_utf8(std::string_view s);

// Number of code points in a valid UTF-8 string.
size_t utf8_length(std::string_view s);

// Which control characters (below U+0020) a text field may hold.
enum class Controls { kAllowed, kTabOnly, kNone };

// The common check of a user-supplied text field; kInvalidArgument naming `field` when it is
// not valid UTF-8, is blank while `required`, is longer than `max_chars` code points, or holds
// control characters `controls` forbids.
core::Status check_text(std::string_view value, std::string_view field, size_t max_chars,
                        bool required, Controls controls = Controls::kAllowed);

// ASCII lower-casing; other bytes unchanged.
std::string ascii_lower(std::string_view s);

std::string trim(std::string_view s);

std::vector<std::string> split(std::string_view s, char sep);

// Decodes %XX and '+' in a URL query component. Returns false on a malformed escape.
bool url_decode(std::string_view in, std::string& out);

}  // namespace yunwei::core
