/** What the publish and edit pages show when the API refuses or cannot be reached. */
import { ApiError, NetworkError, UNAUTHENTICATED } from '@/api'
import { i18n } from '@/i18n'
import { placeErrors, type FieldMessage, type ListingFormState, type PlacedErrors } from './model'

export interface Refusal {
  errors: PlacedErrors | null
  general: string | null
}

type ListingResultLike =
  | { __typename: 'InputError'; message: string; fields: readonly FieldMessage[] }
  | { __typename: 'NotFoundError'; message: string }
  | { __typename: 'ConflictError'; message: string }

/**
 * The end date before the start date is checked here too, without blocking anything: the API
 * stops at the first kind of problem it finds (a too-short title hides the dates' problem), so
 * the person learns about both at once. It is only added when the API did not name the field.
 */
function clientProblems(form: ListingFormState, fields: readonly FieldMessage[]): FieldMessage[] {
  const { availableFrom: from, availableUntil: until } = form
  if (from && until && until < from && !fields.some((f) => f.field === 'availableUntil')) {
    return [{ field: 'availableUntil', message: i18n.global.t('publish.errors.datesInverted') }]
  }
  return []
}

export function refusalOf(result: ListingResultLike, form: ListingFormState): Refusal {
  const t = i18n.global.t
  switch (result.__typename) {
    case 'InputError': {
      const fields = [...result.fields, ...clientProblems(form, result.fields)]
      return {
        errors: placeErrors(fields, form.kind),
        general: fields.length ? null : result.message,
      }
    }
    case 'ConflictError':
      return { errors: null, general: t('publish.errors.conflict', { message: result.message }) }
    case 'NotFoundError':
      return { errors: null, general: t('publish.errors.notFound', { message: result.message }) }
  }
}

/** A thrown error; null for an expired session (the app already sends the person to sign in). */
export function refusalOfError(error: unknown): Refusal | null {
  const t = i18n.global.t
  if (error instanceof ApiError) {
    if (error.code === UNAUTHENTICATED) return null
    return { errors: null, general: t('publish.errors.failed', { message: error.message }) }
  }
  if (error instanceof NetworkError) return { errors: null, general: t('publish.errors.network') }
  return { errors: null, general: t('publish.errors.failed', { message: String(error) }) }
}
