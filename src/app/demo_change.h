#pragma once

#include "app/demo_cmdb.h"
#include "core/clock.h"
#include "core/result.h"
#include "store/database.h"

namespace yunwei::app {

// The demo's change management (issue #7 point 9): the change advisory boards staffed, and a
// month of changes around `now` (about 25 days back to 30 ahead) on the demo estate in every
// state: closed ones with their reviews (one partial that caused an incident, one failed, an
// emergency fix reviewed after the fact), scheduled ones, one implementing, one waiting for the
// CAB that collides with a scheduled change on the database it depends on, drafts; and a freeze
// window around the next public holiday with a change planned inside it; problems raised from
// the recurring incidents of the service desk's demo, with root causes and published known
// errors (one resolved, resolving its incidents). Only when there are no changes yet.
struct DemoChangeSummary {
  int changes = 0;
  int incidents = 0;  // the incidents the changes caused
  int problems = 0;   // problems raised from recurring incidents (some with known errors)
};
core::Result<DemoChangeSummary> load_demo_changes(store::Database& db, core::TimeMs now,
                                                  const DemoEstate& estate);

}  // namespace yunwei::app
