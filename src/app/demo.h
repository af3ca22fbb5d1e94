#pragma once

#include <string>

#include "core/clock.h"
#include "core/result.h"
#include "identity/password.h"
#include "store/database.h"

namespace yunwei::app {

struct DemoSummary {
  int users_created = 0;
  int users_existing = 0;
  std::string password;  // shared by every demo account
  int tickets_created = 0;
  int cis_created = 0;       // configuration items (0 when the CMDB had some)
  int changes_created = 0;   // changes (0 when there were some)
  int problems_created = 0;  // problems
};

// Loads the demo organisation's people: ~30 users with Chinese and English names in the six
// default teams (with leads), approvers, business-side requesters and an auditor. Idempotent:
// existing usernames are left alone. Every demo account gets `password`.
core::Result<DemoSummary> load_demo_people(store::Database& db, const core::Clock& clock,
                                           const identity::PasswordHasher& hasher,
                                           const std::string& password);

// The whole demo: the people above, the CMDB estate (~2,000 CIs, demo_cmdb.h; only when there
// are no CIs yet), then the service desk's assignment rules and ~500 tickets over the last 90
// days in every state, linked to the estate's services and hosts (only when there are no
// tickets yet).
core::Result<DemoSummary> load_demo(store::Database& db, const core::Clock& clock,
                                    const identity::PasswordHasher& hasher,
                                    const std::string& password);

}  // namespace yunwei::app
