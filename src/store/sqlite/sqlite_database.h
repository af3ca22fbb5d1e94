#pragma once

#include <memory>

#include "store/database.h"

namespace yunwei::store::sqlite {

// Opens a SQLite database file in WAL mode with one writer connection and
// `options.sqlite_readers` reader connections. kUnavailable if the file cannot be opened.
core::Result<std::unique_ptr<Database>> open_sqlite(const OpenOptions& options);

}  // namespace yunwei::store::sqlite
