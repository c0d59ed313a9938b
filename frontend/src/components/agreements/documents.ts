/** The agreement of an exchange as its page reads it, and the two mutations that change it. */
import { graphql } from '@/gql'
import type { ExchangeAgreementQuery } from '@/gql/graphql'

export const ExchangeAgreementDocument = graphql(`
  query ExchangeAgreement($id: ID!) {
    node(id: $id) {
      __typename
      ... on Exchange {
        id
        viewerSides
        owner {
          id
          name
        }
        requester {
          id
          name
        }
        listing {
          id
          direction
        }
        agreement {
          ...AgreementFields
        }
      }
    }
  }
`)

graphql(`
  fragment AgreementFields on Agreement {
    id
    kind
    state
    pdfUrl
    missingFields
    viewerCanAccept
    terms {
      providerSiret
      beneficiarySiret
      periodStart
      periodEnd
      providerRepresentativeName
      providerRepresentativeRole
      providerAddress
      beneficiaryRepresentativeName
      beneficiaryRepresentativeRole
      beneficiaryAddress
      use
      circumstances
      schedule
      personName
      personRole
      insurance
      deposit
      objectValue
    }
    current {
      id
      number
      pdfSha256
      clauses {
        title
        text
      }
    }
    versions {
      id
      number
      createdAt
      authorName
      authorOrganization {
        id
        name
      }
      pdfUrl
      pdfSha256
      acceptances {
        organization {
          id
          name
        }
        personName
        acceptedAt
        pdfSha256
      }
    }
  }
`)

export const AgreementEditDocument = graphql(`
  mutation AgreementEdit($input: AgreementEditInput!) {
    agreementEdit(input: $input) {
      __typename
      ... on AgreementSuccess {
        agreement {
          id
          state
        }
      }
      ...Problem
    }
  }
`)

export const AgreementAcceptDocument = graphql(`
  mutation AgreementAccept($input: AgreementAcceptInput!) {
    agreementAccept(input: $input) {
      __typename
      ... on AgreementSuccess {
        agreement {
          id
          state
        }
      }
      ...Problem
    }
  }
`)

type ExchangeNode = Extract<NonNullable<ExchangeAgreementQuery['node']>, { __typename: 'Exchange' }>
export type AgreementExchange = ExchangeNode
export type Agreement = NonNullable<ExchangeNode['agreement']>
export type AgreementVersion = Agreement['versions'][number]
export type Terms = Agreement['terms']
