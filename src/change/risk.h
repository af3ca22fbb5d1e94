#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "change/approval.h"
#include "core/result.h"

// Change risk (issue #7 point 3), in memory: a risk questionnaire whose answers add up to a risk
// score and level, and the approval path that the change type and the level choose. Pure: no
// database; the questionnaire is configuration stored as JSON.
namespace yunwei::change {

struct RiskOption {
  std::string value;  // [a-z][a-z0-9_]{0,39}, unique in the question; what answers store
  std::string label, label_zh;
  int score = 0;  // 0..100
  bool operator==(const RiskOption&) const = default;
};

struct RiskQuestion {
  std::string key;  // [a-z][a-z0-9_]{0,39}, unique in the questionnaire
  std::string text, text_zh;
  std::vector<RiskOption> options;  // 2..10, in display order
  bool operator==(const RiskQuestion&) const = default;
};

// Questions and the thresholds of the levels on the total score: low below medium_from, medium
// from medium_from, high from high_from (0 < medium_from < high_from <= the highest total).
struct Questionnaire {
  std::vector<RiskQuestion> questions;  // 1..30
  int medium_from = 0;
  int high_from = 0;
  bool operator==(const Questionnaire&) const = default;
};

// The JSON form, used by the API and stored as configuration:
//   {"questions": [{"key": "backout", "text": "...", "text_zh": "...",
//                   "options": [{"value": "tested", "label": "...", "label_zh": "...",
//                                "score": 0}]}],
//    "thresholds": {"medium_from": 25, "high_from": 55}}
// Errors are kInvalidArgument naming the element ("questions[2].options[0].score",
// "thresholds.high_from"): unknown fields, bad or duplicate keys and option values, missing
// text, 1..30 questions, 2..10 options, scores outside 0..100, thresholds not whole numbers, not
// positive, not ordered or above the highest possible total. Texts are trimmed; an empty label
// becomes the value.
core::Result<Questionnaire> parse_questionnaire(std::string_view json_text);
std::string questionnaire_json(const Questionnaire& q);

// The questionnaire Yunwei ships (bilingual): scope of impact, backout, maintenance window,
// complexity, previous experience, production database or core network.
const Questionnaire& default_questionnaire();

enum class RiskLevel { kLow, kMedium, kHigh };
// "low", "medium", "high".
std::string_view risk_level_name(RiskLevel l);
std::optional<RiskLevel> parse_risk_level(std::string_view name);
// The level of a total score under `q`'s thresholds.
RiskLevel risk_level(const Questionnaire& q, int score);

struct RiskContribution {
  std::string key;    // the question
  std::string value;  // the option chosen
  int score = 0;
  bool operator==(const RiskContribution&) const = default;
};

struct RiskAssessment {
  int score = 0;
  RiskLevel level = RiskLevel::kLow;
  std::vector<RiskContribution> contributions;  // one per question, in questionnaire order
};

// Scores `answers` (question key -> option value). kInvalidArgument naming "answers.<key>" for
// an answer to an unknown question, a value that is not one of the question's options, or a
// question left unanswered (checked in that order; unanswered in questionnaire order).
core::Result<RiskAssessment> assess(const Questionnaire& q,
                                    const std::map<std::string, std::string>& answers);

enum class ChangeType { kStandard, kNormal, kEmergency };
// "standard", "normal", "emergency".
std::string_view change_type_name(ChangeType t);
std::optional<ChangeType> parse_change_type(std::string_view name);

// A step to open when the change enters authorisation; approvers are the group's members then.
struct ApprovalStepSpec {
  std::string name, name_zh;
  ApproverGroup group = ApproverGroup::kTeamLead;
  ApprovalRule rule = ApprovalRule::kAny;
  bool operator==(const ApprovalStepSpec&) const = default;
};

struct ApprovalPath {
  std::vector<ApprovalStepSpec> steps;  // in order; none: pre-approved
  bool retrospective_review = false;    // a CAB review after the fact is required
};

// The approval steps of a change, from one table:
//   standard, any level -> none (the template is pre-approved)
//   normal low          -> team lead (any)
//   normal medium       -> team lead (any), then CAB (majority)
//   normal high         -> team lead (any), then CAB (all): every CAB member present for the
//                          step holds a veto, since one expert's objection (the DBA's "the
//                          backup is not verified") should stop a high-risk change, where a
//                          majority would outvote it; the approvers are fixed when the step
//                          opens, so the members who must answer are known and can be chased
//   emergency, any level -> ECAB (any), retrospective review required (speed first: one
//                          emergency board member decides, the full CAB reviews afterwards)
ApprovalPath approval_path(ChangeType type, RiskLevel level);

}  // namespace yunwei::change
