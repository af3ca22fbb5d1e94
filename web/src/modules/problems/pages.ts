// The problems module behind one lazy chunk (see ../lazyModule.ts): its messages and its pages.
import en from './locales/en'
import zhCN from './locales/zh-CN'

export default {
  messages: { en, 'zh-CN': zhCN },
  pages: {
    ProblemListPage: () => import('./ProblemListPage.vue'),
    ProblemPage: () => import('./ProblemPage.vue'),
    KnownErrorsPage: () => import('./KnownErrorsPage.vue'),
    CandidatesPage: () => import('./CandidatesPage.vue'),
    KnownErrorPanel: () => import('./KnownErrorPanel.vue'),
  },
}
