// Fills a Yunwei database with N tickets for the load benchmark (bench/tickets.sh): people in
// the default teams, and tickets with Chinese and English text spread over a year, in every
// state, indexed for search, with a creation event each. Writes in batches of 2,000 rows per
// transaction straight into the tables the ticket service uses (going through the service one
// ticket at a time would take the benchmark's own POST rate to seed).
//
//   seed_tickets --data-dir DIR | --db postgres://...  --count 1000000
#include <CLI/CLI.hpp>
#include <chrono>
#include <cstdio>
#include <random>
#include <string>
#include <vector>

#include "app/bootstrap.h"
#include "app/settings.h"
#include "core/clock.h"
#include "core/crypto.h"
#include "identity/password.h"
#include "store/database.h"
#include "tickets/ticket.h"
#include "tickets/ticket_service.h"

using namespace yunwei;

namespace {

// Phrases of a Chinese enterprise's IT tickets; "网络" is in about one ticket in six.
const std::vector<std::string> kSubjects = {
    "ERP 系统",   "邮件系统",   "网上银行", "OA 办公",  "VPN",    "打印机",
    "数据库",     "核心交换机", "负载均衡", "存储阵列", "虚拟机", "容器平台",
    "域控服务器", "财务系统",   "CRM",      "门户网站", "Wi-Fi",  "视频会议",
    "备份任务",   "监控平台",   "Nginx",    "Oracle",   "MySQL",  "Redis"};
const std::vector<std::string> kSymptoms = {
    "登录失败", "响应很慢",   "无法访问",     "频繁断开",       "报错",
    "超时",     "数据不同步", "磁盘空间不足", "CPU 使用率过高", "内存泄漏",
    "证书过期", "账号被锁定", "无法打印",     "页面空白",       "连接被拒绝",
    "丢包严重", "告警不断",   "服务中断",     "性能下降",       "权限不足"};
const std::vector<std::string> kDetails = {"用户反馈从上午九点开始出现问题",
                                           "影响财务部全体人员",
                                           "重启后仍然复现",
                                           "疑似与昨晚的变更有关",
                                           "已收集日志并上传附件",
                                           "请尽快处理，影响月底结账",
                                           "分支机构同样受到影响",
                                           "监控显示接口错误率上升",
                                           "错误代码 ORA-00600",
                                           "网关 10.10.0.1 延迟超过 200ms",
                                           "please check the load balancer health probes",
                                           "users in Shanghai office cannot connect",
                                           "交换机端口 Gi1/0/24 状态异常",
                                           "备份窗口内数据库锁等待",
                                           "客户端版本 3.2.1",
                                           "网络抖动导致会话中断",
                                           "DNS 解析偶尔失败",
                                           "已尝试清除缓存无效"};
const std::vector<std::string> kStatuses = {"new",      "assigned",  "in_progress", "pending",
                                            "resolved", "closed",    "closed",      "closed",
                                            "closed",   "cancelled", "reopened",    "assigned"};

}  // namespace

int main(int argc, char** argv) {
  CLI::App cli{"Seed a Yunwei database with tickets for the load benchmark"};
  app::Settings s;
  long count = 1'000'000;
  cli.add_option("--data-dir", s.data_dir, "SQLite data directory");
  cli.add_option("--db", s.db, "PostgreSQL URL");
  cli.add_option("--count", count, "How many tickets");
  CLI11_PARSE(cli, argc, argv);
  if (!core::crypto_init()) return 1;
  core::SystemClock clock;
  auto db = app::open_and_migrate(s, clock);
  if (!db.ok()) {
    std::fprintf(stderr, "%s\n", db.error().message.c_str());
    return 1;
  }
  identity::PasswordHasher hasher(identity::PasswordHasher::Strength::kMinimum);
  auto admin = app::bootstrap_identity(**db, clock, hasher);
  if (!admin.ok()) {
    std::fprintf(stderr, "%s\n", admin.error().message.c_str());
    return 1;
  }
  store::Database& d = **db;
  auto started = std::chrono::steady_clock::now();
  core::TimeMs now = clock.now_ms();

  // People: 40 agents spread over the six teams, 500 requesters.
  std::vector<std::int64_t> teams, requesters;
  std::vector<std::vector<std::int64_t>> members;
  auto st = d.write([&](store::Tx& tx) -> core::Status {
    auto rows = tx.query("SELECT id FROM teams ORDER BY id");
    if (!rows.ok()) return std::move(rows).error();
    for (const auto& r : *rows) teams.push_back(r.i64(0));
    members.resize(teams.size());
    for (int i = 0; i < 540; ++i) {
      bool agent = i < 40;
      std::string name = (agent ? "bench-agent-" : "bench-user-") + std::to_string(i);
      auto row = tx.query_row(
          "INSERT INTO users (username, display_name, roles, active, created_at, updated_at,"
          " version) VALUES (?, ?, ?, 1, ?, ?, 1) RETURNING id",
          {name, name, std::string(agent ? "agent" : "requester"), now, now});
      if (!row.ok()) return std::move(row).error();
      std::int64_t id = (*row)->i64(0);
      if (agent) {
        size_t t = static_cast<size_t>(i) % teams.size();
        members[t].push_back(id);
        auto m = tx.exec("INSERT INTO team_members (team_id, user_id, created_at) VALUES (?, ?, ?)",
                         {teams[t], id, now});
        if (!m.ok()) return std::move(m).error();
      } else {
        requesters.push_back(id);
      }
    }
    return {};
  });
  if (!st.ok()) {
    std::fprintf(stderr, "people: %s\n", st.error().message.c_str());
    return 1;
  }

  std::mt19937_64 rng(42);
  auto pick = [&](const std::vector<std::string>& v) -> const std::string& {
    return v[rng() % v.size()];
  };
  const core::TimeMs year = 365LL * 86'400'000;
  const int kBatch = 2000;
  for (long done = 0; done < count;) {
    long n = std::min<long>(kBatch, count - done);
    st = d.write([&](store::Tx& tx) -> core::Status {
      for (long i = 0; i < n; ++i) {
        long seq = done + i + 1;
        std::string number = tickets::format_number("incident", seq);
        std::string title = pick(kSubjects) + pick(kSymptoms);
        std::string description = pick(kDetails) + "，" + pick(kDetails) + "。" + pick(kDetails);
        std::string status = pick(kStatuses);
        int impact = 1 + static_cast<int>(rng() % 3), urgency = 1 + static_cast<int>(rng() % 3);
        static const char* kMatrix[] = {"P1", "P2", "P3", "P2", "P3", "P4", "P3", "P4", "P5"};
        std::string priority = kMatrix[(impact - 1) * 3 + (urgency - 1)];
        size_t t = rng() % teams.size();
        store::Value assignee = nullptr;
        if (status != "new" && !members[t].empty())
          assignee = members[t][rng() % members[t].size()];
        std::int64_t requester = requesters[rng() % requesters.size()];
        // Older tickets have smaller numbers, as in real life.
        core::TimeMs created = now - year + year * seq / (count + 1);
        // Resolved tickets older than the auto-close period would be closed by the server's
        // worker at start, in the middle of the benchmark: they are closed already.
        if (status == "resolved" && created < now - 6 * 86'400'000LL) status = "closed";
        bool done_state = status == "resolved" || status == "closed" || status == "cancelled";
        // Assigned rather than built with ?: (GCC 12 -O3 warns falsely on variant copies).
        store::Value resolved, closed, team;
        if (done_state) resolved = created + 3'600'000;
        if (status == "closed" || status == "cancelled") closed = created + 7'200'000;
        if (status != "new") team = teams[t];
        auto row = tx.query_row(
            "INSERT INTO tickets (number, kind, title, description, status, impact, urgency,"
            " priority, requester_id, channel, assignee_team_id, assignee_id, created_by,"
            " created_at, updated_at, first_assigned_at, resolved_at, closed_at, version)"
            " VALUES (?, 'incident', ?, ?, ?, ?, ?, ?, ?, 'web', ?, ?, ?, ?, ?, ?, ?, ?, 1)"
            " RETURNING id",
            {number, title, description, status, std::int64_t{impact}, std::int64_t{urgency},
             priority, requester, team, assignee, requester, created, created, team, resolved,
             closed});
        if (!row.ok()) return std::move(row).error();
        std::int64_t id = (*row)->i64(0);
        std::string head = number + " " + title;
        YW_TRY(store::search::index_document(tx, tickets::ticket_index(), id,
                                             {head, description, ""}));
        auto ev = tx.exec(
            "INSERT INTO events (at, actor_id, action, object_type, object_id, before_json,"
            " after_json, request_id) VALUES (?, ?, 'ticket.create', 'ticket', ?, '', ?, 'seed')",
            {created, requester, id, "{\"number\":\"" + number + "\"}"});
        if (!ev.ok()) return std::move(ev).error();
      }
      auto c = tx.exec(
          "INSERT INTO ticket_counters (kind, last_number) VALUES ('incident', ?) ON CONFLICT"
          " (kind) DO UPDATE SET last_number = excluded.last_number",
          {std::int64_t{done + n}});
      if (!c.ok()) return std::move(c).error();
      if (tx.backend() == store::Backend::kPostgres) {  // numbers come from a sequence there
        auto seq = tx.query("SELECT setval('ticket_number_incident', ?)", {std::int64_t{done + n}});
        if (!seq.ok()) return std::move(seq).error();
      }
      return {};
    });
    if (!st.ok()) {
      std::fprintf(stderr, "tickets: %s\n", st.error().message.c_str());
      return 1;
    }
    done += n;
    if (done % 100'000 == 0 || done == count) {
      double secs =
          std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
      std::fprintf(stderr, "seeded %ld tickets in %.0f s\n", done, secs);
    }
  }
  if (auto synced = d.sync_search(); !synced.ok()) {
    std::fprintf(stderr, "search index: %s\n", synced.error().message.c_str());
    return 1;
  }
  if (d.backend() == store::Backend::kPostgres) {
    (void)d.write([](store::Tx& tx) -> core::Status {
      auto r = tx.exec("ANALYZE");
      if (!r.ok()) return std::move(r).error();
      return {};
    });
  }
  std::printf("teams");
  for (auto t : teams) std::printf(" %lld", static_cast<long long>(t));
  std::printf("\n");
  return 0;
}
