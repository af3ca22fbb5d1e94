// Problem management in process, on SQLite and (with YUNWEI_TEST_PG) PostgreSQL: problems raised
// from incidents, their analysis with optimistic locking and timeline events, the workflow's
// own fields, known errors (publishing, search, suggestions, applying), resolving a problem's
// incidents with it, and the candidates report.
#include "change/problem_service.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <memory>

#include "identity/password.h"
#include "identity/team_service.h"
#include "identity/user_service.h"
#include "support/cis.h"
#include "support/people.h"
#include "support/test_db.h"
#include "tickets/category_service.h"

namespace yunwei::change {
namespace {

using core::ErrorCode;
using testing::failed_with;
using testing::must;
using tickets::Ticket;
using tickets::Viewer;

class ProblemServiceTest : public testing::BackendTest {
 protected:
  void SetUp() override {
    BackendTest::SetUp();
    if (IsSkipped() || HasFatalFailure()) return;
    tickets_ = std::make_unique<tickets::TicketService>(db(), clock_);
    problems_ = std::make_unique<ProblemService>(db(), clock_, *tickets_);
    tickets_->set_kind_hooks("problem", problems_->hooks());
    identity::UserService users(db(), clock_, hasher_);
    identity::TeamService teams(db(), clock_);
    agent_ = testing::make_user(users, "zhangwei", {"agent"});
    other_agent_ = testing::make_user(users, "lina", {"agent"});
    requester_ = testing::make_user(users, "wangxiaoming", {"requester"});
    team_ = testing::make_team(teams, "Problem Management", {agent_, other_agent_});
    bank_ = testing::make_ci(db(), clock_, "business_service", "网上银行");
    mail_ = testing::make_ci(db(), clock_, "business_service", "邮件系统");
    web01_ = testing::make_ci(db(), clock_, "server", "sh-web-01", R"({"hostname":"sh-web-01"})");
    db01_ = testing::make_ci(db(), clock_, "server", "sh-db-01", R"({"hostname":"sh-db-01"})");
    tickets::CategoryService categories(db(), clock_);
    tickets::NewCategory sec;
    sec.code = "security_e2e";
    sec.name = "Security";
    sec.security = true;
    security_category_ = must(categories.create(system_, sec)).id;
  }

  static store::Actor as(std::int64_t user) { return store::Actor{user, "test"}; }
  static Viewer agent_view(std::int64_t user) { return Viewer{user, true, true, false}; }
  Viewer agent() const { return agent_view(agent_); }

  Ticket incident(const std::string& title, std::optional<std::int64_t> ci = std::nullopt,
                  std::optional<std::int64_t> service = std::nullopt) {
    tickets::NewTicket n;
    n.title = title;
    n.ci_id = ci;
    n.service_id = service;
    return must(tickets_->create(as(agent_), agent(), n));
  }

  NewProblem problem(const std::string& title, std::vector<std::string> incidents = {}) {
    NewProblem p;
    p.base.title = title;
    p.incident_numbers = std::move(incidents);
    return p;
  }

  Ticket reload(const std::string& number) { return must(tickets_->get(agent(), number)).ticket; }

  // Publishes a problem's known error with this text; returns the problem.
  Ticket known_error(const std::string& title, const std::string& workaround,
                     std::vector<std::int64_t> cis = {},
                     std::optional<std::int64_t> service = std::nullopt,
                     const std::string& symptoms = "") {
    NewProblem p = problem(title);
    p.ci_ids = std::move(cis);
    p.base.service_id = service;
    p.service_given = true;
    p.text.workaround = workaround;
    p.text.symptoms = symptoms;
    Ticket t = must(problems_->create(as(agent_), agent(), p));
    return must(problems_->set_known_error(as(agent_), agent(), t.number, true, std::nullopt));
  }

  std::vector<std::string> actions(const std::string& number) {
    std::vector<std::string> out;
    for (const tickets::TimelineEntry& e : must(tickets_->timeline(agent(), number)))
      out.push_back(e.action);
    return out;
  }

  static std::vector<std::string> numbers(const std::vector<KnownError>& items) {
    std::vector<std::string> out;
    for (const KnownError& k : items) out.push_back(k.number);
    return out;
  }

  Ticket move(const std::string& number, tickets::TransitionRequest r) {
    return must(tickets_->transition(as(agent_), agent(), number, r));
  }
  static tickets::TransitionRequest to(const std::string& state) {
    tickets::TransitionRequest r;
    r.to = state;
    return r;
  }

  store::Actor system_{std::nullopt, "test"};
  identity::PasswordHasher hasher_{identity::PasswordHasher::Strength::kMinimum};
  std::unique_ptr<tickets::TicketService> tickets_;
  std::unique_ptr<ProblemService> problems_;
  std::int64_t agent_ = 0, other_agent_ = 0, requester_ = 0, team_ = 0;
  std::int64_t bank_ = 0, mail_ = 0, web01_ = 0, db01_ = 0, security_category_ = 0;
};

TEST_P(ProblemServiceTest, RaisesAProblemFromIncidentsWithTheirCisAndService) {
  Ticket a = incident("网银登录超时", web01_, bank_);
  Ticket b = incident("网银登录很慢", db01_, bank_);
  NewProblem p = problem("网上银行登录反复超时", {a.number, "inc-000002"});
  p.text.symptoms = "高峰期登录超时";
  Ticket t = must(problems_->create(as(agent_), agent(), p));
  EXPECT_EQ(t.number, "PRB-000001");
  EXPECT_EQ(t.kind, "problem");
  EXPECT_EQ(t.status, "new");
  EXPECT_EQ(t.ci_id, web01_) << "the first of the incidents' CIs";
  EXPECT_EQ(t.service_id, bank_) << "the incidents' service";
  ProblemView view = must(problems_->view(agent(), t));
  EXPECT_EQ(view.text.symptoms, "高峰期登录超时");
  EXPECT_EQ(ids_of(view.cis), (std::vector<std::int64_t>{web01_, db01_}));
  ASSERT_EQ(view.incidents.size(), 2u);
  EXPECT_EQ(view.incidents[0].number, a.number);
  EXPECT_EQ(view.incidents[1].number, b.number);
  EXPECT_FALSE(view.incidents[0].via_known_error);
  EXPECT_EQ(count("problem_incidents", "problem_id = ?", {t.id}), 2);
  // Both sides of each link are in the timelines; the incident's version moved.
  std::vector<std::string> on_incident = actions(a.number);
  EXPECT_NE(std::find(on_incident.begin(), on_incident.end(), "ticket.link"), on_incident.end());
  EXPECT_EQ(reload(a.number).version, a.version + 1);
  std::vector<std::string> on_problem = actions(t.number);
  EXPECT_EQ(std::count(on_problem.begin(), on_problem.end(), "ticket.link"), 2);
  EXPECT_NE(std::find(on_problem.begin(), on_problem.end(), "problem.update"), on_problem.end());
}

TEST_P(ProblemServiceTest, RefusesBadInputNamingTheFieldAndStoresNothing) {
  Ticket a = incident("邮件发不出去", std::nullopt, mail_);
  tickets::NewTicket req;
  req.kind = "request";
  req.title = "申请一台笔记本";
  Ticket r = must(tickets_->create(as(agent_), agent(), req));
  tickets::NewTicket sec;
  sec.title = "可疑登录";
  sec.category_id = security_category_;
  Ticket hidden =
      must(tickets_->create(as(requester_), Viewer{requester_, false, false, false}, sec));

  EXPECT_TRUE(failed_with(
      problems_->create(as(requester_), Viewer{requester_, false, false, false}, problem("x")),
      ErrorCode::kForbidden));
  EXPECT_TRUE(failed_with(problems_->create(as(agent_), agent(), problem("")),
                          ErrorCode::kInvalidArgument, "title"));
  EXPECT_TRUE(
      failed_with(problems_->create(as(agent_), agent(), problem("p", {a.number, "INC-000999"})),
                  ErrorCode::kInvalidArgument, "incident_numbers[1]"));
  EXPECT_TRUE(failed_with(problems_->create(as(agent_), agent(), problem("p", {"foo"})),
                          ErrorCode::kInvalidArgument, "incident_numbers[0]"));
  EXPECT_TRUE(failed_with(problems_->create(as(agent_), agent(), problem("p", {r.number})),
                          ErrorCode::kInvalidArgument, "incident_numbers[0]"));
  EXPECT_TRUE(
      failed_with(problems_->create(as(agent_), agent(), problem("p", {a.number, a.number})),
                  ErrorCode::kInvalidArgument, "incident_numbers[1]"));
  EXPECT_TRUE(failed_with(problems_->create(as(agent_), agent(), problem("p", {hidden.number})),
                          ErrorCode::kInvalidArgument, "incident_numbers[0]"))
      << "a security incident the agent may not see is as good as missing";
  NewProblem bad_ci = problem("p");
  bad_ci.ci_ids = std::vector<std::int64_t>{web01_, 999999};
  EXPECT_TRUE(failed_with(problems_->create(as(agent_), agent(), bad_ci),
                          ErrorCode::kInvalidArgument, "ci_ids[1]"));
  NewProblem long_text = problem("p");
  long_text.text.root_cause = std::string(20001, 'x');
  EXPECT_TRUE(failed_with(problems_->create(as(agent_), agent(), long_text),
                          ErrorCode::kInvalidArgument, "root_cause"));
  EXPECT_EQ(count("tickets", "kind = 'problem'"), 0);
  EXPECT_EQ(count("problem_incidents"), 0);

  Ticket first = must(problems_->create(as(agent_), agent(), problem("邮件故障", {a.number})));
  auto again = problems_->create(as(agent_), agent(), problem("邮件故障 2", {a.number}));
  EXPECT_TRUE(failed_with(again, ErrorCode::kConflict, "incident_numbers[0]"));
  ASSERT_FALSE(again.ok());
  EXPECT_NE(again.error().message.find(first.number), std::string::npos)
      << "the conflict names the other problem";
  EXPECT_EQ(count("tickets", "kind = 'problem'"), 1);
}

TEST_P(ProblemServiceTest, UpdatesTheAnalysisUnderTheTicketVersionWithATimelineEvent) {
  Ticket t = must(problems_->create(as(agent_), agent(), problem("数据库连接池耗尽")));
  ProblemPatch p;
  p.version = t.version;
  p.root_cause = "连接泄漏：批处理未关闭连接";
  p.ci_ids = std::vector<std::int64_t>{db01_};
  Ticket u = must(problems_->update(as(agent_), agent(), t.number, p));
  EXPECT_EQ(u.version, t.version + 1);
  EXPECT_EQ(u.ci_id, db01_);
  EXPECT_EQ(must(problems_->view(agent(), u)).text.root_cause, "连接泄漏：批处理未关闭连接");
  // The ticket's own optimistic locking sees the change.
  tickets::TicketPatch stale;
  stale.version = t.version;
  stale.title = "x";
  EXPECT_TRUE(failed_with(tickets_->update(as(agent_), agent(), t.number, stale),
                          ErrorCode::kConflict, "version"));
  EXPECT_TRUE(failed_with(problems_->update(as(agent_), agent(), t.number, p), ErrorCode::kConflict,
                          "version"));
  // The timeline shows the field change.
  bool seen = false;
  for (const tickets::TimelineEntry& e : must(tickets_->timeline(agent(), t.number))) {
    if (e.action != "problem.update") continue;
    for (const tickets::FieldChange& c : e.changes) seen = seen || c.field == "root_cause";
  }
  EXPECT_TRUE(seen);
  // Bad input and the wrong kind.
  p.version = u.version;
  p.ci_ids = std::vector<std::int64_t>{db01_, db01_};
  EXPECT_TRUE(failed_with(problems_->update(as(agent_), agent(), t.number, p),
                          ErrorCode::kInvalidArgument, "ci_ids[1]"));
  Ticket inc = incident("打印机卡纸");
  ProblemPatch on_incident;
  on_incident.version = inc.version;
  on_incident.symptoms = "x";
  EXPECT_TRUE(failed_with(problems_->update(as(agent_), agent(), inc.number, on_incident),
                          ErrorCode::kNotFound));
  EXPECT_TRUE(failed_with(problems_->update(as(requester_), Viewer{requester_, false, false, false},
                                            t.number, on_incident),
                          ErrorCode::kForbidden));
}

TEST_P(ProblemServiceTest, TheWorkflowNeedsTheProblemsOwnFields) {
  Ticket t = must(problems_->create(as(agent_), agent(), problem("VPN 频繁断线")));
  tickets::TransitionRequest assess = to("assessed");
  assess.assignee_team_id = team_;
  move(t.number, assess);
  move(t.number, to("root_cause_analysis"));
  EXPECT_TRUE(
      failed_with(tickets_->transition(as(agent_), agent(), t.number, to("fix_in_progress")),
                  ErrorCode::kInvalidArgument, "root_cause"));
  ProblemPatch p;
  p.version = reload(t.number).version;
  p.root_cause = "   ";
  must(problems_->update(as(agent_), agent(), t.number, p));
  EXPECT_TRUE(
      failed_with(tickets_->transition(as(agent_), agent(), t.number, to("fix_in_progress")),
                  ErrorCode::kInvalidArgument, "root_cause"))
      << "a blank root cause is none";
  p.version = reload(t.number).version;
  p.root_cause = "VPN 网关固件缺陷";
  must(problems_->update(as(agent_), agent(), t.number, p));
  move(t.number, to("fix_in_progress"));
  tickets::TransitionRequest resolve = to("resolved");
  resolve.resolution_code = "fixed";
  resolve.resolution_notes = "升级固件";
  EXPECT_TRUE(failed_with(tickets_->transition(as(agent_), agent(), t.number, resolve),
                          ErrorCode::kInvalidArgument, "permanent_fix"));
  tickets::TransitionRequest back = to("root_cause_analysis");
  back.resolve_incidents = true;
  EXPECT_TRUE(failed_with(tickets_->transition(as(agent_), agent(), t.number, back),
                          ErrorCode::kInvalidArgument, "resolve_incidents"));
  p.version = reload(t.number).version;
  p.root_cause.reset();
  p.permanent_fix = "升级 VPN 网关固件到 9.1";
  must(problems_->update(as(agent_), agent(), t.number, p));
  EXPECT_EQ(move(t.number, resolve).status, "resolved");
  move(t.number, to("closed"));
  p.version = reload(t.number).version;
  EXPECT_TRUE(failed_with(problems_->update(as(agent_), agent(), t.number, p), ErrorCode::kConflict,
                          "status"));
}

TEST_P(ProblemServiceTest, PublishingAKnownErrorNeedsAWorkaroundAndIndexesIt) {
  Ticket t = must(problems_->create(as(agent_), agent(), problem("网银登录超时")));
  EXPECT_TRUE(
      failed_with(problems_->set_known_error(as(agent_), agent(), t.number, true, std::nullopt),
                  ErrorCode::kInvalidArgument, "workaround"));
  ProblemPatch p;
  p.version = t.version;
  p.workaround = "重启 sh-web-01 上的会话服务";
  p.ci_ids = std::vector<std::int64_t>{web01_};
  t = must(problems_->update(as(agent_), agent(), t.number, p));
  EXPECT_TRUE(
      failed_with(problems_->set_known_error(as(agent_), agent(), t.number, true, t.version - 1),
                  ErrorCode::kConflict, "version"));
  Ticket published =
      must(problems_->set_known_error(as(agent_), agent(), t.number, true, t.version));
  EXPECT_EQ(published.version, t.version + 1);
  ProblemView view = must(problems_->view(agent(), published));
  EXPECT_TRUE(view.known_error_at.has_value());
  EXPECT_EQ(view.known_error_by, agent_);

  KnownErrorQuery q;
  q.q = "会话服务";
  EXPECT_EQ(numbers(must(problems_->known_errors(agent(), q))), std::vector<std::string>{t.number});
  q.q = "网银";
  EXPECT_EQ(numbers(must(problems_->known_errors(agent(), q))), std::vector<std::string>{t.number});
  q.q = "打印机";
  EXPECT_TRUE(must(problems_->known_errors(agent(), q)).empty());
  KnownErrorQuery by_ci;
  by_ci.ci_id = web01_;
  EXPECT_EQ(must(problems_->known_errors(agent(), by_ci)).size(), 1u);
  by_ci.ci_id = db01_;
  EXPECT_TRUE(must(problems_->known_errors(agent(), by_ci)).empty());

  // Changing the workaround re-indexes it; blanking it is refused while published.
  p.version = published.version;
  p.ci_ids.reset();
  p.workaround = "清理负载均衡器的会话表";
  Ticket u = must(problems_->update(as(agent_), agent(), t.number, p));
  q.q = "负载均衡";
  EXPECT_EQ(must(problems_->known_errors(agent(), q)).size(), 1u);
  q.q = "重启";
  EXPECT_TRUE(must(problems_->known_errors(agent(), q)).empty());
  p.version = u.version;
  p.workaround = " ";
  EXPECT_TRUE(failed_with(problems_->update(as(agent_), agent(), t.number, p),
                          ErrorCode::kInvalidArgument, "workaround"));

  // Withdrawn: no longer listed nor found.
  must(problems_->set_known_error(as(agent_), agent(), t.number, false, std::nullopt));
  q.q = "负载均衡";
  EXPECT_TRUE(must(problems_->known_errors(agent(), q)).empty());
  EXPECT_TRUE(must(problems_->known_errors(agent(), KnownErrorQuery{})).empty());
  std::vector<std::string> acts = actions(t.number);
  EXPECT_EQ(std::count(acts.begin(), acts.end(), "problem.known_error"), 2);
}

TEST_P(ProblemServiceTest, RenamingAPublishedKnownErrorReindexesItsTitle) {
  Ticket ke = known_error("网银登录超时", "清理负载均衡器的会话表");
  Ticket draft = must(problems_->create(as(agent_), agent(), problem("邮件投递延迟")));
  KnownErrorQuery q;
  q.q = "网银";
  ASSERT_EQ(numbers(must(problems_->known_errors(agent(), q))),
            std::vector<std::string>{ke.number});

  // The title changes through the ticket's own PATCH, not the problem's.
  tickets::TicketPatch rename;
  rename.version = ke.version;
  rename.title = "证书过期导致登录失败";
  Ticket renamed = must(tickets_->update(as(agent_), agent(), ke.number, rename));
  q.q = "证书过期";
  std::vector<KnownError> found = must(problems_->known_errors(agent(), q));
  ASSERT_EQ(numbers(found), std::vector<std::string>{ke.number});
  EXPECT_EQ(found[0].title, "证书过期导致登录失败");
  q.q = "网银";
  EXPECT_TRUE(must(problems_->known_errors(agent(), q)).empty());
  q.q = "负载均衡";  // the body is indexed as before
  EXPECT_EQ(must(problems_->known_errors(agent(), q)).size(), 1u);

  // A change that keeps the title leaves the index alone; so does renaming an unpublished
  // problem (it is not indexed at all).
  tickets::TicketPatch describe;
  describe.version = renamed.version;
  describe.description = "只影响部分用户";
  must(tickets_->update(as(agent_), agent(), ke.number, describe));
  q.q = "证书过期";
  EXPECT_EQ(must(problems_->known_errors(agent(), q)).size(), 1u);
  tickets::TicketPatch draft_rename;
  draft_rename.version = draft.version;
  draft_rename.title = "证书过期 邮件投递延迟";
  must(tickets_->update(as(agent_), agent(), draft.number, draft_rename));
  EXPECT_EQ(numbers(must(problems_->known_errors(agent(), q))),
            std::vector<std::string>{ke.number});

  // Withdrawn and renamed again: it stays out of the index.
  must(problems_->set_known_error(as(agent_), agent(), ke.number, false, std::nullopt));
  tickets::TicketPatch again;
  again.version = reload(ke.number).version;
  again.title = "证书过期（已撤回）";
  must(tickets_->update(as(agent_), agent(), ke.number, again));
  EXPECT_TRUE(must(problems_->known_errors(agent(), q)).empty());
}

TEST_P(ProblemServiceTest, SuggestsKnownErrorsBySameCiServiceAndSimilarText) {
  Ticket by_ci = known_error("sh-web-01 内存泄漏", "每日凌晨重启应用", {web01_});
  Ticket by_service = known_error("证书过期告警", "手工续签证书", {}, bank_);
  Ticket by_text = known_error("网银登录超时", "切换到备用认证节点", {db01_}, std::nullopt,
                               "用户登录等待超过 30 秒");
  Ticket unrelated = known_error("打印机卡纸", "清理进纸器", {}, mail_);

  Ticket inc = incident("网上银行登录超时", web01_, bank_);
  auto items = must(problems_->suggestions(agent(), inc.number));
  std::map<std::string, std::vector<std::string>> reasons;
  for (const KnownErrorSuggestion& s : items) reasons[s.known_error.number] = s.reasons;
  EXPECT_EQ(reasons[by_ci.number], (std::vector<std::string>{"same_ci"}));
  EXPECT_EQ(reasons[by_service.number], (std::vector<std::string>{"same_service"}));
  EXPECT_EQ(reasons[by_text.number], (std::vector<std::string>{"similar_text"}));
  EXPECT_EQ(reasons.count(unrelated.number), 0u);
  ASSERT_FALSE(items.empty());
  EXPECT_EQ(items[0].known_error.number, by_ci.number) << "the same CI ranks first";
  EXPECT_EQ(items.size(), 3u);

  // Text alone: an incident with neither CI nor service.
  Ticket plain = incident("网银登录超时，无法转账");
  items = must(problems_->suggestions(agent(), plain.number));
  ASSERT_EQ(items.size(), 1u);
  EXPECT_EQ(items[0].known_error.number, by_text.number);
  EXPECT_EQ(items[0].known_error.text.workaround, "切换到备用认证节点");
  // A single shared word is not similar enough.
  Ticket weak = incident("登录页面样式错乱，按钮颜色不对");
  EXPECT_TRUE(must(problems_->suggestions(agent(), weak.number)).empty());

  EXPECT_TRUE(failed_with(problems_->suggestions(agent(), by_ci.number), ErrorCode::kNotFound));
  EXPECT_TRUE(failed_with(problems_->suggestions(agent(), "INC-999999"), ErrorCode::kNotFound));
}

TEST_P(ProblemServiceTest, ApplyingAKnownErrorLinksTheIncidentWithAnInternalNote) {
  Ticket ke = known_error("网银登录超时", "切换到备用认证节点", {web01_});
  Ticket draft = must(problems_->create(as(agent_), agent(), problem("未发布")));
  Ticket inc = incident("网银又登录不上", web01_);

  EXPECT_TRUE(
      failed_with(problems_->apply_known_error(as(agent_), agent(), inc.number, draft.number),
                  ErrorCode::kConflict, "known_error"));
  ApplyResult a = must(problems_->apply_known_error(as(agent_), agent(), inc.number, ke.number));
  EXPECT_EQ(a.problem_number, ke.number);
  EXPECT_GT(a.incident.version, inc.version);
  ProblemView view = must(problems_->view(agent(), reload(ke.number)));
  ASSERT_EQ(view.incidents.size(), 1u);
  EXPECT_EQ(view.incidents[0].number, inc.number);
  EXPECT_TRUE(view.incidents[0].via_known_error);
  std::vector<tickets::Comment> comments = must(tickets_->comments(agent(), inc.number));
  ASSERT_EQ(comments.size(), 1u);
  EXPECT_FALSE(comments[0].is_public);
  EXPECT_NE(comments[0].body.find("切换到备用认证节点"), std::string::npos);
  EXPECT_NE(comments[0].body.find(ke.number), std::string::npos);
  // The suggestion now says it is linked; applying again is a conflict.
  auto items = must(problems_->suggestions(agent(), inc.number));
  ASSERT_EQ(items.size(), 1u);
  EXPECT_TRUE(items[0].linked);
  EXPECT_TRUE(failed_with(problems_->apply_known_error(as(agent_), agent(), inc.number, ke.number),
                          ErrorCode::kConflict, "incident"));
  EXPECT_TRUE(failed_with(
      problems_->apply_known_error(as(requester_), Viewer{requester_, false, false, false},
                                   inc.number, ke.number),
      ErrorCode::kForbidden));
  EXPECT_TRUE(failed_with(problems_->apply_known_error(as(agent_), agent(), ke.number, ke.number),
                          ErrorCode::kNotFound));
  std::vector<std::string> acts = actions(inc.number);
  EXPECT_NE(std::find(acts.begin(), acts.end(), "ticket.comment"), acts.end());
  EXPECT_NE(std::find(acts.begin(), acts.end(), "ticket.link"), acts.end());

  // Unlinking takes it off both sides.
  must(problems_->unlink_incident(as(agent_), agent(), ke.number, inc.number));
  EXPECT_TRUE(must(problems_->view(agent(), reload(ke.number))).incidents.empty());
  EXPECT_TRUE(failed_with(problems_->unlink_incident(as(agent_), agent(), ke.number, inc.number),
                          ErrorCode::kNotFound));
}

TEST_P(ProblemServiceTest, ResolvingTheProblemResolvesItsOpenIncidentsWithANote) {
  Ticket fresh = incident("核心交换机端口抖动 1");
  Ticket assigned = incident("核心交换机端口抖动 2");
  tickets::TransitionRequest assign = to("assigned");
  assign.assignee_team_id = team_;
  move(assigned.number, assign);
  Ticket pending = incident("核心交换机端口抖动 3");
  move(pending.number, assign);
  move(pending.number, to("in_progress"));
  tickets::TransitionRequest wait = to("pending");
  wait.pending_reason = "awaiting_problem";
  move(pending.number, wait);
  Ticket done = incident("核心交换机端口抖动 4");
  tickets::TransitionRequest fix = to("resolved");
  fix.resolution_code = "workaround";
  fix.resolution_notes = "重启端口";
  Ticket done_resolved = move(done.number, fix);
  Ticket later = incident("核心交换机端口抖动 5");

  Ticket t = must(problems_->create(
      as(agent_), agent(),
      problem("核心交换机端口抖动", {fresh.number, assigned.number, pending.number, done.number})));
  must(problems_->link_incidents(as(agent_), agent(), t.number, {later.number}));
  tickets::TransitionRequest assess = to("assessed");
  assess.assignee_team_id = team_;
  move(t.number, assess);
  move(t.number, to("root_cause_analysis"));
  tickets::TransitionRequest resolve = to("resolved");
  resolve.resolution_code = "fixed";
  resolve.resolution_notes = "光模块老化，已更换";
  resolve.resolve_incidents = true;
  clock_.advance(std::chrono::minutes(5));
  EXPECT_EQ(move(t.number, resolve).status, "resolved");

  for (const Ticket& i : {fresh, assigned, pending, later}) {
    Ticket now = reload(i.number);
    EXPECT_EQ(now.status, "resolved") << i.number;
    EXPECT_EQ(now.resolution_code, "fixed") << i.number;
    EXPECT_EQ(now.resolution_notes, "Resolved by problem " + t.number + ": 光模块老化，已更换")
        << i.number;
  }
  Ticket untouched = reload(done.number);
  EXPECT_EQ(untouched.resolution_code, "workaround");
  EXPECT_EQ(untouched.resolved_at, done_resolved.resolved_at);
  // Each incident's move is the system's (no actor) in its own timeline.
  bool system_move = false;
  for (const tickets::TimelineEntry& e : must(tickets_->timeline(agent(), fresh.number))) {
    if (e.action == "ticket.transition" && !e.actor_id) system_move = true;
  }
  EXPECT_TRUE(system_move);
}

TEST_P(ProblemServiceTest, ResolvingWithoutTheFlagLeavesTheIncidentsAlone) {
  Ticket inc = incident("ERP 报表导出失败");
  Ticket t =
      must(problems_->create(as(agent_), agent(), problem("ERP 报表导出失败", {inc.number})));
  tickets::TransitionRequest assess = to("assessed");
  assess.assignee_team_id = team_;
  move(t.number, assess);
  move(t.number, to("root_cause_analysis"));
  tickets::TransitionRequest resolve = to("resolved");
  resolve.resolution_code = "fixed";
  resolve.resolution_notes = "补丁";
  move(t.number, resolve);
  EXPECT_EQ(reload(inc.number).status, "new");
}

TEST_P(ProblemServiceTest, CancellingAProblemWithdrawsItsKnownError) {
  Ticket ke = known_error("重复的问题", "同 PRB-1");
  tickets::TransitionRequest cancel = to("cancelled");
  cancel.cancel_reason = "duplicate";
  move(ke.number, cancel);
  EXPECT_TRUE(must(problems_->known_errors(agent(), KnownErrorQuery{})).empty());
  EXPECT_FALSE(must(problems_->view(agent(), reload(ke.number))).known_error_at.has_value());
  EXPECT_TRUE(
      failed_with(problems_->set_known_error(as(agent_), agent(), ke.number, true, std::nullopt),
                  ErrorCode::kConflict, "status"));
}

TEST_P(ProblemServiceTest, CandidatesGroupRecurringUnlinkedIncidentsInTheWindow) {
  // Two on web01 eleven days ago; then two more on web01, three on db01 (one linked to a
  // problem), one on mail.
  incident("web01 告警 1", web01_);
  incident("web01 告警 2", web01_);
  clock_.advance(std::chrono::hours(24 * 11));
  incident("web01 告警 3", web01_);
  incident("web01 告警 4", web01_);
  Ticket d1 = incident("db01 慢查询 1", db01_);
  incident("db01 慢查询 2", db01_);
  incident("db01 慢查询 3", db01_);
  incident("mail 退信", mail_);
  must(problems_->create(as(agent_), agent(), problem("db01 慢查询", {d1.number})));

  CandidateQuery q;
  q.window_days = 7;
  q.min_incidents = 2;
  CandidateReport r = must(problems_->candidates(agent(), q));
  EXPECT_EQ(r.window_days, 7);
  ASSERT_EQ(r.groups.size(), 2u);
  for (const CandidateGroup& g : r.groups) {
    EXPECT_EQ(g.count, 2) << g.name;
    EXPECT_EQ(g.incidents.size(), 2u) << g.name;
  }
  q.min_incidents = 3;
  EXPECT_TRUE(must(problems_->candidates(agent(), q)).groups.empty());

  // The defaults (30 days, 3 incidents): web01 with all four, newest first.
  r = must(problems_->candidates(agent(), CandidateQuery{}));
  EXPECT_EQ(r.window_days, 30);
  EXPECT_EQ(r.min_incidents, 3);
  ASSERT_EQ(r.groups.size(), 1u);
  EXPECT_EQ(r.groups[0].id, web01_);
  EXPECT_EQ(r.groups[0].name, "sh-web-01");
  EXPECT_EQ(r.groups[0].type, "server");
  EXPECT_EQ(r.groups[0].count, 4);
  ASSERT_EQ(r.groups[0].incidents.size(), 4u);
  EXPECT_EQ(r.groups[0].incidents[0].title, "web01 告警 4");
  EXPECT_LT(r.groups[0].first_at, r.groups[0].last_at);

  q = CandidateQuery{};
  q.group_by = "category";
  EXPECT_TRUE(must(problems_->candidates(agent(), q)).groups.empty()) << "no categories set";
  q.group_by = "team";
  EXPECT_TRUE(
      failed_with(problems_->candidates(agent(), q), ErrorCode::kInvalidArgument, "group_by"));
  q.group_by = "ci";
  q.window_days = 0;
  EXPECT_TRUE(
      failed_with(problems_->candidates(agent(), q), ErrorCode::kInvalidArgument, "window_days"));
  q.window_days.reset();
  q.min_incidents = 1;
  EXPECT_TRUE(
      failed_with(problems_->candidates(agent(), q), ErrorCode::kInvalidArgument, "min_incidents"));
  EXPECT_TRUE(
      failed_with(problems_->candidates(Viewer{requester_, false, false, false}, CandidateQuery{}),
                  ErrorCode::kForbidden));
}

INSTANTIATE_TEST_SUITE_P(Backends, ProblemServiceTest, testing::kAllBackends,
                         testing::backend_test_name);

}  // namespace
}  // namespace yunwei::change
