import request from 'supertest';
import { DataSource } from 'typeorm';
import { OutboxService } from '../../src/modules/outbound-webhooks/outbox.service.js';
import {
  type ResolvedAddress,
  WebhookDnsResolver,
} from '../../src/modules/outbound-webhooks/url-safety.js';
import { OutboxRelayService } from '../../src/modules/outbound-webhooks/outbox-relay.service.js';
import { WebhookReceiver } from '../fakes/webhook-receiver.js';
import { signIn, type SignedIn } from '../helpers/auth.js';
import { createTestApp, type TestApp } from '../helpers/test-env.js';

const API = '/api/v1';

/** DNS the test controls, to play out a record that changes after the endpoint was checked. */
class ScriptedResolver extends WebhookDnsResolver {
  readonly answers = new Map<string, ResolvedAddress[]>();

  override async resolve(hostname: string): Promise<ResolvedAddress[]> {
    const answer = this.answers.get(hostname);
    if (answer) return answer;
    return super.resolve(hostname);
  }
}

describe('outbound webhook URL safety (e2e, private URLs not allowed)', () => {
  let t: TestApp;
  let receiver: WebhookReceiver;
  let user: SignedIn;
  const resolver = new ScriptedResolver();

  beforeAll(async () => {
    t = await createTestApp({
      env: { WEBHOOK_ALLOW_PRIVATE_URLS: 'false', WEBHOOK_RETRY_SCHEDULE: '0,1,1' },
      override: (builder) => builder.overrideProvider(WebhookDnsResolver).useValue(resolver),
    });
    receiver = await new WebhookReceiver().start();
    user = await signIn(t, 'url-safety@example.com');
  });

  afterAll(async () => {
    await receiver?.close();
    await t?.close();
  });

  it.each([
    ['a loopback URL', 'http://127.0.0.1:8080/hook'],
    ['a loopback IPv6 URL', 'http://[::1]:8080/hook'],
    ['a cloud metadata URL', 'http://169.254.169.254/latest/meta-data/'],
    ['a private network URL', 'https://10.0.0.7/hook'],
    ['a CGNAT URL', 'https://100.64.1.1/hook'],
    ['a unique-local IPv6 URL', 'https://[fd12::1]/hook'],
    ['localhost (a name resolving to loopback)', 'http://localhost:8080/hook'],
    ['IPv4-compatible IPv6 embedding loopback', 'http://[::127.0.0.1]:8080/hook'],
    ['SIIT IPv6 embedding loopback', 'http://[::ffff:0:7f00:1]:8080/hook'],
    ['Teredo IPv6 with server 0.0.0.0', 'http://[2001::7f00:1]:8080/hook'],
    ['NAT64 IPv6 embedding cloud metadata', 'http://[64:ff9b::a9fe:a9fe]/latest/meta-data/'],
    ['6to4 IPv6 embedding a private network', 'http://[2002:a00:7::1]/hook'],
  ])('refuses %s at creation with 422 WEBHOOK_URL_NOT_ALLOWED', async (_label, url) => {
    const res = await request(t.url)
      .post(`${API}/webhook-endpoints`)
      .set(user.authHeader)
      .send({ url, events: ['*'] })
      .expect(422);
    expect(res.body.code).toBe('WEBHOOK_URL_NOT_ALLOWED');
    expect(res.body.details[0].field).toBe('url');
  });

  it('says only "not allowed", never what a name resolves to or whether it resolves', async () => {
    resolver.answers.set('db.internal.test', [{ address: '10.20.30.40', family: 4 }]);
    const answers = [];
    for (const url of ['https://db.internal.test/hook', 'https://no-such-name.invalid/hook']) {
      const res = await request(t.url)
        .post(`${API}/webhook-endpoints`)
        .set(user.authHeader)
        .send({ url, events: ['*'] })
        .expect(422);
      answers.push({ message: res.body.message, details: res.body.details });
    }
    expect(JSON.stringify(answers)).not.toMatch(/10\.20\.30\.40|private|resolve/);
    // Both refusals read the same: an existing internal name and a missing one are told apart by nothing.
    expect(answers[0]).toEqual(answers[1]);
    expect(answers[0]).toEqual({
      message: 'This webhook URL is not allowed',
      details: [{ field: 'url', message: "the URL's host is not allowed" }],
    });
  });

  it('refuses a private URL on update too', async () => {
    resolver.answers.set('hooks.public.test', [{ address: '93.184.216.34', family: 4 }]);
    const created = await request(t.url)
      .post(`${API}/webhook-endpoints`)
      .set(user.authHeader)
      .send({ url: 'https://hooks.public.test/in', events: ['*'] })
      .expect(201);
    const res = await request(t.url)
      .patch(`${API}/webhook-endpoints/${created.body.id}`)
      .set(user.authHeader)
      .send({ url: 'http://192.168.0.10/in' })
      .expect(422);
    expect(res.body.code).toBe('WEBHOOK_URL_NOT_ALLOWED');
    const unchanged = await request(t.url)
      .get(`${API}/webhook-endpoints/${created.body.id}`)
      .set(user.authHeader)
      .expect(200);
    expect(unchanged.body.url).toBe('https://hooks.public.test/in');
    await request(t.url)
      .delete(`${API}/webhook-endpoints/${created.body.id}`)
      .set(user.authHeader)
      .expect(204);
  });

  it('checks again when connecting: a name that now resolves to 127.0.0.1 is never contacted', async () => {
    const port = new URL(receiver.url).port;
    resolver.answers.set('rebinding.test', [{ address: '93.184.216.34', family: 4 }]);
    const created = await request(t.url)
      .post(`${API}/webhook-endpoints`)
      .set(user.authHeader)
      .send({ url: `http://rebinding.test:${port}/hook`, events: ['*'] })
      .expect(201);

    // The DNS record changes after the endpoint passed its check.
    resolver.answers.set('rebinding.test', [{ address: '127.0.0.1', family: 4 }]);
    const dataSource = t.get<DataSource>(DataSource);
    const eventId = await dataSource.transaction((manager) =>
      t
        .get<OutboxService>(OutboxService)
        .record(manager, { userId: user.userId, type: 'payment.success', data: { n: 1 } }),
    );
    await t.get<OutboxRelayService>(OutboxRelayService).kick();

    const deadline = Date.now() + 20_000;
    let delivery:
      | { status: string; attempts: { error: string | null; status_code: number | null }[] }
      | undefined;
    while (Date.now() < deadline) {
      const list = await request(t.url)
        .get(`${API}/webhook-deliveries?endpoint_id=${created.body.id}`)
        .set(user.authHeader)
        .expect(200);
      if (list.body.deliveries[0]?.status === 'failed') {
        delivery = (
          await request(t.url)
            .get(`${API}/webhook-deliveries/${list.body.deliveries[0].id}`)
            .set(user.authHeader)
            .expect(200)
        ).body;
        break;
      }
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect(delivery?.status).toBe('failed');
    expect(delivery?.attempts).toHaveLength(3);
    for (const attempt of delivery!.attempts) {
      expect(attempt.status_code).toBeNull();
      // Recorded for the owner to read: it says the host is refused, not where it now points.
      expect(attempt.error).toBe("WEBHOOK_URL_NOT_ALLOWED: the URL's host is not allowed");
    }
    expect(receiver.forEvent(eventId)).toHaveLength(0);
    expect(receiver.requests).toHaveLength(0);
  });
});
