import { FAILED_PAYMENT_STATUSES, type CheckoutMessage, type SessionStatus } from './messages';

/**
 * The hosted checkout page's behaviour. The server renders the page with the session's data on
 * #checkout; this script starts the payment (a popup when the page is embedded, a redirect when
 * it stands alone), follows the session until it is final, and tells the embedding page, by
 * postMessage to the session's allowed origins only.
 */
const root = document.getElementById('checkout');
const POLL_MS = 1500;

function text(id: string, value: string): void {
  const element = document.getElementById(id);
  if (element) element.textContent = value;
}

function start(main: HTMLElement): void {
  const sessionId = main.dataset.session ?? '';
  const origins = JSON.parse(main.dataset.origins ?? '[]') as string[];
  const successUrl = main.dataset.successUrl;
  const embedded = window.parent !== window;
  const form = document.getElementById('pay-form') as HTMLFormElement | null;
  const email = document.getElementById('email') as HTMLInputElement | null;
  let polling = false;
  let told = false;
  /** A payment started from this page: only its failure is news for the embedding page. */
  let started = false;

  // A gateway sent the payer back here inside our popup: the page behind follows the session.
  const params = new URLSearchParams(window.location.search);
  if (params.has('reference') && window.opener && !embedded) {
    text('status', 'Payment finished. You can close this window.');
    window.close();
  }

  function tell(message: CheckoutMessage): void {
    if (!embedded) return;
    for (const origin of origins) window.parent.postMessage(message, origin);
  }

  function show(session: SessionStatus): boolean {
    if (session.status === 'complete') {
      text('status', 'Payment complete. Thank you!');
      form?.setAttribute('hidden', '');
      if (!told && session.payment_reference) {
        told = true;
        tell({ type: 'checkout:complete', sessionId, reference: session.payment_reference });
      }
      if (!embedded && successUrl)
        window.setTimeout(() => window.location.assign(successUrl), 1500);
      return true;
    }
    if (session.status === 'expired') {
      text('status', 'This checkout has expired.');
      form?.setAttribute('hidden', '');
      return true;
    }
    if (session.status === 'processing') {
      text('status', 'Waiting for the payment to complete…');
      form?.setAttribute('hidden', '');
      return false;
    }
    form?.removeAttribute('hidden');
    if (
      session.payment_reference &&
      session.payment_status &&
      FAILED_PAYMENT_STATUSES.includes(session.payment_status)
    ) {
      text(
        'status',
        `The payment failed${session.failure_reason ? `: ${session.failure_reason}` : ''}. You may try again.`,
      );
      // An earlier attempt's failure (the session reopened) keeps the page open for another try.
      if (!started) return false;
      tell({
        type: 'checkout:failed',
        sessionId,
        reference: session.payment_reference,
        reason: session.failure_reason ?? 'payment failed',
      });
      return true;
    }
    return false;
  }

  async function poll(): Promise<void> {
    if (polling) return;
    polling = true;
    try {
      for (;;) {
        const response = await fetch(`/api/v1/checkout/sessions/${sessionId}/status`);
        if (response.ok && show((await response.json()) as SessionStatus)) return;
        await new Promise((resolve) => window.setTimeout(resolve, POLL_MS));
      }
    } finally {
      polling = false;
    }
  }

  form?.addEventListener('submit', (event) => {
    event.preventDefault();
    const submitter = event.submitter as HTMLButtonElement | null;
    const gateway = submitter?.value;
    if (!gateway) return;
    // Opened inside the click, so no popup blocker stops it; pointed at the gateway once known.
    const popup = embedded
      ? window.open('', 'checkout-gateway', 'popup,width=480,height=720')
      : null;
    text('status', 'Starting the payment…');
    void (async () => {
      const response = await fetch(`/api/v1/checkout/sessions/${sessionId}/payments`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(email?.value ? { gateway, email: email.value } : { gateway }),
      });
      const body = (await response.json()) as { authorization_url?: string; message?: string };
      if (!response.ok || !body.authorization_url) {
        popup?.close();
        text('status', body.message ?? 'The payment could not start.');
        return;
      }
      started = true;
      if (!embedded) {
        window.location.assign(body.authorization_url);
        return;
      }
      if (popup) popup.location.href = body.authorization_url;
      else {
        const link = document.getElementById('continue') as HTMLAnchorElement | null;
        if (link) {
          link.href = body.authorization_url;
          link.removeAttribute('hidden');
        }
      }
      await poll();
    })();
  });

  document.getElementById('cancel')?.addEventListener('click', () => {
    tell({ type: 'checkout:close', sessionId });
    const cancelUrl = main.dataset.cancelUrl;
    if (!embedded && cancelUrl) window.location.assign(cancelUrl);
  });

  void poll();
}

if (root) start(root);
