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

bool is_channel(std::string_view c) {
  return c == "web" || c == "email" || c == "phone" || c == "api" || c == "monitoring";
}

std::string ticket_snapshot(const Ticket& t, std::string_view note) {
  auto opt = [](const std::optional<std::int64_t>& v) {
    return v ? nlohmann::json(*v) : nlohmann::json(nullptr);
  };
  nlohmann::json j = {{"number", t.number},
                      {"kind", t.kind},
                      {"title", t.title},
                      {"status", t.status},
                      {"impact", t.impact},
                      {"urgency", t.urgency},
                      {"priority", t.priority},
                      {"major", t.major},
                      {"category_id", opt(t.category_id)},
                      {"requester_id", t.requester_id},
                      {"channel", t.channel},
                      {"assignee_team_id", opt(t.assignee_team_id)},
                      {"assignee_id", opt(t.assignee_id)},
                      {"pending_reason", t.pending_reason},
                      {"resolution_code", t.resolution_code},
                      {"cancel_reason", t.cancel_reason},
                      {"version", t.version}};
  if (!note.empty()) j["note"] = note;
  return j.dump();
}

}  // namespace yunwei::tickets
