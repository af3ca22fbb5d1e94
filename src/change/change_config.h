#pragma once

#include "core/clock.h"
#include "store/database.h"

// Freeze windows, maintenance windows and standard-change templates (issue #7 points 3, 6).
// STUB: the helper implementing the change configuration owns this file and replaces this
// comment.
namespace yunwei::change {

class ChangeConfigService {
 public:
  ChangeConfigService(store::Database& db, const core::Clock& clock) : db_(db), clock_(clock) {}

 private:
  store::Database& db_;
  const core::Clock& clock_;
};

}  // namespace yunwei::change
