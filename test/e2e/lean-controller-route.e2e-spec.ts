import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import request from 'supertest';
import { FakePaystack } from '../fakes/fake-paystack.js';
import { GenericWebhookSender } from '../fakes/webhook-sender.js';
import { createApiKey, signIn, type SignedIn } from '../helpers/auth.js';
import { createTestApp, type TestApp } from '../helpers/test-env.js';
import { paymentsEnv } from './payments.helpers.js';
import {
  balance,
  createRecipient,
  expectLedgerClean,
  fund,
  PAYOUT_ENV,
} from './payouts.helpers.js';

type Handle = (req: IncomingMessage, res: ServerResponse, next?: unknown) => void;

/**
 * POST /wallet/withdrawals is served ahead of Express through Nest's guards, interceptor, pipe and
 * controller method (http/lean-controller-route.ts). The same request with a query string is not
 * taken by the lean path and reaches the controller through Express: every case here is sent both
 * ways and must be answered the same (status, body, headers), and the test checks which path
 * served each request.
 */
describe('POST /wallet/withdrawals and /wallet/transfer ahead of Express (e2e)', () => {
  let t: TestApp;
  let paystack: FakePaystack;
  /** URLs Express handled. */
  let viaExpress: string[] = [];

  beforeAll(async () => {
    paystack = await new FakePaystack().start();
    const generic = new GenericWebhookSender(GenericWebhookSender.newSecret());
    t = await createTestApp({
      env: paymentsEnv(paystack, generic.secret, {
        ...PAYOUT_ENV,
        PAYOUT_MIN_AMOUNT: '100',
        PAYOUT_DAILY_LIMIT: '100000000',
        PAYOUT_APPROVAL_THRESHOLD: '100000000',
        THROTTLE_LIMIT: '40',
      }),
    });
    paystack.appUrl = t.url;
    const express = t.app.getHttpAdapter().getInstance() as unknown as { handle: Handle };
    const handle = express.handle.bind(express);
    express.handle = (req, res, next) => {
      viaExpress.push(req.url ?? '');
      handle(req, res, next);
    };
  });

  afterEach(async () => {
    route = WITHDRAWALS;
    await expectLedgerClean(t);
  });

  afterAll(async () => {
    await t?.close();
    await paystack?.stop();
  });

  const WITHDRAWALS = '/api/v1/wallet/withdrawals';
  /** The route the helpers below send to: lean as it is, through Express with a query string. */
  let route = WITHDRAWALS;
  const lean = () => route;
  const viaQuery = () => `${route}?via=express`;
  const HEADERS = [
    'content-type',
    'idempotent-replayed',
    'retry-after',
    'x-ratelimit-limit',
    'x-ratelimit-remaining',
  ];

  /** The answer with what differs by nature between two requests (ids, times) masked. */
  function shape(res: request.Response) {
    const body = JSON.stringify(res.body)
      .replace(/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/g, '<uuid>')
      .replace(/(WDR|TRF)-\d{14}-[A-Z0-9]+/g, '<reference>')
      .replace(/\d{4}-\d{2}-\d{2}T[\d:.]+Z/g, '<time>');
    const headers = Object.fromEntries(HEADERS.map((name) => [name, res.headers[name]]));
    // Seconds left in the window: two requests a moment apart may straddle a second.
    if (headers['retry-after'] !== undefined) headers['retry-after'] = '<seconds>';
    return { status: res.status, body: JSON.parse(body) as unknown, headers };
  }

  async function both(
    send: (path: string) => request.Test,
  ): Promise<{ lean: request.Response; express: request.Response }> {
    viaExpress = [];
    const leanAnswer = await send(lean());
    expect(viaExpress).toEqual([]);
    const express = await send(viaQuery());
    expect(viaExpress).toEqual([viaQuery()]);
    return { lean: leanAnswer, express };
  }

  async function expectSame(send: (path: string) => request.Test): Promise<request.Response> {
    const { lean, express } = await both(send);
    const leanShape = shape(lean);
    // Each request is counted once against the limit: the second has one fewer remaining.
    const remaining = Number(leanShape.headers['x-ratelimit-remaining']);
    if (!Number.isNaN(remaining))
      leanShape.headers['x-ratelimit-remaining'] = String(remaining - 1);
    expect(shape(express)).toEqual(leanShape);
    return lean;
  }

  async function payer(amount: number): Promise<{ who: SignedIn; recipientId: string }> {
    const who = await signIn(t, `lean-${randomUUID()}@example.com`);
    if (amount > 0) await fund(t, paystack, who, amount);
    const recipient = await createRecipient(t, who);
    return { who, recipientId: recipient.id };
  }

  it('answers requests without or with wrong credentials the same', async () => {
    const post = (path: string) => request(t.url).post(path).send({ amount: 100 });
    expect((await expectSame(post)).status).toBe(401);
    const badToken = (path: string) =>
      request(t.url).post(path).set('Authorization', 'Bearer nope').send({ amount: 100 });
    expect((await expectSame(badToken)).body.code).toBe('UNAUTHENTICATED');
    const malformed = (path: string) =>
      request(t.url).post(path).set('Authorization', 'Basic abc').send({ amount: 100 });
    expect((await expectSame(malformed)).status).toBe(401);
  });

  it('answers API keys with and without the payouts permission the same', async () => {
    const { who, recipientId } = await payer(10_000);
    const readOnly = await createApiKey(t, who.token, ['read']);
    const denied = await expectSame((path) =>
      request(t.url)
        .post(path)
        .set('x-api-key', readOnly)
        .send({ amount: 100, recipient_id: recipientId }),
    );
    expect(denied.status).toBe(403);
    const payouts = await createApiKey(t, who.token, ['payouts']);
    const accepted = await expectSame((path) =>
      request(t.url)
        .post(path)
        .set('x-api-key', payouts)
        .send({ amount: 100, recipient_id: recipientId }),
    );
    expect(accepted.status).toBe(202);
    expect(await balance(t, who)).toBe(10_000 - 200);
  });

  it('answers invalid bodies, unknown recipients and missing funds the same, moving nothing', async () => {
    const { who, recipientId } = await payer(1_000);
    const send = (body: unknown) => (path: string) =>
      request(t.url)
        .post(path)
        .set(who.authHeader)
        .send(body as object);
    for (const body of [
      {},
      { amount: '100', recipient_id: recipientId },
      { amount: 100.5, recipient_id: recipientId },
      { amount: 100, recipient_id: recipientId, extra: true },
      { amount: 100, recipient_id: 'not-a-uuid' },
      [],
    ])
      expect((await expectSame(send(body))).status).toBe(400);
    expect((await expectSame(send({ amount: 100, recipient_id: randomUUID() }))).status).toBe(404);
    expect((await expectSame(send({ amount: 5_000, recipient_id: recipientId }))).status).toBe(422);
    expect((await expectSame(send({ amount: 10, recipient_id: recipientId }))).body.code).toBe(
      'PAYOUT_LIMIT_EXCEEDED',
    );
    const badJson = (path: string) =>
      request(t.url)
        .post(path)
        .set(who.authHeader)
        .set('Content-Type', 'application/json')
        .send('{"amount": 1');
    expect((await expectSame(badJson)).status).toBe(400);
    expect(await balance(t, who)).toBe(1_000);
  });

  it('replays an Idempotency-Key across both paths: one withdrawal, the same answer', async () => {
    const { who, recipientId } = await payer(10_000);
    const key = randomUUID();
    const send = (path: string, body: object = { amount: 300, recipient_id: recipientId }) =>
      request(t.url).post(path).set(who.authHeader).set('Idempotency-Key', key).send(body);
    viaExpress = [];
    const first = await send(lean());
    expect(first.status).toBe(202);
    expect(first.headers['idempotent-replayed']).toBeUndefined();
    const replays = await both((path) => send(path));
    for (const replay of [replays.lean, replays.express]) {
      expect(replay.status).toBe(202);
      expect(replay.headers['idempotent-replayed']).toBe('true');
      expect(replay.body).toEqual(first.body);
    }
    const changed = await expectSame((path) =>
      send(path, { amount: 301, recipient_id: recipientId }),
    );
    expect(changed.status).toBe(422);
    expect(await balance(t, who)).toBe(10_000 - 300);

    // A refused withdrawal's answer is stored and replayed too.
    const refusedKey = randomUUID();
    const refused = (path: string) =>
      request(t.url)
        .post(path)
        .set(who.authHeader)
        .set('Idempotency-Key', refusedKey)
        .send({ amount: 50_000, recipient_id: recipientId });
    viaExpress = [];
    const original = await refused(viaQuery());
    expect(original.status).toBe(422);
    const again = await both(refused);
    for (const replay of [again.lean, again.express]) {
      expect(replay.status).toBe(422);
      expect(replay.headers['idempotent-replayed']).toBe('true');
      expect(replay.body).toEqual(original.body);
    }
  });

  it('counts both paths against one rate limit and refuses the same way once it is spent', async () => {
    const { who, recipientId } = await payer(0);
    const send = (path: string) =>
      request(t.url)
        .post(path)
        .set(who.authHeader)
        .send({ amount: 100, recipient_id: recipientId });
    let last: request.Response | undefined;
    for (let i = 0; i < 25; i++) {
      const { lean, express } = await both(send);
      last = express;
      if (lean.status === 429 || express.status === 429) break;
      expect(Number(express.headers['x-ratelimit-remaining'])).toBe(
        Number(lean.headers['x-ratelimit-remaining']) - 1,
      );
    }
    expect(last?.status).toBe(429);
    const limited = await expectSame(send);
    expect(limited.status).toBe(429);
    expect(limited.body.code).toBe('RATE_LIMITED');
    expect(limited.headers['retry-after']).toBeDefined();
  });

  it('serves wallet transfers ahead of Express with the same answers', async () => {
    route = '/api/v1/wallet/transfer';
    const sender = await payer(10_000);
    const receiver = await payer(0);
    const walletNumber = async (who: SignedIn): Promise<string> =>
      (await request(t.url).get('/api/v1/wallet').set(who.authHeader).expect(200)).body
        .wallet_number as string;
    const to = await walletNumber(receiver.who);
    const send = (body: unknown) => (path: string) =>
      request(t.url)
        .post(path)
        .set(sender.who.authHeader)
        .send(body as object);
    expect((await expectSame((path) => request(t.url).post(path).send({}))).status).toBe(401);
    const readOnly = await createApiKey(t, sender.who.token, ['read']);
    expect(
      (
        await expectSame((path) =>
          request(t.url)
            .post(path)
            .set('x-api-key', readOnly)
            .send({ wallet_number: to, amount: 1 }),
        )
      ).status,
    ).toBe(403);
    for (const body of [{}, { wallet_number: to, amount: '5' }, { wallet_number: '12', amount: 5 }])
      expect((await expectSame(send(body))).status).toBe(400);
    const typo = `${to.slice(0, 12)}${(Number(to[12]) + 1) % 10}`;
    expect((await expectSame(send({ wallet_number: typo, amount: 5 }))).body.code).toBe(
      'INVALID_WALLET_NUMBER',
    );
    expect((await expectSame(send({ wallet_number: to, amount: 50_000 }))).status).toBe(422);
    const moved = await expectSame(send({ wallet_number: to, amount: 700 }));
    expect(moved.status).toBe(201);
    const key = randomUUID();
    const keyed = (path: string) =>
      request(t.url)
        .post(path)
        .set(sender.who.authHeader)
        .set('Idempotency-Key', key)
        .send({ wallet_number: to, amount: 300 });
    viaExpress = [];
    const first = await keyed(lean());
    expect(first.status).toBe(201);
    const replays = await both(keyed);
    for (const replay of [replays.lean, replays.express]) {
      expect(replay.headers['idempotent-replayed']).toBe('true');
      expect(replay.body).toEqual(first.body);
    }
    // 700 each way, then 300 once for the key.
    expect(await balance(t, sender.who)).toBe(10_000 - 1_400 - 300);
    expect(await balance(t, receiver.who)).toBe(1_400 + 300);
  });
});
