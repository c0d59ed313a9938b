/**
 * The map's tile server, as the server configures it: it fills two meta tags of index.html.
 * An empty tile URL means no tile layer (tests run without tiles); markers still render.
 */
export interface MapConfig {
  tiles: string
  attribution: string
}

function meta(name: string): string {
  return document.querySelector<HTMLMetaElement>(`meta[name="${name}"]`)?.content.trim() ?? ''
}

export function mapConfig(): MapConfig {
  return { tiles: meta('entrelieux:tiles'), attribution: meta('entrelieux:attribution') }
}

/** Metropolitan France, when there is nothing to frame. */
export const FRANCE_CENTER: [number, number] = [46.6, 2.4]
export const FRANCE_ZOOM = 5

/** One located thing to put on a map. */
export interface MapPoint {
  id: string
  title: string
  lat: number
  lon: number
}
