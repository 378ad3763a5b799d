import 'reflect-metadata';
import { textTable } from './bench-kit.js';

/** One line of the table `npm run bench` prints at the end, across every benchmark. */
export interface SummaryRow {
  bench: string;
  metric: string;
  value: string;
  /** '' when the figure has no target of its own (context for the others). */
  target: string;
  /** 'met', 'MISSED' or ''. */
  status: string;
}

/** A benchmark: runs on demand (`npm run bench [name…]`), never in `npm test`, and reports as text. */
export interface BenchModule {
  name: string;
  run(): Promise<string | { text: string; summary: SummaryRow[] }>;
}

/** Every benchmark, loaded lazily so one's imports do not slow another. Append new ones here. */
const BENCHES: { name: string; load: () => Promise<BenchModule> }[] = [
  { name: 'transfers', load: async () => (await import('./transfers.bench.js')).transfersBench },
  {
    name: 'webhook-deliveries',
    load: async () => (await import('./deliveries.bench.js')).deliveriesBench,
  },
  { name: 'ingest', load: async () => (await import('./ingest.bench.js')).ingestBench },
  { name: 'dashboard', load: async () => (await import('./dashboard.bench.js')).dashboardBench },
  {
    name: 'notifications',
    load: async () => (await import('./notifications.bench.js')).notificationsBench,
  },
  { name: 'checkout', load: async () => (await import('./checkout.bench.js')).checkoutBench },
  { name: 'payouts', load: async () => (await import('./payouts.bench.js')).payoutsBench },
];

const wanted = process.argv.slice(2);
const unknown = wanted.filter((name) => !BENCHES.some((bench) => bench.name === name));
if (unknown.length > 0) {
  console.error(
    `unknown benchmark(s): ${unknown.join(', ')}; known: ${BENCHES.map((b) => b.name).join(', ')}`,
  );
  process.exit(2);
}

function table(rows: SummaryRow[]): string {
  return textTable(
    ['bench', 'metric', 'value', 'target', 'status'],
    rows.map((row) => [row.bench, row.metric, row.value, row.target, row.status]),
  );
}

let failed = false;
const summary: SummaryRow[] = [];
// Some benches set process.env for the app they start in-process; each starts from the same env.
const pristineEnv = { ...process.env };
for (const bench of BENCHES.filter((b) => wanted.length === 0 || wanted.includes(b.name))) {
  process.env = { ...pristineEnv };
  const started = performance.now();
  console.log(`\n=== ${bench.name} ===`);
  try {
    const output = await (await bench.load()).run();
    console.log(typeof output === 'string' ? output : output.text);
    if (typeof output !== 'string') summary.push(...output.summary);
    console.log(`(${bench.name} took ${((performance.now() - started) / 1000).toFixed(1)} s)`);
  } catch (error) {
    failed = true;
    console.error(`${bench.name} failed:`, error);
    summary.push({
      bench: bench.name,
      metric: '(run)',
      value: 'failed',
      target: '',
      status: 'FAILED',
    });
  }
}
console.log(`\n=== summary (${new Date().toISOString()}) ===\n${table(summary)}`);
process.exit(failed ? 1 : 0);
