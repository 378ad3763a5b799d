import { randomBytes } from 'node:crypto';
import { Webhook } from 'standardwebhooks';

export interface GenericEvent {
  transaction_id: string;
  payment_id?: string;
  status: 'completed' | 'failed';
  amount: number;
  currency: string;
  metadata?: Record<string, unknown>;
}

export interface SendOptions {
  /** Defaults to a fresh `msg_…` id; reuse one to send a duplicate. */
  id?: string;
  /** Sign with another secret (a forged event). */
  secret?: string;
  /** Leave the signature header out. */
  unsigned?: boolean;
  timestamp?: Date;
}

/** A generic gateway that signs per Standard Webhooks, as the real sender would. */
export class GenericWebhookSender {
  constructor(readonly secret: string) {}

  static newSecret(): string {
    return `whsec_${randomBytes(32).toString('base64')}`;
  }

  headers(body: string, options: SendOptions = {}): Record<string, string> {
    const id = options.id ?? `msg_${randomBytes(12).toString('hex')}`;
    const at = options.timestamp ?? new Date();
    const secret = options.secret ?? this.secret;
    const webhook = secret.startsWith('whsec_')
      ? new Webhook(secret)
      : new Webhook(secret, { format: 'raw' });
    const headers: Record<string, string> = {
      'content-type': 'application/json',
      'webhook-id': id,
      'webhook-timestamp': String(Math.floor(at.getTime() / 1000)),
    };
    if (!options.unsigned) headers['webhook-signature'] = webhook.sign(id, at, body);
    return headers;
  }

  async send(
    appUrl: string,
    event: GenericEvent,
    options: SendOptions = {},
  ): Promise<{ status: number; body: unknown }> {
    const body = JSON.stringify(event);
    const response = await fetch(`${appUrl}/api/v1/webhooks/generic`, {
      method: 'POST',
      headers: this.headers(body, options),
      body,
    });
    const text = await response.text();
    let parsed: unknown = text;
    try {
      parsed = JSON.parse(text);
    } catch {
      // keep text
    }
    return { status: response.status, body: parsed };
  }
}
