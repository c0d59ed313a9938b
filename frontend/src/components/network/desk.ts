/** What the network desk shows of its queue (`NetworkDesk.membersToValidate`, `reportsToReview`). */
import type { NetworkDeskQueueQuery } from '@/gql/graphql'

type Desk = NonNullable<NetworkDeskQueueQuery['networkDesk']>
export type WaitingOrganization = NonNullable<Desk['membersToValidate']>[number]
export type QueueReport = NonNullable<Desk['reportsToReview']>[number]
export type Member = NonNullable<Desk['members']>[number]
