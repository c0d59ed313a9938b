/**
 * The places directory lives in the URL, as the listing search does (search/params.ts): text,
 * typology, where (commune, EPCI, department, region), around a commune within a radius, claimed
 * or not, and the page. A shared link opens the same places; the back button the previous ones.
 * Anything unreadable in the URL is dropped rather than sent to the API.
 */
import type { LocationQuery, LocationQueryRaw } from 'vue-router'
import type { SpaceFilter, Typology } from '@/gql/graphql'
import { DEFAULT_RADIUS, MAX_RADIUS } from '@/search/params'
import { DEPARTMENTS, REGIONS } from './territories'

export const TYPOLOGIES: readonly Typology[] = [
  'COWORKING',
  'FABLAB',
  'MAKERSPACE',
  'HACKERSPACE',
  'LIVING_LAB',
  'RESSOURCERIE',
  'TIERS_LIEU_RURAL',
  'TELECENTRE',
  'ESPACE_NUMERIQUE',
  'PEPINIERE',
  'PUBLIC_BUILDING',
  'OTHER',
]
export const CLAIMED = ['yes', 'no'] as const
export type Claimed = (typeof CLAIMED)[number]
export const PLACES_PAGE_SIZE = 20

export interface PlacesParams {
  q: string
  typology: Typology | null
  /** In this commune: an INSEE code. */
  commune: string | null
  /** In this intercommunality: a SIREN. */
  epci: string | null
  department: string | null
  region: string | null
  /** Around this commune (a code as picked, or a name or postcode as typed). */
  near: string | null
  radius: number
  claimed: Claimed | null
  page: number
}

function one(value: LocationQuery[string] | undefined): string | null {
  const first = Array.isArray(value) ? value[0] : value
  return typeof first === 'string' && first.trim() !== '' ? first.trim() : null
}

function oneOf<T extends string>(value: string | null, allowed: readonly T[]): T | null {
  return value !== null && (allowed as readonly string[]).includes(value) ? (value as T) : null
}

function matching(value: string | null, pattern: RegExp): string | null {
  return value !== null && pattern.test(value) ? value : null
}

export function fromQuery(query: LocationQuery): PlacesParams {
  const radius = Number(one(query.radius))
  const page = Number(one(query.page))
  const department = one(query.department)
  const region = one(query.region)
  return {
    q: (one(query.q) ?? '').slice(0, 200),
    typology: oneOf(one(query.typology), TYPOLOGIES),
    commune: matching(one(query.commune), /^[0-9][0-9AB][0-9]{3}$/),
    epci: matching(one(query.epci), /^[0-9]{9}$/),
    department: DEPARTMENTS.some((d) => d.code === department) ? department : null,
    region: REGIONS.some((r) => r.code === region) ? region : null,
    near: one(query.near)?.slice(0, 100) ?? null,
    radius: radius > 0 && radius <= MAX_RADIUS ? radius : DEFAULT_RADIUS,
    claimed: oneOf(one(query.claimed), CLAIMED),
    page: Number.isInteger(page) && page >= 1 && page <= 250 ? page : 1,
  }
}

/** The URL query of the directory: only what differs from the defaults. */
export function toQuery(params: PlacesParams): LocationQueryRaw {
  const query: LocationQueryRaw = {}
  if (params.q) query.q = params.q
  if (params.typology) query.typology = params.typology
  if (params.commune) query.commune = params.commune
  if (params.epci) query.epci = params.epci
  if (params.department) query.department = params.department
  if (params.region) query.region = params.region
  if (params.near) {
    query.near = params.near
    if (params.radius !== DEFAULT_RADIUS) query.radius = String(params.radius)
  }
  if (params.claimed) query.claimed = params.claimed
  if (params.page > 1) query.page = String(params.page)
  return query
}

/** A page's cursor: the API takes an offset cursor on both of its paths (see search/params.ts). */
function offsetCursor(offset: number): string {
  return btoa(`offset:${offset}`).replace(/\+/g, '-').replace(/\//g, '_')
}

export function toVariables(params: PlacesParams): { filter: SpaceFilter; first: number; after: string | null } {
  const filter: SpaceFilter = {}
  if (params.q) filter.text = params.q
  if (params.typology) filter.typology = params.typology
  if (params.commune) filter.communeInsee = params.commune
  if (params.epci) filter.epci = params.epci
  if (params.department) filter.department = params.department
  if (params.region) filter.region = params.region
  if (params.near) {
    filter.nearCommune = params.near
    filter.radiusKm = params.radius
  }
  if (params.claimed) filter.claimed = params.claimed === 'yes'
  const after = params.page > 1 ? offsetCursor((params.page - 1) * PLACES_PAGE_SIZE) : null
  return { filter, first: PLACES_PAGE_SIZE, after }
}

/** Whether any filter is set (the empty state offers to clear them). */
export function isFiltered(params: PlacesParams): boolean {
  return Object.keys(toQuery({ ...params, page: 1 })).length > 0
}
