import { createHmac, randomBytes } from 'node:crypto';
import { JwtService } from '@nestjs/jwt';
import { getDataSourceToken } from '@nestjs/typeorm';
import request from 'supertest';
import { DataSource } from 'typeorm';
import { MIGRATIONS } from '../../migrations/index.js';
import { DataKeyring } from '../../src/common/crypto/data-keyring.js';
import { AppConfig } from '../../src/config/app-config.js';
import { dataSourceOptions } from '../../src/database/data-source-options.js';
import { JWT_SIGNING_SECRET } from '../../src/modules/auth/jwt/jwt-secret.provider.js';
import { TokensService } from '../../src/modules/auth/jwt/tokens.service.js';
import { UsersService } from '../../src/modules/users/users.service.js';
import { OutboxService } from '../../src/modules/outbound-webhooks/outbox.service.js';
import { OutboxRelayService } from '../../src/modules/outbound-webhooks/outbox-relay.service.js';
import { GenericWebhookSender } from '../fakes/webhook-sender.js';
import { verifiesWith, WebhookReceiver, type ReceivedWebhook } from '../fakes/webhook-receiver.js';
import { signIn, type SignedIn } from '../helpers/auth.js';
import {
  createTestApp,
  createTestDatabase,
  testEnv,
  type TestApp,
  type TestDatabase,
} from '../helpers/test-env.js';

const API = '/api/v1';
const KEY_A = randomBytes(32);
const KEY_B = randomBytes(32);
const ENV = { WEBHOOK_ALLOW_PRIVATE_URLS: 'true', WEBHOOK_RETRY_SCHEDULE: '0,1,1' };

function sql<T>(t: TestApp, text: string, params: unknown[] = []): Promise<T[]> {
  return t.get<DataSource>(getDataSourceToken()).query<T[]>(text, params);
}

async function createEndpoint(
  t: TestApp,
  who: SignedIn,
  url: string,
): Promise<{ id: string; secret: string }> {
  const res = await request(t.url)
    .post(`${API}/webhook-endpoints`)
    .set(who.authHeader)
    .send({ url, events: ['*'] })
    .expect(201);
  return { id: res.body.id, secret: res.body.secret };
}

async function storedSecrets(
  t: TestApp,
  endpointId: string,
): Promise<{ secret: string; previous_secret: string | null }> {
  const [row] = await sql<{ secret: string; previous_secret: string | null }>(
    t,
    `SELECT secret, previous_secret FROM webhook_endpoints WHERE id = $1`,
    [endpointId],
  );
  return row;
}

/** Records an event for the user the way other modules do, and waits for the receiver to get it. */
async function deliverOne(
  t: TestApp,
  receiver: WebhookReceiver,
  userId: string,
): Promise<ReceivedWebhook> {
  const eventId = await t.get<DataSource>(getDataSourceToken()).transaction((manager) =>
    t.get<OutboxService>(OutboxService).record(manager, {
      userId,
      type: 'payment.success',
      data: { reference: `PAY-${Date.now()}`, amount: 5000, currency: 'NGN' },
    }),
  );
  await t.get<OutboxRelayService>(OutboxRelayService).kick();
  await receiver.waitFor(() => receiver.forEvent(eventId).length === 1);
  return receiver.forEvent(eventId)[0];
}

/** What someone holding a copy of the database would try: the stored value, as it is, as the key. */
function usableAsSecret(stored: string, delivery: ReceivedWebhook): boolean {
  return (
    verifiesWith(stored, delivery) ||
    verifiesWith(`whsec_${Buffer.from(stored).toString('base64')}`, delivery)
  );
}

function keyEnv(current: Buffer, old: Buffer[] = []): Record<string, string | undefined> {
  return {
    DATA_ENCRYPTION_KEY: current.toString('base64'),
    DATA_ENCRYPTION_OLD_KEYS:
      old.length > 0 ? old.map((key) => key.toString('base64')).join(',') : undefined,
  };
}

describe('secrets at rest (e2e)', () => {
  let receiver: WebhookReceiver;

  beforeAll(async () => {
    receiver = await new WebhookReceiver().start();
  });

  afterAll(async () => {
    await receiver.close();
  });

  describe('webhook endpoint secrets', () => {
    let t: TestApp;

    beforeAll(async () => {
      t = await createTestApp({ env: { ...ENV, ...keyEnv(KEY_A) } });
    });

    afterAll(async () => {
      await t.close();
    });

    it('stores the secret sealed: the row holds no usable secret, and deliveries verify with the secret shown at create', async () => {
      const alice = await signIn(t, 'sealed@example.com');
      const endpoint = await createEndpoint(t, alice, `${receiver.url}/sealed`);
      const row = await storedSecrets(t, endpoint.id);
      const delivery = await deliverOne(t, receiver, alice.userId);
      expect(verifiesWith(endpoint.secret, delivery)).toBe(true);
      expect(usableAsSecret(row.secret, delivery)).toBe(false);
      expect(row.secret).not.toContain(endpoint.secret.slice('whsec_'.length));
      expect(row.secret.startsWith(`enc:v1:${DataKeyring.keyId(KEY_A)}:`)).toBe(true);
    });

    it('keeps both secrets sealed through a rotation, and both signatures still verify', async () => {
      const alice = await signIn(t, 'sealed-rotation@example.com');
      const endpoint = await createEndpoint(t, alice, `${receiver.url}/sealed-rotation`);
      const rotated = await request(t.url)
        .post(`${API}/webhook-endpoints/${endpoint.id.toUpperCase()}/rotate-secret`)
        .set(alice.authHeader)
        .expect(200);
      const row = await storedSecrets(t, endpoint.id);
      const delivery = await deliverOne(t, receiver, alice.userId);
      expect(delivery.headers['webhook-signature'].split(' ')).toHaveLength(2);
      expect(verifiesWith(rotated.body.secret, delivery)).toBe(true);
      expect(verifiesWith(endpoint.secret, delivery)).toBe(true);
      expect(usableAsSecret(row.secret, delivery)).toBe(false);
      expect(usableAsSecret(row.previous_secret ?? '', delivery)).toBe(false);
      for (const [stored, shown] of [
        [row.secret, rotated.body.secret as string],
        [row.previous_secret ?? '', endpoint.secret],
      ]) {
        expect(stored).not.toContain(shown.slice('whsec_'.length));
        expect(DataKeyring.isSealed(stored)).toBe(true);
      }
    });

    it('has the database refuse a secret written in plain text', async () => {
      const alice = await signIn(t, 'sealed-check@example.com');
      const endpoint = await createEndpoint(t, alice, `${receiver.url}/sealed-check`);
      await expect(
        sql(t, `UPDATE webhook_endpoints SET secret = $2 WHERE id = $1`, [
          endpoint.id,
          endpoint.secret,
        ]),
      ).rejects.toMatchObject({ code: '23514' });
      await expect(
        sql(t, `INSERT INTO app_secrets (name, value) VALUES ('plain', 'a-plain-secret')`),
      ).rejects.toMatchObject({ code: '23514' });
    });
  });

  describe('a data key rotation', () => {
    let db: TestDatabase;

    beforeAll(async () => {
      db = await createTestDatabase();
    });

    afterAll(async () => {
      await db.drop();
    });

    it('opens secrets sealed with the old key, seals them again with the new one at boot, and keeps signing with both endpoint secrets', async () => {
      const before = await createTestApp({ db, env: { ...ENV, ...keyEnv(KEY_A) } });
      let endpoint: { id: string; secret: string };
      let rotatedSecret: string;
      let userId: string;
      try {
        const bob = await signIn(before, 'rotating-key@example.com');
        userId = bob.userId;
        endpoint = await createEndpoint(before, bob, `${receiver.url}/rotating-key`);
        const rotated = await request(before.url)
          .post(`${API}/webhook-endpoints/${endpoint.id}/rotate-secret`)
          .set(bob.authHeader)
          .expect(200);
        rotatedSecret = rotated.body.secret;
      } finally {
        await before.close();
      }

      // The new key first, the old one kept only to open what it sealed.
      const during = await createTestApp({ db, env: { ...ENV, ...keyEnv(KEY_B, [KEY_A]) } });
      try {
        const row = await storedSecrets(during, endpoint.id);
        expect(DataKeyring.keyIdOf(row.secret)).toBe(DataKeyring.keyId(KEY_B));
        expect(DataKeyring.keyIdOf(row.previous_secret ?? '')).toBe(DataKeyring.keyId(KEY_B));
        const delivery = await deliverOne(during, receiver, userId);
        expect(verifiesWith(rotatedSecret, delivery)).toBe(true);
        expect(verifiesWith(endpoint.secret, delivery)).toBe(true);
      } finally {
        await during.close();
      }

      // Once everything is sealed again, the old key can go.
      const after = await createTestApp({ db, env: { ...ENV, ...keyEnv(KEY_B) } });
      try {
        const delivery = await deliverOne(after, receiver, userId);
        expect(verifiesWith(rotatedSecret, delivery)).toBe(true);
        expect(verifiesWith(endpoint.secret, delivery)).toBe(true);
      } finally {
        await after.close();
      }
    });
  });

  describe('rows an earlier version stored in plain text', () => {
    const legacyJwtSecret = randomBytes(64).toString('base64url');
    const legacyGenericSecret = `whsec_${randomBytes(32).toString('base64')}`;
    const legacyCurrent = `whsec_${randomBytes(32).toString('base64')}`;
    const legacyPrevious = `whsec_${randomBytes(32).toString('base64')}`;
    let db: TestDatabase;
    let t: TestApp;
    let legacyUserId: string;
    let legacyEndpointId: string;

    beforeAll(async () => {
      db = await createTestDatabase({ empty: true });
      // The schema as it was just before this change, with rows written by that version.
      const before = new DataSource({
        ...dataSourceOptions(new AppConfig(testEnv({ DATABASE_URL: db.url }))),
        migrations: MIGRATIONS.filter(
          (migration) => Number(/\d{13}$/.exec(migration.name)?.[0]) < 1764000014000,
        ),
      });
      await before.initialize();
      try {
        await before.runMigrations({ transaction: 'each' });
        await before.query(`INSERT INTO app_secrets (name, value) VALUES ($1, $2), ($3, $4)`, [
          'jwt_secret',
          legacyJwtSecret,
          'generic_webhook_secret',
          legacyGenericSecret,
        ]);
        [{ id: legacyUserId }] = await before.query<{ id: string }[]>(
          `INSERT INTO users (email) VALUES ('legacy@example.com') RETURNING id`,
        );
        [{ id: legacyEndpointId }] = await before.query<{ id: string }[]>(
          `INSERT INTO webhook_endpoints
             (user_id, url, events, secret, previous_secret, previous_secret_expires_at)
           VALUES ($1, $2, '{*}', $3, $4, now() + interval '1 hour') RETURNING id`,
          [legacyUserId, `${receiver.url}/legacy`, legacyCurrent, legacyPrevious],
        );
        await before.query(
          `INSERT INTO inbound_webhook_events
             (gateway, event_id, type, kind, reference, payload, normalized, headers, status)
           VALUES ('paystack', 'charge.success.1.success', 'charge.success', 'payment', 'PAY-LEGACY',
                   $1, '{}', '{}', 'processed')`,
          [
            {
              event: 'charge.success',
              data: {
                reference: 'PAY-LEGACY',
                amount: 5000,
                authorization: {
                  authorization_code: 'AUTH_legacy01',
                  bin: '408408',
                  last4: '4081',
                },
                items: [{ card: { last4: '4081' } }],
              },
            },
          ],
        );
      } finally {
        await before.destroy();
      }
      // This version migrates and boots on it: development, no JWT_SECRET, a data key.
      t = await createTestApp({
        db,
        env: {
          ...ENV,
          ...keyEnv(KEY_A),
          NODE_ENV: 'development',
          JWT_SECRET: undefined,
          GENERIC_WEBHOOK_SECRET: undefined,
        },
      });
    });

    afterAll(async () => {
      await t.close();
      await db.drop();
    });

    it('seals the generated secrets and keeps them: tokens are still signed with the same JWT secret', async () => {
      const rows = await sql<{ name: string; value: string }>(
        t,
        `SELECT name, value FROM app_secrets ORDER BY name`,
      );
      // Development turns TEST_MODE on, whose test gateway signs with a generated secret too.
      expect(rows.map((row) => row.name)).toEqual([
        'generic_webhook_secret',
        'jwt_secret',
        'test_gateway_webhook_secret',
      ]);
      for (const row of rows) {
        expect(DataKeyring.isSealed(row.value)).toBe(true);
        expect(row.value).not.toContain(legacyJwtSecret);
        expect(row.value).not.toContain(legacyGenericSecret.slice('whsec_'.length));
      }
      const user = await t
        .get<UsersService>(UsersService)
        .findOrCreateByEmail('legacy@example.com');
      const { accessToken } = await t.get<TokensService>(TokensService).issueSession(user);
      const [header, payload, signature] = accessToken.split('.');
      expect(
        createHmac('sha256', legacyJwtSecret).update(`${header}.${payload}`).digest('base64url'),
      ).toBe(signature);

      // The generic gateway still accepts what is signed with its kept development secret.
      const sender = new GenericWebhookSender(legacyGenericSecret);
      const sent = await sender.send(t.url, {
        transaction_id: 'PAY-20260122123456-LEGACY01',
        status: 'completed',
        amount: 100,
        currency: 'NGN',
      });
      expect(sent.status).toBe(200);
    });

    it('seals both endpoint secrets at boot, and deliveries verify with the secrets the integrator holds', async () => {
      const row = await storedSecrets(t, legacyEndpointId);
      expect(DataKeyring.isSealed(row.secret)).toBe(true);
      expect(DataKeyring.isSealed(row.previous_secret ?? '')).toBe(true);
      const delivery = await deliverOne(t, receiver, legacyUserId);
      expect(verifiesWith(legacyCurrent, delivery)).toBe(true);
      expect(verifiesWith(legacyPrevious, delivery)).toBe(true);
      expect(usableAsSecret(row.secret, delivery)).toBe(false);
    });

    it('takes card data out of payloads stored before, keeping the rest', async () => {
      const [event] = await sql<{ payload: { data: Record<string, unknown> } }>(
        t,
        `SELECT payload FROM inbound_webhook_events WHERE reference = 'PAY-LEGACY'`,
      );
      expect(event.payload.data).toEqual({ reference: 'PAY-LEGACY', amount: 5000, items: [{}] });
    });
  });

  describe('the generated development JWT secret', () => {
    let t: TestApp;

    beforeAll(async () => {
      t = await createTestApp({ env: { JWT_SECRET: undefined } });
    });

    afterAll(async () => {
      await t.close();
    });

    it('is sealed in app_secrets: an admin JWT signed with what the database holds is refused', async () => {
      const admin = await signIn(t, 'admin@example.com');
      const [{ value }] = await sql<{ value: string }>(
        t,
        `SELECT value FROM app_secrets WHERE name = 'jwt_secret'`,
      );
      const {
        exp: _exp,
        iat: _iat,
        ...claims
      } = JSON.parse(
        Buffer.from(admin.token.split('.')[1], 'base64url').toString('utf8'),
      ) as Record<string, unknown>;
      const forge = (secret: string): string =>
        new JwtService({ secret }).sign(claims, { expiresIn: 600 });
      const adminRoute = (token: string) =>
        request(t.url)
          .get(`${API}/admin/payments?status=needs_review`)
          .set('Authorization', `Bearer ${forge(token)}`);

      expect((await adminRoute(value)).status).toBe(401);
      // The same forgery with the real secret passes: the refusal above is about the key alone.
      expect((await adminRoute(t.get<string>(JWT_SIGNING_SECRET))).status).toBe(200);
      expect(DataKeyring.isSealed(value)).toBe(true);
    });
  });
});
