import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { majorToMinor, minorToMajorString } from '../../../common/money.js';
import { AppConfig } from '../../../config/app-config.js';
import { GatewayHttpClient } from '../gateway-http.js';
import { GatewayRequestError, InvalidSignatureError } from '../gateway.errors.js';
import type {
  DisputeCapableGateway,
  GatewayDispute,
  InboundWebhookRequest,
  InitializeInput,
  InitializeResult,
  NormalizedWebhookEvent,
  PaymentGateway,
  RefundInput,
  RefundResult,
  VerifyInput,
  VerifyResult,
} from '../gateway.interface.js';
import type {
  PayoutBank,
  PayoutGateway,
  ResolveAccountInput,
  SendTransferInput,
  TransferRecipientResult,
  TransferResult,
} from '../payout-gateway.interface.js';
import {
  FLUTTERWAVE_CURRENCIES,
  mapTransferStatus,
  mapFlutterwaveEvent,
  mapRefund,
  mapTransaction,
} from './flutterwave.mapper.js';
import { mapFlutterwaveChargeback } from './flutterwave-chargebacks.js';

/** How far back chargebacks are listed, and at most how many pages of them per poll. */
const CHARGEBACK_WINDOW_DAYS = 120;
const CHARGEBACK_MAX_PAGES = 20;

/** Flutterwave's v3 response envelope. */
interface Envelope<T> {
  status?: string;
  message?: string;
  data?: T | null;
}

type Json = Record<string, unknown>;

/**
 * Flutterwave v3: a hosted payment link (`POST /v3/payments`), verification by transaction id or
 * by our `tx_ref`, refunds against the transaction id, and webhooks authenticated by the
 * `verif-hash` header, a shared secret compared in constant time.
 */
@Injectable()
export class FlutterwaveAdapter implements PaymentGateway, PayoutGateway, DisputeCapableGateway {
  readonly name = 'flutterwave' as const;
  private readonly http: GatewayHttpClient;

  constructor(private readonly config: AppConfig) {
    this.http = new GatewayHttpClient(
      this.name,
      config.flutterwave.baseUrl,
      config.gatewayTimeoutMs,
    );
  }

  isEnabled(): boolean {
    return Boolean(this.config.flutterwave.secretKey && this.config.flutterwave.webhookHash);
  }

  supportsCurrency(currency: string): boolean {
    return FLUTTERWAVE_CURRENCIES.includes(currency.toUpperCase());
  }

  async initialize(input: InitializeInput): Promise<InitializeResult> {
    const response = await this.http.request<Envelope<{ link?: string }>>({
      method: 'POST',
      path: '/v3/payments',
      headers: this.auth(),
      json: {
        tx_ref: input.reference,
        // Major units as an exact decimal string ("10.50"), never a float product.
        amount: minorToMajorString(input.amount, input.currency),
        currency: input.currency.toUpperCase(),
        redirect_url: input.returnUrl,
        customer: { email: input.email },
        meta: { reference: input.reference },
      },
    });
    const link = response.body.data?.link;
    if (response.body.status !== 'success' || !link) {
      throw new GatewayRequestError(
        this.name,
        response.status,
        response.body.message ?? 'no payment link returned',
      );
    }
    // The transaction id only exists once the payer attempts payment; verify falls back to tx_ref.
    return { authorizationUrl: link };
  }

  async verify(input: VerifyInput): Promise<VerifyResult> {
    const path = input.gatewayPaymentId
      ? `/v3/transactions/${encodeURIComponent(input.gatewayPaymentId)}/verify`
      : `/v3/transactions/verify_by_reference?tx_ref=${encodeURIComponent(input.reference)}`;
    const response = await this.http.request<Envelope<Json>>(
      { method: 'GET', path, headers: this.auth() },
      [400, 404],
    );
    const data = response.body.data;
    // Only Flutterwave's own "No transaction was found" answer means not found: a bare 404 could
    // as well be a wrong base URL, which must not make a payment look abandoned.
    if (response.status !== 200 && /no transaction/i.test(response.body.message ?? '')) {
      return { status: 'not_found' };
    }
    if (response.status !== 200 || response.body.status !== 'success' || !data) {
      throw new GatewayRequestError(
        this.name,
        response.status,
        response.body.message ?? 'unexpected verify response',
      );
    }
    try {
      return mapTransaction(data);
    } catch (error) {
      // An amount with more decimals than the currency has cannot be settled automatically.
      throw new GatewayRequestError(
        this.name,
        response.status,
        error instanceof Error ? error.message : String(error),
      );
    }
  }

  async refund(input: RefundInput): Promise<RefundResult> {
    const transactionId =
      input.gatewayChargeId ?? input.gatewayPaymentId ?? (await this.transactionIdOf(input));
    // Flutterwave v3 refunds take no idempotency key: the refunds job must not resend after an
    // ambiguous failure without checking. The comment lets an operator match the refund to ours.
    const response = await this.http.request<Envelope<Json>>({
      method: 'POST',
      path: `/v3/transactions/${encodeURIComponent(transactionId)}/refund`,
      headers: this.auth(),
      json: {
        amount: minorToMajorString(input.amount, input.currency),
        comments: `refund ${input.refundId}${input.reason ? `: ${input.reason.slice(0, 200)}` : ''}`,
      },
    });
    if (response.body.status !== 'success' || !response.body.data) {
      throw new GatewayRequestError(
        this.name,
        response.status,
        response.body.message ?? 'refund not accepted',
      );
    }
    return mapRefund(response.body.data);
  }

  /** Flutterwave sends no refund webhooks: the refunds module polls this. */
  async getRefund(gatewayRefundId: string): Promise<RefundResult> {
    const response = await this.http.request<Envelope<Json>>({
      method: 'GET',
      path: `/v3/refunds/${encodeURIComponent(gatewayRefundId)}`,
      headers: this.auth(),
    });
    if (response.body.status !== 'success' || !response.body.data) {
      throw new GatewayRequestError(
        this.name,
        response.status,
        response.body.message ?? 'unexpected refund response',
      );
    }
    return mapRefund(response.body.data);
  }

  supportsPayoutCurrency(currency: string): boolean {
    return PAYOUT_COUNTRIES[currency.toUpperCase()] !== undefined;
  }

  async listBanks(currency: string): Promise<PayoutBank[]> {
    const country = PAYOUT_COUNTRIES[currency.toUpperCase()] ?? 'NG';
    const response = await this.http.request<Envelope<{ code: string; name: string }[]>>({
      method: 'GET',
      path: `/v3/banks/${country}`,
      headers: this.auth(),
    });
    const data = response.body.data;
    if (response.body.status !== 'success' || !Array.isArray(data)) {
      throw new GatewayRequestError(
        this.name,
        response.status,
        response.body.message ?? 'no banks',
      );
    }
    return data.map((bank) => ({ code: bank.code, name: bank.name, type: 'bank_account' }));
  }

  async resolveAccount(input: ResolveAccountInput): Promise<string | null> {
    const response = await this.http.request<Envelope<{ account_name?: string }>>(
      {
        method: 'POST',
        path: '/v3/accounts/resolve',
        headers: this.auth(),
        json: { account_number: input.accountNumber, account_bank: input.bankCode },
      },
      [400, 404, 422],
    );
    const name = response.body.data?.account_name;
    return response.body.status === 'success' && typeof name === 'string' && name !== ''
      ? name
      : null;
  }

  /** Flutterwave transfers name the account directly: there is no recipient to create. */
  createTransferRecipient(): Promise<TransferRecipientResult> {
    return Promise.resolve({});
  }

  async sendTransfer(input: SendTransferInput): Promise<TransferResult> {
    const response = await this.http.request<Envelope<Json>>({
      method: 'POST',
      path: '/v3/transfers',
      headers: this.auth(),
      json: {
        account_bank: input.recipient.bankCode,
        account_number: input.recipient.accountNumber,
        amount: Number(minorToMajorString(input.amount, input.currency)),
        currency: input.currency.toUpperCase(),
        debit_currency: input.currency.toUpperCase(),
        narration: input.narration ?? undefined,
        reference: input.reference,
        beneficiary_name: input.recipient.accountName,
      },
    });
    const data = response.body.data;
    if (response.body.status !== 'success' || !data) {
      throw new GatewayRequestError(
        this.name,
        response.status,
        response.body.message ?? 'transfer not accepted',
      );
    }
    return transferResult(data, input.currency);
  }

  async verifyTransfer(reference: string, currency: string): Promise<TransferResult> {
    const response = await this.http.request<Envelope<Json[]>>({
      method: 'GET',
      path: `/v3/transfers?reference=${encodeURIComponent(reference)}`,
      headers: this.auth(),
    });
    const data = response.body.data;
    if (response.body.status !== 'success' || !Array.isArray(data)) {
      throw new GatewayRequestError(
        this.name,
        response.status,
        response.body.message ?? 'unexpected transfers response',
      );
    }
    const found = data.find((transfer) => transfer.reference === reference);
    return found ? transferResult(found, currency) : { status: 'not_found' };
  }

  // oxlint-disable-next-line require-await -- the interface is async; the hash check is local
  /**
   * `verif-hash` must equal the secret hash. Flutterwave's newer webhooks also carry
   * `flutterwave-signature`, a base64 HMAC-SHA256 of the raw body keyed with that hash: when
   * present it must match too (SPEC §7), so a body altered after the hash leaked is refused.
   */
  async verifyWebhook(request: InboundWebhookRequest): Promise<void> {
    const expected = this.config.flutterwave.webhookHash;
    const received = header(request, 'verif-hash');
    if (!expected || received === undefined || !constantTimeEquals(received, expected)) {
      throw new InvalidSignatureError();
    }
    const signature = header(request, 'flutterwave-signature');
    if (
      signature !== undefined &&
      !constantTimeEquals(signature, flutterwaveSignature(request.rawBody, expected))
    ) {
      throw new InvalidSignatureError();
    }
  }

  parseWebhook(request: InboundWebhookRequest): NormalizedWebhookEvent {
    return mapFlutterwaveEvent(JSON.parse(request.rawBody.toString('utf8')) as Json);
  }

  /**
   * Every chargeback created since `since` (`GET /v3/chargebacks?from&to&page`), each with its
   * transaction's currency and our reference from verify (asked once per transaction).
   */
  async listDisputes(since: Date): Promise<GatewayDispute[]> {
    const from = since.toISOString().slice(0, 10);
    const to = new Date(Date.now() + 86_400_000).toISOString().slice(0, 10);
    const disputes: GatewayDispute[] = [];
    const transactions = new Map<string, { reference?: string; currency: string }>();
    for (let page = 1; page <= CHARGEBACK_MAX_PAGES; page++) {
      const response = await this.http.request<
        Envelope<Json[]> & { meta?: { page_info?: { total_pages?: number } } }
      >({
        method: 'GET',
        path: `/v3/chargebacks?from=${from}&to=${to}&page=${page}`,
        headers: this.auth(),
      });
      if (response.body.status !== 'success' || !Array.isArray(response.body.data)) {
        throw new GatewayRequestError(
          this.name,
          response.status,
          response.body.message ?? 'unexpected chargebacks response',
        );
      }
      for (const chargeback of response.body.data) {
        const raw = chargeback.transaction_id;
        const transactionId = typeof raw === 'number' || typeof raw === 'string' ? String(raw) : '';
        if (!/^\d{1,20}$/.test(transactionId)) continue;
        let transaction = transactions.get(transactionId);
        if (!transaction) {
          const verified = await this.verify({
            reference: '',
            gatewayPaymentId: transactionId,
            amount: 0,
            currency: '',
          });
          if (!verified.currency) continue;
          transaction = { reference: verified.reference, currency: verified.currency };
          transactions.set(transactionId, transaction);
        }
        disputes.push(mapFlutterwaveChargeback(chargeback, transaction));
      }
      if (page >= (response.body.meta?.page_info?.total_pages ?? 1)) break;
    }
    return disputes;
  }

  /** Accepts the chargeback (`PUT /v3/chargebacks/:id {"action":"accept"}`): the cardholder keeps the money. */
  async acceptDispute(gatewayDisputeId: string): Promise<void> {
    const response = await this.http.request<Envelope<Json>>({
      method: 'PUT',
      path: `/v3/chargebacks/${encodeURIComponent(gatewayDisputeId)}`,
      headers: this.auth(),
      json: { action: 'accept', comment: 'Accepted by the merchant' },
    });
    if (response.body.status !== 'success') {
      throw new GatewayRequestError(
        this.name,
        response.status,
        response.body.message ?? 'chargeback not accepted',
      );
    }
  }

  async getDispute(gatewayDisputeId: string): Promise<GatewayDispute> {
    const since = new Date(Date.now() - CHARGEBACK_WINDOW_DAYS * 86_400_000);
    const found = (await this.listDisputes(since)).find(
      (dispute) => dispute.gatewayDisputeId === gatewayDisputeId,
    );
    if (!found) throw new GatewayRequestError(this.name, 404, `no chargeback ${gatewayDisputeId}`);
    return found;
  }

  private async transactionIdOf(input: RefundInput): Promise<string> {
    const found = await this.verify({
      reference: input.reference,
      gatewayPaymentId: null,
      amount: input.amount,
      currency: input.currency,
    });
    if (!found.gatewayPaymentId) {
      throw new GatewayRequestError(
        this.name,
        404,
        `no Flutterwave transaction for ${input.reference}`,
      );
    }
    return found.gatewayPaymentId;
  }

  private auth(): Record<string, string> {
    const secretKey = this.config.flutterwave.secretKey;
    if (!secretKey)
      throw new GatewayRequestError(this.name, 401, 'FLUTTERWAVE_SECRET_KEY is not configured');
    return { authorization: `Bearer ${secretKey}` };
  }
}

/** Currencies Flutterwave pays out to banks in, by the country its bank list is asked for. */
const PAYOUT_COUNTRIES: Record<string, string> = { NGN: 'NG', GHS: 'GH', KES: 'KE', ZAR: 'ZA' };

function transferResult(data: Json, fallbackCurrency: string): TransferResult {
  const currency =
    typeof data.currency === 'string' ? data.currency.toUpperCase() : fallbackCurrency;
  const status = mapTransferStatus(data.status);
  let amount: number | undefined;
  if (typeof data.amount === 'number' || typeof data.amount === 'string') {
    try {
      amount = majorToMinor(data.amount, currency);
    } catch {
      amount = undefined;
    }
  }
  return {
    status,
    gatewayTransferId:
      typeof data.id === 'number' || typeof data.id === 'string' ? String(data.id) : undefined,
    amount,
    currency,
    failureReason:
      status === 'failed' && typeof data.complete_message === 'string'
        ? data.complete_message
        : undefined,
  };
}

/** Equal-length digests so timingSafeEqual neither throws nor leaks the secret's length. */
/** `flutterwave-signature`: base64 HMAC-SHA256 of the raw body, keyed with the secret hash. */
export function flutterwaveSignature(rawBody: Buffer, secretHash: string): string {
  return createHmac('sha256', secretHash).update(rawBody).digest('base64');
}

function constantTimeEquals(received: string, expected: string): boolean {
  const a = createHash('sha256').update(received, 'utf8').digest();
  const b = createHash('sha256').update(expected, 'utf8').digest();
  return timingSafeEqual(a, b);
}

function header(request: InboundWebhookRequest, name: string): string | undefined {
  const direct = request.headers[name];
  if (direct !== undefined) return direct;
  const key = Object.keys(request.headers).find((candidate) => candidate.toLowerCase() === name);
  return key === undefined ? undefined : request.headers[key];
}
