#pragma once

#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <string>
#include <thread>

namespace yunwei::app {

// Buffered line writer for the access log on stdout: request threads append under a short
// lock; a background thread writes the buffer every 200 ms (or when it grows past 64 KiB),
// so logging costs no system call per request. When stdout stalls, at most 8 MiB are kept and
// further lines are dropped (and counted in the log once it flows again).
class AccessLog {
 public:
  AccessLog();
  ~AccessLog();                       // flushes
  void write(std::string_view line);  // `line` without the newline
  void flush();

 private:
  void run();
  std::mutex mu_;
  std::condition_variable cv_;
  std::string buf_;
  std::uint64_t dropped_ = 0;
  bool stop_ = false;
  std::thread thread_;
};

}  // namespace yunwei::app
