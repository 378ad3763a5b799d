import { SignInLinksService } from '../modules/dashboard/sign-in-links.service.js';
import { normalizeEmail, UsersService } from '../modules/users/users.service.js';
import { CliCommand, requireOption } from './cli-command.js';

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

/**
 * Prints a one-time dashboard sign-in link (SPEC §18) for an existing user: single use, 10
 * minutes, only its hash stored. It creates nothing but the link: an unknown email is an error
 * naming the way to create the user (`--create`, or signing in with Google once), so a typo never
 * opens an account nobody asked for.
 */
export const dashboardLinkCommand: CliCommand = {
  name: 'dashboard:link',
  description: 'Print a one-time dashboard sign-in link (single use, 10 minutes) for a user',
  usage: 'dashboard:link --email you@example.com [--create]',
  async run(context) {
    const email = normalizeEmail(requireOption(context, 'email'));
    if (!EMAIL.test(email)) throw new Error(`--email must be an email address, got "${email}"`);
    const app = await context.app();
    const users = app.get(UsersService);
    const user =
      context.options.create === true
        ? await users.findOrCreateByEmail(email)
        : await users.findByEmail(email);
    if (!user) {
      throw new Error(
        `No user has the email ${email}. Add --create to create it (with its wallet), or sign in with Google once.`,
      );
    }
    const { token, expiresAt } = await app.get(SignInLinksService).create(user.id);
    const base = context.config.appUrl.replace(/\/+$/, '');
    context.print(`${base}/dashboard/sign-in#token=${token}`);
    context.print(`valid once, until ${expiresAt.toISOString()}, for ${email}`);
  },
};
