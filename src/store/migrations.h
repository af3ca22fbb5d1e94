#pragma once

#include <string>
#include <vector>

#include "core/clock.h"
#include "store/database.h"

namespace yunwei::store {

struct Migration {
  int version;
  std::string name;
  // Portable DDL: `{{ID}}` becomes the backend's auto-increment primary key, `{{INT}}` its
  // 64-bit integer type, and `{{SEARCH_INDEX table col1,col2}}` the full-text index of
  // store/search (an FTS5 table on SQLite, a tsvector table with a GIN index on PostgreSQL).
  std::string sql;
  // Run after `sql` on PostgreSQL only (sequences and the like), same placeholders.
  std::string postgres_sql = {};
};

// Every migration of the schema, in version order.
const std::vector<Migration>& all_migrations();

// The migrations not yet applied to `db`, in order.
core::Result<std::vector<Migration>> pending_migrations(Database& db);

// Applies the pending migrations, each in its own transaction. On PostgreSQL an advisory lock
// keeps two starting nodes from migrating at once. Returns the versions applied.
core::Result<std::vector<int>> migrate(Database& db, const core::Clock& clock);

// The backend-specific DDL of a migration (exposed for tests).
std::string render_migration_sql(const Migration& m, Backend backend);

}  // namespace yunwei::store
