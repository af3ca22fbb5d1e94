#include "tickets/ticket.h"

#include <cstdio>

#include "core/json_writer.h"

namespace yunwei::tickets {

std::string_view number_prefix(std::string_view kind) {
  if (kind == "incident") return "INC";
  if (kind == "request") return "REQ";
  if (kind == "problem") return "PRB";
  if (kind == "change") return "CHG";
  return "";
}

std::string format_number(std::string_view kind, std::int64_t n) {
  char digits[24];
  std::snprintf(digits, sizeof digits, "%06lld", static_cast<long long>(n));
  std::string out(number_prefix(kind));
  out += '-';
  out += digits;
  return out;
}

std::optional<std::string> normalize_number(std::string_view text) {
  if (text.size() < 10 || text.size() > 24 || text[3] != '-') return std::nullopt;
  std::string out;
  for (size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (i < 3) {
      if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
      if (c < 'A' || c > 'Z') return std::nullopt;
    } else if (i > 3 && (c < '0' || c > '9')) {
      return std::nullopt;
    }
    out += c;
  }
  std::string_view prefix(out.data(), 3);
  if (prefix != "INC" && prefix != "REQ" && prefix != "PRB" && prefix != "CHG") return std::nullopt;
  return out;
}

std::optional<core::TimeMs> next_update_due(const Ticket& t) {
  if (!t.major || !t.major_cadence_minutes || !is_open_status(t.status)) return std::nullopt;
  core::TimeMs from = t.major_declared_at.value_or(t.created_at);
  if (t.last_public_update_at && *t.last_public_update_at > from) from = *t.last_public_update_at;
  return from + static_cast<core::TimeMs>(*t.major_cadence_minutes) * 60'000;
}

bool is_open_status(std::string_view s) {
  return s != "resolved" && s != "fulfilled" && s != "closed" && s != "cancelled";
}

bool is_channel(std::string_view c) {
  return c == "web" || c == "email" || c == "phone" || c == "api" || c == "monitoring";
}

std::string ticket_snapshot(const Ticket& t, std::string_view detail_json) {
  // Written directly (this runs inside every ticket write), keys in alphabetical order.
  core::JsonWriter w;
  auto opt = [&w](std::string_view key, const auto& v) {
    w.key(key);
    if (v) {
      w.value(static_cast<std::int64_t>(*v));
    } else {
      w.null();
    }
  };
  w.begin_object();
  opt("assignee_id", t.assignee_id);
  opt("assignee_team_id", t.assignee_team_id);
  w.key("cancel_reason").value(t.cancel_reason);
  opt("category_id", t.category_id);
  w.key("channel").value(t.channel);
  opt("ci_id", t.ci_id);
  w.key("description").value(t.description);
  // `detail_json`: an object serialised by the caller; left out when empty.
  if (detail_json.size() > 2 && detail_json.front() == '{') w.key("detail").raw(detail_json);
  w.key("escalation_level").value(std::int64_t{t.escalation_level});
  w.key("impact").value(std::int64_t{t.impact});
  w.key("kind").value(t.kind);
  w.key("major").value(t.major);
  opt("major_cadence_minutes", t.major_cadence_minutes);
  w.key("major_stakeholder_ids").value(t.major_stakeholder_ids);
  w.key("number").value(t.number);
  w.key("pending_reason").value(t.pending_reason);
  w.key("priority").value(t.priority);
  w.key("priority_overridden").value(t.priority_overridden);
  w.key("requester_id").value(t.requester_id);
  w.key("resolution_code").value(t.resolution_code);
  w.key("resolution_notes").value(t.resolution_notes);
  opt("service_id", t.service_id);
  w.key("status").value(t.status);
  w.key("title").value(t.title);
  w.key("urgency").value(std::int64_t{t.urgency});
  w.key("version").value(t.version);
  w.end_object();
  return w.take();
}

}  // namespace yunwei::tickets
