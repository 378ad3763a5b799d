import { Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { EntityNotFoundError, type DataSource, type EntityManager } from 'typeorm';
import { AppConfig } from '../../../config/app-config.js';
import type {
  GatewayName,
  GatewayPaymentStatus,
  VerifyResult,
} from '../../gateways/gateway.interface.js';
import { GatewayRegistry } from '../../gateways/gateway.registry.js';
import { newEventId } from '../../outbound-webhooks/outbox.service.js';
import type { OutboundEventType } from '../../outbound-webhooks/outbound-webhook.types.js';
import { OrdersService } from '../orders/orders.service.js';
import { PaymentAuditEntry, PaymentAuditAction } from '../payment-audit-entry.entity.js';
import { AppEvents } from '../../events/app-events.js';
import { decidePayment, isFinal, PaymentDecision } from './payment-state-machine.js';
import { toPaymentDto } from '../dto/payment.dto.js';
import { MetricsService } from '../../../common/metrics/metrics.service.js';
import { Payment, PaymentStatus } from '../payment.entity.js';
import { PaymentRows } from './payment-rows.js';
import { queryRows } from '../../../database/sql.js';
import { isUuid } from '../../../common/validation/uuid.js';
import {
  auditDetails,
  describeTransition,
  observedChanges,
  transitionChanges,
  type Transition,
} from './payment-transitions.js';
import { settlementStatement, type SettlementWrite } from './settlement-statement.js';

export type SettlementSource =
  'webhook' | 'verify' | 'callback' | 'reconcile' | 'replay' | 'capture' | 'cancel';

export interface SettleOptions {
  source: SettlementSource;
  /**
   * The gateway's truth when it is already in hand: a self-authenticating signed event (generic).
   * Without it the gateway's verify API is asked.
   */
  report?: VerifyResult;
  inboundEventId?: string;
  /**
   * The settlement is the processing of inbound event `inboundEventId`: a transition it writes
   * also records that event `processed`, in the same statement, so a settlement never commits with
   * its event left open (and the event's own write costs no round trip).
   */
  closesInboundEvent?: boolean;
  /** Reconciliation: when the gateway cannot be asked, still let expiry apply instead of throwing. */
  tolerateGatewayErrors?: boolean;
  /**
   * The payment as the caller has just read it, to skip reading it again before the gateway call
   * and, when the gateway moves it, to apply the transition without reading it again under lock:
   * see PaymentVersion.
   */
  snapshot?: PaymentVersion;
  /**
   * Runs in the settlement's transaction, after its decision is written, with the payment as it
   * now is: a capture completes its Idempotency-Key here, so the answer commits with the change.
   * Forces the locked path (no single-statement transition on a snapshot).
   */
  within?: (manager: EntityManager, payment: Payment) => Promise<void>;
}

/**
 * A payment row as read at one version (its `xmin`, the transaction that wrote this version of
 * the row; any UPDATE writes a new version with a new xmin).
 */
export interface PaymentVersion {
  payment: Payment;
  version: string;
}

/**
 * The checkout session a payment was made for (`metadata.checkout_session_id`, set by the session's
 * payment route), when it names one at all: metadata is the merchant's, so anything else there is
 * not a session.
 */
function checkoutSessionOf(payment: Payment): string | undefined {
  const id = payment.metadata?.checkout_session_id;
  return typeof id === 'string' && isUuid(id) ? id : undefined;
}

/** What a payment's new state sets off, beside the state change itself (see effectsOf). */
type TransitionEffects = Pick<SettlementWrite, 'event' | 'order' | 'effects'>;

export interface SettlementOutcome {
  payment: Payment;
  changed: boolean;
  from: PaymentStatus;
  to: PaymentStatus;
  /** The gateway said something a final state does not allow: recorded, not applied. */
  contradiction: boolean;
  /** What the gateway reported, when it was asked (or the event said). */
  gatewayStatus?: GatewayPaymentStatus;
  reason?: string;
}

/**
 * THE settlement path: webhook jobs, verify, the payer's callback, reconciliation and admin replay
 * all come here. The gateway is asked before the transaction (no row lock or pooled connection is
 * held across an HTTP call of up to GATEWAY_TIMEOUT); the decision is then taken and applied under
 * the payment row's lock against the state of the row under that lock (`SELECT … FOR UPDATE`, or
 * an UPDATE conditioned on the row version the caller read: see settle and applyTransition). Two settlers
 * racing both ask the gateway, but only the first to take the lock finds the payment movable; the
 * second sees the new state and changes nothing. So the state change, the order update, what
 * other modules do on 'payment.succeeded' (the wallet credit) and the outbox event happen once,
 * in one statement (settlement-statement.ts).
 */
@Injectable()
export class SettlementService {
  private readonly logger = new Logger(SettlementService.name);

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly config: AppConfig,
    private readonly registry: GatewayRegistry,
    private readonly events: AppEvents,
    private readonly orders: OrdersService,
    private readonly metrics: MetricsService,
    private readonly rows: PaymentRows,
  ) {}

  async settle(paymentId: string, options: SettleOptions): Promise<SettlementOutcome> {
    const known = options.snapshot?.payment.id === paymentId ? options.snapshot : undefined;
    const snapshot =
      known?.payment ??
      (await this.dataSource.getRepository(Payment).findOneByOrFail({ id: paymentId }));
    let report: VerifyResult | null = options.report ?? null;
    let asked = false;
    if (!options.report) {
      if (isFinal(snapshot.status)) {
        return {
          payment: snapshot,
          changed: false,
          from: snapshot.status,
          to: snapshot.status,
          contradiction: false,
          reason: `already ${snapshot.status}`,
        };
      }
      try {
        report = await this.registry.get(snapshot.gateway as GatewayName).verify({
          reference: snapshot.reference,
          gatewayPaymentId: snapshot.gatewayPaymentId,
          amount: snapshot.amount,
          currency: snapshot.currency,
        });
        asked = true;
      } catch (error) {
        if (!options.tolerateGatewayErrors) throw error;
        this.logger.warn(`could not verify ${snapshot.reference}: ${(error as Error).message}`);
      }
    }
    const now = new Date();
    let outcome: SettlementOutcome | null = null;
    // A success for an order or a checkout session is decided under the order's or session's row
    // lock (applyUnderLock), so two payments succeeding for one at once cannot both be kept.
    const paysSomething =
      known !== undefined &&
      (known.payment.orderId !== null || checkoutSessionOf(known.payment) !== undefined);
    if (known && !options.within && !(paysSomething && report?.status === 'succeeded')) {
      const decision = this.decide(known.payment, report, now);
      // A transition decided on the caller's snapshot is one statement: outside a transaction
      // block it is its own transaction, one round trip with no BEGIN or COMMIT of its own.
      if (decision.kind === 'transition') {
        outcome = await this.applyTransition(
          this.dataSource.manager,
          known,
          decision,
          report,
          asked,
          options,
          now,
        );
      }
    }
    outcome ??= await this.dataSource.transaction((manager) =>
      this.applyUnderLock(manager, paymentId, report, asked, options, now),
    );
    if (outcome.changed) {
      // After COMMIT: nothing but the commit should wait between the last statement and the lock's release.
      this.logger.log(
        `${outcome.payment.reference}: ${outcome.from} → ${outcome.to} (${options.source})`,
      );
      this.metrics.paymentTransitions.inc({ gateway: outcome.payment.gateway, status: outcome.to });
    }
    return outcome;
  }

  /**
   * The decision taken on the payment row read under `SELECT … FOR UPDATE`, and its effects, in
   * the settlement transaction: for a settler without a snapshot, or whose snapshot the gateway
   * leaves unchanged or the row has moved on from.
   */
  private async applyUnderLock(
    manager: EntityManager,
    paymentId: string,
    report: VerifyResult | null,
    asked: boolean,
    options: SettleOptions,
    now: Date,
  ): Promise<SettlementOutcome> {
    const locked = await this.lockRow(manager, paymentId);
    const payment = locked.payment;
    const from = payment.status;
    // The order's row lock after the payment's, the order the settlement statement takes them in.
    const succeeding = report?.status === 'succeeded' && !isFinal(from);
    const orderAlreadyPaid =
      payment.orderId !== null && succeeding
        ? await this.orders.lockPaidByAnother(manager, payment.orderId, payment.id)
        : false;
    // Then the checkout session's.
    const sessionId = checkoutSessionOf(payment);
    const sessionAlreadyPaid =
      sessionId !== undefined && succeeding && !orderAlreadyPaid
        ? await this.lockSessionPaidByAnother(manager, sessionId, payment)
        : false;
    const decision = this.decide(payment, report, now, { orderAlreadyPaid, sessionAlreadyPaid });
    if (decision.kind === 'transition') {
      const applied = await this.applyTransition(
        manager,
        locked,
        decision,
        report,
        asked,
        options,
        now,
      );
      if (!applied) throw new Error(`payment ${paymentId} changed although it is locked`);
      await options.within?.(manager, applied.payment);
      return applied;
    }

    const changes = observedChanges(payment, report, asked, now);
    if (from === 'pending' || from === 'abandoned')
      changes.nextVerifyAt = this.nextVerifyAt(from, now);
    if (from === 'authorized') changes.nextVerifyAt = this.nextVerifyAt('abandoned', now);
    if (Object.keys(changes).length > 0) await manager.update(Payment, { id: paymentId }, changes);
    if (decision.contradiction) {
      await this.audit(
        manager,
        payment,
        'contradiction',
        options,
        from,
        from,
        decision.reason,
        report,
      );
    }
    const fresh = await manager.findOneByOrFail(Payment, { id: paymentId });
    await options.within?.(manager, fresh);
    return {
      payment: fresh,
      changed: false,
      from,
      to: from,
      contradiction: decision.contradiction,
      gatewayStatus: report?.status,
      reason: decision.reason,
    };
  }

  /** The payment row under `SELECT … FOR UPDATE`, held until the transaction ends. */
  private async lockRow(manager: EntityManager, paymentId: string): Promise<PaymentVersion> {
    const rows = await queryRows<{ payment: Record<string, unknown>; version: string }>(
      manager,
      `SELECT to_json(p) AS payment, p.xmin::text AS version FROM payments p WHERE p.id = $1 FOR UPDATE`,
      [paymentId],
    );
    if (rows.length === 0) throw new EntityNotFoundError(Payment, { id: paymentId });
    return { payment: this.rows.fromJson(rows[0].payment), version: rows[0].version };
  }

  /**
   * Whether another payment has already completed checkout session `sessionId` of the payment's
   * owner, read once the session's row lock is held (until the caller's transaction ends). Two
   * statements: the second takes its snapshot after the lock, so it sees a success another
   * settler committed while this one waited (nothing of the session row itself changes).
   */
  private async lockSessionPaidByAnother(
    manager: EntityManager,
    sessionId: string,
    payment: Payment,
  ): Promise<boolean> {
    const locked = await queryRows(
      manager,
      `SELECT 1 FROM checkout_sessions WHERE id = $1 AND user_id = $2 FOR UPDATE`,
      [sessionId, payment.userId],
    );
    if (locked.length === 0) return false;
    const [row] = await queryRows<{ paid: boolean }>(
      manager,
      `SELECT EXISTS (
         SELECT 1 FROM payments
          WHERE metadata ? 'checkout_session_id' AND metadata->>'checkout_session_id' = $1
            AND user_id = $2 AND status = 'succeeded' AND id <> $3) AS paid`,
      [sessionId, payment.userId, payment.id],
    );
    return row.paid;
  }

  private decide(
    payment: Payment,
    report: VerifyResult | null,
    now: Date,
    paid: { orderAlreadyPaid?: boolean; sessionAlreadyPaid?: boolean } = {},
  ): PaymentDecision {
    return decidePayment(payment.status, payment, report, {
      expired: now.getTime() >= payment.expiresAt.getTime(),
      rejected: payment.resolution === 'rejected',
      ...paid,
      manualCapture: payment.captureMode === 'manual',
    });
  }

  /**
   * Writes a transition decided on `row`, and everything it sets off, if the payment row is still
   * that version; null, having written nothing, if it is not. With the manager of a transaction it
   * joins it; with the data source's own manager the one statement is its own transaction.
   */
  private async applyTransition(
    manager: EntityManager,
    row: PaymentVersion,
    decision: Transition,
    report: VerifyResult | null,
    asked: boolean,
    options: SettleOptions,
    now: Date,
  ): Promise<SettlementOutcome | null> {
    const payment = row.payment;
    const from = payment.status;
    const changes = Object.assign(
      observedChanges(payment, report, asked, now),
      transitionChanges(decision, report, now, this.nextVerifyAt('abandoned', now)),
      // A capture or void under way is over once the payment leaves `authorized`.
      payment.captureAction !== null && decision.to !== 'authorized'
        ? { captureAction: null, captureRequestedAt: null, captureRequestKey: null }
        : {},
      { updatedAt: now },
    );
    // The row as written: the row decided on plus these changes (updated_at set explicitly, so
    // the object and the row agree) — no need to read it back.
    const updated: Payment = Object.assign(new Payment(), payment, changes as Partial<Payment>);
    const effects = await this.effectsOf(updated);
    const written = await this.write(manager, {
      move: {
        kind: 'transition',
        paymentId: payment.id,
        version: row.version,
        set: Object.entries(changes).map(([property, value]) => [
          this.rows.column(property),
          this.rows.toDatabase(property, value),
        ]),
      },
      audit: {
        source: options.source,
        fromStatus: from,
        toStatus: updated.status,
        note: describeTransition(decision),
        details: jsonOrNull(auditDetails(report)),
        inboundEventId: options.inboundEventId ?? null,
      },
      closesInboundEventId: options.closesInboundEvent ? options.inboundEventId : undefined,
      ...effects,
    });
    if (!written) return null;
    return {
      payment: updated,
      changed: true,
      from,
      to: updated.status,
      contradiction: false,
      gatewayStatus: report?.status,
    };
  }

  /**
   * What a payment's new state sets off, in the same statement as the state change: its outbound
   * event, and for a success its order and what other modules do (the wallet credit). Worked out
   * before that statement: the other modules look up what their calls need.
   */
  private async effectsOf(payment: Payment): Promise<TransitionEffects> {
    const event = this.outboxEventOf(payment);
    if (payment.status !== 'succeeded') return { event, effects: [] };
    const settledAt = payment.settledAt ?? new Date();
    const calls = await this.events.emit('payment.succeeded', {
      id: payment.id,
      reference: payment.reference,
      userId: payment.userId,
      purpose: payment.purpose,
      gateway: payment.gateway,
      currency: payment.currency,
      amountReceived: payment.amountReceived ?? payment.amount,
      settledAt,
    });
    const effects = calls.filter((call) => call !== null);
    const order =
      payment.orderId && payment.amountReceived !== null
        ? {
            orderId: payment.orderId,
            paymentId: payment.id,
            paidAt: settledAt,
            currency: payment.currency,
            amountReceived: String(payment.amountReceived),
          }
        : undefined;
    return { event, order, effects };
  }

  /** Runs the settlement statement; true when it moved (or found written) the payment. */
  private async write(manager: EntityManager, write: SettlementWrite): Promise<boolean> {
    const statement = settlementStatement(write);
    const rows = await queryRows<Record<string, number>>(manager, statement.text, statement.values);
    return rows[0]?.moved === 1;
  }

  /** The outbound event a transition to this state records, if any. */
  private outboxEventOf(payment: Payment): TransitionEffects['event'] {
    const type = OUTBOX_EVENT_OF[payment.status];
    if (type === undefined) return undefined;
    return {
      id: newEventId(),
      userId: payment.userId,
      type,
      data: JSON.stringify(toPaymentDto(payment)),
      createdAt: payment.status === 'succeeded' ? (payment.settledAt ?? new Date()) : new Date(),
    };
  }

  /** Pending payments are asked every reconciliation run; abandoned ones less often. */
  private nextVerifyAt(status: 'pending' | 'abandoned', now: Date): Date {
    const every =
      status === 'pending'
        ? this.config.reconcileIntervalMs
        : this.config.reconcileAbandonedIntervalMs;
    return new Date(now.getTime() + every);
  }

  /**
   * The effects of a state change the caller has written itself (an admin's resolution), in the
   * caller's transaction: one statement, as for a settlement.
   */
  async afterTransition(manager: EntityManager, payment: Payment): Promise<void> {
    await this.write(manager, {
      move: { kind: 'written', paymentId: payment.id },
      ...(await this.effectsOf(payment)),
    });
  }

  async audit(
    manager: EntityManager,
    payment: Payment,
    action: PaymentAuditAction,
    options: { source: string; inboundEventId?: string; actorUserId?: string },
    from: string,
    to: string,
    note: string | null,
    report: VerifyResult | null,
  ): Promise<void> {
    await manager.insert(PaymentAuditEntry, {
      paymentId: payment.id,
      action,
      source: options.source,
      actorUserId: options.actorUserId ?? null,
      fromStatus: from,
      toStatus: to,
      note,
      details: report ? { gateway_report: { ...report } } : null,
      inboundEventId: options.inboundEventId ?? null,
    });
  }
}

/** The outbound event a payment's new state records; states without one record none. */
const OUTBOX_EVENT_OF: Partial<Record<PaymentStatus, OutboundEventType>> = {
  succeeded: 'payment.success',
  failed: 'payment.failed',
  authorized: 'payment.authorized',
  canceled: 'payment.canceled',
};

function jsonOrNull(value: Record<string, unknown> | null): string | null {
  return value === null ? null : JSON.stringify(value);
}
