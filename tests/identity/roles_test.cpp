#include "identity/roles.h"

#include <gtest/gtest.h>

#include <map>

namespace yunwei::identity {
namespace {

TEST(Roles, NamesRoundTripAndUnknownOrMiscasedNamesAreRejected) {
  ASSERT_EQ(all_roles().size(), 5u);
  for (Role r : all_roles()) EXPECT_EQ(parse_role(role_name(r)), r) << role_name(r);
  EXPECT_EQ(role_name(Role::kApprover), "approver");
  EXPECT_EQ(parse_role("root"), std::nullopt);
  EXPECT_EQ(parse_role("Admin"), std::nullopt);
  EXPECT_EQ(parse_role(""), std::nullopt);
}

TEST(Roles, SetsFormatInCanonicalOrderAndIgnoreUnknownNames) {
  RoleSet s = parse_role_set("auditor,admin,wizard,,agent");
  EXPECT_EQ(s, role_bit(Role::kAdmin) | role_bit(Role::kAgent) | role_bit(Role::kAuditor));
  EXPECT_EQ(format_role_set(s), "admin,agent,auditor");
  EXPECT_EQ(role_names(s), (std::vector<std::string>{"admin", "agent", "auditor"}));
  EXPECT_EQ(parse_role_set(""), 0u);
  EXPECT_EQ(format_role_set(0), "");
  for (Role r : all_roles()) EXPECT_EQ(parse_role_set(format_role_set(role_bit(r))), role_bit(r));
}

TEST(Roles, AllowsFollowsThePermissionMatrixForEveryRole) {
  const std::vector<Permission> perms = {Permission::kSelf, Permission::kUsersRead,
                                         Permission::kUsersWrite, Permission::kAuditRead};
  // Columns: self, users read, users write, audit read.
  const std::map<Role, std::vector<bool>> matrix = {
      {Role::kAdmin, {true, true, true, true}},
      {Role::kAgent, {true, true, false, false}},
      {Role::kApprover, {true, true, false, false}},
      {Role::kRequester, {true, false, false, false}},
      {Role::kAuditor, {true, true, false, true}},
  };
  ASSERT_EQ(matrix.size(), all_roles().size());
  for (Role r : all_roles()) {
    for (size_t p = 0; p < perms.size(); ++p) {
      EXPECT_EQ(allows(role_bit(r), perms[p]), matrix.at(r)[p])
          << role_name(r) << " permission " << p;
    }
  }
}

TEST(Roles, NoRolesAllowOnlySelfServiceAndCombinedRolesAllowTheUnion) {
  // kSelf is any authenticated user, whatever their roles.
  EXPECT_TRUE(allows(0, Permission::kSelf));
  for (Permission p : {Permission::kUsersRead, Permission::kUsersWrite, Permission::kAuditRead}) {
    EXPECT_FALSE(allows(0, p));
  }
  RoleSet requester_auditor = role_bit(Role::kRequester) | role_bit(Role::kAuditor);
  EXPECT_TRUE(allows(requester_auditor, Permission::kAuditRead));
  EXPECT_TRUE(allows(requester_auditor, Permission::kUsersRead));
  EXPECT_FALSE(allows(requester_auditor, Permission::kUsersWrite));
}

}  // namespace
}  // namespace yunwei::identity
