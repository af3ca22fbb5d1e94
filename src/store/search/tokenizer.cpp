#include "store/search/tokenizer.h"

#include <algorithm>
#include <cstdint>
#include <unordered_map>
#include <utility>

#include "core/text.h"

namespace yunwei::store::search {
namespace {

// PostgreSQL's limits for a tsvector (tsearch/ts_type.h): MAXENTRYPOS, MAXNUMPOS, and the
// 1 MB value size (kept well below).
constexpr int kPgMaxPosition = 16383;
constexpr std::size_t kPgMaxPositions = 256;
constexpr std::size_t kPgVectorBudget = 900 * 1024;

// More than this many parts: runs of up to kLongCodeSpan parts only (plus the whole).
constexpr std::size_t kAllSpansParts = 8;
constexpr std::size_t kLongCodeSpan = 4;

using Decoded = core::DecodedUtf8;

Decoded decode(std::string_view s, std::size_t i) { return core::decode_utf8(s, i); }

void append_utf8(std::string& out, char32_t cp) {
  if (cp < 0x80) {
    out += static_cast<char>(cp);
  } else if (cp < 0x800) {
    out += static_cast<char>(0xC0 | (cp >> 6));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else if (cp < 0x10000) {
    out += static_cast<char>(0xE0 | (cp >> 12));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else {
    out += static_cast<char>(0xF0 | (cp >> 18));
    out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  }
}

// Full-width ASCII to half-width; the ideographic space to a space.
char32_t fold(char32_t cp) {
  if (cp >= 0xFF01 && cp <= 0xFF5E) return cp - 0xFEE0;
  if (cp == 0x3000) return U' ';
  return cp;
}

enum class Class { kSeparator, kWord, kJoiner, kCjk };

bool in(char32_t c, char32_t lo, char32_t hi) { return c >= lo && c <= hi; }

bool is_cjk(char32_t c) {
  return in(c, 0x4E00, 0x9FFF) ||                             // unified ideographs
         in(c, 0x3400, 0x4DBF) ||                             // extension A
         in(c, 0x20000, 0x323AF) ||                           // extensions B-H, compat. supp.
         in(c, 0xF900, 0xFAFF) ||                             // compatibility ideographs
         in(c, 0x2E80, 0x2FDF) || in(c, 0x31C0, 0x31EF) ||    // radicals, strokes
         in(c, 0x3005, 0x3007) || in(c, 0x3021, 0x3029) ||    // 々〆〇, Hangzhou numerals
         in(c, 0x3041, 0x309F) ||                             // hiragana
         (in(c, 0x30A1, 0x30FF) && c != 0x30FB) ||            // katakana without ・
         in(c, 0x31F0, 0x31FF) || in(c, 0x1B000, 0x1B16F) ||  // kana extensions
         in(c, 0xFF66, 0xFF9F) ||                             // half-width katakana
         in(c, 0x3100, 0x312F) || in(c, 0x31A0, 0x31BF) ||    // bopomofo
         in(c, 0xAC00, 0xD7AF) || in(c, 0x1100, 0x11FF) ||    // Hangul syllables, jamo
         in(c, 0x3131, 0x318F) || in(c, 0xA960, 0xA97F) ||    // compatibility jamo, ext. A
         in(c, 0xD7B0, 0xD7FF) || in(c, 0xFFA0, 0xFFDC);      // ext. B, half-width Hangul
}

// Punctuation, symbols, spaces and emoji outside ASCII.
bool is_separator(char32_t c) {
  return in(c, 0x80, 0xBF) || c == 0xD7 || c == 0xF7 ||     // Latin-1 controls, signs, × ÷
         in(c, 0x2000, 0x2BFF) ||                           // punctuation, symbols, arrows, boxes
         in(c, 0x2E00, 0x2E7F) ||                           // supplemental punctuation
         in(c, 0x3000, 0x303F) ||                           // CJK symbols and punctuation
         in(c, 0xFE00, 0xFE6F) ||                           // variation selectors, CJK forms
         in(c, 0xFF00, 0xFFEF) || in(c, 0xFFF0, 0xFFFF) ||  // full-width punctuation, specials
         c == 0xFEFF || in(c, 0xE000, 0xF8FF) ||            // BOM, private use
         in(c, 0x1F000, 0x1FAFF) || in(c, 0xE0000, 0xE007F) ||  // emoji, tags
         in(c, 0xF0000, 0x10FFFF);                              // private use planes
}

// `c` already folded.
Class classify(char32_t c) {
  if (c < 0x80) {
    if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')) {
      return Class::kWord;
    }
    if (c == '.' || c == '-' || c == '_' || c == ':' || c == '/') return Class::kJoiner;
    return Class::kSeparator;
  }
  if (is_cjk(c)) return Class::kCjk;
  if (is_separator(c)) return Class::kSeparator;
  return Class::kWord;
}

bool is_joiner_byte(char c) { return c == '.' || c == '-' || c == '_' || c == ':' || c == '/'; }

// At most kMaxTokenBytes, cut at a character boundary, without a trailing joiner (so the cut
// token tokenizes to itself again).
std::string_view cut(std::string_view s) {
  if (s.size() <= kMaxTokenBytes) return s;
  std::size_t n = kMaxTokenBytes;
  while (n > 0 && (static_cast<unsigned char>(s[n]) & 0xC0) == 0x80) --n;
  while (n > 0 && is_joiner_byte(s[n - 1])) --n;
  return s.substr(0, n);
}

struct Char {
  std::size_t start = 0, end = 0;
};

struct Part {
  std::size_t start = 0, end = 0;
  std::string text;  // normalised
};

// Walks the text once and reports tokens; `run_end` (optional) after each CJK run or word/code.
class Scanner {
 public:
  Scanner(std::string_view text, Mode mode, TokenSink sink, void* context,
          void (*run_end)(void*) = nullptr)
      : text_(text), mode_(mode), sink_(sink), context_(context), run_end_(run_end) {}

  void run() {
    std::size_t i = 0;
    while (i < text_.size() && !stopped_) {
      Decoded d = decode(text_, i);
      if (!d.ok) {
        ++i;
        continue;
      }
      Class c = classify(fold(d.cp));
      if (c == Class::kCjk) {
        i = cjk_run(i);
      } else if (c == Class::kWord) {
        i = word_run(i);
      } else {
        i += d.len;
      }
      if (c != Class::kSeparator && c != Class::kJoiner && run_end_ && !stopped_) {
        run_end_(context_);
      }
    }
  }

 private:
  void emit(std::string_view token, std::size_t start, std::size_t end, bool colocated) {
    if (stopped_) return;
    TokenView t{token, start, end, position_, colocated};
    if (!sink_(context_, t)) stopped_ = true;
  }

  std::size_t cjk_run(std::size_t i) {
    chars_.clear();
    while (i < text_.size()) {
      Decoded d = decode(text_, i);
      if (!d.ok || classify(fold(d.cp)) != Class::kCjk) break;
      chars_.push_back({i, i + d.len});
      i += d.len;
    }
    std::size_t n = chars_.size();
    auto slice = [&](std::size_t a, std::size_t b) {
      return text_.substr(chars_[a].start, chars_[b].end - chars_[a].start);
    };
    if (mode_ == Mode::kQuery) {
      if (n == 1) {
        emit(slice(0, 0), chars_[0].start, chars_[0].end, false);
        ++position_;
      }
      for (std::size_t k = 0; k + 1 < n; ++k) {
        emit(slice(k, k + 1), chars_[k].start, chars_[k + 1].end, false);
        ++position_;
      }
      return i;
    }
    // The bigram leads its position: FTS5's highlight() uses the offsets of the first token at
    // a position, and two-character words are the common query.
    for (std::size_t k = 0; k < n; ++k) {
      if (k + 1 < n) {
        emit(slice(k, k + 1), chars_[k].start, chars_[k + 1].end, false);
        emit(slice(k, k), chars_[k].start, chars_[k].end, true);
      } else {
        emit(slice(k, k), chars_[k].start, chars_[k].end, false);
      }
      ++position_;
    }
    return i;
  }

  // The class of the (folded) character at i, kSeparator for invalid bytes or the end.
  Class class_at(std::size_t i, Decoded* out = nullptr) const {
    if (i >= text_.size()) return Class::kSeparator;
    Decoded d = decode(text_, i);
    if (out) *out = d;
    if (!d.ok) return Class::kSeparator;
    return classify(fold(d.cp));
  }

  std::size_t word_run(std::size_t i) {
    std::size_t parts = 0;
    joiners_.clear();
    while (true) {
      if (parts_.size() <= parts) parts_.emplace_back();
      Part& p = parts_[parts++];
      p.text.clear();
      p.start = i;
      Decoded d;
      while (class_at(i, &d) == Class::kWord) {
        char32_t f = fold(d.cp);
        if (f >= 'A' && f <= 'Z') f = f - U'A' + U'a';
        append_utf8(p.text, f);
        i += d.len;
      }
      p.end = i;
      if (class_at(i, &d) != Class::kJoiner) break;
      Decoded next;
      if (class_at(i + d.len, &next) != Class::kWord) break;
      joiners_.push_back(static_cast<char>(fold(d.cp)));
      i += d.len;
    }
    emit_word(parts);
    return i;
  }

  void emit_word(std::size_t n) {
    if (n == 1) {
      emit(cut(parts_[0].text), parts_[0].start, parts_[0].end, false);
      ++position_;
      return;
    }
    if (mode_ == Mode::kQuery) {
      span_.clear();
      for (std::size_t k = 0; k < n && span_.size() <= kMaxTokenBytes; ++k) {
        if (k > 0) span_ += joiners_[k - 1];
        span_ += parts_[k].text;
      }
      emit(cut(span_), parts_[0].start, parts_[n - 1].end, false);
      ++position_;
      return;
    }
    for (std::size_t k = 0; k < n; ++k) {
      emit(cut(parts_[k].text), parts_[k].start, parts_[k].end, false);
      span_ = parts_[k].text;
      std::size_t emitted = cut(span_).size();
      for (std::size_t j = k + 1; j < n; ++j) {
        // Past the limit every longer span from this part cuts to the same token.
        if (span_.size() > kMaxTokenBytes) break;
        span_ += joiners_[j - 1];
        span_ += parts_[j].text;
        std::size_t len = j - k + 1;
        bool whole = k == 0 && j == n - 1;
        if (n <= kAllSpansParts || len <= kLongCodeSpan || whole ||
            (k == 0 && span_.size() > kMaxTokenBytes)) {
          std::string_view token = cut(span_);
          // A cut can fall back to the token before (it drops a trailing joiner).
          if (token.size() > emitted) {
            emit(token, parts_[k].start, parts_[j].end, true);
            emitted = token.size();
          }
        } else if (k != 0) {
          break;  // only the whole is wanted past kLongCodeSpan, and it starts at part 0
        }
      }
      ++position_;
    }
  }

  std::string_view text_;
  Mode mode_;
  TokenSink sink_;
  void* context_;
  void (*run_end_)(void*);
  bool stopped_ = false;
  int position_ = 0;
  std::vector<Char> chars_;
  std::vector<Part> parts_;  // reused; only the first `n` of a run are live
  std::vector<char> joiners_;
  std::string span_;
};

// HTML escaping and white-space folding of a slice of text, with markers at span edges.
class Renderer {
 public:
  Renderer(std::string_view text, const SnippetOptions& options, std::string& out)
      : text_(text), options_(options), out_(out) {}

  void render(std::size_t from, std::size_t to, const std::vector<Span>& spans) {
    auto span = std::lower_bound(spans.begin(), spans.end(), from,
                                 [](const Span& s, std::size_t at) { return s.end <= at; });
    bool open = false;
    std::size_t i = from;
    while (i < to) {
      if (open && i >= span->end) {
        out_ += options_.close;
        open = false;
        ++span;
      }
      if (!open && span != spans.end() && i >= span->start && i < span->end) {
        flush_space();
        out_ += options_.open;
        open = true;
      }
      Decoded d = decode(text_, i);
      if (!d.ok) {
        ++i;
        continue;
      }
      char32_t c = d.cp;
      if (c < 0x20 || c == U' ' || (c >= 0x7F && c <= 0x9F)) {
        space_ = started_;
      } else {
        flush_space();
        started_ = true;
        switch (c) {
          case U'&':
            out_ += "&amp;";
            break;
          case U'<':
            out_ += "&lt;";
            break;
          case U'>':
            out_ += "&gt;";
            break;
          case U'"':
            out_ += "&quot;";
            break;
          case U'\'':
            out_ += "&#39;";
            break;
          default:
            out_.append(text_.substr(i, d.len));
        }
      }
      i += d.len;
    }
    if (open) out_ += options_.close;
  }

 private:
  void flush_space() {
    if (space_ && started_) out_ += ' ';
    space_ = false;
  }

  std::string_view text_;
  const SnippetOptions& options_;
  std::string& out_;
  bool space_ = false;
  bool started_ = false;
};

bool is_continuation(std::string_view s, std::size_t i) {
  return i < s.size() && (static_cast<unsigned char>(s[i]) & 0xC0) == 0x80;
}

std::size_t forward_chars(std::string_view s, std::size_t i, std::size_t n) {
  while (i < s.size() && n > 0) {
    ++i;
    while (is_continuation(s, i)) ++i;
    --n;
  }
  return i;
}

std::size_t back_chars(std::string_view s, std::size_t i, std::size_t n) {
  while (i > 0 && n > 0) {
    --i;
    while (i > 0 && is_continuation(s, i)) --i;
    --n;
  }
  return i;
}

std::size_t count_chars(std::string_view s, std::size_t from, std::size_t to) {
  std::size_t n = 0;
  for (std::size_t i = from; i < to; ++i) {
    if (!is_continuation(s, i)) ++n;
  }
  return n;
}

bool is_ascii_alnum(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

// Matches with the terms each covers (bit k = term k, the first 64 terms).
struct Hit {
  Span span;
  std::uint64_t terms = 0;
};

std::vector<Hit> find_hits(const Query& query, std::string_view text) {
  std::vector<Hit> hits;
  if (query.empty() || text.empty()) return hits;
  std::vector<Token> tokens = tokenize(text);
  std::unordered_map<std::string_view, std::vector<std::size_t>> where;
  for (std::size_t k = 0; k < tokens.size(); ++k) where[tokens[k].text].push_back(k);
  for (std::size_t t = 0; t < query.terms.size(); ++t) {
    const std::vector<std::string>& phrase = query.terms[t].tokens;
    if (phrase.empty()) continue;
    auto first = where.find(phrase[0]);
    if (first == where.end()) continue;
    std::uint64_t bit = t < 64 ? std::uint64_t{1} << t : 0;
    for (std::size_t k : first->second) {
      std::size_t last = k;
      bool ok = true;
      for (std::size_t j = 1; j < phrase.size() && ok; ++j) {
        auto next = where.find(phrase[j]);
        ok = false;
        if (next == where.end()) break;
        int want = tokens[k].position + static_cast<int>(j);
        // Occurrences are in position order.
        auto at =
            std::lower_bound(next->second.begin(), next->second.end(), want,
                             [&](std::size_t idx, int pos) { return tokens[idx].position < pos; });
        if (at != next->second.end() && tokens[*at].position == want) {
          last = *at;
          ok = true;
        }
      }
      if (ok) hits.push_back({{tokens[k].start, tokens[last].end}, bit});
    }
  }
  std::sort(hits.begin(), hits.end(),
            [](const Hit& a, const Hit& b) { return a.span.start < b.span.start; });
  std::vector<Hit> merged;
  for (const Hit& h : hits) {
    if (!merged.empty() && h.span.start <= merged.back().span.end) {
      merged.back().span.end = std::max(merged.back().span.end, h.span.end);
      merged.back().terms |= h.terms;
    } else {
      merged.push_back(h);
    }
  }
  return merged;
}

int popcount(std::uint64_t x) {
  int n = 0;
  for (; x; x &= x - 1) ++n;
  return n;
}

struct Window {
  std::size_t first = 0;  // index of the first hit
  std::size_t last = 0;   // index one past the last hit that fits
  int terms = 0;
};

// The run of hits starting at a hit that fits in max_chars with the most distinct terms, then
// the most hits; the earliest on ties.
Window best_window(std::string_view text, const std::vector<Hit>& hits, std::size_t max_chars) {
  Window best;
  std::size_t best_count = 0;
  for (std::size_t a = 0; a < hits.size(); ++a) {
    std::size_t limit = forward_chars(text, hits[a].span.start, max_chars);
    std::uint64_t terms = 0;
    std::size_t b = a;
    while (b < hits.size() && (b == a || hits[b].span.end <= limit)) terms |= hits[b++].terms;
    int n = popcount(terms);
    if (a == 0 || n > best.terms || (n == best.terms && b - a > best_count)) {
      best = {a, b, n};
      best_count = b - a;
    }
  }
  return best;
}

std::vector<Span> spans_of(const std::vector<Hit>& hits) {
  std::vector<Span> spans;
  spans.reserve(hits.size());
  for (const Hit& h : hits) spans.push_back(h.span);
  return spans;
}

std::string snippet_of(std::string_view text, const std::vector<Hit>& hits,
                       const SnippetOptions& options) {
  std::size_t from = 0;
  std::size_t to = forward_chars(text, 0, options.max_chars);
  if (!hits.empty()) {
    Window w = best_window(text, hits, options.max_chars);
    std::size_t used_end = std::max(hits[w.last - 1].span.end, hits[w.first].span.start);
    std::size_t used = count_chars(text, hits[w.first].span.start, used_end);
    std::size_t slack = options.max_chars > used ? options.max_chars - used : 0;
    from = back_chars(text, hits[w.first].span.start, slack / 3);
    to = forward_chars(text, from, options.max_chars);
    if (to == text.size()) {
      // Near the end: spend the rest of the budget before the match instead.
      from = back_chars(text, to, options.max_chars);
      from = std::min(from, hits[w.first].span.start);
    }
  }
  // Do not cut ASCII words: widen to the word's edge when it is near, else narrow.
  if (from > 0 && is_ascii_alnum(text[from - 1]) && is_ascii_alnum(text[from])) {
    std::size_t b = from;
    while (b > 0 && from - b < 16 && is_ascii_alnum(text[b - 1])) --b;
    if (b == 0 || !is_ascii_alnum(text[b - 1])) {
      from = b;
    } else {
      while (from < text.size() && is_ascii_alnum(text[from])) ++from;
    }
  }
  if (to < text.size() && to > 0 && is_ascii_alnum(text[to - 1]) && is_ascii_alnum(text[to])) {
    std::size_t e = to;
    while (e < text.size() && e - to < 16 && is_ascii_alnum(text[e])) ++e;
    if (e == text.size() || !is_ascii_alnum(text[e])) {
      to = e;
    } else {
      while (to > from && is_ascii_alnum(text[to - 1])) --to;
    }
  }
  std::string out;
  std::string body;
  Renderer(text, options, body).render(from, to, spans_of(hits));
  if (from > 0 && !body.empty()) out += options.ellipsis;
  out += body;
  if (to < text.size() && !body.empty()) out += options.ellipsis;
  return out;
}

bool collect_token(void* context, const TokenView& t) {
  auto* out = static_cast<std::vector<Token>*>(context);
  out->push_back(Token{std::string(t.text), t.start, t.end, t.position, t.colocated});
  return true;
}

struct QueryBuilder {
  Query query;
  Term current;
  std::size_t tokens = 0;

  static bool token(void* context, const TokenView& t) {
    auto* self = static_cast<QueryBuilder*>(context);
    if (self->tokens >= kMaxQueryTokens) return false;
    ++self->tokens;
    self->current.tokens.emplace_back(t.text);
    return true;
  }
  static void run_end(void* context) {
    auto* self = static_cast<QueryBuilder*>(context);
    if (self->current.tokens.empty()) return;
    if (std::find(self->query.terms.begin(), self->query.terms.end(), self->current) ==
        self->query.terms.end()) {
      self->query.terms.push_back(std::move(self->current));
    }
    self->current = Term{};
  }
};

void append_quoted(std::string& out, std::string_view s, char quote, bool backslash) {
  out += quote;
  for (char c : s) {
    if (c == quote) {
      out += backslash ? '\\' : quote;
    } else if (backslash && c == '\\') {
      out += '\\';
    }
    out += c;
  }
  out += quote;
}

}  // namespace

void for_each_token(std::string_view text, Mode mode, TokenSink sink, void* context) {
  Scanner(text, mode, sink, context).run();
}

std::vector<Token> tokenize(std::string_view text) {
  std::vector<Token> out;
  for_each_token(text, Mode::kDocument, collect_token, &out);
  return out;
}

Query parse_query(std::string_view text) {
  QueryBuilder b;
  Scanner(text, Mode::kQuery, QueryBuilder::token, &b, QueryBuilder::run_end).run();
  QueryBuilder::run_end(&b);  // a run cut short by kMaxQueryTokens
  return std::move(b.query);
}

std::string to_fts5_match(const Query& query) {
  std::string out;
  for (const Term& term : query.terms) {
    if (!out.empty()) out += " AND ";
    std::string phrase;
    for (const std::string& t : term.tokens) {
      if (!phrase.empty()) phrase += ' ';
      phrase += t;
    }
    append_quoted(out, phrase, '"', false);
  }
  return out;
}

std::string to_tsquery(const Query& query) {
  std::string out;
  for (const Term& term : query.terms) {
    if (!out.empty()) out += " & ";
    bool phrase = term.tokens.size() > 1;
    if (phrase) out += '(';
    for (std::size_t k = 0; k < term.tokens.size(); ++k) {
      if (k > 0) out += " <-> ";
      append_quoted(out, term.tokens[k], '\'', true);
    }
    if (phrase) out += ')';
  }
  return out;
}

std::string to_tsvector(const std::vector<std::string_view>& fields) {
  struct Lexeme {
    std::vector<std::uint16_t> positions;  // 1-based position
    std::vector<char> weights;
  };
  std::unordered_map<std::string, Lexeme> lexemes;
  std::size_t budget = 0;
  int base = 0;
  for (std::size_t f = 0; f < fields.size(); ++f) {
    char weight = "ABCD"[std::min<std::size_t>(f, 3)];
    int last = -1;
    for (const Token& t : tokenize(fields[f])) {
      int pos = std::min(base + t.position + 1, kPgMaxPosition);
      last = std::max(last, t.position);
      auto it = lexemes.find(t.text);
      if (it == lexemes.end()) {
        std::size_t cost = t.text.size() + 8;
        if (budget + cost > kPgVectorBudget) continue;
        budget += cost;
        it = lexemes.emplace(t.text, Lexeme{}).first;
      }
      Lexeme& l = it->second;
      if (l.positions.size() >= kPgMaxPositions || budget + 2 > kPgVectorBudget) continue;
      if (!l.positions.empty() && l.positions.back() >= pos) continue;  // clamped duplicates
      l.positions.push_back(static_cast<std::uint16_t>(pos));
      l.weights.push_back(weight);
      budget += 2;
    }
    base = std::min(base + last + 3, kPgMaxPosition);
  }
  std::vector<const std::pair<const std::string, Lexeme>*> sorted;
  sorted.reserve(lexemes.size());
  for (const auto& entry : lexemes) sorted.push_back(&entry);
  std::sort(sorted.begin(), sorted.end(), [](auto* a, auto* b) { return a->first < b->first; });
  std::string out;
  for (const auto* entry : sorted) {
    if (!out.empty()) out += ' ';
    append_quoted(out, entry->first, '\'', true);
    const Lexeme& l = entry->second;
    for (std::size_t k = 0; k < l.positions.size(); ++k) {
      out += k == 0 ? ':' : ',';
      out += std::to_string(l.positions[k]);
      out += l.weights[k];
    }
  }
  return out;
}

std::vector<Span> match_spans(const Query& query, std::string_view text) {
  return spans_of(find_hits(query, text));
}

std::string highlight(const Query& query, std::string_view text, const SnippetOptions& options) {
  std::string out;
  Renderer(text, options, out).render(0, text.size(), match_spans(query, text));
  return out;
}

std::string snippet(const Query& query, std::string_view text, const SnippetOptions& options) {
  return snippet_of(text, find_hits(query, text), options);
}

std::string best_snippet(const Query& query, const std::vector<std::string_view>& fields,
                         const SnippetOptions& options) {
  std::size_t best = 0;
  int best_terms = -1;
  std::size_t best_hits = 0;
  std::vector<Hit> best_found;
  for (std::size_t f = 0; f < fields.size(); ++f) {
    std::vector<Hit> hits = find_hits(query, fields[f]);
    std::uint64_t terms = 0;
    for (const Hit& h : hits) terms |= h.terms;
    int n = popcount(terms);
    if (n > best_terms || (n == best_terms && hits.size() > best_hits)) {
      best = f;
      best_terms = n;
      best_hits = hits.size();
      best_found = std::move(hits);
    }
  }
  if (fields.empty()) return {};
  return snippet_of(fields[best], best_found, options);
}

}  // namespace yunwei::store::search
