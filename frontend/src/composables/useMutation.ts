/**
 * The state of a mutation as a form or a button shows it: pending, refused (the top message and
 * the messages of the fields an `InputError` names), succeeded.
 *
 * Every mutation of the API answers with a result union: one success type and error types
 * (`InputError` with its `fields`, `NotFoundError`, `ConflictError`, `NotAllowedError`). A
 * document selects them all with `...Problem` (the fragment below). `run` sends the document
 * through `request`, takes the union (the document's one root field) and keeps either the success
 * or the refusal; a thrown error (network, top-level API error) becomes a refusal worded by the
 * caller's `failure`.
 *
 * The messages arrive translated: `request` (api.ts) words every error by its code
 * (`i18n/apiErrors.ts`), the one place where an API error becomes words for people. Nothing here
 * or in the pages translates them.
 *
 *   useMutation       one state: a form, or a group of buttons that share one status line
 *   useItemMutations  one state per item of a list (revoke a token, remove a member…)
 */
import { ref, type Ref } from 'vue'
import { ApiError, request } from '@/api'
import { graphql } from '@/gql'
import type { TypedDocumentString } from '@/gql/graphql'

// What every document asks of an error: its code and value (to word it), and its fields.
graphql(`
  fragment Problem on Error {
    __typename
    code
    message
    value
    ... on InputError {
      fields {
        field
        code
        message
        value
      }
    }
  }
`)

export interface FieldProblem {
  field: string
  message: string
  code?: string
}

/** A refused mutation, as the page shows it. */
export interface Problem {
  /** The result union's error type (`InputError`, `ConflictError`…); null for a thrown error. */
  type: string | null
  message: string
  fields: FieldProblem[]
  /** The error's stable code, when the document selects it. */
  code?: string
}

/** The sentence for a thrown error; null to show nothing (an expired session: the app signs in). */
export type Failure = (error: unknown) => string | null

/** The usual wording of a thrown error: the API's own message inside `failed`, else `network`. */
export function failureSaying(failed: (message: string) => string, network: () => string): Failure {
  return (error) => (error instanceof ApiError ? failed(error.message) : network())
}

// The union a mutation document answers (its one root field), split at the error types.
type Union<TData> = TData[keyof TData]
type Refusal = { __typename: `${string}Error`; message: string; fields?: readonly FieldProblem[] }
export type Success<TData> = Exclude<Union<TData>, { __typename: `${string}Error` }>

function isRefusal(result: { __typename?: string }): result is Refusal {
  return typeof result.__typename === 'string' && result.__typename.endsWith('Error')
}

function problemOf(refusal: Refusal): Problem {
  const code = (refusal as { code?: unknown }).code
  return {
    type: refusal.__typename,
    message: refusal.message,
    fields: [...(refusal.fields ?? [])],
    ...(typeof code === 'string' ? { code } : {}),
  }
}

type Outcome<TData> = { success: Success<TData> } | { problem: Problem | null }

async function attempt<TData, TVariables>(
  document: TypedDocumentString<TData, TVariables>,
  variables: TVariables,
  failure: Failure,
): Promise<Outcome<TData>> {
  // `request` spreads its arguments by whether the operation has variables; a mutation has some.
  const send = request as (d: TypedDocumentString<TData, TVariables>, v: TVariables) => Promise<TData>
  try {
    const data = await send(document, variables)
    const result = Object.values(data as object)[0] as Union<TData> & { __typename?: string }
    if (isRefusal(result)) return { problem: problemOf(result) }
    return { success: result as Success<TData> }
  } catch (error) {
    const message = failure(error)
    return { problem: message === null ? null : { type: null, message, fields: [] } }
  }
}

export interface MutationState {
  pending: Ref<boolean>
  problem: Ref<Problem | null>
  succeeded: Ref<boolean>
  /**
   * Send one mutation; its success, or null when refused (see `problem`) or already pending.
   * `then` runs before `pending` falls (a page that leaves on success stays busy until it has).
   */
  run<TData, TVariables>(
    document: TypedDocumentString<TData, TVariables>,
    variables: TVariables,
    then?: (success: Success<TData>) => unknown,
  ): Promise<Success<TData> | null>
  /** Show a problem found before sending (a date missing…), as if the API had said it. */
  refuse(message: string): void
  reset(): void
}

export function useMutation(failure: Failure): MutationState {
  const pending = ref(false)
  const problem = ref<Problem | null>(null)
  const succeeded = ref(false)

  function reset(): void {
    problem.value = null
    succeeded.value = false
  }

  async function run<TData, TVariables>(
    document: TypedDocumentString<TData, TVariables>,
    variables: TVariables,
    then?: (success: Success<TData>) => unknown,
  ): Promise<Success<TData> | null> {
    if (pending.value) return null // a double click sends once
    pending.value = true
    reset()
    try {
      const outcome = await attempt(document, variables, failure)
      if ('success' in outcome) {
        succeeded.value = true
        await then?.(outcome.success)
        return outcome.success
      }
      problem.value = outcome.problem
      return null
    } finally {
      pending.value = false
    }
  }

  function refuse(message: string): void {
    succeeded.value = false
    problem.value = { type: null, message, fields: [] }
  }

  return { pending, problem, succeeded, run, refuse, reset }
}

export interface ItemMutationState {
  /** The id of the item whose mutation is under way. */
  pending: Ref<string | null>
  problems: Ref<Record<string, Problem | null>>
  /** The list's status line: what the last action did (set by the caller on success). */
  done: Ref<string>
  run<TData, TVariables>(
    id: string,
    document: TypedDocumentString<TData, TVariables>,
    variables: TVariables,
  ): Promise<Success<TData> | null>
}

/** The actions on the items of a list: one at a time, each item's refusal shown next to it. */
export function useItemMutations(failure: Failure): ItemMutationState {
  const pending = ref<string | null>(null)
  const problems = ref<Record<string, Problem | null>>({})
  const done = ref('')

  async function run<TData, TVariables>(
    id: string,
    document: TypedDocumentString<TData, TVariables>,
    variables: TVariables,
  ): Promise<Success<TData> | null> {
    pending.value = id
    problems.value[id] = null
    done.value = ''
    try {
      const outcome = await attempt(document, variables, failure)
      if ('success' in outcome) return outcome.success
      problems.value[id] = outcome.problem
      return null
    } finally {
      pending.value = null
    }
  }

  return { pending, problems, done, run }
}

/** The message an `InputError` gives for one field (`email`, `input.email`…), if any. */
export function fieldMessage(problem: Problem | null, field: string): string | null {
  const found = problem?.fields.find((f) => f.field === field || f.field.endsWith(`.${field}`))
  return found?.message ?? null
}

/** The problem's messages that are not about one of the `shown` fields. */
export function otherMessages(problem: Problem | null, shown: readonly string[]): string[] {
  if (!problem) return []
  const rest = problem.fields.filter((f) => !shown.some((s) => f.field === s || f.field.endsWith(`.${s}`)))
  if (problem.fields.length && !rest.length) return []
  return [problem.message, ...rest.map((f) => f.message)]
}

/** The problem's messages where no field shows them: the fields' own, else the top message. */
export function problemMessages(problem: Problem | null): string[] {
  if (!problem) return []
  const fields = problem.fields.map((f) => f.message).filter(Boolean)
  return fields.length ? fields : [problem.message]
}
