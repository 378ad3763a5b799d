import { randomUUID } from 'node:crypto';
import { getDataSourceToken } from '@nestjs/typeorm';
import pg from 'pg';
import type { DataSource } from 'typeorm';
import type { CliContext } from '../../src/cli/cli-command.js';
import { ledgerCheckCommand } from '../../src/cli/ledger.commands.js';
import { UsersService } from '../../src/modules/users/users.service.js';
import { WalletService } from '../../src/modules/wallet/wallet.service.js';
import { createTestApp, TestApp } from '../helpers/test-env.js';
import { fundWallet } from './ledger-fixtures.js';

describe('ledger:check CLI command (integration)', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await createTestApp();
  });

  afterAll(async () => {
    await t?.close();
  });

  async function runCheck(
    options: Record<string, string | true> = {},
  ): Promise<{ code: number | void; output: string[] }> {
    const output: string[] = [];
    const context: CliContext = {
      config: t.config,
      options,
      app: async () => t.app,
      print: (line) => output.push(line),
    };
    return { code: await ledgerCheckCommand.run(context), output };
  }

  it('exits 0 with a summary on a clean ledger and 1 naming the drift otherwise', async () => {
    const user = await t
      .get<UsersService>(UsersService)
      .findOrCreateByEmail(`cli-${randomUUID()}@example.com`);
    await t
      .get<DataSource>(getDataSourceToken())
      .transaction((m) => fundWallet(m, t.get<WalletService>(WalletService), user.id, 900));

    const clean = await runCheck();
    expect(clean.code).toBe(0);
    expect(clean.output.join('\n')).toMatch(
      /NGN: wallets hold 900 = deposits 900 - refunds 0 \+ reversals 0/,
    );
    expect(clean.output.at(-1)).toBe('OK: no drift');

    // Drift only a superuser switching the triggers off can make.
    const sql = new pg.Client({ connectionString: t.db.url });
    await sql.connect();
    try {
      await sql.query('BEGIN');
      await sql.query('SET LOCAL session_replication_role = replica');
      await sql.query(`UPDATE ledger_accounts SET balance = balance + 1 WHERE user_id = $1`, [
        user.id,
      ]);
      await sql.query('COMMIT');
      const drifted = await runCheck();
      expect(drifted.code).toBe(1);
      expect(drifted.output.join('\n')).toContain('[balance_equals_entries]');
      const json = await runCheck({ json: true });
      expect(json.code).toBe(1);
      expect(JSON.parse(json.output.join('\n'))).toMatchObject({ ok: false });
    } finally {
      await sql.end();
    }
  });
});
