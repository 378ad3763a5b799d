import { randomBytes } from 'node:crypto';
import { Injectable, OnModuleInit } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { Webhook, WebhookVerificationError } from 'standardwebhooks';
import type { DataSource } from 'typeorm';
import { DataKeyring } from '../../../common/crypto/data-keyring.js';
import { minorFromDb, type Minor } from '../../../common/money.js';
import { AppConfig } from '../../../config/app-config.js';
import { readOrCreateAppSecret } from '../../../database/app-secrets.js';
import { queryRows } from '../../../database/sql.js';
import { GatewayRequestError, InvalidSignatureError } from '../gateway.errors.js';
import type {
  CaptureInput,
  GatewayCaptureMode,
  InboundWebhookRequest,
  InitializeInput,
  InitializeResult,
  NormalizedWebhookEvent,
  PaymentGateway,
  RefundInput,
  RefundResult,
  VerifyInput,
  VerifyResult,
} from '../gateway.interface.js';
import {
  parseTestGatewayEvent,
  testEventId,
  type TestGatewayEvent,
} from './test-gateway-payload.js';

export const TEST_GATEWAY_SECRET_NAME = 'test_gateway_webhook_secret';
/** Where the test gateway's hosted Pay/Fail page lives, under /api/v1. */
export const TEST_GATEWAY_PAGE_PATH = 'test-gateway/checkout';

/** `authorized` and `canceled` only for a manual charge (SPEC §15). */
export type TestChargeStatus = 'pending' | 'authorized' | 'succeeded' | 'failed' | 'canceled';
/** The payer's choice; `succeeded` on a manual charge authorizes it. */
export type TestOutcome = 'succeeded' | 'failed';

/** One row of test_gateway_charges: what the test gateway knows about a payment. */
export interface TestCharge {
  reference: string;
  amount: Minor;
  currency: string;
  status: TestChargeStatus;
  returnUrl: string;
  captureMethod: GatewayCaptureMode;
  /** What the capture of a manual charge took (the rest of the authorization released). */
  amountCaptured: Minor | null;
  /** The idempotency keys the capture or void came with. */
  captureKey: string | null;
  voidKey: string | null;
}

/** What a signed event needs of a charge (tests build one by hand). */
export type TestChargeEventSource = Omit<
  TestCharge,
  'captureMethod' | 'amountCaptured' | 'captureKey' | 'voidKey'
> &
  Partial<Pick<TestCharge, 'amountCaptured'>>;

interface ChargeRow {
  reference: string;
  amount: string;
  currency: string;
  status: TestChargeStatus;
  return_url: string;
  capture_method: GatewayCaptureMode;
  amount_captured: string | null;
  capture_key: string | null;
  void_key: string | null;
}

const CHARGE_COLUMNS = `reference, amount, currency, status, return_url, capture_method, amount_captured, capture_key, void_key`;

/** The payer's outcome as it lands on a charge: a manual charge paid is only authorized. */
const DECIDED_STATUS = (outcome: string): string =>
  `CASE WHEN ${outcome} = 'succeeded' AND capture_method = 'manual' THEN 'authorized' ELSE ${outcome} END`;

function toCharge(row: ChargeRow): TestCharge {
  return {
    reference: row.reference,
    amount: minorFromDb(row.amount),
    currency: row.currency,
    status: row.status,
    returnUrl: row.return_url,
    captureMethod: row.capture_method,
    amountCaptured: row.amount_captured === null ? null : minorFromDb(row.amount_captured),
    captureKey: row.capture_key,
    voidKey: row.void_key,
  };
}

/** What the charge's event and verify report as the amount: a manual success's is the capture. */
function reportedAmount(charge: TestChargeEventSource): Minor {
  const captured = charge.amountCaptured ?? null;
  return charge.status === 'succeeded' && captured !== null ? captured : charge.amount;
}

/**
 * The built-in `test` gateway (SPEC §14), on only in TEST_MODE. It behaves like a real one: it
 * keeps its own record of each payment (test_gateway_charges), the payer decides on its hosted
 * page (Pay or Fail), or, with TEST_PROCESSING_DELAY, the payment decides itself after the delay
 * with TEST_PAYMENT_SUCCESS's outcome; it then sends a signed event (Standard Webhooks, with a
 * per-install secret kept sealed in app_secrets) to the ordinary inbound intake, whose processing
 * asks verify, which answers from that record. A signed event therefore settles nothing the
 * record does not say.
 */
@Injectable()
export class TestGatewayAdapter implements PaymentGateway, OnModuleInit {
  readonly name = 'test' as const;
  private webhook: Webhook | undefined;

  constructor(
    private readonly config: AppConfig,
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly keyring: DataKeyring,
  ) {}

  async onModuleInit(): Promise<void> {
    if (!this.config.testMode) return;
    const secret = await readOrCreateAppSecret(
      this.dataSource,
      this.keyring,
      TEST_GATEWAY_SECRET_NAME,
      () => `whsec_${randomBytes(32).toString('base64')}`,
    );
    this.webhook = new Webhook(secret);
  }

  isEnabled(): boolean {
    return this.config.testMode && this.webhook !== undefined;
  }

  supportsCurrency(currency: string): boolean {
    return /^[A-Z]{3}$/.test(currency);
  }

  async initialize(input: InitializeInput): Promise<InitializeResult> {
    const delay = this.config.testProcessingDelayMs;
    await queryRows(
      this.dataSource.manager,
      `INSERT INTO test_gateway_charges (reference, amount, currency, return_url, settle_at, auto_outcome, capture_method)
       VALUES ($1, $2, $3, $4, now() + ($5::bigint * interval '1 millisecond'), $6, $7)
       ON CONFLICT (reference) DO NOTHING`,
      [
        input.reference,
        String(input.amount),
        input.currency,
        input.returnUrl,
        delay === undefined ? null : String(delay),
        delay === undefined ? null : this.config.testPaymentSuccess ? 'succeeded' : 'failed',
        input.capture ?? 'automatic',
      ],
    );
    return {
      authorizationUrl: `${this.config.appUrl}/api/v1/${TEST_GATEWAY_PAGE_PATH}/${encodeURIComponent(input.reference)}`,
      gatewayPaymentId: `test_${input.reference}`,
    };
  }

  async verify(input: VerifyInput): Promise<VerifyResult> {
    await this.decideDue(input.reference);
    const charge = await this.find(input.reference);
    if (!charge) return { status: 'not_found' };
    return this.truthOf(charge);
  }

  /** The charge's record, as verify reports it (a manual success for what was captured). */
  private truthOf(charge: TestCharge): VerifyResult {
    return {
      status: charge.status,
      reference: charge.reference,
      amount: reportedAmount(charge),
      currency: charge.currency,
      gatewayPaymentId: `test_${charge.reference}`,
      failureReason:
        charge.status === 'failed'
          ? 'the payer chose Fail on the test gateway'
          : charge.status === 'canceled'
            ? 'the authorization was voided on the test gateway'
            : undefined,
    };
  }

  /**
   * Captures `amount` of an authorized manual charge, once, as Stripe captures a PaymentIntent: one
   * conditional UPDATE moves it `authorized → succeeded`, so of any number of captures one takes
   * the money. The same idempotency key again (a retry whose answer was lost) replays the answer;
   * anything else on a charge no longer authorized is refused.
   */
  async capture(input: CaptureInput): Promise<VerifyResult> {
    const rows = await queryRows<ChargeRow>(
      this.dataSource.manager,
      `UPDATE test_gateway_charges
          SET status = 'succeeded', amount_captured = $2, capture_key = $3, captured_at = now(),
              notified_at = NULL
        WHERE reference = $1 AND status = 'authorized' AND $2::bigint BETWEEN 1 AND amount
        RETURNING ${CHARGE_COLUMNS}`,
      [input.reference, String(input.amount), input.idempotencyKey],
    );
    if (rows[0]) return this.truthOf(toCharge(rows[0]));
    const charge = await this.find(input.reference);
    if (
      charge?.status === 'succeeded' &&
      charge.captureKey === input.idempotencyKey &&
      charge.amountCaptured === input.amount
    )
      return this.truthOf(charge);
    throw this.refusal('capture', input, charge);
  }

  /** Voids an authorized manual charge (`canceled`), once; the same key again replays it. */
  async voidAuthorization(input: CaptureInput): Promise<VerifyResult> {
    const rows = await queryRows<ChargeRow>(
      this.dataSource.manager,
      `UPDATE test_gateway_charges
          SET status = 'canceled', void_key = $2, canceled_at = now(), notified_at = NULL
        WHERE reference = $1 AND status = 'authorized'
        RETURNING ${CHARGE_COLUMNS}`,
      [input.reference, input.idempotencyKey],
    );
    if (rows[0]) return this.truthOf(toCharge(rows[0]));
    const charge = await this.find(input.reference);
    if (charge?.status === 'canceled' && charge.voidKey === input.idempotencyKey)
      return this.truthOf(charge);
    throw this.refusal('void', input, charge);
  }

  private refusal(
    action: 'capture' | 'void',
    input: CaptureInput,
    charge: TestCharge | undefined,
  ): GatewayRequestError {
    if (!charge)
      return new GatewayRequestError(this.name, 404, `no test payment ${input.reference}`);
    if (charge.status === 'authorized')
      return new GatewayRequestError(
        this.name,
        400,
        `cannot capture ${input.amount} of an authorization of ${charge.amount}`,
      );
    return new GatewayRequestError(
      this.name,
      400,
      `cannot ${action} test payment ${input.reference}: it is ${charge.status}, not authorized`,
    );
  }

  /** Test refunds succeed at once: there is no money at the other end. */
  refund(input: RefundInput): Promise<RefundResult> {
    return Promise.resolve({
      status: 'succeeded',
      gatewayRefundId: `test_refund_${input.refundId}`,
    });
  }

  verifyWebhook(request: InboundWebhookRequest): Promise<void> {
    if (!this.webhook)
      return Promise.reject(new InvalidSignatureError('The test gateway is not enabled'));
    try {
      this.webhook.verify(
        request.rawBody,
        {
          'webhook-id': request.headers['webhook-id'] ?? '',
          'webhook-timestamp': request.headers['webhook-timestamp'] ?? '',
          'webhook-signature': request.headers['webhook-signature'] ?? '',
        },
        { jsonParse: false },
      );
    } catch (error) {
      return Promise.reject(
        new InvalidSignatureError(
          error instanceof WebhookVerificationError ? error.message : undefined,
        ),
      );
    }
    return Promise.resolve();
  }

  parseWebhook(request: InboundWebhookRequest): NormalizedWebhookEvent {
    const event = parseTestGatewayEvent(JSON.parse(request.rawBody.toString('utf8')));
    // charge.authorized / charge.canceled concern a manual charge: processing asks verify anyway.
    return {
      eventId: event.id,
      type: event.type,
      kind: 'payment',
      reference: event.data.reference,
      gatewayPaymentId: `test_${event.data.reference}`,
      paymentStatus: event.data.status,
      amount: event.data.amount,
      currency: event.data.currency,
      // Not the truth: processing asks verify, which reads the charge record.
      selfAuthenticating: false,
    };
  }

  async find(reference: string): Promise<TestCharge | undefined> {
    const rows = await queryRows<ChargeRow>(
      this.dataSource.manager,
      `SELECT ${CHARGE_COLUMNS} FROM test_gateway_charges WHERE reference = $1`,
      [reference],
    );
    return rows[0] === undefined ? undefined : toCharge(rows[0]);
  }

  /**
   * The payer's choice. A charge is decided once: the first of Pay and Fail wins and a later
   * click changes nothing (the row is only updated while still pending). Pay on a manual charge
   * only authorizes it. Answers the charge as it now stands.
   */
  async decide(reference: string, outcome: TestOutcome): Promise<TestCharge | undefined> {
    await queryRows(
      this.dataSource.manager,
      `UPDATE test_gateway_charges SET status = ${DECIDED_STATUS('$2::text')}, decided_at = now()
        WHERE reference = $1 AND status = 'pending'`,
      [reference, outcome],
    );
    return this.find(reference);
  }

  /** Applies TEST_PROCESSING_DELAY's outcome to one charge whose time has come. */
  private async decideDue(reference: string): Promise<void> {
    await queryRows(
      this.dataSource.manager,
      `UPDATE test_gateway_charges SET status = ${DECIDED_STATUS('auto_outcome')}, decided_at = now()
        WHERE reference = $1 AND status = 'pending' AND settle_at <= now()`,
      [reference],
    );
  }

  /** Decides every charge whose delay has passed; answers how many. */
  async decideAllDue(limit = 100): Promise<number> {
    const rows = await queryRows<{ reference: string }>(
      this.dataSource.manager,
      `UPDATE test_gateway_charges SET status = ${DECIDED_STATUS('auto_outcome')}, decided_at = now()
        WHERE reference IN (
          SELECT reference FROM test_gateway_charges
           WHERE status = 'pending' AND settle_at <= now()
           ORDER BY settle_at LIMIT $1 FOR UPDATE SKIP LOCKED)
          AND status = 'pending'
        RETURNING reference`,
      [limit],
    );
    return rows.length;
  }

  /** Charges whose latest state's event has not been handed to intake yet, oldest first. */
  async unnotified(limit = 100): Promise<TestCharge[]> {
    const rows = await queryRows<ChargeRow>(
      this.dataSource.manager,
      `SELECT ${CHARGE_COLUMNS} FROM test_gateway_charges
        WHERE status <> 'pending' AND notified_at IS NULL ORDER BY decided_at LIMIT $1`,
      [limit],
    );
    return rows.map(toCharge);
  }

  /**
   * The event of `status` was handed over. Only while the charge is still in that state: a
   * capture or void that came meanwhile keeps its own event unsent, for the sweep.
   */
  async markNotified(reference: string, status: TestChargeStatus): Promise<void> {
    await queryRows(
      this.dataSource.manager,
      `UPDATE test_gateway_charges SET notified_at = now()
        WHERE reference = $1 AND status = $2 AND notified_at IS NULL`,
      [reference, status],
    );
  }

  /** The signed event for a decided charge: body and Standard Webhooks headers. */
  signedEvent(charge: TestChargeEventSource): { body: string; headers: Record<string, string> } {
    if (!this.webhook) throw new Error('the test gateway is not enabled');
    if (charge.status === 'pending') throw new Error(`${charge.reference} is not decided yet`);
    const event: TestGatewayEvent = {
      id: testEventId(charge.reference, charge.status),
      type: `charge.${charge.status}`,
      data: {
        reference: charge.reference,
        status: charge.status,
        amount: reportedAmount(charge),
        currency: charge.currency,
      },
    };
    const body = JSON.stringify(event);
    const at = new Date();
    return {
      body,
      headers: {
        'content-type': 'application/json',
        'webhook-id': event.id,
        'webhook-timestamp': String(Math.floor(at.getTime() / 1000)),
        'webhook-signature': this.webhook.sign(event.id, at, body),
      },
    };
  }
}
