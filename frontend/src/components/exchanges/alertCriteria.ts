/**
 * Alerts ↔ searches: the criteria of the search page's URL as an `AlertSearchInput`, a saved
 * search back as a search URL, and a readable summary of either (commune names and category
 * labels looked up once and cached).
 */
import { reactive } from 'vue'
import type { LocationQueryRaw } from 'vue-router'
import { request } from '@/api'
import type { AlertSearchInput, Direction, ListingKind } from '@/gql/graphql'
import { formatDate, formatDistance, i18n } from '@/i18n'
import { CategoriesDocument, CommunesDocument } from '@/search/documents'
import { DEFAULT_RADIUS, DIRECTIONS, KINDS, toQuery, type SearchParams } from '@/search/params'

export interface Criteria {
  text?: string | null
  kinds?: readonly ListingKind[] | null
  direction?: Direction | null
  categories?: readonly string[] | null
  departments?: readonly string[] | null
  regions?: readonly string[] | null
  commune?: string | null
  radiusKm?: number | null
  availableFrom?: string | null
  availableUntil?: string | null
}

export function criteriaFromParams(p: SearchParams): AlertSearchInput {
  const input: AlertSearchInput = { text: p.q }
  if (p.kind) input.kinds = [p.kind]
  if (p.direction) input.direction = p.direction
  if (p.category) input.categories = [p.category]
  if (p.commune) {
    input.commune = p.commune
    input.radiusKm = p.radius
  }
  if (p.from) input.availableFrom = p.from
  if (p.to) input.availableUntil = p.to
  return input
}

/** The search page's URL for a saved search, as far as the page can express it. */
export function searchQueryOf(c: Criteria): LocationQueryRaw {
  const first = c.kinds?.length === 1 ? c.kinds[0] : undefined
  const kind = first && KINDS.includes(first) ? first : null
  return toQuery({
    q: c.text ?? '',
    kind,
    direction: c.direction && DIRECTIONS.includes(c.direction) ? c.direction : null,
    commune: c.commune ?? null,
    radius: c.radiusKm != null && c.radiusKm > 0 ? c.radiusKm : DEFAULT_RADIUS,
    from: c.availableFrom ?? null,
    to: c.availableUntil ?? null,
    page: 1,
    category: c.categories?.length === 1 ? (c.categories[0] ?? null) : null,
  })
}

// ---- names for codes, looked up once per visit
const names = reactive<{ communes: Record<string, string>; categories: Record<string, { fr: string; en: string }> }>({
  communes: {},
  categories: {},
})
const asked = new Set<string>()
let categoriesAsked = false

export function resolveNames(c: Criteria): void {
  const commune = c.commune
  if (commune && /^\d[\dAB]\d{3}$/.test(commune) && !asked.has(commune)) {
    asked.add(commune)
    request(CommunesDocument, { text: commune, first: 5 }).then(
      ({ communes }) => {
        const found = communes.find((x) => x.code === commune)
        if (found) names.communes[commune] = found.name
      },
      () => asked.delete(commune),
    )
  }
  if (c.categories?.length && !categoriesAsked) {
    categoriesAsked = true
    request(CategoriesDocument, {}).then(
      ({ categories }) => {
        for (const cat of categories) names.categories[cat.code] = { fr: cat.labelFr, en: cat.labelEn }
      },
      () => (categoriesAsked = false),
    )
  }
}

export function communeName(commune: string): string {
  return names.communes[commune] ?? commune
}

function categoryLabel(code: string): string {
  const found = names.categories[code]
  if (!found) return code
  return i18n.global.locale.value === 'en' ? found.en : found.fr
}

/** "« imprimante » · Matériel · Offres · à 25 km de Montreuil · disponible entre ... " */
export function summarize(c: Criteria): string {
  const t = i18n.global.t
  const parts: string[] = []
  const text = c.text?.trim() ?? ''
  if (text) parts.push(t('alerts.summary.text', { text }))
  if (c.kinds?.length) parts.push(c.kinds.map((k) => t(`kind.${k}`)).join(', '))
  if (c.direction) parts.push(t(`direction.${c.direction}`))
  if (c.categories?.length) parts.push(t('alerts.summary.categories', { list: c.categories.map(categoryLabel).join(', ') }))
  if (c.commune) {
    const commune = communeName(c.commune)
    parts.push(
      c.radiusKm != null
        ? t('alerts.summary.near', { radius: formatDistance(c.radiusKm), commune })
        : t('alerts.summary.nearDefault', { commune }),
    )
  }
  if (c.departments?.length) parts.push(t('alerts.summary.departments', { list: c.departments.join(', ') }))
  if (c.regions?.length) parts.push(t('alerts.summary.regions', { list: c.regions.join(', ') }))
  if (c.availableFrom && c.availableUntil)
    parts.push(t('alerts.summary.between', { from: formatDate(c.availableFrom), to: formatDate(c.availableUntil) }))
  else if (c.availableFrom) parts.push(t('alerts.summary.from', { date: formatDate(c.availableFrom) }))
  else if (c.availableUntil) parts.push(t('alerts.summary.until', { date: formatDate(c.availableUntil) }))
  return parts.length ? parts.join(' · ') : t('alerts.summary.anything')
}

/** A name to start from: the words searched, else the kind, with the commune. */
export function suggestedName(c: Criteria): string {
  const t = i18n.global.t
  const head = c.text?.trim() || (c.kinds?.length ? c.kinds.map((k) => t(`kind.${k}`)).join(', ') : '')
  const where = c.commune ? communeName(c.commune) : ''
  return [head, where].filter(Boolean).join(' — ').slice(0, 100)
}
