import { randomBytes } from 'node:crypto';
import { GenericAdapter } from '../modules/gateways/generic/generic.adapter.js';
import { PaymentsService } from '../modules/payments/payments.service.js';
import { requireOption, type CliCommand } from './cli-command.js';

/**
 * Signs a generic-gateway webhook for one of our payments with this installation's
 * GENERIC_WEBHOOK_SECRET (or the generated development one) and posts it to a running instance.
 * It goes through the same verify-store-process path as a real gateway's event.
 */
export const webhookSimulateCommand: CliCommand = {
  name: 'webhook:simulate',
  description: 'Sign and send a generic gateway webhook for a payment to a running instance',
  usage:
    'webhook:simulate --gateway generic --reference PAY-… --status completed|failed [--amount N] [--currency XXX] [--url URL]',
  async run(context) {
    const gateway = requireOption(context, 'gateway');
    if (gateway !== 'generic')
      throw new Error(
        'only --gateway generic can be simulated (other gateways are verified against their own APIs)',
      );
    const reference = requireOption(context, 'reference');
    const status = requireOption(context, 'status');
    if (status !== 'completed' && status !== 'failed')
      throw new Error('--status must be completed or failed');
    const base =
      typeof context.options.url === 'string' ? context.options.url : context.config.appUrl;

    const app = await context.app();
    const payment = await app.get(PaymentsService, { strict: false }).findByReference(reference);
    const amountOption = context.options.amount;
    const currencyOption = context.options.currency;
    if (!payment && (typeof amountOption !== 'string' || typeof currencyOption !== 'string')) {
      throw new Error(
        `no payment ${reference} in this database: give --amount and --currency to send the event anyway`,
      );
    }
    const amount = typeof amountOption === 'string' ? Number(amountOption) : (payment?.amount ?? 0);
    if (!Number.isSafeInteger(amount) || amount <= 0)
      throw new Error('--amount must be a positive integer in minor units');
    const currency =
      typeof currencyOption === 'string' ? currencyOption.toUpperCase() : (payment?.currency ?? '');

    const adapter = app.get(GenericAdapter, { strict: false });
    if (!adapter.isEnabled())
      throw new Error(
        'GENERIC_WEBHOOK_SECRET is not set (it is generated automatically only in development)',
      );
    const body = JSON.stringify({
      transaction_id: reference,
      payment_id: `sim_${randomBytes(6).toString('hex')}`,
      status,
      amount,
      currency,
    });
    const headers = adapter.sign(body, `msg_${randomBytes(12).toString('hex')}`);
    const url = `${base.replace(/\/+$/, '')}/api/v1/webhooks/generic`;
    const response = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body,
    });
    context.print(`POST ${url} → ${response.status} ${await response.text()}`);
    return response.ok ? 0 : 1;
  },
};
