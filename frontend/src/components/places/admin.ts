/**
 * What the administration section shows of pending requests to join and open invitations
 * (`Organization.pendingRequests` and `Organization.openInvitations`, for its admins), and how
 * its panels word an error thrown by a mutation.
 */
import type { Failure } from '@/composables/useMutation'
import type { Role } from '@/gql/graphql'
import { i18n } from '@/i18n'

export interface PendingRequest {
  /** The request's global id, for membershipAccept / membershipRefuse. */
  id: string
  person: { id: string; displayName: string; email?: string | null } | null
  createdAt: string
}

export interface SentInvitation {
  key: string
  email: string
  role: Role
  expiresAt: string
}

/** A thrown error, as every panel words it: nothing was changed, try again. */
export const networkFailure: Failure = () => i18n.global.t('places.networkError')
