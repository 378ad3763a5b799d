import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Secrets and data at rest (SPEC §7, §11).
 *
 * - Endpoint secrets and generated secrets are stored sealed with the data key (`enc:v1:…`). The
 *   sealing itself happens in code at boot (EndpointSecretsAtRest, readOrCreateAppSecret), because
 *   it needs DATA_ENCRYPTION_KEY and a migration never sees a key. These CHECKs are NOT VALID: rows
 *   already stored in plain text are left for that boot step to seal, while every row written from
 *   now on must be sealed, so no code path can put a plain secret back.
 * - Inbound webhook payloads may be deleted (null) after INBOUND_PAYLOAD_RETENTION; the partial
 *   index lets the retention job find the ones still kept, oldest first.
 * - Payloads already stored lose their card data and reusable tokens, the keys withoutCardData
 *   (src/modules/gateways/card-data.ts) drops from new ones, as that list reads today.
 */
const CARD_DATA_KEYS = [
  'authorization',
  'authorization_code',
  'email_token',
  'card',
  'first_6digits',
  'last_4digits',
  'payment_method_details',
  'payment_method',
  'client_secret',
  'payment_source',
  'last_digits',
  'bin',
  'last4',
  'exp_month',
  'exp_year',
  'expiry',
  'fingerprint',
  'signature',
  'cvv',
  'cvc',
  'card_number',
  'pan',
  'token',
];

export class SecretsAtRest1764000014000 implements MigrationInterface {
  name = 'SecretsAtRest1764000014000';

  async up(q: QueryRunner): Promise<void> {
    // The plain `whsec_…` format is no longer what is stored.
    await q.query(`ALTER TABLE webhook_endpoints DROP CONSTRAINT webhook_endpoints_secret_check`);
    await q.query(
      `ALTER TABLE webhook_endpoints DROP CONSTRAINT webhook_endpoints_previous_secret_check`,
    );
    await q.query(`
      ALTER TABLE webhook_endpoints ADD CONSTRAINT webhook_endpoints_secrets_sealed
        CHECK (secret LIKE 'enc:v1:%' AND (previous_secret IS NULL OR previous_secret LIKE 'enc:v1:%'))
        NOT VALID`);
    await q.query(`
      ALTER TABLE app_secrets ADD CONSTRAINT app_secrets_value_sealed
        CHECK (value LIKE 'enc:v1:%') NOT VALID`);

    await q.query(`ALTER TABLE inbound_webhook_events ALTER COLUMN payload DROP NOT NULL`);
    await q.query(`
      CREATE INDEX inbound_webhook_events_payload_kept_idx ON inbound_webhook_events (received_at)
        WHERE payload IS NOT NULL`);

    await q.query(`
      CREATE FUNCTION pg_temp.without_card_data(j jsonb, keys text[]) RETURNS jsonb
      LANGUAGE plpgsql IMMUTABLE AS $$
      BEGIN
        IF jsonb_typeof(j) = 'object' THEN
          RETURN coalesce((
            SELECT jsonb_object_agg(key, pg_temp.without_card_data(value, keys))
              FROM jsonb_each(j)
             WHERE NOT (key = ANY (keys) OR (key = 'source' AND jsonb_typeof(value) = 'object'))),
            '{}'::jsonb);
        ELSIF jsonb_typeof(j) = 'array' THEN
          RETURN coalesce((
            SELECT jsonb_agg(pg_temp.without_card_data(value, keys) ORDER BY ord)
              FROM jsonb_array_elements(j) WITH ORDINALITY AS a(value, ord)),
            '[]'::jsonb);
        END IF;
        RETURN j;
      END $$`);
    // Only rows that name such a key at all are rewritten.
    await q.query(
      `UPDATE inbound_webhook_events
          SET payload = pg_temp.without_card_data(payload, $1::text[])
        WHERE payload IS NOT NULL AND payload::text ~ $2`,
      [CARD_DATA_KEYS, `"(${[...CARD_DATA_KEYS, 'source'].join('|')})":`],
    );
    await q.query(`DROP FUNCTION pg_temp.without_card_data(jsonb, text[])`);
  }

  async down(q: QueryRunner): Promise<void> {
    // Card data removed from stored payloads, and payloads deleted, cannot be brought back.
    await q.query(`DROP INDEX inbound_webhook_events_payload_kept_idx`);
    await q.query(`UPDATE inbound_webhook_events SET payload = '{}'::jsonb WHERE payload IS NULL`);
    await q.query(`ALTER TABLE inbound_webhook_events ALTER COLUMN payload SET NOT NULL`);
    await q.query(`ALTER TABLE app_secrets DROP CONSTRAINT app_secrets_value_sealed`);
    await q.query(`ALTER TABLE webhook_endpoints DROP CONSTRAINT webhook_endpoints_secrets_sealed`);
    // Secrets sealed since stay sealed (going down needs the key to open them, which a migration
    // never has): the old checks come back for new rows only.
    await q.query(`
      ALTER TABLE webhook_endpoints ADD CONSTRAINT webhook_endpoints_secret_check
        CHECK (secret LIKE 'whsec\\_%') NOT VALID`);
    await q.query(`
      ALTER TABLE webhook_endpoints ADD CONSTRAINT webhook_endpoints_previous_secret_check
        CHECK (previous_secret IS NULL OR previous_secret LIKE 'whsec\\_%') NOT VALID`);
  }
}
