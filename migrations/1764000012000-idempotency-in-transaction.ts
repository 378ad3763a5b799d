import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Created here; planned like the ledger's functions (see LedgerKeyPlans1764000011000). */
const FUNCTIONS = [
  'idempotency_complete(jsonb)',
  'wallet_transfer(uuid, uuid, bigint, text, text, text, jsonb)',
  'wallet_transfer_batch(uuid[], uuid[], bigint[], text[], text[], text[], jsonb[])',
];

/**
 * An Idempotency-Key's outcome commits in the same transaction as the change it made (SPEC §10).
 *
 * - Each in-flight key is held by one attempt (`attempt`, a random token the request carries).
 *   `idempotency_complete(claim)` marks the key completed with the response, inside the caller's
 *   transaction, only while that attempt still holds it; otherwise it raises IK001 and the whole
 *   transaction (the money change with it) rolls back. The UPDATE holds the key's row lock until
 *   COMMIT, so a release or takeover on another connection waits for the commit and then sees
 *   `completed` (READ COMMITTED re-checks its WHERE on the committed row) and leaves it alone.
 * - `attempt_started_at`: a key whose request died before changing anything is taken over by a
 *   retry after IDEMPOTENCY_IN_FLIGHT_TIMEOUT (the application compares it with now()).
 * - `wallet_transfer` and `wallet_transfer_batch` gain a last parameter: the claim of each transfer
 *   (NULL without a key). They run the six-argument functions unchanged and complete the claim of
 *   each transfer that was created, in the same statement and commit: a batch stays one statement.
 *   A lost claim raises, so the batch rolls back and the poster posts its transfers one by one,
 *   where only the transfer whose key was taken over fails.
 * A claim is `{"user_id", "key", "attempt", "status", "body"}`.
 */
export class IdempotencyInTransaction1764000012000 implements MigrationInterface {
  name = 'IdempotencyInTransaction1764000012000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      ALTER TABLE idempotency_keys
        ADD COLUMN attempt uuid,
        ADD COLUMN attempt_started_at timestamptz NOT NULL DEFAULT now()`);

    await q.query(`
      CREATE FUNCTION idempotency_complete(p_claim jsonb) RETURNS void LANGUAGE plpgsql AS $$
      BEGIN
        IF p_claim IS NULL THEN
          RETURN;
        END IF;
        UPDATE idempotency_keys
           SET status = 'completed', response_status = (p_claim->>'status')::int,
               response_body = p_claim->'body', completed_at = now()
         WHERE user_id = (p_claim->>'user_id')::uuid AND key = p_claim->>'key'
           AND attempt = (p_claim->>'attempt')::uuid AND status = 'in_flight';
        IF NOT FOUND THEN
          RAISE EXCEPTION USING ERRCODE = 'IK001',
            MESSAGE = 'the Idempotency-Key is no longer held by this attempt';
        END IF;
      END $$`);

    await q.query(`
      CREATE FUNCTION wallet_transfer(
        p_sender uuid, p_recipient uuid, p_amount bigint, p_reference text, p_narration text,
        p_event_id text, p_idempotency jsonb
      ) RETURNS TABLE (outcome text, wallet_transaction jsonb) LANGUAGE plpgsql AS $$
      DECLARE
        v_outcome text;
        v_view jsonb;
      BEGIN
        SELECT t.outcome, t.wallet_transaction INTO v_outcome, v_view
          FROM wallet_transfer(p_sender, p_recipient, p_amount, p_reference, p_narration, p_event_id) t;
        IF v_outcome = 'created' THEN
          PERFORM idempotency_complete(p_idempotency);
        END IF;
        RETURN QUERY SELECT v_outcome, v_view;
      END $$`);

    await q.query(`
      CREATE FUNCTION wallet_transfer_batch(
        p_senders uuid[], p_recipients uuid[], p_amounts bigint[], p_references text[],
        p_narrations text[], p_event_ids text[], p_idempotency jsonb[]
      ) RETURNS TABLE (ord int, outcome text, wallet_transaction jsonb) LANGUAGE plpgsql AS $$
      #variable_conflict use_column
      DECLARE
        r record;
      BEGIN
        IF coalesce(cardinality(p_idempotency), 0) <> coalesce(cardinality(p_senders), 0) THEN
          RAISE EXCEPTION USING ERRCODE = 'LD002', MESSAGE = 'wallet_transfer_batch needs arrays of one length';
        END IF;
        FOR r IN
          SELECT b.ord, b.outcome, b.wallet_transaction
            FROM wallet_transfer_batch(p_senders, p_recipients, p_amounts, p_references,
                                       p_narrations, p_event_ids) b
        LOOP
          IF r.outcome = 'created' THEN
            PERFORM idempotency_complete(p_idempotency[r.ord]);
          END IF;
          ord := r.ord;
          outcome := r.outcome;
          wallet_transaction := r.wallet_transaction;
          RETURN NEXT;
        END LOOP;
      END $$`);

    for (const fn of FUNCTIONS) {
      await q.query(
        `ALTER FUNCTION ${fn} SET enable_seqscan = off SET plan_cache_mode = force_generic_plan`,
      );
    }
  }

  async down(q: QueryRunner): Promise<void> {
    for (const fn of [...FUNCTIONS].reverse()) await q.query(`DROP FUNCTION ${fn}`);
    await q.query(
      `ALTER TABLE idempotency_keys DROP COLUMN attempt_started_at, DROP COLUMN attempt`,
    );
  }
}
