/** The operations of the search page. */
import { graphql } from '@/gql'
import type { CommunesQuery } from '@/gql/graphql'

export const SearchDocument = graphql(`
  query Search($input: SearchInput!) {
    searchStatus {
      indexing
      pending
    }
    search(input: $input) {
      totalHits
      endCursor
      facets {
        kinds {
          value
          count
        }
        categories {
          value
          count
        }
      }
      hits {
        distanceKm
        listing {
          id
          title
          kind
          direction
          category
          origin
          coverPhoto {
            url
            srcset
            width
            height
          }
          location {
            lat
            lon
            communeName
            department
          }
          organization {
            id
            name
          }
        }
      }
    }
  }
`)

export const CommunesDocument = graphql(`
  query Communes($text: String!, $first: Int!) {
    communes(text: $text, first: $first) {
      code
      name
      department
      departmentName
      postcodes
      epci {
        siren
        name
      }
    }
  }
`)

export const CategoriesDocument = graphql(`
  query Categories {
    categories {
      code
      kind
      labelFr
      labelEn
    }
  }
`)

export type CommuneOption = CommunesQuery['communes'][number]
