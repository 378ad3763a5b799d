import { loadFixture } from './fixtures.js';

/** Paystack's dispute states (https://paystack.com/docs/api/dispute/). */
export type FakePaystackDisputeStatus =
  'awaiting-merchant-feedback' | 'awaiting-bank-feedback' | 'pending' | 'resolved';

export interface FakePaystackDispute {
  id: number;
  reference: string;
  transactionId: number;
  amount: number;
  currency: string;
  status: FakePaystackDisputeStatus;
  resolution: 'merchant-accepted' | 'declined' | null;
  dueAt: string;
  evidence: Record<string, unknown>[];
}

export interface FakeDisputeAnswer {
  status: number;
  body: unknown;
}

/**
 * The dispute side of the fake Paystack: disputes opened by tests on a transaction, fetched with
 * `GET /dispute/:id`, evidence with `POST /dispute/:id/evidence`, concession with
 * `PUT /dispute/:id/resolve`; and the `charge.dispute.*` webhook bodies built from the documented
 * Dispute object (test/fixtures/paystack/dispute-create-event.json).
 */
export class FakePaystackDisputes {
  private readonly disputes = new Map<number, FakePaystackDispute>();
  private nextId = 358_950;

  open(
    transaction: {
      id: number;
      reference: string;
      amount: number;
      currency: string;
    },
    amount = transaction.amount,
  ): FakePaystackDispute {
    const dispute: FakePaystackDispute = {
      id: this.nextId++,
      reference: transaction.reference,
      transactionId: transaction.id,
      amount,
      currency: transaction.currency,
      status: 'awaiting-merchant-feedback',
      resolution: null,
      dueAt: new Date(Date.now() + 3 * 86_400_000).toISOString(),
      evidence: [],
    };
    this.disputes.set(dispute.id, dispute);
    return dispute;
  }

  get(id: number): FakePaystackDispute {
    const dispute = this.disputes.get(id);
    if (!dispute) throw new Error(`the fake Paystack has no dispute ${id}`);
    return dispute;
  }

  /** True while a dispute on the transaction is not resolved for the merchant. */
  hasUnresolved(reference: string): boolean {
    return [...this.disputes.values()].some(
      (dispute) =>
        dispute.reference === reference &&
        (dispute.status !== 'resolved' || dispute.resolution === 'merchant-accepted'),
    );
  }

  resolve(id: number, resolution: 'merchant-accepted' | 'declined'): FakePaystackDispute {
    const dispute = this.get(id);
    dispute.status = 'resolved';
    dispute.resolution = resolution;
    return dispute;
  }

  data(dispute: FakePaystackDispute): Record<string, unknown> {
    const template = loadFixture<{ data: Record<string, unknown> }>(
      'paystack',
      'dispute-create-event',
    ).data;
    return {
      ...template,
      id: dispute.id,
      refund_amount: dispute.amount,
      currency: dispute.currency,
      status: dispute.status,
      resolution: dispute.resolution,
      transaction: {
        ...(template.transaction as Record<string, unknown>),
        id: dispute.transactionId,
        reference: dispute.reference,
        currency: dispute.currency,
      },
      dueAt: dispute.dueAt,
      resolvedAt: dispute.status === 'resolved' ? new Date().toISOString() : null,
    };
  }

  /** `charge.dispute.create | remind | resolve` for the dispute as it is now. */
  event(
    id: number,
    type: 'charge.dispute.create' | 'charge.dispute.remind' | 'charge.dispute.resolve',
  ): Record<string, unknown> {
    return { event: type, data: this.data(this.get(id)) };
  }

  /** Answers the dispute routes; undefined for any other path. */
  route(
    method: string,
    path: string,
    body: Record<string, unknown>,
  ): FakeDisputeAnswer | undefined {
    const match = /^\/dispute\/(\d+)(\/evidence|\/resolve)?$/.exec(path);
    if (!match) return undefined;
    const dispute = this.disputes.get(Number(match[1]));
    if (!dispute) return { status: 404, body: { status: false, message: 'Dispute not found' } };
    if (method === 'GET' && !match[2])
      return {
        status: 200,
        body: { status: true, message: 'Dispute retrieved', data: this.data(dispute) },
      };
    if (method === 'POST' && match[2] === '/evidence') {
      for (const field of ['customer_email', 'customer_name', 'customer_phone', 'service_details'])
        if (typeof body[field] !== 'string')
          return { status: 400, body: { status: false, message: `${field} is required` } };
      dispute.evidence.push(body);
      dispute.status = 'awaiting-bank-feedback';
      return {
        status: 200,
        body: {
          status: true,
          message: 'Evidence created',
          data: { id: dispute.evidence.length, ...body, dispute: dispute.id },
        },
      };
    }
    if (method === 'PUT' && match[2] === '/resolve') {
      if (body.resolution !== 'merchant-accepted' && body.resolution !== 'declined')
        return { status: 400, body: { status: false, message: 'Invalid resolution' } };
      if (dispute.status === 'resolved')
        return { status: 400, body: { status: false, message: 'Dispute already resolved' } };
      this.resolve(dispute.id, body.resolution);
      return {
        status: 200,
        body: { status: true, message: 'Dispute successfully resolved', data: this.data(dispute) },
      };
    }
    return { status: 404, body: { status: false, message: 'Not found' } };
  }
}
