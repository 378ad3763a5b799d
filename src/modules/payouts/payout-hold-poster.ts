import { MicroBatcher } from '../../common/batching/micro-batcher.js';
import { pgError } from '../../database/pg-error.js';
import { IN_FLIGHT_SHARDS } from './payout-rows.js';

/** One withdrawal's hold: the arguments of `payout_hold`, resolved by PayoutsService. */
export interface PayoutHold {
  id: string;
  reference: string;
  userId: string;
  recipientId: string;
  walletId: string;
  inFlightId: string;
  gateway: string;
  amount: string;
  currency: string;
  status: string;
  narration: string | null;
  livemode: boolean;
  createdAt: string;
  dailyLimit: string;
  /** The Idempotency-Key claim with its response (`claimJson`), completed in the hold; or null. */
  idempotency: string | null;
}

export interface PayoutHoldResult {
  outcome: string;
  used_today: string | null;
}

/** Holds posted by one statement at most; bounds how long a batch holds its accounts. */
const MAX_BATCH = 32;
/**
 * Batches in flight at once per poster. PayoutsService keeps one poster per in-flight account
 * (shard): every hold of a batch posts into that one account, so batches of one shard would only
 * queue on its row lock; a batch never waits for the other shards (a batch over all shards had to
 * wait for each one's settlement transactions in the worker: bench/README.md).
 */
const MAX_IN_FLIGHT = 1;
/**
 * SQLSTATE classes raised by a statement that PostgreSQL then rolled back on a connection that
 * stays usable: the batch changed nothing, so its holds may run again one by one. Anything else
 * (a dropped connection, a cancelled statement) fails the batch as it is: its outcome may be
 * unknown, and a hold is never run twice to find out (a second run would be refused anyway: the
 * ledger key `withdrawal:<id>` and the payout's id are unique).
 */
const RETRY_ONE_BY_ONE = ['22', '23', '40', 'P0', 'LD', 'IK'];

/**
 * Posts withdrawals' holds. A hold arriving while the database is idle runs at once; holds
 * arriving while batches run are gathered and run together by `payout_hold_batch`: one statement
 * and one commit for the lot, each hold keeping its own outcome. A lone hold goes through the batch
 * function too, so every hold takes its locks in the same order (recipients, then accounts by id).
 * The service gives each poster the holds of one in-flight account only.
 */
export class PayoutHoldPoster {
  private readonly batcher = new MicroBatcher<PayoutHold, PayoutHoldResult | Error>(
    (holds) => this.postBatch(holds),
    { maxBatch: MAX_BATCH, maxInFlight: MAX_IN_FLIGHT, startIdleAtOnce: true },
  );

  /** `query` runs one statement outside any transaction and returns its rows (queryRows). */
  constructor(private readonly query: <R>(sql: string, params: unknown[]) => Promise<R[]>) {}

  /** Nothing waiting or running. */
  get idle(): boolean {
    return this.batcher.idle;
  }

  /** Holds waiting for the next statement. */
  get waiting(): number {
    return this.batcher.waiting;
  }

  async post(hold: PayoutHold): Promise<PayoutHoldResult> {
    const result = await this.batcher.submit(hold);
    if (result instanceof Error) throw result;
    return result;
  }

  private async postBatch(holds: PayoutHold[]): Promise<(PayoutHoldResult | Error)[]> {
    try {
      return await this.run(holds);
    } catch (error) {
      const code = pgError(error)?.code;
      if (
        holds.length === 1 ||
        code === undefined ||
        !RETRY_ONE_BY_ONE.some((prefix) => code.startsWith(prefix))
      )
        throw error;
      // Rolled back as a whole: find the hold at fault by running each on its own.
      const results: (PayoutHoldResult | Error)[] = [];
      for (const hold of holds) {
        results.push(
          await this.run([hold]).then(
            ([result]) => result,
            (failure: unknown) => (failure instanceof Error ? failure : new Error(String(failure))),
          ),
        );
      }
      return results;
    }
  }

  private async run(holds: PayoutHold[]): Promise<(PayoutHoldResult | Error)[]> {
    const rows = await this.query<{ ord: number; outcome: string; used_today: string | null }>(
      `SELECT ord, outcome, used_today FROM payout_hold_batch($1, $2, $3, $4, $5, $6, $7, $8, $9,
                                                             $10, $11, $12, $13, $14, $15)`,
      [
        holds.map((h) => h.id),
        holds.map((h) => h.reference),
        holds.map((h) => h.userId),
        holds.map((h) => h.recipientId),
        holds.map((h) => h.walletId),
        holds.map((h) => h.inFlightId),
        holds.map((h) => h.gateway),
        holds.map((h) => h.amount),
        holds.map((h) => h.currency),
        holds.map((h) => h.status),
        holds.map((h) => h.narration),
        holds.map((h) => h.livemode),
        holds.map((h) => h.createdAt),
        // One daily limit per statement: the app's, the same for every hold it gathers.
        holds[0].dailyLimit,
        holds.map((h) => h.idempotency),
      ],
    );
    const byOrdinal = new Map(rows.map((row) => [Number(row.ord), row]));
    return holds.map((hold, i) => {
      const row = byOrdinal.get(i + 1);
      return row
        ? { outcome: row.outcome, used_today: row.used_today }
        : new Error(`payout ${hold.id}: payout_hold_batch answered nothing for it`);
    });
  }
}

/**
 * In-flight shards of one currency taking holds at a time, per process. With one poster per shard
 * and each request's shard fixed in advance, 32 concurrent withdrawals over 16 shards found their
 * poster idle nearly every time: about one hold per statement and commit. Choosing the shard when
 * the request arrives gathers them: the holds arriving while a statement runs go together in the
 * next one. Measured (`npm run bench -- payouts`, api alone, 2026-12-07): 1 shard at a time
 * 716–1,032 withdrawals/s (mean 895), 2 at a time 711–803 (761), 4 at a time 565–604, 8 at a
 * time 495–557: the fewer statements, the bigger each, the less the database spends per hold. The
 * shard still changes from one statement to the next, so the settlements (which lock one shard
 * each) spread over all of them, and other processes' holds seldom meet this one's.
 */
const ACTIVE_SHARDS = 1;

/**
 * The hold posters of one currency, one per in-flight shard; a new payout's shard is chosen as its
 * hold is posted (and its id then made to name it: payoutIdInShard).
 */
export class PayoutHoldShards {
  private readonly posters: PayoutHoldPoster[];
  private accounts: Promise<string[]> | undefined;
  private nextIdle = 0;

  /**
   * `query` as PayoutHoldPoster's; `inFlightAccount` gives the id of a shard's in-flight account
   * (asked once per shard).
   */
  constructor(
    query: <R>(sql: string, params: unknown[]) => Promise<R[]>,
    private readonly inFlightAccount: (shard: number) => Promise<string>,
  ) {
    this.posters = Array.from({ length: IN_FLIGHT_SHARDS }, () => new PayoutHoldPoster(query));
  }

  /**
   * Posts the hold `build` makes for the shard chosen now, with that shard's in-flight account.
   * Nothing is awaited between the choice and the poster taking the hold, so concurrent requests
   * see each other's choices.
   */
  async post(build: (shard: number, inFlightId: string) => PayoutHold): Promise<PayoutHoldResult> {
    this.accounts ??= this.resolveAccounts();
    const accounts = await this.accounts;
    const shard = this.choose();
    return this.posters[shard].post(build(shard, accounts[shard]));
  }

  /** Every shard's account, asked once; a failure is not remembered (the next hold asks again). */
  private async resolveAccounts(): Promise<string[]> {
    try {
      const accounts: string[] = [];
      for (let shard = 0; shard < this.posters.length; shard++)
        accounts.push(await this.inFlightAccount(shard));
      return accounts;
    } catch (error) {
      this.accounts = undefined;
      throw error;
    }
  }

  /**
   * An idle shard (taken in turn, so the holds and later the settlements spread over every shard)
   * while fewer than ACTIVE_SHARDS are busy; otherwise the busy one with the fewest holds waiting,
   * which takes this one in its next statement.
   */
  private choose(): number {
    let busy = 0;
    let emptiest = -1;
    this.posters.forEach((poster, shard) => {
      if (poster.idle) return;
      busy++;
      if (emptiest < 0 || poster.waiting < this.posters[emptiest].waiting) emptiest = shard;
    });
    if (busy < ACTIVE_SHARDS || emptiest < 0) {
      for (let k = 0; k < this.posters.length; k++) {
        const shard = (this.nextIdle + k) % this.posters.length;
        if (this.posters[shard].idle) {
          this.nextIdle = shard + 1;
          return shard;
        }
      }
    }
    return emptiest;
  }
}
