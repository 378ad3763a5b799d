import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * A wallet deposit credit and its outbox event in one statement, like wallet_transfer. Settlement
 * runs it last in its transaction: ledger_post locks the gateway's clearing account, which every
 * deposit of that gateway and currency shares, and the lock is held until COMMIT. Posting, reading
 * the entry back and recording `wallet.deposit.success` as three round trips kept every other
 * settlement of that gateway waiting for all three; now the lock is held for this statement and
 * the commit only.
 */
export class WalletDeposit1764000008000 implements MigrationInterface {
  name = 'WalletDeposit1764000008000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE FUNCTION wallet_deposit(
        p_clearing uuid, p_wallet uuid, p_amount bigint, p_key text, p_reference text, p_event_id text
      ) RETURNS TABLE (outcome text, wallet_transaction jsonb) LANGUAGE plpgsql AS $$
      DECLARE
        v_outcome text;
        v_entry bigint;
        v_created_at timestamptz;
        v_view jsonb;
      BEGIN
        SELECT p.outcome, p.entry_id, p.created_at INTO v_outcome, v_entry, v_created_at
          FROM ledger_post('deposit', p_key, p_reference, NULL, NULL,
                           ARRAY[p_clearing, p_wallet], ARRAY[-p_amount, p_amount]) p
         WHERE p.account_id = p_wallet;
        IF v_outcome = 'created' THEN
          v_view := ledger_wallet_transaction(v_entry);
          INSERT INTO events (id, user_id, type, data, created_at)
          SELECT p_event_id, a.user_id, 'wallet.deposit.success', v_view, v_created_at
            FROM ledger_accounts a WHERE a.id = p_wallet;
        END IF;
        RETURN QUERY SELECT v_outcome, v_view;
      END $$`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP FUNCTION wallet_deposit(uuid, uuid, bigint, text, text, text)`);
  }
}
