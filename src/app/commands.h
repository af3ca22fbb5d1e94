#pragma once

#include <string>
#include <vector>

#include "app/settings.h"

namespace yunwei::app {

// Each returns the process exit code: 0 ok, 1 runtime failure, 2 bad settings or arguments.
int run_serve(const Settings& s);
int run_migrate(const Settings& s, bool dry_run);

struct AdminArgs {
  std::string username, display_name, email, password, token_name;
  std::vector<std::string> roles;
  bool password_stdin = false;
};
int run_admin_create_user(const Settings& s, AdminArgs a);
int run_admin_reset_password(const Settings& s, AdminArgs a);
int run_admin_create_token(const Settings& s, const AdminArgs& a);
// Loads the demo organisation; `password` empty: "yunwei-demo".
int run_demo(const Settings& s, const std::string& password);

struct ImportCmdbArgs {
  std::string file;  // .csv or .json
  bool dry_run = false;
  std::string key;  // the matching attribute; "" = the name
  bool strict = false;
};
// Imports CIs and relations (cmdb/import.h) with a progress bar on a terminal, prints the
// summary and every rejected line; 1 when lines were rejected, 2 for a file it cannot read.
int run_import_cmdb(const Settings& s, const ImportCmdbArgs& a);

// Prints every API route with its access rule; JSON lines when `json`.
int run_routes(bool json);

// "yunwei 0.1.0 (commit abc1234)"
std::string version_string();

}  // namespace yunwei::app
