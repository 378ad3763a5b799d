import { Webhook } from 'standardwebhooks';
import { generateWebhookSecret, signWebhook, webhookBody } from './webhook-signer.js';

/**
 * The published Standard Webhooks test vector: "sign function works" in
 * standard-webhooks/standard-webhooks, libraries/javascript/src/webhook.test.ts
 * (commit 10d3e46d720c4e5861a792bec25792a04ad4e2b3).
 */
const VECTOR = {
  secret: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw',
  msgId: 'msg_p5jXN8AQM9LWM0D4loKWxJek',
  timestamp: new Date(1614265330 * 1000),
  payload: '{"test": 2432232314}',
  signature: 'v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=',
};

describe('webhook signer', () => {
  it('produces the Standard Webhooks published test-vector signature', () => {
    const headers = signWebhook([VECTOR.secret], VECTOR.msgId, VECTOR.timestamp, VECTOR.payload);
    expect(headers).toEqual({
      'webhook-id': VECTOR.msgId,
      'webhook-timestamp': '1614265330',
      'webhook-signature': VECTOR.signature,
    });
  });

  it('sends one signature per secret during a rotation, space-separated, each verifiable alone', () => {
    const current = generateWebhookSecret();
    const previous = generateWebhookSecret();
    const now = new Date();
    const body = webhookBody({
      id: 'evt_abc',
      type: 'payment.success',
      createdAt: now,
      data: { amount: 100 },
    });
    const headers = signWebhook([current, previous], 'evt_abc', now, body);
    const signatures = headers['webhook-signature'].split(' ');
    expect(signatures).toHaveLength(2);
    expect(signatures.every((signature) => signature.startsWith('v1,'))).toBe(true);
    for (const secret of [current, previous]) {
      expect(new Webhook(secret).verify(body, { ...headers })).toEqual(JSON.parse(body));
    }
    expect(() => new Webhook(generateWebhookSecret()).verify(body, { ...headers })).toThrow();
  });

  it('generates whsec_ secrets of 32 random bytes that differ every time', () => {
    const a = generateWebhookSecret();
    const b = generateWebhookSecret();
    expect(a).toMatch(/^whsec_[A-Za-z0-9+/]+=*$/);
    expect(Buffer.from(a.slice('whsec_'.length), 'base64')).toHaveLength(32);
    expect(a).not.toBe(b);
  });

  it('builds the SPEC body with the unix-seconds time of the event', () => {
    const body = JSON.parse(
      webhookBody({
        id: 'evt_x',
        type: 'refund.processed',
        createdAt: new Date('2026-01-22T12:34:56.789Z'),
        data: { id: 'r1' },
      }),
    );
    expect(body).toEqual({
      id: 'evt_x',
      event: 'refund.processed',
      timestamp: 1769085296,
      data: { id: 'r1' },
    });
  });
});
