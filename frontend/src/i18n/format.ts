/** Dates, numbers and distances per the current locale, with `Intl` (formatters are cached). */
import { i18n } from './index'

const cache = new Map<string, Intl.NumberFormat | Intl.DateTimeFormat>()

function locale(): string {
  return i18n.global.locale.value === 'en' ? 'en-GB' : 'fr-FR'
}

function numberFormat(options: Intl.NumberFormatOptions): Intl.NumberFormat {
  const key = `n|${locale()}|${JSON.stringify(options)}`
  let format = cache.get(key)
  if (!format) {
    format = new Intl.NumberFormat(locale(), options)
    cache.set(key, format)
  }
  return format as Intl.NumberFormat
}

function dateFormat(options: Intl.DateTimeFormatOptions): Intl.DateTimeFormat {
  const key = `d|${locale()}|${JSON.stringify(options)}`
  let format = cache.get(key)
  if (!format) {
    format = new Intl.DateTimeFormat(locale(), options)
    cache.set(key, format)
  }
  return format as Intl.DateTimeFormat
}

export function formatNumber(value: number, options: Intl.NumberFormatOptions = {}): string {
  return numberFormat(options).format(value)
}

/**
 * A `Date` scalar (`2026-03-01`) or a `DateTime` (`2026-03-01T09:00:00+00:00`).
 * A bare day is read and shown in UTC, so it never slips to the day before.
 */
export function formatDate(value: string, options: Intl.DateTimeFormatOptions = {}): string {
  const dayOnly = /^\d{4}-\d{2}-\d{2}$/.test(value)
  const date = new Date(dayOnly ? `${value}T00:00:00Z` : value)
  if (Number.isNaN(date.getTime())) return value
  return dateFormat({
    dateStyle: 'long',
    ...(dayOnly ? { timeZone: 'UTC' } : {}),
    ...options,
  }).format(date)
}

export function formatDateTime(value: string): string {
  return formatDate(value, { dateStyle: 'medium', timeStyle: 'short' })
}

/** 850 m under a kilometre, 4,2 km under ten, 37 km beyond. */
export function formatDistance(km: number): string {
  if (km < 1) {
    const metres = Math.max(10, Math.round((km * 1000) / 10) * 10)
    return numberFormat({ style: 'unit', unit: 'meter', unitDisplay: 'short' }).format(metres)
  }
  return numberFormat({
    style: 'unit',
    unit: 'kilometer',
    unitDisplay: 'short',
    maximumFractionDigits: km < 10 ? 1 : 0,
  }).format(km)
}
