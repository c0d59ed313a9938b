/**
 * What the agreement section says of an agreement's fields: which editable terms each kind of
 * agreement reads (the template's own fields, core/agreements/render.py), and a missing field's
 * dotted path (`provider.representative.name`) in plain words, with the term that fills it.
 */
import type { AgreementKind, AgreementTermsInput } from '@/gql/graphql'

export type TermName = keyof Omit<AgreementTermsInput, '__typename'>

const PARTIES: TermName[] = [
  'providerSiret',
  'providerRepresentativeName',
  'providerRepresentativeRole',
  'providerAddress',
  'beneficiarySiret',
  'beneficiaryRepresentativeName',
  'beneficiaryRepresentativeRole',
  'beneficiaryAddress',
  'periodStart',
  'periodEnd',
]

/** The terms each kind's template reads, in the order the form shows them. */
export const TERMS_OF: Record<AgreementKind, TermName[]> = {
  PRET_A_USAGE: [...PARTIES, 'objectValue', 'deposit', 'insurance'],
  OCCUPATION_TEMPORAIRE: [...PARTIES, 'use', 'deposit', 'insurance'],
  OCCUPATION_PRECAIRE: [...PARTIES, 'use', 'circumstances', 'deposit', 'insurance'],
  MISE_A_DISPOSITION: [...PARTIES, 'personName', 'personRole', 'schedule', 'insurance'],
  ATTESTATION_DON: [...PARTIES],
}

/** Terms written as a paragraph rather than a line. */
export const LONG_TERMS: ReadonlySet<TermName> = new Set(['use', 'circumstances', 'schedule', 'insurance'])

/** A missing path → the term that fills it, when a term does. */
const TERM_OF_PATH: Record<string, TermName> = {
  'provider.siret': 'providerSiret',
  'beneficiary.siret': 'beneficiarySiret',
  'period.start': 'periodStart',
  'period.end': 'periodEnd',
  'provider.representative.name': 'providerRepresentativeName',
  'provider.representative.role': 'providerRepresentativeRole',
  'provider.address': 'providerAddress',
  'beneficiary.representative.name': 'beneficiaryRepresentativeName',
  'beneficiary.representative.role': 'beneficiaryRepresentativeRole',
  'beneficiary.address': 'beneficiaryAddress',
  use: 'use',
  circumstances: 'circumstances',
  schedule: 'schedule',
  'person.name': 'personName',
  'person.role': 'personRole',
  insurance: 'insurance',
  deposit: 'deposit',
  'object.value': 'objectValue',
}

export function termOfPath(path: string): TermName | null {
  return TERM_OF_PATH[path] ?? null
}

/**
 * The i18n key that words a missing path (`agreements.missing.<key>`): dots become `_`; a clause
 * or a material of a list (`clauses.2.title`) is worded by its kind, its number given apart.
 */
export function missingKey(path: string): { key: string; index: number | null } {
  const match = /^(clauses|materials)\.(\d+)\.(\w+)$/.exec(path)
  if (match) return { key: `${match[1]}_${match[3]}`, index: Number(match[2]) + 1 }
  return { key: path.replace(/\./g, '_'), index: null }
}
