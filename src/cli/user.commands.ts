import { TokensService } from '../modules/auth/jwt/tokens.service.js';
import { normalizeEmail, UsersService } from '../modules/users/users.service.js';
import { CliCommand, requireOption } from './cli-command.js';

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

/**
 * Prints an access token for a local user (created with its wallet when missing), so the API can
 * be tried in Swagger without Google. stdout's first line is the token alone, for `$(…)`.
 */
export const userTokenCommand: CliCommand = {
  name: 'user:token',
  description:
    'Print a JWT access token for a local user, creating the user (and wallet) if missing',
  usage: 'user:token --email you@example.com [--name "Ada"] [--refresh]',
  async run(context) {
    const email = normalizeEmail(requireOption(context, 'email'));
    if (!EMAIL.test(email)) throw new Error(`--email must be an email address, got "${email}"`);
    const name = typeof context.options.name === 'string' ? context.options.name : null;
    const app = await context.app();
    const user = await app.get(UsersService).findOrCreateByEmail(email, name);
    const session = await app.get(TokensService).issueSession(user);
    context.print(session.accessToken);
    if (context.options.refresh === true) context.print(`refresh_token: ${session.refreshToken}`);
  },
};
