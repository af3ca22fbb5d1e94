import { createApp } from 'vue'
import { createPinia } from 'pinia'
import App from './App.vue'
import { i18n, applyLocale, currentLocale } from './i18n'
import { createAppRouter } from './router'
import { onUnauthorized } from './api/client'
import { useSessionStore } from './stores/session'
import './styles/global.css'

const app = createApp(App)
const pinia = createPinia()
app.use(pinia)
app.use(i18n)
const router = createAppRouter()
app.use(router)
applyLocale(currentLocale())

// A 401 from any call: the session is gone; log in again and come back here.
let redirecting = false
onUnauthorized(() => {
  const session = useSessionStore(pinia)
  session.clear()
  const current = router.currentRoute.value
  if (redirecting || current.name === 'login') return
  redirecting = true
  const redirect = current.fullPath && current.fullPath !== '/' ? { redirect: current.fullPath } : {}
  router.replace({ path: '/login', query: redirect }).finally(() => {
    redirecting = false
  })
})

app.mount('#app')
