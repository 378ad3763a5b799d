import { createHmac, randomBytes, randomInt } from 'node:crypto';
import {
  checkoutPage,
  FakeGatewayServer,
  FakeResponse,
  postWebhook,
  RecordedRequest,
  redirect,
} from './fake-gateway-kit.js';
import type { FakeTransferFaultMode, FakeTransferFaultPoint } from './fake-paystack.js';
import { loadFixture } from './fixtures.js';

type Json = Record<string, unknown>;

/** A v3 transfer's status: NEW on creation, PENDING while processed, then SUCCESSFUL or FAILED. */
export type FakeFlutterwaveTransferStatus = 'NEW' | 'PENDING' | 'SUCCESSFUL' | 'FAILED';

/** The conclusive states; each is announced by `transfer.completed`. */
export type FakeFlutterwaveTransferOutcome = 'SUCCESSFUL' | 'FAILED';

export interface FakeFlutterwaveTransfer {
  id: number;
  reference: string;
  accountBank: string;
  accountNumber: string;
  /** The resolved account name, `beneficiary_name`, or "N/A" as Flutterwave reports unknown ones. */
  fullName: string;
  bankName: string;
  /** MAJOR units, as sent. */
  amount: number;
  currency: string;
  debitCurrency: string | null;
  fee: number;
  narration: string | null;
  callbackUrl: string | null;
  meta: unknown;
  status: FakeFlutterwaveTransferStatus;
  completeMessage: string;
  createdAt: string;
}

export interface FakeFlutterwaveTransferAutoSettle {
  /** How long a NEW transfer waits before the fake settles it. */
  afterMs: number;
  /** Default SUCCESSFUL. */
  outcome?: FakeFlutterwaveTransferOutcome;
  /** Post `transfer.completed` to `appUrl` (default: when `appUrl` is set). */
  sendWebhook?: boolean;
}

export interface FakeFlutterwaveTransferSettleOptions {
  /** `complete_message` (default "Successful", or the documented "DISBURSE FAILED: …" one). */
  completeMessage?: string;
  /** Also post `transfer.completed` (verif-hash + flutterwave-signature) to `appUrl`. */
  sendWebhook?: boolean;
  appUrl?: string;
}

interface TransferFaultPlan {
  mode: FakeTransferFaultMode;
  point: FakeTransferFaultPoint;
  remaining: number;
}

interface FlutterwaveBank {
  id: number;
  code: string;
  name: string;
}

/** Accounts Flutterwave's documented samples name (bank code, account number, name). */
const DOCUMENTED_ACCOUNTS: [string, string, string][] = [
  ['044', '0690000032', 'Pastor Bright'],
  ['044', '0690000040', 'Alexis Sanchez'],
  ['044', '0690000033', 'Bale Gary'],
  ['044', '0690000031', 'Forrest Green'],
];

const DEFAULT_FAILURE_MESSAGE =
  'DISBURSE FAILED: A fatal error occured while proccesing your request.';

export interface FakeFlutterwaveOptions {
  secretKey?: string;
  webhookHash?: string;
  /** Sandbox: where the hosted payment page sends its webhooks (e.g. http://localhost:3000). */
  appUrl?: string;
}

interface Checkout {
  txRef: string;
  amount: string;
  currency: string;
  email: string;
  redirectUrl: string;
  linkToken: string;
}

/**
 * A Flutterwave v3 double speaking its wire format: JSON bodies with `Authorization: Bearer
 * FLWSECK_…`, the `{status:"success"|"error", message, data}` envelope (errors are 4xx with
 * `status:"error"` and `data:null`), amounts in MAJOR units as JSON numbers, and the numeric
 * transaction id that verify and refund use. Tests play the payer (pay / fail, optionally with a
 * different amount) and send `charge.completed` webhooks with the `verif-hash` header. Like the
 * real v3 API it has no idempotency for refunds.
 *
 * Transfers (payouts): GET /v3/banks/:country, POST /v3/accounts/resolve, POST /v3/transfers,
 * GET /v3/transfers?reference=…, GET /v3/transfers/:id and the `transfer.completed` webhook. A
 * transfer stays NEW until a test settles it (`settleTransfer`) or `autoSettleTransfers` does;
 * `failNextTransfers` makes transfer calls fail before or after the transfer is recorded.
 */
export class FakeFlutterwave {
  readonly secretKey: string;
  readonly webhookHash: string;
  readonly server: FakeGatewayServer;
  private readonly checkouts = new Map<string, Checkout>();
  private readonly transactions = new Map<string, Json>();
  /** Chargebacks on this fake's transactions (SPEC §17), listed by GET /v3/chargebacks. */
  private readonly chargebacks = new Map<number, Json>();
  private nextChargebackId = 1428;
  private readonly refunds = new Map<string, Json>();
  /** Status new refunds are created with (`completed` or `pending`). */
  refundOutcome: 'completed' | 'pending' | 'failed' = 'completed';
  appUrl: string | undefined;
  /** Recorded transfers by id. */
  readonly transfers = new Map<number, FakeFlutterwaveTransfer>();
  /** The body of every POST /v3/transfers received, refused and faulted ones included, in order. */
  readonly transferRequests: Json[] = [];
  /** Accounts POST /v3/accounts/resolve knows, keyed `bankCode/accountNumber`, valued by name. */
  readonly bankAccounts = new Map<string, string>();
  /** Resolve any 10-digit account at a listed bank to a made-up name (the sandbox turns it on). */
  resolveUnknownAccounts = false;
  /** Settle every NEW transfer after a delay (benchmarks, sandbox). */
  autoSettleTransfers: FakeFlutterwaveTransferAutoSettle | undefined;
  private transferFaults: TransferFaultPlan[] = [];
  private readonly timers = new Set<NodeJS.Timeout>();
  private nextTransferId = 404_000;

  constructor(options: FakeFlutterwaveOptions = {}) {
    this.appUrl = options.appUrl;
    this.secretKey = options.secretKey ?? 'FLWSECK_TEST-fake0123456789abcdef-X';
    this.webhookHash = options.webhookHash ?? 'fake-flutterwave-secret-hash';
    this.server = new FakeGatewayServer(
      (req) => this.route(req),
      (status) => ({
        status: 'error',
        message: `Fake Flutterwave failure (${status})`,
        data: null,
      }),
    );
    for (const [bankCode, accountNumber, accountName] of DOCUMENTED_ACCOUNTS)
      this.addBankAccount(bankCode, accountNumber, accountName);
  }

  async start(port = 0): Promise<this> {
    await this.server.start(port);
    return this;
  }

  stop(): Promise<void> {
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
    return this.server.stop();
  }

  get url(): string {
    return this.server.url;
  }

  env(): Record<string, string> {
    return {
      FLUTTERWAVE_SECRET_KEY: this.secretKey,
      FLUTTERWAVE_WEBHOOK_HASH: this.webhookHash,
      FLUTTERWAVE_BASE_URL: this.url,
    };
  }

  checkout(reference: string): Checkout {
    const found = this.checkouts.get(reference);
    if (!found) throw new Error(`fake Flutterwave has no payment link for ${reference}`);
    return found;
  }

  /** The payer pays; `amount` (major units, as text) lets a test report a different amount. */
  pay(reference: string, override: { amount?: string; currency?: string } = {}): Json {
    return this.attempt(reference, 'successful', override);
  }

  fail(reference: string): Json {
    return this.attempt(reference, 'failed', {});
  }

  transaction(id: string | number): Json {
    const found = this.transactions.get(String(id));
    if (!found) throw new Error(`fake Flutterwave has no transaction ${id}`);
    return found;
  }

  refundList(): Json[] {
    return [...this.refunds.values()];
  }

  settleRefund(id: string | number, status: 'completed' | 'failed'): void {
    const refund = this.refunds.get(String(id));
    if (!refund) throw new Error(`fake Flutterwave has no refund ${id}`);
    refund.status = status;
  }

  /** The cardholder's bank raises a chargeback on a transaction (amount in the major unit). */
  openChargeback(transactionId: string | number, amount?: string | number): Json {
    const transaction = this.transaction(transactionId);
    const template = (fixture('chargebacks-list-response').data as Json[])[0];
    const chargeback: Json = {
      ...template,
      id: this.nextChargebackId++,
      amount: amount ?? transaction.amount,
      flw_ref: transaction.flw_ref,
      status: 'pending',
      stage: 'new',
      created_at: new Date().toISOString(),
      due_date: new Date(Date.now() + 2 * 86_400_000).toISOString(),
      transaction_id: transaction.id,
    };
    this.chargebacks.set(chargeback.id as number, chargeback);
    return chargeback;
  }

  /** A chargeback Flutterwave knows, on a transaction of another integration (unknown to us). */
  openForeignChargeback(transaction: Json): Json {
    this.transactions.set(String(transaction.id), transaction);
    return this.openChargeback(String(transaction.id));
  }

  chargeback(id: number): Json {
    const chargeback = this.chargebacks.get(id);
    if (!chargeback) throw new Error(`fake Flutterwave has no chargeback ${id}`);
    return chargeback;
  }

  setChargebackStatus(id: number, status: 'accepted' | 'declined' | 'won' | 'lost'): Json {
    const chargeback = this.chargebacks.get(id);
    if (!chargeback) throw new Error(`fake Flutterwave has no chargeback ${id}`);
    chargeback.status = status;
    return chargeback;
  }

  /** The `charge.completed` webhook body Flutterwave posts for a transaction (success or failure). */
  chargeCompletedEvent(transactionId: string | number): Json {
    const transaction = structuredClone(this.transaction(transactionId));
    return { event: 'charge.completed', data: transaction, 'event.type': 'CARD_TRANSACTION' };
  }

  /**
   * Posts a webhook as Flutterwave does: `verif-hash` (the secret hash) and `flutterwave-signature`
   * (base64 HMAC-SHA256 of the raw body keyed with it). `hash`/`signature` replace them; null
   * leaves the header out.
   */
  sendWebhook(
    appUrl: string,
    body: Json,
    options: { hash?: string | null; signature?: string | null } = {},
  ): Promise<{ status: number; body: unknown }> {
    const raw = JSON.stringify(body);
    const headers: Record<string, string> = {};
    const hash = options.hash === undefined ? this.webhookHash : options.hash;
    if (hash !== null) headers['verif-hash'] = hash;
    const signature = options.signature === undefined ? this.signature(raw) : options.signature;
    if (signature !== null) headers['flutterwave-signature'] = signature;
    return postWebhook(`${appUrl}/api/v1/webhooks/flutterwave`, raw, headers);
  }

  signature(rawBody: string): string {
    return createHmac('sha256', this.webhookHash).update(rawBody).digest('base64');
  }

  /** Lets POST /v3/accounts/resolve resolve this account to `accountName`. */
  addBankAccount(bankCode: string, accountNumber: string, accountName: string): void {
    this.bankAccounts.set(`${bankCode}/${accountNumber}`, accountName);
  }

  /**
   * The next `times` POST /v3/transfers calls fail with `mode`, `before_record` (nothing recorded)
   * or `after_record` (recorded as usual, the answer lost). `hang` never answers (until stop);
   * `drop` cuts the connection — every open connection of the fake, as a restarting load balancer
   * would, since the shared server kit has no per-request socket.
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

  /** POST /v3/transfers requests received, whatever became of them. */
  transferCreationRequests(): number {
    return this.server.count('POST', /^\/v3\/transfers$/);
  }

  findTransfer(reference: string): FakeFlutterwaveTransfer | undefined {
    return [...this.transfers.values()].find((transfer) => transfer.reference === reference);
  }

  transferByReference(reference: string): FakeFlutterwaveTransfer {
    const transfer = this.findTransfer(reference);
    if (!transfer) throw new Error(`fake Flutterwave has no transfer ${reference}`);
    return transfer;
  }

  /** NEW → PENDING (Flutterwave is processing it), or any status, without a webhook. */
  setTransferStatus(
    reference: string,
    status: FakeFlutterwaveTransferStatus,
    completeMessage?: string,
  ): FakeFlutterwaveTransfer {
    const transfer = this.transferByReference(reference);
    transfer.status = status;
    if (completeMessage !== undefined) transfer.completeMessage = completeMessage;
    return transfer;
  }

  /** Concludes a transfer and, with `sendWebhook`, posts its `transfer.completed`. */
  async settleTransfer(
    reference: string,
    outcome: FakeFlutterwaveTransferOutcome,
    options: FakeFlutterwaveTransferSettleOptions = {},
  ): Promise<{ transfer: FakeFlutterwaveTransfer; webhook?: { status: number; body: unknown } }> {
    const transfer = this.setTransferStatus(
      reference,
      outcome,
      options.completeMessage ??
        (outcome === 'SUCCESSFUL' ? 'Successful' : DEFAULT_FAILURE_MESSAGE),
    );
    if (!options.sendWebhook) return { transfer };
    const target = options.appUrl ?? this.appUrl;
    if (!target) throw new Error('settleTransfer: no appUrl to send the transfer webhook to');
    return {
      transfer,
      webhook: await this.sendWebhook(target, this.transferCompletedEvent(reference)),
    };
  }

  /** The transfer as GET /v3/transfers and /v3/transfers/:id report it. */
  transferData(transfer: FakeFlutterwaveTransfer): Json {
    return {
      id: transfer.id,
      account_number: transfer.accountNumber,
      bank_code: transfer.accountBank,
      full_name: transfer.fullName,
      created_at: transfer.createdAt,
      currency: transfer.currency,
      debit_currency: transfer.debitCurrency,
      amount: transfer.amount,
      fee: transfer.fee,
      status: transfer.status,
      reference: transfer.reference,
      meta: transfer.meta,
      narration: transfer.narration,
      approver: null,
      complete_message: transfer.completeMessage,
      requires_approval: 0,
      is_approved: 1,
      bank_name: transfer.bankName,
    };
  }

  /** The `transfer.completed` body for the transfer as it stands, shaped like the documented one. */
  transferCompletedEvent(reference: string): Json {
    const transfer = this.transferByReference(reference);
    const template = fixture<{ data: Json }>('transfer-completed-successful.webhook');
    return {
      event: 'transfer.completed',
      'event.type': 'Transfer',
      data: {
        ...template.data,
        id: transfer.id,
        account_number: transfer.accountNumber,
        bank_name: transfer.bankName,
        bank_code: transfer.accountBank,
        fullname: transfer.fullName,
        created_at: transfer.createdAt,
        currency: transfer.currency,
        debit_currency: transfer.debitCurrency,
        amount: transfer.amount,
        fee: transfer.fee,
        status: transfer.status,
        reference: transfer.reference,
        meta: transfer.meta,
        narration: transfer.narration,
        complete_message: transfer.completeMessage,
      },
    };
  }

  /** Posts the transfer's `transfer.completed` to `appUrl` (or `options.appUrl`). */
  sendTransferWebhook(
    reference: string,
    options: { appUrl?: string; hash?: string | null; signature?: string | null } = {},
  ): Promise<{ status: number; body: unknown }> {
    const target = options.appUrl ?? this.appUrl;
    if (!target) throw new Error('sendTransferWebhook: no appUrl');
    return this.sendWebhook(target, this.transferCompletedEvent(reference), options);
  }

  private attempt(
    reference: string,
    status: 'successful' | 'failed',
    override: { amount?: string; currency?: string },
  ): Json {
    const checkout = this.checkout(reference);
    const amount = Number(override.amount ?? checkout.amount);
    const id = randomInt(100_000_000, 999_999_999);
    const created = new Date().toISOString();
    const transaction: Json = {
      id,
      tx_ref: checkout.txRef,
      flw_ref: `FLW-MOCK-${randomBytes(8).toString('hex')}`,
      device_fingerprint: 'N/A',
      amount,
      currency: override.currency ?? checkout.currency,
      charged_amount: amount,
      app_fee: 0,
      merchant_fee: 0,
      processor_response:
        status === 'successful' ? 'Approved by Financial Institution' : 'Declined',
      auth_model: 'PIN',
      ip: '127.0.0.1',
      narration: 'CARD Transaction ',
      status,
      payment_type: 'card',
      created_at: created,
      account_id: 17321,
      customer: {
        id: randomInt(1_000_000, 9_999_999),
        name: 'Test Payer',
        phone_number: null,
        email: checkout.email,
        created_at: created,
      },
    };
    this.transactions.set(String(id), transaction);
    return transaction;
  }

  private route(req: RecordedRequest): FakeResponse | Promise<FakeResponse> {
    const page = /^\/v3\/hosted\/pay\/([^/]+)$/.exec(req.path);
    if (page) return this.hostedPage(page[1], req);
    if (req.headers.authorization !== `Bearer ${this.secretKey}`) {
      return {
        status: 401,
        body: { status: 'error', message: 'Invalid authorization key', data: null },
      };
    }
    const body = parseJson(req.rawBody);
    if (req.method === 'POST' && req.path === '/v3/payments') return this.createPayment(body);
    const banks = /^\/v3\/banks\/([A-Za-z]{2})$/.exec(req.path);
    if (req.method === 'GET' && banks) return this.listBanks(banks[1].toUpperCase());
    if (req.method === 'POST' && req.path === '/v3/accounts/resolve')
      return this.resolveAccount(body);
    if (req.method === 'POST' && req.path === '/v3/transfers') return this.initiateTransfer(body);
    if (req.method === 'GET' && req.path === '/v3/transfers') return this.listTransfers(req.query);
    if (req.method === 'GET' && req.path === '/v3/chargebacks')
      return this.listChargebacks(req.query);
    const chargeback = /^\/v3\/chargebacks\/(\d+)$/.exec(req.path);
    if (req.method === 'PUT' && chargeback)
      return this.answerChargeback(Number(chargeback[1]), body);
    const transfer = /^\/v3\/transfers\/(\d+)$/.exec(req.path);
    if (req.method === 'GET' && transfer) {
      const found = this.transfers.get(Number(transfer[1]));
      return found
        ? {
            status: 200,
            body: {
              status: 'success',
              message: 'Transfer fetched',
              data: this.transferData(found),
            },
          }
        : error(404, 'Transfer not found');
    }
    const verify = /^\/v3\/transactions\/([^/]+)\/verify$/.exec(req.path);
    if (req.method === 'GET' && verify)
      return this.verify(this.transactions.get(decodeURIComponent(verify[1])), 'id');
    if (req.method === 'GET' && req.path === '/v3/transactions/verify_by_reference') {
      const txRef = req.query.get('tx_ref');
      const matches = [...this.transactions.values()].filter(
        (transaction) => transaction.tx_ref === txRef,
      );
      // The latest attempt for the reference, as Flutterwave reports it.
      return this.verify(matches.at(-1), 'reference');
    }
    const refund = /^\/v3\/transactions\/([^/]+)\/refund$/.exec(req.path);
    if (req.method === 'POST' && refund)
      return this.createRefund(decodeURIComponent(refund[1]), body);
    const fetchRefund = /^\/v3\/refunds\/([^/]+)$/.exec(req.path);
    if (req.method === 'GET' && fetchRefund) {
      const found = this.refunds.get(decodeURIComponent(fetchRefund[1]));
      return found
        ? { status: 200, body: { status: 'success', message: 'Refund fetched', data: found } }
        : error(404, 'Refund not found');
    }
    return error(404, `Cannot ${req.method} ${req.path}`);
  }

  /** `PUT /v3/chargebacks/:id {"action":"accept"|"decline","comment"}`: the merchant's answer. */
  private answerChargeback(id: number, body: Json): FakeResponse {
    const chargeback = this.chargebacks.get(id);
    if (!chargeback) return error(404, 'Chargeback not found');
    if (chargeback.status !== 'pending') return error(400, 'Chargeback has already been treated');
    if (body.action !== 'accept' && body.action !== 'decline')
      return error(400, 'action must be accept or decline');
    chargeback.status = body.action === 'accept' ? 'accepted' : 'declined';
    if (typeof body.comment === 'string') chargeback.comment = body.comment;
    return {
      status: 200,
      body: { status: 'success', message: 'Chargeback updated', data: structuredClone(chargeback) },
    };
  }

  private listChargebacks(query: URLSearchParams): FakeResponse {
    const pageSize = 10;
    const page = Math.max(1, Number(query.get('page') ?? '1') || 1);
    const from = query.get('from');
    const to = query.get('to');
    const all = [...this.chargebacks.values()].filter((chargeback) => {
      const day = String(chargeback.created_at).slice(0, 10);
      return (!from || day >= from) && (!to || day <= to);
    });
    const template = fixture('chargebacks-list-response');
    return {
      status: 200,
      body: {
        status: 'success',
        message: template.message,
        meta: {
          page_info: {
            total: all.length,
            current_page: page,
            total_pages: Math.max(1, Math.ceil(all.length / pageSize)),
            page_size: pageSize,
          },
        },
        data: structuredClone(all.slice((page - 1) * pageSize, page * pageSize)),
      },
    };
  }

  /** Sandbox payment page: pay or fail, then the webhook and the redirect Flutterwave would do. */
  private async hostedPage(token: string, req: RecordedRequest): Promise<FakeResponse> {
    const checkout = [...this.checkouts.values()].find(
      (candidate) => candidate.linkToken === token,
    );
    if (!checkout) return { status: 404, text: 'No such payment link' };
    if (req.method === 'GET') {
      return checkoutPage(
        'Fake Flutterwave Checkout',
        `${checkout.amount} ${checkout.currency} for ${checkout.txRef}`,
        [
          { label: 'Pay', action: `/v3/hosted/pay/${token}?action=pay` },
          { label: 'Fail the payment', action: `/v3/hosted/pay/${token}?action=fail` },
        ],
      );
    }
    const transaction =
      req.query.get('action') === 'pay' ? this.pay(checkout.txRef) : this.fail(checkout.txRef);
    if (this.appUrl)
      await this.sendWebhook(
        this.appUrl,
        this.chargeCompletedEvent(transaction.id as number),
      ).catch(() => undefined);
    const target = new URL(checkout.redirectUrl);
    target.searchParams.set(
      'status',
      transaction.status === 'successful' ? 'successful' : 'failed',
    );
    target.searchParams.set('tx_ref', checkout.txRef);
    target.searchParams.set('transaction_id', String(transaction.id));
    return redirect(target.toString());
  }

  private banks(country: string): FlutterwaveBank[] | undefined {
    if (country === 'NG') return fixture<{ data: FlutterwaveBank[] }>('banks-ng').data;
    if (country === 'GH') return fixture<{ data: FlutterwaveBank[] }>('banks-gh').data;
    return undefined;
  }

  private bank(code: string): FlutterwaveBank | undefined {
    return [...(this.banks('NG') ?? []), ...(this.banks('GH') ?? [])].find(
      (bank) => bank.code === code,
    );
  }

  private listBanks(country: string): FakeResponse {
    const data = this.banks(country);
    if (!data) return error(400, `Banks for ${country} are not available`);
    return {
      status: 200,
      body: { status: 'success', message: 'Banks fetched successfully', data },
    };
  }

  private accountName(bankCode: string, accountNumber: string): string | undefined {
    const known = this.bankAccounts.get(`${bankCode}/${accountNumber}`);
    if (known !== undefined) return known;
    if (this.resolveUnknownAccounts && this.bank(bankCode) && /^\d{10}$/.test(accountNumber))
      return `SANDBOX ACCOUNT ${accountNumber.slice(-4)}`;
    return undefined;
  }

  private resolveAccount(body: Json): FakeResponse {
    if (typeof body.account_number !== 'string' || body.account_number === '')
      return error(400, 'account_number is required');
    if (typeof body.account_bank !== 'string' || body.account_bank === '')
      return error(400, 'account_bank is required');
    const accountName = this.accountName(body.account_bank, body.account_number);
    if (accountName === undefined)
      return { status: 400, body: fixture('resolve-account-invalid-response') };
    const template = fixture<{ message: string }>('resolve-account-response');
    return {
      status: 200,
      body: {
        status: 'success',
        message: template.message,
        data: { account_number: body.account_number, account_name: accountName },
      },
    };
  }

  private async initiateTransfer(body: Json): Promise<FakeResponse> {
    this.transferRequests.push(body);
    const fault = this.takeTransferFault();
    if (fault?.point === 'before_record') return this.failTransferCall(fault.mode);
    const answer = this.recordTransfer(body);
    if (fault) return this.failTransferCall(fault.mode);
    return answer;
  }

  private recordTransfer(body: Json): FakeResponse {
    if (typeof body.account_bank !== 'string' || body.account_bank === '')
      return error(400, 'account_bank is required');
    if (typeof body.account_number !== 'string' || body.account_number === '')
      return error(400, 'account_number is required');
    const amount = typeof body.amount === 'string' ? Number(body.amount) : body.amount;
    if (typeof amount !== 'number' || !Number.isFinite(amount) || amount <= 0)
      return error(400, 'amount must be a positive number');
    if (typeof body.currency !== 'string' || !/^[A-Za-z]{3}$/.test(body.currency))
      return error(400, 'currency is required');
    if (
      body.reference !== undefined &&
      (typeof body.reference !== 'string' || body.reference === '')
    )
      return error(400, 'reference must be a string');
    const reference =
      typeof body.reference === 'string'
        ? body.reference
        : `FLW-TRF-${randomBytes(8).toString('hex')}`;
    if (this.findTransfer(reference))
      return { status: 400, body: fixture('transfer-duplicate-reference-response') };
    const currency = body.currency.toUpperCase();
    const transfer: FakeFlutterwaveTransfer = {
      id: this.nextTransferId++,
      reference,
      accountBank: body.account_bank,
      accountNumber: body.account_number,
      fullName:
        this.accountName(body.account_bank, body.account_number) ??
        (typeof body.beneficiary_name === 'string' ? body.beneficiary_name : 'N/A'),
      bankName: this.bank(body.account_bank)?.name.toUpperCase() ?? 'N/A',
      amount,
      currency,
      debitCurrency:
        typeof body.debit_currency === 'string' ? body.debit_currency.toUpperCase() : currency,
      fee: transferFee(currency, amount),
      narration: typeof body.narration === 'string' ? body.narration : null,
      callbackUrl: typeof body.callback_url === 'string' ? body.callback_url : null,
      meta: body.meta ?? null,
      status: 'NEW',
      completeMessage: '',
      createdAt: new Date().toISOString(),
    };
    this.transfers.set(transfer.id, transfer);
    this.scheduleAutoSettle(transfer);
    const template = fixture<{ message: string; data: Json }>('transfer-create-response');
    const { approver: _approver, ...data } = this.transferData(transfer);
    return {
      status: 200,
      body: { status: 'success', message: template.message, data: { ...template.data, ...data } },
    };
  }

  /** GET /v3/transfers, filtered by `reference` and `status` as asked; one page. */
  private listTransfers(query: URLSearchParams): FakeResponse {
    const reference = query.get('reference');
    const status = query.get('status')?.toUpperCase();
    const data = [...this.transfers.values()]
      .filter(
        (transfer) =>
          (reference === null || transfer.reference === reference) &&
          (status === undefined || transfer.status === status),
      )
      .reverse()
      .map((transfer) => this.transferData(transfer));
    const template = fixture<{ message: string }>('transfers-list-response');
    return {
      status: 200,
      body: {
        status: 'success',
        message: template.message,
        meta: {
          page_info: { total: data.length, current_page: 1, total_pages: data.length > 0 ? 1 : 0 },
        },
        data,
      },
    };
  }

  private takeTransferFault(): TransferFaultPlan | undefined {
    const plan = this.transferFaults.find((candidate) => candidate.remaining > 0);
    if (!plan) return undefined;
    plan.remaining -= 1;
    this.transferFaults = this.transferFaults.filter((candidate) => candidate.remaining > 0);
    return plan;
  }

  private failTransferCall(mode: FakeTransferFaultMode): Promise<FakeResponse> | FakeResponse {
    switch (mode) {
      case 'error500':
        return error(500, 'Fake Flutterwave failure (500)');
      case 'hang':
        return new Promise<FakeResponse>(() => undefined);
      case 'drop':
        // Cut every open connection (this one included), then listen again on the same port.
        void this.server
          .refuseConnections()
          .then(() => this.server.acceptConnections())
          .catch(() => undefined);
        return new Promise<FakeResponse>(() => undefined);
    }
  }

  private scheduleAutoSettle(transfer: FakeFlutterwaveTransfer): void {
    const plan = this.autoSettleTransfers;
    if (!plan) return;
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      if (transfer.status !== 'NEW' && transfer.status !== 'PENDING') return;
      // Best effort, like Flutterwave's own delivery: the app learns the outcome by verifying anyway.
      this.settleTransfer(transfer.reference, plan.outcome ?? 'SUCCESSFUL', {
        sendWebhook: plan.sendWebhook ?? this.appUrl !== undefined,
      }).catch(() => undefined);
    }, plan.afterMs);
    this.timers.add(timer);
  }

  private createPayment(body: Json): FakeResponse {
    const customer = (body.customer ?? {}) as Json;
    if (typeof body.tx_ref !== 'string' || body.tx_ref === '')
      return error(400, 'tx_ref is required');
    const amount = typeof body.amount === 'number' ? String(body.amount) : body.amount;
    if (typeof amount !== 'string' || !/^\d+(\.\d+)?$/.test(amount))
      return error(400, 'amount must be a number');
    if (typeof body.currency !== 'string') return error(400, 'currency is required');
    if (typeof body.redirect_url !== 'string') return error(400, 'redirect_url is required');
    if (typeof customer.email !== 'string') return error(400, 'customer.email is required');
    const linkToken = randomBytes(10).toString('hex');
    this.checkouts.set(body.tx_ref, {
      txRef: body.tx_ref,
      amount,
      currency: body.currency,
      email: customer.email,
      redirectUrl: body.redirect_url,
      linkToken,
    });
    return {
      status: 200,
      body: {
        status: 'success',
        message: 'Hosted Link',
        data: { link: `${this.url}/v3/hosted/pay/${linkToken}` },
      },
    };
  }

  private verify(transaction: Json | undefined, by: 'id' | 'reference'): FakeResponse {
    if (!transaction) return error(400, `No transaction was found for this ${by}`);
    return {
      status: 200,
      body: { status: 'success', message: 'Transaction fetched successfully', data: transaction },
    };
  }

  private createRefund(transactionId: string, body: Json): FakeResponse {
    const transaction = this.transactions.get(transactionId);
    if (!transaction) return error(400, 'No transaction was found for this id');
    if (transaction.status !== 'successful')
      return error(400, 'Only successful transactions can be refunded');
    const refunded = [...this.refunds.values()]
      .filter((refund) => refund.tx_id === transaction.id && refund.status !== 'failed')
      .reduce((sum, refund) => sum + Math.round(Number(refund.amount_refunded) * 1000), 0);
    const amount = body.amount === undefined ? Number(transaction.amount) : Number(body.amount);
    if (
      !(amount > 0) ||
      Math.round(amount * 1000) + refunded > Math.round(Number(transaction.amount) * 1000)
    ) {
      return error(400, 'Refund amount cannot be greater than the transaction amount');
    }
    const id = randomInt(10_000, 99_999_999);
    const refund: Json = {
      id,
      account_id: 17321,
      tx_id: transaction.id,
      flw_ref: `URF_${Date.now()}_${randomInt(1_000_000, 9_999_999)}`,
      wallet_id: 74639,
      amount_refunded: amount,
      status: this.refundOutcome,
      destination: 'payment_source',
      comments: body.comments ?? null,
      meta: { source: 'availablebalance' },
      created_at: new Date().toISOString(),
    };
    this.refunds.set(String(id), refund);
    return {
      status: 200,
      body: { status: 'success', message: 'Transaction refund initiated', data: refund },
    };
  }
}

function parseJson(text: string): Json {
  if (text.length === 0) return {};
  try {
    const parsed: unknown = JSON.parse(text);
    return typeof parsed === 'object' && parsed !== null ? (parsed as Json) : {};
  } catch {
    return {};
  }
}

function error(status: number, message: string): FakeResponse {
  return { status, body: { status: 'error', message, data: null } };
}

/** A Flutterwave fixture without its `_source`/`_modified` notes. */
function fixture<T = Json>(name: string): T {
  const loaded = loadFixture<Json>('flutterwave', name);
  delete loaded._modified;
  return loaded as T;
}

/**
 * NGN transfer fees as the documented samples charge them (10.75 up to 5,000, 26.875 up to 50,000,
 * 53.75 above: 10 / 25 / 50 plus 7.5% VAT); other currencies 0 here.
 */
function transferFee(currency: string, amount: number): number {
  if (currency !== 'NGN') return 0;
  if (amount <= 5000) return 10.75;
  if (amount <= 50_000) return 26.875;
  return 53.75;
}
