import type { Minor } from '../../../common/money.js';

/** A decided charge's states: each is reached at most once, so each has one event. */
export const TEST_EVENT_STATUSES = ['authorized', 'succeeded', 'failed', 'canceled'] as const;
export type TestEventStatus = (typeof TEST_EVENT_STATUSES)[number];

/** The test gateway's signed event body. */
export interface TestGatewayEvent {
  /** `evt_test_<reference>_<status>`: one event per state the charge reaches. */
  id: string;
  type: `charge.${TestEventStatus}`;
  data: {
    reference: string;
    status: TestEventStatus;
    /** Minor units. */
    amount: Minor;
    currency: string;
  };
}

export function testEventId(reference: string, status: TestEventStatus): string {
  return `evt_test_${reference}_${status}`;
}

/** Checks a parsed body field by field; throws a SyntaxError naming the first bad field. */
export function parseTestGatewayEvent(body: unknown): TestGatewayEvent {
  if (typeof body !== 'object' || body === null || Array.isArray(body))
    throw new SyntaxError('body must be a JSON object');
  const { id, type, data } = body as Record<string, unknown>;
  if (typeof id !== 'string' || id.length === 0 || id.length > 200)
    throw new SyntaxError('id must be a non-empty string');
  if (typeof type !== 'string' || !TEST_EVENT_STATUSES.some((s) => type === `charge.${s}`))
    throw new SyntaxError(`type must be one of charge.${TEST_EVENT_STATUSES.join(', charge.')}`);
  if (typeof data !== 'object' || data === null || Array.isArray(data))
    throw new SyntaxError('data must be an object');
  const { reference, status, amount, currency } = data as Record<string, unknown>;
  if (typeof reference !== 'string' || !/^[A-Za-z0-9-]{1,64}$/.test(reference))
    throw new SyntaxError('data.reference must be a payment reference');
  if (typeof status !== 'string' || !(TEST_EVENT_STATUSES as readonly string[]).includes(status))
    throw new SyntaxError(`data.status must be one of ${TEST_EVENT_STATUSES.join(', ')}`);
  if (`charge.${status}` !== type) throw new SyntaxError('data.status must agree with type');
  if (typeof amount !== 'number' || !Number.isSafeInteger(amount) || amount <= 0)
    throw new SyntaxError('data.amount must be a positive integer in minor units');
  if (typeof currency !== 'string' || !/^[A-Z]{3}$/.test(currency))
    throw new SyntaxError('data.currency must be an ISO-4217 code');
  return {
    id,
    type: type as TestGatewayEvent['type'],
    data: { reference, status: status as TestEventStatus, amount, currency },
  };
}
