import { watchEffect } from 'vue'
import { useI18n } from 'vue-i18n'

/** Keeps `document.title` as "<page> · Entrelieux", in the current language. */
export function usePageTitle(title: () => string): void {
  const { t } = useI18n()
  watchEffect(() => {
    const page = title()
    document.title = page ? `${page} · ${t('app.name')}` : t('app.name')
  })
}
