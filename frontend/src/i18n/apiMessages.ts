/**
 * The API writes its expected errors (an `InputError`'s fields, a `ConflictError`, …) in
 * English, for developers. People read them in their language: the messages the API is known
 * to send are translated here, once, for every page; an unknown one is shown as it came.
 */
import { currentLocale } from './index'

type Translate = (match: RegExpMatchArray) => string

const FRENCH: [RegExp, Translate][] = [
  [/^Field required$/, () => 'Ce champ est obligatoire.'],
  [/^String should have at least (\d+) characters?$/, (m) => `Au moins ${m[1]} caractère${m[1] === '1' ? '' : 's'}.`],
  [/^String should have at most (\d+) characters?$/, (m) => `Au plus ${m[1]} caractères.`],
  [/^Input should be greater than or equal to (.+)$/, (m) => `Au moins ${m[1]}.`],
  [/^Input should be greater than (.+)$/, (m) => `Plus de ${m[1]}.`],
  [/^Input should be less than or equal to (.+)$/, (m) => `Au plus ${m[1]}.`],
  [/^Input should be less than (.+)$/, (m) => `Moins de ${m[1]}.`],
  [/^Input should be a valid (number|integer).*$/, () => 'Un nombre est attendu.'],
  [/^Input should be a valid date.*$/, () => 'Une date est attendue.'],
  [/^List should have at most (\d+) items?.*$/, (m) => `Au plus ${m[1]} éléments.`],
  [/^is before available_from$/, () => 'Cette date est avant la date de début.'],
  [/^is before from$/, () => 'Cette date est avant la date de début.'],
  [/^ends before \(or when\) it starts$/, () => 'La fin doit venir après le début.'],
  [/^this period is already over$/, () => 'Cette période est déjà passée.'],
  [/^a period lasts at most 5 years$/, () => 'Une période dure au plus 5 ans.'],
  [/^a period needs both its start and its end$/, () => 'Indiquez le début et la fin.'],
  [/^(give|propose) a start and an end$/, () => 'Indiquez le début et la fin.'],
  [/^a loan or an occupation needs a start and an end$/, () => 'Un prêt ou une occupation demande un début et une fin.'],
  [/^give a time zone offset.*$/, () => 'Indiquez le fuseau horaire.'],
  [/^the listing is available from (\S+)$/, (m) => `L’annonce est disponible à partir du ${m[1]}.`],
  [/^the listing is available until (\S+)$/, (m) => `L’annonce est disponible jusqu’au ${m[1]}.`],
  [/^the listing is already booked during this period$/, () => 'L’annonce est déjà réservée sur cette période.'],
  [/^part of this period is already booked$/, () => 'Une partie de cette période est déjà réservée.'],
  [/^give hours, or a period$/, () => 'Indiquez un nombre d’heures ou une période.'],
  [/^how much of it do you ask for\?$/, () => 'Quelle quantité demandez-vous ?'],
  [/^only materials are requested by quantity$/, () => 'Seuls les matériaux se demandent en quantité.'],
  [/^only (\S+) left$/, (m) => `Il n’en reste que ${m[1]}.`],
  [/^no listing (of yours )?with this id$/, () => 'Cette annonce n’existe pas, ou vous ne pouvez pas la voir.'],
  [/^this is your own organization's listing$/, () => 'C’est une annonce de votre propre organisation.'],
  [/^this listing is (\w+)$/, () => 'Cette annonce n’est plus publiée.'],
  [/^not a place of the requesting organization$/, () => 'Ce lieu n’est pas un lieu de votre organisation.'],
  [/^no such place among your organization's places$/, () => 'Ce lieu n’est pas un lieu de votre organisation.'],
  [/^unknown commune .*$/, () => 'Commune inconnue (code INSEE, code postal ou nom).'],
  [/^latitude and longitude go together$/, () => 'La latitude et la longitude vont ensemble.'],
  [/^a listing must keep a title$/, () => 'Une annonce garde un titre.'],
  [/^unknown category .*$/, () => 'Catégorie inconnue.'],
  [/^'.*' is a (\w+) category$/, () => 'Cette catégorie est d’un autre type d’annonce.'],
  [/^an alert needs text or at least one filter$/, () => 'Une alerte demande un texte ou au moins un filtre.'],
  [/^the SIRET's check digit is wrong \(Luhn\)$/, () => 'La clé de contrôle du SIRET est fausse.'],
  [/^a SIRET has exactly 14 digits$/, () => 'Un SIRET a exactement 14 chiffres.'],
  [/^1 to 100 letters, digits or _ \. : -$/, () => '1 à 100 lettres, chiffres ou _ . : -'],
  [/^This period (is already booked|was just booked by someone else)\.$/, () => 'Cette période vient d’être réservée.'],
  [/^This exchange is (\w+): only .*$/, () => 'Cet échange a changé d’état entre-temps : rechargez la page.'],
  [/^This idempotencyKey .*$/, () => 'Cette demande a déjà été envoyée avec d’autres valeurs.'],
]

export function translateApiMessage(message: string): string {
  if (currentLocale() !== 'fr') return message
  for (const [pattern, translate] of FRENCH) {
    const match = message.match(pattern)
    if (match) return translate(match)
  }
  return message
}

/**
 * Translate, in place, the `message` of every error object of a GraphQL answer: a member of a
 * result union (it has a `__typename` ending in `Error`) and each `fields[]` entry.
 */
export function translateErrors(value: unknown): void {
  if (Array.isArray(value)) {
    for (const item of value) translateErrors(item)
    return
  }
  if (value === null || typeof value !== 'object') return
  const record = value as Record<string, unknown>
  const typename = record.__typename
  const isError = typeof typename === 'string' && typename.endsWith('Error')
  const isField = typeof record.field === 'string'
  if ((isError || isField) && typeof record.message === 'string') {
    record.message = translateApiMessage(record.message)
  }
  for (const child of Object.values(record)) {
    if (child !== null && typeof child === 'object') translateErrors(child)
  }
}
