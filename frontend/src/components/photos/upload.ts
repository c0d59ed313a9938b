/**
 * Photos sent to the API: the GraphQL multipart request spec (`operations`, `map`, then the
 * file), with the `Entrelieux-Upload` header the API asks of a cookie-authenticated upload (a
 * custom header is what a cross-site page cannot send). Checks made before sending (type, size,
 * count, alt text) only spare a useless upload: the API judges the file by its content.
 *
 * Photos chosen on the publish page wait here (`PendingPhoto`) until the listing exists.
 */
import { ApiError, NetworkError, type GraphQLErrorItem } from '@/api'
import type { TypedDocumentString } from '@/gql/graphql'
import { errorText, translateErrors } from '@/i18n/apiErrors'

export const MAX_PHOTOS = 8
export const MAX_BYTES = 10 * 1024 * 1024
export const ACCEPTED = ['image/jpeg', 'image/png', 'image/webp'] as const
export const PAYLOAD_TOO_LARGE = 'PAYLOAD_TOO_LARGE'

/** A file chosen but not sent yet, with its description and what is wrong with its file. */
export interface PendingPhoto {
  key: string
  file: File
  preview: string
  alt: string
  /** What the app saw before sending: PHOTO_FORMAT_REFUSED, PHOTO_TOO_LARGE (the API's codes). */
  problem: string | null
}

let counter = 0

export function pendingPhoto(file: File): PendingPhoto {
  const problem = !(ACCEPTED as readonly string[]).includes(file.type)
    ? 'PHOTO_FORMAT_REFUSED'
    : file.size > MAX_BYTES
      ? 'PHOTO_TOO_LARGE'
      : null
  return { key: `pending-${++counter}`, file, preview: URL.createObjectURL(file), alt: '', problem }
}

export function forgetPending(photo: PendingPhoto): void {
  URL.revokeObjectURL(photo.preview)
}

export async function upload<TResult, TVariables>(
  document: TypedDocumentString<TResult, TVariables>,
  variables: Omit<TVariables, 'file'>,
  file: File,
): Promise<TResult> {
  const body = new FormData()
  body.append('operations', JSON.stringify({ query: document.toString(), variables: { ...variables, file: null } }))
  body.append('map', JSON.stringify({ 0: ['variables.file'] }))
  body.append('0', file, file.name)
  let response: Response
  try {
    response = await fetch('/graphql', {
      method: 'POST',
      credentials: 'same-origin',
      headers: { accept: 'application/json', 'Entrelieux-Upload': '1' },
      body,
    })
  } catch (error) {
    throw new NetworkError(error instanceof Error ? error.message : String(error))
  }
  if (response.status >= 500) throw new NetworkError(`The API answered ${response.status}`, response.status)
  let answer: { data?: TResult | null; errors?: GraphQLErrorItem[] }
  try {
    answer = (await response.json()) as typeof answer
  } catch {
    throw new NetworkError(`The API answered ${response.status} without JSON`, response.status)
  }
  if (answer.errors?.length) throw new ApiError(answer.errors)
  if (answer.data == null) throw new NetworkError(`The API answered ${response.status} without data`, response.status)
  translateErrors(answer.data) // as `request` does: every error worded by its code
  return answer.data
}

/** Why a photo was refused, in words for people: the code, and its sentence. */
export interface Refusal {
  code: string
  message: string
}

type Union = { __typename: string; code?: string; message?: string; fields?: readonly { code: string; message: string }[] }

/** The refusal of a mutation's answer (already worded by `translateErrors`), or null. */
export function refusalOf(result: Union): Refusal | null {
  if (!result.__typename.endsWith('Error')) return null
  const field = result.fields?.[0]
  return field ? { code: field.code, message: field.message } : { code: result.code ?? '', message: result.message ?? '' }
}

/** A problem the app saw itself, worded as the API's code would be. */
export function refusedBefore(code: string, value: string | null = null): Refusal {
  return { code, message: errorText(code, value, code) }
}

/** A thrown error: too large for the server (`tooLarge`), an outage (`network`), or the API's
 * top-level error, worded by its reason (NOT_A_MEMBER…). */
export function thrownRefusal(error: unknown, tooLarge: string, network: string): Refusal {
  if (error instanceof ApiError && error.code === PAYLOAD_TOO_LARGE) return { code: PAYLOAD_TOO_LARGE, message: tooLarge }
  if (error instanceof ApiError) return { code: error.reason ?? error.code ?? '', message: error.message }
  return { code: 'NETWORK', message: network }
}

/** The photos the publish page could not send after publishing, for the edit page to say. */
export const unsentAfterPublish: { names: string[] } = { names: [] }
