import { AppConfig } from '../../src/config/app-config.js';
import type { InboundWebhookRequest } from '../../src/modules/gateways/gateway.interface.js';
import { InvalidSignatureError } from '../../src/modules/gateways/gateway.errors.js';
import { PaystackAdapter } from '../../src/modules/gateways/paystack/paystack.adapter.js';
import { FakePaystack } from '../fakes/fake-paystack.js';
import { type ReceivedWebhook, WebhookReceiver } from '../fakes/webhook-receiver.js';

type Json = Record<string, unknown>;

interface Answer {
  status: number;
  body: Json;
}

let serial = 0;
/** A fresh transfer reference as Paystack asks for it: lowercase, 16+ characters. */
function reference(): string {
  serial += 1;
  return `wdr-20260122123456-${String(serial).padStart(8, '0')}`;
}

/** The fake's own contract over HTTP: the transfer API a payouts adapter will call. */
describe('fake Paystack transfer API', () => {
  let paystack: FakePaystack;
  let app: WebhookReceiver;

  async function call(
    method: string,
    path: string,
    body?: Json,
    options: { timeoutMs?: number; auth?: string | null } = {},
  ): Promise<Answer> {
    const headers: Record<string, string> = { 'content-type': 'application/json' };
    const auth = options.auth === undefined ? `Bearer ${paystack.secretKey}` : options.auth;
    if (auth !== null) headers.authorization = auth;
    const response = await fetch(`${paystack.url}${path}`, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
      signal: AbortSignal.timeout(options.timeoutMs ?? 5_000),
    });
    return { status: response.status, body: (await response.json()) as Json };
  }

  async function recipient(accountNumber = '0001234567', bankCode = '058'): Promise<string> {
    const created = await call('POST', '/transferrecipient', {
      type: 'nuban',
      name: 'Jane Doe',
      account_number: accountNumber,
      bank_code: bankCode,
      currency: 'NGN',
    });
    expect(created.status).toBe(200);
    return (created.body.data as Json).recipient_code as string;
  }

  function transferBody(recipientCode: string, ref = reference(), amount = 150_000): Json {
    return {
      source: 'balance',
      amount,
      recipient: recipientCode,
      reference: ref,
      reason: 'Payout',
    };
  }

  function webhookRequest(received: ReceivedWebhook): InboundWebhookRequest {
    return { rawBody: Buffer.from(received.body), headers: received.headers };
  }

  beforeAll(async () => {
    app = await new WebhookReceiver().start();
    paystack = await new FakePaystack({ appUrl: app.url }).start();
  });

  afterEach(() => {
    paystack.clearTransferFaults();
    paystack.transferOtp = false;
    paystack.insufficientBalance = false;
    paystack.autoSettleTransfers = undefined;
  });

  afterAll(async () => {
    await paystack.stop();
    await app.close();
  });

  it('refuses transfer routes without the secret key, as Paystack does', async () => {
    const answer = await call('GET', '/bank?currency=NGN', undefined, { auth: null });
    expect(answer).toEqual({ status: 401, body: { status: false, message: 'Invalid key' } });
  });

  it('lists Nigerian banks for NGN and Ghanaian mobile money operators for GHS', async () => {
    const ngn = await call('GET', '/bank?currency=NGN');
    expect(ngn.status).toBe(200);
    expect(ngn.body).toMatchObject({ status: true, message: 'Banks retrieved' });
    const banks = ngn.body.data as Json[];
    expect(banks.map((bank) => bank.code)).toEqual(expect.arrayContaining(['044', '058', '011']));
    expect(banks.every((bank) => bank.currency === 'NGN' && bank.type === 'nuban')).toBe(true);
    expect(banks.find((bank) => bank.code === '058')).toMatchObject({
      name: 'Guaranty Trust Bank',
      slug: 'guaranty-trust-bank',
      country: 'Nigeria',
    });

    const momo = await call('GET', '/bank?currency=GHS&type=mobile_money');
    expect((momo.body.data as Json[]).map((bank) => [bank.code, bank.type])).toEqual([
      ['ATL', 'mobile_money'],
      ['MTN', 'mobile_money'],
      ['VOD', 'mobile_money'],
    ]);
    const byCountry = await call('GET', '/bank?country=ghana');
    expect((byCountry.body.data as Json[]).length).toBe(3);
  });

  it('resolves a known account and answers 422 for one it cannot resolve', async () => {
    const known = await call('GET', '/bank/resolve?account_number=0001234567&bank_code=058');
    expect(known).toEqual({
      status: 200,
      body: {
        status: true,
        message: 'Account number resolved',
        data: { account_number: '0001234567', account_name: 'Doe Jane Loren', bank_id: 9 },
      },
    });
    paystack.addBankAccount('044', '0690000031', 'Forrest Green');
    const added = await call('GET', '/bank/resolve?account_number=0690000031&bank_code=044');
    expect((added.body.data as Json).account_name).toBe('Forrest Green');

    const unknown = await call('GET', '/bank/resolve?account_number=0000000001&bank_code=058');
    expect(unknown).toEqual({
      status: 422,
      body: {
        status: false,
        message: 'Could not resolve account name. Check parameters or try again.',
      },
    });
  });

  it('creates a transfer recipient, and gives the same one back for the same account', async () => {
    const created = await call('POST', '/transferrecipient', {
      type: 'nuban',
      name: 'Jane Doe',
      account_number: '0001234567',
      bank_code: '058',
      currency: 'NGN',
    });
    expect(created.status).toBe(200);
    expect(created.body).toMatchObject({
      status: true,
      message: 'Transfer recipient created successfully',
      data: {
        type: 'nuban',
        name: 'Jane Doe',
        currency: 'NGN',
        recipient_code: expect.stringMatching(/^RCP_[a-z0-9]{15}$/),
        details: {
          account_number: '0001234567',
          account_name: 'Doe Jane Loren',
          bank_code: '058',
          bank_name: 'Guaranty Trust Bank',
        },
      },
    });
    const code = (created.body.data as Json).recipient_code as string;
    expect(await recipient('0001234567', '058')).toBe(code);

    const momo = await call('POST', '/transferrecipient', {
      type: 'mobile_money',
      name: 'Abina Nana',
      account_number: '0551234987',
      bank_code: 'MTN',
      currency: 'GHS',
    });
    expect(momo.body.data).toMatchObject({
      type: 'mobile_money',
      currency: 'GHS',
      details: { bank_code: 'MTN', bank_name: 'MTN' },
    });
  });

  it('refuses a recipient whose bank account does not resolve, and records none', async () => {
    const before = paystack.recipients.size;
    const answer = await call('POST', '/transferrecipient', {
      type: 'nuban',
      name: 'Nobody',
      account_number: '0000000002',
      bank_code: '058',
      currency: 'NGN',
    });
    expect(answer.status).toBe(422);
    expect(paystack.recipients.size).toBe(before);
  });

  it('queues a transfer as pending with a TRF_ code, and verify reports it by reference', async () => {
    const code = await recipient();
    const ref = reference();
    const created = await call('POST', '/transfer', transferBody(code, ref, 150_000));
    expect(created.status).toBe(200);
    expect(created.body).toMatchObject({
      status: true,
      message: 'Transfer has been queued',
      data: {
        reference: ref,
        amount: 150_000,
        currency: 'NGN',
        source: 'balance',
        reason: 'Payout',
        status: 'pending',
        transfer_code: expect.stringMatching(/^TRF_[a-z0-9]{15}$/),
        recipient: paystack.recipient(code).id,
      },
    });

    const verified = await call('GET', `/transfer/verify/${ref}`);
    expect(verified.status).toBe(200);
    expect(verified.body).toMatchObject({
      status: true,
      message: 'Transfer retrieved',
      data: {
        reference: ref,
        status: 'pending',
        amount: 150_000,
        transfer_code: (created.body.data as Json).transfer_code,
        recipient: { recipient_code: code, details: { account_number: '0001234567' } },
      },
    });
    const transferCode = (created.body.data as { transfer_code: string }).transfer_code;
    const fetched = await call('GET', `/transfer/${transferCode}`);
    expect((fetched.body.data as Json).reference).toBe(ref);
  });

  it('refuses a second transfer with the same reference and keeps the first untouched', async () => {
    const code = await recipient();
    const ref = reference();
    expect((await call('POST', '/transfer', transferBody(code, ref, 150_000))).status).toBe(200);
    const again = await call('POST', '/transfer', transferBody(code, ref, 990_000));
    expect(again.status).toBe(400);
    expect(again.body).toMatchObject({
      status: false,
      message: 'Duplicate Transfer Reference',
      code: 'duplicate_reference',
    });
    expect([...paystack.transfers.values()].filter((t) => t.reference === ref)).toHaveLength(1);
    expect(paystack.transferByReference(ref).amount).toBe(150_000);
  });

  it('refuses an uppercase or short reference, as Paystack documents lowercase ones', async () => {
    const code = await recipient();
    const before = paystack.transfers.size;
    for (const bad of ['WDR-20260122123456-AB12CD34', 'short-ref', 'wdr_2026.01.22_000001']) {
      const answer = await call('POST', '/transfer', transferBody(code, bad));
      expect(answer.status).toBe(400);
      expect(answer.body).toMatchObject({ status: false, type: 'validation_error' });
    }
    expect(paystack.transfers.size).toBe(before);
    const lowered = await call(
      'POST',
      '/transfer',
      transferBody(code, 'WDR-20260122123456-AB12CD34'.toLowerCase()),
    );
    expect(lowered.status).toBe(200);
  });

  it('refuses an unknown recipient and an insufficient balance with the documented errors', async () => {
    const unknown = await call('POST', '/transfer', transferBody('RCP_doesnotexist0000'));
    expect(unknown).toMatchObject({
      status: 400,
      body: { status: false, message: 'Recipient specified is invalid' },
    });
    paystack.insufficientBalance = true;
    const ref = reference();
    const broke = await call('POST', '/transfer', transferBody(await recipient(), ref));
    expect(broke).toMatchObject({
      status: 400,
      body: { message: 'Your balance is not enough to fulfil this request' },
    });
    expect(paystack.findTransfer(ref)).toBeUndefined();
  });

  it('verify reports success, failed and reversed as the transfer is settled, and 404 when unknown', async () => {
    const code = await recipient();
    const status = async (ref: string): Promise<unknown> =>
      ((await call('GET', `/transfer/verify/${ref}`)).body.data as Json).status;
    const [ok, ko, back] = [reference(), reference(), reference()];
    for (const ref of [ok, ko, back]) await call('POST', '/transfer', transferBody(code, ref));

    await paystack.settleTransfer(ok, 'success');
    await paystack.settleTransfer(ko, 'failed', { reason: 'Account dormant' });
    await paystack.settleTransfer(back, 'success');
    await paystack.settleTransfer(back, 'reversed');
    expect(await status(ok)).toBe('success');
    expect(await status(ko)).toBe('failed');
    expect(((await call('GET', `/transfer/verify/${ko}`)).body.data as Json).gateway_response).toBe(
      'Account dormant',
    );
    expect(await status(back)).toBe('reversed');

    const missing = await call('GET', `/transfer/verify/${reference()}`);
    expect(missing).toEqual({
      status: 404,
      body: { status: false, message: 'Transfer not found' },
    });
  });

  it('in OTP mode a transfer waits at otp; a wrong OTP is refused; the right one queues it', async () => {
    paystack.transferOtp = true;
    const ref = reference();
    const created = await call('POST', '/transfer', transferBody(await recipient(), ref));
    expect(created.body).toMatchObject({
      status: true,
      message: 'Transfer requires OTP to continue',
      data: { status: 'otp', reference: ref },
    });
    const transferCode = (created.body.data as Json).transfer_code as string;

    const wrong = await call('POST', '/transfer/finalize_transfer', {
      transfer_code: transferCode,
      otp: '000000',
    });
    expect(wrong.status).toBe(400);
    expect(wrong.body.status).toBe(false);
    expect(paystack.transferByReference(ref).status).toBe('otp');

    const unknown = await call('POST', '/transfer/finalize_transfer', {
      transfer_code: 'TRF_unknown',
      otp: paystack.transferOtpCode,
    });
    expect(unknown).toEqual({
      status: 400,
      body: { status: false, message: 'Transfer code is invalid' },
    });

    const right = await call('POST', '/transfer/finalize_transfer', {
      transfer_code: transferCode,
      otp: paystack.transferOtpCode,
    });
    expect(right.body).toMatchObject({
      status: true,
      message: 'Transfer has been queued',
      data: { status: 'pending', reference: ref, transfer_code: transferCode },
    });
    const twice = await call('POST', '/transfer/finalize_transfer', {
      transfer_code: transferCode,
      otp: paystack.transferOtpCode,
    });
    expect(twice.status).toBe(400);
    expect(((await call('GET', `/transfer/verify/${ref}`)).body.data as Json).status).toBe(
      'pending',
    );
  });

  it('sends transfer.success|failed|reversed signed so that the app verifier accepts them', async () => {
    const adapter = new PaystackAdapter(new AppConfig({ PAYSTACK_SECRET_KEY: paystack.secretKey }));
    const code = await recipient();
    const cases: [string, 'success' | 'failed' | 'reversed'][] = [
      [reference(), 'success'],
      [reference(), 'failed'],
      [reference(), 'reversed'],
    ];
    for (const [ref, outcome] of cases) {
      await call('POST', '/transfer', transferBody(code, ref, 250_000));
      const before = app.requests.length;
      const { webhook } = await paystack.settleTransfer(ref, outcome, { sendWebhook: true });
      expect(webhook?.status).toBe(200);
      const received = app.requests[before];
      expect(received.path).toBe('/api/v1/webhooks/paystack');
      await expect(adapter.verifyWebhook(webhookRequest(received))).resolves.toBeUndefined();
      const tampered = received.body.replace('"amount":250000', '"amount":2500000');
      expect(tampered).not.toBe(received.body);
      await expect(
        adapter.verifyWebhook({ ...webhookRequest(received), rawBody: Buffer.from(tampered) }),
      ).rejects.toBeInstanceOf(InvalidSignatureError);

      const event = JSON.parse(received.body) as { event: string; data: Json };
      expect(event.event).toBe(`transfer.${outcome}`);
      expect(event.data).toMatchObject({
        amount: 250_000,
        currency: 'NGN',
        reference: ref,
        transfer_code: paystack.transferByReference(ref).transferCode,
        status: outcome,
        reason: 'Payout',
        failures: null,
        recipient: {
          recipient_code: code,
          type: 'nuban',
          details: { account_number: '0001234567', bank_code: '058' },
        },
      });
    }
  });

  it('an after_record 500 loses only the answer: the transfer exists and verify finds it', async () => {
    const code = await recipient();
    const ref = reference();
    const requests = paystack.transferCreationRequests();
    paystack.failNextTransfers(1, 'error500', 'after_record');
    const answer = await call('POST', '/transfer', transferBody(code, ref));
    expect(answer.status).toBe(500);
    expect(paystack.transferCreationRequests()).toBe(requests + 1);
    expect(((await call('GET', `/transfer/verify/${ref}`)).body.data as Json).status).toBe(
      'pending',
    );
    // A blind resend with the same reference is refused, the gateway already has it.
    expect((await call('POST', '/transfer', transferBody(code, ref))).status).toBe(400);
  });

  it('a before_record 500 leaves nothing at the gateway: verify answers 404', async () => {
    const code = await recipient();
    const ref = reference();
    paystack.failNextTransfers(1, 'error500', 'before_record');
    expect((await call('POST', '/transfer', transferBody(code, ref))).status).toBe(500);
    expect(paystack.findTransfer(ref)).toBeUndefined();
    expect((await call('GET', `/transfer/verify/${ref}`)).status).toBe(404);
    expect((await call('POST', '/transfer', transferBody(code, ref))).status).toBe(200);
  });

  it('drop and hang after recording cut or stall the answer, yet the transfer was made', async () => {
    const code = await recipient();
    const [dropped, hung, droppedEarly] = [reference(), reference(), reference()];
    paystack.failNextTransfers(1, 'drop', 'after_record');
    paystack.failNextTransfers(1, 'hang', 'after_record');
    paystack.failNextTransfers(1, 'drop', 'before_record');
    await expect(call('POST', '/transfer', transferBody(code, dropped))).rejects.toThrow();
    await expect(
      call('POST', '/transfer', transferBody(code, hung), { timeoutMs: 300 }),
    ).rejects.toThrow();
    await expect(call('POST', '/transfer', transferBody(code, droppedEarly))).rejects.toThrow();
    expect(paystack.findTransfer(dropped)?.status).toBe('pending');
    expect(paystack.findTransfer(hung)?.status).toBe('pending');
    expect(paystack.findTransfer(droppedEarly)).toBeUndefined();
    expect(paystack.transferRequests.map((body) => body.reference)).toEqual(
      expect.arrayContaining([dropped, hung, droppedEarly]),
    );
  });

  it('auto-settles pending transfers after the delay and sends their webhook', async () => {
    paystack.autoSettleTransfers = { afterMs: 50, outcome: 'success', sendWebhook: true };
    const ref = reference();
    await call('POST', '/transfer', transferBody(await recipient(), ref));
    await app.waitFor(
      () => app.requests.some((request) => request.body.includes(`"reference":"${ref}"`)),
      5_000,
      'the auto-settled transfer.success',
    );
    expect(paystack.transferByReference(ref).status).toBe('success');
    const delivered = app.requests.find((request) => request.body.includes(ref));
    expect(JSON.parse(delivered?.body ?? '{}')).toMatchObject({ event: 'transfer.success' });
  });
});
