import { createHash } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { AppConfig } from '../../../config/app-config.js';
import type { Minor } from '../../../common/money.js';
import { GatewayHttpClient } from '../gateway-http.js';
import { GatewayRequestError, InvalidSignatureError } from '../gateway.errors.js';
import type {
  DisputeCapableGateway,
  DisputeEvidenceInput,
  GatewayDispute,
  GatewayPaymentStatus,
  GatewayRefundStatus,
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
  GatewayTransferStatus,
  PayoutBank,
  PayoutGateway,
  ResolveAccountInput,
  SendTransferInput,
  TransferRecipientInput,
  TransferRecipientResult,
  TransferResult,
} from '../payout-gateway.interface.js';
import {
  mapPaystackDispute,
  PAYSTACK_DISPUTE_EVENTS,
  paystackDisputeEvent,
} from './paystack-disputes.js';
import { isValidPaystackSignature } from './paystack-signature.js';
import type {
  PaystackEnvelope,
  PaystackInitializeData,
  PaystackRefund,
  PaystackRefundEventData,
  PaystackTransaction,
  PaystackTransfer,
} from './paystack.types.js';

export const PAYSTACK_CURRENCIES = ['NGN', 'GHS', 'ZAR', 'KES', 'USD'] as const;

/** Paystack has no idempotency header: our refund id travels in merchant_note so webhooks can be matched. */
export const PAYSTACK_REFUND_NOTE_PREFIX = 'refund:';

/**
 * Paystack (https://paystack.com/docs/api): amounts in the subunit, references are ours, webhooks
 * signed with HMAC-SHA512 of the raw body. Paystack sends webhooks for successful charges only,
 * so failures and late payments are found by verification.
 */
@Injectable()
export class PaystackAdapter implements PaymentGateway, PayoutGateway, DisputeCapableGateway {
  readonly name = 'paystack' as const;
  private readonly http: GatewayHttpClient;

  constructor(private readonly config: AppConfig) {
    this.http = new GatewayHttpClient('paystack', config.paystack.baseUrl, config.gatewayTimeoutMs);
  }

  isEnabled(): boolean {
    return this.config.paystack.secretKey !== undefined;
  }

  supportsCurrency(currency: string): boolean {
    return (PAYSTACK_CURRENCIES as readonly string[]).includes(currency.toUpperCase());
  }

  private get authHeaders(): Record<string, string> {
    return { authorization: `Bearer ${this.config.paystack.secretKey ?? ''}` };
  }

  async initialize(input: InitializeInput): Promise<InitializeResult> {
    const response = await this.http.request<PaystackEnvelope<PaystackInitializeData>>({
      method: 'POST',
      path: '/transaction/initialize',
      headers: this.authHeaders,
      json: {
        email: input.email,
        amount: input.amount,
        currency: input.currency,
        reference: input.reference,
        callback_url: input.returnUrl,
        metadata: input.metadata,
      },
    });
    const data = response.body.data;
    if (!response.body.status || !data?.authorization_url) {
      throw new GatewayRequestError(
        'paystack',
        response.status,
        response.body.message ?? 'initialize answered no authorization_url',
      );
    }
    return { authorizationUrl: data.authorization_url, accessCode: data.access_code };
  }

  async verify(input: VerifyInput): Promise<VerifyResult> {
    // Paystack answers an unknown reference with status false (404, sometimes 400).
    const response = await this.http.request<PaystackEnvelope<PaystackTransaction>>(
      {
        method: 'GET',
        path: `/transaction/verify/${encodeURIComponent(input.reference)}`,
        headers: this.authHeaders,
      },
      [400, 404],
    );
    const body = response.body;
    if (response.status === 404 || (!body.status && /not found/i.test(body.message ?? ''))) {
      return { status: 'not_found' };
    }
    if (!body.status || !body.data) {
      throw new GatewayRequestError(
        'paystack',
        response.status,
        body.message ?? 'verify answered no data',
      );
    }
    const tx = body.data;
    const status = mapTransactionStatus(tx.status);
    return {
      status,
      reference: tx.reference,
      amount: toMinor(tx.amount),
      currency: tx.currency?.toUpperCase(),
      gatewayPaymentId: String(tx.id),
      failureReason:
        status === 'failed'
          ? (tx.gateway_response ?? tx.message ?? 'failed at Paystack')
          : undefined,
    };
  }

  async refund(input: RefundInput): Promise<RefundResult> {
    const response = await this.http.request<PaystackEnvelope<PaystackRefund>>({
      method: 'POST',
      path: '/refund',
      headers: this.authHeaders,
      json: {
        transaction: input.reference,
        amount: input.amount,
        currency: input.currency,
        merchant_note: `${PAYSTACK_REFUND_NOTE_PREFIX}${input.refundId}`,
        customer_note: input.reason,
      },
    });
    if (!response.body.status || !response.body.data) {
      throw new GatewayRequestError(
        'paystack',
        response.status,
        response.body.message ?? 'refund answered no data',
      );
    }
    return {
      status: mapRefundStatus(response.body.data.status),
      gatewayRefundId: String(response.body.data.id),
    };
  }

  async getRefund(gatewayRefundId: string): Promise<RefundResult> {
    const response = await this.http.request<PaystackEnvelope<PaystackRefund>>({
      method: 'GET',
      path: `/refund/${encodeURIComponent(gatewayRefundId)}`,
      headers: this.authHeaders,
    });
    if (!response.body.status || !response.body.data) {
      throw new GatewayRequestError(
        'paystack',
        response.status,
        response.body.message ?? 'refund fetch answered no data',
      );
    }
    return { status: mapRefundStatus(response.body.data.status), gatewayRefundId };
  }

  supportsPayoutCurrency(currency: string): boolean {
    return this.supportsCurrency(currency);
  }

  async listBanks(currency: string): Promise<PayoutBank[]> {
    const response = await this.http.request<
      PaystackEnvelope<{ code: string; name: string; type?: string | null }[]>
    >({
      method: 'GET',
      path: `/bank?currency=${encodeURIComponent(currency.toUpperCase())}&perPage=100`,
      headers: this.authHeaders,
    });
    if (!response.body.status || !Array.isArray(response.body.data)) {
      throw new GatewayRequestError(
        'paystack',
        response.status,
        response.body.message ?? 'no banks',
      );
    }
    return response.body.data.map((bank) => ({
      code: bank.code,
      name: bank.name,
      type: bank.type ?? 'nuban',
    }));
  }

  async resolveAccount(input: ResolveAccountInput): Promise<string | null> {
    // An account Paystack cannot resolve is a 422 (sometimes 400) with status false.
    const response = await this.http.request<PaystackEnvelope<{ account_name?: string }>>(
      {
        method: 'GET',
        path: `/bank/resolve?account_number=${encodeURIComponent(input.accountNumber)}&bank_code=${encodeURIComponent(input.bankCode)}`,
        headers: this.authHeaders,
      },
      [400, 404, 422],
    );
    const name = response.body.data?.account_name;
    return response.body.status && typeof name === 'string' && name !== '' ? name : null;
  }

  async createTransferRecipient(input: TransferRecipientInput): Promise<TransferRecipientResult> {
    const response = await this.http.request<
      PaystackEnvelope<{ recipient_code: string; details?: { bank_name?: string | null } }>
    >({
      method: 'POST',
      path: '/transferrecipient',
      headers: this.authHeaders,
      json: {
        type: input.type === 'mobile_money' ? 'mobile_money' : paystackAccountType(input.currency),
        name: input.accountName,
        account_number: input.accountNumber,
        bank_code: input.bankCode,
        currency: input.currency.toUpperCase(),
      },
    });
    const data = response.body.data;
    if (!response.body.status || !data?.recipient_code) {
      throw new GatewayRequestError(
        'paystack',
        response.status,
        response.body.message ?? 'no recipient_code',
      );
    }
    return { recipientCode: data.recipient_code, bankName: data.details?.bank_name ?? undefined };
  }

  async sendTransfer(input: SendTransferInput): Promise<TransferResult> {
    if (!input.recipient.recipientCode) {
      throw new GatewayRequestError('paystack', 400, 'a Paystack transfer needs a recipient_code');
    }
    const response = await this.http.request<PaystackEnvelope<PaystackTransfer>>({
      method: 'POST',
      path: '/transfer',
      headers: this.authHeaders,
      json: {
        source: 'balance',
        amount: input.amount,
        currency: input.currency.toUpperCase(),
        recipient: input.recipient.recipientCode,
        reason: input.narration ?? undefined,
        reference: paystackTransferReference(input.reference),
      },
    });
    return this.transferResult(response.status, response.body, 'transfer');
  }

  async finalizeTransfer(gatewayTransferId: string, otp: string): Promise<TransferResult> {
    const response = await this.http.request<PaystackEnvelope<PaystackTransfer>>({
      method: 'POST',
      path: '/transfer/finalize_transfer',
      headers: this.authHeaders,
      json: { transfer_code: gatewayTransferId, otp },
    });
    return this.transferResult(response.status, response.body, 'finalize');
  }

  async verifyTransfer(reference: string): Promise<TransferResult> {
    const response = await this.http.request<PaystackEnvelope<PaystackTransfer>>(
      {
        method: 'GET',
        path: `/transfer/verify/${encodeURIComponent(paystackTransferReference(reference))}`,
        headers: this.authHeaders,
      },
      [400, 404],
    );
    const body = response.body;
    if (response.status === 404 || (!body.status && /not found/i.test(body.message ?? ''))) {
      return { status: 'not_found' };
    }
    return this.transferResult(response.status, body, 'verify');
  }

  private transferResult(
    httpStatus: number,
    body: PaystackEnvelope<PaystackTransfer>,
    what: string,
  ): TransferResult {
    const data = body.data;
    if (!body.status || !data) {
      throw new GatewayRequestError(
        'paystack',
        httpStatus,
        body.message ?? `${what} answered no data`,
      );
    }
    const status = mapTransferStatus(String(data.status));
    return {
      status,
      gatewayTransferId: data.transfer_code,
      amount: optionalMinor(data.amount),
      currency: typeof data.currency === 'string' ? data.currency.toUpperCase() : undefined,
      failureReason:
        status === 'failed' || status === 'reversed'
          ? (data.gateway_response ?? data.failures ?? `${String(data.status)} at Paystack`)
          : undefined,
    };
  }

  async getDispute(gatewayDisputeId: string): Promise<GatewayDispute> {
    const response = await this.http.request<PaystackEnvelope<Record<string, unknown>>>({
      method: 'GET',
      path: `/dispute/${encodeURIComponent(gatewayDisputeId)}`,
      headers: this.authHeaders,
    });
    if (!response.body.status || !response.body.data) {
      throw new GatewayRequestError(
        'paystack',
        response.status,
        response.body.message ?? 'dispute fetch answered no data',
      );
    }
    return mapPaystackDispute(response.body.data);
  }

  /** Resolves the dispute in the customer's favour (`merchant-accepted`) for its full amount. */
  async acceptDispute(gatewayDisputeId: string): Promise<void> {
    const dispute = await this.getDispute(gatewayDisputeId);
    const response = await this.http.request<PaystackEnvelope<unknown>>({
      method: 'PUT',
      path: `/dispute/${encodeURIComponent(gatewayDisputeId)}/resolve`,
      headers: this.authHeaders,
      json: {
        resolution: 'merchant-accepted',
        message: 'Accepted by the merchant',
        refund_amount: dispute.amount,
        uploaded_filename: '',
      },
    });
    if (!response.body.status) {
      throw new GatewayRequestError('paystack', response.status, response.body.message);
    }
  }

  /** Paystack's evidence form: the merchant's account goes in service_details. */
  async submitDisputeEvidence(input: DisputeEvidenceInput): Promise<void> {
    const details = [input.text, ...input.uploadedFileUrls].join('\n').slice(0, 10_000);
    const response = await this.http.request<PaystackEnvelope<unknown>>({
      method: 'POST',
      path: `/dispute/${encodeURIComponent(input.gatewayDisputeId)}/evidence`,
      headers: this.authHeaders,
      json: {
        customer_email: input.customerEmail,
        customer_name: input.customerEmail.split('@')[0],
        customer_phone: '',
        service_details: details,
      },
    });
    if (!response.body.status) {
      throw new GatewayRequestError('paystack', response.status, response.body.message);
    }
  }

  verifyWebhook(request: InboundWebhookRequest): Promise<void> {
    const secret = this.config.paystack.secretKey;
    if (
      !secret ||
      !isValidPaystackSignature(request.rawBody, request.headers['x-paystack-signature'], secret)
    ) {
      return Promise.reject(new InvalidSignatureError());
    }
    return Promise.resolve();
  }

  parseWebhook(request: InboundWebhookRequest): NormalizedWebhookEvent {
    const body = JSON.parse(request.rawBody.toString('utf8')) as unknown;
    if (!isRecord(body) || typeof body.event !== 'string' || !isRecord(body.data)) {
      throw new SyntaxError('not a Paystack event: expected {event, data}');
    }
    const type = body.event;
    const data = body.data;
    if (PAYSTACK_DISPUTE_EVENTS.includes(type)) return paystackDisputeEvent(type, data);
    // Paystack sends no event id: type + object id + status identifies one state of one object.
    if (type.startsWith('charge.') && !type.startsWith('charge.dispute.')) {
      const tx = data as unknown as PaystackTransaction;
      const status = mapTransactionStatus(String(tx.status));
      return {
        eventId: `${type}.${String(tx.id)}.${String(tx.status)}`,
        type,
        kind: 'payment',
        reference: typeof tx.reference === 'string' ? tx.reference : undefined,
        gatewayPaymentId: tx.id !== undefined ? String(tx.id) : undefined,
        paymentStatus: status,
        amount: optionalMinor(tx.amount),
        currency: typeof tx.currency === 'string' ? tx.currency.toUpperCase() : undefined,
        selfAuthenticating: false,
      };
    }
    if (type.startsWith('refund.')) {
      const refund = data as unknown as PaystackRefundEventData;
      const amount = optionalMinor(refund.amount);
      const objectId =
        refund.id ??
        refund.refund_reference ??
        `${refund.transaction_reference}-${String(refund.amount)}`;
      const note = typeof refund.merchant_note === 'string' ? refund.merchant_note : '';
      return {
        eventId: `${type}.${String(objectId)}.${String(refund.status)}`,
        type,
        kind: 'refund',
        reference: refund.transaction_reference,
        refundStatus: mapRefundStatus(String(refund.status)),
        gatewayRefundId:
          refund.id !== undefined && refund.id !== null
            ? String(refund.id)
            : (refund.refund_reference ?? undefined),
        refundId: note.startsWith(PAYSTACK_REFUND_NOTE_PREFIX)
          ? note.slice(PAYSTACK_REFUND_NOTE_PREFIX.length)
          : undefined,
        amount,
        currency: typeof refund.currency === 'string' ? refund.currency.toUpperCase() : undefined,
        selfAuthenticating: false,
      };
    }
    if (type.startsWith('transfer.')) {
      const transfer = data as unknown as PaystackTransfer;
      const status = mapTransferStatus(String(transfer.status));
      return {
        eventId: `${type}.${String(transfer.transfer_code ?? transfer.id ?? transfer.reference)}.${String(transfer.status)}`,
        type,
        kind: 'payout',
        reference: typeof transfer.reference === 'string' ? transfer.reference : undefined,
        transferStatus:
          status === 'succeeded' || status === 'failed' || status === 'reversed'
            ? status
            : 'pending',
        amount: optionalMinor(transfer.amount),
        currency:
          typeof transfer.currency === 'string' ? transfer.currency.toUpperCase() : undefined,
        selfAuthenticating: false,
      };
    }
    const objectId =
      scalar(data.id) ??
      scalar(data.reference) ??
      createHash('sha256').update(request.rawBody).digest('hex').slice(0, 32);
    return {
      eventId: `${type}.${objectId}.${scalar(data.status) ?? ''}`,
      type,
      kind: 'ignored',
      selfAuthenticating: false,
    };
  }
}

export function mapTransactionStatus(status: string): GatewayPaymentStatus {
  switch (status) {
    case 'success':
      return 'succeeded';
    case 'failed':
    case 'reversed':
      return 'failed';
    case 'abandoned':
      return 'abandoned';
    default:
      // ongoing, pending, processing, queued: the payer or the bank is still at it
      return 'pending';
  }
}

/** Paystack transfer statuses (https://paystack.com/docs/transfers/how-transfers-work/). */
export function mapTransferStatus(status: string): GatewayTransferStatus {
  switch (status) {
    case 'success':
      return 'succeeded';
    case 'failed':
    case 'abandoned':
    case 'rejected':
    case 'blocked':
      return 'failed';
    case 'reversed':
      return 'reversed';
    case 'otp':
      return 'otp';
    default:
      // pending, received, queued, processing: not conclusive
      return 'pending';
  }
}

/** Paystack asks for lowercase transfer references (letters, digits, - and _). */
export function paystackTransferReference(reference: string): string {
  return reference.toLowerCase();
}

function paystackAccountType(currency: string): string {
  switch (currency.toUpperCase()) {
    case 'GHS':
      return 'ghipss';
    case 'ZAR':
      return 'basa';
    default:
      return 'nuban';
  }
}

export function mapRefundStatus(status: string): GatewayRefundStatus {
  switch (status) {
    case 'processed':
      return 'succeeded';
    case 'failed':
      return 'failed';
    case 'processing':
      return 'processing';
    default:
      // pending, needs-attention: Paystack is still working on it
      return 'pending';
  }
}

function scalar(value: unknown): string | undefined {
  return typeof value === 'string' || typeof value === 'number' ? String(value) : undefined;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function toMinor(value: number | string): Minor {
  const minor = optionalMinor(value);
  if (minor === undefined)
    throw new GatewayRequestError('paystack', 200, `unexpected amount ${String(value)}`);
  return minor;
}

/** Paystack amounts are integers in the subunit, sometimes sent as strings ("10000"). */
function optionalMinor(value: unknown): Minor | undefined {
  if (typeof value === 'number' && Number.isSafeInteger(value)) return value;
  if (typeof value === 'string' && /^\d{1,15}$/.test(value)) return Number(value);
  return undefined;
}
