/**
 * The English messages, loaded only when someone chooses English: French readers never
 * download them. Same areas and keys as the French ones (`index.ts`).
 */
import enCommon from './locales/en.json'
import enListing from './locales/en/listing.json'
import enPublish from './locales/en/publish.json'
import enExchanges from './locales/en/exchanges.json'
import enPlaces from './locales/en/places.json'
import enAlerts from './locales/en/alerts.json'
import enErrors from './locales/en/errors.json'
import enPhotos from './locales/en/photos.json'
import enClaims from './locales/en/claims.json'
import enNetwork from './locales/en/network.json'
import enDirectory from './locales/en/directory.json'
import enTerritory from './locales/en/territory.json'
import enTrainings from './locales/en/trainings.json'
import enAgreements from './locales/en/agreements.json'

export default {
  ...enCommon,
  listing: enListing,
  publish: enPublish,
  exchanges: enExchanges,
  places: enPlaces,
  alerts: enAlerts,
  errors: enErrors,
  photos: enPhotos,
  claims: enClaims,
  network: enNetwork,
  directory: enDirectory,
  territory: enTerritory,
  trainings: enTrainings,
  agreements: enAgreements,
}
