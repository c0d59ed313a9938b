/** What the publish and edit pages show when the API refuses or cannot be reached. */
import { ApiError, NetworkError, UNAUTHENTICATED } from '@/api'
import type { Failure, Problem } from '@/composables/useMutation'
import { i18n } from '@/i18n'
import { placeErrors, type FieldMessage, type ListingFormState, type PlacedErrors } from './model'

export interface Refusal {
  errors: PlacedErrors | null
  general: string | null
}

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

export function refusalOf(problem: Problem, form: ListingFormState): Refusal {
  const t = i18n.global.t
  switch (problem.type) {
    case 'InputError': {
      const fields = [...problem.fields, ...clientProblems(form, problem.fields)]
      return {
        errors: placeErrors(fields, form.kind),
        general: fields.length ? null : problem.message,
      }
    }
    case 'ConflictError':
      return { errors: null, general: t('publish.errors.conflict', { message: problem.message }) }
    case 'NotFoundError':
      return { errors: null, general: t('publish.errors.notFound', { message: problem.message }) }
    default: // a thrown error, worded by publishFailure
      return { errors: null, general: problem.message }
  }
}

/** A thrown error; null for an expired session (the app already sends the person to sign in). */
export const publishFailure: Failure = (error) => {
  const t = i18n.global.t
  if (error instanceof ApiError) {
    if (error.code === UNAUTHENTICATED) return null
    return t('publish.errors.failed', { message: error.message })
  }
  if (error instanceof NetworkError) return t('publish.errors.network')
  return t('publish.errors.failed', { message: String(error) })
}
