import {
  type NotificationContent,
  formatMoney,
  formatTime,
  maskAccountNumber,
} from './notification-templates.js';

/**
 * The email switches of `GET/PATCH /notification-preferences`; a switch not set is on. Payer
 * receipts (payments and refunds) follow the merchant's `payment_receipts` (SPEC §16).
 */
export const EMAIL_PREFERENCES = [
  'payment_receipts',
  'wallet_deposits',
  'wallet_transfers',
  'payouts',
] as const;
export type EmailPreference = (typeof EMAIL_PREFERENCES)[number];

/**
 * What a notification keeps of its event (`notifications.data`, shown in the in-app list): only
 * these fields, picked by the rule, never the event's tokens, URLs, metadata or full numbers.
 */
export type NotificationView = Record<string, string | number | null>;

export interface NotificationRule {
  /** The email switch (of the event's user) that lets the mail go. */
  preference: EmailPreference;
  /**
   * Who gets the mail: `owner` is the event's user (whose in-app notification it also is); `payer`
   * is the email the payment named by `view.payment_reference` was made with.
   */
  mailTo: 'owner' | 'payer';
  /** The kept fields of the event's data, or null when this event tells no one anything. */
  view: (data: Record<string, unknown>) => NotificationView | null;
  /** The in-app notification of the event's user. */
  inApp: (view: NotificationView) => NotificationContent;
  /** The mail; the in-app content when the owner is also the one mailed. */
  mail?: (view: NotificationView) => NotificationContent;
}

/**
 * Event type → notification. To notify people of a new outbound event, add its entry here (and
 * its preference to EMAIL_PREFERENCES if it needs a switch of its own); nothing else changes.
 */
export const NOTIFICATION_RULES: Readonly<Record<string, NotificationRule>> = {
  'payment.success': {
    preference: 'payment_receipts',
    mailTo: 'payer',
    // A wallet top-up is told by wallet.deposit.success, to its owner, once.
    view: (data) =>
      data.purpose === 'wallet_deposit'
        ? null
        : {
            payment_reference: text(data, 'reference'),
            amount: money(data.amount_received ?? data.amount),
            currency: text(data, 'currency'),
            paid_at: text(data, 'settled_at', text(data, 'updated_at')),
          },
    inApp: (v) => ({
      title: `Payment received: ${amount(v)}`,
      summary: `A payment of ${amount(v)} succeeded. The payer was sent a receipt.`,
      details: [
        ['Amount', amount(v)],
        ['Reference', String(v.payment_reference)],
        ['Date', formatTime(String(v.paid_at))],
      ],
    }),
    mail: (v) => ({
      title: `Your receipt: ${amount(v)}`,
      summary: `Thank you. Your payment of ${amount(v)} was received.`,
      details: [
        ['Amount paid', amount(v)],
        ['Reference', String(v.payment_reference)],
        ['Date', formatTime(String(v.paid_at))],
      ],
    }),
  },
  'refund.processed': {
    preference: 'payment_receipts',
    mailTo: 'payer',
    view: (data) => ({
      refund_id: text(data, 'id'),
      payment_reference: text(data, 'payment_reference'),
      amount: money(data.amount),
      currency: text(data, 'currency'),
      refunded_at: text(data, 'completed_at', text(data, 'updated_at')),
    }),
    inApp: (v) => ({
      title: `Refund processed: ${amount(v)}`,
      summary: `A refund of ${amount(v)} for payment ${String(v.payment_reference)} was processed. The payer was told.`,
      details: [
        ['Amount', amount(v)],
        ['Payment reference', String(v.payment_reference)],
        ['Date', formatTime(String(v.refunded_at))],
      ],
    }),
    mail: (v) => ({
      title: `Your refund: ${amount(v)}`,
      summary: `A refund of ${amount(v)} for your payment ${String(v.payment_reference)} has been processed. It may take a few days to reach you.`,
      details: [
        ['Amount refunded', amount(v)],
        ['Payment reference', String(v.payment_reference)],
        ['Date', formatTime(String(v.refunded_at))],
      ],
    }),
  },
  'wallet.deposit.success': {
    preference: 'wallet_deposits',
    mailTo: 'owner',
    view: (data) => ({
      reference: text(data, 'reference'),
      amount: money(data.amount),
      currency: text(data, 'currency'),
      credited_at: text(data, 'created_at'),
    }),
    inApp: (v) => ({
      title: `Wallet funded: ${amount(v)}`,
      summary: `Your wallet was credited with ${amount(v)}.`,
      details: [
        ['Amount', amount(v)],
        ['Reference', String(v.reference)],
        ['Date', formatTime(String(v.credited_at))],
      ],
    }),
  },
  'wallet.transfer.received': {
    preference: 'wallet_transfers',
    mailTo: 'owner',
    view: (data) => ({
      reference: text(data, 'reference'),
      amount: money(data.amount),
      currency: text(data, 'currency'),
      from_wallet: maskAccountNumber(text(data, 'counterparty_wallet_number', '')),
      narration: typeof data.narration === 'string' ? data.narration.slice(0, 200) : null,
      received_at: text(data, 'created_at'),
    }),
    inApp: (v) => ({
      title: `Money received: ${amount(v)}`,
      summary: `You received ${amount(v)} from wallet ${String(v.from_wallet)}.`,
      details: [
        ['Amount', amount(v)],
        ['From wallet', String(v.from_wallet)],
        ...(v.narration ? [['Narration', String(v.narration)] as [string, string]] : []),
        ['Reference', String(v.reference)],
        ['Date', formatTime(String(v.received_at))],
      ],
    }),
  },
  'payout.succeeded': payoutRule('succeeded'),
  'payout.failed': payoutRule('failed'),
  'payout.reversed': payoutRule('reversed'),
};

/**
 * Payouts (SPEC §12): the withdrawal as `GET /wallet/withdrawals/{id}` shows it, to the wallet's
 * owner. The recipient is named by bank and last four digits only.
 */
function payoutRule(outcome: 'succeeded' | 'failed' | 'reversed'): NotificationRule {
  const said = {
    succeeded: { title: 'Payout sent', summary: 'was sent to' },
    failed: { title: 'Payout failed', summary: 'could not be sent to' },
    reversed: { title: 'Payout reversed', summary: 'was returned by the bank for' },
  }[outcome];
  return {
    preference: 'payouts',
    mailTo: 'owner',
    view: (data) => {
      const recipient =
        typeof data.recipient === 'object' && data.recipient !== null
          ? (data.recipient as Record<string, unknown>)
          : {};
      const last4 =
        typeof recipient.account_number_last4 === 'string' ? recipient.account_number_last4 : '';
      const bank = typeof recipient.bank_name === 'string' ? recipient.bank_name.slice(0, 100) : '';
      return {
        reference: text(data, 'reference'),
        amount: money(data.amount),
        currency: text(data, 'currency'),
        to_account: [bank, last4 ? `•••• ${last4.replace(/\D/g, '').slice(-4)}` : '']
          .filter((part) => part !== '')
          .join(' '),
        at: text(data, 'updated_at', text(data, 'created_at', '')),
      };
    },
    inApp: (v) => ({
      title: `${said.title}: ${amount(v)}`,
      summary: `Your withdrawal of ${amount(v)} ${said.summary} ${String(v.to_account)}.${
        outcome === 'succeeded' ? '' : ' The money is back in your wallet.'
      }`,
      details: [
        ['Amount', amount(v)],
        ['To', String(v.to_account)],
        ['Reference', String(v.reference)],
        ...(v.at ? [['Date', formatTime(String(v.at))] as [string, string]] : []),
      ],
    }),
  };
}

export function notificationRule(eventType: string): NotificationRule | undefined {
  return Object.hasOwn(NOTIFICATION_RULES, eventType) ? NOTIFICATION_RULES[eventType] : undefined;
}

function amount(view: NotificationView): string {
  return formatMoney(Number(view.amount), String(view.currency));
}

function text(data: Record<string, unknown>, key: string, fallback?: string): string {
  const value = data[key];
  if (typeof value === 'string' && value.length > 0) return value;
  if (fallback !== undefined) return fallback;
  throw new Error(`event data has no ${key}`);
}

function money(value: unknown): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0)
    throw new Error('event data has no amount');
  return value;
}
