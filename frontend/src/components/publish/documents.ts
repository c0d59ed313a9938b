/** The operations of the publish and edit pages. */
import { graphql } from '@/gql'
import type { PublishEditListingQuery, PublishSpacesQuery } from '@/gql/graphql'

export const PublishSpacesDocument = graphql(`
  query PublishSpaces($organizationId: ID!) {
    spaces(filter: { organizationId: $organizationId }, first: 100) {
      edges {
        node {
          id
          name
          address
          location {
            communeName
          }
        }
      }
    }
  }
`)

export const PublishListingDocument = graphql(`
  mutation PublishListing($input: ListingPublishInput!) {
    listingPublish(input: $input) {
      __typename
      ... on ListingSuccess {
        listing {
          id
          status
        }
      }
      ...Problem
    }
  }
`)

export const UpdateListingDocument = graphql(`
  mutation PublishUpdateListing($id: ID!, $input: ListingUpdateInput!) {
    listingUpdate(id: $id, input: $input) {
      __typename
      ... on ListingSuccess {
        listing {
          id
          status
        }
      }
      ...Problem
    }
  }
`)

export const WithdrawListingDocument = graphql(`
  mutation PublishWithdrawListing($id: ID!) {
    listingWithdraw(id: $id) {
      __typename
      ... on ListingSuccess {
        listing {
          id
          status
        }
      }
      ...Problem
    }
  }
`)

export const EditListingDocument = graphql(`
  query PublishEditListing($id: ID!) {
    listing(id: $id) {
      id
      direction
      kind
      status
      title
      description
      category
      tags
      address
      availableFrom
      availableUntil
      terms
      priceEur
      visibility
      space {
        id
      }
      location {
        communeInsee
        communeName
      }
      organization {
        id
        name
      }
      details {
        __typename
        ... on EquipmentDetails {
          brand
          model
          machineClass
          trainingRequired
          units: quantity
          requiredTrainings
          trainingRule
          trainingLabs {
            id
            name
          }
        }
        ... on PremisesDetails {
          surfaceM2
          capacity
          accessible
          accessibilityNotes
          erpCategory
          rooms
        }
        ... on SkillDetails {
          level
          format
          hours
        }
        ... on MaterialDetails {
          quantity
          unit
          condition
          unitWeightKg
          pickup
        }
      }
    }
  }
`)

export type SpaceOption = PublishSpacesQuery['spaces']['edges'][number]['node']
export type EditableListing = NonNullable<PublishEditListingQuery['listing']>
