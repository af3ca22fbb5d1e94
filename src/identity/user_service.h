#pragma once

#include <optional>
#include <string>

#include "core/clock.h"
#include "identity/password.h"
#include "identity/user.h"
#include "store/audit.h"
#include "store/database.h"
#include "store/page.h"

namespace yunwei::identity {

struct UserQuery {
  std::string q;  // substring of username, display name or email
  std::optional<Role> role;
  std::optional<bool> active;
  std::optional<std::int64_t> team_id;
  std::string sort = "id";
  std::string cursor;
  int limit = 50;
};

// Users: validation, persistence, audit. Thread-safe; each method is one transaction.
// Password hashing happens before the transaction opens (it is slow), on the calling thread.
class UserService {
 public:
  UserService(store::Database& db, const core::Clock& clock, const PasswordHasher& hasher)
      : db_(db), clock_(clock), hasher_(hasher) {}

  // kInvalidArgument naming the field; kConflict (field "username") when it is taken.
  core::Result<User> create(const store::Actor& actor, const NewUser& in);
  // kNotFound.
  core::Result<User> get(std::int64_t id);
  core::Result<store::Page<User>> list(const UserQuery& q);
  // kConflict (field "version") when `patch.version` is stale.
  core::Result<User> update(const store::Actor& actor, std::int64_t id, const UserPatch& patch);
  // Deactivating also ends the user's sessions and revokes their tokens.
  // kConflict when an admin would deactivate themself or the last active admin.
  core::Result<User> set_active(const store::Actor& actor, std::int64_t id, bool active,
                                std::optional<std::int64_t> version);
  // Sets a new password (policy-checked) and ends the user's other sessions.
  // `keep_session_id` survives (the session that made the change).
  core::Result<User> set_password(const store::Actor& actor, std::int64_t id,
                                  std::string_view password,
                                  std::optional<std::int64_t> keep_session_id = std::nullopt);
  core::Result<std::optional<User>> find_by_username(std::string_view username);

  // Validation shared with other entry points (CLI).
  static core::Status validate_username(std::string_view username);

 private:
  store::Database& db_;
  const core::Clock& clock_;
  const PasswordHasher& hasher_;
};

// Reads a user in an open transaction (team ids included). kNotFound.
core::Result<User> load_user(store::Tx& tx, std::int64_t id);

}  // namespace yunwei::identity
