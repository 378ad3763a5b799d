import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The ledger's functions plan their statements once per connection and keep the plan (a generic
 * plan: their statements look rows up by key, so no parameter value changes the best plan). A
 * plan is chosen for the table as it is when the connection first runs the function, and a ledger
 * starts empty: on a table of a few pages a sequential scan is the cheapest way to find a row, and
 * that plan stayed in use as the table grew, until an ANALYZE happened to invalidate it (never,
 * with autovacuum off). Measured: the deferred balance check scanned every entry of the ledger
 * for every transfer. With sequential scans off inside these functions, their plans use the keys'
 * indexes whatever the size of the table when they are made.
 */
const FUNCTIONS = [
  'ledger_post(text, text, text, text, uuid, uuid[], bigint[])',
  'ledger_apply_entry()',
  'ledger_check_transfer_balanced()',
  'ledger_wallet_transaction(bigint)',
  'wallet_transfer(uuid, uuid, bigint, text, text, text)',
  'wallet_transfer_batch(uuid[], uuid[], bigint[], text[], text[], text[])',
  'wallet_deposit(uuid, uuid, bigint, text, text, text)',
];

export class LedgerIndexPlans1764000011000 implements MigrationInterface {
  name = 'LedgerIndexPlans1764000011000';

  async up(q: QueryRunner): Promise<void> {
    for (const fn of FUNCTIONS) {
      await q.query(
        `ALTER FUNCTION ${fn} SET enable_seqscan = off SET plan_cache_mode = force_generic_plan`,
      );
    }
  }

  async down(q: QueryRunner): Promise<void> {
    for (const fn of FUNCTIONS) await q.query(`ALTER FUNCTION ${fn} RESET ALL`);
  }
}
