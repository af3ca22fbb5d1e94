#include "identity/throttle.h"

namespace yunwei::identity {

void LoginThrottle::prune(std::deque<core::TimeMs>& q, core::TimeMs now) const {
  while (!q.empty() && q.front() <= now - window_ms_) q.pop_front();
}

int LoginThrottle::retry_after_s(const std::string& key, core::TimeMs now) {
  std::lock_guard lock(mu_);
  auto it = failures_.find(key);
  if (it == failures_.end()) return 0;
  prune(it->second, now);
  if (static_cast<int>(it->second.size()) < max_failures_) return 0;
  // Blocked until the oldest failure that still counts leaves the window.
  core::TimeMs until =
      it->second[it->second.size() - static_cast<size_t>(max_failures_)] + window_ms_;
  return static_cast<int>((until - now + 999) / 1000);
}

void LoginThrottle::record_failure(const std::string& key, core::TimeMs now) {
  std::lock_guard lock(mu_);
  auto& q = failures_[key];
  prune(q, now);
  q.push_back(now);
  if (now - last_sweep_ > window_ms_) {
    // Forget keys whose failures all expired, so the map cannot grow without bound.
    for (auto it = failures_.begin(); it != failures_.end();) {
      prune(it->second, now);
      it = it->second.empty() ? failures_.erase(it) : std::next(it);
    }
    last_sweep_ = now;
  }
}

void LoginThrottle::reset(const std::string& key) {
  std::lock_guard lock(mu_);
  failures_.erase(key);
}

}  // namespace yunwei::identity
