import { copyFileSync, mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { build } from 'vite';

/**
 * Builds the browser bundles of hosted checkout into dist/checkout: checkout.js (the SDK) and the
 * hosted page's page.js and page.css. Each is one self-contained IIFE with no dependencies.
 */
const root = fileURLToPath(new URL('.', import.meta.url));
const outDir = fileURLToPath(new URL('../dist/checkout', import.meta.url));

for (const [entry, name] of [
  ['src/sdk.ts', 'checkout'],
  ['src/page.ts', 'page'],
  ['src/demo.ts', 'demo'],
] as const) {
  await build({
    root,
    configFile: false,
    logLevel: 'warn',
    build: {
      outDir,
      emptyOutDir: false,
      target: 'es2020',
      minify: true,
      sourcemap: false,
      lib: {
        entry: fileURLToPath(new URL(entry, import.meta.url)),
        name: { checkout: 'PaymentGatewaySdk', page: 'CheckoutPage', demo: 'CheckoutDemo' }[name],
        formats: ['iife'],
        fileName: () => `${name}.js`,
      },
    },
  });
}
mkdirSync(outDir, { recursive: true });
copyFileSync(fileURLToPath(new URL('src/page.css', import.meta.url)), `${outDir}/page.css`);
