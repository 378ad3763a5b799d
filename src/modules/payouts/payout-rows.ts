import { randomInt, randomUUID } from 'node:crypto';
import type { EntityManager } from 'typeorm';
import { minorFromDb } from '../../common/money.js';
import { queryRows } from '../../database/sql.js';
import type { AdminPayoutDto, PayoutDto, PayoutStatus, RecipientDto } from './dto/payout.dto.js';

export interface RecipientRow {
  id: string;
  user_id: string;
  gateway: string;
  type: string;
  account_name: string;
  /** Sealed (`enc:v1:…`); opened only to send a transfer. */
  account_number: string;
  account_number_last4: string;
  bank_code: string;
  bank_name: string | null;
  currency: string;
  nickname: string | null;
  gateway_recipient_code: string | null;
  deleted_at: Date | null;
  created_at: Date;
}

export interface PayoutRow {
  id: string;
  reference: string;
  user_id: string;
  recipient_id: string;
  gateway: string;
  amount: string;
  currency: string;
  status: PayoutStatus;
  narration: string | null;
  livemode: boolean;
  hold_transfer_id: string;
  settlement_transfer_id: string | null;
  return_transfer_id: string | null;
  gateway_transfer_id: string | null;
  failure_reason: string | null;
  send_attempts: number;
  transfer_sent_at: Date | null;
  last_verified_at: Date | null;
  next_verify_at: Date | null;
  last_error: string | null;
  approved_by: string | null;
  approved_at: Date | null;
  rejected_by: string | null;
  rejected_at: Date | null;
  rejection_note: string | null;
  finalized_by: string | null;
  finalized_at: Date | null;
  completed_at: Date | null;
  created_at: Date;
  updated_at: Date;
}

/** A payout with its recipient, as one row (`r_*` columns are the recipient's). */
export type PayoutWithRecipient = PayoutRow & { recipient: RecipientRow };

/** Open states: the money is in payouts_in_flight. */
export const OPEN_PAYOUT_STATUSES: readonly PayoutStatus[] = [
  'pending_approval',
  'pending',
  'processing',
  'requires_otp',
];

export const PAYOUT_REFERENCE_PATTERN = /^WDR-\d{14}-[A-Z0-9]{8}$/;
const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';

/** `WDR-20260122123456-AB12CD34`: UTC timestamp and 8 random characters. */
export function newPayoutReference(now: Date = new Date()): string {
  const stamp = now.toISOString().replace(/[-:T]/g, '').slice(0, 14);
  let suffix = '';
  for (let i = 0; i < 8; i++) suffix += ALPHABET[randomInt(ALPHABET.length)];
  return `WDR-${stamp}-${suffix}`;
}

/** Payout holds of one currency are spread over this many in-flight accounts (lock contention). */
export const IN_FLIGHT_SHARDS = 16;

/**
 * The `payouts_in_flight` system account a payout's hold sits in: one of IN_FLIGHT_SHARDS
 * (`payouts_in_flight:NGN:7`), read from the payout id (its last hex digit), so the post or return
 * finds it again and concurrent withdrawals do not queue on one row lock.
 */
export function inFlightAccountName(currency: string, payoutId: string): string {
  const shard = Number.parseInt(payoutId.replace(/-/g, '').slice(-4), 16) % IN_FLIGHT_SHARDS;
  return shardAccountName(currency, Number.isNaN(shard) ? 0 : shard);
}

/** The name of in-flight shard `shard`'s account. */
export function shardAccountName(currency: string, shard: number): string {
  return `payouts_in_flight:${currency}:${shard}`;
}

/** A new payout id whose hold sits in in-flight shard `shard` (a random UUID, its last hex digit set). */
export function payoutIdInShard(shard: number): string {
  if (!Number.isInteger(shard) || shard < 0 || shard >= IN_FLIGHT_SHARDS)
    throw new Error(`no in-flight shard ${shard}`);
  return randomUUID().slice(0, -1) + shard.toString(16);
}

const SELECT_WITH_RECIPIENT = `
  SELECT p.*, to_jsonb(r) AS recipient
    FROM payouts p JOIN payout_recipients r ON r.id = p.recipient_id`;

export async function loadPayout(
  manager: EntityManager,
  where: { id: string; userId?: string },
  lock = false,
): Promise<PayoutWithRecipient | null> {
  const rows = await queryRows<PayoutRow & { recipient: Record<string, unknown> }>(
    manager,
    `${SELECT_WITH_RECIPIENT} WHERE p.id = $1 AND ($2::uuid IS NULL OR p.user_id = $2)
     ${lock ? 'FOR UPDATE OF p' : ''}`,
    [where.id, where.userId ?? null],
  );
  return rows.length > 0 ? withRecipient(rows[0]) : null;
}

export async function listPayouts(
  manager: EntityManager,
  filter: { userId?: string; status?: string },
  page: { limit: number; after?: string },
): Promise<PayoutWithRecipient[]> {
  const rows = await queryRows<PayoutRow & { recipient: Record<string, unknown> }>(
    manager,
    `${SELECT_WITH_RECIPIENT}
      WHERE ($1::uuid IS NULL OR p.user_id = $1) AND ($2::text IS NULL OR p.status = $2)
        AND ($3::uuid IS NULL OR (p.created_at, p.id) < (SELECT c.created_at, c.id FROM payouts c WHERE c.id = $3))
      ORDER BY p.created_at DESC, p.id DESC
      LIMIT $4`,
    [filter.userId ?? null, filter.status ?? null, page.after ?? null, page.limit],
  );
  return rows.map(withRecipient);
}

function withRecipient(
  row: PayoutRow & { recipient: Record<string, unknown> },
): PayoutWithRecipient {
  const recipient = row.recipient as unknown as RecipientRow & {
    created_at: string;
    deleted_at: string | null;
  };
  return {
    ...row,
    recipient: {
      ...recipient,
      created_at: new Date(recipient.created_at),
      deleted_at: recipient.deleted_at ? new Date(recipient.deleted_at) : null,
    },
  };
}

export function toRecipientDto(row: RecipientRow): RecipientDto {
  return {
    id: row.id,
    gateway: row.gateway,
    type: row.type,
    account_name: row.account_name,
    account_number_last4: row.account_number_last4,
    bank_code: row.bank_code,
    bank_name: row.bank_name,
    currency: row.currency,
    nickname: row.nickname,
    created_at: row.created_at.toISOString(),
  };
}

export function toPayoutDto(row: PayoutWithRecipient): PayoutDto {
  return {
    id: row.id,
    reference: row.reference,
    amount: minorFromDb(row.amount),
    currency: row.currency,
    status: row.status,
    recipient: toRecipientDto(row.recipient),
    narration: row.narration,
    gateway: row.gateway,
    failure_reason: row.failure_reason,
    livemode: row.livemode,
    created_at: row.created_at.toISOString(),
    completed_at: row.completed_at?.toISOString() ?? null,
  };
}

export function toAdminPayoutDto(row: PayoutWithRecipient): AdminPayoutDto {
  return Object.assign(toPayoutDto(row), {
    user_id: row.user_id,
    approved_by: row.approved_by,
    approved_at: row.approved_at?.toISOString() ?? null,
    rejected_by: row.rejected_by,
    rejected_at: row.rejected_at?.toISOString() ?? null,
    rejection_note: row.rejection_note,
    finalized_by: row.finalized_by,
    finalized_at: row.finalized_at?.toISOString() ?? null,
    last_error: row.last_error,
  });
}
