#pragma once

#include <string>
#include <vector>

#include "core/result.h"

namespace yunwei::tickets {

// Impact × urgency → priority, as data (admins edit it). Levels count from 1 = highest.
// Priorities are "P1" (critical) .. "P5" (planning).
struct PriorityMatrix {
  int impact_levels = 3;
  int urgency_levels = 3;
  // Row-major: cells[(impact - 1) * urgency_levels + (urgency - 1)].
  std::vector<std::string> cells;

  // ServiceNow's default 3 × 3 → P1–P5 table (itsm.md §6.1).
  static PriorityMatrix standard();

  // kInvalidArgument naming "impact" or "urgency" when out of range.
  core::Result<std::string> priority(int impact, int urgency) const;

  // 2–5 levels each way, one valid priority per cell, and never a better priority for a
  // lower impact or urgency (a matrix where a smaller problem outranks a bigger one is a typo).
  // kInvalidArgument naming the field ("cells[4]", "impact_levels").
  core::Status validate() const;
};

// "P1".."P5" -> 1..5; 0 for anything else.
int priority_rank(std::string_view priority);

}  // namespace yunwei::tickets
