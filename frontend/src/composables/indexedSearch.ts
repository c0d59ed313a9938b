/**
 * One search page's query loop, shared by the listing search and the places directory: run the
 * query whenever the URL's filters change (cancelling the one in flight), say when the API's index
 * is still catching up and ask again until it has, and turn a failure into what the page shows.
 */
import { onBeforeUnmount, ref, shallowRef, watch, type Ref, type ShallowRef } from 'vue'
import { ApiError, NetworkError, SEARCH_UNAVAILABLE } from '@/api'

export type SearchFailure =
  | { kind: 'unavailable' | 'network' }
  | { kind: 'invalid' | 'refused'; message: string }

/** What one run of the query gives: the page's result, and whether the index is catching up. */
export interface SearchAnswer<T> {
  result: T
  indexing: boolean
}

export interface IndexedSearch<T> {
  result: ShallowRef<T | null>
  failure: Ref<SearchFailure | null>
  loading: Ref<boolean>
  /** The API says its index is catching up (after a start or a bulk load): the page says so. */
  indexing: Ref<boolean>
  /** Run the query again now (the page's "try again"). */
  run: () => Promise<void>
}

const INDEXING_RETRY_MS = 1500

/**
 * `key` names the filters (a change runs the query again); `fetch` runs it; `invalidField` words
 * a refusal that names one of the page's fields (null: the API's own message); `onResult` runs
 * after each new result.
 */
export function useIndexedSearch<T>(options: {
  key: () => string
  fetch: (signal: AbortSignal) => Promise<SearchAnswer<T>>
  invalidField: (field: string | undefined) => string | null
  onResult?: () => void
}): IndexedSearch<T> {
  const result = shallowRef<T | null>(null)
  const failure = ref<SearchFailure | null>(null)
  const loading = ref(false)
  const indexing = ref(false)
  let controller: AbortController | null = null
  let retry: ReturnType<typeof setTimeout> | undefined

  async function run(): Promise<void> {
    clearTimeout(retry)
    controller?.abort()
    const mine = (controller = new AbortController())
    loading.value = true
    failure.value = null
    try {
      const answer = await options.fetch(mine.signal)
      result.value = answer.result
      indexing.value = answer.indexing
      if (indexing.value) retry = setTimeout(run, INDEXING_RETRY_MS)
      options.onResult?.()
    } catch (error) {
      if (mine.signal.aborted) return
      result.value = null
      failure.value = describe(error)
    } finally {
      if (!mine.signal.aborted) loading.value = false
    }
  }

  function describe(error: unknown): SearchFailure {
    if (error instanceof ApiError && error.refused) return { kind: 'refused', message: error.message }
    if (error instanceof ApiError && error.code !== SEARCH_UNAVAILABLE) {
      const message = options.invalidField(error.errors[0]?.extensions?.field as string | undefined)
      if (message) return { kind: 'invalid', message }
      if (error.code === 'BAD_USER_INPUT') return { kind: 'invalid', message: error.message }
    }
    if (error instanceof NetworkError) return { kind: 'network' }
    return { kind: 'unavailable' }
  }

  watch(options.key, run, { immediate: true })
  onBeforeUnmount(() => {
    clearTimeout(retry)
    controller?.abort()
  })
  return { result, failure, loading, indexing, run }
}
