#pragma once

#include <cstdint>
#include <deque>
#include <mutex>
#include <string>
#include <unordered_map>

#include "core/clock.h"

namespace yunwei::identity {

// Sliding-window counter of failed logins per key (account or client address).
// Thread-safe. Kept in memory per node: a cluster multiplies the allowance by its node count.
class LoginThrottle {
 public:
  LoginThrottle(int max_failures, std::int64_t window_ms)
      : max_failures_(max_failures), window_ms_(window_ms) {}
  // Seconds until `key` may try again; 0 when it may try now.
  int retry_after_s(const std::string& key, core::TimeMs now);
  void record_failure(const std::string& key, core::TimeMs now);
  void reset(const std::string& key);

 private:
  void prune(std::deque<core::TimeMs>& q, core::TimeMs now) const;

  int max_failures_;
  std::int64_t window_ms_;
  std::mutex mu_;
  std::unordered_map<std::string, std::deque<core::TimeMs>> failures_;
  core::TimeMs last_sweep_ = 0;
};

}  // namespace yunwei::identity
