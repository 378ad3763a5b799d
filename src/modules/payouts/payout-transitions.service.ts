import { Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource, EntityManager } from 'typeorm';
import { MetricsService } from '../../common/metrics/metrics.service.js';
import { minorFromDb } from '../../common/money.js';
import { queryRows } from '../../database/sql.js';
import { LedgerService } from '../ledger/ledger.service.js';
import type { OutboundEventType } from '../outbound-webhooks/outbound-webhook.types.js';
import { OutboxService } from '../outbound-webhooks/outbox.service.js';
import { clearingAccountName } from '../wallet/clearing-accounts.js';
import { WalletService } from '../wallet/wallet.service.js';
import type { PayoutStatus } from './dto/payout.dto.js';
import {
  inFlightAccountName,
  loadPayout,
  type PayoutWithRecipient,
  toPayoutDto,
} from './payout-rows.js';

export type PayoutOutcome = 'succeeded' | 'failed' | 'reversed';

/** Sent to the gateway (or about to be): a success, failure or reversal may finish these. */
const SENT_STATUSES: readonly PayoutStatus[] = ['pending', 'processing', 'requires_otp'];

/**
 * Every move of a payout's held money, each in one transaction under the payout's row lock:
 * success posts the hold from payouts_in_flight to the gateway's clearing account; failure,
 * rejection and reversal return it to the wallet. Whatever mix of job answers, webhooks,
 * verification and admin decisions reports the outcome, it is applied once: the state is read
 * under the lock, the ledger keys (`withdrawal_settlement:<id>`, `withdrawal_reversal:<id>`) are
 * unique, and the database's trigger and checks refuse a second move of the money.
 */
@Injectable()
export class PayoutTransitionsService {
  private readonly logger = new Logger(PayoutTransitionsService.name);

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly ledger: LedgerService,
    private readonly wallets: WalletService,
    private readonly outbox: OutboxService,
    private readonly metrics: MetricsService,
  ) {}

  /** Applies what the gateway said happened; false when it changed nothing (repeat or contradiction). */
  async finish(payoutId: string, outcome: PayoutOutcome, reason: string | null): Promise<boolean> {
    let gateway = 'unknown';
    const changed = await this.dataSource.transaction(async (manager) => {
      const payout = await this.locked(manager, payoutId);
      gateway = payout.gateway;
      if (outcome === 'succeeded') {
        if (!SENT_STATUSES.includes(payout.status)) return this.unchanged(manager, payout, outcome);
        const transferId = await this.settle(manager, payout);
        await queryRows(
          manager,
          `UPDATE payouts SET status = 'succeeded', settlement_transfer_id = $2, failure_reason = NULL,
                  completed_at = now(), next_verify_at = NULL, updated_at = now() WHERE id = $1`,
          [payout.id, transferId],
        );
      } else if (outcome === 'failed') {
        if (!SENT_STATUSES.includes(payout.status)) return this.unchanged(manager, payout, outcome);
        const transferId = await this.returnToWallet(manager, payout, 'in_flight');
        await queryRows(
          manager,
          `UPDATE payouts SET status = 'failed', return_transfer_id = $2, failure_reason = $3,
                  completed_at = now(), next_verify_at = NULL, updated_at = now() WHERE id = $1`,
          [payout.id, transferId, (reason ?? 'failed at the gateway').slice(0, 1000)],
        );
      } else {
        // A reversal after a success gives back what was posted to the clearing account; one
        // that comes before we saw the success gives back the hold.
        let from: 'clearing' | 'in_flight';
        if (payout.status === 'succeeded') from = 'clearing';
        else if (SENT_STATUSES.includes(payout.status)) from = 'in_flight';
        else return this.unchanged(manager, payout, outcome);
        const transferId = await this.returnToWallet(manager, payout, from);
        await queryRows(
          manager,
          `UPDATE payouts SET status = 'reversed', return_transfer_id = $2, failure_reason = $3,
                  completed_at = now(), next_verify_at = NULL, updated_at = now() WHERE id = $1`,
          [payout.id, transferId, (reason ?? 'reversed by the gateway').slice(0, 1000)],
        );
      }
      await this.recordEvent(manager, payout.id, `payout.${outcome}` as const);
      return true;
    });
    // The gateway read under the lock: the metric needs no second read of the payout.
    if (changed) this.metrics.payouts.inc({ gateway, event: outcome });
    return changed;
  }

  /** An admin's rejection of a payout awaiting approval: the hold goes back, recorded with who. */
  async reject(payoutId: string, adminUserId: string, note: string): Promise<boolean> {
    let gateway = 'unknown';
    const changed = await this.dataSource.transaction(async (manager) => {
      const payout = await this.locked(manager, payoutId);
      gateway = payout.gateway;
      if (payout.status !== 'pending_approval') return false;
      const transferId = await this.returnToWallet(manager, payout, 'in_flight');
      await queryRows(
        manager,
        `UPDATE payouts SET status = 'rejected', return_transfer_id = $2, rejected_by = $3,
                rejected_at = now(), rejection_note = $4, completed_at = now(), updated_at = now()
          WHERE id = $1`,
        [payout.id, transferId, adminUserId, note],
      );
      return true;
    });
    if (changed) this.metrics.payouts.inc({ gateway, event: 'rejected' });
    return changed;
  }

  private async locked(manager: EntityManager, payoutId: string): Promise<PayoutWithRecipient> {
    const payout = await loadPayout(manager, { id: payoutId }, true);
    if (!payout) throw new Error(`payout ${payoutId} does not exist`);
    return payout;
  }

  private async unchanged(
    manager: EntityManager,
    payout: PayoutWithRecipient,
    outcome: PayoutOutcome,
  ): Promise<false> {
    const repeat =
      payout.status === outcome || (outcome === 'failed' && payout.status === 'reversed');
    if (!repeat) {
      const note = `the gateway reported ${outcome} for a payout that is ${payout.status}; recorded, not applied`;
      this.logger.warn(`payout ${payout.id}: ${note}`);
      await queryRows(manager, `UPDATE payouts SET last_error = $2 WHERE id = $1`, [
        payout.id,
        note,
      ]);
    }
    return false;
  }

  private async settle(manager: EntityManager, payout: PayoutWithRecipient): Promise<string> {
    const amount = minorFromDb(payout.amount);
    const inFlight = await this.ledger.systemAccount(
      manager,
      inFlightAccountName(payout.currency, payout.id),
      payout.currency,
    );
    const clearing = await this.ledger.systemAccount(
      manager,
      clearingAccountName(payout.gateway, payout.currency),
      payout.currency,
    );
    // The clearing account first, before ledger_post locks both in id order: every settlement
    // posts to it, so settlements queue on it one after another; waiting there, they hold no
    // in-flight account, which the request path's holds need (a settlement waiting for the
    // clearing account while holding an in-flight shard stalled every hold into that shard:
    // bench/README.md). Only settlements lock a shard and the clearing account together, and all
    // lock the clearing account first, so this order cannot deadlock with them.
    await queryRows(manager, `SELECT 1 FROM ledger_accounts WHERE id = $1 FOR UPDATE`, [
      clearing.id,
    ]);
    const posted = await this.ledger.post(manager, {
      kind: 'withdrawal_settlement',
      key: `withdrawal_settlement:${payout.id}`,
      // ledger references are unique per transfer: the payout's, marked by what this one does
      reference: `${payout.reference}-S`,
      lines: [
        { accountId: inFlight.id, amount: -amount },
        { accountId: clearing.id, amount },
      ],
    });
    return posted.id;
  }

  private async returnToWallet(
    manager: EntityManager,
    payout: PayoutWithRecipient,
    from: 'clearing' | 'in_flight',
  ): Promise<string> {
    const amount = minorFromDb(payout.amount);
    const source = await this.ledger.systemAccount(
      manager,
      from === 'clearing'
        ? clearingAccountName(payout.gateway, payout.currency)
        : inFlightAccountName(payout.currency, payout.id),
      payout.currency,
    );
    const wallet = await this.wallets.walletOf(manager, payout.user_id);
    const posted = await this.ledger.post(manager, {
      kind: 'withdrawal_reversal',
      key: `withdrawal_reversal:${payout.id}`,
      reference: `${payout.reference}-R`,
      lines: [
        { accountId: source.id, amount: -amount },
        { accountId: wallet.id, amount },
      ],
    });
    return posted.id;
  }

  /** The outbound event carries the payout as GET shows it now, read inside the transaction. */
  private async recordEvent(
    manager: EntityManager,
    payoutId: string,
    type: OutboundEventType,
  ): Promise<void> {
    const payout = await loadPayout(manager, { id: payoutId });
    if (!payout) return;
    await this.outbox.record(manager, {
      userId: payout.user_id,
      type,
      data: toPayoutDto(payout),
      occurredAt: payout.completed_at ?? new Date(),
    });
  }
}
