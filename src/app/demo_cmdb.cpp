// The demo's CMDB estate (issue #6 point 7): see demo_cmdb.h.
#include "app/demo_cmdb.h"

#include <algorithm>
#include <cstdio>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "app/demo_rng.h"
#include "cmdb/ci_service.h"
#include "cmdb/relations.h"
#include "core/json_writer.h"
#include "store/audit.h"

namespace yunwei::app {
namespace {

constexpr const char* kInfra = "Infrastructure Operations";
constexpr const char* kApps = "Application Operations";
constexpr const char* kPlatform = "Automation & Platform";

// "%s-%02d" and friends without iostreams.
std::string numbered(std::string_view prefix, int n, int width = 2) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "%0*d", width, n);
  return std::string(prefix) + buf;
}

// Attribute values as a JSON object, built field by field.
class Attrs {
 public:
  Attrs() { w_.begin_object(); }
  Attrs& s(std::string_view key, std::string_view value) {
    if (!value.empty()) w_.key(key).value(value);
    return *this;
  }
  Attrs& i(std::string_view key, std::int64_t value) {
    w_.key(key).value(value);
    return *this;
  }
  Attrs& ref(std::string_view key, std::int64_t id) { return i(key, id); }
  std::string done() {
    w_.end_object();
    return w_.take();
  }

 private:
  core::JsonWriter w_;
};

// One application of a business service and what it runs on.
struct AppSpec {
  const char* name;
  const char* key;           // for host names: sh-<key>-01
  const char* deployment;    // virtual | container | physical
  int vms;                   // application VMs (virtual deployments)
  const char* middleware;    // products, comma-separated: nginx,tomcat,redis,kafka,...
  const char* db;            // engine of its own database, or ""
  const char* db_name;       // the database's name ("" = <key>-db)
  bool db_physical;          // the database runs on a physical database server
  const char* special;       // a host the service desk's tickets mention, or ""
  bool standby;              // a standby in Beijing (DR)
  const char* db_host = "";  // the physical database server the tickets mention, or ""
};

struct ServiceSpec {
  const char* name;
  const char* level;  // gold | silver | bronze
  const char* criticality;
  const char* owner;
  const char* hours;
  std::vector<AppSpec> apps;
  bool sso = false;  // relies on 统一身份认证
};

const std::vector<ServiceSpec>& services() {
  static const std::vector<ServiceSpec> k = {
      {"网上银行",
       "gold",
       "critical",
       "个人金融部 刘敏",
       "7×24",
       {{"网银前端", "ebank-web", "virtual", 6, "nginx,nginx", "", "", false, "", true},
        {"网银核心交易", "ebank-core", "virtual", 8, "weblogic,weblogic,redis", "oracle",
         "ebank-core-db", true, "", true},
        {"网银渠道网关", "ebank-gw", "virtual", 4, "tongweb,kafka", "", "", false, "", false},
        {"短信验证平台", "sms", "virtual", 2, "tomcat,rabbitmq", "mysql", "", false, "", false}}},
      {"手机银行",
       "gold",
       "critical",
       "个人金融部 刘敏",
       "7×24",
       {{"手机银行 API", "mbank-api", "container", 0, "redis,kafka", "mysql", "", false, "", true},
        {"手机银行运营后台", "mbank-admin", "virtual", 3, "nginx,tomcat", "", "", false, "",
         false}}},
      {"支付网关",
       "gold",
       "critical",
       "运营管理部 何静",
       "7×24",
       {{"支付网关", "pay-gw", "virtual", 6, "nginx,tongweb,redis", "", "", false, "", true},
        {"清算对账", "pay-recon", "virtual", 3, "tomcat", "oracle", "pay-db", true, "", true,
         "pay-db-02"}}},
      {"ERP",
       "silver",
       "high",
       "财务部 孙丽",
       "5×12",
       {{"ERP 应用", "erp", "virtual", 6, "nginx,weblogic", "oracle", "erp-db", true, "erp-app-01",
         false, "erp-db-01"},
        {"ERP 报表", "erp-rpt", "virtual", 2, "tomcat", "", "", false, "", false}}},
      {"邮件系统",
       "silver",
       "high",
       "行政部 赵磊",
       "7×24",
       {{"邮件网关", "mail-gw", "virtual", 2, "", "", "", false, "mail-gw-01", false},
        {"Exchange 邮箱", "mail-mbx", "virtual", 4, "", "", "", false, "", true},
        {"反垃圾邮件", "mail-as", "virtual", 2, "", "", "", false, "", false}},
       true},
      {"OA 办公",
       "silver",
       "high",
       "行政部 赵磊",
       "5×12",
       {{"OA 门户", "oa-web", "virtual", 3, "nginx,tongweb", "dameng", "", false, "oa-web-02",
         false},
        {"流程引擎", "oa-flow", "virtual", 2, "tomcat,redis", "", "", false, "", false}},
       true},
      {"CRM",
       "silver",
       "high",
       "零售业务部 吴强",
       "5×12",
       {{"CRM 应用", "crm-app", "virtual", 4, "nginx,tomcat,redis", "mysql", "crm-db", false,
         "crm-app-02", false}},
       true},
      {"财务报表 BI",
       "bronze",
       "medium",
       "财务部 孙丽",
       "5×8",
       {{"数据仓库 ETL", "bi-etl", "virtual", 4, "kafka", "postgresql", "dw-db", false, "bi-etl-03",
         false},
        {"报表门户", "bi-portal", "virtual", 2, "nginx,tomcat", "", "", false, "", false}}},
      {"官网",
       "silver",
       "high",
       "品牌部 郑洁",
       "7×24",
       {{"官网门户", "web-portal", "container", 0, "nginx,redis", "mysql", "", false, "web-prod-04",
         false}}},
      {"人力资源系统",
       "bronze",
       "medium",
       "人力资源部 陈晨",
       "5×8",
       {{"HR 应用", "hr-app", "virtual", 2, "tomcat", "kingbase", "", false, "", false}},
       true},
      {"文件共享",
       "bronze",
       "medium",
       "行政部 赵磊",
       "5×12",
       {{"文件服务", "file-srv", "virtual", 2, "", "", "", false, "file-srv-01", false}},
       true},
      {"视频会议",
       "bronze",
       "medium",
       "行政部 赵磊",
       "5×12",
       {{"视频会议平台", "vc", "virtual", 3, "nginx", "mysql", "", false, "", false}}},
  };
  return k;
}

const std::vector<std::string> kVendors = {"华为", "浪潮", "联想", "新华三", "戴尔"};
const std::vector<std::string> kModels = {"FusionServer 2288H V6", "NF5280M6", "ThinkSystem SR650",
                                          "UniServer R4900 G5", "PowerEdge R750"};

struct Dc {
  const char* code;  // SH | BJ
  const char* name;
  const char* address;
  const char* prefix;  // host names: sh-..., bj-...
  int octet;           // 10.<octet>.x.x
  int hypervisors;
  int db_servers;
  int pool_vms;  // development and test VMs beside the services' own
  std::int64_t id = 0;
  std::vector<std::int64_t> racks, access, hypervisor_ids, db_server_ids, sans;
  std::int64_t nas = 0;
  int next_ip = 10;
};

class Builder {
 public:
  Builder(store::Tx& tx, core::TimeMs at, DemoEstate& out) : tx_(tx), at_(at), out_(out) {}

  core::Status build() {
    YW_TRY(load_teams());
    dcs_.push_back({"SH", "上海张江数据中心", "上海市浦东新区张江高科技园区碧波路 88 号", "sh", 10,
                    80, 8, 960});
    dcs_.push_back({"BJ", "北京亦庄数据中心", "北京市大兴区亦庄经济开发区科创十三街 9 号", "bj", 20,
                    40, 4, 480});
    for (Dc& dc : dcs_) YW_TRY(data_centre(dc));
    YW_TRY(headquarters());
    YW_TRY(clusters());
    YW_ASSIGN(std::int64_t sso, application_of("统一身份认证", "sso", "virtual", 3,
                                               "nginx,tomcat,redis", "mysql", "", false, "", true));
    for (const ServiceSpec& s : services()) YW_TRY(service(s, sso));
    for (Dc& dc : dcs_) YW_TRY(pool(dc));
    return cmdb::bump_relations_version(tx_);
  }

 private:
  core::Status load_teams() {
    auto rows = tx_.query("SELECT id, name FROM teams");
    if (!rows.ok()) return std::move(rows).error();
    for (const store::Row& r : *rows) teams_[r.str(1)] = r.i64(0);
    return {};
  }

  core::Result<std::int64_t> ci(std::string_view type, const std::string& name, std::string attrs,
                                const char* team, std::string environment = "prod",
                                std::string status = "in_use") {
    cmdb::NewCi n;
    n.type = std::string(type);
    n.name = name;
    n.attributes_json = std::move(attrs);
    n.environment = std::move(environment);
    n.status = std::move(status);
    if (auto it = teams_.find(team); it != teams_.end()) n.owner_team_id = it->second;
    YW_ASSIGN(cmdb::Ci c, cmdb::create_ci(tx_, actor_, at_, n));
    out_.ids[c.name] = c.id;
    ++out_.cis_created;
    return c.id;
  }

  core::Status rel(std::int64_t from, std::string_view type, std::int64_t to) {
    auto r = cmdb::add_relation(tx_, actor_, at_, from, type, to, false);
    if (!r.ok()) return std::move(r).error();
    ++out_.relations_created;
    return {};
  }

  std::string ip(Dc& dc, int subnet) {
    int n = dc.next_ip++;
    return "10." + std::to_string(dc.octet) + "." + std::to_string(subnet + n / 250) + "." +
           std::to_string(n % 250 + 2);
  }

  std::string contract_end() {
    return "202" + std::to_string(rng_.uniform(6, 9)) + "-" + numbered("", rng_.uniform(1, 12)) +
           "-28";
  }

  core::Result<std::int64_t> server(Dc& dc, const std::string& host, const char* os,
                                    const char* criticality, int cores, int memory,
                                    const char* team) {
    std::int64_t rack = rng_.pick(dc.racks);
    std::string serial =
        "SN" + std::to_string(2'100'000'000 + out_.cis_created * 7919 % 99'999'991);
    YW_ASSIGN(std::int64_t id,
              ci("server", host,
                 Attrs()
                     .s("hostname", host)
                     .s("ip", ip(dc, 1))
                     .s("os", os)
                     .s("vendor", rng_.pick(kVendors))
                     .s("model", rng_.pick(kModels))
                     .s("serial_number", serial)
                     .i("cpu_cores", cores)
                     .i("memory_gb", memory)
                     .ref("location", rack)
                     .s("maintenance_contract_end", contract_end())
                     .s("purchase_cost", std::to_string(rng_.uniform(9, 38)) + "8000")
                     .s("criticality", criticality)
                     .done(),
                 team));
    YW_TRY(rel(id, "connected_to", rng_.pick(dc.access)));
    return id;
  }

  core::Status data_centre(Dc& dc) {
    std::string p = dc.prefix;
    std::string upper = dc.code;
    YW_ASSIGN(dc.id, ci("location", dc.name,
                        Attrs()
                            .s("code", "DC-" + upper)
                            .s("location_kind", "data_centre")
                            .s("address", dc.address)
                            .done(),
                        kInfra));
    for (char room : {'A', 'B'}) {
      std::string room_code = upper + "-" + room;
      YW_ASSIGN(
          std::int64_t r,
          ci("location", std::string(dc.name) + " " + room + " 机房",
             Attrs().s("code", room_code).s("location_kind", "room").ref("parent", dc.id).done(),
             kInfra));
      for (int i = 1; i <= 12; ++i) {
        std::string code = numbered(room_code + "-R", i);
        YW_ASSIGN(
            std::int64_t rack,
            ci("location", code,
               Attrs().s("code", code).s("location_kind", "rack").ref("parent", r).done(), kInfra));
        dc.racks.push_back(rack);
      }
    }
    // Network: a core pair, aggregation, an access switch per two racks, firewalls, routers.
    auto device = [&](const std::string& host, const char* role, const char* model,
                      const char* criticality) -> core::Result<std::int64_t> {
      std::string h = host;
      return ci("network_device", h,
                Attrs()
                    .s("hostname", h)
                    .s("management_ip", ip(dc, 0))
                    .s("device_role", role)
                    .s("vendor", "华为")
                    .s("model", model)
                    .ref("location", dc.racks.front())
                    .s("maintenance_contract_end", contract_end())
                    .s("criticality", criticality)
                    .done(),
                kInfra);
    };
    std::vector<std::int64_t> core, aggregation;
    for (int i = 1; i <= 2; ++i) {
      YW_ASSIGN(std::int64_t c,
                device(numbered(upper + "-DC-CS-", i), "core", "CloudEngine 16808", "critical"));
      core.push_back(c);
    }
    for (int i = 1; i <= 4; ++i) {
      YW_ASSIGN(std::int64_t a,
                device(numbered(upper + "-AGG-", i), "aggregation", "CloudEngine 8850", "high"));
      for (std::int64_t c : core) YW_TRY(rel(a, "connected_to", c));
      aggregation.push_back(a);
    }
    for (size_t i = 0; i < dc.racks.size(); i += 2) {
      YW_ASSIGN(std::int64_t a, device(numbered(upper + "-ACC-", static_cast<int>(i / 2) + 1),
                                       "access", "CloudEngine 6881", "medium"));
      YW_TRY(rel(a, "connected_to", aggregation[(i / 2) % aggregation.size()]));
      dc.access.push_back(a);
    }
    for (int i = 1; i <= 2; ++i) {
      YW_ASSIGN(std::int64_t f,
                device(numbered(upper + "-FW-", i), "firewall", "USG6680E", "critical"));
      for (std::int64_t c : core) YW_TRY(rel(f, "connected_to", c));
      YW_ASSIGN(std::int64_t rt,
                device(numbered(upper + "-RT-", i), "router", "NetEngine 8000", "critical"));
      YW_TRY(rel(rt, "connected_to", f));
    }
    for (int i = 1; i <= 2; ++i) {
      YW_ASSIGN(std::int64_t lb, ci("load_balancer", numbered(upper + "-LB-", i),
                                    Attrs()
                                        .s("vip", ip(dc, 0))
                                        .s("vendor", "F5")
                                        .s("model", "BIG-IP i7800")
                                        .ref("location", dc.racks[1])
                                        .s("criticality", "critical")
                                        .done(),
                                    kInfra));
      lbs_[dc.code].push_back(lb);
    }
    for (int i = 1; i <= 16; ++i) {
      std::string cidr = "10." + std::to_string(dc.octet) + "." + std::to_string(i * 4) + ".0/22";
      YW_TRY(ci(
          "ip_subnet", upper + " VLAN " + std::to_string(100 + i),
          Attrs()
              .s("cidr", cidr)
              .i("vlan", 100 + i)
              .s("gateway", "10." + std::to_string(dc.octet) + "." + std::to_string(i * 4) + ".1")
              .ref("location", dc.id)
              .done(),
          kInfra));
    }
    // Storage.
    for (int i = 1; i <= 2; ++i) {
      YW_ASSIGN(std::int64_t san, ci("storage", numbered(upper + "-SAN-", i),
                                     Attrs()
                                         .s("storage_type", "san")
                                         .s("vendor", "华为")
                                         .s("model", "OceanStor Dorado 5000 V6")
                                         .s("serial_number", numbered("2102-" + upper + "-SAN", i))
                                         .s("capacity_tb", "368.5")
                                         .ref("location", dc.racks[2])
                                         .s("maintenance_contract_end", contract_end())
                                         .s("purchase_cost", "2860000")
                                         .done(),
                                     kInfra));
      dc.sans.push_back(san);
    }
    YW_ASSIGN(dc.nas, ci("storage", upper + "-NAS-01",
                         Attrs()
                             .s("storage_type", "nas")
                             .s("vendor", "华为")
                             .s("model", "OceanStor Pacific 9550")
                             .s("serial_number", "2102-" + upper + "-NAS01")
                             .s("capacity_tb", "512")
                             .ref("location", dc.racks[3])
                             .done(),
                         kInfra));
    // Hypervisors on the SAN, physical database servers.
    for (int i = 1; i <= dc.hypervisors; ++i) {
      YW_ASSIGN(std::int64_t h, server(dc, numbered(p + "-esx-", i, 3), "VMware ESXi 7.0 U3",
                                       "high", 64, 768, kInfra));
      YW_TRY(rel(h, "depends_on", dc.sans[static_cast<size_t>(i) % dc.sans.size()]));
      dc.hypervisor_ids.push_back(h);
    }
    for (int i = 1; i <= dc.db_servers; ++i) {
      YW_ASSIGN(std::int64_t d, server(dc, numbered(p + "-dbs-", i), "Red Hat Enterprise Linux 7.9",
                                       "critical", 96, 1024, kApps));
      YW_TRY(rel(d, "depends_on", dc.sans[static_cast<size_t>(i) % dc.sans.size()]));
      dc.db_server_ids.push_back(d);
    }
    return {};
  }

  // The headquarters' office network (what 办公网络 and the switch outage are about).
  core::Status headquarters() {
    Dc& sh = dcs_[0];
    YW_ASSIGN(std::int64_t hq, ci("location", "总部大楼",
                                  Attrs()
                                      .s("code", "HQ")
                                      .s("location_kind", "room")
                                      .s("address", "上海市浦东新区世纪大道 100 号")
                                      .done(),
                                  kInfra));
    YW_ASSIGN(std::int64_t office, ci("business_service", "办公网络",
                                      Attrs()
                                          .s("criticality", "high")
                                          .s("service_level", "silver")
                                          .s("business_owner", "信息科技部 周涛")
                                          .s("service_hours", "5×12")
                                          .done(),
                                      kInfra));
    std::vector<std::int64_t> core;
    for (int i = 1; i <= 2; ++i) {
      std::string host = numbered("CS-", i);
      YW_ASSIGN(std::int64_t c, ci("network_device", host,
                                   Attrs()
                                       .s("hostname", host)
                                       .s("management_ip", "10.1.0." + std::to_string(i))
                                       .s("device_role", "core")
                                       .s("vendor", "新华三")
                                       .s("model", "S12508G-AF")
                                       .ref("location", hq)
                                       .s("criticality", "critical")
                                       .done(),
                                   kInfra));
      YW_TRY(rel(office, "depends_on", c));
      core.push_back(c);
    }
    for (int floor = 1; floor <= 18; ++floor) {
      std::string host = numbered("HQ-F", floor) + "-ACC";
      YW_ASSIGN(std::int64_t a, ci("network_device", host,
                                   Attrs()
                                       .s("hostname", host)
                                       .s("management_ip", "10.1." + std::to_string(floor) + ".2")
                                       .s("device_role", "access")
                                       .s("vendor", "新华三")
                                       .s("model", "S5560X-54C-EI")
                                       .ref("location", hq)
                                       .s("criticality", "medium")
                                       .done(),
                                   kInfra));
      YW_TRY(rel(a, "depends_on", core[static_cast<size_t>(floor) % 2]));
    }
    (void)sh;
    return {};
  }

  core::Result<std::int64_t> vm(Dc& dc, const std::string& host, const char* os, int cores,
                                int memory, const char* criticality, const char* team,
                                const std::string& environment = "prod") {
    YW_ASSIGN(std::int64_t id, ci("virtual_machine", host,
                                  Attrs()
                                      .s("hostname", host)
                                      .s("ip", ip(dc, 64))
                                      .s("os", os)
                                      .i("cpu_cores", cores)
                                      .i("memory_gb", memory)
                                      .s("platform", "vmware")
                                      .s("criticality", criticality)
                                      .done(),
                                  team, environment));
    YW_TRY(rel(id, "hosted_on", rng_.pick(dc.hypervisor_ids)));
    return id;
  }

  // Kubernetes: production in both data centres, each on its node VMs.
  core::Status clusters() {
    int node = 0;
    for (Dc& dc : dcs_) {
      std::string name = std::string("k8s-") + dc.prefix + "-prod";
      YW_ASSIGN(std::int64_t c, ci("container_cluster", name,
                                   Attrs()
                                       .s("platform", "kubernetes")
                                       .s("version", "1.28.9")
                                       .s("api_endpoint", "https://" + name + ".corp.example:6443")
                                       .i("node_count", 12)
                                       .s("criticality", "critical")
                                       .done(),
                                   kPlatform));
      for (int i = 1; i <= 12; ++i) {
        std::string host = dc.code == std::string_view("SH") ? numbered("k8s-node-", ++node)
                                                             : numbered("bj-k8s-node-", i);
        YW_ASSIGN(std::int64_t n, vm(dc, host, "openEuler 22.03 LTS", 32, 128, "high", kPlatform));
        YW_TRY(rel(c, "runs_on", n));
      }
      clusters_[dc.code] = c;
    }
    return {};
  }

  core::Result<std::int64_t> application_of(const char* name, const char* key,
                                            const char* deployment, int vms, const char* middleware,
                                            const char* db, const char* db_name, bool db_physical,
                                            const char* special, bool standby,
                                            const char* db_physical_host = "") {
    Dc& sh = dcs_[0];
    Dc& bj = dcs_[1];
    std::string k = key;
    YW_ASSIGN(std::int64_t app, ci("application", name,
                                   Attrs()
                                       .s("criticality", standby ? "critical" : "high")
                                       .s("version", "V" + std::to_string(rng_.uniform(2, 9)) +
                                                         "." + std::to_string(rng_.uniform(0, 12)))
                                       .s("deployment", deployment)
                                       .done(),
                                   kApps));
    // Where it runs: its VMs (one of them the host the tickets mention) or a cluster.
    std::vector<std::int64_t> hosts;
    std::string special_host = special;
    if (std::string_view(deployment) == "container") {
      YW_TRY(rel(app, "runs_on", clusters_.at("SH")));
      if (standby) YW_TRY(rel(app, "runs_on", clusters_.at("BJ")));
      hosts.push_back(0);
    } else {
      for (int i = 1; i <= vms; ++i) {
        std::string host = numbered("sh-" + k + "-", i);
        if (!special_host.empty() && i == 1) host = special_host;
        YW_ASSIGN(std::int64_t v, vm(sh, host, i % 3 ? "麒麟 V10 SP3" : "CentOS 7.9", 8, 32,
                                     standby ? "critical" : "high", kApps));
        YW_TRY(rel(app, "runs_on", v));
        hosts.push_back(v);
      }
      if (standby) {
        for (int i = 1; i <= std::max(1, vms / 2); ++i) {
          YW_ASSIGN(std::int64_t v, vm(bj, numbered("bj-" + k + "-", i), "麒麟 V10 SP3", 8, 32,
                                       "high", kApps, "dr"));
          YW_TRY(rel(app, "runs_on", v));
        }
      }
    }
    // Middleware, on the application's VMs (or their own VMs for a container deployment).
    int n = 0;
    std::string list = middleware;
    for (size_t pos = 0; pos < list.size();) {
      size_t comma = list.find(',', pos);
      if (comma == std::string::npos) comma = list.size();
      std::string product = list.substr(pos, comma - pos);
      pos = comma + 1;
      ++n;
      std::int64_t host = hosts[static_cast<size_t>(n - 1) % hosts.size()];
      if (host == 0) {
        // A container deployment's stateful middleware has VMs of its own; the first is the
        // host the tickets mention, if any.
        std::string vm_name = numbered("sh-" + k + "-" + product + "-", 1);
        if (!special_host.empty()) vm_name = std::exchange(special_host, "");
        YW_ASSIGN(host, vm(sh, vm_name, "CentOS 7.9", 4, 16, "high", kApps));
      }
      const int port = product == "nginx"      ? 443
                       : product == "redis"    ? 6379
                       : product == "kafka"    ? 9092
                       : product == "rabbitmq" ? 5672
                       : product == "weblogic" ? 7001
                                               : 8080;
      YW_ASSIGN(std::int64_t mw, ci("middleware", k + " " + product + " " + numbered("#", n, 1),
                                    Attrs()
                                        .s("product", product)
                                        .s("version", product == "nginx" ? "1.24.0" : "")
                                        .s("ip", ip(sh, 64))
                                        .i("port", port)
                                        .s("criticality", standby ? "critical" : "high")
                                        .done(),
                                    kApps));
      YW_TRY(rel(mw, "runs_on", host));
      YW_TRY(rel(app, "depends_on", mw));
    }
    // Its database: on a physical database server (the tickets' host when it is one) or a VM,
    // with a Data Guard / replica standby in Beijing for the critical ones.
    if (*db) {
      std::string dbn = *db_name ? db_name : k + "-db";
      std::int64_t db_host = 0;
      if (db_physical) {
        if (*db_physical_host) {
          YW_ASSIGN(db_host, server(sh, db_physical_host, "Red Hat Enterprise Linux 7.9",
                                    "critical", 96, 1024, kApps));
          YW_TRY(rel(db_host, "depends_on", sh.sans[0]));
        } else {
          db_host =
              sh.db_server_ids[static_cast<size_t>(next_db_server_++) % sh.db_server_ids.size()];
        }
      } else {
        YW_ASSIGN(db_host, vm(sh, "sh-" + dbn + "-01", "麒麟 V10 SP3", 16, 64, "high", kApps));
      }
      std::string engine = db;
      YW_ASSIGN(std::int64_t d, ci("database", dbn,
                                   Attrs()
                                       .s("engine", engine)
                                       .s("version", engine == "oracle"  ? "19.21"
                                                     : engine == "mysql" ? "8.0.36"
                                                                         : "")
                                       .s("ip", ip(sh, 32))
                                       .i("port", engine == "oracle"  ? 1521
                                                  : engine == "mysql" ? 3306
                                                                      : 5432)
                                       .s("role", "primary")
                                       .s("criticality", standby ? "critical" : "high")
                                       .done(),
                                   kApps));
      YW_TRY(rel(d, "runs_on", db_host));
      YW_TRY(rel(d, "backed_up_by", sh.nas));
      YW_TRY(rel(app, "depends_on", d));
      if (standby) {
        std::int64_t bj_host =
            bj.db_server_ids[static_cast<size_t>(next_db_server_) % bj.db_server_ids.size()];
        YW_ASSIGN(std::int64_t s, ci("database", dbn + "-dg",
                                     Attrs()
                                         .s("engine", engine)
                                         .s("ip", ip(bj, 32))
                                         .s("role", "standby")
                                         .s("criticality", "high")
                                         .done(),
                                     kApps, "dr"));
        YW_TRY(rel(s, "runs_on", bj_host));
        YW_TRY(rel(d, "backed_up_by", s));
      }
    }
    // Public-facing applications sit behind the load balancers.
    if (std::string_view(middleware).find("nginx") != std::string_view::npos)
      YW_TRY(rel(app, "depends_on", lbs_.at("SH")[static_cast<size_t>(out_.cis_created) % 2]));
    return app;
  }

  core::Status service(const ServiceSpec& s, std::int64_t sso) {
    YW_ASSIGN(std::int64_t id, ci("business_service", s.name,
                                  Attrs()
                                      .s("criticality", s.criticality)
                                      .s("service_level", s.level)
                                      .s("business_owner", s.owner)
                                      .s("service_hours", s.hours)
                                      .done(),
                                  kApps));
    for (const AppSpec& a : s.apps) {
      YW_ASSIGN(std::int64_t app,
                application_of(a.name, a.key, a.deployment, a.vms, a.middleware, a.db, a.db_name,
                               a.db_physical, a.special, a.standby, a.db_host));
      YW_TRY(rel(id, "depends_on", app));
    }
    // 手机银行 shares the core banking application with 网上银行.
    if (std::string_view(s.name) == "手机银行")
      YW_TRY(rel(id, "depends_on", out_.ids.at("网银核心交易")));
    if (s.sso) YW_TRY(rel(id, "depends_on", sso));
    return {};
  }

  // Development and test VMs: no business service relies on them.
  core::Status pool(Dc& dc) {
    for (int i = 1; i <= dc.pool_vms; ++i) {
      bool test = i % 3 == 0;
      YW_TRY(vm(dc, numbered(std::string(dc.prefix) + (test ? "-test-" : "-dev-"), i, 4),
                "CentOS 7.9", 4, 8, "low", kPlatform, test ? "test" : "dev"));
    }
    return {};
  }

  store::Tx& tx_;
  core::TimeMs at_;
  DemoEstate& out_;
  store::Actor actor_{std::nullopt, "demo"};
  Rng rng_{20261129};
  std::map<std::string, std::int64_t, std::less<>> teams_;
  std::vector<Dc> dcs_;
  std::map<std::string, std::int64_t, std::less<>> clusters_;
  std::map<std::string, std::vector<std::int64_t>, std::less<>> lbs_;
  int next_db_server_ = 0;
};

}  // namespace

core::Result<DemoEstate> load_demo_estate(store::Database& db, core::TimeMs at) {
  DemoEstate out;
  core::Status st = db.write([&](store::Tx& tx) -> core::Status {
    out = DemoEstate{};
    auto any = tx.query_row("SELECT 1 FROM cis LIMIT 1");
    if (!any.ok()) return std::move(any).error();
    if (*any) {
      auto rows = tx.query("SELECT id, name FROM cis");
      if (!rows.ok()) return std::move(rows).error();
      for (const store::Row& r : *rows) out.ids[r.str(1)] = r.i64(0);
      return {};
    }
    Builder b(tx, at, out);
    return b.build();
  });
  if (!st.ok()) return std::move(st).error();
  return out;
}

}  // namespace yunwei::app
