import http from 'node:http';
import { LOG_DESTINATION } from '../../src/common/logging/logging.module.js';
import { REDACTED } from '../../src/common/logging/redaction.js';
import { FakePaystack } from '../fakes/fake-paystack.js';
import { GenericWebhookSender } from '../fakes/webhook-sender.js';
import { captureLogs } from '../helpers/log-capture.js';
import { createTestApp, TestApp, TestAppOptions } from '../helpers/test-env.js';
import { paymentsEnv, sql } from './payments.helpers.js';

interface Answer {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
}

/**
 * `lean`: a plain JSON POST with a Content-Length (what gateways send; served ahead of Express).
 * `express`: the same bytes sent chunked, which the lean path leaves to Express and Nest.
 */
type Path = 'lean' | 'express';

const WEBHOOK_LIMIT = 25;
/** Unverified requests per client address (THROTTLE_LIMIT) for the whole file. */
const UNVERIFIED_LIMIT = 40;

/** An app whose Express application records the X-Request-Id of every request it handles. */
class Harness {
  readonly reachedExpress: unknown[] = [];
  t!: TestApp;
  private nextId = 4_000_000;

  constructor(readonly paystack: FakePaystack) {}

  async start(options: TestAppOptions): Promise<void> {
    this.t = await createTestApp({
      ...options,
      onExpressRequest: (req) => this.reachedExpress.push(req.headers['x-request-id']),
    });
  }

  post(path: Path, url: string, body: string, headers: Record<string, string>): Promise<Answer> {
    const { port } = new URL(this.t.url);
    return new Promise<Answer>((resolve, reject) => {
      const req = http.request(
        {
          host: '127.0.0.1',
          port,
          path: url,
          method: 'POST',
          headers:
            path === 'lean'
              ? { ...headers, 'content-length': String(Buffer.byteLength(body)) }
              : headers,
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (chunk: Buffer) => chunks.push(chunk));
          res.on('end', () =>
            resolve({
              status: res.statusCode ?? 0,
              headers: res.headers,
              body: Buffer.concat(chunks).toString('utf8'),
            }),
          );
          res.on('error', reject);
        },
      );
      req.on('error', reject);
      // Without a Content-Length, Node sends the body chunked.
      if (path === 'express') req.write(body);
      req.end(path === 'lean' ? body : undefined);
    });
  }

  /** Sends the same request (by X-Request-Id) down each path, checking which one served it. */
  async both(
    name: string,
    url: string,
    body: (path: Path) => string,
    headers: (body: string) => Record<string, string>,
  ): Promise<{ lean: Answer; express: Answer }> {
    const answers = {} as { lean: Answer; express: Answer };
    for (const path of ['lean', 'express'] as const) {
      const sent = body(path);
      const requestId = `lean-eq-${name}`;
      const before = this.reachedExpress.length;
      answers[path] = await this.post(path, url, sent, {
        ...headers(sent),
        'x-request-id': requestId,
      });
      expect({ name, path, reachedExpress: this.reachedExpress.slice(before) }).toEqual({
        name,
        path,
        reachedExpress: path === 'express' ? [requestId] : [],
      });
    }
    return answers;
  }

  paystackEvent(id = this.nextId++): string {
    return JSON.stringify({
      event: 'charge.success',
      data: { id, status: 'success', reference: `PAY-LEAN-${id}`, amount: 10_000, currency: 'NGN' },
    });
  }

  signed = (body: string): Record<string, string> => ({
    'content-type': 'application/json',
    'x-paystack-signature': this.paystack.sign(body),
  });
}

/** Everything but what differs between any two answers (Date, the counts of the limiter). */
function comparable(answer: Answer): Record<string, unknown> {
  const headers: Record<string, unknown> = { ...answer.headers };
  delete headers.date;
  for (const counted of ['x-ratelimit-remaining', 'retry-after'])
    if (counted in headers && /^\d+$/.test(String(headers[counted]))) headers[counted] = 'a count';
  return { status: answer.status, headers, body: answer.body };
}

describe('inbound webhooks on the lean path (e2e)', () => {
  const { stream: capture, lines } = captureLogs();
  let h: Harness;
  let t: TestApp;
  let paystack: FakePaystack;
  const generic = new GenericWebhookSender(GenericWebhookSender.newSecret());

  beforeAll(async () => {
    paystack = await new FakePaystack().start();
    h = new Harness(paystack);
    await h.start({
      env: paymentsEnv(paystack, generic.secret, {
        LOG_LEVEL: 'info',
        THROTTLE_WEBHOOK_LIMIT: String(WEBHOOK_LIMIT),
        THROTTLE_LIMIT: String(UNVERIFIED_LIMIT),
        // One window for the whole file, so the 429 case cannot straddle two.
        THROTTLE_TTL: '24h',
      }),
      override: (builder) => builder.overrideProvider(LOG_DESTINATION).useValue(capture),
    });
    t = h.t;
  });

  afterAll(async () => {
    await t.close();
    await paystack.stop();
  });

  const post = (...args: Parameters<Harness['post']>) => h.post(...args);
  const both = (...args: Parameters<Harness['both']>) => h.both(...args);
  const paystackEvent = () => h.paystackEvent();
  const signed = (body: string) => h.signed(body);
  const reachedExpress = () => h.reachedExpress;

  it('answers every outcome exactly as the controller does, headers and error shape included', async () => {
    const duplicate = paystackEvent();
    expect(
      (await post('lean', '/api/v1/webhooks/paystack', duplicate, signed(duplicate))).status,
    ).toBe(200);
    const notAnEvent = JSON.stringify({ hello: 'world' });
    const cases: [
      string,
      string,
      (path: Path) => string,
      (body: string) => Record<string, string>,
    ][] = [
      ['accepted', '/api/v1/webhooks/paystack', () => paystackEvent(), signed],
      ['duplicate', '/api/v1/webhooks/paystack', () => duplicate, signed],
      [
        'bad-signature',
        '/api/v1/webhooks/paystack',
        () => paystackEvent(),
        () => ({ 'content-type': 'application/json', 'x-paystack-signature': 'ab'.repeat(64) }),
      ],
      [
        'no-signature',
        '/api/v1/webhooks/paystack',
        () => paystackEvent(),
        () => ({ 'content-type': 'application/json' }),
      ],
      ['malformed-json', '/api/v1/webhooks/paystack', () => '{"event":', signed],
      ['json-scalar', '/api/v1/webhooks/paystack', () => ' "charge.success"', signed],
      ['empty-body', '/api/v1/webhooks/paystack', () => '', signed],
      ['signed-not-an-event', '/api/v1/webhooks/paystack', () => notAnEvent, signed],
      ['unknown-gateway', '/api/v1/webhooks/nosuch', () => paystackEvent(), signed],
      ['disabled-gateway', '/api/v1/webhooks/stripe', () => paystackEvent(), signed],
      [
        'charset-and-bom',
        '/api/v1/webhooks/paystack',
        () => `\ufeff${paystackEvent()}`,
        (body) => ({ ...signed(body), 'content-type': 'application/json; charset=UTF-8' }),
      ],
    ];
    const seen: Record<string, number> = {};
    for (const [name, url, body, headers] of cases) {
      const { lean, express } = await both(name, url, body, headers);
      expect({ name, answer: comparable(lean) }).toEqual({ name, answer: comparable(express) });
      seen[name] = lean.status;
    }
    expect(seen).toEqual({
      accepted: 200,
      duplicate: 200,
      'bad-signature': 401,
      'no-signature': 401,
      'malformed-json': 400,
      'json-scalar': 400,
      'empty-body': 400,
      'signed-not-an-event': 400,
      'unknown-gateway': 404,
      'disabled-gateway': 422,
      'charset-and-bom': 400,
    });
    expect(
      JSON.parse(
        (
          await both(
            'shape',
            '/api/v1/webhooks/paystack',
            () => paystackEvent(),
            () => ({
              'content-type': 'application/json',
            }),
          )
        ).lean.body,
      ),
    ).toEqual({
      status_code: 401,
      code: 'INVALID_SIGNATURE',
      message: 'Webhook signature is missing or invalid',
      details: [],
      request_id: 'lean-eq-shape',
    });

    // Sent three times, stored once.
    const stored = await sql<{ n: number }>(
      t,
      `SELECT count(*)::int AS n FROM inbound_webhook_events WHERE event_id = $1`,
      [`charge.success.${(JSON.parse(duplicate) as { data: { id: number } }).data.id}.success`],
    );
    expect(stored[0].n).toBe(1);
  });

  it('answers 429 with Retry-After on both paths once the gateway is over its limit', async () => {
    // The generic gateway's bucket is this test's own (no other test here posts to it); one signed
    // event, resent: duplicates are verified requests too.
    const body = JSON.stringify({
      transaction_id: 'PAY-LEAN-LIMIT',
      status: 'completed',
      amount: 100,
      currency: 'NGN',
    });
    const headers = {
      ...generic.headers(body, { id: 'msg_lean_limit' }),
      'x-request-id': 'lean-eq-429',
    };
    let lean: Answer | undefined;
    for (let i = 0; i <= WEBHOOK_LIMIT && lean?.status !== 429; i++)
      lean = await post('lean', '/api/v1/webhooks/generic', body, headers);
    const express = await post('express', '/api/v1/webhooks/generic', body, headers);
    expect(lean?.status).toBe(429);
    expect(comparable(lean as Answer)).toEqual(comparable(express));
    expect(JSON.parse(express.body)).toMatchObject({ code: 'RATE_LIMITED' });
  });

  it('answers 429 with Retry-After on both paths once an address is over its limit of unverified requests', async () => {
    // Unknown gateways, unsigned and wrongly signed posts all count against the client address.
    const from = { 'x-forwarded-for': '198.51.100.77', 'x-request-id': 'lean-eq-429-unverified' };
    const unsigned = (i: number) =>
      post(
        'lean',
        i % 2 ? '/api/v1/webhooks/nosuch' : '/api/v1/webhooks/paystack',
        paystackEvent(),
        {
          'content-type': 'application/json',
          ...from,
        },
      );
    let lean: Answer | undefined;
    for (let i = 0; i <= UNVERIFIED_LIMIT && lean?.status !== 429; i++) lean = await unsigned(i);
    const express = await post('express', '/api/v1/webhooks/paystack', paystackEvent(), {
      'content-type': 'application/json',
      ...from,
    });
    expect(lean?.status).toBe(429);
    expect(comparable(lean as Answer)).toEqual(comparable(express));
    expect(JSON.parse(express.body)).toMatchObject({ code: 'RATE_LIMITED' });
    // The real gateway, from its own address, is not held up by it.
    const event = paystackEvent();
    expect((await post('lean', '/api/v1/webhooks/paystack', event, signed(event))).status).toBe(
      200,
    );
  });

  it('leaves bodies over the limit, other content types and query strings to Express', async () => {
    const before = reachedExpress().length;
    const huge = `{"padding":"${'x'.repeat(1024 * 1024)}"}`;
    const tooLarge = await post('lean', '/api/v1/webhooks/paystack', huge, {
      'content-type': 'application/json',
      'x-request-id': 'lean-too-large',
    });
    expect(tooLarge.status).toBe(413);
    expect(JSON.parse(tooLarge.body)).toMatchObject({
      code: 'PAYLOAD_TOO_LARGE',
      request_id: 'lean-too-large',
    });

    // Express reads no raw body for text/plain: the signature cannot match (as before).
    const body = paystackEvent();
    const text = await post('lean', '/api/v1/webhooks/paystack', body, {
      ...signed(body),
      'content-type': 'text/plain',
      'x-request-id': 'lean-text',
    });
    expect(text.status).toBe(401);

    const query = await post('lean', '/api/v1/webhooks/paystack?source=test', body, {
      ...signed(body),
      'x-request-id': 'lean-query',
    });
    expect(query.status).toBe(200);
    expect(reachedExpress().slice(before)).toEqual(['lean-too-large', 'lean-text', 'lean-query']);
  });

  it('logs one line per webhook, as pino-http does, with the request id and no signature', async () => {
    const body = paystackEvent();
    const headers = signed(body);
    await post('lean', '/api/v1/webhooks/paystack', body, {
      ...headers,
      'x-request-id': 'log-lean',
    });
    await post('express', '/api/v1/webhooks/paystack', body, {
      ...headers,
      'x-request-id': 'log-express',
    });
    const lineOf = async (id: string): Promise<Record<string, unknown>> => {
      for (let i = 0; i < 200; i++) {
        const found = lines.filter((line) => line.request_id === id && 'res' in line);
        if (found.length > 0) {
          expect(found).toHaveLength(1);
          return found[0];
        }
        await new Promise((resolve) => setImmediate(resolve));
      }
      throw new Error(`no request line for ${id}`);
    };
    const lean = (await lineOf('log-lean')) as {
      req: { headers: Record<string, unknown> };
      res: { headers: Record<string, unknown> };
    } & Record<string, unknown>;
    const express = (await lineOf('log-express')) as typeof lean;

    expect(lean).toMatchObject({
      level: 30,
      msg: 'request completed',
      request_id: 'log-lean',
      req: {
        id: 'log-lean',
        method: 'POST',
        url: '/api/v1/webhooks/paystack',
        headers: { 'x-paystack-signature': REDACTED, 'x-request-id': 'log-lean' },
      },
      res: { statusCode: 200, headers: { 'x-request-id': 'log-lean' } },
      responseTime: expect.any(Number),
    });
    expect(express.req.headers['x-paystack-signature']).toBe(REDACTED);
    // The same line shape either way; only the framing headers of the two requests differ.
    const shape = (line: typeof lean) => ({
      keys: Object.keys(line),
      req: Object.keys(line.req),
      res: Object.keys(line.res),
      resHeaders: Object.keys(line.res.headers),
      reqHeaders: Object.keys(line.req.headers).filter(
        (name) => name !== 'content-length' && name !== 'transfer-encoding',
      ),
    });
    expect(shape(lean)).toEqual(shape(express));
    expect(JSON.stringify(lines)).not.toContain(headers['x-paystack-signature']);
  });
});

describe('inbound webhooks on the lean path with CORS configured (e2e)', () => {
  let h: Harness;
  let paystack: FakePaystack;

  beforeAll(async () => {
    paystack = await new FakePaystack().start();
    h = new Harness(paystack);
    await h.start({
      env: paymentsEnv(paystack, GenericWebhookSender.newSecret(), {
        CORS_ORIGINS: 'https://app.example.com,https://admin.example.com',
      }),
    });
  });

  afterAll(async () => {
    await h.t.close();
    await paystack.stop();
  });

  it('adds the same CORS headers as the cors middleware, whatever the Origin', async () => {
    const origins: [string, Record<string, string>][] = [
      ['allowed-origin', { origin: 'https://admin.example.com' }],
      ['other-origin', { origin: 'https://evil.example.com' }],
      ['no-origin', {}],
    ];
    for (const [name, origin] of origins) {
      for (const [outcome, headers] of [
        ['accepted', h.signed],
        ['unsigned', () => ({ 'content-type': 'application/json' })],
      ] as const) {
        const { lean, express } = await h.both(
          `${name}-${outcome}`,
          '/api/v1/webhooks/paystack',
          () => h.paystackEvent(),
          (body) => ({ ...headers(body), ...origin }),
        );
        expect({ name, outcome, answer: comparable(lean) }).toEqual({
          name,
          outcome,
          answer: comparable(express),
        });
        expect(lean.headers['access-control-allow-credentials']).toBe('true');
      }
    }
  });
});
