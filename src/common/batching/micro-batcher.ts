/**
 * Coalesces concurrent calls into batches: `submit` waits for its item's result from `run`, which
 * handles many items in one round trip. A flush starts when fewer than `maxInFlight` are running
 * (after the current turn of the event loop, so items arriving together share it); items that
 * arrive while every slot is busy wait for the next free one and go together. Under light load a
 * call costs one turn of the event loop more than calling `run` with one item; under heavy load
 * the number of round trips (and syscalls, and commits) falls with the batch size.
 *
 * `run` must return one result per item, in order; if it throws, every item of that batch gets
 * the error.
 */
export class MicroBatcher<I, O> {
  private pending: { item: I; resolve: (result: O) => void; reject: (error: unknown) => void }[] =
    [];
  private inFlight = 0;
  private scheduled = false;

  constructor(
    private readonly run: (items: I[]) => Promise<O[]>,
    private readonly options: {
      maxBatch: number;
      maxInFlight: number;
      /**
       * When nothing is running, start at once instead of after the current turn: a lone call
       * (e.g. one user's request) pays no extra latency; only calls arriving while a batch runs
       * are grouped.
       */
      startIdleAtOnce?: boolean;
    },
  ) {}

  submit(item: I): Promise<O> {
    return new Promise<O>((resolve, reject) => {
      this.pending.push({ item, resolve, reject });
      this.schedule();
    });
  }

  /** Items submitted and not yet handed to `run`. */
  get waiting(): number {
    return this.pending.length;
  }

  /** True when nothing is waiting or running (lets owners of many batchers drop idle ones). */
  get idle(): boolean {
    return this.pending.length === 0 && this.inFlight === 0 && !this.scheduled;
  }

  private schedule(): void {
    if (this.scheduled || this.inFlight >= this.options.maxInFlight || this.pending.length === 0)
      return;
    if (this.options.startIdleAtOnce && this.inFlight === 0) {
      this.flush();
      return;
    }
    this.scheduled = true;
    setImmediate(() => {
      this.scheduled = false;
      this.flush();
    });
  }

  private flush(): void {
    while (this.inFlight < this.options.maxInFlight && this.pending.length > 0) {
      const batch = this.pending.splice(0, this.options.maxBatch);
      this.inFlight++;
      void this.runBatch(batch).finally(() => {
        this.inFlight--;
        this.flush();
      });
    }
  }

  private async runBatch(batch: MicroBatcher<I, O>['pending']): Promise<void> {
    try {
      const results = await this.run(batch.map((waiter) => waiter.item));
      if (results.length !== batch.length)
        throw new Error(`a batch of ${batch.length} returned ${results.length} results`);
      batch.forEach((waiter, i) => waiter.resolve(results[i]));
    } catch (error) {
      for (const waiter of batch) waiter.reject(error);
    }
  }
}
