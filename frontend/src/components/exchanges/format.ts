/**
 * Helpers shared by the exchange pages: how a period reads, and idempotency keys.
 * Periods are half-open `[startsAt, endsAt)`: a period from midnight to midnight reads as whole
 * days, its last day being the one before `endsAt`.
 */
import type { ExchangeEventKind } from '@/gql/graphql'
import { formatDate, formatDateTime } from '@/i18n'

function isLocalMidnight(date: Date): boolean {
  return date.getHours() === 0 && date.getMinutes() === 0 && date.getSeconds() === 0
}

export interface PeriodParts {
  /** One whole day: only `from` is set. */
  from: string
  to: string | null
}

export function periodParts(startsAt: string, endsAt: string): PeriodParts {
  const start = new Date(startsAt)
  const end = new Date(endsAt)
  if (Number.isNaN(start.getTime()) || Number.isNaN(end.getTime())) return { from: startsAt, to: endsAt }
  if (isLocalMidnight(start) && isLocalMidnight(end) && end > start) {
    const last = new Date(end.getFullYear(), end.getMonth(), end.getDate() - 1)
    const from = formatDate(start.toISOString())
    const to = formatDate(last.toISOString())
    return from === to ? { from, to: null } : { from, to }
  }
  return { from: formatDateTime(startsAt), to: formatDateTime(endsAt) }
}

/** `YYYY-MM-DD` of a DateTime in local time, for `<input type="date">`. */
export function localDay(value: string | null | undefined): string {
  if (!value) return ''
  const date = new Date(value)
  if (Number.isNaN(date.getTime())) return ''
  const pad = (n: number) => String(n).padStart(2, '0')
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}`
}

/** The last included day of a half-open period ending at local midnight, else its end's day. */
export function lastDay(endsAt: string | null | undefined): string {
  if (!endsAt) return ''
  const end = new Date(endsAt)
  if (Number.isNaN(end.getTime())) return ''
  if (isLocalMidnight(end)) return localDay(new Date(end.getFullYear(), end.getMonth(), end.getDate() - 1).toISOString())
  return localDay(endsAt)
}

/** Local midnight of a `YYYY-MM-DD` day, plus `days`, as an ISO DateTime (UTC offset). */
export function dayToDateTime(day: string, days = 0): string | null {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(day)
  if (!match) return null
  const date = new Date(Number(match[1]), Number(match[2]) - 1, Number(match[3]) + days)
  return Number.isNaN(date.getTime()) ? null : date.toISOString()
}

/** A fresh idempotency key (letters, digits and `-`), even where `crypto.randomUUID` is missing. */
export function newKey(): string {
  if (typeof crypto !== 'undefined' && typeof crypto.randomUUID === 'function') return crypto.randomUUID()
  const bytes = new Uint8Array(16)
  crypto.getRandomValues(bytes)
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('')
}

/** The messages of a typed error of a mutation's result union, for people. */
export function errorMessages(result: { message?: string; fields?: readonly { message: string }[] | null }): string[] {
  const fields = result.fields?.map((f) => f.message).filter(Boolean) ?? []
  return fields.length ? fields : [result.message ?? '']
}

export interface ThreadMessage {
  id: string
  body: string
  createdAt: string
  authorName?: string | null
  mine: boolean
  organization?: { id: string; name: string } | null
}

export interface HistoryEvent {
  kind: ExchangeEventKind
  note: string
  createdAt: string
  proposedStartsAt?: string | null
  proposedEndsAt?: string | null
  actorName?: string | null
  organization?: { id: string; name: string } | null
  /** An acceptance although the requester lacked a required training (recorded). */
  acceptedWithoutTraining?: boolean
}
