/** A website as given by its owner, made safe to link to: http(s) only, scheme added if missing. */
export function safeWebsite(value: string | null | undefined): string | null {
  const text = value?.trim()
  if (!text) return null
  const withScheme = /^[a-z][a-z0-9+.-]*:/i.test(text) ? text : `https://${text}`
  try {
    const url = new URL(withScheme)
    return url.protocol === 'http:' || url.protocol === 'https:' ? url.href : null
  } catch {
    return null
  }
}

/** The website without its scheme, to show. */
export function websiteLabel(href: string): string {
  return href.replace(/^https?:\/\//, '').replace(/\/$/, '')
}
