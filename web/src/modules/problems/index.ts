import { Aim } from '@element-plus/icons-vue'
import { defineModule, NAV_ORDER } from '../registry'
import { problemsLazy } from './lazy'

const page = problemsLazy.page

// Problem management (issue #7): problems (PRB-…) with their root cause analysis and linked
// incidents, known errors, and the queue of incidents that look like a problem. Views need
// tickets_staff (known errors and candidates changes_read); actions inside check tickets_work.
// Pages and messages are one lazy chunk (./pages.ts).
export default defineModule({
  id: 'problems',
  permission: 'tickets_staff',
  workspaceRoutes: [
    {
      path: 'problems',
      name: 'problems',
      component: page('ProblemListPage'),
      meta: { title: 'problems.list.title' },
    },
    {
      path: 'problems/:number',
      name: 'problem',
      component: page('ProblemPage'),
      meta: { title: 'problems.detail.title' },
    },
    {
      path: 'known-errors',
      name: 'known-errors',
      component: page('KnownErrorsPage'),
      meta: { title: 'problems.knownErrors.title', permission: 'changes_read' },
    },
    {
      path: 'problem-candidates',
      name: 'problem-candidates',
      component: page('CandidatesPage'),
      meta: { title: 'problems.candidates.title', permission: 'changes_read' },
    },
    // A problem's number in a ticket link (search, links, timeline) opens the problem page.
    { path: 'tickets/:number(PRB-\\d+)', redirect: (to) => `/problems/${String(to.params.number).toUpperCase()}` },
  ],
  nav: [
    {
      id: 'problems',
      label: 'itil.nav.problems',
      icon: Aim,
      order: NAV_ORDER.problems,
      children: [
        { id: 'problems.list', label: 'itil.nav.problemList', to: '/problems', order: 10 },
        { id: 'problems.known-errors', label: 'itil.nav.knownErrors', to: '/known-errors', order: 20, permission: 'changes_read' },
        { id: 'problems.candidates', label: 'itil.nav.candidates', to: '/problem-candidates', order: 30, permission: 'changes_read' },
      ],
    },
  ],
})
