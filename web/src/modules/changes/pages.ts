// The changes module behind one lazy chunk (see ../lazyModule.ts): its messages and its pages,
// workspace and portal.
import en from './locales/en'
import zhCN from './locales/zh-CN'

export default {
  messages: { en, 'zh-CN': zhCN },
  pages: {
    ChangeListPage: () => import('./ChangeListPage.vue'),
    NewChangePage: () => import('./NewChangePage.vue'),
    CalendarPage: () => import('./CalendarPage.vue'),
    ChangePage: () => import('./ChangePage.vue'),
    InboxPage: () => import('./InboxPage.vue'),
    FreezeWindowsPage: () => import('./admin/FreezeWindowsPage.vue'),
    MaintenanceWindowsPage: () => import('./admin/MaintenanceWindowsPage.vue'),
    TemplatesPage: () => import('./admin/TemplatesPage.vue'),
    SettingsPage: () => import('./admin/SettingsPage.vue'),
    CatalogPage: () => import('./portal/CatalogPage.vue'),
    RequestPage: () => import('./portal/RequestPage.vue'),
  },
}
