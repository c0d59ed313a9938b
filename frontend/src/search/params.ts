/**
 * The whole search lives in the URL (q, kind, direction, commune, radius, from, to, page, and
 * category), so a search can be shared and the back button restores the previous one.
 * Anything unreadable in the URL is dropped rather than sent to the API.
 */
import type { LocationQuery, LocationQueryRaw } from 'vue-router'
import type { Direction, ListingKind, SearchInput } from '@/gql/graphql'

export const KINDS: readonly ListingKind[] = ['EQUIPMENT', 'PREMISES', 'SKILL', 'MATERIAL']
export const DIRECTIONS: readonly Direction[] = ['OFFER', 'REQUEST']
export const RADII: readonly number[] = [5, 10, 25, 50, 100, 200, 500, 1000]
export const DEFAULT_RADIUS = 25
export const MAX_RADIUS = 1000
export const PAGE_SIZE = 20

export interface SearchParams {
  q: string
  kind: ListingKind | null
  direction: Direction | null
  /** An INSEE code as picked in the autocomplete (a name or postcode also works). */
  commune: string | null
  radius: number
  from: string | null
  to: string | null
  page: number
  category: string | null
}

function one(value: LocationQuery[string] | undefined): string | null {
  const first = Array.isArray(value) ? value[0] : value
  return typeof first === 'string' && first.trim() !== '' ? first.trim() : null
}

function oneOf<T extends string>(value: string | null, allowed: readonly T[]): T | null {
  return value !== null && (allowed as readonly string[]).includes(value) ? (value as T) : null
}

function day(value: string | null): string | null {
  return value !== null && /^\d{4}-\d{2}-\d{2}$/.test(value) ? value : null
}

export function fromQuery(query: LocationQuery): SearchParams {
  const radius = Number(one(query.radius))
  const page = Number(one(query.page))
  return {
    q: (one(query.q) ?? '').slice(0, 500),
    kind: oneOf(one(query.kind), KINDS),
    direction: oneOf(one(query.direction), DIRECTIONS),
    commune: one(query.commune)?.slice(0, 100) ?? null,
    radius: radius > 0 && radius <= MAX_RADIUS ? radius : DEFAULT_RADIUS,
    from: day(one(query.from)),
    to: day(one(query.to)),
    page: Number.isInteger(page) && page >= 1 && page <= 500 ? page : 1,
    category: one(query.category)?.slice(0, 100) ?? null,
  }
}

/** The URL query of a search: only what differs from the defaults. */
export function toQuery(params: SearchParams): LocationQueryRaw {
  const query: LocationQueryRaw = {}
  if (params.q) query.q = params.q
  if (params.kind) query.kind = params.kind
  if (params.direction) query.direction = params.direction
  if (params.category) query.category = params.category
  if (params.commune) {
    query.commune = params.commune
    if (params.radius !== DEFAULT_RADIUS) query.radius = String(params.radius)
  }
  if (params.from) query.from = params.from
  if (params.to) query.to = params.to
  if (params.page > 1) query.page = String(params.page)
  return query
}

/**
 * The API's cursors are opaque to clients in principle; a search cursor is the offset of the
 * page (`offset:<n>` as a global id), which lets the URL say `page=3` and a shared link open
 * that page directly instead of walking the pages before it.
 */
function offsetCursor(offset: number): string {
  return btoa(`offset:${offset}`).replace(/\+/g, '-').replace(/\//g, '_')
}

export function toInput(params: SearchParams): SearchInput {
  const input: SearchInput = { text: params.q, first: PAGE_SIZE }
  if (params.kind) input.kinds = [params.kind]
  if (params.direction) input.direction = params.direction
  if (params.category) input.categories = [params.category]
  if (params.commune) {
    input.commune = params.commune
    input.radiusKm = params.radius
  }
  if (params.from) input.availableFrom = params.from
  if (params.to) input.availableUntil = params.to
  if (params.page > 1) input.after = offsetCursor((params.page - 1) * PAGE_SIZE)
  return input
}
