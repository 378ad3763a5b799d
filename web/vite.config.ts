import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

// The dashboard is served by the API process at /dashboard/ (same origin, so the session cookie
// and a strict CSP work); `npm run build:web` writes it to dist/web/.
export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  base: '/dashboard/',
  // Vite 8 compiles TSX with Oxc; no React plugin is needed for a production build (the plugin's
  // only extra is Fast Refresh in dev, and its optional Babel peer clashes with jest's Babel 7).
  oxc: { jsx: { runtime: 'automatic' } },
  build: {
    outDir: fileURLToPath(new URL('../dist/web', import.meta.url)),
    emptyOutDir: true,
    target: 'es2022',
    // Every supported browser preloads modules natively; the polyfill is code we do not need.
    modulePreload: { polyfill: false },
    sourcemap: true,
    rolldownOptions: {
      onwarn(warning, warn) {
        // TanStack Query and React Router mark modules "use client" for React Server Components,
        // which mean nothing in a browser-only bundle.
        if (warning.code === 'MODULE_LEVEL_DIRECTIVE') return;
        warn(warning);
      },
    },
  },
  server: {
    // `npx vite --config web/vite.config.ts` beside `npm run start:dev`: same-origin API calls.
    proxy: { '/api': 'http://127.0.0.1:3000' },
  },
});
