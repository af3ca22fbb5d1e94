#include "store/search/fts5.h"

#include <sqlite3.h>

#include <algorithm>

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

// yunwei_rank(table, w1, w2, ...): relevance of the current row, higher is better: for each
// query phrase and column, weight(column) * tf / (tf + 1.2) (term frequency, saturating as in
// BM25). Unlike bm25() it has no IDF, which FTS5 computes by walking the whole doclist of every
// phrase once per query (a word in a sixth of 1,000,000 documents costs milliseconds before the
// first row), and no length normalisation, which costs a %_docsize lookup per row. Weights past
// the given ones are 1.0.
void yunwei_rank(const Fts5ExtensionApi* api, Fts5Context* fts, sqlite3_context* ctx, int n_val,
                 sqlite3_value** values) {
  constexpr int kMaxPhrases = 64, kMaxColumns = 8;
  int phrases = std::min(api->xPhraseCount(fts), kMaxPhrases);
  int columns = std::min(api->xColumnCount(fts), kMaxColumns);
  int counts[kMaxPhrases][kMaxColumns] = {};
  int n_inst = 0;
  if (int rc = api->xInstCount(fts, &n_inst); rc != SQLITE_OK) {
    sqlite3_result_error_code(ctx, rc);
    return;
  }
  for (int i = 0; i < n_inst; ++i) {
    int phrase = 0, column = 0, offset = 0;
    if (api->xInst(fts, i, &phrase, &column, &offset) != SQLITE_OK) continue;
    if (phrase < phrases && column < columns) ++counts[phrase][column];
  }
  double score = 0;
  for (int c = 0; c < columns; ++c) {
    double weight = c < n_val ? sqlite3_value_double(values[c]) : 1.0;
    for (int p = 0; p < phrases; ++p) {
      double tf = counts[p][c];
      score += weight * tf / (tf + 1.2);
    }
  }
  sqlite3_result_double(ctx, score);
}

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
  rc = api->xCreateFunction(api, "yunwei_rank", nullptr, &yunwei_rank, nullptr);
  if (rc != SQLITE_OK) {
    return core::internal(std::string("cannot register yunwei_rank: ") + sqlite3_errstr(rc));
  }
  return {};
}

}  // namespace yunwei::store::search
