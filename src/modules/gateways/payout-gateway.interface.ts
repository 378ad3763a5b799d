import type { Minor } from '../../common/money.js';
import type { GatewayName } from './gateway.interface.js';

/**
 * What a gateway says about one of our transfers (payouts). `pending` is not conclusive;
 * `otp` means the integration wants an OTP before sending (Paystack); `not_found` means the gateway
 * has never heard of the reference.
 */
export type GatewayTransferStatus =
  'pending' | 'otp' | 'succeeded' | 'failed' | 'reversed' | 'not_found';

export type PayoutRecipientType = 'bank_account' | 'mobile_money';

export interface PayoutBank {
  code: string;
  name: string;
  type: string;
}

export interface ResolveAccountInput {
  accountNumber: string;
  bankCode: string;
  currency: string;
}

export interface TransferRecipientInput extends ResolveAccountInput {
  type: PayoutRecipientType;
  accountName: string;
}

export interface TransferRecipientResult {
  /** The gateway's recipient (Paystack `RCP_…`); undefined where the gateway has none. */
  recipientCode?: string;
  bankName?: string;
}

export interface SendTransferInput {
  /** Our payout reference (`WDR-…`); adapters send it in the form the gateway asks for. */
  reference: string;
  amount: Minor;
  currency: string;
  narration: string | null;
  recipient: {
    recipientCode: string | null;
    accountNumber: string;
    bankCode: string;
    accountName: string;
  };
}

/** The gateway's truth about a transfer, in our units. */
export interface TransferResult {
  status: GatewayTransferStatus;
  /** The gateway's transfer code or id (Paystack `TRF_…`, Flutterwave's numeric id). */
  gatewayTransferId?: string;
  amount?: Minor;
  currency?: string;
  failureReason?: string;
}

/**
 * The transfer (payout) side of a gateway, beside PaymentGateway. Every call that changes
 * something is sent once: a caller that gets GatewayUnavailableError does not know whether the
 * transfer was made and must ask `verifyTransfer`, never send again blindly.
 */
export interface PayoutGateway {
  readonly name: GatewayName;
  isEnabled(): boolean;
  supportsPayoutCurrency(currency: string): boolean;
  listBanks(currency: string): Promise<PayoutBank[]>;
  /** The account holder's name, or null when the gateway cannot resolve the account. */
  resolveAccount(input: ResolveAccountInput): Promise<string | null>;
  createTransferRecipient(input: TransferRecipientInput): Promise<TransferRecipientResult>;
  sendTransfer(input: SendTransferInput): Promise<TransferResult>;
  /** Paystack only: completes a transfer waiting for an OTP. */
  finalizeTransfer?(gatewayTransferId: string, otp: string): Promise<TransferResult>;
  verifyTransfer(reference: string, currency: string): Promise<TransferResult>;
}

export function isPayoutGateway(value: unknown): value is PayoutGateway {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as PayoutGateway).sendTransfer === 'function' &&
    typeof (value as PayoutGateway).verifyTransfer === 'function'
  );
}
