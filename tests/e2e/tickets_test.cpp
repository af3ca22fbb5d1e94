// Tickets through the real binary over real HTTP with real users and roles, on SQLite and (with
// YUNWEI_TEST_PG) PostgreSQL: visibility (issue #4 point 8), the ticket shape, transitions,
// attachments, search, the timeline and the auto-close worker.
#include <algorithm>
#include <filesystem>
#include <set>

#include "e2e/e2e_util.h"

namespace yunwei::testing {
namespace {

class TicketsE2eTest : public SharedServerTest {
 protected:
  struct Person {
    std::int64_t id = 0;
    std::string token;
  };

  HttpResponse call(const std::string& method, const std::string& target, const std::string& token,
                    const std::string& body = "", std::vector<std::string> headers = {}) {
    headers.push_back(bearer(token));
    HttpClient c(port_);
    return c.request(method, target, body, headers);
  }
  HttpResponse call(const std::string& method, const std::string& target, const std::string& token,
                    const json& body) {
    return call(method, target, token, body.dump());
  }

  // A new user with `roles` (and an organisation) who holds an API token.
  Person person(const std::string& prefix, const std::vector<std::string>& roles,
                const std::string& organisation = "") {
    std::string name = unique_name(prefix);
    json body = {{"username", name},
                 {"display_name", name},
                 {"password", kUserPassword},
                 {"roles", roles},
                 {"organisation", organisation}};
    HttpResponse r = call("POST", "/api/v1/users", admin_token_, body);
    EXPECT_EQ(r.status, 201) << r.body;
    Person p;
    p.id = parse_body(r).value("id", std::int64_t{0});
    p.token = login_token(port_, name, kUserPassword);
    return p;
  }

  std::int64_t team_id(const std::string& name) {
    json teams = get_json(port_, "/api/v1/teams?limit=100", admin_token_);
    for (const json& t : teams["items"])
      if (t["name"] == name) return t["id"].get<std::int64_t>();
    ADD_FAILURE() << "no team " << name;
    return 0;
  }
  void add_member(std::int64_t team, std::int64_t user) {
    json t = get_json(port_, "/api/v1/teams/" + std::to_string(team), admin_token_);
    std::vector<std::int64_t> members = t["member_ids"].get<std::vector<std::int64_t>>();
    members.push_back(user);
    HttpResponse r = call("PATCH", "/api/v1/teams/" + std::to_string(team), admin_token_,
                          json{{"member_ids", members}, {"version", t["version"]}});
    ASSERT_EQ(r.status, 200) << r.body;
  }
  std::int64_t category_id(const std::string& code) {
    json cats = get_json(port_, "/api/v1/categories", admin_token_);
    for (const json& c : cats["items"])
      if (c["code"] == code) return c["id"].get<std::int64_t>();
    ADD_FAILURE() << "no category " << code;
    return 0;
  }
  // PATCHes the ticket settings with `change` (the version is added); returns the new settings.
  json settings(json change) {
    json now = get_json(port_, "/api/v1/ticket-settings", admin_token_);
    change["version"] = now["version"];
    HttpResponse r = call("PATCH", "/api/v1/ticket-settings", admin_token_, change);
    EXPECT_EQ(r.status, 200) << r.body;
    return parse_body(r);
  }

  // Reports a ticket; the created ticket (a test failure unless 201).
  json report_json(const std::string& token, const json& body) {
    HttpResponse r = call("POST", "/api/v1/tickets", token, body);
    EXPECT_EQ(r.status, 201) << r.body;
    return parse_body(r);
  }
  json report(const std::string& token, const std::string& title,
              const std::string& description = "") {
    return report_json(token, json{{"title", title}, {"description", description}});
  }
  HttpResponse get_ticket(const std::string& number, const std::string& token) {
    return call("GET", "/api/v1/tickets/" + number, token);
  }
  // Numbers in a list or search response.
  std::vector<std::string> numbers(const std::string& target, const std::string& token) {
    json j = get_json(port_, target, token);
    std::vector<std::string> out;
    if (j.is_discarded()) return out;
    for (const json& t : j["items"]) out.push_back(t["number"]);
    return out;
  }
  static bool has(const std::vector<std::string>& v, const std::string& s) {
    return std::find(v.begin(), v.end(), s) != v.end();
  }
  // Moves a ticket; sends the version the caller reads unless `body` names one.
  HttpResponse transition(const std::string& number, const std::string& token, json body) {
    if (!body.contains("version")) {
      HttpResponse t = get_ticket(number, token);
      body["version"] = t.status == 200 ? parse_body(t)["version"] : json(1);
    }
    return call("POST", "/api/v1/tickets/" + number + "/transitions", token, body);
  }
  json resolve(const std::string& number, const std::string& token) {
    HttpResponse r = transition(
        number, token,
        {{"to", "resolved"}, {"resolution_code", "fixed"}, {"resolution_notes", "已处理"}});
    EXPECT_EQ(r.status, 200) << r.body;
    return parse_body(r);
  }

  // multipart/form-data with the given file parts (name "file") and optional fields.
  struct Part {
    std::string filename, content_type, data;
  };
  static std::string boundary() { return "yw-e2e-boundary-7MA4YWxkTrZu0gW"; }
  static std::string multipart(
      const std::vector<Part>& files,
      const std::vector<std::pair<std::string, std::string>>& fields = {}) {
    std::string b;
    for (const auto& [name, value] : fields) {
      b += "--" + boundary() + "\r\nContent-Disposition: form-data; name=\"" + name + "\"\r\n\r\n" +
           value + "\r\n";
    }
    for (const Part& p : files) {
      b += "--" + boundary() + "\r\nContent-Disposition: form-data; name=\"file\"; filename=\"" +
           p.filename + "\"\r\nContent-Type: " + p.content_type + "\r\n\r\n";
      b += p.data;
      b += "\r\n";
    }
    b += "--" + boundary() + "--\r\n";
    return b;
  }
  HttpResponse upload(const std::string& number, const std::string& token,
                      const std::vector<Part>& files,
                      const std::vector<std::pair<std::string, std::string>>& fields = {}) {
    return call("POST", "/api/v1/tickets/" + number + "/attachments", token,
                multipart(files, fields),
                {"Content-Type: multipart/form-data; boundary=" + boundary()});
  }
  // Files in the server's attachment store.
  std::size_t stored_blobs() {
    std::filesystem::path root = std::filesystem::path(server_->data_dir()) / "attachments";
    std::size_t n = 0;
    std::error_code ec;
    if (!std::filesystem::exists(root, ec)) return 0;
    for (auto it = std::filesystem::recursive_directory_iterator(root, ec);
         it != std::filesystem::recursive_directory_iterator(); it.increment(ec)) {
      if (it->is_regular_file()) ++n;
    }
    return n;
  }
};

// ---------------------------------------------------------------------------------------------
// The work item over HTTP

TEST_P(TicketsE2eTest, PostReturns201WithNumberAndLocationAndGetHasTheSharedShape) {
  Person req = person("tkreq", {"requester"});
  HttpResponse r = call("POST", "/api/v1/tickets", req.token,
                        json{{"title", "核心交换机宕机"},
                             {"description", "整栋楼断网"},
                             {"impact", 1},
                             {"urgency", 1}});
  ASSERT_EQ(r.status, 201) << r.body;
  json t = parse_body(r);
  std::string number = t.value("number", "");
  ASSERT_EQ(number.size(), 10u) << r.body;
  EXPECT_EQ(number.substr(0, 4), "INC-");
  EXPECT_TRUE(std::all_of(number.begin() + 4, number.end(), ::isdigit)) << number;
  EXPECT_EQ(r.header("location"), "/api/v1/tickets/" + number);
  EXPECT_EQ(t["kind"], "incident");
  EXPECT_EQ(t["priority"], "P1");
  EXPECT_EQ(t["requester_id"], req.id);

  HttpResponse g = get_ticket(number, req.token);
  ASSERT_EQ(g.status, 200) << g.body;
  json d = parse_body(g);
  EXPECT_EQ(d["number"], number);
  EXPECT_EQ(d["kind"], "incident");
  EXPECT_EQ(d["priority"], "P1");
  EXPECT_EQ(d["title"], "核心交换机宕机");
  EXPECT_EQ(d["status"], "new") << "no rule matched: untriaged in the service desk's queue";
  EXPECT_EQ(d["team_name"], "Service Desk");
  EXPECT_TRUE(d["version"].is_number_integer());
  EXPECT_TRUE(d["created_at"].is_string());
  ASSERT_TRUE(d["allowed_transitions"].is_array());
  ASSERT_EQ(d["allowed_transitions"].size(), 1u)
      << "the requester may only withdraw it: " << d["allowed_transitions"].dump();
  EXPECT_EQ(d["allowed_transitions"][0]["to"], "cancelled");
  // The number in any case, and an agent's allowed transitions.
  std::string lower = "inc-" + number.substr(4);
  Person agent = person("tkagent", {"agent"});
  HttpResponse ga = get_ticket(lower, agent.token);
  ASSERT_EQ(ga.status, 200) << ga.body;
  std::vector<std::string> targets;
  json agent_view = parse_body(ga);
  for (const json& a : agent_view["allowed_transitions"]) {
    targets.push_back(a["to"]);
    if (a["to"] == "resolved") {
      EXPECT_EQ(a["required_fields"], json::array({"resolution_code", "resolution_notes"}));
    }
  }
  EXPECT_EQ(targets,
            (std::vector<std::string>{"assigned", "in_progress", "resolved", "cancelled"}));
  // Assigned to a team, the agent may also set it waiting; the requester may still withdraw it.
  HttpResponse assigned = transition(number, agent.token, {{"to", "assigned"}});
  ASSERT_EQ(assigned.status, 200) << assigned.body;
  EXPECT_EQ(parse_body(assigned)["status"], "assigned");
  targets.clear();
  json assigned_view = parse_body(get_ticket(number, agent.token));
  for (const json& a : assigned_view["allowed_transitions"]) targets.push_back(a["to"]);
  EXPECT_EQ(targets, (std::vector<std::string>{"in_progress", "pending", "resolved", "cancelled"}));
  json mine = parse_body(get_ticket(number, req.token));
  ASSERT_EQ(mine["allowed_transitions"].size(), 1u) << mine["allowed_transitions"].dump();
  EXPECT_EQ(mine["allowed_transitions"][0]["to"], "cancelled");
  EXPECT_EQ(get_ticket("INC-999999", agent.token).status, 404);
  EXPECT_EQ(get_ticket("not-a-number", agent.token).status, 404);
}

TEST_P(TicketsE2eTest, AnImpossibleTransitionIs409NamingTheAllowedTargets) {
  Person req = person("tkreq", {"requester"});
  Person agent = person("tkagent", {"agent"});
  std::string number = report(req.token, "打印机卡纸")["number"];
  HttpResponse r = transition(number, agent.token, {{"to", "closed"}});
  ASSERT_EQ(r.status, 409) << r.body;
  EXPECT_EQ(error_shape_problem(r), "");
  EXPECT_EQ(error_field(r), "to");
  std::string message = parse_body(r)["error"]["message"];
  EXPECT_NE(message.find("allowed: assigned, in_progress, resolved, cancelled"), std::string::npos)
      << message;
  // Untriaged, it cannot wait for anyone yet.
  HttpResponse pend =
      transition(number, agent.token, {{"to", "pending"}, {"pending_reason", "awaiting_vendor"}});
  EXPECT_EQ(pend.status, 409) << pend.body;
  EXPECT_EQ(error_field(pend), "to");
  HttpResponse missing = transition(number, agent.token, {{"to", "resolved"}});
  EXPECT_EQ(missing.status, 400) << missing.body;
  EXPECT_EQ(error_field(missing), "resolution_code");
  HttpResponse stale = transition(number, agent.token, {{"to", "in_progress"}, {"version", 99}});
  EXPECT_EQ(stale.status, 409) << stale.body;
  EXPECT_EQ(error_field(stale), "version");
  HttpResponse ok = transition(number, agent.token, {{"to", "in_progress"}});
  ASSERT_EQ(ok.status, 200) << ok.body;
  EXPECT_EQ(parse_body(ok)["status"], "in_progress");
  // The requester's forbidden move.
  HttpResponse forbidden =
      transition(number, req.token, {{"to", "pending"}, {"pending_reason", "awaiting_vendor"}});
  EXPECT_EQ(forbidden.status, 403) << forbidden.body;
}

// ---------------------------------------------------------------------------------------------
// 8. Visibility with real users

TEST_P(TicketsE2eTest, ARequesterSeesOnlyOwnTicketsAndPublicComments) {
  std::string word = "e2evis" + std::to_string(getpid());
  Person a = person("tkreqa", {"requester"}, "");
  Person b = person("tkreqb", {"requester"}, "");
  Person agent = person("tkagent", {"agent"});
  std::string mine = report(a.token, "A 的电脑蓝屏 " + word)["number"];
  std::string theirs = report(b.token, "B 的电脑蓝屏 " + word)["number"];

  EXPECT_EQ(get_ticket(theirs, a.token).status, 404);
  EXPECT_EQ(error_shape_problem(get_ticket(theirs, a.token)), "");
  EXPECT_EQ(call("GET", "/api/v1/tickets/" + theirs + "/comments", a.token).status, 404);
  EXPECT_EQ(call("GET", "/api/v1/tickets/" + theirs + "/timeline", a.token).status, 404);
  EXPECT_EQ(
      call("POST", "/api/v1/tickets/" + theirs + "/comments", a.token, json{{"body", "hi"}}).status,
      404);
  EXPECT_EQ(numbers("/api/v1/tickets?limit=500", a.token), std::vector<std::string>{mine});
  EXPECT_EQ(numbers("/api/v1/tickets?limit=500&requester_id=" + std::to_string(b.id), a.token),
            std::vector<std::string>{});
  EXPECT_EQ(numbers("/api/v1/tickets?q=" + word, a.token), std::vector<std::string>{mine});
  EXPECT_EQ(numbers("/api/v1/search?q=" + word, a.token), std::vector<std::string>{mine});
  EXPECT_EQ(numbers("/api/v1/search?q=" + url_encode(theirs), a.token), std::vector<std::string>{});
  std::vector<std::string> staff = numbers("/api/v1/search?q=" + word, agent.token);
  EXPECT_TRUE(has(staff, mine) && has(staff, theirs));

  // Comments: the agent writes a public one and an internal note; A sees the public one only.
  ASSERT_EQ(call("POST", "/api/v1/tickets/" + mine + "/comments", agent.token,
                 json{{"body", "请重启试试"}, {"public", true}})
                .status,
            201);
  ASSERT_EQ(call("POST", "/api/v1/tickets/" + mine + "/comments", agent.token,
                 json{{"body", "内部：可能是显卡驱动"}, {"public", false}})
                .status,
            201);
  json comments = get_json(port_, "/api/v1/tickets/" + mine + "/comments", a.token);
  ASSERT_EQ(comments["items"].size(), 1u) << comments.dump();
  EXPECT_EQ(comments["items"][0]["body"], "请重启试试");
  EXPECT_EQ(get_json(port_, "/api/v1/tickets/" + mine + "/comments", agent.token)["items"].size(),
            2u);
  json timeline = get_json(port_, "/api/v1/tickets/" + mine + "/timeline", a.token);
  EXPECT_EQ(timeline.dump().find("显卡驱动"), std::string::npos) << timeline.dump();
  EXPECT_NE(timeline.dump().find("请重启试试"), std::string::npos);
  HttpResponse internal = call("POST", "/api/v1/tickets/" + mine + "/comments", a.token,
                               json{{"body", "我也要内部"}, {"public", false}});
  EXPECT_EQ(internal.status, 403) << internal.body;
  EXPECT_EQ(
      call("POST", "/api/v1/tickets/" + mine + "/comments", a.token, json{{"body", "重启后好了"}})
          .status,
      201);
  // Requesters cannot PATCH, log work or read worklogs.
  EXPECT_EQ(call("PATCH", "/api/v1/tickets/" + mine, a.token, json{{"title", "x"}, {"version", 1}})
                .status,
            403);
  EXPECT_EQ(call("GET", "/api/v1/tickets/" + mine + "/worklogs", a.token).status, 403);
}

TEST_P(TicketsE2eTest, SecurityTicketsAreForSecurityOperationsAndAdminsOnly) {
  std::string word = "e2esec" + std::to_string(getpid());
  Person req = person("tkreq", {"requester"});
  Person outsider = person("tkagent", {"agent"});
  Person secops = person("tksecops", {"agent"});
  add_member(team_id("Security Operations"), secops.id);
  std::int64_t malware = category_id("security.malware");
  json t =
      report_json(req.token, json{{"title", "电脑中了勒索病毒 " + word}, {"category_id", malware}});
  std::string number = t["number"];
  EXPECT_EQ(t["restricted"], true);

  EXPECT_EQ(get_ticket(number, outsider.token).status, 404);
  EXPECT_FALSE(has(numbers("/api/v1/tickets?limit=500", outsider.token), number));
  EXPECT_FALSE(has(numbers("/api/v1/tickets?q=" + word, outsider.token), number));
  EXPECT_TRUE(numbers("/api/v1/search?q=" + word, outsider.token).empty());
  EXPECT_EQ(call("GET", "/api/v1/tickets/" + number + "/timeline", outsider.token).status, 404);
  EXPECT_EQ(transition(number, outsider.token, {{"to", "in_progress"}}).status, 404);

  for (const std::string& token : {secops.token, admin_token_, req.token}) {
    EXPECT_EQ(get_ticket(number, token).status, 200);
    EXPECT_TRUE(has(numbers("/api/v1/tickets?limit=500", token), number));
    EXPECT_EQ(numbers("/api/v1/search?q=" + word, token), std::vector<std::string>{number});
  }
  EXPECT_EQ(transition(number, secops.token, {{"to", "in_progress"}}).status, 200);
}

TEST_P(TicketsE2eTest, RequestersSeeTheirOrganisationsTicketsWhenConfigured) {
  std::string org = "财务部-" + unique_name("org");
  Person c = person("tkorgc", {"requester"}, org);
  Person d = person("tkorgd", {"requester"}, org);
  Person e = person("tkorge", {"requester"}, "人事部-" + unique_name("org"));
  std::string ticket = report(c.token, "报销系统打不开")["number"];
  std::string secret = report_json(
      c.token,
      json{{"title", "钓鱼邮件"}, {"category_id", category_id("security.malware")}})["number"];
  EXPECT_EQ(get_ticket(ticket, d.token).status, 404);
  EXPECT_TRUE(numbers("/api/v1/tickets", d.token).empty());

  EXPECT_EQ(settings({{"requesters_see_organisation", true}})["requesters_see_organisation"], true);
  EXPECT_EQ(get_ticket(ticket, d.token).status, 200);
  EXPECT_EQ(numbers("/api/v1/tickets", d.token), std::vector<std::string>{ticket});
  EXPECT_EQ(get_ticket(secret, d.token).status, 404) << "never a colleague's security ticket";
  EXPECT_EQ(get_ticket(ticket, e.token).status, 404);
  EXPECT_TRUE(numbers("/api/v1/tickets", e.token).empty());
  // Seeing is not working: the colleague may not comment or move it.
  EXPECT_EQ(
      call("POST", "/api/v1/tickets/" + ticket + "/comments", d.token, json{{"body", "+1"}}).status,
      403);

  settings({{"requesters_see_organisation", false}});
  EXPECT_EQ(get_ticket(ticket, d.token).status, 404);
}

// ---------------------------------------------------------------------------------------------
// Attachments

TEST_P(TicketsE2eTest, AttachmentsAreStoredBySha256AndServedAsDownloads) {
  Person req = person("tkreq", {"requester"});
  Person agent = person("tkagent", {"agent"});
  std::string number = report(req.token, "系统日志附件")["number"];
  std::string binary("PK\x03\x04\x00\x00\xff\xfe\x00 日志 \x00\r\n--", 22);
  HttpResponse up = upload(number, req.token, {{"网络日志 1.bin", "Application/Zip", binary}});
  ASSERT_EQ(up.status, 201) << up.body;
  json a = parse_body(up)["items"][0];
  EXPECT_EQ(a["filename"], "网络日志 1.bin");
  EXPECT_EQ(a["content_type"], "application/zip");
  EXPECT_EQ(a["size"], binary.size());
  std::string sha = a["sha256"];
  EXPECT_EQ(sha.size(), 64u);

  HttpResponse dl = call("GET", a["url"].get<std::string>(), req.token);
  ASSERT_EQ(dl.status, 200) << dl.body;
  EXPECT_EQ(dl.body, binary);
  EXPECT_EQ(dl.header("content-type"), "application/zip");
  std::string disposition = dl.header("content-disposition");
  EXPECT_EQ(disposition.rfind("attachment;", 0), 0u) << disposition;
  EXPECT_NE(disposition.find("filename*=UTF-8''%E7%BD%91%E7%BB%9C%E6%97%A5%E5%BF%97%201.bin"),
            std::string::npos)
      << disposition;
  EXPECT_EQ(dl.header("x-content-type-options"), "nosniff");

  // The same bytes again: the same blob.
  std::size_t blobs = stored_blobs();
  HttpResponse again =
      upload(number, agent.token, {{"copy.bin", "application/octet-stream", binary}});
  ASSERT_EQ(again.status, 201) << again.body;
  EXPECT_EQ(parse_body(again)["items"][0]["sha256"], sha);
  EXPECT_EQ(stored_blobs(), blobs);

  // An internal attachment stays with the agents.
  HttpResponse internal =
      upload(number, agent.token, {{"内部.txt", "text/plain", "内部说明"}}, {{"public", "false"}});
  ASSERT_EQ(internal.status, 201) << internal.body;
  std::string internal_url = parse_body(internal)["items"][0]["url"];
  EXPECT_EQ(
      get_json(port_, "/api/v1/tickets/" + number + "/attachments", req.token)["items"].size(), 2u);
  EXPECT_EQ(
      get_json(port_, "/api/v1/tickets/" + number + "/attachments", agent.token)["items"].size(),
      3u);
  EXPECT_EQ(call("GET", internal_url, req.token).status, 404);
  EXPECT_EQ(call("GET", internal_url, agent.token).status, 200);
  EXPECT_EQ(upload(number, req.token, {{"x.txt", "text/plain", "x"}}, {{"public", "false"}}).status,
            403);
  // Somebody else's ticket: not found.
  Person other = person("tkreq", {"requester"});
  EXPECT_EQ(call("GET", a["url"].get<std::string>(), other.token).status, 404);
  EXPECT_EQ(upload(number, other.token, {{"x.txt", "text/plain", "x"}}).status, 404);

  // Over the size limit: 413 and nothing stored.
  json before = get_json(port_, "/api/v1/ticket-settings", admin_token_);
  settings({{"attachment_max_bytes", 1024}});
  blobs = stored_blobs();
  HttpResponse big =
      upload(number, req.token, {{"big.bin", "application/octet-stream", std::string(1500, 'x')}});
  EXPECT_EQ(big.status, 413) << big.body;
  EXPECT_EQ(error_shape_problem(big), "");
  EXPECT_EQ(stored_blobs(), blobs);
  EXPECT_EQ(
      get_json(port_, "/api/v1/tickets/" + number + "/attachments", agent.token)["items"].size(),
      3u);
  HttpResponse small = upload(number, req.token,
                              {{"small.bin", "application/octet-stream", std::string(1000, 'y')}});
  EXPECT_EQ(small.status, 201) << small.body;
  settings({{"attachment_max_bytes", before["attachment_max_bytes"]}});
}

// ---------------------------------------------------------------------------------------------
// Search and the timeline

TEST_P(TicketsE2eTest, SearchFindsATwoCharacterChineseWordWithAHighlightedSnippet) {
  Person req = person("tkreq", {"requester"});
  Person agent = person("tkagent", {"agent"});
  report(req.token, "网站打不开", "联网失败");  // the characters, not the word
  std::string number = report(req.token, "三楼会议室网络中断", "从九点开始")["number"];
  HttpResponse r = call("GET", "/api/v1/search?q=" + url_encode("网络"), agent.token);
  ASSERT_EQ(r.status, 200) << r.body;
  json hit;
  json found = parse_body(r);
  for (const json& item : found["items"]) {
    EXPECT_NE(item["title"], "网站打不开");
    if (item["number"] == number) hit = item;
  }
  ASSERT_TRUE(hit.is_object()) << r.body;
  EXPECT_EQ(hit["type"], "ticket");
  std::string snippet = hit["snippet"];
  EXPECT_NE(snippet.find("<mark>"), std::string::npos) << snippet;
  EXPECT_NE(snippet.find("网络"), std::string::npos) << snippet;
  EXPECT_TRUE(hit["score"].is_number());
  // The requester finds it too, and the list's q filter agrees.
  EXPECT_TRUE(has(numbers("/api/v1/search?q=" + url_encode("网络"), req.token), number));
  EXPECT_TRUE(has(numbers("/api/v1/tickets?q=" + url_encode("网络"), req.token), number));
  EXPECT_EQ(call("GET", "/api/v1/search?q=", agent.token).status, 400);
}

TEST_P(TicketsE2eTest, TheTimelineListsEveryEventInOrderWithBeforeAndAfter) {
  Person req = person("tkreq", {"requester"});
  Person agent = person("tkagent", {"agent"});
  std::string number = report(req.token, "OA 打不开")["number"];
  ASSERT_EQ(transition(number, agent.token, {{"to", "in_progress"}}).status, 200);
  ASSERT_EQ(call("POST", "/api/v1/tickets/" + number + "/comments", agent.token,
                 json{{"body", "正在处理"}})
                .status,
            201);
  json t = parse_body(get_ticket(number, agent.token));
  HttpResponse p = call(
      "PATCH", "/api/v1/tickets/" + number, agent.token,
      json{{"version", t["version"]}, {"priority", "P2"}, {"priority_reason", "影响整个财务部"}});
  ASSERT_EQ(p.status, 200) << p.body;
  EXPECT_EQ(parse_body(p)["priority_overridden"], true);
  resolve(number, agent.token);

  json tl = get_json(port_, "/api/v1/tickets/" + number + "/timeline", agent.token);
  std::vector<std::string> actions;
  for (const json& e : tl["items"]) actions.push_back(e["action"]);
  EXPECT_EQ(actions,
            (std::vector<std::string>{"ticket.create", "ticket.transition", "ticket.comment",
                                      "ticket.update", "ticket.transition"}));
  const json& items = tl["items"];
  ASSERT_EQ(items.size(), 5u);
  EXPECT_EQ(items[0]["actor_id"], req.id);
  EXPECT_EQ(items[1]["actor_id"], agent.id);
  for (size_t i = 1; i < items.size(); ++i)
    EXPECT_LE(items[i - 1]["at"].get<std::string>(), items[i]["at"].get<std::string>());
  auto change = [](const json& e, const std::string& field) {
    for (const json& c : e["changes"])
      if (c["field"] == field) return c;
    return json();
  };
  EXPECT_EQ(change(items[1], "status"),
            (json{{"field", "status"}, {"from", "new"}, {"to", "in_progress"}}));
  EXPECT_EQ(change(items[3], "priority"),
            (json{{"field", "priority"}, {"from", "P5"}, {"to", "P2"}}));
  EXPECT_EQ(items[3]["detail"]["priority_reason"], "影响整个财务部");
  EXPECT_EQ(items[2]["detail"]["body"], "正在处理");
  EXPECT_EQ(change(items[4], "status")["to"], "resolved");
}

// ---------------------------------------------------------------------------------------------
// The survey over HTTP

TEST_P(TicketsE2eTest, TheRequesterRatesAResolvedTicketOnce) {
  Person req = person("tkreq", {"requester"});
  Person agent = person("tkagent", {"agent"});
  std::string number = report(req.token, "投影仪没有信号")["number"];
  EXPECT_EQ(
      call("POST", "/api/v1/tickets/" + number + "/survey", req.token, json{{"rating", 5}}).status,
      409);
  resolve(number, agent.token);
  EXPECT_EQ(parse_body(get_ticket(number, req.token))["survey_pending"], true);
  EXPECT_EQ(call("POST", "/api/v1/tickets/" + number + "/survey", agent.token, json{{"rating", 5}})
                .status,
            403);
  HttpResponse ok = call("POST", "/api/v1/tickets/" + number + "/survey", req.token,
                         json{{"rating", 4}, {"comment", "很快"}});
  ASSERT_EQ(ok.status, 201) << ok.body;
  EXPECT_EQ(
      call("POST", "/api/v1/tickets/" + number + "/survey", req.token, json{{"rating", 1}}).status,
      409);
  json d = parse_body(get_ticket(number, req.token));
  EXPECT_EQ(d["survey"]["rating"], 4);
  EXPECT_EQ(d["survey_pending"], false);
  EXPECT_EQ(d["first_contact_resolution"], true);
}

// ---------------------------------------------------------------------------------------------
// The auto-close worker of a running server

TEST_P(TicketsE2eTest, TheBackgroundWorkerClosesResolvedTickets) {
  std::string error;
  auto server = ServerProcess::start({GetParam(), {"--auto-close-interval-ms", "100"}, {}}, &error);
  ASSERT_TRUE(server) << error;
  std::string admin = server->admin_token();
  ASSERT_FALSE(admin.empty());
  int port = server->port();
  auto call_on = [&](const std::string& method, const std::string& target, const json& body) {
    HttpClient c(port);
    return c.request(method, target, body.is_null() ? "" : body.dump(), {bearer(admin)});
  };
  HttpResponse created = call_on("POST", "/api/v1/tickets", json{{"title", "自动关闭"}});
  ASSERT_EQ(created.status, 201) << created.body;
  std::string number = parse_body(created)["number"];
  HttpResponse resolved = call_on("POST", "/api/v1/tickets/" + number + "/transitions",
                                  json{{"to", "resolved"},
                                       {"version", parse_body(created)["version"]},
                                       {"resolution_code", "fixed"},
                                       {"resolution_notes", "已处理"}});
  ASSERT_EQ(resolved.status, 200) << resolved.body;
  // Seven days by default: still resolved after several worker rounds.
  std::this_thread::sleep_for(std::chrono::milliseconds(400));
  EXPECT_EQ(parse_body(call_on("GET", "/api/v1/tickets/" + number, nullptr))["status"], "resolved");

  json s = parse_body(call_on("GET", "/api/v1/ticket-settings", nullptr));
  HttpResponse patched = call_on("PATCH", "/api/v1/ticket-settings",
                                 json{{"auto_close_days", 0}, {"version", s["version"]}});
  ASSERT_EQ(patched.status, 200) << patched.body;
  std::string status;
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
  while (std::chrono::steady_clock::now() < deadline) {
    status = parse_body(call_on("GET", "/api/v1/tickets/" + number, nullptr)).value("status", "");
    if (status == "closed") break;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  EXPECT_EQ(status, "closed");
  json tl = parse_body(call_on("GET", "/api/v1/tickets/" + number + "/timeline", nullptr));
  ASSERT_FALSE(tl["items"].empty());
  EXPECT_EQ(tl["items"].back()["action"], "ticket.transition");
  EXPECT_TRUE(tl["items"].back()["actor_id"].is_null());
  EXPECT_EQ(server->stop(), 0);
}

TEST_P(TicketsE2eTest, IncidentsOnCisShowTheAffectedServicesAndListByService) {
  std::string tag = unique_name("svc");
  auto ci = [&](const std::string& type, const std::string& name, json attributes) {
    HttpResponse r = call("POST", "/api/v1/cis", admin_token_,
                          json{{"type", type}, {"name", name}, {"attributes", attributes}});
    EXPECT_EQ(r.status, 201) << r.body;
    return parse_body(r).value("id", std::int64_t{0});
  };
  auto relate = [&](std::int64_t from, const std::string& type, std::int64_t to) {
    HttpResponse r = call("POST", "/api/v1/cis/" + std::to_string(from) + "/relations",
                          admin_token_, json{{"type", type}, {"to", to}});
    EXPECT_EQ(r.status, 201) << r.body;
  };
  std::int64_t bank = ci("business_service", "网上银行 " + tag, json::object());
  std::int64_t mobile = ci("business_service", "手机银行 " + tag, json::object());
  std::int64_t core = ci("application", "核心交易 " + tag, json::object());
  std::int64_t host = ci("server", "sh-dbs-" + tag, json{{"hostname", "sh-dbs-" + tag}});
  std::int64_t printer = ci("server", "print-" + tag, json{{"hostname", "print-" + tag}});
  relate(bank, "depends_on", core);
  relate(mobile, "depends_on", core);
  relate(core, "runs_on", host);

  Person agent = person("cilink", {"agent"});
  // The service must be a business service, the CI a CI; nothing is created otherwise.
  HttpResponse bad = call("POST", "/api/v1/tickets", agent.token,
                          json{{"title", "数据库主机宕机"}, {"service_id", host}});
  EXPECT_EQ(bad.status, 400) << bad.body;
  EXPECT_EQ(error_field(bad), "service_id");
  bad = call("POST", "/api/v1/tickets", agent.token,
             json{{"title", "数据库主机宕机"}, {"ci_id", 99999999}});
  EXPECT_EQ(bad.status, 400) << bad.body;
  EXPECT_EQ(error_field(bad), "ci_id");

  json on_host =
      report_json(agent.token, json{{"title", "数据库主机宕机 " + tag}, {"ci_id", host}});
  json on_bank =
      report_json(agent.token, json{{"title", "网银登录失败 " + tag}, {"service_id", bank}});
  json elsewhere =
      report_json(agent.token, json{{"title", "打印服务器慢 " + tag}, {"ci_id", printer}});

  // The incident on the host shows both services it takes down, nearest first.
  json d = parse_body(get_ticket(on_host["number"], agent.token));
  EXPECT_EQ(d["ci"], json({{"id", host}, {"name", "sh-dbs-" + tag}, {"type", "server"}}));
  EXPECT_TRUE(d["service"].is_null());
  ASSERT_EQ(d["affected_services"].size(), 2u) << d.dump();
  std::set<std::int64_t> affected;
  for (const json& s : d["affected_services"]) {
    affected.insert(s["id"].get<std::int64_t>());
    EXPECT_EQ(s["depth"], 2);
  }
  EXPECT_EQ(affected, (std::set<std::int64_t>{bank, mobile}));
  json e = parse_body(get_ticket(elsewhere["number"], agent.token));
  EXPECT_TRUE(e["affected_services"].empty()) << e.dump();
  json b = parse_body(get_ticket(on_bank["number"], agent.token));
  ASSERT_EQ(b["affected_services"].size(), 1u);
  EXPECT_EQ(b["affected_services"][0]["id"], bank);
  EXPECT_EQ(b["service"]["name"], "网上银行 " + tag);

  // "Affects service X": its own tickets and those on what it depends on.
  std::vector<std::string> bank_list =
      numbers("/api/v1/tickets?affects_service=" + std::to_string(bank), agent.token);
  EXPECT_EQ(std::set<std::string>(bank_list.begin(), bank_list.end()),
            (std::set<std::string>{on_host["number"], on_bank["number"]}));
  std::vector<std::string> mobile_list =
      numbers("/api/v1/tickets?affects_service=" + std::to_string(mobile), agent.token);
  EXPECT_EQ(mobile_list, std::vector<std::string>{on_host["number"].get<std::string>()});
  json page = get_json(port_, "/api/v1/tickets?ci_id=" + std::to_string(host), agent.token);
  ASSERT_EQ(page["items"].size(), 1u);
  EXPECT_EQ(page["items"][0]["ci"]["name"], "sh-dbs-" + tag);
  HttpResponse unknown = call("GET", "/api/v1/tickets?affects_service=99999999", agent.token);
  EXPECT_EQ(unknown.status, 400);
  EXPECT_EQ(error_field(unknown), "affects_service");

  // Requesters do not read the CMDB: no CI on their tickets, a service only by its id, no
  // topology in what they see.
  Person req = person("cireq", {"requester"});
  HttpResponse own_ci =
      call("POST", "/api/v1/tickets", req.token, json{{"title", "我的电脑坏了"}, {"ci_id", host}});
  EXPECT_EQ(own_ci.status, 400);
  EXPECT_EQ(error_field(own_ci), "ci_id");
  HttpResponse probe = call("POST", "/api/v1/tickets", req.token,
                            json{{"title", "网银打不开"}, {"service_id", host}});
  EXPECT_EQ(probe.status, 400);
  EXPECT_EQ(error_field(probe), "service_id");
  EXPECT_EQ(parse_body(probe)["error"]["message"],
            "no business service with id " + std::to_string(host))
      << "the message does not tell a server from nothing";
  json for_req = report_json(agent.token, json{{"title", "网银登录慢 " + tag},
                                               {"requester_id", req.id},
                                               {"ci_id", host},
                                               {"service_id", bank}});
  json seen = parse_body(get_ticket(for_req["number"], req.token));
  EXPECT_TRUE(seen["ci"].is_null()) << seen.dump();
  EXPECT_EQ(seen["service"]["name"], "网上银行 " + tag);
  ASSERT_EQ(seen["affected_services"].size(), 1u) << "only the ticket's own service";
  EXPECT_EQ(seen["affected_services"][0]["id"], bank);
  HttpResponse filter =
      call("GET", "/api/v1/tickets?affects_service=" + std::to_string(bank), req.token);
  EXPECT_EQ(filter.status, 403);
}

YUNWEI_INSTANTIATE_BACKENDS(TicketsE2eTest);

}  // namespace
}  // namespace yunwei::testing
