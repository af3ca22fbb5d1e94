#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"
#include "store/database.h"
#include "store/search/tokenizer.h"

// Full-text search over a Tx without knowing the backend. A domain keeps one index per kind of
// document (tickets_fts, kb_fts, ...), creates it in a migration with create_index_sql(), writes
// to it with index_document()/remove_document() in the same transaction as the document (so the
// index never disagrees with the data and rolls back with it), and queries it either whole
// (search()) or as a piece of its own SELECT (match()).
namespace yunwei::store::search {

// A full-text index of documents keyed by an int64 id (usually the id of the indexed row), with
// text columns, the most important first ({"title", "body"}); columns 1-4 weigh 1.0, 0.4, 0.2,
// 0.1 in ranking. Table and column names are identifiers chosen by code, never user input.
//
// SQLite: `CREATE VIRTUAL TABLE <table> USING fts5(<columns>, tokenize='yunwei')`; the rowid is
// the id. PostgreSQL: `<table>(id BIGINT PRIMARY KEY, <columns> TEXT, search_vector TSVECTOR)`
// with a GIN index `<table>_search`. Both keep a copy of the text: snippets are cut from it and
// rebuild_index() re-tokenizes it. Columns are read as `<table>.<column>` on both backends.
struct IndexSpec {
  std::string table;
  std::vector<std::string> columns;
};

// The DDL creating the index, for a migration: `tx.exec_script(create_index_sql(...))`.
std::string create_index_sql(Backend backend, const IndexSpec& index);

struct Statement {
  std::string sql;
  Params params;
};

// Adds document `id` or replaces its text. `fields` follow index.columns (missing ones are
// empty; invalid UTF-8 and NUL bytes are dropped).
Statement upsert_statement(Backend backend, const IndexSpec& index, std::int64_t id,
                           const std::vector<std::string_view>& fields);
// Removes document `id` (no error when it is not indexed).
Statement delete_statement(Backend backend, const IndexSpec& index, std::int64_t id);

// Adds or replaces / removes document `id` in `index`, in `tx`: the change commits or rolls
// back with the document. PostgreSQL writes the index at once. SQLite queues the change in the
// table `search_queue` (in `tx`) and the database's writer applies queued changes in batches
// (apply_queued): when many are queued, a moment after the first, when
// Database::sync_search() asks, and at start-up for any that a crash left behind. FTS5 then
// writes one index segment per batch of changes rather than one per transaction, which is
// most of the cost of indexing. A search that must see every committed write calls
// Database::sync_search() before it opens its read transaction.
core::Status index_document(Tx& tx, const IndexSpec& index, std::int64_t id,
                            const std::vector<std::string_view>& fields);
core::Status remove_document(Tx& tx, const IndexSpec& index, std::int64_t id);

struct Applied {
  int applied = 0;    // index writes made (several queued changes of one document make one)
  bool more = false;  // changes are still queued beyond `limit`
};
// Applies the oldest `limit` queued changes (SQLite; nothing elsewhere) to their indexes and
// removes them from the queue, in `tx`. Changes for an index that no longer exists are dropped.
core::Result<Applied> apply_queued(Tx& tx, int limit);

// Re-tokenizes every stored document: needed after the tokenizer changes.
core::Status rebuild_index(Tx& tx, const IndexSpec& index);

// SQL pieces that restrict another query to the documents matching `query` and rank them:
//
//   Match m = match(tx.backend(), kTickets, q, "t.id");
//   sql = "SELECT t.id, " + m.score_sql + " AS score FROM tickets t" + m.join_sql +
//         " WHERE " + m.where_sql + " AND t.status = ? ORDER BY score DESC, t.id DESC LIMIT ?";
//   params = m.score_params + m.where_params + {status, limit}   (in SQL text order)
//
// That scores every match: ~1 µs each on SQLite, so a word in 25% of 1,000,000 documents costs
// ~300 ms. To rank only the newest N matches that pass the filters, order the inner query by
// doc_id_sql (FTS5 then walks its index backwards and stops after N; ordering by t.id instead
// would sort every match first):
//
//   "SELECT * FROM (SELECT t.id, " + m.score_sql + " AS score FROM tickets t" + m.join_sql +
//   " WHERE " + m.where_sql + " AND ... ORDER BY " + m.doc_id_sql + " DESC LIMIT ?) c" +
//   " ORDER BY score DESC, id DESC LIMIT ?"
//
// The index table joins under its own name (FTS5 cannot MATCH through an alias). An empty
// query matches nothing ("1 = 0").
struct Match {
  std::string join_sql;   // " JOIN <table> ON <table>.rowid = <id_sql>" (.id on PostgreSQL)
  std::string where_sql;  // "<table> MATCH ?" / "<table>.search_vector @@ ?::tsquery"
  Params where_params;
  std::string score_sql;  // relevance, higher is better: yunwei_rank(...) / ts_rank(...)
  Params score_params;
  std::string doc_id_sql;  // the index's document id: "<table>.rowid" / "<table>.id"
};
Match match(Backend backend, const IndexSpec& index, const Query& query, std::string_view id_sql);

struct SearchOptions {
  int limit = 20;
  // Rank only the newest `max_candidates` matches (highest ids). Bounds the cost of a very
  // common word, whose every match would otherwise be scored; 0 ranks all matches.
  int max_candidates = 0;
  int snippet_field = -1;  // the column to cut snippets from; -1: the one with most matches
  SnippetOptions snippet;
};

struct SearchHit {
  std::int64_t id = 0;
  double score = 0;     // higher is better; comparable within one search only
  std::string snippet;  // HTML-escaped, matches in <mark>...</mark> (see SnippetOptions)
};

// The best `limit` documents for `query`, best first (ties: higher id first). An empty query
// finds nothing.
core::Result<std::vector<SearchHit>> search(Tx& tx, const IndexSpec& index, const Query& query,
                                            const SearchOptions& options = {});

}  // namespace yunwei::store::search
