import type {
  GatewayDispute,
  GatewayDisputeStatus,
  NormalizedWebhookEvent,
} from '../gateway.interface.js';
import { type Json, isObject } from '../gateway-json.js';

/**
 * Paystack disputes (https://paystack.com/docs/api/dispute/): `charge.dispute.create`,
 * `charge.dispute.remind` and `charge.dispute.resolve` carry the Dispute object as `data`; the
 * dispute itself is then fetched with `GET /dispute/:id`. Amounts are in the subunit.
 */
export const PAYSTACK_DISPUTE_EVENTS: readonly string[] = [
  'charge.dispute.create',
  'charge.dispute.remind',
  'charge.dispute.resolve',
];

function scalar(value: unknown): string | undefined {
  return typeof value === 'string' || typeof value === 'number' ? String(value) : undefined;
}

function minor(value: unknown): number | undefined {
  if (typeof value === 'number' && Number.isSafeInteger(value) && value > 0) return value;
  if (typeof value === 'string' && /^\d{1,15}$/.test(value) && Number(value) > 0)
    return Number(value);
  return undefined;
}

/**
 * Paystack's dispute status and resolution → ours: awaiting-merchant-feedback is open (the
 * merchant must answer); awaiting-bank-feedback and pending are under review; resolved is won when
 * the merchant's decline was upheld (`declined`), lost when the refund went to the customer
 * (`merchant-accepted`, which we also reach by accepting).
 */
export function mapPaystackDisputeStatus(
  status: string,
  resolution: string | null | undefined,
): GatewayDisputeStatus {
  switch (status) {
    case 'resolved':
    case 'archived':
      return resolution === 'merchant-accepted' ? 'lost' : 'won';
    case 'awaiting-bank-feedback':
    case 'pending':
      return 'under_review';
    default:
      return 'open';
  }
}

/** A Paystack Dispute object (GET /dispute/:id `data`) → the gateway's truth about the dispute. */
export function mapPaystackDispute(dispute: Json): GatewayDispute {
  const id = scalar(dispute.id);
  if (!id) throw new TypeError('Paystack dispute without an id');
  const transaction = isObject(dispute.transaction) ? dispute.transaction : {};
  const amount = minor(dispute.refund_amount) ?? minor(transaction.amount);
  if (amount === undefined) throw new TypeError(`Paystack dispute ${id} has no amount`);
  const currency = scalar(dispute.currency) ?? scalar(transaction.currency);
  if (!currency) throw new TypeError(`Paystack dispute ${id} has no currency`);
  const status = scalar(dispute.status) ?? 'awaiting-merchant-feedback';
  const resolution = scalar(dispute.resolution);
  const dueAt = scalar(dispute.dueAt) ?? scalar(dispute.due_at);
  return {
    gatewayDisputeId: id,
    reference: scalar(transaction.reference) ?? scalar(dispute.transaction_reference),
    gatewayPaymentId: scalar(transaction.id),
    amount,
    currency: currency.toUpperCase(),
    reason: scalar(dispute.category) ?? null,
    status: mapPaystackDisputeStatus(status, resolution),
    gatewayStatus: resolution ? `${status}:${resolution}` : status,
    dueBy: dueAt && !Number.isNaN(Date.parse(dueAt)) ? new Date(dueAt) : null,
  };
}

/** A verified `charge.dispute.*` event → the normalized event (one per dispute state). */
export function paystackDisputeEvent(type: string, data: Json): NormalizedWebhookEvent {
  const id = scalar(data.id);
  const transaction = isObject(data.transaction) ? data.transaction : {};
  const status = scalar(data.status) ?? '';
  if (!id) {
    return { eventId: `${type}..${status}`, type, kind: 'ignored', selfAuthenticating: false };
  }
  return {
    // Paystack sends no event id: a reminder repeats type, id and status, and is the same event.
    eventId: `${type}.${id}.${status}${scalar(data.resolution) ? `.${scalar(data.resolution)}` : ''}`,
    type,
    kind: 'dispute',
    disputeId: id,
    reference: scalar(transaction.reference),
    selfAuthenticating: false,
  };
}
