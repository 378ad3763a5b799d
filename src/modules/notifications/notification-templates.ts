import { type Minor, currencyExponent, minorToMajorString } from '../../common/money.js';

/**
 * What a notification says, as data: every template answers this and one renderer turns it into
 * the in-app title and body and the mail's text and HTML, escaping every value once, here.
 */
export interface NotificationContent {
  /** The in-app title and the mail's subject. */
  title: string;
  /** One sentence: the in-app body and the mail's first paragraph. */
  summary: string;
  /** Label and value rows (amount, reference, date) under the summary. */
  details: [label: string, value: string][];
}

export interface RenderedMail {
  subject: string;
  text: string;
  html: string;
}

const FOOTER =
  'You receive this email because of activity on your account. You can turn these emails off in your notification preferences.';

/** An amount in minor units in major units with its currency ("NGN 5,000.00", "$75.00": en-US, so a symbol is never ambiguous), exactly. */
export function formatMoney(amount: Minor, currency: string): string {
  // A decimal string keeps every digit (Intl formats strings exactly, never through a float).
  return moneyFormat(currency).format(minorToMajorString(amount, currency) as `${number}`);
}

/** Building an Intl formatter costs about a millisecond: one per currency, kept. */
const moneyFormats = new Map<string, Intl.NumberFormat>();
function moneyFormat(currency: string): Intl.NumberFormat {
  let format = moneyFormats.get(currency);
  if (!format) {
    const exponent = currencyExponent(currency);
    format = new Intl.NumberFormat('en-US', {
      style: 'currency',
      currency,
      minimumFractionDigits: exponent,
      maximumFractionDigits: exponent,
    });
    if (moneyFormats.size < 500) moneyFormats.set(currency, format);
  }
  return format;
}

/** Only the last four digits of an account or wallet number ever reach a message. */
export function maskAccountNumber(number: string): string {
  const digits = number.replace(/\D/g, '');
  return digits.length <= 4 ? '••••' : `•••• ${digits.slice(-4)}`;
}

const TIME_FORMAT = new Intl.DateTimeFormat('en-GB', {
  day: 'numeric',
  month: 'short',
  year: 'numeric',
  hour: '2-digit',
  minute: '2-digit',
  timeZone: 'UTC',
});

/** "7 Dec 2026, 14:05 UTC" for an ISO timestamp. */
export function formatTime(iso: string): string {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
  return `${TIME_FORMAT.format(date)} UTC`;
}

const HTML_ESCAPES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};

export function escapeHtml(value: string): string {
  return value.replace(/[&<>"']/g, (char) => HTML_ESCAPES[char]);
}

/** Collapses control characters (a narration's newlines) so a value cannot forge lines or headers. */
function singleLine(value: string): string {
  // eslint-disable-next-line no-control-regex
  return value.replace(/[\u0000-\u001f\u007f]+/g, ' ').trim();
}

/** The mail for a notification's content: plain text and HTML saying the same. */
export function renderMail(content: NotificationContent): RenderedMail {
  const subject = singleLine(content.title);
  const summary = singleLine(content.summary);
  const details = content.details.map(
    ([label, value]) => [singleLine(label), singleLine(value)] as const,
  );
  const text = [
    summary,
    '',
    ...details.map(([label, value]) => `${label}: ${value}`),
    '',
    '--',
    FOOTER,
    '',
  ].join('\n');
  const rows = details
    .map(
      ([label, value]) =>
        `<tr><th align="left" style="padding:4px 12px 4px 0;color:#555">${escapeHtml(label)}</th><td style="padding:4px 0">${escapeHtml(value)}</td></tr>`,
    )
    .join('');
  const html = [
    '<!doctype html>',
    `<html><head><meta charset="utf-8"><title>${escapeHtml(subject)}</title></head>`,
    '<body style="font-family:Arial,Helvetica,sans-serif;color:#222">',
    `<h1 style="font-size:20px">${escapeHtml(subject)}</h1>`,
    `<p>${escapeHtml(summary)}</p>`,
    `<table role="presentation">${rows}</table>`,
    `<p style="color:#777;font-size:12px">${escapeHtml(FOOTER)}</p>`,
    '</body></html>',
  ].join('\n');
  return { subject, text, html };
}
