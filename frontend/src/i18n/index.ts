/**
 * The one i18n layer: French by default, English available, the choice kept in localStorage.
 *
 * Messages live in `locales/*.json`, compiled at build time by @intlify/unplugin-vue-i18n, so
 * only vue-i18n's runtime ships. The French file is the schema: every key is type-checked.
 */
import { createI18n } from 'vue-i18n'
import fr from './locales/fr.json'
import en from './locales/en.json'

export type MessageSchema = typeof fr
export const LOCALES = ['fr', 'en'] as const
export type Locale = (typeof LOCALES)[number]

declare module 'vue-i18n' {
  // Makes `t('some.key')` checked against the French messages.
  // eslint-disable-next-line @typescript-eslint/no-empty-object-type
  export interface DefineLocaleMessage extends MessageSchema {}
}

const STORAGE_KEY = 'entrelieux:locale'

function isLocale(value: unknown): value is Locale {
  return typeof value === 'string' && (LOCALES as readonly string[]).includes(value)
}

function storedLocale(): Locale {
  try {
    const saved = localStorage.getItem(STORAGE_KEY)
    return isLocale(saved) ? saved : 'fr'
  } catch {
    return 'fr' // storage blocked (private mode, policy): French it is
  }
}

export const i18n = createI18n<[MessageSchema], Locale, false>({
  legacy: false,
  locale: storedLocale(),
  fallbackLocale: 'fr',
  messages: { fr, en },
})

export function currentLocale(): Locale {
  return i18n.global.locale.value
}

export function setLocale(locale: Locale): void {
  i18n.global.locale.value = locale
  document.documentElement.lang = locale
  try {
    localStorage.setItem(STORAGE_KEY, locale)
  } catch {
    // the choice simply is not remembered
  }
}

/** Call once at start-up so `<html lang>` matches the remembered choice. */
export function applyDocumentLocale(): void {
  document.documentElement.lang = currentLocale()
}

export { formatDate, formatDateTime, formatNumber, formatDistance } from './format'
