#pragma once

#include <string>
#include <string_view>

namespace yunwei::core {

// Initialises libsodium once; safe to call from any thread, any number of times.
// Returns false when libsodium cannot be initialised (no entropy source).
bool crypto_init();

// `bytes` random bytes from the OS CSPRNG, encoded as unpadded base64url.
std::string random_token(size_t bytes);

// Unpadded base64url of arbitrary bytes, and back (false on malformed input).
std::string base64url_encode(std::string_view bytes);
bool base64url_decode(std::string_view text, std::string& out);

// Lower-case hex SHA-256 of `data`.
std::string sha256_hex(std::string_view data);

// Constant-time comparison of two equal-length strings; false when lengths differ.
bool constant_time_equal(std::string_view a, std::string_view b);

}  // namespace yunwei::core
