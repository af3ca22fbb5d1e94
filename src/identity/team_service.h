#pragma once

#include <optional>
#include <string>

#include "core/clock.h"
#include "identity/user.h"
#include "store/audit.h"
#include "store/database.h"
#include "store/page.h"

namespace yunwei::identity {

struct TeamQuery {
  std::string q;  // substring of either name
  std::optional<bool> active;
  std::optional<std::int64_t> member_id;
  std::string sort = "id";
  std::string cursor;
  int limit = 50;
};

// Teams with members and a lead. Thread-safe; each method is one transaction.
class TeamService {
 public:
  TeamService(store::Database& db, const core::Clock& clock) : db_(db), clock_(clock) {}

  // kConflict (field "name") when the name is taken; kInvalidArgument for a lead or member
  // that does not exist or is inactive. The lead is always a member.
  core::Result<Team> create(const store::Actor& actor, const NewTeam& in);
  core::Result<Team> get(std::int64_t id);
  core::Result<store::Page<Team>> list(const TeamQuery& q);
  core::Result<Team> update(const store::Actor& actor, std::int64_t id, const TeamPatch& patch);
  core::Result<Team> set_active(const store::Actor& actor, std::int64_t id, bool active,
                                std::optional<std::int64_t> version);

  // The teams every IT operations organisation starts with (服务台, 基础设施运维 ...).
  // Creates those missing; idempotent.
  core::Status seed_default_teams(const store::Actor& actor);

 private:
  store::Database& db_;
  const core::Clock& clock_;
};

}  // namespace yunwei::identity
