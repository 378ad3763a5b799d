import type { MigrationInterface, QueryRunner } from 'typeorm';

/** The batch as this migration made it (1765800000000's `down` puts it back). */
export const PAYOUT_HOLD_BATCH_ONE_BY_ONE = `
      CREATE FUNCTION payout_hold_batch(p_ids uuid[], p_references text[], p_users uuid[],
                                        p_recipients uuid[], p_wallets uuid[], p_in_flights uuid[],
                                        p_gateways text[], p_amounts bigint[], p_currencies text[],
                                        p_statuses text[], p_narrations text[],
                                        p_livemodes boolean[], p_created_ats timestamptz[],
                                        p_daily_limit bigint, p_idempotency jsonb[])
        RETURNS TABLE(ord integer, outcome text, used_today bigint)
        LANGUAGE plpgsql
        SET enable_seqscan TO 'off'
        SET plan_cache_mode TO 'force_generic_plan'
        AS $$
      #variable_conflict use_column
      DECLARE
        v_count int := coalesce(cardinality(p_ids), 0);
        v_outcome text;
        v_used bigint;
      BEGIN
        IF coalesce(cardinality(p_references), 0) <> v_count
           OR coalesce(cardinality(p_users), 0) <> v_count
           OR coalesce(cardinality(p_recipients), 0) <> v_count
           OR coalesce(cardinality(p_wallets), 0) <> v_count
           OR coalesce(cardinality(p_in_flights), 0) <> v_count
           OR coalesce(cardinality(p_gateways), 0) <> v_count
           OR coalesce(cardinality(p_amounts), 0) <> v_count
           OR coalesce(cardinality(p_currencies), 0) <> v_count
           OR coalesce(cardinality(p_statuses), 0) <> v_count
           OR coalesce(cardinality(p_narrations), 0) <> v_count
           OR coalesce(cardinality(p_livemodes), 0) <> v_count
           OR coalesce(cardinality(p_created_ats), 0) <> v_count
           OR coalesce(cardinality(p_idempotency), 0) <> v_count THEN
          RAISE EXCEPTION USING ERRCODE = 'LD002', MESSAGE = 'payout_hold_batch needs arrays of one length';
        END IF;
        PERFORM 1 FROM payout_recipients WHERE id = ANY(p_recipients) ORDER BY id FOR SHARE;
        PERFORM 1 FROM ledger_accounts WHERE id = ANY(p_wallets || p_in_flights) ORDER BY id FOR UPDATE;
        FOR i IN 1 .. v_count LOOP
          SELECT h.outcome, h.used_today INTO v_outcome, v_used
            FROM payout_hold(p_ids[i], p_references[i], p_users[i], p_recipients[i], p_wallets[i],
                             p_in_flights[i], p_gateways[i], p_amounts[i], p_currencies[i],
                             p_statuses[i], p_narrations[i], p_livemodes[i], p_created_ats[i],
                             p_daily_limit, p_idempotency[i]) h;
          ord := i;
          outcome := v_outcome;
          used_today := v_used;
          RETURN NEXT;
        END LOOP;
      END $$`;

/**
 * Many withdrawals' holds in one statement and one commit (as `wallet_transfer_batch` is for
 * transfers): the request path gathers the holds that arrive while others run. Every recipient is
 * share-locked, then every wallet and in-flight account locked in id order, before the first hold,
 * so batches running at once (and every other ledger posting, which locks in id order too) cannot
 * deadlock on each other; then each hold runs `payout_hold` as before, with its own outcome. A
 * hold's day total sees the holds before it in the batch (the same transaction). Atomic per
 * withdrawal as before: one that is refused (an outcome, not an error) writes nothing; an error
 * rolls back the whole batch and the app runs its holds again one by one.
 */
export class PayoutHoldBatch1765700000000 implements MigrationInterface {
  name = 'PayoutHoldBatch1765700000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(PAYOUT_HOLD_BATCH_ONE_BY_ONE);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(
      `DROP FUNCTION payout_hold_batch(uuid[], text[], uuid[], uuid[], uuid[], uuid[], text[], bigint[], text[], text[], text[], boolean[], timestamptz[], bigint, jsonb[])`,
    );
  }
}
