// Registered modules, in no particular order (nav order comes from each entry's `order`).
// A new module adds one import here; nothing else in the shell changes.
import type { YunweiModule } from './registry'
import home from './home'
import profile from './profile'
import adminIdentity from './admin'
import tickets from './tickets'
import portalTickets from './portal-tickets'
import servicedeskAdmin from './servicedesk-admin'
import slaAdmin from './sla-admin'
import slaReports from './sla-reports'
import cmdb from './cmdb'
import problems from './problems'
import changes from './changes'
import portalChanges from './changes/portal'

export const modules: YunweiModule[] = [home, profile, adminIdentity, tickets, portalTickets, servicedeskAdmin, slaAdmin, slaReports, cmdb, problems, changes, portalChanges]
