import { WorkerHost } from '@nestjs/bullmq';
import { type Job, UnrecoverableError } from 'bullmq';
import { JobName, QueueName } from '../../queue/queue-names.js';
import { QueueProcessor } from '../../queue/queue-processor.decorator.js';
import {
  type MailAttemptOutcome,
  NotificationEmailsService,
} from './notification-emails.service.js';
import { NotificationRelayService, type SendEmailJobData } from './notification-relay.service.js';

/** The inbox relay and the mail sweeper, both repeating (schedules.ts). */
@QueueProcessor(QueueName.NotificationRelay, { concurrency: 1 })
export class NotificationRelayProcessor extends WorkerHost {
  constructor(private readonly relay: NotificationRelayService) {
    super();
  }

  async process(job: Job): Promise<unknown> {
    switch (job.name) {
      case JobName.RelayNotifications:
        return this.relay.relayPending();
      case JobName.SweepNotificationEmails:
        return { reenqueued: await this.relay.sweep() };
      default:
        throw new UnrecoverableError(`unexpected job ${job.name}`);
    }
  }
}

/**
 * Mail attempts. Jobs are wake-ups: the notification row decides whether an attempt is due, so a
 * duplicate, late or replayed job sends nothing. Concurrency is high because an attempt mostly
 * waits on the SMTP server, holding no database connection meanwhile.
 */
@QueueProcessor(QueueName.NotificationEmails, { concurrency: 32 })
export class NotificationEmailsProcessor extends WorkerHost {
  constructor(private readonly emails: NotificationEmailsService) {
    super();
  }

  async process(job: Job<SendEmailJobData>): Promise<MailAttemptOutcome> {
    if (job.name !== JobName.SendNotificationEmail)
      throw new UnrecoverableError(`unexpected job ${job.name}`);
    return this.emails.attempt(job.data.notificationId);
  }
}
