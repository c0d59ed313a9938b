/** Marking a notification read, keeping the header's unread counter in step. */
import { request } from '@/api'
import { graphql } from '@/gql'
import { refreshUnread } from '@/session'

const MarkReadDocument = graphql(`
  mutation NotificationsPageMarkRead($id: ID!) {
    notificationMarkRead(id: $id) {
      __typename
      ... on NotificationMarkReadSuccess {
        notification {
          id
          read
          readAt
        }
      }
      ...Problem
    }
  }
`)

/** Returns when it was marked read (null if it no longer exists). Throws on network errors. */
export async function markRead(id: string): Promise<string | null> {
  const { notificationMarkRead: result } = await request(MarkReadDocument, { id })
  // The server's count is the truth (another tab may have marked some read too).
  void refreshUnread()
  return result.__typename === 'NotificationMarkReadSuccess' ? (result.notification.readAt ?? new Date().toISOString()) : null
}
