/**
 * What the administration section shows of pending requests to join and open invitations
 * (`Organization.pendingRequests` and `Organization.openInvitations`, for its admins).
 */
import type { Role } from '@/gql/graphql'

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
