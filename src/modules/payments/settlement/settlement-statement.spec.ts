import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { SnakeNamingStrategy } from '../../../database/snake-naming.strategy.js';
import type { VerifyResult } from '../../gateways/gateway.interface.js';
import { walletDepositCall } from '../../wallet/wallet.service.js';
import { Payment } from '../payment.entity.js';
import { decidePayment } from './payment-state-machine.js';
import {
  type PaymentChanges,
  describeTransition,
  observedChanges,
  transitionChanges,
  type Transition,
} from './payment-transitions.js';
import { settlementStatement, type SettlementWrite } from './settlement-statement.js';
import { snapshotUpdateRequested } from '../../../config/dev-flags.js';

/**
 * settlement.sql is what settlementStatement builds for each kind of settlement, checked in so a
 * reader sees the one statement a settlement is. This test builds them again and compares;
 * after a deliberate change, `UPDATE_SNAPSHOTS=1 npm run test:unit -- settlement-statement`
 * rewrites the file (then read the diff).
 */
const SNAPSHOT = join(import.meta.dirname, 'settlement.sql');
const NOW = new Date('2026-01-22T12:00:00.000Z');
const naming = new SnakeNamingStrategy();

function payment(overrides: Partial<Payment> = {}): Payment {
  return Object.assign(new Payment(), {
    id: '3f1c2b7e-5d4a-4e8b-9c1d-2a3b4c5d6e7f',
    reference: 'PAY-20260122120000-AB12CD34',
    userId: '9b2e6d1a-0c4f-4e7b-8a3d-5f6e7a8b9c0d',
    purpose: 'payment',
    gateway: 'paystack',
    status: 'pending',
    amount: 500000,
    currency: 'NGN',
    amountReceived: null,
    gatewayPaymentId: null,
    gatewayChargeId: null,
    orderId: null,
    expiresAt: new Date('2026-01-23T12:00:00.000Z'),
    ...overrides,
  });
}

function transition(row: Payment, report: VerifyResult | null, expired = false): Transition {
  const decision = decidePayment(row.status, row, report, { expired });
  if (decision.kind !== 'transition') throw new Error(`no transition: ${decision.reason}`);
  return decision;
}

/** The transition's write, as SettlementService puts it together (columns by snake naming). */
function transitionWrite(
  row: Payment,
  report: VerifyResult | null,
  asked: boolean,
  parts: Omit<SettlementWrite, 'move' | 'audit'>,
  expired = false,
): SettlementWrite {
  const decision = transition(row, report, expired);
  const changes: PaymentChanges = Object.assign(
    observedChanges(row, report, asked, NOW),
    transitionChanges(decision, report, NOW, NOW),
    { updatedAt: NOW },
  );
  return {
    move: {
      kind: 'transition',
      paymentId: row.id,
      version: '7341',
      set: Object.keys(changes).map((property) => [
        naming.columnName(property, undefined, []),
        null,
      ]),
    },
    audit: {
      source: 'webhook',
      fromStatus: row.status,
      toStatus: decision.to,
      note: describeTransition(decision),
      details: null,
      inboundEventId: null,
    },
    ...parts,
  };
}

const credit = (amount: number) =>
  walletDepositCall({
    clearingId: 'c0c0c0c0-0000-4000-8000-000000000001',
    walletId: 'c0c0c0c0-0000-4000-8000-000000000002',
    amount,
    paymentId: '3f1c2b7e-5d4a-4e8b-9c1d-2a3b4c5d6e7f',
    reference: 'PAY-20260122120000-AB12CD34',
    eventId: 'evt_x',
  });

const event = (type: string) => ({
  id: 'evt_x',
  userId: 'u',
  type,
  data: '{}',
  createdAt: NOW,
});

function cases(): [title: string, write: SettlementWrite][] {
  const deposit = payment({
    purpose: 'wallet_deposit',
    orderId: '6a0c1e7e-2b1f-4c55-8d2e-0f9a8b7c6d5e',
  });
  const paid: VerifyResult = {
    status: 'succeeded',
    reference: deposit.reference,
    amount: deposit.amount,
    currency: 'NGN',
    gatewayPaymentId: '4099260516',
  };
  return [
    [
      'A wallet deposit for an order succeeds, from its gateway webhook (the gateway asked): the ' +
        'payment moves, its audit entry, the inbound event closed, payment.success, the order ' +
        'paid, and the wallet credit (wallet_deposit, a payment.succeeded effect)',
      transitionWrite(deposit, paid, true, {
        closesInboundEventId: '0f8e3a52-3c1e-4d0b-9b8f-6b2f0c1d2e3f',
        event: event('payment.success'),
        order: {
          orderId: deposit.orderId as string,
          paymentId: deposit.id,
          paidAt: NOW,
          currency: 'NGN',
          amountReceived: '500000',
        },
        effects: [credit(500000)],
      }),
    ],
    [
      'A payment fails when verified (the payer asked through POST /payments/{reference}/verify): ' +
        'the payment moves, its audit entry, payment.failed',
      transitionWrite(
        payment(),
        { status: 'failed', reference: 'PAY-20260122120000-AB12CD34', failureReason: 'Declined' },
        true,
        { event: event('payment.failed'), effects: [] },
      ),
    ],
    [
      'The gateway reports another amount than was asked (a self-authenticating event, nothing ' +
        'asked): the payment needs review, with its audit entry and the inbound event closed; ' +
        'no event is sent for a review',
      transitionWrite(
        payment(),
        {
          status: 'succeeded',
          reference: 'PAY-20260122120000-AB12CD34',
          amount: 1,
          currency: 'NGN',
        },
        false,
        { closesInboundEventId: '0f8e3a52-3c1e-4d0b-9b8f-6b2f0c1d2e3f', effects: [] },
      ),
    ],
    [
      'Reconciliation finds a pending payment past its expiry and the gateway unreachable: it is ' +
        'abandoned, to be asked again later (next_verify_at), with its audit entry',
      transitionWrite(payment(), null, false, { effects: [] }, true),
    ],
    [
      "An admin accepts a payment in review: the admin's transaction has written the payment and " +
        'its audit entry; the statement adds what the success sets off',
      {
        move: { kind: 'written', paymentId: payment().id },
        event: event('payment.success'),
        effects: [credit(1)],
      },
    ],
  ];
}

function render(): string {
  const sections = cases().map(([title, write], i) => {
    const statement = settlementStatement(write);
    const legend = statement.names.map((name, j) => `--   $${j + 1} ${name}`).join('\n');
    return `${wrap(`${i + 1}. ${title}.`)}\n-- Parameters:\n${legend}\n${statement.text};\n`;
  });
  return (
    '-- The settlement statement, as settlementStatement (settlement-statement.ts) builds it for\n' +
    '-- each kind of settlement. Generated by settlement-statement.spec.ts, which fails when\n' +
    '-- this file is stale: UPDATE_SNAPSHOTS=1 npm run test:unit -- settlement-statement.\n\n' +
    sections.join('\n')
  );
}

function wrap(text: string): string {
  const lines: string[] = [];
  let line = '--';
  for (const word of text.split(' ')) {
    if (line.length + word.length + 1 > 100) {
      lines.push(line);
      line = '--';
    }
    line += ` ${word}`;
  }
  lines.push(line);
  return lines.join('\n');
}

describe('the settlement statement', () => {
  it('is the statement checked in as settlement.sql', () => {
    const built = render();
    if (snapshotUpdateRequested()) writeFileSync(SNAPSHOT, built);
    expect(built).toBe(readFileSync(SNAPSHOT, 'utf8'));
  });

  it('numbers every value as a parameter, never in the text', () => {
    for (const [, write] of cases()) {
      const statement = settlementStatement(write);
      expect(statement.values).toHaveLength(statement.names.length);
      expect(statement.text).not.toContain(write.move.paymentId);
      const placeholders = new Set(statement.text.match(/\$\d+/g));
      expect(placeholders.size).toBe(statement.values.length);
    }
  });

  it('refuses an effect that is not a plain function name', () => {
    expect(() =>
      settlementStatement({
        move: { kind: 'written', paymentId: payment().id },
        effects: [{ name: 'wallet_deposit(); DROP TABLE payments; --', args: [] }],
      }),
    ).toThrow(/not a SQL function name/);
  });
});
