#pragma once
// Users and teams for in-process tests (header-only: link yunwei_identity).

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "identity/team_service.h"
#include "identity/user_service.h"
#include "support/test_db.h"

namespace yunwei::testing {

// A user named `name` (username and display name) with these roles; returns the id.
inline std::int64_t make_user(identity::UserService& users, const std::string& name,
                              std::vector<std::string> roles) {
  identity::NewUser n;
  n.username = name;
  n.display_name = name;
  n.roles = std::move(roles);
  return must(users.create({}, n)).id;
}

// A team with these members (and lead); returns the id.
inline std::int64_t make_team(identity::TeamService& teams, const std::string& name,
                              std::vector<std::int64_t> members,
                              std::optional<std::int64_t> lead = std::nullopt) {
  identity::NewTeam t;
  t.name = name;
  t.member_ids = std::move(members);
  t.lead_id = lead;
  return must(teams.create({}, t)).id;
}

}  // namespace yunwei::testing
