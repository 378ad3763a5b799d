import { Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { AppConfig } from '../../config/app-config.js';
import { MetricsService } from '../../common/metrics/metrics.service.js';
import { queryRows } from '../../database/sql.js';
import { MicroBatcher } from '../../common/batching/micro-batcher.js';
import { Mailer, redactEmailsIn } from './mailer.service.js';
import { NotificationRelayService } from './notification-relay.service.js';
import { type NotificationView, notificationRule } from './notification-rules.js';
import { renderMail } from './notification-templates.js';

/**
 * How long a claimed attempt holds its mail: longer than any send can take (the mailer's
 * timeouts), so no second attempt starts while one may still be talking to the server. A worker
 * that dies mid-send leaves the mail due again when the lease ends; the sweeper then enqueues it.
 */
export const MAIL_SEND_LEASE_MS = 5 * 60_000;
const MAX_BACKOFF_MS = 3_600_000;

export type MailAttemptOutcome = 'sent' | 'logged' | 'retrying' | 'failed' | 'not-due';

/** Delay before attempt `next` (2 = first retry): the backoff doubling, at most an hour. */
export function mailRetryDelayMs(backoffMs: number, next: number): number {
  return Math.min(backoffMs * 2 ** Math.max(0, next - 2), MAX_BACKOFF_MS);
}

/**
 * One attempt at a notification's mail. The row decides, not the job: an attempt first claims the
 * mail (pending, due) by moving its due time past the lease in one UPDATE, so of any number of
 * jobs for it (duplicates, the sweeper's) one sends and the rest find it not due.
 */
interface ClaimedMail {
  id: string;
  type: string;
  data: NotificationView;
  email_to: string;
  email_attempts: number;
}

/** An attempt's end, written back: sent/logged, or due again later, or failed for good. */
interface MailResult {
  id: string;
  attempt: number;
  status: 'sent' | 'logged' | 'pending' | 'failed';
  delayMs: number;
  error: string | null;
}

/** Claims and results of concurrent attempts share one statement each (MicroBatcher). */
const MAIL_BATCH = 100;
const MAIL_BATCHES_IN_FLIGHT = 2;

/**
 * One attempt at a notification's mail. The row decides, not the job: an attempt first claims the
 * mail (pending, due) by moving its due time past the lease in one UPDATE, so of any number of
 * jobs for it (duplicates, the sweeper's) one sends and the rest find it not due. Claims of
 * concurrent attempts go in one statement, as do their results; within a statement the first
 * attempt for a notification gets it and the others find it not due, as if they had come later.
 */
@Injectable()
export class NotificationEmailsService {
  private readonly logger = new Logger(NotificationEmailsService.name);
  private readonly claims = new MicroBatcher<string, ClaimedMail | null>(
    (ids) => this.claimBatch(ids),
    { maxBatch: MAIL_BATCH, maxInFlight: MAIL_BATCHES_IN_FLIGHT, startIdleAtOnce: true },
  );
  private readonly results = new MicroBatcher<MailResult, void>(
    (results) => this.recordBatch(results),
    { maxBatch: MAIL_BATCH, maxInFlight: MAIL_BATCHES_IN_FLIGHT, startIdleAtOnce: true },
  );

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly config: AppConfig,
    private readonly mailer: Mailer,
    private readonly relay: NotificationRelayService,
    private readonly metrics: MetricsService,
  ) {}

  async attempt(notificationId: string): Promise<MailAttemptOutcome> {
    const claim = await this.claims.submit(notificationId);
    if (!claim) return 'not-due';
    const attempt = claim.email_attempts;

    let outcome: 'sent' | 'logged';
    try {
      const rule = notificationRule(claim.type);
      if (!rule) throw new Error(`no notification rule for ${claim.type}`);
      const mail = renderMail((rule.mail ?? rule.inApp)(claim.data));
      outcome = await this.mailer.send({
        ...mail,
        to: claim.email_to,
        messageId: `<notification-${notificationId}@${mailDomain(this.config.mailFrom)}>`,
      });
    } catch (error) {
      return this.failed(notificationId, attempt, error);
    }
    await this.results.submit({
      id: notificationId,
      attempt,
      status: outcome,
      delayMs: 0,
      error: null,
    });
    this.metrics.notificationEmails.inc({ outcome });
    return outcome;
  }

  /** A refused or broken send: due again after the backoff, or failed after the last attempt. */
  private async failed(
    notificationId: string,
    attempt: number,
    error: unknown,
  ): Promise<'retrying' | 'failed'> {
    const message = redactEmailsIn(error instanceof Error ? error.message : String(error)).slice(
      0,
      500,
    );
    const last = attempt >= this.config.notificationAttempts;
    const delayMs = mailRetryDelayMs(this.config.notificationBackoffMs, attempt + 1);
    await this.results.submit({
      id: notificationId,
      attempt,
      status: last ? 'failed' : 'pending',
      delayMs,
      error: message,
    });
    this.logger.warn(
      `mail of notification ${notificationId} attempt ${attempt} failed${last ? ' for good' : ''}: ${message}`,
    );
    if (last) {
      this.metrics.notificationEmails.inc({ outcome: 'failed' });
      return 'failed';
    }
    this.metrics.notificationEmails.inc({ outcome: 'retried' });
    await this.relay.enqueueEmails([{ id: notificationId, attempt: attempt + 1, delayMs }]);
    return 'retrying';
  }

  private async claimBatch(ids: string[]): Promise<(ClaimedMail | null)[]> {
    const rows = await queryRows<ClaimedMail>(
      this.dataSource.manager,
      `UPDATE notifications
          SET email_attempts = email_attempts + 1,
              email_next_attempt_at = now() + ($2::bigint * interval '1 millisecond')
        WHERE id = ANY ($1::uuid[]) AND email_status = 'pending' AND email_next_attempt_at <= now()
        RETURNING id, type, data, email_to, email_attempts`,
      [[...new Set(ids)], MAIL_SEND_LEASE_MS],
    );
    const claimed = new Map(rows.map((row) => [row.id, row]));
    // One claim per notification: the first attempt in the batch gets it, later ones find it taken.
    return ids.map((id) => {
      const row = claimed.get(id);
      if (!row) return null;
      claimed.delete(id);
      return row;
    });
  }

  /** Only the attempt that holds the claim may write its result (email_attempts matches). */
  private async recordBatch(results: MailResult[]): Promise<void[]> {
    await queryRows(
      this.dataSource.manager,
      `UPDATE notifications n
          SET email_status = r.status,
              email_sent_at = CASE WHEN r.status IN ('sent', 'logged') THEN now() END,
              email_next_attempt_at = CASE WHEN r.status = 'pending'
                                           THEN now() + (r.delay_ms * interval '1 millisecond') END,
              email_last_error = r.error
         FROM unnest($1::uuid[], $2::int[], $3::text[], $4::bigint[], $5::text[])
           AS r(id, attempt, status, delay_ms, error)
        WHERE n.id = r.id AND n.email_status = 'pending' AND n.email_attempts = r.attempt`,
      [
        results.map((r) => r.id),
        results.map((r) => r.attempt),
        results.map((r) => r.status),
        results.map((r) => r.delayMs),
        results.map((r) => r.error),
      ],
    );
    return results.map(() => undefined);
  }
}

/** The domain of MAIL_FROM ("Shop <no-reply@shop.example>" → "shop.example"), for Message-IDs. */
function mailDomain(from: string): string {
  return /@([A-Za-z0-9.-]+)/.exec(from)?.[1] ?? 'localhost';
}
