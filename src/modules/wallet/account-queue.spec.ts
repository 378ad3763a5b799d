import { AccountQueue } from './account-queue.js';

const tick = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

describe('AccountQueue', () => {
  it('runs tasks on the same key one at a time, in arrival order', async () => {
    const queue = new AccountQueue();
    const log: string[] = [];
    let running = 0;
    let maxRunning = 0;
    const task = (name: string) => async (): Promise<string> => {
      running++;
      maxRunning = Math.max(maxRunning, running);
      log.push(`start ${name}`);
      await tick();
      log.push(`end ${name}`);
      running--;
      return name;
    };
    const results = await Promise.all(
      ['a', 'b', 'c'].map((name) => queue.run(['wallet-1'], task(name))),
    );
    expect(results).toEqual(['a', 'b', 'c']);
    expect(maxRunning).toBe(1);
    expect(log).toEqual(['start a', 'end a', 'start b', 'end b', 'start c', 'end c']);
    expect(queue.size).toBe(0);
  });

  it('runs tasks on different keys concurrently', async () => {
    const queue = new AccountQueue();
    let running = 0;
    let maxRunning = 0;
    await Promise.all(
      ['x', 'y', 'z'].map((key) =>
        queue.run([key], async () => {
          running++;
          maxRunning = Math.max(maxRunning, running);
          await tick();
          running--;
        }),
      ),
    );
    expect(maxRunning).toBe(3);
  });

  it('never deadlocks on opposite-direction pairs and keeps going after a failure', async () => {
    const queue = new AccountQueue();
    const done: number[] = [];
    const tasks = Array.from({ length: 200 }, (_, i) =>
      queue.run(i % 2 === 0 ? ['a', 'b'] : ['b', 'a'], async () => {
        await tick();
        if (i === 7) throw new Error('boom');
        done.push(i);
      }),
    );
    const outcomes = await Promise.allSettled(tasks);
    expect(outcomes.filter((o) => o.status === 'rejected')).toHaveLength(1);
    expect(done).toHaveLength(199);
    expect(queue.size).toBe(0);
  });
});
