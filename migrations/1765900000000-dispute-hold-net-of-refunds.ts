import type { MigrationInterface, QueryRunner } from 'typeorm';
import { DISPUTE_SYNC_LEDGER_V1 } from './1765300000000-disputes.js';

/**
 * A dispute on a wallet deposit held the whole disputed amount from the user's wallet, even when
 * the deposit had already been refunded: refund 10,000 of a 10,000 deposit, then a dispute of
 * 10,000 took another 10,000 (the wallet, or a receivable), and losing it kept it. The user paid
 * the money back twice. (A refund after a dispute was already refused: refunds_refuse_disputed.)
 *
 * `disputes.hold_amount` is what the dispute holds from the user: the disputed amount, less what
 * the payment's succeeded refunds and its other disputes not won already took back, never below
 * 0 (a refund still in flight is not counted: gateways refuse to refund a disputed charge, and the
 * failed refund's credit back then pays the hold's receivable); DisputesService decides it under the payment's row
 * lock when the dispute is first recorded, and it never changes. `dispute_sync_ledger` holds,
 * releases and loses `hold_amount` instead of `amount`; a dispute with nothing left to hold posts
 * nothing (`hold_state` 'recorded', as on a plain payment). What the gateway takes beyond it is the
 * platform's to contest with the refund as evidence. Existing disputes keep holding their amount.
 *
 * `payments.disputed` is now worked out from all of the payment's disputes (open if one is open,
 * else lost if one was lost, else won), not copied from the dispute synced last: a won dispute
 * after a lost one showed the payment won, and a repeated report of an older dispute overwrote a
 * newer one's state.
 */
export class DisputeHoldNetOfRefunds1765900000000 implements MigrationInterface {
  name = 'DisputeHoldNetOfRefunds1765900000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE disputes ADD COLUMN hold_amount bigint`);
    await q.query(`UPDATE disputes SET hold_amount = amount`);
    await q.query(`ALTER TABLE disputes ALTER COLUMN hold_amount SET NOT NULL`);
    await q.query(
      `ALTER TABLE disputes ADD CONSTRAINT disputes_hold_amount_check CHECK (hold_amount >= 0 AND hold_amount <= amount)`,
    );
    // A hold takes hold_amount (from the wallet, the rest as a receivable), no longer amount.
    await q.query(`ALTER TABLE disputes DROP CONSTRAINT disputes_check`);
    await q.query(
      `ALTER TABLE disputes ADD CONSTRAINT disputes_hold_split_check CHECK (held_from_wallet + receivable_recorded IN (0, hold_amount))`,
    );
    await q.query(`
      CREATE OR REPLACE FUNCTION dispute_sync_ledger(p_dispute uuid) RETURNS TABLE (move text)
      LANGUAGE plpgsql SET enable_seqscan TO 'off' AS $$
      DECLARE
        d disputes%ROWTYPE;
        v_purpose text;
        v_wallet uuid;
        v_balance bigint;
        v_receivable uuid;
        v_held uuid;
        v_clearing uuid;
        v_from_wallet bigint;
        v_short bigint;
        v_accounts uuid[];
        v_amounts bigint[];
        v_narration text;
        v_outcome text;
      BEGIN
        SELECT * INTO d FROM disputes WHERE id = p_dispute FOR UPDATE;
        IF NOT FOUND THEN
          RAISE EXCEPTION USING ERRCODE = 'DP002', MESSAGE = format('no dispute %s', p_dispute);
        END IF;
        SELECT p.purpose INTO v_purpose FROM payments p WHERE p.id = d.payment_id;
        -- From all of the payment's disputes, not the one synced last: one still open makes it
        -- open, else one lost makes it lost, else won.
        UPDATE payments p SET disputed = (
                 SELECT CASE WHEN bool_or(x.status IN ('open', 'under_review')) THEN 'open'
                             WHEN bool_or(x.status IN ('lost', 'accepted')) THEN 'lost'
                             ELSE 'won' END
                   FROM disputes x WHERE x.payment_id = d.payment_id),
               updated_at = now()
         WHERE p.id = d.payment_id;
        IF v_purpose <> 'wallet_deposit' THEN
          -- A plain payment never entered the ledger: the hold is recorded on the dispute alone.
          UPDATE disputes SET hold_state = 'recorded' WHERE id = d.id AND hold_state <> 'recorded';
          RETURN;
        END IF;
        IF d.hold_amount = 0 THEN
          -- All of it was refunded before the dispute came: the user owes nothing more for it.
          UPDATE disputes SET hold_state = 'recorded' WHERE id = d.id AND hold_state <> 'recorded';
          RETURN;
        END IF;

        -- The wallet first (see the lock order above), then the user's dispute accounts.
        SELECT a.id, a.balance INTO v_wallet, v_balance FROM ledger_accounts a
         WHERE a.user_id = d.user_id AND a.kind = 'user_wallet' FOR UPDATE;
        IF v_wallet IS NULL THEN
          RAISE EXCEPTION USING ERRCODE = 'LD003', MESSAGE = format('user %s has no wallet', d.user_id);
        END IF;
        v_receivable := ledger_system_account('dispute_receivable:' || d.user_id::text, d.currency);
        v_held := ledger_system_account('disputes_held:' || d.user_id::text, d.currency);
        v_narration := left(format('Dispute %s on %s', d.gateway_dispute_id, d.payment_reference), 255);

        IF NOT EXISTS (SELECT 1 FROM ledger_transfers t WHERE t.key = 'dispute_hold:' || d.id::text) THEN
          v_from_wallet := least(v_balance, d.hold_amount);
          v_short := d.hold_amount - v_from_wallet;
          v_accounts := ARRAY[v_held];
          v_amounts := ARRAY[d.hold_amount];
          IF v_from_wallet > 0 THEN
            v_accounts := v_accounts || v_wallet;
            v_amounts := v_amounts || -v_from_wallet;
          END IF;
          IF v_short > 0 THEN
            v_accounts := v_accounts || v_receivable;
            v_amounts := v_amounts || -v_short;
          END IF;
          SELECT p.outcome INTO v_outcome
            FROM ledger_post('dispute_hold', 'dispute_hold:' || d.id::text, 'DSPH-' || d.id::text,
                             v_narration, NULL, v_accounts, v_amounts) p LIMIT 1;
          IF v_outcome <> 'created' THEN
            RAISE EXCEPTION USING ERRCODE = 'DP003',
              MESSAGE = format('the hold of dispute %s was not posted (%s)', d.id, v_outcome);
          END IF;
          UPDATE disputes SET held_from_wallet = v_from_wallet, receivable_recorded = v_short,
                              hold_state = 'held', updated_at = now()
           WHERE id = d.id;
          move := 'hold';
          RETURN NEXT;
        END IF;

        IF d.status = 'won'
           AND NOT EXISTS (SELECT 1 FROM ledger_transfers t WHERE t.key = 'dispute_release:' || d.id::text) THEN
          PERFORM 1 FROM ledger_post('dispute_release', 'dispute_release:' || d.id::text, 'DSPR-' || d.id::text,
                                     v_narration, NULL, ARRAY[v_held, v_wallet], ARRAY[-d.hold_amount, d.hold_amount]);
          UPDATE disputes SET hold_state = 'released', updated_at = now() WHERE id = d.id;
          move := 'release';
          RETURN NEXT;
        ELSIF d.status IN ('lost', 'accepted')
           AND NOT EXISTS (SELECT 1 FROM ledger_transfers t WHERE t.key = 'dispute_loss:' || d.id::text) THEN
          v_clearing := ledger_system_account('clearing:' || d.gateway || ':' || d.currency, d.currency);
          PERFORM 1 FROM ledger_post('dispute_loss', 'dispute_loss:' || d.id::text, 'DSPR-' || d.id::text,
                                     v_narration, NULL, ARRAY[v_held, v_clearing], ARRAY[-d.hold_amount, d.hold_amount]);
          UPDATE disputes SET hold_state = 'lost', updated_at = now() WHERE id = d.id;
          move := 'loss';
          RETURN NEXT;
        END IF;
      END $$`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP FUNCTION dispute_sync_ledger(uuid)`);
    await q.query(DISPUTE_SYNC_LEDGER_V1);
    await q.query(`ALTER TABLE disputes DROP CONSTRAINT disputes_hold_split_check`);
    await q.query(
      `ALTER TABLE disputes ADD CONSTRAINT disputes_check CHECK (held_from_wallet + receivable_recorded = 0 OR held_from_wallet + receivable_recorded = amount)`,
    );
    await q.query(`ALTER TABLE disputes DROP COLUMN hold_amount`);
  }
}
