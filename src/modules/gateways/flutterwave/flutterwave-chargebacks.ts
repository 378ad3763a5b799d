import { majorToMinor } from '../../../common/money.js';
import type { GatewayDispute, GatewayDisputeStatus } from '../gateway.interface.js';

/**
 * Flutterwave chargebacks (https://developer.flutterwave.com/docs/chargebacks-1), polled with
 * `GET /v3/chargebacks` (Flutterwave sends no chargeback webhook we rely on). A chargeback names
 * its transaction (`transaction_id`, `flw_ref`) but not its currency, and its amount is in the
 * major unit like every Flutterwave amount: the transaction (verify) gives the currency and our
 * reference (`tx_ref`).
 */
type Json = Record<string, unknown>;

function str(value: unknown): string | undefined {
  if (typeof value === 'number') return String(value);
  return typeof value === 'string' && value.length > 0 ? value : undefined;
}

/**
 * Flutterwave's chargeback status → ours: `pending`/`initiated` wait for the merchant (open);
 * `declined` means the merchant refuted it and the bank is deciding (under review); `accepted`
 * or `lost` mean the money went back to the cardholder; `won` or `reversed` that the lien lifted.
 */
export function mapFlutterwaveChargebackStatus(status: string): GatewayDisputeStatus {
  switch (status.toLowerCase()) {
    case 'declined':
      return 'under_review';
    case 'accepted':
    case 'lost':
      return 'lost';
    case 'won':
    case 'reversed':
      return 'won';
    default:
      return 'open';
  }
}

/** A chargeback and the transaction it is against → the gateway's truth about the dispute. */
export function mapFlutterwaveChargeback(
  chargeback: Json,
  transaction: { reference?: string; currency: string },
): GatewayDispute {
  const id = str(chargeback.id);
  if (!id) throw new TypeError('Flutterwave chargeback without an id');
  const amount = str(chargeback.amount);
  if (!amount) throw new TypeError(`Flutterwave chargeback ${id} has no amount`);
  const status = str(chargeback.status) ?? 'pending';
  const due = str(chargeback.due_date);
  return {
    gatewayDisputeId: id,
    reference: transaction.reference,
    gatewayPaymentId: str(chargeback.transaction_id),
    amount: majorToMinor(amount, transaction.currency),
    currency: transaction.currency,
    reason: str(chargeback.comment)?.slice(0, 500) ?? null,
    status: mapFlutterwaveChargebackStatus(status),
    gatewayStatus: `${status}:${str(chargeback.stage) ?? ''}`,
    dueBy: due && !Number.isNaN(Date.parse(due)) ? new Date(due) : null,
  };
}
