// Vite build of the web UI (`npm run build:web`): src/web → dist/web, relative URLs (base './')
// so the bundle works at / and under any path prefix (another node's /p2p/<peer-id>/http/), the
// client worker bundled as an ES module worker, the download service worker as dist/web/sw.js
// (unhashed: its URL is its identity), class names kept (errors travel by their class name).
import { fileURLToPath } from 'node:url'
import { defineConfig } from 'vite'

const root = fileURLToPath(new URL('./src/web', import.meta.url))
const outDir = fileURLToPath(new URL('./dist/web', import.meta.url))

export default defineConfig({
  root,
  base: './',
  publicDir: false,
  logLevel: 'warn',
  oxc: { jsx: { runtime: 'automatic', importSource: 'preact' } },
  worker: {
    format: 'es',
    rolldownOptions: { output: { keepNames: true } },
  },
  build: {
    outDir,
    emptyOutDir: true,
    target: 'es2022',
    sourcemap: false,
    reportCompressedSize: false,
    chunkSizeWarningLimit: 4096,
    modulePreload: { polyfill: false },
    rolldownOptions: {
      input: { index: fileURLToPath(new URL('./src/web/index.html', import.meta.url)), sw: fileURLToPath(new URL('./src/web/sw/download-sw.ts', import.meta.url)) },
      output: {
        keepNames: true,
        entryFileNames: (chunk) => (chunk.name === 'sw' ? 'sw.js' : 'assets/[name]-[hash].js'),
      },
    },
  },
})
