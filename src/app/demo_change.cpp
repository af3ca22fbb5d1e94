#include "app/demo_change.h"

#include <algorithm>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "change/change_config.h"
#include "change/change_service.h"
#include "change/problem_service.h"
#include "cmdb/relations.h"
#include "tickets/ticket_service.h"

namespace yunwei::app {
namespace {

constexpr core::TimeMs kMinute = 60'000;
constexpr core::TimeMs kHour = 60 * kMinute;
constexpr core::TimeMs kDay = 24 * kHour;
constexpr core::TimeMs kBeijing = 8 * kHour;

core::Error named(const std::string& what, core::Error e) {
  e.message = what + ": " + e.message;
  return e;
}

constexpr int kInFreeze = 9999;  // ChangeSpec::day: planned inside the holiday freeze

// How far a demo change gets.
enum class Stage { kNew, kAssess, kAuthorise, kScheduled, kImplement, kClosed };

struct ChangeSpec {
  const char* title;
  const char* description;
  change::ChangeType type = change::ChangeType::kNormal;
  std::vector<const char*> cis;
  const char* team;    // implementer team
  const char* raiser;  // a member of the team (not its lead)
  int risk = 0;        // 0 low, 1 medium, 2 high
  int day = 0;         // planned start: days from today (Beijing), at `hour`
  int hour = 22;       // Beijing time
  int minutes = 120;   // duration
  Stage stage = Stage::kScheduled;
  const char* outcome = "successful";  // for closed ones: successful, partial, failed
  const char* review_notes = "";
  const char* override_reason = "";  // authorised despite conflicts, by the CAB
  bool caused_incident = false;      // the review links an incident it caused
};

std::map<std::string, std::string> answers(int risk) {
  std::map<std::string, std::string> a = {
      {"impact_scope", "department"}, {"backout", "tested"},   {"maintenance_window", "inside"},
      {"complexity", "simple"},       {"experience", "often"}, {"critical_components", "none"}};
  if (risk >= 1) a["impact_scope"] = "core_service";  // 25: medium
  if (risk >= 2) {
    a["critical_components"] = "production_database";  // 25 + 15 + 15 + 8: high
    a["backout"] = "untested";
    a["complexity"] = "moderate";
  }
  return a;
}

const std::vector<ChangeSpec>& specs() {
  using change::ChangeType;
  static const std::vector<ChangeSpec> kSpecs = {
      // ---- done
      {"网银核心数据库季度补丁升级",
       "Oracle 19c 季度补丁（RU）安装，先备库后主库，切换演练后回切。",
       ChangeType::kNormal,
       {"ebank-core-db", "ebank-core-db-dg"},
       "Application Operations",
       "zhengyu",
       1,
       -24,
       23,
       180,
       Stage::kClosed,
       "successful",
       "补丁安装顺利，主备切换 40 秒，业务无感知。"},
      {"核心交换机 CS-02 固件升级",
       "升级至厂商推荐版本以修复 MAC 表老化缺陷。",
       ChangeType::kNormal,
       {"CS-02"},
       "Infrastructure Operations",
       "zhaolei",
       2,
       -17,
       23,
       120,
       Stage::kClosed,
       "partial",
       "固件升级完成，但升级后 15 分钟内办公网部分楼层丢包，调整 STP 参数后恢复。",
       "",
       true},
      {"ERP 应用服务器扩容",
       "erp-app-01 扩容至 16 核 64G，调整 JVM 参数。",
       ChangeType::kNormal,
       {"erp-app-01"},
       "Application Operations",
       "hexin",
       0,
       -11,
       21,
       90,
       Stage::kClosed,
       "failed",
       "扩容后应用启动失败（许可证绑定 CPU 数），已按回退方案回退。"},
      {"紧急修复网银登录接口漏洞",
       "安全通告高危漏洞，热修复网银渠道网关登录接口。",
       ChangeType::kEmergency,
       {"网银渠道网关"},
       "Application Operations",
       "zhengyu",
       1,
       -6,
       13,
       60,
       Stage::kClosed,
       "successful",
       "热修复发布成功，漏洞扫描复测通过。事后 CAB 已复核。"},
      {"邮件网关反垃圾规则库更新",
       "更新反垃圾邮件规则库并调整拦截阈值。",
       ChangeType::kNormal,
       {"邮件网关"},
       "Infrastructure Operations",
       "sunhao",
       0,
       -3,
       20,
       60,
       Stage::kClosed,
       "successful",
       "规则库更新完成，误拦截率下降。"},
      // ---- now and next
      {"防火墙策略调整：开放手机银行新接口",
       "为手机银行 API 新增出口策略，限制源地址。",
       ChangeType::kNormal,
       {"手机银行 API"},
       "Infrastructure Operations",
       "zhoujie",
       0,
       0,
       -1,
       180,
       Stage::kImplement},
      {"网银核心数据库主备切换演练",
       "季度容灾演练：主库切换至备库并回切，验证 RTO。",
       ChangeType::kNormal,
       {"ebank-core-db"},
       "Application Operations",
       "hexin",
       1,
       4,
       22,
       180,
       Stage::kScheduled},
      {"网银核心交易应用版本发布 v5.8",
       "发布网银核心交易 v5.8（转账限额调整）。",
       ChangeType::kNormal,
       {"网银核心交易"},
       "Application Operations",
       "zhengyu",
       1,
       4,
       23,
       120,
       Stage::kAuthorise},
      {"手机银行 API 网关扩容",
       "手机银行 API 网关节点从 6 个扩至 10 个。",
       ChangeType::kNormal,
       {"手机银行 API"},
       "Application Operations",
       "david.lin",
       1,
       8,
       22,
       120,
       Stage::kScheduled,
       "",
       "",
       "与手机银行版本发布同窗口，由同一团队按顺序执行"},
      {"OA 门户版本升级",
       "OA 门户升级至 3.2，新增移动端审批。",
       ChangeType::kNormal,
       {"OA 门户"},
       "Application Operations",
       "hexin",
       0,
       kInFreeze,
       10,
       120,
       Stage::kAssess},
      {"存储阵列 SH-NAS-01 微码升级",
       "存储厂商建议的微码升级，双控制器滚动升级。",
       ChangeType::kNormal,
       {"SH-NAS-01"},
       "Infrastructure Operations",
       "zhaolei",
       2,
       12,
       23,
       240,
       Stage::kNew},
      {"统一身份认证证书轮换",
       "替换即将到期的 SSO 签名证书。",
       ChangeType::kNormal,
       {"统一身份认证"},
       "Security Operations",
       "linfeng",
       1,
       15,
       22,
       60,
       Stage::kScheduled},
      {"视频会议平台版本升级",
       "视频会议平台升级，支持会议纪要自动生成。",
       ChangeType::kNormal,
       {"视频会议平台"},
       "Application Operations",
       "zhengyu",
       0,
       20,
       21,
       120,
       Stage::kScheduled},
      {"数据仓库 ETL 调度迁移",
       "ETL 调度从 crontab 迁移至调度平台。",
       ChangeType::kNormal,
       {"数据仓库 ETL"},
       "Automation & Platform",
       "songjia",
       0,
       25,
       22,
       180,
       Stage::kNew},
  };
  return kSpecs;
}

class DemoChanges {
 public:
  DemoChanges(store::Database& db, core::TimeMs now, const DemoEstate& estate)
      : db_(db),
        now_(now),
        clock_(now),
        tickets_(db, clock_),
        relations_(db, clock_),
        changes_(db, clock_, tickets_, relations_),
        problems_(db, clock_, tickets_),
        config_(db, clock_),
        estate_(estate) {
    tickets_.set_kind_hooks("change", changes_.hooks());
    tickets_.set_kind_hooks("problem", problems_.hooks());
  }

  core::Result<DemoChangeSummary> load() {
    auto any = store::read_tx<bool>(db_, [](store::Tx& tx) -> core::Result<bool> {
      auto row = tx.query_row("SELECT 1 FROM tickets WHERE kind = 'change'");
      if (!row.ok()) return std::move(row).error();
      return row->has_value();
    });
    if (!any.ok()) return std::move(any).error();
    if (*any) return DemoChangeSummary{};
    YW_TRY(lookup());
    YW_TRY(boards());
    YW_TRY(windows());
    DemoChangeSummary out;
    for (const ChangeSpec& s : specs()) {
      auto st = play(s);
      if (!st.ok()) return named(std::string("demo change \"") + s.title + "\"", st.error());
      ++out.changes;
    }
    out.incidents = incidents_;
    YW_ASSIGN(out.problems, load_problems());
    return out;
  }

 private:
  // Beijing midnight of today plus `day` days, at `hour` (Beijing); hour -1: an hour ago.
  core::TimeMs at(int day, int hour) const {
    if (hour < 0) return (now_ / kMinute) * kMinute - kHour;
    core::TimeMs midnight = (now_ + kBeijing) / kDay * kDay - kBeijing;
    return midnight + day * kDay + hour * kHour;
  }

  core::Status lookup() {
    return db_.read([&](store::Tx& tx) -> core::Status {
      auto users = tx.query("SELECT id, username FROM users");
      if (!users.ok()) return std::move(users).error();
      for (const store::Row& r : *users) users_[r.str(1)] = r.i64(0);
      auto teams = tx.query("SELECT id, name FROM teams");
      if (!teams.ok()) return std::move(teams).error();
      for (const store::Row& r : *teams) teams_[r.str(1)] = r.i64(0);
      return {};
    });
  }

  std::int64_t user(const std::string& name) const {
    auto it = users_.find(name);
    return it == users_.end() ? 0 : it->second;
  }
  tickets::Viewer agent(const std::string& name) const {
    return tickets::Viewer{user(name), true, true, false};
  }
  store::Actor actor(const std::string& name) const { return store::Actor{user(name), "demo"}; }

  // The CAB: the operations manager, the approvers and the team leads; the emergency board: the
  // operations manager and the two operations leads.
  core::Status boards() {
    auto set = [&](const char* team, std::vector<const char*> members) -> core::Status {
      auto it = teams_.find(team);
      if (it == teams_.end()) return {};
      return db_.write([&](store::Tx& tx) -> core::Status {
        for (const char* m : members) {
          if (!user(m)) continue;
          auto n = tx.exec(
              "INSERT INTO team_members (team_id, user_id, created_at) VALUES (?, ?, ?) ON"
              " CONFLICT DO NOTHING",
              {it->second, user(m), now_ - 30 * kDay});
          if (!n.ok()) return std::move(n).error();
        }
        auto lead =
            tx.exec("UPDATE teams SET lead_id = ? WHERE id = ?", {user(members[0]), it->second});
        if (!lead.ok()) return std::move(lead).error();
        return {};
      });
    };
    YW_TRY(set("Change Advisory Board", {"xiegang", "hanmei", "lina", "wuqiang", "gaomin"}));
    YW_TRY(set("Emergency Change Advisory Board", {"xiegang", "lina", "wuqiang"}));
    return {};
  }

  std::optional<std::int64_t> ci(std::string_view name) const {
    auto it = estate_.ids.find(name);
    if (it == estate_.ids.end()) return std::nullopt;
    return it->second;
  }

  // The New Year freeze, weekend maintenance windows for the banking services, and the
  // standard-change catalog.
  core::Status windows() {
    clock_.set(now_ - 40 * kDay);
    store::Actor admin = actor("xiegang");
    // A freeze around the next of New Year's Day, Labour Day and National Day (the eve 18:00 to
    // the morning after the holiday, Beijing time), and a change planned inside it.
    struct Holiday {
      const char* name;
      const char* eve;    // MM-DD of the eve (in the year before for New Year's Day)
      const char* after;  // MM-DD of the morning after
      const char* day2;   // MM-DD of the holiday's second day
    };
    static const Holiday kHolidays[] = {{"元旦", "12-31", "01-04", "01-02"},
                                        {"劳动节", "04-30", "05-06", "05-02"},
                                        {"国庆节", "09-30", "10-08", "10-02"}};
    int year = std::stoi(core::format_iso8601(now_ + kBeijing).substr(0, 4));
    auto local = [](int y, const char* md, const char* hm) -> std::optional<core::TimeMs> {
      core::TimeMs t = 0;
      if (!core::parse_iso8601(std::to_string(y) + "-" + md + "T" + hm + ":00+08:00", t))
        return std::nullopt;
      return t;
    };
    change::FreezeWindowInput freeze;
    for (int y = year; y <= year + 1 && freeze.name.empty(); ++y) {
      for (const Holiday& h : kHolidays) {
        bool new_year = std::string(h.name) == "元旦";
        auto start = local(new_year ? y - 1 : y, h.eve, "18:00");
        auto end = local(y, h.after, "08:00");
        auto inside = local(y, h.day2, "10:00");
        if (!start || !end || !inside || *start <= now_) continue;
        freeze.name = std::string(h.name) + "封网";
        freeze.reason = std::string(h.name) + "假期前后封网，除紧急变更外不安排变更。";
        freeze.start = *start;
        freeze.end = *end;
        in_freeze_ = *inside;
        break;
      }
    }
    if (auto r = config_.create_freeze_window(admin, freeze); !r.ok())
      return named("freeze window", r.error());
    for (const char* service : {"网上银行", "手机银行", "ERP"}) {
      auto id = ci(service);
      if (!id) continue;
      change::MaintenanceWindowInput w;
      w.service_id = *id;
      w.name = std::string(service) + "周末维护窗口";
      w.ranges = {"Sat 22:00-Sun 06:00", "Wed 23:00-Thu 01:00"};
      if (auto r = config_.create_maintenance_window(admin, w); !r.ok())
        return named("maintenance window", r.error());
    }
    struct Tpl {
      const char *name, *name_zh, *description_zh, *plan, *backout, *team;
      int minutes;
    };
    static const Tpl kTemplates[] = {
        {"Server OS patch (monthly)", "服务器操作系统月度补丁",
         "按月度基线为单台服务器安装操作系统补丁并重启。",
         "1. 确认业务低峰 2. 快照 3. 安装补丁 4. 重启 5. 检查服务", "回滚快照",
         "Infrastructure Operations", 60},
        {"Firewall rule for an internal application", "内部应用防火墙策略开通",
         "为内部应用开通点对点访问策略（非互联网方向）。", "1. 核对申请 2. 配置策略 3. 连通性测试",
         "删除新增策略", "Infrastructure Operations", 30},
        {"Read-only database account", "数据库只读账号开通", "为报表或审计开通数据库只读账号。",
         "1. 创建账号 2. 授予只读角色 3. 通知申请人", "删除账号", "Application Operations", 30},
        {"SSL certificate renewal", "SSL 证书续期", "替换即将到期的网站或接口 SSL 证书。",
         "1. 上传新证书 2. 重载配置 3. 验证证书链", "恢复旧证书", "Security Operations", 30},
    };
    for (const Tpl& t : kTemplates) {
      change::ChangeTemplateInput in;
      in.name = t.name;
      in.name_zh = t.name_zh;
      in.description = t.name;
      in.description_zh = t.description_zh;
      in.implementation_plan = t.plan;
      in.backout_plan = t.backout;
      in.test_plan = "变更后检查监控与业务拨测";
      in.duration_minutes = t.minutes;
      auto team = teams_.find(t.team);
      if (team != teams_.end()) in.implementer_team_id = team->second;
      if (auto r = config_.create_template(admin, in); !r.ok())
        return named("change template", r.error());
    }
    return {};
  }

  core::Status move(const std::string& who, const tickets::Ticket& t, const char* to,
                    const char* notes = nullptr) {
    tickets::TransitionRequest req;
    req.to = to;
    if (notes) req.resolution_notes = notes;
    auto moved =
        store::write_tx<tickets::Ticket>(db_, [&](store::Tx& tx) -> core::Result<tickets::Ticket> {
          YW_ASSIGN(tickets::Ticket current, tickets_.load_in(tx, agent(who), t.number));
          return tickets_.transition_in(tx, actor(who), agent(who), current, req);
        });
    if (!moved.ok()) return named(std::string("moving to ") + to, moved.error());
    return {};
  }

  core::Status play(const ChangeSpec& s) {
    core::TimeMs start = s.day == kInFreeze ? in_freeze_ : at(s.day, s.hour);
    core::TimeMs end = start + s.minutes * kMinute;
    // Raised a week before (emergencies an hour before), authorised a few days before.
    // (Everything that happened is in the past: changes planned later were raised days ago.)
    core::TimeMs raised = s.type == change::ChangeType::kEmergency
                              ? start - kHour
                              : std::min(start - 8 * kDay, now_ - 3 * kDay);
    clock_.set(raised);
    change::NewChange n;
    n.type = s.type;
    n.base.title = s.title;
    n.base.description = s.description;
    auto team = teams_.find(s.team);
    if (team != teams_.end()) n.base.assignee_team_id = team->second;
    n.base.assignee_id = user(s.raiser);
    std::vector<std::int64_t> ids;
    for (const char* name : s.cis) {
      if (auto id = ci(name)) ids.push_back(*id);
    }
    n.fields.ci_ids = ids;
    n.fields.planned_start = start;
    n.fields.planned_end = end;
    n.fields.reason = s.description;
    n.fields.implementation_plan = "按实施方案逐步执行，每步完成后在变更单记录。";
    n.fields.backout_plan = "按回退方案恢复至变更前版本与配置，回退时间不超过 30 分钟。";
    n.fields.test_plan = "业务拨测、监控指标与日志检查。";
    n.fields.risk_answers = answers(s.risk);
    YW_ASSIGN(tickets::Ticket t, changes_.create(actor(s.raiser), agent(s.raiser), n));
    if (s.stage == Stage::kNew) return {};
    if (s.type == change::ChangeType::kNormal) YW_TRY(move(s.raiser, t, "assess"));
    if (s.stage == Stage::kAssess) return {};
    clock_.advance(std::chrono::hours(s.type == change::ChangeType::kEmergency ? 0 : 24));
    YW_TRY(move(s.raiser, t, "authorise"));
    // The lead approves; then the CAB (a majority of its five for medium risk, all of them for
    // high) or, for an emergency, one member of the emergency board.
    std::vector<const char*> approvers;
    if (s.type == change::ChangeType::kEmergency) {
      approvers = {"lina"};
    } else {
      static const std::map<std::string, const char*, std::less<>> kLead = {
          {"Infrastructure Operations", "lina"},
          {"Application Operations", "wuqiang"},
          {"Security Operations", "gaomin"},
          {"Automation & Platform", "luotao"}};
      approvers = {kLead.at(s.team)};
      bool waits = s.stage == Stage::kAuthorise;  // left for the CAB to decide
      if (s.risk == 1 && !waits) approvers.insert(approvers.end(), {"xiegang", "hanmei", "gaomin"});
      if (s.risk == 2 && !waits)
        approvers.insert(approvers.end(), {"xiegang", "hanmei", "lina", "wuqiang", "gaomin"});
    }
    for (const char* who : approvers) {
      clock_.advance(std::chrono::hours(2));
      auto d = changes_.decide(actor(who), agent(who), t.number, change::Verdict::kApprove,
                               "同意按计划实施");
      if (!d.ok()) return named(std::string("approval by ") + who, d.error());
    }
    if (s.stage == Stage::kAuthorise) return {};
    // Approved but held by conflicts (another change, a maintenance window): the CAB's chair
    // weighs them and overrides with a reason.
    auto held = changes_.conflicts(agent("xiegang"), t.number);
    if (!held.ok()) return named("conflicts", held.error());
    if (!held->conflicts.empty()) {
      std::string reason =
          *s.override_reason ? s.override_reason : "已评估冲突：业务低峰实施，实施团队全程值守。";
      auto o = changes_.override_conflicts(actor("xiegang"), agent("xiegang"), t.number, reason);
      if (!o.ok()) return named("override", o.error());
    }
    if (s.stage == Stage::kAuthorise || s.stage == Stage::kScheduled) return {};
    clock_.set(std::max(start, clock_.now_ms() + kMinute));
    YW_TRY(move(s.raiser, t, "implement"));
    if (s.stage == Stage::kImplement) return {};
    clock_.set(end);
    bool failed = std::string(s.outcome) == "failed";
    if (failed) {
      YW_TRY(move(s.raiser, t, "failed", s.review_notes));
      clock_.advance(std::chrono::minutes(30));
    }
    YW_TRY(move(s.raiser, t, "review"));
    clock_.advance(std::chrono::hours(20));
    std::vector<std::string> caused;
    if (s.caused_incident) {
      tickets::NewTicket inc;
      inc.title = "办公网 3-5 楼网络间歇性丢包";
      inc.description = "核心交换机升级后，3 至 5 楼多名同事反映网络时断时续。";
      inc.impact = 2;
      inc.urgency = 2;
      inc.channel = "phone";
      clock_.set(end + 10 * kMinute);
      auto created = tickets_.create(actor("zhangwei"), agent("zhangwei"), inc);
      if (!created.ok()) return named("caused incident", created.error());
      caused.push_back(created->number);
      ++incidents_;
      clock_.set(end + 20 * kHour);
    }
    auto outcome =
        change::parse_review_outcome(s.outcome).value_or(change::ReviewOutcome::kSuccessful);
    auto r = changes_.review(actor(s.raiser), agent(s.raiser), t.number, outcome, s.review_notes,
                             caused);
    if (!r.ok()) return named("review", r.error());
    clock_.advance(std::chrono::hours(2));
    return move("xiegang", t, "closed");
  }

  // ---- problems

  struct ProblemSpec {
    const char* title;
    const char* description;
    const char* ci;  // the incidents on this CI are linked (up to 6)
    const char* team;
    const char* owner;
    const char* symptoms;
    const char* root_cause;  // "" while analysis runs
    const char* workaround;  // "" without one; published as a known error
    const char* permanent_fix;
    const char* stage;  // new, assessed, root_cause_analysis, fix_in_progress, resolved
    int days_ago;
  };

  // The incidents on a CI created before `before`, not linked to a problem yet, oldest first;
  // and when the last of them was created.
  struct Found {
    std::vector<std::string> numbers;
    core::TimeMs last_created = 0;
  };
  core::Result<Found> incidents_on(std::int64_t ci_id, int limit, core::TimeMs before) {
    return store::read_tx<Found>(db_, [&](store::Tx& tx) -> core::Result<Found> {
      auto rows = tx.query(
          "SELECT t.number, t.created_at, t.updated_at FROM tickets t WHERE t.kind = 'incident'"
          " AND t.ci_id = ? AND t.status <> 'cancelled' AND t.updated_at < ? AND NOT EXISTS"
          " (SELECT 1 FROM problem_incidents p WHERE p.incident_id = t.id) ORDER BY t.id LIMIT ?",
          {ci_id, before, std::int64_t{limit}});
      if (!rows.ok()) return std::move(rows).error();
      Found out;
      for (const store::Row& r : *rows) {
        out.numbers.push_back(r.str(0));
        out.last_created = std::max({out.last_created, r.i64(1), r.i64(2)});
      }
      return out;
    });
  }

  core::Result<int> load_problems() {
    static const ProblemSpec kProblems[] = {
        {"邮件网关队列积压导致投递延迟反复出现",
         "近一个月多次出现外部邮件延迟 30 分钟以上，均在邮件网关队列积压时发生。", "mail-gw-01",
         "Infrastructure Operations", "sunhao",
         "外部来信延迟 30 分钟以上；邮件网关队列超过 5,000 封；反垃圾扫描进程 CPU 100%。",
         "反垃圾引擎规则库升级后对大附件逐层解压扫描，单封耗时从 0.2 秒增至 6 秒。",
         "临时将超过 20MB 的附件跳过深度扫描（在网关策略中启用“大附件快速通道”），队列 10 "
         "分钟内消化。",
         "升级反垃圾引擎至修复版本，并为网关增加两台扫描节点。", "fix_in_progress", 20},
        {"网银核心数据库连接池耗尽", "月末高峰时网银登录和转账超时，应用日志报连接池耗尽。",
         "ebank-core-db", "Application Operations", "hexin",
         "网银登录超时、转账提交无响应；weblogic 日志 “No resources currently available in pool”。",
         "对账批处理在日间占用长事务连接，未释放的游标使连接池在高峰期耗尽。",
         "高峰前手工暂停对账批处理，并将连接池上限临时从 200 调至 300（变更单记录）。",
         "对账批处理改为夜间执行并修复游标泄漏；连接池增加泄漏检测。", "root_cause_analysis", 12},
        {"核心交换机 CS-02 MAC 表老化缺陷", "办公网多次出现间歇性丢包，定位为核心交换机固件缺陷。",
         "CS-02", "Infrastructure Operations", "zhaolei",
         "办公网部分楼层间歇性丢包，持续 1-3 分钟后自行恢复。",
         "CS-02 当前固件存在 MAC 表老化缺陷，表项满后触发全网泛洪。",
         "发生时在 CS-02 上手工清除 MAC 表。", "升级 CS-02 固件至厂商修复版本（CHG-000002）。",
         "resolved", 30},
        {"打印服务器驱动与新版操作系统不兼容", "多个部门升级系统后无法打印，需评估驱动方案。",
         "file-srv-01", "Infrastructure Operations", "zhoujie",
         "升级操作系统后的电脑添加网络打印机失败。", "", "", "", "assessed", 5},
    };
    int created = 0;
    for (const ProblemSpec& p : kProblems) {
      auto ci_id = ci(p.ci);
      if (!ci_id) continue;
      // Raised after the incidents it explains were last touched; its analysis (a few days'
      // steps) ends before now.
      core::TimeMs latest = now_ - 4 * kDay;
      YW_ASSIGN(Found found, incidents_on(*ci_id, 6, latest));
      clock_.set(std::min(latest, std::max(now_ - p.days_ago * kDay, found.last_created + kHour)));
      std::vector<std::string> incidents = found.numbers;
      change::NewProblem n;
      n.base.title = p.title;
      n.base.description = p.description;
      n.base.impact = 2;
      n.base.urgency = 3;
      auto team = teams_.find(p.team);
      if (team != teams_.end()) n.base.assignee_team_id = team->second;
      n.base.assignee_id = user(p.owner);
      n.incident_numbers = incidents;
      n.ci_ids = std::vector<std::int64_t>{*ci_id};
      n.text.symptoms = p.symptoms;
      auto t = problems_.create(actor(p.owner), agent(p.owner), n);
      if (!t.ok()) return named(std::string("demo problem \"") + p.title + "\"", t.error());
      ++created;
      std::string stage = p.stage;
      auto step = [&](const char* to, tickets::TransitionRequest req) -> core::Status {
        clock_.advance(std::chrono::hours(20));
        req.to = to;
        auto moved = store::write_tx<tickets::Ticket>(
            db_, [&](store::Tx& tx) -> core::Result<tickets::Ticket> {
              YW_ASSIGN(tickets::Ticket cur, tickets_.load_in(tx, agent(p.owner), t->number));
              return tickets_.transition_in(tx, actor(p.owner), agent(p.owner), cur, req);
            });
        if (!moved.ok()) return named(std::string("problem to ") + to, moved.error());
        return {};
      };
      if (stage == "new") continue;
      YW_TRY(step("assessed", {}));
      if (stage == "assessed") continue;
      YW_TRY(step("root_cause_analysis", {}));
      // The analysis so far, and the workaround published as a known error.
      clock_.advance(std::chrono::hours(4));
      auto current = tickets_.get(agent(p.owner), t->number);
      if (!current.ok()) return named("problem", current.error());
      change::ProblemPatch patch;
      patch.version = current->ticket.version;
      if (*p.root_cause) patch.root_cause = p.root_cause;
      if (*p.workaround) patch.workaround = p.workaround;
      if (*p.permanent_fix) patch.permanent_fix = p.permanent_fix;
      auto updated = problems_.update(actor(p.owner), agent(p.owner), t->number, patch);
      if (!updated.ok()) return named("problem analysis", updated.error());
      if (*p.workaround) {
        auto ke = problems_.set_known_error(actor(p.owner), agent(p.owner), t->number, true,
                                            std::nullopt);
        if (!ke.ok()) return named("known error", ke.error());
      }
      if (stage == "root_cause_analysis") continue;
      YW_TRY(step("fix_in_progress", {}));
      if (stage == "fix_in_progress") continue;
      tickets::TransitionRequest resolve;
      resolve.resolution_code = "fixed";
      resolve.resolution_notes = p.permanent_fix;
      resolve.resolve_incidents = true;
      YW_TRY(step("resolved", resolve));
    }
    return created;
  }

  store::Database& db_;
  core::TimeMs now_;
  core::FakeClock clock_;
  tickets::TicketService tickets_;
  cmdb::RelationService relations_;
  change::ChangeService changes_;
  change::ProblemService problems_;
  change::ChangeConfigService config_;
  const DemoEstate& estate_;
  std::map<std::string, std::int64_t, std::less<>> users_, teams_;
  core::TimeMs in_freeze_ = 0;  // a time inside the freeze window
  int incidents_ = 0;
};

}  // namespace

core::Result<DemoChangeSummary> load_demo_changes(store::Database& db, core::TimeMs now,
                                                  const DemoEstate& estate) {
  DemoChanges demo(db, now, estate);
  return demo.load();
}

}  // namespace yunwei::app
