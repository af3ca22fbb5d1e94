#include "api/metrics.h"

#include <cstdio>

namespace yunwei::api {

Metrics::Metrics(const std::vector<std::string>& routes) {
  for (const std::string& key : routes) {
    auto s = std::make_unique<Series>();
    size_t sp = key.find(' ');
    s->method = key.substr(0, sp);
    s->route = sp == std::string::npos ? "" : key.substr(sp + 1);
    index_[key] = s.get();
    series_.push_back(std::move(s));
  }
  auto o = std::make_unique<Series>();
  o->method = "other";
  o->route = "other";
  other_ = o.get();
  series_.push_back(std::move(o));
}

void Metrics::observe(const std::string& method, const std::string& route, int status,
                      std::int64_t duration_ns) {
  Series* s = other_;
  if (!route.empty()) {
    std::string key;
    key.reserve(method.size() + 1 + route.size());
    key.append(method).append(" ").append(route);
    auto it = index_.find(key);
    if (it != index_.end()) s = it->second;
  }
  size_t si = kStatuses.size();
  for (size_t i = 0; i < kStatuses.size(); ++i) {
    if (kStatuses[i] == status) {
      si = i;
      break;
    }
  }
  s->by_status[si].fetch_add(1, std::memory_order_relaxed);
  double secs = static_cast<double>(duration_ns) / 1e9;
  for (size_t i = 0; i < kBuckets.size(); ++i) {
    if (secs <= kBuckets[i]) {
      s->buckets[i].fetch_add(1, std::memory_order_relaxed);
      break;
    }
  }
  s->count.fetch_add(1, std::memory_order_relaxed);
  s->sum_ns.fetch_add(static_cast<std::uint64_t>(duration_ns), std::memory_order_relaxed);
}

void Metrics::render(std::string& out) const {
  char buf[512];
  out += "# HELP yunwei_http_requests_total HTTP requests answered, by route and status.\n";
  out += "# TYPE yunwei_http_requests_total counter\n";
  for (const auto& s : series_) {
    for (size_t i = 0; i <= kStatuses.size(); ++i) {
      std::uint64_t n = s->by_status[i].load(std::memory_order_relaxed);
      if (n == 0) continue;
      std::string status = i < kStatuses.size() ? std::to_string(kStatuses[i]) : "other";
      std::snprintf(buf, sizeof buf,
                    "yunwei_http_requests_total{method=\"%s\",route=\"%s\",status=\"%s\"} %llu\n",
                    s->method.c_str(), s->route.c_str(), status.c_str(),
                    static_cast<unsigned long long>(n));
      out += buf;
    }
  }
  out +=
      "# HELP yunwei_http_request_duration_seconds Time from request header to response written.\n";
  out += "# TYPE yunwei_http_request_duration_seconds histogram\n";
  for (const auto& s : series_) {
    std::uint64_t count = s->count.load(std::memory_order_relaxed);
    if (count == 0) continue;
    std::uint64_t cumulative = 0;
    for (size_t i = 0; i < kBuckets.size(); ++i) {
      cumulative += s->buckets[i].load(std::memory_order_relaxed);
      std::snprintf(
          buf, sizeof buf,
          "yunwei_http_request_duration_seconds_bucket{method=\"%s\",route=\"%s\",le=\"%g\"} "
          "%llu\n",
          s->method.c_str(), s->route.c_str(), kBuckets[i],
          static_cast<unsigned long long>(cumulative));
      out += buf;
    }
    std::snprintf(
        buf, sizeof buf,
        "yunwei_http_request_duration_seconds_bucket{method=\"%s\",route=\"%s\",le=\"+Inf\"} "
        "%llu\n"
        "yunwei_http_request_duration_seconds_sum{method=\"%s\",route=\"%s\"} %.6f\n"
        "yunwei_http_request_duration_seconds_count{method=\"%s\",route=\"%s\"} %llu\n",
        s->method.c_str(), s->route.c_str(), static_cast<unsigned long long>(count),
        s->method.c_str(), s->route.c_str(),
        static_cast<double>(s->sum_ns.load(std::memory_order_relaxed)) / 1e9, s->method.c_str(),
        s->route.c_str(), static_cast<unsigned long long>(count));
    out += buf;
  }
}

}  // namespace yunwei::api
