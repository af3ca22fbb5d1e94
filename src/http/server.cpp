#include "http/server.h"

#include <spdlog/spdlog.h>

#include <atomic>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/dispatch.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/empty_body.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>
#include <condition_variable>
#include <mutex>
#include <random>
#include <thread>
#include <unordered_set>
#include <utility>

namespace yunwei::http {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace bhttp = beast::http;
using tcp = net::ip::tcp;
using boost::system::error_code;

namespace {

std::string new_request_id() {
  thread_local std::mt19937_64 rng{std::random_device{}()};
  static const char* kHex = "0123456789abcdef";
  std::uint64_t v = rng();
  std::string out(16, '0');
  for (int i = 15; i >= 0; --i) {
    out[static_cast<size_t>(i)] = kHex[v & 0xF];
    v >>= 4;
  }
  return out;
}

bool acceptable_request_id(std::string_view id) {
  if (id.empty() || id.size() > 128) return false;
  for (char c : id) {
    if (c < 0x21 || c > 0x7E) return false;
  }
  return true;
}

// Runs the handler for `req` on `pool` and resumes the calling coroutine with its response.
// Takes only trivially destructible arguments: GCC 12 may destroy non-trivial temporaries of
// a co_await full-expression twice.
net::awaitable<Response> run_on(net::thread_pool& pool, const Handler* handler, Request* req) {
  return net::async_initiate<decltype(net::use_awaitable), void(Response)>(
      [&pool, handler, req](auto completion) mutable {
        net::post(pool, [completion = std::move(completion), handler, req]() mutable {
          Response r;
          try {
            r = (*handler)(*req);
          } catch (const std::exception& e) {
            spdlog::error("request {} {} {} failed: {}", req->request_id, req->method, req->path,
                          e.what());
            r = Response::error(
                500, "internal",
                "internal error; see the server log for request " + req->request_id);
          } catch (...) {
            spdlog::error("request {} {} {} failed", req->request_id, req->method, req->path);
            r = Response::error(
                500, "internal",
                "internal error; see the server log for request " + req->request_id);
          }
          auto ex = net::get_associated_executor(completion);
          net::dispatch(ex, [completion = std::move(completion), r = std::move(r)]() mutable {
            completion(std::move(r));
          });
        });
      },
      net::use_awaitable);
}

}  // namespace

struct Connection {
  explicit Connection(tcp::socket s) : stream(std::move(s)) {}
  beast::tcp_stream stream;
  bool idle = true;  // waiting for the next request; only touched on the stream's strand
};

struct Server::Impl {
  Impl(ServerOptions o, Handler h, RequestObserver obs)
      : opt(std::move(o)),
        handler(std::move(h)),
        observer(std::move(obs)),
        io_threads(opt.io_threads > 0 ? opt.io_threads
                                      : std::max(1u, std::thread::hardware_concurrency())),
        ioc(io_threads),
        workers(static_cast<size_t>(
            opt.worker_threads > 0
                ? opt.worker_threads
                : std::max(96u, 32 * std::max(1u, std::thread::hardware_concurrency())))),
        acceptor(ioc),
        signals(ioc, SIGINT, SIGTERM) {}

  ServerOptions opt;
  Handler handler;
  RequestObserver observer;
  int io_threads;
  net::io_context ioc;
  net::thread_pool workers;
  tcp::acceptor acceptor;
  net::signal_set signals;
  std::vector<std::thread> threads;
  std::atomic<bool> stopping{false};
  std::mutex mu;
  std::condition_variable cv;
  bool stop_requested = false;
  std::unordered_set<std::shared_ptr<Connection>> connections;

  net::awaitable<void> accept_loop();
  net::awaitable<void> serve(std::shared_ptr<Connection> conn, std::string remote);
  net::awaitable<bool> write_error(Connection& c, int status, std::string_view code,
                                   std::string_view message, const std::string& request_id);
  void begin_stop();
};

net::awaitable<void> Server::Impl::accept_loop() {
  while (!stopping) {
    error_code ec;
    auto strand = net::make_strand(ioc);  // named: see run_on() on GCC 12 temporaries
    tcp::socket socket =
        co_await acceptor.async_accept(strand, net::redirect_error(net::use_awaitable, ec));
    if (ec) {
      if (stopping || ec == net::error::operation_aborted) break;
      spdlog::warn("accept failed: {}", ec.message());
      continue;
    }
    socket.set_option(tcp::no_delay(true), ec);
    std::string remote;
    auto ep = socket.remote_endpoint(ec);
    if (!ec) remote = ep.address().to_string();
    auto conn = std::make_shared<Connection>(std::move(socket));
    {
      std::lock_guard lock(mu);
      connections.insert(conn);
    }
    net::co_spawn(conn->stream.get_executor(), serve(conn, std::move(remote)), net::detached);
  }
}

net::awaitable<bool> Server::Impl::write_error(Connection& c, int status, std::string_view code,
                                               std::string_view message,
                                               const std::string& request_id) {
  Response r = Response::error(status, code, message);
  bhttp::response<bhttp::string_body> res{static_cast<bhttp::status>(status), 11};
  res.set(bhttp::field::content_type, "application/json");
  res.set("X-Request-Id", request_id);
  res.keep_alive(false);
  res.body() = std::move(r.body);
  res.prepare_payload();
  c.stream.expires_after(opt.body_timeout);
  error_code ec;
  co_await bhttp::async_write(c.stream, res, net::redirect_error(net::use_awaitable, ec));
  co_return !ec;
}

net::awaitable<void> Server::Impl::serve(std::shared_ptr<Connection> conn, std::string remote) {
  beast::flat_buffer buffer;
  Connection& c = *conn;
  const std::string too_large =
      "request body exceeds " + std::to_string(opt.max_body_bytes) + " bytes";
  while (true) {
    error_code ec;
    if (buffer.size() == 0) {
      if (stopping) break;
      c.idle = true;
      c.stream.expires_after(opt.idle_timeout);
      auto n = co_await c.stream.async_read_some(buffer.prepare(4096),
                                                 net::redirect_error(net::use_awaitable, ec));
      c.idle = false;
      if (ec) break;
      buffer.commit(n);
    }
    c.idle = false;
    std::int64_t start_ns = std::chrono::duration_cast<std::chrono::nanoseconds>(
                                std::chrono::steady_clock::now().time_since_epoch())
                                .count();
    std::string request_id = new_request_id();
    bhttp::request_parser<bhttp::string_body> parser;
    parser.header_limit(static_cast<std::uint32_t>(opt.max_header_bytes));
    parser.body_limit(opt.max_body_bytes);
    c.stream.expires_after(opt.header_timeout);
    co_await bhttp::async_read_header(c.stream, buffer, parser,
                                      net::redirect_error(net::use_awaitable, ec));
    if (ec == bhttp::error::body_limit) {  // Content-Length over the limit, seen with the header
      co_await write_error(c, 413, "payload_too_large", too_large, request_id);
      break;
    }
    if (ec == bhttp::error::header_limit) {
      co_await write_error(c, 431, "header_too_large", "request headers are too large", request_id);
      break;
    }
    if (ec == beast::error::timeout || ec == bhttp::error::end_of_stream ||
        ec == net::error::operation_aborted || ec == net::error::eof ||
        ec == net::error::connection_reset) {
      break;
    }
    if (ec) {
      std::string msg = "malformed HTTP request: " + ec.message();
      co_await write_error(c, 400, "bad_request", msg, request_id);
      break;
    }
    if (auto len = parser.content_length(); len && *len > opt.max_body_bytes) {
      co_await write_error(c, 413, "payload_too_large", too_large, request_id);
      break;
    }
    if (auto expect = parser.get()[bhttp::field::expect]; beast::iequals(expect, "100-continue")) {
      bhttp::response<bhttp::empty_body> cont{bhttp::status::continue_, 11};
      c.stream.expires_after(opt.body_timeout);
      co_await bhttp::async_write(c.stream, cont, net::redirect_error(net::use_awaitable, ec));
      if (ec) break;
    }
    if (!parser.is_done()) {
      c.stream.expires_after(opt.body_timeout);
      co_await bhttp::async_read(c.stream, buffer, parser,
                                 net::redirect_error(net::use_awaitable, ec));
      if (ec == bhttp::error::body_limit) {
        co_await write_error(c, 413, "payload_too_large", too_large, request_id);
        break;
      }
      if (ec) break;
    }
    bhttp::request<bhttp::string_body> breq = parser.release();

    auto req = std::make_shared<Request>();
    req->method = std::string(breq.method_string());
    req->target = std::string(breq.target());
    size_t qpos = req->target.find('?');
    req->path = req->target.substr(0, qpos);
    if (qpos != std::string::npos) req->query = req->target.substr(qpos + 1);
    req->headers.reserve(8);
    for (const auto& f : breq) {
      std::string name(f.name_string());
      for (char& ch : name) {
        if (ch >= 'A' && ch <= 'Z') ch = static_cast<char>(ch - 'A' + 'a');
      }
      req->headers.push_back({std::move(name), std::string(f.value())});
    }
    req->body = std::move(breq.body());
    req->remote_addr = remote;
    if (auto rid = req->header("x-request-id"); rid && acceptable_request_id(*rid)) {
      request_id = std::string(*rid);
    }
    req->request_id = request_id;
    bool keep_alive = breq.keep_alive();

    Response resp = co_await run_on(workers, &handler, req.get());

    bhttp::response<bhttp::string_body> res{static_cast<bhttp::status>(resp.status), 11};
    res.set(bhttp::field::server, "yunwei");
    if (!resp.content_type.empty()) res.set(bhttp::field::content_type, resp.content_type);
    res.set("X-Request-Id", request_id);
    for (const Header& h : resp.headers) res.insert(h.name, h.value);
    bool head = req->method == "HEAD";
    keep_alive = keep_alive && !stopping;
    res.keep_alive(keep_alive);
    std::size_t body_size = resp.body.size();
    res.body() = std::move(resp.body);
    res.prepare_payload();
    if (head) res.body().clear();
    c.stream.expires_after(opt.body_timeout);
    if (head) {
      bhttp::response_serializer<bhttp::string_body> sr{res};
      sr.split(true);
      co_await bhttp::async_write_header(c.stream, sr, net::redirect_error(net::use_awaitable, ec));
    } else {
      co_await bhttp::async_write(c.stream, res, net::redirect_error(net::use_awaitable, ec));
    }
    if (observer) {
      std::int64_t end_ns = std::chrono::duration_cast<std::chrono::nanoseconds>(
                                std::chrono::steady_clock::now().time_since_epoch())
                                .count();
      resp.body.resize(0);
      resp.body.reserve(0);
      resp.headers.push_back({"content-length", std::to_string(body_size)});
      observer(*req, resp, end_ns - start_ns);
    }
    if (ec || !keep_alive) break;
  }
  error_code ignored;
  c.stream.socket().shutdown(tcp::socket::shutdown_both, ignored);
  c.stream.close();
  {
    std::lock_guard lock(mu);
    connections.erase(conn);
  }
  cv.notify_all();
}

void Server::Impl::begin_stop() {
  {
    std::lock_guard lock(mu);
    if (stop_requested) return;
    stop_requested = true;
  }
  stopping = true;
  net::post(acceptor.get_executor(), [this] {
    error_code ec;
    acceptor.close(ec);
    signals.cancel(ec);
  });
  std::vector<std::shared_ptr<Connection>> conns;
  {
    std::lock_guard lock(mu);
    conns.assign(connections.begin(), connections.end());
  }
  for (auto& c : conns) {
    net::post(c->stream.get_executor(), [c] {
      if (c->idle) c->stream.cancel();
    });
  }
  cv.notify_all();
}

Server::Server(ServerOptions options, Handler handler, RequestObserver observer)
    : impl_(std::make_unique<Impl>(std::move(options), std::move(handler), std::move(observer))) {}

Server::~Server() {
  if (!impl_->threads.empty()) {
    stop();
    impl_->ioc.stop();
    for (auto& t : impl_->threads) t.join();
    impl_->workers.join();
  }
}

core::Status Server::start() {
  error_code ec;
  auto addr = net::ip::make_address(impl_->opt.host, ec);
  if (ec) {
    return core::Error{core::ErrorCode::kInvalidArgument, "bad listen address " + impl_->opt.host,
                       "listen"};
  }
  tcp::endpoint ep(addr, impl_->opt.port);
  auto& acc = impl_->acceptor;
  acc.open(ep.protocol(), ec);
  if (!ec) acc.set_option(net::socket_base::reuse_address(true), ec);
  if (!ec) acc.bind(ep, ec);
  if (!ec) acc.listen(net::socket_base::max_listen_connections, ec);
  if (ec) {
    return core::Error{core::ErrorCode::kUnavailable, "cannot listen on " + impl_->opt.host + ":" +
                                                          std::to_string(impl_->opt.port) + ": " +
                                                          ec.message()};
  }
  impl_->signals.async_wait([this](const error_code& e, int sig) {
    if (e) return;
    spdlog::info("signal {} received; shutting down", sig);
    impl_->begin_stop();
  });
  net::co_spawn(impl_->ioc, impl_->accept_loop(), net::detached);
  for (int i = 0; i < impl_->io_threads; ++i) {
    impl_->threads.emplace_back([this] { impl_->ioc.run(); });
  }
  return {};
}

std::uint16_t Server::port() const {
  error_code ec;
  auto ep = impl_->acceptor.local_endpoint(ec);
  return ec ? 0 : ep.port();
}

void Server::stop() { impl_->begin_stop(); }

void Server::run_until_signal() {
  Impl& i = *impl_;
  {
    std::unique_lock lock(i.mu);
    i.cv.wait(lock, [&] { return i.stop_requested; });
    bool drained =
        i.cv.wait_for(lock, i.opt.shutdown_timeout, [&] { return i.connections.empty(); });
    if (!drained) {
      spdlog::warn("shutdown timeout: closing {} connection(s) still open", i.connections.size());
    }
  }
  i.workers.join();
  i.ioc.stop();
  for (auto& t : i.threads) t.join();
  i.threads.clear();
}

}  // namespace yunwei::http
