/**
 * A notification in the reader's language and time zone. The API stores a French sentence
 * (`title`, `body`: what the e-mail says, in Paris time); the page words it again from its
 * `kind`, its listing, its exchange (the period, shown in the browser's zone) and its `note`
 * (what the other side wrote), and falls back on the stored text when those are out of sight.
 */
import type { ComposerTranslation } from 'vue-i18n'
import { currentLocale, formatDateTime, formatNumber } from '@/i18n'

export interface NotificationParts {
  kind: string
  title: string
  body: string
  note?: string | null
  listing?: { title: string; direction: string } | null
  /** The organization a request to join is about. */
  organization?: { name: string } | null
  exchange?: {
    startsAt?: string | null
    endsAt?: string | null
    quantity?: number | null
    hours?: number | null
  } | null
}

type T = ComposerTranslation

function isMembership(kind: string): kind is 'MEMBERSHIP_REQUESTED' | 'MEMBERSHIP_ACCEPTED' {
  return kind === 'MEMBERSHIP_REQUESTED' || kind === 'MEMBERSHIP_ACCEPTED'
}

export function notificationTitle(n: NotificationParts, t: T): string {
  if (isMembership(n.kind) && n.organization) {
    return t(`exchanges.notifications.titles.${n.kind}`, { title: n.organization.name })
  }
  if (n.kind === 'ALERT_MATCH' || !n.listing) return n.title
  return t(`exchanges.notifications.titles.${n.kind}`, { title: n.listing.title })
}

export function notificationBody(n: NotificationParts, t: T): string {
  const note = (n.note ?? '').trim()
  if (isMembership(n.kind)) {
    // The stored French sentence names who asks; other languages say it without the name.
    if (!n.organization || currentLocale() === 'fr') return n.body
    const said = t(`exchanges.notifications.membershipBody.${n.kind}`, { name: n.organization.name })
    return [said, note && `“${note}”`].filter(Boolean).join(' ')
  }
  if (n.kind === 'ALERT_MATCH') {
    if (!n.listing || !note) return n.body
    return t(`exchanges.notifications.alertBody.${n.listing.direction}`, { name: note })
  }
  if (!n.exchange) return n.body
  if (n.kind !== 'EXCHANGE_REQUESTED' && note) return note
  const parts: string[] = []
  const { startsAt, endsAt, quantity, hours } = n.exchange
  if (startsAt && endsAt) {
    parts.push(t('exchanges.notifications.period', { from: formatDateTime(startsAt), to: formatDateTime(endsAt) }))
  }
  if (quantity != null) parts.push(t('exchanges.notifications.quantity', { n: formatNumber(quantity) }))
  if (hours != null) parts.push(t('exchanges.notifications.hours', { n: formatNumber(hours) }))
  return [parts.join(', '), note].filter(Boolean).join('. ')
}
