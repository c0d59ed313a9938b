/**
 * Leaflet and its clustering plugin, in a chunk of their own. The plugin is a UMD script that
 * extends the global `L`, so Leaflet is put on `window` before the plugin is evaluated.
 */
import L from 'leaflet'
import 'leaflet/dist/leaflet.css'

declare global {
  interface Window {
    L?: typeof L
  }
}

export async function loadLeaflet(): Promise<typeof L> {
  window.L = L
  await import('leaflet.markercluster')
  return L
}
