#include "tickets/config.h"

#include <mutex>
#include <nlohmann/json.hpp>

#include "tickets/internal.h"

namespace yunwei::tickets {
namespace {

using nlohmann::json;

constexpr const char* kSettingsKey = "tickets.settings";
constexpr const char* kMatrixKey = "tickets.priority_matrix";

core::Result<std::optional<json>> read_meta(store::Tx& tx, const char* key) {
  auto row = tx.query_row("SELECT value FROM meta WHERE key = ?", {std::string(key)});
  if (!row.ok()) return std::move(row).error();
  if (!*row) return std::optional<json>();
  json j = json::parse((*row)->str(0), nullptr, false);
  if (j.is_discarded() || !j.is_object()) return core::internal(std::string(key) + " is corrupt");
  return std::optional<json>(std::move(j));
}

core::Status write_meta(store::Tx& tx, const char* key, const json& value) {
  auto n = tx.exec(
      "INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = "
      "excluded.value",
      {std::string(key), value.dump()});
  if (!n.ok()) return std::move(n).error();
  return {};
}

std::optional<std::int64_t> opt_id(const json& j, const char* name) {
  auto it = j.find(name);
  if (it == j.end() || !it->is_number_integer()) return std::nullopt;
  return it->get<std::int64_t>();
}

json id_json(const std::optional<std::int64_t>& v) { return v ? json(*v) : json(nullptr); }

json settings_json(const TicketSettings& s) {
  return {{"auto_close_days", s.auto_close_days},
          {"service_desk_team_id", id_json(s.service_desk_team_id)},
          {"security_team_id", id_json(s.security_team_id)},
          {"operations_team_id", id_json(s.operations_team_id)},
          {"requesters_see_organisation", s.requesters_see_organisation},
          {"attachment_max_bytes", s.attachment_max_bytes},
          {"version", s.version}};
}

json matrix_json(const PriorityMatrix& m, std::int64_t version) {
  return {{"impact_levels", m.impact_levels},
          {"urgency_levels", m.urgency_levels},
          {"cells", m.cells},
          {"version", version}};
}

core::Status check_team(store::Tx& tx, const std::optional<std::int64_t>& id, const char* field) {
  if (!id) return {};
  return detail::check_active(tx, detail::Record::kTeam, *id, field);
}

}  // namespace

namespace {

// The value parsed from the stored text last time: every ticket write reads the settings and
// the matrix, and parsing the same text again gives the same value. Keyed by the text, so a
// change made by any node is seen at once.
template <class T>
class LastParsed {
 public:
  template <class Parse>
  core::Result<T> get(const std::string& text, Parse&& parse) {
    {
      std::lock_guard lock(mu_);
      if (value_ && text_ == text) return *value_;
    }
    json j = json::parse(text, nullptr, false);
    if (j.is_discarded() || !j.is_object())
      return core::internal("stored configuration is corrupt");
    core::Result<T> r = parse(j);
    if (!r.ok()) return r;
    std::lock_guard lock(mu_);
    text_ = text;
    value_ = r.value();
    return r;
  }

 private:
  std::mutex mu_;
  std::string text_;
  std::optional<T> value_;
};

core::Result<std::optional<std::string>> read_meta_text(store::Tx& tx, const char* key) {
  auto row = tx.query_row("SELECT value FROM meta WHERE key = ?", {std::string(key)});
  if (!row.ok()) return std::move(row).error();
  if (!*row) return std::optional<std::string>();
  return std::optional<std::string>((*row)->str(0));
}

}  // namespace

core::Result<TicketSettings> load_settings(store::Tx& tx) {
  static LastParsed<TicketSettings> last;
  YW_ASSIGN(std::optional<std::string> text, read_meta_text(tx, kSettingsKey));
  if (!text) return TicketSettings{};
  return last.get(*text, [](const json& j) -> core::Result<TicketSettings> {
    TicketSettings s;
    s.auto_close_days = j.value("auto_close_days", s.auto_close_days);
    s.service_desk_team_id = opt_id(j, "service_desk_team_id");
    s.security_team_id = opt_id(j, "security_team_id");
    s.operations_team_id = opt_id(j, "operations_team_id");
    s.requesters_see_organisation =
        j.value("requesters_see_organisation", s.requesters_see_organisation);
    s.attachment_max_bytes = j.value("attachment_max_bytes", s.attachment_max_bytes);
    s.version = j.value("version", std::int64_t{1});
    return s;
  });
}

core::Result<PriorityMatrix> load_matrix(store::Tx& tx) {
  static LastParsed<PriorityMatrix> last;
  YW_ASSIGN(std::optional<std::string> text, read_meta_text(tx, kMatrixKey));
  if (!text) return PriorityMatrix::standard();
  return last.get(*text, [](const json& j) -> core::Result<PriorityMatrix> {
    PriorityMatrix m;
    m.impact_levels = j.value("impact_levels", 3);
    m.urgency_levels = j.value("urgency_levels", 3);
    m.cells = j.value("cells", std::vector<std::string>{});
    if (!m.validate().ok()) return core::internal("the stored priority matrix is invalid");
    return m;
  });
}

core::Result<TicketSettings> TicketConfig::settings() {
  return store::read_tx<TicketSettings>(db_, [](store::Tx& tx) { return load_settings(tx); });
}

core::Result<TicketSettings> TicketConfig::update_settings(const store::Actor& actor,
                                                           const SettingsPatch& p) {
  if (p.auto_close_days && (*p.auto_close_days < 0 || *p.auto_close_days > 365)) {
    return core::invalid("auto_close_days", "must be between 0 and 365");
  }
  if (p.attachment_max_bytes &&
      (*p.attachment_max_bytes < 1024 || *p.attachment_max_bytes > 1024LL * 1024 * 1024)) {
    return core::invalid("attachment_max_bytes", "must be between 1024 and 1073741824");
  }
  return store::write_tx<TicketSettings>(db_, [&](store::Tx& tx) -> core::Result<TicketSettings> {
    YW_ASSIGN(TicketSettings before, load_settings(tx));
    if (p.version != before.version) {
      return core::conflict("the settings were changed by someone else (version " +
                                std::to_string(before.version) + "); reload and retry",
                            "version");
    }
    TicketSettings after = before;
    if (p.auto_close_days) after.auto_close_days = *p.auto_close_days;
    if (p.service_desk_team_id) after.service_desk_team_id = *p.service_desk_team_id;
    if (p.security_team_id) after.security_team_id = *p.security_team_id;
    if (p.operations_team_id) after.operations_team_id = *p.operations_team_id;
    if (p.requesters_see_organisation)
      after.requesters_see_organisation = *p.requesters_see_organisation;
    if (p.attachment_max_bytes) after.attachment_max_bytes = *p.attachment_max_bytes;
    if (p.service_desk_team_id)
      YW_TRY(check_team(tx, after.service_desk_team_id, "service_desk_team_id"));
    if (p.security_team_id) YW_TRY(check_team(tx, after.security_team_id, "security_team_id"));
    if (p.operations_team_id)
      YW_TRY(check_team(tx, after.operations_team_id, "operations_team_id"));
    after.version = before.version + 1;
    YW_TRY(write_meta(tx, kSettingsKey, settings_json(after)));
    auto ev = store::append_event(tx, actor, clock_.now_ms(), "ticket_settings.update",
                                  "ticket_settings", std::nullopt, settings_json(before).dump(),
                                  settings_json(after).dump());
    if (!ev.ok()) return std::move(ev).error();
    return after;
  });
}

core::Result<std::pair<PriorityMatrix, std::int64_t>> TicketConfig::matrix() {
  using R = std::pair<PriorityMatrix, std::int64_t>;
  return store::read_tx<R>(db_, [](store::Tx& tx) -> core::Result<R> {
    YW_ASSIGN(std::optional<json> j, read_meta(tx, kMatrixKey));
    YW_ASSIGN(PriorityMatrix m, load_matrix(tx));
    return R{m, j ? j->value("version", std::int64_t{1}) : 0};
  });
}

core::Result<std::pair<PriorityMatrix, std::int64_t>> TicketConfig::set_matrix(
    const store::Actor& actor, const PriorityMatrix& m, std::int64_t version) {
  using R = std::pair<PriorityMatrix, std::int64_t>;
  YW_TRY(m.validate());
  return store::write_tx<R>(db_, [&](store::Tx& tx) -> core::Result<R> {
    YW_ASSIGN(std::optional<json> j, read_meta(tx, kMatrixKey));
    std::int64_t current = j ? j->value("version", std::int64_t{1}) : 0;
    if (current != version) {
      return core::conflict("the matrix was changed by someone else (version " +
                                std::to_string(current) + "); reload and retry",
                            "version");
    }
    YW_ASSIGN(PriorityMatrix before, load_matrix(tx));
    YW_TRY(write_meta(tx, kMatrixKey, matrix_json(m, current + 1)));
    auto ev = store::append_event(
        tx, actor, clock_.now_ms(), "priority_matrix.update", "priority_matrix", std::nullopt,
        matrix_json(before, current).dump(), matrix_json(m, current + 1).dump());
    if (!ev.ok()) return std::move(ev).error();
    return R{m, current + 1};
  });
}

core::Status TicketConfig::seed_defaults(const store::Actor& actor) {
  return db_.write([&](store::Tx& tx) -> core::Status {
    YW_ASSIGN(std::optional<json> existing, read_meta(tx, kSettingsKey));
    if (existing) return {};
    auto team = [&](const char* name) -> core::Result<std::optional<std::int64_t>> {
      auto row = tx.query_row("SELECT id FROM teams WHERE name = ?", {std::string(name)});
      if (!row.ok()) return std::move(row).error();
      if (!*row) return std::optional<std::int64_t>();
      return std::optional<std::int64_t>((*row)->i64(0));
    };
    TicketSettings s;
    YW_ASSIGN(s.service_desk_team_id, team("Service Desk"));
    YW_ASSIGN(s.security_team_id, team("Security Operations"));
    YW_ASSIGN(s.operations_team_id, team("Operations Management"));
    s.version = 1;
    YW_TRY(write_meta(tx, kSettingsKey, settings_json(s)));
    auto ev = store::append_event(tx, actor, clock_.now_ms(), "ticket_settings.update",
                                  "ticket_settings", std::nullopt, "", settings_json(s).dump());
    if (!ev.ok()) return std::move(ev).error();
    return {};
  });
}

}  // namespace yunwei::tickets
