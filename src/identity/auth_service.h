#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/clock.h"
#include "identity/password.h"
#include "identity/roles.h"
#include "identity/throttle.h"
#include "store/audit.h"
#include "store/database.h"

namespace yunwei::identity {

// The authenticated caller of one request.
struct Principal {
  std::int64_t user_id = 0;
  std::string username;
  RoleSet roles = 0;
  std::optional<std::int64_t> session_id;  // set when authenticated by cookie
  std::string csrf_token;                  // the session's; writes must echo it
  std::optional<std::int64_t> token_id;    // set when authenticated by API token
};

struct LoginResult {
  std::string session_token;  // the cookie value; only its hash is stored
  std::string csrf_token;
  core::TimeMs expires_at = 0;
  std::int64_t user_id = 0;
};

struct ApiToken {
  std::int64_t id = 0;
  std::int64_t user_id = 0;
  std::string name;
  std::string prefix;  // first characters of the token, to recognise it in lists
  core::TimeMs created_at = 0;
  std::optional<core::TimeMs> expires_at;
  std::optional<core::TimeMs> last_used_at;
  std::optional<core::TimeMs> revoked_at;
  std::int64_t version = 1;
};

struct CreatedToken {
  ApiToken token;
  std::string secret;  // shown once, never stored
};

struct AuthOptions {
  std::int64_t session_ttl_ms = 12LL * 3600 * 1000;
  int max_failures_per_account = 5;
  int max_failures_per_address = 20;
  std::int64_t failure_window_ms = 15LL * 60 * 1000;
};

// Logins, sessions and API tokens. Thread-safe.
class AuthService {
 public:
  AuthService(store::Database& db, const core::Clock& clock, const PasswordHasher& hasher,
              AuthOptions options = {});

  // kTooManyRequests (retry_after_s set) when throttled; kUnauthenticated for a wrong
  // username or password or an inactive account (one message for all, so accounts cannot
  // be probed). Slow: verifies an argon2id hash.
  core::Result<LoginResult> login(std::string_view username, std::string_view password,
                                  const std::string& client_addr, std::string_view user_agent,
                                  const std::string& request_id);
  // The throttled, audited password check of login() without opening a session; returns the
  // user id. For re-authentication (changing one's password).
  core::Result<std::int64_t> verify_password(std::string_view username, std::string_view password,
                                             const std::string& client_addr,
                                             const std::string& request_id);
  core::Status logout(const Principal& p, const std::string& request_id);

  // kUnauthenticated when the session is unknown, expired, or its user inactive.
  core::Result<Principal> authenticate_session(std::string_view session_token);
  // Same for a bearer token (revoked or expired: kUnauthenticated).
  core::Result<Principal> authenticate_token(std::string_view bearer);

  // `expires_at` optional. kInvalidArgument (field "name") for an empty or long name.
  core::Result<CreatedToken> create_token(const store::Actor& actor, std::int64_t user_id,
                                          std::string_view name,
                                          std::optional<core::TimeMs> expires_at);
  core::Result<std::vector<ApiToken>> list_tokens(std::int64_t user_id);
  // kNotFound when the token does not belong to `user_id`.
  core::Result<ApiToken> revoke_token(const store::Actor& actor, std::int64_t user_id,
                                      std::int64_t token_id);

 private:
  store::Database& db_;
  const core::Clock& clock_;
  const PasswordHasher& hasher_;
  AuthOptions options_;
  LoginThrottle by_account_;
  LoginThrottle by_address_;
};

}  // namespace yunwei::identity
