/**
 * A mutation's expected failure (a member of its result union that is an `Error`), as the
 * places and organization pages show it: one sentence, plus the fields an `InputError` names.
 */
export interface Problem {
  message: string
  fields: { field: string; message: string }[]
}

interface MaybeProblem {
  __typename?: string
  message?: string
  fields?: readonly { field: string; message: string }[]
}

/** The result's problem, or null when it is a success. */
export function problemOf(result: MaybeProblem): Problem | null {
  if (typeof result.message !== 'string') return null
  return { message: result.message, fields: [...(result.fields ?? [])] }
}

/** The message an `InputError` gives for one field (`email`, `input.email`...), if any. */
export function fieldMessage(problem: Problem | null, field: string): string | null {
  const found = problem?.fields.find((f) => f.field === field || f.field.endsWith(`.${field}`))
  return found?.message ?? null
}

/** The problem's messages that are not about one of `shown` fields. */
export function otherMessages(problem: Problem | null, shown: string[]): string[] {
  if (!problem) return []
  const rest = problem.fields.filter((f) => !shown.some((s) => f.field === s || f.field.endsWith(`.${s}`)))
  if (problem.fields.length && !rest.length) return []
  return [problem.message, ...rest.map((f) => f.message)]
}
