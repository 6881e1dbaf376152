// Builds the client into the hub's package: src/twinspace/web/dist (served at / by twinspace.web).
import { fileURLToPath } from 'node:url'
import { defineConfig } from 'vite'

const hub = process.env.TWINSPACE_HUB || 'http://127.0.0.1:8080'

export default defineConfig({
  base: '/',
  publicDir: false, // everything is imported, so every asset is hashed under /assets
  build: {
    outDir: fileURLToPath(new URL('../src/twinspace/web/dist', import.meta.url)),
    emptyOutDir: true,
    target: 'es2022',
    assetsInlineLimit: 0,
    rollupOptions: {
      output: {
        // Big libraries in their own long-cached files, so an app change reloads only the app.
        manualChunks: (id) => {
          if (id.includes('node_modules/three/')) return 'three'
          if (id.includes('node_modules/hls.js/')) return 'hls'
          if (/node_modules\/(yjs|y-websocket|y-protocols|lib0)\//.test(id)) return 'yjs'
          return undefined
        },
      },
    },
    chunkSizeWarningLimit: 800,
  },
  // `npm run dev` against a running hub: TWINSPACE_HUB=http://127.0.0.1:8181 npm run dev --prefix client
  server: {
    proxy: {
      '/api': { target: hub, ws: true },
      '/v1': { target: hub, ws: true }, // the voice socket is /v1/assistant/voice
      '/demo': hub,
      '/media': hub,
      '/openapi.json': hub,
    },
  },
})
