#pragma once

#include <condition_variable>
#include <mutex>
#include <string>
#include <thread>

namespace yunwei::app {

// Buffered line writer for the access log on stdout: request threads append under a short
// lock; a background thread writes the buffer every 200 ms (or when it grows past 64 KiB),
// so logging costs no system call per request.
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
  bool stop_ = false;
  std::thread thread_;
};

}  // namespace yunwei::app
