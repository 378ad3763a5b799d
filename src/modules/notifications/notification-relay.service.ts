import { InjectQueue } from '@nestjs/bullmq';
import { Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { Queue } from 'bullmq';
import { DataSource, type EntityManager } from 'typeorm';
import { queryRows } from '../../database/sql.js';
import { jobId, JobName, QueueName } from '../../queue/queue-names.js';
import {
  type NotificationRule,
  type NotificationView,
  notificationRule,
} from './notification-rules.js';
import type { NotificationContent } from './notification-templates.js';

/** Inbox rows turned into notifications per transaction; relays take disjoint batches. */
export const NOTIFICATION_RELAY_BATCH = 500;
const RELAY_MAX_BATCHES = 40;
/** A pending mail this overdue has lost its job (Redis outage, killed worker): enqueue it again. */
export const MAIL_SWEEP_GRACE_MS = 10_000;
const SWEEP_BATCH_SIZE = 1_000;
const SWEEP_DEDUP_WINDOW_MS = 30_000;

export interface SendEmailJobData {
  notificationId: string;
}

interface InboxEvent {
  id: string;
  user_id: string;
  type: string;
  data: Record<string, unknown>;
  created_at: Date;
}

interface NewNotification {
  eventId: string;
  userId: string;
  type: string;
  title: string;
  body: string;
  data: NotificationView;
  createdAt: Date;
  emailTo: string | null;
}

/**
 * Turns committed events into notifications. Each event reaches `notification_inbox` through a
 * trigger in the transaction that recorded it, so a rolled-back change has no inbox row and tells
 * no one. One transaction takes a batch of inbox rows (SKIP LOCKED), inserts one notification per
 * (event, user) (ON CONFLICT DO NOTHING: the unique key is what keeps a relay that runs twice from
 * mailing twice) and deletes the rows; mail jobs are enqueued after the commit, and the sweeper
 * enqueues any whose job was lost.
 */
@Injectable()
export class NotificationRelayService {
  private readonly logger = new Logger(NotificationRelayService.name);

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @InjectQueue(QueueName.NotificationEmails) private readonly emails: Queue<SendEmailJobData>,
  ) {}

  async relayBatch(
    batchSize = NOTIFICATION_RELAY_BATCH,
  ): Promise<{ events: number; notifications: number; emails: string[] }> {
    const result = await this.dataSource.transaction(async (manager) => {
      const events = await queryRows<InboxEvent>(
        manager,
        `WITH batch AS (
           SELECT event_id FROM notification_inbox ORDER BY created_at LIMIT $1 FOR UPDATE SKIP LOCKED
         ), taken AS (
           DELETE FROM notification_inbox i USING batch WHERE i.event_id = batch.event_id
           RETURNING i.event_id
         )
         SELECT e.id, e.user_id, e.type, e.data, e.created_at FROM taken JOIN events e ON e.id = taken.event_id`,
        [batchSize],
      );
      const rows = await this.notificationsFor(manager, events);
      const inserted = rows.length === 0 ? [] : await this.insert(manager, rows);
      return { events: events.length, inserted };
    });
    const emails = result.inserted.filter((row) => row.email_status === 'pending').map((r) => r.id);
    if (emails.length > 0) await this.enqueueEmails(emails.map((id) => ({ id, attempt: 1 })));
    return { events: result.events, notifications: result.inserted.length, emails };
  }

  /** Relays until the inbox is empty (or a run's budget is spent). */
  async relayPending(): Promise<{ events: number; notifications: number }> {
    const total = { events: 0, notifications: 0 };
    for (let batch = 0; batch < RELAY_MAX_BATCHES; batch++) {
      const result = await this.relayBatch();
      total.events += result.events;
      total.notifications += result.notifications;
      if (result.events < NOTIFICATION_RELAY_BATCH) break;
    }
    return total;
  }

  /** Re-enqueues pending mails that are overdue: their job was lost or their worker died. */
  async sweep(): Promise<number> {
    const rows = await queryRows<{ id: string; email_attempts: number }>(
      this.dataSource.manager,
      `SELECT id, email_attempts FROM notifications
        WHERE email_status = 'pending'
          AND email_next_attempt_at <= now() - ($1::bigint * interval '1 millisecond')
        ORDER BY email_next_attempt_at
        LIMIT $2`,
      [MAIL_SWEEP_GRACE_MS, SWEEP_BATCH_SIZE],
    );
    if (rows.length === 0) return 0;
    const window = Math.floor(Date.now() / SWEEP_DEDUP_WINDOW_MS);
    await this.emails.addBulk(
      rows.map((row) => ({
        name: JobName.SendNotificationEmail,
        data: { notificationId: row.id },
        opts: { jobId: jobId('mail', row.id, row.email_attempts + 1, 'sweep', window) },
      })),
    );
    this.logger.warn(`re-enqueued ${rows.length} overdue notification mails`);
    return rows.length;
  }

  /** Mail jobs are wake-ups (the row decides), so a duplicate does nothing; ids name the attempt. */
  async enqueueEmails(items: { id: string; attempt: number; delayMs?: number }[]): Promise<void> {
    try {
      await this.emails.addBulk(
        items.map((item) => ({
          name: JobName.SendNotificationEmail,
          data: { notificationId: item.id },
          opts: { jobId: jobId('mail', item.id, item.attempt), delay: item.delayMs ?? 0 },
        })),
      );
    } catch (error) {
      // The rows are committed with their due time: the sweeper enqueues them once Redis is back.
      this.logger.warn(`could not enqueue ${items.length} mails: ${(error as Error).message}`);
    }
  }

  /** The notifications a batch of events makes: each rule's view, recipient and preference. */
  private async notificationsFor(
    manager: EntityManager,
    events: InboxEvent[],
  ): Promise<NewNotification[]> {
    const planned: {
      event: InboxEvent;
      rule: NotificationRule;
      view: NotificationView;
      content: NotificationContent;
    }[] = [];
    for (const event of events) {
      const rule = notificationRule(event.type);
      if (!rule) continue;
      try {
        const view = rule.view(event.data);
        if (view) planned.push({ event, rule, view, content: rule.inApp(view) });
      } catch (error) {
        // A malformed event must not hold every later one back; it is a bug to see in the log.
        this.logger.error(
          `event ${event.id} (${event.type}) makes no notification: ${String(error)}`,
        );
      }
    }
    if (planned.length === 0) return [];
    const userIds = [...new Set(planned.map((p) => p.event.user_id))];
    const users = await queryRows<{ id: string; email: string; prefs: Record<string, unknown> }>(
      manager,
      `SELECT u.id, u.email, coalesce(p.email, '{}'::jsonb) AS prefs
         FROM users u LEFT JOIN notification_preferences p ON p.user_id = u.id
        WHERE u.id = ANY ($1::uuid[])`,
      [userIds],
    );
    const userById = new Map(users.map((u) => [u.id, u]));
    const payerLookups = planned.filter((p) => p.rule.mailTo === 'payer');
    const payers = payerLookups.length
      ? await queryRows<{ user_id: string; reference: string; email: string }>(
          manager,
          `SELECT p.user_id, p.reference, p.email
             FROM payments p
             JOIN unnest($1::uuid[], $2::text[]) AS k(user_id, reference)
               ON p.user_id = k.user_id AND p.reference = k.reference`,
          [
            payerLookups.map((p) => p.event.user_id),
            payerLookups.map((p) => String(p.view.payment_reference)),
          ],
        )
      : [];
    const payerEmail = new Map(payers.map((p) => [`${p.user_id} ${p.reference}`, p.email]));

    return planned.flatMap(({ event, rule, view, content }) => {
      const user = userById.get(event.user_id);
      if (!user) return [];
      const wanted = user.prefs[rule.preference] !== false;
      const recipient =
        rule.mailTo === 'owner'
          ? user.email
          : payerEmail.get(`${event.user_id} ${String(view.payment_reference)}`);
      return [
        {
          eventId: event.id,
          userId: event.user_id,
          type: event.type,
          title: content.title.slice(0, 200),
          body: content.summary.slice(0, 2000),
          data: view,
          createdAt: event.created_at,
          emailTo: wanted && recipient ? recipient : null,
        },
      ];
    });
  }

  private async insert(
    manager: EntityManager,
    rows: NewNotification[],
  ): Promise<{ id: string; email_status: string }[]> {
    return queryRows<{ id: string; email_status: string }>(
      manager,
      `INSERT INTO notifications
         (event_id, user_id, type, title, body, data, created_at, email_to, email_status, email_next_attempt_at)
       SELECT r.event_id, r.user_id, r.type, r.title, r.body, r.data, r.created_at, r.email_to,
              CASE WHEN r.email_to IS NULL THEN 'skipped' ELSE 'pending' END,
              CASE WHEN r.email_to IS NULL THEN NULL ELSE now() END
         FROM unnest($1::text[], $2::uuid[], $3::text[], $4::text[], $5::text[], $6::jsonb[],
                     $7::timestamptz[], $8::text[])
           AS r(event_id, user_id, type, title, body, data, created_at, email_to)
       ON CONFLICT (event_id, user_id) DO NOTHING
       RETURNING id, email_status`,
      [
        rows.map((r) => r.eventId),
        rows.map((r) => r.userId),
        rows.map((r) => r.type),
        rows.map((r) => r.title),
        rows.map((r) => r.body),
        rows.map((r) => JSON.stringify(r.data)),
        rows.map((r) => r.createdAt),
        rows.map((r) => r.emailTo),
      ],
    );
  }
}
