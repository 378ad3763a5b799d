import { Global, Injectable, Module } from '@nestjs/common';
import { DiscoveryModule, DiscoveryService, MetadataScanner, Reflector } from '@nestjs/core';
import type { EntityManager } from 'typeorm';
import { EventBus, onEventDecorator } from '../../common/events/event-bus.js';
import type { SqlFunctionCall } from '../../database/sql.js';
import type { NormalizedWebhookEvent } from '../gateways/gateway.interface.js';
import type { Payment } from '../payments/payment.entity.js';
import type { User } from '../users/user.entity.js';

/** A payment that has just succeeded, as the 'payment.succeeded' handlers see it. */
export interface SettledPayment {
  id: string;
  reference: string;
  userId: string;
  /** 'payment' for plain payments, 'wallet_deposit' for wallet top-ups. */
  purpose: string;
  gateway: string;
  currency: string;
  /** What the gateway received (the requested amount unless an admin accepted a mismatch). */
  amountReceived: number;
  settledAt: Date;
}

/** Work to do once the emitter's transaction has committed (e.g. enqueueing a job). */
export type AfterCommit = () => Promise<void>;

/** A stored, signature-checked refund webhook (`kind: 'refund'`). */
export type InboundRefundEvent = NormalizedWebhookEvent & {
  gateway: string;
  inboundEventId: string;
};

/** A stored, signature-checked transfer (payout) webhook (`kind: 'payout'`). */
export type InboundPayoutEvent = NormalizedWebhookEvent & {
  gateway: string;
  inboundEventId: string;
};

/** A stored, signature-checked dispute webhook (`kind: 'dispute'`). */
export type InboundDisputeEvent = NormalizedWebhookEvent & {
  gateway: string;
  inboundEventId: string;
};

/** What became of a refund webhook. `unmatched` is retried for a minute, then parked. */
export interface RefundEventOutcome {
  status: 'processed' | 'ignored' | 'unmatched';
  note?: string;
  paymentId?: string;
}

/**
 * Every in-process event one module sends others, with what its handlers are given and answer.
 * The emitter does not know who handles it; the handlers' modules do not import the emitter's.
 */
export interface AppEventMap {
  /**
   * A user is being created: inside the creating transaction, before anyone else can see the
   * user; a handler that throws rolls the user back. The wallet opens here.
   */
  'user.created': { args: [manager: EntityManager, user: User]; result: void };
  /**
   * A payment is succeeding: before the settlement statement, outside any transaction. Each
   * handler answers the SQL function call settlement then runs in that one statement (once the
   * payment row is written; if it raises, the whole settlement rolls back), or null. It may look
   * up (and idempotently create) what its call needs, but must change nothing the call is about.
   * The wallet credits a deposit here.
   */
  'payment.succeeded': { args: [payment: SettledPayment]; result: SqlFunctionCall | null };
  /**
   * An admin rejected a payment in review: inside the reject's transaction, after the payment
   * became `failed` (amount_received is what the gateway took); throwing rolls the reject back.
   * A handler may answer work for after the commit. The refund of what was received starts here.
   */
  'payment.rejected': {
    args: [manager: EntityManager, payment: Payment, adminUserId: string];
    result: AfterCommit | undefined;
  };
  /**
   * A stored refund webhook to apply, from the inbound webhook job. One handler answers its
   * outcome (with none, the event is `ignored`); throwing makes the job retry with backoff.
   */
  'inbound-webhook.refund': { args: [event: InboundRefundEvent]; result: RefundEventOutcome };
  /**
   * A stored transfer webhook to apply, from the inbound webhook job (the payouts module asks the
   * gateway before applying it). Same contract as 'inbound-webhook.refund'.
   */
  'inbound-webhook.payout': { args: [event: InboundPayoutEvent]; result: RefundEventOutcome };
  /**
   * A stored dispute webhook to apply (SPEC §17): the handler fetches the dispute from the gateway
   * and applies it. Outcomes as for refunds; throwing retries with backoff.
   */
  'inbound-webhook.dispute': { args: [event: InboundDisputeEvent]; result: RefundEventOutcome };
}

/** The application's event bus (see AppEventMap). */
@Injectable()
export class AppEvents extends EventBus<AppEventMap> {
  constructor(discovery: DiscoveryService, scanner: MetadataScanner, reflector: Reflector) {
    super(discovery, scanner, reflector);
  }
}

/** Marks a provider's method as the handler of an AppEventMap event. */
export const OnAppEvent = onEventDecorator<AppEventMap>();

@Global()
@Module({
  imports: [DiscoveryModule],
  providers: [AppEvents],
  exports: [AppEvents],
})
export class AppEventsModule {}
