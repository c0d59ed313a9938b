/**
 * The photo operations of the publish and edit pages (the gallery's fields are the listing
 * page's); each mutation's errors are the `Problem` fragment (composables/useMutation.ts).
 */
import { graphql } from '@/gql'
import type { SavedPhotoFragment } from '@/gql/graphql'

// A listing's photo as the forms show it, after every change.
graphql(`
  fragment SavedPhoto on Photo {
    id
    alt
    position
    width
    height
    url
    srcset
  }
`)

export const ListingPhotosDocument = graphql(`
  query ListingPhotos($id: ID!) {
    listing(id: $id) {
      id
      photos {
        ...SavedPhoto
      }
    }
  }
`)

export const ListingPhotoAddDocument = graphql(`
  mutation ListingPhotoAdd($listingId: ID!, $file: Upload!, $alt: String!) {
    listingPhotoAdd(listingId: $listingId, file: $file, alt: $alt) {
      __typename
      ... on ListingPhotoSuccess {
        photo {
          id
        }
        listing {
          id
          photos {
            ...SavedPhoto
          }
        }
      }
      ...Problem
    }
  }
`)

export const ListingPhotoUpdateDocument = graphql(`
  mutation ListingPhotoUpdate($id: ID!, $alt: String!) {
    listingPhotoUpdate(id: $id, alt: $alt) {
      __typename
      ... on ListingPhotoSuccess {
        photo {
          id
          alt
        }
      }
      ...Problem
    }
  }
`)

export const ListingPhotoMoveDocument = graphql(`
  mutation ListingPhotoMove($id: ID!, $position: Int!) {
    listingPhotoMove(id: $id, position: $position) {
      __typename
      ... on ListingPhotoSuccess {
        listing {
          id
          photos {
            ...SavedPhoto
          }
        }
      }
      ...Problem
    }
  }
`)

export const ListingPhotoDeleteDocument = graphql(`
  mutation ListingPhotoDelete($id: ID!) {
    listingPhotoDelete(id: $id) {
      __typename
      ... on ListingPhotoSuccess {
        listing {
          id
          photos {
            ...SavedPhoto
          }
        }
      }
      ...Problem
    }
  }
`)

export type SavedPhoto = SavedPhotoFragment
