import { createHmac, randomBytes, randomInt } from 'node:crypto';
import {
  checkoutPage,
  FakeGatewayServer,
  FakeResponse,
  postWebhook,
  RecordedRequest,
  redirect,
} from './fake-gateway-kit.js';

type Json = Record<string, unknown>;

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
 */
export class FakeFlutterwave {
  readonly secretKey: string;
  readonly webhookHash: string;
  readonly server: FakeGatewayServer;
  private readonly checkouts = new Map<string, Checkout>();
  private readonly transactions = new Map<string, Json>();
  private readonly refunds = new Map<string, Json>();
  /** Status new refunds are created with (`completed` or `pending`). */
  refundOutcome: 'completed' | 'pending' | 'failed' = 'completed';
  appUrl: string | undefined;

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
  }

  async start(port = 0): Promise<this> {
    await this.server.start(port);
    return this;
  }

  stop(): Promise<void> {
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
