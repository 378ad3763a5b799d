import pg from 'pg';
import { DataSource, type EntityManager } from 'typeorm';
import { AppEvents } from '../../src/modules/events/app-events.js';
import type { User } from '../../src/modules/users/user.entity.js';
import { UsersService } from '../../src/modules/users/users.service.js';
import { createTestApp, TestApp } from '../helpers/test-env.js';

describe('users: creation with hooks in one transaction (e2e)', () => {
  let t: TestApp;
  let outside: pg.Client;
  let users: UsersService;
  const hookRuns: Array<{ email: string; visibleInside: boolean; visibleOutside: boolean }> = [];

  beforeAll(async () => {
    t = await createTestApp();
    outside = new pg.Client({ connectionString: t.db.url });
    await outside.connect();
    users = t.get<UsersService>(UsersService);
    t.get<AppEvents>(AppEvents).on('user.created', async (manager: EntityManager, user: User) => {
      const inside = await manager.query(`SELECT id FROM users WHERE id = $1`, [user.id]);
      const seen = await outside.query(`SELECT id FROM users WHERE id = $1`, [user.id]);
      hookRuns.push({
        email: user.email,
        visibleInside: inside.length === 1,
        visibleOutside: seen.rowCount === 1,
      });
      if (user.email.startsWith('hook-fails')) throw new Error('wallet could not be opened');
    });
  });

  afterAll(async () => {
    await outside.end();
    await t.close();
  });

  const countUsers = async (email: string) =>
    (await outside.query(`SELECT count(*)::int AS n FROM users WHERE email = $1`, [email])).rows[0]
      .n as number;

  it('runs the hooks inside the creating transaction, before the user is visible to anyone else', async () => {
    const user = await users.findOrCreateByEmail('Hooked@Example.com');
    expect(user.email).toBe('hooked@example.com');
    expect(hookRuns.filter((run) => run.email === 'hooked@example.com')).toEqual([
      { email: 'hooked@example.com', visibleInside: true, visibleOutside: false },
    ]);
  });

  it('rolls the user back when a hook fails', async () => {
    await expect(users.findOrCreateByEmail('hook-fails@example.com')).rejects.toThrow(
      'wallet could not be opened',
    );
    expect(await countUsers('hook-fails@example.com')).toBe(0);
  });

  it('creates one user, and runs the hooks once, when first sign-ins race', async () => {
    const results = await Promise.all(
      Array.from({ length: 6 }, () => users.findOrCreateByEmail('racer@example.com')),
    );
    expect(new Set(results.map((user) => user.id)).size).toBe(1);
    expect(await countUsers('racer@example.com')).toBe(1);
    expect(hookRuns.filter((run) => run.email === 'racer@example.com')).toHaveLength(1);

    const google = await Promise.all(
      Array.from({ length: 6 }, () =>
        users.findOrCreateByGoogle({
          sub: 'g-race-1',
          email: 'google-racer@example.com',
          name: 'Racer',
        }),
      ),
    );
    expect(new Set(google.map((user) => user.id)).size).toBe(1);
    expect(hookRuns.filter((run) => run.email === 'google-racer@example.com')).toHaveLength(1);
  });

  it('refuses createUser for a taken email with 409 USER_EXISTS', async () => {
    await users.findOrCreateByEmail('taken@example.com');
    const dataSource = t.get<DataSource>(DataSource);
    await expect(
      dataSource.transaction((manager) =>
        users.createUser(manager, { email: 'TAKEN@example.com' }),
      ),
    ).rejects.toMatchObject({ status: 409, code: 'USER_EXISTS' });
  });

  it('refuses a Google identity whose email belongs to an account linked to another Google identity', async () => {
    await users.findOrCreateByGoogle({ sub: 'g-owner', email: 'owned@example.com', name: null });
    await expect(
      users.findOrCreateByGoogle({ sub: 'g-intruder', email: 'owned@example.com', name: null }),
    ).rejects.toMatchObject({ status: 409, code: 'EMAIL_IN_USE' });
  });
});
