import { createHmac, randomBytes } from 'node:crypto';
import { createServer, IncomingMessage, Server, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
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
 */
export class FakePaystack {
  readonly secretKey: string;
  readonly transactions = new Map<string, FakeTransaction>();
  readonly refunds = new Map<number, FakeRefund>();
  /** Calls per route, e.g. `GET /transaction/verify`. */
  readonly calls = new Map<string, number>();
  fault: FakeFault = 'ok';
  appUrl: string | undefined;
  private server: Server | undefined;
  private readonly sockets = new Set<Socket>();
  private readonly hanging = new Set<ServerResponse>();
  private nextId = 4_099_260_000;
  private port: number;

  constructor(options: FakePaystackOptions = {}) {
    this.secretKey = options.secretKey ?? `sk_test_${randomBytes(20).toString('hex')}`;
    this.port = options.port ?? 0;
    this.appUrl = options.appUrl;
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
  return `${method} ${path}`;
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
