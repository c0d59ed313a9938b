import type { ComposerTranslation } from 'vue-i18n'
import { formatNumber } from '@/i18n'

const KNOWN = ['unit', 'kg', 't', 'm', 'm2', 'm3', 'ml', 'l'] as const
type Known = (typeof KNOWN)[number]

/** "14 unités", "3,5 m²", "120 kg": a material's quantity with its unit, per locale. */
export function quantityText(t: ComposerTranslation, n: number, unit: string | null | undefined): string {
  const code = (unit ?? 'unit').toLowerCase()
  const count = n === 1 ? 1 : 2
  if ((KNOWN as readonly string[]).includes(code)) {
    return t(`listing.material.units.${code as Known}`, { n: formatNumber(n) }, count)
  }
  return t('listing.material.units.other', { n: formatNumber(n), unit: unit ?? '' })
}
