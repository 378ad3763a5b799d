import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { validationFailed } from '../../common/errors/app-error.js';
import { queryRows } from '../../database/sql.js';
import type { PaymentAuditEntryDto, PaymentSummaryDto } from './dto/payment-history.dto.js';
import { PaymentsService } from './payments.service.js';

/** How far back a summary may count (the payments_user_created index bounds the work). */
const SUMMARY_MAX_DAYS = 366;
/** Audit entries answered per payment; a payment has a handful, a pathological one is cut. */
export const AUDIT_TRAIL_LIMIT = 500;

/** Read-only views of a user's payments for the dashboard: counts by state, the audit trail. */
@Injectable()
export class PaymentHistoryService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly payments: PaymentsService,
  ) {}

  async summary(userId: string, sinceIso: string): Promise<PaymentSummaryDto> {
    const since = new Date(sinceIso);
    const now = Date.now();
    if (
      Number.isNaN(since.getTime()) ||
      since.getTime() > now ||
      since.getTime() < now - SUMMARY_MAX_DAYS * 86_400_000
    ) {
      throw validationFailed([
        {
          field: 'since',
          message: `since must be in the past, at most ${SUMMARY_MAX_DAYS} days ago`,
        },
      ]);
    }
    const rows = await queryRows<{ status: string; n: number }>(
      this.dataSource.manager,
      `SELECT status, count(*)::int AS n FROM payments
       WHERE user_id = $1 AND created_at >= $2 GROUP BY status ORDER BY status`,
      [userId, since],
    );
    const counts: Record<string, number> = {};
    let total = 0;
    for (const row of rows) {
      counts[row.status] = row.n;
      total += row.n;
    }
    return { since: since.toISOString(), counts, total };
  }

  /** The payment's audit trail, oldest first; another owner's payment is a 404. */
  async auditTrail(
    userId: string,
    reference: string,
  ): Promise<{ entries: PaymentAuditEntryDto[]; truncated: boolean }> {
    const payment = await this.payments.getForUser(userId, reference);
    const rows = await queryRows<{
      id: string;
      action: string;
      source: string;
      fromStatus: string;
      toStatus: string;
      note: string | null;
      byAdmin: boolean;
      createdAt: Date;
    }>(
      this.dataSource.manager,
      `SELECT id::text AS id, action, source, from_status AS "fromStatus", to_status AS "toStatus",
              note, actor_user_id IS NOT NULL AS "byAdmin", created_at AS "createdAt"
       FROM payment_audit_entries WHERE payment_id = $1 ORDER BY id DESC LIMIT $2`,
      [payment.id, AUDIT_TRAIL_LIMIT + 1],
    );
    const truncated = rows.length > AUDIT_TRAIL_LIMIT;
    const entries = rows
      .slice(0, AUDIT_TRAIL_LIMIT)
      .reverse()
      .map((row) => ({
        id: row.id,
        action: row.action,
        source: row.source,
        from_status: row.fromStatus,
        to_status: row.toStatus,
        note: row.note,
        actor: row.byAdmin || row.source === 'admin' ? ('admin' as const) : ('system' as const),
        created_at: row.createdAt.toISOString(),
      }));
    return { entries, truncated };
  }
}
