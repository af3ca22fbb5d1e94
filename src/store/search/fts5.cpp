#include "store/search/fts5.h"

#include <sqlite3.h>

#include "store/search/tokenizer.h"

namespace yunwei::store::search {
namespace {

using XToken = int (*)(void*, int, const char*, int, int, int);

// FTS5 needs a non-null tokenizer instance; this one has no state.
Fts5Tokenizer* instance() {
  static char dummy;
  return reinterpret_cast<Fts5Tokenizer*>(&dummy);
}

int x_create(void*, const char**, int, Fts5Tokenizer** out) {
  *out = instance();
  return SQLITE_OK;
}

void x_delete(Fts5Tokenizer*) {}

struct Forward {
  void* fts5_context;
  XToken x_token;
  int rc = SQLITE_OK;
};

bool forward(void* context, const TokenView& t) {
  auto* f = static_cast<Forward*>(context);
  f->rc = f->x_token(f->fts5_context, t.colocated ? FTS5_TOKEN_COLOCATED : 0, t.text.data(),
                     static_cast<int>(t.text.size()), static_cast<int>(t.start),
                     static_cast<int>(t.end));
  return f->rc == SQLITE_OK;
}

int x_tokenize(Fts5Tokenizer*, void* context, int flags, const char* text, int size,
               XToken x_token) {
  if (size <= 0 || text == nullptr) return SQLITE_OK;
  Forward f{context, x_token};
  // FTS5_TOKENIZE_DOCUMENT and FTS5_TOKENIZE_AUX (highlight/snippet) must see the same tokens.
  Mode mode = (flags & FTS5_TOKENIZE_QUERY) ? Mode::kQuery : Mode::kDocument;
  for_each_token(std::string_view(text, static_cast<std::size_t>(size)), mode, forward, &f);
  return f.rc;
}

const fts5_tokenizer kTokenizer = {x_create, x_delete, x_tokenize};

}  // namespace

core::Status register_fts5_tokenizer(sqlite3* db) {
  fts5_api* api = nullptr;
  sqlite3_stmt* stmt = nullptr;
  if (sqlite3_prepare_v2(db, "SELECT fts5(?1)", -1, &stmt, nullptr) == SQLITE_OK) {
    sqlite3_bind_pointer(stmt, 1, static_cast<void*>(&api), "fts5_api_ptr", nullptr);
    sqlite3_step(stmt);
  }
  sqlite3_finalize(stmt);
  if (api == nullptr || api->iVersion < 2) {
    return core::internal("SQLite has no FTS5 (needs SQLITE_ENABLE_FTS5)");
  }
  // FTS5 copies the struct; the API just is not const-correct.
  int rc = api->xCreateTokenizer(api, "yunwei", nullptr, const_cast<fts5_tokenizer*>(&kTokenizer),
                                 nullptr);
  if (rc != SQLITE_OK) {
    return core::internal(std::string("cannot register the FTS5 tokenizer: ") + sqlite3_errstr(rc));
  }
  return {};
}

}  // namespace yunwei::store::search
