/**
 * Who is signed in (`Query.me`, null when anonymous) and their unread notifications, kept live
 * by `Subscription.notifications`. One shared reactive state for the layout and the pages.
 */
import { reactive, readonly } from 'vue'
import { request, subscribe } from './api'
import { graphql } from './gql'
import type { NotificationsLiveSubscription, SessionQuery } from './gql/graphql'

const SessionDocument = graphql(`
  query Session {
    me {
      id
      displayName
      needsDisplayName
      actingFor {
        id
        name
      }
      territory {
        code
        name
      }
      memberships {
        role
        organization {
          id
          name
          nameConfirmed
          siret
        }
      }
    }
  }
`)

const UnreadDocument = graphql(`
  query UnreadCount {
    notifications(first: 1) {
      unreadCount
    }
  }
`)

const NotificationsLiveDocument = graphql(`
  subscription NotificationsLive {
    notifications {
      id
      kind
      title
      read
      body
      note
      createdAt
      readAt
      exchange {
        id
        startsAt
        endsAt
        quantity
        hours
      }
      listing {
        id
        title
        direction
      }
      organization {
        id
        name
      }
    }
  }
`)

export type Viewer = NonNullable<SessionQuery['me']>

interface SessionState {
  loaded: boolean
  me: Viewer | null
  unread: number
  /** The last notification that arrived live, for the layout's aria-live region. */
  latest: { id: string; title: string } | null
}

const state = reactive<SessionState>({ loaded: false, me: null, unread: 0, latest: null })
let unsubscribe: (() => void) | null = null

export const session = readonly(state)

export async function loadSession(): Promise<void> {
  try {
    const { me } = await request(SessionDocument, {}, { quietUnauthenticated: true })
    state.me = me ?? null
  } catch {
    state.me = null // the layout still renders; the pages report their own errors
  } finally {
    state.loaded = true
  }
  if (state.me) {
    await refreshUnread()
    listen()
  }
}

/** Who is signed in, read again (their organizations changed); the live stream stays open. */
export async function refreshMe(): Promise<void> {
  try {
    const { me } = await request(SessionDocument, {}, { quietUnauthenticated: true })
    state.me = me ?? null
  } catch {
    // keep what we knew
  }
}

export async function refreshUnread(): Promise<void> {
  try {
    const { notifications } = await request(UnreadDocument, {}, { quietUnauthenticated: true })
    state.unread = notifications.unreadCount
  } catch {
    // keep the last known count
  }
}

/** For pages that mark notifications read. */
export function setUnread(count: number): void {
  state.unread = Math.max(0, count)
}

export type LiveNotification = NotificationsLiveSubscription['notifications']
const listeners = new Set<(notification: LiveNotification) => void>()

/**
 * Be told of each notification as it arrives on the session's one subscription (no second
 * socket). Returns a function that stops listening; call it when the page unmounts.
 */
export function onNotification(handler: (notification: LiveNotification) => void): () => void {
  listeners.add(handler)
  return () => {
    listeners.delete(handler)
  }
}

function listen(): void {
  unsubscribe?.()
  unsubscribe = subscribe(NotificationsLiveDocument, {}, ({ notifications }) => {
    if (!notifications.read) state.unread += 1
    // The listing's own title: the stored title is a French sentence around it.
    state.latest = { id: notifications.id, title: notifications.listing?.title ?? notifications.title }
    // Accepted into an organization: what the person may do changes now, not at the next load.
    if (notifications.kind === 'MEMBERSHIP_ACCEPTED') void refreshMe()
    for (const handler of [...listeners]) {
      try {
        handler(notifications)
      } catch (error) {
        console.error(error)
      }
    }
  })
}
