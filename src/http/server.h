#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "core/result.h"
#include "http/router.h"

namespace yunwei::http {

struct ServerOptions {
  std::string host = "127.0.0.1";
  std::uint16_t port = 8080;  // 0: pick a free port
  int io_threads = 0;         // 0: one per core
  // 0: 32 per core, at least 96. Handlers run here, never on io threads; they mostly wait on the
  // database, and SQLite's group commit batches as many writes as there are waiting handlers
  // (64 connections of POST /api/v1/tickets: 4,370/s with 32 workers, 4,700/s with 96).
  int worker_threads = 0;
  std::size_t max_body_bytes = 10 * 1024 * 1024;
  std::size_t max_header_bytes = 16 * 1024;
  std::chrono::milliseconds idle_timeout{60'000};    // keep-alive wait for the next request
  std::chrono::milliseconds header_timeout{10'000};  // from first byte to complete header
  std::chrono::milliseconds body_timeout{30'000};    // to read the body / write the response
  std::chrono::milliseconds shutdown_timeout{10'000};
};

// Called once per answered request on an io thread, with the duration in nanoseconds
// from first header byte to response written. Must be cheap and thread-safe.
using RequestObserver =
    std::function<void(const Request& req, const Response& res, std::int64_t duration_ns)>;

// HTTP/1.1 server (Boost.Beast on Asio coroutines) with keep-alive, size limits, timeouts and
// graceful shutdown. The handler runs on a worker pool. Each response carries X-Request-Id
// (the client's when valid, else a new one).
class Server {
 public:
  Server(ServerOptions options, Handler handler, RequestObserver observer);
  ~Server();
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  // Binds and starts the io and worker threads. kUnavailable when the address cannot be bound.
  core::Status start();
  // The bound port (after start).
  std::uint16_t port() const;
  // Blocks until SIGINT or SIGTERM arrives (or stop() is called), then stops accepting, lets
  // in-flight requests finish (closing idle keep-alive connections) for at most
  // shutdown_timeout, and returns.
  void run_until_signal();
  // Starts the same shutdown from any thread; run_until_signal() returns after it.
  void stop();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace yunwei::http
