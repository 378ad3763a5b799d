/** Paystack wraps every answer in this envelope (`status` false carries only a message). */
export interface PaystackEnvelope<T> {
  status: boolean;
  message: string;
  data?: T;
}

export interface PaystackInitializeData {
  authorization_url: string;
  access_code: string;
  reference: string;
}

/** The fields of a transaction we rely on (verify answer and `charge.*` event data). */
export interface PaystackTransaction {
  id: number;
  /** success | failed | abandoned | ongoing | pending | processing | queued | reversed */
  status: string;
  reference: string;
  /** In the currency's subunit (kobo, pesewas, cents). */
  amount: number;
  currency: string;
  gateway_response?: string | null;
  message?: string | null;
}

export interface PaystackRefund {
  id: number;
  /** pending | processing | processed | failed | needs-attention */
  status: string;
  amount: number | string;
  currency: string;
}

/** `refund.*` event data (note: amount may be a string, ids may be null). */
export interface PaystackRefundEventData {
  id?: number | string | null;
  status: string;
  transaction_reference: string;
  refund_reference?: string | null;
  amount: number | string;
  currency: string;
  merchant_note?: string | null;
}

/** A transfer as POST /transfer, finalize, verify and the `transfer.*` events carry it. */
export interface PaystackTransfer {
  id?: number;
  /** pending | otp | received | success | failed | reversed | abandoned | blocked | rejected */
  status: string;
  reference: string;
  transfer_code: string;
  amount: number | string;
  currency: string;
  gateway_response?: string | null;
  failures?: string | null;
}
