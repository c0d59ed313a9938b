/**
 * The API's expected errors in the reader's language, by their code (docs/ERRORS.md), never by
 * their English message: every error object of an answer (a result union's `…Error` member, each
 * of its `fields[]`) and a top-level error's `extensions.reason`.
 *
 * The sentences are `locales/<lang>/errors.json`, one per value of the SDL's `…ErrorCode` enums
 * (`src/gql/enums.ts`, generated); a code without its sentence, or a sentence of a code that is
 * gone, fails the type check below. A code this build does not know yet (a newer API) keeps the
 * API's own message. `{value}` is the error's `value`: a date or a number is shown as the locale
 * writes it, and a number also picks the sentence's plural form (`caractère | caractères`).
 */
import type * as Enums from '@/gql/enums'
import { formatDate, formatNumber, i18n, type MessageSchema } from './index'

type CodeEnum = Extract<keyof typeof Enums, `${string}ErrorCode`>
export type ApiErrorCode = { [E in CodeEnum]: (typeof Enums)[E][keyof (typeof Enums)[E]] }[CodeEnum]

type Untranslated = Exclude<ApiErrorCode, keyof MessageSchema['errors']>
type Stale = Exclude<keyof MessageSchema['errors'], ApiErrorCode>
// If this line fails, the type named is the code (or codes) to add to, or drop from, errors.json.
const everyCodeTranslated: [Untranslated | Stale] extends [never] ? true : Untranslated | Stale = true
void everyCodeTranslated

function isKnown(code: string): code is ApiErrorCode {
  return i18n.global.te(`errors.${code}`, 'fr')
}

const NUMBER = /^-?\d+(\.\d+)?$/
const DAY_OR_TIME = /^\d{4}-\d{2}-\d{2}(T.*)?$/

function shown(value: string | null | undefined): string {
  if (value == null) return ''
  if (DAY_OR_TIME.test(value)) return formatDate(value)
  if (NUMBER.test(value)) return formatNumber(Number(value))
  return value
}

/** The sentence for `code`, with its `value`; `message` (the API's English) for an unknown code. */
export function errorText(code: string, value: string | null | undefined, message: string): string {
  if (!isKnown(code)) return message
  const named = { value: shown(value) }
  if (value != null && NUMBER.test(value)) return i18n.global.t(`errors.${code}`, named, Number(value))
  return i18n.global.t(`errors.${code}`, named)
}

/**
 * Translate, in place, the `message` of every error object of a GraphQL answer: one with a
 * `code` and a `message`, that is a result union's error member (its `__typename` ends in
 * `Error`) or a `fields[]` entry. Documents select them with the `Problem` fragment.
 */
export function translateErrors(value: unknown): void {
  if (Array.isArray(value)) {
    for (const item of value) translateErrors(item)
    return
  }
  if (value === null || typeof value !== 'object') return
  const record = value as Record<string, unknown>
  const typename = record.__typename
  const isError = (typeof typename === 'string' && typename.endsWith('Error')) || 'field' in record
  if (isError && typeof record.code === 'string' && typeof record.message === 'string') {
    const given = record.value
    record.message = errorText(record.code, typeof given === 'string' ? given : null, record.message)
  }
  for (const child of Object.values(record)) {
    if (child !== null && typeof child === 'object') translateErrors(child)
  }
}
