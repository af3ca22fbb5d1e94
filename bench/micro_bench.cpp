// Engine benchmarks: the request path without sockets (routing, authentication, JSON) and the
// costs it is built from. Run: build/bench/micro_bench
#include <benchmark/benchmark.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "api/api.h"
#include "change/change_config.h"
#include "change/change_service.h"
#include "change/problem_service.h"
#include "cmdb/ci_service.h"
#include "cmdb/relations.h"
#include "cmdb/type_service.h"
#include "core/clock.h"
#include "core/crypto.h"
#include "identity/auth_service.h"
#include "identity/team_service.h"
#include "identity/user_service.h"
#include "sla/calendar.h"
#include "sla/calendar_service.h"
#include "sla/holidays.h"
#include "sla/policy.h"
#include "sla/ticket_sla.h"
#include "sla/timer.h"
#include "store/database.h"
#include "store/migrations.h"
#include "store/search/search.h"
#include "store/search/tokenizer.h"
#include "tickets/category_service.h"
#include "tickets/config.h"
#include "tickets/dispatch.h"
#include "tickets/ticket_service.h"
#include "tickets/views.h"

namespace {

using namespace yunwei;

// A migrated SQLite database in a temporary directory with an admin and a token.
struct Fixture {
  Fixture() {
    dir = std::filesystem::temp_directory_path() / ("yunwei-bench-" + core::random_token(6));
    std::filesystem::create_directories(dir);
    db = std::move(store::open_database({(dir / "bench.db").string(), 4, 4, 5000}).value());
    (void)store::migrate(*db, clock);
    users = std::make_unique<identity::UserService>(*db, clock, hasher);
    teams = std::make_unique<identity::TeamService>(*db, clock);
    auth = std::make_unique<identity::AuthService>(*db, clock, hasher);
    tickets = std::make_unique<tickets::TicketService>(*db, clock);
    categories = std::make_unique<tickets::CategoryService>(*db, clock);
    config = std::make_unique<tickets::TicketConfig>(*db, clock);
    dispatch = std::make_unique<tickets::DispatchService>(*db, clock);
    views = std::make_unique<tickets::SavedViewService>(*db, clock);
    calendars = std::make_unique<sla::CalendarService>(*db, clock);
    policies = std::make_unique<sla::PolicyService>(*db, clock);
    sla = std::make_unique<sla::SlaService>(*db, clock, *calendars, *policies);
    ci_types = std::make_unique<cmdb::CiTypeService>(*db, clock);
    cis = std::make_unique<cmdb::CiService>(*db, clock);
    relations = std::make_unique<cmdb::RelationService>(*db, clock);
    problems = std::make_unique<change::ProblemService>(*db, clock, *tickets);
    changes = std::make_unique<change::ChangeService>(*db, clock, *tickets, *relations);
    change_config = std::make_unique<change::ChangeConfigService>(*db, clock);
    (void)teams->seed_default_teams({});
    identity::NewUser admin;
    admin.username = "admin";
    admin.display_name = "Admin";
    admin.roles = {"admin", "agent"};
    auto u = users->create({}, admin).value();
    admin_id = u.id;
    token = auth->create_token({}, u.id, "bench", std::nullopt).value().secret;
    api = std::make_unique<api::Api>(api::Deps{*db,
                                               clock,
                                               *users,
                                               *teams,
                                               *auth,
                                               *tickets,
                                               *categories,
                                               *config,
                                               *dispatch,
                                               *views,
                                               *calendars,
                                               *policies,
                                               *sla,
                                               *ci_types,
                                               *cis,
                                               *relations,
                                               *problems,
                                               *changes,
                                               *change_config,
                                               "bench",
                                               "bench",
                                               false,
                                               [] { return true; }});
  }
  ~Fixture() {
    api.reset();
    db.reset();
    std::filesystem::remove_all(dir);
  }
  std::filesystem::path dir;
  core::SystemClock clock;
  identity::PasswordHasher hasher{identity::PasswordHasher::Strength::kMinimum};
  std::int64_t admin_id = 0;
  std::unique_ptr<tickets::TicketService> tickets;
  std::unique_ptr<change::ProblemService> problems;
  std::unique_ptr<change::ChangeService> changes;
  std::unique_ptr<change::ChangeConfigService> change_config;
  std::unique_ptr<tickets::CategoryService> categories;
  std::unique_ptr<tickets::TicketConfig> config;
  std::unique_ptr<tickets::DispatchService> dispatch;
  std::unique_ptr<tickets::SavedViewService> views;
  std::unique_ptr<sla::CalendarService> calendars;
  std::unique_ptr<sla::PolicyService> policies;
  std::unique_ptr<sla::SlaService> sla;
  std::unique_ptr<cmdb::CiTypeService> ci_types;
  std::unique_ptr<cmdb::CiService> cis;
  std::unique_ptr<cmdb::RelationService> relations;
  std::unique_ptr<store::Database> db;
  std::unique_ptr<identity::UserService> users;
  std::unique_ptr<identity::TeamService> teams;
  std::unique_ptr<identity::AuthService> auth;
  std::unique_ptr<api::Api> api;
  std::string token;
};

Fixture& fixture() {
  static Fixture f;
  return f;
}

void BM_ApiHealthz(benchmark::State& state) {
  Fixture& f = fixture();
  for (auto _ : state) {
    http::Request req;
    req.method = "GET";
    req.path = req.target = "/healthz";
    benchmark::DoNotOptimize(f.api->handle(req));
  }
}
BENCHMARK(BM_ApiHealthz)->ThreadRange(1, 2)->UseRealTime();

void BM_ApiGetMeWithToken(benchmark::State& state) {
  Fixture& f = fixture();
  for (auto _ : state) {
    http::Request req;
    req.method = "GET";
    req.path = req.target = "/api/v1/me";
    req.headers.push_back({"authorization", "Bearer " + f.token});
    http::Response res = f.api->handle(req);
    if (res.status != 200) state.SkipWithError("GET /me failed");
    benchmark::DoNotOptimize(res);
  }
}
BENCHMARK(BM_ApiGetMeWithToken)->ThreadRange(1, 2)->UseRealTime();

void BM_AuthenticateToken(benchmark::State& state) {
  Fixture& f = fixture();
  for (auto _ : state) benchmark::DoNotOptimize(f.auth->authenticate_token(f.token));
}
BENCHMARK(BM_AuthenticateToken);

void BM_CreateUserSqlite(benchmark::State& state) {
  Fixture& f = fixture();
  static int n = 0;
  for (auto _ : state) {
    identity::NewUser u;
    u.username = "bench" + std::to_string(++n);
    u.display_name = "压测用户";
    u.email = u.username + "@bench.example.cn";
    u.roles = {"agent"};
    if (!f.users->create({}, u).ok()) state.SkipWithError("create failed");
  }
}
BENCHMARK(BM_CreateUserSqlite);

// One incident through the ticket service (rules, dispatch, numbering, index, event), on the
// calling thread: the database work of POST /api/v1/tickets without HTTP.
void BM_CreateTicketSqlite(benchmark::State& state) {
  Fixture& f = fixture();
  tickets::Viewer agent{f.admin_id, true, true, true};
  store::Actor actor{f.admin_id, "bench"};
  static int n = 0;
  for (auto _ : state) {
    tickets::NewTicket t;
    t.title = "ERP 系统登录很慢 #" + std::to_string(++n);
    t.description = "用户反馈网关 10.10.0.1 丢包，影响财务部，错误代码 ORA-00600。";
    t.impact = 1 + n % 3;
    if (!f.tickets->create(actor, agent, t).ok()) state.SkipWithError("create failed");
  }
}
BENCHMARK(BM_CreateTicketSqlite);

void BM_Sha256Token(benchmark::State& state) {
  std::string token = "yw_" + core::random_token(32);
  for (auto _ : state) benchmark::DoNotOptimize(core::sha256_hex(token));
}
BENCHMARK(BM_Sha256Token);

void BM_ParseIso8601(benchmark::State& state) {
  core::TimeMs t;
  for (auto _ : state)
    benchmark::DoNotOptimize(core::parse_iso8601("2026-01-31T09:00:00.250+08:00", t));
}
BENCHMARK(BM_ParseIso8601);

void BM_PasswordHashInteractive(benchmark::State& state) {
  identity::PasswordHasher hasher;
  for (auto _ : state) benchmark::DoNotOptimize(hasher.hash("correct horse battery staple"));
}
BENCHMARK(BM_PasswordHashInteractive)->Iterations(4)->Unit(benchmark::kMillisecond);

// Generated IT-operations text, Chinese and English mixed, from fixed word lists and a seed.
class TextGenerator {
 public:
  explicit TextGenerator(unsigned seed) : rng_(seed) {}

  std::string words(int n) {
    std::string out;
    for (int i = 0; i < n; ++i) {
      std::uniform_int_distribution<int> kind(0, 9);
      int k = kind(rng_);
      if (k < 6) {
        out += pick(kChinese);
        if (k == 0) out += "，";
      } else {
        if (!out.empty()) out += ' ';
        out += latin_[std::uniform_int_distribution<size_t>(0, latin_.size() - 1)(rng_)];
        out += ' ';
      }
    }
    return out;
  }

  bool chance(double p) { return std::uniform_real_distribution<double>(0, 1)(rng_) < p; }

 private:
  template <size_t N>
  const char* pick(const char* const (&list)[N]) {
    return list[std::uniform_int_distribution<size_t>(0, N - 1)(rng_)];
  }

  static constexpr const char* kChinese[] = {
      "服务器", "数据库", "交换机", "路由器", "防火墙", "负载均衡", "存储", "磁盘", "内存",
      "网络",   "应用",   "中间件", "系统",   "接口",   "告警",     "故障", "超时", "重启",
      "升级",   "补丁",   "配置",   "变更",   "审批",   "用户",     "账号", "密码", "权限",
      "登录",   "打印机", "邮件",   "备份",   "恢复",   "日志",     "监控", "延迟", "丢包",
      "带宽",   "证书",   "域名",   "虚拟机", "容器",   "集群",     "节点", "进程", "线程",
      "缓存",   "队列",   "报表",   "工单",   "事件",   "问题",     "请求", "发布", "回滚",
      "测试",   "生产",   "环境",   "机房",   "电源",   "空调",     "机柜", "光纤", "端口",
      "无线",   "办公",   "电脑",   "显示器", "键盘",   "软件",     "安装", "许可", "病毒",
      "漏洞",   "扫描",   "审计",   "数据",   "同步",   "迁移",     "扩容", "性能", "很慢",
      "卡顿",   "报错",   "异常",   "中断",   "核心",   "链路",     "切换", "主备", "巡检",
      "已处理", "待确认", "无法",   "访问",   "连接",   "失败",     "成功", "正常", "严重",
      "紧急",   "影响",   "部门",   "财务",   "人事",   "研发",     "客服", "总部", "分公司"};
  // Space-separated, split once: keeps the list compact.
  static constexpr const char* kLatinWords =
      "ERP OA CRM VPN DNS DHCP LDAP Oracle MySQL Redis Kafka Nginx Tomcat Linux Windows k8s pod "
      "timeout error failed restart disk memory cpu latency upgrade ORA-00600 ORA-01555 HTTP 502 "
      "503 10.10.0.1 10.20.3.4:8080 v2.3.1 INC-000123 the server is down after patch please check "
      "user cannot login slow backup job";
  std::vector<std::string> latin_ = [] {
    std::vector<std::string> out;
    std::string word;
    for (const char* p = kLatinWords;; ++p) {
      if (*p == ' ' || *p == '\0') {
        out.push_back(word);
        word.clear();
        if (*p == '\0') return out;
      } else {
        word += *p;
      }
    }
  }();
  std::mt19937 rng_;
};

void BM_TokenizeMixedText1KB(benchmark::State& state) {
  TextGenerator gen(7);
  std::string text;
  while (text.size() < 1024) text += gen.words(8) + "。";
  text.resize(1024);
  std::size_t tokens = 0;
  for (auto _ : state) {
    std::size_t n = 0;
    store::search::for_each_token(
        text, store::search::Mode::kDocument,
        [](void* ctx, const store::search::TokenView&) {
          ++*static_cast<std::size_t*>(ctx);
          return true;
        },
        &n);
    benchmark::DoNotOptimize(n);
    tokens = n;
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * text.size()));
  state.counters["tokens"] = static_cast<double>(tokens);
}
BENCHMARK(BM_TokenizeMixedText1KB);

void BM_TokenizeToVector1KB(benchmark::State& state) {
  TextGenerator gen(7);
  std::string text;
  while (text.size() < 1024) text += gen.words(8) + "。";
  text.resize(1024);
  for (auto _ : state) benchmark::DoNotOptimize(store::search::tokenize(text));
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * text.size()));
}
BENCHMARK(BM_TokenizeToVector1KB);

const store::search::IndexSpec kBenchIndex{"docs_fts", {"title", "body"}};

// 100,000 generated tickets (title 3-8 words, body 20-80 words; YUNWEI_BENCH_SEARCH_DOCS sets
// another count, in whole thousands) in an FTS5 table on SQLite. "网络" is a list word (in ~25%
// of the documents), "宕机" is added to 0.5% of them.
struct SearchFixture {
  SearchFixture() {
    const char* env = std::getenv("YUNWEI_BENCH_SEARCH_DOCS");
    int batches = env ? std::max(1, std::atoi(env) / 1000) : 100;
    dir = std::filesystem::temp_directory_path() / ("yunwei-bench-fts-" + core::random_token(6));
    std::filesystem::create_directories(dir);
    db = std::move(store::open_database({(dir / "search.db").string(), 2, 2, 5000}).value());
    core::SystemClock clock;
    (void)store::migrate(*db, clock);  // the queue that SQLite indexes through
    (void)db->write([](store::Tx& tx) {
      return tx.exec_script(store::search::create_index_sql(tx.backend(), kBenchIndex));
    });
    TextGenerator gen(42);
    std::uniform_int_distribution<int> title_words(3, 8), body_words(20, 80);
    std::mt19937 rng(1);
    for (int batch = 0; batch < batches; ++batch) {
      (void)db->write([&](store::Tx& tx) -> core::Status {
        for (int i = 0; i < 1000; ++i) {
          std::int64_t id = batch * 1000 + i + 1;
          std::string title = gen.words(title_words(rng));
          std::string body = gen.words(body_words(rng));
          if (gen.chance(0.005)) body += "数据库服务器宕机。";
          auto st = store::search::index_document(tx, kBenchIndex, id, {title, body});
          if (!st.ok()) return st;
        }
        return {};
      });
    }
    (void)db->sync_search();
  }
  ~SearchFixture() {
    db.reset();
    std::filesystem::remove_all(dir);
  }
  std::filesystem::path dir;
  std::unique_ptr<store::Database> db;
};

SearchFixture& search_fixture() {
  static SearchFixture f;
  return f;
}

// Args: query (0 "网络" common, 1 "宕机" rare, 2 "数据库" three characters, 3 "ERP 登录"),
// max_candidates (0: rank every match).
void BM_SearchFts5Query100k(benchmark::State& state) {
  static const char* const kQueries[] = {"网络", "宕机", "数据库", "ERP 登录"};
  SearchFixture& f = search_fixture();
  const char* text = kQueries[state.range(0)];
  store::search::Query query = store::search::parse_query(text);
  store::search::SearchOptions options;
  options.max_candidates = static_cast<int>(state.range(1));
  std::int64_t matches = 0;
  (void)f.db->read([&](store::Tx& tx) -> core::Status {
    auto m = store::search::match(tx.backend(), kBenchIndex, query, "docs_fts.rowid");
    auto rows = tx.query("SELECT count(*) FROM docs_fts WHERE " + m.where_sql, m.where_params);
    if (rows.ok()) matches = rows->at(0).i64(0);
    return {};
  });
  for (auto _ : state) {
    auto hits = store::read_tx<std::vector<store::search::SearchHit>>(*f.db, [&](store::Tx& tx) {
      return store::search::search(tx, kBenchIndex, query, options);
    });
    if (!hits.ok() || hits->empty()) state.SkipWithError("search failed");
    benchmark::DoNotOptimize(hits);
  }
  state.SetLabel(std::string(text) + (options.max_candidates ? " newest 1000" : " all"));
  state.counters["matches"] = static_cast<double>(matches);
}
BENCHMARK(BM_SearchFts5Query100k)
    ->ArgsProduct({{0, 1, 2, 3}, {0, 1000}})
    ->Unit(benchmark::kMillisecond);

}  // namespace

// The office calendar of a Chinese IT department: Monday to Friday 09:00-12:00 and 13:00-18:00,
// Asia/Shanghai, with the shipped cn-statutory holidays and make-up workdays.
std::shared_ptr<const sla::CompiledCalendar> office_calendar() {
  sla::CalendarSpec spec;
  for (std::size_t d = 0; d < 5; ++d) spec.weekly[d] = {{9 * 60, 12 * 60}, {13 * 60, 18 * 60}};
  spec.holidays = sla::parse_holiday_json(sla::cn_statutory_json()).days;
  return sla::CompiledCalendar::compile(spec).value();
}

// Compiling a calendar (2000-2099 into UTC working intervals): paid once per calendar version.
void BM_CalendarCompile(benchmark::State& state) {
  for (auto _ : state) benchmark::DoNotOptimize(office_calendar());
}
BENCHMARK(BM_CalendarCompile)->Unit(benchmark::kMillisecond);

// Deadlines: starts spread over 2024-2026, spans of state.range(0) business minutes (240: a P3
// response target; 360,000: about three working years, across every holiday in them).
void BM_CalendarAdd(benchmark::State& state) {
  static const auto cal = office_calendar();
  std::mt19937 rng(7);
  core::TimeMs from = 1'704'038'400'000;  // 2024-01-01T00:00+08:00
  std::uniform_int_distribution<core::TimeMs> start(from, from + 3LL * 365 * 86'400'000);
  std::vector<core::TimeMs> starts(4096);
  for (core::TimeMs& t : starts) t = start(rng);
  std::int64_t work = state.range(0) * 60'000;
  std::size_t i = 0;
  for (auto _ : state) {
    auto due = cal->add(starts[i++ & 4095], work);
    benchmark::DoNotOptimize(due);
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_CalendarAdd)->Arg(240)->Arg(360'000);

void BM_CalendarBetween(benchmark::State& state) {
  static const auto cal = office_calendar();
  std::mt19937 rng(8);
  core::TimeMs from = 1'704'038'400'000;
  std::uniform_int_distribution<core::TimeMs> t(from, from + 3LL * 365 * 86'400'000);
  std::vector<std::pair<core::TimeMs, core::TimeMs>> spans(4096);
  for (auto& [a, b] : spans) {
    a = t(rng);
    b = t(rng);
    if (b < a) std::swap(a, b);
  }
  std::size_t i = 0;
  for (auto _ : state) {
    const auto& [a, b] = spans[i++ & 4095];
    benchmark::DoNotOptimize(cal->between(a, b));
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_CalendarBetween);

// One ticket's SLA from its history (created, assigned, pending on the requester, back in
// progress, another team): response, resolution and an OLA on the office calendar.
void BM_SlaEvaluate(benchmark::State& state) {
  static const auto cal = office_calendar();
  sla::Policy p;
  p.response_minutes = 240;
  p.resolution_minutes = 24 * 60;
  p.pause_reasons = sla::default_pause_reasons();
  p.ola = {{2, 8 * 60}};
  auto point = [](core::TimeMs t, const char* status, const char* reason, bool responded,
                  std::int64_t team) {
    sla::TicketState s;
    s.status = status;
    s.pending_reason = reason;
    s.priority = "P3";
    s.responded = responded;
    s.team_id = team;
    return sla::HistoryPoint{t, s};
  };
  core::TimeMs t0 = 1'772'582'400'000;  // 2026-03-04T08:00+08:00
  std::vector<sla::HistoryPoint> h = {
      point(t0, "new", "", false, 1), point(t0 + 600'000, "assigned", "", false, 1),
      point(t0 + 3'600'000, "pending", "awaiting_requester", true, 1),
      point(t0 + 90'000'000, "in_progress", "", true, 1),
      point(t0 + 100'000'000, "assigned", "", true, 2)};
  core::TimeMs now = t0 + 200'000'000;
  for (auto _ : state) benchmark::DoNotOptimize(sla::evaluate(h, now, p, *cal));
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_SlaEvaluate);

BENCHMARK_MAIN();
