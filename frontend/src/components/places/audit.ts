/**
 * Pending requests to join and open invitations, read from the organization's audit trail
 * (`Organization.auditEvents`, for its admins): the schema has no list of either, but every
 * request, invitation and decision is an audit event that records their ids.
 */
import type { Role } from '@/gql/graphql'
import { membershipRequestId } from './problems'

export interface AuditEventLike {
  id: string
  action: string
  details: unknown
  createdAt: string
  actor?: { id: string; displayName: string; email?: string | null } | null
}

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
  createdAt: string
}

function detail(event: AuditEventLike, key: string): unknown {
  const details = event.details
  return details && typeof details === 'object' ? (details as Record<string, unknown>)[key] : undefined
}

function isRole(value: unknown): value is Role {
  return value === 'OWNER' || value === 'ADMIN' || value === 'MEMBER'
}

export function pendingRequests(events: readonly AuditEventLike[]): PendingRequest[] {
  const decided = new Set<number>()
  for (const event of events) {
    if (event.action === 'MEMBER_ACCEPTED' || event.action === 'MEMBER_REFUSED') {
      const id = detail(event, 'request_id')
      if (typeof id === 'number') decided.add(id)
    }
  }
  const pending: PendingRequest[] = []
  for (const event of events) {
    if (event.action !== 'MEMBERSHIP_REQUESTED') continue
    const id = detail(event, 'request_id')
    if (typeof id !== 'number' || decided.has(id)) continue
    pending.push({ id: membershipRequestId(id), person: event.actor ?? null, createdAt: event.createdAt })
  }
  return pending
}

/** Invitations sent within their lifetime and not accepted yet (newest first). */
export function openInvitations(events: readonly AuditEventLike[], lifetimeDays = 7): SentInvitation[] {
  const accepted = new Set<number>()
  for (const event of events) {
    const id = event.action === 'MEMBER_ACCEPTED' ? detail(event, 'invitation_id') : undefined
    if (typeof id === 'number') accepted.add(id)
  }
  const oldest = Date.now() - lifetimeDays * 24 * 3600 * 1000
  const open: SentInvitation[] = []
  for (const event of events) {
    if (event.action !== 'MEMBER_INVITED') continue
    const id = detail(event, 'invitation_id')
    const email = detail(event, 'email')
    const role = detail(event, 'role')
    if (typeof id !== 'number' || accepted.has(id) || typeof email !== 'string') continue
    if (new Date(event.createdAt).getTime() < oldest) continue
    open.push({ key: event.id, email, role: isRole(role) ? role : 'MEMBER', createdAt: event.createdAt })
  }
  return open
}
