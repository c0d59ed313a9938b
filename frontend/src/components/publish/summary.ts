/** The error summary's items: each of the API's messages with the label of the input it is about. */
import { i18n } from '@/i18n'
import type { SummaryItem } from './ErrorSummary.vue'
import type { PlacedErrors } from './model'

/** The i18n key of each input's label. */
const LABELS: Record<string, string> = {
  'pub-direction-OFFER': 'publish.errors.fieldNames.direction',
  'pub-kind-EQUIPMENT': 'publish.errors.fieldNames.kind',
  'pub-title': 'publish.common.titleLabel',
  'pub-description': 'publish.common.description',
  'pub-category': 'publish.common.category',
  'pub-tags': 'publish.common.tags',
  'pub-from': 'publish.common.from',
  'pub-until': 'publish.common.until',
  'pub-terms': 'publish.common.terms',
  'pub-price': 'publish.common.price',
  'pub-visibility': 'publish.common.visibility',
  'pub-space': 'publish.location.space',
  'pub-commune': 'publish.location.commune',
  'pub-address': 'publish.location.address',
  'pub-eq-brand': 'publish.details.brand',
  'pub-eq-model': 'publish.details.model',
  'pub-eq-class': 'publish.details.machineClass',
  'pub-eq-training': 'publish.details.trainingRequired',
  'pub-eq-quantity': 'publish.details.equipmentQuantity',
  'pub-eq-classes': 'publish.training.classes',
  'pub-eq-rule-SAME_NETWORK': 'publish.training.rule',
  'pub-eq-labs': 'publish.training.labs',
  'pub-pr-surface': 'publish.details.surface',
  'pub-pr-capacity': 'publish.details.capacity',
  'pub-pr-accessible': 'publish.details.accessible',
  'pub-pr-notes': 'publish.details.accessibilityNotes',
  'pub-pr-erp': 'publish.details.erpCategory',
  'pub-pr-rooms': 'publish.details.rooms',
  'pub-sk-level': 'publish.details.level',
  'pub-sk-format': 'publish.details.format',
  'pub-sk-hours': 'publish.details.hours',
  'pub-ma-quantity': 'publish.details.materialQuantity',
  'pub-ma-unit': 'publish.details.unit',
  'pub-ma-condition': 'publish.details.condition',
  'pub-ma-weight': 'publish.details.unitWeight',
  'pub-ma-pickup': 'publish.details.pickup',
}

function labelFor(inputId: string | null, field: string): string {
  const t = i18n.global.t
  if (inputId?.startsWith('pub-details-')) return t('publish.errors.fieldNames.details')
  const key = inputId ? LABELS[inputId] : undefined
  if (key) return t(key)
  if (['latitude', 'longitude', 'lat', 'lon'].includes(field)) return t('publish.errors.fieldNames.location')
  return field || t('publish.errors.general')
}

export function summaryItems(errors: PlacedErrors | null): SummaryItem[] {
  return (errors?.all ?? []).map(({ inputId, field, message }) => ({
    inputId,
    label: labelFor(inputId, field),
    message,
  }))
}
