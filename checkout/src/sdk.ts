import { FAILED_PAYMENT_STATUSES, parseMessage, type SessionStatus } from './messages';

export interface PaymentGatewayOptions {
  /** The merchant's publishable key (pk_test_… or pk_live_…). */
  key: string;
  /** A checkout session the merchant's server created… */
  sessionId?: string;
  /** …or an unpaid order: checkout.js creates the session with the publishable key. */
  orderId?: string;
  onSuccess?: (result: { reference: string; sessionId: string }) => void;
  onFailure?: (result: { reference: string; reason: string }) => void;
  onClose?: () => void;
}

interface SessionView extends SessionStatus {
  id: string;
}

const script = document.currentScript as HTMLScriptElement | null;
/** The backend's origin: where this script was loaded from. Messages from anywhere else are ignored. */
const BACKEND = script ? new URL(script.src).origin : '';
const API = `${BACKEND}/api/v1`;

const STYLE =
  'position:fixed;inset:0;z-index:2147483647;display:flex;align-items:center;justify-content:center;background:rgba(0,0,0,.55)';
const FRAME_STYLE =
  'border:0;background:#fff;width:100%;height:100%;max-width:440px;max-height:680px;border-radius:12px;box-shadow:0 10px 40px rgba(0,0,0,.35)';
const CLOSE_STYLE =
  'position:absolute;top:8px;right:8px;width:44px;height:44px;border:0;border-radius:22px;background:#fff;font:24px/44px sans-serif;cursor:pointer';

/**
 * `new PaymentGateway({key, sessionId | orderId, onSuccess, onFailure, onClose}).open()`: a modal
 * overlay holding the hosted checkout page in an iframe. It listens only to messages from the
 * backend's origin and from its own iframe, and believes none of them about money: onSuccess
 * fires only once GET /checkout/sessions/{id} says `complete`.
 */
export class PaymentGateway {
  private overlay: HTMLDivElement | undefined;
  private frame: HTMLIFrameElement | undefined;
  private sessionId: string | undefined;
  private finished = false;
  private readonly listener = (event: MessageEvent): void => {
    void this.onMessage(event);
  };
  private readonly keyListener = (event: KeyboardEvent): void => {
    if (event.key === 'Escape') this.close();
  };

  constructor(private readonly options: PaymentGatewayOptions) {
    if (!options || typeof options.key !== 'string' || !/^pk_(test|live)_/.test(options.key))
      throw new Error('PaymentGateway: key must be a publishable key (pk_test_… or pk_live_…)');
    if (!options.sessionId === !options.orderId)
      throw new Error('PaymentGateway: give exactly one of sessionId and orderId');
    if (!BACKEND) throw new Error('PaymentGateway: load checkout.js with a <script src> tag');
  }

  async open(): Promise<void> {
    if (this.overlay) return;
    this.sessionId = this.options.sessionId ?? (await this.createSession());
    const overlay = document.createElement('div');
    overlay.setAttribute('role', 'dialog');
    overlay.setAttribute('aria-modal', 'true');
    overlay.setAttribute('aria-label', 'Checkout');
    overlay.style.cssText = STYLE;
    const frame = document.createElement('iframe');
    frame.title = 'Checkout';
    frame.src = `${BACKEND}/api/v1/checkout/${encodeURIComponent(this.sessionId)}`;
    frame.style.cssText = FRAME_STYLE;
    const close = document.createElement('button');
    close.type = 'button';
    close.setAttribute('aria-label', 'Close checkout');
    close.textContent = '×';
    close.style.cssText = CLOSE_STYLE;
    close.addEventListener('click', () => this.close());
    overlay.append(frame, close);
    window.addEventListener('message', this.listener);
    document.addEventListener('keydown', this.keyListener);
    document.body.append(overlay);
    this.overlay = overlay;
    this.frame = frame;
    frame.focus();
  }

  /** Closes the modal; onClose fires when the payer closed it before an outcome. */
  close(): void {
    if (!this.teardown()) return;
    if (!this.finished) this.options.onClose?.();
  }

  private teardown(): boolean {
    if (!this.overlay) return false;
    window.removeEventListener('message', this.listener);
    document.removeEventListener('keydown', this.keyListener);
    this.overlay.remove();
    this.overlay = undefined;
    this.frame = undefined;
    return true;
  }

  private async onMessage(event: MessageEvent): Promise<void> {
    if (event.origin !== BACKEND || !this.frame || event.source !== this.frame.contentWindow)
      return;
    const message = parseMessage(event.data);
    if (!message || message.sessionId !== this.sessionId || this.finished) return;
    if (message.type === 'checkout:close') {
      this.close();
      return;
    }
    // The page's word is a hint: the server's answer decides.
    const session = await this.readSession();
    if (this.finished) return;
    if (session.status === 'complete' && session.payment_reference) {
      this.finished = true;
      this.teardown();
      this.options.onSuccess?.({ reference: session.payment_reference, sessionId: session.id });
    } else if (
      message.type === 'checkout:failed' &&
      session.payment_reference === message.reference &&
      session.payment_status !== null &&
      FAILED_PAYMENT_STATUSES.includes(session.payment_status)
    ) {
      this.finished = true;
      this.teardown();
      this.options.onFailure?.({
        reference: session.payment_reference,
        reason: session.failure_reason ?? 'payment failed',
      });
    }
  }

  private async request(
    method: 'GET' | 'POST',
    path: string,
    body?: unknown,
  ): Promise<SessionView> {
    const headers = { 'x-api-key': this.options.key, 'content-type': 'application/json' };
    const response = await fetch(
      `${API}${path}`,
      method === 'GET' ? { headers } : { method, headers, body: JSON.stringify(body) },
    );
    const data = (await response.json()) as SessionView & { message?: string };
    if (!response.ok) throw new Error(`PaymentGateway: ${data.message ?? response.status}`);
    return data;
  }

  private async createSession(): Promise<string> {
    return (await this.request('POST', '/checkout/sessions', { order_id: this.options.orderId }))
      .id;
  }

  private readSession(): Promise<SessionView> {
    return this.request('GET', `/checkout/sessions/${encodeURIComponent(this.sessionId ?? '')}`);
  }
}

(window as unknown as { PaymentGateway: typeof PaymentGateway }).PaymentGateway = PaymentGateway;
