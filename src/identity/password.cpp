#include "identity/password.h"

#include <sodium.h>

#include <algorithm>
#include <condition_variable>
#include <mutex>
#include <thread>

#include "core/crypto.h"
#include "core/text.h"

namespace yunwei::identity {

// Counting semaphore (std::counting_semaphore needs a compile-time maximum).
struct PasswordHasher::Gate {
  explicit Gate(int n) : free(n) {}
  std::mutex mu;
  std::condition_variable cv;
  int free;
  void acquire() {
    std::unique_lock lock(mu);
    cv.wait(lock, [&] { return free > 0; });
    --free;
  }
  void release() {
    {
      std::lock_guard lock(mu);
      ++free;
    }
    cv.notify_one();
  }
};

namespace {
struct GateHold {
  explicit GateHold(PasswordHasher::Gate* g) : g_(g) { g_->acquire(); }
  ~GateHold() { g_->release(); }
  PasswordHasher::Gate* g_;
};
}  // namespace

PasswordHasher::PasswordHasher(Strength s)
    : strength_(s),
      gate_(std::make_unique<Gate>(
          static_cast<int>(std::max(1u, std::thread::hardware_concurrency())))) {}

PasswordHasher::~PasswordHasher() = default;

core::Result<std::string> PasswordHasher::hash(std::string_view password) const {
  core::crypto_init();
  GateHold hold(gate_.get());
  char out[crypto_pwhash_STRBYTES];
  unsigned long long ops = strength_ == Strength::kMinimum ? crypto_pwhash_OPSLIMIT_MIN
                                                           : crypto_pwhash_OPSLIMIT_INTERACTIVE;
  size_t mem = strength_ == Strength::kMinimum ? crypto_pwhash_MEMLIMIT_MIN
                                               : crypto_pwhash_MEMLIMIT_INTERACTIVE;
  if (crypto_pwhash_str_alg(out, password.data(), password.size(), ops, mem,
                            crypto_pwhash_ALG_ARGON2ID13) != 0) {
    return core::internal("password hashing ran out of memory");
  }
  return std::string(out);
}

bool PasswordHasher::verify(std::string_view hash, std::string_view password) const {
  core::crypto_init();
  GateHold hold(gate_.get());
  std::string h(hash);
  return crypto_pwhash_str_verify(h.c_str(), password.data(), password.size()) == 0;
}

const std::string& PasswordHasher::dummy_hash() const {
  static const std::string kDummy = [this] {
    auto h = hash(core::random_token(16));
    return h.ok() ? h.value() : std::string();
  }();
  return kDummy;
}

core::Status check_password_policy(std::string_view password, std::string_view field) {
  if (!core::valid_utf8(password)) return core::invalid(std::string(field), "must be valid UTF-8");
  if (core::utf8_length(password) < 8) {
    return core::invalid(std::string(field), "must be at least 8 characters");
  }
  if (password.size() > 256) return core::invalid(std::string(field), "must be at most 256 bytes");
  return {};
}

}  // namespace yunwei::identity
