#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "core/clock.h"

namespace yunwei::tickets {

// The work item incidents, service requests, problems and changes share (DESIGN.md §3).
struct Ticket {
  std::int64_t id = 0;
  std::string number;  // "INC-000123"
  std::string kind;    // incident | request
  std::string title;
  std::string description;
  std::string status;
  int impact = 3;
  int urgency = 3;
  std::string priority;  // P1..P5
  bool priority_overridden = false;
  bool major = false;
  std::optional<std::int64_t> category_id;
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
  std::optional<std::int64_t> created_by;
  core::TimeMs created_at = 0;
  core::TimeMs updated_at = 0;
  std::optional<core::TimeMs> first_assigned_at;
  std::optional<core::TimeMs> resolved_at;
  std::optional<core::TimeMs> closed_at;
  std::int64_t version = 1;
};

// Number prefix of a kind ("INC" for incident); "" for an unknown kind.
std::string_view number_prefix(std::string_view kind);
// "INC-000042".
std::string format_number(std::string_view kind, std::int64_t n);
// The channels a ticket can arrive by.
bool is_channel(std::string_view channel);

// Audit snapshot (JSON text) of a ticket; `note` (a reopen or cancel reason, ...) is added as
// "note" when not empty, so the timeline shows why a transition happened.
std::string ticket_snapshot(const Ticket& t, std::string_view note = {});

}  // namespace yunwei::tickets
