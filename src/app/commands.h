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

// Prints every API route with its access rule; JSON lines when `json`.
int run_routes(bool json);

// "yunwei 0.1.0 (commit abc1234)"
std::string version_string();

}  // namespace yunwei::app
