import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * `wallet_transfer()` and `wallet_transfer_batch()` refuse an amount that is not positive. The API
 * never sends one, but the ledger's rules live in the database: a negative amount would have
 * posted the reverse movement (the recipient paying the sender) with the sender's consent
 * nowhere, and zero would have failed deep inside ledger_post. Both raise LD002 (invalid posting)
 * before locking anything; a batch refuses as a whole, and TransferPoster then posts its
 * transfers one by one so only the one at fault fails.
 *
 * The bodies are otherwise the current ones (wallet_transfer from 1764000004000, the batch from
 * 1764000010000). CREATE OR REPLACE resets a function's SET options, so the plan settings of
 * 1764000011000 are given again, unchanged.
 */
const WALLET_TRANSFER_V2 = `
      CREATE OR REPLACE FUNCTION wallet_transfer(
        p_sender uuid, p_recipient uuid, p_amount bigint, p_reference text, p_narration text, p_event_id text
      ) RETURNS TABLE (outcome text, wallet_transaction jsonb) LANGUAGE plpgsql AS $$
      DECLARE
        v_outcome text;
        v_entry bigint;
        v_created_at timestamptz;
        v_view jsonb;
      BEGIN
        IF p_amount IS NULL OR p_amount <= 0 THEN
          RAISE EXCEPTION USING ERRCODE = 'LD002', MESSAGE = 'a wallet transfer amount must be positive';
        END IF;
        SELECT p.outcome, p.entry_id, p.created_at INTO v_outcome, v_entry, v_created_at
          FROM ledger_post('transfer', 'transfer:' || p_reference, p_reference, p_narration, NULL,
                           ARRAY[p_sender, p_recipient], ARRAY[-p_amount, p_amount]) p
         WHERE p.outcome = 'insufficient_funds' OR p.account_id = p_recipient;
        IF v_outcome = 'created' THEN
          v_view := ledger_wallet_transaction(v_entry);
          INSERT INTO events (id, user_id, type, data, created_at)
          SELECT p_event_id, a.user_id, 'wallet.transfer.received', v_view, v_created_at
            FROM ledger_accounts a WHERE a.id = p_recipient;
        END IF;
        RETURN QUERY SELECT v_outcome, v_view;
      END $$`;

const WALLET_TRANSFER_V1 = WALLET_TRANSFER_V2.replace(
  /\n {8}IF p_amount IS NULL OR p_amount <= 0 THEN\n.*\n {8}END IF;/,
  '',
);

const WALLET_TRANSFER_BATCH_V2 = `
      CREATE OR REPLACE FUNCTION wallet_transfer_batch(
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
        IF EXISTS (SELECT 1 FROM unnest(p_amounts) a WHERE a IS NULL OR a <= 0) THEN
          RAISE EXCEPTION USING ERRCODE = 'LD002', MESSAGE = 'a wallet transfer amount must be positive';
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
      END $$`;

const WALLET_TRANSFER_BATCH_V1 = WALLET_TRANSFER_BATCH_V2.replace(
  /\n {8}IF EXISTS \(SELECT 1 FROM unnest\(p_amounts\).*\n.*\n {8}END IF;/,
  '',
);

/** As 1764000011000 set them: index scans only, one generic plan per connection. */
const PLAN_SETTINGS = 'SET enable_seqscan = off SET plan_cache_mode = force_generic_plan';
const FUNCTIONS = [
  'wallet_transfer(uuid, uuid, bigint, text, text, text)',
  'wallet_transfer_batch(uuid[], uuid[], bigint[], text[], text[], text[])',
];

export class WalletTransferPositiveAmount1764000013000 implements MigrationInterface {
  name = 'WalletTransferPositiveAmount1764000013000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(WALLET_TRANSFER_V2);
    await q.query(WALLET_TRANSFER_BATCH_V2);
    for (const fn of FUNCTIONS) await q.query(`ALTER FUNCTION ${fn} ${PLAN_SETTINGS}`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(WALLET_TRANSFER_V1);
    await q.query(WALLET_TRANSFER_BATCH_V1);
    for (const fn of FUNCTIONS) await q.query(`ALTER FUNCTION ${fn} ${PLAN_SETTINGS}`);
  }
}
