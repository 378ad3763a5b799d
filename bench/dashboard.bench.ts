import 'reflect-metadata';
import { execFileSync, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { chromium } from 'playwright-core';
import { AppModule, HTTP_FEATURES } from '../src/app.module.js';
import { AppConfig } from '../src/config/app-config.js';
import { migrate } from '../src/database/migrate.js';
import { configureApp, listenApp } from '../src/http/configure-app.js';
import { SignInLinksService } from '../src/modules/dashboard/sign-in-links.service.js';
import { UsersService } from '../src/modules/users/users.service.js';
import {
  BENCH_DATA_KEY,
  createBenchDatabase,
  dropBenchState,
  freePort,
  settingsLines,
  textTable,
} from './bench-kit.js';
import type { BenchModule, SummaryRow } from './run.js';

/** Page loads measured; the median is reported. */
const RUNS = Number(process.env.BENCH_DASHBOARD_RUNS ?? 7);
const BUDGET_KB = { js: 200, css: 30 };

interface SizeReport {
  js: { gzip: number; bytes: number; files: { file: string }[] };
  css: { gzip: number; bytes: number; files: { file: string }[] };
}

const CHROMIUM =
  process.env.CHROMIUM_PATH ??
  ['/usr/bin/chromium', '/usr/bin/chromium-browser', '/usr/bin/google-chrome'].find((path) =>
    existsSync(path),
  ) ??
  '/usr/bin/chromium';

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

/** What the first load fetches, gzipped: web/scripts/size.mjs on the current build. */
function sizes(): SizeReport {
  const result = spawnSync(process.execPath, ['web/scripts/size.mjs', '--json'], {
    encoding: 'utf8',
  });
  if (!result.stdout) throw new Error(`web/scripts/size.mjs failed: ${result.stderr}`);
  return JSON.parse(result.stdout) as SizeReport;
}

/**
 * Stamps, in the page, the moment (ms since navigation start) the overview's heading first
 * exists, and the moment its three cards have all answered. Injected by the browser driver, so
 * the page's CSP does not apply to it.
 */
const MARKS_SCRIPT = `
  (() => {
    const marks = {};
    window.__dashboardMarks = marks;
    const check = () => {
      const h1 = [...document.querySelectorAll('h1')].find((h) => h.textContent === 'Overview');
      if (h1 && marks.firstRender === undefined) marks.firstRender = performance.now();
      const busy = document.querySelector('[aria-busy="true"], .loading');
      const cards = document.querySelectorAll('section.card').length;
      if (h1 && cards >= 3 && !busy && marks.settled === undefined) marks.settled = performance.now();
    };
    new MutationObserver(check).observe(document, { childList: true, subtree: true });
  })();
`;

async function timeOverview(url: string, linkFor: () => Promise<string>) {
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage'],
  });
  const cold: { firstRender: number; settled: number }[] = [];
  const warm: { firstRender: number; settled: number }[] = [];
  try {
    for (let run = 0; run < RUNS + 1; run++) {
      const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
      await context.addInitScript(MARKS_SCRIPT);
      const page = await context.newPage();
      const read = async () => {
        await page.waitForFunction(
          () => {
            const marks = (window as unknown as { __dashboardMarks?: { settled?: number } })
              .__dashboardMarks;
            return marks?.settled !== undefined;
          },
          undefined,
          { timeout: 30_000 },
        );
        return page.evaluate(
          () =>
            (
              window as unknown as {
                __dashboardMarks: { firstRender: number; settled: number };
              }
            ).__dashboardMarks,
        );
      };
      // Cold: a new browser profile (empty cache) opening a sign-in link; the first run warms the
      // server and is not counted.
      await page.goto(await linkFor());
      const first = await read();
      // Warm: the same tab reloaded: assets from the cache, the session from the cookie.
      await page.goto(`${url}/dashboard/`);
      const again = await read();
      if (run > 0) {
        cold.push(first);
        warm.push(again);
      }
      await context.close();
    }
  } finally {
    await browser.close();
  }
  return { cold, warm };
}

export async function runDashboardBench(): Promise<{ text: string; summary: SummaryRow[] }> {
  // The build a user would get from `npm start`: rebuilt when web/ is newer than dist/web.
  execFileSync(process.execPath, ['scripts/ensure-build.mjs', '--web'], { stdio: 'inherit' });
  const size = sizes();

  const { adminUrl, name, url: databaseUrl } = await createBenchDatabase();
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const prefix = `bench${randomBytes(4).toString('hex')}`;
  const overrides: Record<string, string> = {
    DATABASE_URL: databaseUrl,
    PORT: String(port),
    APP_URL: url,
    REDIS_KEY_PREFIX: prefix,
    JWT_SECRET: process.env.JWT_SECRET ?? 'bench-jwt-secret-that-is-long-enough-0123456789',
    DATA_ENCRYPTION_KEY: process.env.DATA_ENCRYPTION_KEY ?? BENCH_DATA_KEY,
    PROCESS_ROLE: 'api',
    LOG_LEVEL: process.env.LOG_LEVEL ?? 'warn',
  };
  const env = { ...process.env, NODE_ENV: 'production', ...overrides };
  await migrate(new AppConfig(env));
  const saved = { ...process.env };
  Object.assign(process.env, env);
  const app = await NestFactory.create<NestExpressApplication>(AppModule, {
    rawBody: true,
    logger: ['error'],
  });
  process.env = saved;
  let timings: Awaited<ReturnType<typeof timeOverview>>;
  try {
    configureApp(app, HTTP_FEATURES);
    await listenApp(app, port, '127.0.0.1');
    const user = await app.get(UsersService).findOrCreateByEmail('bench-dashboard@example.com');
    const links = app.get(SignInLinksService);
    timings = await timeOverview(url, async () => {
      const { token } = await links.create(user.id);
      return `${url}/dashboard/sign-in#token=${token}`;
    });
  } finally {
    await app.close();
    await dropBenchState(new AppConfig(env).redisUrl, prefix, adminUrl, name);
  }

  const kb = (bytes: number) => `${(bytes / 1024).toFixed(1)} KB`;
  const ms = (value: number) => `${value.toFixed(0)} ms`;
  const status = (ok: boolean) => (ok ? 'met' : 'MISSED');
  const coldFirst = median(timings.cold.map((mark) => mark.firstRender));
  const coldSettled = median(timings.cold.map((mark) => mark.settled));
  const warmFirst = median(timings.warm.map((mark) => mark.firstRender));
  const warmSettled = median(timings.warm.map((mark) => mark.settled));
  const summary: SummaryRow[] = [
    {
      bench: 'dashboard',
      metric: 'initial JS, gzip',
      value: kb(size.js.gzip),
      target: `<= ${BUDGET_KB.js} KB`,
      status: status(size.js.gzip <= BUDGET_KB.js * 1024),
    },
    {
      bench: 'dashboard',
      metric: 'initial CSS, gzip',
      value: kb(size.css.gzip),
      target: `<= ${BUDGET_KB.css} KB`,
      status: status(size.css.gzip <= BUDGET_KB.css * 1024),
    },
    {
      bench: 'dashboard',
      metric: 'overview first render, cold (median)',
      value: ms(coldFirst),
      target: '',
      status: '',
    },
    {
      bench: 'dashboard',
      metric: 'overview cards answered, cold (median)',
      value: ms(coldSettled),
      target: '',
      status: '',
    },
    {
      bench: 'dashboard',
      metric: 'overview first render, warm reload (median)',
      value: ms(warmFirst),
      target: '',
      status: '',
    },
    {
      bench: 'dashboard',
      metric: 'overview cards answered, warm (median)',
      value: ms(warmSettled),
      target: '',
      status: '',
    },
  ];
  const text = [
    ...settingsLines(
      {
        runs: RUNS,
        browser: `${CHROMIUM} (headless)`,
        server: 'in-process, NODE_ENV=production, loopback',
        'cold load': 'new browser profile (empty cache) opening a one-time sign-in link',
        'warm load': 'same tab, navigation to /dashboard/ (cached assets, session from the cookie)',
        'times from': 'navigation start (performance.now in the page)',
      },
      overrides,
    ),
    '',
    `initial JS: ${size.js.files.map((file) => file.file).join(', ')} → ${kb(size.js.gzip)} gzip (${kb(size.js.bytes)} raw)`,
    `initial CSS: ${size.css.files.map((file) => file.file).join(', ')} → ${kb(size.css.gzip)} gzip (${kb(size.css.bytes)} raw)`,
    '',
    textTable(
      ['load', 'first render median', 'cards answered median', 'first render each'],
      [
        [
          'cold',
          ms(coldFirst),
          ms(coldSettled),
          timings.cold.map((mark) => mark.firstRender.toFixed(0)).join(' '),
        ],
        [
          'warm',
          ms(warmFirst),
          ms(warmSettled),
          timings.warm.map((mark) => mark.firstRender.toFixed(0)).join(' '),
        ],
      ],
    ),
  ].join('\n');
  return { text, summary };
}

export const dashboardBench: BenchModule = { name: 'dashboard', run: runDashboardBench };
