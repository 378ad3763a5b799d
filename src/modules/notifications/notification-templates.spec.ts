import { NOTIFICATION_RULES, notificationRule } from './notification-rules.js';
import {
  escapeHtml,
  formatMoney,
  maskAccountNumber,
  renderMail,
} from './notification-templates.js';

describe('formatMoney: minor units shown in major units with the currency', () => {
  it.each([
    [500_000, 'NGN', 'NGN 5,000.00'],
    [7_500, 'USD', '$75.00'],
    [5, 'USD', '$0.05'],
    [1_500, 'JPY', '¥1,500'],
    [1_234, 'KWD', 'KWD 1.234'],
    [Number.MAX_SAFE_INTEGER, 'USD', '$90,071,992,547,409.91'],
  ])('%d %s → %s', (amount, currency, shown) => {
    expect(formatMoney(amount, currency).replace(/\u00a0/g, ' ')).toBe(shown);
  });
});

describe('maskAccountNumber', () => {
  it('keeps only the last four digits', () => {
    expect(maskAccountNumber('4012345678901')).toBe('•••• 8901');
    expect(maskAccountNumber('123')).toBe('••••');
    expect(maskAccountNumber('')).toBe('••••');
  });
});

describe('renderMail', () => {
  const content = {
    title: 'Money received: <b>₦1.00</b>',
    summary: 'From "Ada" & co\r\nBcc: victim@example.com',
    details: [['Narration', '<script>alert(1)</script>']] as [string, string][],
  };

  it('escapes every value in the HTML', () => {
    const { html } = renderMail(content);
    expect(html).not.toContain('<script>');
    expect(html).not.toContain('<b>');
    expect(html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(html).toContain('From &quot;Ada&quot; &amp; co');
    expect(escapeHtml(`<'&">`)).toBe('&lt;&#39;&amp;&quot;&gt;');
  });

  it('keeps the subject and values on one line each, so nothing can forge a header or a row', () => {
    const mail = renderMail(content);
    expect(mail.subject).not.toMatch(/[\r\n]/);
    expect(mail.text.split('\n')[0]).toBe('From "Ada" & co Bcc: victim@example.com');
  });

  it('says the same in text and HTML', () => {
    const mail = renderMail({
      title: 'Your receipt: $75.00',
      summary: 'Thank you.',
      details: [['Amount paid', '$75.00']],
    });
    expect(mail.text).toContain('Amount paid: $75.00');
    expect(mail.html).toContain(
      '<th align="left" style="padding:4px 12px 4px 0;color:#555">Amount paid</th>',
    );
  });
});

describe('notification rules', () => {
  const payment = {
    reference: 'PAY-20260122123456-AB12CD34',
    purpose: 'payment',
    status: 'succeeded',
    amount: 7_500,
    amount_received: 7_500,
    currency: 'USD',
    email: 'payer@example.com',
    authorization_url: 'https://checkout.example/pay/secret-token',
    access_code: 'ACCESS-CODE-SECRET',
    metadata: { api_key: 'sk_live_leaked' },
    settled_at: '2026-01-22T12:35:10.000Z',
    updated_at: '2026-01-22T12:35:10.000Z',
  };

  it('a payment receipt keeps reference, amount and time, never tokens, URLs, metadata or the address', () => {
    const rule = notificationRule('payment.success');
    const view = rule?.view(payment);
    expect(view).toEqual({
      payment_reference: payment.reference,
      amount: 7_500,
      currency: 'USD',
      paid_at: payment.settled_at,
    });
    const mail = renderMail(rule!.mail!(view!));
    expect(mail.subject).toBe('Your receipt: $75.00');
    for (const secret of [
      'secret-token',
      'ACCESS-CODE-SECRET',
      'sk_live_leaked',
      'payer@example.com',
    ])
      expect(JSON.stringify(mail)).not.toContain(secret);
  });

  it('a wallet deposit payment makes no receipt (wallet.deposit.success tells its owner)', () => {
    expect(
      notificationRule('payment.success')?.view({ ...payment, purpose: 'wallet_deposit' }),
    ).toBeNull();
  });

  it('a transfer received shows the sender wallet masked', () => {
    const rule = notificationRule('wallet.transfer.received')!;
    const view = rule.view({
      id: 'e1',
      type: 'transfer_in',
      amount: 250_000,
      currency: 'NGN',
      reference: 'TRF-1',
      counterparty_wallet_number: '4012345678901',
      narration: 'rent <june>',
      balance_after: 250_000,
      created_at: '2026-01-22T12:35:10.000Z',
    })!;
    const mail = renderMail(rule.inApp(view));
    expect(mail.text).toContain('•••• 8901');
    expect(mail.text).not.toContain('4012345678901');
    expect(mail.html).toContain('rent &lt;june&gt;');
    expect(mail.subject.replace(/\u00a0/g, ' ')).toBe('Money received: NGN 2,500.00');
  });

  it('a malformed event is refused rather than told wrong', () => {
    expect(() => notificationRule('refund.processed')?.view({ id: 'r1', amount: 1.5 })).toThrow();
  });

  it('knows no rule for events that tell no one, and none inherited from Object', () => {
    expect(notificationRule('payment.failed')).toBeUndefined();
    expect(notificationRule('toString')).toBeUndefined();
    expect(Object.keys(NOTIFICATION_RULES).sort()).toEqual([
      'payment.success',
      'payout.failed',
      'payout.reversed',
      'payout.succeeded',
      'refund.processed',
      'wallet.deposit.success',
      'wallet.transfer.received',
    ]);
  });

  it('tells a payout to its owner by bank and last four digits (the withdrawal as GET shows it, SPEC §12)', () => {
    const withdrawal = {
      id: 'b2f0c3de-0d7c-4c4e-9d7e-2f1f3f8e9a10',
      reference: 'WDR-20260122123456-AB12CD34',
      amount: 1_500_000,
      currency: 'NGN',
      status: 'failed',
      narration: 'school fees',
      recipient: {
        id: 'r1',
        account_name: 'ADA OBI',
        account_number_last4: '6789',
        bank_name: 'Guaranty Trust Bank',
      },
      created_at: '2026-01-22T12:34:56.000Z',
    };
    const failed = notificationRule('payout.failed')!;
    const mail = renderMail(failed.inApp(failed.view(withdrawal)!));
    expect(mail.subject.replace(/\u00a0/g, ' ')).toBe('Payout failed: NGN 15,000.00');
    expect(mail.text).toContain('Guaranty Trust Bank •••• 6789');
    expect(mail.text).toContain('The money is back in your wallet.');
    expect(mail.text).toContain('WDR-20260122123456-AB12CD34');
    const sent = notificationRule('payout.succeeded')!;
    expect(renderMail(sent.inApp(sent.view(withdrawal)!)).text).not.toContain(
      'back in your wallet',
    );
    expect(sent.preference).toBe('payouts');
    expect(sent.mailTo).toBe('owner');
  });
});
