import { Injectable, Logger } from '@nestjs/common';
import { minorToMajorString } from '../../../common/money.js';
import { AppConfig } from '../../../config/app-config.js';
import { GatewayHttpClient, GatewayHttpRequest, GatewayHttpResponse } from '../gateway-http.js';
import {
  GatewayRequestError,
  GatewayUnavailableError,
  InvalidSignatureError,
} from '../gateway.errors.js';
import type {
  CaptureInput,
  DisputeCapableGateway,
  GatewayDispute,
  InboundWebhookRequest,
  InitializeInput,
  InitializeResult,
  NormalizedWebhookEvent,
  PaymentGateway,
  RefundInput,
  RemoteWebhookClaim,
  RefundResult,
  VerifyInput,
  VerifyResult,
} from '../gateway.interface.js';
import {
  authorizationOf,
  captureOf,
  mapAuthorization,
  mapCapture,
  mapOrder,
  mapPayPalEvent,
  mapRefund,
  PAYPAL_CURRENCIES,
} from './paypal.mapper.js';
import { mapPayPalDispute } from './paypal-disputes.js';

type Json = Record<string, unknown>;

/** Minor units → PayPal's Money object (major-unit string value); the inverse of `moneyOf`. */
function payPalMoney(amount: number, currency: string): { currency_code: string; value: string } {
  return { currency_code: currency.toUpperCase(), value: minorToMajorString(amount, currency) };
}

/** The five transmission headers PayPal signs a webhook with; all are passed to its verify API. */
export const PAYPAL_SIGNATURE_HEADERS = {
  auth_algo: 'paypal-auth-algo',
  cert_url: 'paypal-cert-url',
  transmission_id: 'paypal-transmission-id',
  transmission_sig: 'paypal-transmission-sig',
  transmission_time: 'paypal-transmission-time',
} as const;

/** A cached token is dropped this long before PayPal says it expires. */
const TOKEN_EXPIRY_MARGIN_SECONDS = 300;

interface PayPalError {
  name?: string;
  message?: string;
  debug_id?: string;
  details?: { issue?: string; description?: string }[];
}

/**
 * PayPal REST: OAuth2 client credentials (one cached token, one fetch however many callers),
 * Orders v2 with intent CAPTURE, capture on verify (idempotent through `PayPal-Request-Id`, so
 * the callback, the CHECKOUT.ORDER.APPROVED webhook and reconciliation capture at most once),
 * refunds of the capture, and webhooks proven by PayPal's verify-webhook-signature API.
 */
@Injectable()
export class PayPalAdapter implements PaymentGateway, DisputeCapableGateway {
  readonly name = 'paypal' as const;
  private readonly logger = new Logger(PayPalAdapter.name);
  private readonly http: GatewayHttpClient;
  private token: { value: string; expiresAt: number } | undefined;
  private tokenInFlight: Promise<string> | undefined;

  constructor(private readonly config: AppConfig) {
    this.http = new GatewayHttpClient(this.name, config.paypal.baseUrl, config.gatewayTimeoutMs);
  }

  isEnabled(): boolean {
    const { clientId, clientSecret, webhookId } = this.config.paypal;
    return Boolean(clientId && clientSecret && webhookId);
  }

  supportsCurrency(currency: string): boolean {
    return PAYPAL_CURRENCIES.includes(currency.toUpperCase());
  }

  async initialize(input: InitializeInput): Promise<InitializeResult> {
    const response = await this.api<Json>({
      method: 'POST',
      path: '/v2/checkout/orders',
      // The same reference always yields the same order, even if our first call timed out.
      headers: { 'paypal-request-id': input.reference, prefer: 'return=representation' },
      json: {
        // AUTHORIZE: the payer's approval is authorized (held) on verify, captured on our request.
        intent: input.capture === 'manual' ? 'AUTHORIZE' : 'CAPTURE',
        purchase_units: [
          {
            reference_id: input.reference,
            custom_id: input.reference,
            invoice_id: input.reference,
            amount: payPalMoney(input.amount, input.currency),
          },
        ],
        payment_source: {
          paypal: {
            experience_context: {
              return_url: input.returnUrl,
              cancel_url: input.returnUrl,
              user_action: 'PAY_NOW',
              shipping_preference: 'NO_SHIPPING',
            },
          },
        },
      },
    });
    const order = response.body;
    const links = Array.isArray(order.links)
      ? (order.links as { rel?: string; href?: string }[])
      : [];
    const approve =
      links.find((link) => link.rel === 'payer-action') ??
      links.find((link) => link.rel === 'approve');
    if (typeof order.id !== 'string' || !approve?.href) {
      throw new GatewayRequestError(this.name, response.status, 'order has no approve link');
    }
    return { authorizationUrl: approve.href, gatewayPaymentId: order.id };
  }

  async verify(input: VerifyInput): Promise<VerifyResult> {
    if (!input.gatewayPaymentId) return { status: 'not_found' };
    const order = await this.getOrder(input.gatewayPaymentId);
    if (!order) return { status: 'not_found' };
    if (order.status !== 'APPROVED') return mapOrder(order);
    if (order.intent === 'AUTHORIZE')
      return this.completeOrder('authorize', input.gatewayPaymentId, input.reference);
    return this.completeOrder('capture', input.gatewayPaymentId, input.reference);
  }

  /**
   * Captures `amount` of the authorization, the final capture: PayPal releases the rest
   * (developer.paypal.com/docs/api/payments/v2/#authorizations_capture).
   */
  async capture(input: CaptureInput): Promise<VerifyResult> {
    const authorizationId = await this.authorizationIdOf(input);
    const response = await this.api<Json>({
      method: 'POST',
      path: `/v2/payments/authorizations/${encodeURIComponent(authorizationId)}/capture`,
      headers: { 'paypal-request-id': input.idempotencyKey, prefer: 'return=representation' },
      json: {
        amount: payPalMoney(input.amount, input.currency),
        final_capture: true,
      },
    });
    const result = mapCapture(response.body);
    return {
      ...result,
      gatewayPaymentId: result.gatewayPaymentId ?? input.gatewayPaymentId ?? undefined,
      gatewayAuthorizationId: authorizationId,
    };
  }

  /** Voids the authorization (developer.paypal.com/docs/api/payments/v2/#authorizations_void). */
  async voidAuthorization(input: CaptureInput): Promise<VerifyResult> {
    const authorizationId = await this.authorizationIdOf(input);
    const response = await this.api<Json | undefined>({
      method: 'POST',
      path: `/v2/payments/authorizations/${encodeURIComponent(authorizationId)}/void`,
      headers: { 'paypal-request-id': input.idempotencyKey, prefer: 'return=representation' },
    });
    // 200 with the authorization (return=representation), or 204 with no content: voided.
    const body = response.body;
    if (response.status === 200 && body && typeof body === 'object' && 'status' in body)
      return mapAuthorization(body, input.gatewayPaymentId ?? undefined);
    return {
      status: 'canceled',
      reference: input.reference,
      gatewayPaymentId: input.gatewayPaymentId ?? undefined,
      gatewayAuthorizationId: authorizationId,
    };
  }

  private async authorizationIdOf(input: CaptureInput): Promise<string> {
    if (input.gatewayAuthorizationId) return input.gatewayAuthorizationId;
    const order = input.gatewayPaymentId ? await this.getOrder(input.gatewayPaymentId) : undefined;
    const id = order ? authorizationOf(order)?.id : undefined;
    if (typeof id !== 'string')
      throw new GatewayRequestError(this.name, 400, 'the payment has no PayPal authorization');
    return id;
  }

  /**
   * Completes an APPROVED order once: `authorize` for intent AUTHORIZE
   * (developer.paypal.com/docs/api/orders/v2/#orders_authorize), `capture` for intent CAPTURE
   * (#orders_capture). A repeated call with the same request id replays the first.
   */
  private async completeOrder(
    action: 'authorize' | 'capture',
    orderId: string,
    reference: string,
  ): Promise<VerifyResult> {
    const response = await this.api<Json & PayPalError>(
      {
        method: 'POST',
        path: `/v2/checkout/orders/${encodeURIComponent(orderId)}/${action}`,
        headers: { 'paypal-request-id': `${action}-${reference}`, prefer: 'return=representation' },
        json: {},
      },
      [422],
    );
    if (response.status !== 422) return mapOrder(response.body);
    const issues = (response.body.details ?? []).map((detail) => detail.issue);
    const alreadyDone =
      action === 'authorize' ? 'ORDER_ALREADY_AUTHORIZED' : 'ORDER_ALREADY_CAPTURED';
    if (issues.includes(alreadyDone)) {
      // Someone completed it between our GET and our POST under another request id: read the result.
      const order = await this.getOrder(orderId);
      if (order) return mapOrder(order);
    }
    if (issues.includes('INSTRUMENT_DECLINED') || issues.includes('ORDER_NOT_APPROVED')) {
      // The payer can still choose another funding source on PayPal: not final.
      return {
        ...mapOrder((await this.getOrder(orderId)) ?? { id: orderId }),
        status: 'pending',
        failureReason: issues.join(','),
      };
    }
    throw new GatewayRequestError(
      this.name,
      422,
      `${action} refused: ${issues.join(',') || response.body.message || 'unprocessable'}`,
    );
  }

  async refund(input: RefundInput): Promise<RefundResult> {
    const captureId = input.gatewayChargeId ?? (await this.captureIdOf(input.gatewayPaymentId));
    const response = await this.api<Json>({
      method: 'POST',
      path: `/v2/payments/captures/${encodeURIComponent(captureId)}/refund`,
      headers: { 'paypal-request-id': input.refundId, prefer: 'return=representation' },
      json: {
        amount: payPalMoney(input.amount, input.currency),
        // Echoed in PAYMENT.CAPTURE.REFUNDED, so the webhook finds our refund.
        custom_id: input.refundId,
        ...(input.reason ? { note_to_payer: input.reason.slice(0, 255) } : {}),
      },
    });
    return mapRefund(response.body);
  }

  async getRefund(gatewayRefundId: string): Promise<RefundResult> {
    const response = await this.api<Json>({
      method: 'GET',
      path: `/v2/payments/refunds/${encodeURIComponent(gatewayRefundId)}`,
    });
    return mapRefund(response.body);
  }

  async getDispute(gatewayDisputeId: string): Promise<GatewayDispute> {
    const response = await this.api<Json>({
      method: 'GET',
      path: `/v1/customer/disputes/${encodeURIComponent(gatewayDisputeId)}`,
    });
    return mapPayPalDispute(response.body);
  }

  /** Accepts the customer's claim (PayPal refunds the buyer from the merchant's balance). */
  async acceptDispute(gatewayDisputeId: string): Promise<void> {
    await this.api<Json>({
      method: 'POST',
      path: `/v1/customer/disputes/${encodeURIComponent(gatewayDisputeId)}/accept-claim`,
      json: { note: 'Accepted by the merchant' },
    });
  }

  async verifyWebhook(request: InboundWebhookRequest): Promise<void> {
    const webhookId = this.config.paypal.webhookId;
    if (!webhookId) throw new InvalidSignatureError();
    const transmission: Record<string, string> = {};
    for (const [field, name] of Object.entries(PAYPAL_SIGNATURE_HEADERS)) {
      const value = header(request, name);
      if (!value) throw new InvalidSignatureError(`Missing ${name.toUpperCase()} header`);
      transmission[field] = value;
    }
    let event: unknown;
    try {
      event = JSON.parse(request.rawBody.toString('utf8'));
    } catch {
      throw new InvalidSignatureError('Webhook body is not JSON');
    }
    // Every PayPal event has an id; intake allows one verify call per id (remoteWebhookClaim).
    if (eventIdOf(event) === undefined) throw new InvalidSignatureError('Webhook event has no id');
    let response: GatewayHttpResponse<{ verification_status?: string }>;
    try {
      response = await this.api<{ verification_status?: string }>({
        method: 'POST',
        path: '/v1/notifications/verify-webhook-signature',
        json: { ...transmission, webhook_id: webhookId, webhook_event: event },
      });
    } catch (error) {
      // PayPal refusing the headers themselves (400/422) means the sender is not proven; anything
      // else (our credentials, an outage) means we could not check: 503, so PayPal retries.
      if (
        error instanceof GatewayRequestError &&
        (error.gatewayStatus === 400 || error.gatewayStatus === 422)
      ) {
        throw new InvalidSignatureError();
      }
      if (error instanceof GatewayRequestError)
        throw new GatewayUnavailableError(this.name, error.message);
      throw error;
    }
    if (response.body.verification_status !== 'SUCCESS') {
      this.logger.warn(
        `PayPal refused webhook transmission ${transmission.transmission_id}: ${String(response.body.verification_status)}`,
      );
      throw new InvalidSignatureError();
    }
  }

  remoteWebhookClaim(request: InboundWebhookRequest): RemoteWebhookClaim | undefined {
    const signature: string[] = [];
    for (const name of Object.values(PAYPAL_SIGNATURE_HEADERS)) {
      const value = header(request, name);
      if (!value) return undefined;
      signature.push(value);
    }
    let event: unknown;
    try {
      event = JSON.parse(request.rawBody.toString('utf8'));
    } catch {
      return undefined;
    }
    const eventId = eventIdOf(event);
    return eventId === undefined ? undefined : { eventId, signature: signature.join('\n') };
  }

  parseWebhook(request: InboundWebhookRequest): NormalizedWebhookEvent {
    return mapPayPalEvent(JSON.parse(request.rawBody.toString('utf8')) as Json);
  }

  private async getOrder(orderId: string): Promise<Json | undefined> {
    const response = await this.api<Json>(
      { method: 'GET', path: `/v2/checkout/orders/${encodeURIComponent(orderId)}` },
      [404],
    );
    return response.status === 404 ? undefined : response.body;
  }

  private async captureIdOf(orderId: string | null): Promise<string> {
    const order = orderId ? await this.getOrder(orderId) : undefined;
    const captureId = order ? captureOf(order)?.id : undefined;
    if (typeof captureId !== 'string') {
      throw new GatewayRequestError(this.name, 400, 'the payment has no PayPal capture to refund');
    }
    return captureId;
  }

  /** An authenticated call; a 401 (token revoked early) refreshes the token and retries once. */
  private async api<T>(
    req: GatewayHttpRequest,
    acceptStatuses: number[] = [],
  ): Promise<GatewayHttpResponse<T>> {
    for (let attempt = 1; ; attempt += 1) {
      const token = await this.accessToken();
      const response = await this.http.request<T>(
        { ...req, headers: { ...req.headers, authorization: `Bearer ${token}` } },
        [...acceptStatuses, 401],
      );
      if (response.status !== 401 || acceptStatuses.includes(401)) return response;
      this.token = undefined;
      if (attempt >= 2)
        throw new GatewayRequestError(
          this.name,
          401,
          `${req.method} ${req.path}: access token refused`,
        );
    }
  }

  /** The cached token, or one shared fetch for every concurrent caller. */
  private accessToken(): Promise<string> {
    if (this.token && Date.now() < this.token.expiresAt) return Promise.resolve(this.token.value);
    this.tokenInFlight ??= this.fetchToken().finally(() => {
      this.tokenInFlight = undefined;
    });
    return this.tokenInFlight;
  }

  private async fetchToken(): Promise<string> {
    const { clientId, clientSecret } = this.config.paypal;
    if (!clientId || !clientSecret)
      throw new GatewayRequestError(
        this.name,
        401,
        'PAYPAL_CLIENT_ID/PAYPAL_CLIENT_SECRET are not configured',
      );
    const response = await this.http.request<{ access_token?: string; expires_in?: number }>({
      method: 'POST',
      path: '/v1/oauth2/token',
      headers: {
        authorization: `Basic ${Buffer.from(`${clientId}:${clientSecret}`).toString('base64')}`,
      },
      form: { grant_type: 'client_credentials' },
    });
    const { access_token: value, expires_in: expiresIn } = response.body;
    if (typeof value !== 'string' || typeof expiresIn !== 'number') {
      throw new GatewayRequestError(
        this.name,
        response.status,
        'OAuth token response without access_token/expires_in',
      );
    }
    const lifetime = Math.max(
      0,
      expiresIn - Math.min(TOKEN_EXPIRY_MARGIN_SECONDS, Math.floor(expiresIn / 2)),
    );
    this.token = { value, expiresAt: Date.now() + lifetime * 1000 };
    return value;
  }
}

function eventIdOf(event: unknown): string | undefined {
  if (typeof event !== 'object' || event === null) return undefined;
  const id = (event as { id?: unknown }).id;
  return typeof id === 'string' && id.length > 0 ? id : undefined;
}

function header(request: InboundWebhookRequest, name: string): string | undefined {
  const direct = request.headers[name];
  if (direct !== undefined) return direct;
  const key = Object.keys(request.headers).find((candidate) => candidate.toLowerCase() === name);
  return key === undefined ? undefined : request.headers[key];
}
