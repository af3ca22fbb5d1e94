#include "app/demo.h"

#include <map>
#include <vector>

#include "identity/team_service.h"
#include "identity/user_service.h"

namespace yunwei::app {
namespace {

struct Person {
  const char* username;
  const char* display_name;
  const char* team;  // default team name, or "" for none
  bool lead;
  std::vector<std::string> roles;
  const char* locale;
};

// A believable IT operations department and some of the business people it serves.
const std::vector<Person>& people() {
  static const std::vector<Person> kPeople = {
      {"zhangwei", "张伟", "Service Desk", true, {"agent"}, "zh-CN"},
      {"wangfang", "王芳", "Service Desk", false, {"agent"}, "zh-CN"},
      {"liuyang", "刘洋", "Service Desk", false, {"agent"}, "zh-CN"},
      {"chenjing", "陈静", "Service Desk", false, {"agent"}, "zh-CN"},
      {"emily.zhou", "Emily Zhou", "Service Desk", false, {"agent"}, "en"},
      {"lina", "李娜", "Infrastructure Operations", true, {"agent", "approver"}, "zh-CN"},
      {"zhaolei", "赵磊", "Infrastructure Operations", false, {"agent"}, "zh-CN"},
      {"sunhao", "孙浩", "Infrastructure Operations", false, {"agent"}, "zh-CN"},
      {"zhoujie", "周杰", "Infrastructure Operations", false, {"agent"}, "zh-CN"},
      {"wuqiang", "吴强", "Application Operations", true, {"agent", "approver"}, "zh-CN"},
      {"zhengyu", "郑宇", "Application Operations", false, {"agent"}, "zh-CN"},
      {"hexin", "何欣", "Application Operations", false, {"agent"}, "zh-CN"},
      {"david.lin", "David Lin", "Application Operations", false, {"agent"}, "en"},
      {"gaomin", "高敏", "Security Operations", true, {"agent", "approver"}, "zh-CN"},
      {"linfeng", "林峰", "Security Operations", false, {"agent"}, "zh-CN"},
      {"luotao", "罗涛", "Automation & Platform", true, {"agent"}, "zh-CN"},
      {"songjia", "宋佳", "Automation & Platform", false, {"agent"}, "zh-CN"},
      {"xiegang", "谢刚", "Operations Management", true, {"agent", "approver"}, "zh-CN"},
      {"tangli", "唐丽", "Operations Management", false, {"agent", "auditor"}, "zh-CN"},
      {"hanmei", "韩梅", "", false, {"approver"}, "zh-CN"},
      {"fengbo", "冯波", "", false, {"auditor"}, "zh-CN"},
      {"wangxiaoming", "王小明", "", false, {"requester"}, "zh-CN"},
      {"lixue", "李雪", "", false, {"requester"}, "zh-CN"},
      {"zhangli", "张丽", "", false, {"requester"}, "zh-CN"},
      {"chenhui", "陈辉", "", false, {"requester"}, "zh-CN"},
      {"yangfan", "杨帆", "", false, {"requester"}, "zh-CN"},
      {"huangyan", "黄燕", "", false, {"requester"}, "zh-CN"},
      {"sarah.wu", "Sarah Wu", "", false, {"requester"}, "en"},
      {"michael.chen", "Michael Chen", "", false, {"requester"}, "en"},
      {"qianjun", "钱军", "", false, {"requester"}, "zh-CN"},
  };
  return kPeople;
}

}  // namespace

core::Result<DemoSummary> load_demo_people(store::Database& db, const core::Clock& clock,
                                           const identity::PasswordHasher& hasher,
                                           const std::string& password) {
  store::Actor actor{std::nullopt, "demo"};
  identity::UserService users(db, clock, hasher);
  identity::TeamService teams(db, clock);
  YW_TRY(teams.seed_default_teams(actor));

  DemoSummary summary;
  summary.password = password;
  std::map<std::string, std::vector<std::int64_t>> members;
  std::map<std::string, std::int64_t> leads;
  for (const Person& p : people()) {
    YW_ASSIGN(auto existing, users.find_by_username(p.username));
    std::int64_t id;
    if (existing) {
      id = existing->id;
      ++summary.users_existing;
    } else {
      identity::NewUser n;
      n.username = p.username;
      n.display_name = p.display_name;
      n.email = std::string(p.username) + "@demo.yunwei.example";
      n.phone =
          "+86 138 0000 " + std::to_string(1000 + summary.users_created + summary.users_existing);
      n.locale = p.locale;
      n.roles = p.roles;
      n.password = password;
      YW_ASSIGN(identity::User u, users.create(actor, n));
      id = u.id;
      ++summary.users_created;
    }
    if (*p.team) {
      members[p.team].push_back(id);
      if (p.lead) leads[p.team] = id;
    }
  }
  // Memberships and leads, merged into what the teams already have.
  identity::TeamQuery q;
  q.limit = 100;
  YW_ASSIGN(auto page, teams.list(q));
  for (const identity::Team& t : page.items) {
    auto it = members.find(t.name);
    if (it == members.end()) continue;
    identity::TeamPatch patch;
    patch.version = t.version;
    std::vector<std::int64_t> ids = t.member_ids;
    ids.insert(ids.end(), it->second.begin(), it->second.end());
    patch.member_ids = ids;
    if (!t.lead_id && leads.count(t.name))
      patch.lead_id = std::optional<std::int64_t>(leads[t.name]);
    YW_TRY(teams.update(actor, t.id, patch));
  }
  return summary;
}

core::Result<DemoSummary> load_demo(store::Database& db, const core::Clock& clock,
                                    const identity::PasswordHasher& hasher,
                                    const std::string& password) {
  YW_ASSIGN(DemoSummary summary, load_demo_people(db, clock, hasher, password));
  return summary;
}

}  // namespace yunwei::app
