#include "app/bootstrap.h"

#include <cstdlib>
#include <filesystem>

#include "change/settings.h"
#include "cmdb/relations.h"
#include "cmdb/type_service.h"
#include "core/crypto.h"
#include "identity/team_service.h"
#include "identity/user_service.h"
#include "sla/calendar_service.h"
#include "sla/policy.h"
#include "store/migrations.h"
#include "tickets/category_service.h"
#include "tickets/config.h"

namespace yunwei::app {

core::Result<std::unique_ptr<store::Database>> open_and_migrate(const Settings& s,
                                                                const core::Clock& clock,
                                                                bool migrate) {
  if (s.db.empty()) {
    std::error_code ec;
    std::filesystem::create_directories(s.data_dir, ec);
    if (ec) {
      return core::Error{core::ErrorCode::kUnavailable,
                         "cannot create data directory " + s.data_dir + ": " + ec.message()};
    }
  }
  store::OpenOptions o;
  o.url = s.database_url();
  o.pg_pool_size = s.db_pool;
  o.sqlite_readers = std::max(2, std::min(s.db_pool, 8));
  auto db = store::open_database(o);
  if (!db.ok()) return std::move(db).error();
  if (migrate) {
    auto applied = store::migrate(**db, clock);
    if (!applied.ok()) return std::move(applied).error();
  }
  return std::move(db).value();
}

core::Result<std::string> bootstrap_identity(store::Database& db, const core::Clock& clock,
                                             const identity::PasswordHasher& hasher) {
  store::Actor system{std::nullopt, "bootstrap"};
  identity::TeamService teams(db, clock);
  YW_TRY(teams.seed_default_teams(system));
  tickets::CategoryService categories(db, clock);
  YW_TRY(categories.seed_defaults(system));
  tickets::TicketConfig config(db, clock);
  YW_TRY(config.seed_defaults(system));
  sla::CalendarService calendars(db, clock);
  YW_TRY(calendars.seed_defaults(system));
  sla::PolicyService policies(db, clock);
  YW_TRY(policies.seed_defaults(system));
  cmdb::CiTypeService ci_types(db, clock);
  YW_TRY(ci_types.seed_defaults(system));
  cmdb::RelationService relations(db, clock);
  YW_TRY(relations.seed_defaults(system));
  YW_TRY(change::seed_settings(db, clock, system));

  auto count = store::read_tx<std::int64_t>(db, [](store::Tx& tx) -> core::Result<std::int64_t> {
    auto row = tx.query_row("SELECT COUNT(*) FROM users");
    if (!row.ok()) return std::move(row).error();
    return (*row)->i64(0);
  });
  if (!count.ok()) return std::move(count).error();
  if (*count > 0) return std::string();

  std::string password;
  bool generated = false;
  if (const char* env = std::getenv("YUNWEI_ADMIN_PASSWORD"); env && *env) {
    password = env;
  } else {
    password = core::random_token(12);
    generated = true;
  }
  identity::UserService users(db, clock, hasher);
  identity::NewUser admin;
  admin.username = "admin";
  admin.display_name = "Administrator";
  admin.roles = {"admin", "agent"};
  admin.password = password;
  auto created = users.create(system, admin);
  if (!created.ok()) {
    core::Error e = created.error();
    if (e.field == "password") e.message = "YUNWEI_ADMIN_PASSWORD " + e.message;
    return e;
  }
  return generated ? password : std::string("(from YUNWEI_ADMIN_PASSWORD)");
}

}  // namespace yunwei::app
