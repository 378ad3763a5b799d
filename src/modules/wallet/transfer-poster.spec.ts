import { TransferPoster, type TransferPosting } from './transfer-poster.js';

/** A database stand-in that records each statement and answers from a script. */
function scriptedDatabase(answer: (sql: string, params: unknown[]) => unknown) {
  const calls: { sql: string; params: unknown[] }[] = [];
  const query = <R>(sql: string, params: unknown[]): Promise<R[]> => {
    calls.push({ sql, params });
    try {
      return Promise.resolve(answer(sql, params) as R[]);
    } catch (error) {
      return Promise.reject(error instanceof Error ? error : new Error(String(error)));
    }
  };
  return { query, calls };
}

const posting = (reference: string): TransferPosting => ({
  senderId: '00000000-0000-4000-8000-000000000001',
  recipientId: '00000000-0000-4000-8000-000000000002',
  amount: 10,
  reference,
  narration: null,
  eventId: `evt_${reference}`,
});

const pgFailure = (code: string): Error =>
  Object.assign(new Error(`failed with ${code}`), { code });

/** Three postings in one turn: the first starts alone, the next two share a batch. */
const postThree = (poster: TransferPoster) =>
  Promise.allSettled(['T1', 'T2', 'T3'].map((reference) => poster.post(posting(reference))));

describe('TransferPoster', () => {
  it('maps each row of a batch back to its posting by ordinal', async () => {
    const { query, calls } = scriptedDatabase((sql) =>
      sql.includes('wallet_transfer_batch')
        ? [
            { ord: 2, outcome: 'insufficient_funds' },
            { ord: 1, outcome: 'created' },
          ]
        : [{ outcome: 'created' }],
    );
    const results = await postThree(new TransferPoster(query));
    expect(results).toEqual([
      { status: 'fulfilled', value: 'created' },
      { status: 'fulfilled', value: 'created' },
      { status: 'fulfilled', value: 'insufficient_funds' },
    ]);
    expect(calls.map((call) => call.sql.includes('wallet_transfer_batch'))).toEqual([false, true]);
    expect(calls[1].params[3]).toEqual(['T2', 'T3']);
  });

  it('posts a batch one by one again when the database rolled it back with a statement error', async () => {
    const { query, calls } = scriptedDatabase((sql, params) => {
      if (sql.includes('wallet_transfer_batch')) throw pgFailure('LD003');
      if (params[3] === 'T2') throw pgFailure('LD003');
      return [{ outcome: 'created' }];
    });
    const results = await postThree(new TransferPoster(query));
    expect(results.map((result) => result.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    expect(calls.map((call) => call.params[3])).toEqual(['T1', ['T2', 'T3'], 'T2', 'T3']);
  });

  it("passes each posting's Idempotency-Key claim to the same statement, in order", async () => {
    const { query, calls } = scriptedDatabase((sql) =>
      sql.includes('wallet_transfer_batch')
        ? [
            { ord: 1, outcome: 'created' },
            { ord: 2, outcome: 'created' },
          ]
        : [{ outcome: 'created' }],
    );
    const poster = new TransferPoster(query);
    await Promise.all([
      poster.post({ ...posting('T1'), idempotency: '{"key":"k1"}' }),
      poster.post(posting('T2')),
      poster.post({ ...posting('T3'), idempotency: '{"key":"k3"}' }),
    ]);
    expect(calls[0].params[6]).toBe('{"key":"k1"}');
    expect(calls[1].params[6]).toEqual([null, '{"key":"k3"}']);
  });

  it("posts a batch one by one again when a transfer's Idempotency-Key was taken over (IK001)", async () => {
    const { query, calls } = scriptedDatabase((sql, params) => {
      if (sql.includes('wallet_transfer_batch')) throw pgFailure('IK001');
      if (params[3] === 'T3') throw pgFailure('IK001');
      return [{ outcome: 'created' }];
    });
    const results = await postThree(new TransferPoster(query));
    expect(results.map((result) => result.status)).toEqual(['fulfilled', 'fulfilled', 'rejected']);
    expect(calls.map((call) => call.params[3])).toEqual(['T1', ['T2', 'T3'], 'T2', 'T3']);
  });

  it.each([
    ['a dropped connection (no SQLSTATE)', new Error('Connection terminated unexpectedly')],
    ['an administrator ending the backend', pgFailure('57P01')],
    ['a cancelled statement', pgFailure('57014')],
  ])('never posts again after %s: the batch may have committed', async (_, failure) => {
    const { query, calls } = scriptedDatabase((sql) => {
      if (sql.includes('wallet_transfer_batch')) throw failure;
      return [{ outcome: 'created' }];
    });
    const results = await postThree(new TransferPoster(query));
    expect(results.map((result) => result.status)).toEqual(['fulfilled', 'rejected', 'rejected']);
    expect(calls).toHaveLength(2);
  });
});
