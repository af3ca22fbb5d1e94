#include "change/risk.h"

#include <algorithm>
#include <nlohmann/json.hpp>
#include <set>
#include <utility>

#include "cmdb/schema.h"
#include "core/text.h"

namespace yunwei::change {

using nlohmann::json;

namespace {

constexpr std::string_view kLevelNames[] = {"low", "medium", "high"};
constexpr std::string_view kTypeNames[] = {"standard", "normal", "emergency"};
constexpr std::size_t kMaxQuestions = 30;
constexpr std::size_t kMinOptions = 2, kMaxOptions = 10;
constexpr int kMaxOptionScore = 100;

std::string at(const std::string& base, std::size_t i) {
  return base + "[" + std::to_string(i) + "]";
}

core::Status only_fields(const json& obj, const std::set<std::string>& known,
                         const std::string& field, const char* what) {
  for (auto it = obj.begin(); it != obj.end(); ++it) {
    if (!known.count(it.key())) {
      return core::invalid(field.empty() ? it.key() : field + "." + it.key(),
                           std::string("is not a field of ") + what);
    }
  }
  return {};
}

core::Result<std::string> text_field(const json& obj, const char* name, const std::string& field,
                                     std::size_t max_chars, bool required) {
  const std::string f = field + "." + name;
  auto it = obj.find(name);
  if (it == obj.end() || it->is_null()) {
    if (required) return core::invalid(f, "is required");
    return std::string();
  }
  if (!it->is_string()) return core::invalid(f, "must be a string");
  std::string v = core::trim(it->get<std::string>());
  if (required && v.empty()) return core::invalid(f, "must not be empty");
  YW_TRY(core::check_text(v, f, max_chars, false, core::Controls::kNone));
  return v;
}

core::Result<int> int_field(const json& obj, const char* name, const std::string& field, int min,
                            int max) {
  const std::string f = field + "." + name;
  auto it = obj.find(name);
  if (it == obj.end() || it->is_null()) return core::invalid(f, "is required");
  if (!it->is_number_integer()) return core::invalid(f, "must be a whole number");
  auto v = it->get<std::int64_t>();
  if (v < min || v > max) {
    return core::invalid(f, "must be from " + std::to_string(min) + " to " + std::to_string(max));
  }
  return static_cast<int>(v);
}

core::Result<RiskOption> parse_option(const json& o, const std::string& f) {
  if (!o.is_object()) return core::invalid(f, R"(must be {"value", "label", "label_zh", "score"})");
  YW_TRY(only_fields(o, {"value", "label", "label_zh", "score"}, f, "an option"));
  RiskOption opt;
  YW_ASSIGN(opt.value, text_field(o, "value", f, 40, true));
  if (!cmdb::valid_key(opt.value)) {
    return core::invalid(f + ".value", "must be a-z, 0-9 and _, starting with a letter, ≤ 40");
  }
  YW_ASSIGN(opt.label, text_field(o, "label", f, 200, false));
  YW_ASSIGN(opt.label_zh, text_field(o, "label_zh", f, 200, false));
  if (opt.label.empty()) opt.label = opt.value;
  YW_ASSIGN(opt.score, int_field(o, "score", f, 0, kMaxOptionScore));
  return opt;
}

core::Result<RiskQuestion> parse_question(const json& q, const std::string& f) {
  if (!q.is_object()) return core::invalid(f, "must be an object");
  YW_TRY(only_fields(q, {"key", "text", "text_zh", "options"}, f, "a question"));
  RiskQuestion out;
  YW_ASSIGN(out.key, text_field(q, "key", f, 40, true));
  if (!cmdb::valid_key(out.key)) {
    return core::invalid(f + ".key", "must be a-z, 0-9 and _, starting with a letter, ≤ 40");
  }
  YW_ASSIGN(out.text, text_field(q, "text", f, 300, true));
  YW_ASSIGN(out.text_zh, text_field(q, "text_zh", f, 300, false));
  auto opts = q.find("options");
  if (opts == q.end() || !opts->is_array() || opts->size() < kMinOptions ||
      opts->size() > kMaxOptions) {
    return core::invalid(f + ".options", "must be a list of 2 to 10 options");
  }
  std::set<std::string> values;
  for (std::size_t i = 0; i < opts->size(); ++i) {
    const std::string of = at(f + ".options", i);
    YW_ASSIGN(RiskOption o, parse_option((*opts)[i], of));
    if (!values.insert(o.value).second) return core::invalid(of + ".value", "is used twice");
    out.options.push_back(std::move(o));
  }
  return out;
}

int highest_total(const Questionnaire& q) {
  int total = 0;
  for (const RiskQuestion& question : q.questions) {
    int best = 0;
    for (const RiskOption& o : question.options) best = std::max(best, o.score);
    total += best;
  }
  return total;
}

RiskOption opt(const char* value, const char* label, const char* label_zh, int score) {
  return RiskOption{value, label, label_zh, score};
}

Questionnaire make_default() {
  Questionnaire q;
  q.questions = {
      {"impact_scope",
       "Which services and users does the change affect?",
       "影响范围：变更影响哪些业务系统和用户？",
       {opt("single_system", "One non-critical system, few users", "单个非核心系统，少量用户", 0),
        opt("department", "Several systems or one department", "多个系统或一个部门", 10),
        opt("core_service", "A core business service or the whole company", "核心业务系统或全公司",
            25),
        opt("external", "Customer-facing or regulator-visible services",
            "面向客户或监管可见的对外服务", 30)}},
      {"backout",
       "Can the change be backed out, and has the backout been tested?",
       "是否可回退：是否有回退方案，回退方案是否经过验证？",
       {opt("tested", "Backout plan tested", "有回退方案且已验证", 0),
        opt("untested", "Backout plan, not tested", "有回退方案但未验证", 10),
        opt("impossible", "Cannot be backed out", "无法回退", 25)}},
      {"maintenance_window",
       "Will the change run inside the maintenance window of the services affected?",
       "是否在维护窗口内实施？",
       {opt("inside", "Inside the maintenance window", "在维护窗口内", 0),
        opt("outside", "Outside the maintenance window", "在维护窗口外", 15)}},
      {"complexity",
       "How complex is the implementation?",
       "实施复杂度如何？",
       {opt("simple", "Simple: few steps, one team", "简单：步骤少，单一团队", 0),
        opt("moderate", "Moderate: several steps or two teams", "中等：步骤较多或两个团队", 8),
        opt("complex", "Complex: many steps, several teams or vendors", "复杂：多团队或厂商协同",
            15)}},
      {"experience",
       "Has a similar change been carried out successfully before?",
       "是否有类似变更的成功经验？",
       {opt("often", "Yes, several times", "有，多次成功", 0),
        opt("once", "Once, or long ago", "有过一次或时间较久", 5),
        opt("never", "Never", "没有", 12)}},
      {"critical_components",
       "Does the change touch a production database or the core network?",
       "是否涉及生产数据库或核心网络？",
       {opt("none", "Neither", "均不涉及", 0),
        opt("production_database", "A production database", "涉及生产数据库", 15),
        opt("core_network", "The core network", "涉及核心网络", 15),
        opt("both", "Both", "两者都涉及", 20)}},
  };
  // Highest total 117. A routine change on a department system scores ~10 (low); touching a
  // core service, an untested backout or a production database alone reaches medium; two or
  // three such factors together reach high.
  q.medium_from = 25;
  q.high_from = 55;
  return q;
}

struct PathRow {
  ChangeType type;
  RiskLevel level;
  std::vector<ApprovalStepSpec> steps;
  bool retrospective_review;
};

const std::vector<PathRow>& path_table() {
  static const ApprovalStepSpec lead{"Team lead approval", "团队负责人审批",
                                     ApproverGroup::kTeamLead, ApprovalRule::kAny};
  static const ApprovalStepSpec cab_majority{"CAB approval", "变更咨询委员会（CAB）审批",
                                             ApproverGroup::kCab, ApprovalRule::kMajority};
  static const ApprovalStepSpec cab_all{"CAB approval", "变更咨询委员会（CAB）审批",
                                        ApproverGroup::kCab, ApprovalRule::kAll};
  static const ApprovalStepSpec ecab{"Emergency CAB approval", "紧急变更委员会（ECAB）审批",
                                     ApproverGroup::kEcab, ApprovalRule::kAny};
  using enum ChangeType;
  using enum RiskLevel;
  static const std::vector<PathRow> table = {
      {kStandard, kLow, {}, false},
      {kStandard, kMedium, {}, false},
      {kStandard, kHigh, {}, false},
      {kNormal, kLow, {lead}, false},
      {kNormal, kMedium, {lead, cab_majority}, false},
      {kNormal, kHigh, {lead, cab_all}, false},
      {kEmergency, kLow, {ecab}, true},
      {kEmergency, kMedium, {ecab}, true},
      {kEmergency, kHigh, {ecab}, true},
  };
  return table;
}

}  // namespace

core::Result<Questionnaire> parse_questionnaire(std::string_view json_text) {
  json doc = json::parse(json_text, nullptr, false);
  if (!doc.is_object()) {
    return core::invalid("questionnaire", R"(must be an object {"questions", "thresholds"})");
  }
  YW_TRY(only_fields(doc, {"questions", "thresholds"}, "", "a questionnaire"));
  Questionnaire q;
  auto qs = doc.find("questions");
  if (qs == doc.end() || !qs->is_array() || qs->empty() || qs->size() > kMaxQuestions) {
    return core::invalid("questions", "must be a list of 1 to 30 questions");
  }
  std::set<std::string> keys;
  for (std::size_t i = 0; i < qs->size(); ++i) {
    const std::string f = at("questions", i);
    YW_ASSIGN(RiskQuestion question, parse_question((*qs)[i], f));
    if (!keys.insert(question.key).second) return core::invalid(f + ".key", "is used twice");
    q.questions.push_back(std::move(question));
  }
  auto th = doc.find("thresholds");
  if (th == doc.end() || !th->is_object()) {
    return core::invalid("thresholds", R"(must be {"medium_from", "high_from"})");
  }
  YW_TRY(only_fields(*th, {"medium_from", "high_from"}, "thresholds", "the thresholds"));
  const int highest = highest_total(q);
  YW_ASSIGN(q.medium_from, int_field(*th, "medium_from", "thresholds", 1, highest));
  YW_ASSIGN(q.high_from, int_field(*th, "high_from", "thresholds", 1, highest));
  if (q.high_from <= q.medium_from) {
    return core::invalid("thresholds.high_from", "must be above medium_from");
  }
  return q;
}

std::string questionnaire_json(const Questionnaire& q) {
  using ojson = nlohmann::ordered_json;
  ojson questions = ojson::array();
  for (const RiskQuestion& question : q.questions) {
    ojson options = ojson::array();
    for (const RiskOption& o : question.options) {
      ojson jo = ojson::object();
      jo["value"] = o.value;
      jo["label"] = o.label;
      jo["label_zh"] = o.label_zh;
      jo["score"] = o.score;
      options.push_back(std::move(jo));
    }
    ojson jq = ojson::object();
    jq["key"] = question.key;
    jq["text"] = question.text;
    jq["text_zh"] = question.text_zh;
    jq["options"] = std::move(options);
    questions.push_back(std::move(jq));
  }
  ojson out = ojson::object();
  out["questions"] = std::move(questions);
  out["thresholds"]["medium_from"] = q.medium_from;
  out["thresholds"]["high_from"] = q.high_from;
  return out.dump();
}

const Questionnaire& default_questionnaire() {
  static const Questionnaire q = make_default();
  return q;
}

std::string_view risk_level_name(RiskLevel l) { return kLevelNames[static_cast<int>(l)]; }

std::optional<RiskLevel> parse_risk_level(std::string_view name) {
  for (std::size_t i = 0; i < std::size(kLevelNames); ++i) {
    if (kLevelNames[i] == name) return static_cast<RiskLevel>(i);
  }
  return std::nullopt;
}

RiskLevel risk_level(const Questionnaire& q, int score) {
  if (score >= q.high_from) return RiskLevel::kHigh;
  if (score >= q.medium_from) return RiskLevel::kMedium;
  return RiskLevel::kLow;
}

core::Result<RiskAssessment> assess(const Questionnaire& q,
                                    const std::map<std::string, std::string>& answers) {
  std::map<std::string_view, const RiskQuestion*> by_key;
  for (const RiskQuestion& question : q.questions) by_key[question.key] = &question;
  for (const auto& [key, value] : answers) {
    if (!by_key.count(key)) return core::invalid("answers." + key, "is not a question");
  }
  // Values first (in answer order), then what is unanswered (in questionnaire order).
  std::map<std::string_view, const RiskOption*> chosen;
  for (const auto& [key, value] : answers) {
    const RiskQuestion& question = *by_key.at(key);
    std::string allowed;
    for (const RiskOption& o : question.options) {
      if (o.value == value) chosen[question.key] = &o;
      allowed += (allowed.empty() ? "" : ", ") + o.value;
    }
    if (!chosen.count(question.key)) {
      return core::invalid("answers." + key, "must be one of " + allowed);
    }
  }
  RiskAssessment out;
  for (const RiskQuestion& question : q.questions) {
    auto c = chosen.find(question.key);
    if (c == chosen.end()) return core::invalid("answers." + question.key, "is required");
    out.score += c->second->score;
    out.contributions.push_back({question.key, c->second->value, c->second->score});
  }
  out.level = risk_level(q, out.score);
  return out;
}

std::string_view change_type_name(ChangeType t) { return kTypeNames[static_cast<int>(t)]; }

std::optional<ChangeType> parse_change_type(std::string_view name) {
  for (std::size_t i = 0; i < std::size(kTypeNames); ++i) {
    if (kTypeNames[i] == name) return static_cast<ChangeType>(i);
  }
  return std::nullopt;
}

ApprovalPath approval_path(ChangeType type, RiskLevel level) {
  for (const PathRow& row : path_table()) {
    if (row.type == type && row.level == level) return {row.steps, row.retrospective_review};
  }
  return {};  // unreachable: the table covers every type and level (a test checks it)
}

}  // namespace yunwei::change
