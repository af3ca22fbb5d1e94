#include "app/settings.h"

#include <toml++/toml.h>

#include <charconv>

namespace yunwei::app {

std::string Settings::host() const {
  size_t colon = listen.rfind(':');
  std::string h = listen.substr(0, colon);
  if (h.size() >= 2 && h.front() == '[' && h.back() == ']') h = h.substr(1, h.size() - 2);
  return h;
}

std::uint16_t Settings::port() const {
  size_t colon = listen.rfind(':');
  int p = -1;
  if (colon != std::string::npos) {
    auto r = std::from_chars(listen.data() + colon + 1, listen.data() + listen.size(), p);
    if (r.ec != std::errc() || r.ptr != listen.data() + listen.size()) p = -1;
  }
  return static_cast<std::uint16_t>(p);
}

std::string Settings::database_url() const {
  if (!db.empty()) return db;
  return data_dir + "/yunwei.db";
}

core::Status Settings::validate() const {
  size_t colon = listen.rfind(':');
  if (colon == std::string::npos || colon == 0) {
    return core::invalid("listen", "listen must be HOST:PORT, e.g. 127.0.0.1:8080");
  }
  int p = -1;
  auto r = std::from_chars(listen.data() + colon + 1, listen.data() + listen.size(), p);
  if (r.ec != std::errc() || r.ptr != listen.data() + listen.size() || p < 0 || p > 65535) {
    return core::invalid("listen", "listen port must be a number from 0 to 65535");
  }
  if (data_dir.empty()) return core::invalid("data-dir", "data-dir must not be empty");
  if (!db.empty() && db.rfind("postgres://", 0) != 0 && db.rfind("postgresql://", 0) != 0) {
    return core::invalid("db", "db must be a postgres:// URL (leave it empty for SQLite)");
  }
  static const char* kLevels[] = {"trace", "debug", "info", "warn", "error", "critical", "off"};
  bool level_ok = false;
  for (const char* l : kLevels) level_ok = level_ok || log_level == l;
  if (!level_ok)
    return core::invalid("log-level",
                         "log-level must be one of trace, debug, info, warn, error, off");
  if (io_threads < 0 || io_threads > 256)
    return core::invalid("io-threads", "io-threads must be 0..256");
  if (workers < 0 || workers > 1024) return core::invalid("workers", "workers must be 0..1024");
  if (db_pool < 1 || db_pool > 256) return core::invalid("db-pool", "db-pool must be 1..256");
  if (max_body_bytes < 1024 || max_body_bytes > (1LL << 30)) {
    return core::invalid("max-body-bytes", "max-body-bytes must be between 1 KiB and 1 GiB");
  }
  for (auto [name, v] : {std::pair{"idle-timeout-ms", idle_timeout_ms},
                         std::pair{"header-timeout-ms", header_timeout_ms},
                         std::pair{"body-timeout-ms", body_timeout_ms},
                         std::pair{"shutdown-timeout-ms", shutdown_timeout_ms}}) {
    if (v < 10 || v > 3'600'000) {
      return core::invalid(name, std::string(name) + " must be between 10 and 3600000");
    }
  }
  if (auto_close_interval_ms < 10 || auto_close_interval_ms > 86'400'000) {
    return core::invalid("auto-close-interval-ms",
                         "auto-close-interval-ms must be between 10 and 86400000");
  }
  if (sla_interval_ms < 10 || sla_interval_ms > 60'000) {
    return core::invalid("sla-interval-ms", "sla-interval-ms must be between 10 and 60000");
  }
  if (password_cost != "interactive" && password_cost != "minimum") {
    return core::invalid("password-cost", "password-cost must be interactive or minimum");
  }
  return {};
}

core::Status load_toml(const std::string& path, Settings& s) {
  toml::table t;
  try {
    t = toml::parse_file(path);
  } catch (const toml::parse_error& e) {
    std::string where;
    if (e.source().begin) {
      where = " at line " + std::to_string(e.source().begin.line);
    }
    return core::invalid("config",
                         "config file " + path + where + ": " + std::string(e.description()));
  }
  for (const auto& [key, node] : t) {
    std::string k(key.str());
    for (char& c : k) {
      if (c == '_') c = '-';
    }
    auto want = [&](std::string_view type) {
      return core::invalid("config",
                           "config file " + path + ": " + k + " must be " + std::string(type));
    };
    auto str = [&](std::string& out) -> core::Status {
      if (!node.is_string()) return want("a string");
      out = *node.value<std::string>();
      return {};
    };
    auto num = [&](auto& out) -> core::Status {
      if (!node.is_integer()) return want("an integer");
      out = static_cast<std::remove_reference_t<decltype(out)>>(*node.value<std::int64_t>());
      return {};
    };
    auto boolean = [&](bool& out) -> core::Status {
      if (!node.is_boolean()) return want("true or false");
      out = *node.value<bool>();
      return {};
    };
    core::Status st;
    if (k == "listen")
      st = str(s.listen);
    else if (k == "data-dir")
      st = str(s.data_dir);
    else if (k == "db")
      st = str(s.db);
    else if (k == "log-level")
      st = str(s.log_level);
    else if (k == "access-log")
      st = boolean(s.access_log);
    else if (k == "io-threads")
      st = num(s.io_threads);
    else if (k == "workers")
      st = num(s.workers);
    else if (k == "db-pool")
      st = num(s.db_pool);
    else if (k == "max-body-bytes")
      st = num(s.max_body_bytes);
    else if (k == "idle-timeout-ms")
      st = num(s.idle_timeout_ms);
    else if (k == "header-timeout-ms")
      st = num(s.header_timeout_ms);
    else if (k == "body-timeout-ms")
      st = num(s.body_timeout_ms);
    else if (k == "shutdown-timeout-ms")
      st = num(s.shutdown_timeout_ms);
    else if (k == "cookie-secure")
      st = boolean(s.cookie_secure);
    else if (k == "password-cost")
      st = str(s.password_cost);
    else if (k == "attachments-dir")
      st = str(s.attachments_dir);
    else if (k == "demo-if-empty")
      st = boolean(s.demo_if_empty);
    else if (k == "auto-close-interval-ms")
      st = num(s.auto_close_interval_ms);
    else if (k == "sla-interval-ms")
      st = num(s.sla_interval_ms);
    else
      return core::invalid("config", "config file " + path + ": unknown setting '" + k + "'");
    if (!st.ok()) return st;
  }
  return {};
}

}  // namespace yunwei::app
