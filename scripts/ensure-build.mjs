// Builds dist/ when it is missing or older than any TypeScript source, so `npm start` works on a
// fresh clone and stays fast when nothing changed. With `--web` (`npm start`), the dashboard
// (dist/web) too, when it is missing or web/ is newer than it.
import './require-node.mjs';
import { execSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, rmSync, statSync, utimesSync } from 'node:fs';
import { join } from 'node:path';

const marker = 'dist/src/main.js';
const roots = ['src', 'migrations', 'bench', 'test/fakes', 'test/fixtures', 'tsconfig.json', 'tsconfig.build.json', 'package.json'];
const webMarker = 'dist/web/index.html';
const webRoots = ['web/src', 'web/public', 'web/index.html', 'web/vite.config.ts', 'web/tsconfig.json'];

function newest(path) {
  if (!existsSync(path)) return 0;
  const st = statSync(path);
  if (!st.isDirectory()) return st.mtimeMs;
  // The generated API types are an output of the build, not a source of it.
  if (path === join('web', 'src', 'api', 'generated')) return 0;
  return readdirSync(path).reduce((max, name) => Math.max(max, newest(join(path, name))), 0);
}

function touch(path) {
  const now = new Date();
  utimesSync(path, now, now);
}

const built = existsSync(marker) ? statSync(marker).mtimeMs : 0;
const source = Math.max(...roots.map(newest));
if (!built || source > built) {
  execSync('npx nest build', { stdio: 'inherit' });
  // tsc does not rewrite unchanged outputs; touch the marker so the next start sees a fresh build
  touch(marker);
}

const sleep = (ms) => Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);

function webIsStale() {
  const webBuilt = existsSync(webMarker) ? statSync(webMarker).mtimeMs : 0;
  return !webBuilt || Math.max(...webRoots.map(newest)) > webBuilt;
}

if (process.argv.includes('--web') && webIsStale()) {
  if (!existsSync('node_modules/vite')) {
    // A production install (npm ci --omit=dev) cannot build it; the image ships it prebuilt.
    process.stderr.write(
      'The dashboard (dist/web) is missing or stale and vite is not installed: run `npm ci && npm run build:web`. Serving the API without it.\n',
    );
  } else {
    // One build at a time (parallel test files, two starts): Vite empties dist/web first, so a
    // second build would pull the files from under whoever is serving the first one's.
    const lock = 'dist/.web-build-lock';
    mkdirSync('dist', { recursive: true });
    for (;;) {
      try {
        mkdirSync(lock);
        break;
      } catch (error) {
        if (error.code !== 'EEXIST') throw error;
        // A lock left by a build that died is ignored after 5 minutes.
        if (Date.now() - statSync(lock).mtimeMs > 300_000) rmSync(lock, { recursive: true, force: true });
        else sleep(250);
      }
    }
    try {
      if (webIsStale()) {
        execSync('npm run build:web', { stdio: 'inherit' });
        touch(webMarker);
      }
    } finally {
      rmSync(lock, { recursive: true, force: true });
    }
  }
}

// The hosted checkout's browser bundles (checkout.js, the page's script and style): the API serves
// them, so `npm start` on a fresh clone needs them too.
const checkoutMarker = 'dist/checkout/checkout.js';
const checkoutBuilt = existsSync(checkoutMarker) ? statSync(checkoutMarker).mtimeMs : 0;
if (!checkoutBuilt || newest('checkout') > checkoutBuilt) {
  execSync(`"${process.execPath}" checkout/build.ts`, { stdio: 'inherit' });
}
