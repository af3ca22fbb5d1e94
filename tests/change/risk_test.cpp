#include "change/risk.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <string>

#include "support/test_db.h"

namespace yunwei::change {
namespace {

using core::ErrorCode;
using nlohmann::json;
using testing::failed_with;
using testing::must;

// Two questions: a (0 / 10 / 40) and b (0 / 20); thresholds 20 and 50; highest total 60.
json small_doc() {
  return json::parse(R"({
    "questions": [
      {"key": "a", "text": "Question A", "text_zh": "问题A", "options": [
        {"value": "none", "label": "None", "label_zh": "无", "score": 0},
        {"value": "some", "label": "Some", "label_zh": "一些", "score": 10},
        {"value": "lots", "label": "Lots", "label_zh": "很多", "score": 40}]},
      {"key": "b", "text": "Question B", "options": [
        {"value": "no", "score": 0},
        {"value": "yes", "label": "Yes", "score": 20}]}],
    "thresholds": {"medium_from": 20, "high_from": 50}})");
}

Questionnaire small() { return must(parse_questionnaire(small_doc().dump())); }

// Parses `doc` and expects kInvalidArgument naming `field`.
::testing::AssertionResult rejects(const json& doc, const char* field) {
  return failed_with(parse_questionnaire(doc.dump()), ErrorCode::kInvalidArgument, field);
}

TEST(RiskQuestionnaire, ParsesAllFieldsAndDefaultsAnEmptyLabelToTheValue) {
  Questionnaire q = small();
  ASSERT_EQ(q.questions.size(), 2u);
  EXPECT_EQ(q.questions[0].key, "a");
  EXPECT_EQ(q.questions[0].text_zh, "问题A");
  ASSERT_EQ(q.questions[0].options.size(), 3u);
  EXPECT_EQ(q.questions[0].options[2].label_zh, "很多");
  EXPECT_EQ(q.questions[0].options[2].score, 40);
  EXPECT_EQ(q.questions[1].text_zh, "");
  EXPECT_EQ(q.questions[1].options[0].label, "no");
  EXPECT_EQ(q.medium_from, 20);
  EXPECT_EQ(q.high_from, 50);
}

TEST(RiskQuestionnaire, RoundTripsThroughJson) {
  Questionnaire q = small();
  Questionnaire again = must(parse_questionnaire(questionnaire_json(q)));
  EXPECT_EQ(again, q);
  EXPECT_EQ(questionnaire_json(again), questionnaire_json(q));
}

TEST(RiskQuestionnaire, TrimsTexts) {
  json doc = small_doc();
  doc["questions"][0]["text"] = "  Question A \n";
  EXPECT_EQ(must(parse_questionnaire(doc.dump())).questions[0].text, "Question A");
}

TEST(RiskQuestionnaire, RejectsMalformedDocuments) {
  EXPECT_TRUE(
      failed_with(parse_questionnaire("not json"), ErrorCode::kInvalidArgument, "questionnaire"));
  EXPECT_TRUE(rejects(json::array(), "questionnaire"));
  json doc = small_doc();
  doc["extra"] = 1;
  EXPECT_TRUE(rejects(doc, "extra"));
}

TEST(RiskQuestionnaire, RejectsBadQuestionLists) {
  json doc = small_doc();
  doc.erase("questions");
  EXPECT_TRUE(rejects(doc, "questions"));
  doc["questions"] = json::array();
  EXPECT_TRUE(rejects(doc, "questions"));
  doc["questions"] = "a";
  EXPECT_TRUE(rejects(doc, "questions"));

  json many = small_doc();
  json q = many["questions"][1];
  many["questions"] = json::array();
  for (int i = 0; i < 30; ++i) {
    q["key"] = std::string("q").append(std::to_string(i));
    many["questions"].push_back(q);
  }
  EXPECT_TRUE(parse_questionnaire(many.dump()).ok());
  q["key"] = "q30";
  many["questions"].push_back(q);
  EXPECT_TRUE(rejects(many, "questions"));
}

TEST(RiskQuestionnaire, RejectsBadQuestions) {
  json doc = small_doc();
  doc["questions"][1] = "b";
  EXPECT_TRUE(rejects(doc, "questions[1]"));

  doc = small_doc();
  doc["questions"][1]["weight"] = 2;
  EXPECT_TRUE(rejects(doc, "questions[1].weight"));

  doc = small_doc();
  doc["questions"][1].erase("key");
  EXPECT_TRUE(rejects(doc, "questions[1].key"));

  doc = small_doc();
  doc["questions"][1]["key"] = "B";
  EXPECT_TRUE(rejects(doc, "questions[1].key"));

  doc = small_doc();
  doc["questions"][1]["key"] = std::string(41, 'b');
  EXPECT_TRUE(rejects(doc, "questions[1].key"));

  doc = small_doc();
  doc["questions"][1]["key"] = "a";
  EXPECT_TRUE(rejects(doc, "questions[1].key"));

  doc = small_doc();
  doc["questions"][1]["text"] = "   ";
  EXPECT_TRUE(rejects(doc, "questions[1].text"));

  doc = small_doc();
  doc["questions"][1].erase("text");
  EXPECT_TRUE(rejects(doc, "questions[1].text"));

  doc = small_doc();
  doc["questions"][1]["text_zh"] = 5;
  EXPECT_TRUE(rejects(doc, "questions[1].text_zh"));

  doc = small_doc();
  doc["questions"][1]["text"] = std::string(301, 'x');
  EXPECT_TRUE(rejects(doc, "questions[1].text"));
}

TEST(RiskQuestionnaire, RejectsBadOptionLists) {
  json doc = small_doc();
  doc["questions"][1]["options"].erase(1);
  EXPECT_TRUE(rejects(doc, "questions[1].options"));

  doc = small_doc();
  doc["questions"][1].erase("options");
  EXPECT_TRUE(rejects(doc, "questions[1].options"));

  doc = small_doc();
  json& opts = doc["questions"][1]["options"];
  for (int i = 2; i < 10; ++i) {
    opts.push_back(json::parse(R"({"score": 1})"));
    opts.back()["value"] = std::string("v").append(std::to_string(i));
  }
  EXPECT_TRUE(parse_questionnaire(doc.dump()).ok());
  opts.push_back(json::parse(R"({"value": "v10", "score": 1})"));
  EXPECT_TRUE(rejects(doc, "questions[1].options"));
}

TEST(RiskQuestionnaire, RejectsBadOptions) {
  json doc = small_doc();
  doc["questions"][0]["options"][1] = 3;
  EXPECT_TRUE(rejects(doc, "questions[0].options[1]"));

  doc = small_doc();
  doc["questions"][0]["options"][1]["colour"] = "red";
  EXPECT_TRUE(rejects(doc, "questions[0].options[1].colour"));

  doc = small_doc();
  doc["questions"][0]["options"][1].erase("value");
  EXPECT_TRUE(rejects(doc, "questions[0].options[1].value"));

  doc = small_doc();
  doc["questions"][0]["options"][1]["value"] = "Some value";
  EXPECT_TRUE(rejects(doc, "questions[0].options[1].value"));

  doc = small_doc();
  doc["questions"][0]["options"][2]["value"] = "none";
  EXPECT_TRUE(rejects(doc, "questions[0].options[2].value"));

  doc = small_doc();
  doc["questions"][0]["options"][1]["label"] = 7;
  EXPECT_TRUE(rejects(doc, "questions[0].options[1].label"));

  doc = small_doc();
  doc["questions"][0]["options"][1]["label_zh"] = std::string(201, 'x');
  EXPECT_TRUE(rejects(doc, "questions[0].options[1].label_zh"));
}

TEST(RiskQuestionnaire, RejectsScoresOutsideZeroToHundred) {
  json doc = small_doc();
  doc["questions"][0]["options"][0]["score"] = 100;
  EXPECT_TRUE(parse_questionnaire(doc.dump()).ok());
  const char* field = "questions[0].options[0].score";
  doc["questions"][0]["options"][0]["score"] = 101;
  EXPECT_TRUE(rejects(doc, field));
  doc["questions"][0]["options"][0]["score"] = -1;
  EXPECT_TRUE(rejects(doc, field));
  doc["questions"][0]["options"][0]["score"] = 1.5;
  EXPECT_TRUE(rejects(doc, field));
  doc["questions"][0]["options"][0]["score"] = "5";
  EXPECT_TRUE(rejects(doc, field));
  doc["questions"][0]["options"][0].erase("score");
  EXPECT_TRUE(rejects(doc, field));
}

TEST(RiskQuestionnaire, RejectsBadThresholds) {
  json doc = small_doc();
  doc.erase("thresholds");
  EXPECT_TRUE(rejects(doc, "thresholds"));
  doc["thresholds"] = 5;
  EXPECT_TRUE(rejects(doc, "thresholds"));

  doc = small_doc();
  doc["thresholds"]["low_from"] = 0;
  EXPECT_TRUE(rejects(doc, "thresholds.low_from"));

  doc = small_doc();
  doc["thresholds"].erase("medium_from");
  EXPECT_TRUE(rejects(doc, "thresholds.medium_from"));
  doc["thresholds"]["medium_from"] = 0;
  EXPECT_TRUE(rejects(doc, "thresholds.medium_from"));
  doc["thresholds"]["medium_from"] = 2.5;
  EXPECT_TRUE(rejects(doc, "thresholds.medium_from"));

  doc = small_doc();
  doc["thresholds"]["high_from"] = 20;  // not above medium_from
  EXPECT_TRUE(rejects(doc, "thresholds.high_from"));
  doc["thresholds"]["high_from"] = 10;
  EXPECT_TRUE(rejects(doc, "thresholds.high_from"));
  doc["thresholds"]["high_from"] = 61;  // the highest total is 60
  EXPECT_TRUE(rejects(doc, "thresholds.high_from"));
  doc["thresholds"]["high_from"] = 60;
  EXPECT_TRUE(parse_questionnaire(doc.dump()).ok());
}

TEST(RiskQuestionnaire, ShippedDefaultValidatesAndIsBilingual) {
  const Questionnaire& q = default_questionnaire();
  Questionnaire parsed = must(parse_questionnaire(questionnaire_json(q)));
  EXPECT_EQ(parsed, q);
  EXPECT_EQ(q.questions.size(), 6u);
  for (const RiskQuestion& question : q.questions) {
    EXPECT_FALSE(question.text.empty()) << question.key;
    EXPECT_FALSE(question.text_zh.empty()) << question.key;
    for (const RiskOption& o : question.options) {
      EXPECT_FALSE(o.label_zh.empty()) << question.key << "." << o.value;
    }
  }
}

TEST(RiskAssessment, SumsTheChosenOptionsInQuestionnaireOrder) {
  RiskAssessment r = must(assess(small(), {{"b", "yes"}, {"a", "some"}}));
  EXPECT_EQ(r.score, 30);
  EXPECT_EQ(r.level, RiskLevel::kMedium);
  ASSERT_EQ(r.contributions.size(), 2u);
  EXPECT_EQ(r.contributions[0], (RiskContribution{"a", "some", 10}));
  EXPECT_EQ(r.contributions[1], (RiskContribution{"b", "yes", 20}));
}

TEST(RiskAssessment, LevelsChangeExactlyAtTheThresholds) {
  Questionnaire q = small();
  EXPECT_EQ(risk_level(q, 0), RiskLevel::kLow);
  EXPECT_EQ(risk_level(q, 19), RiskLevel::kLow);
  EXPECT_EQ(risk_level(q, 20), RiskLevel::kMedium);
  EXPECT_EQ(risk_level(q, 49), RiskLevel::kMedium);
  EXPECT_EQ(risk_level(q, 50), RiskLevel::kHigh);
  // Through assess: 10 low, 20 medium (at medium_from), 40 medium, 60 high.
  EXPECT_EQ(must(assess(q, {{"a", "some"}, {"b", "no"}})).level, RiskLevel::kLow);
  EXPECT_EQ(must(assess(q, {{"a", "none"}, {"b", "yes"}})).level, RiskLevel::kMedium);
  EXPECT_EQ(must(assess(q, {{"a", "lots"}, {"b", "no"}})).level, RiskLevel::kMedium);
  EXPECT_EQ(must(assess(q, {{"a", "lots"}, {"b", "yes"}})).level, RiskLevel::kHigh);
  q.high_from = 40;
  EXPECT_EQ(must(assess(q, {{"a", "lots"}, {"b", "no"}})).level, RiskLevel::kHigh);
}

TEST(RiskAssessment, NamesTheAnswerAtFault) {
  Questionnaire q = small();
  EXPECT_TRUE(failed_with(assess(q, {{"a", "some"}, {"b", "no"}, {"c", "x"}}),
                          ErrorCode::kInvalidArgument, "answers.c"));
  EXPECT_TRUE(failed_with(assess(q, {{"a", "many"}, {"b", "no"}}), ErrorCode::kInvalidArgument,
                          "answers.a"));
  EXPECT_TRUE(failed_with(assess(q, {{"a", "some"}}), ErrorCode::kInvalidArgument, "answers.b"));
  EXPECT_TRUE(failed_with(assess(q, {}), ErrorCode::kInvalidArgument, "answers.a"));
}

TEST(RiskAssessment, DefaultQuestionnaireGivesSensibleLevels) {
  const Questionnaire& q = default_questionnaire();
  std::map<std::string, std::string> routine = {
      {"impact_scope", "department"}, {"backout", "tested"},   {"maintenance_window", "inside"},
      {"complexity", "simple"},       {"experience", "often"}, {"critical_components", "none"}};
  EXPECT_EQ(must(assess(q, routine)).level, RiskLevel::kLow);
  auto core_service = routine;
  core_service["impact_scope"] = "core_service";
  EXPECT_EQ(must(assess(q, core_service)).level, RiskLevel::kMedium);
  auto risky = core_service;
  risky["backout"] = "untested";
  risky["critical_components"] = "production_database";
  risky["complexity"] = "moderate";
  EXPECT_EQ(must(assess(q, risky)).level, RiskLevel::kHigh);
}

TEST(RiskNames, RoundTrip) {
  for (RiskLevel l : {RiskLevel::kLow, RiskLevel::kMedium, RiskLevel::kHigh}) {
    EXPECT_EQ(parse_risk_level(risk_level_name(l)), l);
  }
  for (ChangeType t : {ChangeType::kStandard, ChangeType::kNormal, ChangeType::kEmergency}) {
    EXPECT_EQ(parse_change_type(change_type_name(t)), t);
  }
  EXPECT_EQ(parse_risk_level("severe"), std::nullopt);
  EXPECT_EQ(parse_change_type("routine"), std::nullopt);
  EXPECT_EQ(risk_level_name(RiskLevel::kMedium), "medium");
  EXPECT_EQ(change_type_name(ChangeType::kEmergency), "emergency");
}

// "team_lead:any,cab:majority" for the steps of a path.
std::string describe(const ApprovalPath& p) {
  std::string out;
  for (const ApprovalStepSpec& s : p.steps) {
    if (!out.empty()) out += ",";
    out +=
        std::string(approver_group_name(s.group)) + ":" + std::string(approval_rule_name(s.rule));
    if (s.name.empty() || s.name_zh.empty()) out += "(unnamed)";
  }
  return out;
}

TEST(RiskApprovalPath, StandardChangesNeedNoApproval) {
  for (RiskLevel l : {RiskLevel::kLow, RiskLevel::kMedium, RiskLevel::kHigh}) {
    ApprovalPath p = approval_path(ChangeType::kStandard, l);
    EXPECT_EQ(describe(p), "") << risk_level_name(l);
    EXPECT_FALSE(p.retrospective_review);
  }
}

TEST(RiskApprovalPath, NormalChangesEscalateWithTheLevel) {
  ApprovalPath low = approval_path(ChangeType::kNormal, RiskLevel::kLow);
  ApprovalPath medium = approval_path(ChangeType::kNormal, RiskLevel::kMedium);
  ApprovalPath high = approval_path(ChangeType::kNormal, RiskLevel::kHigh);
  EXPECT_EQ(describe(low), "team_lead:any");
  EXPECT_EQ(describe(medium), "team_lead:any,cab:majority");
  EXPECT_EQ(describe(high), "team_lead:any,cab:all");
  EXPECT_FALSE(low.retrospective_review);
  EXPECT_FALSE(medium.retrospective_review);
  EXPECT_FALSE(high.retrospective_review);
}

TEST(RiskApprovalPath, EmergencyChangesGoToTheEcabAndNeedAReview) {
  for (RiskLevel l : {RiskLevel::kLow, RiskLevel::kMedium, RiskLevel::kHigh}) {
    ApprovalPath p = approval_path(ChangeType::kEmergency, l);
    EXPECT_EQ(describe(p), "ecab:any") << risk_level_name(l);
    EXPECT_TRUE(p.retrospective_review) << risk_level_name(l);
  }
}

}  // namespace
}  // namespace yunwei::change
