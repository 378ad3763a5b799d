import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource, EntityManager } from 'typeorm';
import {
  conflict,
  notFound,
  permissionDenied,
  unprocessable,
} from '../../common/errors/app-error.js';
import { minorFromDb, type Minor } from '../../common/money.js';
import { AppConfig, httpOrigin } from '../../config/app-config.js';
import { queryRows } from '../../database/sql.js';
import type { ClaimCompletion } from '../../http/idempotency/idempotency-claim.js';
import { IdempotencyService } from '../../http/idempotency/idempotency.service.js';
import { GatewayRegistry } from '../gateways/gateway.registry.js';
import type { GatewayName } from '../gateways/gateway.interface.js';
import { OrdersService } from '../payments/orders/orders.service.js';
import { PaymentsService } from '../payments/payments.service.js';
import { isUuid } from '../../common/validation/uuid.js';

export type CheckoutSessionStatus = 'open' | 'processing' | 'complete' | 'expired';

export interface CheckoutSession {
  id: string;
  userId: string;
  orderId: string | null;
  amount: Minor;
  currency: string;
  email: string | null;
  gateways: GatewayName[] | null;
  successUrl: string | null;
  cancelUrl: string | null;
  metadata: Record<string, string> | null;
  allowedOrigins: string[];
  livemode: boolean;
  expiresAt: Date;
  createdAt: Date;
  status: CheckoutSessionStatus;
  /** The latest payment made for it, if any. */
  paymentReference: string | null;
  paymentStatus: string | null;
  failureReason: string | null;
}

export interface CreateSessionInput {
  orderId?: string;
  amount?: Minor;
  currency?: string;
  email?: string;
  gateways?: GatewayName[];
  successUrl?: string;
  cancelUrl?: string;
  metadata?: Record<string, string>;
  /** Internal callers only: origins allowed besides CHECKOUT_ALLOWED_ORIGINS (the demo shop's own). */
  extraAllowedOrigins?: string[];
}

interface SessionRow {
  id: string;
  user_id: string;
  order_id: string | null;
  amount: string;
  currency: string;
  email: string | null;
  gateways: GatewayName[] | null;
  success_url: string | null;
  cancel_url: string | null;
  metadata: Record<string, string> | null;
  allowed_origins: string[];
  livemode: boolean;
  expires_at: Date;
  created_at: Date;
  expired: boolean;
  has_success: boolean;
  has_open_payment: boolean;
  payment_reference: string | null;
  payment_status: string | null;
  failure_reason: string | null;
}

/**
 * A session's state is read from its payments, never stored: complete once any payment for it
 * succeeded; processing while one is pending (or waits for a person); otherwise open until it
 * expires. The latest payment's reference and status come along.
 */
const SESSION_SELECT = `
  SELECT s.*, s.expires_at <= now() AS expired,
         EXISTS (SELECT 1 FROM payments p WHERE p.metadata->>'checkout_session_id' = s.id::text
                   AND p.user_id = s.user_id AND p.status = 'succeeded') AS has_success,
         EXISTS (SELECT 1 FROM payments p WHERE p.metadata->>'checkout_session_id' = s.id::text
                   AND p.user_id = s.user_id AND p.status IN ('pending', 'needs_review', 'authorized')) AS has_open_payment,
         latest.reference AS payment_reference, latest.status AS payment_status,
         latest.failure_reason
    FROM checkout_sessions s
    LEFT JOIN LATERAL (
      SELECT p.reference, p.status, p.failure_reason FROM payments p
       WHERE p.metadata->>'checkout_session_id' = s.id::text AND p.user_id = s.user_id
       ORDER BY p.created_at DESC LIMIT 1) latest ON true`;

function toSession(row: SessionRow): CheckoutSession {
  const status: CheckoutSessionStatus = row.has_success
    ? 'complete'
    : row.has_open_payment
      ? 'processing'
      : row.expired
        ? 'expired'
        : 'open';
  return {
    id: row.id,
    userId: row.user_id,
    orderId: row.order_id,
    amount: minorFromDb(row.amount),
    currency: row.currency,
    email: row.email,
    gateways: row.gateways,
    successUrl: row.success_url,
    cancelUrl: row.cancel_url,
    metadata: row.metadata,
    allowedOrigins: row.allowed_origins,
    livemode: row.livemode,
    expiresAt: row.expires_at,
    createdAt: row.created_at,
    status,
    paymentReference: row.payment_reference,
    paymentStatus: row.payment_status,
    failureReason: row.failure_reason,
  };
}

/** Hosted checkout sessions (SPEC §13): created by the merchant, paid on the hosted page. */
@Injectable()
export class CheckoutSessionsService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly config: AppConfig,
    private readonly registry: GatewayRegistry,
    private readonly orders: OrdersService,
    private readonly payments: PaymentsService,
    private readonly idempotency: IdempotencyService,
  ) {}

  url(sessionId: string): string {
    return `${this.config.appUrl}/api/v1/checkout/${sessionId}`;
  }

  /** Gateways the payer may choose: enabled, taking the currency, and among those the session names. */
  gatewaysFor(session: Pick<CheckoutSession, 'currency' | 'gateways'>): GatewayName[] {
    return this.registry
      .enabled()
      .filter((name) => session.gateways === null || session.gateways.includes(name))
      .filter((name) => this.registry.get(name).supportsCurrency(session.currency));
  }

  async create(
    userId: string,
    viaPublishableKey: boolean,
    input: CreateSessionInput,
    completion?: ClaimCompletion<CheckoutSession>,
  ): Promise<CheckoutSession> {
    let amount = input.amount;
    let currency = input.currency?.toUpperCase();
    if (input.orderId !== undefined) {
      if (amount !== undefined || currency !== undefined)
        throw unprocessable(
          'CHECKOUT_AMOUNT_WITH_ORDER',
          'Give either order_id or amount and currency, not both',
        );
      const order = await this.orders.getForUser(userId, input.orderId);
      if (order.status === 'paid')
        throw unprocessable('ORDER_ALREADY_PAID', 'The order has already been paid');
      amount = order.amount;
      currency = order.currency;
    } else if (viaPublishableKey) {
      throw permissionDenied('A publishable key can only start a checkout for an existing order');
    }
    if (amount === undefined || currency === undefined)
      throw unprocessable('CHECKOUT_AMOUNT_REQUIRED', 'Give order_id, or amount and currency');
    for (const [field, url] of [
      ['success_url', input.successUrl],
      ['cancel_url', input.cancelUrl],
    ] as const) {
      if (url === undefined) continue;
      const origin = httpOrigin(url);
      if (
        origin === undefined ||
        !(
          this.config.checkoutAllowedOrigins.includes(origin) ||
          this.config.callbackAllowedOrigins.includes(origin)
        )
      )
        throw unprocessable(
          'CALLBACK_URL_NOT_ALLOWED',
          `${field} must be on an origin in CHECKOUT_ALLOWED_ORIGINS or CALLBACK_ALLOWED_ORIGINS`,
          [{ field, message: `${origin ?? 'this URL'} is not an allowed origin` }],
        );
    }
    const choices = this.gatewaysFor({ currency, gateways: input.gateways ?? null });
    if (choices.length === 0)
      throw unprocessable(
        'CURRENCY_NOT_SUPPORTED',
        `No enabled gateway${input.gateways ? ' among those named' : ''} takes ${currency}`,
      );
    return this.dataSource.transaction(async (manager) => {
      const rows = await queryRows<{ id: string }>(
        manager,
        `INSERT INTO checkout_sessions (user_id, order_id, amount, currency, email, gateways, success_url,
                                        cancel_url, metadata, allowed_origins, livemode, expires_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, now() + ($12::bigint * interval '1 millisecond'))
         RETURNING id`,
        [
          userId,
          input.orderId ?? null,
          String(amount),
          currency,
          input.email?.toLowerCase() ?? null,
          input.gateways ?? null,
          input.successUrl ?? null,
          input.cancelUrl ?? null,
          input.metadata ?? null,
          [
            ...new Set([
              ...this.config.checkoutAllowedOrigins,
              ...(input.extraAllowedOrigins ?? []),
            ]),
          ],
          !this.config.testMode,
          String(this.config.checkoutSessionTtlMs),
        ],
      );
      const session = await this.read(manager, rows[0].id);
      if (!session) throw new Error('the checkout session just made could not be read back');
      if (completion)
        await this.idempotency.completeWithin(
          manager,
          completion.claim,
          completion.respond(session),
        );
      return session;
    });
  }

  private async read(
    manager: EntityManager,
    id: string,
    userId?: string,
  ): Promise<CheckoutSession | undefined> {
    if (!isUuid(id)) return undefined;
    const rows = await queryRows<SessionRow>(
      manager,
      `${SESSION_SELECT} WHERE s.id = $1${userId === undefined ? '' : ' AND s.user_id = $2'}`,
      userId === undefined ? [id] : [id, userId],
    );
    return rows[0] === undefined ? undefined : toSession(rows[0]);
  }

  /** The owner's session; another owner's reads as not found. */
  async getForUser(userId: string, id: string): Promise<CheckoutSession> {
    const session = await this.read(this.dataSource.manager, id, userId);
    if (!session) throw notFound('Checkout session');
    return session;
  }

  /** For the public hosted page: the session id is the capability. */
  async getPublic(id: string): Promise<CheckoutSession> {
    const session = await this.read(this.dataSource.manager, id);
    if (!session) throw notFound('Checkout session');
    return session;
  }

  /**
   * The payer chose a gateway on the hosted page: one payment through the ordinary path (§6),
   * as the session's owner, tagged with the session. Attempts for one session are serialized by
   * a claim on its row (taken by one conditional UPDATE, so of simultaneous clicks exactly one
   * wins; the others are 409), and a new payment starts only while the session is open (none
   * pending, none succeeded, not expired). The claim is released once the payment is recorded,
   * and lapses by itself after the gateway timeout and a margin should this process die first.
   * No connection is held meanwhile.
   */
  async startPayment(
    id: string,
    input: { gateway: GatewayName; email?: string },
  ): Promise<{ reference: string; authorizationUrl: string }> {
    if (!isUuid(id)) throw notFound('Checkout session');
    const manager = this.dataSource.manager;
    const claimed = await queryRows<{ id: string }>(
      manager,
      `UPDATE checkout_sessions
          SET payment_starting_until = now() + ($2::bigint * interval '1 millisecond')
        WHERE id = $1 AND (payment_starting_until IS NULL OR payment_starting_until < now())
        RETURNING id`,
      [id, String(this.config.gatewayTimeoutMs + 30_000)],
    );
    if (claimed.length === 0) {
      await this.getPublic(id); // 404 for no such session
      throw conflict('CHECKOUT_SESSION_NOT_OPEN', 'A payment for this checkout is starting');
    }
    try {
      const session = await this.getPublic(id);
      if (session.status !== 'open')
        throw conflict(
          'CHECKOUT_SESSION_NOT_OPEN',
          `The checkout session is ${session.status}; no new payment can start`,
        );
      if (!this.gatewaysFor(session).includes(input.gateway))
        throw unprocessable(
          'GATEWAY_DISABLED',
          `${input.gateway} is not offered for this checkout`,
        );
      const email = session.email ?? input.email;
      if (email === undefined)
        throw unprocessable('EMAIL_REQUIRED', 'An email is needed to pay', [
          { field: 'email', message: 'email is required' },
        ]);
      const payment = await this.payments.createPayment(session.userId, {
        amount: session.amount,
        currency: session.currency,
        email,
        gateway: input.gateway,
        purpose: 'payment',
        callbackUrl: this.url(session.id),
        metadata: { ...session.metadata, checkout_session_id: session.id },
        orderId: session.orderId ?? undefined,
      });
      if (!payment.authorizationUrl)
        throw new Error(`payment ${payment.reference} started without an authorization URL`);
      return { reference: payment.reference, authorizationUrl: payment.authorizationUrl };
    } finally {
      // The payment (pending, or failed when the gateway refused) is committed: the next
      // claimant sees it and the session's state follows from it.
      await queryRows(
        manager,
        `UPDATE checkout_sessions SET payment_starting_until = NULL WHERE id = $1`,
        [id],
      );
    }
  }
}
