#include "core/csv.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace yunwei::core {
namespace {

using Fields = std::vector<std::string>;

std::vector<Fields> read_all(std::string_view text) {
  CsvReader r(text);
  std::vector<Fields> out;
  Fields f;
  while (true) {
    auto more = r.next(f);
    EXPECT_TRUE(more.ok()) << (more.ok() ? "" : more.error().message);
    if (!more.ok() || !*more) break;
    out.push_back(f);
  }
  return out;
}

TEST(Csv, QuotesOnlyWhatNeedsQuotingAndEndsRowsWithCrlf) {
  std::string out;
  append_csv_row(out, {"plain", "a,b", "say \"hi\"", "two\nlines", "cr\rhere", ""});
  EXPECT_EQ(out, "plain,\"a,b\",\"say \"\"hi\"\"\",\"two\nlines\",\"cr\rhere\",\r\n");
}

TEST(Csv, RoundTripsAwkwardFieldsAndChineseText) {
  std::vector<Fields> rows = {{"type", "name", "attributes.notes"},
                              {"server", "网上银行-web-01", "机房 \"A\", 第3排\r\n第二行"},
                              {"", ",", "\"\""},
                              {"单独"}};
  std::string text;
  for (const Fields& r : rows) append_csv_row(text, r);
  EXPECT_EQ(read_all(text), rows);
}

TEST(Csv, AcceptsLfAndCrlfAndQuotedFieldsSpanningLines) {
  CsvReader r("a,b\n\"x\ny\",z\r\nlast,\"q\"");
  Fields f;
  ASSERT_TRUE(r.next(f).value());
  EXPECT_EQ(f, (Fields{"a", "b"}));
  EXPECT_EQ(r.line(), 1);
  ASSERT_TRUE(r.next(f).value());
  EXPECT_EQ(f, (Fields{"x\ny", "z"}));
  EXPECT_EQ(r.line(), 2);
  ASSERT_TRUE(r.next(f).value());
  EXPECT_EQ(f, (Fields{"last", "q"}));
  EXPECT_EQ(r.line(), 4);  // the record above spanned lines 2 and 3
  auto end = r.next(f);
  ASSERT_TRUE(end.ok());
  EXPECT_FALSE(*end);
}

TEST(Csv, SkipsABomAndKeepsEmptyFieldsAndBlankLines) {
  auto rows = read_all("\xEF\xBB\xBFtype,name\r\n\r\nserver,,\r\n");
  ASSERT_EQ(rows.size(), 3u);
  EXPECT_EQ(rows[0], (Fields{"type", "name"}));  // no BOM in the first column's name
  EXPECT_EQ(rows[1], (Fields{""}));
  EXPECT_EQ(rows[2], (Fields{"server", "", ""}));
  EXPECT_TRUE(read_all("").empty());
  EXPECT_TRUE(read_all("\xEF\xBB\xBF").empty());
}

TEST(Csv, KeepsAQuoteInsideAnUnquotedFieldAndALoneCarriageReturn) {
  auto rows = read_all("12\" disk,a\rb\n");
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0], (Fields{"12\" disk", "a\rb"}));
}

TEST(Csv, NamesTheLineOfAnUnterminatedQuote) {
  CsvReader r("type,name\nserver,ok\nserver,\"open\nstill open\n");
  Fields f;
  ASSERT_TRUE(r.next(f).value());
  ASSERT_TRUE(r.next(f).value());
  auto bad = r.next(f);
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().code, ErrorCode::kInvalidArgument);
  EXPECT_NE(bad.error().message.find("line 3"), std::string::npos) << bad.error().message;
  EXPECT_NE(bad.error().message.find("not closed"), std::string::npos) << bad.error().message;
}

TEST(Csv, NamesTheLineOfTextAfterAClosingQuote) {
  CsvReader r("a\n\"x\ny\"z,1\n");
  Fields f;
  ASSERT_TRUE(r.next(f).value());
  auto bad = r.next(f);
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.error().message.find("line 3"), std::string::npos) << bad.error().message;
  EXPECT_NE(bad.error().message.find("after a closing quote"), std::string::npos);
}

}  // namespace
}  // namespace yunwei::core
