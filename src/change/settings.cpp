#include "change/settings.h"

#include <nlohmann/json.hpp>

namespace yunwei::change {
namespace {

using nlohmann::json;

constexpr const char* kKey = "change.settings";

json id_json(const std::optional<std::int64_t>& v) { return v ? json(*v) : json(nullptr); }

json to_json(const ChangeSettings& s) {
  return {{"cab_team_id", id_json(s.cab_team_id)},
          {"ecab_team_id", id_json(s.ecab_team_id)},
          {"questionnaire", json::parse(questionnaire_json(s.questionnaire))},
          {"candidate_window_days", s.candidate_window_days},
          {"candidate_min_incidents", s.candidate_min_incidents},
          {"version", s.version}};
}

core::Status write(store::Tx& tx, const ChangeSettings& s) {
  auto n = tx.exec(
      "INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = "
      "excluded.value",
      {std::string(kKey), to_json(s).dump()});
  if (!n.ok()) return std::move(n).error();
  return {};
}

core::Status check_team(store::Tx& tx, const std::optional<std::int64_t>& id, const char* field) {
  if (!id) return {};
  auto row = tx.query_row("SELECT active FROM teams WHERE id = ?", {*id});
  if (!row.ok()) return std::move(row).error();
  if (!*row) return core::invalid(field, "no team with id " + std::to_string(*id));
  if ((*row)->i64(0) == 0) return core::invalid(field, "the team is inactive");
  return {};
}

}  // namespace

core::Result<ChangeSettings> load_settings(store::Tx& tx) {
  auto row = tx.query_row("SELECT value FROM meta WHERE key = ?", {std::string(kKey)});
  if (!row.ok()) return std::move(row).error();
  ChangeSettings s;
  if (!*row) return s;
  json j = json::parse((*row)->str(0), nullptr, false);
  if (j.is_discarded() || !j.is_object()) return core::internal("change.settings is corrupt");
  auto id = [&](const char* k) -> std::optional<std::int64_t> {
    auto it = j.find(k);
    if (it == j.end() || !it->is_number_integer()) return std::nullopt;
    return it->get<std::int64_t>();
  };
  s.cab_team_id = id("cab_team_id");
  s.ecab_team_id = id("ecab_team_id");
  if (auto it = j.find("questionnaire"); it != j.end()) {
    YW_ASSIGN(s.questionnaire, parse_questionnaire(it->dump()));
  }
  s.candidate_window_days = j.value("candidate_window_days", 30);
  s.candidate_min_incidents = j.value("candidate_min_incidents", 3);
  s.version = j.value("version", std::int64_t{0});
  return s;
}

std::string settings_json(const ChangeSettings& s) { return to_json(s).dump(); }

core::Result<ChangeSettings> update_settings(store::Database& db, const core::Clock& clock,
                                             const store::Actor& actor,
                                             const ChangeSettingsPatch& p) {
  std::optional<Questionnaire> q;
  if (p.questionnaire_json) {
    auto parsed = parse_questionnaire(*p.questionnaire_json);
    if (!parsed.ok()) {
      core::Error e = parsed.error();
      e.field = e.field.empty() ? "questionnaire" : "questionnaire." + e.field;
      return e;
    }
    q = std::move(parsed).value();
  }
  if (p.candidate_window_days && (*p.candidate_window_days < 1 || *p.candidate_window_days > 365))
    return core::invalid("candidate_window_days", "must be between 1 and 365");
  if (p.candidate_min_incidents &&
      (*p.candidate_min_incidents < 2 || *p.candidate_min_incidents > 1000))
    return core::invalid("candidate_min_incidents", "must be between 2 and 1000");
  return store::write_tx<ChangeSettings>(db, [&](store::Tx& tx) -> core::Result<ChangeSettings> {
    // Lock the settings row first (PostgreSQL: two admins at the same version would both pass
    // the check below otherwise; the second now waits and then sees the new version).
    auto lock = tx.exec("UPDATE meta SET value = value WHERE key = ?", {std::string(kKey)});
    if (!lock.ok()) return std::move(lock).error();
    YW_ASSIGN(ChangeSettings before, load_settings(tx));
    if (p.version != before.version) {
      return core::conflict("the settings were changed by someone else (version " +
                                std::to_string(before.version) + "); reload and retry",
                            "version");
    }
    ChangeSettings after = before;
    if (p.cab_team_id) {
      YW_TRY(check_team(tx, *p.cab_team_id, "cab_team_id"));
      after.cab_team_id = *p.cab_team_id;
    }
    if (p.ecab_team_id) {
      YW_TRY(check_team(tx, *p.ecab_team_id, "ecab_team_id"));
      after.ecab_team_id = *p.ecab_team_id;
    }
    if (q) after.questionnaire = *q;
    if (p.candidate_window_days) after.candidate_window_days = *p.candidate_window_days;
    if (p.candidate_min_incidents) after.candidate_min_incidents = *p.candidate_min_incidents;
    after.version = before.version + 1;
    YW_TRY(write(tx, after));
    auto ev =
        store::append_event(tx, actor, clock.now_ms(), "change_settings.update", "change_settings",
                            std::nullopt, to_json(before).dump(), to_json(after).dump());
    if (!ev.ok()) return std::move(ev).error();
    return after;
  });
}

core::Status seed_settings(store::Database& db, const core::Clock& clock,
                           const store::Actor& actor) {
  return db.write([&](store::Tx& tx) -> core::Status {
    auto row = tx.query_row("SELECT 1 FROM meta WHERE key = ?", {std::string(kKey)});
    if (!row.ok()) return std::move(row).error();
    if (*row) return {};
    auto team = [&](const char* name) -> core::Result<std::optional<std::int64_t>> {
      auto r = tx.query_row("SELECT id FROM teams WHERE name = ?", {std::string(name)});
      if (!r.ok()) return std::move(r).error();
      if (!*r) return std::optional<std::int64_t>();
      return std::optional<std::int64_t>((*r)->i64(0));
    };
    ChangeSettings s;
    YW_ASSIGN(s.cab_team_id, team("Change Advisory Board"));
    YW_ASSIGN(s.ecab_team_id, team("Emergency Change Advisory Board"));
    s.version = 1;
    YW_TRY(write(tx, s));
    auto ev = store::append_event(tx, actor, clock.now_ms(), "change_settings.update",
                                  "change_settings", std::nullopt, "", to_json(s).dump());
    if (!ev.ok()) return std::move(ev).error();
    return {};
  });
}

}  // namespace yunwei::change
