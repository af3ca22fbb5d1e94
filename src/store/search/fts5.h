#pragma once

#include "core/result.h"

struct sqlite3;

namespace yunwei::store::search {

// Registers the search tokenizer (tokenizer.h) as the FTS5 tokenizer `yunwei` on `db`, so
// `CREATE VIRTUAL TABLE x USING fts5(..., tokenize='yunwei')` and MATCH on such tables work on
// this connection. Every connection that touches such a table needs it (FTS5 looks the
// tokenizer up per connection). Documents and highlight() get document tokens; MATCH strings
// get query tokens (parse_query's). kInternal when the library was built without FTS5.
core::Status register_fts5_tokenizer(sqlite3* db);

}  // namespace yunwei::store::search
