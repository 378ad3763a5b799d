import { Injectable, Logger } from '@nestjs/common';
import Stripe from 'stripe';
import { AppConfig } from '../../../config/app-config.js';
import {
  GatewayRequestError,
  GatewayUnavailableError,
  InvalidSignatureError,
} from '../gateway.errors.js';
import type {
  CaptureInput,
  DisputeCapableGateway,
  DisputeEvidenceInput,
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
import {
  mapCheckoutSession,
  mapManualPaymentIntent,
  mapRefund,
  mapStripeEvent,
  STRIPE_CURRENCIES,
} from './stripe.mapper.js';
import { mapStripeDispute } from './stripe-disputes.js';

/** Stripe's signature tolerance, per SPEC §7: a signed request older than this is refused. */
export const STRIPE_WEBHOOK_TOLERANCE_SECONDS = 300;

/**
 * Errors that say nothing about whether Stripe did what was asked, so never a refusal: the call
 * is retried (with its idempotency key). A 409 (another request with the same key still
 * executing) arrives as a StripeAPIError; an idempotency_error is never a decision on the request
 * either (docs.stripe.com/api/idempotent_requests: such a request is not executed and saves no
 * result), so a refund whose first answer was lost is never failed on it.
 */
const TRANSIENT_STRIPE_ERRORS = new Set([
  'StripeConnectionError',
  'StripeAPIError',
  'StripeRateLimitError',
  'StripeIdempotencyError',
]);

/**
 * Stripe through its official SDK: Checkout Sessions for collection, refunds on the payment
 * intent, and webhooks checked with the SDK's own signature verification.
 */
@Injectable()
export class StripeAdapter implements PaymentGateway, DisputeCapableGateway {
  readonly name = 'stripe' as const;
  private readonly logger = new Logger(StripeAdapter.name);
  private client: Stripe | undefined;

  constructor(private readonly config: AppConfig) {}

  isEnabled(): boolean {
    return Boolean(this.config.stripe.secretKey && this.config.stripe.webhookSecret);
  }

  supportsCurrency(currency: string): boolean {
    return STRIPE_CURRENCIES.includes(currency.toUpperCase());
  }

  async initialize(input: InitializeInput): Promise<InitializeResult> {
    const session = await this.call('create a checkout session', () =>
      this.stripe().checkout.sessions.create(
        {
          mode: 'payment',
          client_reference_id: input.reference,
          customer_email: input.email,
          line_items: [
            {
              quantity: 1,
              price_data: {
                currency: input.currency.toLowerCase(),
                unit_amount: input.amount,
                product_data: { name: `Payment ${input.reference}` },
              },
            },
          ],
          metadata: { reference: input.reference },
          payment_intent_data: {
            metadata: { reference: input.reference },
            // Manual: the payer's card is only authorized; we capture (or void) the intent later.
            ...(input.capture === 'manual' ? { capture_method: 'manual' as const } : {}),
          },
          success_url: input.returnUrl,
          cancel_url: input.returnUrl,
        },
        // A retried initialize (timeout on our side) gets the same session back, not a second one.
        { idempotencyKey: `checkout-${input.reference}` },
      ),
    );
    if (!session.url) throw new GatewayRequestError(this.name, 200, 'Checkout Session has no url');
    return { authorizationUrl: session.url, gatewayPaymentId: session.id };
  }

  async verify(input: VerifyInput): Promise<VerifyResult> {
    // Our Checkout Session id is recorded at initialize; without it Stripe cannot be asked by reference.
    if (!input.gatewayPaymentId) return { status: 'not_found' };
    const sessionId = input.gatewayPaymentId;
    try {
      const session = await this.call('retrieve the checkout session', () =>
        this.stripe().checkout.sessions.retrieve(sessionId, { expand: ['payment_intent'] }),
      );
      return mapCheckoutSession(session as unknown as Record<string, unknown>);
    } catch (error) {
      if (error instanceof GatewayRequestError && error.gatewayStatus === 404)
        return { status: 'not_found' };
      throw error;
    }
  }

  async refund(input: RefundInput): Promise<RefundResult> {
    const paymentIntent =
      input.gatewayChargeId ?? (await this.paymentIntentOf(input.gatewayPaymentId));
    const refund = await this.call('create a refund', () =>
      this.stripe().refunds.create(
        {
          payment_intent: paymentIntent,
          amount: input.amount,
          reason: 'requested_by_customer',
          metadata: {
            refund_id: input.refundId,
            reference: input.reference,
            ...(input.reason ? { reason: input.reason.slice(0, 500) } : {}),
          },
        },
        { idempotencyKey: input.refundId },
      ),
    );
    return mapRefund(refund as unknown as Record<string, unknown>);
  }

  /** Captures the intent's hold (docs.stripe.com/api/payment_intents/capture); the rest is released. */
  async capture(input: CaptureInput): Promise<VerifyResult> {
    const intentId = input.gatewayChargeId ?? (await this.paymentIntentOf(input.gatewayPaymentId));
    const intent = await this.call('capture the payment intent', () =>
      this.stripe().paymentIntents.capture(
        intentId,
        { amount_to_capture: input.amount },
        { idempotencyKey: input.idempotencyKey },
      ),
    );
    return this.manualResult(intent, input);
  }

  /** Cancels the intent, releasing the hold (docs.stripe.com/api/payment_intents/cancel). */
  async voidAuthorization(input: CaptureInput): Promise<VerifyResult> {
    const intentId = input.gatewayChargeId ?? (await this.paymentIntentOf(input.gatewayPaymentId));
    const intent = await this.call('cancel the payment intent', () =>
      this.stripe().paymentIntents.cancel(intentId, {}, { idempotencyKey: input.idempotencyKey }),
    );
    return this.manualResult(intent, input);
  }

  private manualResult(intent: Stripe.PaymentIntent, input: CaptureInput): VerifyResult {
    const result = mapManualPaymentIntent(intent as unknown as Record<string, unknown>, undefined);
    if (!result) {
      throw new GatewayRequestError(
        this.name,
        200,
        `payment intent of ${input.reference} is ${intent.status}`,
      );
    }
    return { ...result, gatewayPaymentId: input.gatewayPaymentId ?? undefined };
  }

  async getRefund(gatewayRefundId: string): Promise<RefundResult> {
    const refund = await this.call('retrieve a refund', () =>
      this.stripe().refunds.retrieve(gatewayRefundId),
    );
    return mapRefund(refund as unknown as Record<string, unknown>);
  }

  async getDispute(gatewayDisputeId: string): Promise<GatewayDispute> {
    const dispute = await this.call('retrieve a dispute', () =>
      this.stripe().disputes.retrieve(gatewayDisputeId, { expand: ['payment_intent'] }),
    );
    return mapStripeDispute(dispute as unknown as Record<string, unknown>);
  }

  /** Closing a dispute concedes it (https://docs.stripe.com/api/disputes/close). */
  async acceptDispute(gatewayDisputeId: string): Promise<void> {
    await this.call('close a dispute', () => this.stripe().disputes.close(gatewayDisputeId));
  }

  /** Evidence as text (file links appended) and submitted at once (`submit=true`). */
  async submitDisputeEvidence(input: DisputeEvidenceInput): Promise<void> {
    const text = [input.text, ...input.uploadedFileUrls].join('\n').slice(0, 20_000);
    await this.call('submit dispute evidence', () =>
      this.stripe().disputes.update(input.gatewayDisputeId, {
        evidence: { uncategorized_text: text, customer_email_address: input.customerEmail },
        submit: true,
      }),
    );
  }

  // oxlint-disable-next-line require-await -- the interface is async; Stripe's check is local
  async verifyWebhook(request: InboundWebhookRequest): Promise<void> {
    this.constructEvent(request);
  }

  parseWebhook(request: InboundWebhookRequest): NormalizedWebhookEvent {
    const event = this.constructEvent(request);
    return mapStripeEvent(event as unknown as Record<string, unknown>);
  }

  /** Verifies the signature over the raw bytes and returns the event; throws 401 otherwise. */
  private constructEvent(request: InboundWebhookRequest): Stripe.Event {
    const secret = this.config.stripe.webhookSecret;
    const signature = header(request, 'stripe-signature');
    if (!secret || !signature) throw new InvalidSignatureError();
    try {
      return this.stripe().webhooks.constructEvent(
        request.rawBody,
        signature,
        secret,
        STRIPE_WEBHOOK_TOLERANCE_SECONDS,
      );
    } catch (error) {
      this.logger.warn(
        `Refused a Stripe webhook: ${error instanceof Error ? error.message : String(error)}`,
      );
      throw new InvalidSignatureError();
    }
  }

  private async paymentIntentOf(sessionId: string | null): Promise<string> {
    if (sessionId) {
      const session = await this.call('retrieve the checkout session', () =>
        this.stripe().checkout.sessions.retrieve(sessionId),
      );
      const intent = session.payment_intent;
      const id = typeof intent === 'string' ? intent : intent?.id;
      if (id) return id;
    }
    throw new GatewayRequestError(this.name, 400, 'the payment has no Stripe payment intent');
  }

  private stripe(): Stripe {
    if (this.client) return this.client;
    const secretKey = this.config.stripe.secretKey;
    if (!secretKey)
      throw new GatewayRequestError(this.name, 401, 'STRIPE_SECRET_KEY is not configured');
    const base = new URL(this.config.stripe.baseUrl);
    const protocol = base.protocol === 'http:' ? 'http' : 'https';
    this.client = new Stripe(secretKey, {
      host: base.hostname,
      port: base.port || (protocol === 'http' ? 80 : 443),
      protocol,
      timeout: this.config.gatewayTimeoutMs,
      // Our jobs own retries (with backoff and idempotency keys); the SDK must not add its own.
      maxNetworkRetries: 0,
      telemetry: false,
    });
    return this.client;
  }

  /** Runs one SDK call, turning Stripe's errors into transient (retry) or permanent ones. */
  private async call<T>(what: string, run: () => Promise<T>): Promise<T> {
    try {
      return await run();
    } catch (error) {
      if (error instanceof Stripe.errors.StripeError) {
        const status = error.statusCode;
        const message = `${what}: ${error.message}`;
        if (
          TRANSIENT_STRIPE_ERRORS.has(error.type) ||
          status === undefined ||
          status >= 500 ||
          status === 429 ||
          status === 408
        ) {
          throw new GatewayUnavailableError(this.name, message);
        }
        throw new GatewayRequestError(this.name, status, message);
      }
      throw error;
    }
  }
}

function header(request: InboundWebhookRequest, name: string): string | undefined {
  const direct = request.headers[name];
  if (direct !== undefined) return direct;
  const key = Object.keys(request.headers).find((candidate) => candidate.toLowerCase() === name);
  return key === undefined ? undefined : request.headers[key];
}
