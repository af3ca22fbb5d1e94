#pragma once

#include <memory>
#include <string>

#include "app/settings.h"
#include "core/clock.h"
#include "identity/password.h"
#include "store/database.h"

namespace yunwei::app {

// Opens the configured database (creating the data directory for SQLite) and applies
// pending migrations. Errors are one printable line.
core::Result<std::unique_ptr<store::Database>> open_and_migrate(const Settings& s,
                                                                const core::Clock& clock,
                                                                bool migrate = true);

// First start: creates the default teams and, when there is no user yet, the `admin`
// account with YUNWEI_ADMIN_PASSWORD or a generated password. Returns the generated password
// (empty when none was generated).
core::Result<std::string> bootstrap_identity(store::Database& db, const core::Clock& clock,
                                             const identity::PasswordHasher& hasher);

}  // namespace yunwei::app
