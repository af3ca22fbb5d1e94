#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/clock.h"

namespace yunwei::tickets {

// The work item incidents, service requests, problems and changes share (DESIGN.md §3).
struct Ticket {
  std::int64_t id = 0;
  std::string number;   // "INC-000123"
  std::string kind;     // incident | request | problem | change
  std::string subtype;  // a change's type (standard, normal, emergency); "" for other kinds
  std::string title;
  std::string description;
  std::string status;
  int impact = 3;
  int urgency = 3;
  std::string priority;  // P1..P5
  bool priority_overridden = false;
  bool major = false;
  std::optional<int> major_cadence_minutes;  // a public update is due this often
  std::vector<std::int64_t> major_stakeholder_ids;
  std::optional<core::TimeMs> major_declared_at;
  std::optional<core::TimeMs> last_public_update_at;  // the last public comment
  std::optional<std::int64_t> category_id;
  bool restricted = false;  // in a security category: Security Operations and admins only
  std::int64_t requester_id = 0;
  std::string channel = "web";  // web | email | phone | api | monitoring
  std::optional<std::int64_t> service_id;
  std::optional<std::int64_t> ci_id;
  std::optional<std::int64_t> assignee_team_id;
  std::optional<std::int64_t> assignee_id;
  std::string pending_reason;
  std::string resolution_code;
  std::string resolution_notes;
  std::string cancel_reason;
  int reopen_count = 0;
  int reassignment_count = 0;
  int escalation_level = 0;  // hierarchical escalations so far
  // Resolved by the service desk without reassignment; unset until resolved.
  std::optional<bool> first_contact_resolution;
  std::optional<std::int64_t> created_by;
  core::TimeMs created_at = 0;
  core::TimeMs updated_at = 0;
  std::optional<core::TimeMs> first_assigned_at;
  std::optional<core::TimeMs> resolved_at;
  std::optional<core::TimeMs> closed_at;
  std::int64_t version = 1;
  // Display names, filled by TicketService::list() for list pages; empty elsewhere.
  std::string requester_name, assignee_name, team_name, team_name_zh;
  // The CI and business service (names and the CI's type key), filled by list() and get().
  std::string ci_name, ci_type, service_name;
};

// When the next public update of a major incident is due (declaration or last public comment
// plus the cadence); unset for other tickets.
std::optional<core::TimeMs> next_update_due(const Ticket& t);
// New, assigned, in progress, pending, reopened: not resolved, closed or cancelled.
bool is_open_status(std::string_view status);

// Number prefix of a kind ("INC" for incident); "" for an unknown kind.
std::string_view number_prefix(std::string_view kind);
// "INC-000042"; and back: a normalised number ("inc-42" -> nullopt; "inc-000042" ->
// "INC-000042") when `text` is one.
std::optional<std::string> normalize_number(std::string_view text);
// "INC-000042".
std::string format_number(std::string_view kind, std::int64_t n);
// The channels a ticket can arrive by.
bool is_channel(std::string_view channel);

// Audit snapshot (JSON text) of a ticket: the fields the timeline compares. `detail_json`, a
// JSON object (the reason, the rule that dispatched it ...), is added as "detail" when not empty.
std::string ticket_snapshot(const Ticket& t, std::string_view detail_json = {});

}  // namespace yunwei::tickets
