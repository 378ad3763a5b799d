import { AppError } from '../common/errors/app-error.js';
import { PERMISSIONS } from '../common/auth/principal.js';
import { ApiKeysService } from '../modules/auth/api-keys/api-keys.service.js';
import { PublishableKeysService } from '../modules/auth/publishable-keys/publishable-keys.service.js';
import { WebhookEndpointsService } from '../modules/outbound-webhooks/webhook-endpoints.service.js';
import { normalizeEmail, UsersService } from '../modules/users/users.service.js';
import type { CliCommand } from './cli-command.js';

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

/**
 * A local test merchant to try checkout with (SPEC §14): a user with a wallet, a secret API key
 * holding every permission, the publishable key, and a webhook endpoint with its signing secret.
 * The secrets are printed once: only their hashes (API key) or sealed values (endpoint secret)
 * are kept. Refused in production.
 */
export const devSeedCommand: CliCommand = {
  name: 'dev:seed',
  description:
    'Create a local test merchant: user + wallet, secret API key (every permission), publishable key, webhook endpoint secret',
  usage: 'dev:seed [--email dev@example.com] [--webhook-url http://localhost:4000/webhooks]',
  async run(context) {
    if (context.config.isProduction) throw new Error('dev:seed is not for NODE_ENV=production');
    const email = normalizeEmail(
      typeof context.options.email === 'string' ? context.options.email : 'dev@example.com',
    );
    if (!EMAIL.test(email)) throw new Error(`--email must be an email address, got "${email}"`);
    const webhookUrl =
      typeof context.options['webhook-url'] === 'string'
        ? context.options['webhook-url']
        : 'http://localhost:4000/webhooks';
    const app = await context.app();
    const user = await app.get(UsersService).findOrCreateByEmail(email, 'Dev merchant');
    const { plain } = await app
      .get(ApiKeysService)
      .create(user.id, { name: 'dev-seed', permissions: [...PERMISSIONS], expiry: '1Y' });
    const publishable = await app.get(PublishableKeysService).get(user.id);
    context.print(`user:             ${user.email} (${user.id})`);
    context.print(`secret API key:   ${plain}`);
    context.print(`publishable key:  ${publishable.key}`);
    try {
      const { endpoint, secret } = await app
        .get(WebhookEndpointsService)
        .create(user.id, { url: webhookUrl, events: ['*'], description: 'dev:seed' });
      context.print(`webhook endpoint: ${endpoint.url} (${endpoint.id})`);
      context.print(`webhook secret:   ${secret}`);
    } catch (error) {
      if (!(error instanceof AppError)) throw error;
      const why =
        error.details.length > 0
          ? error.details.map((detail) => detail.message).join('; ')
          : error.message;
      context.print(
        `webhook endpoint: not created for ${webhookUrl} (${why}); pass --webhook-url with a public URL, or set WEBHOOK_ALLOW_PRIVATE_URLS=true for a local receiver`,
      );
    }
    context.print(
      `test mode:        ${context.config.testMode ? 'on (pay with the test gateway)' : 'off'}`,
    );
    context.print('These secrets are shown once; keep them now.');
  },
};
