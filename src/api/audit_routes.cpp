#include "api/internal.h"
#include "store/database.h"

namespace yunwei::api {

void register_audit_routes(Registry& r) {
  r.add("GET", "/api/v1/audit", identity::Permission::kAuditRead,
        "Audit trail, newest first (object_type, object_id, actor_id, action, since, until)",
        [](Ctx& ctx) -> core::Result<http::Response> {
          store::EventFilter f;
          YW_ASSIGN(f.limit, query_limit(ctx.req));
          YW_ASSIGN(std::string object_type, query_string(ctx.req, "object_type", 50));
          YW_ASSIGN(std::string action, query_string(ctx.req, "action", 100));
          if (!object_type.empty()) f.object_type = object_type;
          if (!action.empty()) f.action = action;
          YW_ASSIGN(f.object_id, query_int(ctx.req, "object_id"));
          YW_ASSIGN(f.actor_id, query_int(ctx.req, "actor_id"));
          YW_ASSIGN(f.since, query_time(ctx.req, "since"));
          YW_ASSIGN(f.until, query_time(ctx.req, "until"));
          YW_ASSIGN(std::string cursor, query_string(ctx.req, "cursor", 40));
          if (!cursor.empty()) {
            try {
              size_t used = 0;
              f.before_id = std::stoll(cursor, &used);
              if (used != cursor.size()) throw std::invalid_argument("cursor");
            } catch (const std::exception&) {
              return core::invalid("cursor",
                                   "malformed cursor; use the next_cursor of a previous page");
            }
          }
          YW_ASSIGN(auto events,
                    store::read_tx<std::vector<store::Event>>(
                        ctx.deps.db, [&](store::Tx& tx) { return store::list_events(tx, f); }));
          std::optional<std::string> next;
          if (static_cast<int>(events.size()) > f.limit) {
            events.resize(static_cast<size_t>(f.limit));
            next = std::to_string(events.back().id);
          }
          json items = json::array();
          for (const store::Event& e : events) {
            auto parse = [](const std::string& s) {
              if (s.empty()) return json(nullptr);
              json j = json::parse(s, nullptr, false);
              return j.is_discarded() ? json(s) : j;
            };
            items.push_back({{"id", e.id},
                             {"at", time_json(e.at)},
                             {"actor_id", e.actor_id ? json(*e.actor_id) : json(nullptr)},
                             {"action", e.action},
                             {"object_type", e.object_type},
                             {"object_id", e.object_id ? json(*e.object_id) : json(nullptr)},
                             {"before", parse(e.before_json)},
                             {"after", parse(e.after_json)},
                             {"request_id", e.request_id}});
          }
          return json_response(
              200, {{"items", items}, {"next_cursor", next ? json(*next) : json(nullptr)}});
        });
}

}  // namespace yunwei::api
