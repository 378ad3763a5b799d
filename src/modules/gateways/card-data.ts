/**
 * Keys whose values are card data or reusable payment tokens, as the gateways send them in webhook
 * bodies. They are dropped, wherever they appear, from the copy of a webhook we store; processing
 * works from the normalized event (amounts, currency, reference, status, ids), parsed from the
 * signed bytes before this, so nothing it needs is here.
 */
const CARD_DATA_KEYS = new Set([
  // Paystack: `data.authorization` holds authorization_code (charges the card again), bin, last4,
  // exp_month, exp_year, card_type, bank, signature (the card's fingerprint) and account_name;
  // subscription events carry an `email_token` that manages the subscription.
  'authorization',
  'authorization_code',
  'email_token',
  // Flutterwave: `data.card` holds first_6digits, last_4digits, expiry, issuer and, for tokenized
  // charges, `token`.
  'card',
  'first_6digits',
  'last_4digits',
  // Stripe: charges' `payment_method_details.card` (brand, last4, exp_*, fingerprint, network
  // details), the reusable `payment_method` (an id the merchant can charge again, or the expanded
  // object), legacy `source` cards, and intents' and sessions' `client_secret`.
  'payment_method_details',
  'payment_method',
  'client_secret',
  // PayPal: `payment_source` holds the card (last_digits, expiry, brand, name) or the PayPal
  // account, and vault ids that are reusable.
  'payment_source',
  'last_digits',
  // Any gateway: the fields of a card wherever they turn up.
  'bin',
  'last4',
  'exp_month',
  'exp_year',
  'expiry',
  'fingerprint',
  'signature',
  'cvv',
  'cvc',
  'card_number',
  'pan',
  'token',
]);

/** Stripe's legacy `source` is a card object; a string source (`"balance"`) is kept. */
function isCardData(key: string, value: unknown): boolean {
  if (CARD_DATA_KEYS.has(key)) return true;
  return key === 'source' && typeof value === 'object' && value !== null;
}

/** A copy of a parsed webhook body without card data or reusable tokens (see CARD_DATA_KEYS). */
export function withoutCardData(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(withoutCardData);
  if (typeof value !== 'object' || value === null) return value;
  const kept: Record<string, unknown> = {};
  for (const [key, inner] of Object.entries(value)) {
    if (!isCardData(key, inner)) kept[key] = withoutCardData(inner);
  }
  return kept;
}
