import { Injectable, Logger, type OnModuleDestroy } from '@nestjs/common';
import { createTransport } from 'nodemailer';
import { AppConfig } from '../../config/app-config.js';
import type { RenderedMail } from './notification-templates.js';

/** Open SMTP connections one process keeps; mails queue on them (nodemailer's pool). */
const SMTP_MAX_CONNECTIONS = 8;
/** Bounds on one send, so an attempt ends well inside its lease (MAIL_SEND_LEASE_MS). */
const SMTP_CONNECTION_TIMEOUT_MS = 15_000;
const SMTP_GREETING_TIMEOUT_MS = 15_000;
const SMTP_SOCKET_TIMEOUT_MS = 60_000;

/** "alice@example.com" → "a***@example.com": enough to tell mails apart in a log, no more. */
export function redactEmail(address: string): string {
  const at = address.lastIndexOf('@');
  if (at <= 0) return '***';
  return `${address[0]}***${address.slice(at)}`;
}

/** Every address inside a text (an SMTP server's answer often quotes the recipient) redacted. */
export function redactEmailsIn(text: string): string {
  return text.replace(/[^\s<>"'(),;:]+@[^\s<>"'(),;:]+/g, (address) => redactEmail(address));
}

export interface OutgoingMail extends RenderedMail {
  to: string;
  /** Stable per notification, so a mail sent again after a lost answer can be recognised. */
  messageId: string;
}

/**
 * Sends mail through SMTP_URL with nodemailer's pooled transport; without SMTP_URL it writes the
 * mail to the log instead, the address redacted. A send that throws was not accepted.
 */
@Injectable()
export class Mailer implements OnModuleDestroy {
  private readonly logger = new Logger('Mailer');
  private readonly transport;

  constructor(private readonly config: AppConfig) {
    this.transport = config.smtpUrl
      ? createTransport({
          pool: true,
          url: config.smtpUrl,
          maxConnections: SMTP_MAX_CONNECTIONS,
          maxMessages: Infinity,
          connectionTimeout: SMTP_CONNECTION_TIMEOUT_MS,
          greetingTimeout: SMTP_GREETING_TIMEOUT_MS,
          socketTimeout: SMTP_SOCKET_TIMEOUT_MS,
          // A retry is ours to schedule (with backoff, counted): the pool never resends on its own.
          maxRequeues: 0,
        })
      : undefined;
  }

  get delivers(): boolean {
    return this.transport !== undefined;
  }

  async send(mail: OutgoingMail): Promise<'sent' | 'logged'> {
    if (!this.transport) {
      this.logger.log(
        {
          mail: {
            to: redactEmail(mail.to),
            from: this.config.mailFrom,
            subject: mail.subject,
            message_id: mail.messageId,
            text: mail.text,
          },
        },
        'SMTP_URL is not set: mail written to the log instead of sent',
      );
      return 'logged';
    }
    await this.transport.sendMail({
      from: this.config.mailFrom,
      to: mail.to,
      subject: mail.subject,
      text: mail.text,
      html: mail.html,
      messageId: mail.messageId,
    });
    return 'sent';
  }

  onModuleDestroy(): void {
    this.transport?.close();
  }
}
