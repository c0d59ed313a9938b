/**
 * Day arithmetic for the listing page, in the browser's local time (days shown in the calendar)
 * and in Europe/Paris (the time of day sent with a requested period).
 */

/** `YYYY-MM-DD` of a local date. */
export function dayOf(date: Date): string {
  const y = date.getFullYear()
  const m = String(date.getMonth() + 1).padStart(2, '0')
  const d = String(date.getDate()).padStart(2, '0')
  return `${y}-${m}-${d}`
}

/** Local midnight of a `YYYY-MM-DD` day. */
export function parseDay(day: string): Date {
  const [y, m, d] = day.split('-').map(Number)
  return new Date(y ?? 1970, (m ?? 1) - 1, d ?? 1)
}

export function addDays(date: Date, days: number): Date {
  return new Date(date.getFullYear(), date.getMonth(), date.getDate() + days)
}

export function firstOfMonth(date: Date): Date {
  return new Date(date.getFullYear(), date.getMonth(), 1)
}

export function addMonths(date: Date, months: number): Date {
  return new Date(date.getFullYear(), date.getMonth() + months, 1)
}

/** Europe/Paris's offset from UTC, in minutes, at a given instant (60 in winter, 120 in summer). */
function parisOffsetMinutes(instant: Date): number {
  const parts = new Intl.DateTimeFormat('en-GB', {
    timeZone: 'Europe/Paris',
    hourCycle: 'h23',
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
  }).formatToParts(instant)
  const get = (type: string) => Number(parts.find((p) => p.type === type)?.value ?? 0)
  const asUtc = Date.UTC(get('year'), get('month') - 1, get('day'), get('hour'), get('minute'))
  return Math.round((asUtc - instant.getTime()) / 60000)
}

/** `+01:00` / `+02:00`: Europe/Paris's offset at an instant, as ISO 8601 writes it. */
function offsetText(instant: Date): string {
  const offset = parisOffsetMinutes(instant)
  const sign = offset >= 0 ? '+' : '-'
  const abs = Math.abs(offset)
  const hh = String(Math.floor(abs / 60)).padStart(2, '0')
  const mm = String(abs % 60).padStart(2, '0')
  return `${sign}${hh}:${mm}`
}

/**
 * A day at 09:00 Paris time, as an ISO date-time with its offset: `2027-03-01T09:00:00+01:00`.
 * (A period requested on the listing page runs from the start day 09:00 to the end day 09:00.)
 */
export function parisMorning(day: string): string {
  const [y, m, d] = day.split('-').map(Number)
  // 09:00 Paris is 07:00 or 08:00 UTC: guess 08:00 UTC, then read the offset in force then.
  return `${day}T09:00:00${offsetText(new Date(Date.UTC(y ?? 1970, (m ?? 1) - 1, d ?? 1, 8)))}`
}

/**
 * A day at 00:00 Paris time, as an ISO date-time with its offset: `2027-03-01T00:00:00+01:00`.
 * (A blocked period runs from its first day 00:00 to the day after its last day 00:00.)
 */
export function parisMidnight(day: string): string {
  const [y, m, d] = day.split('-').map(Number)
  // Paris changes its clocks at 01:00 UTC, never between its midnight and 00:00 UTC: the offset
  // in force at 00:00 UTC of the day is the one of its midnight.
  return `${day}T00:00:00${offsetText(new Date(Date.UTC(y ?? 1970, (m ?? 1) - 1, d ?? 1, 0)))}`
}

/** `YYYY-MM-DD` of the Paris day an instant falls in. */
export function parisDayOf(instant: Date): string {
  const parts = new Intl.DateTimeFormat('en-GB', {
    timeZone: 'Europe/Paris',
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
  }).formatToParts(instant)
  const get = (type: string) => parts.find((p) => p.type === type)?.value ?? '01'
  return `${get('year')}-${get('month')}-${get('day')}`
}

/** A fresh key for one submission of a form (`crypto.randomUUID` where the context allows). */
export function freshKey(): string {
  if (typeof crypto !== 'undefined' && typeof crypto.randomUUID === 'function') return crypto.randomUUID()
  const bytes = new Uint8Array(16)
  crypto.getRandomValues(bytes)
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('')
}
