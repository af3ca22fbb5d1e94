#include "support/http_client.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstring>

namespace yunwei::testing {

HttpClient::~HttpClient() { close(); }

void HttpClient::close() {
  if (fd_ >= 0) ::close(fd_);
  fd_ = -1;
  buf_.clear();
}

bool HttpClient::connect_() {
  close();
  fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
  if (fd_ < 0) return false;
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(port_));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::connect(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    close();
    return false;
  }
  int one = 1;
  setsockopt(fd_, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  timeval tv{30, 0};
  setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  return true;
}

bool HttpClient::send_all(const std::string& s) {
  size_t off = 0;
  while (off < s.size()) {
    ssize_t n = ::send(fd_, s.data() + off, s.size() - off, MSG_NOSIGNAL);
    if (n <= 0) return false;
    off += static_cast<size_t>(n);
  }
  return true;
}

bool HttpClient::read_response(HttpResponse& out, bool head) {
  auto fill = [&]() {
    char tmp[16384];
    ssize_t n = ::recv(fd_, tmp, sizeof tmp, 0);
    if (n <= 0) return false;
    buf_.append(tmp, static_cast<size_t>(n));
    return true;
  };
  size_t end;
  while ((end = buf_.find("\r\n\r\n")) == std::string::npos) {
    if (!fill()) return false;
  }
  std::string head_text = buf_.substr(0, end);
  buf_.erase(0, end + 4);
  size_t line_end = head_text.find("\r\n");
  std::string status_line = head_text.substr(0, line_end);
  if (status_line.size() < 12) return false;
  out.status = std::atoi(status_line.c_str() + 9);
  size_t pos = line_end == std::string::npos ? head_text.size() : line_end + 2;
  while (pos < head_text.size()) {
    size_t e = head_text.find("\r\n", pos);
    std::string line = head_text.substr(pos, e == std::string::npos ? std::string::npos : e - pos);
    size_t colon = line.find(':');
    if (colon != std::string::npos) {
      std::string name = line.substr(0, colon);
      for (char& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      std::string value = line.substr(colon + 1);
      while (!value.empty() && value.front() == ' ') value.erase(0, 1);
      out.headers[name] = value;
      out.all_headers.emplace_back(name, value);
    }
    if (e == std::string::npos) break;
    pos = e + 2;
  }
  if (out.status == 100) {  // interim response: read the real one
    out = HttpResponse{};
    return read_response(out, head);
  }
  if (head || out.status == 204 || out.status == 304) return true;
  if (out.header("transfer-encoding") == "chunked") {
    while (true) {
      size_t le;
      while ((le = buf_.find("\r\n")) == std::string::npos) {
        if (!fill()) return false;
      }
      size_t size = std::stoul(buf_.substr(0, le), nullptr, 16);
      while (buf_.size() < le + 2 + size + 2) {
        if (!fill()) return false;
      }
      out.body += buf_.substr(le + 2, size);
      buf_.erase(0, le + 2 + size + 2);
      if (size == 0) break;
    }
    return true;
  }
  std::string cl = out.header("content-length");
  if (!cl.empty()) {
    size_t len = std::stoul(cl);
    while (buf_.size() < len) {
      if (!fill()) return false;
    }
    out.body = buf_.substr(0, len);
    buf_.erase(0, len);
    return true;
  }
  while (fill()) {
  }
  out.body = buf_;
  buf_.clear();
  return true;
}

HttpResponse HttpClient::request(const std::string& method, const std::string& target,
                                 const std::string& body, const std::vector<std::string>& headers) {
  std::string req = method + " " + target + " HTTP/1.1\r\nHost: 127.0.0.1\r\n";
  bool has_ct = false;
  for (const std::string& h : headers) {
    req += h + "\r\n";
    if (strncasecmp(h.c_str(), "content-type:", 13) == 0) has_ct = true;
  }
  if (!body.empty() && !has_ct) req += "Content-Type: application/json\r\n";
  if (!body.empty() || method == "POST" || method == "PATCH" || method == "PUT") {
    req += "Content-Length: " + std::to_string(body.size()) + "\r\n";
  }
  req += "\r\n" + body;
  for (int attempt = 0; attempt < 2; ++attempt) {
    if (fd_ < 0 && !connect_()) return {};
    HttpResponse out;
    if (send_all(req) && read_response(out, method == "HEAD")) {
      if (out.header("connection") == "close") close();
      return out;
    }
    close();  // stale keep-alive connection: retry once on a fresh one
  }
  return {};
}

HttpResponse HttpClient::raw(const std::string& bytes) {
  if (!connect_()) return {};
  HttpResponse out;
  if (!send_all(bytes) || !read_response(out, false)) out.status = 0;
  close();
  return out;
}

}  // namespace yunwei::testing

namespace yunwei::testing {

bool HttpClient::send_raw(const std::string& bytes) {
  if (fd_ < 0 && !connect_()) return false;
  return send_all(bytes);
}

HttpResponse HttpClient::read_raw() {
  HttpResponse out;
  if (!read_response(out, false)) out.status = 0;
  return out;
}

}  // namespace yunwei::testing
