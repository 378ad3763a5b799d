import { Writable } from 'node:stream';
import { pino } from 'pino';
import { REDACTED, SECRET_HEADERS, SECRET_KEYS, redactPaths } from './redaction.js';
import { redactHeaders } from './request-log.js';

/** What the application's root logger (redact paths of logging.module.ts) writes for `object`. */
function loggedByRoot(object: Record<string, unknown>): Record<string, unknown> {
  const lines: string[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(chunk.toString());
      done();
    },
  });
  pino({ redact: { paths: redactPaths(), censor: REDACTED } }, sink).info(object, 'line');
  return JSON.parse(lines[0]) as Record<string, unknown>;
}

describe('redactHeaders', () => {
  // Every name either list holds (as Node would deliver it, and as written), plus ordinary ones.
  const names = [
    'host',
    'content-type',
    'user-agent',
    ...SECRET_HEADERS,
    ...SECRET_KEYS,
    ...SECRET_KEYS.map((key) => key.toLowerCase()),
    'x-request-id',
    'webhook-id',
  ];
  const headers = Object.fromEntries(names.map((name, i) => [name, `value-${i}`]));

  it('hides exactly what the root logger hides in a logged request or response, in the same order', () => {
    const byRoot = loggedByRoot({ req: { headers }, res: { headers } }) as {
      req: { headers: Record<string, unknown> };
      res: { headers: Record<string, unknown> };
    };
    expect(JSON.stringify(redactHeaders(headers))).toBe(JSON.stringify(byRoot.req.headers));
    expect(JSON.stringify(redactHeaders(headers))).toBe(JSON.stringify(byRoot.res.headers));
  });

  it('hides every gateway signature header and leaves the input untouched', () => {
    const redacted = redactHeaders(headers);
    for (const name of [
      'x-paystack-signature',
      'verif-hash',
      'stripe-signature',
      'webhook-signature',
      'paypal-transmission-sig',
    ])
      expect(redacted[name]).toBe(REDACTED);
    expect(redacted['webhook-id']).toBe(headers['webhook-id']);
    expect(headers['x-paystack-signature']).not.toBe(REDACTED);
  });
});
