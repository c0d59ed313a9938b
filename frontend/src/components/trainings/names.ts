/**
 * The words a training is shown with: its machine class's label (an EQUIPMENT category of the
 * taxonomy, `Query.categories`), fetched once per page load and kept: the taxonomy seldom
 * changes; and where a training stands.
 */
import { shallowRef } from 'vue'
import { request } from '@/api'
import { graphql } from '@/gql'
import { currentLocale } from '@/i18n'

const MachineClassesDocument = graphql(`
  query MachineClasses {
    categories(kind: EQUIPMENT) {
      code
      labelFr
      labelEn
    }
  }
`)

export interface MachineClass {
  code: string
  labelFr: string
  labelEn: string
}

/** The machine classes, in the taxonomy's order; empty until loaded. */
export const machineClasses = shallowRef<MachineClass[]>([])
let classesLoading: Promise<void> | null = null

export function loadMachineClasses(): Promise<void> {
  classesLoading ??= request(MachineClassesDocument, {})
    .then(({ categories }) => {
      machineClasses.value = categories
    })
    .catch(() => {
      classesLoading = null // tried again next time
    })
  return classesLoading
}

/** A class's label in the reader's language; its code while the taxonomy loads or if unknown. */
export function machineClassLabel(code: string): string {
  const found = machineClasses.value.find((c) => c.code === code)
  if (!found) return code
  return currentLocale() === 'en' ? found.labelEn : found.labelFr
}

/** Where a training stands, as its badge says it. */
export type TrainingStanding = 'VALID' | 'EXPIRED' | 'REVOKED'

export function standing(training: { valid: boolean; revokedAt?: string | null }): TrainingStanding {
  if (training.revokedAt) return 'REVOKED'
  return training.valid ? 'VALID' : 'EXPIRED'
}

/** A lab chosen in a `LabPicker`. */
export interface PickedLab {
  id: string
  name: string
}
