/**
 * A gateway's clearing account: the ledger's system account for the money the gateway holds or
 * owes for us in one currency (`clearing:paystack:NGN`). Deposits credit wallets from it; refunds
 * of deposits debit wallets into it.
 */
export function clearingAccountName(gateway: string, currency: string): string {
  return `clearing:${gateway}:${currency}`;
}

/** Deposits of one gateway and currency are spread over this many clearing accounts. */
export const DEPOSIT_CLEARING_SHARDS = 16;

/**
 * The clearing account a deposit is credited from: one of DEPOSIT_CLEARING_SHARDS
 * (`clearing:paystack:NGN:7`), chosen by the payment id. Every deposit posting locks its clearing
 * account until its settlement commits, so one account per gateway and currency made all
 * settlements of that gateway wait in line for each other; shards let up to 16 commit at once.
 * The gateway's clearing balance is the sum over `clearing:<gateway>:<currency>` and its shards.
 */
export function depositClearingAccountName(
  gateway: string,
  currency: string,
  paymentId: string,
): string {
  const shard =
    Number.parseInt(paymentId.replace(/-/g, '').slice(-4), 16) % DEPOSIT_CLEARING_SHARDS;
  return `${clearingAccountName(gateway, currency)}:${Number.isNaN(shard) ? 0 : shard}`;
}
