#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

// The one tokenizer of full-text search, used the same way for documents and queries on every
// backend (SQLite FTS5 calls it as the custom tokenizer `yunwei`; PostgreSQL gets its tokens as
// tsvector/tsquery literals).
//
// - CJK runs (Han incl. extensions and compatibility ideographs, kana, Hangul; CJK punctuation
//   excluded) give every character (unigram) and every overlapping pair (bigram), so one- and
//   two-character words (慢, 网络) match.
// - Other text gives lower-cased words: ASCII lower-casing, full-width ASCII folded to
//   half-width first. Letters outside ASCII (é, я) belong to words and keep their case.
// - Codes: word characters joined by single `.` `-` `_` `:` `/` (10.10.0.1, ORA-00600,
//   INC-000123, v2.3.1) give the whole code, each part (ora, 00600) and every run of two or
//   more consecutive parts (so 10.10.0.1 also matches inside 10.10.0.1:8080; codes of more
//   than 8 parts get runs of up to 4 parts only, plus the whole).
// - Words and codes longer than kMaxTokenBytes are cut there (at a character boundary, without
//   a trailing joiner), alike in documents and queries. Bytes that are not valid UTF-8
//   separate tokens and are skipped.
//
// Positions: a CJK run takes one position per character (the bigram starting at a character
// shares its position); a code takes one position per part (the whole code and the runs
// starting at a part share that part's position); a word takes one. So the bigrams of a
// phrase, and the parts of a code, sit on consecutive positions.
namespace yunwei::store::search {

inline constexpr std::size_t kMaxTokenBytes = 100;

struct Token {
  std::string text;        // normalised: what is indexed and compared
  std::size_t start = 0;   // byte offset of its first source byte
  std::size_t end = 0;     // byte offset one past its last source byte
  int position = 0;        // 0-based; colocated tokens share one
  bool colocated = false;  // shares the position of the token before it
};

// The tokens of a document, in order. Never fails; empty input gives none.
std::vector<Token> tokenize(std::string_view text);

enum class Mode {
  kDocument,  // everything above, for indexing and highlighting
  kQuery,     // what a query needs: see parse_query
};

// The same tokens without allocating one string per token. `text` views a buffer that is
// valid only during the call. Return false from the sink to stop.
struct TokenView {
  std::string_view text;
  std::size_t start = 0;
  std::size_t end = 0;
  int position = 0;
  bool colocated = false;
};
using TokenSink = bool (*)(void* context, const TokenView& token);
void for_each_token(std::string_view text, Mode mode, TokenSink sink, void* context);

// One required term of a query: a single token, or a phrase of tokens that must sit on
// consecutive positions (the bigrams of a CJK run of three or more characters).
struct Term {
  std::vector<std::string> tokens;
  bool operator==(const Term&) const = default;
};

// A parsed user query: all terms required (AND). Empty when the text has no token.
struct Query {
  std::vector<Term> terms;
  bool empty() const { return terms.empty(); }
};

inline constexpr std::size_t kMaxQueryTokens = 64;

// Splits a user's search text: a CJK run of one character needs that unigram, a longer run its
// bigrams as a phrase; a word needs itself; a code needs its whole (so `00600` finds
// ORA-00600 through the part and `ORA-00600` through the whole). Duplicate terms are dropped;
// tokens past kMaxQueryTokens are ignored. Nothing the user types is an operator.
Query parse_query(std::string_view text);

// An FTS5 MATCH expression: every term double-quoted (quotes doubled) and ANDed, e.g.
// `"磁盘 盘空 空间" AND "ora-00600"`. The FTS5 tokenizer turns each quoted string back into the
// same tokens. "" for an empty query (which must not be run: FTS5 rejects it).
std::string to_fts5_match(const Query& query);

// A PostgreSQL tsquery literal, e.g. `'磁盘' <-> '盘空' <-> '空间' & 'ora-00600'`: lexemes quoted
// and escaped, phrases joined with <->, terms with &. Bind it as `?::tsquery`, not through
// to_tsquery(), whose parser would split `10.10.0.1` and `ora-00600` again. "" when empty.
std::string to_tsquery(const Query& query);

// A PostgreSQL tsvector literal of a document's fields (bind as `?::tsvector`): every token
// quoted, with 1-based positions and a weight per field (A for the first, then B, C, D). Fields
// are kept two positions apart so no phrase spans two fields. PostgreSQL's own limits are
// respected: positions above 16383 are clamped to it, a lexeme keeps its first 256 positions,
// and lexemes that would grow the value past ~1 MB are left out.
std::string to_tsvector(const std::vector<std::string_view>& fields);

// A byte range of matched text.
struct Span {
  std::size_t start = 0;
  std::size_t end = 0;
  bool operator==(const Span&) const = default;
};

// Where the query's terms occur in `text` (one field), sorted, overlaps merged.
std::vector<Span> match_spans(const Query& query, std::string_view text);

struct SnippetOptions {
  std::size_t max_chars = 80;  // characters (code points) of source text shown
  std::string_view open = "<mark>";
  std::string_view close = "</mark>";
  std::string_view ellipsis = "…";
};

// `text` as HTML-escaped text on one line (white space collapsed, control characters and
// invalid UTF-8 dropped) with every match wrapped in open/close.
std::string highlight(const Query& query, std::string_view text,
                      const SnippetOptions& options = {});

// Like highlight(), cut to about max_chars characters around the window with the most
// matched terms; the ellipsis marks cut ends. Without a match, the start of the text.
std::string snippet(const Query& query, std::string_view text, const SnippetOptions& options = {});

// The snippet of the field with the most matched terms (ties: the earlier field).
std::string best_snippet(const Query& query, const std::vector<std::string_view>& fields,
                         const SnippetOptions& options = {});

}  // namespace yunwei::store::search
