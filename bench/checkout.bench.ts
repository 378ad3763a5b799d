import { gzipSync } from 'node:zlib';
import { CheckoutAssets, type CheckoutAsset } from '../src/modules/checkout/checkout-assets.js';
import { renderCheckoutPage } from '../src/modules/checkout/checkout-page.js';
import type { CheckoutSession } from '../src/modules/checkout/checkout-sessions.service.js';
import type { BenchModule, SummaryRow } from './run.js';

const KB = 1024;
const CHECKOUT_JS_TARGET = 12 * KB;
const FIRST_LOAD_TARGET = 60 * KB;

/** A session as the hosted page shows it: every gateway offered, the email asked for. */
const SESSION: CheckoutSession = {
  id: '9b2f6c1e-8d7a-4f3b-a1c2-3d4e5f6a7b8c',
  userId: '3f1c2b7e-5d4a-4e8b-9c1d-2a3b4c5d6e7f',
  orderId: null,
  amount: 1_250_000,
  currency: 'NGN',
  email: null,
  gateways: null,
  successUrl: 'https://shop.example.com/thanks',
  cancelUrl: 'https://shop.example.com/cart',
  metadata: null,
  allowedOrigins: ['https://shop.example.com'],
  livemode: true,
  expiresAt: new Date('2026-01-22T13:04:56.000Z'),
  createdAt: new Date('2026-01-22T12:34:56.000Z'),
  status: 'open',
  paymentReference: null,
  paymentStatus: null,
  failureReason: null,
};

const gz = (bytes: Buffer): number => gzipSync(bytes, { level: 6 }).length;
const kb = (bytes: number): string => `${(bytes / KB).toFixed(2)} KB`;

/**
 * Sizes of what a browser downloads (SPEC §13 targets): checkout.js, and the hosted page's first
 * load: its HTML (rendered as served, all six gateways) plus every resource it references. Every
 * reference must be same-origin (a path): a third-party one fails the bench.
 */
export const checkoutBench: BenchModule = {
  name: 'checkout',
  run() {
    const assets = new CheckoutAssets();
    const html = Buffer.from(
      renderCheckoutPage(SESSION, 'Shop Example Ltd', [
        'paystack',
        'flutterwave',
        'stripe',
        'paypal',
        'generic',
        'test',
      ]),
    );
    const references = [...html.toString().matchAll(/\s(?:src|href)="([^"#][^"]*)"/g)].map(
      (match) => match[1],
    );
    const thirdParty = references.filter((ref) => !ref.startsWith('/'));
    const served = references.map((ref) => {
      const name = ref.split('/').pop() as CheckoutAsset;
      return { ref, bytes: assets.get(name) };
    });
    const sdk = assets.get('checkout.js');
    const firstLoadRaw = html.length + served.reduce((sum, item) => sum + item.bytes.length, 0);
    const firstLoadGz = gz(html) + served.reduce((sum, item) => sum + gz(item.bytes), 0);
    const lines = [
      `checkout.js: ${kb(sdk.length)} raw, ${kb(gz(sdk))} gzipped (target ≤ 12 KB gzipped)`,
      `hosted page first load: ${kb(firstLoadRaw)} raw, ${kb(firstLoadGz)} gzipped (target ≤ 60 KB gzipped)`,
      `  HTML ${kb(html.length)} (${kb(gz(html))} gz)`,
      ...served.map((s) => `  ${s.ref} ${kb(s.bytes.length)} (${kb(gz(s.bytes))} gz)`),
      `third-party references: ${thirdParty.length === 0 ? 'none' : thirdParty.join(', ')}`,
    ];
    const status = (ok: boolean): string => (ok ? 'met' : 'MISSED');
    const summary: SummaryRow[] = [
      {
        bench: 'checkout',
        metric: 'checkout.js gzipped',
        value: kb(gz(sdk)),
        target: '≤ 12 KB',
        status: status(gz(sdk) <= CHECKOUT_JS_TARGET),
      },
      {
        bench: 'checkout',
        metric: 'hosted page first load gzipped',
        value: kb(firstLoadGz),
        target: '≤ 60 KB',
        status: status(firstLoadGz <= FIRST_LOAD_TARGET),
      },
      {
        bench: 'checkout',
        metric: 'third-party requests',
        value: String(thirdParty.length),
        target: '0',
        status: status(thirdParty.length === 0),
      },
    ];
    if (thirdParty.length > 0) throw new Error(`third-party references: ${thirdParty.join(', ')}`);
    return Promise.resolve({ text: lines.join('\n'), summary });
  },
};
