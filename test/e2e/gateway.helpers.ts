import type { FakeGatewayServer } from '../fakes/fake-gateway-kit.js';
import { signIn, type SignedIn } from '../helpers/auth.js';
import { createTestApp, type TestApp, type TestAppOptions } from '../helpers/test-env.js';
import { FAST_INBOUND_ENV } from './payments.helpers.js';

/** What the fake Stripe, Flutterwave and PayPal servers have in common. */
export interface FakeGateway {
  readonly server: FakeGatewayServer;
  env(): Record<string, string>;
  stop(): Promise<void>;
}

export interface GatewayTestApp<F extends FakeGateway> {
  t: TestApp;
  fake: F;
  /** Signed in before the first test. */
  alice: SignedIn;
}

/**
 * The setup every gateway e2e file shares: its fake gateway started, the real app pointed at it
 * with fast inbound retries (FAST_INBOUND_ENV), a signed-in payer, the fake's faults cleared after
 * each test and everything stopped at the end. `options` adds env (over the fake's) or overrides.
 * Registers the jest hooks; read the result in a `beforeAll` declared after the call.
 */
export function gatewayTestApp<F extends FakeGateway>(
  start: () => Promise<F>,
  email: string,
  options: Pick<TestAppOptions, 'env' | 'override'> = {},
): () => GatewayTestApp<F> {
  let setup: GatewayTestApp<F> | undefined;
  let fake: F | undefined;
  let t: TestApp | undefined;

  beforeAll(async () => {
    fake = await start();
    t = await createTestApp({
      ...options,
      env: { ...fake.env(), ...FAST_INBOUND_ENV, ...options.env },
    });
    setup = { t, fake, alice: await signIn(t, email) };
  });

  afterEach(async () => {
    fake?.server.clearFaults();
    await fake?.server.acceptConnections();
  });

  afterAll(async () => {
    await t?.close();
    await fake?.stop();
  });

  return () => {
    if (!setup) throw new Error('the gateway test app is not started yet');
    return setup;
  };
}
