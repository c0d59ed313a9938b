// Writes data/epci.csv from the pinned npm package @etalab/decoupage-administratif (COG 2026,
// Licence Ouverte): one row per EPCI with its member communes' INSEE codes, the municipal
// arrondissements of Paris, Lyon and Marseille included under their commune's EPCI.
// Run after `npm ci`: node dev/build_epci.mjs > data/epci.csv
import { createRequire } from 'node:module'

const require = createRequire(import.meta.url)
const epcis = require('@etalab/decoupage-administratif/data/epci.json')
const communes = require('@etalab/decoupage-administratif/data/communes.json')

const arrondissements = new Map()
for (const c of communes) {
  if (c.type === 'arrondissement-municipal') {
    if (!arrondissements.has(c.commune)) arrondissements.set(c.commune, [])
    arrondissements.get(c.commune).push(c.code)
  }
}
const quote = (text) => (/[",\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text)
const lines = ['siren,name,nature,population,communes']
for (const epci of [...epcis].sort((a, b) => a.code.localeCompare(b.code))) {
  const members = epci.membres.flatMap((m) => [m.code, ...(arrondissements.get(m.code) ?? [])])
  lines.push([epci.code, quote(epci.nom), epci.type, epci.populationTotale ?? '', [...members].sort().join('|')].join(','))
}
process.stdout.write(lines.join('\n') + '\n')
