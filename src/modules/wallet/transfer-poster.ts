import { MicroBatcher } from '../../common/batching/micro-batcher.js';
import type { Minor } from '../../common/money.js';
import { pgError } from '../../database/pg-error.js';

/** One wallet-to-wallet transfer, checked and resolved to ledger accounts by WalletService. */
export interface TransferPosting {
  senderId: string;
  recipientId: string;
  amount: Minor;
  reference: string;
  narration: string | null;
  /** Id of the recipient's `wallet.transfer.received` outbox event. */
  eventId: string;
  /**
   * The request's Idempotency-Key claim with its response (`claimJson`), completed in the
   * transfer's own statement and commit; null or absent without a key.
   */
  idempotency?: string | null;
}

export type TransferOutcome = 'created' | 'insufficient_funds';

/** The six parallel arrays of the ledger side of `wallet_transfer_batch`, in its parameter order. */
export function batchArguments(postings: TransferPosting[]): unknown[] {
  return [
    postings.map((p) => p.senderId),
    postings.map((p) => p.recipientId),
    postings.map((p) => String(p.amount)),
    postings.map((p) => p.reference),
    postings.map((p) => p.narration),
    postings.map((p) => p.eventId),
  ];
}

/** Transfers posted by one statement at most; bounds how long a batch holds its accounts. */
const MAX_BATCH = 64;
/**
 * Batches in flight at once: enough to keep both cores of the database busy while the next batch
 * gathers (4 measured faster than 2: bench/README.md), few enough that a
 * busy wallet's batches do not pile up on its row lock or take the whole pool.
 */
const MAX_IN_FLIGHT = 4;

/**
 * SQLSTATE classes the database raises while executing a statement it then rolls back, on a
 * connection that stays usable: a batch failing with one of these changed nothing, so its
 * transfers can safely be posted again one by one. Anything else (a dropped connection, a
 * cancelled statement) fails the batch as it is: the outcome may be unknown, and a transfer is
 * never posted twice to find out.
 */
const RETRY_ONE_BY_ONE = ['22', '23', '40', 'P0', 'LD', 'IK'];

/**
 * Posts wallet transfers through the ledger. A transfer arriving while the database is idle is
 * posted at once by `wallet_transfer`; transfers arriving while batches run are gathered and
 * posted together by `wallet_transfer_batch`: one statement and one commit for the lot, each
 * transfer keeping its own outcome. Under load that divides the per-transaction cost of the
 * database (round trip, snapshot, commit flush) by the batch size, and a busy sender's transfers
 * share one hold of its row lock instead of queueing for it one commit at a time.
 *
 * Atomicity is per transfer as before: a transfer either commits with its entries, outbox event
 * and Idempotency-Key response or not at all. A transfer whose key another attempt took over
 * raises in the statement (IK001): the batch rolls back and is posted one by one, where that
 * transfer alone fails. If a batch fails as a whole (it should not: a shortfall is an outcome, not
 * an error), its transfers are posted again one by one, so only the one at fault fails.
 */
export class TransferPoster {
  private readonly batcher = new MicroBatcher<TransferPosting, TransferOutcome | Error>(
    (postings) => this.postBatch(postings),
    { maxBatch: MAX_BATCH, maxInFlight: MAX_IN_FLIGHT, startIdleAtOnce: true },
  );

  /** `query` runs one statement outside any transaction and returns its rows (queryRows). */
  constructor(private readonly query: <R>(sql: string, params: unknown[]) => Promise<R[]>) {}

  async post(posting: TransferPosting): Promise<TransferOutcome> {
    const outcome = await this.batcher.submit(posting);
    if (outcome instanceof Error) throw outcome;
    return outcome;
  }

  private async postBatch(postings: TransferPosting[]): Promise<(TransferOutcome | Error)[]> {
    if (postings.length === 1) return [await this.postOne(postings[0])];
    let rows: { ord: number; outcome: string }[];
    try {
      rows = await this.query(
        `SELECT ord, outcome FROM wallet_transfer_batch($1, $2, $3, $4, $5, $6, $7)`,
        [...batchArguments(postings), postings.map((p) => p.idempotency ?? null)],
      );
    } catch (error) {
      const code = pgError(error)?.code;
      if (code === undefined || !RETRY_ONE_BY_ONE.some((prefix) => code.startsWith(prefix)))
        throw error;
      // Rolled back as a whole: find the transfer at fault by posting each on its own.
      const outcomes: (TransferOutcome | Error)[] = [];
      for (const posting of postings) {
        outcomes.push(
          await this.postOne(posting).catch((failure: unknown) =>
            failure instanceof Error ? failure : new Error(String(failure)),
          ),
        );
      }
      return outcomes;
    }
    const byOrdinal = new Map(rows.map((row) => [Number(row.ord), row.outcome]));
    return postings.map((posting, i) => this.outcomeOf(posting, byOrdinal.get(i + 1)));
  }

  private async postOne(posting: TransferPosting): Promise<TransferOutcome> {
    const rows = await this.query<{ outcome: string }>(
      `SELECT outcome FROM wallet_transfer($1, $2, $3, $4, $5, $6, $7)`,
      [
        posting.senderId,
        posting.recipientId,
        String(posting.amount),
        posting.reference,
        posting.narration,
        posting.eventId,
        posting.idempotency ?? null,
      ],
    );
    const outcome = this.outcomeOf(posting, rows[0]?.outcome);
    if (outcome instanceof Error) throw outcome;
    return outcome;
  }

  private outcomeOf(
    posting: TransferPosting,
    outcome: string | undefined,
  ): TransferOutcome | Error {
    if (outcome === 'created' || outcome === 'insufficient_funds') return outcome;
    return new Error(`transfer ${posting.reference} was not posted: ${String(outcome)}`);
  }
}
