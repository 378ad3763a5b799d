import { Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { DataKeyring } from '../../common/crypto/data-keyring.js';
import { conflict, notFound } from '../../common/errors/app-error.js';
import { minorFromDb } from '../../common/money.js';
import { isUuid } from '../../common/validation/uuid.js';
import { AppConfig } from '../../config/app-config.js';
import { queryRows } from '../../database/sql.js';
import { GatewayRequestError } from '../gateways/gateway.errors.js';
import type { GatewayName } from '../gateways/gateway.interface.js';
import { GatewayRegistry } from '../gateways/gateway.registry.js';
import type { PayoutGateway, TransferResult } from '../gateways/payout-gateway.interface.js';
import type { PayoutStatus } from './dto/payout.dto.js';
import { loadPayout, type PayoutWithRecipient } from './payout-rows.js';
import { PayoutTransitionsService } from './payout-transitions.service.js';
import { accountNumberContext } from './payouts.service.js';

/** Thrown to make BullMQ try again later (backoff): the payout is still `processing`. */
export class PayoutStillOpenError extends Error {}

/**
 * Sends a payout's transfer, never blindly twice.
 *
 * Before the call, a guarded UPDATE claims it: `pending` → `processing` with `transfer_sent_at`
 * set, committed before the gateway hears anything. So a payout that is `processing` has been
 * sent, or may have been (a timeout, a 5xx, a cut connection, a worker killed mid-call): from
 * then on it is only verified by reference (Paystack GET /transfer/verify/:reference, Flutterwave
 * GET /v3/transfers?reference=) until the gateway says what happened. Only a "not found" more
 * than PAYOUT_RESEND_AFTER after the last call allows sending again, with the same reference
 * (both gateways refuse a second transfer with it), claimed under the number of calls made so far
 * (`send_attempts`) so two workers cannot both resend.
 */
@Injectable()
export class PayoutExecutionService {
  private readonly logger = new Logger(PayoutExecutionService.name);

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly config: AppConfig,
    private readonly registry: GatewayRegistry,
    private readonly transitions: PayoutTransitionsService,
    private readonly keyring: DataKeyring,
  ) {}

  /** The job's body. Throws PayoutStillOpenError (or a gateway error) to be retried. */
  async process(payoutId: string): Promise<PayoutStatus | 'missing'> {
    const payout = await loadPayout(this.dataSource.manager, { id: payoutId });
    if (!payout) return 'missing';
    if (payout.status === 'pending') return this.send(payout, payout.send_attempts);
    if (payout.status === 'processing') return this.check(payout);
    return payout.status;
  }

  /** Asks the gateway about a sent payout and applies the answer; may resend after "not found". */
  async check(payout: PayoutWithRecipient): Promise<PayoutStatus> {
    if (!payout.transfer_sent_at) return this.send(payout, payout.send_attempts);
    const result = await this.verify(payout);
    if (result.status === 'not_found') {
      const since = Date.now() - payout.transfer_sent_at.getTime();
      if (since >= this.config.payoutResendAfterMs) {
        this.logger.warn(
          `payout ${payout.id}: ${payout.gateway} has no transfer ${payout.reference} ${Math.round(since / 1000)} s after the call; sending it again with the same reference`,
        );
        return this.send(payout, payout.send_attempts);
      }
      throw new PayoutStillOpenError(
        `${payout.gateway} does not know ${payout.reference} yet (${Math.round(since / 1000)} s after the call)`,
      );
    }
    return this.apply(payout, result);
  }

  /** An admin passes on the OTP Paystack asked for; recorded with who and when. */
  async finalize(payoutId: string, adminUserId: string, otp: string): Promise<PayoutStatus> {
    if (!isUuid(payoutId)) throw notFound('Payout');
    const payout = await loadPayout(this.dataSource.manager, { id: payoutId });
    if (!payout) throw notFound('Payout');
    if (payout.status !== 'requires_otp' || !payout.gateway_transfer_id) {
      throw conflict('PAYOUT_NOT_AWAITING_OTP', `The payout is ${payout.status}, not requires_otp`);
    }
    const gateway = this.gatewayOf(payout);
    if (!gateway.finalizeTransfer) {
      throw conflict('PAYOUT_NOT_AWAITING_OTP', `${payout.gateway} transfers take no OTP`);
    }
    const result = await gateway.finalizeTransfer(payout.gateway_transfer_id, otp);
    const moved = await queryRows<{ id: string }>(
      this.dataSource.manager,
      `UPDATE payouts SET status = 'processing', finalized_by = $2, finalized_at = now(),
              next_verify_at = now() + make_interval(secs => $3), updated_at = now()
        WHERE id = $1 AND status = 'requires_otp' RETURNING id`,
      [payout.id, adminUserId, this.config.payoutVerifyIntervalMs / 1000],
    );
    if (moved.length === 0) return (await this.reload(payout.id)).status;
    return this.apply(await this.reload(payout.id), result);
  }

  /** Verifies with the gateway and applies what it says, whatever our state (webhooks use this). */
  async verifyAndApply(payout: PayoutWithRecipient): Promise<TransferResult> {
    const result = await this.verify(payout);
    if (result.status !== 'not_found') await this.apply(payout, result);
    return result;
  }

  /** Claims the call under the number of calls made so far: of two racing senders one wins. */
  private async send(payout: PayoutWithRecipient, previousAttempts: number): Promise<PayoutStatus> {
    const gateway = this.gatewayOf(payout);
    const claimed = await queryRows<{ id: string }>(
      this.dataSource.manager,
      `UPDATE payouts
          SET status = 'processing', send_attempts = send_attempts + 1, transfer_sent_at = now(),
              next_verify_at = now() + make_interval(secs => $3), updated_at = now()
        WHERE id = $1 AND status IN ('pending', 'processing')
          AND send_attempts = $2
        RETURNING id`,
      [payout.id, previousAttempts, this.config.payoutVerifyIntervalMs / 1000],
    );
    if (claimed.length === 0) return (await this.reload(payout.id)).status;

    let result: TransferResult;
    try {
      result = await gateway.sendTransfer({
        reference: payout.reference,
        amount: minorFromDb(payout.amount),
        currency: payout.currency,
        narration: payout.narration,
        recipient: {
          recipientCode: payout.recipient.gateway_recipient_code,
          accountNumber: this.keyring.open(
            payout.recipient.account_number,
            accountNumberContext(payout.recipient.id),
          ),
          bankCode: payout.recipient.bank_code,
          accountName: payout.recipient.account_name,
        },
      });
    } catch (error) {
      const message = (error instanceof Error ? error.message : String(error)).slice(0, 1000);
      await queryRows(
        this.dataSource.manager,
        `UPDATE payouts SET last_error = $2, updated_at = now() WHERE id = $1`,
        [payout.id, message],
      );
      if (error instanceof GatewayRequestError) {
        // A refusal, but "duplicate reference" is one too: only the gateway knows whether a
        // transfer with our reference exists. Not found → it was refused, nothing was sent.
        const known = await this.verify(payout);
        if (known.status === 'not_found') {
          await this.transitions.finish(payout.id, 'failed', message);
          return 'failed';
        }
        return this.apply(payout, known);
      }
      // No answer: the transfer may exist. Verify later (the job's retry, then reconciliation).
      throw new PayoutStillOpenError(
        `transfer ${payout.reference} sent without an answer: ${message}`,
      );
    }
    return this.apply(payout, result);
  }

  private async verify(payout: PayoutWithRecipient): Promise<TransferResult> {
    const result = await this.gatewayOf(payout).verifyTransfer(payout.reference, payout.currency);
    await queryRows(
      this.dataSource.manager,
      `UPDATE payouts SET last_verified_at = now(),
              next_verify_at = CASE WHEN status IN ('pending', 'processing')
                                    THEN now() + make_interval(secs => $2) END
        WHERE id = $1`,
      [payout.id, this.config.payoutVerifyIntervalMs / 1000],
    );
    return result;
  }

  /** What the gateway says about our transfer, applied once (see PayoutTransitionsService). */
  private async apply(payout: PayoutWithRecipient, result: TransferResult): Promise<PayoutStatus> {
    if (result.gatewayTransferId) {
      await queryRows(
        this.dataSource.manager,
        `UPDATE payouts SET gateway_transfer_id = $2 WHERE id = $1 AND gateway_transfer_id IS DISTINCT FROM $2`,
        [payout.id, result.gatewayTransferId.slice(0, 100)],
      );
    }
    const mismatch =
      (result.amount !== undefined && result.amount !== minorFromDb(payout.amount)) ||
      (result.currency !== undefined && result.currency !== payout.currency);
    if (mismatch && result.status === 'succeeded') {
      const note = `${payout.gateway} reports transfer ${payout.reference} of ${result.amount} ${result.currency}, not ${payout.amount} ${payout.currency}; left for a person`;
      this.logger.error(note);
      await queryRows(this.dataSource.manager, `UPDATE payouts SET last_error = $2 WHERE id = $1`, [
        payout.id,
        note,
      ]);
      return (await this.reload(payout.id)).status;
    }
    switch (result.status) {
      case 'succeeded':
      case 'failed':
      case 'reversed':
        await this.transitions.finish(payout.id, result.status, result.failureReason ?? null);
        break;
      case 'otp':
        // still waiting for its OTP: looked at again after PAYOUT_RECONCILE_INTERVAL
        await queryRows(
          this.dataSource.manager,
          `UPDATE payouts SET status = 'requires_otp', updated_at = now(),
                  next_verify_at = now() + make_interval(secs => $2)
            WHERE id = $1 AND status IN ('processing', 'requires_otp')`,
          [payout.id, this.config.payoutReconcileIntervalMs / 1000],
        );
        break;
      case 'pending':
      case 'not_found':
        break;
    }
    return (await this.reload(payout.id)).status;
  }

  private gatewayOf(payout: PayoutWithRecipient): PayoutGateway {
    return this.registry.payouts(payout.gateway as GatewayName);
  }

  private async reload(payoutId: string): Promise<PayoutWithRecipient> {
    const payout = await loadPayout(this.dataSource.manager, { id: payoutId });
    if (!payout) throw new Error(`payout ${payoutId} vanished`);
    return payout;
  }
}
