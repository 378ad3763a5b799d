import { randomBytes, randomUUID } from 'node:crypto';
import {
  checkoutPage,
  fakeId,
  FakeGatewayServer,
  FakeResponse,
  postWebhook,
  RecordedRequest,
  redirect,
} from './fake-gateway-kit.js';
import { loadFixture } from './fixtures.js';

type Json = Record<string, unknown>;

export interface FakePayPalOptions {
  clientId?: string;
  clientSecret?: string;
  webhookId?: string;
  /** `expires_in` of issued tokens. */
  tokenLifetimeSeconds?: number;
  /** Sandbox: where the approval page sends its webhooks (e.g. http://localhost:3000). */
  appUrl?: string;
}

/** What happens when an approved order is captured. */
export type CaptureOutcome = 'COMPLETED' | 'DECLINED' | 'PENDING' | 'INSTRUMENT_DECLINED';

const ZERO_DECIMAL = new Set(['JPY', 'HUF', 'TWD']);

/**
 * A PayPal REST double speaking its wire format: OAuth2 client credentials (`POST /v1/oauth2/token`,
 * Basic auth, form body), Orders v2 (create, get, capture, and for intent AUTHORIZE authorize),
 * Payments v2 refunds and authorizations (capture, void), and
 * `POST /v1/notifications/verify-webhook-signature`. Errors use PayPal's body
 * `{name, message, debug_id, details:[{issue, description}]}` (OAuth errors `{error,
 * error_description}`); `PayPal-Request-Id` replays the first response of a POST. Webhooks it
 * sends carry the five PAYPAL-TRANSMISSION headers; its verify API answers SUCCESS only for a
 * transmission it sent itself, unchanged, for the configured webhook id.
 */
export class FakePayPal {
  readonly clientId: string;
  readonly clientSecret: string;
  readonly webhookId: string;
  readonly server: FakeGatewayServer;
  tokenLifetimeSeconds: number;
  /** Status new refunds are created with. */
  refundOutcome: 'COMPLETED' | 'PENDING' | 'FAILED' = 'COMPLETED';
  appUrl: string | undefined;
  private readonly tokens = new Set<string>();
  private readonly orders = new Map<string, Json>();
  private readonly captureOutcomes = new Map<string, { status: CaptureOutcome; amount?: string }>();
  private readonly refunds = new Map<string, Json>();
  /** Disputes on captured orders (SPEC §17), shaped like Show dispute details. */
  private readonly disputes = new Map<string, Json>();
  private readonly requestIds = new Map<string, FakeResponse>();
  private readonly transmissions = new Map<
    string,
    { signature: string; eventId: string; body: string }
  >();

  constructor(options: FakePayPalOptions = {}) {
    this.clientId = options.clientId ?? 'AfakeClientId0123456789';
    this.clientSecret = options.clientSecret ?? 'EfakeClientSecret0123456789';
    this.webhookId = options.webhookId ?? '8PT597110X687430LKGECATA';
    this.tokenLifetimeSeconds = options.tokenLifetimeSeconds ?? 32_400;
    this.appUrl = options.appUrl;
    this.server = new FakeGatewayServer(
      (req) => this.route(req),
      (status) =>
        paypalError(
          status >= 500 ? 'INTERNAL_SERVER_ERROR' : 'UNPROCESSABLE_ENTITY',
          `Fake PayPal failure (${status})`,
        ),
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
      PAYPAL_CLIENT_ID: this.clientId,
      PAYPAL_CLIENT_SECRET: this.clientSecret,
      PAYPAL_WEBHOOK_ID: this.webhookId,
      PAYPAL_BASE_URL: this.url,
    };
  }

  /** Every token issued so far stops working (PayPal revoked them early). */
  revokeTokens(): void {
    this.tokens.clear();
  }

  order(orderId: string): Json {
    const order = this.orders.get(orderId);
    if (!order) throw new Error(`fake PayPal has no order ${orderId}`);
    return order;
  }

  orderByReference(reference: string): Json {
    for (const order of this.orders.values()) {
      if (unitOf(order).custom_id === reference) return order;
    }
    throw new Error(`fake PayPal has no order for ${reference}`);
  }

  /** The payer approves on PayPal; the later capture ends as `outcome` (for `amount`, if given). */
  approve(orderId: string, outcome: CaptureOutcome = 'COMPLETED', amount?: string): void {
    this.order(orderId).status = 'APPROVED';
    this.captureOutcomes.set(orderId, { status: outcome, amount });
  }

  /** A capture that was PENDING completes or is declined later (PayPal then sends a webhook). */
  settleCapture(orderId: string, status: 'COMPLETED' | 'DECLINED'): Json {
    const capture = captureOf(this.order(orderId));
    if (!capture) throw new Error('no capture yet');
    capture.status = status;
    return capture;
  }

  /** The order's authorization (intent AUTHORIZE), once verify has authorized it. */
  authorization(orderId: string): Json {
    const authorization = authorizationOf(this.order(orderId));
    if (!authorization) throw new Error(`order ${orderId} is not authorized`);
    return authorization;
  }

  /** PayPal lets an uncaptured authorization lapse (29 days): it is EXPIRED. */
  expireAuthorization(orderId: string): Json {
    const authorization = this.authorization(orderId);
    authorization.status = 'EXPIRED';
    return authorization;
  }

  /** PAYMENT.AUTHORIZATION.CREATED / VOIDED, whose resource is the authorization. */
  authorizationEvent(
    eventType: 'PAYMENT.AUTHORIZATION.CREATED' | 'PAYMENT.AUTHORIZATION.VOIDED',
    orderId: string,
  ): Json {
    return this.event(
      eventType,
      'authorization',
      this.authorization(orderId),
      eventType === 'PAYMENT.AUTHORIZATION.CREATED'
        ? 'A payment authorization was created'
        : 'A payment authorization was voided',
    );
  }

  captures(orderId: string): Json[] {
    const payments = (unitOf(this.order(orderId)).payments ?? {}) as Json;
    return (payments.captures ?? []) as Json[];
  }

  refundList(): Json[] {
    return [...this.refunds.values()];
  }

  settleRefund(refundId: string, status: 'COMPLETED' | 'FAILED'): Json {
    const refund = this.refunds.get(refundId);
    if (!refund) throw new Error(`fake PayPal has no refund ${refundId}`);
    refund.status = status;
    return refund;
  }

  /** The buyer disputes the order's capture: a dispute waiting for the seller's response. */
  openDispute(orderId: string, value?: string): Json {
    const capture = captureOf(this.order(orderId));
    if (!capture) throw new Error('no capture yet');
    const amount = capture.amount as Json;
    const reference = unitOf(this.order(orderId)).custom_id;
    const template = loadFixture<Json>('paypal', 'dispute');
    const id = `PP-D-${fakeId('', 5)}`;
    const dispute: Json = {
      ...template,
      dispute_id: id,
      create_time: new Date().toISOString(),
      update_time: new Date().toISOString(),
      disputed_transactions: [
        {
          ...(template.disputed_transactions as Json[])[0],
          seller_transaction_id: capture.id,
          gross_amount: amount,
          invoice_number: reference,
          custom: reference,
        },
      ],
      dispute_amount: { currency_code: amount.currency_code, value: value ?? amount.value },
      seller_response_due_date: new Date(Date.now() + 10 * 86_400_000).toISOString(),
      links: [],
    };
    this.disputes.set(id, dispute);
    return dispute;
  }

  dispute(id: string): Json {
    const dispute = this.disputes.get(id);
    if (!dispute) throw new Error(`fake PayPal has no dispute ${id}`);
    return dispute;
  }

  resolveDispute(
    id: string,
    outcome: 'RESOLVED_BUYER_FAVOUR' | 'RESOLVED_SELLER_FAVOUR' | 'ACCEPTED',
  ): Json {
    const dispute = this.dispute(id);
    dispute.status = 'RESOLVED';
    dispute.dispute_outcome = { outcome_code: outcome, amount_refunded: dispute.dispute_amount };
    dispute.update_time = new Date().toISOString();
    return dispute;
  }

  disputeEvent(
    eventType:
      'CUSTOMER.DISPUTE.CREATED' | 'CUSTOMER.DISPUTE.UPDATED' | 'CUSTOMER.DISPUTE.RESOLVED',
    id: string,
  ): Json {
    return this.event(
      eventType,
      'dispute',
      this.dispute(id),
      `A dispute was ${eventType.split('.')[2].toLowerCase()}`,
    );
  }

  // ---- webhooks ---------------------------------------------------------------------------

  event(eventType: string, resourceType: string, resource: Json, summary: string): Json {
    const id = `WH-${fakeId('', 17)}-${fakeId('', 17)}`;
    return {
      id,
      event_version: '1.0',
      create_time: new Date().toISOString(),
      resource_type: resourceType,
      resource_version: '2.0',
      event_type: eventType,
      summary,
      resource: withoutPrivate(resource),
      links: [
        { href: `${this.url}/v1/notifications/webhooks-events/${id}`, rel: 'self', method: 'GET' },
        {
          href: `${this.url}/v1/notifications/webhooks-events/${id}/resend`,
          rel: 'resend',
          method: 'POST',
        },
      ],
    };
  }

  orderApprovedEvent(orderId: string): Json {
    return this.event(
      'CHECKOUT.ORDER.APPROVED',
      'checkout-order',
      this.order(orderId),
      'An order has been approved by buyer',
    );
  }

  captureEvent(
    eventType: 'PAYMENT.CAPTURE.COMPLETED' | 'PAYMENT.CAPTURE.DENIED' | 'PAYMENT.CAPTURE.PENDING',
    orderId: string,
  ): Json {
    const capture = captureOf(this.order(orderId));
    if (!capture) throw new Error('no capture yet');
    return this.event(
      eventType,
      'capture',
      capture,
      `Payment ${String(capture.status).toLowerCase()}`,
    );
  }

  refundEvent(refundId: string): Json {
    const refund = this.refunds.get(refundId);
    if (!refund) throw new Error(`fake PayPal has no refund ${refundId}`);
    return this.event(
      'PAYMENT.CAPTURE.REFUNDED',
      'refund',
      refund,
      'A capture payment was refunded',
    );
  }

  /** The five transmission headers for a body; `forged` makes ones PayPal never issued. */
  transmissionHeaders(rawBody: string, options: { forged?: boolean } = {}): Record<string, string> {
    const transmissionId = randomUUID();
    const signature = randomBytes(128).toString('base64');
    if (!options.forged) {
      const eventId = String((JSON.parse(rawBody) as Json).id);
      this.transmissions.set(transmissionId, { signature, eventId, body: canonical(rawBody) });
    }
    return {
      'paypal-auth-algo': 'SHA256withRSA',
      'paypal-cert-url': `${this.url}/v1/notifications/certs/CERT-360caa42-fca2a594-1d93a270`,
      'paypal-transmission-id': transmissionId,
      'paypal-transmission-sig': signature,
      'paypal-transmission-time': new Date().toISOString(),
    };
  }

  sendWebhook(
    appUrl: string,
    event: Json,
    options: { forged?: boolean; headers?: Record<string, string> } = {},
  ): Promise<{ status: number; body: unknown }> {
    const rawBody = JSON.stringify(event);
    const headers = options.headers ?? this.transmissionHeaders(rawBody, options);
    return postWebhook(`${appUrl}/api/v1/webhooks/paypal`, rawBody, headers);
  }

  // ---- the API ----------------------------------------------------------------------------

  private route(req: RecordedRequest): FakeResponse | Promise<FakeResponse> {
    if (req.path === '/checkoutnow') return this.approvalPage(req);
    if (req.method === 'POST' && req.path === '/v1/oauth2/token') return this.issueToken(req);
    const token = /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1];
    if (!token || !this.tokens.has(token)) {
      return {
        status: 401,
        body: { error: 'invalid_token', error_description: 'Access Token not found in cache' },
      };
    }
    const requestId = req.headers['paypal-request-id'];
    if (req.method === 'POST' && requestId) {
      const key = `${req.path}|${requestId}`;
      const seen = this.requestIds.get(key);
      if (seen)
        return { ...structuredClone(seen), status: seen.status === 201 ? 200 : seen.status };
      const response = this.dispatch(req);
      if (response.status < 500) this.requestIds.set(key, structuredClone(response));
      return response;
    }
    return this.dispatch(req);
  }

  /** Sandbox approval page: approve (capture completes or is declined) or cancel, as the payer would. */
  private async approvalPage(req: RecordedRequest): Promise<FakeResponse> {
    const orderId = req.query.get('token') ?? '';
    const order = this.orders.get(orderId);
    if (!order) return { status: 404, text: 'No such order' };
    const amount = unitOf(order).amount as Json;
    if (req.method === 'GET') {
      return checkoutPage(
        'Fake PayPal',
        `${String(amount.value)} ${String(amount.currency_code)} for ${String(unitOf(order).custom_id)}`,
        [
          {
            label: 'Approve (capture completes)',
            action: `/checkoutnow?token=${orderId}&action=approve`,
          },
          {
            label: 'Approve (capture is declined)',
            action: `/checkoutnow?token=${orderId}&action=decline`,
          },
          { label: 'Cancel', action: `/checkoutnow?token=${orderId}&action=cancel` },
        ],
      );
    }
    const returnUrl = new URL(
      typeof order._return_url === 'string' ? order._return_url : 'http://localhost:3000',
    );
    returnUrl.searchParams.set('token', orderId);
    const action = req.query.get('action');
    if (action === 'cancel') return redirect(returnUrl.toString());
    this.approve(orderId, action === 'decline' ? 'DECLINED' : 'COMPLETED');
    if (this.appUrl)
      await this.sendWebhook(this.appUrl, this.orderApprovedEvent(orderId)).catch(() => undefined);
    returnUrl.searchParams.set('PayerID', 'QYR5Z8XDVJNXQ');
    return redirect(returnUrl.toString());
  }

  private dispatch(req: RecordedRequest): FakeResponse {
    const body = parseJson(req.rawBody);
    if (req.method === 'POST' && req.path === '/v2/checkout/orders') return this.createOrder(body);
    const order = /^\/v2\/checkout\/orders\/([^/]+)$/.exec(req.path);
    if (req.method === 'GET' && order) {
      const found = this.orders.get(decodeURIComponent(order[1]));
      return found ? { status: 200, body: withoutPrivate(found) } : notFound();
    }
    const capture = /^\/v2\/checkout\/orders\/([^/]+)\/capture$/.exec(req.path);
    if (req.method === 'POST' && capture) return this.captureOrder(decodeURIComponent(capture[1]));
    const authorize = /^\/v2\/checkout\/orders\/([^/]+)\/authorize$/.exec(req.path);
    if (req.method === 'POST' && authorize)
      return this.authorizeOrder(decodeURIComponent(authorize[1]));
    const onAuthorization = /^\/v2\/payments\/authorizations\/([^/]+)\/(capture|void)$/.exec(
      req.path,
    );
    if (req.method === 'POST' && onAuthorization) {
      const id = decodeURIComponent(onAuthorization[1]);
      return onAuthorization[2] === 'capture'
        ? this.captureAuthorization(id, body)
        : this.voidAuthorization(id, req.headers.prefer);
    }
    const refund = /^\/v2\/payments\/captures\/([^/]+)\/refund$/.exec(req.path);
    if (req.method === 'POST' && refund)
      return this.refundCapture(decodeURIComponent(refund[1]), body);
    const getRefund = /^\/v2\/payments\/refunds\/([^/]+)$/.exec(req.path);
    if (req.method === 'GET' && getRefund) {
      const found = this.refunds.get(decodeURIComponent(getRefund[1]));
      return found ? { status: 200, body: withoutPrivate(found) } : notFound();
    }
    if (req.method === 'POST' && req.path === '/v1/notifications/verify-webhook-signature')
      return this.verifySignature(body);
    const dispute = /^\/v1\/customer\/disputes\/([^/]+)(\/accept-claim)?$/.exec(req.path);
    if (dispute) {
      const found = this.disputes.get(decodeURIComponent(dispute[1]));
      if (!found) return notFound();
      if (req.method === 'GET' && !dispute[2]) return { status: 200, body: structuredClone(found) };
      if (req.method === 'POST' && dispute[2]) {
        if (found.status === 'RESOLVED')
          return {
            status: 422,
            body: paypalError(
              'UNPROCESSABLE_ENTITY',
              'The requested action could not be performed.',
            ),
          };
        this.resolveDispute(String(found.dispute_id), 'ACCEPTED');
        return {
          status: 200,
          body: {
            links: [
              {
                href: `${this.url}${req.path.replace('/accept-claim', '')}`,
                rel: 'self',
                method: 'GET',
              },
            ],
          },
        };
      }
    }
    return notFound();
  }

  private issueToken(req: RecordedRequest): FakeResponse {
    const expected = `Basic ${Buffer.from(`${this.clientId}:${this.clientSecret}`).toString('base64')}`;
    if (req.headers.authorization !== expected) {
      return {
        status: 401,
        body: { error: 'invalid_client', error_description: 'Client Authentication failed' },
      };
    }
    if (new URLSearchParams(req.rawBody).get('grant_type') !== 'client_credentials') {
      return {
        status: 400,
        body: { error: 'unsupported_grant_type', error_description: 'Grant Type is NULL' },
      };
    }
    const token = `A21AA${randomBytes(24).toString('hex')}`;
    this.tokens.add(token);
    return {
      status: 200,
      body: {
        scope:
          'https://uri.paypal.com/services/payments/payment https://uri.paypal.com/services/payments/refund',
        access_token: token,
        token_type: 'Bearer',
        app_id: 'APP-80W284485P519543T',
        expires_in: this.tokenLifetimeSeconds,
        nonce: `${new Date().toISOString()}${randomBytes(8).toString('hex')}`,
      },
    };
  }

  private createOrder(body: Json): FakeResponse {
    const units = Array.isArray(body.purchase_units) ? (body.purchase_units as Json[]) : [];
    const unit = units[0];
    const amount = (unit?.amount ?? {}) as Json;
    if (body.intent !== 'CAPTURE' && body.intent !== 'AUTHORIZE')
      return validation(
        '/intent',
        'INVALID_PARAMETER_VALUE',
        'intent must be CAPTURE or AUTHORIZE',
      );
    if (!unit || typeof amount.currency_code !== 'string' || typeof amount.value !== 'string') {
      return validation(
        '/purchase_units/0/amount',
        'MISSING_REQUIRED_PARAMETER',
        'A required field / parameter is missing.',
      );
    }
    const decimals = amount.value.split('.')[1]?.length ?? 0;
    if (
      !/^\d+(\.\d+)?$/.test(amount.value) ||
      decimals > (ZERO_DECIMAL.has(amount.currency_code) ? 0 : 2)
    ) {
      return {
        status: 422,
        body: paypalError(
          'UNPROCESSABLE_ENTITY',
          'The requested action could not be performed, semantically incorrect, or failed business validation.',
          [
            {
              field: "/purchase_units/@reference_id=='default'/amount/value",
              issue: 'DECIMAL_PRECISION',
              description:
                'If the currency supports decimals, only two decimal place precision is supported.',
            },
          ],
        ),
      };
    }
    const id = fakeId('', 17);
    const experience = (((body.payment_source as Json | undefined)?.paypal as Json | undefined)
      ?.experience_context ?? {}) as Json;
    const order: Json = {
      id,
      intent: body.intent,
      status: 'PAYER_ACTION_REQUIRED',
      payment_source: { paypal: {} },
      purchase_units: [
        {
          reference_id: unit.reference_id ?? 'default',
          custom_id: unit.custom_id,
          invoice_id: unit.invoice_id,
          amount: { currency_code: amount.currency_code, value: amount.value },
          payee: { email_address: 'merchant@example.com', merchant_id: 'C7CYMKZDG8D6E' },
        },
      ],
      create_time: new Date().toISOString(),
      links: [
        { href: `${this.url}/v2/checkout/orders/${id}`, rel: 'self', method: 'GET' },
        { href: `${this.url}/checkoutnow?token=${id}`, rel: 'payer-action', method: 'GET' },
      ],
      _return_url: experience.return_url,
    };
    this.orders.set(id, order);
    return { status: 201, body: withoutPrivate(order) };
  }

  /**
   * POST /v2/checkout/orders/{id}/authorize (developer.paypal.com/docs/api/orders/v2/#orders_authorize):
   * an APPROVED order of intent AUTHORIZE becomes COMPLETED with one authorization, CREATED for
   * the order's amount and honoured for 29 days.
   */
  private authorizeOrder(orderId: string): FakeResponse {
    const order = this.orders.get(orderId);
    if (!order) return notFound();
    if (order.intent !== 'AUTHORIZE')
      return unprocessable(
        'ACTION_DOES_NOT_MATCH_INTENT',
        "Order was created with an intent to 'CAPTURE'. Please use v2/checkout/orders/order_id/capture to complete the transaction or alternately Create an order with an intent of 'AUTHORIZE'.",
      );
    if (order.status === 'COMPLETED')
      return unprocessable('ORDER_ALREADY_AUTHORIZED', 'Order already authorized.');
    if (order.status !== 'APPROVED')
      return unprocessable(
        'ORDER_NOT_APPROVED',
        'Payer has not yet approved the Order for payment.',
      );
    const unit = unitOf(order);
    const id = fakeId('', 17);
    const now = new Date();
    const authorization: Json = {
      id,
      status: 'CREATED',
      amount: structuredClone(unit.amount),
      custom_id: unit.custom_id,
      invoice_id: unit.invoice_id,
      seller_protection: { status: 'ELIGIBLE' },
      expiration_time: new Date(now.getTime() + 29 * 86_400_000).toISOString(),
      supplementary_data: { related_ids: { order_id: orderId } },
      links: [
        { href: `${this.url}/v2/payments/authorizations/${id}`, rel: 'self', method: 'GET' },
        {
          href: `${this.url}/v2/payments/authorizations/${id}/capture`,
          rel: 'capture',
          method: 'POST',
        },
        { href: `${this.url}/v2/payments/authorizations/${id}/void`, rel: 'void', method: 'POST' },
        { href: `${this.url}/v2/checkout/orders/${orderId}`, rel: 'up', method: 'GET' },
      ],
      create_time: now.toISOString(),
      update_time: now.toISOString(),
    };
    unit.payments = { authorizations: [authorization] };
    order.status = 'COMPLETED';
    return { status: 201, body: withoutPrivate(order) };
  }

  /** The order and authorization for an authorization id. */
  private findAuthorization(
    authorizationId: string,
  ): { order: Json; authorization: Json } | undefined {
    for (const order of this.orders.values()) {
      const authorization = authorizationOf(order);
      if (authorization?.id === authorizationId) return { order, authorization };
    }
    return undefined;
  }

  /**
   * POST /v2/payments/authorizations/{id}/capture (developer.paypal.com/docs/api/payments/v2/
   * #authorizations_capture): a CREATED authorization, for at most its amount; with
   * `final_capture` the rest is released and the authorization is CAPTURED (else
   * PARTIALLY_CAPTURED). Answers the capture resource.
   */
  private captureAuthorization(authorizationId: string, body: Json): FakeResponse {
    const found = this.findAuthorization(authorizationId);
    if (!found) return notFound();
    const { order, authorization } = found;
    if (authorization.status !== 'CREATED' && authorization.status !== 'PARTIALLY_CAPTURED') {
      const issue =
        authorization.status === 'CAPTURED'
          ? 'AUTHORIZATION_ALREADY_CAPTURED'
          : `AUTHORIZATION_${String(authorization.status)}`;
      return unprocessable(issue, `Authorization is ${String(authorization.status)}.`);
    }
    const authorized = authorization.amount as Json;
    const requested = (body.amount as Json | undefined) ?? authorized;
    if (cents(String(requested.value)) > cents(String(authorized.value)))
      return unprocessable(
        'MAX_CAPTURE_AMOUNT_EXCEEDED',
        'Capture amount exceeds allowable limit.',
      );
    const id = fakeId('', 17);
    const now = new Date().toISOString();
    const unit = unitOf(order);
    const capture: Json = {
      id,
      status: 'COMPLETED',
      amount: { currency_code: authorized.currency_code, value: requested.value },
      final_capture: body.final_capture !== false,
      custom_id: unit.custom_id,
      invoice_id: unit.invoice_id,
      seller_protection: { status: 'ELIGIBLE' },
      supplementary_data: {
        related_ids: { order_id: order.id, authorization_id: authorizationId },
      },
      links: [
        { href: `${this.url}/v2/payments/captures/${id}`, rel: 'self', method: 'GET' },
        { href: `${this.url}/v2/payments/captures/${id}/refund`, rel: 'refund', method: 'POST' },
        {
          href: `${this.url}/v2/payments/authorizations/${authorizationId}`,
          rel: 'up',
          method: 'GET',
        },
      ],
      create_time: now,
      update_time: now,
    };
    const payments = unit.payments as Json;
    payments.captures = [...((payments.captures as Json[] | undefined) ?? []), capture];
    authorization.status = body.final_capture === false ? 'PARTIALLY_CAPTURED' : 'CAPTURED';
    authorization.update_time = now;
    return { status: 201, body: withoutPrivate(capture) };
  }

  /**
   * POST /v2/payments/authorizations/{id}/void (developer.paypal.com/docs/api/payments/v2/
   * #authorizations_void): 200 with the VOIDED authorization under `Prefer: return=representation`,
   * else 204.
   */
  private voidAuthorization(authorizationId: string, prefer: string | undefined): FakeResponse {
    const found = this.findAuthorization(authorizationId);
    if (!found) return notFound();
    const { authorization } = found;
    if (authorization.status === 'CAPTURED' || authorization.status === 'PARTIALLY_CAPTURED')
      return unprocessable(
        'PREVIOUSLY_CAPTURED',
        'Authorization has been previously captured and hence cannot be voided.',
      );
    if (authorization.status !== 'CREATED')
      return unprocessable(
        `AUTHORIZATION_${String(authorization.status)}`,
        `Authorization is ${String(authorization.status)}.`,
      );
    authorization.status = 'VOIDED';
    authorization.update_time = new Date().toISOString();
    return prefer === 'return=representation'
      ? { status: 200, body: withoutPrivate(authorization) }
      : { status: 204, text: '' };
  }

  private captureOrder(orderId: string): FakeResponse {
    const order = this.orders.get(orderId);
    if (!order) return notFound();
    if (order.intent === 'AUTHORIZE')
      return unprocessable(
        'ACTION_DOES_NOT_MATCH_INTENT',
        "Order was created with an intent to 'AUTHORIZE'. Please use v2/checkout/orders/order_id/authorize to complete the transaction or alternately Create an order with an intent of 'CAPTURE'.",
      );
    if (order.status === 'COMPLETED')
      return unprocessable(
        'ORDER_ALREADY_CAPTURED',
        "Order already captured.If 'intent=CAPTURE' only one capture per order is allowed.",
      );
    if (order.status !== 'APPROVED')
      return unprocessable(
        'ORDER_NOT_APPROVED',
        'Payer has not yet approved the Order for payment.',
      );
    const outcome = this.captureOutcomes.get(orderId) ?? { status: 'COMPLETED' as const };
    if (outcome.status === 'INSTRUMENT_DECLINED') {
      return unprocessable(
        'INSTRUMENT_DECLINED',
        "The instrument presented was either declined by the processor or bank, or it can't be used for this payment.",
      );
    }
    const unit = unitOf(order);
    const orderAmount = unit.amount as Json;
    const captureId = fakeId('', 17);
    const now = new Date().toISOString();
    const capture: Json = {
      id: captureId,
      status: outcome.status,
      ...(outcome.status === 'PENDING' ? { status_details: { reason: 'PENDING_REVIEW' } } : {}),
      ...(outcome.status === 'DECLINED'
        ? { status_details: { reason: 'DECLINED_BY_RISK_FRAUD_FILTERS' } }
        : {}),
      amount: {
        currency_code: orderAmount.currency_code,
        value: outcome.amount ?? orderAmount.value,
      },
      final_capture: true,
      custom_id: unit.custom_id,
      invoice_id: unit.invoice_id,
      seller_protection: {
        status: 'ELIGIBLE',
        dispute_categories: ['ITEM_NOT_RECEIVED', 'UNAUTHORIZED_TRANSACTION'],
      },
      supplementary_data: { related_ids: { order_id: orderId } },
      links: [
        { href: `${this.url}/v2/payments/captures/${captureId}`, rel: 'self', method: 'GET' },
        {
          href: `${this.url}/v2/payments/captures/${captureId}/refund`,
          rel: 'refund',
          method: 'POST',
        },
        { href: `${this.url}/v2/checkout/orders/${orderId}`, rel: 'up', method: 'GET' },
      ],
      create_time: now,
      update_time: now,
    };
    unit.payments = { captures: [capture] };
    order.status = 'COMPLETED';
    return { status: 201, body: withoutPrivate(order) };
  }

  private refundCapture(captureId: string, body: Json): FakeResponse {
    const capture = [...this.orders.values()]
      .map(captureOf)
      .find((candidate) => candidate?.id === captureId);
    if (!capture) return notFound();
    if (capture.status !== 'COMPLETED' && capture.status !== 'PARTIALLY_REFUNDED') {
      return unprocessable('CAPTURE_FULLY_REFUNDED', 'The capture has already been fully refunded');
    }
    const captured = cents(String((capture.amount as Json).value));
    const refunded = [...this.refunds.values()]
      .filter((refund) => refund._capture_id === captureId && refund.status !== 'FAILED')
      .reduce((sum, refund) => sum + cents(String((refund.amount as Json).value)), 0);
    const requested = body.amount
      ? cents(String((body.amount as Json).value))
      : captured - refunded;
    if (requested > captured - refunded) {
      return unprocessable(
        'REFUND_AMOUNT_EXCEEDED',
        'The refund amount must be less than or equal to the capture amount that has not yet been refunded.',
      );
    }
    const id = fakeId('', 17);
    const refund: Json = {
      id,
      amount: {
        currency_code: (capture.amount as Json).currency_code,
        value: body.amount ? (body.amount as Json).value : (capture.amount as Json).value,
      },
      status: this.refundOutcome,
      ...(this.refundOutcome === 'FAILED' ? { status_details: { reason: 'ECHECK' } } : {}),
      custom_id: body.custom_id,
      invoice_id: capture.invoice_id,
      note_to_payer: body.note_to_payer,
      create_time: new Date().toISOString(),
      links: [
        { href: `${this.url}/v2/payments/refunds/${id}`, rel: 'self', method: 'GET' },
        { href: `${this.url}/v2/payments/captures/${captureId}`, rel: 'up', method: 'GET' },
      ],
      _capture_id: captureId,
    };
    this.refunds.set(id, refund);
    capture.status = requested === captured - refunded ? 'REFUNDED' : 'PARTIALLY_REFUNDED';
    return { status: 201, body: withoutPrivate(refund) };
  }

  private verifySignature(body: Json): FakeResponse {
    for (const field of [
      'auth_algo',
      'cert_url',
      'transmission_id',
      'transmission_sig',
      'transmission_time',
      'webhook_id',
    ]) {
      if (typeof body[field] !== 'string' || body[field] === '') {
        return {
          status: 400,
          body: paypalError('VALIDATION_ERROR', 'Invalid request - see details', [
            { field, issue: 'MISSING_REQUIRED_PARAMETER', description: `${field} is required` },
          ]),
        };
      }
    }
    const sent = this.transmissions.get(body.transmission_id as string);
    const event = body.webhook_event as Json | undefined;
    const genuine =
      sent !== undefined &&
      sent.signature === body.transmission_sig &&
      body.webhook_id === this.webhookId &&
      event !== undefined &&
      sent.eventId === event.id &&
      sent.body === canonical(JSON.stringify(event));
    return { status: 200, body: { verification_status: genuine ? 'SUCCESS' : 'FAILURE' } };
  }
}

function unitOf(order: Json): Json {
  return (order.purchase_units as Json[])[0];
}

function authorizationOf(order: Json): Json | undefined {
  const payments = unitOf(order).payments as Json | undefined;
  return (payments?.authorizations as Json[] | undefined)?.at(-1);
}

function captureOf(order: Json): Json | undefined {
  const payments = unitOf(order).payments as Json | undefined;
  return (payments?.captures as Json[] | undefined)?.at(-1);
}

function cents(value: string): number {
  const [whole, fraction = ''] = value.split('.');
  return Number(whole) * 100 + Number(fraction.padEnd(2, '0').slice(0, 2));
}

function canonical(rawBody: string): string {
  return JSON.stringify(JSON.parse(rawBody));
}

function withoutPrivate(object: Json): Json {
  return JSON.parse(
    JSON.stringify(object, (key, value: unknown) => (key.startsWith('_') ? undefined : value)),
  ) as Json;
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

function paypalError(name: string, message: string, details: Json[] = []): Json {
  return {
    name,
    message,
    debug_id: randomBytes(7).toString('hex'),
    details,
    links: [
      {
        href: `https://developer.paypal.com/docs/api/orders/v2/#error-${name}`,
        rel: 'information_link',
        method: 'GET',
      },
    ],
  };
}

function unprocessable(issue: string, description: string): FakeResponse {
  return {
    status: 422,
    body: paypalError(
      'UNPROCESSABLE_ENTITY',
      'The requested action could not be performed, semantically incorrect, or failed business validation.',
      [{ issue, description }],
    ),
  };
}

function validation(field: string, issue: string, description: string): FakeResponse {
  return {
    status: 400,
    body: paypalError(
      'INVALID_REQUEST',
      'Request is not well-formed, syntactically incorrect, or violates schema.',
      [{ field, issue, description }],
    ),
  };
}

function notFound(): FakeResponse {
  return {
    status: 404,
    body: paypalError('RESOURCE_NOT_FOUND', 'The specified resource does not exist.', [
      {
        issue: 'INVALID_RESOURCE_ID',
        description:
          'Specified resource ID does not exist. Please check the resource ID and try again.',
      },
    ]),
  };
}
