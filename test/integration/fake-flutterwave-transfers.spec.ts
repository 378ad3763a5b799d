import { AppConfig } from '../../src/config/app-config.js';
import type { InboundWebhookRequest } from '../../src/modules/gateways/gateway.interface.js';
import { InvalidSignatureError } from '../../src/modules/gateways/gateway.errors.js';
import { FlutterwaveAdapter } from '../../src/modules/gateways/flutterwave/flutterwave.adapter.js';
import { FakeFlutterwave } from '../fakes/fake-flutterwave.js';
import { type ReceivedWebhook, WebhookReceiver } from '../fakes/webhook-receiver.js';

type Json = Record<string, unknown>;

interface Answer {
  status: number;
  body: Json;
}

let serial = 0;
function reference(): string {
  serial += 1;
  return `WDR-20260122123456-FLW${String(serial).padStart(5, '0')}`;
}

/** The fake's own contract over HTTP: the v3 transfer API a payouts adapter will call. */
describe('fake Flutterwave transfer API', () => {
  let flutterwave: FakeFlutterwave;
  let app: WebhookReceiver;

  async function call(
    method: string,
    path: string,
    body?: Json,
    options: { timeoutMs?: number } = {},
  ): Promise<Answer> {
    const response = await fetch(`${flutterwave.url}${path}`, {
      method,
      headers: {
        'content-type': 'application/json',
        authorization: `Bearer ${flutterwave.secretKey}`,
      },
      body: body === undefined ? undefined : JSON.stringify(body),
      signal: AbortSignal.timeout(options.timeoutMs ?? 5_000),
    });
    return { status: response.status, body: (await response.json()) as Json };
  }

  function transferBody(ref = reference(), amount = 1500.5): Json {
    return {
      account_bank: '044',
      account_number: '0690000040',
      amount,
      currency: 'NGN',
      narration: 'Payout',
      reference: ref,
      debit_currency: 'NGN',
    };
  }

  /** After a `drop` the fake listens again on its port; wait until it answers. */
  async function listening(): Promise<void> {
    for (let attempt = 0; attempt < 50; attempt += 1) {
      try {
        if ((await call('GET', '/v3/banks/NG')).status === 200) return;
      } catch {
        // not back yet
      }
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    throw new Error('the fake Flutterwave did not come back');
  }

  function webhookRequest(received: ReceivedWebhook): InboundWebhookRequest {
    return { rawBody: Buffer.from(received.body), headers: received.headers };
  }

  beforeAll(async () => {
    app = await new WebhookReceiver().start();
    flutterwave = await new FakeFlutterwave({ appUrl: app.url }).start();
  });

  afterEach(() => {
    flutterwave.clearTransferFaults();
    flutterwave.autoSettleTransfers = undefined;
  });

  afterAll(async () => {
    await flutterwave.stop();
    await app.close();
  });

  it('lists banks for NG and GH in the {status, message, data} envelope', async () => {
    const ng = await call('GET', '/v3/banks/NG');
    expect(ng.status).toBe(200);
    expect(ng.body).toMatchObject({ status: 'success', message: 'Banks fetched successfully' });
    expect(ng.body.data).toEqual(
      expect.arrayContaining([
        { id: 191, code: '044', name: 'Access Bank' },
        { id: 177, code: '058', name: 'GTBank Plc' },
      ]),
    );
    const gh = await call('GET', '/v3/banks/gh');
    expect(gh.body.data).toEqual([{ id: 280, code: 'GH280100', name: 'Access Bank Ghana' }]);
    const unknown = await call('GET', '/v3/banks/ZZ');
    expect(unknown.status).toBe(400);
    expect(unknown.body).toMatchObject({ status: 'error', data: null });
  });

  it('resolves a known account and refuses an unknown one with the documented error', async () => {
    const known = await call('POST', '/v3/accounts/resolve', {
      account_number: '0690000032',
      account_bank: '044',
    });
    expect(known).toEqual({
      status: 200,
      body: {
        status: 'success',
        message: 'Account details fetched',
        data: { account_number: '0690000032', account_name: 'Pastor Bright' },
      },
    });
    const unknown = await call('POST', '/v3/accounts/resolve', {
      account_number: '0000000001',
      account_bank: '044',
    });
    expect(unknown).toEqual({
      status: 400,
      body: {
        status: 'error',
        message: 'Sorry, that account number is invalid, please check and try again',
        data: null,
      },
    });
  });

  it('queues a transfer as NEW in major units; it is found by reference and by id', async () => {
    const ref = reference();
    const created = await call('POST', '/v3/transfers', transferBody(ref, 1500.5));
    expect(created.status).toBe(200);
    expect(created.body).toMatchObject({
      status: 'success',
      message: 'Transfer Queued Successfully',
      data: {
        reference: ref,
        amount: 1500.5,
        currency: 'NGN',
        status: 'NEW',
        complete_message: '',
        full_name: 'Alexis Sanchez',
        bank_code: '044',
        account_number: '0690000040',
        fee: 10.75,
      },
    });
    const id = (created.body.data as Json).id as number;
    expect(Number.isInteger(id)).toBe(true);

    const byReference = await call('GET', `/v3/transfers?reference=${ref}`);
    expect(byReference.body).toMatchObject({
      status: 'success',
      message: 'Transfers fetched',
      meta: { page_info: { total: 1, current_page: 1, total_pages: 1 } },
    });
    expect(byReference.body.data).toEqual([expect.objectContaining({ id, reference: ref })]);
    const byId = await call('GET', `/v3/transfers/${id}`);
    expect(byId.body).toMatchObject({
      status: 'success',
      data: { id, reference: ref, status: 'NEW', amount: 1500.5 },
    });

    const none = await call('GET', `/v3/transfers?reference=${reference()}`);
    expect(none.body).toMatchObject({ status: 'success', data: [] });
    const missing = await call('GET', '/v3/transfers/1');
    expect(missing.status).toBe(404);
    expect(missing.body).toMatchObject({ status: 'error', data: null });
  });

  it('refuses a second transfer with the same reference and keeps the first', async () => {
    const ref = reference();
    expect((await call('POST', '/v3/transfers', transferBody(ref, 100))).status).toBe(200);
    const again = await call('POST', '/v3/transfers', transferBody(ref, 900));
    expect(again.status).toBe(400);
    expect(again.body).toMatchObject({ status: 'error', data: null });
    const found = await call('GET', `/v3/transfers?reference=${ref}`);
    expect(found.body.data).toEqual([expect.objectContaining({ amount: 100 })]);
  });

  it('refuses a transfer without an amount, bank or account, and records nothing', async () => {
    const before = flutterwave.transfers.size;
    for (const field of ['amount', 'account_bank', 'account_number', 'currency']) {
      const body = transferBody();
      delete body[field];
      const answer = await call('POST', '/v3/transfers', body);
      expect(answer.status).toBe(400);
      expect(answer.body).toMatchObject({ status: 'error', data: null });
    }
    expect((await call('POST', '/v3/transfers', transferBody(reference(), -5))).status).toBe(400);
    expect(flutterwave.transfers.size).toBe(before);
  });

  it('reports PENDING, SUCCESSFUL and FAILED as the transfer moves', async () => {
    const [ok, ko] = [reference(), reference()];
    await call('POST', '/v3/transfers', transferBody(ok));
    await call('POST', '/v3/transfers', transferBody(ko));
    const status = async (ref: string): Promise<Json> =>
      ((await call('GET', `/v3/transfers?reference=${ref}`)).body.data as Json[])[0];
    flutterwave.setTransferStatus(ok, 'PENDING');
    expect((await status(ok)).status).toBe('PENDING');
    await flutterwave.settleTransfer(ok, 'SUCCESSFUL');
    await flutterwave.settleTransfer(ko, 'FAILED', {
      completeMessage: 'DISBURSE FAILED: Insufficient funds',
    });
    expect(await status(ok)).toMatchObject({
      status: 'SUCCESSFUL',
      complete_message: 'Successful',
    });
    expect(await status(ko)).toMatchObject({
      status: 'FAILED',
      complete_message: 'DISBURSE FAILED: Insufficient funds',
    });
  });

  it('sends transfer.completed with verif-hash and flutterwave-signature that the app verifier accepts', async () => {
    const adapter = new FlutterwaveAdapter(new AppConfig(flutterwave.env()));
    for (const outcome of ['SUCCESSFUL', 'FAILED'] as const) {
      const ref = reference();
      await call('POST', '/v3/transfers', transferBody(ref, 2500));
      const before = app.requests.length;
      const { webhook } = await flutterwave.settleTransfer(ref, outcome, { sendWebhook: true });
      expect(webhook?.status).toBe(200);
      const received = app.requests[before];
      expect(received.path).toBe('/api/v1/webhooks/flutterwave');
      expect(received.headers['verif-hash']).toBe(flutterwave.webhookHash);
      expect(received.headers['flutterwave-signature']).toMatch(/^[A-Za-z0-9+/]+=*$/);
      await expect(adapter.verifyWebhook(webhookRequest(received))).resolves.toBeUndefined();
      const tampered = received.body.replace('"amount":2500', '"amount":25000');
      expect(tampered).not.toBe(received.body);
      await expect(
        adapter.verifyWebhook({ ...webhookRequest(received), rawBody: Buffer.from(tampered) }),
      ).rejects.toBeInstanceOf(InvalidSignatureError);

      expect(JSON.parse(received.body)).toEqual({
        event: 'transfer.completed',
        'event.type': 'Transfer',
        data: expect.objectContaining({
          id: flutterwave.transferByReference(ref).id,
          reference: ref,
          status: outcome,
          amount: 2500,
          currency: 'NGN',
          fullname: 'Alexis Sanchez',
          complete_message: expect.any(String),
        }),
      });
    }
  });

  it('an after_record 500 loses only the answer: GET ?reference= finds the transfer', async () => {
    const ref = reference();
    const requests = flutterwave.transferCreationRequests();
    flutterwave.failNextTransfers(1, 'error500', 'after_record');
    const answer = await call('POST', '/v3/transfers', transferBody(ref));
    expect(answer.status).toBe(500);
    expect(answer.body).toMatchObject({ status: 'error' });
    expect(flutterwave.transferCreationRequests()).toBe(requests + 1);
    const found = await call('GET', `/v3/transfers?reference=${ref}`);
    expect(found.body.data).toEqual([expect.objectContaining({ reference: ref, status: 'NEW' })]);
    expect((await call('POST', '/v3/transfers', transferBody(ref))).status).toBe(400);
  });

  it('a before_record 500 leaves nothing: GET ?reference= is empty and a resend works', async () => {
    const ref = reference();
    flutterwave.failNextTransfers(1, 'error500', 'before_record');
    expect((await call('POST', '/v3/transfers', transferBody(ref))).status).toBe(500);
    expect((await call('GET', `/v3/transfers?reference=${ref}`)).body.data).toEqual([]);
    expect((await call('POST', '/v3/transfers', transferBody(ref))).status).toBe(200);
  });

  it('drop and hang after recording cut or stall the answer, yet the transfer was made', async () => {
    const [dropped, hung, droppedEarly] = [reference(), reference(), reference()];
    flutterwave.failNextTransfers(1, 'drop', 'after_record');
    await expect(call('POST', '/v3/transfers', transferBody(dropped))).rejects.toThrow();
    await listening();
    flutterwave.failNextTransfers(1, 'hang', 'after_record');
    await expect(
      call('POST', '/v3/transfers', transferBody(hung), { timeoutMs: 300 }),
    ).rejects.toThrow();
    flutterwave.failNextTransfers(1, 'drop', 'before_record');
    await expect(call('POST', '/v3/transfers', transferBody(droppedEarly))).rejects.toThrow();
    await listening();
    expect(flutterwave.findTransfer(dropped)?.status).toBe('NEW');
    expect(flutterwave.findTransfer(hung)?.status).toBe('NEW');
    expect(flutterwave.findTransfer(droppedEarly)).toBeUndefined();
    expect(flutterwave.transferRequests.map((body) => body.reference)).toEqual(
      expect.arrayContaining([dropped, hung, droppedEarly]),
    );
  });

  it('auto-settles new transfers after the delay and sends transfer.completed', async () => {
    flutterwave.autoSettleTransfers = { afterMs: 50, outcome: 'FAILED', sendWebhook: true };
    const ref = reference();
    await call('POST', '/v3/transfers', transferBody(ref));
    await app.waitFor(
      () => app.requests.some((request) => request.body.includes(`"reference":"${ref}"`)),
      5_000,
      'the auto-settled transfer.completed',
    );
    expect(flutterwave.transferByReference(ref).status).toBe('FAILED');
  });
});
