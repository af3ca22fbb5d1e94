#include "identity/user_service.h"

#include <algorithm>

#include "core/text.h"
#include "store/outbox.h"

namespace yunwei::identity {
namespace {

constexpr const char* kUserColumns =
    "id, username, display_name, email, phone, locale, time_zone, roles, active,"
    " password_hash IS NOT NULL, created_at, updated_at, version, organisation";

User user_from_row(const store::Row& r) {
  User u;
  u.id = r.i64(0);
  u.username = r.str(1);
  u.display_name = r.str(2);
  u.email = r.str(3);
  u.phone = r.str(4);
  u.locale = r.str(5);
  u.time_zone = r.str(6);
  u.roles = parse_role_set(r.str(7));
  u.active = r.i64(8) != 0;
  u.has_password = r.i64(9) != 0;
  u.created_at = r.i64(10);
  u.updated_at = r.i64(11);
  u.version = r.i64(12);
  u.organisation = r.str(13);
  return u;
}

core::Status check_email(std::string_view email) {
  YW_TRY(core::check_text(email, "email", 254, false, core::Controls::kTabOnly));
  if (email.empty()) return {};
  size_t at = email.find('@');
  if (at == std::string_view::npos || at == 0 || at + 1 >= email.size() ||
      email.find('@', at + 1) != std::string_view::npos ||
      email.find('.', at) == std::string_view::npos || email.find(' ') != std::string_view::npos) {
    return core::invalid("email", "is not an email address");
  }
  return {};
}

core::Status check_phone(std::string_view phone) {
  YW_TRY(core::check_text(phone, "phone", 32, false, core::Controls::kTabOnly));
  for (char c : phone) {
    if (!((c >= '0' && c <= '9') || c == '+' || c == '-' || c == ' ' || c == '(' || c == ')')) {
      return core::invalid("phone", "may contain only digits, spaces and + - ( )");
    }
  }
  return {};
}

core::Result<RoleSet> check_roles(const std::vector<std::string>& roles) {
  if (roles.empty()) return core::invalid("roles", "needs at least one role");
  RoleSet set = 0;
  for (size_t i = 0; i < roles.size(); ++i) {
    auto r = parse_role(roles[i]);
    if (!r) {
      return core::invalid("roles[" + std::to_string(i) + "]",
                           "unknown role; one of: admin, agent, approver, requester, auditor");
    }
    set |= role_bit(*r);
  }
  return set;
}

core::Status check_locale_tz(const std::string* locale, const std::string* tz) {
  if (locale && !is_supported_locale(*locale)) {
    return core::invalid("locale", "unsupported locale; one of: zh-CN, en");
  }
  if (tz && !is_valid_time_zone(*tz)) {
    return core::invalid("time_zone", "unknown IANA time zone, e.g. Asia/Shanghai");
  }
  return {};
}

core::Status append(store::Tx& tx, const store::Actor& actor, core::TimeMs now,
                    std::string_view action, std::int64_t id, std::string_view before,
                    std::string_view after) {
  auto ev = store::append_event(tx, actor, now, action, "user", id, before, after);
  if (!ev.ok()) return std::move(ev).error();
  return {};
}

// Number of active admins other than `except_id`.
core::Result<std::int64_t> other_active_admins(store::Tx& tx, std::int64_t except_id) {
  auto rows = tx.query("SELECT roles FROM users WHERE active = 1 AND id <> ?", {except_id});
  if (!rows.ok()) return std::move(rows).error();
  std::int64_t n = 0;
  for (const store::Row& r : *rows) {
    if (parse_role_set(r.str(0)) & role_bit(Role::kAdmin)) ++n;
  }
  return n;
}

}  // namespace

core::Status UserService::validate_username(std::string_view u) {
  if (u.size() < 2 || u.size() > 64) {
    return core::invalid("username", "must be 2 to 64 characters");
  }
  for (size_t i = 0; i < u.size(); ++i) {
    char c = u[i];
    bool alnum = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
    if (!alnum && !(i > 0 && (c == '.' || c == '_' || c == '-' || c == '@'))) {
      return core::invalid("username",
                           "may contain only lower-case letters, digits and . _ - @, "
                           "starting with a letter or digit");
    }
  }
  return {};
}

core::Result<User> load_user(store::Tx& tx, std::int64_t id) {
  auto row = tx.query_row(std::string("SELECT ") + kUserColumns + " FROM users WHERE id = ?", {id});
  if (!row.ok()) return std::move(row).error();
  if (!*row) return core::not_found("user " + std::to_string(id) + " not found");
  User u = user_from_row(**row);
  auto teams =
      tx.query("SELECT team_id FROM team_members WHERE user_id = ? ORDER BY team_id", {id});
  if (!teams.ok()) return std::move(teams).error();
  for (const store::Row& r : *teams) u.team_ids.push_back(r.i64(0));
  return u;
}

core::Result<User> UserService::create(const store::Actor& actor, const NewUser& in) {
  YW_TRY(validate_username(in.username));
  YW_TRY(core::check_text(in.display_name, "display_name", 100, true, core::Controls::kTabOnly));
  YW_TRY(check_email(in.email));
  YW_TRY(check_phone(in.phone));
  YW_TRY(core::check_text(in.organisation, "organisation", 100, false, core::Controls::kTabOnly));
  YW_TRY(check_locale_tz(&in.locale, &in.time_zone));
  YW_ASSIGN(RoleSet roles, check_roles(in.roles));
  store::Value hash = nullptr;
  if (in.password) {
    YW_TRY(check_password_policy(*in.password, "password"));
    YW_ASSIGN(std::string h, hasher_.hash(*in.password));
    hash = std::move(h);
  }
  return store::write_tx<User>(db_, [&](store::Tx& tx) -> core::Result<User> {
    auto taken = tx.query_row("SELECT id FROM users WHERE username = ?", {in.username});
    if (!taken.ok()) return std::move(taken).error();
    if (*taken) return core::conflict("username is taken", "username");
    core::TimeMs now = clock_.now_ms();
    auto row = tx.query_row(
        "INSERT INTO users (username, display_name, email, phone, locale, time_zone, organisation,"
        " roles, active, password_hash, created_at, updated_at, version)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?, 1, ?, ?, ?, 1) RETURNING id",
        {in.username, core::trim(in.display_name), in.email, in.phone, in.locale, in.time_zone,
         core::trim(in.organisation), format_role_set(roles), hash, now, now});
    if (!row.ok()) return std::move(row).error();
    YW_ASSIGN(User u, load_user(tx, (*row)->i64(0)));
    YW_TRY(append(tx, actor, now, "user.create", u.id, "", user_snapshot(u)));
    if (!u.email.empty()) {
      // Delivered by the notification worker once it exists; kept here so nothing is lost.
      std::string payload = R"({"user_id":)" + std::to_string(u.id) + "}";
      auto ob =
          store::enqueue_outbox(tx, now, "email", "user.welcome", u.email, payload, std::nullopt);
      if (!ob.ok()) return std::move(ob).error();
    }
    return u;
  });
}

core::Result<User> UserService::get(std::int64_t id) {
  return store::read_tx<User>(db_, [&](store::Tx& tx) { return load_user(tx, id); });
}

core::Result<std::optional<User>> UserService::find_by_username(std::string_view username) {
  return store::read_tx<std::optional<User>>(
      db_, [&](store::Tx& tx) -> core::Result<std::optional<User>> {
        auto row = tx.query_row("SELECT id FROM users WHERE username = ?", {std::string(username)});
        if (!row.ok()) return std::move(row).error();
        if (!*row) return std::optional<User>{};
        YW_ASSIGN(User u, load_user(tx, (*row)->i64(0)));
        return std::optional<User>{std::move(u)};
      });
}

core::Result<store::Page<User>> UserService::list(const UserQuery& q) {
  static const std::vector<store::SortSpec> kSorts = {
      {"id", "id", false, false},
      {"-id", "id", true, false},
      {"username", "username", false, true},
      {"-username", "username", true, true},
      {"created_at", "created_at", false, false},
      {"-created_at", "created_at", true, false},
  };
  YW_ASSIGN(store::SortSpec sort, store::parse_sort(q.sort, kSorts));
  YW_ASSIGN(store::Keyset ks, store::make_keyset(sort, q.cursor));
  if (!core::valid_utf8(q.q) || q.q.size() > 200) return core::invalid("q", "invalid search text");
  return store::read_tx<store::Page<User>>(
      db_, [&](store::Tx& tx) -> core::Result<store::Page<User>> {
        std::string sql = std::string("SELECT ") + kUserColumns + " FROM users WHERE 1=1";
        store::Params params;
        if (!q.q.empty()) {
          std::string needle = core::ascii_lower(q.q);
          sql += " AND (" + tx.contains_sql("lower(username)") + " OR " +
                 tx.contains_sql("lower(display_name)") + " OR " + tx.contains_sql("lower(email)") +
                 ")";
          params.insert(params.end(), {needle, needle, needle});
        }
        if (q.active) {
          sql += " AND active = ?";
          params.emplace_back(std::int64_t{*q.active ? 1 : 0});
        }
        if (q.role) {
          // roles is a short comma list; match a whole name.
          sql += " AND " + tx.contains_sql("(',' || roles || ',')");
          std::string needle = ",";  // appended: GCC 12 -O3 warns falsely on "," + string
          needle += role_name(*q.role);
          needle += ',';
          params.emplace_back(std::move(needle));
        }
        if (q.team_id) {
          sql += " AND id IN (SELECT user_id FROM team_members WHERE team_id = ?)";
          params.emplace_back(*q.team_id);
        }
        store::append_page_clause(sql, params, ks, q.limit);
        auto rows = tx.query(sql, params);
        if (!rows.ok()) return std::move(rows).error();
        store::Page<User> page;
        for (const store::Row& r : *rows) page.items.push_back(user_from_row(r));
        store::finish_page(page, q.limit, sort, [&](const User& u) -> store::Value {
          if (sort.column == "username") return u.username;
          if (sort.column == "created_at") return u.created_at;
          return u.id;
        });
        // Team ids of the whole page in one query.
        if (!page.items.empty()) {
          std::string in_sql = "SELECT user_id, team_id FROM team_members WHERE user_id IN (";
          store::Params ids;
          for (size_t i = 0; i < page.items.size(); ++i) {
            in_sql += i ? ",?" : "?";
            ids.emplace_back(page.items[i].id);
          }
          in_sql += ") ORDER BY team_id";
          auto teams = tx.query(in_sql, ids);
          if (!teams.ok()) return std::move(teams).error();
          for (const store::Row& r : *teams) {
            for (User& u : page.items) {
              if (u.id == r.i64(0)) u.team_ids.push_back(r.i64(1));
            }
          }
        }
        return page;
      });
}

core::Result<User> UserService::update(const store::Actor& actor, std::int64_t id,
                                       const UserPatch& p) {
  if (p.display_name)
    YW_TRY(core::check_text(*p.display_name, "display_name", 100, true, core::Controls::kTabOnly));
  if (p.email) YW_TRY(check_email(*p.email));
  if (p.phone) YW_TRY(check_phone(*p.phone));
  if (p.organisation)
    YW_TRY(core::check_text(*p.organisation, "organisation", 100, false, core::Controls::kTabOnly));
  YW_TRY(check_locale_tz(p.locale ? &*p.locale : nullptr, p.time_zone ? &*p.time_zone : nullptr));
  std::optional<RoleSet> roles;
  if (p.roles) {
    YW_ASSIGN(RoleSet r, check_roles(*p.roles));
    roles = r;
  }
  return store::write_tx<User>(db_, [&](store::Tx& tx) -> core::Result<User> {
    YW_ASSIGN(User before, load_user(tx, id));
    if (before.version != p.version) {
      return core::conflict("the user was changed by someone else (version " +
                                std::to_string(before.version) + "); reload and retry",
                            "version");
    }
    if (roles && !(*roles & role_bit(Role::kAdmin)) && (before.roles & role_bit(Role::kAdmin)) &&
        before.active) {
      YW_ASSIGN(std::int64_t others, other_active_admins(tx, id));
      if (others == 0) return core::conflict("the last active admin must stay admin", "roles");
    }
    User after = before;
    if (p.display_name) after.display_name = core::trim(*p.display_name);
    if (p.email) after.email = *p.email;
    if (p.phone) after.phone = *p.phone;
    if (p.locale) after.locale = *p.locale;
    if (p.time_zone) after.time_zone = *p.time_zone;
    if (p.organisation) after.organisation = core::trim(*p.organisation);
    if (roles) after.roles = *roles;
    core::TimeMs now = clock_.now_ms();
    auto n = tx.exec(
        "UPDATE users SET display_name = ?, email = ?, phone = ?, locale = ?, time_zone = ?,"
        " organisation = ?, roles = ?, updated_at = ?, version = version + 1"
        " WHERE id = ? AND version = ?",
        {after.display_name, after.email, after.phone, after.locale, after.time_zone,
         after.organisation, format_role_set(after.roles), now, id, p.version});
    if (!n.ok()) return std::move(n).error();
    if (*n != 1) return core::conflict("the user was changed concurrently; reload", "version");
    YW_ASSIGN(User stored, load_user(tx, id));
    YW_TRY(append(tx, actor, now, "user.update", id, user_snapshot(before), user_snapshot(stored)));
    return stored;
  });
}

core::Result<User> UserService::set_active(const store::Actor& actor, std::int64_t id, bool active,
                                           std::optional<std::int64_t> version) {
  return store::write_tx<User>(db_, [&](store::Tx& tx) -> core::Result<User> {
    YW_ASSIGN(User before, load_user(tx, id));
    if (version && *version != before.version) {
      return core::conflict("the user was changed by someone else; reload and retry", "version");
    }
    if (before.active == active) return before;
    if (!active) {
      if (actor.user_id && *actor.user_id == id) {
        return core::conflict("you cannot deactivate your own account");
      }
      if (before.roles & role_bit(Role::kAdmin)) {
        YW_ASSIGN(std::int64_t others, other_active_admins(tx, id));
        if (others == 0) return core::conflict("the last active admin cannot be deactivated");
      }
    }
    core::TimeMs now = clock_.now_ms();
    auto n =
        tx.exec("UPDATE users SET active = ?, updated_at = ?, version = version + 1 WHERE id = ?",
                {std::int64_t{active ? 1 : 0}, now, id});
    if (!n.ok()) return std::move(n).error();
    if (!active) {
      auto s = tx.exec("DELETE FROM sessions WHERE user_id = ?", {id});
      if (!s.ok()) return std::move(s).error();
      auto t = tx.exec(
          "UPDATE api_tokens SET revoked_at = ?, version = version + 1"
          " WHERE user_id = ? AND revoked_at IS NULL",
          {now, id});
      if (!t.ok()) return std::move(t).error();
    }
    YW_ASSIGN(User stored, load_user(tx, id));
    YW_TRY(append(tx, actor, now, active ? "user.activate" : "user.deactivate", id,
                  user_snapshot(before), user_snapshot(stored)));
    return stored;
  });
}

core::Result<User> UserService::set_password(const store::Actor& actor, std::int64_t id,
                                             std::string_view password,
                                             std::optional<std::int64_t> keep_session_id) {
  YW_TRY(check_password_policy(password, "password"));
  YW_ASSIGN(std::string hash, hasher_.hash(password));
  return store::write_tx<User>(db_, [&](store::Tx& tx) -> core::Result<User> {
    YW_ASSIGN(User before, load_user(tx, id));
    core::TimeMs now = clock_.now_ms();
    auto n = tx.exec(
        "UPDATE users SET password_hash = ?, updated_at = ?, version = version + 1"
        " WHERE id = ?",
        {hash, now, id});
    if (!n.ok()) return std::move(n).error();
    auto s = tx.exec("DELETE FROM sessions WHERE user_id = ? AND id <> ?",
                     {id, keep_session_id.value_or(0)});
    if (!s.ok()) return std::move(s).error();
    YW_ASSIGN(User stored, load_user(tx, id));
    // Snapshots hold no secrets; they show the version the change produced.
    YW_TRY(
        append(tx, actor, now, "user.password", id, user_snapshot(before), user_snapshot(stored)));
    return stored;
  });
}

}  // namespace yunwei::identity
