#include "sla/report.h"

#include <algorithm>
#include <cmath>

#include "tickets/ticket_service.h"

namespace yunwei::sla {

namespace {

constexpr std::int64_t kMaxSpanMs = 366LL * 86'400'000;

// For each metric and outcome, in the order of the counts (response met, response breached,
// resolution met, resolution breached): its column alias and the condition that it was decided
// in [from, to), with the two bounds as parameters.
struct Decided {
  const char* alias;
  const char* sql;
};
constexpr Decided kDecided[4] = {
    {"rm",
     "(s.response_state = 'met' AND s.response_stopped_at >= ? AND s.response_stopped_at < ?)"},
    {"rb",
     "(s.response_state = 'breached' AND s.response_breached_at >= ?"
     " AND s.response_breached_at < ?)"},
    {"sm",
     "(s.resolution_state = 'met' AND s.resolution_stopped_at >= ?"
     " AND s.resolution_stopped_at < ?)"},
    {"sb",
     "(s.resolution_state = 'breached' AND s.resolution_breached_at >= ?"
     " AND s.resolution_breached_at < ?)"},
};

core::Status check(const ReportQuery& q) {
  if (!q.from) return core::invalid("from", "is required: the start of the period (RFC 3339)");
  if (!q.to) return core::invalid("to", "is required: the end of the period (RFC 3339)");
  if (*q.to <= *q.from) return core::invalid("to", "must be after from");
  if (*q.to - *q.from > kMaxSpanMs) return core::invalid("to", "at most 366 days after from");
  if (q.group_by.empty())
    return core::invalid("group_by", "is required: priority, team, service or category");
  if (q.group_by != "priority" && q.group_by != "team" && q.group_by != "service" &&
      q.group_by != "category") {
    return core::invalid("group_by", "must be priority, team, service or category");
  }
  if (!q.kind.empty() && q.kind != "incident" && q.kind != "request")
    return core::invalid("kind", "must be incident or request");
  return {};
}

void add(ReportGroup& total, const ReportGroup& g) {
  total.response.met += g.response.met;
  total.response.breached += g.response.breached;
  total.resolution.met += g.resolution.met;
  total.resolution.breached += g.resolution.breached;
}

}  // namespace

std::optional<double> OutcomeCounts::compliance() const {
  std::int64_t all = met + breached;
  if (all == 0) return std::nullopt;
  return std::round(1000.0 * static_cast<double>(met) / static_cast<double>(all)) / 10.0;
}

core::Result<SlaReport> sla_report(store::Database& db, const tickets::Viewer& v,
                                   const ReportQuery& q) {
  YW_TRY(check(q));
  // The group key and, for teams and categories, the names (scalar subqueries over the few
  // groups, after grouping).
  std::string key, from_extra, names = "NULL, NULL";
  if (q.group_by == "priority") {
    key = "t.priority";
  } else if (q.group_by == "team") {
    key = "t.assignee_team_id";
    names = "(SELECT name FROM teams WHERE id = g.k), (SELECT name_zh FROM teams WHERE id = g.k)";
  } else if (q.group_by == "service") {
    key = "t.service_id";
    // A business-service CI has one name, in whatever language it was given.
    names = "(SELECT name FROM cis WHERE id = g.k), (SELECT name FROM cis WHERE id = g.k)";
  } else {
    // The top-level category: a child's tickets count under their parent, which is what the
    // ticket list's category_id=<parent> selects.
    key = "COALESCE(c.parent_id, t.category_id)";
    from_extra = " LEFT JOIN ticket_categories c ON c.id = t.category_id";
    names =
        "(SELECT name FROM ticket_categories WHERE id = g.k),"
        " (SELECT name_zh FROM ticket_categories WHERE id = g.k)";
  }
  return store::read_tx<SlaReport>(db, [&](store::Tx& tx) -> core::Result<SlaReport> {
    store::Params params;
    std::string sums, outer, any;
    for (const Decided& d : kDecided) {
      sums += std::string(", SUM(CASE WHEN ") + d.sql + " THEN 1 ELSE 0 END) AS " + d.alias;
      outer += std::string(", g.") + d.alias;
      params.emplace_back(*q.from);
      params.emplace_back(*q.to);
    }
    for (const Decided& d : kDecided) {
      any += any.empty() ? "(" : " OR ";
      any += d.sql;
      params.emplace_back(*q.from);
      params.emplace_back(*q.to);
    }
    any += ")";
    std::string where = std::string(" WHERE ") + any;
    if (!q.kind.empty()) {
      where += " AND t.kind = ?";
      params.emplace_back(q.kind);
    }
    YW_TRY(tickets::TicketService::visibility_sql(tx, v, where, params));
    std::string sql = std::string("SELECT g.k, ") + names + outer + " FROM (SELECT " + key +
                      " AS k" + sums + " FROM ticket_sla s JOIN tickets t ON t.id = s.ticket_id" +
                      from_extra + where + " GROUP BY " + key + ") g";
    auto rows = tx.query(sql, params);
    if (!rows.ok()) return std::move(rows).error();
    SlaReport out;
    out.from = *q.from;
    out.to = *q.to;
    out.group_by = q.group_by;
    out.kind = q.kind;
    std::string param = q.group_by == "priority" ? "priority" : q.group_by + "_id";
    for (const store::Row& r : *rows) {
      ReportGroup g;
      if (r.is_null(0)) {
        g.list_filter = param + "=none";
      } else if (q.group_by == "priority") {
        g.text_key = r.str(0);
        g.name = g.name_zh = *g.text_key;
        g.list_filter = param + "=" + *g.text_key;
      } else {
        g.id_key = r.i64(0);
        std::string fallback = std::string("#") + std::to_string(*g.id_key);
        g.name = r.is_null(1) ? fallback : r.str(1);
        g.name_zh = r.is_null(2) ? fallback : r.str(2);
        g.list_filter = param + "=" + std::to_string(*g.id_key);
      }
      g.response = {r.i64(3), r.i64(4)};
      g.resolution = {r.i64(5), r.i64(6)};
      add(out.total, g);
      out.groups.push_back(std::move(g));
    }
    bool by_name = q.group_by == "team" || q.group_by == "category";
    std::sort(out.groups.begin(), out.groups.end(),
              [&](const ReportGroup& a, const ReportGroup& b) {
                bool a_null = !a.text_key && !a.id_key;
                bool b_null = !b.text_key && !b.id_key;
                if (a_null != b_null) return b_null;
                if (a.text_key != b.text_key) return a.text_key < b.text_key;
                if (by_name && a.name != b.name) return a.name < b.name;
                return a.id_key < b.id_key;
              });
    return out;
  });
}

std::string tickets_link(const SlaReport& report, const ReportGroup& group, std::string_view metric,
                         std::string_view outcome) {
  std::string link = std::string("/api/v1/tickets?sla_metric=") + std::string(metric) +
                     "&sla_outcome=" + std::string(outcome) +
                     "&sla_from=" + core::format_iso8601(report.from) +
                     "&sla_to=" + core::format_iso8601(report.to);
  if (!report.kind.empty()) link += std::string("&kind=") + report.kind;
  if (!group.list_filter.empty()) link += std::string("&") + group.list_filter;
  return link;
}

}  // namespace yunwei::sla
