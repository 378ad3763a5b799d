import { randomUUID } from 'node:crypto';
import { getDataSourceToken } from '@nestjs/typeorm';
import request from 'supertest';
import type { DataSource } from 'typeorm';
import { Luhn } from '../../src/modules/wallet/luhn.js';
import { WalletService } from '../../src/modules/wallet/wallet.service.js';
import { createApiKey, signIn, SignedIn } from '../helpers/auth.js';
import { createTestApp, TestApp } from '../helpers/test-env.js';
import { fundWallet } from '../integration/ledger-fixtures.js';

interface Person extends SignedIn {
  walletNumber: string;
}

describe('wallet (e2e)', () => {
  let t: TestApp;
  let dataSource: DataSource;
  let wallets: WalletService;

  beforeAll(async () => {
    t = await createTestApp();
    dataSource = t.get<DataSource>(getDataSourceToken());
    wallets = t.get<WalletService>(WalletService);
  });

  afterAll(async () => {
    await t?.close();
  });

  const api = (): ReturnType<typeof request> => request(t.url);

  async function person(balance = 0): Promise<Person> {
    const signed = await signIn(t, `w-${randomUUID()}@example.com`);
    const res = await api().get('/api/v1/wallet').set(signed.authHeader).expect(200);
    const walletNumber = res.body.wallet_number as string;
    if (balance > 0) await fund(signed.userId, balance);
    return { ...signed, walletNumber };
  }

  async function fund(userId: string, amount: number): Promise<void> {
    await dataSource.transaction((m) => fundWallet(m, wallets, userId, amount));
  }

  async function balance(p: Person): Promise<number> {
    const res = await api().get('/api/v1/wallet/balance').set(p.authHeader).expect(200);
    return res.body.balance as number;
  }

  it('shows the wallet, its balance, and the wallet number in /auth/me', async () => {
    const p = await person(1_234);
    const wallet = await api().get('/api/v1/wallet').set(p.authHeader).expect(200);
    expect(wallet.body).toEqual({ wallet_number: p.walletNumber, balance: 1_234, currency: 'NGN' });
    expect(Luhn.isValid(p.walletNumber)).toBe(true);
    const bal = await api().get('/api/v1/wallet/balance').set(p.authHeader).expect(200);
    expect(bal.body).toEqual({ balance: 1_234, currency: 'NGN' });
    const me = await api().get('/api/v1/auth/me').set(p.authHeader).expect(200);
    expect(me.body.wallet_number).toBe(p.walletNumber);
  });

  it('requires authentication', async () => {
    const res = await api().get('/api/v1/wallet').expect(401);
    expect(res.body.code).toBe('UNAUTHENTICATED');
  });

  it('transfers and answers 201 with the SPEC shape', async () => {
    const a = await person(10_000);
    const b = await person();
    const res = await api()
      .post('/api/v1/wallet/transfer')
      .set(a.authHeader)
      .send({ wallet_number: b.walletNumber, amount: 4_000, narration: 'books' })
      .expect(201);
    expect(res.body).toEqual({
      reference: expect.stringMatching(/^TRF-/),
      status: 'success',
      amount: 4_000,
      currency: 'NGN',
      recipient_wallet_number: b.walletNumber,
    });
    expect(await balance(a)).toBe(6_000);
    expect(await balance(b)).toBe(4_000);
    const history = await api().get('/api/v1/wallet/transactions').set(b.authHeader).expect(200);
    expect(history.body).toEqual({
      transactions: [
        {
          id: expect.any(String),
          type: 'transfer_in',
          amount: 4_000,
          currency: 'NGN',
          status: 'success',
          reference: res.body.reference,
          counterparty_wallet_number: a.walletNumber,
          narration: 'books',
          balance_after: 4_000,
          created_at: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/),
        },
      ],
      next_cursor: null,
    });
  });

  describe('refusals', () => {
    let a: Person;
    let b: Person;

    beforeAll(async () => {
      a = await person(5_000);
      b = await person();
    });

    const transfer = (body: Record<string, unknown>): request.Test =>
      api().post('/api/v1/wallet/transfer').set(a.authHeader).send(body);

    it.each([
      ['too short', '123456789012'],
      ['too long', '12345678901234'],
      ['not digits', '12345678901a3'],
      ['a number, not a string', 1234567890123],
    ])('answers 400 VALIDATION_FAILED for a wallet number that is %s', async (_, walletNumber) => {
      const res = await transfer({ wallet_number: walletNumber, amount: 100 }).expect(400);
      expect(res.body.code).toBe('VALIDATION_FAILED');
      expect(res.body.details).toEqual(
        expect.arrayContaining([expect.objectContaining({ field: 'wallet_number' })]),
      );
    });

    it('answers 422 INVALID_WALLET_NUMBER for a wrong check digit', async () => {
      const last = Number(b.walletNumber.at(-1));
      const typo = b.walletNumber.slice(0, -1) + String((last + 3) % 10);
      const res = await transfer({ wallet_number: typo, amount: 100 }).expect(422);
      expect(res.body.code).toBe('INVALID_WALLET_NUMBER');
    });

    it('answers 404 WALLET_NOT_FOUND for a valid number nobody has', async () => {
      const res = await transfer({
        wallet_number: Luhn.append('999999999999'),
        amount: 100,
      }).expect(404);
      expect(res.body.code).toBe('WALLET_NOT_FOUND');
    });

    it('answers 422 SELF_TRANSFER for your own wallet', async () => {
      const res = await transfer({ wallet_number: a.walletNumber, amount: 100 }).expect(422);
      expect(res.body.code).toBe('SELF_TRANSFER');
    });

    it('answers 422 INSUFFICIENT_FUNDS for more than the balance', async () => {
      const res = await transfer({ wallet_number: b.walletNumber, amount: 5_001 }).expect(422);
      expect(res.body.code).toBe('INSUFFICIENT_FUNDS');
      expect(await balance(a)).toBe(5_000);
    });

    it.each([
      ['zero', 0],
      ['negative', -100],
      ['fractional', 10.5],
      ['a string', '100'],
      ['beyond 2^53-1', 2 ** 53],
      ['missing', undefined],
    ])('answers 400 VALIDATION_FAILED for an amount that is %s', async (_, amount) => {
      const res = await transfer({ wallet_number: b.walletNumber, amount }).expect(400);
      expect(res.body.code).toBe('VALIDATION_FAILED');
      expect(res.body.details).toEqual(
        expect.arrayContaining([expect.objectContaining({ field: 'amount' })]),
      );
    });

    it('answers 400 for unknown fields', async () => {
      const res = await transfer({
        wallet_number: b.walletNumber,
        amount: 1,
        currency: 'USD',
      }).expect(400);
      expect(res.body.code).toBe('VALIDATION_FAILED');
      expect(await balance(a)).toBe(5_000);
    });
  });

  describe('idempotency', () => {
    it('replays the first answer for the same key and body and moves the money once', async () => {
      const a = await person(1_000);
      const b = await person();
      const key = randomUUID();
      const send = (): request.Test =>
        api()
          .post('/api/v1/wallet/transfer')
          .set(a.authHeader)
          .set('Idempotency-Key', key)
          .send({ wallet_number: b.walletNumber, amount: 300 });
      const first = await send().expect(201);
      const second = await send().expect(201);
      expect(second.headers['idempotent-replayed']).toBe('true');
      expect(second.body).toEqual(first.body);
      expect(await balance(a)).toBe(700);
      expect(await balance(b)).toBe(300);
    });

    it('refuses the same key with a different body with 422 IDEMPOTENCY_KEY_REUSED', async () => {
      const a = await person(1_000);
      const b = await person();
      const key = randomUUID();
      await api()
        .post('/api/v1/wallet/transfer')
        .set(a.authHeader)
        .set('Idempotency-Key', key)
        .send({ wallet_number: b.walletNumber, amount: 300 })
        .expect(201);
      const reused = await api()
        .post('/api/v1/wallet/transfer')
        .set(a.authHeader)
        .set('Idempotency-Key', key)
        .send({ wallet_number: b.walletNumber, amount: 301 })
        .expect(422);
      expect(reused.body.code).toBe('IDEMPOTENCY_KEY_REUSED');
      expect(await balance(a)).toBe(700);
    });

    it('replays a definitive INSUFFICIENT_FUNDS even after the wallet is funded', async () => {
      const a = await person(100);
      const b = await person();
      const key = randomUUID();
      const send = (): request.Test =>
        api()
          .post('/api/v1/wallet/transfer')
          .set(a.authHeader)
          .set('Idempotency-Key', key)
          .send({ wallet_number: b.walletNumber, amount: 500 });
      const first = await send().expect(422);
      expect(first.body.code).toBe('INSUFFICIENT_FUNDS');
      await fund(a.userId, 1_000);
      const replay = await send().expect(422);
      expect(replay.headers['idempotent-replayed']).toBe('true');
      expect(replay.body.code).toBe('INSUFFICIENT_FUNDS');
      expect(await balance(a)).toBe(1_100);
      expect(await balance(b)).toBe(0);
    });
  });

  describe('API keys', () => {
    it('needs the read permission to look and the transfer permission to send', async () => {
      const a = await person(1_000);
      const b = await person();
      const readKey = await createApiKey(t, a.token, ['read']);
      const transferKey = await createApiKey(t, a.token, ['transfer']);
      await api().get('/api/v1/wallet').set('x-api-key', readKey).expect(200);
      await api().get('/api/v1/wallet/transactions').set('x-api-key', readKey).expect(200);
      const denied = await api()
        .post('/api/v1/wallet/transfer')
        .set('x-api-key', readKey)
        .send({ wallet_number: b.walletNumber, amount: 10 })
        .expect(403);
      expect(denied.body.code).toBe('PERMISSION_DENIED');
      await api().get('/api/v1/wallet/balance').set('x-api-key', transferKey).expect(403);
      await api()
        .post('/api/v1/wallet/transfer')
        .set('x-api-key', transferKey)
        .send({ wallet_number: b.walletNumber, amount: 10 })
        .expect(201);
      expect(await balance(a)).toBe(990);
    });
  });

  describe('history', () => {
    it('pages newest first, filters by type and refuses bad parameters', async () => {
      const a = await person(10_000);
      const b = await person(10_000);
      for (const amount of [1, 2, 3]) {
        await api()
          .post('/api/v1/wallet/transfer')
          .set(a.authHeader)
          .send({ wallet_number: b.walletNumber, amount })
          .expect(201);
      }
      await api()
        .post('/api/v1/wallet/transfer')
        .set(b.authHeader)
        .send({ wallet_number: a.walletNumber, amount: 7 })
        .expect(201);

      const first = await api()
        .get('/api/v1/wallet/transactions?limit=2')
        .set(a.authHeader)
        .expect(200);
      expect(
        first.body.transactions.map(
          (tx: { type: string; amount: number }) => `${tx.type}:${tx.amount}`,
        ),
      ).toEqual(['transfer_in:7', 'transfer_out:3']);
      const second = await api()
        .get(`/api/v1/wallet/transactions?limit=2&cursor=${first.body.next_cursor}`)
        .set(a.authHeader)
        .expect(200);
      expect(second.body.transactions.map((tx: { amount: number }) => tx.amount)).toEqual([2, 1]);
      const third = await api()
        .get(`/api/v1/wallet/transactions?limit=2&cursor=${second.body.next_cursor}`)
        .set(a.authHeader)
        .expect(200);
      expect(third.body.transactions.map((tx: { type: string }) => tx.type)).toEqual(['deposit']);
      expect(third.body.next_cursor).toBeNull();

      const outs = await api()
        .get('/api/v1/wallet/transactions?type=transfer_out')
        .set(a.authHeader)
        .expect(200);
      expect(outs.body.transactions).toHaveLength(3);
      // Another user's cursor does not reveal anything of a's: it only pages b's own wallet.
      const bPage = await api()
        .get(`/api/v1/wallet/transactions?cursor=${first.body.next_cursor}`)
        .set(b.authHeader)
        .expect(200);
      for (const tx of bPage.body.transactions)
        expect(
          tx.counterparty_wallet_number === null ||
            tx.counterparty_wallet_number === a.walletNumber,
        ).toBe(true);

      for (const query of [
        'limit=0',
        'limit=101',
        'limit=abc',
        'type=bonus',
        'cursor=not-a-cursor',
      ]) {
        const res = await api()
          .get(`/api/v1/wallet/transactions?${query}`)
          .set(a.authHeader)
          .expect(400);
        expect(res.body.code).toBe('VALIDATION_FAILED');
      }
    });
  });

  describe('admin ledger check', () => {
    it('is for administrators only and reports a clean ledger', async () => {
      const someone = await person();
      await api().get('/api/v1/admin/ledger/check').set(someone.authHeader).expect(403);
      const admin = await signIn(t, 'admin@example.com');
      const res = await api().get('/api/v1/admin/ledger/check').set(admin.authHeader).expect(200);
      expect(res.body).toMatchObject({ ok: true, problems: [] });
      expect(res.body.transfers).toBeGreaterThan(5);
    });
  });
});
