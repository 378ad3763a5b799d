import 'reflect-metadata';

/** A benchmark: runs on demand (`npm run bench [name…]`), never in `npm test`, and reports as text. */
export interface BenchModule {
  name: string;
  run(): Promise<string>;
}

/** Every benchmark, loaded lazily so one's imports do not slow another. Append new ones here. */
const BENCHES: { name: string; load: () => Promise<BenchModule> }[] = [
  { name: 'transfers', load: async () => (await import('./transfers.bench.js')).transfersBench },
  { name: 'webhook-deliveries', load: async () => (await import('./deliveries.bench.js')).deliveriesBench },
];

const wanted = process.argv.slice(2);
const unknown = wanted.filter((name) => !BENCHES.some((bench) => bench.name === name));
if (unknown.length > 0) {
  console.error(`unknown benchmark(s): ${unknown.join(', ')}; known: ${BENCHES.map((b) => b.name).join(', ')}`);
  process.exit(2);
}

let failed = false;
for (const bench of BENCHES.filter((b) => wanted.length === 0 || wanted.includes(b.name))) {
  const started = performance.now();
  console.log(`\n=== ${bench.name} ===`);
  try {
    const output = await (await bench.load()).run();
    console.log(output);
    console.log(`(${bench.name} took ${((performance.now() - started) / 1000).toFixed(1)} s)`);
  } catch (error) {
    failed = true;
    console.error(`${bench.name} failed:`, error);
  }
}
process.exit(failed ? 1 : 0);
