import { randomBytes } from 'node:crypto';
import { Webhook } from 'standardwebhooks';

export const SECRET_PREFIX = 'whsec_';

/** `whsec_` + base64 of 32 random bytes: the format the Standard Webhooks libraries accept. */
export function generateWebhookSecret(): string {
  return `${SECRET_PREFIX}${randomBytes(32).toString('base64')}`;
}

/**
 * What an endpoint's stored secrets are bound to when sealed (DataKeyring): a sealed secret opens
 * only in its own endpoint's row, in either column (a rotation moves it to previous_secret).
 */
export function secretContext(endpointId: string): string {
  // Postgres prints uuids in lower case; a caller may have written the id in upper case.
  return `webhook_endpoints:${endpointId.toLowerCase()}`;
}

export interface SignedHeaders {
  'webhook-id': string;
  'webhook-timestamp': string;
  'webhook-signature': string;
}

/**
 * Standard Webhooks headers for one attempt. Each secret signs `id.timestamp.body`; during a
 * rotation both signatures go out, space-separated, so a receiver holding either secret verifies.
 */
export function signWebhook(
  secrets: string[],
  messageId: string,
  attemptAt: Date,
  body: string,
): SignedHeaders {
  if (secrets.length === 0) throw new Error('at least one secret is needed to sign');
  const signatures = secrets.map((secret) => new Webhook(secret).sign(messageId, attemptAt, body));
  return {
    'webhook-id': messageId,
    'webhook-timestamp': String(Math.floor(attemptAt.getTime() / 1000)),
    'webhook-signature': signatures.join(' '),
  };
}

export interface WebhookBody {
  id: string;
  event: string;
  /** Unix seconds of the event (not of the attempt). */
  timestamp: number;
  data: Record<string, unknown>;
}

export function webhookBody(event: {
  id: string;
  type: string;
  createdAt: Date;
  data: Record<string, unknown>;
}): string {
  const body: WebhookBody = {
    id: event.id,
    event: event.type,
    timestamp: Math.floor(event.createdAt.getTime() / 1000),
    data: event.data,
  };
  return JSON.stringify(body);
}
