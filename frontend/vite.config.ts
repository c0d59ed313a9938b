import { fileURLToPath, URL } from 'node:url'
import { defineConfig } from 'vite'
import vue from '@vitejs/plugin-vue'
import VueI18nPlugin from '@intlify/unplugin-vue-i18n/vite'

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
      '/healthz': proxied,
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
