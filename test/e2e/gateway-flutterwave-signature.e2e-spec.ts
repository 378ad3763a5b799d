import { LOG_DESTINATION } from '../../src/common/logging/logging.module.js';
import { REDACTED } from '../../src/common/logging/redaction.js';
import { FakeFlutterwave } from '../fakes/fake-flutterwave.js';
import type { SignedIn } from '../helpers/auth.js';
import { captureLogs } from '../helpers/log-capture.js';
import type { TestApp } from '../helpers/test-env.js';
import { gatewayTestApp } from './gateway.helpers.js';
import { createPayment, paymentStatus, sql, waitFor } from './payments.helpers.js';

/**
 * SPEC §7: where Flutterwave sends `flutterwave-signature` (base64 HMAC-SHA256 of the raw body
 * with the secret hash) it is checked beside `verif-hash`; and like every signature header it
 * never reaches the log.
 */
describe('Flutterwave flutterwave-signature (e2e)', () => {
  const { stream, raw } = captureLogs();
  const app = gatewayTestApp(() => new FakeFlutterwave().start(), 'flw-signature@example.com', {
    env: { LOG_LEVEL: 'info' },
    override: (builder) => builder.overrideProvider(LOG_DESTINATION).useValue(stream),
  });
  let t: TestApp;
  let flutterwave: FakeFlutterwave;
  let alice: SignedIn;

  beforeAll(() => {
    ({ t, fake: flutterwave, alice } = app());
  });

  /** Posts the body with the given headers, chunked or not (lean path or Express). */
  async function post(
    body: string,
    headers: Record<string, string>,
    requestId: string,
  ): Promise<{ status: number; code?: string }> {
    const res = await fetch(`${t.url}/api/v1/webhooks/flutterwave`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-request-id': requestId, ...headers },
      body,
    });
    const answer = (await res.json()) as { code?: string };
    return { status: res.status, code: answer.code };
  }

  async function logLineOf(requestId: string): Promise<string> {
    for (let i = 0; i < 200; i++) {
      const line = raw.find((candidate) => candidate.includes(`"request_id":"${requestId}"`));
      if (line) return line;
      await new Promise((resolve) => setImmediate(resolve));
    }
    throw new Error(`no log line for request ${requestId}`);
  }

  it('refuses a wrong flutterwave-signature with 401 INVALID_SIGNATURE even with the right verif-hash, and accepts the right one', async () => {
    const created = await createPayment(t, alice.authHeader, {
      amount: 150_000,
      currency: 'NGN',
      gateway: 'flutterwave',
    });
    const transaction = flutterwave.pay(created.reference);
    const body = JSON.stringify(flutterwave.chargeCompletedEvent(transaction.id as number));
    const forged = flutterwave.signature(`${body} `);

    const refused = await post(
      body,
      { 'verif-hash': flutterwave.webhookHash, 'flutterwave-signature': forged },
      'flw-forged',
    );
    expect(refused).toEqual({ status: 401, code: 'INVALID_SIGNATURE' });
    expect(await sql(t, `SELECT id FROM inbound_webhook_events`)).toEqual([]);
    expect(await paymentStatus(t, created.reference)).toBe('pending');

    const valid = flutterwave.signature(body);
    const accepted = await post(
      body,
      { 'verif-hash': flutterwave.webhookHash, 'flutterwave-signature': valid },
      'flw-valid',
    );
    expect(accepted.status).toBe(200);
    await waitFor(
      () => paymentStatus(t, created.reference),
      (status) => status === 'succeeded',
    );

    // Neither signature (nor the hash) is written to the log; the header shows as redacted.
    for (const [requestId, signature] of [
      ['flw-forged', forged],
      ['flw-valid', valid],
    ]) {
      const line = await logLineOf(requestId);
      expect(line).toContain(`"flutterwave-signature":"${REDACTED}"`);
      expect(line).not.toContain(signature);
      expect(line).not.toContain(flutterwave.webhookHash);
    }
    expect(raw.join('\n')).not.toContain(valid);
  });
});
