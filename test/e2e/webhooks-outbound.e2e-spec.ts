import request from 'supertest';
import { DataSource } from 'typeorm';
import type { OutboundEventType } from '../../src/modules/outbound-webhooks/outbound-webhook.types.js';
import { OutboxService } from '../../src/modules/outbound-webhooks/outbox.service.js';
import { DeliverySender } from '../../src/modules/outbound-webhooks/delivery-sender.service.js';
import { OutboxRelayService } from '../../src/modules/outbound-webhooks/outbox-relay.service.js';
import { verifiesWith, verifyWebhook, WebhookReceiver } from '../fakes/webhook-receiver.js';
import { createApiKey, signIn, type SignedIn } from '../helpers/auth.js';
import { createTestApp, type TestApp } from '../helpers/test-env.js';

const API = '/api/v1';

interface DeliveryBody {
  id: string;
  status: string;
  attempt_count: number;
  attempts: {
    attempt: number;
    status_code: number | null;
    error: string | null;
    response_excerpt: string | null;
  }[];
  [field: string]: unknown;
}

describe('outbound webhooks (e2e)', () => {
  let t: TestApp;
  let dataSource: DataSource;
  let receiver: WebhookReceiver;
  let users = 0;

  /** A user of its own per test, so no endpoint of another test receives its events. */
  const freshUser = (): Promise<SignedIn> => signIn(t, `user${++users}-webhooks@example.com`);

  beforeAll(async () => {
    t = await createTestApp({
      // Loopback receiver, and a short schedule: immediately, then 1 s, then 1 s.
      env: { WEBHOOK_ALLOW_PRIVATE_URLS: 'true', WEBHOOK_RETRY_SCHEDULE: '0,1,1' },
    });
    dataSource = t.get<DataSource>(DataSource);
    receiver = await new WebhookReceiver().start();
  });

  afterAll(async () => {
    await receiver?.close();
    await t?.close();
  });

  beforeEach(() => {
    receiver.respondWith(() => ({ status: 200, body: 'ok' }));
  });

  async function createEndpoint(
    who: SignedIn,
    path: string,
    events: string[] = ['*'],
  ): Promise<{ id: string; secret: string }> {
    const res = await request(t.url)
      .post(`${API}/webhook-endpoints`)
      .set(who.authHeader)
      .send({ url: `${receiver.url}${path}`, events, description: `test ${path}` })
      .expect(201);
    return { id: res.body.id, secret: res.body.secret };
  }

  /** Records an event the way other modules do: inside their own transaction, then kicks the relay. */
  async function recordEvent(
    userId: string,
    type: OutboundEventType = 'payment.success',
    data: Record<string, unknown> = {
      reference: `PAY-${Date.now()}`,
      amount: 5000,
      currency: 'NGN',
    },
  ): Promise<string> {
    const id = await dataSource.transaction((manager) =>
      t.get<OutboxService>(OutboxService).record(manager, { userId, type, data }),
    );
    await t.get<OutboxRelayService>(OutboxRelayService).kick();
    return id;
  }

  async function deliveryFor(
    who: SignedIn,
    eventId: string,
    endpointId: string,
  ): Promise<DeliveryBody> {
    const rows: { id: string }[] = await dataSource.query(
      `SELECT id FROM webhook_deliveries WHERE event_id = $1 AND endpoint_id = $2`,
      [eventId, endpointId],
    );
    expect(rows).toHaveLength(1);
    const res = await request(t.url)
      .get(`${API}/webhook-deliveries/${rows[0].id}`)
      .set(who.authHeader)
      .expect(200);
    return res.body as DeliveryBody;
  }

  async function waitForDelivery(
    who: SignedIn,
    eventId: string,
    endpointId: string,
    until: (delivery: DeliveryBody) => boolean,
  ): Promise<DeliveryBody> {
    const deadline = Date.now() + 20_000;
    for (;;) {
      const rows: { id: string }[] = await dataSource.query(
        `SELECT id FROM webhook_deliveries WHERE event_id = $1 AND endpoint_id = $2`,
        [eventId, endpointId],
      );
      if (rows.length === 1) {
        const delivery = await deliveryFor(who, eventId, endpointId);
        if (until(delivery)) return delivery;
      }
      if (Date.now() > deadline)
        throw new Error(`delivery of ${eventId} never reached the expected state`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }

  it('creates an endpoint whose secret is shown once and never again', async () => {
    const alice = await freshUser();
    const res = await request(t.url)
      .post(`${API}/webhook-endpoints`)
      .set(alice.authHeader)
      .send({ url: `${receiver.url}/once`, events: ['payment.success', 'refund.processed'] })
      .expect(201);
    expect(res.body).toMatchObject({
      url: `${receiver.url}/once`,
      events: ['payment.success', 'refund.processed'],
      enabled: true,
      disabled_reason: null,
      description: null,
    });
    expect(res.body.secret).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/);

    const one = await request(t.url)
      .get(`${API}/webhook-endpoints/${res.body.id}`)
      .set(alice.authHeader)
      .expect(200);
    expect(one.body.secret).toBeUndefined();
    expect(JSON.stringify(one.body)).not.toContain(res.body.secret.slice(6));
    const list = await request(t.url)
      .get(`${API}/webhook-endpoints`)
      .set(alice.authHeader)
      .expect(200);
    expect(list.body.endpoints.map((endpoint: { id: string }) => endpoint.id)).toEqual([
      res.body.id,
    ]);
    expect(JSON.stringify(list.body)).not.toContain(res.body.secret.slice(6));
  });

  it('refuses unknown event names and non-http URLs with 400', async () => {
    const alice = await freshUser();
    const bad = await request(t.url)
      .post(`${API}/webhook-endpoints`)
      .set(alice.authHeader)
      .send({ url: `${receiver.url}/x`, events: ['payment.succeeded'] })
      .expect(400);
    expect(bad.body.code).toBe('VALIDATION_FAILED');
    expect(bad.body.details[0].field).toBe('events');
    const scheme = await request(t.url)
      .post(`${API}/webhook-endpoints`)
      .set(alice.authHeader)
      .send({ url: 'ftp://example.com/x', events: ['*'] })
      .expect(400);
    expect(scheme.body.details[0].field).toBe('url');
  });

  it('delivers a recorded event signed so that the standardwebhooks library verifies it', async () => {
    const alice = await freshUser();
    const endpoint = await createEndpoint(alice, '/verify');
    const data = {
      reference: 'PAY-20260122123456-AB12CD34',
      status: 'succeeded',
      amount: 500000,
      currency: 'NGN',
    };
    const eventId = await recordEvent(alice.userId, 'payment.success', data);
    await receiver.waitFor(() => receiver.forEvent(eventId).length === 1);

    const [received] = receiver.forEvent(eventId);
    expect(received.path).toBe('/verify');
    const body = verifyWebhook(endpoint.secret, received) as Record<string, unknown>;
    const [event]: { created_at: Date }[] = await dataSource.query(
      `SELECT created_at FROM events WHERE id = $1`,
      [eventId],
    );
    expect(body).toEqual({
      id: eventId,
      event: 'payment.success',
      timestamp: Math.floor(event.created_at.getTime() / 1000),
      data,
    });
    expect(received.headers['webhook-id']).toBe(eventId);
    expect(received.headers['webhook-signature']).toMatch(/^v1,[A-Za-z0-9+/]+=*$/);
    expect(received.headers['content-type']).toBe('application/json');

    const delivery = await waitForDelivery(
      alice,
      eventId,
      endpoint.id,
      (d) => d.status === 'succeeded',
    );
    expect(delivery).toMatchObject({
      status: 'succeeded',
      attempt_count: 1,
      last_status_code: 200,
      event_type: 'payment.success',
    });
    expect(delivery.attempts).toEqual([
      expect.objectContaining({
        attempt: 1,
        status_code: 200,
        error: null,
        response_excerpt: 'ok',
      }),
    ]);
  });

  it('delivers only to subscribed, enabled endpoints of the event owner', async () => {
    const alice = await freshUser();
    const bob = await freshUser();
    const subscribed = await createEndpoint(alice, '/subscribed', ['refund.failed']);
    const other = await createEndpoint(alice, '/other', ['payment.failed']);
    const bobs = await createEndpoint(bob, '/bobs', ['*']);
    const paused = await createEndpoint(alice, '/paused', ['*']);
    await request(t.url)
      .patch(`${API}/webhook-endpoints/${paused.id}`)
      .set(alice.authHeader)
      .send({ enabled: false })
      .expect(200);

    const eventId = await recordEvent(alice.userId, 'refund.failed', { id: 'rf_1' });
    await receiver.waitFor(() => receiver.forEvent(eventId).some((r) => r.path === '/subscribed'));
    await t.get<OutboxRelayService>(OutboxRelayService).relayPending();
    const rows: { endpoint_id: string }[] = await dataSource.query(
      `SELECT endpoint_id FROM webhook_deliveries WHERE event_id = $1`,
      [eventId],
    );
    expect(rows.map((row) => row.endpoint_id)).toEqual([subscribed.id]);
    expect([other.id, bobs.id, paused.id]).not.toContain(rows[0].endpoint_id);
    expect(receiver.forEvent(eventId).map((r) => r.path)).toEqual(['/subscribed']);
  });

  it('retries a failing receiver on schedule and delivers the third attempt with the same webhook-id', async () => {
    const alice = await freshUser();
    const endpoint = await createEndpoint(alice, '/flaky');
    const failures = new Map<string, number>();
    receiver.respondWith((req) => {
      if (req.path !== '/flaky') return { status: 200 };
      const id = req.headers['webhook-id'];
      const seen = (failures.get(id) ?? 0) + 1;
      failures.set(id, seen);
      return seen <= 2 ? { status: seen === 1 ? 500 : 503, body: `down ${seen}` } : { status: 204 };
    });
    const eventId = await recordEvent(alice.userId);
    await receiver.waitFor(() => receiver.forEvent(eventId).length === 3);

    const received = receiver.forEvent(eventId);
    expect(received.map((r) => r.headers['webhook-id'])).toEqual([eventId, eventId, eventId]);
    for (const r of received) expect(verifiesWith(endpoint.secret, r)).toBe(true);
    const delivery = await waitForDelivery(
      alice,
      eventId,
      endpoint.id,
      (d) => d.status === 'succeeded',
    );
    expect(delivery.attempt_count).toBe(3);
    expect(delivery.attempts.map((a) => [a.attempt, a.status_code, a.response_excerpt])).toEqual([
      [1, 500, 'down 1'],
      [2, 503, 'down 2'],
      [3, 204, null],
    ]);
    // Each attempt is signed afresh: its webhook-timestamp is the time of that attempt.
    const stamps = received.map((r) => Number(r.headers['webhook-timestamp']));
    expect(stamps[2]).toBeGreaterThan(stamps[0]);
  });

  it('marks a delivery failed after the last scheduled attempt', async () => {
    const alice = await freshUser();
    const endpoint = await createEndpoint(alice, '/always-down');
    receiver.respondWith((req) =>
      req.path === '/always-down' ? { status: 500, body: 'nope' } : { status: 200 },
    );
    const eventId = await recordEvent(alice.userId);
    const delivery = await waitForDelivery(
      alice,
      eventId,
      endpoint.id,
      (d) => d.status === 'failed',
    );
    expect(delivery).toMatchObject({
      attempt_count: 3,
      last_status_code: 500,
      next_attempt_at: null,
    });
    expect(receiver.forEvent(eventId)).toHaveLength(3);
    const after = await request(t.url)
      .get(`${API}/webhook-endpoints/${endpoint.id}`)
      .set(alice.authHeader)
      .expect(200);
    expect(after.body.failing_since).not.toBeNull();
    expect(after.body.enabled).toBe(true);
  });

  it('disables the endpoint on 410 Gone and fails the delivery without retrying', async () => {
    const alice = await freshUser();
    const endpoint = await createEndpoint(alice, '/gone');
    receiver.respondWith((req) =>
      req.path === '/gone' ? { status: 410, body: 'gone' } : { status: 200 },
    );
    const eventId = await recordEvent(alice.userId);
    const delivery = await waitForDelivery(
      alice,
      eventId,
      endpoint.id,
      (d) => d.status === 'failed',
    );
    expect(delivery).toMatchObject({ attempt_count: 1, last_status_code: 410 });

    const after = await request(t.url)
      .get(`${API}/webhook-endpoints/${endpoint.id}`)
      .set(alice.authHeader)
      .expect(200);
    expect(after.body.enabled).toBe(false);
    expect(after.body.disabled_reason).toMatch(/410 Gone/);

    const later = await recordEvent(alice.userId);
    await t.get<OutboxRelayService>(OutboxRelayService).relayPending();
    const rows = await dataSource.query(
      `SELECT 1 FROM webhook_deliveries WHERE event_id = $1 AND endpoint_id = $2`,
      [later, endpoint.id],
    );
    expect(rows).toHaveLength(0);
    expect(receiver.forEvent(later)).toHaveLength(0);
  });

  it('waits as long as a 429 Retry-After asks before the next attempt', async () => {
    const alice = await freshUser();
    const endpoint = await createEndpoint(alice, '/throttled');
    receiver.respondWith((req) =>
      req.path === '/throttled' && receiver.forEvent(req.headers['webhook-id']).length === 1
        ? { status: 429, headers: { 'retry-after': '3' }, body: 'slow down' }
        : { status: 200 },
    );
    const eventId = await recordEvent(alice.userId);
    await receiver.waitFor(() => receiver.forEvent(eventId).length === 2);
    const [first, second] = receiver.forEvent(eventId);
    // The schedule alone would retry after about 1 s; the receiver asked for 3 s.
    expect(second.receivedAt.getTime() - first.receivedAt.getTime()).toBeGreaterThanOrEqual(2_900);
    const delivery = await waitForDelivery(
      alice,
      eventId,
      endpoint.id,
      (d) => d.status === 'succeeded',
    );
    expect(delivery.attempts.map((a) => a.status_code)).toEqual([429, 200]);
  });

  it('does not follow redirects', async () => {
    const alice = await freshUser();
    const endpoint = await createEndpoint(alice, '/moved');
    receiver.respondWith((req) =>
      req.path === '/moved'
        ? { status: 302, headers: { location: `${receiver.url}/elsewhere` } }
        : { status: 200 },
    );
    const eventId = await recordEvent(alice.userId);
    const delivery = await waitForDelivery(
      alice,
      eventId,
      endpoint.id,
      (d) => d.status === 'failed',
    );
    expect(delivery.attempts.map((a) => a.status_code)).toEqual([302, 302, 302]);
    expect(receiver.forEvent(eventId).map((r) => r.path)).toEqual(['/moved', '/moved', '/moved']);
  });

  it('signs with both secrets for a day after a rotation, and both verify', async () => {
    const alice = await freshUser();
    const endpoint = await createEndpoint(alice, '/rotating');
    const rotated = await request(t.url)
      .post(`${API}/webhook-endpoints/${endpoint.id}/rotate-secret`)
      .set(alice.authHeader)
      .expect(200);
    const newSecret: string = rotated.body.secret;
    expect(newSecret).toMatch(/^whsec_/);
    expect(newSecret).not.toBe(endpoint.secret);
    const expires = Date.parse(rotated.body.previous_secret_expires_at);
    expect(expires - Date.now()).toBeGreaterThan(23.9 * 3600 * 1000);
    expect(expires - Date.now()).toBeLessThanOrEqual(24 * 3600 * 1000);

    const eventId = await recordEvent(alice.userId);
    await receiver.waitFor(() => receiver.forEvent(eventId).length === 1);
    const [received] = receiver.forEvent(eventId);
    expect(received.headers['webhook-signature'].split(' ')).toHaveLength(2);
    expect(verifiesWith(newSecret, received)).toBe(true);
    expect(verifiesWith(endpoint.secret, received)).toBe(true);

    // Once the overlap is over, only the new secret signs.
    await dataSource.query(
      `UPDATE webhook_endpoints SET previous_secret_expires_at = now() - interval '1 second' WHERE id = $1`,
      [endpoint.id],
    );
    const later = await recordEvent(alice.userId);
    await receiver.waitFor(() => receiver.forEvent(later).length === 1);
    const [next] = receiver.forEvent(later);
    expect(next.headers['webhook-signature'].split(' ')).toHaveLength(1);
    expect(verifiesWith(newSecret, next)).toBe(true);
    expect(verifiesWith(endpoint.secret, next)).toBe(false);
  });

  it('retries a delivery by hand with the same webhook-id, and needs force for a delivered one', async () => {
    const alice = await freshUser();
    const endpoint = await createEndpoint(alice, '/manual');
    const eventId = await recordEvent(alice.userId);
    const delivered = await waitForDelivery(
      alice,
      eventId,
      endpoint.id,
      (d) => d.status === 'succeeded',
    );

    const refused = await request(t.url)
      .post(`${API}/webhook-deliveries/${delivered.id}/retry`)
      .set(alice.authHeader)
      .send({})
      .expect(409);
    expect(refused.body.code).toBe('DELIVERY_ALREADY_SUCCEEDED');

    const forced = await request(t.url)
      .post(`${API}/webhook-deliveries/${delivered.id}/retry`)
      .set(alice.authHeader)
      .send({ force: true })
      .expect(202);
    expect(forced.body.status).toBe('pending');
    await receiver.waitFor(() => receiver.forEvent(eventId).length === 2);
    const again = await waitForDelivery(
      alice,
      eventId,
      endpoint.id,
      (d) => d.attempt_count === 2 && d.status === 'succeeded',
    );
    expect(again.attempts).toHaveLength(2);
    const received = receiver.forEvent(eventId);
    expect(
      received.every(
        (r) => r.headers['webhook-id'] === eventId && verifiesWith(endpoint.secret, r),
      ),
    ).toBe(true);
  });

  it('retries a failed delivery by hand and succeeds once the receiver is back', async () => {
    const alice = await freshUser();
    const endpoint = await createEndpoint(alice, '/recovering');
    let up = false;
    receiver.respondWith((req) =>
      req.path === '/recovering' && !up ? { status: 502 } : { status: 200 },
    );
    const eventId = await recordEvent(alice.userId);
    const failed = await waitForDelivery(alice, eventId, endpoint.id, (d) => d.status === 'failed');
    up = true;
    await request(t.url)
      .post(`${API}/webhook-deliveries/${failed.id}/retry`)
      .set(alice.authHeader)
      .send({})
      .expect(202);
    const delivered = await waitForDelivery(
      alice,
      eventId,
      endpoint.id,
      (d) => d.status === 'succeeded',
    );
    expect(delivered.attempt_count).toBe(4);
    expect(new Set(receiver.forEvent(eventId).map((r) => r.headers['webhook-id']))).toEqual(
      new Set([eventId]),
    );
  });

  it('produces no event and no delivery for a transaction rolled back after the outbox write', async () => {
    const alice = await freshUser();
    const endpoint = await createEndpoint(alice, '/rollback');
    let rolledBackId = '';
    await expect(
      dataSource.transaction(async (manager) => {
        rolledBackId = await t
          .get<OutboxService>(OutboxService)
          .record(manager, { userId: alice.userId, type: 'payment.success', data: { n: 1 } });
        throw new Error('settlement failed after the outbox write');
      }),
    ).rejects.toThrow('settlement failed');
    expect(rolledBackId).toMatch(/^evt_/);
    // A committed event after it: once that one is delivered, the relay has passed the rolled-back one.
    const committed = await recordEvent(alice.userId);
    await waitForDelivery(alice, committed, endpoint.id, (d) => d.status === 'succeeded');
    await t.get<OutboxRelayService>(OutboxRelayService).relayPending();
    expect(
      await dataSource.query(`SELECT 1 FROM events WHERE id = $1`, [rolledBackId]),
    ).toHaveLength(0);
    expect(
      await dataSource.query(`SELECT 1 FROM webhook_deliveries WHERE event_id = $1`, [
        rolledBackId,
      ]),
    ).toHaveLength(0);
    expect(receiver.forEvent(rolledBackId)).toHaveLength(0);
    expect(receiver.forEvent(committed)).toHaveLength(1);
  });

  it('creates one delivery per endpoint however many relays run at once', async () => {
    const bob = await freshUser();
    const endpoint = await createEndpoint(bob, '/concurrent-relay');
    const ids: string[] = [];
    await dataSource.transaction(async (manager) => {
      for (let i = 0; i < 300; i++) {
        ids.push(
          await t
            .get<OutboxService>(OutboxService)
            .record(manager, { userId: bob.userId, type: 'wallet.transfer.received', data: { i } }),
        );
      }
    });
    const relay = t.get<OutboxRelayService>(OutboxRelayService);
    await Promise.all(Array.from({ length: 6 }, () => relay.relayBatch(40)));
    // The app's own repeating relay runs too, and SKIP LOCKED lets each pass over rows another
    // holds: keep relaying until every event is marked, then count.
    const deadline = Date.now() + 20_000;
    for (;;) {
      await relay.relayPending();
      const [{ unrelayed }]: { unrelayed: number }[] = await dataSource.query(
        `SELECT count(*)::int AS unrelayed FROM events WHERE id = ANY ($1) AND relayed_at IS NULL`,
        [ids],
      );
      if (unrelayed === 0 || Date.now() > deadline) break;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    const rows: { count: number; distinct_events: number }[] = await dataSource.query(
      `SELECT count(*)::int AS count, count(DISTINCT event_id)::int AS distinct_events
         FROM webhook_deliveries WHERE endpoint_id = $1`,
      [endpoint.id],
    );
    expect(rows[0]).toEqual({ count: 300, distinct_events: 300 });
    await receiver.waitFor(
      () => ids.every((id) => receiver.forEvent(id).length >= 1),
      60_000,
      '300 deliveries',
    );
  });

  it('makes a single request when the same delivery job runs twice at once', async () => {
    const bob = await freshUser();
    const endpoint = await createEndpoint(bob, '/twice');
    receiver.respondWith((req) =>
      req.path === '/twice'
        ? new Promise((resolve) => setTimeout(() => resolve({ status: 200 }), 300))
        : { status: 200 },
    );
    // Record and relay without kicking, then race attempts of the same delivery by hand.
    const eventId = await dataSource.transaction((manager) =>
      t
        .get<OutboxService>(OutboxService)
        .record(manager, { userId: bob.userId, type: 'payment.failed', data: {} }),
    );
    await t.get<OutboxRelayService>(OutboxRelayService).relayPending();
    const [{ id }]: { id: string }[] = await dataSource.query(
      `SELECT id FROM webhook_deliveries WHERE event_id = $1 AND endpoint_id = $2`,
      [eventId, endpoint.id],
    );
    const service = t.get<DeliverySender>(DeliverySender);
    const results = await Promise.all([
      service.attempt(id),
      service.attempt(id),
      service.attempt(id),
    ]);
    await waitForDelivery(bob, eventId, endpoint.id, (d) => d.status === 'succeeded');
    // The relay's own job may have won the race; either way exactly one request was made.
    expect(results.filter((result) => result.outcome === 'attempted').length).toBeLessThanOrEqual(
      1,
    );
    expect(receiver.forEvent(eventId)).toHaveLength(1);
    const delivery = await deliveryFor(bob, eventId, endpoint.id);
    expect(delivery.attempt_count).toBe(1);
  });

  it('disables an endpoint whose attempts have all failed for three days', async () => {
    const bob = await freshUser();
    const endpoint = await createEndpoint(bob, '/for-days');
    receiver.respondWith((req) => (req.path === '/for-days' ? { status: 500 } : { status: 200 }));
    await dataSource.query(
      `UPDATE webhook_endpoints SET failing_since = now() - interval '73 hours' WHERE id = $1`,
      [endpoint.id],
    );
    const eventId = await recordEvent(bob.userId);
    await receiver.waitFor(() => receiver.forEvent(eventId).length >= 1);
    const deadline = Date.now() + 10_000;
    let body: { enabled: boolean; disabled_reason: string | null } = {
      enabled: true,
      disabled_reason: null,
    };
    while (body.enabled && Date.now() < deadline) {
      body = (
        await request(t.url)
          .get(`${API}/webhook-endpoints/${endpoint.id}`)
          .set(bob.authHeader)
          .expect(200)
      ).body;
      if (body.enabled) await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect(body.enabled).toBe(false);
    expect(body.disabled_reason).toMatch(/^Every delivery attempt has failed since \d{4}-/);
    await waitForDelivery(bob, eventId, endpoint.id, (d) => d.status === 'failed');

    // Re-enabling clears the reason and the failure streak.
    const enabled = await request(t.url)
      .patch(`${API}/webhook-endpoints/${endpoint.id}`)
      .set(bob.authHeader)
      .send({ enabled: true })
      .expect(200);
    expect(enabled.body).toMatchObject({
      enabled: true,
      disabled_reason: null,
      failing_since: null,
    });
  });

  it('keeps every endpoint, delivery and event to its owner: another owner gets 404', async () => {
    const alice = await freshUser();
    const bob = await freshUser();
    const endpoint = await createEndpoint(alice, '/private-to-alice');
    const eventId = await recordEvent(alice.userId);
    const delivery = await waitForDelivery(
      alice,
      eventId,
      endpoint.id,
      (d) => d.status === 'succeeded',
    );

    await request(t.url)
      .get(`${API}/webhook-endpoints/${endpoint.id}`)
      .set(bob.authHeader)
      .expect(404);
    await request(t.url)
      .patch(`${API}/webhook-endpoints/${endpoint.id}`)
      .set(bob.authHeader)
      .send({ enabled: false })
      .expect(404);
    await request(t.url)
      .post(`${API}/webhook-endpoints/${endpoint.id}/rotate-secret`)
      .set(bob.authHeader)
      .expect(404);
    await request(t.url)
      .delete(`${API}/webhook-endpoints/${endpoint.id}`)
      .set(bob.authHeader)
      .expect(404);
    await request(t.url)
      .get(`${API}/webhook-deliveries/${delivery.id}`)
      .set(bob.authHeader)
      .expect(404);
    await request(t.url)
      .post(`${API}/webhook-deliveries/${delivery.id}/retry`)
      .set(bob.authHeader)
      .send({ force: true })
      .expect(404);
    await request(t.url).get(`${API}/webhook-endpoints/not-a-uuid`).set(bob.authHeader).expect(404);

    const bobsList = await request(t.url)
      .get(`${API}/webhook-endpoints?limit=100`)
      .set(bob.authHeader)
      .expect(200);
    expect(bobsList.body.endpoints).toEqual([]);
    const bobsDeliveries = await request(t.url)
      .get(`${API}/webhook-deliveries?endpoint_id=${endpoint.id}`)
      .set(bob.authHeader)
      .expect(200);
    expect(bobsDeliveries.body).toMatchObject({ deliveries: [], total: 0 });
    const bobsEvents = await request(t.url)
      .get(`${API}/events?limit=100`)
      .set(bob.authHeader)
      .expect(200);
    expect(bobsEvents.body.events).toEqual([]);

    // Still Alice's, untouched.
    const still = await request(t.url)
      .get(`${API}/webhook-endpoints/${endpoint.id}`)
      .set(alice.authHeader)
      .expect(200);
    expect(still.body.enabled).toBe(true);
    expect(receiver.forEvent(eventId)).toHaveLength(1);
  });

  it('pages the delivery log by offset with status and endpoint filters', async () => {
    const carol = await freshUser();
    const good = await createEndpoint(carol, '/log-good');
    const bad = await createEndpoint(carol, '/log-bad');
    receiver.respondWith((req) => (req.path === '/log-bad' ? { status: 410 } : { status: 200 }));
    const events = [
      await recordEvent(carol.userId),
      await recordEvent(carol.userId),
      await recordEvent(carol.userId),
    ];
    for (const eventId of events)
      await waitForDelivery(carol, eventId, good.id, (d) => d.status === 'succeeded');
    await waitForDelivery(carol, events[0], bad.id, (d) => d.status === 'failed');

    const all = await request(t.url)
      .get(`${API}/webhook-deliveries?endpoint_id=${good.id}&limit=2`)
      .set(carol.authHeader)
      .expect(200);
    expect(all.body).toMatchObject({ total: 3, limit: 2, offset: 0 });
    expect(all.body.deliveries).toHaveLength(2);
    const rest = await request(t.url)
      .get(`${API}/webhook-deliveries?endpoint_id=${good.id}&limit=2&offset=2`)
      .set(carol.authHeader)
      .expect(200);
    expect(rest.body.deliveries).toHaveLength(1);
    const ids = [...all.body.deliveries, ...rest.body.deliveries].map(
      (d: { event_id: string }) => d.event_id,
    );
    expect(ids).toEqual([...events].reverse());

    const failed = await request(t.url)
      .get(`${API}/webhook-deliveries?status=failed`)
      .set(carol.authHeader)
      .expect(200);
    expect(failed.body.total).toBeGreaterThanOrEqual(1);
    expect(
      failed.body.deliveries.every(
        (d: { status: string; endpoint_id: string }) =>
          d.status === 'failed' && d.endpoint_id === bad.id,
      ),
    ).toBe(true);
    await request(t.url)
      .get(`${API}/webhook-deliveries?status=lost`)
      .set(carol.authHeader)
      .expect(400);
  });

  it('lists the owner’s events newest first with an opaque cursor and a type filter', async () => {
    const dave = await freshUser();
    const recorded: string[] = [];
    for (let i = 0; i < 5; i++) {
      recorded.push(
        await recordEvent(dave.userId, i % 2 === 0 ? 'payment.success' : 'refund.processed', { i }),
      );
    }
    const first = await request(t.url)
      .get(`${API}/events?limit=2`)
      .set(dave.authHeader)
      .expect(200);
    expect(first.body.events.map((e: { id: string }) => e.id)).toEqual([recorded[4], recorded[3]]);
    expect(first.body.events[0]).toMatchObject({
      event: 'payment.success',
      data: { i: 4 },
      timestamp: expect.any(Number),
    });
    const second = await request(t.url)
      .get(`${API}/events?limit=2&cursor=${first.body.next_cursor}`)
      .set(dave.authHeader)
      .expect(200);
    expect(second.body.events.map((e: { id: string }) => e.id)).toEqual([recorded[2], recorded[1]]);
    const third = await request(t.url)
      .get(`${API}/events?limit=2&cursor=${second.body.next_cursor}`)
      .set(dave.authHeader)
      .expect(200);
    expect(third.body.events.map((e: { id: string }) => e.id)).toEqual([recorded[0]]);
    expect(third.body.next_cursor).toBeNull();

    const refunds = await request(t.url)
      .get(`${API}/events?type=refund.processed`)
      .set(dave.authHeader)
      .expect(200);
    expect(refunds.body.events.map((e: { id: string }) => e.id)).toEqual([
      recorded[3],
      recorded[1],
    ]);
    await request(t.url).get(`${API}/events?cursor=garbage`).set(dave.authHeader).expect(400);
  });

  it('accepts API keys with the webhooks permission and refuses others', async () => {
    const alice = await freshUser();
    const withPermission = await createApiKey(t, alice.token, ['webhooks']);
    const without = await createApiKey(t, alice.token, ['read']);
    await request(t.url)
      .get(`${API}/webhook-endpoints`)
      .set('x-api-key', withPermission)
      .expect(200);
    await request(t.url).get(`${API}/events`).set('x-api-key', withPermission).expect(200);
    const denied = await request(t.url)
      .get(`${API}/webhook-deliveries`)
      .set('x-api-key', without)
      .expect(403);
    expect(denied.body.code).toBe('PERMISSION_DENIED');
    await request(t.url).get(`${API}/webhook-endpoints`).expect(401);
  });

  it('deletes an endpoint with its deliveries but keeps the events', async () => {
    const alice = await freshUser();
    const endpoint = await createEndpoint(alice, '/to-delete');
    const eventId = await recordEvent(alice.userId);
    await waitForDelivery(alice, eventId, endpoint.id, (d) => d.status === 'succeeded');
    await request(t.url)
      .delete(`${API}/webhook-endpoints/${endpoint.id}`)
      .set(alice.authHeader)
      .expect(204);
    await request(t.url)
      .get(`${API}/webhook-endpoints/${endpoint.id}`)
      .set(alice.authHeader)
      .expect(404);
    expect(
      await dataSource.query(`SELECT 1 FROM webhook_deliveries WHERE endpoint_id = $1`, [
        endpoint.id,
      ]),
    ).toHaveLength(0);
    expect(await dataSource.query(`SELECT 1 FROM events WHERE id = $1`, [eventId])).toHaveLength(1);
  });

  it('sends a signed webhook.test event to one endpoint only, listed in its delivery log', async () => {
    const alice = await freshUser();
    const target = await createEndpoint(alice, '/test-target');
    const other = await createEndpoint(alice, '/test-other');
    const sent = await request(t.url)
      .post(`${API}/webhook-endpoints/${target.id}/test`)
      .set(alice.authHeader)
      .expect(202);
    expect(sent.body).toMatchObject({ endpoint_id: target.id, event_type: 'webhook.test' });
    const eventId = sent.body.event_id as string;
    await receiver.waitFor(() => receiver.forEvent(eventId).length === 1);

    const [received] = receiver.forEvent(eventId);
    expect(received.path).toBe('/test-target');
    expect(verifyWebhook(target.secret, received)).toMatchObject({
      id: eventId,
      event: 'webhook.test',
      data: { endpoint_id: target.id },
    });
    const delivery = await waitForDelivery(
      alice,
      eventId,
      target.id,
      (d) => d.status === 'succeeded',
    );
    expect(delivery.attempts).toEqual([expect.objectContaining({ attempt: 1, status_code: 200 })]);
    // Never fanned out: the relay runs and the other endpoint (subscribed to everything) gets nothing.
    await t.get<OutboxRelayService>(OutboxRelayService).relayPending();
    expect(
      await dataSource.query(`SELECT 1 FROM webhook_deliveries WHERE endpoint_id = $1`, [other.id]),
    ).toHaveLength(0);
    const events = await request(t.url)
      .get(`${API}/events?type=webhook.test`)
      .set(alice.authHeader)
      .expect(200);
    expect(events.body.events.map((event: { id: string }) => event.id)).toEqual([eventId]);
  });

  it('refuses a test event for another owner’s endpoint (404) and for a disabled one (422)', async () => {
    const alice = await freshUser();
    const bob = await freshUser();
    const endpoint = await createEndpoint(alice, '/test-owned');
    await request(t.url)
      .post(`${API}/webhook-endpoints/${endpoint.id}/test`)
      .set(bob.authHeader)
      .expect(404);
    await request(t.url)
      .patch(`${API}/webhook-endpoints/${endpoint.id}`)
      .set(alice.authHeader)
      .send({ enabled: false })
      .expect(200);
    const refused = await request(t.url)
      .post(`${API}/webhook-endpoints/${endpoint.id}/test`)
      .set(alice.authHeader)
      .expect(422);
    expect(refused.body.code).toBe('WEBHOOK_ENDPOINT_DISABLED');
    expect(
      await dataSource.query(`SELECT 1 FROM events WHERE user_id = $1`, [alice.userId]),
    ).toHaveLength(0);
  });
});
