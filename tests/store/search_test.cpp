#include "store/search/search.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <random>
#include <string>
#include <thread>
#include <tuple>
#include <vector>

#include "core/text.h"
#include "store/migrations.h"
#include "store/search/tokenizer.h"
#include "support/test_db.h"

namespace yunwei::store::search {
namespace {

using testing::must;

// "text@position" for every token, in order.
std::vector<std::string> described(std::string_view text) {
  std::vector<std::string> out;
  for (const Token& t : tokenize(text)) out.push_back(t.text + "@" + std::to_string(t.position));
  return out;
}

std::vector<std::string> texts(std::string_view text) {
  std::vector<std::string> out;
  for (const Token& t : tokenize(text)) out.push_back(t.text);
  return out;
}

bool has(const std::vector<std::string>& v, const std::string& s) {
  return std::find(v.begin(), v.end(), s) != v.end();
}

using Strings = std::vector<std::string>;

TEST(Tokenizer, EmitsEveryUnigramAndOverlappingBigramOfAChineseRun) {
  EXPECT_EQ(described("磁盘空间不足"),
            (Strings{"磁盘@0", "磁@0", "盘空@1", "盘@1", "空间@2", "空@2", "间不@3", "间@3",
                     "不足@4", "不@4", "足@5"}));
  std::vector<Token> tokens = tokenize("磁盘空间不足");
  EXPECT_FALSE(tokens[0].colocated);
  EXPECT_TRUE(tokens[1].colocated);
  // Offsets are source bytes: 3 per character here.
  EXPECT_EQ(tokens[0].start, 0u);
  EXPECT_EQ(tokens[0].end, 6u);
  EXPECT_EQ(tokens[1].end, 3u);
  EXPECT_EQ(tokens.back().start, 15u);
  EXPECT_EQ(tokens.back().end, 18u);
}

TEST(Tokenizer, SplitsMixedTextIntoWordsChineseRunsAndCodesKeptWholeAndInParts) {
  EXPECT_EQ(described("ERP 登录失败 ORA-00600 on 10.10.0.1"),
            (Strings{"erp@0",    "登录@1",  "登@1",      "录失@2",      "录@2",    "失败@3",
                     "失@3",     "败@4",    "ora@5",     "ora-00600@5", "00600@6", "on@7",
                     "10@8",     "10.10@8", "10.10.0@8", "10.10.0.1@8", "10@9",    "10.0@9",
                     "10.0.1@9", "0@10",    "0.1@10",    "1@11"}));
  std::vector<Token> tokens = tokenize("ERP 登录失败 ORA-00600 on 10.10.0.1");
  auto whole = std::find_if(tokens.begin(), tokens.end(),
                            [](const Token& t) { return t.text == "ora-00600"; });
  ASSERT_NE(whole, tokens.end());
  EXPECT_EQ(whole->start, 17u);
  EXPECT_EQ(whole->end, 26u);
  EXPECT_TRUE(whole->colocated);
}

TEST(Tokenizer, KeepsTicketNumbersVersionsAndAddressesWithPortsSearchable) {
  Strings t = texts("INC-000123 v2.3.1 max_connections 10.10.0.1:8080 /var/log/messages");
  for (const char* want : {"inc-000123", "inc", "000123", "v2.3.1", "v2", "3", "1",
                           "max_connections", "max", "connections", "10.10.0.1:8080", "10.10.0.1",
                           "8080", "var/log/messages", "var/log", "log/messages"}) {
    EXPECT_TRUE(has(t, want)) << want;
  }
  // Joiners only join: leading, trailing and doubled ones separate.
  EXPECT_EQ(texts("-a- b..c :d:"), (Strings{"a", "b", "c", "d"}));
}

TEST(Tokenizer, GivesLongCodesShortRunsOfPartsAndTheWhole) {
  std::string code = "a.b.c.d.e.f.g.h.i.j";  // 10 parts
  Strings t = texts(code);
  EXPECT_TRUE(has(t, code));
  EXPECT_TRUE(has(t, "c.d.e.f"));
  EXPECT_FALSE(has(t, "c.d.e.f.g"));
  EXPECT_EQ(std::count(t.begin(), t.end(), "j"), 1);
}

TEST(Tokenizer, FoldsFullWidthLettersAndDigitsAndLowerCasesAscii) {
  // ＯＲＡ－００６００ typed with a Chinese input method, and an ideographic space.
  std::vector<Token> tokens = tokenize("ＯＲＡ－００６００\u3000ＥＲＰ Server");
  Strings t;
  for (const Token& tok : tokens) t.push_back(tok.text);
  EXPECT_EQ(t, (Strings{"ora", "ora-00600", "00600", "erp", "server"}));
  EXPECT_EQ(tokens[1].start, 0u);
  EXPECT_EQ(tokens[1].end, 27u);  // 9 full-width characters of 3 bytes
  // Other scripts' letters belong to words as they are.
  EXPECT_EQ(texts("Café Größe"), (Strings{"café", "größe"}));
}

TEST(Tokenizer, TreatsKanaHangulAndExtensionAAsCjkButNotCjkPunctuation) {
  EXPECT_EQ(texts("サーバ"), (Strings{"サー", "サ", "ーバ", "ー", "バ"}));
  EXPECT_EQ(texts("서버"), (Strings{"서버", "서", "버"}));
  EXPECT_EQ(texts("㐀㐁"), (Strings{"㐀㐁", "㐀", "㐁"}));
  // Full-width comma, ideographic full stop, brackets: no bigram across them.
  EXPECT_EQ(texts("网络，故障。【慢】"), (Strings{"网络", "网", "络", "故障", "故", "障", "慢"}));
  EXPECT_EQ(texts("ERP登录3号机房"),
            (Strings{"erp", "登录", "登", "录", "3", "号机", "号", "机房", "机", "房"}));
}

TEST(Tokenizer, SkipsInvalidUtf8WithoutCrashing) {
  EXPECT_EQ(texts("ab\xff\xfe网络\xe7\xbd"), (Strings{"ab", "网络", "网", "络"}));
  EXPECT_EQ(texts("\xe7\xbd网\xc0\xafx"), (Strings{"网", "x"}));  // cut sequence, overlong
  EXPECT_EQ(texts("\xed\xa0\x80"), Strings{});                    // surrogate

  std::mt19937 rng(42);
  for (int round = 0; round < 2000; ++round) {
    std::string s(rng() % 64, '\0');
    for (char& c : s) c = static_cast<char>(rng() % 256);
    for (const Token& t : tokenize(s)) {
      ASSERT_LE(t.start, t.end);
      ASSERT_LE(t.end, s.size());
      ASSERT_FALSE(t.text.empty());
      ASSERT_TRUE(core::valid_utf8(t.text));
    }
    Query q = parse_query(s);
    (void)to_fts5_match(q);
    (void)snippet(q, s);
  }
}

TEST(Tokenizer, GivesNothingForEmptyOrPunctuationOnlyInput) {
  EXPECT_TRUE(tokenize("").empty());
  EXPECT_TRUE(tokenize(" \t\n，。！？、…—“”《》😀 ---").empty());
  EXPECT_TRUE(parse_query("").empty());
  EXPECT_TRUE(parse_query("？！").empty());
  EXPECT_EQ(to_fts5_match(parse_query("")), "");
  EXPECT_EQ(to_tsquery(parse_query("")), "");
  EXPECT_EQ(to_tsvector({""}), "");
}

TEST(Tokenizer, CutsOverlongTokensAlikeInDocumentsAndQueries) {
  std::string word(300, 'a');
  EXPECT_EQ(texts(word), Strings{std::string(kMaxTokenBytes, 'a')});
  std::string code = std::string(99, 'b') + "." + std::string(50, 'c');
  Query q = parse_query(code);
  ASSERT_EQ(q.terms.size(), 1u);
  // Cut without the trailing joiner, so the token tokenizes to itself in FTS5 again.
  EXPECT_EQ(q.terms[0].tokens, Strings{std::string(99, 'b')});
  EXPECT_TRUE(has(texts(code), std::string(99, 'b')));
}

TEST(ParseQuery, NeedsTheUnigramOfOneCharacterAndTheBigramsOfLongerRuns) {
  EXPECT_EQ(parse_query("慢").terms, (std::vector<Term>{{{"慢"}}}));
  EXPECT_EQ(parse_query("网络").terms, (std::vector<Term>{{{"网络"}}}));
  EXPECT_EQ(parse_query("磁盘空间").terms, (std::vector<Term>{{{"磁盘", "盘空", "空间"}}}));
  EXPECT_EQ(
      parse_query("ERP 登录 ORA-00600 10.10.0.1 网络 网络").terms,
      (std::vector<Term>{{{"erp"}}, {{"登录"}}, {{"ora-00600"}}, {{"10.10.0.1"}}, {{"网络"}}}));
}

TEST(QueryRendering, QuotesEveryTermSoTypedOperatorsAreSearchedAsText) {
  Query q = parse_query(R"(NEAR(网络 故障) "磁盘 * OR -ora AND NOT x^ title:y)");
  EXPECT_EQ(to_fts5_match(q),
            R"("near" AND "网络" AND "故障" AND "磁盘" AND "or" AND "ora" AND "and" AND "not" AND )"
            R"("x" AND "title:y")");
  // Quotes inside a token (not produced by parse_query, but never trusted) are doubled.
  Query odd{{{{"a\"b"}}, {{"c", "d"}}}};
  EXPECT_EQ(to_fts5_match(odd), R"("a""b" AND "c d")");
}

TEST(QueryRendering, EscapesTsqueryLexemesAndJoinsBigramsAsAPhrase) {
  EXPECT_EQ(to_tsquery(parse_query("磁盘空间 ORA-00600 慢")),
            "('磁盘' <-> '盘空' <-> '空间') & 'ora-00600' & '慢'");
  Query odd{{{{"it's"}}, {{"a\\b"}}}};
  EXPECT_EQ(to_tsquery(odd), R"('it\'s' & 'a\\b')");
}

TEST(QueryRendering, WritesTsvectorLiteralsWithWeightsAndFieldsApart) {
  EXPECT_EQ(to_tsvector({"ORA-00600 网络", "网络"}),
            "'00600':2A 'ora':1A 'ora-00600':1A '络':4A,8B '网':3A,7B '网络':3A,7B");
}

TEST(Snippet, MarksMatchesExactlyAndEscapesHtml) {
  Query q = parse_query("网络");
  EXPECT_EQ(highlight(q, "<b>核心网络</b> & 网 络"),
            "&lt;b&gt;核心<mark>网络</mark>&lt;/b&gt; &amp; 网 络");
  EXPECT_EQ(highlight(parse_query("慢"), "系统很慢了"), "系统很<mark>慢</mark>了");
  EXPECT_EQ(highlight(parse_query("10.10.0.1"), "连接 10.10.0.1:8080 超时"),
            "连接 <mark>10.10.0.1</mark>:8080 超时");
  EXPECT_EQ(highlight(parse_query("磁盘空间 ora-00600"), "ORA-00600：磁盘空间不足"),
            "<mark>ORA-00600</mark>：<mark>磁盘空间</mark>不足");
  EXPECT_EQ(highlight(parse_query("it's"), "it's \"quoted\"\n\n  line"),
            "<mark>it</mark>&#39;<mark>s</mark> &quot;quoted&quot; line");
}

TEST(Snippet, CutsLongTextAroundTheBestWindowWithEllipses) {
  std::string filler;
  for (int i = 0; i < 40; ++i) filler += "日常巡检正常。";
  std::string text = filler + "凌晨核心交换机网络故障，ERP 登录失败。" + filler;
  std::string s = snippet(parse_query("网络 ERP"), text, {.max_chars = 40});
  EXPECT_EQ(s.rfind("…", 0), 0u) << s;
  EXPECT_NE(s.find("<mark>网络</mark>故障，<mark>ERP</mark>"), std::string::npos) << s;
  EXPECT_EQ(s.substr(s.size() - 3), "…");
  EXPECT_LE(core::utf8_length(s), 40u + 2 + 4 * 13);  // text, ellipses, two marks

  // Without a match: the start of the text. Short text: whole, without ellipses.
  EXPECT_EQ(snippet(parse_query("x"), "abc def", {.max_chars = 3}), "abc…");
  EXPECT_EQ(snippet(parse_query("def"), "abc def"), "abc <mark>def</mark>");
  EXPECT_EQ(best_snippet(parse_query("def"), {"abc", "x def"}), "x <mark>def</mark>");
}

TEST(SearchSql, NeverUsesLikeOrGlob) {
  // SQLite 3.40's LIKE/GLOB miss two-character CJK needles; search must not depend on them.
  IndexSpec index{"docs_fts", {"title", "body"}};
  for (Backend b : {Backend::kSqlite, Backend::kPostgres}) {
    Match m = match(b, index, parse_query("网络"), "d.id");
    for (const std::string& sql :
         {create_index_sql(b, index), upsert_statement(b, index, 1, {"网络"}).sql,
          delete_statement(b, index, 1).sql, m.join_sql, m.where_sql, m.score_sql}) {
      EXPECT_EQ(sql.find("LIKE"), std::string::npos) << sql;
      EXPECT_EQ(sql.find("GLOB"), std::string::npos) << sql;
    }
  }
}

const IndexSpec kDocs{"docs_fts", {"title", "body"}};

class SearchTest : public testing::BackendTest {
 protected:
  void SetUp() override {
    BackendTest::SetUp();
    if (IsSkipped() || HasFatalFailure()) return;
    must(db().write([](Tx& tx) { return tx.exec_script(create_index_sql(tx.backend(), kDocs)); }));
  }

  void add(std::int64_t id, const std::string& title, const std::string& body) {
    must(db().write([&](Tx& tx) { return index_document(tx, kDocs, id, {title, body}); }));
  }

  std::vector<SearchHit> hits(const std::string& q, SearchOptions options = {}) {
    must(db().sync_search());
    return must(read_tx<std::vector<SearchHit>>(
        db(), [&](Tx& tx) { return search(tx, kDocs, parse_query(q), options); }));
  }

  std::vector<std::int64_t> ids(const std::string& q) {
    std::vector<std::int64_t> out;
    for (const SearchHit& h : hits(q)) out.push_back(h.id);
    std::sort(out.begin(), out.end());
    return out;
  }
};

using Ids = std::vector<std::int64_t>;

TEST_P(SearchTest, TwoCharacterQueryFindsTheWordButNotItsCharactersApart) {
  add(1, "网络故障", "核心交换机");
  add(2, "网 络", "网站打不开，络绎不绝");
  add(3, "打印机", "卡纸");
  EXPECT_EQ(ids("网络"), Ids{1});
  EXPECT_EQ(ids("网"), (Ids{1, 2}));
  EXPECT_EQ(ids("网络故障"), Ids{1});
  EXPECT_EQ(ids("络故"), Ids{1});  // any substring of a run, as with LIKE
  EXPECT_EQ(ids("故障网络"), Ids{});
}

TEST_P(SearchTest, OneCharacterQueryFindsItInsideALongerRun) {
  add(1, "系统很慢", "");
  add(2, "系统正常", "慢");
  add(3, "系统正常", "");
  EXPECT_EQ(ids("慢"), (Ids{1, 2}));
  EXPECT_EQ(ids("很慢"), Ids{1});
}

TEST_P(SearchTest, FindsAddressesAndErrorCodesWholeAndByPart) {
  add(1, "ERP 登录失败", "ORA-00600 on 10.10.0.1, see INC-000123");
  add(2, "数据库告警", "ORA-01555 on 10.10.0.10:1521");
  add(3, "网关", "10.10.0.1:8080 timed out");
  EXPECT_EQ(ids("10.10.0.1"), (Ids{1, 3}));
  EXPECT_EQ(ids("10.10.0.10"), Ids{2});
  EXPECT_EQ(ids("ORA-00600"), Ids{1});
  EXPECT_EQ(ids("ora-00600"), Ids{1});
  EXPECT_EQ(ids("00600"), Ids{1});
  EXPECT_EQ(ids("ora"), (Ids{1, 2}));
  EXPECT_EQ(ids("INC-000123"), Ids{1});
  EXPECT_EQ(ids("ERP 登录"), Ids{1});
  EXPECT_EQ(ids("erp 网关"), Ids{});
  EXPECT_EQ(ids("ＥＲＰ"), Ids{1});
}

TEST_P(SearchTest, RanksTheTermTwiceInTheTitleAboveOneMentionInALongBody) {
  std::string long_body;
  for (int i = 0; i < 60; ++i) long_body += "本月例行巡检，服务器运行平稳，无异常。";
  long_body += "偶有网络抖动。";
  add(1, "月度巡检报告", long_body);
  add(2, "网络中断：核心网络交换机宕机", "已切换备用链路。");
  add(3, "打印机卡纸", "三楼");
  add(4, "邮件延迟", "队列积压");
  std::vector<SearchHit> found = hits("网络");
  ASSERT_EQ(found.size(), 2u);
  EXPECT_EQ(found[0].id, 2);
  EXPECT_EQ(found[1].id, 1);
  EXPECT_GT(found[0].score, found[1].score);
}

TEST_P(SearchTest, SnippetsHighlightTheMatchedText) {
  add(1, "ERP 登录失败",
      "昨晚 22 点核心交换机出现网络故障，导致 ERP 登录失败，报 ORA-00600；连接 "
      "10.10.0.1:1521 超时。<script>alert(1)</script>");
  SearchOptions wide;
  wide.snippet.max_chars = 200;
  std::vector<SearchHit> found = hits("网络故障", wide);
  ASSERT_EQ(found.size(), 1u);
  EXPECT_NE(found[0].snippet.find("出现<mark>网络故障</mark>，"), std::string::npos)
      << found[0].snippet;
  EXPECT_NE(found[0].snippet.find("&lt;script&gt;"), std::string::npos) << found[0].snippet;

  SearchOptions body;
  body.snippet_field = 1;
  found = hits("erp ora-00600 10.10.0.1", body);
  ASSERT_EQ(found.size(), 1u);
  for (const char* want :
       {"<mark>ERP</mark>", "<mark>ORA-00600</mark>", "<mark>10.10.0.1</mark>:1521"}) {
    EXPECT_NE(found[0].snippet.find(want), std::string::npos) << found[0].snippet;
  }
}

TEST_P(SearchTest, SearchesTypedOperatorsAsTextWithoutErrors) {
  add(1, "网络故障", "");
  add(2, "磁盘空间不足", "");
  add(3, "or", "网络 磁盘");
  for (const char* q : {R"(NEAR(网络 故障))", "网络*", R"("网络)", R"(网络")", "-网络", "网络 -",
                        "(网络", "^网络", "title:网络", "{title}:网络", "网络 AND", "NOT 网络",
                        R"('; DROP TABLE docs_fts; --)", "*", "\"\"", "网络 + 故障"}) {
    must(db().sync_search());
    auto r = read_tx<std::vector<SearchHit>>(
        db(), [&](Tx& tx) { return search(tx, kDocs, parse_query(q), {}); });
    EXPECT_TRUE(r.ok()) << q << ": " << (r.ok() ? "" : r.error().message);
  }
  EXPECT_EQ(ids("-网络"), (Ids{1, 3}));
  // OR is a word, not an operator: every term is required.
  EXPECT_EQ(ids("网络 OR 磁盘"), Ids{3});
  EXPECT_EQ(ids("NEAR(网络 故障)"), Ids{});
  EXPECT_EQ(ids("网络*"), (Ids{1, 3}));
}

TEST_P(SearchTest, EmptyQueryFindsNothing) {
  add(1, "网络", "");
  EXPECT_TRUE(hits("").empty());
  EXPECT_TRUE(hits("，。").empty());
}

TEST_P(SearchTest, ReindexingReplacesTheTextAndRemovingDropsTheDocument) {
  add(1, "网络故障", "");
  add(1, "磁盘告警", "");
  EXPECT_EQ(ids("网络"), Ids{});
  EXPECT_EQ(ids("磁盘"), Ids{1});
  must(db().write([](Tx& tx) { return remove_document(tx, kDocs, 1); }));
  must(db().write([](Tx& tx) { return remove_document(tx, kDocs, 1); }));  // already gone
  EXPECT_EQ(ids("磁盘"), Ids{});
}

TEST_P(SearchTest, IndexesInTheWritersTransactionAndRollsBackWithIt) {
  core::Status st = db().write([](Tx& tx) -> core::Status {
    if (auto s = index_document(tx, kDocs, 1, {"网络故障", ""}); !s.ok()) return s;
    return core::conflict("the document write failed");
  });
  EXPECT_FALSE(st.ok());
  EXPECT_EQ(ids("网络"), Ids{});
}

TEST_P(SearchTest, MatchFiltersAndRanksAnotherTablesQuery) {
  Migration items{0, "items", "CREATE TABLE items (id {{ID}}, status TEXT NOT NULL)"};
  must(db().write(
      [&](Tx& tx) { return tx.exec_script(render_migration_sql(items, tx.backend())); }));
  for (const char* status : {"open", "open", "closed", "open"}) {
    must(db().write([&](Tx& tx) -> core::Status {
      auto row =
          tx.query_row("INSERT INTO items (status) VALUES (?) RETURNING id", {std::string(status)});
      if (!row.ok()) return std::move(row).error();
      std::int64_t id = (*row)->i64(0);
      std::string filler;
      for (int i = 0; i < 20; ++i) filler += "例行巡检，运行平稳。";
      if (id == 1) return index_document(tx, kDocs, id, {"巡检报告", filler + "网络抖动"});
      if (id == 4) return index_document(tx, kDocs, id, {"打印机", "卡纸"});
      return index_document(tx, kDocs, id, {"网络故障", "交换机"});
    }));
  }
  must(db().sync_search());
  Rows rows = must(read_tx<Rows>(db(), [&](Tx& tx) -> core::Result<Rows> {
    Match m = match(tx.backend(), kDocs, parse_query("网络"), "i.id");
    std::string sql = "SELECT i.id, " + m.score_sql + " AS score, " + kDocs.table +
                      ".title FROM items i" + m.join_sql + " WHERE " + m.where_sql +
                      " AND i.status = ? ORDER BY score DESC, i.id DESC";
    Params params = m.score_params;
    params.insert(params.end(), m.where_params.begin(), m.where_params.end());
    params.emplace_back(std::string("open"));
    return tx.query(sql, params);
  }));
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_EQ(rows[0].i64(0), 2);
  EXPECT_EQ(rows[1].i64(0), 1);
  EXPECT_EQ(rows[1].str(2), "巡检报告");

  // Ranking only the newest open match.
  Rows newest = must(read_tx<Rows>(db(), [&](Tx& tx) -> core::Result<Rows> {
    Match m = match(tx.backend(), kDocs, parse_query("网络"), "i.id");
    std::string sql = "SELECT * FROM (SELECT i.id, " + m.score_sql + " AS score FROM items i" +
                      m.join_sql + " WHERE " + m.where_sql + " AND i.status = ? ORDER BY " +
                      m.doc_id_sql + " DESC LIMIT ?) c ORDER BY score DESC, id DESC LIMIT ?";
    Params params = m.score_params;
    params.insert(params.end(), m.where_params.begin(), m.where_params.end());
    params.insert(params.end(), {std::string("open"), std::int64_t{1}, std::int64_t{10}});
    return tx.query(sql, params);
  }));
  ASSERT_EQ(newest.size(), 1u);
  EXPECT_EQ(newest[0].i64(0), 2);

  Rows none = must(read_tx<Rows>(db(), [&](Tx& tx) -> core::Result<Rows> {
    Match m = match(tx.backend(), kDocs, parse_query("。"), "i.id");
    return tx.query("SELECT i.id, " + m.score_sql + " FROM items i" + m.join_sql + " WHERE " +
                    m.where_sql);
  }));
  EXPECT_TRUE(none.empty());
}

TEST_P(SearchTest, RanksOnlyTheNewestCandidatesWhenCapped) {
  add(1, "网络 网络 网络", "");
  for (int id = 2; id <= 6; ++id) add(id, "网络", std::string(200, 'x') + " filler text");
  std::vector<SearchHit> all = hits("网络");
  ASSERT_EQ(all.size(), 6u);
  EXPECT_EQ(all[0].id, 1);
  SearchOptions capped;
  capped.max_candidates = 3;
  std::vector<SearchHit> newest = hits("网络", capped);
  ASSERT_EQ(newest.size(), 3u);
  for (const SearchHit& h : newest) EXPECT_GE(h.id, 4);
}

TEST_P(SearchTest, RebuildRetokenizesTheStoredText) {
  add(1, "网络故障", "ORA-00600");
  add(2, "磁盘", "");
  if (backend() == Backend::kPostgres) {
    // A vector written by an older tokenizer that knew nothing.
    must(db().write([](Tx& tx) -> core::Status {
      auto r = tx.exec("UPDATE docs_fts SET search_vector = ''::tsvector");
      if (!r.ok()) return std::move(r).error();
      return {};
    }));
    EXPECT_EQ(ids("网络"), Ids{});
  }
  must(db().write([](Tx& tx) { return rebuild_index(tx, kDocs); }));
  EXPECT_EQ(ids("网络"), Ids{1});
  EXPECT_EQ(ids("00600"), Ids{1});
  EXPECT_EQ(ids("磁盘"), Ids{2});
}

TEST_P(SearchTest, Fts5HighlightMarksTwoCharacterWordsWhole) {
  if (backend() != Backend::kSqlite) GTEST_SKIP() << "FTS5 only";
  add(1, "核心网络故障", "");
  add(2, "ORA-00600 on 10.10.0.1:8080", "a.b.c.d.e.f.g.h.i.j " + std::string(300, 'x'));
  must(db().sync_search());
  Rows rows = query("SELECT highlight(docs_fts, 0, '[', ']') FROM docs_fts WHERE docs_fts MATCH ?",
                    {to_fts5_match(parse_query("网络"))});
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0].str(0), "核心[网络]故障");
  // The integrity check re-tokenizes every row and compares it with the index.
  must(db().write([](Tx& tx) -> core::Status {
    auto r = tx.exec("INSERT INTO docs_fts (docs_fts, rank) VALUES ('integrity-check', 1)");
    if (!r.ok()) return std::move(r).error();
    return {};
  }));
}

TEST_P(SearchTest, KeepsTheLastOfSeveralChangesToADocument) {
  add(1, "网络故障", "");
  add(1, "磁盘告警", "");
  add(2, "网络", "");
  must(db().write([](Tx& tx) { return remove_document(tx, kDocs, 2); }));
  add(3, "网络", "");
  EXPECT_EQ(ids("网络"), Ids{3});
  EXPECT_EQ(ids("磁盘"), Ids{1});
}

// SQLite queues index changes (search_queue) and applies them in batches.
TEST_P(SearchTest, AppliesQueuedChangesInTheBackgroundWithoutBeingAsked) {
  if (backend() != Backend::kSqlite) GTEST_SKIP() << "PostgreSQL indexes at once";
  add(1, "网络故障", "");
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
  while (count("search_queue") > 0 && std::chrono::steady_clock::now() < deadline)
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  EXPECT_EQ(count("search_queue"), 0);
  // Straight from the index, without Database::sync_search().
  Rows rows = query("SELECT rowid FROM docs_fts WHERE docs_fts MATCH ?",
                    {to_fts5_match(parse_query("网络"))});
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0].i64(0), 1);
}

TEST_P(SearchTest, AppliesChangesACrashLeftQueuedWhenTheDatabaseOpensAgain) {
  if (backend() != Backend::kSqlite) GTEST_SKIP() << "PostgreSQL indexes at once";
  // Queued and committed, never applied: what a crash leaves behind. Malformed fields, an
  // index that no longer exists and a table that is not an index must not stop the others.
  must(db().write([](Tx& tx) -> core::Status {
    for (const auto& [table, id, fields] :
         std::vector<std::tuple<std::string, std::int64_t, std::string>>{
             {"docs_fts", 7, "12:网络故障6:交换"},
             {"docs_fts", 8, "99:short"},
             {"gone_fts", 9, "2:ab"},
             {"schema_migrations", 1, "1:x"}}) {
      auto r = tx.exec("INSERT INTO search_queue (index_table, doc_id, fields) VALUES (?, ?, ?)",
                       {table, id, fields});
      if (!r.ok()) return std::move(r).error();
    }
    return {};
  }));
  reopen();
  EXPECT_EQ(ids("网络"), Ids{7});
  EXPECT_EQ(ids("交换"), Ids{7});
  EXPECT_EQ(count("search_queue"), 0);
  EXPECT_EQ(count("schema_migrations", "version = 1"), 1);
}

INSTANTIATE_TEST_SUITE_P(Backends, SearchTest, testing::kAllBackends, testing::backend_test_name);

}  // namespace
}  // namespace yunwei::store::search
