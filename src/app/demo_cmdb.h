#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <string>

#include "core/clock.h"
#include "core/result.h"
#include "store/database.h"

namespace yunwei::app {

struct DemoEstate {
  int cis_created = 0;  // 0 when the CMDB already had CIs
  int relations_created = 0;
  // CI name -> id: business services (网上银行, ERP, 邮件系统, ...), hosts, databases, switches.
  std::map<std::string, std::int64_t, std::less<>> ids;
};

// The demo's configuration items (issue #6 point 7): ~2,000 CIs of a bank-like enterprise in two
// data centres (上海张江 and 北京亦庄) — locations and racks, network, storage, hypervisors and
// physical database servers, virtual machines, container clusters, middleware, databases,
// applications and a dozen business services (网上银行, 手机银行, ERP, 邮件系统, OA ...) — with
// their relations, so that impact analysis from any host reaches the services. Deterministic.
// Created in one transaction at `at` (their history starts then), only when there are no CIs;
// otherwise `ids` lists the existing CIs.
core::Result<DemoEstate> load_demo_estate(store::Database& db, core::TimeMs at);

}  // namespace yunwei::app
