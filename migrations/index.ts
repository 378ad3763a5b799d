import { Init1764000000000 } from './1764000000000-init.js';
import { Auth1764000001000 } from './1764000001000-auth.js';
import { Idempotency1764000002000 } from './1764000002000-idempotency.js';
import { Outbox1764000003000 } from './1764000003000-outbox.js';
import { Ledger1764000004000 } from './1764000004000-ledger.js';
import { Payments1764000005000 } from './1764000005000-payments.js';
import { Webhooks1764000006000 } from './1764000006000-webhooks.js';
import { Refunds1764000007000 } from './1764000007000-refunds.js';
import { WalletDeposit1764000008000 } from './1764000008000-wallet-deposit.js';
import { LedgerStablePlans1764000009000 } from './1764000009000-ledger-stable-plans.js';
import { WalletTransferBatch1764000010000 } from './1764000010000-wallet-transfer-batch.js';
import { LedgerKeyPlans1764000011000 } from './1764000011000-ledger-key-plans.js';
import { IdempotencyInTransaction1764000012000 } from './1764000012000-idempotency-in-transaction.js';
import { WalletTransferPositiveAmount1764000013000 } from './1764000013000-wallet-transfer-positive-amount.js';
import { LedgerEntryClockTime1764000013100 } from './1764000013100-ledger-entry-clock-time.js';
import { SecretsAtRest1764000014000 } from './1764000014000-secrets-at-rest.js';
import { Payouts1765000000000 } from './1765000000000-payouts.js';
import { PayoutHold1765000001000 } from './1765000001000-payout-hold.js';
import { TestGateway1765100000000 } from './1765100000000-test-gateway.js';
import { Checkout1765100001000 } from './1765100001000-checkout.js';
import { CheckoutStartClaim1765100002000 } from './1765100002000-checkout-start-claim.js';
import { ManualCapture1765200000000 } from './1765200000000-manual-capture.js';
import { CaptureRequestKey1765200001000 } from './1765200001000-capture-request-key.js';
import { Disputes1765300000000 } from './1765300000000-disputes.js';
import { Notifications1765400000000 } from './1765400000000-notifications.js';
import { DashboardSignInLinks1765500000000 } from './1765500000000-dashboard-sign-in-links.js';
import { TestGatewayManualCapture1765600000000 } from './1765600000000-test-gateway-manual-capture.js';
import { PayoutHoldBatch1765700000000 } from './1765700000000-payout-hold-batch.js';
import { PayoutHoldSetBased1765800000000 } from './1765800000000-payout-hold-set-based.js';
import { DisputeHoldNetOfRefunds1765900000000 } from './1765900000000-dispute-hold-net-of-refunds.js';
import { OAuthStateBrowser1765900001000 } from './1765900001000-oauth-state-browser.js';

/** Every migration, in order, listed as classes (globs do not work under ESM). Append here. */
export const MIGRATIONS = [
  Init1764000000000,
  Auth1764000001000,
  Idempotency1764000002000,
  Outbox1764000003000,
  Ledger1764000004000,
  Payments1764000005000,
  Webhooks1764000006000,
  Refunds1764000007000,
  WalletDeposit1764000008000,
  LedgerStablePlans1764000009000,
  WalletTransferBatch1764000010000,
  LedgerKeyPlans1764000011000,
  IdempotencyInTransaction1764000012000,
  WalletTransferPositiveAmount1764000013000,
  LedgerEntryClockTime1764000013100,
  SecretsAtRest1764000014000,
  Payouts1765000000000,
  PayoutHold1765000001000,
  TestGateway1765100000000,
  Checkout1765100001000,
  CheckoutStartClaim1765100002000,
  ManualCapture1765200000000,
  CaptureRequestKey1765200001000,
  Disputes1765300000000,
  Notifications1765400000000,
  DashboardSignInLinks1765500000000,
  TestGatewayManualCapture1765600000000,
  PayoutHoldBatch1765700000000,
  PayoutHoldSetBased1765800000000,
  DisputeHoldNetOfRefunds1765900000000,
  OAuthStateBrowser1765900001000,
];
