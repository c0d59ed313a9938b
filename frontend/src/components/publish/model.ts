/**
 * The publish/edit form's state, how it becomes the API's input (`ListingPublishInput`,
 * `ListingUpdateInput` with only what changed), how an `InputError`'s field paths map to the
 * form's inputs, and the copy of the form kept in sessionStorage so that nothing typed is lost
 * (a refused submit, a session that expired and the round trip through sign-in).
 */
import type {
  Direction,
  EquipmentDetailsInput,
  ListingDetailsInput,
  ListingKind,
  ListingPublishInput,
  ListingUpdateInput,
  MaterialCondition,
  SkillFormat,
  SkillLevel,
  Terms,
  TrainingRule,
  Visibility,
} from '@/gql/graphql'
import type { EditableListing } from './documents'

export const KINDS: readonly ListingKind[] = ['EQUIPMENT', 'PREMISES', 'SKILL', 'MATERIAL']
export const DIRECTIONS: readonly Direction[] = ['OFFER', 'REQUEST']
export const TERMS: readonly Terms[] = ['LOAN', 'RENT', 'DONATION', 'EXCHANGE', 'TEMPORARY_OCCUPATION']
export const VISIBILITIES: readonly Visibility[] = ['PUBLIC', 'NETWORK', 'PRIVATE']
export const LEVELS: readonly SkillLevel[] = ['BEGINNER', 'INTERMEDIATE', 'EXPERT']
export const FORMATS: readonly SkillFormat[] = ['ON_SITE', 'REMOTE', 'HYBRID']
export const CONDITIONS: readonly MaterialCondition[] = ['NEW', 'GOOD', 'USED', 'TO_REPAIR']
export const UNITS = ['unit', 'kg', 'm2', 'm3', 'ml', 'l'] as const

/** What a number input holds: Vue's v-model gives a number, or '' when empty or not a number. */
export type NumberText = number | string

export interface ListingFormState {
  direction: Direction | ''
  kind: ListingKind | ''
  title: string
  description: string
  category: string
  tags: string
  availableFrom: string
  availableUntil: string
  terms: Terms | ''
  price: NumberText
  visibility: Visibility
  locationMode: 'space' | 'commune'
  spaceId: string
  communeText: string
  /** The INSEE code of the commune picked among the suggestions, if one was. */
  communeCode: string
  address: string
  equipment: {
    brand: string
    model: string
    machineClass: string
    trainingRequired: boolean
    quantity: NumberText
    /** Machine classes a borrower must be trained on (when `trainingRequired`). */
    requiredTrainings: string[]
    /** Whose trainings count; '' until chosen (the API then takes SAME_NETWORK). */
    trainingRule: TrainingRule | ''
    /** The labs whose trainings count, for LISTED_LABS (ids and names, to show them). */
    trainingLabs: { id: string; name: string }[]
  }
  premises: {
    surfaceM2: NumberText
    capacity: NumberText
    accessible: '' | 'yes' | 'no'
    accessibilityNotes: string
    erpCategory: string
    rooms: NumberText
  }
  skill: { level: SkillLevel | ''; format: SkillFormat | ''; hours: NumberText }
  material: {
    quantity: NumberText
    unit: string
    condition: MaterialCondition | ''
    unitWeightKg: NumberText
    pickup: string
  }
}

export function emptyForm(): ListingFormState {
  return {
    direction: 'OFFER',
    kind: '',
    title: '',
    description: '',
    category: '',
    tags: '',
    availableFrom: '',
    availableUntil: '',
    terms: '',
    price: '',
    visibility: 'PUBLIC',
    locationMode: 'commune',
    spaceId: '',
    communeText: '',
    communeCode: '',
    address: '',
    equipment: {
      brand: '',
      model: '',
      machineClass: '',
      trainingRequired: false,
      quantity: 1,
      requiredTrainings: [],
      trainingRule: '',
      trainingLabs: [],
    },
    premises: { surfaceM2: '', capacity: '', accessible: '', accessibilityNotes: '', erpCategory: '', rooms: '' },
    skill: { level: '', format: '', hours: '' },
    material: { quantity: '', unit: 'unit', condition: '', unitWeightKg: '', pickup: '' },
  }
}

// ---- values for the API

function text(value: string): string | null {
  const trimmed = value.trim()
  return trimmed === '' ? null : trimmed
}

function num(value: NumberText): number | null {
  if (value === '' || value === null || value === undefined) return null
  const n = typeof value === 'number' ? value : Number(String(value).replace(',', '.'))
  return Number.isFinite(n) ? n : null
}

/** Int inputs: a decimal typed by mistake is sent as is and the API refuses it. */
const int = num

function compact<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== null && v !== undefined)) as T
}

export function tagsOf(form: ListingFormState): string[] {
  return form.tags
    .split(',')
    .map((tag) => tag.trim())
    .filter(Boolean)
}

/**
 * What an equipment asks of its borrowers: the classes, and whose trainings count. Without a
 * class, no training is required (the API's rule: `trainingRequired` iff classes are given; a
 * box ticked with no class chosen is sent as such and the API names `details.requiredTrainings`).
 */
function trainingOf(e: ListingFormState['equipment']): Partial<EquipmentDetailsInput> {
  if (!e.trainingRequired) return { trainingRequired: false, requiredTrainings: [], trainingRule: null, trainingLabIds: [] }
  const rule = e.trainingRule || null
  return {
    trainingRequired: true,
    requiredTrainings: [...e.requiredTrainings],
    trainingRule: rule,
    trainingLabIds: rule === 'LISTED_LABS' ? e.trainingLabs.map((lab) => lab.id) : [],
  }
}

/** The details of the chosen kind; a material may come without a quantity (a request may leave
 * it open; for an offer the API names `details.quantity`). */
export function detailsOf(form: ListingFormState): ListingDetailsInput | null {
  switch (form.kind) {
    case 'EQUIPMENT': {
      const e = form.equipment
      return {
        equipment: compact({
          brand: text(e.brand),
          model: text(e.model),
          machineClass: text(e.machineClass),
          ...trainingOf(e),
          quantity: int(e.quantity) ?? undefined,
        }),
      }
    }
    case 'PREMISES': {
      const p = form.premises
      return {
        premises: compact({
          surfaceM2: num(p.surfaceM2),
          capacity: int(p.capacity),
          accessible: p.accessible === '' ? null : p.accessible === 'yes',
          accessibilityNotes: text(p.accessibilityNotes),
          erpCategory: p.erpCategory === '' ? null : Number(p.erpCategory),
          rooms: int(p.rooms),
        }),
      }
    }
    case 'SKILL': {
      const s = form.skill
      return { skill: compact({ level: s.level || null, format: s.format || null, hours: num(s.hours) }) }
    }
    case 'MATERIAL': {
      const m = form.material
      return {
        material: compact({
          quantity: num(m.quantity),
          unit: text(m.unit) ?? 'unit',
          condition: m.condition || null,
          unitWeightKg: num(m.unitWeightKg),
          pickup: text(m.pickup),
        }),
      }
    }
    default:
      return null
  }
}

function priceOf(form: ListingFormState): string | null {
  const n = num(form.price)
  return n === null ? null : String(n)
}

function communeOf(form: ListingFormState): string | null {
  return form.communeCode || text(form.communeText)
}

export function toPublishInput(form: ListingFormState, draft: boolean): ListingPublishInput {
  const atSpace = form.locationMode === 'space'
  return {
    // Both are chosen before the rest of the form shows; the API checks them anyway.
    direction: (form.direction || 'OFFER') as Direction,
    kind: (form.kind || 'EQUIPMENT') as ListingKind,
    title: form.title,
    description: form.description,
    category: form.category || null,
    tags: tagsOf(form),
    spaceId: atSpace ? form.spaceId || null : null,
    commune: atSpace ? null : communeOf(form),
    address: form.address.trim(),
    availableFrom: form.availableFrom || null,
    availableUntil: form.availableUntil || null,
    terms: form.terms || null,
    priceEur: priceOf(form),
    visibility: form.visibility,
    draft,
    details: detailsOf(form),
  }
}

/** Only what changed between `before` (the listing as loaded) and `after` (the form). */
export function toUpdateInput(before: ListingFormState, after: ListingFormState): ListingUpdateInput {
  const input: ListingUpdateInput = {}
  const changed = (a: unknown, b: unknown) => JSON.stringify(a) !== JSON.stringify(b)
  if (after.title !== before.title) input.title = after.title
  if (after.description !== before.description) input.description = after.description
  if (after.category !== before.category) input.category = after.category || null
  if (changed(tagsOf(after), tagsOf(before))) input.tags = tagsOf(after)
  if (after.availableFrom !== before.availableFrom) input.availableFrom = after.availableFrom || null
  if (after.availableUntil !== before.availableUntil) input.availableUntil = after.availableUntil || null
  if (after.terms !== before.terms) input.terms = after.terms || null
  if (priceOf(after) !== priceOf(before)) input.priceEur = priceOf(after)
  if (after.visibility !== before.visibility) input.visibility = after.visibility
  if (after.address.trim() !== before.address.trim()) input.address = after.address.trim()
  const locationChanged =
    after.locationMode !== before.locationMode ||
    (after.locationMode === 'space'
      ? after.spaceId !== before.spaceId
      : communeOf(after) !== communeOf(before))
  if (locationChanged) {
    if (after.locationMode === 'space') {
      input.spaceId = after.spaceId || null
    } else {
      input.spaceId = null
      input.commune = communeOf(after)
    }
  }
  const details = detailsOf(after)
  if (changed(details, detailsOf(before))) {
    input.details = details
  }
  return input
}

// ---- the API's field paths → the form's inputs

/** The id of the input that shows a field's errors (and gets the focus from the summary). */
export function inputIdFor(field: string, kind: ListingKind | ''): string | null {
  const top: Record<string, string> = {
    direction: 'pub-direction-OFFER',
    kind: 'pub-kind-EQUIPMENT',
    title: 'pub-title',
    description: 'pub-description',
    category: 'pub-category',
    tags: 'pub-tags',
    availableFrom: 'pub-from',
    availableUntil: 'pub-until',
    terms: 'pub-terms',
    priceEur: 'pub-price',
    visibility: 'pub-visibility',
    spaceId: 'pub-space',
    commune: 'pub-commune',
    address: 'pub-address',
  }
  const head = field.split('.')[0] ?? field
  if (field.startsWith('details.')) {
    const name = field.split('.').filter((part) => !['equipment', 'premises', 'skill', 'material'].includes(part))[1]
    const ids = kind ? DETAIL_IDS[kind] : {}
    return (name && ids[name]) || null
  }
  if (head === 'details') return kind ? `pub-details-${kind}` : null
  if (head === 'tags') return top.tags ?? null
  return top[field] ?? null
}

const DETAIL_IDS: Record<ListingKind, Record<string, string>> = {
  EQUIPMENT: {
    brand: 'pub-eq-brand',
    model: 'pub-eq-model',
    machineClass: 'pub-eq-class',
    trainingRequired: 'pub-eq-training',
    quantity: 'pub-eq-quantity',
    requiredTrainings: 'pub-eq-classes',
    trainingRule: 'pub-eq-rule-SAME_NETWORK',
    trainingLabIds: 'pub-eq-labs',
  },
  PREMISES: {
    surfaceM2: 'pub-pr-surface',
    capacity: 'pub-pr-capacity',
    accessible: 'pub-pr-accessible',
    accessibilityNotes: 'pub-pr-notes',
    erpCategory: 'pub-pr-erp',
    rooms: 'pub-pr-rooms',
  },
  SKILL: { level: 'pub-sk-level', format: 'pub-sk-format', hours: 'pub-sk-hours' },
  MATERIAL: {
    quantity: 'pub-ma-quantity',
    unit: 'pub-ma-unit',
    condition: 'pub-ma-condition',
    unitWeightKg: 'pub-ma-weight',
    pickup: 'pub-ma-pickup',
  },
}

export interface FieldMessage {
  field: string
  message: string
}

/** Errors placed by input id; those without an input go to the summary only. */
export interface PlacedErrors {
  byInput: Record<string, string[]>
  /** In the order given, for the summary: each with the input it links to, if any. */
  all: { inputId: string | null; field: string; message: string }[]
}

export function placeErrors(fields: readonly FieldMessage[], kind: ListingKind | ''): PlacedErrors {
  const placed: PlacedErrors = { byInput: {}, all: [] }
  for (const { field, message } of fields) {
    const inputId = inputIdFor(field, kind)
    if (inputId) (placed.byInput[inputId] ??= []).push(message)
    placed.all.push({ inputId, field, message })
  }
  return placed
}

// ---- the copy kept in sessionStorage

export function loadSaved(key: string): ListingFormState | null {
  try {
    const raw = sessionStorage.getItem(key)
    if (!raw) return null
    const saved = JSON.parse(raw) as Partial<ListingFormState>
    const base = emptyForm()
    // Merge over an empty form, so a copy saved by an older version still has every field.
    return {
      ...base,
      ...saved,
      equipment: { ...base.equipment, ...saved.equipment },
      premises: { ...base.premises, ...saved.premises },
      skill: { ...base.skill, ...saved.skill },
      material: { ...base.material, ...saved.material },
    }
  } catch {
    return null
  }
}

export function save(key: string, form: ListingFormState): void {
  try {
    sessionStorage.setItem(key, JSON.stringify(form))
  } catch {
    // storage full or blocked: the form itself still holds everything
  }
}

export function forget(key: string): void {
  try {
    sessionStorage.removeItem(key)
  } catch {
    // nothing to forget
  }
}

export const PUBLISH_DRAFT_KEY = 'entrelieux:publish-form'
export const editDraftKey = (id: string) => `entrelieux:edit-form:${id}`

/** The form as the listing stands, for the edit page (and the base of its changes). */
export function fromListing(listing: EditableListing): ListingFormState {
  const form = emptyForm()
  form.direction = listing.direction
  form.kind = listing.kind
  form.title = listing.title
  form.description = listing.description
  form.category = listing.category ?? ''
  form.tags = listing.tags.join(', ')
  form.availableFrom = listing.availableFrom ?? ''
  form.availableUntil = listing.availableUntil ?? ''
  form.terms = listing.terms ?? ''
  form.price = listing.priceEur == null ? '' : Number(listing.priceEur)
  form.visibility = listing.visibility
  form.address = listing.address
  if (listing.space) {
    form.locationMode = 'space'
    form.spaceId = listing.space.id
  } else {
    form.locationMode = 'commune'
    form.communeCode = listing.location.communeInsee ?? ''
    form.communeText = listing.location.communeName ?? listing.location.communeInsee ?? ''
  }
  const d = listing.details
  const orEmpty = (v: number | null | undefined): NumberText => (v == null ? '' : v)
  switch (d.__typename) {
    case 'EquipmentDetails':
      form.equipment = {
        brand: d.brand ?? '',
        model: d.model ?? '',
        machineClass: d.machineClass ?? '',
        trainingRequired: d.trainingRequired,
        quantity: d.units,
        requiredTrainings: [...d.requiredTrainings],
        trainingRule: d.trainingRule ?? '',
        trainingLabs: d.trainingLabs.map((lab) => ({ id: lab.id, name: lab.name })),
      }
      break
    case 'PremisesDetails':
      form.premises = {
        surfaceM2: orEmpty(d.surfaceM2),
        capacity: orEmpty(d.capacity),
        accessible: d.accessible == null ? '' : d.accessible ? 'yes' : 'no',
        accessibilityNotes: d.accessibilityNotes ?? '',
        erpCategory: d.erpCategory == null ? '' : String(d.erpCategory),
        rooms: orEmpty(d.rooms),
      }
      break
    case 'SkillDetails':
      form.skill = { level: d.level ?? '', format: d.format ?? '', hours: orEmpty(d.hours) }
      break
    case 'MaterialDetails':
      form.material = {
        quantity: d.quantity,
        unit: d.unit,
        condition: d.condition ?? '',
        unitWeightKg: orEmpty(d.unitWeightKg),
        pickup: d.pickup ?? '',
      }
      break
  }
  return form
}
