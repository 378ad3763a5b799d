import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Many wallet transfers in one statement and one commit. The service gathers transfers that
 * arrive together (under load) and posts them here instead of one `wallet_transfer` round trip
 * and one commit each; every transfer keeps its own outcome (`created` or
 * `insufficient_funds`), checked against the balance left by the transfers before it.
 *
 * Every account of the batch is locked first, once, in id order, like ledger_post does for one
 * transfer: a batch waits for another batch or posting holding one of its accounts but can never
 * deadlock with it. Any error (none is expected: shortfalls are outcomes, not errors) rolls the
 * whole batch back, and the service then posts its transfers one by one so that only the
 * transfer at fault fails.
 */
export class WalletTransferBatch1764000010000 implements MigrationInterface {
  name = 'WalletTransferBatch1764000010000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE FUNCTION wallet_transfer_batch(
        p_senders uuid[], p_recipients uuid[], p_amounts bigint[], p_references text[],
        p_narrations text[], p_event_ids text[]
      ) RETURNS TABLE (ord int, outcome text, wallet_transaction jsonb) LANGUAGE plpgsql AS $$
      #variable_conflict use_column
      DECLARE
        v_count int := coalesce(cardinality(p_senders), 0);
        v_outcome text;
        v_view jsonb;
      BEGIN
        IF cardinality(p_recipients) <> v_count OR cardinality(p_amounts) <> v_count
           OR cardinality(p_references) <> v_count OR cardinality(p_narrations) <> v_count
           OR cardinality(p_event_ids) <> v_count THEN
          RAISE EXCEPTION USING ERRCODE = 'LD002', MESSAGE = 'wallet_transfer_batch needs arrays of one length';
        END IF;
        PERFORM 1 FROM ledger_accounts WHERE id = ANY(p_senders || p_recipients) ORDER BY id FOR UPDATE;
        FOR i IN 1 .. v_count LOOP
          SELECT t.outcome, t.wallet_transaction INTO v_outcome, v_view
            FROM wallet_transfer(p_senders[i], p_recipients[i], p_amounts[i], p_references[i],
                                 p_narrations[i], p_event_ids[i]) t;
          ord := i;
          outcome := v_outcome;
          wallet_transaction := v_view;
          RETURN NEXT;
        END LOOP;
      END $$`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(
      `DROP FUNCTION wallet_transfer_batch(uuid[], uuid[], bigint[], text[], text[], text[])`,
    );
  }
}
