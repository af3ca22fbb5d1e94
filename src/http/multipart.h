#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"

namespace yunwei::http {

// One part of a multipart/form-data body.
struct MultipartPart {
  std::string name;                     // the form field name, as sent
  std::optional<std::string> filename;  // set for file parts; already sanitize_filename()d
  std::string content_type;             // as sent (trimmed); default "text/plain" for fields and
                                        // "application/octet-stream" for files
  std::string data;                     // the raw bytes, binary-safe
};

// Parses a multipart/form-data body (RFC 7578, RFC 2046 delimiters) given the request's
// Content-Type header value. Pure function; thread-safe.
//
// Delimiters must be preceded by CRLF (text like "--boundary" inside data is data unless it
// follows CRLF and is itself followed by CRLF or "--"); part headers may end lines with bare LF.
// Preamble and epilogue are ignored. `filename*` (RFC 5987, UTF-8 or ISO-8859-1) wins over
// `filename`; in quoted parameters a backslash escapes only '"' and '\', so unescaped Windows
// paths such as "C:\dir\a.txt" survive to be stripped by sanitize_filename.
//
// Errors, all kInvalidArgument unless noted:
//   field "content-type": not multipart/form-data, or a missing or malformed boundary;
//   field "body": no opening or closing delimiter, a part without `Content-Disposition:
//     form-data` or without a name, malformed part headers, part headers over 8 KiB, more than
//     `max_parts` parts;
//   kPayloadTooLarge, field = the part's name: a part's data is longer than `max_part_bytes`.
core::Result<std::vector<MultipartPart>> parse_multipart(std::string_view content_type,
                                                         std::string_view body,
                                                         std::size_t max_part_bytes,
                                                         std::size_t max_parts = 20);

// A client-supplied file name made safe to show and to use as a single path component: drops
// any directory part (after the last '/' or '\'), invalid UTF-8, control characters (C0, DEL,
// C1) and bidirectional-override marks; trims surrounding white space; caps the length at 255
// bytes (keeping a short extension). Empty, "." or ".." becomes "file".
std::string sanitize_filename(std::string_view name);

}  // namespace yunwei::http
