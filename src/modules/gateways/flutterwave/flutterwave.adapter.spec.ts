import { createHmac } from 'node:crypto';
import { AppConfig } from '../../../config/app-config.js';
import { fixtureBytes } from '../../../../test/fixtures/load-fixture.js';
import { InvalidSignatureError } from '../gateway.errors.js';
import { FlutterwaveAdapter, flutterwaveSignature } from './flutterwave.adapter.js';

const HASH = 'my-flutterwave-secret-hash';

describe('Flutterwave webhook verif-hash', () => {
  const adapter = new FlutterwaveAdapter(
    new AppConfig({ FLUTTERWAVE_SECRET_KEY: 'FLWSECK_TEST-x', FLUTTERWAVE_WEBHOOK_HASH: HASH }),
  );
  const rawBody = fixtureBytes('flutterwave/charge-completed-successful.webhook.json');

  it('accepts the configured hash', async () => {
    await expect(
      adapter.verifyWebhook({ rawBody, headers: { 'verif-hash': HASH } }),
    ).resolves.toBeUndefined();
  });

  it.each([
    ['a wrong hash of the same length', HASH.replace(/.$/, 'X')],
    ['a prefix of the hash', HASH.slice(0, 5)],
    ['the hash with extra characters', `${HASH}x`],
    ['an empty hash', ''],
    ['no header at all', undefined],
  ])('refuses %s with 401 INVALID_SIGNATURE', async (_name, value) => {
    const headers: Record<string, string | undefined> =
      value === undefined ? {} : { 'verif-hash': value };
    const error = await adapter
      .verifyWebhook({ rawBody, headers })
      .catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(InvalidSignatureError);
    expect(error).toMatchObject({ status: 401 });
  });

  it('refuses everything when no hash is configured', async () => {
    const unconfigured = new FlutterwaveAdapter(
      new AppConfig({ FLUTTERWAVE_SECRET_KEY: 'FLWSECK_TEST-x' }),
    );
    expect(unconfigured.isEnabled()).toBe(false);
    await expect(
      unconfigured.verifyWebhook({ rawBody, headers: { 'verif-hash': '' } }),
    ).rejects.toBeInstanceOf(InvalidSignatureError);
  });

  describe('flutterwave-signature, checked when present', () => {
    // As Flutterwave documents it: base64 HMAC-SHA256 of the raw body keyed with the secret hash.
    const valid = createHmac('sha256', HASH).update(rawBody).digest('base64');

    it('accepts the right signature beside the right verif-hash, and its absence', async () => {
      expect(flutterwaveSignature(rawBody, HASH)).toBe(valid);
      await expect(
        adapter.verifyWebhook({
          rawBody,
          headers: { 'verif-hash': HASH, 'flutterwave-signature': valid },
        }),
      ).resolves.toBeUndefined();
    });

    it.each([
      [
        'signed with another secret',
        createHmac('sha256', 'other').update(rawBody).digest('base64'),
      ],
      ['of another body', createHmac('sha256', HASH).update('{}').digest('base64')],
      ['empty', ''],
    ])('refuses a signature %s with 401 INVALID_SIGNATURE', async (_name, signature) => {
      const error = await adapter
        .verifyWebhook({
          rawBody,
          headers: { 'verif-hash': HASH, 'flutterwave-signature': signature },
        })
        .catch((caught: unknown) => caught);
      expect(error).toBeInstanceOf(InvalidSignatureError);
    });

    it('still needs verif-hash: a right signature alone is refused', async () => {
      await expect(
        adapter.verifyWebhook({ rawBody, headers: { 'flutterwave-signature': valid } }),
      ).rejects.toBeInstanceOf(InvalidSignatureError);
    });
  });
});
