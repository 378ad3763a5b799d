import { MicroBatcher } from './micro-batcher.js';

function deferred<T>(): { promise: Promise<T>; resolve: (value: T) => void } {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((r) => (resolve = r));
  return { promise, resolve };
}

describe('MicroBatcher', () => {
  it('runs items submitted together as one batch and gives each caller its own result', async () => {
    const batches: number[][] = [];
    const batcher = new MicroBatcher<number, number>(
      (items) => {
        batches.push(items);
        return Promise.resolve(items.map((item) => item * 10));
      },
      { maxBatch: 100, maxInFlight: 1 },
    );
    const results = await Promise.all([1, 2, 3].map((item) => batcher.submit(item)));
    expect(results).toEqual([10, 20, 30]);
    expect(batches).toEqual([[1, 2, 3]]);
    expect(batcher.idle).toBe(true);
  });

  it('collects items arriving while every slot is busy into the next batch, in order', async () => {
    const batches: number[][] = [];
    const gates: { resolve: (value: number[]) => void }[] = [];
    const batcher = new MicroBatcher<number, number>(
      (items) => {
        batches.push(items);
        const gate = deferred<number[]>();
        gates.push(gate);
        return gate.promise;
      },
      { maxBatch: 100, maxInFlight: 1 },
    );
    const first = batcher.submit(1);
    await new Promise((resolve) => setImmediate(resolve));
    const later = [2, 3, 4].map((item) => batcher.submit(item));
    await new Promise((resolve) => setImmediate(resolve));
    expect(batches).toEqual([[1]]);
    gates[0].resolve([1]);
    expect(await first).toBe(1);
    await new Promise((resolve) => setImmediate(resolve));
    expect(batches).toEqual([[1], [2, 3, 4]]);
    gates[1].resolve([2, 3, 4]);
    expect(await Promise.all(later)).toEqual([2, 3, 4]);
  });

  it('splits at maxBatch and runs up to maxInFlight batches at once', async () => {
    const sizes: number[] = [];
    let running = 0;
    let mostAtOnce = 0;
    const batcher = new MicroBatcher<number, number>(
      async (items) => {
        sizes.push(items.length);
        running++;
        mostAtOnce = Math.max(mostAtOnce, running);
        await new Promise((resolve) => setImmediate(resolve));
        running--;
        return items;
      },
      { maxBatch: 3, maxInFlight: 2 },
    );
    await Promise.all(Array.from({ length: 10 }, (_, i) => batcher.submit(i)));
    expect(sizes.reduce((a, b) => a + b, 0)).toBe(10);
    expect(Math.max(...sizes)).toBeLessThanOrEqual(3);
    expect(mostAtOnce).toBe(2);
  });

  it('with startIdleAtOnce, starts a lone call at once and groups only what arrives while it runs', async () => {
    const batches: number[][] = [];
    const batcher = new MicroBatcher<number, number>(
      async (items) => {
        batches.push(items);
        await new Promise((resolve) => setImmediate(resolve));
        return items;
      },
      { maxBatch: 100, maxInFlight: 1, startIdleAtOnce: true },
    );
    const all = [1, 2, 3].map((item) => batcher.submit(item));
    expect(batches).toEqual([[1]]);
    expect(await Promise.all(all)).toEqual([1, 2, 3]);
    expect(batches).toEqual([[1], [2, 3]]);
  });

  it('rejects every caller of a batch that fails, and keeps serving later ones', async () => {
    let fail = true;
    const batcher = new MicroBatcher<number, number>(
      (items) => (fail ? Promise.reject(new Error('database is down')) : Promise.resolve(items)),
      { maxBatch: 100, maxInFlight: 1 },
    );
    const failed = await Promise.allSettled([batcher.submit(1), batcher.submit(2)]);
    expect(failed.map((result) => result.status)).toEqual(['rejected', 'rejected']);
    fail = false;
    expect(await batcher.submit(3)).toBe(3);
  });

  it('refuses a run that returns the wrong number of results', async () => {
    const batcher = new MicroBatcher<number, number>(() => Promise.resolve([]), {
      maxBatch: 100,
      maxInFlight: 1,
    });
    await expect(batcher.submit(1)).rejects.toThrow('returned 0 results');
  });
});
