#include "sla/holidays.h"

#include <algorithm>
#include <map>
#include <nlohmann/json.hpp>
#include <set>

#include "core/text.h"

namespace yunwei::sla {
namespace {

using nlohmann::json;

int line_at(std::string_view text, std::size_t pos) {
  pos = std::min(pos, text.size());
  return 1 +
         static_cast<int>(std::count(text.begin(), text.begin() + static_cast<long>(pos), '\n'));
}

// Finds the lines of JSON string tokens in document order: nlohmann keeps no positions, so a
// value's line is where its quoted text next occurs.
class Locator {
 public:
  explicit Locator(std::string_view text) : text_(text) {}
  int line_of(const std::string& value) {
    std::string needle = "\"" + value + "\"";
    std::size_t& from = next_[needle];
    std::size_t pos = text_.find(needle, from);
    if (pos == std::string_view::npos) return 0;
    from = pos + 1;
    return line_at(text_, pos);
  }

 private:
  std::string_view text_;
  std::map<std::string, std::size_t> next_;
};

// Collects days, merging repeats of the same kind and reporting a date given both kinds.
class DayCollector {
 public:
  void add(Day d, DayKind kind, const std::string& name, int line, ParsedHolidays& out) {
    auto [it, added] = days_.emplace(d, HolidayDay{d, kind, name});
    if (!added && it->second.kind != kind) {
      out.errors.push_back(
          {line, format_date(d) + " is listed as both a holiday and a make-up workday"});
    }
  }
  // `years`: those the document covers besides the ones its days fall in (a year listed with no
  // days is covered: importing it clears it).
  void finish(ParsedHolidays& out, std::set<int> years = {}) {
    for (auto& [d, h] : days_) {
      out.days.push_back(h);
      years.insert(std::stoi(format_date(d).substr(0, 4)));
    }
    out.years.assign(years.begin(), years.end());
  }

 private:
  std::map<Day, HolidayDay> days_;
};

bool in_range(Day d) {
  std::string s = format_date(d);
  int y = std::stoi(s.substr(0, 4));
  return y >= CompiledCalendar::kFirstYear && y < CompiledCalendar::kEndYear;
}

bool weekend(Day d) { return weekday(d) >= 5; }

}  // namespace

ParsedHolidays parse_holiday_json(std::string_view text) {
  ParsedHolidays out;
  json doc;
  try {
    doc = json::parse(text);
  } catch (const json::parse_error& e) {
    out.errors.push_back({line_at(text, e.byte > 0 ? e.byte - 1 : 0), "malformed JSON"});
    return out;
  } catch (const json::exception&) {  // out_of_range for a number such as 1e400
    out.errors.push_back({0, "malformed JSON: a number is out of range"});
    return out;
  }
  Locator at(text);
  auto years = doc.is_object() ? doc.find("years") : doc.end();
  if (!doc.is_object() || years == doc.end() || !years->is_object() || years->empty()) {
    out.errors.push_back(
        {0, R"(expected {"years": {"2027": {"holidays": [...], "make_up_workdays": [...]}}})"});
    return out;
  }
  DayCollector days;
  std::set<int> covered;
  for (auto& [key, year] : years->items()) {
    int key_line = at.line_of(key);
    bool key_ok = key.size() == 4 &&
                  std::all_of(key.begin(), key.end(), [](char c) { return c >= '0' && c <= '9'; });
    int y = key_ok ? std::stoi(key) : 0;
    if (!key_ok || y < CompiledCalendar::kFirstYear || y >= CompiledCalendar::kEndYear) {
      out.errors.push_back({key_line, "\"" + key + "\" is not a year from 2000 to 2099"});
      continue;
    }
    if (!year.is_object()) {
      out.errors.push_back(
          {key_line, key + ": expected an object with holidays and make_up_workdays"});
      continue;
    }
    covered.insert(y);
    for (auto& [field, value] : year.items()) {
      if (field != "holidays" && field != "make_up_workdays") {
        out.errors.push_back({at.line_of(field), key + ": unknown field \"" + field +
                                                     "\" (holidays, make_up_workdays)"});
      }
    }
    // A date of year `key` with its line, or an error.
    auto date_of = [&](const json& v, int& line) -> std::optional<Day> {
      line = key_line;
      if (!v.is_string()) {
        out.errors.push_back({key_line, key + ": days must be date strings (YYYY-MM-DD)"});
        return std::nullopt;
      }
      std::string s = v.get<std::string>();
      line = at.line_of(s);
      std::optional<Day> d = parse_date(s);
      if (!d) {
        out.errors.push_back({line, "\"" + s + "\" is not a date (YYYY-MM-DD)"});
        return std::nullopt;
      }
      if (s.substr(0, 4) != key) {
        out.errors.push_back({line, s + " is listed under the year " + key});
        return std::nullopt;
      }
      return d;
    };
    if (auto h = year.find("holidays"); h != year.end()) {
      if (!h->is_array()) {
        out.errors.push_back({key_line, key + ": holidays must be an array"});
      } else {
        for (const json& holiday : *h) {
          auto name = holiday.is_object() ? holiday.find("name") : holiday.end();
          auto list = holiday.is_object() ? holiday.find("days") : holiday.end();
          bool ok = holiday.is_object() && name != holiday.end() && name->is_string() &&
                    !name->get<std::string>().empty() && name->get<std::string>().size() <= 100 &&
                    list != holiday.end() && list->is_array() && !list->empty();
          if (!ok) {
            int line = name != holiday.end() && name->is_string()
                           ? at.line_of(name->get<std::string>())
                           : key_line;
            out.errors.push_back(
                {line,
                 key + R"(: each holiday needs a "name" (1 to 100 bytes) and a list of "days")"});
            continue;
          }
          std::string n = name->get<std::string>();
          for (const json& v : *list) {
            int line = 0;
            if (auto d = date_of(v, line)) days.add(*d, DayKind::kHoliday, n, line, out);
          }
        }
      }
    }
    if (auto w = year.find("make_up_workdays"); w != year.end()) {
      if (!w->is_array()) {
        out.errors.push_back({key_line, key + ": make_up_workdays must be an array"});
      } else {
        for (const json& v : *w) {
          int line = 0;
          std::optional<Day> d = date_of(v, line);
          if (!d) continue;
          if (!weekend(*d)) {
            out.errors.push_back(
                {line,
                 format_date(*d) + " is not a Saturday or Sunday: only weekend days are made up"});
            continue;
          }
          days.add(*d, DayKind::kWorkday, "调休上班", line, out);
        }
      }
    }
  }
  days.finish(out, std::move(covered));
  return out;
}

namespace {

// One unfolded content line: "NAME;PARAM=V:value" and the line it starts on.
struct ContentLine {
  int line = 0;
  std::string name;    // upper-cased
  std::string params;  // upper-cased, without the leading ';'
  std::string value;
};

std::string upper(std::string s) {
  for (char& c : s) {
    if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
  }
  return s;
}

std::vector<ContentLine> unfold(std::string_view text) {
  std::vector<ContentLine> out;
  std::vector<std::pair<int, std::string>> logical;
  int line = 0;
  std::size_t pos = 0;
  while (pos <= text.size()) {
    std::size_t nl = text.find('\n', pos);
    std::string_view raw =
        text.substr(pos, nl == std::string_view::npos ? text.size() - pos : nl - pos);
    ++line;
    if (!raw.empty() && raw.back() == '\r') raw.remove_suffix(1);
    if (!raw.empty() && (raw.front() == ' ' || raw.front() == '\t') && !logical.empty()) {
      logical.back().second.append(raw.substr(1));
    } else if (!raw.empty()) {
      logical.emplace_back(line, std::string(raw));
    }
    if (nl == std::string_view::npos) break;
    pos = nl + 1;
  }
  for (auto& [at, text_line] : logical) {
    ContentLine c;
    c.line = at;
    std::size_t colon = text_line.find(':');
    std::string head = colon == std::string::npos ? text_line : text_line.substr(0, colon);
    c.value = colon == std::string::npos ? "" : text_line.substr(colon + 1);
    std::size_t semi = head.find(';');
    c.name = upper(head.substr(0, semi));
    if (semi != std::string::npos) c.params = upper(head.substr(semi + 1));
    out.push_back(std::move(c));
  }
  return out;
}

std::string unescape_text(std::string_view v) {
  std::string out;
  for (std::size_t i = 0; i < v.size(); ++i) {
    if (v[i] == '\\' && i + 1 < v.size()) {
      char n = v[++i];
      out += (n == 'n' || n == 'N') ? '\n' : n;
    } else {
      out += v[i];
    }
  }
  return out;
}

// "20270101" -> Day.
std::optional<Day> ical_date(std::string_view v) {
  if (v.size() != 8) return std::nullopt;
  std::string iso = std::string(v.substr(0, 4)) + "-" + std::string(v.substr(4, 2)) + "-" +
                    std::string(v.substr(6, 2));
  return parse_date(iso);
}

}  // namespace

ParsedHolidays parse_holiday_ical(std::string_view text) {
  ParsedHolidays out;
  std::vector<ContentLine> lines = unfold(text);
  if (lines.empty() || lines.front().name != "BEGIN" || upper(lines.front().value) != "VCALENDAR") {
    out.errors.push_back({lines.empty() ? 1 : lines.front().line,
                          "not an iCalendar document (expected BEGIN:VCALENDAR)"});
    return out;
  }
  DayCollector days;
  struct Event {
    int line = 0;
    const ContentLine* start = nullptr;
    const ContentLine* end = nullptr;
    std::string summary;
    bool workday = false;
    bool recurring = false;
  };
  std::optional<Event> ev;
  int events = 0;
  for (const ContentLine& c : lines) {
    if (c.name == "BEGIN" && upper(c.value) == "VEVENT") {
      if (ev) out.errors.push_back({c.line, "BEGIN:VEVENT inside another event"});
      ev = Event{c.line};
      continue;
    }
    if (!ev) continue;
    if (c.name == "END" && upper(c.value) == "VEVENT") {
      ++events;
      Event e = *ev;
      ev.reset();
      if (!e.start) {
        out.errors.push_back({e.line, "event without DTSTART"});
        continue;
      }
      if (e.recurring) {
        out.errors.push_back({e.line, "recurring events (RRULE) are not supported: list each day"});
        continue;
      }
      auto all_day = [&](const ContentLine& p) -> std::optional<Day> {
        std::optional<Day> d = ical_date(p.value);
        if (!d) {
          out.errors.push_back(
              {p.line, p.name + " must be a date such as 20270101 (an all-day event)"});
        } else if (!in_range(*d)) {
          out.errors.push_back(
              {p.line, p.name + " " + format_date(*d) + " is not between 2000 and 2099"});
          d.reset();
        }
        return d;
      };
      std::optional<Day> first = all_day(*e.start);
      if (!first) continue;
      Day last = *first;
      if (e.end) {
        std::optional<Day> end = all_day(*e.end);
        if (!end) continue;
        if (*end <= *first) {
          out.errors.push_back({e.end->line, "DTEND must come after DTSTART"});
          continue;
        }
        if (*end - *first > 31) {
          out.errors.push_back({e.end->line, "an event may span at most 31 days"});
          continue;
        }
        last = *end - 1;
      }
      std::string name = e.summary.empty() ? (e.workday ? "调休上班" : "holiday") : e.summary;
      if (name.size() > 100) {
        // Cut at a character boundary: half a UTF-8 sequence could be neither stored nor served.
        std::size_t cut = 100;
        while (cut > 0 && (static_cast<unsigned char>(name[cut]) & 0xC0) == 0x80) --cut;
        name.resize(cut);
      }
      for (Day d = *first; d <= last; ++d) {
        if (e.workday && !weekend(d)) {
          out.errors.push_back(
              {e.start->line,
               format_date(d) + " is not a Saturday or Sunday: only weekend days are made up"});
          continue;
        }
        days.add(d, e.workday ? DayKind::kWorkday : DayKind::kHoliday, name, e.start->line, out);
      }
      continue;
    }
    if (c.name == "DTSTART") {
      ev->start = &c;
    } else if (c.name == "DTEND") {
      ev->end = &c;
    } else if (c.name == "SUMMARY") {
      ev->summary = unescape_text(c.value);
      if (!core::valid_utf8(ev->summary)) {
        out.errors.push_back({c.line, "SUMMARY is not valid UTF-8"});
        ev->summary.clear();
      }
      if (ev->summary.find("班") != std::string::npos) ev->workday = true;
    } else if (c.name == "X-YUNWEI-DAY-KIND") {
      ev->workday = upper(c.value) == "WORKDAY";
    } else if (c.name == "RRULE" || c.name == "RDATE") {
      ev->recurring = true;
    }
  }
  if (ev) out.errors.push_back({ev->line, "event not closed with END:VEVENT"});
  if (events == 0 && out.errors.empty()) out.errors.push_back({0, "no events"});
  days.finish(out);
  return out;
}

}  // namespace yunwei::sla
