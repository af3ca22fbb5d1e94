#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"

// CSV (RFC 4180) for the CMDB import and export: UTF-8 text, comma-separated, fields quoted with
// '"' when needed, quotes inside doubled.
namespace yunwei::core {

// Appends one record to `out`. A field is quoted when it contains , " CR or LF (quotes doubled);
// the record ends with CRLF.
void append_csv_row(std::string& out, const std::vector<std::string>& fields);

// Reads records from a text one at a time, without copying it (the text must outlive the
// reader). A UTF-8 byte order mark at the start is skipped. Records end with LF or CRLF; quoted
// fields may hold commas, quotes ("") and line breaks; a quote inside an unquoted field is
// kept as is. A blank line is a record with one empty field. Not thread-safe.
class CsvReader {
 public:
  explicit CsvReader(std::string_view text);

  // The next record into `fields` (replacing its contents); false at the end of the text.
  // kInvalidArgument naming the line ("line 12: ...") for an unterminated quoted field or text
  // after a closing quote; the reader should not be used after an error.
  core::Result<bool> next(std::vector<std::string>& fields);
  // The 1-based line where the last record returned by next() started.
  int line() const { return record_line_; }

 private:
  std::string_view text_;
  std::size_t pos_ = 0;
  int line_ = 1;         // the line `pos_` is on
  int record_line_ = 0;  // where the last record started
};

}  // namespace yunwei::core
