#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "core/result.h"

namespace yunwei::identity {

// argon2id password hashing (libsodium). Costs ~200 ms of CPU and 64 MiB of memory per call at
// the default (interactive) limits: call it off the io threads. Thread-safe; at most one hash
// or verification per core runs at a time (others wait), which bounds memory under a burst
// of logins.
class PasswordHasher {
 public:
  enum class Strength { kInteractive, kMinimum /* tests only */ };
  explicit PasswordHasher(Strength s = Strength::kInteractive);
  ~PasswordHasher();
  // kInternal when libsodium runs out of memory.
  core::Result<std::string> hash(std::string_view password) const;
  bool verify(std::string_view hash, std::string_view password) const;
  // A hash to verify against when the user does not exist, so timing does not reveal it.
  const std::string& dummy_hash() const;

  struct Gate;  // implementation detail: the concurrency limit

 private:
  Strength strength_;
  std::unique_ptr<Gate> gate_;
};

// Checks length rules; kInvalidArgument naming `field` otherwise.
core::Status check_password_policy(std::string_view password, std::string_view field);

}  // namespace yunwei::identity
