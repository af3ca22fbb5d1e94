#include "change/approval.h"

#include <algorithm>
#include <set>
#include <utility>

#include "core/text.h"

namespace yunwei::change {

namespace {

constexpr std::string_view kGroupNames[] = {"team_lead", "cab", "ecab"};
constexpr std::string_view kRuleNames[] = {"any", "all", "majority"};
constexpr std::string_view kVerdictNames[] = {"approve", "reject"};
constexpr std::string_view kStateNames[] = {"pending", "approved", "rejected"};
constexpr std::size_t kMaxCommentChars = 2000;

template <class E, std::size_t N>
std::optional<E> parse_name(const std::string_view (&names)[N], std::string_view name) {
  for (std::size_t i = 0; i < N; ++i) {
    if (names[i] == name) return static_cast<E>(i);
  }
  return std::nullopt;
}

core::Error with_field(core::ErrorCode code, std::string field, std::string message) {
  return core::Error{code, std::move(message), std::move(field)};
}

// The running tally of a step while its decisions are replayed or a new one is checked.
class Tally {
 public:
  explicit Tally(const ApprovalStep& step) : step_(step) {}

  core::Status check_approvers() const {
    if (step_.approvers.empty()) {
      return core::invalid("approvers", "the step has no approvers");
    }
    std::set<std::int64_t> seen;
    for (std::int64_t id : step_.approvers) {
      if (!seen.insert(id).second) {
        return core::invalid("approvers", "lists user " + std::to_string(id) + " twice");
      }
    }
    return {};
  }

  // Checks `d` against the decisions applied so far; `prefix` is put before the field names.
  core::Status check(const ApprovalDecision& d, const std::string& prefix) const {
    if (state_ != ApprovalState::kPending) {
      return with_field(core::ErrorCode::kConflict, prefix + "step",
                        "the step is already " + std::string(approval_state_name(state_)));
    }
    if (std::find(step_.approvers.begin(), step_.approvers.end(), d.user_id) ==
        step_.approvers.end()) {
      return with_field(core::ErrorCode::kForbidden, prefix + "user_id",
                        "user " + std::to_string(d.user_id) + " is not an approver of this step");
    }
    if (decided_.count(d.user_id)) {
      return with_field(core::ErrorCode::kConflict, prefix + "user_id",
                        "user " + std::to_string(d.user_id) + " has already decided on this step");
    }
    YW_TRY(core::check_text(d.comment, prefix + "comment", kMaxCommentChars, false));
    if (d.verdict == Verdict::kReject && core::trim(d.comment).empty()) {
      return core::invalid(prefix + "comment", "a rejection needs a comment");
    }
    if (!decided_.empty() && d.at < last_at_) {
      return core::invalid(prefix + "at", "is earlier than the step's last decision");
    }
    return {};
  }

  void apply(const ApprovalDecision& d) {
    decided_.insert(d.user_id);
    last_at_ = d.at;
    (d.verdict == Verdict::kApprove ? approvals_ : rejections_) += 1;
    const int n = static_cast<int>(step_.approvers.size());
    const int pending = n - approvals_ - rejections_;
    switch (step_.rule) {
      case ApprovalRule::kAny:
        state_ =
            d.verdict == Verdict::kApprove ? ApprovalState::kApproved : ApprovalState::kRejected;
        break;
      case ApprovalRule::kAll:
        if (rejections_ > 0) {
          state_ = ApprovalState::kRejected;
        } else if (approvals_ == n) {
          state_ = ApprovalState::kApproved;
        }
        break;
      case ApprovalRule::kMajority: {
        const int needed = n / 2 + 1;  // more than half
        if (approvals_ >= needed) {
          state_ = ApprovalState::kApproved;
        } else if (approvals_ + pending < needed) {
          // Covers "more than half rejected" and ties: the majority is out of reach.
          state_ = ApprovalState::kRejected;
        }
        break;
      }
    }
    if (state_ != ApprovalState::kPending) decided_at_ = d.at;
  }

  StepStatus status() const {
    StepStatus s;
    s.state = state_;
    s.approvals = approvals_;
    s.rejections = rejections_;
    s.decided_at = decided_at_;
    if (state_ == ApprovalState::kPending) {
      for (std::int64_t id : step_.approvers) {
        if (!decided_.count(id)) s.awaiting.push_back(id);
      }
    }
    return s;
  }

 private:
  const ApprovalStep& step_;
  std::set<std::int64_t> decided_;
  int approvals_ = 0, rejections_ = 0;
  core::TimeMs last_at_ = 0;
  core::TimeMs decided_at_ = 0;
  ApprovalState state_ = ApprovalState::kPending;
};

core::Result<Tally> replay(const ApprovalStep& step) {
  Tally tally(step);
  YW_TRY(tally.check_approvers());
  for (std::size_t i = 0; i < step.decisions.size(); ++i) {
    YW_TRY(tally.check(step.decisions[i], "decisions[" + std::to_string(i) + "]."));
    tally.apply(step.decisions[i]);
  }
  return tally;
}

core::Error prefixed(core::Error e, const std::string& prefix) {
  e.field = prefix + e.field;
  return e;
}

}  // namespace

std::string_view approver_group_name(ApproverGroup g) { return kGroupNames[static_cast<int>(g)]; }
std::optional<ApproverGroup> parse_approver_group(std::string_view name) {
  return parse_name<ApproverGroup>(kGroupNames, name);
}
std::string_view approval_rule_name(ApprovalRule r) { return kRuleNames[static_cast<int>(r)]; }
std::optional<ApprovalRule> parse_approval_rule(std::string_view name) {
  return parse_name<ApprovalRule>(kRuleNames, name);
}
std::string_view verdict_name(Verdict v) { return kVerdictNames[static_cast<int>(v)]; }
std::optional<Verdict> parse_verdict(std::string_view name) {
  return parse_name<Verdict>(kVerdictNames, name);
}
std::string_view approval_state_name(ApprovalState s) { return kStateNames[static_cast<int>(s)]; }

core::Result<StepStatus> step_status(const ApprovalStep& step) {
  YW_ASSIGN(Tally tally, replay(step));
  return tally.status();
}

core::Result<StepStatus> decide(ApprovalStep& step, ApprovalDecision decision) {
  YW_ASSIGN(Tally tally, replay(step));
  YW_TRY(tally.check(decision, ""));
  tally.apply(decision);
  StepStatus s = tally.status();
  step.decisions.push_back(std::move(decision));
  return s;
}

core::Result<ApprovalProgress> next_step(const std::vector<ApprovalStep>& steps) {
  ApprovalProgress p;
  p.state = ApprovalState::kApproved;
  p.current = steps.size();
  for (std::size_t i = 0; i < steps.size(); ++i) {
    const std::string prefix = "steps[" + std::to_string(i) + "].";
    if (p.state != ApprovalState::kApproved) {
      // Steps open one after another: a later step cannot have been decided on.
      if (!steps[i].decisions.empty()) {
        return core::invalid(prefix + "decisions",
                             "holds decisions while an earlier step is not approved");
      }
      continue;
    }
    auto s = step_status(steps[i]);
    if (!s.ok()) return prefixed(std::move(s).error(), prefix);
    if (s->state != ApprovalState::kApproved) {
      p.state = s->state;
      p.current = i;
      p.awaiting = s->awaiting;
    }
  }
  return p;
}

core::Result<ApprovalProgress> decide(std::vector<ApprovalStep>& steps, ApprovalDecision decision) {
  YW_ASSIGN(ApprovalProgress p, next_step(steps));
  if (p.state != ApprovalState::kPending) {
    return core::conflict("the approval is already " + std::string(approval_state_name(p.state)),
                          "approval");
  }
  YW_TRY(decide(steps[p.current], std::move(decision)));
  return next_step(steps);
}

}  // namespace yunwei::change
