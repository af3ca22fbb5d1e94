#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

namespace yunwei::app {

// SplitMix64: the same demo on every machine and standard library.
class Rng {
 public:
  explicit Rng(std::uint64_t seed) : state_(seed) {}
  std::uint64_t next() {
    std::uint64_t z = (state_ += 0x9E3779B97F4A7C15ULL);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
  }
  // lo..hi, both included.
  std::int64_t between(std::int64_t lo, std::int64_t hi) {
    if (hi <= lo) return lo;
    return lo + static_cast<std::int64_t>(next() % static_cast<std::uint64_t>(hi - lo + 1));
  }
  int uniform(int lo, int hi) { return static_cast<int>(between(lo, hi)); }
  bool percent(int p) { return uniform(0, 99) < p; }
  template <class T>
  const T& pick(const std::vector<T>& v) {
    return v[static_cast<std::size_t>(next() % v.size())];
  }

 private:
  std::uint64_t state_;
};

}  // namespace yunwei::app
