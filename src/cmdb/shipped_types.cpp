// The CI types Yunwei ships (issue #6): keys are stable, names bilingual, attributes what an IT
// operations team in a Chinese enterprise records about each.
#include "cmdb/schema.h"

namespace yunwei::cmdb {

namespace {

AttributeDef attr(const char* key, const char* name, const char* name_zh, AttrKind kind,
                  const char* help = "", const char* help_zh = "") {
  AttributeDef d;
  d.key = key;
  d.name = name;
  d.name_zh = name_zh;
  d.kind = kind;
  d.help = help;
  d.help_zh = help_zh;
  return d;
}

AttributeDef required(AttributeDef d) {
  d.required = true;
  return d;
}

AttributeDef unique(AttributeDef d) {
  d.unique = true;
  return d;
}

AttributeDef choice(const char* key, const char* name, const char* name_zh,
                    std::vector<EnumOption> options, const char* default_value = nullptr) {
  AttributeDef d = attr(key, name, name_zh, AttrKind::kEnum);
  d.options = std::move(options);
  if (default_value) d.default_json = std::string("\"") + default_value + "\"";
  return d;
}

AttributeDef ref(const char* key, const char* name, const char* name_zh, const char* type) {
  AttributeDef d = attr(key, name, name_zh, AttrKind::kReference);
  d.ref_type = type;
  return d;
}

AttributeDef criticality() {
  return choice("criticality", "Criticality", "重要程度",
                {{"critical", "Critical", "关键"},
                 {"high", "High", "高"},
                 {"medium", "Medium", "中"},
                 {"low", "Low", "低"}},
                "medium");
}

AttributeDef vendor() { return attr("vendor", "Vendor", "厂商", AttrKind::kString); }
AttributeDef model() { return attr("model", "Model", "型号", AttrKind::kString); }
AttributeDef serial() {
  return unique(attr("serial_number", "Serial number", "序列号", AttrKind::kString));
}
AttributeDef version() { return attr("version", "Version", "版本", AttrKind::kString); }
AttributeDef hostname() {
  return required(unique(attr("hostname", "Hostname", "主机名", AttrKind::kString)));
}
AttributeDef ip(const char* key = "ip", const char* name = "IP address",
                const char* name_zh = "IP 地址") {
  return attr(key, name, name_zh, AttrKind::kIp);
}
AttributeDef os() { return attr("os", "Operating system", "操作系统", AttrKind::kString); }
AttributeDef contract_end() {
  return attr("maintenance_contract_end", "Maintenance contract end", "维保到期日", AttrKind::kDate,
              "Renew before this date", "在此日期前续保");
}
AttributeDef purchase_cost() {
  return attr("purchase_cost", "Purchase cost (CNY)", "采购成本（元）", AttrKind::kDecimal);
}
AttributeDef location() { return ref("location", "Location", "位置", "location"); }
AttributeDef cpu() { return attr("cpu_cores", "CPU cores", "CPU 核数", AttrKind::kInteger); }
AttributeDef memory() { return attr("memory_gb", "Memory (GB)", "内存（GB）", AttrKind::kInteger); }
AttributeDef port() { return attr("port", "Port", "端口", AttrKind::kInteger); }

}  // namespace

const std::vector<ShippedType>& shipped_types() {
  static const std::vector<ShippedType> kTypes = {
      {"business_service",
       "Business service",
       "业务服务",
       "What the business uses: the top of every impact path",
       {criticality(),
        choice(
            "service_level", "Service level", "服务等级",
            {{"gold", "Gold", "金牌"}, {"silver", "Silver", "银牌"}, {"bronze", "Bronze", "铜牌"}},
            "silver"),
        attr("business_owner", "Business owner", "业务负责人", AttrKind::kString),
        attr("service_hours", "Service hours", "服务时间", AttrKind::kString, "e.g. 7×24",
             "例如 7×24")}},
      {"application",
       "Application",
       "应用系统",
       "Software the business services run on",
       {criticality(), version(), vendor(), attr("url", "URL", "访问地址", AttrKind::kString),
        choice("deployment", "Deployment", "部署方式",
               {{"physical", "Physical servers", "物理机"},
                {"virtual", "Virtual machines", "虚拟机"},
                {"container", "Containers", "容器"},
                {"saas", "SaaS", "SaaS"}}),
        contract_end()}},
      {"database",
       "Database",
       "数据库",
       "A database instance or cluster",
       {choice("engine", "Engine", "数据库类型",
               {{"oracle", "Oracle", "Oracle"},
                {"mysql", "MySQL", "MySQL"},
                {"postgresql", "PostgreSQL", "PostgreSQL"},
                {"sqlserver", "SQL Server", "SQL Server"},
                {"dameng", "Dameng (DM)", "达梦"},
                {"kingbase", "KingbaseES", "人大金仓"},
                {"oceanbase", "OceanBase", "OceanBase"},
                {"other", "Other", "其他"}}),
        version(), ip(), port(),
        choice("role", "Role", "角色",
               {{"primary", "Primary", "主库"},
                {"standby", "Standby", "备库"},
                {"cluster", "Cluster", "集群"}}),
        criticality()}},
      {"middleware",
       "Middleware",
       "中间件",
       "Web servers, application servers, message queues, caches",
       {choice("product", "Product", "产品",
               {{"nginx", "Nginx", "Nginx"},
                {"tomcat", "Tomcat", "Tomcat"},
                {"weblogic", "WebLogic", "WebLogic"},
                {"tongweb", "TongWeb", "东方通 TongWeb"},
                {"kafka", "Kafka", "Kafka"},
                {"rabbitmq", "RabbitMQ", "RabbitMQ"},
                {"redis", "Redis", "Redis"},
                {"other", "Other", "其他"}}),
        version(), ip(), port(), criticality()}},
      {"server",
       "Server",
       "服务器",
       "A physical server",
       {hostname(), ip(), os(), vendor(), model(), serial(), cpu(), memory(), location(),
        contract_end(), purchase_cost(), criticality()}},
      {"virtual_machine",
       "Virtual machine",
       "虚拟机",
       "A virtual machine on a hypervisor or cloud",
       {hostname(), ip(), os(), cpu(), memory(),
        choice("platform", "Platform", "虚拟化平台",
               {{"vmware", "VMware vSphere", "VMware vSphere"},
                {"kvm", "KVM", "KVM"},
                {"hyperv", "Hyper-V", "Hyper-V"},
                {"openstack", "OpenStack", "OpenStack"},
                {"cloud", "Public cloud", "公有云"}}),
        criticality()}},
      {"container_cluster",
       "Container cluster",
       "容器集群",
       "A Kubernetes (or similar) cluster",
       {choice("platform", "Platform", "平台",
               {{"kubernetes", "Kubernetes", "Kubernetes"},
                {"openshift", "OpenShift", "OpenShift"},
                {"rancher", "Rancher", "Rancher"},
                {"other", "Other", "其他"}},
               "kubernetes"),
        version(), attr("api_endpoint", "API endpoint", "API 地址", AttrKind::kString),
        attr("node_count", "Nodes", "节点数", AttrKind::kInteger), criticality()}},
      {"storage",
       "Storage",
       "存储",
       "A storage array or system",
       {choice("storage_type", "Type", "类型",
               {{"san", "SAN", "SAN"},
                {"nas", "NAS", "NAS"},
                {"object", "Object storage", "对象存储"},
                {"distributed", "Distributed storage", "分布式存储"}}),
        vendor(), model(), serial(),
        attr("capacity_tb", "Capacity (TB)", "容量（TB）", AttrKind::kDecimal), location(),
        contract_end(), purchase_cost()}},
      {"network_device",
       "Network device",
       "网络设备",
       "Switches, routers, firewalls, wireless controllers",
       {hostname(), ip("management_ip", "Management IP", "管理 IP"),
        choice("device_role", "Role", "设备角色",
               {{"core", "Core switch", "核心交换机"},
                {"aggregation", "Aggregation switch", "汇聚交换机"},
                {"access", "Access switch", "接入交换机"},
                {"router", "Router", "路由器"},
                {"firewall", "Firewall", "防火墙"},
                {"wireless", "Wireless controller", "无线控制器"}}),
        vendor(), model(), serial(), location(), contract_end(), criticality()}},
      {"load_balancer",
       "Load balancer",
       "负载均衡",
       "Hardware or software load balancers",
       {ip("vip", "Virtual IP", "虚拟 IP"), vendor(), model(), serial(), location(),
        criticality()}},
      {"ip_subnet",
       "IP subnet",
       "IP 网段",
       "An address range",
       {required(unique(ip("cidr", "CIDR", "网段"))),
        attr("vlan", "VLAN", "VLAN", AttrKind::kInteger), ip("gateway", "Gateway", "网关"),
        location()}},
      {"location",
       "Location",
       "位置",
       "Data centres, rooms and racks",
       {unique(attr("code", "Code", "编码", AttrKind::kString)),
        choice("location_kind", "Kind", "类别",
               {{"data_centre", "Data centre", "数据中心"},
                {"room", "Machine room", "机房"},
                {"rack", "Rack", "机柜"}},
               "data_centre"),
        attr("address", "Address", "地址", AttrKind::kString),
        ref("parent", "Inside", "所属位置", "location")}},
  };
  return kTypes;
}

}  // namespace yunwei::cmdb
