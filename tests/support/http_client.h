#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

namespace yunwei::testing {

struct HttpResponse {
  int status = 0;
  std::map<std::string, std::string> headers;  // lower-case names; last value wins
  std::vector<std::pair<std::string, std::string>> all_headers;
  std::string body;
  std::string header(const std::string& lower_name) const {
    auto it = headers.find(lower_name);
    return it == headers.end() ? std::string() : it->second;
  }
};

// A minimal blocking HTTP/1.1 client over one keep-alive connection to 127.0.0.1:port,
// reconnecting when the server closes. For tests only.
class HttpClient {
 public:
  explicit HttpClient(int port) : port_(port) {}
  ~HttpClient();
  HttpClient(const HttpClient&) = delete;
  HttpClient& operator=(const HttpClient&) = delete;

  // Sends a request; `headers` are "Name: value" lines. Returns status 0 on a transport error.
  HttpResponse request(const std::string& method, const std::string& target,
                       const std::string& body = {}, const std::vector<std::string>& headers = {});
  // Sends raw bytes and reads one response (for malformed-request tests).
  HttpResponse raw(const std::string& bytes);
  // Two halves of raw(): send bytes on the (new or kept) connection, then read one response.
  bool send_raw(const std::string& bytes);
  HttpResponse read_raw();
  void close();
  int port() const { return port_; }

 private:
  bool connect_();
  bool send_all(const std::string& s);
  bool read_response(HttpResponse& out, bool head);
  int port_;
  int fd_ = -1;
  std::string buf_;
};

}  // namespace yunwei::testing
