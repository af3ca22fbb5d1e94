#pragma once

#include <optional>
#include <string>
#include <vector>

#include "core/clock.h"
#include "store/audit.h"
#include "store/database.h"

namespace yunwei::tickets {

// A node of the two-level category tree ("network" > "network.vpn"). Tickets in a security
// category are visible to Security Operations and admins only; children inherit the flag.
struct Category {
  std::int64_t id = 0;
  std::optional<std::int64_t> parent_id;
  std::string code;
  std::string name;
  std::string name_zh;
  bool security = false;
  bool active = true;
  int sort_order = 0;
  std::int64_t version = 1;
};

struct NewCategory {
  std::optional<std::int64_t> parent_id;
  std::string code, name, name_zh;
  bool security = false;
  int sort_order = 0;
};

struct CategoryPatch {
  std::int64_t version = 0;
  std::optional<std::string> name, name_zh;
  std::optional<bool> security, active;
  std::optional<int> sort_order;
};

// The category tree admins edit. Thread-safe; each method is one transaction.
class CategoryService {
 public:
  CategoryService(store::Database& db, const core::Clock& clock) : db_(db), clock_(clock) {}

  // kInvalidArgument naming the field: code (lower-case letters, digits, . _ -), name, parent_id
  // (missing, inactive, or itself a child: the tree has two levels); kConflict (code) when taken.
  core::Result<Category> create(const store::Actor& actor, const NewCategory& in);
  // Every category, parents before their children, by sort order then name.
  core::Result<std::vector<Category>> list();
  // kConflict (version) when stale. Changing a parent's security flag changes its children's.
  core::Result<Category> update(const store::Actor& actor, std::int64_t id, const CategoryPatch& p);
  // The tree of a typical IT department (网络, 服务器与存储, 应用系统, 终端与办公, 账号与权限,
  // 数据库, 信息安全 ...), created when the table is empty.
  core::Status seed_defaults(const store::Actor& actor);

 private:
  store::Database& db_;
  const core::Clock& clock_;
};

}  // namespace yunwei::tickets
