import { createHmac, randomBytes } from 'node:crypto';
import { createServer, IncomingMessage, Server, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { FakePaystackDisputes } from './fake-paystack-disputes.js';
import { loadFixture } from './fixtures.js';

/** What the fake reports for a transaction; `abandoned` until the payer pays (as Paystack does). */
export type FakeTransactionStatus = 'abandoned' | 'success' | 'failed' | 'ongoing';

export interface FakeTransaction {
  id: number;
  reference: string;
  email: string;
  amount: number;
  currency: string;
  accessCode: string;
  callbackUrl?: string;
  metadata?: unknown;
  status: FakeTransactionStatus;
  /** Overrides of what verify reports (to fake a gateway that took another amount/currency). */
  reportedAmount?: number;
  reportedCurrency?: string;
}

export interface FakeRefund {
  id: number;
  transactionReference: string;
  amount: number;
  currency: string;
  merchantNote?: string;
  status: 'pending' | 'processing' | 'processed' | 'failed';
}

/** ok: answer normally; error500: every API call is a 500; drop: connections are cut; hang: never answer. */
export type FakeFault = 'ok' | 'error500' | 'drop' | 'hang';

/**
 * A transfer's status as Paystack reports it (https://paystack.com/docs/transfers/how-transfers-work/):
 * `pending` and `otp` are not conclusive; `success`, `failed`, `reversed`, `abandoned` are.
 */
export type FakeTransferStatus =
  'pending' | 'otp' | 'success' | 'failed' | 'reversed' | 'abandoned';

/** The conclusive states a test settles a transfer into; each has its webhook, `transfer.<outcome>`. */
export type FakeTransferOutcome = 'success' | 'failed' | 'reversed';

/** Recipient types of POST /transferrecipient. */
export type FakeTransferRecipientType =
  'nuban' | 'ghipss' | 'mobile_money' | 'basa' | 'authorization';

/** How an injected transfer-call fault answers: a 500, no answer at all, or a cut connection. */
export type FakeTransferFaultMode = 'error500' | 'hang' | 'drop';

/**
 * When it strikes: `before_record` — the gateway never saw the transfer (nothing is recorded);
 * `after_record` — the request is processed as usual (a valid transfer IS recorded) and only the
 * answer is lost, the ambiguous case a payout must resolve by verifying its reference.
 */
export type FakeTransferFaultPoint = 'before_record' | 'after_record';

export interface FakeTransferRecipient {
  id: number;
  /** `RCP_…`, what POST /transfer takes as `recipient`. */
  recipientCode: string;
  type: FakeTransferRecipientType;
  name: string;
  accountNumber: string;
  /** The resolved account name (null where Paystack resolves none, e.g. mobile money). */
  accountName: string | null;
  bankCode: string;
  bankName: string;
  currency: string;
  createdAt: string;
}

export interface FakeTransfer {
  id: number;
  /** `TRF_…`, what finalize takes. */
  transferCode: string;
  /** The caller's reference (lowercase, as Paystack asks), or one the fake generated. */
  reference: string;
  /** Minor units (kobo, pesewas). */
  amount: number;
  currency: string;
  reason: string | null;
  recipientCode: string;
  status: FakeTransferStatus;
  /** What verify reports as `gateway_response` (a failure reason, when a test gives one). */
  gatewayResponse: string | null;
  createdAt: string;
  updatedAt: string;
  transferredAt: string | null;
}

export interface FakeTransferAutoSettle {
  /** How long a transfer stays `pending` before the fake settles it. */
  afterMs: number;
  /** Default `success`. */
  outcome?: FakeTransferOutcome;
  /** Post `transfer.<outcome>` to `appUrl` (default: when `appUrl` is set). */
  sendWebhook?: boolean;
}

export interface FakeTransferSettleOptions {
  /** Reported as `gateway_response` by verify (e.g. why it failed). */
  reason?: string;
  /** Also post the `transfer.<outcome>` webhook, signed, to `appUrl` (or `options.appUrl`). */
  sendWebhook?: boolean;
  appUrl?: string;
}

interface TransferFaultPlan {
  mode: FakeTransferFaultMode;
  point: FakeTransferFaultPoint;
  remaining: number;
}

interface FakeBank {
  name: string;
  code: string;
  type: string;
  currency: string;
  id: number;
  [field: string]: unknown;
}

/** Reference rule of POST /transfer: lowercase letters, digits, - and _, at least 16 (TransferBase). */
const TRANSFER_REFERENCE = /^[a-z0-9_-]{16,}$/;

/**
 * Accounts the documented samples resolve (bank code, account number, account name), so a test can
 * resolve without setup; `addBankAccount` adds more.
 */
const DOCUMENTED_ACCOUNTS: [string, string, string][] = [
  ['058', '0001234567', 'Doe Jane Loren'],
  ['058', '0123456789', 'Abbey Baker'],
  ['011', '0123456789', 'Ted Lasso'],
  ['044', '9876543210', 'Jekanmo Padie'],
  ['MTN', '0551234987', 'Abina Nana'],
];

export interface FakePaystackOptions {
  secretKey?: string;
  port?: number;
  /** Base URL the hosted checkout page uses to post webhooks (sandbox): e.g. http://localhost:3000. */
  appUrl?: string;
}

/**
 * A loopback Paystack that speaks its wire format (`{status, message, data}` envelopes, Bearer
 * secret-key auth, 404 for unknown references), built from the documented examples in
 * test/fixtures/paystack. Tests drive it: mark transactions paid/failed/abandoned, change what it
 * reports, make it fail, count calls, and sign and send webhooks to the app.
 *
 * Transfers (payouts): GET /bank, GET /bank/resolve, POST /transferrecipient, POST /transfer,
 * POST /transfer/finalize_transfer, GET /transfer/verify/:reference, GET /transfer/:id_or_code, and
 * the `transfer.success|failed|reversed` webhooks. A transfer starts `pending` (or `otp` with
 * `transferOtp`) and stays there until a test settles it (`settleTransfer`) or `autoSettleTransfers`
 * does. `failNextTransfers` makes transfer calls fail before or after the transfer is recorded.
 */
export class FakePaystack {
  readonly secretKey: string;
  readonly transactions = new Map<string, FakeTransaction>();
  readonly refunds = new Map<number, FakeRefund>();
  /** Calls per route, e.g. `GET /transaction/verify`. */
  readonly calls = new Map<string, number>();
  fault: FakeFault = 'ok';
  appUrl: string | undefined;
  readonly recipients = new Map<string, FakeTransferRecipient>();
  /** Recorded transfers by reference. */
  readonly transfers = new Map<string, FakeTransfer>();
  /** The body of every POST /transfer received, refused and faulted ones included, in order. */
  readonly transferRequests: Record<string, unknown>[] = [];
  /** Accounts GET /bank/resolve knows, keyed `bankCode/accountNumber`, valued by account name. */
  readonly bankAccounts = new Map<string, string>();
  /** Resolve any 10-digit account at a listed bank to a made-up name (the sandbox turns it on). */
  resolveUnknownAccounts = false;
  /** The integration requires an OTP for transfers: POST /transfer answers `otp`. */
  transferOtp = false;
  /** The OTP finalize accepts (the documented example's). */
  transferOtpCode = '928783';
  /** Status of a new transfer without OTP (Paystack test mode often answers `success` at once). */
  initialTransferStatus: 'pending' | 'success' = 'pending';
  /** POST /transfer answers 400 "Your balance is not enough to fulfil this request". */
  insufficientBalance = false;
  /** Settle every transfer that becomes `pending` after a delay (benchmarks, sandbox). */
  autoSettleTransfers: FakeTransferAutoSettle | undefined;
  private transferFaults: TransferFaultPlan[] = [];
  private readonly settleTimers = new Set<NodeJS.Timeout>();
  private server: Server | undefined;
  private readonly sockets = new Set<Socket>();
  private readonly hanging = new Set<ServerResponse>();
  private nextId = 4_099_260_000;
  /** Disputes on this fake's transactions (SPEC §17). */
  readonly disputes = new FakePaystackDisputes();
  private port: number;

  constructor(options: FakePaystackOptions = {}) {
    this.secretKey = options.secretKey ?? `sk_test_${randomBytes(20).toString('hex')}`;
    this.port = options.port ?? 0;
    this.appUrl = options.appUrl;
    for (const [bankCode, accountNumber, accountName] of DOCUMENTED_ACCOUNTS)
      this.addBankAccount(bankCode, accountNumber, accountName);
  }

  get url(): string {
    if (!this.server) throw new Error('the fake Paystack is not started');
    return `http://127.0.0.1:${this.port}`;
  }

  async start(): Promise<this> {
    this.server = createServer((req, res) => {
      void this.handle(req, res);
    });
    this.server.on('connection', (socket) => {
      if (this.fault === 'drop') {
        socket.destroy();
        return;
      }
      this.sockets.add(socket);
      socket.on('close', () => this.sockets.delete(socket));
    });
    await new Promise<void>((resolve) => this.server?.listen(this.port, '127.0.0.1', resolve));
    this.port = (this.server.address() as { port: number }).port;
    return this;
  }

  async stop(): Promise<void> {
    for (const timer of this.settleTimers) clearTimeout(timer);
    this.settleTimers.clear();
    for (const res of this.hanging) res.destroy();
    for (const socket of this.sockets) socket.destroy();
    await new Promise<void>((resolve) =>
      this.server ? this.server.close(() => resolve()) : resolve(),
    );
    this.server = undefined;
  }

  callCount(route: string): number {
    return this.calls.get(route) ?? 0;
  }

  transaction(reference: string): FakeTransaction {
    const tx = this.transactions.get(reference);
    if (!tx) throw new Error(`the fake Paystack has no transaction ${reference}`);
    return tx;
  }

  markPaid(
    reference: string,
    reported: { amount?: number; currency?: string } = {},
  ): FakeTransaction {
    const tx = this.transaction(reference);
    tx.status = 'success';
    if (reported.amount !== undefined) tx.reportedAmount = reported.amount;
    if (reported.currency !== undefined) tx.reportedCurrency = reported.currency;
    return tx;
  }

  markFailed(reference: string): FakeTransaction {
    const tx = this.transaction(reference);
    tx.status = 'failed';
    return tx;
  }

  markAbandoned(reference: string): FakeTransaction {
    const tx = this.transaction(reference);
    tx.status = 'abandoned';
    return tx;
  }

  /** The transaction as verify reports it: the documented example with this transaction's values. */
  transactionData(tx: FakeTransaction): Record<string, unknown> {
    const template = loadFixture<{ data: Record<string, unknown> }>(
      'paystack',
      'verify-success-response',
    ).data;
    const paid = tx.status === 'success';
    return {
      ...template,
      id: tx.id,
      status: tx.status,
      reference: tx.reference,
      amount: tx.reportedAmount ?? tx.amount,
      requested_amount: tx.amount,
      currency: tx.reportedCurrency ?? tx.currency,
      gateway_response: paid
        ? 'Successful'
        : tx.status === 'failed'
          ? 'Declined'
          : 'The transaction was not completed',
      paid_at: paid ? new Date().toISOString() : null,
      paidAt: paid ? new Date().toISOString() : null,
      metadata: tx.metadata ?? '',
      customer: { ...(template.customer as Record<string, unknown>), email: tx.email },
    };
  }

  /** A `charge.success` event for the transaction, shaped like Paystack's documented sample. */
  chargeSuccessEvent(
    reference: string,
    overrides: Record<string, unknown> = {},
  ): Record<string, unknown> {
    const tx = this.transaction(reference);
    const template = loadFixture<{ event: string; data: Record<string, unknown> }>(
      'paystack',
      'charge-success-event',
    );
    return {
      event: 'charge.success',
      data: {
        ...template.data,
        id: tx.id,
        status: 'success',
        reference: tx.reference,
        amount: tx.reportedAmount ?? tx.amount,
        currency: tx.reportedCurrency ?? tx.currency,
        customer: { ...(template.data.customer as Record<string, unknown>), email: tx.email },
        ...overrides,
      },
    };
  }

  sign(rawBody: string, secret = this.secretKey): string {
    return createHmac('sha512', secret).update(rawBody).digest('hex');
  }

  /**
   * Posts an event to the app's /api/v1/webhooks/paystack as Paystack does. `signature: null`
   * sends none; a string sends that instead of the right one.
   */
  async sendWebhook(
    appUrl: string,
    event: Record<string, unknown>,
    options: { signature?: string | null; secret?: string } = {},
  ): Promise<{ status: number; body: unknown }> {
    const rawBody = JSON.stringify(event);
    const headers: Record<string, string> = {
      'content-type': 'application/json',
      'user-agent': 'Paystack',
    };
    const signature =
      options.signature === undefined ? this.sign(rawBody, options.secret) : options.signature;
    if (signature !== null) headers['x-paystack-signature'] = signature;
    const response = await fetch(`${appUrl}/api/v1/webhooks/paystack`, {
      method: 'POST',
      headers,
      body: rawBody,
    });
    const text = await response.text();
    let body: unknown = text;
    try {
      body = JSON.parse(text);
    } catch {
      // keep text
    }
    return { status: response.status, body };
  }

  /** Lets GET /bank/resolve (and nuban recipients) resolve this account to `accountName`. */
  addBankAccount(bankCode: string, accountNumber: string, accountName: string): void {
    this.bankAccounts.set(`${bankCode}/${accountNumber}`, accountName);
  }

  /**
   * The next `times` POST /transfer calls fail with `mode`, `before_record` (nothing recorded) or
   * `after_record` (recorded as usual, the answer lost). Plans queue up in order.
   */
  failNextTransfers(
    times: number,
    mode: FakeTransferFaultMode,
    point: FakeTransferFaultPoint = 'after_record',
  ): void {
    this.transferFaults.push({ mode, point, remaining: times });
  }

  clearTransferFaults(): void {
    this.transferFaults = [];
  }

  /** POST /transfer requests received, whatever became of them. */
  transferCreationRequests(): number {
    return this.callCount('POST /transfer');
  }

  findTransfer(reference: string): FakeTransfer | undefined {
    return this.transfers.get(reference);
  }

  transferByReference(reference: string): FakeTransfer {
    const transfer = this.transfers.get(reference);
    if (!transfer) throw new Error(`the fake Paystack has no transfer ${reference}`);
    return transfer;
  }

  recipient(recipientCode: string): FakeTransferRecipient {
    const recipient = this.recipients.get(recipientCode);
    if (!recipient) throw new Error(`the fake Paystack has no recipient ${recipientCode}`);
    return recipient;
  }

  /** Puts a transfer in any state (e.g. `abandoned`, or back to `pending`) without a webhook. */
  setTransferStatus(reference: string, status: FakeTransferStatus): FakeTransfer {
    const transfer = this.transferByReference(reference);
    transfer.status = status;
    transfer.updatedAt = new Date().toISOString();
    return transfer;
  }

  /**
   * Settles a transfer the way Paystack concludes one, from whatever state it is in (a reversal
   * can follow a success), and with `sendWebhook` posts the signed `transfer.<outcome>` event.
   */
  async settleTransfer(
    reference: string,
    outcome: FakeTransferOutcome,
    options: FakeTransferSettleOptions = {},
  ): Promise<{ transfer: FakeTransfer; webhook?: { status: number; body: unknown } }> {
    const transfer = this.setTransferStatus(reference, outcome);
    if (outcome === 'success') transfer.transferredAt = transfer.updatedAt;
    if (options.reason !== undefined) transfer.gatewayResponse = options.reason;
    if (!options.sendWebhook) return { transfer };
    const target = options.appUrl ?? this.appUrl;
    if (!target) throw new Error('settleTransfer: no appUrl to send the transfer webhook to');
    return { transfer, webhook: await this.sendWebhook(target, this.transferEvent(reference)) };
  }

  /** The transfer as verify and fetch report it: the documented example with its values. */
  transferData(transfer: FakeTransfer): Record<string, unknown> {
    const template = fixtureData('transfer-verify-response');
    const recipient = this.recipient(transfer.recipientCode);
    return {
      ...template,
      ...this.transferValues(transfer),
      createdAt: transfer.createdAt,
      updatedAt: transfer.updatedAt,
      recipient: {
        ...(template.recipient as Record<string, unknown>),
        ...this.recipientValues(recipient),
        createdAt: recipient.createdAt,
        updatedAt: recipient.createdAt,
      },
      gateway_response: transfer.gatewayResponse,
    };
  }

  /**
   * The `transfer.success|failed|reversed` event for the transfer's current status, shaped like
   * Paystack's documented sample for that event.
   */
  transferEvent(reference: string): Record<string, unknown> {
    const transfer = this.transferByReference(reference);
    const event = TRANSFER_EVENTS[transfer.status];
    if (!event)
      throw new Error(`a ${transfer.status} transfer has no webhook (success|failed|reversed)`);
    const template = fixture<{ event: string; data: Record<string, unknown> }>(event.fixture);
    const recipient = this.recipient(transfer.recipientCode);
    return {
      event: event.name,
      data: {
        ...template.data,
        ...this.transferValues(transfer),
        ...timestamps(template.data, transfer.createdAt, transfer.updatedAt),
        recipient: {
          ...(template.data.recipient as Record<string, unknown>),
          ...this.recipientValues(recipient),
          ...timestamps(
            template.data.recipient as Record<string, unknown>,
            recipient.createdAt,
            recipient.createdAt,
          ),
        },
        ...(transfer.gatewayResponse === null
          ? {}
          : { gateway_response: transfer.gatewayResponse }),
      },
    };
  }

  /** Signs and posts the transfer's current-status webhook to `appUrl` (or `options.appUrl`). */
  sendTransferWebhook(
    reference: string,
    options: { appUrl?: string; signature?: string | null; secret?: string } = {},
  ): Promise<{ status: number; body: unknown }> {
    const target = options.appUrl ?? this.appUrl;
    if (!target) throw new Error('sendTransferWebhook: no appUrl');
    return this.sendWebhook(target, this.transferEvent(reference), options);
  }

  private count(route: string): void {
    this.calls.set(route, this.callCount(route) + 1);
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://fake');
    const raw = await readBody(req);
    if (req.method === 'GET' && url.pathname.startsWith('/checkout/'))
      return this.checkoutPage(url, res);
    if (req.method === 'POST' && url.pathname.startsWith('/checkout/'))
      return this.checkoutSubmit(url, raw, res);

    const route = routeName(req.method ?? 'GET', url.pathname);
    this.count(route);
    if (this.fault === 'drop') {
      // kept-alive connections never see a new 'connection' event: cut this one mid-request
      req.socket.destroy();
      return;
    }
    if (this.fault === 'hang') {
      this.hanging.add(res);
      return;
    }
    if (this.fault === 'error500')
      return send(res, 500, { status: false, message: 'Internal server error' });
    if (req.headers.authorization !== `Bearer ${this.secretKey}`) {
      return send(res, 401, { status: false, message: 'Invalid key' });
    }
    let body: Record<string, unknown> = {};
    if (raw.length > 0) {
      try {
        body = JSON.parse(raw) as Record<string, unknown>;
      } catch {
        return send(res, 400, { status: false, message: 'Invalid JSON' });
      }
    }

    const disputeAnswer = this.disputes.route(req.method ?? 'GET', url.pathname, body);
    if (disputeAnswer) return send(res, disputeAnswer.status, disputeAnswer.body);
    if (req.method === 'POST' && url.pathname === '/transaction/initialize')
      return this.initialize(body, res);
    const verify = /^\/transaction\/verify\/(.+)$/.exec(url.pathname);
    if (req.method === 'GET' && verify) {
      const tx = this.transactions.get(decodeURIComponent(verify[1]));
      if (!tx) return send(res, 404, loadFixture('paystack', 'verify-not-found-response'));
      return send(res, 200, {
        status: true,
        message: 'Verification successful',
        data: this.transactionData(tx),
      });
    }
    if (req.method === 'POST' && url.pathname === '/refund') return this.createRefund(body, res);
    if (req.method === 'GET' && url.pathname === '/bank') return this.listBanks(url, res);
    if (req.method === 'GET' && url.pathname === '/bank/resolve')
      return this.resolveAccount(url, res);
    if (req.method === 'POST' && url.pathname === '/transferrecipient')
      return this.createRecipient(body, res);
    if (req.method === 'POST' && url.pathname === '/transfer')
      return this.initiateTransfer(req, body, res);
    if (req.method === 'POST' && url.pathname === '/transfer/finalize_transfer')
      return this.finalizeTransfer(body, res);
    const verifyTransfer = /^\/transfer\/verify\/(.+)$/.exec(url.pathname);
    if (req.method === 'GET' && verifyTransfer) {
      const transfer = this.transfers.get(decodeURIComponent(verifyTransfer[1]));
      if (!transfer) return send(res, 404, fixture('transfer-verify-not-found-response'));
      return send(res, 200, {
        status: true,
        message: 'Transfer retrieved',
        data: this.transferData(transfer),
      });
    }
    const fetchTransfer = /^\/transfer\/([^/]+)$/.exec(url.pathname);
    if (req.method === 'GET' && fetchTransfer) {
      const key = decodeURIComponent(fetchTransfer[1]);
      const transfer = [...this.transfers.values()].find(
        (candidate) => candidate.transferCode === key || String(candidate.id) === key,
      );
      if (!transfer) return send(res, 404, fixture('transfer-verify-not-found-response'));
      return send(res, 200, {
        status: true,
        message: 'Transfer retrieved',
        data: this.transferData(transfer),
      });
    }
    const refund = /^\/refund\/(\d+)$/.exec(url.pathname);
    if (req.method === 'GET' && refund) {
      const found = this.refunds.get(Number(refund[1]));
      if (!found) return send(res, 404, { status: false, message: 'Refund not found' });
      return send(res, 200, {
        status: true,
        message: 'Refund retrieved',
        data: this.refundData(found),
      });
    }
    return send(res, 404, { status: false, message: 'Route not found' });
  }

  private initialize(body: Record<string, unknown>, res: ServerResponse): void {
    const amount = Number(body.amount);
    if (typeof body.email !== 'string' || !Number.isSafeInteger(amount) || amount <= 0) {
      return send(res, 400, { status: false, message: 'Invalid amount or email' });
    }
    const reference =
      typeof body.reference === 'string' ? body.reference : randomBytes(5).toString('hex');
    if (!/^[A-Za-z0-9.=-]+$/.test(reference)) {
      return send(res, 400, {
        status: false,
        message: 'Invalid transaction reference: only -, ., = and alphanumeric characters allowed',
      });
    }
    if (this.transactions.has(reference))
      return send(res, 400, { status: false, message: 'Duplicate Transaction Reference' });
    const accessCode = randomBytes(5).toString('hex');
    this.transactions.set(reference, {
      id: this.nextId++,
      reference,
      email: body.email,
      amount,
      currency: typeof body.currency === 'string' ? body.currency : 'NGN',
      accessCode,
      callbackUrl: typeof body.callback_url === 'string' ? body.callback_url : undefined,
      metadata: body.metadata,
      status: 'abandoned',
    });
    const template = loadFixture<{ message: string }>('paystack', 'initialize-response');
    send(res, 200, {
      status: true,
      message: template.message,
      data: {
        authorization_url: `${this.url}/checkout/${accessCode}`,
        access_code: accessCode,
        reference,
      },
    });
  }

  private createRefund(body: Record<string, unknown>, res: ServerResponse): void {
    const tx =
      typeof body.transaction === 'string' ? this.transactions.get(body.transaction) : undefined;
    if (!tx) return send(res, 404, { status: false, message: 'Transaction not found' });
    if (tx.status !== 'success')
      return send(res, 400, {
        status: false,
        message: 'Cannot refund an unsuccessful transaction',
      });
    // A card network returns disputed money through the chargeback, never a refund as well.
    if (this.disputes.hasUnresolved(tx.reference))
      return send(res, 400, {
        status: false,
        message: 'Transaction has a pending dispute and cannot be refunded',
      });
    const refund: FakeRefund = {
      id: this.nextId++,
      transactionReference: tx.reference,
      amount: body.amount === undefined ? tx.amount : Number(body.amount),
      currency: tx.currency,
      merchantNote: typeof body.merchant_note === 'string' ? body.merchant_note : undefined,
      status: 'pending',
    };
    this.refunds.set(refund.id, refund);
    const template = loadFixture<{ message: string }>('paystack', 'refund-create-response');
    send(res, 200, { status: true, message: template.message, data: this.refundData(refund) });
  }

  refundData(refund: FakeRefund): Record<string, unknown> {
    const template = loadFixture<{ data: Record<string, unknown> }>(
      'paystack',
      'refund-create-response',
    ).data;
    const tx = this.transaction(refund.transactionReference);
    return {
      ...template,
      id: refund.id,
      amount: refund.amount,
      currency: refund.currency,
      status: refund.status,
      merchant_note: refund.merchantNote ?? null,
      transaction: {
        ...(template.transaction as Record<string, unknown>),
        id: tx.id,
        reference: tx.reference,
        amount: tx.amount,
        currency: tx.currency,
      },
    };
  }

  private banks(): FakeBank[] {
    return [
      ...fixture<{ data: FakeBank[] }>('bank-list-ngn-response').data,
      ...fixture<{ data: FakeBank[] }>('bank-list-ghs-mobile-money-response').data,
    ];
  }

  private bank(code: string): FakeBank | undefined {
    return this.banks().find((bank) => bank.code === code);
  }

  /** GET /bank: by `currency` (or `country`), default NGN, optionally by `type`. */
  private listBanks(url: URL, res: ServerResponse): void {
    const country = url.searchParams.get('country')?.toLowerCase();
    const currency =
      url.searchParams.get('currency')?.toUpperCase() ??
      (country === undefined ? 'NGN' : (COUNTRY_CURRENCIES[country] ?? country.toUpperCase()));
    const type = url.searchParams.get('type');
    const data = this.banks().filter(
      (bank) => bank.currency === currency && (type === null || bank.type === type),
    );
    send(res, 200, {
      status: true,
      message: 'Banks retrieved',
      data,
      meta: { next: null, previous: null, perPage: data.length },
    });
  }

  /** The account name Paystack would resolve, or undefined for an account it cannot. */
  private accountName(bankCode: string, accountNumber: string): string | undefined {
    const known = this.bankAccounts.get(`${bankCode}/${accountNumber}`);
    if (known !== undefined) return known;
    if (this.resolveUnknownAccounts && this.bank(bankCode) && /^\d{10}$/.test(accountNumber))
      return `SANDBOX ACCOUNT ${accountNumber.slice(-4)}`;
    return undefined;
  }

  private resolveAccount(url: URL, res: ServerResponse): void {
    const accountNumber = url.searchParams.get('account_number') ?? '';
    const bankCode = url.searchParams.get('bank_code') ?? '';
    if (accountNumber === '' || bankCode === '')
      return send(res, 400, {
        status: false,
        message: 'Account number and bank code are required',
      });
    const accountName = this.accountName(bankCode, accountNumber);
    if (accountName === undefined)
      return send(res, 422, fixture('resolve-account-failed-response'));
    const template = fixture<{ message: string }>('resolve-account-response');
    send(res, 200, {
      status: true,
      message: template.message,
      data: {
        account_number: accountNumber,
        account_name: accountName,
        bank_id: this.bank(bankCode)?.id ?? null,
      },
    });
  }

  private createRecipient(body: Record<string, unknown>, res: ServerResponse): void {
    const type = body.type;
    if (typeof type !== 'string' || !RECIPIENT_TYPES.includes(type as FakeTransferRecipientType))
      return send(res, 400, { status: false, message: 'Invalid recipient type' });
    if (typeof body.name !== 'string' || body.name.trim() === '')
      return send(res, 400, { status: false, message: 'Name is required' });
    if (typeof body.account_number !== 'string' || body.account_number === '')
      return send(res, 400, { status: false, message: 'Account number is required' });
    if (typeof body.bank_code !== 'string' || body.bank_code === '')
      return send(res, 400, { status: false, message: 'Bank code is required' });
    const bank = this.bank(body.bank_code);
    if (!bank) return send(res, 400, { status: false, message: 'Invalid bank code' });
    const currency =
      typeof body.currency === 'string' ? body.currency.toUpperCase() : bank.currency;
    const accountName = this.accountName(body.bank_code, body.account_number) ?? null;
    // Like GET /bank/resolve: a bank account Paystack cannot resolve is not a recipient.
    if (type === 'nuban' && accountName === null)
      return send(res, 422, fixture('resolve-account-failed-response'));
    // "A duplicate account number will lead to the retrieval of the existing record."
    const existing = [...this.recipients.values()].find(
      (recipient) =>
        recipient.type === type &&
        recipient.bankCode === body.bank_code &&
        recipient.accountNumber === body.account_number &&
        recipient.currency === currency,
    );
    const recipient: FakeTransferRecipient = existing ?? {
      id: this.nextId++,
      recipientCode: `RCP_${paystackCode()}`,
      type: type as FakeTransferRecipientType,
      name: body.name,
      accountNumber: body.account_number,
      accountName,
      bankCode: body.bank_code,
      bankName: bank.name,
      currency,
      createdAt: new Date().toISOString(),
    };
    this.recipients.set(recipient.recipientCode, recipient);
    const template = fixture<{ message: string; data: Record<string, unknown> }>(
      recipient.type === 'mobile_money'
        ? 'transfer-recipient-momo-create-response'
        : 'transfer-recipient-create-response',
    );
    send(res, 200, {
      status: true,
      message: template.message,
      data: {
        ...template.data,
        ...this.recipientValues(recipient),
        createdAt: recipient.createdAt,
        updatedAt: recipient.createdAt,
      },
    });
  }

  private initiateTransfer(
    req: IncomingMessage,
    body: Record<string, unknown>,
    res: ServerResponse,
  ): void {
    this.transferRequests.push(body);
    const fault = this.takeTransferFault();
    if (fault?.point === 'before_record') return this.failTransferCall(fault.mode, req, res);
    const answer = this.recordTransfer(body);
    if (fault) return this.failTransferCall(fault.mode, req, res);
    send(res, answer.status, answer.body);
  }

  private recordTransfer(body: Record<string, unknown>): { status: number; body: unknown } {
    if (body.source !== 'balance')
      return { status: 400, body: { status: false, message: 'Invalid transfer source' } };
    const amount = typeof body.amount === 'string' ? Number(body.amount) : body.amount;
    if (typeof amount !== 'number' || !Number.isSafeInteger(amount) || amount <= 0)
      return { status: 400, body: { status: false, message: 'Invalid amount' } };
    const recipient =
      typeof body.recipient === 'string' ? this.recipients.get(body.recipient) : undefined;
    if (!recipient)
      return { status: 400, body: fixture('transfer-initiate-invalid-recipient-response') };
    if (body.reference !== undefined) {
      if (typeof body.reference !== 'string' || !TRANSFER_REFERENCE.test(body.reference))
        return { status: 400, body: fixture('transfer-invalid-reference-response') };
      if (this.transfers.has(body.reference))
        return { status: 400, body: fixture('transfer-duplicate-reference-response') };
    }
    if (this.insufficientBalance)
      return { status: 400, body: fixture('transfer-insufficient-balance-response') };
    const now = new Date().toISOString();
    const transfer: FakeTransfer = {
      id: this.nextId++,
      transferCode: `TRF_${paystackCode()}`,
      reference: typeof body.reference === 'string' ? body.reference : paystackCode(10),
      amount,
      currency:
        typeof body.currency === 'string' ? body.currency.toUpperCase() : recipient.currency,
      reason: typeof body.reason === 'string' ? body.reason : null,
      recipientCode: recipient.recipientCode,
      status: this.transferOtp ? 'otp' : this.initialTransferStatus,
      gatewayResponse: null,
      createdAt: now,
      updatedAt: now,
      transferredAt: null,
    };
    this.transfers.set(transfer.reference, transfer);
    this.scheduleAutoSettle(transfer);
    const template = fixture<{ message: string; data: Record<string, unknown> }>(
      transfer.status === 'otp' ? 'transfer-initiate-otp-response' : 'transfer-initiate-response',
    );
    return {
      status: 200,
      body: {
        status: true,
        message: template.message,
        data: {
          ...template.data,
          ...this.transferValues(transfer),
          recipient: recipient.id,
          createdAt: transfer.createdAt,
          updatedAt: transfer.updatedAt,
        },
      },
    };
  }

  private finalizeTransfer(body: Record<string, unknown>, res: ServerResponse): void {
    const transfer = [...this.transfers.values()].find(
      (candidate) => candidate.transferCode === body.transfer_code,
    );
    if (!transfer) return send(res, 400, fixture('transfer-finalize-invalid-code-response'));
    if (transfer.status !== 'otp')
      return send(res, 400, { status: false, message: 'Transfer is not currently awaiting OTP' });
    const otp = typeof body.otp === 'number' ? String(body.otp) : body.otp;
    if (otp !== this.transferOtpCode)
      return send(res, 400, { status: false, message: 'Invalid OTP' });
    this.setTransferStatus(transfer.reference, this.initialTransferStatus);
    this.scheduleAutoSettle(transfer);
    const template = fixture<{ message: string; data: Record<string, unknown> }>(
      'transfer-finalize-response',
    );
    send(res, 200, {
      status: true,
      message: template.message,
      data: {
        ...template.data,
        ...this.transferValues(transfer),
        recipient: this.recipient(transfer.recipientCode).id,
        createdAt: transfer.createdAt,
        updatedAt: transfer.updatedAt,
      },
    });
  }

  private takeTransferFault(): TransferFaultPlan | undefined {
    const plan = this.transferFaults.find((candidate) => candidate.remaining > 0);
    if (!plan) return undefined;
    plan.remaining -= 1;
    this.transferFaults = this.transferFaults.filter((candidate) => candidate.remaining > 0);
    return plan;
  }

  private failTransferCall(
    mode: FakeTransferFaultMode,
    req: IncomingMessage,
    res: ServerResponse,
  ): void {
    switch (mode) {
      case 'error500':
        return send(res, 500, { status: false, message: 'Internal server error' });
      case 'hang':
        this.hanging.add(res);
        return;
      case 'drop':
        req.socket.destroy();
        return;
    }
  }

  private scheduleAutoSettle(transfer: FakeTransfer): void {
    const plan = this.autoSettleTransfers;
    if (!plan || transfer.status !== 'pending') return;
    const timer = setTimeout(() => {
      this.settleTimers.delete(timer);
      if (transfer.status !== 'pending') return;
      // Best effort, like Paystack's own delivery: the app learns the outcome by verifying anyway.
      this.settleTransfer(transfer.reference, plan.outcome ?? 'success', {
        sendWebhook: plan.sendWebhook ?? this.appUrl !== undefined,
      }).catch(() => undefined);
    }, plan.afterMs);
    this.settleTimers.add(timer);
  }

  /** The fields every transfer shape shares, with this transfer's values. */
  private transferValues(transfer: FakeTransfer): Record<string, unknown> {
    return {
      id: transfer.id,
      domain: 'test',
      amount: transfer.amount,
      currency: transfer.currency,
      reference: transfer.reference,
      source: 'balance',
      source_details: null,
      reason: transfer.reason,
      status: transfer.status,
      failures: null,
      transfer_code: transfer.transferCode,
      titan_code: null,
      transferred_at: transfer.transferredAt,
    };
  }

  private recipientValues(recipient: FakeTransferRecipient): Record<string, unknown> {
    return {
      active: true,
      currency: recipient.currency,
      domain: 'test',
      id: recipient.id,
      name: recipient.name,
      recipient_code: recipient.recipientCode,
      type: recipient.type,
      is_deleted: false,
      details: {
        authorization_code: null,
        account_number: recipient.accountNumber,
        account_name: recipient.accountName,
        bank_code: recipient.bankCode,
        bank_name: recipient.bankName,
      },
    };
  }

  /** Hosted checkout for the sandbox: pay or fail by hand. */
  private checkoutPage(url: URL, res: ServerResponse): void {
    const tx = [...this.transactions.values()].find(
      (candidate) => url.pathname === `/checkout/${candidate.accessCode}`,
    );
    if (!tx) return sendHtml(res, 404, '<h1>Unknown checkout</h1>');
    const money = `${tx.currency} ${(tx.amount / 100).toFixed(2)}`;
    sendHtml(
      res,
      200,
      `<!doctype html><title>Fake Paystack checkout</title><h1>Pay ${money}</h1><p>Reference ${escapeHtml(tx.reference)} — ${escapeHtml(tx.email)}</p>` +
        `<form method="post"><button name="outcome" value="success">Pay</button> <button name="outcome" value="failed">Decline</button></form>`,
    );
  }

  private async checkoutSubmit(url: URL, raw: string, res: ServerResponse): Promise<void> {
    const tx = [...this.transactions.values()].find(
      (candidate) => url.pathname === `/checkout/${candidate.accessCode}`,
    );
    if (!tx) return sendHtml(res, 404, '<h1>Unknown checkout</h1>');
    const outcome = new URLSearchParams(raw).get('outcome');
    if (outcome === 'success') {
      tx.status = 'success';
      if (this.appUrl) {
        // Paystack sends webhooks for successful charges only.
        await this.sendWebhook(this.appUrl, this.chargeSuccessEvent(tx.reference)).catch(
          () => undefined,
        );
      }
    } else {
      tx.status = 'failed';
    }
    const back = tx.callbackUrl
      ? `${tx.callbackUrl}${tx.callbackUrl.includes('?') ? '&' : '?'}trxref=${encodeURIComponent(tx.reference)}`
      : undefined;
    if (back) {
      res.writeHead(302, { location: back });
      res.end();
      return;
    }
    sendHtml(res, 200, `<h1>Transaction ${tx.status}</h1>`);
  }
}

function routeName(method: string, path: string): string {
  if (path.startsWith('/transaction/verify/')) return `${method} /transaction/verify`;
  if (/^\/refund\/\d+$/.test(path)) return `${method} /refund/:id`;
  if (/^\/dispute\/\d+/.test(path)) return `${method} ${path.replace(/\d+/, ':id')}`;
  if (path.startsWith('/transfer/verify/')) return `${method} /transfer/verify`;
  if (/^\/transfer\/[^/]+$/.test(path) && path !== '/transfer/finalize_transfer')
    return `${method} /transfer/:id_or_code`;
  return `${method} ${path}`;
}

const RECIPIENT_TYPES: readonly FakeTransferRecipientType[] = [
  'nuban',
  'ghipss',
  'mobile_money',
  'basa',
  'authorization',
];

/** GET /bank's `country` names (https://paystack.com/docs/api/miscellaneous/#bank). */
const COUNTRY_CURRENCIES: Record<string, string> = {
  nigeria: 'NGN',
  ghana: 'GHS',
  kenya: 'KES',
  'south africa': 'ZAR',
};

const TRANSFER_EVENTS: Partial<Record<FakeTransferStatus, { name: string; fixture: string }>> = {
  success: { name: 'transfer.success', fixture: 'transfer-success-event' },
  failed: { name: 'transfer.failed', fixture: 'transfer-failed-event' },
  reversed: { name: 'transfer.reversed', fixture: 'transfer-reversed-event' },
};

/** A Paystack fixture without its `_source`/`_modified` notes. */
function fixture<T = Record<string, unknown>>(name: string): T {
  const loaded = loadFixture<Record<string, unknown>>('paystack', name);
  delete loaded._modified;
  return loaded as T;
}

function fixtureData(name: string): Record<string, unknown> {
  return fixture<{ data: Record<string, unknown> }>(name).data;
}

/** Sets whichever timestamp spelling the template uses (the samples mix createdAt and created_at). */
function timestamps(
  template: Record<string, unknown>,
  created: string,
  updated: string,
): Record<string, string> {
  const out: Record<string, string> = {};
  if ('createdAt' in template) out.createdAt = created;
  if ('created_at' in template) out.created_at = created;
  if ('updatedAt' in template) out.updatedAt = updated;
  if ('updated_at' in template) out.updated_at = updated;
  return out;
}

/** Paystack-looking codes: lowercase letters and digits (RCP_m7ljkv8leesep7p, TRF_…). */
function paystackCode(length = 15): string {
  let code = '';
  while (code.length < length)
    code += randomBytes(16)
      .toString('base64url')
      .replace(/[^a-z0-9]/g, '');
  return code.slice(0, length);
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function send(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(text),
  });
  res.end(text);
}

function sendHtml(res: ServerResponse, status: number, html: string): void {
  res.writeHead(status, { 'content-type': 'text/html; charset=utf-8' });
  res.end(html);
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}
