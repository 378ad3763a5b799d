import type { MigrationInterface, QueryRunner } from 'typeorm';

export class Outbox1764000003000 implements MigrationInterface {
  name = 'Outbox1764000003000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE events (
        id text PRIMARY KEY CHECK (id LIKE 'evt\\_%'),
        user_id uuid NOT NULL REFERENCES users(id),
        type text NOT NULL,
        data jsonb NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        relayed_at timestamptz
      )`);
    await q.query(
      `CREATE INDEX events_unrelayed_idx ON events (created_at) WHERE relayed_at IS NULL`,
    );
    await q.query(
      `CREATE INDEX events_user_created_idx ON events (user_id, created_at DESC, id DESC)`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE events`);
  }
}
