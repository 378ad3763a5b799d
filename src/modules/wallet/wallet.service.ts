import { randomBytes } from 'node:crypto';
import { Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import {
  type AppError,
  notFound,
  unprocessable,
  validationFailed,
} from '../../common/errors/app-error.js';
import {
  claimJson,
  idempotencyKeyLost,
  type IdempotencyClaim,
} from '../../http/idempotency/idempotency-claim.js';
import { minorFromDb, type Minor } from '../../common/money.js';
import { CursorPart, decodeCursor, encodeCursor } from '../../common/pagination/cursor.js';
import { AppConfig } from '../../config/app-config.js';
import { queryRows, type SqlFunctionCall } from '../../database/sql.js';
import { insufficientFunds, mapLedgerError } from '../ledger/ledger-errors.js';
import { assertValidPosting, LedgerService } from '../ledger/ledger.service.js';
import type { LedgerAccountRef, PostedEntry, PostedTransfer } from '../ledger/ledger.types.js';
import { OnAppEvent, type SettledPayment } from '../events/app-events.js';
import { newEventId } from '../outbound-webhooks/outbox.service.js';
import type { User } from '../users/user.entity.js';
import { clearingAccountName, depositClearingAccountName } from './clearing-accounts.js';
import { TransferPoster } from './transfer-poster.js';
import { generateWalletNumber, isWellFormedWalletNumber } from './wallet-number.js';
import {
  toWalletTransactionDto,
  WALLET_TRANSACTION_TYPE_SQL,
  type WalletTransactionType,
} from './wallet-transaction.js';
import { isUuid } from '../../common/validation/uuid.js';
import type {
  TransactionPageDto,
  TransferResponseDto,
  WalletTransactionDto,
} from './dto/wallet.dto.js';

/** A user's wallet: their ledger account of kind `user_wallet`. */
export interface WalletAccount extends LedgerAccountRef {
  userId: string;
  walletNumber: string;
}

export interface WalletSummary {
  walletNumber: string;
  balance: Minor;
  currency: string;
}

export interface TransferRequest {
  walletNumber: string;
  amount: Minor;
  narration?: string | null;
  /** Completed with the transfer's response in the transfer's own commit. */
  idempotency?: IdempotencyClaim | null;
}

export interface ListTransactionsQuery {
  limit: number;
  cursor?: string;
  type?: WalletTransactionType;
}

export interface DepositCredit {
  paymentId: string;
  paymentReference: string;
  userId: string;
  gateway: string;
  currency: string;
  amount: Minor;
}

export interface RefundDebit {
  userId: string;
  refundId: string;
  amount: Minor;
  currency: string;
  gateway: string;
  /** Shown in the wallet history; defaults to `RFD-<refund id>`. */
  reference?: string;
}

export interface RefundDebitReversal {
  userId: string;
  refundId: string;
  /** Shown in the wallet history; defaults to `RFR-<refund id>`. */
  reference?: string;
}

const MAX_DIRECTORY_SIZE = 50_000;
const WALLET_NUMBER_ATTEMPTS = 5;

export const walletNotFound = (): AppError => notFound('Wallet', 'WALLET_NOT_FOUND');

/** `TRF-20260122123456-AB12CD34`: letters, digits and '-' only, like payment references. */
export function newTransferReference(now = new Date()): string {
  const stamp = now.toISOString().replace(/\D/g, '').slice(0, 14);
  const alphabet = 'ABCDEFGHJKLMNPQRSTUVWXYZ23456789';
  const bytes = randomBytes(10);
  let suffix = '';
  for (const byte of bytes) suffix += alphabet[byte % alphabet.length];
  return `TRF-${stamp}-${suffix}`;
}

/**
 * Wallets: one user_wallet ledger account per user. Money moves only through LedgerService; this
 * class decides which accounts a movement touches and what the user sees of it.
 */
@Injectable()
export class WalletService {
  private readonly logger = new Logger(WalletService.name);
  /**
   * Committed wallet accounts by user id and by wallet number. The mapping never changes (the
   * database refuses to change an account's identity or delete it), so a hit is always right and
   * saves a round trip on every transfer.
   */
  private readonly byUser = new Map<string, WalletAccount>();
  private readonly byNumber = new Map<string, WalletAccount>();
  private readonly transfers: TransferPoster;

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly ledger: LedgerService,
    private readonly config: AppConfig,
  ) {
    this.transfers = new TransferPoster((sql, params) =>
      queryRows(dataSource.manager, sql, params),
    );
  }

  /** Every user has a wallet: it opens in the transaction that creates the user. */
  @OnAppEvent('user.created')
  async onUserCreated(manager: EntityManager, user: User): Promise<void> {
    await this.openWallet(manager, user.id);
  }

  /** A wallet deposit that succeeds credits the wallet, in the settlement's own statement. */
  @OnAppEvent('payment.succeeded')
  async onPaymentSucceeded(payment: SettledPayment): Promise<SqlFunctionCall | null> {
    if (payment.purpose !== 'wallet_deposit') return null;
    return this.depositCredit({
      paymentId: payment.id,
      paymentReference: payment.reference,
      userId: payment.userId,
      gateway: payment.gateway,
      currency: payment.currency,
      amount: payment.amountReceived,
    });
  }

  /** Opens the user's wallet inside the user-creation transaction. */
  async openWallet(manager: EntityManager, userId: string): Promise<WalletAccount> {
    const currency = this.config.walletCurrency;
    for (let attempt = 0; attempt < WALLET_NUMBER_ATTEMPTS; attempt++) {
      const walletNumber = generateWalletNumber();
      // ON CONFLICT on the number only: a second wallet for the same user must still fail loudly.
      const rows = await queryRows<{ id: string }>(
        manager,
        `INSERT INTO ledger_accounts (kind, user_id, wallet_number, currency)
         VALUES ('user_wallet', $1, $2, $3)
         ON CONFLICT (wallet_number) DO NOTHING RETURNING id`,
        [userId, walletNumber, currency],
      );
      if (rows.length === 1) return { id: rows[0].id, userId, walletNumber, currency };
    }
    throw new Error(`could not draw an unused wallet number in ${WALLET_NUMBER_ATTEMPTS} attempts`);
  }

  async walletNumberOf(userId: string): Promise<string | null> {
    return (await this.findByUser(this.dataSource.manager, userId))?.walletNumber ?? null;
  }

  async getWallet(userId: string): Promise<WalletSummary> {
    const rows = await queryRows<{ wallet_number: string; balance: string; currency: string }>(
      this.dataSource.manager,
      `SELECT wallet_number, balance, currency FROM ledger_accounts WHERE user_id = $1`,
      [userId],
    );
    if (rows.length === 0) throw walletNotFound();
    return {
      walletNumber: rows[0].wallet_number,
      balance: minorFromDb(rows[0].balance),
      currency: rows[0].currency,
    };
  }

  /** The user's wallet account (404 WALLET_NOT_FOUND without one). */
  async walletAccountOf(userId: string): Promise<WalletAccount> {
    return this.walletOf(this.dataSource.manager, userId);
  }

  async walletOf(manager: EntityManager, userId: string): Promise<WalletAccount> {
    const wallet = await this.findByUser(manager, userId);
    if (!wallet) throw walletNotFound();
    return wallet;
  }

  /**
   * Moves money between two wallets in one transaction and records `wallet.transfer.received` for
   * the recipient in it. A wrong check digit is refused before any lookup, so a typo never reaches
   * a stranger's wallet.
   */
  async transfer(userId: string, request: TransferRequest): Promise<TransferResponseDto> {
    if (!/^\d{13}$/.test(request.walletNumber)) {
      throw validationFailed([
        { field: 'wallet_number', message: 'wallet_number must be exactly 13 digits' },
      ]);
    }
    if (!isWellFormedWalletNumber(request.walletNumber)) {
      throw unprocessable(
        'INVALID_WALLET_NUMBER',
        'The wallet number is mistyped: its check digit does not match',
        [{ field: 'wallet_number', message: 'check digit does not match' }],
      );
    }
    if (!Number.isSafeInteger(request.amount) || request.amount <= 0) {
      throw validationFailed([
        { field: 'amount', message: 'amount must be a positive integer of minor units' },
      ]);
    }
    const manager = this.dataSource.manager;
    const sender = await this.walletOf(manager, userId);
    if (sender.walletNumber === request.walletNumber) {
      throw unprocessable('SELF_TRANSFER', 'You cannot transfer to your own wallet');
    }
    const recipient = await this.findByNumber(manager, request.walletNumber);
    if (!recipient) throw walletNotFound();
    if (recipient.currency !== sender.currency) {
      throw unprocessable(
        'CURRENCY_MISMATCH',
        `The recipient's wallet holds ${recipient.currency}, yours ${sender.currency}`,
      );
    }

    const reference = newTransferReference();
    const result: TransferResponseDto = {
      reference,
      status: 'success',
      amount: request.amount,
      currency: sender.currency,
      recipient_wallet_number: recipient.walletNumber,
    };
    // wallet_transfer (alone or in a batch, see TransferPoster) posts through ledger_post (locks
    // in id order, checks funds), writes the recipient's wallet.transfer.received outbox row and
    // completes the Idempotency-Key with `result`, atomically, in autocommit.
    let outcome: string;
    try {
      outcome = await this.transfers.post({
        senderId: sender.id,
        recipientId: recipient.id,
        amount: request.amount,
        reference,
        narration: request.narration ?? null,
        eventId: newEventId(),
        idempotency: claimJson(request.idempotency, result),
      });
    } catch (error) {
      throw idempotencyKeyLost(error) ?? mapLedgerError(error);
    }
    if (outcome === 'insufficient_funds') throw insufficientFunds();
    if (request.idempotency) request.idempotency.completed = true;
    return result;
  }

  async listTransactions(
    userId: string,
    query: ListTransactionsQuery,
  ): Promise<TransactionPageDto> {
    const wallet = await this.walletOf(this.dataSource.manager, userId);
    const [before = null] = decodeCursor(query.cursor, [CursorPart.digits]) ?? [];
    const rows = await queryRows<{ wallet_transaction: unknown }>(
      this.dataSource.manager,
      `SELECT ledger_wallet_transaction(e.id) AS wallet_transaction
         FROM ledger_entries e
         JOIN ledger_transfers t ON t.id = e.transfer_id
        WHERE e.account_id = $1
          AND ($2::bigint IS NULL OR e.id < $2::bigint)
          AND ($3::text IS NULL OR ${WALLET_TRANSACTION_TYPE_SQL} = $3::text)
        ORDER BY e.id DESC
        LIMIT $4`,
      [wallet.id, before, query.type ?? null, query.limit + 1],
    );
    const page = rows
      .slice(0, query.limit)
      .map((row) => toWalletTransactionDto(row.wallet_transaction));
    return {
      transactions: page,
      next_cursor: rows.length > query.limit ? encodeCursor(page[page.length - 1].id) : null,
    };
  }

  /**
   * A settled deposit's credit as the one `wallet_deposit` call that posts it (clearing → wallet)
   * and records `wallet.deposit.success`: settlement runs it in its own statement (see
   * 'payment.succeeded'). The ledger key `deposit:<payment id>` makes a second run a no-op, so
   * whatever path settles the payment the wallet is credited exactly once. Only lookups happen
   * here, through `manager` (the first use of a clearing account creates it, an empty account
   * either way); nothing is posted.
   */
  async depositCredit(
    deposit: DepositCredit,
    manager: EntityManager = this.dataSource.manager,
  ): Promise<SqlFunctionCall> {
    const wallet = await this.walletOf(manager, deposit.userId);
    if (wallet.currency !== deposit.currency) {
      // Deposits are created in the wallet's currency; anything else needs a person, not a guess.
      throw new Error(
        `deposit ${deposit.paymentReference} is in ${deposit.currency} but the wallet holds ${wallet.currency}`,
      );
    }
    const clearing = await this.ledger.systemAccount(
      manager,
      depositClearingAccountName(deposit.gateway, deposit.currency, deposit.paymentId),
      deposit.currency,
    );
    return walletDepositCall({
      clearingId: clearing.id,
      walletId: wallet.id,
      amount: deposit.amount,
      paymentId: deposit.paymentId,
      reference: deposit.paymentReference,
      eventId: newEventId(),
    });
  }

  /**
   * Credits a settled deposit inside the caller's transaction (the depositCredit call, run now).
   * Returns the wallet transaction, or null when this payment had already been credited.
   */
  async creditDeposit(
    manager: EntityManager,
    deposit: DepositCredit,
  ): Promise<WalletTransactionDto | null> {
    const call = await this.depositCredit(deposit, manager);
    let rows: { outcome: string | null; wallet_transaction: unknown }[];
    try {
      rows = await queryRows(
        manager,
        `SELECT * FROM wallet_deposit($1, $2, $3, $4, $5, $6)`,
        call.args,
      );
    } catch (error) {
      throw this.ledger.failure(error);
    }
    const outcome = rows[0]?.outcome;
    if (outcome !== 'created' && outcome !== 'existing')
      throw new Error(`wallet_deposit answered ${String(outcome)} for ${deposit.paymentReference}`);
    if (outcome === 'existing') {
      this.logger.warn(
        `deposit ${deposit.paymentReference} was already credited; not crediting again`,
      );
      return null;
    }
    return toWalletTransactionDto(rows[0].wallet_transaction);
  }

  /**
   * Takes a wallet deposit's refund out of the wallet into the gateway's clearing account, inside
   * the caller's transaction (422 INSUFFICIENT_FUNDS when it has been spent). Once per refund:
   * repeating it returns the existing debit.
   */
  async debitForRefund(manager: EntityManager, debit: RefundDebit): Promise<WalletTransactionDto> {
    const wallet = await this.walletOf(manager, debit.userId);
    if (wallet.currency !== debit.currency) {
      throw unprocessable(
        'CURRENCY_MISMATCH',
        `The wallet holds ${wallet.currency}, not ${debit.currency}`,
      );
    }
    const clearing = await this.ledger.systemAccount(
      manager,
      clearingAccountName(debit.gateway, debit.currency),
      debit.currency,
    );
    const reference = debit.reference ?? `RFD-${debit.refundId}`;
    const posted = await this.ledger.post(manager, {
      kind: 'refund',
      key: refundKey(debit.refundId),
      reference,
      lines: [
        { accountId: wallet.id, amount: -debit.amount },
        { accountId: clearing.id, amount: debit.amount },
      ],
    });
    const entry = entryOf(posted, wallet.id);
    if (!posted.created && entry.amount !== -debit.amount) {
      throw new Error(`refund ${debit.refundId} was already debited with a different amount`);
    }
    return walletTransaction(manager, entry);
  }

  /**
   * Gives a failed refund's debit back to the wallet: the exact mirror of the debit, once.
   * Returns null when the refund never debited the wallet (nothing to give back).
   */
  async reverseRefundDebit(
    manager: EntityManager,
    reversal: RefundDebitReversal,
  ): Promise<WalletTransactionDto | null> {
    const wallet = await this.walletOf(manager, reversal.userId);
    const original = await queryRows<{ transfer_id: string; account_id: string; amount: string }>(
      manager,
      `SELECT e.transfer_id, e.account_id, e.amount
         FROM ledger_transfers t JOIN ledger_entries e ON e.transfer_id = t.id
        WHERE t.key = $1 ORDER BY e.id`,
      [refundKey(reversal.refundId)],
    );
    if (original.length === 0) return null;
    if (!original.some((line) => line.account_id === wallet.id)) {
      throw new Error(
        `refund ${reversal.refundId} did not debit the wallet of user ${reversal.userId}`,
      );
    }
    const reference = reversal.reference ?? `RFR-${reversal.refundId}`;
    const posted = await this.ledger.post(manager, {
      kind: 'refund_reversal',
      key: `refund_reversal:${reversal.refundId}`,
      reference,
      reversesTransferId: original[0].transfer_id,
      lines: original.map((line) => ({
        accountId: line.account_id,
        amount: -minorFromDb(line.amount),
      })),
    });
    return walletTransaction(manager, entryOf(posted, wallet.id));
  }

  private async findByUser(manager: EntityManager, userId: string): Promise<WalletAccount | null> {
    const cached = this.byUser.get(userId);
    if (cached) return cached;
    if (!isUuid(userId)) return null;
    return this.lookup(manager, `user_id = $1`, userId);
  }

  private async findByNumber(
    manager: EntityManager,
    walletNumber: string,
  ): Promise<WalletAccount | null> {
    const cached = this.byNumber.get(walletNumber);
    if (cached) return cached;
    return this.lookup(manager, `wallet_number = $1`, walletNumber);
  }

  private async lookup(
    manager: EntityManager,
    where: string,
    value: string,
  ): Promise<WalletAccount | null> {
    // `mine`: created by the caller's own, still open transaction (a user being created right
    // now), which may yet roll back, so it must not be remembered.
    const rows = await queryRows<{
      id: string;
      user_id: string;
      wallet_number: string;
      currency: string;
      mine: boolean | null;
    }>(
      manager,
      `SELECT id, user_id, wallet_number, currency,
              xmin::text = (pg_current_xact_id_if_assigned()::text::bigint % 4294967296)::text AS mine
         FROM ledger_accounts WHERE kind = 'user_wallet' AND ${where}`,
      [value],
    );
    if (rows.length === 0) return null;
    const row = rows[0];
    const wallet: WalletAccount = {
      id: row.id,
      userId: row.user_id,
      walletNumber: row.wallet_number,
      currency: row.currency,
    };
    if (!row.mine) this.remember(wallet);
    return wallet;
  }

  private remember(wallet: WalletAccount): void {
    if (this.byUser.size >= MAX_DIRECTORY_SIZE) {
      this.byUser.clear();
      this.byNumber.clear();
    }
    this.byUser.set(wallet.userId, wallet);
    this.byNumber.set(wallet.walletNumber, wallet);
  }
}

/**
 * A deposit's credit (clearing → wallet) and its `wallet.deposit.success` outbox row, as one call
 * of the `wallet_deposit` function (db/schema.sql), for settlement to run last in its statement:
 * it takes the clearing account's row lock, which other deposits of the gateway wait for (see
 * depositClearingAccountName). Run again for the same payment, it writes nothing (the ledger key
 * `deposit:<payment id>`).
 */
export function walletDepositCall(deposit: {
  clearingId: string;
  walletId: string;
  amount: Minor;
  paymentId: string;
  reference: string;
  eventId: string;
}): SqlFunctionCall {
  const key = `deposit:${deposit.paymentId}`;
  assertValidPosting({
    kind: 'deposit',
    key,
    reference: deposit.reference,
    lines: [
      { accountId: deposit.clearingId, amount: -deposit.amount },
      { accountId: deposit.walletId, amount: deposit.amount },
    ],
  });
  return {
    name: 'wallet_deposit',
    args: [
      deposit.clearingId,
      deposit.walletId,
      String(deposit.amount),
      key,
      deposit.reference,
      deposit.eventId,
    ],
    argNames: [
      'clearing account',
      'wallet account',
      'amount',
      'ledger key',
      'reference',
      'event id',
    ],
  };
}

export function refundKey(refundId: string): string {
  return `refund:${refundId}`;
}

/** The wallet transaction of an entry, built by the database as the history shows it. */
async function walletTransaction(
  manager: EntityManager,
  entry: PostedEntry,
): Promise<WalletTransactionDto> {
  const [row] = await queryRows<{ wallet_transaction: unknown }>(
    manager,
    `SELECT ledger_wallet_transaction($1) AS wallet_transaction`,
    [entry.id],
  );
  return toWalletTransactionDto(row?.wallet_transaction);
}

function entryOf(posted: PostedTransfer, accountId: string): PostedEntry {
  const entry = posted.entries.find((candidate) => candidate.accountId === accountId);
  if (!entry) throw new Error(`ledger transfer ${posted.id} has no entry for account ${accountId}`);
  return entry;
}
