#include "identity/roles.h"

#include "core/text.h"

namespace yunwei::identity {

std::string_view role_name(Role r) {
  switch (r) {
    case Role::kAdmin:
      return "admin";
    case Role::kAgent:
      return "agent";
    case Role::kApprover:
      return "approver";
    case Role::kRequester:
      return "requester";
    case Role::kAuditor:
      return "auditor";
  }
  return "";
}

std::optional<Role> parse_role(std::string_view name) {
  for (Role r : all_roles()) {
    if (role_name(r) == name) return r;
  }
  return std::nullopt;
}

const std::vector<Role>& all_roles() {
  static const std::vector<Role> kAll = {Role::kAdmin, Role::kAgent, Role::kApprover,
                                         Role::kRequester, Role::kAuditor};
  return kAll;
}

RoleSet role_bit(Role r) { return RoleSet{1} << static_cast<unsigned>(r); }

RoleSet parse_role_set(std::string_view s) {
  RoleSet out = 0;
  for (const std::string& part : core::split(s, ',')) {
    if (auto r = parse_role(part)) out |= role_bit(*r);
  }
  return out;
}

std::vector<std::string> role_names(RoleSet roles) {
  std::vector<std::string> out;
  for (Role r : all_roles()) {
    if (roles & role_bit(r)) out.emplace_back(role_name(r));
  }
  return out;
}

std::string format_role_set(RoleSet roles) {
  std::string out;
  for (const std::string& n : role_names(roles)) {
    if (!out.empty()) out += ',';
    out += n;
  }
  return out;
}

bool allows(RoleSet roles, Permission p) {
  const RoleSet staff = role_bit(Role::kAdmin) | role_bit(Role::kAgent) |
                        role_bit(Role::kApprover) | role_bit(Role::kAuditor);
  switch (p) {
    case Permission::kSelf:
      return true;
    case Permission::kUsersRead:
      return (roles & staff) != 0;
    case Permission::kUsersWrite:
      return (roles & role_bit(Role::kAdmin)) != 0;
    case Permission::kAuditRead:
      return (roles & (role_bit(Role::kAdmin) | role_bit(Role::kAuditor))) != 0;
    case Permission::kTicketsRead:
      return (roles & (staff | role_bit(Role::kRequester))) != 0;
    case Permission::kTicketsCreate:
      return (roles & (role_bit(Role::kAdmin) | role_bit(Role::kAgent) | role_bit(Role::kApprover) |
                       role_bit(Role::kRequester))) != 0;
    case Permission::kTicketsStaff:
      return (roles & staff) != 0;
    case Permission::kTicketsWork:
      return (roles & (role_bit(Role::kAdmin) | role_bit(Role::kAgent))) != 0;
    case Permission::kTicketsAdmin:
      return (roles & role_bit(Role::kAdmin)) != 0;
    case Permission::kSlaRead:
      return (roles & staff) != 0;
    case Permission::kSlaAdmin:
      return (roles & role_bit(Role::kAdmin)) != 0;
    case Permission::kCmdbRead:
      return (roles & staff) != 0;
    case Permission::kCmdbWrite:
      return (roles & (role_bit(Role::kAdmin) | role_bit(Role::kAgent))) != 0;
    case Permission::kCmdbAdmin:
      return (roles & role_bit(Role::kAdmin)) != 0;
    case Permission::kChangesRead:
      return (roles & staff) != 0;
    case Permission::kChangesApprove:
      return (roles &
              (role_bit(Role::kAdmin) | role_bit(Role::kAgent) | role_bit(Role::kApprover))) != 0;
    case Permission::kChangesAdmin:
      return (roles & role_bit(Role::kAdmin)) != 0;
  }
  return false;
}

}  // namespace yunwei::identity
