import { createApp } from 'vue'
import App from './App.vue'
import { handleUnauthenticated } from './api'
import { applyDocumentLocale, i18n } from './i18n'
import { router } from './router'
import { loadSession } from './session'
import './styles/main.css'

// A session that expired mid-way: sign in again, then come back to the same page.
handleUnauthenticated(() => {
  const here = router.currentRoute.value
  if (here.name !== 'signin') void router.push({ name: 'signin', query: { next: here.fullPath } })
})

await applyDocumentLocale()
createApp(App).use(i18n).use(router).mount('#app')
void loadSession()
