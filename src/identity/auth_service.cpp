#include "identity/auth_service.h"

#include <nlohmann/json.hpp>

#include "core/crypto.h"
#include "core/text.h"

namespace yunwei::identity {
namespace {

constexpr const char* kTokenPrefix = "yw_";

core::Error bad_credentials() {
  return core::Error{core::ErrorCode::kUnauthenticated, "wrong username or password"};
}

core::Error throttled(int seconds) {
  core::Error e{core::ErrorCode::kTooManyRequests,
                "too many failed logins; try again in " + std::to_string(seconds) + " s"};
  e.retry_after_s = seconds;
  return e;
}

ApiToken token_from_row(const store::Row& r) {
  ApiToken t;
  t.id = r.i64(0);
  t.user_id = r.i64(1);
  t.name = r.str(2);
  t.prefix = r.str(3);
  t.created_at = r.i64(4);
  t.expires_at = r.opt_i64(5);
  t.last_used_at = r.opt_i64(6);
  t.revoked_at = r.opt_i64(7);
  t.version = r.i64(8);
  return t;
}

constexpr const char* kTokenColumns =
    "id, user_id, name, prefix, created_at, expires_at, last_used_at, revoked_at, version";

std::string token_snapshot(const ApiToken& t) {
  nlohmann::json j = {{"id", t.id}, {"user_id", t.user_id}, {"name", t.name}, {"prefix", t.prefix}};
  if (t.revoked_at) j["revoked_at"] = *t.revoked_at;
  return j.dump();
}

}  // namespace

AuthService::AuthService(store::Database& db, const core::Clock& clock,
                         const PasswordHasher& hasher, AuthOptions options)
    : db_(db),
      clock_(clock),
      hasher_(hasher),
      options_(options),
      by_account_(options.max_failures_per_account, options.failure_window_ms),
      by_address_(options.max_failures_per_address, options.failure_window_ms) {}

core::Result<std::int64_t> AuthService::verify_password(std::string_view username,
                                                        std::string_view password,
                                                        const std::string& client_addr,
                                                        const std::string& request_id) {
  core::TimeMs now = clock_.now_ms();
  std::string account_key = "u:" + core::ascii_lower(username);
  std::string address_key = "a:" + client_addr;
  int wait = std::max(by_account_.retry_after_s(account_key, now),
                      by_address_.retry_after_s(address_key, now));
  if (wait > 0) return throttled(wait);

  struct Candidate {
    std::int64_t id = 0;
    std::string hash;
    bool active = false;
  };
  auto found = store::read_tx<
      std::optional<Candidate>>(db_, [&](store::Tx& tx) -> core::Result<std::optional<Candidate>> {
    auto row = tx.query_row("SELECT id, password_hash, active FROM users WHERE username = ?",
                            {core::ascii_lower(username)});
    if (!row.ok()) return std::move(row).error();
    if (!*row) return std::optional<Candidate>{};
    return std::optional<Candidate>{Candidate{(*row)->i64(0), (*row)->str(1), (*row)->i64(2) != 0}};
  });
  if (!found.ok()) return std::move(found).error();
  // Verify against a dummy hash for unknown users so the response time does not tell.
  const std::string& hash =
      (*found && !(*found)->hash.empty()) ? (*found)->hash : hasher_.dummy_hash();
  bool ok = hasher_.verify(hash, password) && *found && !(*found)->hash.empty() && (*found)->active;
  if (!ok) {
    by_account_.record_failure(account_key, now);
    by_address_.record_failure(address_key, now);
    if (*found) {
      // The failure is part of the audit trail (who was targeted, from where).
      nlohmann::json after = {{"result", "failure"}, {"client_addr", client_addr}};
      store::Actor actor{(*found)->id, request_id};
      (void)db_.write([&](store::Tx& tx) -> core::Status {
        auto ev = store::append_event(tx, actor, now, "auth.login_failed", "user", (*found)->id, "",
                                      after.dump());
        if (!ev.ok()) return std::move(ev).error();
        return {};
      });
    }
    return bad_credentials();
  }
  by_account_.reset(account_key);
  return (*found)->id;
}

core::Result<LoginResult> AuthService::login(std::string_view username, std::string_view password,
                                             const std::string& client_addr,
                                             std::string_view user_agent,
                                             const std::string& request_id) {
  YW_ASSIGN(std::int64_t user_id, verify_password(username, password, client_addr, request_id));
  core::TimeMs now = clock_.now_ms();
  store::Actor actor{user_id, request_id};
  LoginResult out;
  out.session_token = core::random_token(32);
  out.csrf_token = core::random_token(24);
  out.expires_at = now + options_.session_ttl_ms;
  out.user_id = user_id;
  std::string ua(user_agent.substr(0, 256));
  if (!core::valid_utf8(ua)) ua.clear();
  core::Status st = db_.write([&](store::Tx& tx) -> core::Status {
    auto ins = tx.query_row(
        "INSERT INTO sessions (token_hash, user_id, csrf_token, created_at, expires_at, "
        "client_addr,"
        " user_agent) VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id",
        {core::sha256_hex(out.session_token), out.user_id, out.csrf_token, now, out.expires_at,
         client_addr, ua});
    if (!ins.ok()) return std::move(ins).error();
    // Expired sessions of this user are swept on login, keeping the table small.
    auto sweep =
        tx.exec("DELETE FROM sessions WHERE user_id = ? AND expires_at < ?", {out.user_id, now});
    if (!sweep.ok()) return std::move(sweep).error();
    nlohmann::json after = {{"result", "success"}, {"client_addr", client_addr}};
    auto ev =
        store::append_event(tx, actor, now, "auth.login", "user", out.user_id, "", after.dump());
    if (!ev.ok()) return std::move(ev).error();
    return {};
  });
  if (!st.ok()) return std::move(st).error();
  return out;
}

core::Status AuthService::logout(const Principal& p, const std::string& request_id) {
  if (!p.session_id) return {};
  return db_.write([&](store::Tx& tx) -> core::Status {
    auto del = tx.exec("DELETE FROM sessions WHERE id = ?", {*p.session_id});
    if (!del.ok()) return std::move(del).error();
    auto ev = store::append_event(tx, store::Actor{p.user_id, request_id}, clock_.now_ms(),
                                  "auth.logout", "user", p.user_id, "", "");
    if (!ev.ok()) return std::move(ev).error();
    return {};
  });
}

core::Result<Principal> AuthService::authenticate_session(std::string_view session_token) {
  core::Error unauth{core::ErrorCode::kUnauthenticated, "session expired or unknown; log in again"};
  if (session_token.empty() || session_token.size() > 128) return unauth;
  std::string hash = core::sha256_hex(session_token);
  core::TimeMs now = clock_.now_ms();
  return store::read_tx<Principal>(db_, [&](store::Tx& tx) -> core::Result<Principal> {
    auto row = tx.query_row(
        "SELECT s.id, s.user_id, s.csrf_token, s.expires_at, u.username, u.roles, u.active"
        " FROM sessions s JOIN users u ON u.id = s.user_id WHERE s.token_hash = ?",
        {hash});
    if (!row.ok()) return std::move(row).error();
    if (!*row || (*row)->i64(3) <= now || (*row)->i64(6) == 0) return unauth;
    Principal p;
    p.session_id = (*row)->i64(0);
    p.user_id = (*row)->i64(1);
    p.csrf_token = (*row)->str(2);
    p.username = (*row)->str(4);
    p.roles = parse_role_set((*row)->str(5));
    return p;
  });
}

core::Result<Principal> AuthService::authenticate_token(std::string_view bearer) {
  core::Error unauth{core::ErrorCode::kUnauthenticated, "invalid, expired or revoked API token"};
  if (bearer.size() < 8 || bearer.size() > 128 || bearer.rfind(kTokenPrefix, 0) != 0) return unauth;
  std::string hash = core::sha256_hex(bearer);
  core::TimeMs now = clock_.now_ms();
  std::optional<core::TimeMs> last_used;
  auto p = store::read_tx<Principal>(db_, [&](store::Tx& tx) -> core::Result<Principal> {
    auto row = tx.query_row(
        "SELECT t.id, t.user_id, t.expires_at, t.revoked_at, u.username, u.roles, u.active,"
        " t.last_used_at FROM api_tokens t JOIN users u ON u.id = t.user_id WHERE t.token_hash = ?",
        {hash});
    if (!row.ok()) return std::move(row).error();
    const auto& r = *row;
    if (!r || !r->is_null(3) || (!r->is_null(2) && r->i64(2) <= now) || r->i64(6) == 0)
      return unauth;
    Principal out;
    out.token_id = r->i64(0);
    out.user_id = r->i64(1);
    out.username = r->str(4);
    out.roles = parse_role_set(r->str(5));
    last_used = r->opt_i64(7);
    return out;
  });
  // last_used_at is kept to the minute: one small write per token per minute at most.
  if (p.ok() && (!last_used || *last_used < now - 60'000)) {
    (void)db_.write([&](store::Tx& tx) -> core::Status {
      auto u = tx.exec("UPDATE api_tokens SET last_used_at = ? WHERE id = ?", {now, *p->token_id});
      if (!u.ok()) return std::move(u).error();
      return {};
    });
  }
  return p;
}

core::Result<CreatedToken> AuthService::create_token(const store::Actor& actor,
                                                     std::int64_t user_id, std::string_view name,
                                                     std::optional<core::TimeMs> expires_at) {
  std::string n = core::trim(name);
  if (!core::valid_utf8(n)) return core::invalid("name", "must be valid UTF-8");
  if (n.empty()) return core::invalid("name", "is required");
  if (core::utf8_length(n) > 100) return core::invalid("name", "must be at most 100 characters");
  core::TimeMs now = clock_.now_ms();
  if (expires_at && *expires_at <= now) return core::invalid("expires_at", "must be in the future");
  CreatedToken out;
  out.secret = kTokenPrefix + core::random_token(32);
  return store::write_tx<CreatedToken>(db_, [&](store::Tx& tx) -> core::Result<CreatedToken> {
    auto user = tx.query_row("SELECT active FROM users WHERE id = ?", {user_id});
    if (!user.ok()) return std::move(user).error();
    if (!*user) return core::not_found("user " + std::to_string(user_id) + " not found");
    if ((*user)->i64(0) == 0) return core::conflict("inactive users cannot have tokens");
    store::Value exp = nullptr;
    if (expires_at) exp = *expires_at;
    auto row = tx.query_row(
        "INSERT INTO api_tokens (user_id, name, token_hash, prefix, created_at, expires_at, "
        "version)"
        " VALUES (?, ?, ?, ?, ?, ?, 1) RETURNING " +
            std::string(kTokenColumns),
        {user_id, n, core::sha256_hex(out.secret), out.secret.substr(0, 10), now, exp});
    if (!row.ok()) return std::move(row).error();
    out.token = token_from_row(**row);
    auto ev = store::append_event(tx, actor, now, "api_token.create", "api_token", out.token.id, "",
                                  token_snapshot(out.token));
    if (!ev.ok()) return std::move(ev).error();
    return out;
  });
}

core::Result<std::vector<ApiToken>> AuthService::list_tokens(std::int64_t user_id) {
  return store::read_tx<std::vector<ApiToken>>(
      db_, [&](store::Tx& tx) -> core::Result<std::vector<ApiToken>> {
        auto rows = tx.query("SELECT " + std::string(kTokenColumns) +
                                 " FROM api_tokens WHERE user_id = ? ORDER BY id DESC LIMIT 500",
                             {user_id});
        if (!rows.ok()) return std::move(rows).error();
        std::vector<ApiToken> out;
        for (const store::Row& r : *rows) out.push_back(token_from_row(r));
        return out;
      });
}

core::Result<ApiToken> AuthService::revoke_token(const store::Actor& actor, std::int64_t user_id,
                                                 std::int64_t token_id) {
  return store::write_tx<ApiToken>(db_, [&](store::Tx& tx) -> core::Result<ApiToken> {
    auto row = tx.query_row(
        "SELECT " + std::string(kTokenColumns) + " FROM api_tokens WHERE id = ? AND user_id = ?",
        {token_id, user_id});
    if (!row.ok()) return std::move(row).error();
    if (!*row) return core::not_found("token " + std::to_string(token_id) + " not found");
    ApiToken before = token_from_row(**row);
    if (before.revoked_at) return before;
    core::TimeMs now = clock_.now_ms();
    auto upd = tx.query_row(
        "UPDATE api_tokens SET revoked_at = ?, version = version + 1 WHERE id = ?"
        " RETURNING " +
            std::string(kTokenColumns),
        {now, token_id});
    if (!upd.ok()) return std::move(upd).error();
    ApiToken after = token_from_row(**upd);
    auto ev = store::append_event(tx, actor, now, "api_token.revoke", "api_token", token_id,
                                  token_snapshot(before), token_snapshot(after));
    if (!ev.ok()) return std::move(ev).error();
    return after;
  });
}

}  // namespace yunwei::identity
