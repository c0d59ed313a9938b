/**
 * The one i18n layer: French by default, English available, the choice kept in localStorage.
 *
 * Messages live in `locales/fr.json` (common) and `locales/fr/<area>.json` (one per area), English likewise under `en`, loaded on demand, compiled at build time by @intlify/unplugin-vue-i18n, so
 * only vue-i18n's runtime ships. The French file is the schema: every key is type-checked.
 */
import { createI18n } from 'vue-i18n'
import frCommon from './locales/fr.json'
// One file per area of the app, so that each page's texts live (and change) on their own.
import frListing from './locales/fr/listing.json'
import frPublish from './locales/fr/publish.json'
import frExchanges from './locales/fr/exchanges.json'
import frPlaces from './locales/fr/places.json'
import frAlerts from './locales/fr/alerts.json'
import frErrors from './locales/fr/errors.json'
import frPhotos from './locales/fr/photos.json'
import frClaims from './locales/fr/claims.json'
import frNetwork from './locales/fr/network.json'
import frDirectory from './locales/fr/directory.json'
import frTerritory from './locales/fr/territory.json'
import frTrainings from './locales/fr/trainings.json'
import frAgreements from './locales/fr/agreements.json'

const fr = {
  ...frCommon,
  listing: frListing,
  publish: frPublish,
  exchanges: frExchanges,
  places: frPlaces,
  alerts: frAlerts,
  // The API's errors, one sentence per code (`apiErrors.ts`).
  errors: frErrors,
  photos: frPhotos,
  claims: frClaims,
  network: frNetwork,
  directory: frDirectory,
  territory: frTerritory,
  trainings: frTrainings,
  agreements: frAgreements,
}
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
  locale: 'fr',
  fallbackLocale: 'fr',
  // English arrives on demand (`english.ts`): only French ships with the first load.
  messages: { fr } as Record<Locale, MessageSchema>,
})

let english: Promise<void> | null = null

function loadEnglish(): Promise<void> {
  english ??= import('./english').then(({ default: messages }) => {
    i18n.global.setLocaleMessage('en', messages)
  })
  return english
}

export function currentLocale(): Locale {
  return i18n.global.locale.value
}

export async function setLocale(locale: Locale): Promise<void> {
  if (locale === 'en') await loadEnglish()
  i18n.global.locale.value = locale
  document.documentElement.lang = locale
  try {
    localStorage.setItem(STORAGE_KEY, locale)
  } catch {
    // the choice simply is not remembered
  }
}

/** Call once at start-up: the remembered language (loading English if that is the choice). */
export async function applyDocumentLocale(): Promise<void> {
  const remembered = storedLocale()
  if (remembered !== 'fr') await setLocale(remembered)
  document.documentElement.lang = currentLocale()
}

export { formatDate, formatDateTime, formatNumber, formatDistance } from './format'
