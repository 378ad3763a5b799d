import { minorToMajorString } from '../../common/money.js';
import type { GatewayName } from '../gateways/gateway.interface.js';
import type { CheckoutSession } from './checkout-sessions.service.js';

const GATEWAY_LABELS: Record<GatewayName, string> = {
  paystack: 'Paystack',
  flutterwave: 'Flutterwave',
  stripe: 'Card (Stripe)',
  paypal: 'PayPal',
  generic: 'Pay online',
  test: 'Test gateway',
};

export const ASSET_PATH = '/api/v1/checkout/assets';

function escapeHtml(text: string): string {
  return text.replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] ?? c,
  );
}

/**
 * The hosted page's policy (SPEC §13): its own script and style only, API calls to itself, no
 * inline script, and framed only by the origins the session was created for.
 */
export function checkoutPageCsp(allowedOrigins: readonly string[]): string {
  return [
    "default-src 'none'",
    "script-src 'self'",
    "style-src 'self'",
    "connect-src 'self'",
    "img-src 'self'",
    "form-action 'self'",
    "base-uri 'none'",
    `frame-ancestors ${allowedOrigins.length > 0 ? allowedOrigins.join(' ') : "'none'"}`,
  ].join('; ');
}

/** Server-rendered page: the session's data on #checkout for page.js, one button per gateway. */
export function renderCheckoutPage(
  session: CheckoutSession,
  merchant: string,
  gateways: readonly GatewayName[],
): string {
  const amount = `${session.currency} ${minorToMajorString(session.amount, session.currency)}`;
  const data = [
    `data-session="${escapeHtml(session.id)}"`,
    `data-origins="${escapeHtml(JSON.stringify(session.allowedOrigins))}"`,
    session.successUrl ? `data-success-url="${escapeHtml(session.successUrl)}"` : '',
    session.cancelUrl ? `data-cancel-url="${escapeHtml(session.cancelUrl)}"` : '',
  ]
    .filter(Boolean)
    .join(' ');
  const email =
    session.email === null
      ? `<label for="email">Email</label><input id="email" name="email" type="email" autocomplete="email" required maxlength="254">`
      : '';
  const buttons = gateways
    .map(
      (name) =>
        `<button class="gateway" type="submit" name="gateway" value="${name}">Pay with ${escapeHtml(GATEWAY_LABELS[name])}</button>`,
    )
    .join('\n');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>Pay ${escapeHtml(merchant)}</title>
<link rel="stylesheet" href="${ASSET_PATH}/page.css"><script src="${ASSET_PATH}/page.js" defer></script></head>
<body><main id="checkout" ${data}>
${session.livemode ? '' : '<p class="test">Test mode: no real money</p>'}
<h1>Pay ${escapeHtml(merchant)}</h1>
<p class="amount">${escapeHtml(amount)}</p>
<form id="pay-form"${session.status === 'open' ? '' : ' hidden'}>
${email}
<fieldset><legend>Choose how to pay</legend>
${buttons}
</fieldset>
</form>
<a id="continue" href="#" target="_blank" rel="noopener" hidden>Continue to the payment page</a>
<p id="status" role="status" aria-live="polite"></p>
<button id="cancel" class="link" type="button">Cancel</button>
</main></body></html>`;
}

export const DEMO_PAGE_CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "connect-src 'self'",
  "frame-src 'self'",
  "base-uri 'none'",
  "frame-ancestors 'none'",
].join('; ');

/** The TEST_MODE demo shop: a merchant page that embeds checkout.js (see examples/ for another origin). */
export const DEMO_PAGE = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>Demo shop</title><link rel="stylesheet" href="${ASSET_PATH}/page.css">
<script src="/api/v1/checkout.js" defer></script><script src="${ASSET_PATH}/demo.js" defer></script></head>
<body><main><p class="test">Test mode: no real money</p>
<h1>Demo shop</h1><p class="amount">NGN 2500.00</p>
<p>A mug of very good coffee. Pay with the built-in test gateway: Pay or Fail.</p>
<button id="buy" class="gateway" type="button">Buy</button>
<p id="result" role="status" aria-live="polite"></p></main></body></html>`;
