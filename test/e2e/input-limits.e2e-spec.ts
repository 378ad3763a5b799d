import { randomUUID } from 'node:crypto';
import http from 'node:http';
import request from 'supertest';
import { LOG_DESTINATION } from '../../src/common/logging/logging.module.js';
import { AppConfig } from '../../src/config/app-config.js';
import { GenericWebhookSender } from '../fakes/webhook-sender.js';
import { signIn, type SignedIn } from '../helpers/auth.js';
import { captureLogs } from '../helpers/log-capture.js';
import { createTestApp, type TestApp } from '../helpers/test-env.js';
import { sql } from './payments.helpers.js';

const API = '/api/v1';
const ENDPOINTS_MAX = 3;

interface Answer {
  status: number;
  body: { code?: string; details?: { field?: string; message: string }[] };
}

/** `{"a":{"a":…{"a":leaf}}}` with `depth` objects. */
function nested(depth: number, leaf: unknown = 'x'): unknown {
  let value = leaf;
  for (let i = 0; i < depth; i++) value = { a: value };
  return value;
}

/**
 * SPEC §3 and §6 limits on what a caller can send: depth and NUL on every route (public ones and
 * both paths of the gateway webhooks included), bounded metadata, and at most
 * WEBHOOK_ENDPOINTS_MAX endpoints per user however many creates race.
 */
describe('input limits (e2e)', () => {
  const { stream, lines } = captureLogs();
  const generic = new GenericWebhookSender(GenericWebhookSender.newSecret());
  let t: TestApp;
  let user: SignedIn;

  beforeAll(async () => {
    t = await createTestApp({
      env: {
        LOG_LEVEL: 'info',
        GENERIC_WEBHOOK_SECRET: generic.secret,
        WEBHOOK_ALLOW_PRIVATE_URLS: 'true',
        WEBHOOK_ENDPOINTS_MAX: String(ENDPOINTS_MAX),
      },
      override: (builder) => builder.overrideProvider(LOG_DESTINATION).useValue(stream),
    });
    user = await signIn(t, 'limits@example.com');
  });

  afterAll(async () => {
    await t?.close();
  });

  /** 500s are logged as 'request failed' with a stack: none may happen here. */
  const failures = () => lines.filter((line) => line.msg === 'request failed');

  /**
   * `lean`: a plain JSON POST with a Content-Length (served ahead of Express for webhooks);
   * `express`: the same bytes chunked, which the lean path leaves to Express and Nest.
   */
  function post(
    path: string,
    body: string,
    headers: Record<string, string>,
    via: 'lean' | 'express' = 'lean',
  ): Promise<Answer> {
    const { port } = new URL(t.url);
    return new Promise<Answer>((resolve, reject) => {
      const req = http.request(
        {
          host: '127.0.0.1',
          port,
          path,
          method: 'POST',
          headers: {
            'content-type': 'application/json',
            ...headers,
            ...(via === 'lean' ? { 'content-length': String(Buffer.byteLength(body)) } : {}),
          },
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (chunk: Buffer) => chunks.push(chunk));
          res.on('end', () =>
            resolve({
              status: res.statusCode ?? 0,
              body: JSON.parse(Buffer.concat(chunks).toString('utf8')) as Answer['body'],
            }),
          );
        },
      );
      req.on('error', reject);
      if (via === 'express') req.write(body);
      req.end(via === 'lean' ? body : undefined);
    });
  }

  describe('JSON depth and NUL characters', () => {
    const deep = JSON.stringify(nested(2000));
    const nul = JSON.stringify({ refresh_token: 'abc\u0000def' });

    it('refuses JSON nested 2,000 (and 33) levels deep on the public /auth/refresh with 400, not 500', async () => {
      for (const body of [deep, JSON.stringify({ refresh_token: nested(32) })]) {
        const res = await post(`${API}/auth/refresh`, body, {});
        expect(res.status).toBe(400);
        expect(res.body.code).toBe('MALFORMED_JSON');
      }
      expect(failures()).toEqual([]);
    });

    it('refuses a NUL character in a string on /auth/refresh with 400 naming the field', async () => {
      const res = await post(`${API}/auth/refresh`, nul, {});
      expect(res.status).toBe(400);
      expect(res.body.code).toBe('VALIDATION_FAILED');
      expect(res.body.details).toEqual([
        { field: 'refresh_token', message: expect.stringMatching(/NUL/) },
      ]);
      // in a key, and in the query string, too
      const inKey = await post(`${API}/auth/refresh`, '{"refresh_token":"a","b\\u0000":"c"}', {});
      expect(inKey).toMatchObject({ status: 400, body: { details: [{ field: 'b\u0000' }] } });
      const query = await request(t.url)
        .get(`${API}/payments?cursor=%00`)
        .set(user.authHeader)
        .expect(400);
      expect(query.body.details).toEqual([{ field: 'query.cursor', message: expect.any(String) }]);
      expect(failures()).toEqual([]);
    });

    it('refuses a lone UTF-16 surrogate in a string or a key with 400 naming the field, not 500', async () => {
      const res = await post(`${API}/auth/refresh`, '{"refresh_token":"a\\ud800b"}', {});
      expect(res).toMatchObject({
        status: 400,
        body: {
          code: 'VALIDATION_FAILED',
          details: [{ field: 'refresh_token', message: expect.stringMatching(/surrogate/) }],
        },
      });
      const inKey = await post(`${API}/auth/refresh`, '{"refresh_token":"a","\\udc00":"c"}', {});
      expect(inKey).toMatchObject({ status: 400, body: { details: [{ field: '\ufffd' }] } });
      // A surrogate pair (an emoji) is text like any other.
      const pair = await post(`${API}/auth/refresh`, '{"refresh_token":"\\ud83d\\ude00"}', {});
      expect(pair.status).toBe(401);
      const before = await sql<{ n: number }>(t, `SELECT count(*)::int AS n FROM payments`);
      for (const body of [
        { ...paymentBody(), email: 'a\ud800@example.com' },
        { ...paymentBody(), metadata: { note: 'x\udfffy' } },
      ]) {
        const made = await post(`${API}/payments`, JSON.stringify(body), {
          authorization: user.authHeader.Authorization,
          'idempotency-key': `surrogate-${Math.random()}`,
        });
        expect({ status: made.status, code: made.body.code }).toEqual({
          status: 400,
          code: 'VALIDATION_FAILED',
        });
      }
      expect(await sql(t, `SELECT count(*)::int AS n FROM payments`)).toEqual(before);
      expect(failures()).toEqual([]);
    });

    it('refuses an object of more than 1,000 keys or an array of more than 10,000 elements before any route sees it, and answers at most 50 details', async () => {
      const keys = (n: number): string =>
        JSON.stringify(Object.fromEntries(Array.from({ length: n }, (_, i) => [`k${i}`, 0])));
      const flood = await post(`${API}/auth/refresh`, keys(90_000), {});
      expect(flood).toMatchObject({
        status: 400,
        body: {
          code: 'VALIDATION_FAILED',
          details: [{ field: 'body', message: expect.stringMatching(/1000 keys/) }],
        },
      });
      const long = await post(
        `${API}/auth/refresh`,
        JSON.stringify(Array.from({ length: 10_001 }, () => 0)),
        {},
      );
      expect(long.body.details).toEqual([
        { field: 'body', message: expect.stringMatching(/10000 elements/) },
      ]);
      // 1,000 unknown keys reach validation, which lists 49 and counts the rest.
      const many = await post(`${API}/auth/refresh`, keys(1_000), {});
      expect(many.status).toBe(400);
      expect(many.body.details).toHaveLength(50);
      expect(many.body.details?.[49]).toEqual({
        field: 'body',
        message: expect.stringMatching(/more problems/),
      });
      expect(failures()).toEqual([]);
    });

    it('refuses both on an authenticated route before anything is stored', async () => {
      const before = await sql<{ n: number }>(t, `SELECT count(*)::int AS n FROM payments`);
      for (const payload of [
        { ...paymentBody(), metadata: { note: 'a\u0000b' } },
        { ...paymentBody(), email: nested(40) },
      ]) {
        const res = await post(`${API}/payments`, JSON.stringify(payload), {
          authorization: user.authHeader.Authorization,
        });
        expect(res.status).toBe(400);
      }
      expect(await sql(t, `SELECT count(*)::int AS n FROM payments`)).toEqual(before);
      expect(failures()).toEqual([]);
    });

    it.each(['lean', 'express'] as const)(
      'refuses them on a correctly signed gateway webhook (%s path) with 400, storing nothing',
      async (via) => {
        const event = {
          transaction_id: 'PAY-20260101000000-LIMITS01',
          status: 'completed',
          amount: 100,
          currency: 'NGN',
        };
        const cases = [
          { body: { ...event, metadata: { note: 'x\u0000y' } }, code: 'VALIDATION_FAILED' },
          { body: { ...event, metadata: nested(40) }, code: 'MALFORMED_JSON' },
        ];
        for (const { body, code } of cases) {
          const text = JSON.stringify(body);
          const res = await post(`${API}/webhooks/generic`, text, generic.headers(text), via);
          expect({ status: res.status, code: res.body.code }).toEqual({ status: 400, code });
        }
        expect(await sql(t, `SELECT id FROM inbound_webhook_events`)).toEqual([]);
        expect(failures()).toEqual([]);
      },
    );

    it('refuses a correctly signed webhook whose event id or reference is longer than 255 characters with 400 MALFORMED_WEBHOOK, storing nothing', async () => {
      const event = (reference: string): string =>
        JSON.stringify({
          transaction_id: reference,
          status: 'completed',
          amount: 100,
          currency: 'NGN',
        });
      const long = 'x'.repeat(5_000);
      const cases = [
        { text: event('PAY-20260101000000-LONGID01'), id: `msg_${long}` },
        { text: event(`PAY-${long}`), id: undefined },
      ];
      for (const { text, id } of cases) {
        const res = await post(`${API}/webhooks/generic`, text, generic.headers(text, { id }));
        expect({ status: res.status, code: res.body.code }).toEqual({
          status: 400,
          code: 'MALFORMED_WEBHOOK',
        });
      }
      expect(await sql(t, `SELECT id FROM inbound_webhook_events`)).toEqual([]);
      expect(failures()).toEqual([]);
    });

    it('still accepts a body exactly 32 levels deep (a signed webhook whose metadata nests 31)', async () => {
      const text = JSON.stringify({
        transaction_id: 'PAY-20260101000000-LIMITS32',
        status: 'completed',
        amount: 100,
        currency: 'NGN',
        metadata: nested(30),
      });
      for (const via of ['lean', 'express'] as const) {
        const res = await post(`${API}/webhooks/generic`, text, generic.headers(text), via);
        expect(res.status).toBe(200);
      }
    });
  });

  function paymentBody(metadata?: Record<string, unknown>): Record<string, unknown> {
    return {
      amount: 5_000,
      currency: 'NGN',
      email: 'payer@example.com',
      gateway: 'generic',
      ...(metadata ? { metadata } : {}),
    };
  }

  describe('an explicit null for a field that may be left out', () => {
    it('is refused with 400 naming the field, never read as "left out" (was a 500, or a full refund)', async () => {
      const auth = { authorization: user.authHeader.Authorization };
      const cases: {
        path: string;
        body: Record<string, unknown>;
        field: string;
        headers: Record<string, string>;
      }[] = [
        {
          path: `${API}/payments`,
          body: { ...paymentBody(), order_id: null },
          field: 'order_id',
          headers: auth,
        },
        {
          path: `${API}/checkout/sessions`,
          body: { amount: null, currency: 'NGN' },
          field: 'amount',
          headers: auth,
        },
        {
          path: `${API}/checkout/sessions`,
          body: { amount: 100, currency: 'NGN', order_id: null },
          field: 'order_id',
          headers: auth,
        },
        {
          path: `${API}/payments/PAY-20260101000000-NULLREF0/refunds`,
          body: { amount: null },
          field: 'amount',
          headers: auth,
        },
        {
          path: `${API}/checkout/sessions/${randomUUID()}/payments`,
          body: { gateway: 'test', email: null },
          field: 'email',
          headers: {},
        },
      ];
      for (const { path, body, field, headers } of cases) {
        const res = await post(path, JSON.stringify(body), headers);
        expect({ path, status: res.status, code: res.body.code }).toEqual({
          path,
          status: 400,
          code: 'VALIDATION_FAILED',
        });
        expect(res.body.details?.map((detail) => detail.field)).toContain(field);
      }
      expect(await sql(t, `SELECT id FROM refunds`)).toEqual([]);
      expect(failures()).toEqual([]);
    });
  });

  describe('payment metadata', () => {
    const keys = (n: number, value = 'v') =>
      Object.fromEntries(Array.from({ length: n }, (_, i) => [`key_${i}`, value]));

    it.each([
      ['51 keys', keys(51), /at most 50 keys/],
      ['a key of 41 characters', { ['k'.repeat(41)]: 'v' }, /1 to 40 characters/],
      ['an empty key', { '': 'v' }, /1 to 40 characters/],
      ['a value of 501 characters', { note: 'v'.repeat(501) }, /at most 500 characters/],
      ['a number value', { count: 3 }, /must be strings/],
      ['a nested object value', { cart: { id: 'c_1' } }, /must be strings/],
      ['an array', ['a'], /must be an object/],
    ])('refuses %s with 400 VALIDATION_FAILED on metadata', async (_name, metadata, message) => {
      const before = await sql(t, `SELECT count(*)::int AS n FROM payments`);
      const res = await request(t.url)
        .post(`${API}/payments`)
        .set(user.authHeader)
        .send(paymentBody(metadata as Record<string, unknown>))
        .expect(400);
      expect(res.body.code).toBe('VALIDATION_FAILED');
      expect(res.body.details).toEqual([{ field: 'metadata', message: expect.any(String) }]);
      expect(res.body.details[0].message).toMatch(message);
      expect(await sql(t, `SELECT count(*)::int AS n FROM payments`)).toEqual(before);
    });

    it('accepts metadata exactly at the limits: 50 keys of 40 characters, values of 500', async () => {
      const metadata = Object.fromEntries(
        Array.from({ length: 50 }, (_, i) => [String(i).padStart(40, 'k'), 'v'.repeat(500)]),
      );
      const res = await request(t.url)
        .post(`${API}/payments`)
        .set(user.authHeader)
        .send(paymentBody(metadata))
        .expect(201);
      expect(res.body.metadata).toEqual(metadata);
    });
  });

  describe('webhook endpoints per user', () => {
    it('defaults to 16 (WEBHOOK_ENDPOINTS_MAX)', () => {
      expect(new AppConfig({}).webhookEndpointsMax).toBe(16);
    });

    it('lets 12 racing creates make exactly WEBHOOK_ENDPOINTS_MAX endpoints; the rest get 409 WEBHOOK_ENDPOINT_LIMIT', async () => {
      const racer = await signIn(t, 'endpoint-racer@example.com');
      const answers = await Promise.all(
        Array.from({ length: 12 }, (_, i) =>
          request(t.url)
            .post(`${API}/webhook-endpoints`)
            .set(racer.authHeader)
            .send({ url: `http://127.0.0.1:9/hook-${i}`, events: ['*'] }),
        ),
      );
      const statuses = answers.map((res) => res.status).sort((a, b) => a - b);
      expect(statuses).toEqual([
        ...Array<number>(ENDPOINTS_MAX).fill(201),
        ...Array<number>(12 - ENDPOINTS_MAX).fill(409),
      ]);
      for (const res of answers.filter((answer) => answer.status === 409))
        expect(res.body.code).toBe('WEBHOOK_ENDPOINT_LIMIT');
      const [{ n }] = await sql<{ n: number }>(
        t,
        `SELECT count(*)::int AS n FROM webhook_endpoints WHERE user_id = $1`,
        [racer.userId],
      );
      expect(n).toBe(ENDPOINTS_MAX);

      // Deleting one makes room for one.
      const created = answers.find((res) => res.status === 201)!;
      await request(t.url)
        .delete(`${API}/webhook-endpoints/${created.body.id}`)
        .set(racer.authHeader)
        .expect(204);
      await request(t.url)
        .post(`${API}/webhook-endpoints`)
        .set(racer.authHeader)
        .send({ url: 'http://127.0.0.1:9/again', events: ['*'] })
        .expect(201);
    });
  });
});
