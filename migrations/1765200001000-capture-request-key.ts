import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The Idempotency-Key of the request whose capture or void is under way. A retry of that request
 * (same key, so the same action and amount; its twin is no longer in flight, or the key layer
 * would have answered 409) may drive the action again at once: the gateway key derived from the
 * payment makes that replay the first call instead of capturing again. Any other request still
 * finds the action under way (409 PAYMENT_NOT_CAPTURABLE) until IDEMPOTENCY_IN_FLIGHT_TIMEOUT.
 */
export class CaptureRequestKey1765200001000 implements MigrationInterface {
  name = 'CaptureRequestKey1765200001000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      ALTER TABLE payments
        ADD COLUMN capture_request_key text
          CONSTRAINT payments_capture_request_key_check
          CHECK (capture_request_key IS NULL OR capture_action IS NOT NULL)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE payments DROP COLUMN capture_request_key`);
  }
}
