import { Module } from '@nestjs/common';
import { Mailer } from './mailer.service.js';
import { NotificationEmailsService } from './notification-emails.service.js';
import { NotificationRelayService } from './notification-relay.service.js';
import {
  NotificationPreferencesController,
  NotificationsController,
} from './notifications.controller.js';
import {
  NotificationEmailsProcessor,
  NotificationRelayProcessor,
} from './notifications.processor.js';
import { NotificationsService } from './notifications.service.js';

/**
 * Notifications to people (SPEC §16): driven by committed outbox events (notification_inbox),
 * never by the request path; the rules of notification-rules.ts say who is told what.
 */
@Module({
  controllers: [NotificationsController, NotificationPreferencesController],
  providers: [
    Mailer,
    NotificationRelayService,
    NotificationEmailsService,
    NotificationsService,
    NotificationRelayProcessor,
    NotificationEmailsProcessor,
  ],
  exports: [NotificationRelayService],
})
export class NotificationsModule {}
