/**
 * Short confirmations of what just happened ("Annonce publiée"), shown by the one `ToastRegion`
 * of the layout. Kept outside any page, so a confirmation survives the navigation that often
 * follows it (publish → the listing's page).
 */
import { reactive } from 'vue'

export interface Toast {
  id: number
  message: string
}

const SHOWN_MS = 8000
let next = 1

export const toasts = reactive<{ items: Toast[] }>({ items: [] })

/** Say that something worked; it stays a few seconds (or until dismissed). */
export function confirmDone(message: string): void {
  const id = next++
  toasts.items = [...toasts.items.slice(-2), { id, message }]
  setTimeout(() => dismiss(id), SHOWN_MS)
}

export function dismiss(id: number): void {
  toasts.items = toasts.items.filter((toast) => toast.id !== id)
}
