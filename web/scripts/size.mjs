// `npm run web:size [-- --json]`: gzipped size of what the dashboard's first load fetches, read
// from dist/web/index.html (its module script, modulepreloads and stylesheets). The budget is
// 200 KB of JS and 30 KB of CSS, gzipped; exits 1 when over it. Run `npm run build:web` first.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';

const root = 'dist/web';
const base = '/dashboard/';
const BUDGET = { js: 200 * 1024, css: 30 * 1024 };

const html = readFileSync(join(root, 'index.html'), 'utf8');
const refs = { js: new Set(), css: new Set() };
for (const [tag] of html.matchAll(/<(?:script|link)\b[^>]*>/g)) {
  const url = /\b(?:src|href)="([^"]+)"/.exec(tag)?.[1];
  if (!url?.startsWith(base)) continue;
  if (/^<script\b/.test(tag) && /type="module"/.test(tag)) refs.js.add(url);
  else if (/rel="modulepreload"/.test(tag)) refs.js.add(url);
  else if (/rel="stylesheet"/.test(tag)) refs.css.add(url);
}

function measure(urls) {
  const files = [...urls].map((url) => {
    const bytes = readFileSync(join(root, url.slice(base.length)));
    return { file: url, bytes: bytes.length, gzip: gzipSync(bytes, { level: 9 }).length };
  });
  return {
    files,
    bytes: files.reduce((sum, file) => sum + file.bytes, 0),
    gzip: files.reduce((sum, file) => sum + file.gzip, 0),
  };
}

const js = measure(refs.js);
const css = measure(refs.css);
const report = {
  js: { ...js, budget: BUDGET.js },
  css: { ...css, budget: BUDGET.css },
  ok: js.gzip <= BUDGET.js && css.gzip <= BUDGET.css,
};

if (process.argv.includes('--json')) {
  process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
} else {
  const kb = (n) => `${(n / 1024).toFixed(1)} KB`;
  for (const [kind, result] of Object.entries({ js, css })) {
    for (const file of result.files) {
      process.stdout.write(`  ${file.file}  ${kb(file.bytes)} raw, ${kb(file.gzip)} gzip\n`);
    }
    process.stdout.write(
      `initial ${kind}: ${kb(result.gzip)} gzip (budget ${kb(BUDGET[kind])}), ${kb(result.bytes)} raw\n`,
    );
  }
}
process.exitCode = report.ok ? 0 : 1;
