#include "sla/tracker.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <chrono>
#include <future>
#include <nlohmann/json.hpp>
#include <set>
#include <unordered_map>

#include "sla/ticket_sla.h"
#include "store/audit.h"
#include "tickets/ticket.h"

namespace yunwei::sla {

using nlohmann::json;

std::string threshold_key(const MetricResult& m, int percent) {
  std::string key = m.metric;
  if (m.metric == "ola" && m.team_id) key += ':' + std::to_string(*m.team_id);
  key += ':';
  key += std::to_string(percent);
  return key;
}

bool has_fired(std::string_view fired, std::string_view key) {
  // " key1 key2 " : every key is surrounded by spaces.
  for (std::size_t pos = fired.find(key); pos != std::string_view::npos;
       pos = fired.find(key, pos + 1)) {
    bool starts = pos > 0 && fired[pos - 1] == ' ';
    bool ends = pos + key.size() < fired.size() && fired[pos + key.size()] == ' ';
    if (starts && ends) return true;
  }
  return false;
}

std::string add_fired(std::string_view fired, std::string_view key) {
  std::string out(fired.empty() ? " " : fired);
  out += key;
  out += ' ';
  return out;
}

core::Result<std::shared_ptr<const CompiledCalendar>> SlaConfig::calendar(std::int64_t id) {
  if (auto it = compiled_.find(id); it != compiled_.end()) return it->second;
  YW_ASSIGN(std::shared_ptr<const CompiledCalendar> c, calendars_.compiled(id));
  compiled_[id] = c;
  return c;
}

namespace {

bool stopped(const MetricResult& m) {
  return m.stopped_at.has_value() || m.state == ClockState::kCancelled;
}

// The percentages a policy fires at: its thresholds, and the breach (100 %) always.
std::vector<int> firing_percents(const Policy& p) {
  std::vector<int> out;
  for (const Threshold& t : p.thresholds) out.push_back(t.percent);
  if (std::find(out.begin(), out.end(), 100) == out.end()) out.push_back(100);
  std::sort(out.begin(), out.end());
  return out;
}

store::Value opt(const std::optional<std::int64_t>& v) {
  if (v) return *v;
  return nullptr;
}

store::Value opt_text(const std::optional<MetricColumns>& m) {
  if (m) return m->state;
  return nullptr;
}

constexpr const char* kUpsertSql =
    "INSERT INTO ticket_sla (ticket_id, open, policy_id, calendar_id, history, response_state,"
    " response_target, response_due, response_breached_at, response_stopped_at,"
    " resolution_state, resolution_target, resolution_due, resolution_breached_at,"
    " resolution_stopped_at, ola_team_id, ola_state, ola_target, ola_due, ola_breached_at,"
    " ola_stopped_at, flag, due_at, next_at, eval_hash, eval_hash_cold, evaluated_at) VALUES (?,"
    " ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT"
    " (ticket_id) DO UPDATE SET"
    " open = excluded.open, policy_id = excluded.policy_id, calendar_id = excluded.calendar_id,"
    " history = excluded.history, response_state = excluded.response_state,"
    " response_target = excluded.response_target, response_due = excluded.response_due,"
    " response_breached_at = excluded.response_breached_at,"
    " response_stopped_at = excluded.response_stopped_at,"
    " resolution_state = excluded.resolution_state,"
    " resolution_target = excluded.resolution_target, resolution_due = excluded.resolution_due,"
    " resolution_breached_at = excluded.resolution_breached_at,"
    " resolution_stopped_at = excluded.resolution_stopped_at,"
    " ola_team_id = excluded.ola_team_id, ola_state = excluded.ola_state,"
    " ola_target = excluded.ola_target, ola_due = excluded.ola_due,"
    " ola_breached_at = excluded.ola_breached_at, ola_stopped_at = excluded.ola_stopped_at,"
    " flag = CASE WHEN excluded.flag = 'ok' AND ticket_sla.marked_at_risk = 1 AND ? = 1 THEN"
    " 'at_risk' ELSE excluded.flag END, due_at = excluded.due_at, next_at = excluded.next_at,"
    " eval_hash = excluded.eval_hash, eval_hash_cold = excluded.eval_hash_cold,"
    " evaluated_at = excluded.evaluated_at";

core::Status write_row(store::Tx& tx, const SlaRow& r, core::TimeMs now) {
  store::Params p;
  p.reserve(26);
  p.emplace_back(r.ticket_id);
  p.emplace_back(std::int64_t{r.open ? 1 : 0});
  p.push_back(opt(r.policy_id));
  p.push_back(opt(r.calendar_id));
  p.emplace_back(r.history);
  for (const std::optional<MetricColumns>* m : {&r.response, &r.resolution, &r.ola}) {
    if (m == &r.ola) p.push_back(opt(r.ola_team_id));
    p.push_back(opt_text(*m));
    if (*m) {
      p.emplace_back((*m)->target);
      p.push_back(opt((*m)->due));
      p.push_back(opt((*m)->breached_at));
      p.push_back(opt((*m)->stopped_at));
    } else {
      for (int i = 0; i < 4; ++i) p.emplace_back(nullptr);
    }
  }
  p.emplace_back(r.flag);
  p.push_back(opt(r.due_at));
  p.push_back(opt(r.next_at));
  p.emplace_back(r.digest());
  p.emplace_back(r.cold_digest());
  p.emplace_back(now);
  p.emplace_back(std::int64_t{r.active ? 1 : 0});
  auto n = tx.exec(kUpsertSql, p);
  if (!n.ok()) return std::move(n).error();
  return {};
}

// The policy subject and status of tickets (one query per 500), keyed by id.
core::Status load_subjects(store::Tx& tx, const std::vector<std::int64_t>& ids,
                           std::unordered_map<std::int64_t, TicketFacts>& out) {
  constexpr std::size_t kChunk = 500;
  for (std::size_t i = 0; i < ids.size(); i += kChunk) {
    std::string sql = std::string("SELECT t.id, ") + kSubjectColumns + " FROM tickets t" +
                      kSubjectJoins + " WHERE t.id IN (";
    store::Params params;
    store::append_in_list(sql, params, ids, i, i + kChunk);
    sql += ")";
    auto rows = tx.query(sql, params);
    if (!rows.ok()) return std::move(rows).error();
    for (const store::Row& r : *rows) {
      TicketFacts f;
      f.id = r.i64(0);
      f.subject = subject_from_row(r, 1);
      f.status = r.str(7);
      out[f.id] = std::move(f);
    }
  }
  return {};
}

core::Result<std::unordered_map<std::int64_t, std::string>> load_fired(
    store::Tx& tx, const std::vector<std::int64_t>& ids) {
  std::unordered_map<std::int64_t, std::string> out;
  constexpr std::size_t kChunk = 500;
  for (std::size_t i = 0; i < ids.size(); i += kChunk) {
    std::string sql = "SELECT ticket_id, fired FROM ticket_sla WHERE ticket_id IN (";
    store::Params params;
    store::append_in_list(sql, params, ids, i, i + kChunk);
    sql += ")";
    auto rows = tx.query(sql, params);
    if (!rows.ok()) return std::move(rows).error();
    for (const store::Row& r : *rows) out[r.i64(0)] = r.str(1);
  }
  return out;
}

core::Status set_meta(store::Tx& tx, std::string_view key, const std::string& value) {
  auto n = tx.exec(
      "INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value ="
      " excluded.value",
      {std::string(key), value});
  if (!n.ok()) return std::move(n).error();
  return {};
}

core::Result<std::optional<std::string>> get_meta(store::Tx& tx, std::string_view key) {
  auto row = tx.query_row("SELECT value FROM meta WHERE key = ?", {std::string(key)});
  if (!row.ok()) return std::move(row).error();
  if (!*row) return std::optional<std::string>();
  return std::optional<std::string>((*row)->str(0));
}

std::int64_t steady_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

}  // namespace

namespace {

// FNV-1a over values, each followed by a separator.
class Fnv {
 public:
  void bytes(const void* p, std::size_t n) {
    const auto* c = static_cast<const unsigned char*>(p);
    for (std::size_t i = 0; i < n; ++i) h_ = (h_ ^ c[i]) * 1099511628211ULL;
  }
  void num(const std::optional<std::int64_t>& v) {
    std::int64_t x = v ? *v : INT64_MIN;
    bytes(&x, sizeof x);
  }
  void text(std::string_view v) {
    bytes(v.data(), v.size());
    bytes("|", 1);
  }
  std::int64_t value() const { return static_cast<std::int64_t>(h_); }

 private:
  std::uint64_t h_ = 1469598103934665603ULL;
};

}  // namespace

std::int64_t SlaRow::digest() const {
  Fnv f;
  for (const std::optional<MetricColumns>* m : {&response, &resolution, &ola}) {
    f.text(*m ? std::string_view((*m)->state) : std::string_view("-"));
    f.num(*m ? (*m)->due : std::nullopt);
  }
  f.num(due_at);
  f.num(next_at);
  return f.value();
}

std::int64_t SlaRow::cold_digest() const {
  Fnv f;
  f.num(open ? 1 : 0);
  f.num(policy_id);
  f.num(calendar_id);
  for (const std::optional<MetricColumns>* m : {&response, &resolution, &ola}) {
    if (!*m) {
      f.text("-");
      continue;
    }
    f.num((*m)->target);
    f.num((*m)->breached_at);
    f.num((*m)->stopped_at);
  }
  f.num(ola_team_id);
  f.text(flag);
  f.num(active ? 1 : 0);
  return f.value();
}

core::Result<SlaRow> evaluate_row(const TicketFacts& t, core::TimeMs now, SlaConfig& config,
                                  std::string_view fired, bool with_history,
                                  std::vector<MetricResult>* metrics, const Policy** policy,
                                  std::shared_ptr<const CompiledCalendar>* compiled) {
  SlaRow row;
  row.ticket_id = t.id;
  row.open = tickets::is_open_status(t.status);
  if (with_history) row.history = encode_history(t.history);
  const Policy* p = first_match(config.policies(), t.subject);
  if (policy) *policy = p;
  if (!p || t.history.empty()) return row;
  YW_ASSIGN(std::shared_ptr<const CompiledCalendar> cal, config.calendar(p->calendar_id));
  if (compiled) *compiled = cal;
  row.policy_id = p->id;
  row.calendar_id = p->calendar_id;
  std::vector<MetricResult> ms = evaluate(t.history, now, *p, *cal);
  std::vector<int> percents = firing_percents(*p);
  bool breached = false;
  for (const MetricResult& m : ms) {
    MetricColumns c;
    c.state = clock_state_name(m.state);
    c.target = m.target_ms;
    c.due = m.due;
    if (!c.due && m.running && m.breached_at) c.due = m.breached_at;
    c.breached_at = m.breached_at;
    c.stopped_at = m.stopped_at;
    if (m.state == ClockState::kBreached) breached = true;
    if (!stopped(m)) {
      row.active = true;
      for (int percent : percents) {
        if (has_fired(fired, threshold_key(m, percent))) continue;
        std::optional<core::TimeMs> at = m.reached_at(percent, *cal);
        if (!at || *at < now - kStaleThresholdMs) continue;  // too old to act on
        if (!row.next_at || *at < *row.next_at) row.next_at = at;
      }
    }
    if (m.running && c.due && (!row.due_at || *c.due < *row.due_at)) row.due_at = c.due;
    if (m.metric == "response") {
      row.response = std::move(c);
    } else if (m.metric == "resolution") {
      row.resolution = std::move(c);
    } else {
      row.ola = std::move(c);
      row.ola_team_id = m.team_id;
    }
  }
  row.flag = breached ? "breached" : "ok";
  if (metrics) *metrics = std::move(ms);
  return row;
}

core::Result<SlaConfig> SlaTracker::load_config() {
  YW_ASSIGN(std::vector<Policy> all, policies_.list());
  SlaConfig config(calendars_, std::move(all));
  // Compiled now, so that evaluating inside a transaction never needs a second connection.
  for (const Policy& p : config.policies()) {
    if (!p.active) continue;
    auto compiled = config.calendar(p.calendar_id);
    if (!compiled.ok()) return std::move(compiled).error();
  }
  return config;
}

core::Result<std::string> SlaTracker::config_fingerprint() {
  return store::read_tx<std::string>(db_, [&](store::Tx& tx) -> core::Result<std::string> {
    std::string out;
    for (const char* table : {"sla_policies", "calendars", "holiday_sets"}) {
      auto row = tx.query_row(std::string("SELECT COUNT(*), COALESCE(SUM(version), 0),"
                                          " COALESCE(MAX(id), 0) FROM ") +
                              table);
      if (!row.ok()) return std::move(row).error();
      out += std::to_string((*row)->i64(0)) + ',' + std::to_string((*row)->i64(1)) + ',' +
             std::to_string((*row)->i64(2)) + ';';
    }
    return out;
  });
}

core::Status SlaTracker::refresh(const std::vector<std::int64_t>& ticket_ids,
                                 std::optional<std::int64_t> watermark) {
  YW_ASSIGN(SlaConfig config, load_config());
  std::unordered_map<std::int64_t, TicketFacts> facts;
  std::unordered_map<std::int64_t, std::string> fired;
  core::Status db_status_1 = db_.read([&](store::Tx& tx) -> core::Status {
    YW_TRY(load_subjects(tx, ticket_ids, facts));
    YW_ASSIGN(auto histories, ticket_histories(tx, ticket_ids));
    for (auto& [id, h] : histories) {
      if (auto it = facts.find(id); it != facts.end()) it->second.history = std::move(h);
    }
    YW_ASSIGN(fired, load_fired(tx, ticket_ids));
    return {};
  });
  YW_TRY(db_status_1);
  core::TimeMs now = clock_.now_ms();
  std::vector<SlaRow> rows;
  rows.reserve(facts.size());
  for (std::int64_t id : ticket_ids) {
    auto it = facts.find(id);
    if (it == facts.end() || it->second.history.empty()) continue;
    YW_ASSIGN(SlaRow row, evaluate_row(it->second, now, config, fired[id], true));
    rows.push_back(std::move(row));
  }
  return db_.write([&](store::Tx& tx) -> core::Status {
    for (const SlaRow& r : rows) YW_TRY(write_row(tx, r, now));
    if (watermark) YW_TRY(set_meta(tx, "sla.watermark", std::to_string(*watermark)));
    return {};
  });
}

core::Result<int> SlaTracker::catch_up(int max_events) {
  bool pg = false;
  std::vector<std::pair<std::int64_t, std::int64_t>> seen;  // event id, ticket id
  int read = 0;
  std::int64_t last = watermark_;
  core::Status db_status_2 = db_.read([&](store::Tx& tx) -> core::Status {
    pg = tx.backend() == store::Backend::kPostgres;
    if (!loaded_) {
      YW_ASSIGN(std::optional<std::string> stored, get_meta(tx, "sla.watermark"));
      if (stored) watermark_ = std::strtoll(stored->c_str(), nullptr, 10);
      last = watermark_;
      loaded_ = true;
    }
    auto rows =
        tx.query("SELECT id, object_type, object_id FROM events WHERE id > ? ORDER BY id LIMIT ?",
                 {watermark_, std::int64_t{max_events}});
    if (!rows.ok()) return std::move(rows).error();
    read = static_cast<int>(rows->size());
    std::int64_t prev = watermark_;
    std::int64_t t = steady_ms();
    for (const store::Row& r : *rows) {
      std::int64_t id = r.i64(0);
      if (pg && id > prev + 1 && holes_.size() < 10'000) {
        for (std::int64_t h = prev + 1; h < id && holes_.size() < 10'000; ++h) holes_[h] = t;
      }
      prev = id;
      if (r.str(1) == "ticket" && !r.is_null(2)) seen.emplace_back(id, r.i64(2));
    }
    last = prev;
    if (pg && !holes_.empty()) {
      // Give up on ids missing for a minute: their transactions rolled back.
      for (auto it = holes_.begin(); it != holes_.end();)
        it = t - it->second > 60'000 ? holes_.erase(it) : std::next(it);
      std::string sql = "SELECT id, object_type, object_id FROM events WHERE id IN (";
      store::Params params;
      int n = 0;
      for (const auto& [id, since] : holes_) {
        if (id > watermark_ || n >= 500) break;
        sql += n++ ? ", ?" : "?";
        params.emplace_back(id);
      }
      if (n > 0) {
        sql += ")";
        auto late = tx.query(sql, params);
        if (!late.ok()) return std::move(late).error();
        for (const store::Row& r : *late) {
          holes_.erase(r.i64(0));
          if (r.str(1) == "ticket" && !r.is_null(2)) seen.emplace_back(r.i64(0), r.i64(2));
        }
      }
    }
    return {};
  });
  YW_TRY(db_status_2);
  if (seen.empty() && last == watermark_) return read;
  std::vector<std::int64_t> ids;
  ids.reserve(seen.size());
  for (const auto& s : seen) ids.push_back(s.second);
  std::sort(ids.begin(), ids.end());
  ids.erase(std::unique(ids.begin(), ids.end()), ids.end());
  YW_TRY(refresh(ids, last));
  watermark_ = last;
  return read;
}

namespace {

// The stored evaluation of a row, to leave rows a change does not affect untouched.
// The subject columns come fourth (index 4 to 10, kSubjectColumns).
const std::string& recompute_select() {
  static const std::string sql =
      std::string("SELECT s.ticket_id, s.history, s.fired, s.eval_hash, ") + kSubjectColumns +
      ", s.eval_hash_cold, s.next_at, s.flag, s.marked_at_risk, s.response_breached_at,"
      " s.response_stopped_at, s.resolution_breached_at, s.resolution_stopped_at FROM ticket_sla"
      " s JOIN tickets t ON t.id = s.ticket_id" +
      kSubjectJoins + " WHERE s.open = 1 AND s.ticket_id > ? ORDER BY s.ticket_id LIMIT ?";
  return sql;
}

// Columns under an index other than the primary key. SQLite rewrites the entries of every index
// whose columns an UPDATE sets, changed or not, so a re-evaluation sets these only when their
// value changed (each bit of an IndexedChange mask).
enum IndexedColumn : unsigned {
  kNextAt = 1,
  kFlag = 2,
  kResponseBreached = 4,
  kResponseStopped = 8,
  kResolutionBreached = 16,
  kResolutionStopped = 32,
};

// The stored values of the indexed columns (from the recompute query).
struct IndexedValues {
  std::optional<core::TimeMs> next_at, response_breached, response_stopped, resolution_breached,
      resolution_stopped;
  std::string flag;
  bool marked = false;
};

std::optional<core::TimeMs> metric_time(const std::optional<MetricColumns>& m,
                                        std::optional<core::TimeMs> MetricColumns::*field) {
  if (!m) return std::nullopt;
  return (*m).*field;
}

// The flag a row shows: the evaluation's, or at_risk for a marked ticket with a live metric.
std::string shown_flag(const SlaRow& r, bool marked) {
  if (r.flag == "ok" && r.active && marked) return "at_risk";
  return r.flag;
}

unsigned changed_indexed(const SlaRow& r, const IndexedValues& old) {
  unsigned mask = 0;
  if (r.next_at != old.next_at) mask |= kNextAt;
  if (shown_flag(r, old.marked) != old.flag) mask |= kFlag;
  if (metric_time(r.response, &MetricColumns::breached_at) != old.response_breached)
    mask |= kResponseBreached;
  if (metric_time(r.response, &MetricColumns::stopped_at) != old.response_stopped)
    mask |= kResponseStopped;
  if (metric_time(r.resolution, &MetricColumns::breached_at) != old.resolution_breached)
    mask |= kResolutionBreached;
  if (metric_time(r.resolution, &MetricColumns::stopped_at) != old.resolution_stopped)
    mask |= kResolutionStopped;
  return mask;
}

// The UPDATE for one mask: every unindexed evaluated column, and the indexed ones in `mask`.
const std::string& update_sql(unsigned mask) {
  static std::mutex mu;
  static std::map<unsigned, std::string> cache;
  std::lock_guard lock(mu);
  std::string& sql = cache[mask];
  if (!sql.empty()) return sql;
  sql =
      "UPDATE ticket_sla SET policy_id = ?, calendar_id = ?, response_state = ?,"
      " response_target = ?, response_due = ?, resolution_state = ?, resolution_target = ?,"
      " resolution_due = ?, ola_team_id = ?, ola_state = ?, ola_target = ?, ola_due = ?,"
      " ola_breached_at = ?, ola_stopped_at = ?, due_at = ?, eval_hash = ?, eval_hash_cold = ?,"
      " evaluated_at = ?";
  if (mask & kNextAt) sql += ", next_at = ?";
  if (mask & kFlag) {
    sql += ", flag = CASE WHEN ? = 'ok' AND marked_at_risk = 1 AND ? = 1 THEN 'at_risk' ELSE ? END";
  }
  if (mask & kResponseBreached) sql += ", response_breached_at = ?";
  if (mask & kResponseStopped) sql += ", response_stopped_at = ?";
  if (mask & kResolutionBreached) sql += ", resolution_breached_at = ?";
  if (mask & kResolutionStopped) sql += ", resolution_stopped_at = ?";
  sql += " WHERE ticket_id = ?";
  return sql;
}

// Rewrites the evaluated columns of an existing row that changed (not its history, fired set
// or mark).
core::Status update_row(store::Tx& tx, const SlaRow& r, unsigned mask, core::TimeMs now) {
  store::Params p;
  p.reserve(30);
  p.push_back(opt(r.policy_id));
  p.push_back(opt(r.calendar_id));
  for (const std::optional<MetricColumns>* m : {&r.response, &r.resolution}) {
    p.push_back(opt_text(*m));
    p.push_back(*m ? store::Value((*m)->target) : store::Value(nullptr));
    p.push_back(*m ? opt((*m)->due) : store::Value(nullptr));
  }
  p.push_back(opt(r.ola_team_id));
  p.push_back(opt_text(r.ola));
  p.push_back(r.ola ? store::Value(r.ola->target) : store::Value(nullptr));
  p.push_back(r.ola ? opt(r.ola->due) : store::Value(nullptr));
  p.push_back(r.ola ? opt(r.ola->breached_at) : store::Value(nullptr));
  p.push_back(r.ola ? opt(r.ola->stopped_at) : store::Value(nullptr));
  p.push_back(opt(r.due_at));
  p.emplace_back(r.digest());
  p.emplace_back(r.cold_digest());
  p.emplace_back(now);
  if (mask & kNextAt) p.push_back(opt(r.next_at));
  if (mask & kFlag) {
    p.emplace_back(r.flag);
    p.emplace_back(std::int64_t{r.active ? 1 : 0});
    p.emplace_back(r.flag);
  }
  if (mask & kResponseBreached)
    p.push_back(opt(metric_time(r.response, &MetricColumns::breached_at)));
  if (mask & kResponseStopped)
    p.push_back(opt(metric_time(r.response, &MetricColumns::stopped_at)));
  if (mask & kResolutionBreached)
    p.push_back(opt(metric_time(r.resolution, &MetricColumns::breached_at)));
  if (mask & kResolutionStopped)
    p.push_back(opt(metric_time(r.resolution, &MetricColumns::stopped_at)));
  p.emplace_back(r.ticket_id);
  auto n = tx.exec(update_sql(mask), p);
  if (!n.ok()) return std::move(n).error();
  return {};
}

}  // namespace

core::Result<std::int64_t> SlaTracker::recompute_open(bool force, std::int64_t* rewritten) {
  YW_ASSIGN(std::string fingerprint, config_fingerprint());
  if (!force) {
    auto stored = store::read_tx<std::optional<std::string>>(
        db_, [&](store::Tx& tx) { return get_meta(tx, "sla.config"); });
    if (!stored.ok()) return std::move(stored).error();
    if (*stored == fingerprint) return std::int64_t{0};
  }
  if (rewritten) *rewritten = 0;
  YW_ASSIGN(SlaConfig config, load_config());
  static constexpr std::int64_t kChunk = 10'000;
  struct Chunk {
    std::size_t read = 0;
    std::int64_t last_id = 0;
    std::vector<SlaRow> changed;
    std::vector<unsigned> masks;  // per changed row: the indexed columns that changed
    core::TimeMs now = 0;
  };
  // Reads and evaluates one chunk (on a helper thread while the previous chunk is written).
  auto produce = [this, &config](std::int64_t after) -> core::Result<Chunk> {
    Chunk c;
    c.now = clock_.now_ms();
    TicketFacts f;
    core::Status st = db_.read([&](store::Tx& tx) -> core::Status {
      auto rows = tx.query(recompute_select(), {after, kChunk});
      if (!rows.ok()) return std::move(rows).error();
      c.read = rows->size();
      if (!rows->empty()) c.last_id = rows->back().i64(0);
      for (const store::Row& r : *rows) {
        f.id = r.i64(0);
        if (!decode_history(r.str(1), f.history)) continue;  // left to the next event
        f.subject = subject_from_row(r, 4);
        f.status = r.str(10);
        YW_ASSIGN(SlaRow row, evaluate_row(f, c.now, config, r.str(2), false));
        if (row.open && row.cold_digest() == r.i64(11) && row.digest() == r.i64(3)) continue;
        IndexedValues old;
        old.next_at = r.opt_i64(12);
        old.flag = r.str(13);
        old.marked = r.i64(14) != 0;
        old.response_breached = r.opt_i64(15);
        old.response_stopped = r.opt_i64(16);
        old.resolution_breached = r.opt_i64(17);
        old.resolution_stopped = r.opt_i64(18);
        c.masks.push_back(changed_indexed(row, old));
        c.changed.push_back(std::move(row));
      }
      return {};
    });
    if (!st.ok()) return std::move(st).error();
    return c;
  };
  std::int64_t total = 0;
  std::future<core::Result<Chunk>> next = std::async(std::launch::async, produce, 0);
  for (;;) {
    core::Result<Chunk> chunk = next.get();
    if (!chunk.ok()) return std::move(chunk).error();
    total += static_cast<std::int64_t>(chunk->read);
    if (rewritten) *rewritten += static_cast<std::int64_t>(chunk->changed.size());
    bool more = chunk->read == static_cast<std::size_t>(kChunk);
    if (more) next = std::async(std::launch::async, produce, chunk->last_id);
    if (!chunk->changed.empty()) {
      core::Status written = db_.write([&](store::Tx& tx) -> core::Status {
        for (std::size_t i = 0; i < chunk->changed.size(); ++i) {
          const SlaRow& r = chunk->changed[i];
          if (r.open) {
            YW_TRY(update_row(tx, r, chunk->masks[i], chunk->now));
          } else {  // closed since: the upsert also clears `open`
            YW_TRY(write_row(tx, r, chunk->now));
          }
        }
        return {};
      });
      if (!written.ok()) {
        if (more) (void)next.get();
        return std::move(written).error();
      }
    }
    if (!more) break;
  }
  core::Status saved =
      db_.write([&](store::Tx& tx) { return set_meta(tx, "sla.config", fingerprint); });
  if (!saved.ok()) return std::move(saved).error();
  return total;
}

core::Result<int> SlaTracker::fire_due(int limit) {
  std::vector<std::int64_t> ids;
  core::TimeMs now = clock_.now_ms();
  core::Status db_status_6 = db_.read([&](store::Tx& tx) -> core::Status {
    auto rows = tx.query(
        "SELECT ticket_id FROM ticket_sla WHERE next_at IS NOT NULL AND next_at <= ? ORDER BY"
        " next_at LIMIT ?",
        {now, std::int64_t{limit}});
    if (!rows.ok()) return std::move(rows).error();
    for (const store::Row& r : *rows) ids.push_back(r.i64(0));
    return {};
  });
  YW_TRY(db_status_6);
  if (ids.empty()) return 0;
  YW_ASSIGN(SlaConfig config, load_config());
  int fired = 0;
  for (std::int64_t id : ids) {
    auto n = fire_ticket(id, config);
    if (!n.ok()) {
      spdlog::warn("sla: thresholds of ticket {}: {}", id, n.error().message);
      continue;
    }
    fired += *n;
  }
  return fired;
}

core::Result<int> SlaTracker::fire_ticket(std::int64_t ticket_id, SlaConfig& config) {
  store::Actor system{std::nullopt, "sla"};
  return store::write_tx<int>(db_, [&](store::Tx& tx) -> core::Result<int> {
    auto stored = tx.query_row("SELECT fired, marked_at_risk FROM ticket_sla WHERE ticket_id = ?",
                               {ticket_id});
    if (!stored.ok()) return std::move(stored).error();
    if (!*stored) return 0;
    std::string fired = (*stored)->str(0);
    bool marked = (*stored)->i64(1) != 0;
    std::unordered_map<std::int64_t, TicketFacts> facts;
    YW_TRY(load_subjects(tx, {ticket_id}, facts));
    auto it = facts.find(ticket_id);
    if (it == facts.end()) return 0;
    YW_ASSIGN(it->second.history, ticket_history(tx, ticket_id));
    core::TimeMs now = clock_.now_ms();
    std::vector<MetricResult> metrics;
    const Policy* policy = nullptr;
    std::shared_ptr<const CompiledCalendar> cal;
    YW_ASSIGN(SlaRow row,
              evaluate_row(it->second, now, config, fired, true, &metrics, &policy, &cal));
    struct Firing {
      const MetricResult* metric;
      int percent;
      core::TimeMs at;
    };
    std::vector<Firing> firings;
    std::string new_fired = fired;
    if (policy && cal) {
      for (const MetricResult& m : metrics) {
        if (stopped(m)) continue;
        for (int percent : firing_percents(*policy)) {
          std::string key = threshold_key(m, percent);
          if (has_fired(fired, key)) continue;
          std::optional<core::TimeMs> at = m.reached_at(percent, *cal);
          if (!at || *at > now) continue;
          new_fired = add_fired(new_fired, key);
          // Reached long before anyone could act (a database the worker has just been upgraded
          // onto, a node down for days): recorded as fired, without notifications or changes.
          if (*at < now - kStaleThresholdMs) continue;
          firings.push_back({&m, percent, *at});
        }
      }
    }
    if (new_fired != fired) {
      // Compare-and-set: a firing that another worker committed first leaves nothing to do.
      auto claimed = tx.exec("UPDATE ticket_sla SET fired = ? WHERE ticket_id = ? AND fired = ?",
                             {new_fired, ticket_id, fired});
      if (!claimed.ok()) return std::move(claimed).error();
      if (*claimed == 0) return 0;
    }
    for (const Firing& f : firings) {
      const MetricResult& m = *f.metric;
      bool breach = f.percent >= 100;
      json actions = json::array();
      std::string note = "SLA: " + m.metric + " reached " + std::to_string(f.percent) + "%";
      const Threshold* th = nullptr;
      for (const Threshold& t : policy->thresholds) {
        if (t.percent == f.percent) th = &t;
      }
      // Notifications and the mark first, so that they reach the people who held the ticket
      // when the threshold was reached; then what changes the ticket.
      std::vector<const ThresholdAction*> ordered;
      if (th) {
        for (const ThresholdAction& a : th->actions) {
          if (a.type == "notify" || a.type == "mark_at_risk") ordered.push_back(&a);
        }
        for (const ThresholdAction& a : th->actions) {
          if (a.type != "notify" && a.type != "mark_at_risk") ordered.push_back(&a);
        }
      }
      {
        for (const ThresholdAction* ap : ordered) {
          const ThresholdAction& a = *ap;
          if (a.type == "notify") {
            YW_ASSIGN(std::vector<std::int64_t> users, tickets_.recipients_in(tx, ticket_id, a.to));
            json extra = {{"metric", m.metric}, {"percent", f.percent}, {"breach", breach}};
            if (m.due) extra["due_at"] = core::format_iso8601(*m.due);
            YW_TRY(tickets_.notify_in(tx, ticket_id, users, breach ? "sla.breach" : "sla.warning",
                                      extra.dump()));
            actions.push_back({{"type", "notify"}, {"to", a.to}, {"user_ids", users}});
          } else if (a.type == "reassign" && a.team_id) {
            auto t = tickets_.reassign_in(tx, system, ticket_id, *a.team_id, note);
            json j = {{"type", "reassign"}, {"team_id", *a.team_id}};
            if (t.ok()) {
              j["done"] = t->has_value();
            } else if (t.error().code == core::ErrorCode::kInvalidArgument) {
              j["done"] = false;  // the team is gone or inactive: recorded, not retried
              j["error"] = t.error().message;
            } else {
              return std::move(t).error();
            }
            actions.push_back(std::move(j));
          } else if (a.type == "raise_priority") {
            std::string from = it->second.subject.priority;
            YW_ASSIGN(std::optional<tickets::Ticket> t,
                      tickets_.raise_priority_in(tx, system, ticket_id, note));
            json j = {{"type", "raise_priority"}, {"from", from}, {"done", t.has_value()}};
            if (t) {
              j["to"] = t->priority;
              it->second.subject.priority = t->priority;
            }
            actions.push_back(std::move(j));
          } else if (a.type == "mark_at_risk") {
            marked = true;
            actions.push_back({{"type", "mark_at_risk"}});
          }
        }
      }
      json detail = {{"metric", m.metric},      {"percent", f.percent},
                     {"breach", breach},        {"reached_at", core::format_iso8601(f.at)},
                     {"policy_id", policy->id}, {"actions", std::move(actions)}};
      detail["team_id"] = m.team_id ? json(*m.team_id) : json(nullptr);
      auto ev = store::append_event(tx, system, now, "ticket.sla", "ticket", ticket_id, "",
                                    detail.dump());
      if (!ev.ok()) return std::move(ev).error();
    }
    // The row as it stands now (next instant without the thresholds just fired).
    YW_ASSIGN(SlaRow fresh, evaluate_row(it->second, now, config, new_fired, true));
    fresh.history = row.history;
    auto n = tx.exec("UPDATE ticket_sla SET marked_at_risk = ? WHERE ticket_id = ?",
                     {std::int64_t{marked ? 1 : 0}, ticket_id});
    if (!n.ok()) return std::move(n).error();
    YW_TRY(write_row(tx, fresh, now));
    return static_cast<int>(firings.size());
  });
}

core::Status SlaTracker::run_once() {
  std::lock_guard lock(mu_);
  for (int i = 0; i < 50; ++i) {
    YW_ASSIGN(int read, catch_up());
    if (read < 5000) break;
  }
  YW_ASSIGN(std::int64_t recomputed, recompute_open(false));
  (void)recomputed;
  for (int i = 0; i < 20; ++i) {
    YW_ASSIGN(int fired, fire_due());
    if (fired == 0) break;
  }
  return {};
}

}  // namespace yunwei::sla
