import { randomUUID } from 'node:crypto';
import { Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource, EntityManager } from 'typeorm';
import { DataKeyring } from '../../common/crypto/data-keyring.js';
import { conflict, notFound, unprocessable } from '../../common/errors/app-error.js';
import { MicroBatcher } from '../../common/batching/micro-batcher.js';
import { MetricsService } from '../../common/metrics/metrics.service.js';
import { minorFromDb, type Minor } from '../../common/money.js';
import { CursorPart, decodeCursor, encodeCursor } from '../../common/pagination/cursor.js';
import { isUuid } from '../../common/validation/uuid.js';
import { currentRequestId } from '../../common/request/request-context.js';
import { AppConfig } from '../../config/app-config.js';
import { queryRows } from '../../database/sql.js';
import {
  claimJson,
  type IdempotencyClaim,
  idempotencyKeyLost,
} from '../../http/idempotency/idempotency-claim.js';
import { JobName, QueueName } from '../../queue/queue-names.js';
import { QueueProducer } from '../../queue/queue-producer.service.js';
import type { GatewayName } from '../gateways/gateway.interface.js';
import { GatewayRegistry } from '../gateways/gateway.registry.js';
import type { PayoutBank } from '../gateways/payout-gateway.interface.js';
import { insufficientFunds } from '../ledger/ledger-errors.js';
import { LedgerService } from '../ledger/ledger.service.js';
import { WalletService } from '../wallet/wallet.service.js';
import type {
  CreateRecipientDto,
  PayoutDto,
  PayoutGatewayName,
  RecipientDto,
} from './dto/payout.dto.js';
import { type PayoutHoldResult, PayoutHoldShards } from './payout-hold-poster.js';
import { type ProcessPayoutJob, payoutJobOptions } from './payout-jobs.js';
import {
  listPayouts,
  loadPayout,
  newPayoutReference,
  payoutIdInShard,
  type PayoutWithRecipient,
  shardAccountName,
  type RecipientRow,
  toPayoutDto,
  toRecipientDto,
} from './payout-rows.js';

const BANKS_TTL_MS = 3_600_000;
/** Recipients remembered per process (their rows never change but for `deleted_at`). */
const MAX_CACHED_RECIPIENTS = 10_000;
/** Payout jobs added by one `addBulk` at most, and such calls running at once. */
const ENQUEUE_BATCH = 64;
const ENQUEUE_IN_FLIGHT = 2;

export interface WithdrawalRequest {
  amount: Minor;
  recipientId: string;
  narration: string | null;
}

const limitExceeded = (limit: string, message: string, value: number) =>
  unprocessable('PAYOUT_LIMIT_EXCEEDED', message, [{ field: 'amount', message, limit, value }]);

/** The sealing context of a recipient's account number: it opens only in that row. */
export const accountNumberContext = (recipientId: string): string =>
  `payout_recipients.account_number:${recipientId}`;

/** Banks, recipients, and accepting withdrawals (the hold); sending is PayoutExecutionService's. */
@Injectable()
export class PayoutsService {
  private readonly logger = new Logger(PayoutsService.name);
  private readonly banks = new Map<string, { at: number; banks: PayoutBank[] }>();
  /**
   * Holds gathered into `payout_hold_batch` statements while others run (PayoutHoldPoster): one
   * poster per in-flight shard, the shards of each currency together (PayoutHoldShards).
   */
  private readonly holds = new Map<string, PayoutHoldShards>();
  /**
   * Recipient rows by id, for the request path: a recipient's columns never change once created
   * but for `deleted_at`, which the hold re-checks (with its owner) under a share lock in its own
   * statement, so a row remembered here is never trusted for anything that moves money.
   */
  private readonly recipients = new Map<string, RecipientRow>();
  /**
   * Enqueues of committed withdrawals gathered into one `addBulk` (one Redis round trip and
   * script call for the lot) while earlier ones run; a lone one goes at once. A batch Redis refuses
   * is logged and left to reconciliation, as a single enqueue was.
   */
  private readonly enqueues = new MicroBatcher<{ payoutId: string; requestId?: string }, boolean>(
    async (items) => {
      const queued = await this.producer.tryEnqueueMany(
        QueueName.Payouts,
        items.map(({ payoutId, requestId }) => ({
          name: JobName.ProcessPayout,
          data: { payoutId } satisfies ProcessPayoutJob,
          options: payoutJobOptions(this.config, payoutId),
          requestId,
        })),
      );
      return items.map(() => queued);
    },
    { maxBatch: ENQUEUE_BATCH, maxInFlight: ENQUEUE_IN_FLIGHT, startIdleAtOnce: true },
  );

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly config: AppConfig,
    private readonly registry: GatewayRegistry,
    private readonly ledger: LedgerService,
    private readonly wallets: WalletService,
    private readonly producer: QueueProducer,
    private readonly keyring: DataKeyring,
    private readonly metrics: MetricsService,
  ) {}

  /** The gateway's banks for a currency, kept for an hour per process. */
  async listBanks(gateway: PayoutGatewayName, currency: string): Promise<PayoutBank[]> {
    const adapter = this.registry.payouts(gateway, currency);
    const key = `${gateway}:${currency}`;
    const cached = this.banks.get(key);
    if (cached && Date.now() - cached.at < BANKS_TTL_MS) return cached.banks;
    const banks = await adapter.listBanks(currency);
    this.banks.set(key, { at: Date.now(), banks });
    return banks;
  }

  async createRecipient(userId: string, body: CreateRecipientDto): Promise<RecipientDto> {
    const gateway = this.registry.payouts(body.gateway, body.currency);
    const input = {
      accountNumber: body.account_number,
      bankCode: body.bank_code,
      currency: body.currency,
    };
    const accountName = await gateway.resolveAccount(input);
    if (accountName === null) {
      throw unprocessable(
        'ACCOUNT_NOT_RESOLVED',
        `${body.gateway} could not resolve account ${body.account_number.slice(-4).padStart(body.account_number.length, '*')} at bank ${body.bank_code}`,
      );
    }
    const created = await gateway.createTransferRecipient({
      ...input,
      type: body.type,
      accountName,
    });
    const bankName =
      created.bankName ??
      (await this.listBanks(body.gateway, body.currency).catch(() => [])).find(
        (bank) => bank.code === body.bank_code,
      )?.name ??
      null;
    const id = randomUUID();
    const [row] = await queryRows<RecipientRow>(
      this.dataSource.manager,
      `INSERT INTO payout_recipients (id, user_id, gateway, type, account_name, account_number,
                                      account_number_last4, bank_code, bank_name, currency, nickname,
                                      gateway_recipient_code)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) RETURNING *`,
      [
        id,
        userId,
        body.gateway,
        body.type,
        accountName.slice(0, 200),
        this.keyring.seal(body.account_number, accountNumberContext(id)),
        body.account_number.slice(-4),
        body.bank_code,
        bankName?.slice(0, 200) ?? null,
        body.currency,
        body.nickname ?? null,
        created.recipientCode ?? null,
      ],
    );
    return toRecipientDto(row);
  }

  async listRecipients(
    userId: string,
    page: { limit: number; cursor?: string },
  ): Promise<{ recipients: RecipientDto[]; next_cursor: string | null }> {
    const [after] = decodeCursor(page.cursor, [CursorPart.uuid]) ?? [];
    const rows = await queryRows<RecipientRow>(
      this.dataSource.manager,
      `SELECT * FROM payout_recipients r
        WHERE r.user_id = $1 AND r.deleted_at IS NULL
          AND ($2::uuid IS NULL OR (r.created_at, r.id) < (SELECT c.created_at, c.id FROM payout_recipients c WHERE c.id = $2))
        ORDER BY r.created_at DESC, r.id DESC LIMIT $3`,
      [userId, after ?? null, page.limit + 1],
    );
    const shown = rows.slice(0, page.limit);
    return {
      recipients: shown.map(toRecipientDto),
      next_cursor: rows.length > page.limit ? encodeCursor(shown[shown.length - 1].id) : null,
    };
  }

  /** 409 while a payout to it is not final (its account number is still needed). */
  async deleteRecipient(userId: string, recipientId: string): Promise<void> {
    if (!isUuid(recipientId)) throw notFound('Payout recipient');
    await this.dataSource.transaction(async (manager) => {
      const [recipient] = await queryRows<{ id: string }>(
        manager,
        `SELECT id FROM payout_recipients WHERE id = $1 AND user_id = $2 AND deleted_at IS NULL FOR UPDATE`,
        [recipientId, userId],
      );
      if (!recipient) throw notFound('Payout recipient');
      const [open] = await queryRows<{ id: string }>(
        manager,
        `SELECT id FROM payouts WHERE recipient_id = $1
            AND status IN ('pending_approval', 'pending', 'processing', 'requires_otp') LIMIT 1`,
        [recipientId],
      );
      if (open)
        throw conflict('RECIPIENT_HAS_PAYOUT_IN_FLIGHT', 'A payout to this recipient is in flight');
      await queryRows(manager, `UPDATE payout_recipients SET deleted_at = now() WHERE id = $1`, [
        recipientId,
      ]);
      this.recipients.delete(recipientId);
    });
  }

  /**
   * SPEC §12: one statement (`payout_hold`, see its migration; run in a batch with the holds
   * arriving meanwhile by PayoutHoldPoster) re-checks and share-locks the
   * recipient, locks the wallet, reads the day's total under that lock, posts the hold from the
   * wallet into payouts_in_flight (422 INSUFFICIENT_FUNDS; the database refuses a negative wallet),
   * writes the payout and completes the Idempotency-Key. The transfer is sent by a job enqueued
   * after the commit.
   */
  async requestWithdrawal(
    userId: string,
    request: WithdrawalRequest,
    idempotency: IdempotencyClaim | null,
  ): Promise<PayoutDto> {
    const manager = this.dataSource.manager;
    const recipient = await this.recipientOf(manager, userId, request.recipientId);
    const wallet = await this.wallets.walletOf(manager, userId);
    if (recipient.currency !== wallet.currency) {
      throw unprocessable(
        'CURRENCY_MISMATCH',
        `The recipient is paid in ${recipient.currency} but the wallet holds ${wallet.currency}`,
      );
    }
    this.registry.payouts(recipient.gateway as GatewayName, recipient.currency);
    if (request.amount < this.config.payoutMinAmount) {
      throw limitExceeded(
        'PAYOUT_MIN_AMOUNT',
        `A withdrawal must be at least ${this.config.payoutMinAmount} (minor units)`,
        this.config.payoutMinAmount,
      );
    }
    const status =
      request.amount > this.config.payoutApprovalThreshold ? 'pending_approval' : 'pending';
    const view: PayoutDto = {
      // Set when the hold is posted: the id names the in-flight shard chosen then.
      id: '',
      reference: newPayoutReference(),
      amount: request.amount,
      currency: wallet.currency,
      status,
      recipient: toRecipientDto(recipient),
      narration: request.narration,
      gateway: recipient.gateway,
      failure_reason: null,
      livemode: this.livemode(recipient.gateway),
      created_at: new Date().toISOString(),
      completed_at: null,
    };
    let held: PayoutHoldResult;
    try {
      held = await this.holdShards(wallet.currency).post((shard, inFlightId) => {
        view.id = payoutIdInShard(shard);
        return {
          id: view.id,
          reference: view.reference,
          userId,
          recipientId: recipient.id,
          walletId: wallet.id,
          inFlightId,
          gateway: recipient.gateway,
          amount: String(request.amount),
          currency: wallet.currency,
          status,
          narration: request.narration,
          livemode: view.livemode,
          createdAt: view.created_at,
          dailyLimit: String(this.config.payoutDailyLimit),
          idempotency: claimJson(idempotency, view),
        };
      });
    } catch (error) {
      throw idempotencyKeyLost(error) ?? this.ledger.failure(error);
    }
    const outcome = held.outcome;
    if (outcome === 'recipient_not_found') throw notFound('Payout recipient');
    if (outcome === 'insufficient_funds') throw insufficientFunds();
    if (outcome === 'daily_limit') {
      const used = minorFromDb(held.used_today ?? '0');
      throw limitExceeded(
        'PAYOUT_DAILY_LIMIT',
        `Withdrawals are limited to ${this.config.payoutDailyLimit} per UTC day; ${Math.max(this.config.payoutDailyLimit - used, 0)} remain today`,
        this.config.payoutDailyLimit,
      );
    }
    if (outcome !== 'created') throw new Error(`payout_hold answered ${outcome ?? 'nothing'}`);
    if (idempotency) idempotency.completed = true;
    this.metrics.payouts.inc({ gateway: view.gateway, event: 'requested' });
    if (view.status === 'pending') {
      if (!(await this.enqueues.submit({ payoutId: view.id, requestId: currentRequestId() }))) {
        this.logger.warn(`payout ${view.id} waits for reconciliation: it could not be enqueued`);
      }
    }
    return view;
  }

  async getForUser(userId: string, payoutId: string): Promise<PayoutDto> {
    if (!isUuid(payoutId)) throw notFound('Withdrawal');
    const payout = await loadPayout(this.dataSource.manager, { id: payoutId, userId });
    if (!payout) throw notFound('Withdrawal');
    return toPayoutDto(payout);
  }

  async list(
    filter: { userId?: string; status?: string },
    page: { limit: number; cursor?: string },
  ): Promise<{ payouts: PayoutWithRecipient[]; next_cursor: string | null }> {
    const [after] = decodeCursor(page.cursor, [CursorPart.uuid]) ?? [];
    const rows = await listPayouts(this.dataSource.manager, filter, {
      limit: page.limit + 1,
      after,
    });
    const shown = rows.slice(0, page.limit);
    return {
      payouts: shown,
      next_cursor: rows.length > page.limit ? encodeCursor(shown[shown.length - 1].id) : null,
    };
  }

  /**
   * After commit. While Redis is down the payout waits `pending`; reconciliation enqueues it again
   * (the job id is the payout's, so an enqueue of a job still queued adds nothing). `enqueued_at`
   * is written only by reconciliation: on the request path it would cost a write per withdrawal.
   */
  async enqueue(payoutId: string, record = false): Promise<boolean> {
    const queued = await this.producer.tryEnqueue(
      QueueName.Payouts,
      JobName.ProcessPayout,
      { payoutId } satisfies ProcessPayoutJob,
      payoutJobOptions(this.config, payoutId),
    );
    if (!queued) {
      this.logger.warn(`payout ${payoutId} waits for reconciliation: it could not be enqueued`);
    } else if (record) {
      await queryRows(
        this.dataSource.manager,
        `UPDATE payouts SET enqueued_at = now() WHERE id = $1`,
        [payoutId],
      );
    }
    return queued;
  }

  private holdShards(currency: string): PayoutHoldShards {
    let shards = this.holds.get(currency);
    if (!shards) {
      const manager = this.dataSource.manager;
      shards = new PayoutHoldShards(
        (sql, params) => queryRows(manager, sql, params),
        async (shard) =>
          (await this.ledger.systemAccount(manager, shardAccountName(currency, shard), currency))
            .id,
      );
      this.holds.set(currency, shards);
    }
    return shards;
  }

  /** A gateway's test keys (`sk_test_…`, `FLWSECK_TEST-…`) move no real money. */
  private livemode(gateway: string): boolean {
    const key =
      gateway === 'paystack'
        ? this.config.paystack.secretKey
        : gateway === 'flutterwave'
          ? this.config.flutterwave.secretKey
          : undefined;
    return key !== undefined && !/test/i.test(key.split(/[-_]/).slice(0, 2).join('_'));
  }

  private async recipientOf(
    manager: EntityManager,
    userId: string,
    recipientId: string,
  ): Promise<RecipientRow> {
    const cached = this.recipients.get(recipientId);
    if (cached) {
      if (cached.user_id !== userId) throw notFound('Payout recipient');
      return cached;
    }
    if (!isUuid(recipientId)) throw notFound('Payout recipient');
    const [recipient] = await queryRows<RecipientRow>(
      manager,
      `SELECT * FROM payout_recipients WHERE id = $1 AND user_id = $2 AND deleted_at IS NULL`,
      [recipientId, userId],
    );
    if (!recipient) throw notFound('Payout recipient');
    if (this.recipients.size >= MAX_CACHED_RECIPIENTS) this.recipients.clear();
    this.recipients.set(recipient.id, recipient);
    return recipient;
  }
}
