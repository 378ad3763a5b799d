import type { PaymentGateway as Sdk, PaymentGatewayOptions } from './sdk';

/**
 * The TEST_MODE demo shop (GET /api/v1/checkout/demo): "Buy" asks the demo backend for a
 * checkout session, then opens it with checkout.js, exactly as a merchant's page would.
 */
const PaymentGateway = (
  window as unknown as { PaymentGateway: new (o: PaymentGatewayOptions) => Sdk }
).PaymentGateway;
const buy = document.getElementById('buy') as HTMLButtonElement | null;
const result = document.getElementById('result');

function say(text: string): void {
  if (result) result.textContent = text;
}

buy?.addEventListener('click', () => {
  buy.disabled = true;
  say('');
  void (async () => {
    try {
      const response = await fetch('/api/v1/checkout/demo/sessions', { method: 'POST' });
      const body = (await response.json()) as { session_id: string; key: string; message?: string };
      if (!response.ok) throw new Error(body.message ?? String(response.status));
      await new PaymentGateway({
        key: body.key,
        sessionId: body.session_id,
        onSuccess: ({ reference }) => say(`Paid: ${reference}`),
        onFailure: ({ reference, reason }) => say(`Payment ${reference} failed: ${reason}`),
        onClose: () => say('Checkout closed.'),
      }).open();
    } catch (error) {
      say(`Could not start: ${error instanceof Error ? error.message : String(error)}`);
    } finally {
      buy.disabled = false;
    }
  })();
});
