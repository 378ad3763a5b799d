import Stripe from 'stripe';
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

export interface FakeStripeOptions {
  secretKey?: string;
  webhookSecret?: string;
  /** Sandbox: where the hosted checkout page sends its signed webhooks (e.g. http://localhost:3000). */
  appUrl?: string;
}

interface SessionState {
  session: Json;
  paymentIntent?: Json;
  /** `payment_intent_data[capture_method]` as created: `manual` holds the money until captured. */
  captureMethod: string;
}

/**
 * A Stripe API double speaking Stripe's wire format: form-encoded requests in bracket notation
 * (`line_items[0][price_data][unit_amount]=1050`), `Authorization: Bearer sk_…`, JSON objects as
 * the API reference documents them, error envelopes `{"error":{"type","code","message"}}`, and
 * `Idempotency-Key` replay on POSTs. It implements only what the adapter uses: Checkout Sessions
 * (create, retrieve with expand), refunds (create, retrieve), and for manual capture payment
 * intents' capture and cancel. Tests drive the payer's side
 * (pay, decline, expire) and send webhooks signed with the SDK's own test-header helper.
 */
export class FakeStripe {
  readonly secretKey: string;
  readonly webhookSecret: string;
  readonly server: FakeGatewayServer;
  private readonly sessions = new Map<string, SessionState>();
  private readonly refunds = new Map<string, Json>();
  /** Disputes on paid sessions (SPEC §17), Dispute objects as the API reference shows them. */
  private readonly disputes = new Map<string, Json>();
  private readonly idempotent = new Map<string, { params: string; response: FakeResponse }>();
  /** Status new refunds are created with: Stripe answers `succeeded` for most card refunds. */
  refundOutcome: 'succeeded' | 'pending' | 'failed' = 'succeeded';
  appUrl: string | undefined;

  constructor(options: FakeStripeOptions = {}) {
    this.appUrl = options.appUrl;
    this.secretKey = options.secretKey ?? 'sk_test_fake_0123456789';
    this.webhookSecret = options.webhookSecret ?? 'whsec_fake_0123456789abcdef';
    this.server = new FakeGatewayServer(
      (req) => this.route(req),
      (status) =>
        status === 409
          ? // What Stripe answers a request whose Idempotency-Key another request is still
            // executing (docs.stripe.com/api/idempotent_requests: such a conflict saves no result,
            // so a retry later gets the first request's saved answer).
            stripeError(
              'idempotency_error',
              'There is currently another in-progress request using this Idempotent Key (that probably means you submitted twice, and the other request is still going through). Please try again later.',
            )
          : stripeError(
              status >= 500 ? 'api_error' : 'invalid_request_error',
              `Fake Stripe failure (${status})`,
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

  /** Env for createTestApp so the app talks to this fake. */
  env(): Record<string, string> {
    return {
      STRIPE_SECRET_KEY: this.secretKey,
      STRIPE_WEBHOOK_SECRET: this.webhookSecret,
      STRIPE_BASE_URL: this.url,
    };
  }

  // ---- the payer's side -------------------------------------------------------------------

  sessionByReference(reference: string): Json {
    for (const state of this.sessions.values()) {
      if (state.session.client_reference_id === reference) return state.session;
    }
    throw new Error(`fake Stripe has no session for ${reference}`);
  }

  /**
   * The payer pays; `amount`/`currency` let a test report something other than what was asked.
   * For a session created with `payment_intent_data[capture_method]=manual` the card is only
   * authorized: the intent is `requires_capture` holding `amount_capturable`, and the completed
   * session stays `payment_status: unpaid` until the capture
   * (docs.stripe.com/payments/place-a-hold-on-a-payment-method,
   * docs.stripe.com/api/checkout/sessions/object#checkout_session_object-payment_status).
   */
  pay(sessionId: string, override: { amount?: number; currency?: string } = {}): Json {
    const state = this.state(sessionId);
    const amount = override.amount ?? (state.session.amount_total as number);
    const currency = override.currency?.toLowerCase() ?? (state.session.currency as string);
    const chargeId = fakeId('ch_3', 24);
    const manual = state.captureMethod === 'manual';
    const intent: Json = {
      id: fakeId('pi_3', 24),
      object: 'payment_intent',
      amount,
      amount_capturable: manual ? amount : 0,
      amount_received: manual ? 0 : amount,
      capture_method: manual ? 'manual' : 'automatic_async',
      cancellation_reason: null,
      canceled_at: null,
      currency,
      status: manual ? 'requires_capture' : 'succeeded',
      latest_charge: chargeId,
      last_payment_error: null,
      metadata: { ...(state.session.metadata as Json) },
      created: now(),
      livemode: false,
    };
    state.paymentIntent = intent;
    Object.assign(state.session, {
      status: 'complete',
      payment_status: manual ? 'unpaid' : 'paid',
      payment_intent: intent.id,
      amount_total: amount,
      amount_subtotal: amount,
      currency,
    });
    return intent;
  }

  /** A declined attempt; with `expire` the session then expires, so the payment is over. */
  decline(sessionId: string, options: { expire?: boolean } = {}): Json {
    const state = this.state(sessionId);
    const intent: Json = {
      id: fakeId('pi_3', 24),
      object: 'payment_intent',
      amount: state.session.amount_total,
      amount_received: 0,
      currency: state.session.currency,
      status: options.expire ? 'canceled' : 'requires_payment_method',
      latest_charge: fakeId('ch_3', 24),
      last_payment_error: {
        type: 'card_error',
        code: 'card_declined',
        decline_code: 'generic_decline',
        message: 'Your card was declined.',
      },
      metadata: { ...(state.session.metadata as Json) },
      created: now(),
      livemode: false,
    };
    state.paymentIntent = intent;
    state.session.payment_intent = intent.id;
    if (options.expire) state.session.status = 'expired';
    return intent;
  }

  /** Stripe lets an uncaptured hold lapse (7 days for most cards): the intent is canceled. */
  expireAuthorization(sessionId: string): Json {
    const intent = this.intentOf(sessionId);
    if (intent.status !== 'requires_capture') throw new Error('no hold to expire');
    Object.assign(intent, {
      status: 'canceled',
      cancellation_reason: 'automatic',
      canceled_at: now(),
      amount_capturable: 0,
    });
    return intent;
  }

  /** The session's payment intent as it stands (after pay() or decline()). */
  intentOf(sessionId: string): Json {
    const intent = this.state(sessionId).paymentIntent;
    if (!intent) throw new Error('no payment intent yet: call pay() or decline() first');
    return intent;
  }

  expire(sessionId: string): void {
    this.state(sessionId).session.status = 'expired';
  }

  refund(refundId: string): Json {
    const refund = this.refunds.get(refundId);
    if (!refund) throw new Error(`fake Stripe has no refund ${refundId}`);
    return refund;
  }

  refundList(): Json[] {
    return [...this.refunds.values()];
  }

  settleRefund(refundId: string, status: 'succeeded' | 'failed'): Json {
    const refund = this.refund(refundId);
    refund.status = status;
    if (status === 'failed') refund.failure_reason = 'lost_or_stolen_card';
    return refund;
  }

  /** The cardholder disputes the session's payment: a `needs_response` Dispute object. */
  openDispute(sessionId: string, amount?: number): Json {
    const intent = this.state(sessionId).paymentIntent;
    if (!intent) throw new Error('no payment intent yet: call pay() first');
    const dispute: Json = {
      ...loadFixture<Json>('stripe', 'dispute'),
      id: fakeId('du_1', 24),
      amount: amount ?? intent.amount,
      currency: intent.currency,
      charge: intent.latest_charge,
      payment_intent: intent.id,
      created: now(),
      reason: 'fraudulent',
      status: 'needs_response',
      evidence_details: {
        due_by: now() + 7 * 86_400,
        has_evidence: false,
        past_due: false,
        submission_count: 0,
      },
    };
    this.disputes.set(dispute.id as string, dispute);
    return dispute;
  }

  dispute(id: string): Json {
    const dispute = this.disputes.get(id);
    if (!dispute) throw new Error(`fake Stripe has no dispute ${id}`);
    return dispute;
  }

  setDisputeStatus(id: string, status: 'under_review' | 'won' | 'lost'): Json {
    const dispute = this.dispute(id);
    dispute.status = status;
    return dispute;
  }

  disputeEvent(
    type: 'charge.dispute.created' | 'charge.dispute.updated' | 'charge.dispute.closed',
    id: string,
  ): Json {
    return this.event(type, this.dispute(id));
  }

  // ---- events and webhooks ----------------------------------------------------------------

  /** A Stripe event envelope around a copy of `object`, shaped as docs.stripe.com/api/events documents. */
  event(type: string, object: Json): Json {
    return {
      id: fakeId('evt_1', 24),
      object: 'event',
      api_version: Stripe.API_VERSION,
      created: now(),
      data: { object: structuredClone(object) },
      livemode: false,
      pending_webhooks: 1,
      request: { id: null, idempotency_key: null },
      type,
    };
  }

  checkoutCompletedEvent(sessionId: string): Json {
    return this.event('checkout.session.completed', this.state(sessionId).session);
  }

  paymentIntentEvent(
    type:
      | 'payment_intent.succeeded'
      | 'payment_intent.payment_failed'
      | 'payment_intent.amount_capturable_updated'
      | 'payment_intent.canceled',
    sessionId: string,
  ): Json {
    const intent = this.state(sessionId).paymentIntent;
    if (!intent) throw new Error('no payment intent yet: call pay() or decline() first');
    return this.event(type, intent);
  }

  refundUpdatedEvent(refundId: string): Json {
    return this.event('refund.updated', this.refund(refundId));
  }

  /** The `Stripe-Signature` header for a payload, computed by the SDK's own test helper. */
  signatureHeader(payload: string, options: { timestamp?: number; secret?: string } = {}): string {
    return Stripe.webhooks.generateTestHeaderString({
      payload,
      secret: options.secret ?? this.webhookSecret,
      timestamp: options.timestamp ?? now(),
    });
  }

  /** Delivers an event to the app's Stripe webhook endpoint, signed like Stripe signs it. */
  sendWebhook(
    appUrl: string,
    event: Json,
    options: { timestamp?: number; secret?: string; signature?: string } = {},
  ): Promise<{ status: number; body: unknown; rawBody: string }> {
    const rawBody = JSON.stringify(event, null, 2);
    const signature = options.signature ?? this.signatureHeader(rawBody, options);
    return postWebhook(`${appUrl}/api/v1/webhooks/stripe`, rawBody, {
      'stripe-signature': signature,
    }).then((response) => ({ ...response, rawBody }));
  }

  // ---- the API ----------------------------------------------------------------------------

  private route(req: RecordedRequest): FakeResponse | Promise<FakeResponse> {
    const page = /^\/c\/pay\/([^/]+)$/.exec(req.path);
    if (page) return this.hostedCheckout(decodeURIComponent(page[1]), req);
    if (req.headers.authorization !== `Bearer ${this.secretKey}`) {
      return {
        status: 401,
        body: stripeError('invalid_request_error', 'Invalid API Key provided: sk_****'),
      };
    }
    const params =
      req.method === 'GET' ? parseStripeForm(req.query.toString()) : parseStripeForm(req.rawBody);
    const key = req.headers['idempotency-key'];
    if (req.method === 'POST' && key) {
      const seen = this.idempotent.get(`${req.path}|${key}`);
      const fingerprint = JSON.stringify(params);
      if (seen) {
        if (seen.params !== fingerprint) {
          return {
            status: 400,
            body: stripeError(
              'idempotency_error',
              `Keys for idempotent requests can only be used with the same parameters they were first used with. Try using a key other than '${key}' if you meant to execute a different request.`,
            ),
          };
        }
        return { ...structuredClone(seen.response), headers: { 'idempotent-replayed': 'true' } };
      }
      const response = this.dispatch(req, params);
      // Stripe stores the first outcome (even a 4xx) and replays it; 5xx are not stored.
      if (response.status < 500)
        this.idempotent.set(`${req.path}|${key}`, {
          params: fingerprint,
          response: structuredClone(response),
        });
      return response;
    }
    return this.dispatch(req, params);
  }

  /** Sandbox checkout page: Pay or Decline, then the signed webhook and the redirect Stripe would do. */
  private async hostedCheckout(sessionId: string, req: RecordedRequest): Promise<FakeResponse> {
    const state = this.sessions.get(sessionId);
    if (!state) return { status: 404, text: 'No such checkout session' };
    const session = state.session;
    if (req.method === 'GET') {
      return checkoutPage(
        'Fake Stripe Checkout',
        `${String(session.amount_total)} ${String(session.currency).toUpperCase()} (minor units) for ${String(session.client_reference_id)}`,
        [
          { label: 'Pay', action: `/c/pay/${sessionId}?action=pay` },
          {
            label: 'Decline the card (the session expires)',
            action: `/c/pay/${sessionId}?action=decline`,
          },
        ],
      );
    }
    const paid = req.query.get('action') === 'pay';
    if (paid) this.pay(sessionId);
    else this.decline(sessionId, { expire: true });
    if (this.appUrl) {
      const event = paid
        ? this.checkoutCompletedEvent(sessionId)
        : this.paymentIntentEvent('payment_intent.payment_failed', sessionId);
      await this.sendWebhook(this.appUrl, event).catch(() => undefined);
    }
    return redirect(
      String(paid ? session.success_url : (session.cancel_url ?? session.success_url)),
    );
  }

  private dispatch(req: RecordedRequest, params: Json): FakeResponse {
    if (req.method === 'POST' && req.path === '/v1/checkout/sessions')
      return this.createSession(params);
    const session = /^\/v1\/checkout\/sessions\/([^/]+)$/.exec(req.path);
    if (req.method === 'GET' && session)
      return this.retrieveSession(decodeURIComponent(session[1]), params);
    if (req.method === 'POST' && req.path === '/v1/refunds') return this.createRefund(params);
    const intentAction = /^\/v1\/payment_intents\/([^/]+)\/(capture|cancel)$/.exec(req.path);
    if (req.method === 'POST' && intentAction) {
      const id = decodeURIComponent(intentAction[1]);
      return intentAction[2] === 'capture'
        ? this.captureIntent(id, params)
        : this.cancelIntent(id, params);
    }
    const dispute = /^\/v1\/disputes\/([^/]+)(\/close)?$/.exec(req.path);
    if (dispute)
      return this.disputeRoute(req.method, decodeURIComponent(dispute[1]), !!dispute[2], params);
    const refund = /^\/v1\/refunds\/([^/]+)$/.exec(req.path);
    if (req.method === 'GET' && refund) {
      const found = this.refunds.get(decodeURIComponent(refund[1]));
      return found ? { status: 200, body: found } : missing('refund', refund[1]);
    }
    return {
      status: 404,
      body: stripeError(
        'invalid_request_error',
        `Unrecognized request URL (${req.method}: ${req.path}).`,
      ),
    };
  }

  private disputeRoute(method: string, id: string, close: boolean, params: Json): FakeResponse {
    const dispute = this.disputes.get(id);
    if (!dispute) return missing('dispute', id, 'dispute');
    const closed = ['won', 'lost', 'warning_closed'].includes(String(dispute.status));
    if (
      method === 'POST' &&
      (close || params.evidence !== undefined || params.submit !== undefined)
    ) {
      if (closed)
        return {
          status: 400,
          body: stripeError('invalid_request_error', 'This dispute is already closed'),
        };
      if (close) dispute.status = 'lost';
      else {
        if (isJson(params.evidence))
          dispute.evidence = { ...(dispute.evidence as Json), ...params.evidence };
        if (params.submit === 'true') {
          dispute.status = 'under_review';
          (dispute.evidence_details as Json).submission_count = 1;
          (dispute.evidence_details as Json).has_evidence = true;
        }
      }
    }
    const body = structuredClone(dispute);
    const expand = Array.isArray(params.expand) ? params.expand : [];
    if (expand.includes('payment_intent')) {
      const state = [...this.sessions.values()].find(
        (candidate) => candidate.paymentIntent?.id === dispute.payment_intent,
      );
      if (state?.paymentIntent) body.payment_intent = structuredClone(state.paymentIntent);
    }
    return { status: 200, body };
  }

  private createSession(params: Json): FakeResponse {
    const items = Array.isArray(params.line_items) ? params.line_items : [];
    const item = items[0] as Json | undefined;
    const priceData = (item?.price_data ?? {}) as Json;
    const unitAmount = Number(priceData.unit_amount);
    const quantity = Number(item?.quantity ?? 1);
    if (params.mode !== 'payment') return invalid('mode', 'Missing required param: mode.');
    if (!item || !Number.isSafeInteger(unitAmount) || unitAmount < 1) {
      return invalid('line_items[0][price_data][unit_amount]', 'Invalid integer: unit_amount');
    }
    if (typeof priceData.currency !== 'string')
      return invalid('line_items[0][price_data][currency]', 'Missing required param: currency.');
    if (typeof params.success_url !== 'string')
      return invalid('success_url', 'Missing required param: success_url.');
    const id = `cs_test_${fakeId('a1', 56)}`;
    const session: Json = {
      id,
      object: 'checkout.session',
      amount_subtotal: unitAmount * quantity,
      amount_total: unitAmount * quantity,
      cancel_url: params.cancel_url ?? null,
      client_reference_id: params.client_reference_id ?? null,
      created: now(),
      currency: priceData.currency,
      customer: null,
      customer_email: params.customer_email ?? null,
      expires_at: now() + 24 * 3600,
      livemode: false,
      metadata: params.metadata ?? {},
      mode: 'payment',
      payment_intent: null,
      payment_method_types: ['card'],
      payment_status: 'unpaid',
      status: 'open',
      success_url: params.success_url,
      url: `${this.url}/c/pay/${id}`,
    };
    const intentData = (params.payment_intent_data ?? {}) as Json;
    const captureMethod =
      typeof intentData.capture_method === 'string' ? intentData.capture_method : 'automatic_async';
    if (!['automatic', 'automatic_async', 'manual'].includes(captureMethod))
      return invalid('payment_intent_data[capture_method]', 'Invalid capture_method.');
    this.sessions.set(id, { session, captureMethod });
    return { status: 200, body: session };
  }

  private retrieveSession(id: string, params: Json): FakeResponse {
    const state = this.sessions.get(id);
    if (!state) return missing('checkout.session', id, 'session');
    const expand = Array.isArray(params.expand) ? params.expand : [];
    const body = structuredClone(state.session);
    if (expand.includes('payment_intent') && state.paymentIntent)
      body.payment_intent = structuredClone(state.paymentIntent);
    return { status: 200, body };
  }

  private intentById(id: string): SessionState | undefined {
    return [...this.sessions.values()].find((candidate) => candidate.paymentIntent?.id === id);
  }

  /**
   * POST /v1/payment_intents/:id/capture (docs.stripe.com/api/payment_intents/capture): only a
   * `requires_capture` intent, for at most `amount_capturable` (`amount_to_capture`, default all);
   * the intent is then `succeeded` for what was captured, and the rest is released.
   */
  private captureIntent(id: string, params: Json): FakeResponse {
    const state = this.intentById(id);
    const intent = state?.paymentIntent;
    if (!state || !intent) return missing('payment_intent', id, 'intent');
    if (intent.status !== 'requires_capture') return unexpectedState(intent, 'capture');
    const capturable = intent.amount_capturable as number;
    const amount =
      params.amount_to_capture === undefined ? capturable : Number(params.amount_to_capture);
    if (!Number.isSafeInteger(amount) || amount < 1 || amount > capturable) {
      return {
        status: 400,
        body: stripeError(
          'invalid_request_error',
          `The amount to capture (${String(params.amount_to_capture)}) is greater than the amount capturable (${capturable}).`,
          'amount_too_large',
          'amount_to_capture',
        ),
      };
    }
    Object.assign(intent, { status: 'succeeded', amount_received: amount, amount_capturable: 0 });
    state.session.payment_status = 'paid';
    return { status: 200, body: structuredClone(intent) };
  }

  /** POST /v1/payment_intents/:id/cancel (docs.stripe.com/api/payment_intents/cancel). */
  private cancelIntent(id: string, params: Json): FakeResponse {
    const intent = this.intentById(id)?.paymentIntent;
    if (!intent) return missing('payment_intent', id, 'intent');
    if (intent.status === 'succeeded' || intent.status === 'canceled')
      return unexpectedState(intent, 'cancel');
    Object.assign(intent, {
      status: 'canceled',
      cancellation_reason: params.cancellation_reason ?? null,
      canceled_at: now(),
      amount_capturable: 0,
    });
    return { status: 200, body: structuredClone(intent) };
  }

  private createRefund(params: Json): FakeResponse {
    const intentId = params.payment_intent;
    const state = [...this.sessions.values()].find(
      (candidate) => candidate.paymentIntent?.id === intentId,
    );
    const intent = state?.paymentIntent;
    if (!intent) return missing('payment_intent', String(intentId), 'payment_intent');
    if (intent.status !== 'succeeded') {
      return {
        status: 400,
        body: stripeError(
          'invalid_request_error',
          'This PaymentIntent does not have a successful charge to refund.',
          'charge_not_refundable',
        ),
      };
    }
    const alreadyRefunded = [...this.refunds.values()]
      .filter(
        (refund) =>
          refund.payment_intent === intentId &&
          refund.status !== 'failed' &&
          refund.status !== 'canceled',
      )
      .reduce((sum, refund) => sum + (refund.amount as number), 0);
    const remaining = (intent.amount_received as number) - alreadyRefunded;
    const amount = params.amount === undefined ? remaining : Number(params.amount);
    if (!Number.isSafeInteger(amount) || amount < 1 || amount > remaining) {
      return {
        status: 400,
        body: stripeError(
          'invalid_request_error',
          `Refund amount (${amount}) is greater than unrefunded amount on charge (${remaining})`,
          'amount_too_large',
          'amount',
        ),
      };
    }
    const refund: Json = {
      id: fakeId('re_3', 24),
      object: 'refund',
      amount,
      balance_transaction: fakeId('txn_3', 24),
      charge: intent.latest_charge,
      created: now(),
      currency: intent.currency,
      metadata: params.metadata ?? {},
      payment_intent: intentId,
      reason: params.reason ?? null,
      receipt_number: null,
      source_transfer_reversal: null,
      status: this.refundOutcome,
      transfer_reversal: null,
    };
    if (this.refundOutcome === 'failed') refund.failure_reason = 'expired_or_canceled_card';
    this.refunds.set(refund.id as string, refund);
    return { status: 200, body: refund };
  }

  private state(sessionId: string): SessionState {
    const state = this.sessions.get(sessionId);
    if (!state) throw new Error(`fake Stripe has no session ${sessionId}`);
    return state;
  }
}

function isJson(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function now(): number {
  return Math.floor(Date.now() / 1000);
}

function stripeError(type: string, message: string, code?: string, param?: string): Json {
  return { error: { type, message, ...(code ? { code } : {}), ...(param ? { param } : {}) } };
}

/** Stripe's 400 for an action the intent's state does not allow. */
function unexpectedState(intent: Json, action: string): FakeResponse {
  return {
    status: 400,
    body: {
      error: {
        type: 'invalid_request_error',
        code: 'payment_intent_unexpected_state',
        message: `This PaymentIntent could not be ${action === 'capture' ? 'captured' : 'canceled'} because it has a status of ${String(intent.status)}.`,
        payment_intent: structuredClone(intent),
      },
    },
  };
}

function invalid(param: string, message: string): FakeResponse {
  return {
    status: 400,
    body: stripeError('invalid_request_error', message, 'parameter_missing', param),
  };
}

function missing(object: string, id: string, param = 'id'): FakeResponse {
  return {
    status: 404,
    body: stripeError(
      'invalid_request_error',
      `No such ${object}: '${id}'`,
      'resource_missing',
      param,
    ),
  };
}

/**
 * Stripe's form encoding: `a[b][0][c]=v` becomes `{a:{b:[{c:'v'}]}}`. Values stay strings, as on
 * the wire; the routes convert the numeric ones.
 */
export function parseStripeForm(text: string): Json {
  const root: Json = {};
  for (const [key, value] of new URLSearchParams(text)) {
    const parts = key
      .match(/^[^[\]]+|\[[^\]]*\]/g)
      ?.map((part) => part.replace(/^\[|\]$/g, '')) ?? [key];
    let node: Json | unknown[] = root;
    parts.forEach((part, index) => {
      const last = index === parts.length - 1;
      const nextIsIndex = !last && /^\d*$/.test(parts[index + 1]);
      const slot = Array.isArray(node) ? (part === '' ? node.length : Number(part)) : part;
      const container = node as Record<string | number, unknown>;
      if (last) {
        container[slot] = value;
        return;
      }
      if (container[slot] === undefined) container[slot] = nextIsIndex ? [] : {};
      node = container[slot] as Json | unknown[];
    });
  }
  return root;
}
