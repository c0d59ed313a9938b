/**
 * Keywords as readers see them. A tag of the form `scheme:code` (`rome:140975`, the ROME skill
 * an imported listing comes from) is an internal code, for search and imports: never shown as a
 * word.
 */
const INTERNAL = /^[a-z][a-z0-9_-]*:\S+$/i

export function isInternalTag(tag: string): boolean {
  return INTERNAL.test(tag.trim())
}

export function visibleTags(tags: readonly string[]): string[] {
  return tags.filter((tag) => !isInternalTag(tag))
}
