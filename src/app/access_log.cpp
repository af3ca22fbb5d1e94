#include "app/access_log.h"

#include <unistd.h>

#include <chrono>

namespace yunwei::app {
namespace {

void write_all(const std::string& s) {
  size_t off = 0;
  while (off < s.size()) {
    ssize_t n = ::write(STDOUT_FILENO, s.data() + off, s.size() - off);
    if (n <= 0) return;  // stdout gone: drop the log rather than block serving
    off += static_cast<size_t>(n);
  }
}

}  // namespace

AccessLog::AccessLog() : thread_([this] { run(); }) {}

AccessLog::~AccessLog() {
  {
    std::lock_guard lock(mu_);
    stop_ = true;
  }
  cv_.notify_one();
  thread_.join();
}

void AccessLog::write(std::string_view line) {
  bool big;
  {
    std::lock_guard lock(mu_);
    // A stalled stdout (a paused pager, a full pipe) must not grow memory without bound:
    // past 8 MiB pending, lines are counted and dropped.
    if (buf_.size() > 8 * 1024 * 1024) {
      ++dropped_;
      return;
    }
    if (dropped_ > 0) {
      buf_.append("access log: ").append(std::to_string(dropped_)).append(" lines dropped\n");
      dropped_ = 0;
    }
    buf_.append(line).push_back('\n');
    big = buf_.size() > 64 * 1024;
  }
  if (big) cv_.notify_one();
}

void AccessLog::flush() {
  std::string out;
  {
    std::lock_guard lock(mu_);
    out.swap(buf_);
  }
  write_all(out);
}

void AccessLog::run() {
  std::unique_lock lock(mu_);
  while (!stop_) {
    cv_.wait_for(lock, std::chrono::milliseconds(200),
                 [&] { return stop_ || buf_.size() > 64 * 1024; });
    std::string out;
    out.swap(buf_);
    lock.unlock();
    write_all(out);
    lock.lock();
  }
  std::string out;
  out.swap(buf_);
  lock.unlock();
  write_all(out);
}

}  // namespace yunwei::app
