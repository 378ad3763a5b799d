import { Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource, EntityManager } from 'typeorm';
import type { QueryDeepPartialEntity } from 'typeorm/query-builder/QueryPartialEntity.js';
import { AppConfig } from '../../config/app-config.js';
import type {
  GatewayName,
  GatewayPaymentStatus,
  VerifyResult,
} from '../gateways/gateway.interface.js';
import { GatewayRegistry } from '../gateways/gateway.registry.js';
import { OutboxService } from '../webhooks/outbox.service.js';
import { OrdersService } from './orders.service.js';
import { PaymentAuditEntry, PaymentAuditAction } from './payment-audit-entry.entity.js';
import { PaymentSettledHooks } from './payment-settled.hooks.js';
import { decidePayment, isFinal, PaymentDecision } from './payment-state-machine.js';
import { toPaymentView } from './payment-view.js';
import { MetricsService } from '../../common/metrics/metrics.service.js';
import { Payment, PaymentStatus } from './payment.entity.js';

export type SettlementSource = 'webhook' | 'verify' | 'callback' | 'reconcile' | 'replay';

export interface SettleOptions {
  source: SettlementSource;
  /**
   * The gateway's truth when it is already in hand: a self-authenticating signed event (generic).
   * Without it the gateway's verify API is asked.
   */
  report?: VerifyResult;
  inboundEventId?: string;
  /** Reconciliation: when the gateway cannot be asked, still let expiry apply instead of throwing. */
  tolerateGatewayErrors?: boolean;
  /**
   * The payment as the caller has just read it, to skip reading it again before the gateway call.
   * Only a hint: the decision is taken on the row read under lock.
   */
  snapshot?: Payment;
}

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
 * `SELECT … FOR UPDATE` on the payment row against the state read under that lock. Two settlers
 * racing both ask the gateway, but only the first to take the lock finds the payment movable; the
 * second sees the new state and changes nothing. So the state change, the order update, the
 * PaymentSettledHooks (wallet credit) and the outbox event happen once, in one transaction.
 */
@Injectable()
export class SettlementService {
  private readonly logger = new Logger(SettlementService.name);

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly config: AppConfig,
    private readonly registry: GatewayRegistry,
    private readonly hooks: PaymentSettledHooks,
    private readonly outbox: OutboxService,
    private readonly orders: OrdersService,
    private readonly metrics: MetricsService,
  ) {}

  async settle(paymentId: string, options: SettleOptions): Promise<SettlementOutcome> {
    const snapshot =
      options.snapshot?.id === paymentId
        ? options.snapshot
        : await this.dataSource.getRepository(Payment).findOneByOrFail({ id: paymentId });
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
    const outcome = await this.dataSource.transaction((manager) =>
      this.applyUnderLock(manager, paymentId, report, asked, options),
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

  private async applyUnderLock(
    manager: EntityManager,
    paymentId: string,
    report: VerifyResult | null,
    asked: boolean,
    options: SettleOptions,
  ): Promise<SettlementOutcome> {
    const payment = await manager.findOneOrFail(Payment, {
      where: { id: paymentId },
      lock: { mode: 'pessimistic_write' },
    });
    const now = new Date();
    const from = payment.status;
    const decision = decidePayment(from, payment, report, {
      expired: now.getTime() >= payment.expiresAt.getTime(),
    });
    const changes: QueryDeepPartialEntity<Payment> = {};
    if (asked) changes.lastVerifiedAt = now;
    if (report?.gatewayPaymentId && !payment.gatewayPaymentId && report.status === 'succeeded')
      changes.gatewayPaymentId = report.gatewayPaymentId;
    if (report?.gatewayChargeId && !payment.gatewayChargeId)
      changes.gatewayChargeId = report.gatewayChargeId;

    if (decision.kind === 'unchanged') {
      if (from === 'pending' || from === 'abandoned')
        changes.nextVerifyAt = this.nextVerifyAt(from, now);
      if (Object.keys(changes).length > 0)
        await manager.update(Payment, { id: paymentId }, changes);
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

    Object.assign(changes, this.transitionChanges(decision, report, now), { updatedAt: now });
    await manager.update(Payment, { id: paymentId }, changes);
    // The row as just written: the locked row plus these changes (updated_at set explicitly, so the
    // object and the row agree) — no need to read it back.
    const updated: Payment = Object.assign(new Payment(), payment, changes as Partial<Payment>);
    await this.audit(
      manager,
      payment,
      'transition',
      options,
      from,
      updated.status,
      describe(decision),
      report,
    );
    await this.afterTransition(manager, updated);
    return {
      payment: updated,
      changed: true,
      from,
      to: updated.status,
      contradiction: false,
      gatewayStatus: report?.status,
    };
  }

  private transitionChanges(
    decision: Extract<PaymentDecision, { kind: 'transition' }>,
    report: VerifyResult | null,
    now: Date,
  ): QueryDeepPartialEntity<Payment> {
    switch (decision.to) {
      case 'succeeded':
        return {
          status: 'succeeded',
          amountReceived: decision.amountReceived,
          settledAt: now,
          failureReason: null,
          nextVerifyAt: null,
        };
      case 'needs_review':
        return {
          status: 'needs_review',
          reviewReason: decision.reviewReason,
          reportedAmount: report?.amount ?? null,
          reportedCurrency: report?.currency ?? null,
          reportedReference: report?.reference ?? null,
          nextVerifyAt: null,
        };
      case 'failed':
        return {
          status: 'failed',
          failureReason: report?.failureReason ?? decision.failureReason,
          nextVerifyAt: null,
        };
      case 'abandoned':
        return {
          status: 'abandoned',
          failureReason: decision.failureReason,
          nextVerifyAt: this.nextVerifyAt('abandoned', now),
        };
    }
  }

  /** Pending payments are asked every reconciliation run; abandoned ones less often. */
  private nextVerifyAt(status: 'pending' | 'abandoned', now: Date): Date {
    const every =
      status === 'pending'
        ? this.config.reconcileIntervalMs
        : this.config.reconcileAbandonedIntervalMs;
    return new Date(now.getTime() + every);
  }

  /** Effects of a state change, inside the same transaction as the change. */
  async afterTransition(manager: EntityManager, payment: Payment): Promise<void> {
    if (payment.status === 'succeeded') {
      const settledAt = payment.settledAt ?? new Date();
      await this.orders.markPaidIfCovered(manager, payment, settledAt);
      await this.outbox.record(manager, {
        userId: payment.userId,
        type: 'payment.success',
        data: { ...toPaymentView(payment) },
        occurredAt: settledAt,
      });
      // The hooks go last: the wallet credit locks a clearing account that other deposits of the
      // gateway share until COMMIT; nothing else should run while it is held.
      await this.hooks.run(manager, {
        id: payment.id,
        reference: payment.reference,
        userId: payment.userId,
        purpose: payment.purpose,
        gateway: payment.gateway,
        currency: payment.currency,
        amountReceived: payment.amountReceived ?? payment.amount,
        settledAt,
      });
    } else if (payment.status === 'failed') {
      await this.outbox.record(manager, {
        userId: payment.userId,
        type: 'payment.failed',
        data: { ...toPaymentView(payment) },
      });
    }
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

function describe(decision: Extract<PaymentDecision, { kind: 'transition' }>): string {
  switch (decision.to) {
    case 'succeeded':
      return `the gateway confirmed ${decision.amountReceived}`;
    case 'needs_review':
      return decision.reviewReason;
    case 'failed':
    case 'abandoned':
      return decision.failureReason;
  }
}
