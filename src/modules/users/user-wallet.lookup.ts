import { Injectable } from '@nestjs/common';

export type WalletNumberResolver = (userId: string) => Promise<string | null>;

/**
 * Lets the wallet module tell the users module a user's wallet number (for `/auth/me` and the
 * sign-in response) without users depending on the wallet module.
 */
@Injectable()
export class UserWalletLookup {
  private resolver: WalletNumberResolver | undefined;

  register(resolver: WalletNumberResolver): void {
    if (this.resolver) throw new Error('a wallet number resolver is already registered');
    this.resolver = resolver;
  }

  async walletNumberOf(userId: string): Promise<string | null> {
    return this.resolver ? this.resolver(userId) : null;
  }
}
