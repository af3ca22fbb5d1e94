// TicketService: comments, worklogs, attachments, links, the timeline and surveys.
#include <algorithm>
#include <map>
#include <nlohmann/json.hpp>
#include <set>

#include "core/text.h"
#include "tickets/internal.h"
#include "tickets/ticket_service.h"

namespace yunwei::tickets {

using namespace detail;

namespace {

using nlohmann::json;

// Stored link types (from -> to) and what a client may ask for, normalised to them:
// "A parent_of B" is stored as "B child_of A", and so on.
struct LinkForm {
  std::string stored;
  bool reversed;
};
std::optional<LinkForm> link_form(std::string_view type) {
  if (type == "child_of") return LinkForm{"child_of", false};
  if (type == "parent_of") return LinkForm{"child_of", true};
  if (type == "duplicate_of") return LinkForm{"duplicate_of", false};
  if (type == "duplicated_by") return LinkForm{"duplicate_of", true};
  if (type == "caused_by") return LinkForm{"caused_by", false};
  if (type == "causes") return LinkForm{"caused_by", true};
  if (type == "related_to") return LinkForm{"related_to", false};
  return std::nullopt;
}

std::string inverse(std::string_view stored) {
  if (stored == "child_of") return "parent_of";
  if (stored == "duplicate_of") return "duplicated_by";
  if (stored == "caused_by") return "causes";
  return std::string(stored);
}

Comment comment_from_row(const store::Row& r) {
  return Comment{r.i64(0), r.opt_i64(1), r.str(2), r.i64(3) != 0, r.i64(4)};
}

constexpr const char* kAttachmentColumns =
    "id, sha256, filename, content_type, size, public, uploaded_by, created_at";
Attachment attachment_from_row(const store::Row& r) {
  return Attachment{r.i64(0), r.str(1),      r.str(2),     r.str(3),
                    r.i64(4), r.i64(5) != 0, r.opt_i64(6), r.i64(7)};
}

// "type/subtype" made of token characters, lower-cased; else application/octet-stream.
std::string clean_content_type(std::string_view ct) {
  std::string base(ct.substr(0, ct.find(';')));
  base = core::ascii_lower(core::trim(base));
  size_t slash = base.find('/');
  bool ok = !base.empty() && base.size() <= 100 && slash != std::string::npos && slash > 0 &&
            slash + 1 < base.size() && base.find('/', slash + 1) == std::string::npos;
  for (char c : base) {
    if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '/' || c == '.' || c == '+' ||
          c == '-' || c == '_'))
      ok = false;
  }
  return ok ? base : "application/octet-stream";
}

// Field differences between two ticket snapshots (flat JSON objects).
std::vector<FieldChange> diff(const json& before, const json& after) {
  std::vector<FieldChange> out;
  if (!after.is_object()) return out;
  for (auto it = after.begin(); it != after.end(); ++it) {
    if (it.key() == "detail" || it.key() == "version" || it.key() == "number") continue;
    json old = before.is_object() && before.contains(it.key()) ? before[it.key()] : json(nullptr);
    if (before.is_object() && old != it.value()) {
      out.push_back({it.key(), old.dump(), it.value().dump()});
    }
  }
  return out;
}

// Creation shows the fields it set, not a diff against nothing.
std::vector<FieldChange> initial_fields(const json& after) {
  std::vector<FieldChange> out;
  for (const char* k : {"status", "priority", "assignee_team_id", "assignee_id", "category_id"}) {
    if (after.contains(k) && !after[k].is_null()) out.push_back({k, "null", after[k].dump()});
  }
  return out;
}

}  // namespace

bool is_link_type(std::string_view type) { return link_form(type).has_value(); }

core::Result<Comment> TicketService::add_comment(const store::Actor& actor, const Viewer& v,
                                                 std::string_view number, std::string_view body,
                                                 bool is_public) {
  YW_TRY(core::check_text(body, "body", 20000, true));
  if (!is_public && !v.agent) return core::forbidden("only agents write internal notes");
  return store::write_tx<Comment>(db_, [&](store::Tx& tx) -> core::Result<Comment> {
    YW_ASSIGN(Ticket t, load_visible(tx, v, number));
    if (!v.agent && t.requester_id != v.user_id)
      return core::forbidden("only the requester and agents comment on a ticket");
    if (t.status == "closed" || t.status == "cancelled")
      return core::conflict("a " + t.status + " ticket takes no more comments", "status");
    core::TimeMs now = clock_.now_ms();
    auto row = tx.query_row(
        "INSERT INTO ticket_comments (ticket_id, author_id, body, public, created_at)"
        " VALUES (?, ?, ?, ?, ?) RETURNING id",
        {t.id, opt_value(actor.user_id), std::string(body), std::int64_t{is_public ? 1 : 0}, now});
    if (!row.ok()) return std::move(row).error();
    Comment c{(*row)->i64(0), actor.user_id, std::string(body), is_public, now};
    // A public comment is an update to the requester (the major incident cadence counts them);
    // the requester answering a ticket that waits on them sets it going again.
    Ticket after = t;
    bool requester_answer = actor.user_id && *actor.user_id == t.requester_id &&
                            t.status == "pending" && t.pending_reason == "awaiting_requester";
    if (is_public && v.agent && actor.user_id != t.requester_id) after.last_public_update_at = now;
    if (requester_answer) {
      after.status = "in_progress";
      after.pending_reason.clear();
    }
    auto n = tx.exec(
        "UPDATE tickets SET last_public_update_at = ?, status = ?, pending_reason = ?,"
        " updated_at = ?, version = version + 1 WHERE id = ?",
        {opt_value(after.last_public_update_at), after.status, after.pending_reason, now, t.id});
    if (!n.ok()) return std::move(n).error();
    json detail = {{"comment_id", c.id}, {"public", is_public}, {"body", c.body}};
    YW_TRY(ticket_event(tx, actor, now, "ticket.comment", t.id, "", detail.dump()));
    if (requester_answer) {
      YW_ASSIGN(Ticket stored, load(tx, t.number));
      YW_TRY(ticket_event(tx, actor, now, "ticket.transition", t.id, ticket_snapshot(t),
                          ticket_snapshot(stored, R"({"reason":"requester_replied"})")));
    }
    if (is_public) YW_TRY(reindex(tx, after));
    if (is_public && actor.user_id != t.requester_id) {
      YW_TRY(notify_user(tx, now, t.requester_id, "ticket.commented", t,
                         json{{"comment_id", c.id}}.dump()));
    } else if (t.assignee_id && actor.user_id != t.assignee_id) {
      YW_TRY(notify_user(tx, now, *t.assignee_id, "ticket.commented", t,
                         json{{"comment_id", c.id}}.dump()));
    }
    return c;
  });
}

core::Result<std::vector<Comment>> TicketService::comments(const Viewer& v,
                                                           std::string_view number) {
  using R = std::vector<Comment>;
  return store::read_tx<R>(db_, [&](store::Tx& tx) -> core::Result<R> {
    YW_ASSIGN(Ticket t, load_visible(tx, v, number));
    std::string sql =
        "SELECT c.id, c.author_id, c.body, c.public, c.created_at, u.display_name FROM"
        " ticket_comments c LEFT JOIN users u ON u.id = c.author_id WHERE c.ticket_id = ?";
    if (!v.staff) sql += " AND c.public = 1";
    sql += " ORDER BY c.id";
    auto rows = tx.query(sql, {t.id});
    if (!rows.ok()) return std::move(rows).error();
    R out;
    for (const store::Row& r : *rows) {
      Comment c = comment_from_row(r);
      if (!r.is_null(5)) c.author_name = r.str(5);
      out.push_back(std::move(c));
    }
    return out;
  });
}

core::Result<Worklog> TicketService::add_worklog(const store::Actor& actor, const Viewer& v,
                                                 std::string_view number, int minutes,
                                                 std::string_view note,
                                                 std::optional<core::TimeMs> worked_at) {
  if (!v.agent) return core::forbidden("only agents log work");
  if (minutes < 1 || minutes > 1440) return core::invalid("minutes", "must be between 1 and 1440");
  YW_TRY(core::check_text(note, "note", 2000, false));
  core::TimeMs now = clock_.now_ms();
  if (worked_at && *worked_at > now + 60'000)
    return core::invalid("worked_at", "must not be in the future");
  return store::write_tx<Worklog>(db_, [&](store::Tx& tx) -> core::Result<Worklog> {
    YW_ASSIGN(Ticket t, load_visible(tx, v, number));
    Worklog w{0, v.user_id, minutes, core::trim(note), worked_at.value_or(now), now};
    auto row = tx.query_row(
        "INSERT INTO ticket_worklogs (ticket_id, user_id, minutes, note, worked_at, created_at)"
        " VALUES (?, ?, ?, ?, ?, ?) RETURNING id",
        {t.id, w.user_id, std::int64_t{w.minutes}, w.note, w.worked_at, now});
    if (!row.ok()) return std::move(row).error();
    w.id = (*row)->i64(0);
    json detail = {{"worklog_id", w.id}, {"minutes", w.minutes}, {"note", w.note}};
    YW_TRY(ticket_event(tx, actor, now, "ticket.worklog", t.id, "", detail.dump()));
    return w;
  });
}

core::Result<WorklogSummary> TicketService::worklogs(const Viewer& v, std::string_view number) {
  if (!v.staff) return core::forbidden("worklogs are for staff");
  return store::read_tx<WorklogSummary>(db_, [&](store::Tx& tx) -> core::Result<WorklogSummary> {
    YW_ASSIGN(Ticket t, load_visible(tx, v, number));
    auto rows = tx.query(
        "SELECT id, user_id, minutes, note, worked_at, created_at FROM ticket_worklogs"
        " WHERE ticket_id = ? ORDER BY worked_at, id",
        {t.id});
    if (!rows.ok()) return std::move(rows).error();
    WorklogSummary s;
    std::map<std::int64_t, std::int64_t> per;
    for (const store::Row& r : *rows) {
      Worklog w{r.i64(0), r.i64(1), static_cast<int>(r.i64(2)), r.str(3), r.i64(4), r.i64(5)};
      s.total_minutes += w.minutes;
      per[w.user_id] += w.minutes;
      s.items.push_back(std::move(w));
    }
    s.by_person.assign(per.begin(), per.end());
    return s;
  });
}

core::Result<std::vector<WorklogTotal>> TicketService::worklog_totals(const Viewer& v,
                                                                      const WorklogTotalsQuery& q) {
  if (!v.staff) return core::forbidden("worklog totals are for staff");
  using R = std::vector<WorklogTotal>;
  return store::read_tx<R>(db_, [&](store::Tx& tx) -> core::Result<R> {
    std::string sql =
        "SELECT w.user_id, u.display_name, SUM(w.minutes), COUNT(DISTINCT w.ticket_id)"
        " FROM ticket_worklogs w JOIN users u ON u.id = w.user_id JOIN tickets t"
        " ON t.id = w.ticket_id WHERE 1 = 1";
    store::Params params;
    YW_ASSIGN(bool restricted_ok, sees_restricted(tx, v));
    if (!restricted_ok) sql += " AND t.restricted = 0";
    if (q.from) {
      sql += " AND w.worked_at >= ?";
      params.emplace_back(*q.from);
    }
    if (q.to) {
      sql += " AND w.worked_at < ?";
      params.emplace_back(*q.to);
    }
    if (q.user_id) {
      sql += " AND w.user_id = ?";
      params.emplace_back(*q.user_id);
    }
    if (q.team_id) {
      sql += " AND w.user_id IN (SELECT user_id FROM team_members WHERE team_id = ?)";
      params.emplace_back(*q.team_id);
    }
    sql += " GROUP BY w.user_id, u.display_name ORDER BY 3 DESC, w.user_id LIMIT 500";
    auto rows = tx.query(sql, params);
    if (!rows.ok()) return std::move(rows).error();
    R out;
    for (const store::Row& r : *rows) out.push_back({r.i64(0), r.str(1), r.i64(2), r.i64(3)});
    return out;
  });
}

core::Result<Attachment> TicketService::add_attachment(const store::Actor& actor, const Viewer& v,
                                                       std::string_view number,
                                                       std::string_view filename,
                                                       std::string_view content_type,
                                                       std::string_view data, bool is_public) {
  if (!blobs_) return core::Error{core::ErrorCode::kUnavailable, "attachments are not configured"};
  if (!is_public && !v.agent) return core::forbidden("only agents add internal attachments");
  YW_TRY(core::check_text(filename, "filename", 255, true, core::Controls::kNone));
  if (data.empty()) return core::invalid("file", "is empty");
  // Check visibility and the size limit before writing the file.
  auto limit = store::read_tx<std::int64_t>(db_, [&](store::Tx& tx) -> core::Result<std::int64_t> {
    YW_ASSIGN(Ticket t, load_visible(tx, v, number));
    if (!v.agent && t.requester_id != v.user_id)
      return core::forbidden("only the requester and agents attach files");
    YW_ASSIGN(TicketSettings s, load_settings(tx));
    return s.attachment_max_bytes;
  });
  if (!limit.ok()) return std::move(limit).error();
  if (static_cast<std::int64_t>(data.size()) > *limit) {
    return core::Error{core::ErrorCode::kPayloadTooLarge,
                       "the file is larger than the limit of " + std::to_string(*limit) + " bytes",
                       "file"};
  }
  YW_ASSIGN(std::string sha, blobs_->put(data));
  std::string type = clean_content_type(content_type);
  return store::write_tx<Attachment>(db_, [&](store::Tx& tx) -> core::Result<Attachment> {
    YW_ASSIGN(Ticket t, load_visible(tx, v, number));
    core::TimeMs now = clock_.now_ms();
    auto row = tx.query_row(
        std::string("INSERT INTO ticket_attachments (ticket_id, sha256,"
                    " filename, content_type, size, public, uploaded_by,"
                    " created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING ") +
            kAttachmentColumns,
        {t.id, sha, std::string(filename), type, static_cast<std::int64_t>(data.size()),
         std::int64_t{is_public ? 1 : 0}, opt_value(actor.user_id), now});
    if (!row.ok()) return std::move(row).error();
    Attachment a = attachment_from_row(**row);
    json detail = {{"attachment_id", a.id},
                   {"filename", a.filename},
                   {"size", a.size},
                   {"public", a.is_public}};
    YW_TRY(ticket_event(tx, actor, now, "ticket.attachment", t.id, "", detail.dump()));
    return a;
  });
}

core::Result<std::vector<Attachment>> TicketService::attachments(const Viewer& v,
                                                                 std::string_view number) {
  using R = std::vector<Attachment>;
  return store::read_tx<R>(db_, [&](store::Tx& tx) -> core::Result<R> {
    YW_ASSIGN(Ticket t, load_visible(tx, v, number));
    std::string sql = std::string("SELECT ") + kAttachmentColumns +
                      " FROM ticket_attachments WHERE ticket_id = ?";
    if (!v.staff) sql += " AND public = 1";
    sql += " ORDER BY id";
    auto rows = tx.query(sql, {t.id});
    if (!rows.ok()) return std::move(rows).error();
    R out;
    for (const store::Row& r : *rows) out.push_back(attachment_from_row(r));
    return out;
  });
}

core::Result<std::pair<Attachment, std::string>> TicketService::attachment(const Viewer& v,
                                                                           std::string_view number,
                                                                           std::int64_t id) {
  if (!blobs_) return core::Error{core::ErrorCode::kUnavailable, "attachments are not configured"};
  auto a = store::read_tx<Attachment>(db_, [&](store::Tx& tx) -> core::Result<Attachment> {
    YW_ASSIGN(Ticket t, load_visible(tx, v, number));
    auto row = tx.query_row(std::string("SELECT ") + kAttachmentColumns +
                                " FROM ticket_attachments WHERE id = ? AND ticket_id = ?",
                            {id, t.id});
    if (!row.ok()) return std::move(row).error();
    if (!*row || (!v.staff && (*row)->i64(5) == 0))
      return core::not_found("attachment " + std::to_string(id) + " not found");
    return attachment_from_row(**row);
  });
  if (!a.ok()) return std::move(a).error();
  YW_ASSIGN(std::string data, blobs_->get(a->sha256));
  return std::pair<Attachment, std::string>(std::move(a).value(), std::move(data));
}

core::Result<Link> TicketService::add_link(const store::Actor& actor, const Viewer& v,
                                           std::string_view number, std::string_view type,
                                           std::string_view other) {
  if (!v.agent) return core::forbidden("only agents link tickets");
  std::optional<LinkForm> form = link_form(type);
  if (!form)
    return core::invalid("type",
                         "must be parent_of, child_of, duplicate_of, duplicated_by, related_to, "
                         "caused_by or causes");
  return store::write_tx<Link>(db_, [&](store::Tx& tx) -> core::Result<Link> {
    YW_ASSIGN(Ticket self, load_visible(tx, v, number));
    auto target = load_visible(tx, v, other);
    if (!target.ok()) return core::invalid("to", "no ticket " + std::string(other));
    if (target->id == self.id) return core::invalid("to", "a ticket cannot link to itself");
    std::int64_t from = form->reversed ? target->id : self.id;
    std::int64_t to = form->reversed ? self.id : target->id;
    // Already linked, either way round for the symmetric type.
    auto dup = tx.query_row(
        "SELECT 1 FROM ticket_links WHERE type = ? AND ((from_id = ? AND to_id = ?) OR"
        " (? = 'related_to' AND from_id = ? AND to_id = ?))",
        {form->stored, from, to, form->stored, to, from});
    if (!dup.ok()) return std::move(dup).error();
    if (*dup) return core::conflict("the tickets are already linked so", "to");
    if (form->stored == "child_of" || form->stored == "duplicate_of") {
      auto one = tx.query_row("SELECT 1 FROM ticket_links WHERE type = ? AND from_id = ?",
                              {form->stored, from});
      if (!one.ok()) return std::move(one).error();
      if (*one)
        return core::conflict(form->stored == "child_of" ? "a ticket has at most one parent"
                                                         : "a ticket duplicates at most one other",
                              "to");
    }
    if (form->stored == "child_of") {
      // No cycles: the new parent must not be a descendant of the child.
      std::int64_t cursor = to;
      for (int depth = 0; depth < 100; ++depth) {
        if (cursor == from) return core::conflict("the link would make a cycle of parents", "to");
        auto up = tx.query_row(
            "SELECT to_id FROM ticket_links WHERE type = 'child_of' AND from_id = ?", {cursor});
        if (!up.ok()) return std::move(up).error();
        if (!*up) break;
        cursor = (*up)->i64(0);
      }
    }
    core::TimeMs now = clock_.now_ms();
    auto row = tx.query_row(
        "INSERT INTO ticket_links (from_id, to_id, type, created_by, created_at)"
        " VALUES (?, ?, ?, ?, ?) RETURNING id",
        {from, to, form->stored, opt_value(actor.user_id), now});
    if (!row.ok()) return std::move(row).error();
    Link l{(*row)->i64(0), std::string(type), target->number, target->title, target->status, now};
    json detail = {{"link_id", l.id}, {"type", l.type}, {"number", l.number}};
    YW_TRY(ticket_event(tx, actor, now, "ticket.link", self.id, "", detail.dump()));
    json back = {{"link_id", l.id},
                 {"type", form->reversed ? form->stored : inverse(form->stored)},
                 {"number", self.number}};
    YW_TRY(ticket_event(tx, actor, now, "ticket.link", target->id, "", back.dump()));
    return l;
  });
}

core::Status TicketService::remove_link(const store::Actor& actor, const Viewer& v,
                                        std::string_view number, std::int64_t link_id) {
  if (!v.agent) return core::forbidden("only agents unlink tickets");
  return db_.write([&](store::Tx& tx) -> core::Status {
    YW_ASSIGN(Ticket self, load_visible(tx, v, number));
    auto row = tx.query_row(
        "SELECT from_id, to_id, type FROM ticket_links WHERE id = ? AND (from_id = ? OR to_id = ?)",
        {link_id, self.id, self.id});
    if (!row.ok()) return std::move(row).error();
    if (!*row) return core::not_found("link " + std::to_string(link_id) + " not found");
    std::int64_t other = (*row)->i64(0) == self.id ? (*row)->i64(1) : (*row)->i64(0);
    auto n = tx.exec("DELETE FROM ticket_links WHERE id = ?", {link_id});
    if (!n.ok()) return std::move(n).error();
    core::TimeMs now = clock_.now_ms();
    json detail = {{"link_id", link_id}, {"type", (*row)->str(2)}};
    YW_TRY(ticket_event(tx, actor, now, "ticket.unlink", self.id, detail.dump(), ""));
    YW_TRY(ticket_event(tx, actor, now, "ticket.unlink", other, detail.dump(), ""));
    return {};
  });
}

core::Result<std::vector<Link>> TicketService::links(const Viewer& v, std::string_view number) {
  using R = std::vector<Link>;
  return store::read_tx<R>(db_, [&](store::Tx& tx) -> core::Result<R> {
    YW_ASSIGN(Ticket self, load_visible(tx, v, number));
    auto rows = tx.query(
        "SELECT l.id, l.type, l.from_id = ?, o.number, o.title, o.status, l.created_at, o.id"
        " FROM ticket_links l JOIN tickets o ON o.id = CASE WHEN l.from_id = ? THEN l.to_id"
        " ELSE l.from_id END WHERE l.from_id = ? OR l.to_id = ? ORDER BY l.id",
        {self.id, self.id, self.id, self.id});
    if (!rows.ok()) return std::move(rows).error();
    R out;
    for (const store::Row& r : *rows) {
      bool outgoing = r.i64(2) != 0;
      std::string stored = r.str(1);
      Link l{r.i64(0), outgoing ? stored : inverse(stored), r.str(3), r.str(4), r.str(5), r.i64(6)};
      // The other ticket may be invisible to this viewer: show the link, not its title.
      auto other = load(tx, l.number);
      if (!other.ok()) return std::move(other).error();
      YW_ASSIGN(bool visible, can_see(tx, v, *other));
      if (!visible) {
        if (!v.staff) continue;
        l.title.clear();
      }
      out.push_back(std::move(l));
    }
    return out;
  });
}

core::Result<std::vector<TimelineEntry>> TicketService::timeline(const Viewer& v,
                                                                 std::string_view number) {
  using R = std::vector<TimelineEntry>;
  return store::read_tx<R>(db_, [&](store::Tx& tx) -> core::Result<R> {
    YW_ASSIGN(Ticket t, load_visible(tx, v, number));
    auto rows = tx.query(
        "SELECT e.id, e.at, e.actor_id, COALESCE(u.display_name, ''), e.action, e.before_json,"
        " e.after_json FROM events e LEFT JOIN users u ON u.id = e.actor_id"
        " WHERE e.object_type = 'ticket' AND e.object_id = ? ORDER BY e.id",
        {t.id});
    if (!rows.ok()) return std::move(rows).error();
    R out;
    for (const store::Row& r : *rows) {
      TimelineEntry e;
      e.id = r.i64(0);
      e.at = r.i64(1);
      e.actor_id = r.opt_i64(2);
      e.actor_name = r.str(3);
      e.action = r.str(4);
      json before = json::parse(r.str(5), nullptr, false);
      json after = json::parse(r.str(6), nullptr, false);
      if (!v.staff) {
        // Requesters see what happened to their ticket, not the team's internal work.
        if (e.action == "ticket.worklog" || e.action == "ticket.escalate" ||
            e.action == "ticket.link" || e.action == "ticket.unlink" || e.action == "ticket.sla")
          continue;
        if ((e.action == "ticket.comment" || e.action == "ticket.attachment") &&
            after.is_object() && !after.value("public", true))
          continue;
      }
      if (after.is_object() && after.contains("number") && after.contains("status")) {
        e.changes = e.action == "ticket.create" ? initial_fields(after) : diff(before, after);
        if (after.contains("detail")) e.detail_json = after["detail"].dump();
      } else if (after.is_object()) {
        e.detail_json = after.dump();
      } else if (before.is_object()) {
        e.detail_json = before.dump();
      }
      out.push_back(std::move(e));
    }
    return out;
  });
}

core::Result<Survey> TicketService::answer_survey(const store::Actor& actor, const Viewer& v,
                                                  std::string_view number, int rating,
                                                  std::string_view comment) {
  if (rating < 1 || rating > 5) return core::invalid("rating", "must be between 1 and 5");
  YW_TRY(core::check_text(comment, "comment", 2000, false));
  return store::write_tx<Survey>(db_, [&](store::Tx& tx) -> core::Result<Survey> {
    YW_ASSIGN(Ticket t, load_visible(tx, v, number));
    if (t.requester_id != v.user_id)
      return core::forbidden("only the requester answers the satisfaction survey");
    if (!t.resolved_at ||
        (t.status != "resolved" && t.status != "fulfilled" && t.status != "closed"))
      return core::conflict("the survey opens when the ticket is resolved", "status");
    auto done = tx.query_row("SELECT 1 FROM ticket_surveys WHERE ticket_id = ?", {t.id});
    if (!done.ok()) return std::move(done).error();
    if (*done) return core::conflict("the survey was already answered", "rating");
    core::TimeMs now = clock_.now_ms();
    Survey s{rating, core::trim(comment), v.user_id, now};
    auto n = tx.exec(
        "INSERT INTO ticket_surveys (ticket_id, requester_id, rating, comment, created_at)"
        " VALUES (?, ?, ?, ?, ?)",
        {t.id, s.requester_id, std::int64_t{rating}, s.comment, now});
    if (!n.ok()) return std::move(n).error();
    json detail = {{"rating", rating}, {"comment", s.comment}};
    YW_TRY(ticket_event(tx, actor, now, "ticket.survey", t.id, "", detail.dump()));
    return s;
  });
}

namespace {
// The WHERE conditions of a survey query (after "WHERE 1 = 1").
core::Status survey_filter(store::Tx& tx, const Viewer& v, const SurveyQuery& q, std::string& sql,
                           store::Params& params) {
  YW_ASSIGN(bool restricted_ok, sees_restricted(tx, v));
  if (!restricted_ok) sql += " AND t.restricted = 0";
  if (q.from) {
    sql += " AND s.created_at >= ?";
    params.emplace_back(*q.from);
  }
  if (q.to) {
    sql += " AND s.created_at < ?";
    params.emplace_back(*q.to);
  }
  if (q.team_id) {
    sql += " AND t.assignee_team_id = ?";
    params.emplace_back(*q.team_id);
  }
  if (q.rating) {
    sql += " AND s.rating = ?";
    params.emplace_back(std::int64_t{*q.rating});
  }
  return {};
}
}  // namespace

core::Result<TicketService::SurveySummary> TicketService::survey_summary(const Viewer& v,
                                                                         const SurveyQuery& q) {
  if (!v.staff) return core::forbidden("survey answers are for staff");
  return store::read_tx<SurveySummary>(db_, [&](store::Tx& tx) -> core::Result<SurveySummary> {
    std::string sql =
        "SELECT s.rating, COUNT(*) FROM ticket_surveys s JOIN tickets t ON t.id = s.ticket_id"
        " WHERE 1 = 1";
    store::Params params;
    YW_TRY(survey_filter(tx, v, q, sql, params));
    sql += " GROUP BY s.rating";
    auto rows = tx.query(sql, params);
    if (!rows.ok()) return std::move(rows).error();
    SurveySummary s;
    std::int64_t sum = 0;
    for (const store::Row& r : *rows) {
      std::int64_t rating = r.i64(0), n = r.i64(1);
      if (rating < 1 || rating > 5) continue;
      s.by_rating[rating - 1] = n;
      s.count += n;
      sum += rating * n;
    }
    if (s.count > 0) s.average = static_cast<double>(sum) / static_cast<double>(s.count);
    return s;
  });
}

core::Result<store::Page<SurveyRow>> TicketService::surveys(const Viewer& v, const SurveyQuery& q) {
  if (!v.staff) return core::forbidden("survey answers are for staff");
  if (q.rating && (*q.rating < 1 || *q.rating > 5))
    return core::invalid("rating", "must be between 1 and 5");
  static const store::SortSpec kSort{"-created_at", "s.created_at", true, false};
  return store::read_tx<store::Page<SurveyRow>>(
      db_, [&](store::Tx& tx) -> core::Result<store::Page<SurveyRow>> {
        std::string sql =
            "SELECT s.ticket_id, t.number, t.title, t.assignee_team_id, s.rating, s.comment,"
            " s.requester_id, s.created_at FROM ticket_surveys s JOIN tickets t"
            " ON t.id = s.ticket_id WHERE 1 = 1";
        store::Params params;
        YW_TRY(survey_filter(tx, v, q, sql, params));
        YW_ASSIGN(store::Keyset keyset, store::make_keyset(kSort, q.cursor, "s.ticket_id"));
        store::append_page_clause(sql, params, keyset, q.limit);
        auto rows = tx.query(sql, params);
        if (!rows.ok()) return std::move(rows).error();
        store::Page<SurveyRow> page;
        for (const store::Row& r : *rows) {
          SurveyRow s;
          s.id = r.i64(0);
          s.number = r.str(1);
          s.title = r.str(2);
          s.team_id = r.opt_i64(3);
          s.survey = Survey{static_cast<int>(r.i64(4)), r.str(5), r.i64(6), r.i64(7)};
          page.items.push_back(std::move(s));
        }
        store::finish_page(page, q.limit, kSort,
                           [](const SurveyRow& s) -> store::Value { return s.survey.created_at; });
        return page;
      });
}

}  // namespace yunwei::tickets
