#pragma once
// Shared by the tickets/*.cpp files that implement TicketService; not part of the interface.

#include <string>
#include <string_view>

#include "store/audit.h"
#include "store/database.h"
#include "tickets/config.h"
#include "tickets/ticket.h"
#include "tickets/ticket_service.h"

namespace yunwei::tickets::detail {

// The ticket columns, each prefixed "t." (queries alias tickets as t).
extern const char* const kTicketColumns;
constexpr int kTicketColumnCount = 39;
Ticket ticket_from_row(const store::Row& r);

store::Value opt_value(const std::optional<std::int64_t>& v);
store::Value opt_value(const std::optional<int>& v);

// kNotFound for an unknown number (or one that is not a number at all).
core::Result<Ticket> load(store::Tx& tx, std::string_view number);
// The ticket when `v` may see it, else kNotFound (the same answer as for no ticket).
core::Result<Ticket> load_visible(store::Tx& tx, const Viewer& v, std::string_view number);
// Whether `v` may see `t`.
core::Result<bool> can_see(store::Tx& tx, const Viewer& v, const Ticket& t);
// Appends to a WHERE clause (tickets aliased t) the conditions that keep what `v` may not see
// out: the SQL form of can_see().
core::Status visibility_filter(store::Tx& tx, const Viewer& v, std::string& where,
                               store::Params& params);
// Admins and members of the security team see tickets in security categories.
core::Result<bool> sees_restricted(store::Tx& tx, const Viewer& v);

// The team or user `id` exists and is active; else kInvalidArgument naming `field`
// ("no team with id 7", "team 7 is inactive").
enum class Record { kTeam, kUser };
core::Status check_active(store::Tx& tx, Record what, std::int64_t id, std::string_view field);

// Rewrites the ticket's search document: number + title, description, public comments.
core::Status reindex(store::Tx& tx, const Ticket& t);

// Appends an event on the ticket.
core::Status ticket_event(store::Tx& tx, const store::Actor& actor, core::TimeMs at,
                          std::string_view action, std::int64_t ticket_id,
                          std::string_view before_json, std::string_view after_json);

// Queues a notification for a user ("user:<id>"): delivery and channel choice belong to the
// notification module.
core::Status notify_user(store::Tx& tx, core::TimeMs now, std::int64_t user_id,
                         std::string_view topic, const Ticket& t, std::string_view extra_json = {});

// "1,2,3" <-> ids.
std::string join_ids(const std::vector<std::int64_t>& ids);
std::vector<std::int64_t> split_ids(std::string_view text);

}  // namespace yunwei::tickets::detail
