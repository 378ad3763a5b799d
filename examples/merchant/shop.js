// The merchant's page: ask its own backend for a session, then open the checkout modal.
const result = document.getElementById('result');
document.getElementById('buy').addEventListener('click', async () => {
  const session = await (await fetch('/session', { method: 'POST' })).json();
  if (!session.id) {
    result.textContent = `Could not start: ${session.message ?? 'unknown error'}`;
    return;
  }
  new PaymentGateway({
    key: document.body.dataset.key,
    sessionId: session.id,
    // Fired only once the backend says the session is complete; still confirm on your server
    // (GET /api/v1/checkout/sessions/{id} or the payment.success webhook) before shipping.
    onSuccess: ({ reference }) => (result.textContent = `Paid: ${reference}`),
    onFailure: ({ reference, reason }) => (result.textContent = `${reference} failed: ${reason}`),
    onClose: () => (result.textContent = 'Checkout closed'),
  }).open();
});
