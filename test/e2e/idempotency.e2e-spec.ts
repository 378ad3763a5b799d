import { Body, Controller, HttpCode, Post } from '@nestjs/common';
import { IsInt, IsOptional, Max, Min } from 'class-validator';
import request from 'supertest';
import { RequirePermission, CurrentPrincipal } from '../../src/common/auth/auth.decorators.js';
import type { Principal } from '../../src/common/auth/principal.js';
import { AppError, unprocessable } from '../../src/common/errors/app-error.js';
import { Idempotent } from '../../src/http/idempotency/idempotent.decorator.js';
import { signIn } from '../helpers/auth.js';
import { createTestApp, TestApp } from '../helpers/test-env.js';

class ChargeDto {
  @IsInt()
  @Min(1)
  amount: number;

  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(5_000)
  delay_ms?: number;
}

/** Counts side effects so the tests can see how often the handler really ran. */
const effects: { userId: string; amount: number }[] = [];

@Controller('idempotency-probe')
class ProbeController {
  @Post('charge')
  @Idempotent()
  @RequirePermission('payments')
  async charge(@CurrentPrincipal() principal: Principal, @Body() body: ChargeDto) {
    if (body.delay_ms) await new Promise((resolve) => setTimeout(resolve, body.delay_ms));
    if (body.amount === 500) throw new AppError(500, 'INTERNAL_ERROR', 'boom');
    if (body.amount > 100) throw unprocessable('INSUFFICIENT_FUNDS', 'not enough');
    effects.push({ userId: principal.userId, amount: body.amount });
    return { charged: body.amount, n: effects.length };
  }

  @Post('accepted')
  @HttpCode(202)
  @Idempotent()
  @RequirePermission('payments')
  accepted(@Body() body: ChargeDto) {
    effects.push({ userId: 'accepted', amount: body.amount });
    return { accepted: body.amount };
  }
}

describe('Idempotency-Key (e2e)', () => {
  let t: TestApp;
  let auth: { Authorization: string };
  let other: { Authorization: string };

  beforeAll(async () => {
    t = await createTestApp({ controllers: [ProbeController] });
    auth = (await signIn(t, 'idem@example.com')).authHeader;
    other = (await signIn(t, 'idem-other@example.com')).authHeader;
  });

  afterAll(async () => {
    await t.close();
  });

  const post = (path: string, headers: Record<string, string>, body: object) =>
    request(t.url).post(`/api/v1/idempotency-probe/${path}`).set(headers).send(body);

  it('replays the first answer for the same key and body, running the handler once', async () => {
    const before = effects.length;
    const first = await post(
      'charge',
      { ...auth, 'Idempotency-Key': 'k-replay' },
      { amount: 10 },
    ).expect(201);
    const second = await post(
      'charge',
      { ...auth, 'Idempotency-Key': 'k-replay' },
      { amount: 10 },
    ).expect(201);
    expect(second.body).toEqual(first.body);
    expect(second.headers['idempotent-replayed']).toBe('true');
    expect(first.headers['idempotent-replayed']).toBeUndefined();
    expect(effects.length).toBe(before + 1);
  });

  it('treats the same JSON with keys in another order as the same body', async () => {
    await post(
      'charge',
      { ...auth, 'Idempotency-Key': 'k-order' },
      { amount: 11, delay_ms: 0 },
    ).expect(201);
    const again = await post(
      'charge',
      { ...auth, 'Idempotency-Key': 'k-order' },
      { delay_ms: 0, amount: 11 },
    ).expect(201);
    expect(again.headers['idempotent-replayed']).toBe('true');
  });

  it('keeps the route status code (202) on replay', async () => {
    await post('accepted', { ...auth, 'Idempotency-Key': 'k-202' }, { amount: 3 }).expect(202);
    const again = await post(
      'accepted',
      { ...auth, 'Idempotency-Key': 'k-202' },
      { amount: 3 },
    ).expect(202);
    expect(again.headers['idempotent-replayed']).toBe('true');
  });

  it('refuses the same key with a different body with 422 IDEMPOTENCY_KEY_REUSED', async () => {
    await post('charge', { ...auth, 'Idempotency-Key': 'k-body' }, { amount: 12 }).expect(201);
    const res = await post(
      'charge',
      { ...auth, 'Idempotency-Key': 'k-body' },
      { amount: 13 },
    ).expect(422);
    expect(res.body.code).toBe('IDEMPOTENCY_KEY_REUSED');
  });

  it('refuses the same key on a different route with 422 IDEMPOTENCY_KEY_REUSED', async () => {
    await post('charge', { ...auth, 'Idempotency-Key': 'k-route' }, { amount: 14 }).expect(201);
    const res = await post(
      'accepted',
      { ...auth, 'Idempotency-Key': 'k-route' },
      { amount: 14 },
    ).expect(422);
    expect(res.body.code).toBe('IDEMPOTENCY_KEY_REUSED');
  });

  it('replays a definitive 4xx failure with its status and body', async () => {
    const before = effects.length;
    const first = await post(
      'charge',
      { ...auth, 'Idempotency-Key': 'k-422' },
      { amount: 101 },
    ).expect(422);
    const again = await post(
      'charge',
      { ...auth, 'Idempotency-Key': 'k-422' },
      { amount: 101 },
    ).expect(422);
    expect(first.body.code).toBe('INSUFFICIENT_FUNDS');
    expect(again.body).toEqual(first.body);
    expect(again.headers['idempotent-replayed']).toBe('true');
    expect(effects.length).toBe(before);
  });

  it('does not store a 5xx, so the same key can be retried', async () => {
    await post('charge', { ...auth, 'Idempotency-Key': 'k-500' }, { amount: 500 }).expect(500);
    const retry = await post(
      'charge',
      { ...auth, 'Idempotency-Key': 'k-500' },
      { amount: 500 },
    ).expect(500);
    expect(retry.headers['idempotent-replayed']).toBeUndefined();
  });

  it('answers a twin of an in-flight request with 409 IDEMPOTENCY_KEY_IN_USE', async () => {
    const before = effects.length;
    const slow = post(
      'charge',
      { ...auth, 'Idempotency-Key': 'k-flight' },
      { amount: 20, delay_ms: 800 },
    );
    const slowDone = slow.then((res) => res);
    await new Promise((resolve) => setTimeout(resolve, 200));
    const twin = await post(
      'charge',
      { ...auth, 'Idempotency-Key': 'k-flight' },
      { amount: 20, delay_ms: 800 },
    );
    expect(twin.status).toBe(409);
    expect(twin.body.code).toBe('IDEMPOTENCY_KEY_IN_USE');
    expect((await slowDone).status).toBe(201);
    expect(effects.length).toBe(before + 1);
  });

  it('runs the handler exactly once when 10 identical requests race', async () => {
    const before = effects.length;
    const results = await Promise.all(
      Array.from({ length: 10 }, () =>
        post('charge', { ...auth, 'Idempotency-Key': 'k-race' }, { amount: 30, delay_ms: 50 }),
      ),
    );
    const statuses = results.map((res) => res.status);
    expect(statuses.filter((s) => s === 201).length).toBeGreaterThanOrEqual(1);
    expect(statuses.every((s) => s === 201 || s === 409)).toBe(true);
    expect(effects.length).toBe(before + 1);
  });

  it('scopes keys to the user: another user may use the same key', async () => {
    await post('charge', { ...auth, 'Idempotency-Key': 'k-shared' }, { amount: 40 }).expect(201);
    const res = await post(
      'charge',
      { ...other, 'Idempotency-Key': 'k-shared' },
      { amount: 41 },
    ).expect(201);
    expect(res.headers['idempotent-replayed']).toBeUndefined();
  });

  it('rejects a key longer than 255 characters with 400', async () => {
    const res = await post(
      'charge',
      { ...auth, 'Idempotency-Key': 'x'.repeat(256) },
      { amount: 1 },
    ).expect(400);
    expect(res.body.code).toBe('VALIDATION_FAILED');
  });

  it('stores a validation failure as a definitive answer', async () => {
    const first = await post(
      'charge',
      { ...auth, 'Idempotency-Key': 'k-invalid' },
      { amount: 'ten' },
    ).expect(400);
    expect(first.body.code).toBe('VALIDATION_FAILED');
    const again = await post(
      'charge',
      { ...auth, 'Idempotency-Key': 'k-invalid' },
      { amount: 'ten' },
    ).expect(400);
    expect(again.headers['idempotent-replayed']).toBe('true');
  });
});
