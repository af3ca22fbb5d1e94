#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace yunwei::identity {

enum class Role : std::uint8_t { kAdmin, kAgent, kApprover, kRequester, kAuditor };

// What a route requires. Checked once per request from the caller's roles.
enum class Permission : std::uint8_t {
  kSelf,            // any active, authenticated user: their own profile, tokens, session
  kUsersRead,       // list and read users and teams
  kUsersWrite,      // create, update, deactivate users and teams
  kAuditRead,       // read the audit trail
  kTicketsRead,     // see tickets (what each may see is the tickets module's visibility rule)
  kTicketsCreate,   // report tickets, comment on and reopen one's own
  kTicketsStaff,    // staff views: worklogs, survey answers, dispatch configuration
  kTicketsWork,     // work tickets: update, assign, internal notes, worklogs, links, bulk
  kTicketsAdmin,    // configure the service desk: categories, priority matrix, rules, settings
  kSlaRead,         // read calendars, holiday sets and SLA policies; run calendar maths
  kSlaAdmin,        // edit calendars, holiday sets and SLA policies
  kCmdbRead,        // read CI types, CIs, relations, history, impact; export
  kCmdbWrite,       // create and update CIs and relations; import
  kCmdbAdmin,       // define CI types and their schemas, relation types
  kChangesRead,     // change calendar, approvals inbox, known errors, problem candidates, stats
  kChangesApprove,  // decide on approval steps (being an approver of the step decides)
  kChangesAdmin,    // freeze and maintenance windows, standard-change templates, settings
};

using RoleSet = std::uint32_t;  // bit i = Role(i)

std::string_view role_name(Role r);
std::optional<Role> parse_role(std::string_view name);
const std::vector<Role>& all_roles();

RoleSet role_bit(Role r);
RoleSet parse_role_set(std::string_view comma_separated);  // unknown names are ignored
std::string format_role_set(RoleSet roles);                // "admin,agent"
std::vector<std::string> role_names(RoleSet roles);

bool allows(RoleSet roles, Permission p);

}  // namespace yunwei::identity
