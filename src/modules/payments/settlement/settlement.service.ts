import { Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { EntityNotFoundError, type DataSource, type EntityManager } from 'typeorm';
import type { QueryDeepPartialEntity } from 'typeorm/query-builder/QueryPartialEntity.js';
import { AppConfig } from '../../../config/app-config.js';
import type {
  GatewayName,
  GatewayPaymentStatus,
  VerifyResult,
} from '../../gateways/gateway.interface.js';
import { GatewayRegistry } from '../../gateways/gateway.registry.js';
import { outboxInsertSql, type RecordEventInput } from '../../outbound-webhooks/outbox.service.js';
import { OrdersService } from '../orders/orders.service.js';
import { PaymentAuditEntry, PaymentAuditAction } from '../payment-audit-entry.entity.js';
import { PaymentSettledHooks } from './payment-settled.hooks.js';
import { decidePayment, isFinal, PaymentDecision } from './payment-state-machine.js';
import { toPaymentView } from '../payment-view.js';
import { MetricsService } from '../../../common/metrics/metrics.service.js';
import { Payment, PaymentStatus } from '../payment.entity.js';
import { PaymentRows } from './payment-rows.js';
import { callSql, queryRows, SqlParams, type SqlFunctionCall } from '../../../database/sql.js';

export type SettlementSource = 'webhook' | 'verify' | 'callback' | 'reconcile' | 'replay';

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
}

/**
 * A payment row as read at one version (its `xmin`, the transaction that wrote this version of
 * the row; any UPDATE writes a new version with a new xmin).
 */
export interface PaymentVersion {
  payment: Payment;
  version: string;
}

/** What a payment's new state sets off (see SettlementService.effectsOf). */
interface TransitionEffects {
  event: RecordEventInput | null;
  /** A success: the payment as written and when it settled (its order is marked paid). */
  success: { payment: Payment; settledAt: Date } | null;
  /** The PaymentSettledHooks' calls (for a success). */
  calls: SqlFunctionCall[];
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
 * the payment row's lock against the state of the row under that lock (`SELECT … FOR UPDATE`, or
 * an UPDATE conditioned on the row version the caller read: see settle and applyTransition). Two settlers
 * racing both ask the gateway, but only the first to take the lock finds the payment movable; the
 * second sees the new state and changes nothing. So the state change, the order update, the
 * PaymentSettledHooks (wallet credit) and the outbox event happen once, in one statement.
 */
@Injectable()
export class SettlementService {
  private readonly logger = new Logger(SettlementService.name);

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly config: AppConfig,
    private readonly registry: GatewayRegistry,
    private readonly hooks: PaymentSettledHooks,
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
    // A success for an order is decided under the order's row lock (applyUnderLock), so two
    // payments succeeding for one order at once cannot both be kept as its payment.
    if (known && !(known.payment.orderId && report?.status === 'succeeded')) {
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
    // The order's row lock after the payment's, the order markPaidSql takes them in too.
    const orderAlreadyPaid =
      payment.orderId !== null && report?.status === 'succeeded'
        ? await this.orders.lockPaidByAnother(manager, payment.orderId, payment.id)
        : false;
    const decision = this.decide(payment, report, now, orderAlreadyPaid);
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
      return applied;
    }

    const changes = this.observedChanges(payment, report, asked, now);
    if (from === 'pending' || from === 'abandoned')
      changes.nextVerifyAt = this.nextVerifyAt(from, now);
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

  private decide(
    payment: Payment,
    report: VerifyResult | null,
    now: Date,
    orderAlreadyPaid = false,
  ): PaymentDecision {
    return decidePayment(payment.status, payment, report, {
      expired: now.getTime() >= payment.expiresAt.getTime(),
      rejected: payment.resolution === 'rejected',
      orderAlreadyPaid,
    });
  }

  /** What asking the gateway teaches about the payment, whatever the decision. */
  private observedChanges(
    payment: Payment,
    report: VerifyResult | null,
    asked: boolean,
    now: Date,
  ): QueryDeepPartialEntity<Payment> {
    const changes: QueryDeepPartialEntity<Payment> = {};
    if (asked) changes.lastVerifiedAt = now;
    if (report?.gatewayPaymentId && !payment.gatewayPaymentId && report.status === 'succeeded')
      changes.gatewayPaymentId = report.gatewayPaymentId;
    if (report?.gatewayChargeId && !payment.gatewayChargeId)
      changes.gatewayChargeId = report.gatewayChargeId;
    return changes;
  }

  /**
   * Writes a transition decided on `row`, and everything it sets off, if the payment row is still
   * that version; null, having written nothing, if it is not. With the manager of a transaction it
   * joins it; with the data source's own manager the one statement is its own transaction.
   */
  private async applyTransition(
    manager: EntityManager,
    row: PaymentVersion,
    decision: Extract<PaymentDecision, { kind: 'transition' }>,
    report: VerifyResult | null,
    asked: boolean,
    options: SettleOptions,
    now: Date,
  ): Promise<SettlementOutcome | null> {
    const payment = row.payment;
    const from = payment.status;
    const changes = Object.assign(
      this.observedChanges(payment, report, asked, now),
      this.transitionChanges(decision, report, now),
      { updatedAt: now },
    );
    // The row as written: the row decided on plus these changes (updated_at set explicitly, so
    // the object and the row agree) — no need to read it back.
    const updated: Payment = Object.assign(new Payment(), payment, changes as Partial<Payment>);
    const effects = await this.effectsOf(updated);
    const params = new SqlParams([payment.id, row.version]);
    const set = Object.entries(changes).map(
      ([property, value]) =>
        `${this.rows.column(property)} = ${params.add(this.rows.toDatabase(property, value))}`,
    );
    const audit = `INSERT INTO payment_audit_entries
        (payment_id, action, source, actor_user_id, from_status, to_status, note, details, inbound_event_id)
      SELECT id, 'transition', ${params.add(options.source)}, NULL, ${params.add(from)},
             ${params.add(updated.status)}, ${params.add(describe(decision))},
             ${params.add(jsonOrNull(auditDetails(report)))}, ${params.add(options.inboundEventId ?? null)}
        FROM moved`;
    const parts = [audit];
    if (options.closesInboundEvent && options.inboundEventId) {
      parts.push(`UPDATE inbound_webhook_events e
           SET status = 'processed', last_error = NULL, payment_id = moved.id,
               attempts = e.attempts + 1, processed_at = now(), updated_at = now()
          FROM moved WHERE e.id = ${params.add(options.inboundEventId)}`);
    }
    const written = await this.writeWithEffects(
      manager,
      `UPDATE payments SET ${set.join(', ')} WHERE id = $1 AND xmin = $2::xid RETURNING id`,
      parts,
      effects,
      params,
    );
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
   * What a payment's new state sets off, in the same statement as the state change: its outbox
   * event, and for a success its order and the PaymentSettledHooks (the wallet credit). Worked out
   * before that statement (the hooks look up what their calls need).
   */
  private async effectsOf(payment: Payment): Promise<TransitionEffects> {
    const event = this.outboxEventOf(payment);
    if (payment.status !== 'succeeded') return { event, success: null, calls: [] };
    const settledAt = payment.settledAt ?? new Date();
    const calls = await this.hooks.effectsOf({
      id: payment.id,
      reference: payment.reference,
      userId: payment.userId,
      purpose: payment.purpose,
      gateway: payment.gateway,
      currency: payment.currency,
      amountReceived: payment.amountReceived ?? payment.amount,
      settledAt,
    });
    return { event, success: { payment, settledAt }, calls };
  }

  /**
   * One statement: `moving` (a query yielding the payment's id when the change is made, no row
   * when it is not) as the CTE `moved`, then `parts` (more CTE bodies reading `moved`), the
   * outbox event, the order and the hook calls, each done once per row of `moved`: all of it or
   * none. Outside a transaction block the commit follows the statement at once, so the row locks
   * it takes (the payment's first, then the hook's: the wallet credit's clearing account, which
   * other deposits of the gateway share) are held for no longer. True when `moved` yielded the row.
   */
  private async writeWithEffects(
    manager: EntityManager,
    moving: string,
    parts: string[],
    effects: TransitionEffects,
    params: SqlParams,
  ): Promise<boolean> {
    const ctes = [`moved AS (${moving})`, ...parts.map((part, i) => `part_${i} AS (${part})`)];
    if (effects.event) ctes.push(`outbox AS (${outboxInsertSql(effects.event, params, 'moved')})`);
    const order = effects.success
      ? this.orders.markPaidSql(effects.success.payment, effects.success.settledAt, params, 'moved')
      : null;
    if (order) ctes.push(`paid_order AS (${order})`);
    // A SELECT in WITH runs only when read: each hook's call is counted in the answer.
    const hooks = effects.calls.map((call, i) => {
      const name = `hook_${i}`;
      ctes.push(
        `${name} AS MATERIALIZED (SELECT 1 FROM moved CROSS JOIN LATERAL ${callSql(call, params)} AS called)`,
      );
      return name;
    });
    const counted = ['moved', ...hooks].map(
      (name) => `(SELECT count(*) FROM ${name})::int AS ${name}`,
    );
    const rows = await queryRows<Record<string, number>>(
      manager,
      `WITH ${ctes.join(',\n')}\nSELECT ${counted.join(', ')}`,
      params.values,
    );
    return rows[0]?.moved === 1;
  }

  /** The outbound event a transition to this state records, if any. */
  private outboxEventOf(payment: Payment): RecordEventInput | null {
    if (payment.status === 'succeeded') {
      return {
        userId: payment.userId,
        type: 'payment.success',
        data: { ...toPaymentView(payment) },
        occurredAt: payment.settledAt ?? new Date(),
      };
    }
    if (payment.status === 'failed') {
      return {
        userId: payment.userId,
        type: 'payment.failed',
        data: { ...toPaymentView(payment) },
      };
    }
    return null;
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

  /**
   * The effects of a state change the caller has written itself (an admin's resolution), in the
   * caller's transaction: one statement, as for a settlement.
   */
  async afterTransition(manager: EntityManager, payment: Payment): Promise<void> {
    const params = new SqlParams([payment.id]);
    await this.writeWithEffects(
      manager,
      'SELECT $1::uuid AS id',
      [],
      await this.effectsOf(payment),
      params,
    );
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

function jsonOrNull(value: Record<string, unknown> | null): string | null {
  return value === null ? null : JSON.stringify(value);
}

function auditDetails(report: VerifyResult | null): Record<string, unknown> | null {
  return report ? { gateway_report: { ...report } } : null;
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
