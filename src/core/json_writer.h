#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace yunwei::core {

// `s` as the content of a JSON string (quotes, backslashes and control characters escaped).
std::string json_escape(std::string_view s);

// Appends JSON text directly, for hot paths (responses such as /me and lists, event snapshots)
// where building an nlohmann::json tree costs more than the database work. Commas are inserted
// automatically. Strings must be valid UTF-8 (everything stored is validated on the way in).
class JsonWriter {
 public:
  JsonWriter& begin_object() { return open('{'); }
  JsonWriter& end_object() { return close('}'); }
  JsonWriter& begin_array() { return open('['); }
  JsonWriter& end_array() { return close(']'); }
  JsonWriter& key(std::string_view k);
  JsonWriter& value(std::string_view s);
  JsonWriter& value(const char* s) { return value(std::string_view(s)); }
  JsonWriter& value(std::int64_t n);
  JsonWriter& value(bool b);
  JsonWriter& null();
  JsonWriter& raw(std::string_view json);  // an already serialised JSON value
  JsonWriter& value(const std::vector<std::int64_t>& ns);
  JsonWriter& value(const std::vector<std::string>& ss);
  std::string take() { return std::move(out_); }

 private:
  JsonWriter& open(char c);
  JsonWriter& close(char c);
  void separate();
  std::string out_;
};

}  // namespace yunwei::core
