/** The impact figures' measures and how each is written, per locale. */
import { formatDate, formatNumber } from '@/i18n'

export const MEASURES = [
  'exchangesCompleted',
  'kgReused',
  'kmBetweenPlaces',
  'skillHours',
  'equipmentDays',
  'premisesDays',
] as const
export type Measure = (typeof MEASURES)[number]

const UNITS: Record<Measure, string | null> = {
  exchangesCompleted: null,
  kgReused: 'kilogram',
  kmBetweenPlaces: 'kilometer',
  skillHours: 'hour',
  equipmentDays: 'day',
  premisesDays: 'day',
}

/** "1 234 kg", "12,5 h", "3 jours"; `long` spells the unit out. */
export function formatMeasure(measure: Measure, value: number, display: 'short' | 'long' = 'short'): string {
  const unit = UNITS[measure]
  const digits = value !== 0 && Math.abs(value) < 10 ? 1 : 0
  if (!unit) return formatNumber(value, { maximumFractionDigits: 0 })
  return formatNumber(value, {
    style: 'unit',
    unit,
    unitDisplay: unit === 'day' || unit === 'hour' ? 'long' : display,
    maximumFractionDigits: digits,
  })
}

/** "mars 2026" from "2026-03"; `short`: "mars 26". */
export function formatMonth(month: string, short = false): string {
  return formatDate(`${month}-01`, {
    dateStyle: undefined,
    month: short ? 'short' : 'long',
    year: short ? '2-digit' : 'numeric',
  })
}
