import { redactEmail, redactEmailsIn } from './mailer.service.js';

describe('address redaction for logs', () => {
  it('keeps the first letter and the domain', () => {
    expect(redactEmail('alice@example.com')).toBe('a***@example.com');
    expect(redactEmail('not-an-address')).toBe('***');
  });

  it('redacts every address an SMTP answer quotes', () => {
    expect(redactEmailsIn('550 5.1.1 <bob@shop.example>: Recipient address rejected')).toBe(
      '550 5.1.1 <b***@shop.example>: Recipient address rejected',
    );
  });
});
