import type { DataSource } from 'typeorm';
import { DataKeyring } from '../common/crypto/data-keyring.js';
import { queryRows } from './sql.js';

/**
 * A process-wide generated secret (the development JWT secret, the development generic webhook
 * secret), shared by every instance through `app_secrets` and stored there sealed with the data
 * key, so read access to the database alone does not reveal it. The first process to insert wins
 * (ON CONFLICT DO NOTHING) and everyone reads back the winner's value. A value stored in plain
 * text by an earlier version, or sealed with a rotated-out key, is sealed again with the current
 * key (the same secret: tokens and signatures made with it stay valid).
 */
export async function readOrCreateAppSecret(
  dataSource: DataSource,
  keyring: DataKeyring,
  name: string,
  generate: () => string,
): Promise<string> {
  const context = `app_secrets:${name}`;
  const manager = dataSource.manager;
  await queryRows(
    manager,
    `INSERT INTO app_secrets (name, value) VALUES ($1, $2) ON CONFLICT (name) DO NOTHING`,
    [name, keyring.seal(generate(), context)],
  );
  const rows = await queryRows<{ value: string }>(
    manager,
    `SELECT value FROM app_secrets WHERE name = $1`,
    [name],
  );
  if (rows.length !== 1) throw new Error(`the generated secret ${name} could not be read back`);
  const stored = rows[0].value;
  const secret = DataKeyring.isSealed(stored) ? keyring.open(stored, context) : stored;
  if (!keyring.isCurrent(stored)) {
    // Conditional on the value read, so processes doing this at once change it once.
    await queryRows(manager, `UPDATE app_secrets SET value = $2 WHERE name = $1 AND value = $3`, [
      name,
      keyring.seal(secret, context),
      stored,
    ]);
  }
  return secret;
}
