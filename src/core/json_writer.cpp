#include "core/json_writer.h"

#include <cstdio>

namespace yunwei::core {

std::string json_escape(std::string_view s) {
  std::string out;
  out.reserve(s.size() + 8);
  for (char c : s) {
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\r':
        out += "\\r";
        break;
      case '\t':
        out += "\\t";
        break;
      default:
        if (static_cast<unsigned char>(c) < 0x20) {
          char buf[8];
          std::snprintf(buf, sizeof buf, "\\u%04x", c);
          out += buf;
        } else {
          out += c;
        }
    }
  }
  return out;
}

void JsonWriter::separate() {
  if (out_.empty()) return;
  char last = out_.back();
  if (last != '{' && last != '[' && last != ':') out_ += ',';
}

JsonWriter& JsonWriter::open(char c) {
  separate();
  out_ += c;
  return *this;
}

JsonWriter& JsonWriter::close(char c) {
  out_ += c;
  return *this;
}

namespace {

// Appends `s` as JSON string content: straight when nothing needs escaping (the usual case, and
// always for keys), else through json_escape.
void append_escaped(std::string& out, std::string_view s) {
  for (char c : s) {
    if (c == '"' || c == '\\' || static_cast<unsigned char>(c) < 0x20) {
      out += json_escape(s);
      return;
    }
  }
  out.append(s);
}

}  // namespace

JsonWriter& JsonWriter::key(std::string_view k) {
  separate();
  out_ += '"';
  append_escaped(out_, k);
  out_ += "\":";
  return *this;
}

JsonWriter& JsonWriter::value(std::string_view s) {
  separate();
  out_ += '"';
  append_escaped(out_, s);
  out_ += '"';
  return *this;
}

JsonWriter& JsonWriter::value(std::int64_t n) {
  separate();
  out_ += std::to_string(n);
  return *this;
}

JsonWriter& JsonWriter::value(bool b) {
  separate();
  out_ += b ? "true" : "false";
  return *this;
}

JsonWriter& JsonWriter::null() {
  separate();
  out_ += "null";
  return *this;
}

JsonWriter& JsonWriter::raw(std::string_view json) {
  separate();
  out_ += json;
  return *this;
}

JsonWriter& JsonWriter::value(const std::vector<std::int64_t>& ns) {
  begin_array();
  for (std::int64_t n : ns) value(n);
  return end_array();
}

JsonWriter& JsonWriter::value(const std::vector<std::string>& ss) {
  begin_array();
  for (const std::string& s : ss) value(std::string_view(s));
  return end_array();
}

}  // namespace yunwei::core
