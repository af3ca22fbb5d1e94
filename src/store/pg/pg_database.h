#pragma once

#include <memory>
#include <string>

#include "store/database.h"

namespace yunwei::store::pg {

// Opens a pool of `options.pg_pool_size` libpq connections to `options.url`.
// kUnavailable when the first connection fails (the message names host and database only).
core::Result<std::unique_ptr<Database>> open_pg(const OpenOptions& options);

// Rewrites `?` placeholders to `$1, $2, ...`, leaving quoted literals and identifiers alone.
std::string rewrite_placeholders(std::string_view sql);

// "postgres://user:secret@host/db" -> "postgres://user@host/db".
std::string redact_url(std::string_view url);

}  // namespace yunwei::store::pg
