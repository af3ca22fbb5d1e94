#include "identity/team_service.h"

#include <algorithm>
#include <set>

#include "core/text.h"

namespace yunwei::identity {
namespace {

constexpr const char* kTeamColumns =
    "id, name, name_zh, description, lead_id, active, created_at, updated_at, version";

Team team_from_row(const store::Row& r) {
  Team t;
  t.id = r.i64(0);
  t.name = r.str(1);
  t.name_zh = r.str(2);
  t.description = r.str(3);
  t.lead_id = r.opt_i64(4);
  t.active = r.i64(5) != 0;
  t.created_at = r.i64(6);
  t.updated_at = r.i64(7);
  t.version = r.i64(8);
  return t;
}

core::Status load_members(store::Tx& tx, Team& t) {
  auto rows =
      tx.query("SELECT user_id FROM team_members WHERE team_id = ? ORDER BY user_id", {t.id});
  if (!rows.ok()) return std::move(rows).error();
  t.member_ids.clear();
  for (const store::Row& r : *rows) t.member_ids.push_back(r.i64(0));
  return {};
}

core::Result<Team> load_team(store::Tx& tx, std::int64_t id) {
  auto row = tx.query_row(std::string("SELECT ") + kTeamColumns + " FROM teams WHERE id = ?", {id});
  if (!row.ok()) return std::move(row).error();
  if (!*row) return core::not_found("team " + std::to_string(id) + " not found");
  Team t = team_from_row(**row);
  YW_TRY(load_members(tx, t));
  return t;
}

// Every id must be an active user.
core::Status check_users(store::Tx& tx, const std::vector<std::int64_t>& ids,
                         std::string_view field) {
  for (size_t i = 0; i < ids.size(); ++i) {
    auto row = tx.query_row("SELECT active FROM users WHERE id = ?", {ids[i]});
    if (!row.ok()) return std::move(row).error();
    std::string f = field == "lead_id" ? std::string(field)
                                       : std::string(field) + "[" + std::to_string(i) + "]";
    if (!*row) return core::invalid(f, "no user with id " + std::to_string(ids[i]));
    if ((*row)->i64(0) == 0)
      return core::invalid(f, "user " + std::to_string(ids[i]) + " is inactive");
  }
  return {};
}

core::Status set_members(store::Tx& tx, std::int64_t team_id, std::vector<std::int64_t> ids,
                         core::TimeMs now) {
  auto del = tx.exec("DELETE FROM team_members WHERE team_id = ?", {team_id});
  if (!del.ok()) return std::move(del).error();
  for (std::int64_t uid : ids) {
    auto ins = tx.exec("INSERT INTO team_members (team_id, user_id, created_at) VALUES (?, ?, ?)",
                       {team_id, uid, now});
    if (!ins.ok()) return std::move(ins).error();
  }
  return {};
}

std::vector<std::int64_t> unique_ids(std::vector<std::int64_t> ids) {
  std::sort(ids.begin(), ids.end());
  ids.erase(std::unique(ids.begin(), ids.end()), ids.end());
  return ids;
}

core::Status name_free(store::Tx& tx, const std::string& name, std::int64_t except_id) {
  auto row = tx.query_row("SELECT id FROM teams WHERE lower(name) = lower(?) AND id <> ?",
                          {name, except_id});
  if (!row.ok()) return std::move(row).error();
  if (*row) return core::conflict("a team with this name exists", "name");
  return {};
}

}  // namespace

core::Result<Team> TeamService::create(const store::Actor& actor, const NewTeam& in) {
  YW_TRY(core::check_text(in.name, "name", 100, true, core::Controls::kNone));
  YW_TRY(core::check_text(in.name_zh, "name_zh", 100, false, core::Controls::kNone));
  YW_TRY(core::check_text(in.description, "description", 2000, false));
  if (in.member_ids.size() > 1000) return core::invalid("member_ids", "at most 1000 members");
  return store::write_tx<Team>(db_, [&](store::Tx& tx) -> core::Result<Team> {
    std::string name = core::trim(in.name);
    YW_TRY(name_free(tx, name, 0));
    YW_TRY(check_users(tx, in.member_ids, "member_ids"));
    std::vector<std::int64_t> members = in.member_ids;
    store::Value lead = nullptr;
    if (in.lead_id) {
      YW_TRY(check_users(tx, {*in.lead_id}, "lead_id"));
      members.push_back(*in.lead_id);
      lead = *in.lead_id;
    }
    core::TimeMs now = clock_.now_ms();
    auto row = tx.query_row(
        "INSERT INTO teams (name, name_zh, description, lead_id, active, created_at, updated_at,"
        " version) VALUES (?, ?, ?, ?, 1, ?, ?, 1) RETURNING id",
        {name, core::trim(in.name_zh), in.description, lead, now, now});
    if (!row.ok()) return std::move(row).error();
    std::int64_t id = (*row)->i64(0);
    YW_TRY(set_members(tx, id, unique_ids(members), now));
    YW_ASSIGN(Team t, load_team(tx, id));
    auto ev = store::append_event(tx, actor, now, "team.create", "team", id, "", team_snapshot(t));
    if (!ev.ok()) return std::move(ev).error();
    return t;
  });
}

core::Result<Team> TeamService::get(std::int64_t id) {
  return store::read_tx<Team>(db_, [&](store::Tx& tx) { return load_team(tx, id); });
}

core::Result<store::Page<Team>> TeamService::list(const TeamQuery& q) {
  static const std::vector<store::SortSpec> kSorts = {
      {"id", "id", false, false},
      {"-id", "id", true, false},
      {"name", "name", false, true},
      {"-name", "name", true, true},
  };
  YW_ASSIGN(store::SortSpec sort, store::parse_sort(q.sort, kSorts));
  YW_ASSIGN(store::Keyset ks, store::make_keyset(sort, q.cursor));
  if (!core::valid_utf8(q.q) || q.q.size() > 200) return core::invalid("q", "invalid search text");
  return store::read_tx<store::Page<Team>>(
      db_, [&](store::Tx& tx) -> core::Result<store::Page<Team>> {
        std::string sql = std::string("SELECT ") + kTeamColumns + " FROM teams WHERE 1=1";
        store::Params params;
        if (!q.q.empty()) {
          std::string needle = core::ascii_lower(q.q);
          sql +=
              " AND (" + tx.contains_sql("lower(name)") + " OR " + tx.contains_sql("name_zh") + ")";
          params.insert(params.end(), {needle, q.q});
        }
        if (q.active) {
          sql += " AND active = ?";
          params.emplace_back(std::int64_t{*q.active ? 1 : 0});
        }
        if (q.member_id) {
          sql += " AND id IN (SELECT team_id FROM team_members WHERE user_id = ?)";
          params.emplace_back(*q.member_id);
        }
        store::append_page_clause(sql, params, ks, q.limit);
        auto rows = tx.query(sql, params);
        if (!rows.ok()) return std::move(rows).error();
        store::Page<Team> page;
        for (const store::Row& r : *rows) page.items.push_back(team_from_row(r));
        store::finish_page(page, q.limit, sort, [&](const Team& t) -> store::Value {
          if (sort.column == "name") return t.name;
          return t.id;
        });
        for (Team& t : page.items) YW_TRY(load_members(tx, t));
        return page;
      });
}

core::Result<Team> TeamService::update(const store::Actor& actor, std::int64_t id,
                                       const TeamPatch& p) {
  if (p.name) YW_TRY(core::check_text(*p.name, "name", 100, true, core::Controls::kNone));
  if (p.name_zh) YW_TRY(core::check_text(*p.name_zh, "name_zh", 100, false, core::Controls::kNone));
  if (p.description) YW_TRY(core::check_text(*p.description, "description", 2000, false));
  if (p.member_ids && p.member_ids->size() > 1000) {
    return core::invalid("member_ids", "at most 1000 members");
  }
  return store::write_tx<Team>(db_, [&](store::Tx& tx) -> core::Result<Team> {
    YW_ASSIGN(Team before, load_team(tx, id));
    if (before.version != p.version) {
      return core::conflict("the team was changed by someone else (version " +
                                std::to_string(before.version) + "); reload and retry",
                            "version");
    }
    Team after = before;
    if (p.name) {
      after.name = core::trim(*p.name);
      YW_TRY(name_free(tx, after.name, id));
    }
    if (p.name_zh) after.name_zh = core::trim(*p.name_zh);
    if (p.description) after.description = *p.description;
    if (p.member_ids) {
      YW_TRY(check_users(tx, *p.member_ids, "member_ids"));
      after.member_ids = *p.member_ids;
    }
    if (p.lead_id) {
      after.lead_id = *p.lead_id;
      if (after.lead_id && after.lead_id != before.lead_id) {
        YW_TRY(check_users(tx, {*after.lead_id}, "lead_id"));
      }
    }
    if (after.lead_id) after.member_ids.push_back(*after.lead_id);
    after.member_ids = unique_ids(after.member_ids);
    core::TimeMs now = clock_.now_ms();
    store::Value lead = nullptr;
    if (after.lead_id) lead = *after.lead_id;
    auto n = tx.exec(
        "UPDATE teams SET name = ?, name_zh = ?, description = ?, lead_id = ?, updated_at = ?,"
        " version = version + 1 WHERE id = ? AND version = ?",
        {after.name, after.name_zh, after.description, lead, now, id, p.version});
    if (!n.ok()) return std::move(n).error();
    if (*n != 1) return core::conflict("the team was changed concurrently; reload", "version");
    if (after.member_ids != before.member_ids) YW_TRY(set_members(tx, id, after.member_ids, now));
    YW_ASSIGN(Team stored, load_team(tx, id));
    auto ev = store::append_event(tx, actor, now, "team.update", "team", id, team_snapshot(before),
                                  team_snapshot(stored));
    if (!ev.ok()) return std::move(ev).error();
    return stored;
  });
}

core::Result<Team> TeamService::set_active(const store::Actor& actor, std::int64_t id, bool active,
                                           std::optional<std::int64_t> version) {
  return store::write_tx<Team>(db_, [&](store::Tx& tx) -> core::Result<Team> {
    YW_ASSIGN(Team before, load_team(tx, id));
    if (version && *version != before.version) {
      return core::conflict("the team was changed by someone else; reload and retry", "version");
    }
    if (before.active == active) return before;
    core::TimeMs now = clock_.now_ms();
    auto n =
        tx.exec("UPDATE teams SET active = ?, updated_at = ?, version = version + 1 WHERE id = ?",
                {std::int64_t{active ? 1 : 0}, now, id});
    if (!n.ok()) return std::move(n).error();
    YW_ASSIGN(Team stored, load_team(tx, id));
    auto ev = store::append_event(tx, actor, now, active ? "team.activate" : "team.deactivate",
                                  "team", id, team_snapshot(before), team_snapshot(stored));
    if (!ev.ok()) return std::move(ev).error();
    return stored;
  });
}

core::Status TeamService::seed_default_teams(const store::Actor& actor) {
  struct Seed {
    const char* name;
    const char* name_zh;
    const char* description;
  };
  static const Seed kSeeds[] = {
      {"Service Desk", "服务台", "Single point of contact for every request and fault"},
      {"Infrastructure Operations", "基础设施运维", "Servers, storage, network, data centre"},
      {"Application Operations", "应用运维", "Business applications, middleware, databases"},
      {"Security Operations", "安全运维", "Security monitoring, incidents and hardening"},
      {"Automation & Platform", "自动化与平台", "Automation, tooling and the operations platform"},
      {"Operations Management", "运维管理", "Service levels, reporting and continual improvement"},
      {"Change Advisory Board", "变更咨询委员会", "Authorises medium and high risk changes"},
      {"Emergency Change Advisory Board", "紧急变更咨询委员会",
       "Authorises emergency changes at short notice"},
  };
  // One transaction for all of them: this runs on every start.
  return db_.write([&](store::Tx& tx) -> core::Status {
    for (const Seed& s : kSeeds) {
      auto row = tx.query_row("SELECT id FROM teams WHERE name = ?", {std::string(s.name)});
      if (!row.ok()) return std::move(row).error();
      if (*row) continue;
      core::TimeMs now = clock_.now_ms();
      auto ins = tx.query_row(
          "INSERT INTO teams (name, name_zh, description, active, created_at, updated_at, version)"
          " VALUES (?, ?, ?, 1, ?, ?, 1) RETURNING id",
          {std::string(s.name), std::string(s.name_zh), std::string(s.description), now, now});
      if (!ins.ok()) return std::move(ins).error();
      YW_ASSIGN(Team t, load_team(tx, (*ins)->i64(0)));
      auto ev =
          store::append_event(tx, actor, now, "team.create", "team", t.id, "", team_snapshot(t));
      if (!ev.ok()) return std::move(ev).error();
    }
    return {};
  });
}

}  // namespace yunwei::identity
