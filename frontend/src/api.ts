/**
 * The typed client of the Entrelieux API: every operation is a `graphql(...)` document that
 * codegen types from `schema/schema.graphql` (see src/gql/, generated).
 *
 * Errors, as thrown by `request`:
 *
 *   Error
 *    ├── NetworkError   the request did not get a usable answer (offline, 5xx, not JSON)
 *    └── ApiError       the API answered with top-level GraphQL errors; `code` is the first
 *                       error's `extensions.code` (UNAUTHENTICATED, SEARCH_UNAVAILABLE, ...)
 *
 * Expected, user-fixable errors are not thrown: they are members of each mutation's result union.
 *
 * A built document carries its id (`__meta__.hash`, `sha256:<hex>` of its text, vite.config.ts):
 * it is posted as `{documentId, operationName, variables}`, the server's trusted document
 * (schema/trusted_documents.py), skipping parsing and validation there. A server that does not
 * know the id (another build's) answers PERSISTED_DOCUMENT_NOT_FOUND, and the text is sent once.
 */
import type { TypedDocumentString } from './gql/graphql'
import { errorText, translateErrors } from './i18n/apiErrors'
import { i18n } from './i18n'

export interface GraphQLErrorItem {
  message: string
  path?: readonly (string | number)[]
  extensions?: Record<string, unknown>
}

export class NetworkError extends Error {
  override name = 'NetworkError'
  constructor(
    message: string,
    readonly status?: number,
  ) {
    super(message)
  }
}

/** The refusals of a whole request (a spent budget, a deadline, a document too heavy). */
const REFUSALS = ['RATE_LIMITED', 'TIMEOUT', 'QUERY_TOO_COSTLY'] as const
type Refusal = (typeof REFUSALS)[number]

/** A top-level error's message, in the reader's language when it gives its `reason` code. */
function worded(error: GraphQLErrorItem): string {
  const { code, reason, retryAfter } = error.extensions ?? {}
  if (REFUSALS.includes(code as Refusal)) {
    return i18n.global.t(`refused.${code as Refusal}`, { seconds: Number(retryAfter ?? 1) })
  }
  return typeof reason === 'string' ? errorText(reason, null, error.message) : error.message
}

export class ApiError extends Error {
  override name = 'ApiError'
  readonly code: string | undefined
  /** The catalogue's code of the first error (`extensions.reason`: `NOT_A_MEMBER`…), if given. */
  readonly reason: string | undefined
  /** The whole request was refused (RATE_LIMITED, TIMEOUT, QUERY_TOO_COSTLY): try again later. */
  readonly refused: boolean
  constructor(readonly errors: readonly GraphQLErrorItem[]) {
    super(errors.map(worded).join('; ') || 'GraphQL error')
    const { code, reason } = errors[0]?.extensions ?? {}
    this.code = typeof code === 'string' ? code : undefined
    this.reason = typeof reason === 'string' ? reason : undefined
    this.refused = REFUSALS.includes(this.code as Refusal)
  }
}

export const UNAUTHENTICATED = 'UNAUTHENTICATED'
export const SEARCH_UNAVAILABLE = 'SEARCH_UNAVAILABLE'

// Set once by main.ts: where to send a person whose session expired (sign-in, then back here).
let onUnauthenticated: (() => void) | null = null

export function handleUnauthenticated(handler: () => void): void {
  onUnauthenticated = handler
}

export interface RequestOptions {
  signal?: AbortSignal
  /** Leave an UNAUTHENTICATED error to the caller instead of sending the person to sign in. */
  quietUnauthenticated?: boolean
}

export const PERSISTED_DOCUMENT_NOT_FOUND = 'PERSISTED_DOCUMENT_NOT_FOUND'

type Document = { toString(): string; __meta__?: Record<string, unknown> }

function documentId(document: Document): string | undefined {
  const id = document.__meta__?.hash
  return typeof id === 'string' ? id : undefined
}

const OPERATION = /^\s*(?:query|mutation|subscription)\s+(\w+)/

/** The body of a request: by id when the document has one (and `byId`), else its text. */
function requestBody(document: Document, variables: unknown, byId: boolean): Record<string, unknown> {
  const text = document.toString()
  const id = byId ? documentId(document) : undefined
  if (id === undefined) return { query: text, variables: variables ?? {} }
  return { documentId: id, operationName: OPERATION.exec(text)?.[1], variables: variables ?? {} }
}

export async function request<TResult, TVariables>(
  document: TypedDocumentString<TResult, TVariables>,
  // Operations without variables may be called with none.
  ...[variables, options]: TVariables extends Record<string, never>
    ? [variables?: TVariables, options?: RequestOptions]
    : [variables: TVariables, options?: RequestOptions]
): Promise<TResult> {
  const byId = documentId(document) !== undefined
  let response = await post(requestBody(document, variables, byId), options)
  if (byId && response.status === 400) {
    const refusal = (await response.clone().json().catch(() => null)) as {
      errors?: GraphQLErrorItem[]
    } | null
    if (refusal?.errors?.[0]?.extensions?.code === PERSISTED_DOCUMENT_NOT_FOUND) {
      response = await post(requestBody(document, variables, false), options)
    }
  }
  // A 504 past the operation's deadline says so in JSON (TIMEOUT); other 5xx are the network's.
  if (response.status >= 500 && response.status !== 504) {
    throw new NetworkError(`The API answered ${response.status}`, response.status)
  }
  let body: { data?: TResult | null; errors?: GraphQLErrorItem[] }
  try {
    body = (await response.json()) as typeof body
  } catch {
    throw new NetworkError(`The API answered ${response.status} without JSON`, response.status)
  }
  if (body.errors?.length) {
    const error = new ApiError(body.errors)
    if (error.code === UNAUTHENTICATED && !options?.quietUnauthenticated) onUnauthenticated?.()
    throw error
  }
  if (body.data == null) {
    throw new NetworkError(`The API answered ${response.status} without data`, response.status)
  }
  translateErrors(body.data)
  return body.data
}

async function post(payload: Record<string, unknown>, options?: RequestOptions): Promise<Response> {
  try {
    return await fetch('/graphql', {
      method: 'POST',
      credentials: 'same-origin',
      headers: { 'content-type': 'application/json', accept: 'application/json' },
      body: JSON.stringify(payload),
      signal: options?.signal,
    })
  } catch (error) {
    if (error instanceof DOMException && error.name === 'AbortError') throw error
    throw new NetworkError(error instanceof Error ? error.message : String(error))
  }
}

type Client = import('graphql-ws').Client
let client: Promise<Client> | null = null

function wsClient(): Promise<Client> {
  // graphql-ws is loaded on first use only: anonymous visitors never download it.
  client ??= import('graphql-ws').then(({ createClient }) => {
    const scheme = location.protocol === 'https:' ? 'wss:' : 'ws:'
    return createClient({
      url: `${scheme}//${location.host}/graphql`,
      lazy: true,
      retryAttempts: Infinity,
      shouldRetry: () => true,
    })
  })
  return client
}

/**
 * Listen to a subscription over graphql-ws (the session cookie authenticates the socket).
 * Returns a function that stops listening.
 */
export function subscribe<TResult, TVariables>(
  document: TypedDocumentString<TResult, TVariables>,
  variables: TVariables,
  onData: (data: TResult) => void,
  onError?: (error: unknown) => void,
): () => void {
  let stop: (() => void) | null = null
  let stopped = false
  void wsClient().then((ws) => {
    if (stopped) return
    // The text and, when built, the id: a server under TRUSTED_DOCUMENTS=browsers wants the id.
    const payload = { query: document.toString(), documentId: documentId(document) }
    stop = ws.subscribe<TResult>(
      { ...payload, variables: (variables ?? {}) as Record<string, unknown> },
      {
        next: (result) => {
          if (result.errors?.length) onError?.(new ApiError(result.errors as GraphQLErrorItem[]))
          else if (result.data) onData(result.data)
        },
        error: (error) => onError?.(error),
        complete: () => undefined,
      },
    )
  }, onError)
  return () => {
    stopped = true
    stop?.()
  }
}
