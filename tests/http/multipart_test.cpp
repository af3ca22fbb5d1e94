#include "http/multipart.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace yunwei::http {
namespace {

using core::ErrorCode;
using namespace std::string_literals;

constexpr std::string_view kBoundary = "----YunweiBoundary7MA4YWxk";
const std::string kContentType = "multipart/form-data; boundary=" + std::string(kBoundary);
constexpr std::size_t kLimit = 1 << 20;

// One part: its header lines (without line ends) and its data.
struct RawPart {
  std::vector<std::string> headers;
  std::string data;
};

std::string field(std::string name, std::string value) {
  return "--" + std::string(kBoundary) + "\r\nContent-Disposition: form-data; name=\"" + name +
         "\"\r\n\r\n" + value + "\r\n";
}

std::string build(const std::vector<RawPart>& parts, std::string_view boundary = kBoundary) {
  std::string body;
  for (const RawPart& p : parts) {
    body += "--" + std::string(boundary) + "\r\n";
    for (const std::string& h : p.headers) body += h + "\r\n";
    body += "\r\n" + p.data + "\r\n";
  }
  body += "--" + std::string(boundary) + "--\r\n";
  return body;
}

::testing::AssertionResult failed_with(const core::Result<std::vector<MultipartPart>>& r,
                                       ErrorCode code, std::string_view field_name,
                                       std::string_view message_part = {}) {
  if (r.ok()) {
    return ::testing::AssertionFailure() << "parsed " << r.value().size() << " parts";
  }
  const core::Error& e = r.error();
  if (e.code != code || e.field != field_name ||
      e.message.find(message_part) == std::string::npos) {
    return ::testing::AssertionFailure() << "failed with " << core::error_code_name(e.code)
                                         << " field '" << e.field << "': " << e.message;
  }
  return ::testing::AssertionSuccess();
}

std::vector<MultipartPart> parse_ok(std::string_view body,
                                    std::string_view content_type = kContentType) {
  auto r = parse_multipart(content_type, body, kLimit);
  EXPECT_TRUE(r.ok()) << (r.ok() ? "" : r.error().field + ": " + r.error().message);
  return r.ok() ? r.value() : std::vector<MultipartPart>{};
}

TEST(Multipart, ParsesFieldsAndFilesWithDefaults) {
  std::string body = build({
      {{"Content-Disposition: form-data; name=\"title\""}, "打印机坏了"},
      {{"Content-Disposition: form-data; name=\"file\"; filename=\"log.txt\""}, "line1\nline2"},
      {{"Content-Disposition: form-data; name=\"shot\"; filename=\"a.png\"",
        "Content-Type: image/png"},
       "\x89PNG"},
      {{"content-disposition: FORM-DATA; NAME=note", "content-type: text/markdown"}, "*hi*"},
  });
  auto parts = parse_ok(body);
  ASSERT_EQ(parts.size(), 4u);
  EXPECT_EQ(parts[0].name, "title");
  EXPECT_FALSE(parts[0].filename.has_value());
  EXPECT_EQ(parts[0].content_type, "text/plain");
  EXPECT_EQ(parts[0].data, "打印机坏了");
  EXPECT_EQ(parts[1].name, "file");
  EXPECT_EQ(parts[1].filename, "log.txt");
  EXPECT_EQ(parts[1].content_type, "application/octet-stream");
  EXPECT_EQ(parts[1].data, "line1\nline2");
  EXPECT_EQ(parts[2].content_type, "image/png");
  EXPECT_EQ(parts[2].data, "\x89PNG");
  EXPECT_EQ(parts[3].name, "note");
  EXPECT_EQ(parts[3].content_type, "text/markdown");
  EXPECT_EQ(parts[3].data, "*hi*");
}

TEST(Multipart, EmptyDataAndEmptyForm) {
  auto parts = parse_ok(build({{{"Content-Disposition: form-data; name=\"empty\""}, ""}}));
  ASSERT_EQ(parts.size(), 1u);
  EXPECT_EQ(parts[0].data, "");
  EXPECT_TRUE(parse_ok("--" + std::string(kBoundary) + "--\r\n").empty());
}

TEST(Multipart, BinaryDataWithNulCrLfAndBoundaryLookalikesRoundTrips) {
  std::string data = "\0\x01\xff\r\n\r\n"s + "--" + std::string(kBoundary) +  // followed by text
                     " x\n--" + std::string(kBoundary) + "\r\n" +             // after a bare LF
                     "\r\n--" + std::string(kBoundary) + "X\r\n" +            // longer boundary
                     "\r\n--" + std::string(kBoundary).substr(0, 10) + "\r\n\0end\r"s;
  std::string all_bytes;
  for (int i = 0; i < 256; ++i) all_bytes += static_cast<char>(i);
  std::string body =
      build({{{"Content-Disposition: form-data; name=\"bin\"; filename=\"x.bin\""}, data},
             {{"Content-Disposition: form-data; name=\"all\"; filename=\"all.bin\""}, all_bytes}});
  auto parts = parse_ok(body);
  ASSERT_EQ(parts.size(), 2u);
  EXPECT_EQ(parts[0].data, data);
  EXPECT_EQ(parts[0].data.size(), data.size());
  EXPECT_EQ(parts[1].data, all_bytes);
}

TEST(Multipart, IgnoresPreambleAndEpilogueAndToleratesBareLfHeaders) {
  std::string body = "This is a preamble.\r\nIt is ignored.\r\n--" + std::string(kBoundary) +
                     "  \n"  // transport padding, bare LF
                     "Content-Disposition: form-data;\n"
                     "\tname=\"folded\"\n"  // obsolete folding
                     "\n"
                     "value\r\n--" +
                     std::string(kBoundary) + "--\r\nepilogue --" + std::string(kBoundary) +
                     "\r\ngarbage";
  auto parts = parse_ok(body);
  ASSERT_EQ(parts.size(), 1u);
  EXPECT_EQ(parts[0].name, "folded");
  EXPECT_EQ(parts[0].data, "value");
}

TEST(Multipart, AcceptsQuotedAndCaseInsensitiveBoundaryParameters) {
  std::string boundary = "simple boundary:'()+_,-./=?";
  std::string body = build({{{"Content-Disposition: form-data; name=\"a\""}, "1"}}, boundary);
  for (const std::string& ct : std::vector<std::string>{
           "multipart/form-data; boundary=\"" + boundary + "\"",
           "Multipart/Form-Data ; charset=utf-8; BOUNDARY=\"" + boundary + "\""}) {
    auto parts = parse_ok(body, ct);
    ASSERT_EQ(parts.size(), 1u) << ct;
    EXPECT_EQ(parts[0].data, "1");
  }
  std::string plain = build({{{"Content-Disposition: form-data; name=\"a\""}, "2"}}, "abc");
  auto parts = parse_ok(plain, "multipart/form-data;Boundary=abc");
  ASSERT_EQ(parts.size(), 1u);
  EXPECT_EQ(parts[0].data, "2");
}

TEST(Multipart, RejectsBadContentType) {
  std::string body = build({{{"Content-Disposition: form-data; name=\"a\""}, "1"}});
  for (const std::string& ct : std::vector<std::string>{
           "application/json", "multipart/mixed; boundary=x", "", "multipart/form-data",
           "multipart/form-data; charset=utf-8", "multipart/form-data; boundary=",
           "multipart/form-data; boundary=\"\"", "multipart/form-data; boundary=\"unterminated",
           "multipart/form-data; boundary=" + std::string(71, 'a'),
           "multipart/form-data; boundary=\"ends in space \"",
           "multipart/form-data; boundary=bad\x01"
           "char",
           "multipart/form-data; boundary=\"semi;colon\""}) {
    EXPECT_TRUE(
        failed_with(parse_multipart(ct, body, kLimit), ErrorCode::kInvalidArgument, "content-type"))
        << ct;
  }
  EXPECT_TRUE(failed_with(parse_multipart("multipart/form-data", body, kLimit),
                          ErrorCode::kInvalidArgument, "content-type", "no boundary"));
  EXPECT_TRUE(failed_with(parse_multipart("text/plain", body, kLimit), ErrorCode::kInvalidArgument,
                          "content-type", "multipart/form-data"));
}

TEST(Multipart, FilenameEscapesAndRfc5987) {
  auto parts = parse_ok(build({
      {{R"(Content-Disposition: form-data; name="a"; filename="say \"hi\".txt")"}, "1"},
      {{"Content-Disposition: form-data; name=\"b\"; filename=\"fallback.pdf\"; "
        "filename*=UTF-8''%E6%8A%A5%E5%91%8A%202024.pdf"},
       "2"},
      {{"Content-Disposition: form-data; name=\"c\"; filename=\"故障截图.png\""}, "3"},
      {{"Content-Disposition: form-data; name=\"d\"; filename*=utf-8'zh-CN'%E8%BF%90%E7%BB%B4"},
       "4"},
      {{"Content-Disposition: form-data; name=\"e\"; filename*=iso-8859-1''caf%E9.txt"}, "5"},
      // An undecodable filename* falls back to filename.
      {{"Content-Disposition: form-data; name=\"f\"; filename*=UTF-8''%FF%FE; "
        "filename=\"plain.txt\""},
       "6"},
  }));
  ASSERT_EQ(parts.size(), 6u);
  EXPECT_EQ(parts[0].filename, "say \"hi\".txt");
  EXPECT_EQ(parts[1].filename, "报告 2024.pdf");
  EXPECT_EQ(parts[2].filename, "故障截图.png");
  EXPECT_EQ(parts[3].filename, "运维");
  EXPECT_EQ(parts[4].filename, "café.txt");
  EXPECT_EQ(parts[5].filename, "plain.txt");
}

TEST(Multipart, SanitizesFilenamesFromTheBody) {
  auto parts = parse_ok(build({
      {{"Content-Disposition: form-data; name=\"a\"; filename=\"../../etc/passwd\""}, "1"},
      {{R"(Content-Disposition: form-data; name="b"; filename="C:\x\y.txt")"}, "2"},
      {{R"(Content-Disposition: form-data; name="c"; filename="C:\\x\\z.txt")"}, "3"},
      {{"Content-Disposition: form-data; name=\"d\"; filename*=UTF-8''..%2F..%2F%E6%8A%A5.txt"},
       "4"},
      {{"Content-Disposition: form-data; name=\"e\"; filename=\"\""}, "5"},
      {{"Content-Disposition: form-data; name=\"f\"; filename=\"..\""}, "6"},
  }));
  ASSERT_EQ(parts.size(), 6u);
  EXPECT_EQ(parts[0].filename, "passwd");
  EXPECT_EQ(parts[1].filename, "y.txt");
  EXPECT_EQ(parts[2].filename, "z.txt");
  EXPECT_EQ(parts[3].filename, "报.txt");
  EXPECT_EQ(parts[4].filename, "file");
  EXPECT_EQ(parts[5].filename, "file");
}

TEST(SanitizeFilename, StripsDirectoriesControlsAndBidiMarks) {
  EXPECT_EQ(sanitize_filename("../../etc/passwd"), "passwd");
  EXPECT_EQ(sanitize_filename("C:\\x\\y.txt"), "y.txt");
  EXPECT_EQ(sanitize_filename("a/b\\c/d.txt"), "d.txt");
  EXPECT_EQ(sanitize_filename("/"), "file");
  EXPECT_EQ(sanitize_filename("dir/"), "file");
  EXPECT_EQ(sanitize_filename(""), "file");
  EXPECT_EQ(sanitize_filename("."), "file");
  EXPECT_EQ(sanitize_filename(".."), "file");
  EXPECT_EQ(sanitize_filename(".\x01."), "file");
  EXPECT_EQ(sanitize_filename("\x01\x02\x7f"), "file");
  EXPECT_EQ(sanitize_filename("a\0b\r\n\tc.txt"s), "abc.txt");
  EXPECT_EQ(sanitize_filename("x\xc2\x85y"), "xy");  // C1 NEL
  EXPECT_EQ(sanitize_filename("gpj.\xe2\x80\xae"
                              "exe"),
            "gpj.exe");  // RIGHT-TO-LEFT OVERRIDE
  EXPECT_EQ(sanitize_filename("bad\xff\xfe.txt"), "bad.txt");
  EXPECT_EQ(sanitize_filename("  spaced name.txt  "), "spaced name.txt");
  EXPECT_EQ(sanitize_filename("季度报告（终版）.xlsx"), "季度报告（终版）.xlsx");
  EXPECT_EQ(sanitize_filename(".bashrc"), ".bashrc");
}

TEST(SanitizeFilename, CapsLengthOnACodePointKeepingTheExtension) {
  std::string stem;
  for (int i = 0; i < 100; ++i) stem += "报";  // 300 bytes
  std::string out = sanitize_filename(stem + ".pdf");
  EXPECT_LE(out.size(), 255u);
  EXPECT_TRUE(out.ends_with("报.pdf"));
  EXPECT_EQ(out, std::string(stem, 0, 249) + ".pdf");  // 83 whole characters
  std::string ascii(300, 'a');
  EXPECT_EQ(sanitize_filename(ascii), std::string(255, 'a'));
}

TEST(Multipart, MalformedBodies) {
  const std::string b(kBoundary);
  struct Case {
    std::string body;
    std::string message;
  };
  std::vector<Case> cases = {
      {"", "opening"},
      {"no delimiter at all", "opening"},
      {"--" + b + "x\r\n", "opening"},
      {"--" + b, "closing"},
      {field("a", "1"), "missing closing delimiter"},  // ends right after a part
      {"--" + b + "\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\nvalue", "closing"},
      {"--" + b + "\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\nvalue\r\n--" + b,
       "closing"},
      {"--" + b + "\r\nContent-Disposition: form-data; name=\"a\"", "missing closing delimiter"},
      {field("a", "1") + "--" + b + "\r\nContent-Type: text/plain\r\n\r\nx\r\n--" + b + "--",
       "part 2 has no Content-Disposition"},
      {"--" + b + "\r\nContent-Disposition: attachment; name=\"a\"\r\n\r\nx\r\n--" + b + "--",
       "not form-data"},
      {"--" + b + "\r\nContent-Disposition: form-data; filename=\"a\"\r\n\r\nx\r\n--" + b + "--",
       "no name"},
      {"--" + b + "\r\nContent-Disposition: form-data; name=\"a\r\n\r\nx\r\n--" + b + "--",
       "malformed Content-Disposition"},
      {"--" + b + "\r\nno colon here\r\n\r\nx\r\n--" + b + "--", "malformed header"},
      {"--" + b + "\r\n continuation first\r\n\r\nx\r\n--" + b + "--", "malformed header"},
      {"--" + b +
           "\r\nContent-Disposition: form-data; name=\"a\"; filename*=UTF-8''%ZZ\r\n\r\nx\r\n--" +
           b + "--",
       "filename*"},
      {"--" + b + "\r\nContent-Disposition: form-data; name=\"a\"\r\nX-Big: " +
           std::string(9000, 'h') + "\r\n\r\nx\r\n--" + b + "--",
       "headers are longer than 8192 bytes"},
  };
  for (const Case& c : cases) {
    EXPECT_TRUE(failed_with(parse_multipart(kContentType, c.body, kLimit),
                            ErrorCode::kInvalidArgument, "body", c.message))
        << c.body.substr(0, 200);
  }
}

TEST(Multipart, EveryTruncatedBodyFailsCleanly) {
  std::string body =
      build({{{"Content-Disposition: form-data; name=\"a\""}, "v"},
             {{"Content-Disposition: form-data; name=\"f\"; filename=\"x\"", "Content-Type: a/b"},
              "\r\n--\0data\r\n"}});
  ASSERT_EQ(parse_ok(body).size(), 2u);
  ASSERT_TRUE(body.ends_with("--\r\n"));
  for (std::size_t n = 0; n + 2 < body.size(); ++n) {
    EXPECT_TRUE(failed_with(parse_multipart(kContentType, body.substr(0, n), kLimit),
                            ErrorCode::kInvalidArgument, "body"))
        << "prefix of " << n << " bytes";
  }
  EXPECT_EQ(parse_ok(body.substr(0, body.size() - 2)).size(), 2u);  // epilogue CRLF is optional
}

TEST(Multipart, PartSizeLimit) {
  std::string body = build({{{"Content-Disposition: form-data; name=\"small\""}, "12345"},
                            {{"Content-Disposition: form-data; name=\"upload\"; filename=\"b\""},
                             std::string(11, 'x')}});
  EXPECT_TRUE(failed_with(parse_multipart(kContentType, body, 10), ErrorCode::kPayloadTooLarge,
                          "upload", "limit of 10 bytes"));
  auto r = parse_multipart(kContentType, body, 11);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r.value()[1].data.size(), 11u);
}

TEST(Multipart, TooManyParts) {
  std::string body;
  for (int i = 0; i < 4; ++i) {
    std::string name = "f";  // appended: GCC 12 -O3 warns falsely (-Wrestrict) on "f" + string
    name += std::to_string(i);
    body += field(name, "v");
  }
  body += "--" + std::string(kBoundary) + "--\r\n";
  auto r = parse_multipart(kContentType, body, kLimit, 4);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r.value().size(), 4u);
  EXPECT_EQ(r.value()[3].name, "f3");
  EXPECT_TRUE(failed_with(parse_multipart(kContentType, body, kLimit, 3),
                          ErrorCode::kInvalidArgument, "body", "more than 3 parts"));
  // The default limit is 20.
  std::string many;
  for (int i = 0; i < 21; ++i) many += field("f", "v");
  many += "--" + std::string(kBoundary) + "--\r\n";
  EXPECT_TRUE(failed_with(parse_multipart(kContentType, many, kLimit), ErrorCode::kInvalidArgument,
                          "body", "more than 20 parts"));
}

}  // namespace
}  // namespace yunwei::http
