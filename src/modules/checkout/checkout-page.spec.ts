import { checkoutPageCsp, renderCheckoutPage } from './checkout-page.js';
import type { CheckoutSession } from './checkout-sessions.service.js';

const session: CheckoutSession = {
  id: '9b2f6c1e-8d7a-4f3b-a1c2-3d4e5f6a7b8c',
  userId: '3f1c2b7e-5d4a-4e8b-9c1d-2a3b4c5d6e7f',
  orderId: null,
  amount: 1_250_050,
  currency: 'NGN',
  email: 'payer@example.com',
  gateways: null,
  successUrl: 'https://shop.example.com/thanks?a=1&b="2"',
  cancelUrl: null,
  metadata: null,
  allowedOrigins: ['https://shop.example.com', 'https://www.shop.example.com'],
  livemode: false,
  expiresAt: new Date('2026-01-22T13:04:56.000Z'),
  createdAt: new Date('2026-01-22T12:34:56.000Z'),
  status: 'open',
  paymentReference: null,
  paymentStatus: null,
  failureReason: null,
};

describe('the hosted checkout page', () => {
  it('allows framing only by the session origins, and only its own script', () => {
    expect(checkoutPageCsp(session.allowedOrigins)).toBe(
      "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self'; " +
        "form-action 'self'; base-uri 'none'; frame-ancestors https://shop.example.com https://www.shop.example.com",
    );
    expect(checkoutPageCsp([])).toMatch(/frame-ancestors 'none'$/);
  });

  it('escapes what it prints and asks for an email only when the session has none', () => {
    const html = renderCheckoutPage(session, '<b>Shop & Co</b>', ['paystack', 'test']);
    expect(html).toContain('Pay &lt;b&gt;Shop &amp; Co&lt;/b&gt;');
    expect(html).toContain(
      'data-success-url="https://shop.example.com/thanks?a=1&amp;b=&quot;2&quot;"',
    );
    expect(html).toContain('NGN 12500.50');
    expect(html).toContain('Test mode: no real money');
    expect(html).not.toContain('id="email"');
    expect(html).toContain('value="paystack">Pay with Paystack</button>');
    expect(html).not.toMatch(/<script(?![^>]*\bsrc=)/);
    const asking = renderCheckoutPage({ ...session, email: null, livemode: true }, 'Shop', [
      'test',
    ]);
    expect(asking).toContain('<label for="email">Email</label>');
    expect(asking).not.toContain('Test mode');
  });
});
