#pragma once

#include <cstdint>
#include <string>

#include "core/result.h"

namespace yunwei::app {

// Every setting of the binary. Precedence: command-line flag, then YUNWEI_* environment
// variable, then the TOML file given by --config, then the default here.
struct Settings {
  std::string config_file;
  std::string listen = "127.0.0.1:8080";
  std::string data_dir = "./data";
  std::string db;  // postgres://... ; empty: SQLite file <data_dir>/yunwei.db
  std::string log_level = "info";
  bool access_log = true;
  int io_threads = 0;
  int workers = 0;
  int db_pool = 8;
  std::int64_t max_body_bytes = 10 * 1024 * 1024;
  std::int64_t idle_timeout_ms = 60'000;
  std::int64_t header_timeout_ms = 10'000;
  std::int64_t body_timeout_ms = 30'000;
  std::int64_t shutdown_timeout_ms = 10'000;
  bool cookie_secure = false;
  std::string password_cost = "interactive";  // "minimum" only for tests
  std::string attachments_dir;  // default <data_dir>/attachments; shared storage for several nodes
  bool demo_if_empty = false;   // load the demo organisation on the first start
  std::int64_t auto_close_interval_ms = 60'000;  // how often resolved tickets are checked
  std::int64_t sla_interval_ms = 1'000;  // how often the SLA worker looks for events and thresholds
  bool test_clock = false;  // tests only: a clock that POST /api/v1/test/clock moves forward

  // Parsed from `listen`.
  std::string host() const;
  std::uint16_t port() const;
  // The database URL to open: `db`, or the SQLite file in the data directory.
  std::string database_url() const;
  // kInvalidArgument naming the setting.
  core::Status validate() const;
};

// Loads a TOML file into `s` (its keys are the Settings names with '-' or '_').
// kInvalidArgument for an unreadable file, bad TOML, an unknown key or a wrong type.
core::Status load_toml(const std::string& path, Settings& s);

}  // namespace yunwei::app
