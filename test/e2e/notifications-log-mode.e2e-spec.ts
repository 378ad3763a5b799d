import { randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import { LOG_DESTINATION } from '../../src/common/logging/logging.module.js';
import { NotificationRelayService } from '../../src/modules/notifications/notification-relay.service.js';
import { OutboxService } from '../../src/modules/outbound-webhooks/outbox.service.js';
import { signIn } from '../helpers/auth.js';
import { captureLogs } from '../helpers/log-capture.js';
import { createTestApp, type TestApp } from '../helpers/test-env.js';
import { sql, waitFor } from './payments.helpers.js';

describe('notifications without SMTP_URL (e2e): the mail goes to the log, address redacted', () => {
  const logs = captureLogs();
  let t: TestApp;

  beforeAll(async () => {
    t = await createTestApp({
      env: { LOG_LEVEL: 'info', SMTP_URL: undefined },
      override: (builder) => builder.overrideProvider(LOG_DESTINATION).useValue(logs.stream),
    });
  });

  afterAll(async () => {
    await t?.close();
  });

  it('logs the mail instead of sending it, marks it logged, and never writes the address or the full sender wallet', async () => {
    const address = `lena-${randomUUID()}@example.com`;
    const owner = await signIn(t, address);
    const senderWallet = '4012345678901';
    await t.get<DataSource>(DataSource).transaction((manager) =>
      t.get<OutboxService>(OutboxService).record(manager, {
        userId: owner.userId,
        type: 'wallet.transfer.received',
        data: {
          id: randomUUID(),
          type: 'transfer_in',
          amount: 123_456,
          currency: 'NGN',
          status: 'success',
          reference: 'TRF-LOGGED',
          counterparty_wallet_number: senderWallet,
          narration: 'books',
          balance_after: 123_456,
          created_at: new Date().toISOString(),
        },
      }),
    );
    await t.get<NotificationRelayService>(NotificationRelayService).relayPending();
    await waitFor(
      () =>
        sql<{ email_status: string }>(
          t,
          `SELECT email_status FROM notifications WHERE user_id = $1`,
          [owner.userId],
        ),
      (rows) => rows[0]?.email_status === 'logged',
    );

    const logged = logs.lines.filter((line) => typeof line.mail === 'object' && line.mail !== null);
    expect(logged).toHaveLength(1);
    const mail = logged[0].mail as Record<string, string>;
    expect(mail.to).toBe('l***@example.com');
    expect(mail.subject.replace(/\u00a0/g, ' ')).toBe('Money received: NGN 1,234.56');
    expect(mail.text).toContain('TRF-LOGGED');
    expect(mail.text).toContain('•••• 8901');
    for (const line of logs.raw) {
      expect(line).not.toContain(address);
      expect(line).not.toContain(senderWallet);
    }
  });
});
