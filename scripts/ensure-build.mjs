// Builds dist/ when it is missing or older than any TypeScript source, so `npm start` works on a
// fresh clone and stays fast when nothing changed.
import './require-node.mjs';
import { execSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

const marker = 'dist/src/main.js';
const roots = ['src', 'migrations', 'bench', 'test/fakes', 'test/fixtures', 'tsconfig.json', 'tsconfig.build.json', 'package.json'];

function newest(path) {
  if (!existsSync(path)) return 0;
  const st = statSync(path);
  if (!st.isDirectory()) return st.mtimeMs;
  return readdirSync(path).reduce((max, name) => Math.max(max, newest(join(path, name))), 0);
}

const built = existsSync(marker) ? statSync(marker).mtimeMs : 0;
const source = Math.max(...roots.map(newest));
if (!built || source > built) {
  execSync('npx nest build', { stdio: 'inherit' });
  const now = new Date();
  // tsc does not rewrite unchanged outputs; touch the marker so the next start sees a fresh build
  (await import('node:fs')).utimesSync(marker, now, now);
}

// The hosted checkout's browser bundles (checkout.js, the page's script and style): the API serves
// them, so `npm start` on a fresh clone needs them too.
const checkoutMarker = 'dist/checkout/checkout.js';
const checkoutBuilt = existsSync(checkoutMarker) ? statSync(checkoutMarker).mtimeMs : 0;
if (!checkoutBuilt || newest('checkout') > checkoutBuilt) {
  execSync(`"${process.execPath}" checkout/build.ts`, { stdio: 'inherit' });
}
