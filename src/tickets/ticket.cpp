#include "tickets/ticket.h"

#include <cstdio>
#include <nlohmann/json.hpp>

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
  auto opt = [](const std::optional<std::int64_t>& v) {
    return v ? nlohmann::json(*v) : nlohmann::json(nullptr);
  };
  nlohmann::json j = {
      {"number", t.number},
      {"kind", t.kind},
      {"title", t.title},
      {"status", t.status},
      {"impact", t.impact},
      {"urgency", t.urgency},
      {"priority", t.priority},
      {"major", t.major},
      {"major_cadence_minutes", t.major_cadence_minutes ? nlohmann::json(*t.major_cadence_minutes)
                                                        : nlohmann::json(nullptr)},
      {"major_stakeholder_ids", t.major_stakeholder_ids},
      {"priority_overridden", t.priority_overridden},
      {"category_id", opt(t.category_id)},
      {"requester_id", t.requester_id},
      {"channel", t.channel},
      {"service_id", opt(t.service_id)},
      {"ci_id", opt(t.ci_id)},
      {"description", t.description},
      {"assignee_team_id", opt(t.assignee_team_id)},
      {"assignee_id", opt(t.assignee_id)},
      {"pending_reason", t.pending_reason},
      {"resolution_code", t.resolution_code},
      {"resolution_notes", t.resolution_notes},
      {"cancel_reason", t.cancel_reason},
      {"escalation_level", t.escalation_level},
      {"version", t.version}};
  if (!detail_json.empty()) {
    nlohmann::json d = nlohmann::json::parse(detail_json, nullptr, false);
    if (d.is_object() && !d.empty()) j["detail"] = std::move(d);
  }
  return j.dump();
}

}  // namespace yunwei::tickets
