#pragma once

#include <string>
#include <string_view>

#include "core/result.h"

namespace yunwei::identity {

// argon2id password hashing (libsodium). Costs ~200 ms of CPU per call at the default
// (interactive) limits: call it off the io threads. Thread-safe.
class PasswordHasher {
 public:
  enum class Strength { kInteractive, kMinimum /* tests only */ };
  explicit PasswordHasher(Strength s = Strength::kInteractive) : strength_(s) {}
  // kInternal when libsodium runs out of memory.
  core::Result<std::string> hash(std::string_view password) const;
  bool verify(std::string_view hash, std::string_view password) const;
  // A hash to verify against when the user does not exist, so timing does not reveal it.
  const std::string& dummy_hash() const;

 private:
  Strength strength_;
};

// Checks length rules; kInvalidArgument naming `field` otherwise.
core::Status check_password_policy(std::string_view password, std::string_view field);

}  // namespace yunwei::identity
