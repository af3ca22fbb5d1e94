#include "app/demo.h"

#include <algorithm>
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "app/demo_change.h"
#include "app/demo_cmdb.h"
#include "app/demo_rng.h"
#include "identity/password.h"
#include "identity/roles.h"
#include "identity/team_service.h"
#include "identity/user.h"
#include "identity/user_service.h"
#include "store/audit.h"
#include "store/database.h"
#include "tickets/category_service.h"
#include "tickets/config.h"
#include "tickets/dispatch.h"
#include "tickets/priority.h"
#include "tickets/ticket_service.h"

namespace yunwei::app {
namespace {

struct Person {
  const char* username;
  const char* display_name;
  const char* team;  // default team name, or "" for none
  bool lead;
  std::vector<std::string> roles;
  const char* locale;
};

// A believable IT operations department and some of the business people it serves.
const std::vector<Person>& people() {
  static const std::vector<Person> kPeople = {
      {"zhangwei", "张伟", "Service Desk", true, {"agent"}, "zh-CN"},
      {"wangfang", "王芳", "Service Desk", false, {"agent"}, "zh-CN"},
      {"liuyang", "刘洋", "Service Desk", false, {"agent"}, "zh-CN"},
      {"chenjing", "陈静", "Service Desk", false, {"agent"}, "zh-CN"},
      {"emily.zhou", "Emily Zhou", "Service Desk", false, {"agent"}, "en"},
      {"lina", "李娜", "Infrastructure Operations", true, {"agent", "approver"}, "zh-CN"},
      {"zhaolei", "赵磊", "Infrastructure Operations", false, {"agent"}, "zh-CN"},
      {"sunhao", "孙浩", "Infrastructure Operations", false, {"agent"}, "zh-CN"},
      {"zhoujie", "周杰", "Infrastructure Operations", false, {"agent"}, "zh-CN"},
      {"wuqiang", "吴强", "Application Operations", true, {"agent", "approver"}, "zh-CN"},
      {"zhengyu", "郑宇", "Application Operations", false, {"agent"}, "zh-CN"},
      {"hexin", "何欣", "Application Operations", false, {"agent"}, "zh-CN"},
      {"david.lin", "David Lin", "Application Operations", false, {"agent"}, "en"},
      {"gaomin", "高敏", "Security Operations", true, {"agent", "approver"}, "zh-CN"},
      {"linfeng", "林峰", "Security Operations", false, {"agent"}, "zh-CN"},
      {"luotao", "罗涛", "Automation & Platform", true, {"agent"}, "zh-CN"},
      {"songjia", "宋佳", "Automation & Platform", false, {"agent"}, "zh-CN"},
      {"xiegang", "谢刚", "Operations Management", true, {"agent", "approver"}, "zh-CN"},
      {"tangli", "唐丽", "Operations Management", false, {"agent", "auditor"}, "zh-CN"},
      {"hanmei", "韩梅", "", false, {"approver"}, "zh-CN"},
      {"fengbo", "冯波", "", false, {"auditor"}, "zh-CN"},
      {"wangxiaoming", "王小明", "", false, {"requester"}, "zh-CN"},
      {"lixue", "李雪", "", false, {"requester"}, "zh-CN"},
      {"zhangli", "张丽", "", false, {"requester"}, "zh-CN"},
      {"chenhui", "陈辉", "", false, {"requester"}, "zh-CN"},
      {"yangfan", "杨帆", "", false, {"requester"}, "zh-CN"},
      {"huangyan", "黄燕", "", false, {"requester"}, "zh-CN"},
      {"sarah.wu", "Sarah Wu", "", false, {"requester"}, "en"},
      {"michael.chen", "Michael Chen", "", false, {"requester"}, "en"},
      {"qianjun", "钱军", "", false, {"requester"}, "zh-CN"},
  };
  return kPeople;
}

// ---------------------------------------------------------------------------------------------
// The service desk's tickets: what an enterprise IT department is asked about, in the words of
// the people who ask. Placeholders ({ip}, {host}, {pct}, {floor}, {n}, {name}, {no}) get values
// per ticket.

struct Tpl {
  const char* kind = "incident";
  const char* category = "";    // category code; "" for none
  const char* channel = "any";  // any | web | phone | email | monitoring
  int impact = 3, urgency = 3;  // 1 (high) .. 3 (low)
  int weight = 2;               // how often it comes up
  bool en = false;              // written in English
  const char* title = "";
  const char* description = "";
  const char* reply = "";  // the agent's first public answer ("" for a generic one)
  const char* note = "";   // an internal note while working
  const char* work = "";   // what the worklog says
  const char* resolution = "";
  const char* code = "fixed";    // resolution code (incidents)
  const char* pending = "";      // the reason it usually waits for, if any
  const char* escalate_to = "";  // the team first line hands it to after diagnosis
  const char* escalate_note = "";
};

const std::vector<Tpl>& templates() {
  static const std::vector<Tpl> kTemplates = {
      // Network
      {.category = "network.vpn",
       .impact = 2,
       .urgency = 2,
       .weight = 4,
       .title = "VPN 连接频繁断开",
       .description =
           "居家办公时 VPN 每隔十几分钟就断开一次，重连后又能用，影响视频会议和访问内网系统。"
           "客户端版本 5.{n}.1。",
       .reply = "您好，请先在客户端设置里切换为 TCP 443 模式，我们同时在网关侧查看您的会话日志。",
       .note = "网关日志显示 DPD 超时，疑似家庭宽带 NAT 会话老化。",
       .work = "查看 VPN 网关会话日志，远程调整客户端配置",
       .resolution = "客户端改为 TCP 443 模式并将 DPD 间隔调整为 30 秒，观察一天未再断开。",
       .code = "workaround"},
      {.category = "network.vpn",
       .channel = "web",
       .urgency = 2,
       .weight = 3,
       .title = "居家办公 VPN 无法登录，提示证书过期",
       .description = "今天早上连 VPN 提示“证书已过期”，无法登录。下午有客户会议，需要访问 CRM。",
       .reply = "您好，您的客户端证书已于昨日到期，我们为您重新签发，请按邮件里的指引导入。",
       .work = "重新签发客户端证书并远程协助导入",
       .resolution = "重新签发客户端证书（有效期一年），用户已能正常登录 VPN。"},
      {.category = "network.vpn",
       .channel = "web",
       .impact = 3,
       .urgency = 2,
       .en = true,
       .title = "VPN connection drops every few minutes",
       .description = "Since Monday my VPN connection from home drops every 5-10 minutes. I have "
                      "to reconnect each time, which interrupts my calls.",
       .reply = "Hi, thanks for reporting. Could you switch the client to TCP mode in its "
                "settings? We are checking the gateway logs for your sessions meanwhile.",
       .note = "DPD timeouts on the gateway for this user; home router drops idle UDP flows.",
       .work = "Checked gateway session logs, remote session with the user",
       .resolution = "Switched the client to TCP 443 and raised the DPD interval; stable for a "
                     "day since.",
       .code = "workaround"},
      {.category = "network.lan",
       .channel = "monitoring",
       .impact = 2,
       .urgency = 1,
       .weight = 3,
       .title = "{ip} 网关丢包",
       .description = "监控平台告警：到 {ip} 的 ICMP 丢包率 {pct}%，已持续 10 分钟，涉及 {floor} "
                      "楼办公网段。",
       .note = "核心交换机上联口 CRC 错误持续增长，怀疑光模块老化。",
       .work = "排查交换机端口计数，更换光模块",
       .resolution = "更换上联口光模块后 CRC 错误停止增长，丢包恢复为 0。"},
      {.category = "network.lan",
       .impact = 2,
       .urgency = 2,
       .title = "{floor} 楼办公区有线网络无法访问内网",
       .description = "{floor} 楼东侧十几台电脑突然无法访问内网系统和共享盘，外网也打不开，Wi-Fi "
                      "正常。",
       .reply = "您好，已安排网络工程师到现场查看楼层交换机，请稍候。",
       .note = "楼层接入交换机死机，重启后恢复，需要跟踪固件版本问题。",
       .work = "现场排查楼层交换机，重启并收集日志",
       .resolution = "接入交换机异常死机，重启后恢复；已提交固件升级变更。",
       .code = "workaround"},
      {.category = "network.wifi",
       .channel = "web",
       .title = "会议室 Wi-Fi 信号弱，频繁掉线",
       .description = "{floor} 楼大会议室 Wi-Fi 信号只有一格，开视频会议经常掉线。",
       .reply = "您好，我们下午安排工程师到会议室做信号测试。",
       .work = "现场信号测试，调整 AP 功率和信道",
       .resolution = "调整 AP 信道与发射功率，会议室信号强度提升到 -55 dBm。"},
      {.category = "network.wifi",
       .channel = "web",
       .urgency = 2,
       .weight = 1,
       .en = true,
       .title = "Guest Wi-Fi portal does not send SMS codes",
       .description = "Visitors in the lobby cannot log in to the guest Wi-Fi: the SMS "
                      "verification code never arrives.",
       .note = "SMS gateway provider reports an outage in their Shanghai region.",
       .work = "Checked the captive portal logs, opened a case with the SMS provider",
       .resolution = "The SMS provider fixed their outage; codes arrive again.",
       .code = "third_party",
       .pending = "awaiting_vendor"},
      {.category = "network.dns",
       .impact = 2,
       .urgency = 2,
       .title = "内网域名 oa.corp.local 解析失败",
       .description = "访问 OA 提示找不到服务器，用 IP 可以访问，周围同事也一样。",
       .reply = "已收到，正在检查内网 DNS 服务器。",
       .note = "DNS 备节点区域传送失败，记录未同步。",
       .work = "检查 DNS 主备同步，手工触发区域传送",
       .resolution = "DNS 备节点区域传送失败导致记录缺失，已修复同步并增加监控。"},
      // Servers and storage
      {.category = "server.os",
       .channel = "monitoring",
       .impact = 2,
       .urgency = 2,
       .weight = 4,
       .title = "磁盘空间不足告警 /data 使用率 {pct}%",
       .description = "监控告警：{host} 的 /data 分区使用率 {pct}%，超过 90% 阈值。",
       .note = "应用日志未按计划切割，单个日志文件 40G。",
       .work = "清理过期日志，配置 logrotate",
       .resolution = "清理 30 天前的应用日志，配置 logrotate 按天切割保留 14 天，使用率降至 52%。"},
      {.category = "server.os",
       .channel = "monitoring",
       .impact = 2,
       .urgency = 1,
       .title = "{host} CPU 使用率持续 95% 以上",
       .description = "监控告警：{host} CPU 使用率连续 15 分钟超过 95%，load average {n}0。",
       .note = "top 显示 java 进程占满 CPU，jstack 中有线程一直在同一个循环里。",
       .work = "分析 jstack，协调应用重启",
       .resolution = "应用线程死循环导致 CPU 飙高，重启服务后恢复；缺陷已提交开发修复。",
       .code = "workaround",
       .escalate_to = "Application Operations",
       .escalate_note = "确认为应用进程问题，转应用运维处理。"},
      {.category = "server.os",
       .channel = "monitoring",
       .impact = 3,
       .urgency = 2,
       .weight = 1,
       .title = "{host} 时间不同步，偏差超过 5 分钟",
       .description = "监控告警：{host} 与 NTP 服务器时间偏差 326 秒。",
       .work = "检查 chronyd 配置并同步时间",
       .resolution = "chronyd 服务未开机自启，已修复并同步时间。"},
      {.category = "server.hardware",
       .channel = "monitoring",
       .impact = 2,
       .urgency = 2,
       .title = "服务器 {host} 电源模块告警",
       .description = "带外管理告警：{host} PSU2 失效，当前单电源运行。",
       .note = "已向厂商报修，服务单号 SR{no}，备件预计明天到。",
       .work = "机房现场确认告警，配合厂商更换电源",
       .resolution = "厂商工程师上门更换 PSU2，双电源冗余恢复。",
       .pending = "awaiting_vendor"},
      {.category = "server.hardware",
       .channel = "monitoring",
       .impact = 2,
       .urgency = 2,
       .weight = 1,
       .title = "存储阵列 RAID 磁盘故障告警",
       .description = "存储管理平台告警：阵列 A 第 {n} 号盘状态 Failed，RAID6 降级运行。",
       .note = "热备盘已自动顶上，重建中；故障盘需原厂更换。",
       .work = "确认重建进度，配合厂商更换故障盘",
       .resolution = "更换故障盘，RAID 重建完成，阵列状态正常。",
       .pending = "awaiting_vendor"},
      {.category = "server.storage",
       .impact = 2,
       .urgency = 2,
       .title = "NAS 共享盘无法访问",
       .description = "映射的 S 盘打不开，提示“网络路径不可用”，部门同事都访问不了。",
       .reply = "您好，已确认共享盘服务异常，正在处理。",
       .work = "排查 NAS SMB 服务，重启服务",
       .resolution = "NAS SMB 服务异常，重启服务后恢复；已开厂商工单分析根因。",
       .code = "workaround"},
      {.category = "server.storage",
       .channel = "monitoring",
       .impact = 2,
       .urgency = 2,
       .title = "备份任务失败：夜间全量备份未完成",
       .description = "备份系统告警：作业 ERP_FULL 02:00 启动，04:30 失败，错误：磁带驱动器离线。",
       .work = "清洁磁带驱动器，手工补做全量备份",
       .resolution = "磁带驱动器清洁后恢复，已手工补做全量备份并校验。"},
      {.category = "server.virtualization",
       .impact = 2,
       .urgency = 2,
       .weight = 1,
       .title = "虚拟机 {host} 无法启动",
       .description = "虚拟化平台上 {host} 重启后一直卡在引导界面，业务系统无法访问。",
       .note = "该虚拟机快照链有 23 层，引导时磁盘读取超时。",
       .work = "合并快照，重新引导虚拟机",
       .resolution = "虚拟磁盘快照链过长导致引导超时，合并快照后正常启动。"},
      // Business applications
      {.category = "application.erp",
       .impact = 2,
       .urgency = 1,
       .weight = 3,
       .title = "ERP 登录报错 ORA-00600",
       .description = "登录 ERP 时弹出错误：ORA-00600: internal error code, arguments: "
                      "[kcbgtcr_13]，财务部多人无法登录。",
       .reply = "您好，已收到，应用运维正在排查数据库错误，有进展会第一时间同步。",
       .note = "ORA-00600 [kcbgtcr_13] 对应已知 Bug，需要打补丁；临时通过刷新共享池规避。",
       .work = "分析 alert 日志与 trace 文件",
       .resolution = "临时刷新共享池规避，补丁已在周末变更窗口安装。",
       .code = "workaround",
       .pending = "awaiting_change"},
      {.category = "application.erp",
       .channel = "web",
       .urgency = 2,
       .title = "ERP 月结报表导出超时",
       .description = "财务月结导出总账明细报表，等待 10 分钟后提示超时，数据量大约 30 万行。",
       .note = "报表 SQL 缺少按期间的索引，执行 8 分钟。",
       .work = "分析报表 SQL 执行计划，增加索引",
       .resolution = "调整报表服务超时时间并为查询增加索引，导出耗时降至 1 分钟。"},
      {.category = "application.erp",
       .channel = "web",
       .title = "ERP 采购订单无法提交审批",
       .description = "点“提交审批”没有反应，浏览器控制台报 500 错误。",
       .work = "查看应用日志，核对审批流配置",
       .resolution = "审批流中配置的审批人已离职，更新审批链后恢复。"},
      {.category = "application.oa",
       .urgency = 2,
       .weight = 3,
       .title = "OA 流程审批页面打不开",
       .description = "点击待办中的报销审批，页面一直空白。换了 Chrome 和 Edge 都一样。",
       .reply = "您好，请先按 Ctrl+F5 强制刷新试一下，我们同时在服务器端排查。",
       .work = "排查前端资源缓存，远程协助清理",
       .resolution = "浏览器缓存了旧版前端资源，清理缓存后恢复；已在服务器端给静态资源加版本号。",
       .code = "workaround"},
      {.category = "application.oa",
       .channel = "web",
       .weight = 1,
       .title = "OA 公文附件上传失败",
       .description = "上传 25MB 的 PDF 附件时提示“上传失败”，小文件可以上传。",
       .work = "检查附件大小限制配置",
       .resolution = "附件大小上限为 20MB，已调整为 50MB。"},
      {.category = "application.email",
       .impact = 2,
       .urgency = 2,
       .weight = 2,
       .title = "邮件系统发送延迟",
       .description = "今天上午发出的邮件，对方过了半小时才收到，内部邮件也有延迟。",
       .reply = "您好，已确认邮件网关队列有积压，正在处理。",
       .note = "网关队列深度 3k，反垃圾扫描节点 CPU 打满。",
       .work = "排查邮件网关队列，扩容扫描节点",
       .resolution = "邮件网关扫描节点过载导致队列积压，扩容后恢复。"},
      {.category = "application.email",
       .channel = "web",
       .urgency = 2,
       .title = "Outlook 无法接收外部邮件",
       .description = "从昨天下午开始收不到外部客户的邮件，内部邮件正常。",
       .work = "检查邮件追踪日志与用户邮箱规则",
       .resolution = "用户邮箱规则把外部邮件移到了“存档”文件夹，已删除该规则。",
       .code = "user_error"},
      {.category = "application.email",
       .channel = "web",
       .urgency = 2,
       .en = true,
       .title = "Cannot send emails with attachments larger than 10 MB",
       .description = "Emails with larger attachments bounce with '552 message size exceeds "
                      "limit'. I need to send a 25 MB contract to a customer today.",
       .reply = "Hi, the mail system limits attachments to 10 MB. We'll help you share it via "
                "the file transfer portal instead.",
       .work = "Explained the limit, created a file transfer link",
       .resolution = "Explained the 10 MB limit and set up a file transfer link for the contract.",
       .code = "user_error"},
      {.category = "application.website",
       .channel = "monitoring",
       .impact = 2,
       .urgency = 2,
       .title = "官网首页加载缓慢",
       .description = "拨测告警：官网首页加载时间 {n} 秒，超过 3 秒阈值。",
       .note = "CDN 回源请求大量 502，源站正常。",
       .work = "排查 CDN 回源，联系 CDN 服务商",
       .resolution = "CDN 服务商节点配置异常，刷新配置后恢复。",
       .code = "third_party",
       .pending = "awaiting_vendor"},
      {.category = "application.website",
       .channel = "monitoring",
       .urgency = 2,
       .weight = 1,
       .title = "门户网站 SSL 证书 {n} 天后过期",
       .description = "证书监控：portal.example.com 的 SSL 证书将在 {n} 天后过期。",
       .work = "申请并部署新证书",
       .resolution = "已申请新证书并部署到负载均衡，有效期至明年。"},
      // Databases
      {.category = "database.oracle",
       .impact = 1,
       .urgency = 2,
       .weight = 1,
       .title = "数据库慢查询导致网银交易超时",
       .description = "网银转账交易响应时间明显变长，部分交易超时，客服收到客户投诉。",
       .reply = "您好，已收到，数据库与应用团队正在联合排查。",
       .note = "AWR 显示一条流水查询出现全表扫描，统计信息凌晨重新收集后执行计划变差。",
       .work = "分析 AWR 报告，绑定执行计划",
       .resolution = "重新收集统计信息并绑定执行计划，交易响应时间恢复正常。",
       .pending = "awaiting_problem"},
      {.category = "database.oracle",
       .channel = "monitoring",
       .impact = 2,
       .urgency = 2,
       .title = "Oracle 表空间 USERS 使用率 {pct}%",
       .description = "数据库监控告警：{host} 表空间 USERS 使用率 {pct}%。",
       .work = "扩容表空间",
       .resolution = "新增 30G 数据文件，表空间使用率降至 71%。"},
      {.category = "database.oracle",
       .channel = "web",
       .impact = 2,
       .urgency = 2,
       .title = "ORA-12541: TNS 无监听程序",
       .description = "报表系统连接数据库报 ORA-12541: TNS:no listener，今天的日报出不来。",
       .work = "检查监听状态并配置开机自启",
       .resolution = "数据库服务器重启后监听未自动启动，已启动并配置开机自启。"},
      {.category = "database.mysql",
       .channel = "monitoring",
       .impact = 2,
       .urgency = 2,
       .title = "MySQL 主从复制延迟超过 300 秒",
       .description = "监控告警：{host} 从库 Seconds_Behind_Master = {n}12。",
       .note = "夜间批量任务单个事务更新 800 万行。",
       .work = "分析 binlog，协调批量任务拆分",
       .resolution = "大事务导致从库回放延迟，批量任务拆分为小事务后恢复。"},
      {.category = "database.postgresql",
       .channel = "monitoring",
       .impact = 2,
       .urgency = 1,
       .weight = 1,
       .title = "PostgreSQL 连接数耗尽",
       .description = "应用日志报 FATAL: sorry, too many clients already，{host} 上的服务不可用。",
       .note = "pg_stat_activity 中 480 个 idle in transaction，来自同一个应用。",
       .work = "清理空闲连接，调整连接池",
       .resolution = "应用连接池泄漏，重启应用并限制连接池上限；已反馈开发修复。",
       .code = "workaround"},
      // Workplace IT
      {.category = "workplace.pc",
       .weight = 3,
       .title = "电脑开机蓝屏",
       .description = "电脑开机后蓝屏，错误代码 CRITICAL_PROCESS_DIED，重启几次都一样。",
       .reply = "您好，我是服务台工程师，稍后到您工位查看。",
       .work = "现场检查，安全模式回退驱动",
       .resolution = "显卡驱动自动更新导致蓝屏，回退驱动并暂停该驱动更新后正常。"},
      {.category = "workplace.pc",
       .channel = "web",
       .weight = 3,
       .title = "笔记本电脑运行缓慢",
       .description = "笔记本开机要 5 分钟，打开 Excel 都很卡，内存占用一直 90% 以上。",
       .work = "远程清理启动项与磁盘，申请内存升级",
       .resolution = "清理启动项与临时文件，内存由 8G 升级到 16G，运行恢复正常。"},
      {.category = "workplace.pc",
       .channel = "web",
       .urgency = 2,
       .weight = 2,
       .title = "电脑无法上网",
       .description = "网线插好了，但右下角显示“无 Internet”，隔壁同事的电脑正常。",
       .reply = "您好，我们先远程检查一下您的网卡设置。",
       .work = "检查网卡与网口，协调网络组",
       .resolution = "交换机端口因环路保护被关闭，恢复端口并排查了环路。",
       .escalate_to = "Infrastructure Operations",
       .escalate_note = "电脑网卡正常，墙面网口对应的交换机端口被 err-disable，转基础设施运维。"},
      {.category = "workplace.pc",
       .channel = "web",
       .en = true,
       .title = "Laptop keyboard not working",
       .description = "Several keys on my laptop keyboard (E, R, T) stopped working after a coffee "
                      "spill yesterday.",
       .reply = "Hi, please bring the laptop to the IT counter on floor 3; we'll give you a "
                "loaner meanwhile.",
       .work = "Hardware check, warranty case with the vendor",
       .resolution = "Keyboard replaced by the vendor; loaner laptop returned.",
       .pending = "awaiting_vendor"},
      {.category = "workplace.printer",
       .weight = 4,
       .title = "打印机卡纸",
       .description = "{floor} 楼打印机一直提示卡纸，打开盖子看不到纸。",
       .reply = "您好，工程师十分钟内到 {floor} 楼处理。",
       .work = "现场清理卡纸，检查搓纸轮",
       .resolution = "清理定影单元内残纸，更换磨损的搓纸轮。"},
      {.category = "workplace.printer",
       .channel = "web",
       .urgency = 2,
       .weight = 3,
       .title = "{floor} 楼打印机无法打印，显示脱机",
       .description = "打印任务一直在队列里，打印机状态显示“脱机”，整层都打印不了。",
       .work = "检查打印机网络配置，重建打印队列",
       .resolution = "打印机 IP 地址变化，改为保留地址并重新配置打印队列。"},
      {.category = "workplace.printer",
       .channel = "web",
       .weight = 2,
       .title = "打印机打印出来有黑色竖线",
       .description = "{floor} 楼彩色打印机打出来的每一页都有一条黑色竖线。",
       .work = "更换硒鼓",
       .resolution = "硒鼓老化，已更换新硒鼓。"},
      {.category = "workplace.phone",
       .channel = "web",
       .urgency = 2,
       .weight = 2,
       .title = "会议室投影无法连接笔记本",
       .description = "{floor} 楼 A 会议室投影仪接上笔记本后显示“无信号”，十分钟后有会议。",
       .reply = "您好，工程师马上带转接头过去。",
       .work = "现场排查，更换转接头",
       .resolution = "HDMI 转接头损坏，已更换。"},
      {.category = "workplace.phone",
       .channel = "web",
       .impact = 2,
       .urgency = 2,
       .title = "视频会议系统无声音",
       .description = "大会议室视频会议终端能看到对方画面，但听不到声音。",
       .work = "现场检查会议终端音频设置",
       .resolution = "会议终端音频输出被改成了 HDMI，已改回外接音箱并锁定配置。",
       .code = "user_error"},
      {.category = "workplace.phone",
       .channel = "phone",
       .weight = 1,
       .title = "IP 电话无拨号音",
       .description = "座机拿起来没有拨号音，屏幕显示“正在注册”。",
       .work = "检查 PoE 供电与话机注册",
       .resolution = "交换机 PoE 端口供电异常，换到其他端口后恢复。"},
      {.category = "workplace.software",
       .channel = "web",
       .weight = 2,
       .title = "WPS 打开文档崩溃",
       .description = "用 WPS 打开部分 docx 文件时直接闪退，其他人的电脑可以打开同样的文件。",
       .work = "远程卸载重装 WPS",
       .resolution = "重新安装最新版本 WPS 后正常打开。"},
      // Accounts and access
      {.category = "access.account",
       .urgency = 1,
       .weight = 4,
       .title = "域账号被锁定",
       .description = "输错几次密码后账号被锁定，无法登录电脑和邮箱。",
       .reply = "您好，已为您解锁账号，请确认是否可以登录。",
       .work = "解锁账号，排查锁定来源",
       .resolution = "账号已解锁；锁定来源为手机邮箱里保存的旧密码，已指导用户更新。",
       .code = "user_error"},
      {.category = "access.account",
       .channel = "web",
       .urgency = 1,
       .en = true,
       .title = "Locked out of my account after the password change",
       .description = "I changed my password this morning and now my account keeps getting "
                      "locked every few minutes.",
       .reply = "Hi, we've unlocked your account. Is your phone still using the old password "
                "for email?",
       .work = "Unlocked the account, traced the lockout source",
       .resolution = "Unlocked; the phone's mail app kept trying the old password. Updated it "
                     "with the user.",
       .code = "user_error"},
      // Information security
      {.category = "security.malware",
       .impact = 2,
       .urgency = 1,
       .weight = 2,
       .title = "终端杀毒软件报警：检测到木马程序",
       .description = "电脑右下角弹出杀毒软件告警，提示下载目录里的“发票.zip”为 Trojan.Generic，"
                      "已隔离。",
       .reply = "您好，请先断开网线、不要关机，安全工程师马上联系您。",
       .note = "样本为 AgentTesla 变种，外联地址已在防火墙封禁。",
       .work = "隔离终端，样本分析，全盘查杀",
       .resolution = "已隔离样本并全盘查杀，未发现横向移动；已重置用户密码。"},
      {.category = "security.intrusion",
       .channel = "monitoring",
       .impact = 2,
       .urgency = 1,
       .weight = 2,
       .title = "异常登录告警：邮箱账号在境外 IP 登录",
       .description = "SOC 告警：账号 {account} 凌晨 03:12 从境外 IP 185.220.{n}.17 登录邮箱，"
                      "之前 30 天无境外登录记录。",
       .note = "同一 IP 对 40 多个账号尝试登录，判断为撞库攻击。",
       .work = "核查登录日志，重置密码，开启二次验证",
       .resolution = "确认为撞库攻击，已重置密码、撤销会话并为该账号开启二次验证。"},
      {.category = "security.intrusion",
       .channel = "web",
       .impact = 2,
       .urgency = 1,
       .weight = 2,
       .title = "收到钓鱼邮件，已点击链接并输入了密码",
       .description = "收到一封“工资单调整通知”邮件，点了链接并输入了邮箱密码，后来觉得不对。",
       .reply = "您好，请立即修改邮箱密码，我们正在检查您账号的登录记录。",
       .note = "钓鱼域名注册于 3 天前，邮件网关已封禁发件域。",
       .work = "重置密码、撤销会话，排查邮件网关日志",
       .resolution = "已重置密码并撤销全部会话，邮件网关封禁发件域，全员发送了钓鱼提醒。"},
      {.category = "security.vulnerability",
       .channel = "monitoring",
       .impact = 2,
       .urgency = 3,
       .weight = 1,
       .title = "漏洞扫描发现 OpenSSH 高危漏洞 (CVE-2024-6387)",
       .description = "月度漏洞扫描：{n} 台 Linux 服务器 OpenSSH 版本受 CVE-2024-6387 影响。",
       .note = "需要分批重启 sshd，已提交变更。",
       .work = "梳理受影响主机，准备升级包",
       .resolution = "已在维护窗口将 OpenSSH 升级到 9.8p1，复扫通过。",
       .pending = "awaiting_change"},
      {.category = "security.data_leak",
       .channel = "email",
       .impact = 1,
       .urgency = 2,
       .weight = 1,
       .title = "疑似客户数据通过个人网盘外发",
       .description = "DLP 告警：一名员工向个人网盘上传了名为“客户名单”的 Excel 文件，请核查。",
       .note = "已调取 DLP 日志与文件样本。",
       .work = "DLP 日志核查，与员工及主管面谈",
       .resolution = "核查为误报：文件为官网公开的合作伙伴名单，不含客户个人信息。",
       .code = "no_fault_found"},
      // Service requests
      {.kind = "request",
       .category = "application.oa",
       .channel = "web",
       .weight = 3,
       .title = "申请开通 OA 账号",
       .description = "新同事{name}下周一入职市场部，请开通 OA 账号并加入市场部审批流程组。",
       .work = "创建 OA 账号，配置流程组",
       .resolution = "OA 账号已开通，初始密码已通过短信发送给新同事。"},
      {.kind = "request",
       .category = "access.account",
       .weight = 3,
       .title = "新员工入职账号开通",
       .description =
           "人力资源部：新员工{name}（工号 {no}）入职研发部，需要开通域账号、邮箱和 VPN。",
       .work = "开通域账号、邮箱、VPN",
       .resolution = "已开通域账号、邮箱与 VPN，账号信息已发送给直属主管。"},
      {.kind = "request",
       .category = "access.account",
       .channel = "web",
       .weight = 3,
       .title = "忘记邮箱密码，申请重置",
       .description = "休假回来忘了邮箱密码，手机也没有绑定，申请重置。",
       .work = "核实身份后重置密码",
       .resolution = "已核实身份并重置密码，首次登录需修改密码。"},
      {.kind = "request",
       .category = "access.account",
       .channel = "email",
       .weight = 2,
       .title = "离职员工账号停用",
       .description = "员工{name}本周五离职，请停用其域账号，邮箱转交给部门主管。",
       .work = "停用账号，邮箱转交，吊销 VPN 证书",
       .resolution = "已停用域账号，邮箱已转交给主管，VPN 证书已吊销。"},
      {.kind = "request",
       .category = "access.permission",
       .channel = "web",
       .weight = 2,
       .title = "申请 ERP 财务模块查询权限",
       .description = "因工作需要查询应收账款明细，申请 ERP 财务模块只读权限，已附部门主管审批。",
       .work = "核对审批，分配角色",
       .resolution = "已按审批分配 ERP 财务模块只读角色。",
       .pending = "awaiting_requester"},
      {.kind = "request",
       .category = "access.permission",
       .channel = "web",
       .weight = 2,
       .title = "申请共享盘“财务部”目录读写权限",
       .description = "新调入财务部，申请共享盘 \\\\file-srv-01\\财务部 目录的读写权限。",
       .work = "添加到共享盘权限组",
       .resolution = "已加入 FIN-RW 权限组，重新登录后生效。"},
      {.kind = "request",
       .category = "access.permission",
       .channel = "web",
       .en = true,
       .title = "Request read access to the sales dashboard",
       .description = "I need read access to the BI sales dashboard for the quarterly review. "
                      "My manager has approved.",
       .work = "Checked the approval, added to the group",
       .resolution = "Added to the BI-Sales-Readers group; access works after signing in again."},
      {.kind = "request",
       .category = "workplace.software",
       .channel = "web",
       .weight = 3,
       .title = "申请安装 Visio",
       .description = "工作需要画网络拓扑图，申请安装 Visio。",
       .work = "软件中心推送安装",
       .resolution = "已通过软件中心推送安装 Visio 2021。"},
      {.kind = "request",
       .category = "workplace.software",
       .channel = "web",
       .title = "申请安装 Python 开发环境",
       .description = "数据分析需要，申请安装 Python 3 和 VS Code。",
       .work = "安装 Python 与 VS Code",
       .resolution = "已安装 Python 3.12 与 VS Code，并配置公司内部 pip 镜像。"},
      {.kind = "request",
       .category = "workplace.software",
       .channel = "web",
       .en = true,
       .title = "Request to install the Zoom client",
       .description = "A customer uses Zoom for our weekly calls; please install the client.",
       .work = "Pushed the package from the software centre",
       .resolution = "Installed the Zoom client from the software centre."},
      {.kind = "request",
       .category = "workplace.pc",
       .channel = "web",
       .title = "申请更换笔记本电池",
       .description = "笔记本电池充满只能用 40 分钟，系统提示“建议更换电池”。",
       .work = "电池检测，向厂商申请备件",
       .resolution = "已更换新电池，续航恢复正常。",
       .pending = "awaiting_vendor"},
      {.kind = "request",
       .category = "workplace.pc",
       .weight = 2,
       .title = "申请新员工电脑一台",
       .description = "新同事{name}下周入职财务部，申请标准办公笔记本一台。",
       .work = "领用、装机、加域",
       .resolution = "已领用 ThinkPad T14，完成装机、加域并安装标准软件。"},
      {.kind = "request",
       .category = "application.email",
       .channel = "web",
       .weight = 2,
       .title = "邮箱容量已满，申请扩容",
       .description = "邮箱提示容量已满，无法接收新邮件，申请扩容。",
       .work = "调整邮箱配额",
       .resolution = "邮箱配额由 2G 调整为 10G。"},
      {.kind = "request",
       .category = "server.storage",
       .channel = "web",
       .title = "申请扩容部门共享盘空间",
       .description = "设计部共享盘剩余空间不足 5%，申请扩容 300G。",
       .work = "评估存储容量，调整配额",
       .resolution = "共享盘配额由 200G 扩容到 500G。"},
      {.kind = "request",
       .category = "server.virtualization",
       .channel = "web",
       .title = "申请新建测试虚拟机 4C8G",
       .description = "项目联调需要一台测试虚拟机：4 核 8G，CentOS 7，100G 磁盘，使用两个月。",
       .work = "从模板创建虚拟机，分配 IP",
       .resolution = "已创建 test-vm-{n}{n}，IP 与账号已通过邮件发送。"},
      {.kind = "request",
       .category = "database.mysql",
       .channel = "web",
       .title = "申请开通 MySQL 只读账号",
       .description = "报表开发需要访问 crm 库，申请只读账号。",
       .work = "创建只读账号，限制来源 IP",
       .resolution = "已创建只读账号并限制来源 IP，密码通过短信发送。"},
      {.kind = "request",
       .category = "network.vpn",
       .channel = "web",
       .weight = 2,
       .title = "申请开通 VPN 权限",
       .description = "下个月起每周两天居家办公，申请开通 VPN 权限。",
       .work = "开通 VPN 权限，签发证书",
       .resolution = "已开通 VPN 权限并签发证书，安装指引已发到邮箱。"},
      {.kind = "request",
       .category = "network.wifi",
       .channel = "web",
       .title = "申请访客 Wi-Fi 临时账号（客户来访 {n} 人）",
       .description = "明天有客户来访 {n} 人，申请访客 Wi-Fi 临时账号。",
       .work = "生成访客账号",
       .resolution = "已生成访客 Wi-Fi 账号，有效期 1 天。"},
      {.kind = "request",
       .category = "workplace.phone",
       .channel = "phone",
       .title = "申请大会议室视频会议现场支持",
       .description = "周四上午 10 点与海外分公司开视频会议，申请工程师现场保障。",
       .work = "会前调试设备，现场保障",
       .resolution = "会前 30 分钟完成设备调试，会议全程无异常。"},
  };
  return kTemplates;
}

// Major incidents and the tickets their users raised while they lasted.
const Tpl kMailOutage = {
    .category = "application.email",
    .channel = "phone",
    .impact = 1,
    .urgency = 1,
    .title = "邮件系统大面积发送延迟，外部邮件积压",
    .description =
        "多个部门反映对外邮件发出后一两个小时对方才收到，部分邮件退回“451 稍后重试”。"
        "内部邮件基本正常。"};
const Tpl kBankingOutage = {
    .category = "database.oracle",
    .channel = "phone",
    .impact = 1,
    .urgency = 1,
    .title = "数据库慢查询导致网银交易超时",
    .description =
        "今天上午网银转账交易平均响应时间由 0.8 秒升至 12 秒，约三成交易超时，"
        "客服热线来电量激增。"};
const Tpl kSwitchOutage = {
    .category = "network.lan",
    .channel = "monitoring",
    .impact = 1,
    .urgency = 1,
    .title = "核心交换机板卡故障导致总部 5 楼网络中断",
    .description = "监控告警：核心交换机 CS-02 第 3 槽板卡离线，5 楼接入交换机全部失联。"};

const std::vector<Tpl>& mail_outage_children() {
  static const std::vector<Tpl> k = {
      {.category = "application.email",
       .urgency = 2,
       .title = "外部邮件发不出去",
       .description = "给客户发的报价邮件一直在发件箱里，过了一个小时还没发出去。"},
      {.category = "application.email",
       .urgency = 2,
       .title = "客户说收不到我们的邮件",
       .description = "客户打电话说上午没收到我们发的合同邮件，我这边显示已发送。"},
      {.category = "application.email",
       .urgency = 2,
       .en = true,
       .title = "Emails to customers delayed by hours",
       .description = "Customers tell me my emails from this morning arrived two hours late."},
      {.category = "application.email",
       .urgency = 2,
       .title = "Outlook 发件箱邮件一直卡住",
       .description = "发件箱里有 5 封邮件一直发不出去，重启 Outlook 也没用。"},
      {.category = "application.email",
       .urgency = 2,
       .title = "邮件退信：451 Temporary failure, please retry",
       .description = "给供应商发邮件收到退信，提示 451 临时错误。"},
  };
  return k;
}

const std::vector<Tpl>& banking_outage_children() {
  static const std::vector<Tpl> k = {
      {.category = "application.website",
       .channel = "phone",
       .impact = 2,
       .urgency = 1,
       .title = "网银转账提交后一直转圈",
       .description = "客服反馈：多名客户网银转账点击提交后页面一直转圈，最后提示交易超时。"},
      {.category = "application.website",
       .channel = "phone",
       .impact = 2,
       .urgency = 1,
       .title = "客户投诉网银交易超时",
       .description = "营业部转来客户投诉：上午两笔网银付款超时，不确定是否扣款成功。"},
      {.category = "application.website",
       .channel = "web",
       .impact = 2,
       .urgency = 1,
       .en = true,
       .title = "Online banking payments timing out",
       .description = "Corporate clients report that payments in online banking time out after "
                      "about 30 seconds since this morning."},
      {.category = "database.oracle",
       .channel = "web",
       .impact = 2,
       .urgency = 2,
       .title = "柜面系统查询账户流水很慢",
       .description = "柜面查询账户流水要等 20 多秒，排队的客户越来越多。"},
  };
  return k;
}

const std::vector<Tpl>& switch_outage_children() {
  static const std::vector<Tpl> k = {
      {.category = "network.lan",
       .channel = "phone",
       .impact = 2,
       .urgency = 1,
       .title = "5 楼整层断网",
       .description = "5 楼所有电脑都上不了网，内网系统也打不开。"},
      {.category = "network.wifi",
       .channel = "web",
       .impact = 2,
       .urgency = 1,
       .title = "5 楼会议室无法上网，客户会议受影响",
       .description = "5 楼会议室有线和 Wi-Fi 都连不上，客户正在会议室等着演示。"},
      {.category = "server.storage",
       .channel = "web",
       .impact = 3,
       .urgency = 1,
       .title = "无法访问共享盘",
       .description = "S 盘打不开，提示网络路径不可用。"},
  };
  return k;
}

// What people write back and forth.
const std::vector<const char*> kReplies = {
    "您好，已收到您的工单，正在处理中。",
    "您好，我是服务台工程师，已远程连接查看，请稍候。",
    "已收到，正在排查，有进展会第一时间同步给您。",
    "您好，问题已记录，工程师会尽快联系您。",
};
const std::vector<const char*> kRepliesEn = {
    "Hi, thanks for reporting. I'm looking into it now.",
    "Hi, we've received your ticket and an engineer is on it.",
};
const std::vector<const char*> kRequesterThanks = {
    "好的，谢谢！",
    "收到，辛苦了。",
    "好的，我这边再观察一下。",
    "已经可以了，谢谢！",
};
const std::vector<const char*> kRequesterThanksEn = {
    "Thanks, that works now.",
    "Great, thank you!",
    "OK, will keep an eye on it.",
};
const std::vector<const char*> kRequesterChasers = {
    "请问有人在处理吗？比较着急。",
    "补充一下：今天上午 10 点左右又出现了一次。",
    "隔壁几位同事也有同样的问题。",
    "麻烦尽快处理，下午要用。",
};
const std::vector<const char*> kRequesterChasersEn = {
    "Any update on this? It's blocking my work.",
    "It happened again at around 10 this morning.",
};
const std::vector<const char*> kAskRequester = {
    "请提供报错截图以及问题出现的时间，方便我们定位。",
    "请确认您方便远程协助的时间，我们这边随时可以连接。",
    "请提供电脑资产编号（贴在机身背面），以便核对设备信息。",
    "请补充部门主管的审批邮件，收到后我们立即处理。",
};
const std::vector<const char*> kAskRequesterEn = {
    "Could you send a screenshot of the error and the time it happened?",
    "When would suit you for a remote session?",
};
const std::vector<const char*> kRequesterAnswers = {
    "截图已经发到您的邮箱，请查收。",
    "下午两点以后都可以远程。",
    "资产编号 PC-2021-0{n}{n}{n}。",
    "主管审批邮件已转发给您。",
};
const std::vector<const char*> kRequesterAnswersEn = {
    "Screenshot sent to you by email.",
    "Any time after 2 pm works for me.",
};
const std::vector<const char*> kVendorNotes = {
    "已向厂商报修，服务单号 SR{no}，等待工程师上门。",
    "已提交厂商技术支持，等待对方回复补丁与处理方案。",
};
const std::vector<const char*> kVendorBack = {
    "厂商工程师已到场，继续处理。",
    "厂商已回复处理方案，开始实施。",
};
const std::vector<const char*> kChangeComments = {
    "修复需要变更，已提交变更申请，计划在本周六 22:00 的维护窗口实施，期间如有影响会提前通知。",
    "需要重启相关服务，已走变更流程，等待变更审批。",
};
const std::vector<const char*> kChangeBack = {
    "变更已在维护窗口实施完成，正在验证。",
};
const std::vector<const char*> kProblemNotes = {
    "同类事件本月已出现多次，已关联问题单，等待根因分析结论。",
    "临时措施已生效，根本原因交由问题管理分析。",
};
const std::vector<const char*> kProblemBack = {
    "问题管理已给出根因与永久解决方案，按方案处理。",
};
const std::vector<const char*> kInternalNotes = {
    "查看了最近的变更记录，暂未发现相关变更。",
    "已电话联系用户确认影响范围，仅个别用户。",
    "日志里没有明显报错，继续观察。",
    "同类问题上周也出现过一次，参考之前的处理记录。",
};
const std::vector<const char*> kHierarchicalNotes = {
    "高优先级事件处理已超过预期时间，升级至运维管理团队协调资源。",
    "影响范围扩大，请求运维管理协调厂商与业务部门。",
};
const std::vector<const char*> kReopenReasons = {
    "问题又出现了，今天早上还是一样。",
    "修复后仍然报同样的错误。",
    "只好了一天，又不行了。",
};
const std::vector<const char*> kReopenReasonsEn = {
    "The problem came back this morning.",
    "Still getting the same error.",
};
const std::vector<const char*> kCancelIncident = {
    "用户反馈问题已自行恢复，撤销工单。",
    "非 IT 问题（门禁卡），已转行政部处理。",
    "用户重复提交，已在另一张工单处理。",
};
const std::vector<const char*> kCancelRequest = {
    "不需要了，谢谢。",
    "已通过其他途径解决，撤销申请。",
    "项目取消，暂不需要。",
};
const std::vector<const char*> kCancelRequestEn = {
    "No longer needed, thanks.",
};
const std::vector<const char*> kPraise = {
    "处理及时，感谢！",
    "很专业，几分钟就搞定了。",
    "服务态度很好。",
    "响应很快，点赞。",
};
const std::vector<const char*> kPraiseEn = {
    "Quick and helpful, thanks!",
    "Friendly and efficient.",
};
const std::vector<const char*> kComplaints = {
    "处理太慢，等了两天才有人联系。",
    "问题没有根本解决，第二天又出现了。",
    "来回沟通了好几次，希望一次说清楚需要什么材料。",
    "电话一直打不通，只能提工单。",
};
const std::vector<const char*> kComplaintsEn = {
    "Took far too long to get a response.",
    "Had to explain the issue three times.",
};
const std::vector<const char*> kNewHires = {"刘思远", "陈晓", "周婷", "马骏", "许可", "宋雨桐"};
const std::vector<const char*> kHosts = {"erp-app-01", "erp-db-01",   "oa-web-02",   "mail-gw-01",
                                         "bi-etl-03",  "file-srv-01", "web-prod-04", "k8s-node-07",
                                         "crm-app-02", "pay-db-02"};

// ---------------------------------------------------------------------------------------------
// Playing the last 90 days of the service desk through the real services.

constexpr core::TimeMs kMinute = 60'000;
constexpr core::TimeMs kHour = 60 * kMinute;
constexpr core::TimeMs kDay = 24 * kHour;
constexpr core::TimeMs kBeijing = 8 * kHour;  // the office's working hours are Beijing time

// The values a ticket's placeholders get.
struct Vars {
  std::map<std::string, std::string, std::less<>> values;

  static Vars make(Rng& rng) {
    Vars v;
    v.values["ip"] = "10.10." + std::to_string(rng.uniform(1, 40)) + ".1";
    v.values["host"] = rng.pick(kHosts);
    v.values["pct"] = std::to_string(rng.uniform(91, 98));
    v.values["floor"] = std::to_string(rng.uniform(3, 18));
    v.values["n"] = std::to_string(rng.uniform(2, 9));
    v.values["name"] = rng.pick(kNewHires);
    v.values["no"] = std::to_string(rng.uniform(100000, 999999));
    v.values["account"] = "user" + std::to_string(rng.uniform(100, 999)) + "@corp.example";
    return v;
  }

  std::string apply(std::string_view text) const {
    std::string out;
    size_t i = 0;
    while (i < text.size()) {
      size_t open = text.find('{', i);
      size_t close = open == std::string_view::npos ? open : text.find('}', open);
      if (close == std::string_view::npos) {
        out.append(text.substr(i));
        break;
      }
      out.append(text.substr(i, open - i));
      auto it = values.find(text.substr(open + 1, close - open - 1));
      if (it == values.end()) {
        out.append(text.substr(open, close - open + 1));
      } else {
        out += it->second;
      }
      i = close + 1;
    }
    return out;
  }
};

enum class Target {
  kNew,
  kAssigned,
  kInProgress,
  kPending,
  kResolved,
  kReopened,
  kClosed,
  kCancelled
};
enum class Story { kRegular, kDuplicate, kMajor, kMajorChild };

// One ticket of the demo as planned: when it came in, what it is about, how far it got.
struct Spec {
  core::TimeMs created = 0;
  const Tpl* tpl = nullptr;
  std::string requester;  // username
  Target target = Target::kClosed;
  std::string pending_reason;  // for kPending
  bool reopen_first = false;   // reopened once before it was closed
  Story story = Story::kRegular;
  int major = 0;     // which major incident: 1 mail (closed), 2 banking (open), 3 switch (resolved)
  int related = -1;  // the spec it duplicates, or its major incident
  core::TimeMs link_at = 0;  // when it is linked to that one
  bool fresh = false;        // just in: nobody has looked at it yet
};

// Another ticket that links to the one being played, played when the link is due so that every
// ticket's events stay in time order.
struct Join {
  core::TimeMs at = 0;                               // when the link is due
  std::function<core::Result<core::TimeMs>()> play;  // up to the link; returns its time
};

// A ticket being played: its latest copy and the time of its latest event.
struct Work {
  tickets::Ticket t;
  core::TimeMs at = 0;
  std::int64_t requester = 0;
  std::optional<std::int64_t> agent;  // who works it now
  bool en = false;
  bool business = false;  // a business user asked: they reply, confirm and answer surveys
  Vars vars;
  std::vector<Join> joins;  // by time
};

const tickets::Viewer kSystemViewer{0, true, true, true};
const store::Actor kAutoClose{std::nullopt, "auto-close"};
const store::Actor kDemoActor{std::nullopt, "demo"};

class ServiceDesk {
 public:
  ServiceDesk(store::Database& db, core::TimeMs now, const identity::PasswordHasher& hasher,
              const DemoEstate& estate)
      : now_(now),
        clock_(now - 92 * kDay),
        tickets_(db, clock_),
        dispatch_(db, clock_),
        categories_(db, clock_),
        config_(db, clock_),
        users_(db, clock_, hasher),
        teams_(db, clock_),
        rng_(20250917),
        estate_(estate) {}

  // The tickets created; 0 when the database already had tickets.
  core::Result<int> load() {
    tickets::TicketQuery any;
    any.limit = 1;
    YW_ASSIGN(auto existing, tickets_.list(kSystemViewer, any));
    if (!existing.items.empty()) return 0;
    YW_TRY(lookup());
    YW_TRY(setup_dispatch());
    std::vector<Spec> specs = plan();
    YW_TRY(play(specs));
    return created_;
  }

 private:
  // ---- who and what there is

  core::Status lookup() {
    for (const Person& p : people()) {
      YW_ASSIGN(auto u, users_.find_by_username(p.username));
      if (!u) return core::internal(std::string("demo user ") + p.username + " is missing");
      user_ids_[p.username] = u->id;
      if (u->roles & identity::role_bit(identity::Role::kAgent)) agents_.insert(u->id);
      if (u->roles & ~identity::role_bit(identity::Role::kRequester)) staff_.insert(u->id);
      if (p.roles == std::vector<std::string>{"requester"}) {
        business_.push_back(p.username);
        if (std::string_view(p.locale) == "en") english_.push_back(p.username);
      }
    }
    identity::TeamQuery q;
    q.limit = 100;
    YW_ASSIGN(auto teams, teams_.list(q));
    for (const identity::Team& t : teams.items) {
      team_ids_[t.name] = t.id;
      for (std::int64_t m : t.member_ids) {
        if (agents_.count(m)) team_agents_[t.id].push_back(m);
      }
    }
    for (const char* name : {"Service Desk", "Infrastructure Operations", "Application Operations",
                             "Security Operations"}) {
      if (!team_ids_.count(name) || team_agents_[team_ids_[name]].empty())
        return core::internal(std::string("the demo needs agents in the team ") + name);
    }
    YW_ASSIGN(auto categories, categories_.list());
    for (const tickets::Category& c : categories) {
      if (c.active) category_ids_[c.code] = c.id;
    }
    YW_ASSIGN(tickets::TicketSettings settings, config_.settings());
    auto_close_days_ = settings.auto_close_days;
    return {};
  }

  std::int64_t user(const std::string& username) const { return user_ids_.at(username); }
  bool is_business(const std::string& username) const {
    return std::find(business_.begin(), business_.end(), username) != business_.end();
  }
  tickets::Viewer viewer_of(std::int64_t id) const {
    return {id, staff_.count(id) > 0, agents_.count(id) > 0, false};
  }
  static store::Actor actor_of(std::int64_t id) { return {id, "demo"}; }

  // ---- assignment rules and team strategies

  core::Status setup_dispatch() {
    clock_.set(now_ - 92 * kDay);
    YW_ASSIGN(auto rules, dispatch_.list_rules());
    if (rules.empty()) {
      struct Rule {
        const char* name;
        std::vector<const char*> categories;
        std::vector<std::string> keywords, channels, priorities;
        const char* team;
      };
      const std::vector<Rule> kRules = {
          {"信息安全事件 → 安全运维", {"security"}, {}, {}, {}, "Security Operations"},
          {"VPN 相关 → 基础设施运维", {}, {"VPN"}, {}, {}, "Infrastructure Operations"},
          {"网络 → 基础设施运维", {"network"}, {}, {}, {}, "Infrastructure Operations"},
          {"服务器与存储 → 基础设施运维", {"server"}, {}, {}, {}, "Infrastructure Operations"},
          {"数据库 → 应用运维", {"database"}, {}, {}, {}, "Application Operations"},
          {"应用系统 → 应用运维", {"application"}, {}, {}, {}, "Application Operations"},
          {"监控告警 P1/P2 → 基础设施运维",
           {},
           {},
           {"monitoring"},
           {"P1", "P2"},
           "Infrastructure Operations"},
      };
      for (const Rule& r : kRules) {
        tickets::NewRule n;
        n.name = r.name;
        for (const char* code : r.categories) {
          auto it = category_ids_.find(code);
          if (it != category_ids_.end()) n.conditions.category_ids.push_back(it->second);
        }
        if (n.conditions.category_ids.size() != r.categories.size()) continue;
        n.conditions.keywords = r.keywords;
        n.conditions.channels = r.channels;
        n.conditions.priorities = r.priorities;
        n.team_id = team_ids_.at(r.team);
        clock_.set(clock_.now_ms() + 3 * kMinute);
        auto created = dispatch_.create_rule(kDemoActor, n);
        if (!created.ok()) return named("creating the assignment rule " + n.name, created.error());
      }
    }
    YW_ASSIGN(auto strategies, dispatch_.strategies());
    auto set = [&](const char* team, const char* strategy) -> core::Status {
      std::int64_t id = team_ids_.at(team);
      for (const tickets::TeamDispatch& d : strategies) {
        if (d.team_id == id && d.strategy != "manual") return {};
      }
      auto r = dispatch_.set_strategy(kDemoActor, id, strategy);
      if (!r.ok()) return named(std::string("setting the strategy of ") + team, r.error());
      return {};
    };
    YW_TRY(set("Service Desk", "round_robin"));
    YW_TRY(set("Infrastructure Operations", "least_open"));
    return {};
  }

  static core::Error named(const std::string& what, const core::Error& e) {
    core::Error out = e;
    out.message =
        "demo: " + what + ": " + e.message + (e.field.empty() ? "" : " [" + e.field + "]");
    return out;
  }
  template <class T>
  static core::Result<T> check(core::Result<T> r, const Work& w, std::string_view what) {
    if (r.ok()) return r;
    return named(w.t.number + " \"" + w.t.title + "\" at " + core::format_iso8601(w.at) + ", " +
                     std::string(what),
                 r.error());
  }

  // ---- the plan

  // Midnight (Beijing time) `days_ago` days before today.
  core::TimeMs midnight(int days_ago) const {
    return ((now_ + kBeijing) / kDay - days_ago) * kDay - kBeijing;
  }
  static int weekday(core::TimeMs midnight_ms) {  // 0 = Monday
    return static_cast<int>(((midnight_ms + kBeijing) / kDay + 3) % 7);
  }

  // When a ticket came in: weekdays in office hours (alerts at any time), a little busier lately.
  core::TimeMs random_created(bool any_hour) {
    for (;;) {
      int d = rng_.uniform(0, 89);
      core::TimeMs day = midnight(d);
      int weight = (weekday(day) >= 5 ? 3 : 10) + (d < 14 ? 3 : 0);
      if (rng_.uniform(1, 13) > weight) continue;
      core::TimeMs t =
          any_hour ? day + rng_.between(0, kDay - 1)
                   : day + rng_.between(8 * kHour + 30 * kMinute, 18 * kHour + 30 * kMinute);
      if (t > now_ - 100 * kMinute || t < now_ - 90 * kDay + kHour) continue;
      return t;
    }
  }

  const Tpl& pick_template(std::string_view kind, bool monitoring, bool en) {
    std::vector<const Tpl*> pool;
    int total = 0;
    for (const Tpl& t : templates()) {
      bool is_monitoring = std::string_view(t.channel) == "monitoring";
      if (t.kind != kind || is_monitoring != monitoring || (!monitoring && t.en != en)) continue;
      pool.push_back(&t);
      total += t.weight;
    }
    if (pool.empty()) return pick_template(kind, monitoring, false);
    int r = rng_.uniform(1, total);
    for (const Tpl* t : pool) {
      r -= t->weight;
      if (r <= 0) return *t;
    }
    return *pool.back();
  }

  const Tpl& pick_desk_template(std::string_view kind) {
    for (;;) {
      const Tpl& t = pick_template(kind, false, false);
      std::string_view c = t.category;
      if (c.starts_with("workplace.") || c.starts_with("access.")) return t;
    }
  }

  std::string pick_pending(const Tpl& tpl, bool business, bool old) {
    if (*tpl.pending && rng_.percent(60) &&
        (business || std::string_view(tpl.pending) != "awaiting_requester"))
      return tpl.pending;
    if (std::string_view(tpl.kind) == "request")
      return business && rng_.percent(60) ? "awaiting_requester" : "awaiting_vendor";
    int r = rng_.uniform(0, 99);
    if (business && !old && r < 40) return "awaiting_requester";
    r = rng_.uniform(0, 99);
    return r < 45 ? "awaiting_vendor" : r < 75 ? "awaiting_change" : "awaiting_problem";
  }

  void pick_target(Spec& s, bool business) {
    core::TimeMs age = now_ - s.created;
    bool incident = std::string_view(s.tpl->kind) == "incident";
    int r = rng_.uniform(0, 99);
    Target t;
    if (age < 4 * kHour) {
      if (incident) {
        t = r < 40 ? Target::kAssigned : r < 85 ? Target::kInProgress : Target::kPending;
      } else {
        t = r < 50 ? Target::kNew : Target::kInProgress;
      }
    } else if (age < 7 * kDay) {
      if (incident) {
        t = r < 12   ? Target::kAssigned
            : r < 30 ? Target::kInProgress
            : r < 48 ? Target::kPending
            : r < 76 ? Target::kResolved
            : r < 86 ? Target::kReopened
            : r < 91 ? Target::kCancelled
                     : Target::kClosed;
      } else {
        t = r < 10   ? Target::kNew
            : r < 28 ? Target::kInProgress
            : r < 44 ? Target::kPending
            : r < 84 ? Target::kResolved
            : r < 90 ? Target::kCancelled
                     : Target::kClosed;
      }
    } else if (age < 21 * kDay) {
      // The backlog: a few still wait in a team's queue or on someone else.
      if (incident) {
        t = r < 3    ? Target::kAssigned
            : r < 8  ? Target::kInProgress
            : r < 15 ? Target::kPending
            : r < 21 ? Target::kCancelled
                     : Target::kClosed;
      } else {
        t = r < 4    ? Target::kInProgress
            : r < 9  ? Target::kPending
            : r < 16 ? Target::kCancelled
                     : Target::kClosed;
      }
    } else {
      if (incident) {
        t = r < 2    ? Target::kInProgress
            : r < 5  ? Target::kPending
            : r < 11 ? Target::kCancelled
                     : Target::kClosed;
      } else {
        t = r < 1    ? Target::kInProgress
            : r < 3  ? Target::kPending
            : r < 10 ? Target::kCancelled
                     : Target::kClosed;
      }
    }
    // Only a requester reopens; an alert nobody reported is not reopened.
    if (t == Target::kReopened && !business) t = Target::kResolved;
    s.target = t;
    if (t == Target::kPending) s.pending_reason = pick_pending(*s.tpl, business, age >= 7 * kDay);
    s.reopen_first = t == Target::kClosed && incident && business && rng_.percent(6);
  }

  std::vector<Spec> plan() {
    std::vector<Spec> specs;
    // The everyday tickets of the last 90 days.
    for (int i = 0; i < kEveryday; ++i) {
      Spec s;
      std::string_view kind = rng_.percent(24) ? "request" : "incident";
      bool monitoring = kind == "incident" && rng_.percent(16);
      if (monitoring) {
        s.tpl = &pick_template(kind, true, false);
        std::string_view c = s.tpl->category;
        s.requester = c.starts_with("security.") ? "linfeng"
                      : rng_.percent(60)         ? "songjia"
                                                 : "luotao";
      } else {
        s.requester = rng_.pick(business_);
        bool en = std::find(english_.begin(), english_.end(), s.requester) != english_.end() &&
                  rng_.percent(70);
        s.tpl = &pick_template(kind, false, en);
      }
      s.created = random_created(monitoring);
      bool business = is_business(s.requester);
      pick_target(s, business);
      specs.push_back(s);
      // Now and then a second person reports the same fault.
      std::string_view category = s.tpl->category;
      if (kind == "incident" && business && !category.starts_with("security.") &&
          (s.target == Target::kClosed || s.target == Target::kResolved) &&
          now_ - s.created > kDay && rng_.percent(5)) {
        Spec d = s;
        d.created = s.created + rng_.between(10, 90) * kMinute;
        if (d.created > now_ - 100 * kMinute) continue;
        do {
          d.requester = rng_.pick(business_);
        } while (d.requester == s.requester);
        d.link_at = d.created + rng_.between(15, 45) * kMinute;
        d.story = Story::kDuplicate;
        d.related = static_cast<int>(specs.size()) - 1;
        d.target = now_ - d.created >= 7 * kDay ? Target::kClosed : Target::kResolved;
        d.reopen_first = false;
        specs.push_back(d);
      }
    }
    // Just in: nobody has triaged these yet.
    for (int i = 0; i < 8; ++i) {
      Spec s;
      s.tpl = &pick_desk_template(i < 5 ? "incident" : "request");
      s.requester = rng_.pick(business_);
      s.created = now_ - rng_.between(3, 95) * kMinute;
      s.target = Target::kNew;
      s.fresh = true;
      specs.push_back(s);
    }
    // Three major incidents with the tickets users raised meanwhile: the mail outage five weeks
    // ago (closed), the switch failure three days ago (resolved), and online banking now (open).
    auto major = [&](int which, const Tpl& tpl, core::TimeMs at, const char* requester,
                     const std::vector<Tpl>& children, std::vector<const char*> reporters,
                     core::TimeMs child_from, core::TimeMs child_to) {
      Spec m;
      m.tpl = &tpl;
      m.created = at;
      m.requester = requester;
      m.story = Story::kMajor;
      m.major = which;
      specs.push_back(m);
      int parent = static_cast<int>(specs.size()) - 1;
      for (size_t i = 0; i < children.size(); ++i) {
        Spec c;
        c.tpl = &children[i];
        c.created = at + rng_.between(child_from, child_to) * kMinute;
        c.requester = children[i].en ? rng_.pick(english_) : reporters[i % reporters.size()];
        c.link_at = c.created + rng_.between(3, 12) * kMinute;
        c.story = Story::kMajorChild;
        c.major = which;
        c.related = parent;
        specs.push_back(c);
      }
    };
    major(1, kMailOutage, midnight(38) + 9 * kHour + 12 * kMinute, "lixue", mail_outage_children(),
          {"wangxiaoming", "zhangli", "chenhui", "yangfan", "huangyan"}, 5, 70);
    major(3, kSwitchOutage, now_ - 3 * kDay - 2 * kHour, "songjia", switch_outage_children(),
          {"chenhui", "lixue", "wangxiaoming"}, 5, 40);
    major(2, kBankingOutage, now_ - 160 * kMinute, "qianjun", banking_outage_children(),
          {"zhangli", "yangfan", "huangyan", "qianjun"}, 10, 110);
    return specs;
  }

  // ---- playing it

  core::Status play(const std::vector<Spec>& specs) {
    specs_ = specs;
    std::vector<size_t> order(specs_.size());
    for (size_t i = 0; i < order.size(); ++i) order[i] = i;
    std::stable_sort(order.begin(), order.end(),
                     [&](size_t a, size_t b) { return specs_[a].created < specs_[b].created; });
    numbers_.assign(specs_.size(), "");
    resolved_.assign(specs_.size(), 0);
    related_.assign(specs_.size(), {});
    for (size_t i : order) {
      if (specs_[i].related >= 0) related_[static_cast<size_t>(specs_[i].related)].push_back(i);
    }
    // Every ticket is dispatched when it is created: a rule gives the team ("assigned"), else
    // the service desk takes it, untriaged ("new") until one of its agents looks at it.
    for (size_t i : order) {
      const Spec& s = specs_[i];
      // Duplicates and a major incident's children are played by the ticket they link to.
      if (s.story == Story::kDuplicate || s.story == Story::kMajorChild) continue;
      YW_TRY(play_one(s, i));
    }
    return {};
  }

  core::Status play_one(const Spec& s, size_t index) {
    YW_ASSIGN(Work w, create(s));
    numbers_[index] = w.t.number;
    for (size_t j : related_[index]) {
      w.joins.push_back({specs_[j].link_at, [this, j]() { return join(j); }});
    }
    std::stable_sort(w.joins.begin(), w.joins.end(),
                     [](const Join& a, const Join& b) { return a.at < b.at; });
    if (s.story == Story::kMajor) {
      YW_TRY(s.major == 1 ? mail_outage(w) : s.major == 2 ? banking_outage(w) : switch_outage(w));
    } else if (w.t.kind == "incident") {
      YW_TRY(incident(w, s));
    } else {
      YW_TRY(request(w, s));
    }
    // Links due after this ticket's last event.
    while (!w.joins.empty()) YW_TRY(play_join(w));
    if (w.t.resolved_at) resolved_[index] = *w.t.resolved_at;
    for (size_t j : related_[index]) {
      auto child = children_.find(j);
      if (child == children_.end()) continue;
      YW_TRY(child_finish(child->second, specs_[j]));
      children_.erase(child);
    }
    return {};
  }

  // A ticket linking to the one being played, up to the link; returns when it was linked.
  core::Result<core::TimeMs> join(size_t index) {
    const Spec& s = specs_[index];
    YW_ASSIGN(Work w, create(s));
    numbers_[index] = w.t.number;
    if (s.story == Story::kDuplicate) {
      YW_TRY(duplicate(w, s));
    } else {
      YW_TRY(child_start(w, s));
      children_.emplace(index, std::move(w));
    }
    return linked_at_;
  }

  core::Result<Work> create(const Spec& s) {
    const Tpl& tpl = *s.tpl;
    Work w;
    w.requester = user(s.requester);
    w.business = is_business(s.requester);
    w.en = tpl.en;
    w.vars = Vars::make(rng_);
    w.at = s.created;
    clock_.set(w.at);
    tickets::NewTicket n;
    n.kind = tpl.kind;
    n.title = w.vars.apply(tpl.title);
    n.description = w.vars.apply(tpl.description);
    n.impact = tpl.impact;
    n.urgency = tpl.urgency;
    if (s.story == Story::kRegular && rng_.percent(15))
      n.urgency = std::clamp(n.urgency + (rng_.percent(50) ? 1 : -1), 1, 3);
    std::string channel = tpl.channel;
    if (channel == "any") {
      int r = rng_.uniform(0, 99);
      channel = r < 60 ? "web" : r < 85 ? "phone" : "email";
    }
    n.channel = channel;
    if (*tpl.category) {
      auto it = category_ids_.find(tpl.category);
      if (it != category_ids_.end()) n.category_id = it->second;
    }
    link_cmdb(s, w.vars, n);
    // Calls and mails are logged by the service desk on the requester's behalf.
    std::int64_t creator = w.requester;
    if (channel == "phone" || channel == "email") {
      creator = rng_.pick(team_agents_.at(team_ids_.at("Service Desk")));
      n.requester_id = w.requester;
    }
    // Requesters name a service; the CI is linked by the service desk when it logs the ticket.
    if (!viewer_of(creator).agent) n.ci_id.reset();
    auto t = tickets_.create(actor_of(creator), viewer_of(creator), n);
    if (!t.ok())
      return named("creating \"" + n.title + "\" at " + core::format_iso8601(w.at), t.error());
    w.t = std::move(t).value();
    ++created_;
    return w;
  }

  // The CMDB: the business service a ticket is about (its major incident's, or its category's)
  // and the CI it names (the major incident's cause, or the host in its text).
  void link_cmdb(const Spec& s, const Vars& vars, tickets::NewTicket& n) const {
    auto id = [&](std::string_view name) -> std::optional<std::int64_t> {
      auto it = estate_.ids.find(name);
      if (it == estate_.ids.end()) return std::nullopt;
      return it->second;
    };
    static const std::map<std::string, std::string, std::less<>> kServiceOf = {
        {"application.email", "邮件系统"},
        {"application.erp", "ERP"},
        {"application.oa", "OA 办公"},
        {"application.website", "官网"}};
    static const char* const kMajorService[] = {"", "邮件系统", "网上银行", "办公网络"};
    static const char* const kMajorCause[] = {"", "mail-gw-01", "ebank-core-db", "CS-02"};
    if (s.story == Story::kMajor || s.story == Story::kMajorChild) {
      n.service_id = id(kMajorService[s.major]);
      if (s.story == Story::kMajor) n.ci_id = id(kMajorCause[s.major]);
      return;
    }
    if (auto it = kServiceOf.find(s.tpl->category); it != kServiceOf.end())
      n.service_id = id(it->second);
    std::string_view text = s.tpl->title;
    std::string_view more = s.tpl->description;
    if (text.find("{host}") != std::string_view::npos ||
        more.find("{host}") != std::string_view::npos) {
      n.ci_id = id(vars.values.at("host"));
    }
  }

  // The same time, or the start of the next office hours (weekdays 08:30-19:00, Beijing).
  core::TimeMs in_office_hours(core::TimeMs t) {
    for (int i = 0; i < 4; ++i) {
      core::TimeMs day = (t + kBeijing) / kDay * kDay - kBeijing;
      core::TimeMs into = t - day;
      bool weekend = weekday(day) >= 5;
      if (!weekend && into >= 8 * kHour + 30 * kMinute && into < 19 * kHour) return t;
      core::TimeMs opening = day + 8 * kHour + 30 * kMinute + rng_.between(0, 150) * kMinute;
      t = !weekend && into < 8 * kHour + 30 * kMinute ? opening : opening + kDay;
    }
    return t;
  }

  // Moves the ticket's time on by `delay`, never later than a minute ago. Work on P3-P5 tickets
  // waits for office hours. Tickets linking to this one in the meantime are played first.
  core::Status step(Work& w, core::TimeMs delay, bool office = true) {
    core::TimeMs cap = now_ - kMinute;
    core::TimeMs next = w.at + std::max<core::TimeMs>(delay, 1000);
    if (office && !joining_ && tickets::priority_rank(w.t.priority) >= 3) {
      core::TimeMs moved = in_office_hours(next);
      if (moved <= cap) next = moved;
    }
    if (next > cap) next = std::max(w.at + 1000, cap);
    while (!w.joins.empty() && w.joins.front().at <= next) {
      YW_ASSIGN(core::TimeMs linked, play_join(w));
      next = std::max(next, linked + 1000);
    }
    next = std::max(w.at, std::min(next, now_ - 1000));
    w.at = next;
    clock_.set(next);
    return {};
  }
  // Plays the first of the tickets linking to `w`. Their agents act at once, whatever the hour,
  // and link after `w`'s latest event.
  core::Result<core::TimeMs> play_join(Work& w) {
    Join j = std::move(w.joins.front());
    w.joins.erase(w.joins.begin());
    joining_ = true;
    link_floor_ = w.at;
    auto linked = j.play();
    joining_ = false;
    if (linked.ok()) w.at = std::max(w.at, *linked);
    return linked;
  }

  core::Status step_to(Work& w, core::TimeMs at, bool office = true) {
    return step(w, at - w.at, office);
  }
  core::TimeMs minutes(int lo, int hi) { return rng_.between(lo, hi) * kMinute; }

  core::Status refresh(Work& w) {
    YW_ASSIGN(tickets::TicketDetail d,
              check(tickets_.get(kSystemViewer, w.t.number), w, "reading it"));
    w.t = d.ticket;
    return {};
  }

  // Someone of the ticket's team takes it, unless the team's strategy already picked them.
  core::Status take(Work& w, core::TimeMs delay, std::optional<std::int64_t> who = std::nullopt) {
    if (!who && w.t.assignee_id) {
      w.agent = w.t.assignee_id;
      return {};
    }
    // Untriaged, or with a team that has no agents: the service desk takes it.
    std::int64_t team = w.t.assignee_team_id.value_or(team_ids_.at("Service Desk"));
    auto members = team_agents_.find(team);
    if (!who && (members == team_agents_.end() || members->second.empty())) {
      team = team_ids_.at("Service Desk");
      members = team_agents_.find(team);
    }
    if (!who) who = rng_.pick(members->second);
    YW_TRY(step(w, delay));
    YW_TRY(refresh(w));
    tickets::TicketPatch p;
    p.version = w.t.version;
    if (w.t.assignee_team_id != team) p.assignee_team_id.emplace(team);
    p.assignee_id.emplace(*who);
    YW_ASSIGN(w.t, check(tickets_.update(actor_of(*who), viewer_of(*who), w.t.number, p), w,
                         "assigning it to an agent"));
    w.agent = who;
    return {};
  }

  core::Status move(Work& w, core::TimeMs delay, std::int64_t who,
                    const tickets::TransitionRequest& r, const store::Actor* actor = nullptr,
                    const tickets::Viewer* viewer = nullptr) {
    YW_TRY(step(w, delay, actor == nullptr));  // the server closes tickets at any hour
    YW_ASSIGN(w.t, check(tickets_.transition(actor ? *actor : actor_of(who),
                                             viewer ? *viewer : viewer_of(who), w.t.number, r),
                         w, "moving it to " + r.to));
    return {};
  }

  // An incident no rule matched waits "new" in the service desk's queue until one of its agents
  // triages it: here the desk keeps it, assigned to the agent its strategy picked (or any).
  core::Status triage(Work& w, core::TimeMs delay) {
    if (w.t.kind != "incident" || w.t.status != "new") return {};
    std::int64_t team = w.t.assignee_team_id.value_or(team_ids_.at("Service Desk"));
    std::int64_t who = w.t.assignee_id ? *w.t.assignee_id : rng_.pick(team_agents_.at(team));
    tickets::TransitionRequest r;
    r.to = "assigned";
    r.assignee_team_id = team;
    r.assignee_id = who;
    YW_TRY(move(w, delay, who, r));
    w.agent = who;
    return {};
  }

  core::Status start(Work& w, core::TimeMs delay) {
    tickets::TransitionRequest r;
    r.to = "in_progress";
    return move(w, delay, *w.agent, r);
  }

  core::Status comment(Work& w, core::TimeMs delay, std::int64_t who, const std::string& body,
                       bool is_public) {
    YW_TRY(step(w, delay));
    YW_TRY(check(tickets_.add_comment(actor_of(who), viewer_of(who), w.t.number, w.vars.apply(body),
                                      is_public),
                 w, is_public ? "commenting" : "adding an internal note"));
    // The requester answering a question sets the ticket going again.
    if (who == w.requester && w.t.status == "pending") return refresh(w);
    return {};
  }

  core::Status worklog(Work& w, core::TimeMs delay, std::int64_t who, int mins,
                       const std::string& note) {
    YW_TRY(step(w, delay));
    core::TimeMs worked = std::max(w.t.created_at, w.at - mins * kMinute);
    YW_TRY(
        check(tickets_.add_worklog(actor_of(who), viewer_of(who), w.t.number, mins, note, worked),
              w, "logging work"));
    return {};
  }

  const char* say(const std::vector<const char*>& zh, const std::vector<const char*>& en,
                  bool english) {
    return english ? rng_.pick(en) : rng_.pick(zh);
  }

  // The agent's first answer to the requester (an internal note for an alert).
  core::Status first_reply(Work& w, const Tpl& tpl, core::TimeMs delay) {
    if (!w.business) {
      if (*tpl.note) return comment(w, delay, *w.agent, tpl.note, false);
      return {};
    }
    std::string text = *tpl.reply ? tpl.reply : say(kReplies, kRepliesEn, w.en);
    return comment(w, delay, *w.agent, text, true);
  }

  core::Status pend(Work& w, const std::string& reason) {
    std::int64_t a = *w.agent;
    if (reason == "awaiting_requester") {
      YW_TRY(comment(w, minutes(10, 90), a, say(kAskRequester, kAskRequesterEn, w.en), true));
    } else if (reason == "awaiting_vendor") {
      YW_TRY(comment(w, minutes(20, 180), a, rng_.pick(kVendorNotes), false));
    } else if (reason == "awaiting_change") {
      YW_TRY(comment(w, minutes(30, 240), a, rng_.pick(kChangeComments), w.business));
    } else {
      YW_TRY(comment(w, minutes(30, 240), a, rng_.pick(kProblemNotes), false));
    }
    tickets::TransitionRequest r;
    r.to = "pending";
    r.pending_reason = reason;
    return move(w, minutes(1, 5), a, r);
  }

  core::Status resume(Work& w, const std::string& reason) {
    std::int64_t a = *w.agent;
    if (reason == "awaiting_requester") {
      // The requester's answer moves it back to in progress by itself.
      YW_TRY(comment(w, minutes(60, 1200), w.requester,
                     say(kRequesterAnswers, kRequesterAnswersEn, w.en), true));
      if (w.t.status == "in_progress") return {};
      return start(w, minutes(1, 10));
    }
    if (reason == "awaiting_vendor") {
      YW_TRY(comment(w, minutes(600, 4000), a, rng_.pick(kVendorBack), w.business));
    } else if (reason == "awaiting_change") {
      YW_TRY(comment(w, minutes(1000, 5000), a, rng_.pick(kChangeBack), w.business));
    } else {
      YW_TRY(comment(w, minutes(2000, 7000), a, rng_.pick(kProblemBack), false));
    }
    return start(w, minutes(1, 20));
  }

  core::Status resolve(Work& w, core::TimeMs delay, const std::string& code,
                       const std::string& notes) {
    tickets::TransitionRequest r;
    bool incident = w.t.kind == "incident";
    r.to = incident ? "resolved" : "fulfilled";
    if (incident) r.resolution_code = code;
    r.resolution_notes = w.vars.apply(notes);
    return move(w, delay, *w.agent, r);
  }

  core::Status survey(Work& w, core::TimeMs delay, bool troubled) {
    int r = rng_.uniform(0, 99);
    int rating = troubled ? (r < 35   ? 5
                             : r < 65 ? 4
                             : r < 83 ? 3
                             : r < 93 ? 2
                                      : 1)
                          : (r < 65   ? 5
                             : r < 92 ? 4
                             : r < 97 ? 3
                             : r < 99 ? 2
                                      : 1);
    std::string text;
    if (rating <= 3) {
      text = say(kComplaints, kComplaintsEn, w.en);
    } else if (rng_.percent(40)) {
      text = say(kPraise, kPraiseEn, w.en);
    }
    YW_TRY(step(w, delay));
    YW_TRY(check(tickets_.answer_survey(actor_of(w.requester), viewer_of(w.requester), w.t.number,
                                        rating, text),
                 w, "answering the survey"));
    return {};
  }

  // Closed by the requester confirming, or by the server's auto-close N days after resolution.
  core::Status close(Work& w) {
    tickets::TransitionRequest r;
    r.to = "closed";
    core::TimeMs automatic = *w.t.resolved_at + auto_close_days_ * kDay + minutes(1, 30);
    bool can_auto = automatic < now_ - kMinute && automatic > w.at;
    if (w.business && (!can_auto || rng_.percent(35))) {
      return move(w, minutes(30, 2000), w.requester, r);
    }
    if (can_auto) {
      YW_TRY(step_to(w, automatic, false));
      return move(w, 0, 0, r, &kAutoClose, &kSystemViewer);
    }
    return move(w, minutes(30, 240), *w.agent, r);
  }

  core::Status reopen(Work& w, core::TimeMs delay) {
    tickets::TransitionRequest r;
    r.to = w.t.kind == "incident" ? "reopened" : "in_progress";
    r.reopen_reason = say(kReopenReasons, kReopenReasonsEn, w.en);
    return move(w, delay, w.requester, r);
  }

  core::TimeMs response_time(const std::string& priority) {
    if (priority == "P1") return minutes(2, 10);
    if (priority == "P2") return minutes(5, 30);
    if (priority == "P3") return minutes(10, 90);
    return minutes(20, 240);
  }
  core::TimeMs work_time(const std::string& priority) {
    if (priority == "P1") return minutes(30, 180);
    if (priority == "P2") return minutes(60, 480);
    if (priority == "P3") return minutes(120, 2880);
    return minutes(240, 4320);
  }

  core::Status incident(Work& w, const Spec& s) {
    const Tpl& tpl = *s.tpl;
    if (s.target == Target::kNew || s.target == Target::kAssigned) {
      if (s.target == Target::kAssigned) YW_TRY(triage(w, response_time(w.t.priority)));
      if (s.target == Target::kAssigned && w.t.assignee_id && rng_.percent(50)) {
        w.agent = w.t.assignee_id;
        return first_reply(w, tpl, response_time(w.t.priority));
      }
      if (w.business && rng_.percent(35))
        return comment(w, minutes(10, 60), w.requester,
                       say(kRequesterChasers, kRequesterChasersEn, w.en), true);
      return {};
    }
    YW_TRY(take(w, response_time(w.t.priority)));
    if (s.target == Target::kCancelled) {
      tickets::TransitionRequest r;
      r.to = "cancelled";
      r.cancel_reason = rng_.pick(kCancelIncident);
      return move(w, minutes(5, 120), *w.agent, r);
    }
    // Now and then the business asks for more urgency than the matrix gives.
    if (w.business && tickets::priority_rank(w.t.priority) >= 3 && rng_.percent(4)) {
      YW_TRY(step(w, minutes(1, 10)));
      YW_TRY(refresh(w));
      tickets::TicketPatch p;
      p.version = w.t.version;
      p.priority = "P" + std::to_string(tickets::priority_rank(w.t.priority) - 1);
      p.priority_reason = "业务部门负责人来电：影响重要客户交付，提升优先级。";
      YW_ASSIGN(w.t, check(tickets_.update(actor_of(*w.agent), viewer_of(*w.agent), w.t.number, p),
                           w, "raising the priority"));
    }
    YW_TRY(start(w, minutes(1, 15)));
    if (rng_.percent(75)) YW_TRY(first_reply(w, tpl, minutes(1, 20)));
    if (w.business && *tpl.note && rng_.percent(60)) {
      YW_TRY(comment(w, minutes(10, 60), *w.agent, tpl.note, false));
    } else if (rng_.percent(20)) {
      YW_TRY(comment(w, minutes(10, 60), *w.agent, rng_.pick(kInternalNotes), false));
    }
    YW_TRY(worklog(w, minutes(10, 60), *w.agent, rng_.uniform(10, 90), tpl.work));
    std::string reason = s.target == Target::kPending ? s.pending_reason : "";
    if (reason.empty() && rng_.percent(22)) reason = pick_pending(tpl, w.business, false);
    if (!reason.empty()) {
      YW_TRY(pend(w, reason));
      if (s.target == Target::kPending) return {};
      YW_TRY(resume(w, reason));
    }
    // First line hands it over once it is clear whose it is.
    if (*tpl.escalate_to && w.t.assignee_team_id != team_ids_.at(tpl.escalate_to) &&
        rng_.percent(80)) {
      tickets::EscalationRequest e;
      e.type = "functional";
      e.team_id = team_ids_.at(tpl.escalate_to);
      e.note = tpl.escalate_note;
      YW_TRY(step(w, minutes(10, 120)));
      YW_ASSIGN(w.t,
                check(tickets_.escalate(actor_of(*w.agent), viewer_of(*w.agent), w.t.number, e), w,
                      "handing it to " + std::string(tpl.escalate_to)));
      w.agent.reset();
      YW_TRY(take(w, minutes(10, 60)));
      YW_TRY(start(w, minutes(1, 15)));
      YW_TRY(worklog(w, minutes(20, 120), *w.agent, rng_.uniform(20, 120), tpl.work));
    }
    if (tickets::priority_rank(w.t.priority) <= 2 && rng_.percent(30)) {
      tickets::EscalationRequest e;
      e.type = "hierarchical";
      e.note = rng_.pick(kHierarchicalNotes);
      YW_TRY(step(w, minutes(30, 120)));
      YW_ASSIGN(w.t,
                check(tickets_.escalate(actor_of(*w.agent), viewer_of(*w.agent), w.t.number, e), w,
                      "escalating it to management"));
    }
    if (s.target == Target::kInProgress) {
      if (rng_.percent(50))
        YW_TRY(worklog(w, minutes(30, 240), *w.agent, rng_.uniform(15, 120), tpl.work));
      return {};
    }
    YW_TRY(worklog(w, work_time(w.t.priority), *w.agent, rng_.uniform(15, 180), tpl.work));
    if (w.business && rng_.percent(50)) {
      std::string done =
          w.en ? std::string("Done: ") + tpl.resolution + " Just reply here if it happens again."
               : std::string("已处理：") + tpl.resolution + "如仍有问题请直接回复本工单。";
      YW_TRY(comment(w, minutes(1, 10), *w.agent, done, true));
    }
    YW_TRY(resolve(w, minutes(1, 10), tpl.code, tpl.resolution));
    bool troubled = *w.t.resolved_at - w.t.created_at > 5 * kDay;
    if ((s.target == Target::kReopened || s.reopen_first) && auto_close_days_ >= 4) {
      YW_TRY(reopen(w, minutes(120, 4000)));
      if (s.target == Target::kReopened) return {};
      troubled = true;
      YW_TRY(start(w, minutes(10, 120)));
      YW_TRY(worklog(w, minutes(30, 240), *w.agent, rng_.uniform(20, 120), tpl.work));
      std::string again = w.en ? std::string("Second fix: ") + tpl.resolution
                               : std::string("复查后彻底处理：") + tpl.resolution;
      YW_TRY(resolve(w, minutes(60, 1440), tpl.code, again));
    }
    if (w.business && rng_.percent(troubled ? 80 : 65))
      YW_TRY(survey(w, minutes(30, 2000), troubled));
    if (s.target == Target::kResolved || s.target == Target::kReopened) return {};
    return close(w);
  }

  core::Status request(Work& w, const Spec& s) {
    const Tpl& tpl = *s.tpl;
    if (s.target == Target::kNew) {
      if (w.business && rng_.percent(25))
        return comment(w, minutes(30, 240), w.requester,
                       say(kRequesterChasers, kRequesterChasersEn, w.en), true);
      return {};
    }
    if (s.target == Target::kCancelled) {
      tickets::TransitionRequest r;
      r.to = "cancelled";
      r.cancel_reason = say(kCancelRequest, kCancelRequestEn, w.en);
      return move(w, minutes(30, 1440), w.requester, r);
    }
    YW_TRY(take(w, minutes(15, 480)));
    YW_TRY(start(w, minutes(1, 30)));
    if (rng_.percent(60)) YW_TRY(first_reply(w, tpl, minutes(1, 20)));
    YW_TRY(worklog(w, minutes(15, 240), *w.agent, rng_.uniform(10, 60), tpl.work));
    std::string reason = s.target == Target::kPending ? s.pending_reason : "";
    if (reason.empty() && *tpl.pending && rng_.percent(50)) reason = tpl.pending;
    if (reason.empty() && w.business && rng_.percent(10)) reason = "awaiting_requester";
    if (!reason.empty()) {
      YW_TRY(pend(w, reason));
      if (s.target == Target::kPending) return {};
      YW_TRY(resume(w, reason));
    }
    if (s.target == Target::kInProgress) return {};
    YW_TRY(resolve(w, minutes(30, 2880), tpl.code, tpl.resolution));
    if (w.business && rng_.percent(60))
      YW_TRY(survey(w, minutes(30, 2000), !reason.empty() && rng_.percent(30)));
    if (s.target == Target::kResolved) return {};
    return close(w);
  }

  core::Status link(Work& w, core::TimeMs at, const std::string& type, const std::string& other) {
    YW_TRY(step_to(w, std::max(at, link_floor_ + 1000)));
    YW_TRY(
        check(tickets_.add_link(actor_of(*w.agent), viewer_of(*w.agent), w.t.number, type, other),
              w, "linking it (" + type + ") to " + other));
    linked_at_ = w.at;
    return {};
  }

  core::Status duplicate(Work& w, const Spec& s) {
    const std::string& original = numbers_.at(static_cast<size_t>(s.related));
    YW_TRY(take(w, std::max(kMinute, (s.link_at - w.at) / 2)));
    std::string text = w.en ? "Hi, this is the same fault as " + original +
                                  ", which we are already working on; we'll keep you posted there."
                            : "您好，该问题与 " + original +
                                  " 为同一故障，已合并到原工单跟进，处理进展会同步给您。";
    YW_TRY(comment(w, std::max(kMinute, (s.link_at - w.at) / 2), *w.agent, text, true));
    YW_TRY(link(w, s.link_at, "duplicate_of", original));
    YW_TRY(resolve(w, minutes(1, 5), "duplicate", "与 " + original + " 重复，在原工单处理。"));
    if (s.target == Target::kClosed) return close(w);
    return {};
  }

  // Declares the ticket a major incident: cadence and stakeholders.
  core::Status declare_major(Work& w, core::TimeMs delay, std::int64_t who, int cadence,
                             const std::vector<const char*>& stakeholders, const char* note) {
    YW_TRY(step(w, delay));
    YW_TRY(refresh(w));
    tickets::TicketPatch p;
    p.version = w.t.version;
    p.major = true;
    p.major_cadence_minutes = cadence;
    std::vector<std::int64_t> ids;
    for (const char* s : stakeholders) ids.push_back(user(s));
    p.major_stakeholder_ids = ids;
    p.note = note;
    YW_ASSIGN(w.t, check(tickets_.update(actor_of(who), viewer_of(who), w.t.number, p), w,
                         "declaring a major incident"));
    return {};
  }

  core::Status escalate_up(Work& w, core::TimeMs delay, std::int64_t who, const char* note) {
    tickets::EscalationRequest e;
    e.type = "hierarchical";
    e.note = note;
    YW_TRY(step(w, delay));
    YW_ASSIGN(w.t, check(tickets_.escalate(actor_of(who), viewer_of(who), w.t.number, e), w,
                         "escalating it to management"));
    return {};
  }

  core::Status mail_outage(Work& w) {
    std::int64_t lead = user("wuqiang"), dba = user("zhengyu");
    core::TimeMs t0 = w.t.created_at;
    YW_TRY(take(w, 4 * kMinute, lead));
    YW_TRY(declare_major(w, 4 * kMinute, lead, 30,
                         {"xiegang", "tangli", "hanmei", "wuqiang", "zhangwei"},
                         "多个部门同时报障，对外邮件全部受影响，启动重大事件流程。"));
    YW_TRY(start(w, kMinute));
    YW_TRY(comment(w, 3 * kMinute, lead,
                   "【进展通报 1】已确认对外邮件发送延迟，影响全公司对外邮件，内部邮件正常。"
                   "正在排查邮件网关。下次通报：30 分钟后。",
                   true));
    YW_TRY(escalate_up(w, 10 * kMinute, lead, "P1 重大事件，已通知运维管理团队。"));
    YW_TRY(
        comment(w, 8 * kMinute, dba, "网关 MQ 队列深度 21k，反垃圾扫描节点磁盘 IO 100%。", false));
    YW_TRY(step_to(w, t0 + 45 * kMinute));
    YW_TRY(comment(w, 0, lead,
                   "【进展通报 2】定位到反垃圾邮件网关队列积压约 2 万封，正在扩容扫描节点。"
                   "下次通报：30 分钟后。",
                   true));
    YW_TRY(step_to(w, t0 + 75 * kMinute));
    YW_TRY(comment(w, 0, lead,
                   "【进展通报 3】新节点已上线，队列开始消化，预计 1 小时内恢复正常。"
                   "下次通报：30 分钟后。",
                   true));
    YW_TRY(step_to(w, t0 + 105 * kMinute));
    YW_TRY(comment(w, 0, lead,
                   "【进展通报 4】积压邮件已全部投递，外部邮件收发恢复正常，继续观察 30 分钟。",
                   true));
    YW_TRY(worklog(w, 5 * kMinute, lead, 150, "组织排查，对外通报，协调扩容"));
    YW_TRY(worklog(w, 2 * kMinute, dba, 120, "网关节点扩容，队列迁移到 SSD"));
    YW_TRY(resolve(w, 30 * kMinute, "fixed",
                   "反垃圾邮件网关磁盘 IO 瓶颈导致队列积压；已扩容网关节点并将队列迁移到 SSD。"
                   "容量规划转问题管理跟踪。"));
    YW_TRY(survey_with(w, 3 * kHour, 4, "恢复得还算快，希望以后能第一时间发全员通知。"));
    return close(w);
  }

  core::Status survey_with(Work& w, core::TimeMs delay, int rating, const char* text) {
    YW_TRY(step(w, delay));
    YW_TRY(check(tickets_.answer_survey(actor_of(w.requester), viewer_of(w.requester), w.t.number,
                                        rating, text),
                 w, "answering the survey"));
    return {};
  }

  core::Status banking_outage(Work& w) {
    std::int64_t lead = user("wuqiang"), david = user("david.lin"), dba = user("zhengyu"),
                 net = user("sunhao");
    core::TimeMs t0 = w.t.created_at;
    YW_TRY(take(w, 3 * kMinute, david));
    YW_TRY(declare_major(w, 5 * kMinute, lead, 30,
                         {"xiegang", "tangli", "hanmei", "wuqiang", "lina"},
                         "网银交易大面积超时，影响对外业务，启动重大事件流程。"));
    YW_TRY(start(w, kMinute));
    YW_TRY(step_to(w, t0 + 15 * kMinute));
    YW_TRY(comment(w, 0, lead,
                   "【进展通报 1】网银交易平均响应时间由 0.8 秒升至 12 秒，约三成交易超时。"
                   "已组织应用、数据库、网络联合排查。下次通报：30 分钟后。",
                   true));
    YW_TRY(escalate_up(w, 10 * kMinute, lead,
                       "P1 重大事件，网银交易受影响，已通知运维管理团队与业务负责人。"));
    YW_TRY(
        comment(w, 12 * kMinute, dba,
                "AWR 显示 SQL_ID 7h2kq9x 执行计划 hash 变化，出现全表扫描；统计信息凌晨自动收集后"
                "执行计划变差。",
                false));
    YW_TRY(step_to(w, t0 + 45 * kMinute));
    YW_TRY(
        comment(w, 0, lead,
                "【进展通报 2】定位到核心库一条账户流水查询执行计划突变，正在评估绑定原执行计划。"
                "下次通报：30 分钟后。",
                true));
    YW_TRY(worklog(w, 5 * kMinute, net, 45, "排查网银前置机到数据库的网络链路，未见丢包和延迟"));
    YW_TRY(comment(w, 10 * kMinute, dba,
                   "已联系 Oracle 原厂开 SR 3-{no}，同步提供 AWR 与 10053 trace。", false));
    YW_TRY(step_to(w, t0 + 75 * kMinute));
    YW_TRY(comment(w, 0, lead,
                   "【进展通报 3】已对相关 SQL 绑定原执行计划，超时比例降至 5%，继续观察。"
                   "下次通报：30 分钟后。",
                   true));
    YW_TRY(worklog(w, 10 * kMinute, david, 90, "应用侧连接池与超时参数核查，交易链路跟踪"));
    YW_TRY(step_to(w, t0 + 105 * kMinute));
    YW_TRY(comment(
        w, 0, lead,
        "【进展通报 4】部分交易仍偶发超时，正在分析锁等待与 redo 切换频率。下次通报：30 分钟后。",
        true));
    YW_TRY(worklog(w, 5 * kMinute, dba, 100, "分析锁等待与 redo 日志切换"));
    YW_TRY(step_to(w, t0 + 135 * kMinute));
    YW_TRY(comment(w, 0, lead,
                   "【进展通报 5】已扩大 redo 日志组并清理长事务，近 15 分钟超时比例 1% 以下，"
                   "继续观察至业务高峰结束。下次通报：30 分钟后。",
                   true));
    return {};
  }

  core::Status switch_outage(Work& w) {
    std::int64_t lead = user("lina");
    YW_TRY(take(w, 3 * kMinute));
    YW_TRY(declare_major(w, 5 * kMinute, lead, 60, {"xiegang", "tangli", "lina", "zhangwei"},
                         "5 楼整层断网，启动重大事件流程。"));
    YW_TRY(start(w, kMinute));
    YW_TRY(comment(w, 5 * kMinute, *w.agent,
                   "CS-02 第 3 槽板卡离线，已尝试切换到备用上联，5 楼仍中断。", false));
    YW_TRY(comment(w, 10 * kMinute, lead,
                   "【进展通报 1】核心交换机板卡故障导致 5 楼网络中断，正在联系原厂。"
                   "期间 5 楼同事请到 4 楼共享办公区办公。下次通报：1 小时后。",
                   true));
    tickets::TransitionRequest r;
    r.to = "pending";
    r.pending_reason = "awaiting_vendor";
    YW_TRY(comment(w, 20 * kMinute, *w.agent, "已向原厂报修，服务单号 SR{no}，备件约 2 小时送达。",
                   false));
    YW_TRY(move(w, kMinute, *w.agent, r));
    YW_TRY(comment(w, 40 * kMinute, lead,
                   "【进展通报 2】原厂备件约 1 小时后送达，工程师已在路上。下次通报：1 小时后。",
                   true));
    YW_TRY(comment(w, 70 * kMinute, *w.agent, "原厂工程师已到场，开始更换板卡。", true));
    YW_TRY(start(w, kMinute));
    YW_TRY(worklog(w, 40 * kMinute, *w.agent, 180, "故障定位、配合原厂更换板卡、恢复配置"));
    YW_TRY(
        comment(w, 5 * kMinute, lead, "【进展通报 3】板卡已更换，5 楼网络恢复，继续观察。", true));
    YW_TRY(
        resolve(w, 20 * kMinute, "fixed",
                "更换核心交换机 CS-02 故障板卡并恢复配置，5 楼网络恢复；故障板卡已送原厂分析。"));
    return {};
  }

  // A user's ticket about a major incident, up to its link to it.
  core::Status child_start(Work& w, const Spec& s) {
    const std::string& parent = numbers_.at(static_cast<size_t>(s.related));
    YW_TRY(take(w, std::max(kMinute, (s.link_at - w.at) / 2)));
    YW_TRY(link(w, s.link_at, "child_of", parent));
    std::string text = w.en ? "Hi, this is caused by the major incident " + parent +
                                  ". Engineers are on it; we'll update you as soon as it's fixed."
                            : "您好，该问题由重大事件 " + parent +
                                  " 引起，工程师正在全力处理，恢复后会第一时间通知您。";
    YW_TRY(comment(w, minutes(1, 5), *w.agent, text, true));
    if (s.major != 2 || rng_.percent(50)) {
      YW_TRY(start(w, minutes(1, 5)));
    } else {
      YW_TRY(triage(w, minutes(1, 5)));  // waits for the major incident, no longer untriaged
    }
    return {};
  }

  // The rest of it, once the major incident is over (the open one's children wait).
  core::Status child_finish(Work& w, const Spec& s) {
    if (s.major == 2) return {};
    const std::string& parent = numbers_.at(static_cast<size_t>(s.related));
    core::TimeMs parent_resolved = resolved_.at(static_cast<size_t>(s.related));
    core::TimeMs when = std::max(w.at + kMinute, parent_resolved + minutes(5, 30));
    std::string notes = "随重大事件 " + parent + " 一并解决。";
    YW_TRY(resolve(w, when - w.at, "fixed", notes));
    if (w.business && rng_.percent(60)) YW_TRY(survey(w, minutes(30, 600), rng_.percent(30)));
    if (s.major == 3) return {};
    return close(w);
  }

  static constexpr int kEveryday = 462;

  core::TimeMs now_;
  core::FakeClock clock_;
  tickets::TicketService tickets_;
  tickets::DispatchService dispatch_;
  tickets::CategoryService categories_;
  tickets::TicketConfig config_;
  identity::UserService users_;
  identity::TeamService teams_;
  Rng rng_;
  std::map<std::string, std::int64_t> user_ids_;
  std::set<std::int64_t> agents_, staff_;
  std::vector<std::string> business_, english_;
  std::map<std::string, std::int64_t> team_ids_;
  std::map<std::int64_t, std::vector<std::int64_t>> team_agents_;
  std::map<std::string, std::int64_t> category_ids_;
  const DemoEstate& estate_;
  int auto_close_days_ = 7;
  std::vector<Spec> specs_;
  std::vector<std::vector<size_t>> related_;  // per spec: the specs linking to it, by time
  std::map<size_t, Work> children_;           // major incidents' children waiting for the end
  core::TimeMs linked_at_ = 0;                // when the last link was made
  core::TimeMs link_floor_ = 0;               // a link comes after this time
  bool joining_ = false;                      // playing a ticket that links to another
  std::vector<std::string> numbers_;          // per spec, once created
  std::vector<core::TimeMs> resolved_;        // per spec: when it was resolved (0: not yet)
  int created_ = 0;
};

// Gives the demo accounts in `usernames` that have no password yet the shared demo password:
// hashed once (argon2id costs ~200 ms per hash at the interactive cost), set in one statement,
// audited per user as a password change is ("user.password", before/after snapshots).
core::Status set_demo_password(store::Database& db, const core::Clock& clock,
                               const identity::PasswordHasher& hasher, const std::string& password,
                               const std::vector<std::string>& usernames) {
  if (usernames.empty()) return {};
  YW_ASSIGN(std::string hash, hasher.hash(password));
  store::Actor actor{std::nullopt, "demo"};
  return db.write([&](store::Tx& tx) -> core::Status {
    std::string in;
    store::Params names;
    for (const std::string& u : usernames) {
      in += in.empty() ? "?" : ", ?";
      names.push_back(u);
    }
    auto rows = tx.query(
        "SELECT id FROM users WHERE password_hash IS NULL AND username IN (" + in + ") ORDER BY id",
        names);
    if (!rows.ok()) return std::move(rows).error();
    std::vector<identity::User> before;
    for (const store::Row& r : *rows) {
      YW_ASSIGN(identity::User u, identity::load_user(tx, r.i64(0)));
      before.push_back(std::move(u));
    }
    if (before.empty()) return {};
    core::TimeMs now = clock.now_ms();
    store::Params params = {hash, now};
    params.insert(params.end(), names.begin(), names.end());
    auto n = tx.exec(
        "UPDATE users SET password_hash = ?, updated_at = ?, version = version + 1"
        " WHERE password_hash IS NULL AND username IN (" +
            in + ")",
        params);
    if (!n.ok()) return std::move(n).error();
    for (const identity::User& b : before) {
      YW_ASSIGN(identity::User after, identity::load_user(tx, b.id));
      auto ev = store::append_event(tx, actor, now, "user.password", "user", b.id,
                                    identity::user_snapshot(b), identity::user_snapshot(after));
      if (!ev.ok()) return std::move(ev).error();
    }
    return {};
  });
}

core::Result<std::int64_t> last_outbox_id(store::Database& db) {
  return store::read_tx<std::int64_t>(db, [](store::Tx& tx) -> core::Result<std::int64_t> {
    auto row = tx.query_row("SELECT COALESCE(MAX(id), 0) FROM outbox");
    if (!row.ok()) return std::move(row).error();
    return (*row)->i64(0);
  });
}

// The notifications the demo's history queued (assignments, surveys, escalations, major
// incidents of the past 90 days) are not to be delivered: marked dead ("pending | sent | dead",
// store/outbox.h). Only the demo's own rows: queued after `after_id`, on a ticket topic, at a
// time of the played history (before `now`); a live server's messages keep their status. One
// audit event ("outbox.discard") says how many.
core::Status discard_demo_notifications(store::Database& db, std::int64_t after_id,
                                        core::TimeMs now) {
  return db.write([&](store::Tx& tx) -> core::Status {
    auto n = tx.exec(
        "UPDATE outbox SET status = 'dead', last_error = 'demo history, not delivered'"
        " WHERE id > ? AND status = 'pending' AND topic LIKE 'ticket.%' AND created_at < ?",
        {after_id, now});
    if (!n.ok()) return std::move(n).error();
    if (*n == 0) return {};
    std::string after = R"({"topic":"ticket.*","messages":)" + std::to_string(*n) +
                        R"(,"status":"dead","reason":"demo history, not delivered"})";
    auto ev = store::append_event(tx, store::Actor{std::nullopt, "demo"}, now, "outbox.discard",
                                  "outbox", std::nullopt, "", after);
    if (!ev.ok()) return std::move(ev).error();
    return {};
  });
}

}  // namespace

core::Result<DemoSummary> load_demo_people(store::Database& db, const core::Clock& clock,
                                           const identity::PasswordHasher& hasher,
                                           const std::string& password) {
  YW_TRY(identity::check_password_policy(password, "password"));
  store::Actor actor{std::nullopt, "demo"};
  identity::UserService users(db, clock, hasher);
  identity::TeamService teams(db, clock);
  YW_TRY(teams.seed_default_teams(actor));

  DemoSummary summary;
  summary.password = password;
  std::map<std::string, std::vector<std::int64_t>> members;
  std::map<std::string, std::int64_t> leads;
  std::vector<std::string> without_password;  // created now, or left so by an interrupted run
  for (const Person& p : people()) {
    YW_ASSIGN(auto existing, users.find_by_username(p.username));
    std::int64_t id;
    if (existing) {
      id = existing->id;
      ++summary.users_existing;
      if (!existing->has_password) without_password.push_back(p.username);
    } else {
      // Created without a password: hashing is the slow part (~200 ms each at the interactive
      // cost), so the shared password is hashed once below.
      identity::NewUser n;
      n.username = p.username;
      n.display_name = p.display_name;
      n.email = std::string(p.username) + "@demo.yunwei.example";
      n.phone =
          "+86 138 0000 " + std::to_string(1000 + summary.users_created + summary.users_existing);
      n.locale = p.locale;
      n.roles = p.roles;
      YW_ASSIGN(identity::User u, users.create(actor, n));
      id = u.id;
      ++summary.users_created;
      without_password.push_back(p.username);
    }
    if (*p.team) {
      members[p.team].push_back(id);
      if (p.lead) leads[p.team] = id;
    }
  }
  YW_TRY(set_demo_password(db, clock, hasher, password, without_password));
  // Memberships and leads, merged into what the teams already have.
  identity::TeamQuery q;
  q.limit = 100;
  YW_ASSIGN(auto page, teams.list(q));
  for (const identity::Team& t : page.items) {
    auto it = members.find(t.name);
    if (it == members.end()) continue;
    identity::TeamPatch patch;
    patch.version = t.version;
    std::vector<std::int64_t> ids = t.member_ids;
    ids.insert(ids.end(), it->second.begin(), it->second.end());
    patch.member_ids = ids;
    if (!t.lead_id && leads.count(t.name))
      patch.lead_id = std::optional<std::int64_t>(leads[t.name]);
    YW_TRY(teams.update(actor, t.id, patch));
  }
  return summary;
}

core::Result<DemoSummary> load_demo(store::Database& db, const core::Clock& clock,
                                    const identity::PasswordHasher& hasher,
                                    const std::string& password) {
  core::TimeMs now = clock.now_ms();
  // The people joined before the tickets below: their accounts are older than 90 days.
  core::FakeClock joined(now - 120 * kDay);
  YW_ASSIGN(DemoSummary summary, load_demo_people(db, joined, hasher, password));
  YW_ASSIGN(std::int64_t outbox_before, last_outbox_id(db));
  // The CMDB estate is older than the tickets that refer to it.
  YW_ASSIGN(DemoEstate estate, load_demo_estate(db, now - 100 * kDay));
  summary.cis_created = estate.cis_created;
  ServiceDesk desk(db, now, hasher, estate);
  YW_ASSIGN(summary.tickets_created, desk.load());
  YW_ASSIGN(DemoChangeSummary changes, load_demo_changes(db, now, estate));
  summary.changes_created = changes.changes;
  summary.tickets_created += changes.incidents;
  summary.problems_created = changes.problems;
  YW_TRY(discard_demo_notifications(db, outbox_before, now));
  return summary;
}

}  // namespace yunwei::app
