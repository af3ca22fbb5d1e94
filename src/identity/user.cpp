#include "identity/user.h"

#include <date/tz.h>

#include <nlohmann/json.hpp>

namespace yunwei::identity {

bool is_supported_locale(std::string_view locale) { return locale == "zh-CN" || locale == "en"; }

bool is_valid_time_zone(std::string_view tz) {
  if (tz.empty() || tz.size() > 64) return false;
  try {
    return date::locate_zone(tz) != nullptr;
  } catch (const std::exception&) {
    return false;
  }
}

std::string user_snapshot(const User& u) {
  nlohmann::json j = {{"id", u.id},
                      {"username", u.username},
                      {"display_name", u.display_name},
                      {"email", u.email},
                      {"phone", u.phone},
                      {"locale", u.locale},
                      {"time_zone", u.time_zone},
                      {"organisation", u.organisation},
                      {"roles", role_names(u.roles)},
                      {"active", u.active},
                      {"version", u.version}};
  return j.dump();
}

std::string team_snapshot(const Team& t) {
  nlohmann::json j = {{"id", t.id},
                      {"name", t.name},
                      {"name_zh", t.name_zh},
                      {"description", t.description},
                      {"lead_id", t.lead_id ? nlohmann::json(*t.lead_id) : nlohmann::json(nullptr)},
                      {"active", t.active},
                      {"member_ids", t.member_ids},
                      {"version", t.version}};
  return j.dump();
}

}  // namespace yunwei::identity
