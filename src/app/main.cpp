#include <CLI/CLI.hpp>
#include <cstdio>
#include <cstdlib>
#include <cstring>

#include "app/commands.h"
#include "app/settings.h"

namespace {

using yunwei::app::Settings;

// Finds --config in argv or YUNWEI_CONFIG, before CLI11 parses, so the file's values can
// become the defaults that flags and environment variables then override.
std::string find_config(int argc, char** argv) {
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    if (a == "--config" && i + 1 < argc) return argv[i + 1];
    if (a.rfind("--config=", 0) == 0) return a.substr(9);
  }
  const char* env = std::getenv("YUNWEI_CONFIG");
  return env ? env : "";
}

void add_common(CLI::App* cmd, Settings& s) {
  cmd->add_option("--config", s.config_file, "TOML file with settings")->envname("YUNWEI_CONFIG");
  cmd->add_option("--data-dir", s.data_dir, "Directory for the SQLite database and attachments")
      ->envname("YUNWEI_DATA_DIR")
      ->capture_default_str();
  cmd->add_option("--db", s.db,
                  "PostgreSQL URL (postgres://user@host/db); default: SQLite in --data-dir")
      ->envname("YUNWEI_DB");
  cmd->add_option("--log-level", s.log_level, "trace, debug, info, warn, error or off")
      ->envname("YUNWEI_LOG_LEVEL")
      ->capture_default_str();
  cmd->add_option("--db-pool", s.db_pool, "Database connections (PostgreSQL pool size)")
      ->envname("YUNWEI_DB_POOL")
      ->capture_default_str();
  cmd->add_option("--password-cost", s.password_cost,
                  "argon2id cost: interactive, or minimum (tests only)")
      ->envname("YUNWEI_PASSWORD_COST")
      ->capture_default_str();
}

int fail(const std::string& message) {
  std::fprintf(stderr, "yunwei: %s\n", message.c_str());
  return 2;
}

}  // namespace

int main(int argc, char** argv) {
  Settings from_file;
  if (std::string cfg = find_config(argc, argv); !cfg.empty()) {
    if (auto st = yunwei::app::load_toml(cfg, from_file); !st.ok()) return fail(st.error().message);
  }
  // One Settings per subcommand: CLI11 applies YUNWEI_* variables to the options of every
  // subcommand, chosen or not, so options sharing one variable let the environment override
  // a flag given to the chosen subcommand.
  Settings serve_s = from_file, migrate_s = from_file, user_s = from_file, reset_s = from_file,
           token_s = from_file;

  CLI::App app{"Yunwei (运维): IT operations service management in one binary", "yunwei"};
  app.require_subcommand(1);
  app.set_help_all_flag("--help-all", "Help for every subcommand");

  CLI::App* serve =
      app.add_subcommand("serve", "Serve the HTTP API, web UI and background workers");
  add_common(serve, serve_s);
  serve->add_option("--listen", serve_s.listen, "HOST:PORT to listen on (port 0: any free port)")
      ->envname("YUNWEI_LISTEN")
      ->capture_default_str();
  serve
      ->add_option("--attachments-dir", serve_s.attachments_dir,
                   "Where attachments are stored (default: <data-dir>/attachments)")
      ->envname("YUNWEI_ATTACHMENTS_DIR");
  serve
      ->add_option("--demo-if-empty", serve_s.demo_if_empty,
                   "Load the demo organisation when the database is new (true/false)")
      ->envname("YUNWEI_DEMO_IF_EMPTY");
  serve
      ->add_option("--auto-close-interval-ms", serve_s.auto_close_interval_ms,
                   "How often resolved tickets are checked for auto-close")
      ->envname("YUNWEI_AUTO_CLOSE_INTERVAL_MS")
      ->capture_default_str();
  serve
      ->add_option("--sla-interval-ms", serve_s.sla_interval_ms,
                   "How often the SLA worker reads new events and fires due thresholds")
      ->envname("YUNWEI_SLA_INTERVAL_MS")
      ->capture_default_str();
  serve->add_flag("--test-clock", serve_s.test_clock,
                  "For tests only: POST /api/v1/test/clock moves the server's clock forward");
  serve->add_option("--io-threads", serve_s.io_threads, "I/O threads (0: one per core)")
      ->envname("YUNWEI_IO_THREADS");
  serve
      ->add_option("--workers", serve_s.workers,
                   "Request worker threads (0: 32 per core, at least 96)")
      ->envname("YUNWEI_WORKERS");
  serve->add_option("--max-body-bytes", serve_s.max_body_bytes, "Largest request body accepted")
      ->envname("YUNWEI_MAX_BODY_BYTES")
      ->capture_default_str();
  serve->add_option("--idle-timeout-ms", serve_s.idle_timeout_ms, "Keep-alive idle timeout")
      ->envname("YUNWEI_IDLE_TIMEOUT_MS")
      ->capture_default_str();
  serve
      ->add_option("--header-timeout-ms", serve_s.header_timeout_ms,
                   "Time allowed to send request headers")
      ->envname("YUNWEI_HEADER_TIMEOUT_MS")
      ->capture_default_str();
  serve
      ->add_option("--body-timeout-ms", serve_s.body_timeout_ms,
                   "Time allowed to send a body / read a response")
      ->envname("YUNWEI_BODY_TIMEOUT_MS")
      ->capture_default_str();
  serve
      ->add_option("--shutdown-timeout-ms", serve_s.shutdown_timeout_ms,
                   "Grace period for in-flight requests")
      ->envname("YUNWEI_SHUTDOWN_TIMEOUT_MS")
      ->capture_default_str();
  serve
      ->add_option("--access-log", serve_s.access_log,
                   "Log one line per request on stdout (true/false)")
      ->envname("YUNWEI_ACCESS_LOG")
      ->capture_default_str();
  serve
      ->add_option("--cookie-secure", serve_s.cookie_secure,
                   "Mark the session cookie Secure (behind HTTPS)")
      ->envname("YUNWEI_COOKIE_SECURE");

  CLI::App* migrate = app.add_subcommand("migrate", "Apply database migrations");
  add_common(migrate, migrate_s);
  bool dry_run = false;
  migrate->add_flag("--dry-run", dry_run, "List pending migrations without applying them");

  CLI::App* admin =
      app.add_subcommand("admin", "Manage users and API tokens from the command line");
  admin->require_subcommand(1);
  yunwei::app::AdminArgs args;
  CLI::App* create_user = admin->add_subcommand("create-user", "Create a user");
  add_common(create_user, user_s);
  create_user->add_option("--username", args.username, "Login name")->required();
  create_user->add_option("--display-name", args.display_name, "Name shown to others");
  create_user->add_option("--email", args.email, "Email address");
  create_user->add_option("--roles", args.roles, "admin, agent, approver, requester, auditor")
      ->delimiter(',')
      ->default_val(std::vector<std::string>{"agent"});
  create_user->add_option("--password", args.password,
                          "Password (else one is generated and printed)");
  create_user->add_flag("--password-stdin", args.password_stdin,
                        "Read the password from standard input");
  CLI::App* reset = admin->add_subcommand("reset-password", "Set a new password for a user");
  add_common(reset, reset_s);
  reset->add_option("--username", args.username, "Login name")->required();
  reset->add_option("--password", args.password,
                    "New password (else one is generated and printed)");
  reset->add_flag("--password-stdin", args.password_stdin, "Read the password from standard input");
  CLI::App* token = admin->add_subcommand("create-token", "Issue an API token for a user");
  add_common(token, token_s);
  token->add_option("--username", args.username, "Owner of the token")->required();
  token->add_option("--name", args.token_name, "What the token is for")->default_val("cli");

  CLI::App* demo = app.add_subcommand("demo", "Load the demo organisation (people and teams)");
  Settings demo_s = from_file;
  add_common(demo, demo_s);
  std::string demo_password;
  demo->add_option("--password", demo_password, "Password of every demo account")
      ->default_str("yunwei-demo");

  CLI::App* import = app.add_subcommand("import", "Import data from a file");
  import->require_subcommand(1);
  CLI::App* import_cmdb =
      import->add_subcommand("cmdb", "Import CIs and relations from a CSV or JSON file");
  Settings import_s = from_file;
  add_common(import_cmdb, import_s);
  yunwei::app::ImportCmdbArgs import_args;
  import_cmdb->add_option("FILE", import_args.file, "FILE.csv or FILE.json")->required();
  import_cmdb->add_flag("--dry-run", import_args.dry_run,
                        "Check everything and report what would change; change nothing");
  import_cmdb->add_option("--key", import_args.key,
                          "Attribute that matches lines to existing CIs (default: the name)");
  import_cmdb->add_flag("--strict", import_args.strict, "Import nothing if any line is rejected");

  app.add_subcommand("version", "Print the version");
  CLI::App* routes = app.add_subcommand("routes", "List the API routes and who may call them");
  bool routes_json = false;
  routes->add_flag("--json", routes_json, "One JSON object per line");

  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    std::string what = e.what();
    return fail(what + " (see yunwei --help)");
  }

  if (app.got_subcommand("version")) {
    std::printf("%s\n", yunwei::app::version_string().c_str());
    return 0;
  }
  if (routes->parsed()) return yunwei::app::run_routes(routes_json);
  const Settings* s = serve->parsed()         ? &serve_s
                      : migrate->parsed()     ? &migrate_s
                      : create_user->parsed() ? &user_s
                      : reset->parsed()       ? &reset_s
                      : token->parsed()       ? &token_s
                      : demo->parsed()        ? &demo_s
                      : import_cmdb->parsed() ? &import_s
                                              : nullptr;
  if (!s) return fail("unknown command");
  if (auto st = s->validate(); !st.ok()) return fail(st.error().message);
  if (serve->parsed()) return yunwei::app::run_serve(*s);
  if (migrate->parsed()) return yunwei::app::run_migrate(*s, dry_run);
  if (create_user->parsed()) return yunwei::app::run_admin_create_user(*s, args);
  if (reset->parsed()) return yunwei::app::run_admin_reset_password(*s, args);
  if (token->parsed()) return yunwei::app::run_admin_create_token(*s, args);
  if (demo->parsed()) return yunwei::app::run_demo(*s, demo_password);
  if (import_cmdb->parsed()) return yunwei::app::run_import_cmdb(*s, import_args);
  return fail("unknown command");
}
