#include "sla/policy.h"

#include <algorithm>
#include <nlohmann/json.hpp>
#include <set>

#include "core/text.h"
#include "tickets/priority.h"
#include "tickets/ticket.h"
#include "tickets/workflow.h"

namespace yunwei::sla {

using nlohmann::json;

namespace {

constexpr std::int64_t kMaxMinutes = 366LL * 24 * 60;  // a year

constexpr const char* kColumns =
    "id, name, position, active, conditions, calendar_id, response_minutes, resolution_minutes,"
    " ola, pause_reasons, thresholds, version, created_at, updated_at";

template <class T>
bool contains(const std::vector<T>& v, const T& x) {
  return std::find(v.begin(), v.end(), x) != v.end();
}

std::string at(std::string_view list, std::size_t i) {
  std::string f(list);
  f += '[';
  f += std::to_string(i);
  f += ']';
  return f;
}

// A list field of `j` (absent = empty) whose elements satisfy `ok`.
template <class T, class Ok>
core::Result<std::vector<T>> list_of(const json& j, const char* name, const std::string& prefix,
                                     Ok ok, const char* what) {
  std::vector<T> out;
  auto it = j.find(name);
  if (it == j.end() || it->is_null()) return out;
  std::string field = prefix + name;
  if (!it->is_array() || it->size() > 100)
    return core::invalid(field, std::string("must be a list of ") + what);
  for (std::size_t i = 0; i < it->size(); ++i) {
    const json& v = (*it)[i];
    if (!ok(v)) return core::invalid(at(field, i), std::string("must be ") + what);
    out.push_back(v.get<T>());
  }
  return out;
}

bool is_string(const json& v) { return v.is_string(); }

// Assigned rather than built with ?: (GCC 12 -O3 warns falsely on variant copies).
store::Value opt_value(const std::optional<std::int64_t>& v) {
  store::Value out;
  if (v) out = *v;
  return out;
}
bool is_id(const json& v) { return v.is_number_integer() && v.get<std::int64_t>() > 0; }

Policy from_row(const store::Row& r) {
  Policy p;
  p.id = r.i64(0);
  p.name = r.str(1);
  p.position = static_cast<int>(r.i64(2));
  p.active = r.i64(3) != 0;
  if (auto c = parse_conditions(r.str(4)); c.ok()) p.conditions = *c;
  p.calendar_id = r.i64(5);
  p.response_minutes = r.opt_i64(6);
  p.resolution_minutes = r.opt_i64(7);
  if (auto o = parse_ola(r.str(8)); o.ok()) p.ola = *o;
  json reasons = json::parse(r.str(9), nullptr, false);
  if (reasons.is_array()) {
    for (const json& s : reasons) {
      if (s.is_string()) p.pause_reasons.push_back(s.get<std::string>());
    }
  }
  if (auto t = parse_thresholds(r.str(10)); t.ok()) p.thresholds = *t;
  p.version = r.i64(11);
  p.created_at = r.i64(12);
  p.updated_at = r.i64(13);
  return p;
}

std::string snapshot(const Policy& p) {
  auto opt = [](const std::optional<std::int64_t>& v) { return v ? json(*v) : json(nullptr); };
  return json{{"name", p.name},
              {"position", p.position},
              {"active", p.active},
              {"conditions", json::parse(conditions_json(p.conditions))},
              {"calendar_id", p.calendar_id},
              {"response_minutes", opt(p.response_minutes)},
              {"resolution_minutes", opt(p.resolution_minutes)},
              {"ola", json::parse(ola_json(p.ola))},
              {"pause_reasons", p.pause_reasons},
              {"thresholds", json::parse(thresholds_json(p.thresholds))}}
      .dump();
}

core::Result<Policy> load(store::Tx& tx, std::int64_t id) {
  auto row =
      tx.query_row(std::string("SELECT ") + kColumns + " FROM sla_policies WHERE id = ?", {id});
  if (!row.ok()) return std::move(row).error();
  if (!*row) return core::not_found("SLA policy " + std::to_string(id) + " not found");
  return from_row(**row);
}

core::Status check_exists(store::Tx& tx, const char* table, std::int64_t id, std::string field,
                          const char* noun) {
  std::string sql = "SELECT 1 FROM ";
  sql += table;
  sql += " WHERE id = ?";
  auto row = tx.query_row(sql, {id});
  if (!row.ok()) return std::move(row).error();
  if (!*row)
    return core::invalid(std::move(field),
                         std::string("no ") + noun + " with id " + std::to_string(id));
  return {};
}

core::Status check_minutes(const std::optional<std::int64_t>& m, const char* field) {
  if (m && (*m < 1 || *m > kMaxMinutes))
    return core::invalid(field, "must be between 1 minute and a year (527,040 minutes)");
  return {};
}

// Everything a stored policy must satisfy.
core::Status check_policy(store::Tx& tx, const Policy& p) {
  YW_TRY(core::check_text(p.name, "name", 100, true, core::Controls::kNone));
  const PolicyConditions& c = p.conditions;
  for (std::size_t i = 0; i < c.kinds.size(); ++i) {
    if (tickets::number_prefix(c.kinds[i]).empty())
      return core::invalid(at("conditions.kinds", i), "unknown kind");
  }
  for (std::size_t i = 0; i < c.priorities.size(); ++i) {
    if (tickets::priority_rank(c.priorities[i]) == 0)
      return core::invalid(at("conditions.priorities", i), "must be P1 to P5");
  }
  for (std::size_t i = 0; i < c.category_ids.size(); ++i) {
    YW_TRY(check_exists(tx, "ticket_categories", c.category_ids[i],
                        at("conditions.category_ids", i), "category"));
  }
  for (std::size_t i = 0; i < c.organisations.size(); ++i) {
    YW_TRY(core::check_text(c.organisations[i], at("conditions.organisations", i), 100, true,
                            core::Controls::kNone));
  }
  YW_TRY(check_exists(tx, "calendars", p.calendar_id, "calendar_id", "calendar"));
  auto cal = tx.query_row("SELECT active FROM calendars WHERE id = ?", {p.calendar_id});
  if (!cal.ok()) return std::move(cal).error();
  if (*cal && (*cal)->i64(0) == 0) return core::invalid("calendar_id", "the calendar is inactive");
  YW_TRY(check_minutes(p.response_minutes, "response_minutes"));
  YW_TRY(check_minutes(p.resolution_minutes, "resolution_minutes"));
  if (!p.response_minutes && !p.resolution_minutes)
    return core::invalid("resolution_minutes", "a policy needs a response or a resolution target");
  std::set<std::int64_t> ola_teams;
  for (std::size_t i = 0; i < p.ola.size(); ++i) {
    YW_TRY(check_exists(tx, "teams", p.ola[i].team_id, at("ola", i) + ".team_id", "team"));
    if (!ola_teams.insert(p.ola[i].team_id).second)
      return core::invalid(at("ola", i) + ".team_id", "the team has a target already");
    if (p.ola[i].minutes < 1 || p.ola[i].minutes > kMaxMinutes)
      return core::invalid(at("ola", i) + ".minutes", "must be between 1 minute and a year");
  }
  for (std::size_t i = 0; i < p.pause_reasons.size(); ++i) {
    if (std::find(p.pause_reasons.begin(), p.pause_reasons.begin() + static_cast<long>(i),
                  p.pause_reasons[i]) != p.pause_reasons.begin() + static_cast<long>(i))
      return core::invalid(at("pause_reasons", i), "is listed twice");
    if (!contains(tickets::pending_reasons(), p.pause_reasons[i]))
      return core::invalid(at("pause_reasons", i),
                           "must be a pending reason (awaiting_requester, "
                           "awaiting_vendor, awaiting_change, "
                           "awaiting_problem)");
  }
  int last = 0;
  for (std::size_t i = 0; i < p.thresholds.size(); ++i) {
    const Threshold& t = p.thresholds[i];
    std::string f = at("thresholds", i);
    if (t.percent < 1 || t.percent > 500) return core::invalid(f + ".percent", "must be 1 to 500");
    if (t.percent <= last)
      return core::invalid(f + ".percent", "thresholds go in rising order, each once");
    last = t.percent;
    for (std::size_t k = 0; k < t.actions.size(); ++k) {
      const ThresholdAction& a = t.actions[k];
      std::string af = at(f + ".actions", k);
      if (a.type == "reassign") {
        if (!a.team_id) return core::invalid(af + ".team_id", "is required to reassign");
        YW_TRY(check_exists(tx, "teams", *a.team_id, af + ".team_id", "team"));
      }
    }
  }
  return {};
}

core::Status insert_policy(store::Tx& tx, const store::Actor& actor, core::TimeMs now, Policy& p) {
  auto row = tx.query_row(
      "INSERT INTO sla_policies (name, position, active, conditions, calendar_id,"
      " response_minutes, resolution_minutes, ola, pause_reasons, thresholds, version,"
      " created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 1, ?, ?) RETURNING id",
      {p.name, std::int64_t{p.position}, std::int64_t{p.active ? 1 : 0},
       conditions_json(p.conditions), p.calendar_id, opt_value(p.response_minutes),
       opt_value(p.resolution_minutes), ola_json(p.ola), json(p.pause_reasons).dump(),
       thresholds_json(p.thresholds), now, now});
  if (!row.ok()) return std::move(row).error();
  YW_ASSIGN(p, load(tx, (*row)->i64(0)));
  auto ev =
      store::append_event(tx, actor, now, "sla_policy.create", "sla_policy", p.id, "", snapshot(p));
  if (!ev.ok()) return std::move(ev).error();
  return {};
}

}  // namespace

bool matches(const PolicyConditions& c, const PolicySubject& s) {
  if (!c.kinds.empty() && !contains(c.kinds, s.kind)) return false;
  if (!c.priorities.empty() && !contains(c.priorities, s.priority)) return false;
  if (!c.service_ids.empty() && (!s.service_id || !contains(c.service_ids, *s.service_id)))
    return false;
  if (!c.category_ids.empty()) {
    bool hit = (s.category_id && contains(c.category_ids, *s.category_id)) ||
               (s.category_parent_id && contains(c.category_ids, *s.category_parent_id));
    if (!hit) return false;
  }
  if (!c.organisations.empty() && !contains(c.organisations, s.organisation)) return false;
  return true;
}

const Policy* first_match(const std::vector<Policy>& policies, const PolicySubject& s) {
  const Policy* best = nullptr;
  for (const Policy& p : policies) {
    if (!p.active || !matches(p.conditions, s)) continue;
    if (!best || p.position < best->position || (p.position == best->position && p.id < best->id))
      best = &p;
  }
  return best;
}

std::string conditions_json(const PolicyConditions& c) {
  return json{{"kinds", c.kinds},
              {"priorities", c.priorities},
              {"service_ids", c.service_ids},
              {"category_ids", c.category_ids},
              {"organisations", c.organisations}}
      .dump();
}

std::string ola_json(const std::vector<OlaTarget>& ola) {
  json out = json::array();
  for (const OlaTarget& o : ola) out.push_back({{"team_id", o.team_id}, {"minutes", o.minutes}});
  return out.dump();
}

std::string thresholds_json(const std::vector<Threshold>& ts) {
  json out = json::array();
  for (const Threshold& t : ts) {
    json actions = json::array();
    for (const ThresholdAction& a : t.actions) {
      json j = {{"type", a.type}};
      if (!a.to.empty()) j["to"] = a.to;
      if (a.team_id) j["team_id"] = *a.team_id;
      actions.push_back(std::move(j));
    }
    out.push_back({{"percent", t.percent}, {"actions", actions}});
  }
  return out.dump();
}

core::Result<PolicyConditions> parse_conditions(std::string_view json_text) {
  json j = json::parse(json_text, nullptr, false);
  if (j.is_discarded() || !j.is_object())
    return core::invalid("conditions", "must be an object of lists");
  for (auto& [key, value] : j.items()) {
    static const std::set<std::string> kKnown = {"kinds", "priorities", "service_ids",
                                                 "category_ids", "organisations"};
    if (!kKnown.count(key))
      return core::invalid("conditions." + key,
                           "unknown condition (kinds, priorities, service_ids, category_ids, "
                           "organisations)");
  }
  PolicyConditions c;
  const std::string p = "conditions.";
  YW_ASSIGN(c.kinds, list_of<std::string>(j, "kinds", p, is_string, "strings"));
  YW_ASSIGN(c.priorities, list_of<std::string>(j, "priorities", p, is_string, "strings"));
  YW_ASSIGN(c.service_ids, list_of<std::int64_t>(j, "service_ids", p, is_id, "positive ids"));
  YW_ASSIGN(c.category_ids, list_of<std::int64_t>(j, "category_ids", p, is_id, "positive ids"));
  YW_ASSIGN(c.organisations, list_of<std::string>(j, "organisations", p, is_string, "strings"));
  return c;
}

core::Result<std::vector<OlaTarget>> parse_ola(std::string_view json_text) {
  json j = json::parse(json_text, nullptr, false);
  if (j.is_discarded() || !j.is_array() || j.size() > 50)
    return core::invalid("ola", R"(must be a list of {"team_id": id, "minutes": n})");
  std::vector<OlaTarget> out;
  for (std::size_t i = 0; i < j.size(); ++i) {
    const json& o = j[i];
    std::string f = at("ola", i);
    if (!o.is_object()) return core::invalid(f, R"(must be {"team_id": id, "minutes": n})");
    for (auto& [key, value] : o.items()) {
      if (key != "team_id" && key != "minutes")
        return core::invalid(f + "." + key, "unknown field");
    }
    auto team = o.find("team_id");
    auto minutes = o.find("minutes");
    if (team == o.end() || !is_id(*team)) return core::invalid(f + ".team_id", "must be a team id");
    if (minutes == o.end() || !minutes->is_number_integer())
      return core::invalid(f + ".minutes", "must be a whole number of minutes");
    out.push_back({team->get<std::int64_t>(), minutes->get<std::int64_t>()});
  }
  return out;
}

core::Result<std::vector<Threshold>> parse_thresholds(std::string_view json_text) {
  json j = json::parse(json_text, nullptr, false);
  if (j.is_discarded() || !j.is_array() || j.size() > 10)
    return core::invalid("thresholds",
                         R"(must be a list of up to 10 {"percent": n, "actions": [...]})");
  std::vector<Threshold> out;
  for (std::size_t i = 0; i < j.size(); ++i) {
    const json& t = j[i];
    std::string f = at("thresholds", i);
    if (!t.is_object()) return core::invalid(f, R"(must be {"percent": n, "actions": [...]})");
    for (auto& [key, value] : t.items()) {
      if (key != "percent" && key != "actions")
        return core::invalid(f + "." + key, "unknown field");
    }
    auto percent = t.find("percent");
    if (percent == t.end() || !percent->is_number_integer() || percent->get<std::int64_t>() < 1 ||
        percent->get<std::int64_t>() > 500)
      return core::invalid(f + ".percent", "must be a whole number from 1 to 500");
    Threshold th;
    th.percent = percent->get<int>();
    auto actions = t.find("actions");
    if (actions != t.end()) {
      if (!actions->is_array() || actions->size() > 10)
        return core::invalid(f + ".actions", "must be a list of up to 10 actions");
      for (std::size_t k = 0; k < actions->size(); ++k) {
        const json& a = (*actions)[k];
        std::string af = at(f + ".actions", k);
        if (!a.is_object() || !a.contains("type") || !a["type"].is_string())
          return core::invalid(af + ".type", "is required");
        for (auto& [key, value] : a.items()) {
          if (key != "type" && key != "to" && key != "team_id")
            return core::invalid(af + "." + key, "unknown field (type, to, team_id)");
        }
        ThresholdAction act;
        act.type = a["type"].get<std::string>();
        if (act.type == "notify") {
          auto to = a.find("to");
          if (to == a.end() || !to->is_string() ||
              (*to != "assignee" && *to != "team_lead" && *to != "operations"))
            return core::invalid(af + ".to", "must be assignee, team_lead or operations");
          act.to = to->get<std::string>();
        } else if (act.type == "reassign") {
          auto team = a.find("team_id");
          if (team == a.end() || !is_id(*team))
            return core::invalid(af + ".team_id", "must be a team id");
          act.team_id = team->get<std::int64_t>();
        } else if (act.type != "raise_priority" && act.type != "mark_at_risk") {
          return core::invalid(af + ".type",
                               "must be notify, reassign, raise_priority or mark_at_risk");
        }
        // A field the action does not use would be silently dropped: refuse it instead.
        if (a.contains("to") && act.type != "notify")
          return core::invalid(af + ".to", "only a notify action has a recipient");
        if (a.contains("team_id") && act.type != "reassign")
          return core::invalid(af + ".team_id", "only a reassign action has a team");
        th.actions.push_back(std::move(act));
      }
    }
    out.push_back(std::move(th));
  }
  return out;
}

std::vector<Threshold> default_thresholds() {
  return {{50, {{"notify", "assignee", {}}}},
          {75, {{"notify", "assignee", {}}, {"notify", "team_lead", {}}, {"mark_at_risk", "", {}}}},
          {100, {{"notify", "team_lead", {}}, {"notify", "operations", {}}}}};
}

std::vector<std::string> default_pause_reasons() {
  return {"awaiting_requester", "awaiting_vendor"};
}

core::Result<Policy> PolicyService::create(const store::Actor& actor, const PolicyInput& in) {
  return store::write_tx<Policy>(db_, [&](store::Tx& tx) -> core::Result<Policy> {
    Policy p;
    p.name = core::trim(in.name);
    p.active = in.active;
    p.conditions = in.conditions;
    p.calendar_id = in.calendar_id;
    p.response_minutes = in.response_minutes;
    p.resolution_minutes = in.resolution_minutes;
    p.ola = in.ola;
    p.pause_reasons = in.pause_reasons ? *in.pause_reasons : default_pause_reasons();
    p.thresholds = in.thresholds ? *in.thresholds : default_thresholds();
    if (in.position) {
      p.position = *in.position;
    } else {
      auto last = tx.query_row("SELECT COALESCE(MAX(position), 0) FROM sla_policies");
      if (!last.ok()) return std::move(last).error();
      p.position = static_cast<int>((*last)->i64(0)) + 10;
    }
    YW_TRY(check_policy(tx, p));
    YW_TRY(insert_policy(tx, actor, clock_.now_ms(), p));
    return p;
  });
}

core::Result<Policy> PolicyService::get(std::int64_t id) {
  return store::read_tx<Policy>(db_, [&](store::Tx& tx) { return load(tx, id); });
}

core::Result<std::vector<Policy>> PolicyService::list() {
  using R = std::vector<Policy>;
  return store::read_tx<R>(db_, [&](store::Tx& tx) -> core::Result<R> {
    auto rows =
        tx.query(std::string("SELECT ") + kColumns + " FROM sla_policies ORDER BY position, id");
    if (!rows.ok()) return std::move(rows).error();
    R out;
    for (const store::Row& r : *rows) out.push_back(from_row(r));
    return out;
  });
}

core::Result<Policy> PolicyService::update(const store::Actor& actor, std::int64_t id,
                                           const PolicyPatch& p) {
  return store::write_tx<Policy>(db_, [&](store::Tx& tx) -> core::Result<Policy> {
    YW_ASSIGN(Policy before, load(tx, id));
    if (before.version != p.version) {
      return core::conflict("the SLA policy was changed by someone else; reload and retry",
                            "version");
    }
    Policy after = before;
    if (p.name) after.name = core::trim(*p.name);
    if (p.position) after.position = *p.position;
    if (p.active) after.active = *p.active;
    if (p.conditions) after.conditions = *p.conditions;
    if (p.calendar_id) after.calendar_id = *p.calendar_id;
    if (p.response_minutes) after.response_minutes = *p.response_minutes;
    if (p.resolution_minutes) after.resolution_minutes = *p.resolution_minutes;
    if (p.ola) after.ola = *p.ola;
    if (p.pause_reasons) after.pause_reasons = *p.pause_reasons;
    if (p.thresholds) after.thresholds = *p.thresholds;
    YW_TRY(check_policy(tx, after));
    core::TimeMs now = clock_.now_ms();
    auto n = tx.exec(
        "UPDATE sla_policies SET name = ?, position = ?, active = ?, conditions = ?,"
        " calendar_id = ?, response_minutes = ?, resolution_minutes = ?, ola = ?,"
        " pause_reasons = ?, thresholds = ?, updated_at = ?, version = version + 1"
        " WHERE id = ? AND version = ?",
        {after.name, std::int64_t{after.position}, std::int64_t{after.active ? 1 : 0},
         conditions_json(after.conditions), after.calendar_id, opt_value(after.response_minutes),
         opt_value(after.resolution_minutes), ola_json(after.ola), json(after.pause_reasons).dump(),
         thresholds_json(after.thresholds), now, id, p.version});
    if (!n.ok()) return std::move(n).error();
    if (*n != 1)
      return core::conflict("the SLA policy was changed concurrently; reload", "version");
    YW_ASSIGN(Policy stored, load(tx, id));
    auto ev = store::append_event(tx, actor, now, "sla_policy.update", "sla_policy", id,
                                  snapshot(before), snapshot(stored));
    if (!ev.ok()) return std::move(ev).error();
    return stored;
  });
}

core::Result<std::optional<Policy>> PolicyService::match(const PolicySubject& subject) {
  PolicySubject s = subject;
  if (s.category_id && !s.category_parent_id) {
    auto parent = store::read_tx<std::optional<std::int64_t>>(
        db_, [&](store::Tx& tx) -> core::Result<std::optional<std::int64_t>> {
          auto row = tx.query_row("SELECT parent_id FROM ticket_categories WHERE id = ?",
                                  {*s.category_id});
          if (!row.ok()) return std::move(row).error();
          if (!*row) return std::optional<std::int64_t>();
          return (*row)->opt_i64(0);
        });
    if (!parent.ok()) return std::move(parent).error();
    s.category_parent_id = *parent;
  }
  YW_ASSIGN(std::vector<Policy> all, list());
  const Policy* p = first_match(all, s);
  if (!p) return std::optional<Policy>();
  return std::optional<Policy>(*p);
}

core::Status PolicyService::seed_defaults(const store::Actor& actor) {
  return db_.write([&](store::Tx& tx) -> core::Status {
    auto any = tx.query_row("SELECT 1 FROM sla_policies LIMIT 1");
    if (!any.ok()) return std::move(any).error();
    if (*any) return {};
    auto calendar = [&](const char* name) -> core::Result<std::optional<std::int64_t>> {
      auto row = tx.query_row("SELECT id FROM calendars WHERE name = ?", {std::string(name)});
      if (!row.ok()) return std::move(row).error();
      if (!*row) return std::optional<std::int64_t>();
      return std::optional<std::int64_t>((*row)->i64(0));
    };
    YW_ASSIGN(std::optional<std::int64_t> always, calendar("24×7"));
    YW_ASSIGN(std::optional<std::int64_t> office, calendar("Office hours 工作时间"));
    if (!always || !office) return {};  // the default calendars were renamed: nothing to attach to
    struct Seed {
      const char* name;
      const char* priority;
      std::int64_t calendar;
      std::int64_t response, resolution;  // 0: none
    };
    const Seed seeds[] = {
        {"P1 严重 Critical", "P1", *always, 15, 4 * 60},
        {"P2 高 High", "P2", *always, 30, 8 * 60},
        {"P3 中 Moderate", "P3", *office, 4 * 60, 24 * 60},
        {"P4 低 Low", "P4", *office, 8 * 60, 40 * 60},
        {"P5 计划 Planning", "P5", *office, 16 * 60, 0},
    };
    core::TimeMs now = clock_.now_ms();
    int position = 10;
    for (const Seed& s : seeds) {
      Policy p;
      p.name = s.name;
      p.position = position;
      position += 10;
      p.conditions.kinds = {"incident", "request"};
      p.conditions.priorities = {s.priority};
      p.calendar_id = s.calendar;
      p.response_minutes = s.response;
      if (s.resolution > 0) p.resolution_minutes = s.resolution;
      p.pause_reasons = default_pause_reasons();
      p.thresholds = default_thresholds();
      if (std::string(s.priority) == "P1") {
        // Major-incident pace: everyone hears at half time.
        p.thresholds = {{50, {{"notify", "assignee", {}}, {"notify", "team_lead", {}}}},
                        {75, {{"notify", "operations", {}}, {"mark_at_risk", "", {}}}},
                        {100, {{"notify", "team_lead", {}}, {"notify", "operations", {}}}}};
      }
      YW_TRY(insert_policy(tx, actor, now, p));
    }
    return {};
  });
}

}  // namespace yunwei::sla
