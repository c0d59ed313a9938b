/**
 * `GET /auth/providers`: the configured sign-in providers, and on a development server the demo
 * accounts. Not GraphQL, so typed here; `kind` and `demo_accounts` may be absent.
 */
import { NetworkError } from '@/api'

export interface Provider {
  name: string
  label: string
  login_url: string
  kind?: string
}

export interface DemoAccount {
  login: string
  password: string
  description?: string
}

export interface Providers {
  providers: Provider[]
  demoAccounts: DemoAccount[]
}

export async function fetchProviders(): Promise<Providers> {
  let response: Response
  try {
    response = await fetch('/auth/providers', {
      credentials: 'same-origin',
      headers: { accept: 'application/json' },
    })
  } catch (error) {
    throw new NetworkError(error instanceof Error ? error.message : String(error))
  }
  if (!response.ok) throw new NetworkError(`/auth/providers answered ${response.status}`, response.status)
  const body = (await response.json()) as { providers?: Provider[]; demo_accounts?: DemoAccount[] }
  return { providers: body.providers ?? [], demoAccounts: body.demo_accounts ?? [] }
}

/** Where a provider's button leads: its login URL, then back to `next` once signed in. */
export function loginHref(provider: Provider, next: string): string {
  return `${provider.login_url}?next=${encodeURIComponent(next)}`
}
