#pragma once

#include <array>
#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

namespace yunwei::api {

// Request counters by route and status, and a latency histogram per route, rendered in the
// Prometheus text format. Lock-free on the request path; routes are fixed at construction.
class Metrics {
 public:
  // `routes` are "METHOD /pattern" keys; unknown keys are counted under "other".
  explicit Metrics(const std::vector<std::string>& routes);
  void observe(const std::string& method, const std::string& route, int status,
               std::int64_t duration_ns);
  // Appends the HTTP metrics to `out`.
  void render(std::string& out) const;

  static constexpr std::array<double, 12> kBuckets = {0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025,
                                                      0.05,   0.1,   0.25,   0.5,   1,    5};
  static constexpr std::array<int, 21> kStatuses = {200, 201, 204, 301, 302, 304, 400,
                                                    401, 403, 404, 405, 409, 412, 413,
                                                    415, 422, 428, 429, 431, 500, 503};

 private:
  struct Series {
    std::string method, route;
    std::array<std::atomic<std::uint64_t>, kStatuses.size() + 1> by_status{};  // last: other
    std::array<std::atomic<std::uint64_t>, kBuckets.size()> buckets{};
    std::atomic<std::uint64_t> count{0};
    std::atomic<std::uint64_t> sum_ns{0};
  };
  std::vector<std::unique_ptr<Series>> series_;
  std::unordered_map<std::string, Series*> index_;
  Series* other_;
};

}  // namespace yunwei::api
