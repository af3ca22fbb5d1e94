#include "tickets/dispatch.h"

#include <algorithm>
#include <nlohmann/json.hpp>

#include "core/text.h"
#include "tickets/internal.h"
#include "tickets/priority.h"
#include "tickets/ticket.h"

namespace yunwei::tickets {
namespace {

using nlohmann::json;

json conditions_json(const RuleConditions& c) {
  json j = json::object();
  auto put = [&](const char* name, const auto& v) {
    if (!v.empty()) j[name] = v;
  };
  put("kinds", c.kinds);
  put("category_ids", c.category_ids);
  put("service_ids", c.service_ids);
  put("ci_ids", c.ci_ids);
  put("priorities", c.priorities);
  put("channels", c.channels);
  put("keywords", c.keywords);
  return j;
}

RuleConditions conditions_from(const json& j) {
  RuleConditions c;
  c.kinds = j.value("kinds", std::vector<std::string>{});
  c.category_ids = j.value("category_ids", std::vector<std::int64_t>{});
  c.service_ids = j.value("service_ids", std::vector<std::int64_t>{});
  c.ci_ids = j.value("ci_ids", std::vector<std::int64_t>{});
  c.priorities = j.value("priorities", std::vector<std::string>{});
  c.channels = j.value("channels", std::vector<std::string>{});
  c.keywords = j.value("keywords", std::vector<std::string>{});
  return c;
}

std::string rule_snapshot(const AssignmentRule& r) {
  return json{{"name", r.name},
              {"position", r.position},
              {"conditions", conditions_json(r.conditions)},
              {"team_id", r.team_id},
              {"active", r.active},
              {"version", r.version}}
      .dump();
}

constexpr const char* kRuleColumns =
    "id, name, position, conditions, team_id, active, created_at, updated_at, version";

AssignmentRule rule_from_row(const store::Row& r) {
  AssignmentRule a;
  a.id = r.i64(0);
  a.name = r.str(1);
  a.position = static_cast<int>(r.i64(2));
  json j = json::parse(r.str(3), nullptr, false);
  if (j.is_object()) a.conditions = conditions_from(j);
  a.team_id = r.i64(4);
  a.active = r.i64(5) != 0;
  a.created_at = r.i64(6);
  a.updated_at = r.i64(7);
  a.version = r.i64(8);
  return a;
}

template <class T>
bool contains(const std::vector<T>& v, const T& x) {
  return std::find(v.begin(), v.end(), x) != v.end();
}

core::Status check_conditions(store::Tx& tx, const RuleConditions& c) {
  auto field = [](const char* list, size_t i) {
    std::string f = "conditions.";
    f += list;
    f += '[';
    f += std::to_string(i);
    f += ']';
    return f;
  };
  for (size_t i = 0; i < c.kinds.size(); ++i) {
    if (number_prefix(c.kinds[i]).empty()) return core::invalid(field("kinds", i), "unknown kind");
  }
  for (size_t i = 0; i < c.priorities.size(); ++i) {
    if (priority_rank(c.priorities[i]) == 0)
      return core::invalid(field("priorities", i), "must be P1 to P5");
  }
  for (size_t i = 0; i < c.channels.size(); ++i) {
    if (!is_channel(c.channels[i]))
      return core::invalid(field("channels", i), "must be web, email, phone, api or monitoring");
  }
  for (size_t i = 0; i < c.keywords.size(); ++i) {
    YW_TRY(core::check_text(c.keywords[i], field("keywords", i), 100, true, core::Controls::kNone));
  }
  for (size_t i = 0; i < c.category_ids.size(); ++i) {
    auto row = tx.query_row("SELECT 1 FROM ticket_categories WHERE id = ?", {c.category_ids[i]});
    if (!row.ok()) return std::move(row).error();
    if (!*row) return core::invalid(field("category_ids", i), "no such category");
  }
  return {};
}

core::Status check_team(store::Tx& tx, std::int64_t team_id) {
  return detail::check_active(tx, detail::Record::kTeam, team_id, "team_id");
}

core::Result<AssignmentRule> load_rule(store::Tx& tx, std::int64_t id) {
  auto row = tx.query_row(
      std::string("SELECT ") + kRuleColumns + " FROM assignment_rules WHERE id = ?", {id});
  if (!row.ok()) return std::move(row).error();
  if (!*row) return core::not_found("assignment rule " + std::to_string(id) + " not found");
  return rule_from_row(**row);
}

}  // namespace

bool rule_matches(const RuleConditions& c, const DispatchSubject& s) {
  if (!c.kinds.empty() && !contains(c.kinds, s.kind)) return false;
  if (!c.category_ids.empty()) {
    bool hit = (s.category_id && contains(c.category_ids, *s.category_id)) ||
               (s.parent_category_id && contains(c.category_ids, *s.parent_category_id));
    if (!hit) return false;
  }
  if (!c.service_ids.empty() && !(s.service_id && contains(c.service_ids, *s.service_id)))
    return false;
  if (!c.ci_ids.empty() && !(s.ci_id && contains(c.ci_ids, *s.ci_id))) return false;
  if (!c.priorities.empty() && !contains(c.priorities, s.priority)) return false;
  if (!c.channels.empty() && !contains(c.channels, s.channel)) return false;
  if (!c.keywords.empty()) {
    std::string text = core::ascii_lower(s.title);
    text += '\n';
    text += core::ascii_lower(s.description);
    bool hit = false;
    for (const std::string& k : c.keywords) {
      if (text.find(core::ascii_lower(k)) != std::string::npos) {
        hit = true;
        break;
      }
    }
    if (!hit) return false;
  }
  return true;
}

core::Result<std::optional<RuleMatch>> match_rules(store::Tx& tx, const DispatchSubject& s) {
  auto rows = tx.query(
      "SELECT id, name, conditions, team_id FROM assignment_rules r WHERE active = 1 AND"
      " EXISTS (SELECT 1 FROM teams t WHERE t.id = r.team_id AND t.active = 1)"
      " ORDER BY position, id");
  if (!rows.ok()) return std::move(rows).error();
  for (const store::Row& r : *rows) {
    json j = json::parse(r.str(2), nullptr, false);
    if (!j.is_object()) continue;
    if (rule_matches(conditions_from(j), s)) {
      return std::optional<RuleMatch>(RuleMatch{r.i64(0), r.str(1), r.i64(3)});
    }
  }
  return std::optional<RuleMatch>();
}

core::Result<std::optional<std::int64_t>> pick_member(store::Tx& tx, std::int64_t team_id,
                                                      core::TimeMs now) {
  using R = std::optional<std::int64_t>;
  auto setup = tx.query_row("SELECT strategy FROM team_dispatch WHERE team_id = ?", {team_id});
  if (!setup.ok()) return std::move(setup).error();
  if (!*setup) return R();
  std::string strategy = (*setup)->str(0);
  if (strategy != "round_robin" && strategy != "least_open") return R();  // manual
  std::optional<std::int64_t> last;
  if (strategy == "round_robin") {
    // The row lock keeps two concurrent picks on PostgreSQL from choosing the same member
    // (held to the commit, so only round-robin takes it); SQLite has one writer anyway.
    auto locked = tx.query_row(
        "UPDATE team_dispatch SET updated_at = updated_at WHERE team_id = ?"
        " RETURNING last_user_id",
        {team_id});
    if (!locked.ok()) return std::move(locked).error();
    if (*locked) last = (*locked)->opt_i64(0);
  }
  const std::string members =
      " FROM team_members m JOIN users u ON u.id = m.user_id WHERE m.team_id = ? AND u.active = 1"
      " AND (',' || u.roles || ',') LIKE '%,agent,%'";
  std::optional<std::int64_t> chosen;
  if (strategy == "round_robin") {
    auto next = tx.query_row("SELECT u.id" + members + " AND u.id > ? ORDER BY u.id LIMIT 1",
                             {team_id, last.value_or(0)});
    if (!next.ok()) return std::move(next).error();
    if (!*next) {
      next = tx.query_row("SELECT u.id" + members + " ORDER BY u.id LIMIT 1", {team_id});
      if (!next.ok()) return std::move(next).error();
    }
    if (*next) chosen = (*next)->i64(0);
  } else if (strategy == "least_open") {
    auto row = tx.query_row(
        "SELECT u.id, (SELECT COUNT(*) FROM tickets t WHERE t.assignee_id = u.id AND t.status IN"
        " ('new', 'assigned', 'in_progress', 'pending', 'reopened')) AS open_count" +
            members + " ORDER BY open_count, u.id LIMIT 1",
        {team_id});
    if (!row.ok()) return std::move(row).error();
    if (*row) chosen = (*row)->i64(0);
  }
  if (chosen && strategy == "round_robin") {
    auto n = tx.exec("UPDATE team_dispatch SET last_user_id = ?, updated_at = ? WHERE team_id = ?",
                     {*chosen, now, team_id});
    if (!n.ok()) return std::move(n).error();
  }
  return chosen;
}

core::Result<std::vector<AssignmentRule>> DispatchService::list_rules() {
  using R = std::vector<AssignmentRule>;
  return store::read_tx<R>(db_, [](store::Tx& tx) -> core::Result<R> {
    auto rows = tx.query(std::string("SELECT ") + kRuleColumns +
                         " FROM assignment_rules ORDER BY position, id");
    if (!rows.ok()) return std::move(rows).error();
    R out;
    for (const store::Row& r : *rows) out.push_back(rule_from_row(r));
    return out;
  });
}

core::Result<AssignmentRule> DispatchService::create_rule(const store::Actor& actor,
                                                          const NewRule& in) {
  YW_TRY(core::check_text(in.name, "name", 100, true, core::Controls::kNone));
  return store::write_tx<AssignmentRule>(db_, [&](store::Tx& tx) -> core::Result<AssignmentRule> {
    YW_TRY(check_conditions(tx, in.conditions));
    YW_TRY(check_team(tx, in.team_id));
    std::int64_t position = 0;
    if (in.position) {
      position = *in.position;
    } else {
      auto last = tx.query_row("SELECT COALESCE(MAX(position), 0) FROM assignment_rules");
      if (!last.ok()) return std::move(last).error();
      position = (*last)->i64(0) + 10;
    }
    core::TimeMs now = clock_.now_ms();
    auto row = tx.query_row(
        "INSERT INTO assignment_rules (name, position, conditions, team_id, active, created_at,"
        " updated_at, version) VALUES (?, ?, ?, ?, ?, ?, ?, 1) RETURNING id",
        {core::trim(in.name), position, conditions_json(in.conditions).dump(), in.team_id,
         std::int64_t{in.active ? 1 : 0}, now, now});
    if (!row.ok()) return std::move(row).error();
    YW_ASSIGN(AssignmentRule r, load_rule(tx, (*row)->i64(0)));
    auto ev = store::append_event(tx, actor, now, "assignment_rule.create", "assignment_rule", r.id,
                                  "", rule_snapshot(r));
    if (!ev.ok()) return std::move(ev).error();
    return r;
  });
}

core::Result<AssignmentRule> DispatchService::update_rule(const store::Actor& actor,
                                                          std::int64_t id, const RulePatch& p) {
  if (p.name) YW_TRY(core::check_text(*p.name, "name", 100, true, core::Controls::kNone));
  return store::write_tx<AssignmentRule>(db_, [&](store::Tx& tx) -> core::Result<AssignmentRule> {
    YW_ASSIGN(AssignmentRule before, load_rule(tx, id));
    if (before.version != p.version) {
      return core::conflict("the rule was changed by someone else (version " +
                                std::to_string(before.version) + "); reload and retry",
                            "version");
    }
    AssignmentRule after = before;
    if (p.name) after.name = core::trim(*p.name);
    if (p.position) after.position = *p.position;
    if (p.conditions) {
      YW_TRY(check_conditions(tx, *p.conditions));
      after.conditions = *p.conditions;
    }
    if (p.team_id) {
      YW_TRY(check_team(tx, *p.team_id));
      after.team_id = *p.team_id;
    }
    if (p.active) after.active = *p.active;
    core::TimeMs now = clock_.now_ms();
    auto n = tx.exec(
        "UPDATE assignment_rules SET name = ?, position = ?, conditions = ?, team_id = ?,"
        " active = ?, updated_at = ?, version = version + 1 WHERE id = ? AND version = ?",
        {after.name, std::int64_t{after.position}, conditions_json(after.conditions).dump(),
         after.team_id, std::int64_t{after.active ? 1 : 0}, now, id, before.version});
    if (!n.ok()) return std::move(n).error();
    YW_ASSIGN(AssignmentRule stored, load_rule(tx, id));
    auto ev = store::append_event(tx, actor, now, "assignment_rule.update", "assignment_rule", id,
                                  rule_snapshot(before), rule_snapshot(stored));
    if (!ev.ok()) return std::move(ev).error();
    return stored;
  });
}

core::Status DispatchService::delete_rule(const store::Actor& actor, std::int64_t id) {
  return db_.write([&](store::Tx& tx) -> core::Status {
    YW_ASSIGN(AssignmentRule before, load_rule(tx, id));
    auto n = tx.exec("DELETE FROM assignment_rules WHERE id = ?", {id});
    if (!n.ok()) return std::move(n).error();
    auto ev = store::append_event(tx, actor, clock_.now_ms(), "assignment_rule.delete",
                                  "assignment_rule", id, rule_snapshot(before), "");
    if (!ev.ok()) return std::move(ev).error();
    return {};
  });
}

core::Result<std::vector<TeamDispatch>> DispatchService::strategies() {
  using R = std::vector<TeamDispatch>;
  return store::read_tx<R>(db_, [](store::Tx& tx) -> core::Result<R> {
    auto rows = tx.query(
        "SELECT t.id, d.strategy, d.last_user_id FROM teams t LEFT JOIN team_dispatch d"
        " ON d.team_id = t.id WHERE t.active = 1 ORDER BY t.id");
    if (!rows.ok()) return std::move(rows).error();
    R out;
    for (const store::Row& r : *rows) {
      TeamDispatch d;
      d.team_id = r.i64(0);
      if (!r.is_null(1)) d.strategy = r.str(1);
      d.last_user_id = r.opt_i64(2);
      out.push_back(d);
    }
    return out;
  });
}

core::Result<TeamDispatch> DispatchService::set_strategy(const store::Actor& actor,
                                                         std::int64_t team_id,
                                                         const std::string& strategy) {
  if (strategy != "manual" && strategy != "round_robin" && strategy != "least_open") {
    return core::invalid("strategy", "must be manual, round_robin or least_open");
  }
  return store::write_tx<TeamDispatch>(db_, [&](store::Tx& tx) -> core::Result<TeamDispatch> {
    auto team = tx.query_row("SELECT 1 FROM teams WHERE id = ?", {team_id});
    if (!team.ok()) return std::move(team).error();
    if (!*team) return core::not_found("team " + std::to_string(team_id) + " not found");
    auto old = tx.query_row("SELECT strategy FROM team_dispatch WHERE team_id = ?", {team_id});
    if (!old.ok()) return std::move(old).error();
    std::string before = *old ? (*old)->str(0) : "manual";
    core::TimeMs now = clock_.now_ms();
    auto n = tx.exec(
        "INSERT INTO team_dispatch (team_id, strategy, updated_at) VALUES (?, ?, ?)"
        " ON CONFLICT (team_id) DO UPDATE SET strategy = excluded.strategy,"
        " updated_at = excluded.updated_at",
        {team_id, strategy, now});
    if (!n.ok()) return std::move(n).error();
    auto ev =
        store::append_event(tx, actor, now, "team.dispatch", "team", team_id,
                            json{{"strategy", before}}.dump(), json{{"strategy", strategy}}.dump());
    if (!ev.ok()) return std::move(ev).error();
    TeamDispatch d;
    d.team_id = team_id;
    d.strategy = strategy;
    return d;
  });
}

}  // namespace yunwei::tickets
