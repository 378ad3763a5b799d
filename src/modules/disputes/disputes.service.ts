import { Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource, EntityManager } from 'typeorm';
import { notFound, unprocessable } from '../../common/errors/app-error.js';
import { minorFromDb } from '../../common/money.js';
import {
  CursorPart,
  cursorTimestampSql,
  decodeCursor,
  keysetPage,
} from '../../common/pagination/cursor.js';
import { queryRows } from '../../database/sql.js';
import type { GatewayDispute, GatewayName } from '../gateways/gateway.interface.js';
import { isDisputeCapable } from '../gateways/gateway.interface.js';
import { GatewayRegistry } from '../gateways/gateway.registry.js';
import { OutboxService } from '../outbound-webhooks/outbox.service.js';
import { decideDisputeStatus, isClosed, type DisputeStatus } from './dispute-status.js';
import { type DisputeResponseDto, type DisputeRow, toDisputeDto } from './dispute.dto.js';

const DISPUTE_COLUMNS = `d.id, d.payment_id, d.payment_reference, d.user_id, d.gateway, d.gateway_dispute_id,
  d.amount, d.hold_amount, d.currency, d.reason, d.status, d.due_by, d.evidence_submitted_at, d.created_at`;

/** What became of a dispute report (a webhook or a poll). `unmatched` names no payment we know. */
export interface DisputeOutcome {
  status: 'processed' | 'ignored' | 'unmatched';
  note?: string;
  paymentId?: string;
  disputeId?: string;
}

interface LockedPayment {
  id: string;
  reference: string;
  user_id: string;
  gateway: string;
  currency: string;
  purpose: string;
  amount_received: string | null;
}

/**
 * Disputes (SPEC §17). A dispute report (the gateway's own answer about a dispute, fetched from
 * its API) is applied in one transaction under the payment's row lock (the lock refunds take, so a
 * dispute and a refund of one payment never interleave): the dispute row is created or moved
 * forward, `dispute_sync_ledger` brings the books to what its state implies (hold, release, loss,
 * each posted at most once by the database), and the outbound event is written with it.
 */
@Injectable()
export class DisputesService {
  private readonly logger = new Logger(DisputesService.name);

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly outbox: OutboxService,
    private readonly gateways: GatewayRegistry,
  ) {}

  async applyReport(gateway: string, report: GatewayDispute): Promise<DisputeOutcome> {
    return this.dataSource.transaction(async (manager) => {
      const payment = await this.lockPayment(manager, gateway, report);
      if (!payment) {
        return {
          status: 'unmatched',
          note: `no ${gateway} payment ${report.reference ?? report.gatewayPaymentId ?? '(none named)'} for dispute ${report.gatewayDisputeId}`,
        };
      }
      const base = { paymentId: payment.id };
      if (report.currency !== payment.currency) {
        return {
          ...base,
          status: 'ignored',
          note: `dispute ${report.gatewayDisputeId} is in ${report.currency}, the payment in ${payment.currency}; recorded, not applied`,
        };
      }
      const received = payment.amount_received === null ? 0 : minorFromDb(payment.amount_received);
      if (report.amount > received) {
        return {
          ...base,
          status: 'ignored',
          note: `dispute ${report.gatewayDisputeId} claims ${report.amount}, more than the ${received} received; recorded, not applied`,
        };
      }
      const [existing] = await queryRows<DisputeRow>(
        manager,
        `SELECT ${DISPUTE_COLUMNS} FROM disputes d WHERE d.gateway = $1 AND d.gateway_dispute_id = $2 FOR UPDATE`,
        [gateway, report.gatewayDisputeId],
      );
      if (!existing) {
        // Under the payment's lock: disputes not won never claim more than the payment received;
        // with what its succeeded refunds paid back, for the hold below.
        const [open] = await queryRows<{ total: string; held: string; refunded: string }>(
          manager,
          `SELECT coalesce(sum(amount), 0)::text AS total, coalesce(sum(hold_amount), 0)::text AS held,
                  (SELECT coalesce(sum(r.amount), 0) FROM refunds r
                    WHERE r.payment_id = $1 AND r.status = 'succeeded')::text AS refunded
             FROM disputes WHERE payment_id = $1 AND status <> 'won'`,
          [payment.id],
        );
        if (minorFromDb(open.total) + report.amount > received) {
          return {
            ...base,
            status: 'ignored',
            note: `dispute ${report.gatewayDisputeId} of ${report.amount} with ${open.total} already disputed exceeds the ${received} received; recorded, not applied`,
          };
        }
        // What the user still holds of this payment: its succeeded refunds and the holds of its
        // other disputes took the rest back already, and are never taken a second time. A refund
        // still in flight is not counted: a gateway refuses to refund a disputed charge, and the
        // failed refund's money back to the wallet then pays the hold (the receivable).
        const holdAmount = Math.min(
          report.amount,
          Math.max(0, received - minorFromDb(open.refunded) - minorFromDb(open.held)),
        );
        const [created] = await queryRows<DisputeRow>(
          manager,
          `INSERT INTO disputes AS d (payment_id, payment_reference, user_id, gateway, gateway_dispute_id, amount,
                                      currency, reason, status, gateway_status, due_by, closed_at, hold_amount)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, CASE WHEN $12 THEN now() END, $13)
           RETURNING ${DISPUTE_COLUMNS}`,
          [
            payment.id,
            payment.reference,
            payment.user_id,
            gateway,
            report.gatewayDisputeId,
            String(report.amount),
            report.currency,
            report.reason?.slice(0, 500) ?? null,
            report.status,
            report.gatewayStatus.slice(0, 100),
            report.dueBy,
            isClosed(report.status),
            String(holdAmount),
          ],
        );
        await this.syncLedger(manager, created.id);
        await this.record(manager, created, 'dispute.created');
        if (isClosed(created.status)) await this.record(manager, created, 'dispute.closed');
        return { ...base, status: 'processed', disputeId: created.id };
      }
      const decision = decideDisputeStatus(existing.status, report.status);
      if (!decision.change) {
        await this.syncLedger(manager, existing.id);
        return {
          ...base,
          disputeId: existing.id,
          status: 'ignored',
          note: decision.contradiction
            ? `${gateway} reports dispute ${report.gatewayDisputeId} ${report.status} but it is ${existing.status}; recorded, not applied`
            : `dispute ${report.gatewayDisputeId} is ${existing.status} already`,
        };
      }
      const updated = await this.moveTo(manager, existing.id, decision.next, report);
      await this.record(
        manager,
        updated,
        isClosed(updated.status) ? 'dispute.closed' : 'dispute.updated',
      );
      return { ...base, status: 'processed', disputeId: updated.id };
    });
  }

  async list(
    userId: string | null,
    query: { status?: DisputeStatus; limit: number; cursor?: string },
  ): Promise<{ disputes: DisputeResponseDto[]; next_cursor: string | null }> {
    const after = decodeCursor(query.cursor, [CursorPart.timestamp, CursorPart.uuid]);
    const rows = await queryRows<DisputeRow & { position: string }>(
      this.dataSource.manager,
      `SELECT ${DISPUTE_COLUMNS}, ${cursorTimestampSql('d.created_at')} AS position FROM disputes d
        WHERE ($1::uuid IS NULL OR d.user_id = $1) AND ($2::text IS NULL OR d.status = $2)
          AND ($3::timestamptz IS NULL OR (d.created_at, d.id) < ($3::timestamptz, $4::uuid))
        ORDER BY d.created_at DESC, d.id DESC
        LIMIT $5`,
      [userId, query.status ?? null, after?.[0] ?? null, after?.[1] ?? null, query.limit + 1],
    );
    const { page, nextCursor } = keysetPage(rows, query.limit, (last) => [last.position, last.id]);
    return { disputes: page.map(toDisputeDto), next_cursor: nextCursor };
  }

  /** Owner-scoped (null: every owner, for admins); another owner's dispute is not found. */
  async get(userId: string | null, id: string): Promise<DisputeResponseDto> {
    return toDisputeDto(await this.find(this.dataSource.manager, userId, id));
  }

  /**
   * Concedes the dispute: asks the gateway first (where it has an API for it), then closes it
   * `accepted` and moves the hold to the gateway, once.
   */
  async accept(userId: string | null, id: string): Promise<DisputeResponseDto> {
    const dispute = await this.find(this.dataSource.manager, userId, id);
    if (isClosed(dispute.status))
      throw unprocessable('DISPUTE_CLOSED', `the dispute is ${dispute.status} already`);
    if (minorFromDb(dispute.hold_amount) < minorFromDb(dispute.amount)) {
      // Conceding would have the gateway pay the payer back again what a refund already did.
      throw unprocessable(
        'DISPUTE_ALREADY_REFUNDED',
        `${minorFromDb(dispute.amount) - minorFromDb(dispute.hold_amount)} of the disputed ${dispute.amount} was refunded before the dispute; answer it with evidence of the refund instead of accepting it`,
      );
    }
    const gateway = this.gateways.get(dispute.gateway as GatewayName);
    if (isDisputeCapable(gateway) && gateway.acceptDispute)
      await gateway.acceptDispute(dispute.gateway_dispute_id);
    return this.dataSource.transaction(async (manager) => {
      await queryRows(manager, `SELECT 1 FROM payments WHERE id = $1 FOR UPDATE`, [
        dispute.payment_id,
      ]);
      const locked = await this.find(manager, userId, id, true);
      if (isClosed(locked.status)) return toDisputeDto(locked);
      const updated = await this.moveTo(manager, locked.id, 'accepted', null);
      await this.record(manager, updated, 'dispute.closed');
      return toDisputeDto(updated);
    });
  }

  /** Sends evidence through the gateway's API (Paystack, Stripe); others 422 EVIDENCE_NOT_SUPPORTED. */
  async submitEvidence(
    userId: string | null,
    id: string,
    evidence: { text: string; uploadedFileUrls: string[] },
  ): Promise<DisputeResponseDto> {
    const dispute = await this.find(this.dataSource.manager, userId, id);
    const gateway = this.gateways.get(dispute.gateway as GatewayName);
    if (!isDisputeCapable(gateway) || !gateway.submitDisputeEvidence)
      throw unprocessable(
        'EVIDENCE_NOT_SUPPORTED',
        `${dispute.gateway} takes dispute evidence only in its own dashboard`,
      );
    if (isClosed(dispute.status))
      throw unprocessable('DISPUTE_CLOSED', `the dispute is ${dispute.status} already`);
    const [payment] = await queryRows<{ email: string }>(
      this.dataSource.manager,
      `SELECT email FROM payments WHERE id = $1`,
      [dispute.payment_id],
    );
    await gateway.submitDisputeEvidence({
      gatewayDisputeId: dispute.gateway_dispute_id,
      customerEmail: payment.email,
      text: evidence.text,
      uploadedFileUrls: evidence.uploadedFileUrls,
    });
    return this.dataSource.transaction(async (manager) => {
      const [row] = await queryRows<DisputeRow>(
        manager,
        `UPDATE disputes d SET evidence_submitted_at = now(), updated_at = now(),
                status = CASE WHEN d.status = 'open' THEN 'under_review' ELSE d.status END
          WHERE d.id = $1 RETURNING ${DISPUTE_COLUMNS}`,
        [dispute.id],
      );
      await this.record(manager, row, 'dispute.updated');
      return toDisputeDto(row);
    });
  }

  private async find(
    manager: EntityManager,
    userId: string | null,
    id: string,
    lock = false,
  ): Promise<DisputeRow> {
    const [row] = await queryRows<DisputeRow & { gateway_dispute_id: string }>(
      manager,
      `SELECT ${DISPUTE_COLUMNS} FROM disputes d WHERE d.id = $1 AND ($2::uuid IS NULL OR d.user_id = $2)
       ${lock ? 'FOR UPDATE' : ''}`,
      [id, userId],
    );
    if (!row) throw notFound('Dispute');
    return row;
  }

  private async moveTo(
    manager: EntityManager,
    id: string,
    status: DisputeStatus,
    report: GatewayDispute | null,
  ): Promise<DisputeRow> {
    const [row] = await queryRows<DisputeRow>(
      manager,
      `UPDATE disputes d SET status = $2, gateway_status = coalesce($3, d.gateway_status),
              due_by = coalesce($4, d.due_by), reason = coalesce(d.reason, $5),
              closed_at = CASE WHEN $2 IN ('won', 'lost', 'accepted') THEN now() END, updated_at = now()
        WHERE d.id = $1 RETURNING ${DISPUTE_COLUMNS}`,
      [
        id,
        status,
        report?.gatewayStatus.slice(0, 100) ?? null,
        report?.dueBy ?? null,
        report?.reason?.slice(0, 500) ?? null,
      ],
    );
    await this.syncLedger(manager, id);
    return row;
  }

  /** Brings the books to what the dispute's state implies; the database posts each move once. */
  private async syncLedger(manager: EntityManager, disputeId: string): Promise<void> {
    const moves = await queryRows<{ move: string }>(
      manager,
      `SELECT move FROM dispute_sync_ledger($1)`,
      [disputeId],
    );
    if (moves.length > 0)
      this.logger.log(`dispute ${disputeId}: ${moves.map((m) => m.move).join(', ')}`);
  }

  private async record(
    manager: EntityManager,
    row: DisputeRow,
    type: 'dispute.created' | 'dispute.updated' | 'dispute.closed',
  ): Promise<void> {
    await this.outbox.record(manager, { userId: row.user_id, type, data: toDisputeDto(row) });
  }

  private async lockPayment(
    manager: EntityManager,
    gateway: string,
    report: GatewayDispute,
  ): Promise<LockedPayment | undefined> {
    const [payment] = await queryRows<LockedPayment>(
      manager,
      `SELECT id, reference, user_id, gateway, currency, purpose, amount_received FROM payments
        WHERE gateway = $1 AND status = 'succeeded'
          AND (reference = $2 OR ($3::text IS NOT NULL AND (gateway_payment_id = $3 OR gateway_charge_id = $3)))
        ORDER BY reference = $2 DESC
        LIMIT 1
        FOR UPDATE`,
      [gateway, report.reference ?? null, report.gatewayPaymentId ?? null],
    );
    return payment;
  }
}
