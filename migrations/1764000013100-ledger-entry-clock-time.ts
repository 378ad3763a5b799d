import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * A ledger entry is stamped with the time it is inserted (`clock_timestamp()`), not the start of
 * its transaction (`now()`), so a wallet's history, ordered by entry id, never shows a newer
 * entry with an older time than the one below it.
 *
 * With `now()` it could: a statement that started first but waited for an account's row lock (a
 * transfer batch waiting behind another posting) inserted its entries after one that started
 * later, with larger ids and an earlier time. Entries of one account are only inserted while that
 * account's row is locked (ledger_post locks every account it posts to, the batch locks all of
 * its accounts first), and the lock is held until commit; so for one account, a later insert gets
 * both a larger id (the identity is drawn at insert) and a later or equal clock time, also between
 * the transfers of one batch statement. Rows already written keep their times.
 */
export class LedgerEntryClockTime1764000013100 implements MigrationInterface {
  name = 'LedgerEntryClockTime1764000013100';

  async up(q: QueryRunner): Promise<void> {
    await q.query(
      `ALTER TABLE ledger_entries ALTER COLUMN created_at SET DEFAULT clock_timestamp()`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE ledger_entries ALTER COLUMN created_at SET DEFAULT now()`);
  }
}
