import { type PayoutHold, PayoutHoldShards } from './payout-hold-poster.js';
import { IN_FLIGHT_SHARDS, inFlightAccountName, payoutIdInShard } from './payout-rows.js';

interface Statement {
  ids: string[];
  inFlights: string[];
  release: () => void;
}

/** A stand-in for `payout_hold_batch`: each statement waits until the test releases it. */
function fakeDatabase() {
  const statements: Statement[] = [];
  let running = 0;
  let mostRunning = 0;
  const query = <R>(_sql: string, params: unknown[]): Promise<R[]> => {
    const ids = params[0] as string[];
    running++;
    mostRunning = Math.max(mostRunning, running);
    return new Promise<R[]>((resolve) => {
      statements.push({
        ids,
        inFlights: params[5] as string[],
        release: () => {
          running--;
          resolve(ids.map((_, i) => ({ ord: i + 1, outcome: 'created', used_today: '0' }) as R));
        },
      });
    });
  };
  return { statements, query, mostRunning: () => mostRunning };
}

const account = (shard: number) => `account-of-shard-${shard}`;

function holdFor(shard: number, inFlightId: string): PayoutHold {
  return {
    id: payoutIdInShard(shard),
    reference: 'WDR-20261207000000-ABCDEFGH',
    userId: 'user',
    recipientId: 'recipient',
    walletId: 'wallet',
    inFlightId,
    gateway: 'paystack',
    amount: '100',
    currency: 'NGN',
    status: 'pending',
    narration: null,
    livemode: false,
    createdAt: new Date().toISOString(),
    dailyLimit: '1000000',
    idempotency: null,
  };
}

const flush = () => new Promise((resolve) => setImmediate(resolve));

describe('PayoutHoldShards', () => {
  it('gives a payout id that names its shard, and names every shard', () => {
    for (let shard = 0; shard < IN_FLIGHT_SHARDS; shard++) {
      const id = payoutIdInShard(shard);
      expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
      expect(inFlightAccountName('NGN', id)).toBe(`payouts_in_flight:NGN:${shard}`);
    }
    expect(() => payoutIdInShard(IN_FLIGHT_SHARDS)).toThrow();
  });

  it('gathers concurrent holds into a few statements on distinct shards, each with its own account', async () => {
    const db = fakeDatabase();
    const shards = new PayoutHoldShards(db.query, (shard) => Promise.resolve(account(shard)));
    const built: { shard: number; id: string }[] = [];
    const results = Array.from({ length: 32 }, () =>
      shards.post((shard, inFlightId) => {
        const hold = holdFor(shard, inFlightId);
        built.push({ shard, id: hold.id });
        return hold;
      }),
    );
    // Every request arrives while the first statements run: they wait for the next ones.
    for (let i = 0; i < 10; i++) await flush();
    const first = db.statements.length;
    expect(first).toBeGreaterThan(0);
    expect(first).toBeLessThanOrEqual(4);
    db.statements.forEach((statement) => statement.release());
    for (let i = 0; i < 10; i++) await flush();
    db.statements.slice(first).forEach((statement) => statement.release());
    expect((await Promise.all(results)).every((r) => r.outcome === 'created')).toBe(true);

    // 32 holds in at most 8 statements, never more than 4 at once, and never two at once on one
    // shard; each hold went to the account its id names.
    expect(db.statements.length).toBeLessThanOrEqual(8);
    expect(db.statements.flatMap((statement) => statement.ids).sort()).toEqual(
      built.map((hold) => hold.id).sort(),
    );
    expect(db.mostRunning()).toBeLessThanOrEqual(4);
    for (const statement of db.statements) {
      statement.ids.forEach((id, i) => {
        const shard = Number.parseInt(id.slice(-1), 16);
        expect(statement.inFlights[i]).toBe(account(shard));
      });
      expect(new Set(statement.inFlights).size).toBe(1);
    }
    const firstShards = db.statements.slice(0, first).map((s) => s.inFlights[0]);
    expect(new Set(firstShards).size).toBe(firstShards.length);
  });

  it('runs a lone hold at once', async () => {
    const db = fakeDatabase();
    const shards = new PayoutHoldShards(db.query, (shard) => Promise.resolve(account(shard)));
    const result = shards.post((shard, inFlightId) => holdFor(shard, inFlightId));
    for (let i = 0; i < 3; i++) await flush();
    expect(db.statements).toHaveLength(1);
    db.statements[0].release();
    expect((await result).outcome).toBe('created');
  });
});
