#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/clock.h"
#include "identity/roles.h"

namespace yunwei::identity {

struct User {
  std::int64_t id = 0;
  std::string username;
  std::string display_name;
  std::string email;
  std::string phone;
  std::string locale = "zh-CN";
  std::string time_zone = "Asia/Shanghai";
  std::string organisation;  // department or company; scopes "my organisation's tickets"
  RoleSet roles = 0;
  bool active = true;
  bool has_password = false;
  std::vector<std::int64_t> team_ids;
  core::TimeMs created_at = 0;
  core::TimeMs updated_at = 0;
  std::int64_t version = 1;
};

struct NewUser {
  std::string username;
  std::string display_name;
  std::string email;
  std::string phone;
  std::string locale = "zh-CN";
  std::string time_zone = "Asia/Shanghai";
  std::string organisation;
  std::vector<std::string> roles;
  std::optional<std::string> password;  // none: the user cannot log in until one is set
};

// Fields left empty are not changed. `version` must match the stored one.
struct UserPatch {
  std::int64_t version = 0;
  std::optional<std::string> display_name, email, phone, locale, time_zone, organisation;
  std::optional<std::vector<std::string>> roles;
};

struct Team {
  std::int64_t id = 0;
  std::string name;
  std::string name_zh;
  std::string description;
  std::optional<std::int64_t> lead_id;
  bool active = true;
  std::vector<std::int64_t> member_ids;
  core::TimeMs created_at = 0;
  core::TimeMs updated_at = 0;
  std::int64_t version = 1;
};

struct NewTeam {
  std::string name;
  std::string name_zh;
  std::string description;
  std::optional<std::int64_t> lead_id;
  std::vector<std::int64_t> member_ids;
};

struct TeamPatch {
  std::int64_t version = 0;
  std::optional<std::string> name, name_zh, description;
  std::optional<std::optional<std::int64_t>> lead_id;   // Some(None) clears the lead
  std::optional<std::vector<std::int64_t>> member_ids;  // replaces the member list
};

// Locales the UI ships.
bool is_supported_locale(std::string_view locale);
// True when `tz` names an IANA zone in the system tz database.
bool is_valid_time_zone(std::string_view tz);

// Audit snapshots (JSON text) of a user and a team. Never includes secrets.
std::string user_snapshot(const User& u);
std::string team_snapshot(const Team& t);

}  // namespace yunwei::identity
