// The real binary over real HTTP: protocol behaviour of the server itself.
#include <gtest/gtest.h>
#include <signal.h>

#include <chrono>
#include <nlohmann/json.hpp>
#include <thread>

#include "support/server_process.h"

namespace yunwei::testing {
namespace {

using nlohmann::json;

class ServerTest : public ::testing::TestWithParam<TestBackend> {
 protected:
  void SetUp() override {
    if (GetParam() == TestBackend::kPostgres && test_pg_url().empty()) {
      GTEST_SKIP() << "YUNWEI_TEST_PG is not set";
    }
    std::string err;
    server_ = ServerProcess::start({GetParam(), extra_args_, {}}, &err);
    ASSERT_TRUE(server_) << err;
  }
  std::vector<std::string> extra_args_;
  std::unique_ptr<ServerProcess> server_;
};

TEST_P(ServerTest, AnswersHealthAndReadiness) {
  HttpClient c(server_->port());
  EXPECT_EQ(c.request("GET", "/healthz").status, 200);
  HttpResponse r = c.request("GET", "/readyz");
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(json::parse(r.body)["status"], "ready");
}

TEST_P(ServerTest, EchoesAValidRequestIdAndInventsOneOtherwise) {
  HttpClient c(server_->port());
  HttpResponse r = c.request("GET", "/healthz", "", {"X-Request-Id: trace-abc-123"});
  EXPECT_EQ(r.header("x-request-id"), "trace-abc-123");
  HttpResponse r2 = c.request("GET", "/healthz");
  EXPECT_EQ(r2.header("x-request-id").size(), 16u);
  HttpResponse r3 = c.request("GET", "/healthz");
  EXPECT_NE(r2.header("x-request-id"), r3.header("x-request-id"));
}

TEST_P(ServerTest, KeepsTheConnectionAliveAcrossRequests) {
  HttpClient c(server_->port());
  for (int i = 0; i < 20; ++i) {
    HttpResponse r = c.request("GET", "/healthz");
    ASSERT_EQ(r.status, 200);
    EXPECT_NE(r.header("connection"), "close");
  }
}

TEST_P(ServerTest, AnswersUnknownRoutesAndMethodsWithJsonErrors) {
  HttpClient c(server_->port());
  HttpResponse r = c.request("GET", "/api/v1/nothing-here");
  EXPECT_EQ(r.status, 404);
  EXPECT_EQ(json::parse(r.body)["error"]["code"], "not_found");
  HttpResponse m = c.request("DELETE", "/api/v1/users");
  EXPECT_EQ(m.status, 405);
  EXPECT_EQ(json::parse(m.body)["error"]["code"], "method_not_allowed");
  EXPECT_NE(m.header("allow").find("GET"), std::string::npos);
}

TEST_P(ServerTest, RejectsABodyOverTheLimitWith413) {
  // The server answers from the Content-Length alone, before reading the body.
  HttpClient c(server_->port());
  HttpResponse r = c.raw(
      "POST /api/v1/auth/login HTTP/1.1\r\nHost: x\r\n"
      "Content-Type: application/json\r\nContent-Length: 10485761\r\n\r\n{");
  EXPECT_EQ(r.status, 413);
  EXPECT_EQ(json::parse(r.body)["error"]["code"], "payload_too_large");
  // The server still serves others.
  HttpClient c2(server_->port());
  EXPECT_EQ(c2.request("GET", "/healthz").status, 200);
}

TEST_P(ServerTest, RejectsAChunkedBodyOverTheLimitWith413) {
  HttpClient c(server_->port());
  std::string chunk(1024 * 1024, 'x');
  std::string req =
      "POST /api/v1/auth/login HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
      "Transfer-Encoding: chunked\r\n\r\n";
  char size[32];
  std::snprintf(size, sizeof size, "%zx\r\n", chunk.size());
  for (int i = 0; i < 11; ++i) req += size + chunk + "\r\n";
  req += "0\r\n\r\n";
  HttpResponse r = c.raw(req);
  EXPECT_EQ(r.status, 413);
}

TEST_P(ServerTest, RejectsOversizedHeadersWith431) {
  HttpClient c(server_->port());
  HttpResponse r = c.request("GET", "/healthz", "", {"X-Big: " + std::string(20000, 'a')});
  EXPECT_EQ(r.status, 431);
}

TEST_P(ServerTest, RejectsGarbageWith400) {
  HttpClient c(server_->port());
  HttpResponse r = c.raw("NOT HTTP AT ALL\r\n\r\n");
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(json::parse(r.body)["error"]["code"], "bad_request");
}

TEST_P(ServerTest, ServesMetricsInPrometheusFormat) {
  HttpClient c(server_->port());
  c.request("GET", "/healthz");
  c.request("GET", "/api/v1/me");
  HttpResponse r = c.request("GET", "/metrics");
  ASSERT_EQ(r.status, 200);
  EXPECT_NE(r.header("content-type").find("text/plain"), std::string::npos);
  EXPECT_NE(r.body.find("yunwei_build_info{version="), std::string::npos);
  EXPECT_NE(
      r.body.find(R"(yunwei_http_requests_total{method="GET",route="/healthz",status="200"} 1)"),
      std::string::npos)
      << r.body;
  EXPECT_NE(
      r.body.find(R"(yunwei_http_requests_total{method="GET",route="/api/v1/me",status="401"} 1)"),
      std::string::npos);
  EXPECT_NE(r.body.find("yunwei_http_request_duration_seconds_bucket{method=\"GET\",route=\"/"
                        "healthz\",le=\"+Inf\"} 1"),
            std::string::npos);
  EXPECT_NE(r.body.find("yunwei_db_connections{backend="), std::string::npos);
}

TEST_P(ServerTest, WritesOneAccessLogLinePerRequest) {
  HttpClient c(server_->port());
  c.request("GET", "/healthz", "", {"X-Request-Id: access-log-probe"});
  // The log is flushed every 200 ms.
  std::string out;
  for (int i = 0; i < 50 && out.find("access-log-probe") == std::string::npos; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    out = server_->output();
  }
  EXPECT_NE(out.find("GET /healthz 200"), std::string::npos) << out;
  EXPECT_NE(out.find("rid=access-log-probe"), std::string::npos);
}

TEST_P(ServerTest, StopsOnSigtermAndExitsZero) {
  HttpClient c(server_->port());
  ASSERT_EQ(c.request("GET", "/healthz").status, 200);  // an idle keep-alive connection stays open
  auto start = std::chrono::steady_clock::now();
  EXPECT_EQ(server_->stop(SIGTERM, 12000), 0);
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(10));
}

TEST_P(ServerTest, FinishesAnInFlightRequestBeforeExiting) {
  // The request is half sent when SIGTERM arrives; the server must still answer it, then exit.
  HttpClient c(server_->port());
  std::string body = R"({"username":"admin","password":")" + server_->admin_password() + R"("})";
  std::string head =
      "POST /api/v1/auth/login HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
      "Content-Length: " +
      std::to_string(body.size()) + "\r\n\r\n";
  ASSERT_TRUE(c.send_raw(head + body.substr(0, 5)));
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  kill(server_->pid(), SIGTERM);
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  ASSERT_TRUE(c.send_raw(body.substr(5)));
  HttpResponse r = c.read_raw();
  EXPECT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.header("connection"), "close");
  EXPECT_EQ(server_->stop(SIGTERM, 12000), 0);
  // New connections are refused once it stopped accepting.
  HttpClient late(server_->port());
  EXPECT_EQ(late.request("GET", "/healthz").status, 0);
}

// The same server with short timeouts.
class ServerTimeoutTest : public ServerTest {
 protected:
  void SetUp() override {
    extra_args_ = {"--header-timeout-ms", "300", "--idle-timeout-ms", "300"};
    ServerTest::SetUp();
  }
};

TEST_P(ServerTimeoutTest, ClosesAKeepAliveConnectionLeftIdle) {
  HttpClient c(server_->port());
  ASSERT_TRUE(c.send_raw("GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n"));
  ASSERT_EQ(c.read_raw().status, 200);
  std::this_thread::sleep_for(std::chrono::milliseconds(800));
  c.send_raw("GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n");
  EXPECT_EQ(c.read_raw().status, 0) << "the idle connection should have been closed";
}

TEST_P(ServerTimeoutTest, CutsOffAClientThatSendsItsHeaderTooSlowly) {
  HttpClient c(server_->port());
  ASSERT_TRUE(c.send_raw("GET /healthz HTTP/1.1\r\nHost: x\r\n"));
  std::this_thread::sleep_for(std::chrono::milliseconds(800));
  c.send_raw("\r\n");
  EXPECT_EQ(c.read_raw().status, 0) << "a header that takes too long should not be answered";
  // A prompt client is still served.
  HttpClient fast(server_->port());
  EXPECT_EQ(fast.request("GET", "/healthz").status, 200);
}

INSTANTIATE_TEST_SUITE_P(Backends, ServerTimeoutTest,
                         ::testing::Values(TestBackend::kSqlite, TestBackend::kPostgres),
                         [](const auto& p) { return std::string(backend_name(p.param)); });

INSTANTIATE_TEST_SUITE_P(Backends, ServerTest,
                         ::testing::Values(TestBackend::kSqlite, TestBackend::kPostgres),
                         [](const auto& p) { return std::string(backend_name(p.param)); });

}  // namespace
}  // namespace yunwei::testing
