#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>

namespace yunwei::core {

// Milliseconds since the Unix epoch, UTC: how every time is stored.
using TimeMs = std::int64_t;

// The source of "now". Production code takes a Clock& so tests can pass a FakeClock.
class Clock {
 public:
  virtual ~Clock() = default;
  virtual TimeMs now_ms() const = 0;
  // Monotonic time for measuring durations; not related to wall time.
  virtual std::int64_t steady_ns() const = 0;
};

class SystemClock final : public Clock {
 public:
  TimeMs now_ms() const override;
  std::int64_t steady_ns() const override;
};

// A clock that moves only when told. Thread-safe.
class FakeClock final : public Clock {
 public:
  explicit FakeClock(TimeMs start_ms) : now_(start_ms) {}
  TimeMs now_ms() const override { return now_.load(); }
  std::int64_t steady_ns() const override { return now_.load() * 1'000'000; }
  void advance(std::chrono::milliseconds d) { now_ += d.count(); }
  void set(TimeMs t) { now_ = t; }

 private:
  std::atomic<TimeMs> now_;
};

// System time plus an offset that only moves forward: `serve --test-clock` uses it so end-to-end
// tests can jump minutes or days ahead (SLA thresholds, breaches) without waiting. Thread-safe.
class TestClock final : public Clock {
 public:
  TimeMs now_ms() const override { return system_.now_ms() + offset_.load(); }
  std::int64_t steady_ns() const override { return system_.steady_ns(); }
  void advance(std::chrono::milliseconds d) { offset_ += d.count(); }
  TimeMs offset_ms() const { return offset_.load(); }

 private:
  SystemClock system_;
  std::atomic<TimeMs> offset_{0};
};

// ISO 8601 UTC with milliseconds, "2024-03-04T09:00:00.000Z".
std::string format_iso8601(TimeMs t);
// Parses ISO 8601 / RFC 3339 ("2024-03-04T09:00:00Z", with optional fraction and offset).
// Returns false on malformed input.
bool parse_iso8601(std::string_view s, TimeMs& out);

}  // namespace yunwei::core
