import { createHash } from 'node:crypto';
import { minorToMajorString } from '../../common/money.js';
import type { TestCharge } from '../gateways/test/test-gateway.adapter.js';

const STYLE = `body{font:16px/1.5 system-ui,sans-serif;max-width:28rem;margin:2rem auto;padding:0 1rem;color:#1a1a1a}
h1{font-size:1.25rem}.amount{font-size:2rem;font-weight:600;margin:.5rem 0 1.5rem}
form{display:inline-block;margin-right:.75rem}button{font:inherit;padding:.6rem 1.4rem;border-radius:.4rem;border:1px solid #555;cursor:pointer}
.pay{background:#0a7d38;color:#fff;border-color:#0a7d38}.note{color:#555;font-size:.875rem;margin-top:2rem}`;

/** The page's only style, allowed by its hash: no inline script, nothing from anywhere else. */
export const TEST_PAGE_CSP = [
  "default-src 'none'",
  `style-src 'sha256-${createHash('sha256').update(STYLE).digest('base64')}'`,
  "frame-ancestors 'none'",
  "base-uri 'none'",
].join('; ');

function escapeHtml(text: string): string {
  return text.replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] ?? c,
  );
}

const DONE: Record<Exclude<TestCharge['status'], 'pending'>, string> = {
  authorized: 'been authorized (a manual capture: the merchant captures it later)',
  succeeded: 'been paid',
  failed: 'failed',
  canceled: 'been authorized and then canceled',
};

/** The test gateway's hosted page: the amount and two buttons (plain forms, no script). */
export function renderTestGatewayPage(charge: TestCharge, action: string): string {
  const amount = `${escapeHtml(charge.currency)} ${escapeHtml(minorToMajorString(charge.amount, charge.currency))}`;
  const decided =
    charge.status === 'pending'
      ? `<form method="post" action="${escapeHtml(action)}/pay"><button class="pay" type="submit">Pay</button></form>
<form method="post" action="${escapeHtml(action)}/fail"><button type="submit">Fail</button></form>`
      : `<p role="status">This payment has already ${DONE[charge.status]}.</p>`;
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>Test gateway</title><style>${STYLE}</style></head>
<body><main><h1>Test gateway</h1>
<p>Payment <code>${escapeHtml(charge.reference)}</code></p>
<p class="amount">${amount}</p>
${decided}
<p class="note">TEST_MODE: no real money moves. Pay settles the payment as succeeded (only authorized, for a manual capture), Fail as failed.</p>
</main></body></html>`;
}
