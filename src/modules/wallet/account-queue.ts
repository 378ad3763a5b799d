/**
 * Runs tasks one at a time per key, in arrival order, within this process. Transfers touching the
 * same wallet queue here instead of as waiters on the wallet's row lock in Postgres, where every
 * commit wakes all waiters at once and a busy wallet spends its time on that herd. Correctness
 * never depends on it (other processes, and the database's own locks, still apply); it only keeps
 * one transaction per wallet in flight from this process.
 */
export class AccountQueue {
  private readonly tails = new Map<string, Promise<void>>();

  /** Runs `task` once every earlier task holding any of `keys` has finished. */
  async run<T>(keys: readonly string[], task: () => Promise<T>): Promise<T> {
    // One order for everyone, as with the database locks: no two tasks can wait on each other.
    const sorted = [...new Set(keys)].sort();
    const releases: (() => void)[] = [];
    try {
      for (const key of sorted) releases.push(await this.acquire(key));
      return await task();
    } finally {
      for (const release of releases.reverse()) release();
    }
  }

  /** Keys with a task queued or running (for tests and metrics). */
  get size(): number {
    return this.tails.size;
  }

  private async acquire(key: string): Promise<() => void> {
    const previous = this.tails.get(key) ?? Promise.resolve();
    let release!: () => void;
    const held = new Promise<void>((resolve) => {
      release = resolve;
    });
    const tail = previous.then(() => held);
    this.tails.set(key, tail);
    await previous;
    return () => {
      release();
      if (this.tails.get(key) === tail) this.tails.delete(key);
    };
  }
}
