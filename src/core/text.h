#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace yunwei::core {

// True when `s` is well-formed UTF-8 (no overlongs, surrogates or code points past U+10FFFF).
bool valid_utf8(std::string_view s);

// Number of code points in a valid UTF-8 string.
size_t utf8_length(std::string_view s);

// ASCII lower-casing; other bytes unchanged.
std::string ascii_lower(std::string_view s);

std::string trim(std::string_view s);

std::vector<std::string> split(std::string_view s, char sep);

// Decodes %XX and '+' in a URL query component. Returns false on a malformed escape.
bool url_decode(std::string_view in, std::string& out);

}  // namespace yunwei::core
