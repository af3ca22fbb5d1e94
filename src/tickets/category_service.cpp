#include "tickets/category_service.h"

#include <nlohmann/json.hpp>

#include "core/text.h"

namespace yunwei::tickets {
namespace {

constexpr const char* kColumns =
    "id, parent_id, code, name, name_zh, security, active, sort_order, version";

Category from_row(const store::Row& r) {
  Category c;
  c.id = r.i64(0);
  c.parent_id = r.opt_i64(1);
  c.code = r.str(2);
  c.name = r.str(3);
  c.name_zh = r.str(4);
  c.security = r.i64(5) != 0;
  c.active = r.i64(6) != 0;
  c.sort_order = static_cast<int>(r.i64(7));
  c.version = r.i64(8);
  return c;
}

std::string snapshot(const Category& c) {
  nlohmann::json j = {{"id", c.id},
                      {"parent_id", c.parent_id ? nlohmann::json(*c.parent_id) : nlohmann::json()},
                      {"code", c.code},
                      {"name", c.name},
                      {"name_zh", c.name_zh},
                      {"security", c.security},
                      {"active", c.active},
                      {"sort_order", c.sort_order},
                      {"version", c.version}};
  return j.dump();
}

core::Status check_code(std::string_view code) {
  if (code.empty() || code.size() > 64) return core::invalid("code", "must be 1 to 64 characters");
  for (char c : code) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-';
    if (!ok) return core::invalid("code", "may contain only lower-case letters, digits and . _ -");
  }
  return {};
}

core::Result<Category> load(store::Tx& tx, std::int64_t id) {
  auto row = tx.query_row(
      std::string("SELECT ") + kColumns + " FROM ticket_categories WHERE id = ?", {id});
  if (!row.ok()) return std::move(row).error();
  if (!*row) return core::not_found("category " + std::to_string(id) + " not found");
  return from_row(**row);
}

core::Result<Category> insert(store::Tx& tx, const store::Actor& actor, core::TimeMs now,
                              const NewCategory& in) {
  store::Value parent = nullptr;
  bool security = in.security;
  if (in.parent_id) {
    auto p = load(tx, *in.parent_id);
    if (!p.ok())
      return core::invalid("parent_id", "no category with id " + std::to_string(*in.parent_id));
    if (!p->active) return core::invalid("parent_id", "the parent category is inactive");
    if (p->parent_id)
      return core::invalid("parent_id", "categories have two levels: pick a top-level parent");
    security = security || p->security;
    parent = *in.parent_id;
  }
  auto taken = tx.query_row("SELECT id FROM ticket_categories WHERE code = ?", {in.code});
  if (!taken.ok()) return std::move(taken).error();
  if (*taken) return core::conflict("a category with this code exists", "code");
  auto row = tx.query_row(
      "INSERT INTO ticket_categories (parent_id, code, name, name_zh, security, active, sort_order,"
      " created_at, updated_at, version) VALUES (?, ?, ?, ?, ?, 1, ?, ?, ?, 1) RETURNING " +
          std::string(kColumns),
      {parent, in.code, core::trim(in.name), core::trim(in.name_zh), std::int64_t{security ? 1 : 0},
       std::int64_t{in.sort_order}, now, now});
  if (!row.ok()) return std::move(row).error();
  Category c = from_row(**row);
  auto ev =
      store::append_event(tx, actor, now, "category.create", "category", c.id, "", snapshot(c));
  if (!ev.ok()) return std::move(ev).error();
  return c;
}

}  // namespace

core::Result<Category> CategoryService::create(const store::Actor& actor, const NewCategory& in) {
  YW_TRY(check_code(in.code));
  YW_TRY(core::check_text(in.name, "name", 100, true, core::Controls::kNone));
  YW_TRY(core::check_text(in.name_zh, "name_zh", 100, false, core::Controls::kNone));
  return store::write_tx<Category>(
      db_, [&](store::Tx& tx) { return insert(tx, actor, clock_.now_ms(), in); });
}

core::Result<std::vector<Category>> CategoryService::list() {
  return store::read_tx<std::vector<Category>>(
      db_, [&](store::Tx& tx) -> core::Result<std::vector<Category>> {
        auto rows = tx.query(std::string("SELECT ") + kColumns +
                             " FROM ticket_categories ORDER BY sort_order, name, id");
        if (!rows.ok()) return std::move(rows).error();
        std::vector<Category> all;
        for (const store::Row& r : *rows) all.push_back(from_row(r));
        // Parents first, each followed by its children.
        std::vector<Category> out;
        for (const Category& p : all) {
          if (p.parent_id) continue;
          out.push_back(p);
          for (const Category& c : all) {
            if (c.parent_id == p.id) out.push_back(c);
          }
        }
        return out;
      });
}

core::Result<Category> CategoryService::update(const store::Actor& actor, std::int64_t id,
                                               const CategoryPatch& p) {
  if (p.name) YW_TRY(core::check_text(*p.name, "name", 100, true, core::Controls::kNone));
  if (p.name_zh) YW_TRY(core::check_text(*p.name_zh, "name_zh", 100, false, core::Controls::kNone));
  return store::write_tx<Category>(db_, [&](store::Tx& tx) -> core::Result<Category> {
    YW_ASSIGN(Category before, load(tx, id));
    if (before.version != p.version) {
      return core::conflict("the category was changed by someone else; reload and retry",
                            "version");
    }
    Category after = before;
    if (p.name) after.name = core::trim(*p.name);
    if (p.name_zh) after.name_zh = core::trim(*p.name_zh);
    if (p.active) after.active = *p.active;
    if (p.sort_order) after.sort_order = *p.sort_order;
    if (p.security) {
      if (before.parent_id && !*p.security) {
        YW_ASSIGN(Category parent, load(tx, *before.parent_id));
        if (parent.security)
          return core::invalid("security", "a child of a security category is security too");
      }
      after.security = *p.security;
    }
    core::TimeMs now = clock_.now_ms();
    auto n = tx.exec(
        "UPDATE ticket_categories SET name = ?, name_zh = ?, security = ?, active = ?,"
        " sort_order = ?, updated_at = ?, version = version + 1 WHERE id = ? AND version = ?",
        {after.name, after.name_zh, std::int64_t{after.security ? 1 : 0},
         std::int64_t{after.active ? 1 : 0}, std::int64_t{after.sort_order}, now, id, p.version});
    if (!n.ok()) return std::move(n).error();
    if (*n != 1) return core::conflict("the category was changed concurrently; reload", "version");
    if (!before.parent_id && after.security != before.security) {
      auto kids = tx.exec(
          "UPDATE ticket_categories SET security = ?, updated_at = ?,"
          " version = version + 1 WHERE parent_id = ? AND security <> ?",
          {std::int64_t{after.security ? 1 : 0}, now, id, std::int64_t{after.security ? 1 : 0}});
      if (!kids.ok()) return std::move(kids).error();
    }
    if (after.security != before.security) {
      // The tickets follow their category's visibility.
      auto tickets = tx.exec(
          "UPDATE tickets SET restricted = (SELECT c.security FROM ticket_categories c"
          " WHERE c.id = tickets.category_id) WHERE category_id = ? OR category_id IN"
          " (SELECT id FROM ticket_categories WHERE parent_id = ?)",
          {id, id});
      if (!tickets.ok()) return std::move(tickets).error();
    }
    YW_ASSIGN(Category stored, load(tx, id));
    auto ev = store::append_event(tx, actor, now, "category.update", "category", id,
                                  snapshot(before), snapshot(stored));
    if (!ev.ok()) return std::move(ev).error();
    return stored;
  });
}

core::Status CategoryService::seed_defaults(const store::Actor& actor) {
  struct Node {
    const char* code;
    const char* name;
    const char* name_zh;
    bool security;
    std::vector<std::tuple<const char*, const char*, const char*>> children;
  };
  static const std::vector<Node> kTree = {
      {"network",
       "Network",
       "网络",
       false,
       {{"network.lan", "Wired LAN", "有线网络"},
        {"network.wifi", "Wi-Fi", "无线网络"},
        {"network.vpn", "VPN", "VPN"},
        {"network.dns", "DNS and domains", "DNS 与域名"}}},
      {"server",
       "Servers and storage",
       "服务器与存储",
       false,
       {{"server.hardware", "Server hardware", "服务器硬件"},
        {"server.os", "Operating systems", "操作系统"},
        {"server.storage", "Storage and backup", "存储与备份"},
        {"server.virtualization", "Virtualization and cloud", "虚拟化与云平台"}}},
      {"application",
       "Business applications",
       "应用系统",
       false,
       {{"application.erp", "ERP", "ERP"},
        {"application.oa", "Office automation (OA)", "OA 办公"},
        {"application.email", "Email", "邮件"},
        {"application.website", "Websites and portals", "网站与门户"}}},
      {"database",
       "Databases",
       "数据库",
       false,
       {{"database.oracle", "Oracle", "Oracle"},
        {"database.mysql", "MySQL", "MySQL"},
        {"database.postgresql", "PostgreSQL", "PostgreSQL"}}},
      {"workplace",
       "Workplace IT",
       "终端与办公",
       false,
       {{"workplace.pc", "Computers", "电脑"},
        {"workplace.printer", "Printers", "打印机"},
        {"workplace.phone", "Phones and meeting rooms", "电话与会议室"},
        {"workplace.software", "Software installation", "软件安装"}}},
      {"access",
       "Accounts and access",
       "账号与权限",
       false,
       {{"access.account", "Accounts and passwords", "账号与密码"},
        {"access.permission", "Permissions", "权限申请"}}},
      {"security",
       "Information security",
       "信息安全",
       true,
       {{"security.malware", "Malware", "病毒与恶意软件"},
        {"security.intrusion", "Intrusion", "入侵事件"},
        {"security.data_leak", "Data leak", "数据泄露"},
        {"security.vulnerability", "Vulnerabilities", "漏洞"}}},
  };
  return db_.write([&](store::Tx& tx) -> core::Status {
    auto any = tx.query_row("SELECT COUNT(*) FROM ticket_categories");
    if (!any.ok()) return std::move(any).error();
    if ((*any)->i64(0) > 0) return {};
    core::TimeMs now = clock_.now_ms();
    int order = 0;
    for (const Node& n : kTree) {
      YW_ASSIGN(Category parent,
                insert(tx, actor, now,
                       {std::nullopt, n.code, n.name, n.name_zh, n.security, order += 10}));
      int child_order = 0;
      for (const auto& [code, name, name_zh] : n.children) {
        YW_TRY(insert(tx, actor, now, {parent.id, code, name, name_zh, false, child_order += 10}));
      }
    }
    return {};
  });
}

}  // namespace yunwei::tickets
