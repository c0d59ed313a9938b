import { createHash } from 'node:crypto'
import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath, URL } from 'node:url'
import { defineConfig, type Plugin } from 'vite'
import vue from '@vitejs/plugin-vue'
import VueI18nPlugin from '@intlify/unplugin-vue-i18n/vite'

/**
 * `graphql(\`query Name ...\`)` looks its document up in one map of every operation of the app
 * (codegen's `src/gql/gql.ts`), and all those strings would ship with the first page. At build,
 * each call is replaced by its own text plus the fragments it spreads (defined in the same file,
 * or in any file of src/, such as the `Problem` fragment of every mutation's errors), so each page
 * carries only its operations. The sources, and their types, are unchanged:
 * at run time a document is only ever read as a string (`document.toString()` in src/api.ts).
 *
 * Each operation also gets its id, `sha256:<hex>` of that very text, in `__meta__.hash` (where
 * codegen's `TypedDocumentString` keeps it), and the build writes every shipped operation by id
 * in `dist/trusted-documents.json`: the server's trusted documents (schema/trusted_documents.py),
 * so the app posts `{documentId, variables}` instead of the text. (The client preset's own
 * `persistedDocuments` hashes a sorted reprint of each document, not the text sent here.)
 */
function graphqlDocumentsInline(): Plugin {
  const call = /\bgraphql\(\s*`([\s\S]*?)`\s*\)/g
  const fragment = /^\s*fragment\s+(\w+)/
  const spread = /\.\.\.\s*(?!on\b)(\w+)/g
  const src = fileURLToPath(new URL('./src', import.meta.url))
  const fragmentsIn = (code: string, into: Map<string, string>): Map<string, string> => {
    for (const [, body] of code.matchAll(call)) {
      const name = fragment.exec(body)?.[1]
      if (name) into.set(name, body)
    }
    return into
  }
  // Every fragment of src/ (but the generated src/gql/), by name; read again at each build.
  const everyFragment = (): Map<string, string> => {
    const found = new Map<string, string>()
    const walk = (folder: string): void => {
      for (const entry of readdirSync(folder, { withFileTypes: true })) {
        const path = join(folder, entry.name)
        if (entry.isDirectory() && path !== join(src, 'gql')) walk(path)
        else if (/\.(ts|vue)$/.test(entry.name)) fragmentsIn(readFileSync(path, 'utf8'), found)
      }
    }
    walk(src)
    return found
  }
  let shared = new Map<string, string>()
  const trusted = new Map<string, string>()
  const withId = (text: string): string => {
    if (fragment.test(text)) return JSON.stringify(text)
    const id = `sha256:${createHash('sha256').update(text, 'utf8').digest('hex')}`
    trusted.set(id, text)
    return `/* @__PURE__ */ Object.assign(new String(${JSON.stringify(text)}), { __meta__: { hash: ${JSON.stringify(id)} } })`
  }
  return {
    name: 'entrelieux:graphql-documents-inline',
    buildStart() {
      shared = everyFragment()
      trusted.clear()
    },
    generateBundle() {
      const sorted = Object.fromEntries([...trusted.entries()].sort(([a], [b]) => a.localeCompare(b)))
      this.emitFile({
        type: 'asset',
        fileName: 'trusted-documents.json',
        source: `${JSON.stringify(sorted, null, 2)}\n`,
      })
    },
    transform(code, id) {
      const path = id.split('?')[0]
      if (!/\/src\/.*\.(ts|vue)$/.test(path) || path.includes('/src/gql/')) return null
      if (!code.match(call)) return null
      const fragments = fragmentsIn(code, new Map(shared))
      const withFragments = (body: string): string => {
        const used = new Set<string>()
        const visit = (text: string): void => {
          for (const [, name] of text.matchAll(spread)) {
            const definition = fragments.get(name)
            if (definition && !used.has(name)) {
              used.add(name)
              visit(definition)
            }
          }
        }
        visit(body)
        return [body, ...[...used].filter((n) => !body.includes(`fragment ${n} `)).map((n) => fragments.get(n))].join('\n')
      }
      const inlined = code
        // In parentheses: a bare string first in a module would read as a directive.
        .replace(call, (_whole, body: string) => `(${withId(withFragments(body))})`)
        // The lookup function is no longer called: its import (and its map) must not ship.
        .replace(/import\s*\{\s*graphql\s*\}\s*from\s*['"](?:@|\.)\/gql['"];?/g, '')
      return { code: inlined, map: null }
    },
  }
}

// The API the dev server forwards to (`make run` serves it there).
const API = 'http://127.0.0.1:8000'

// The API refuses cookie-authenticated posts and sockets from origins it does not know; in
// development the page's origin is Vite's, so the proxy presents the API's own origin instead.
const proxied = {
  target: API,
  changeOrigin: true,
  headers: { origin: API },
}

export default defineConfig({
  plugins: [
    vue(),
    graphqlDocumentsInline(),
    VueI18nPlugin({
      // Messages are compiled at build time: the runtime-only vue-i18n ships, without its compiler.
      include: [fileURLToPath(new URL('./src/i18n/locales/**', import.meta.url))],
      runtimeOnly: true,
      compositionOnly: true,
      fullInstall: false,
      strictMessage: false,
    }),
  ],
  resolve: {
    alias: { '@': fileURLToPath(new URL('./src', import.meta.url)) },
  },
  server: {
    host: '127.0.0.1',
    port: 5173,
    strictPort: true,
    proxy: {
      '/graphql': { ...proxied, ws: true },
      '/auth': proxied,
      '/calendar': proxied,
      '/export': proxied,
      '/healthz': proxied,
      '/media': proxied,
    },
  },
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    target: 'es2022',
    // Leaflet is a chunk of its own, loaded by the map after the list has rendered.
    chunkSizeWarningLimit: 200,
  },
})
