import { FakeFlutterwave } from './fake-flutterwave.js';
import { FakePaystack } from './fake-paystack.js';
import { FakePayPal } from './fake-paypal.js';
import { FakeStripe } from './fake-stripe.js';

/**
 * `npm run sandbox`: starts the fake gateways of the tests on fixed local ports and prints the env
 * lines that point the service at them. To add a gateway, append one entry to SANDBOX_FAKES.
 */
interface RunningFake {
  name: string;
  env: Record<string, string>;
  notes: string[];
  stop(): Promise<void>;
}

interface SandboxFake {
  name: string;
  start(appUrl: string): Promise<RunningFake>;
}

const APP_URL = process.env.SANDBOX_APP_URL ?? 'http://localhost:3000';
/** Payouts: how long a sandbox transfer stays pending before it succeeds (and its webhook is sent). */
const TRANSFER_SETTLE_MS = Number(process.env.SANDBOX_TRANSFER_SETTLE_MS ?? 3000);

export const SANDBOX_FAKES: SandboxFake[] = [
  {
    name: 'paystack',
    start: async (appUrl) => {
      const fake = await new FakePaystack({
        port: Number(process.env.SANDBOX_PAYSTACK_PORT ?? 4010),
        secretKey: process.env.SANDBOX_PAYSTACK_SECRET_KEY ?? 'sk_test_sandbox_paystack_secret_key',
        appUrl,
      }).start();
      fake.resolveUnknownAccounts = true;
      fake.autoSettleTransfers = { afterMs: TRANSFER_SETTLE_MS, outcome: 'success' };
      return {
        name: 'paystack',
        env: { PAYSTACK_BASE_URL: fake.url, PAYSTACK_SECRET_KEY: fake.secretKey },
        notes: [
          `checkout pages at ${fake.url}/checkout/<access_code>: "Pay" sends a signed charge.success to ${appUrl}`,
          `transfers (/bank, /bank/resolve, /transferrecipient, /transfer, /transfer/verify/<reference>): any 10-digit account at a listed bank resolves; a transfer succeeds after ${TRANSFER_SETTLE_MS} ms and sends a signed transfer.success`,
        ],
        stop: () => fake.stop(),
      };
    },
  },
  {
    name: 'stripe',
    start: async (appUrl) => {
      const fake = await new FakeStripe({ appUrl }).start(
        Number(process.env.SANDBOX_STRIPE_PORT ?? 4011),
      );
      return {
        name: 'stripe',
        env: fake.env(),
        notes: [
          `Checkout pages at ${fake.url}/c/pay/<session id>: "Pay" sends a signed checkout.session.completed to ${appUrl}`,
        ],
        stop: () => fake.stop(),
      };
    },
  },
  {
    name: 'flutterwave',
    start: async (appUrl) => {
      const fake = await new FakeFlutterwave({ appUrl }).start(
        Number(process.env.SANDBOX_FLUTTERWAVE_PORT ?? 4012),
      );
      fake.resolveUnknownAccounts = true;
      fake.autoSettleTransfers = { afterMs: TRANSFER_SETTLE_MS, outcome: 'SUCCESSFUL' };
      return {
        name: 'flutterwave',
        env: fake.env(),
        notes: [
          `payment links at ${fake.url}/v3/hosted/pay/<token>: "Pay" sends charge.completed (verif-hash) to ${appUrl}`,
          `transfers (/v3/banks/NG|GH, /v3/accounts/resolve, /v3/transfers): any 10-digit account at a listed bank resolves; a transfer succeeds after ${TRANSFER_SETTLE_MS} ms and sends transfer.completed`,
        ],
        stop: () => fake.stop(),
      };
    },
  },
  {
    name: 'paypal',
    start: async (appUrl) => {
      const fake = await new FakePayPal({ appUrl }).start(
        Number(process.env.SANDBOX_PAYPAL_PORT ?? 4013),
      );
      return {
        name: 'paypal',
        env: fake.env(),
        notes: [
          `approval pages at ${fake.url}/checkoutnow?token=<order id>: "Approve" sends CHECKOUT.ORDER.APPROVED (verifiable through the fake's verify API) to ${appUrl}`,
        ],
        stop: () => fake.stop(),
      };
    },
  },
];

async function main(): Promise<void> {
  const running: RunningFake[] = [];
  for (const fake of SANDBOX_FAKES) running.push(await fake.start(APP_URL));
  const lines = [
    '# Fake gateways are running. Start the service with these lines in .env (or the environment):',
    ...running.flatMap((fake) =>
      Object.entries(fake.env).map(([name, value]) => `${name}=${value}`),
    ),
    '',
    ...running.flatMap((fake) => fake.notes.map((note) => `# ${fake.name}: ${note}`)),
    `# webhooks are sent to ${APP_URL} (set SANDBOX_APP_URL to change). Ctrl-C stops the sandbox.`,
  ];
  process.stdout.write(`${lines.join('\n')}\n`);
  const stop = (): void => {
    void Promise.allSettled(running.map((fake) => fake.stop())).then(() => process.exit(0));
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

await main();
