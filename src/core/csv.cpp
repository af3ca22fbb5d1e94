#include "core/csv.h"

namespace yunwei::core {

void append_csv_row(std::string& out, const std::vector<std::string>& fields) {
  for (std::size_t i = 0; i < fields.size(); ++i) {
    if (i > 0) out += ',';
    const std::string& f = fields[i];
    if (f.find_first_of(",\"\r\n") == std::string::npos) {
      out += f;
      continue;
    }
    out += '"';
    for (char c : f) {
      if (c == '"') out += '"';
      out += c;
    }
    out += '"';
  }
  out += "\r\n";
}

CsvReader::CsvReader(std::string_view text) : text_(text) {
  if (text_.substr(0, 3) == "\xEF\xBB\xBF") pos_ = 3;
}

core::Result<bool> CsvReader::next(std::vector<std::string>& fields) {
  fields.clear();
  if (pos_ >= text_.size()) return false;
  record_line_ = line_;
  const std::size_t n = text_.size();
  std::string field;
  while (true) {
    field.clear();
    if (pos_ < n && text_[pos_] == '"') {
      const int quote_line = line_;
      ++pos_;
      while (true) {
        if (pos_ >= n) {
          return core::invalid(
              "csv", "line " + std::to_string(quote_line) + ": a quoted field is not closed");
        }
        // Copy the run up to the next quote at once: large fields are common (descriptions).
        std::size_t q = text_.find('"', pos_);
        std::size_t end = q == std::string_view::npos ? n : q;
        for (std::size_t k = pos_; k < end; ++k) {
          if (text_[k] == '\n') ++line_;
        }
        field.append(text_.substr(pos_, end - pos_));
        pos_ = end;
        if (pos_ >= n) continue;
        // At a quote: doubled means a literal quote, otherwise the field ends.
        if (pos_ + 1 < n && text_[pos_ + 1] == '"') {
          field += '"';
          pos_ += 2;
          continue;
        }
        ++pos_;
        break;
      }
      if (pos_ < n && text_[pos_] != ',' && text_[pos_] != '\n' &&
          !(text_[pos_] == '\r' && (pos_ + 1 >= n || text_[pos_ + 1] == '\n'))) {
        return core::invalid(
            "csv", "line " + std::to_string(line_) + ": unexpected text after a closing quote");
      }
    } else {
      std::size_t end = text_.find_first_of(",\n", pos_);
      if (end == std::string_view::npos) end = n;
      std::size_t stop = end;
      // A CR just before the LF belongs to the line ending.
      if (stop > pos_ && text_[stop - 1] == '\r' && (stop == n || text_[stop] == '\n')) --stop;
      // A quote inside an unquoted field is taken literally (as spreadsheets write it).
      field.assign(text_.substr(pos_, stop - pos_));
      pos_ = stop;
    }
    fields.push_back(field);
    // After a field: a comma, a line ending or the end of the text.
    if (pos_ >= n) return true;
    if (text_[pos_] == ',') {
      ++pos_;
      continue;
    }
    if (text_[pos_] == '\r') ++pos_;
    if (pos_ < n && text_[pos_] == '\n') ++pos_;
    ++line_;
    return true;
  }
}

}  // namespace yunwei::core
