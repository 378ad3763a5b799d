import { Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { AppConfig } from '../../config/app-config.js';
import { MetricsService } from '../../common/metrics/metrics.service.js';
import { queryRows } from '../../database/sql.js';
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
@Injectable()
export class NotificationEmailsService {
  private readonly logger = new Logger(NotificationEmailsService.name);

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly config: AppConfig,
    private readonly mailer: Mailer,
    private readonly relay: NotificationRelayService,
    private readonly metrics: MetricsService,
  ) {}

  async attempt(notificationId: string): Promise<MailAttemptOutcome> {
    const db = this.dataSource.manager;
    const [claim] = await queryRows<{
      type: string;
      data: NotificationView;
      email_to: string;
      email_attempts: number;
    }>(
      db,
      `UPDATE notifications
          SET email_attempts = email_attempts + 1,
              email_next_attempt_at = now() + ($2::bigint * interval '1 millisecond')
        WHERE id = $1 AND email_status = 'pending' AND email_next_attempt_at <= now()
        RETURNING type, data, email_to, email_attempts`,
      [notificationId, MAIL_SEND_LEASE_MS],
    );
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
    await queryRows(
      db,
      `UPDATE notifications
          SET email_status = $3, email_sent_at = now(), email_next_attempt_at = NULL,
              email_last_error = NULL
        WHERE id = $1 AND email_status = 'pending' AND email_attempts = $2`,
      [notificationId, attempt, outcome],
    );
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
    await queryRows(
      this.dataSource.manager,
      `UPDATE notifications
          SET email_status = CASE WHEN $3 THEN 'failed' ELSE 'pending' END,
              email_next_attempt_at = CASE WHEN $3 THEN NULL
                                           ELSE now() + ($4::bigint * interval '1 millisecond') END,
              email_last_error = $5
        WHERE id = $1 AND email_status = 'pending' AND email_attempts = $2`,
      [notificationId, attempt, last, delayMs, message],
    );
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
}

/** The domain of MAIL_FROM ("Shop <no-reply@shop.example>" → "shop.example"), for Message-IDs. */
function mailDomain(from: string): string {
  return /@([A-Za-z0-9.-]+)/.exec(from)?.[1] ?? 'localhost';
}
