#include "tickets/priority.h"

namespace yunwei::tickets {

int priority_rank(std::string_view p) {
  if (p.size() == 2 && p[0] == 'P' && p[1] >= '1' && p[1] <= '5') return p[1] - '0';
  return 0;
}

PriorityMatrix PriorityMatrix::standard() {
  PriorityMatrix m;
  m.impact_levels = 3;
  m.urgency_levels = 3;
  m.cells = {"P1", "P2", "P3",   // impact 1 (high)
             "P2", "P3", "P4",   // impact 2 (medium)
             "P3", "P4", "P5"};  // impact 3 (low)
  return m;
}

core::Result<std::string> PriorityMatrix::priority(int impact, int urgency) const {
  if (impact < 1 || impact > impact_levels) {
    return core::invalid("impact", "must be from 1 (high) to " + std::to_string(impact_levels));
  }
  if (urgency < 1 || urgency > urgency_levels) {
    return core::invalid("urgency", "must be from 1 (high) to " + std::to_string(urgency_levels));
  }
  return cells[static_cast<size_t>((impact - 1) * urgency_levels + (urgency - 1))];
}

core::Status PriorityMatrix::validate() const {
  if (impact_levels < 2 || impact_levels > 5) {
    return core::invalid("impact_levels", "must be from 2 to 5");
  }
  if (urgency_levels < 2 || urgency_levels > 5) {
    return core::invalid("urgency_levels", "must be from 2 to 5");
  }
  if (cells.size() != static_cast<size_t>(impact_levels * urgency_levels)) {
    return core::invalid("cells", "needs impact_levels × urgency_levels = " +
                                      std::to_string(impact_levels * urgency_levels) + " entries");
  }
  for (size_t i = 0; i < cells.size(); ++i) {
    if (priority_rank(cells[i]) == 0) {
      return core::invalid("cells[" + std::to_string(i) + "]", "must be one of P1, P2, P3, P4, P5");
    }
  }
  for (int im = 1; im <= impact_levels; ++im) {
    for (int ur = 1; ur <= urgency_levels; ++ur) {
      size_t i = static_cast<size_t>((im - 1) * urgency_levels + (ur - 1));
      int rank = priority_rank(cells[i]);
      bool worse_than_left = ur > 1 && rank < priority_rank(cells[i - 1]);
      bool worse_than_above =
          im > 1 && rank < priority_rank(cells[i - static_cast<size_t>(urgency_levels)]);
      if (worse_than_left || worse_than_above) {
        return core::invalid("cells[" + std::to_string(i) + "]",
                             "a lower impact or urgency cannot have a higher priority");
      }
    }
  }
  return {};
}

}  // namespace yunwei::tickets
