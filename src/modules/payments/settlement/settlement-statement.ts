import type { SqlFunctionCall } from '../../../database/sql.js';

/**
 * How the statement finds the payment it settles:
 * - `transition`: it moves it, an UPDATE of the row version the decision was taken on (its
 *   `xmin`), so a row that changed meanwhile is left alone and nothing else is written;
 * - `written`: the caller has already written the change in its transaction (an admin's
 *   resolution), and the statement only adds what the change sets off.
 */
export type SettlementMove =
  | {
      kind: 'transition';
      paymentId: string;
      version: string;
      /** The columns the transition sets, with their values as the database takes them. */
      set: [column: string, value: unknown][];
    }
  | { kind: 'written'; paymentId: string };

/** The transition's entry in `payment_audit_entries`. */
export interface SettlementAudit {
  source: string;
  fromStatus: string;
  toStatus: string;
  note: string | null;
  /** JSON text, or null. */
  details: string | null;
  inboundEventId: string | null;
}

/** The outbound event a transition records (an `events` row: the outbox). */
export interface SettlementEvent {
  id: string;
  userId: string;
  type: string;
  /** JSON text: the payment as its GET shows it. */
  data: string;
  createdAt: Date;
}

/** A succeeded payment's order, marked paid when the payment covers it. */
export interface SettlementOrder {
  orderId: string;
  paymentId: string;
  paidAt: Date;
  currency: string;
  /** What the gateway received, in minor units, as a decimal string. */
  amountReceived: string;
}

/** Everything one settlement writes, each part by name; absent parts are not written. */
export interface SettlementWrite {
  move: SettlementMove;
  audit?: SettlementAudit;
  /** The inbound event whose processing this settlement is: recorded `processed` with it. */
  closesInboundEventId?: string;
  event?: SettlementEvent;
  order?: SettlementOrder;
  /**
   * What other modules do when a payment succeeds (the wallet's deposit credit), each one call of
   * a SQL function defined in db/schema.sql (see AppEventMap's 'payment.succeeded').
   */
  effects: SqlFunctionCall[];
}

export interface SettlementStatement {
  text: string;
  values: unknown[];
  /** What each parameter is (`$1` is names[0]): documentation for the checked-in snapshot. */
  names: string[];
}

const FUNCTION_NAME = /^[a-z_][a-z0-9_]*$/;

class Parameters {
  readonly values: unknown[] = [];
  readonly names: string[] = [];

  add(name: string, value: unknown): string {
    this.values.push(value);
    this.names.push(name);
    return `$${this.values.length}`;
  }
}

/**
 * THE settlement statement, built here and nowhere else (settlement.sql beside this file is what
 * it produces, compared by settlement-statement.spec.ts). One statement, so all of it commits or
 * none does, and outside a transaction block it is its own transaction with no BEGIN or COMMIT of
 * its own. `moved` yields the payment's id when the payment was moved (or already written), no
 * row when it was not; every other part is written once per row of `moved`:
 *
 *   moved         the payment's new state (or the row the caller wrote)
 *   audit         its audit entry
 *   closed_event  the inbound event it processes, recorded `processed`
 *   outbox        its outbound event (payment.success / payment.failed)
 *   paid_order    its order, paid when a success covers it (the order's row lock after the
 *                 payment's, always in that order)
 *   effect_<n>    what other modules do on a success, e.g. wallet_deposit: the wallet credit,
 *                 which takes the gateway's clearing account lock, held until COMMIT
 *
 * A SELECT in WITH runs only when read, so the answer counts each effect's call (and `moved`).
 */
export function settlementStatement(write: SettlementWrite): SettlementStatement {
  const p = new Parameters();
  const ctes: [name: string, body: string][] = [];
  const paymentId = p.add('payment.id', write.move.paymentId);

  if (write.move.kind === 'transition') {
    const version = p.add('payment.version (xmin)', write.move.version);
    const set = write.move.set.map(
      ([column, value]) => `${column} = ${p.add(`payments.${column}`, value)}`,
    );
    ctes.push([
      'moved',
      `UPDATE payments
   SET ${set.join(',\n       ')}
 WHERE id = ${paymentId} AND xmin = ${version}::xid
RETURNING id`,
    ]);
  } else {
    ctes.push(['moved', `SELECT ${paymentId}::uuid AS id`]);
  }

  if (write.audit) {
    const a = write.audit;
    ctes.push([
      'audit',
      `INSERT INTO payment_audit_entries
       (payment_id, action, source, actor_user_id, from_status, to_status, note, details, inbound_event_id)
SELECT id, 'transition', ${[
        p.add('audit.source', a.source),
        'NULL',
        p.add('audit.from_status', a.fromStatus),
        p.add('audit.to_status', a.toStatus),
        p.add('audit.note', a.note),
        p.add('audit.details', a.details),
        p.add('audit.inbound_event_id', a.inboundEventId),
      ].join(', ')}
  FROM moved`,
    ]);
  }

  if (write.closesInboundEventId) {
    ctes.push([
      'closed_event',
      `UPDATE inbound_webhook_events e
   SET status = 'processed', last_error = NULL, payment_id = moved.id,
       attempts = e.attempts + 1, processed_at = now(), updated_at = now()
  FROM moved
 WHERE e.id = ${p.add('inbound_event.id', write.closesInboundEventId)}`,
    ]);
  }

  if (write.event) {
    const e = write.event;
    ctes.push([
      'outbox',
      `INSERT INTO events (id, user_id, type, data, created_at)
SELECT ${[
        p.add('event.id', e.id),
        p.add('event.user_id', e.userId),
        p.add('event.type', e.type),
        p.add('event.data', e.data),
        p.add('event.created_at', e.createdAt),
      ].join(', ')}
  FROM moved`,
    ]);
  }

  if (write.order) {
    const o = write.order;
    ctes.push([
      'paid_order',
      `UPDATE orders o
   SET status = 'paid', paid_at = ${p.add('order.paid_at', o.paidAt)},
       paid_by_payment_id = ${p.add('order.paid_by_payment_id', o.paymentId)}, updated_at = now()
  FROM moved
 WHERE o.id = ${p.add('order.id', o.orderId)} AND o.status <> 'paid'
   AND o.currency = ${p.add('payment.currency', o.currency)}
   AND o.amount <= ${p.add('payment.amount_received', o.amountReceived)}`,
    ]);
  }

  const effects = write.effects.map((call, i) => {
    if (!FUNCTION_NAME.test(call.name)) throw new Error(`not a SQL function name: ${call.name}`);
    const args = call.args
      .map((arg, j) => p.add(`${call.name}(${call.argNames?.[j] ?? `arg ${j + 1}`})`, arg))
      .join(', ');
    const name = `effect_${i}`;
    ctes.push([
      `${name} AS MATERIALIZED`,
      `SELECT 1 FROM moved CROSS JOIN LATERAL ${call.name}(${args}) AS called`,
    ]);
    return name;
  });

  const counted = ['moved', ...effects].map(
    (name) => `(SELECT count(*) FROM ${name})::int AS ${name}`,
  );
  const withs = ctes.map(([name, body]) => {
    const label = name.includes(' ') ? name : `${name} AS`;
    return `${label} (\n${indent(body)}\n)`;
  });
  return {
    text: `WITH ${withs.join(',\n')}\nSELECT ${counted.join(',\n       ')}`,
    values: p.values,
    names: p.names,
  };
}

function indent(text: string): string {
  return text
    .split('\n')
    .map((line) => `  ${line}`)
    .join('\n');
}
