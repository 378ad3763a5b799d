import { randomBytes } from 'node:crypto';
import { HttpStatus, Injectable, Logger, OnModuleInit } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { Webhook, WebhookVerificationError } from 'standardwebhooks';
import type { DataSource } from 'typeorm';
import { DataKeyring } from '../../../common/crypto/data-keyring.js';
import { AppConfig } from '../../../config/app-config.js';
import { readOrCreateAppSecret } from '../../../database/app-secrets.js';
import { minorFromDb } from '../../../common/money.js';
import { GatewayRequestError, InvalidSignatureError } from '../gateway.errors.js';
import type {
  InboundWebhookRequest,
  InitializeInput,
  InitializeResult,
  NormalizedWebhookEvent,
  PaymentGateway,
  RefundResult,
  VerifyInput,
  VerifyResult,
} from '../gateway.interface.js';
import { parseGenericPayload } from './generic-payload.js';
import { queryRows } from '../../../database/sql.js';

export const DEV_GENERIC_SECRET_NAME = 'generic_webhook_secret';

/** Headers a Standard Webhooks sender sets; we sign exactly these in the CLI simulator. */
export interface GenericSignedHeaders {
  'webhook-id': string;
  'webhook-timestamp': string;
  'webhook-signature': string;
}

/**
 * Any gateway that signs per Standard Webhooks. It has no API: the authorization URL is built
 * from GENERIC_CHECKOUT_URL, its signed event is its own truth, "verify" answers from the signed
 * events we stored, and refunds must be made at the gateway itself (refund() refuses for good).
 */
@Injectable()
export class GenericAdapter implements PaymentGateway, OnModuleInit {
  readonly name = 'generic' as const;
  private readonly logger = new Logger(GenericAdapter.name);
  private secret: string | undefined;
  private webhook: Webhook | undefined;

  constructor(
    private readonly config: AppConfig,
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly keyring: DataKeyring,
  ) {
    this.useSecret(config.generic.webhookSecret);
  }

  /**
   * In development an unset GENERIC_WEBHOOK_SECRET is generated once and kept in app_secrets
   * (sealed with the data key), so the API, the workers and `webhook:simulate` share it and the
   * generic flow works out of the box. Never where secrets must be given (production, public APP_URL).
   */
  async onModuleInit(): Promise<void> {
    if (
      this.secret !== undefined ||
      this.config.nodeEnv !== 'development' ||
      this.config.secretsMustBeGiven
    )
      return;
    const secret = await readOrCreateAppSecret(
      this.dataSource,
      this.keyring,
      DEV_GENERIC_SECRET_NAME,
      () => `whsec_${randomBytes(32).toString('base64')}`,
    );
    this.useSecret(secret);
    this.logger.warn(
      'GENERIC_WEBHOOK_SECRET is not set: using a generated development secret kept in the database (app_secrets), sealed with the data key.',
    );
  }

  /** `whsec_<base64>` is used as Standard Webhooks defines it; any other value as raw bytes. */
  private useSecret(secret: string | undefined): void {
    this.secret = secret;
    this.webhook =
      secret === undefined
        ? undefined
        : secret.startsWith('whsec_')
          ? new Webhook(secret)
          : new Webhook(secret, { format: 'raw' });
  }

  isEnabled(): boolean {
    return this.webhook !== undefined;
  }

  supportsCurrency(currency: string): boolean {
    return /^[A-Z]{3}$/.test(currency);
  }

  initialize(input: InitializeInput): Promise<InitializeResult> {
    const checkout = this.config.generic.checkoutUrl;
    if (checkout === undefined) {
      // No hosted checkout configured: the payer goes straight back to the callback, which shows the
      // payment pending until a signed event settles it.
      return Promise.resolve({ authorizationUrl: input.returnUrl });
    }
    const url = new URL(checkout);
    url.searchParams.set('reference', input.reference);
    url.searchParams.set('amount', String(input.amount));
    url.searchParams.set('currency', input.currency);
    url.searchParams.set('return_url', input.returnUrl);
    return Promise.resolve({ authorizationUrl: url.toString() });
  }

  /**
   * The gateway has no verify API: the truth is the signed events we stored for this reference, as
   * normalized at intake (kept for good, unlike the payload, which is deleted after
   * INBOUND_PAYLOAD_RETENTION). A stored `completed` event wins (money taken is never ignored),
   * else a `failed` one, else pending.
   */
  async verify(input: VerifyInput): Promise<VerifyResult> {
    const rows = await queryRows<{ normalized: Partial<NormalizedWebhookEvent> }>(
      this.dataSource.manager,
      `SELECT normalized FROM inbound_webhook_events
        WHERE gateway = 'generic' AND kind = 'payment' AND reference = $1
        ORDER BY (normalized->>'paymentStatus' = 'succeeded') DESC, received_at DESC
        LIMIT 1`,
      [input.reference],
    );
    if (rows.length === 0) return { status: 'pending' };
    const event = rows[0].normalized;
    if (typeof event.amount !== 'number' || typeof event.currency !== 'string')
      throw new Error(`the stored generic event for ${input.reference} has no amount or currency`);
    const succeeded = event.paymentStatus === 'succeeded';
    return {
      status: succeeded ? 'succeeded' : 'failed',
      reference: event.reference,
      amount: minorFromDb(event.amount),
      currency: event.currency,
      gatewayPaymentId: event.gatewayPaymentId,
      failureReason: succeeded ? undefined : 'the gateway reported the payment failed',
    };
  }

  refund(): Promise<RefundResult> {
    return Promise.reject(
      new GatewayRequestError(
        'generic',
        HttpStatus.UNPROCESSABLE_ENTITY,
        'the generic gateway has no refund API; refund the payer through the gateway itself',
      ),
    );
  }

  verifyWebhook(request: InboundWebhookRequest): Promise<void> {
    if (!this.webhook)
      return Promise.reject(
        new InvalidSignatureError('The generic gateway has no webhook secret configured'),
      );
    const headers = {
      'webhook-id': request.headers['webhook-id'] ?? '',
      'webhook-timestamp': request.headers['webhook-timestamp'] ?? '',
      'webhook-signature': request.headers['webhook-signature'] ?? '',
    };
    try {
      // Checks the signature over id.timestamp.body and a 5-minute timestamp tolerance (replays).
      this.webhook.verify(request.rawBody, headers, { jsonParse: false });
    } catch (error) {
      if (error instanceof WebhookVerificationError)
        return Promise.reject(new InvalidSignatureError(error.message));
      return Promise.reject(new InvalidSignatureError());
    }
    return Promise.resolve();
  }

  parseWebhook(request: InboundWebhookRequest): NormalizedWebhookEvent {
    const payload = parseGenericPayload(JSON.parse(request.rawBody.toString('utf8')));
    const eventId = request.headers['webhook-id'];
    if (!eventId) throw new SyntaxError('webhook-id header is missing');
    return {
      eventId,
      type: `payment.${payload.status}`,
      kind: 'payment',
      reference: payload.transaction_id,
      gatewayPaymentId: payload.payment_id,
      paymentStatus: payload.status === 'completed' ? 'succeeded' : 'failed',
      amount: payload.amount,
      currency: payload.currency,
      selfAuthenticating: true,
    };
  }

  /** Signs a body the way a Standard Webhooks sender does (the CLI simulator uses this). */
  sign(body: string, id: string, at: Date = new Date()): GenericSignedHeaders {
    if (!this.webhook) throw new Error('the generic gateway has no webhook secret configured');
    return {
      'webhook-id': id,
      'webhook-timestamp': String(Math.floor(at.getTime() / 1000)),
      'webhook-signature': this.webhook.sign(id, at, body),
    };
  }
}
