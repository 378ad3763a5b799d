import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The withdrawal's hold as one statement (as `wallet_transfer` is for transfers): the recipient
 * re-checked and share-locked, the wallet locked, the day's total read under that lock, the hold
 * posted into payouts_in_flight, the payout row written and the Idempotency-Key completed. One
 * round trip, and the locks are held for the statement only, not across the app's round trips.
 */
export class PayoutHold1765000001000 implements MigrationInterface {
  name = 'PayoutHold1765000001000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE FUNCTION payout_hold(p_id uuid, p_reference text, p_user uuid, p_recipient uuid,
                                  p_wallet uuid, p_in_flight uuid, p_gateway text, p_amount bigint,
                                  p_currency text, p_status text, p_narration text,
                                  p_livemode boolean, p_created_at timestamptz,
                                  p_daily_limit bigint, p_idempotency jsonb)
        RETURNS TABLE(outcome text, used_today bigint)
        LANGUAGE plpgsql
        SET enable_seqscan TO 'off'
        SET plan_cache_mode TO 'force_generic_plan'
        AS $$
      #variable_conflict use_column
      DECLARE
        v_used bigint;
        v_outcome text;
        v_transfer uuid;
      BEGIN
        IF p_amount IS NULL OR p_amount <= 0 THEN
          RAISE EXCEPTION USING ERRCODE = 'LD002', MESSAGE = 'a withdrawal amount must be positive';
        END IF;
        PERFORM 1 FROM payout_recipients
          WHERE id = p_recipient AND user_id = p_user AND deleted_at IS NULL FOR SHARE;
        IF NOT FOUND THEN
          RETURN QUERY SELECT 'recipient_not_found'::text, NULL::bigint;
          RETURN;
        END IF;
        PERFORM 1 FROM ledger_accounts WHERE id = p_wallet AND user_id = p_user FOR UPDATE;
        IF NOT FOUND THEN
          RAISE EXCEPTION USING ERRCODE = 'LD003', MESSAGE = 'unknown wallet';
        END IF;
        SELECT coalesce(sum(amount), 0) INTO v_used FROM payouts
         WHERE user_id = p_user
           AND created_at >= date_trunc('day', now() AT TIME ZONE 'UTC') AT TIME ZONE 'UTC'
           AND status NOT IN ('failed', 'rejected', 'reversed');
        IF v_used + p_amount > p_daily_limit THEN
          RETURN QUERY SELECT 'daily_limit'::text, v_used;
          RETURN;
        END IF;
        SELECT p.outcome, p.transfer_id INTO v_outcome, v_transfer
          FROM ledger_post('withdrawal', 'withdrawal:' || p_id::text, p_reference, p_narration, NULL,
                           ARRAY[p_wallet, p_in_flight], ARRAY[-p_amount, p_amount]) p
         LIMIT 1;
        IF v_outcome <> 'created' THEN
          RETURN QUERY SELECT v_outcome, v_used;
          RETURN;
        END IF;
        INSERT INTO payouts (id, reference, user_id, recipient_id, gateway, amount, currency, status,
                             narration, livemode, hold_transfer_id, created_at)
        VALUES (p_id, p_reference, p_user, p_recipient, p_gateway, p_amount, p_currency, p_status,
                p_narration, p_livemode, v_transfer, p_created_at);
        PERFORM idempotency_complete(p_idempotency);
        RETURN QUERY SELECT 'created'::text, v_used;
      END $$`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(
      `DROP FUNCTION payout_hold(uuid, text, uuid, uuid, uuid, uuid, text, bigint, text, text, text, boolean, timestamptz, bigint, jsonb)`,
    );
  }
}
