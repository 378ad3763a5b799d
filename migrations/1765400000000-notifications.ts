import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Notifications to people (SPEC §16).
 *
 * - `notification_inbox`: every committed outbox row (`events`) gets an inbox row from a trigger in
 *   the inserting transaction, so a rolled-back change leaves none. The notifications relay takes
 *   inbox rows (SKIP LOCKED) and deletes them as it turns them into notifications; it never locks
 *   `events` rows, so it cannot slow the webhook relay that locks them. Events recorded before this
 *   migration get no inbox row: upgrading never mails history.
 * - `notifications`: one per (event, user), the in-app notification, with the state of its email
 *   (`email_status`: pending → sent | failed, or skipped when none is due; logged when no SMTP_URL
 *   is set and the mail went to the log instead). The unique key is what
 *   makes a relay that runs twice create one notification and so send one mail.
 * - `notification_preferences`: the user's email switches by preference key; a key missing is on.
 */
export class Notifications1765400000000 implements MigrationInterface {
  name = 'Notifications1765400000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE notification_inbox (
        event_id text PRIMARY KEY REFERENCES events(id) ON DELETE CASCADE,
        created_at timestamptz NOT NULL
      )`);
    await q.query(`CREATE INDEX notification_inbox_created_idx ON notification_inbox (created_at)`);
    await q.query(`
      CREATE FUNCTION notification_inbox_add() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        INSERT INTO notification_inbox (event_id, created_at) VALUES (NEW.id, NEW.created_at);
        RETURN NULL;
      END $$`);
    await q.query(`
      CREATE TRIGGER events_notification_inbox AFTER INSERT ON events
        FOR EACH ROW EXECUTE FUNCTION notification_inbox_add()`);

    await q.query(`
      CREATE TABLE notifications (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        event_id text NOT NULL REFERENCES events(id),
        user_id uuid NOT NULL REFERENCES users(id),
        type text NOT NULL CHECK (length(type) BETWEEN 1 AND 64),
        title text NOT NULL CHECK (length(title) BETWEEN 1 AND 200),
        body text NOT NULL CHECK (length(body) <= 2000),
        data jsonb NOT NULL CHECK (jsonb_typeof(data) = 'object'),
        read_at timestamptz,
        created_at timestamptz NOT NULL,
        email_to text CHECK (length(email_to) <= 320),
        email_status text NOT NULL CHECK (email_status IN ('pending', 'sent', 'logged', 'failed', 'skipped')),
        email_attempts int NOT NULL DEFAULT 0 CHECK (email_attempts >= 0),
        email_next_attempt_at timestamptz,
        email_last_error text CHECK (length(email_last_error) <= 500),
        email_sent_at timestamptz,
        CONSTRAINT notifications_event_user_key UNIQUE (event_id, user_id),
        CONSTRAINT notifications_email_recipient_check CHECK (email_status = 'skipped' OR email_to IS NOT NULL),
        CONSTRAINT notifications_email_due_check
          CHECK (email_status <> 'pending' OR email_next_attempt_at IS NOT NULL),
        CONSTRAINT notifications_email_sent_check
          CHECK ((email_status IN ('sent', 'logged')) = (email_sent_at IS NOT NULL))
      )`);
    await q.query(
      `CREATE INDEX notifications_user_created_idx ON notifications (user_id, created_at DESC, id DESC)`,
    );
    await q.query(
      `CREATE INDEX notifications_user_unread_idx ON notifications (user_id, created_at DESC, id DESC)
         WHERE read_at IS NULL`,
    );
    await q.query(
      `CREATE INDEX notifications_email_due_idx ON notifications (email_next_attempt_at)
         WHERE email_status = 'pending'`,
    );

    await q.query(`
      CREATE TABLE notification_preferences (
        user_id uuid PRIMARY KEY REFERENCES users(id),
        email jsonb NOT NULL DEFAULT '{}' CHECK (jsonb_typeof(email) = 'object'),
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE notification_preferences`);
    await q.query(`DROP TABLE notifications`);
    await q.query(`DROP TRIGGER events_notification_inbox ON events`);
    await q.query(`DROP FUNCTION notification_inbox_add()`);
    await q.query(`DROP TABLE notification_inbox`);
  }
}
