import { Module, OnModuleInit } from '@nestjs/common';
import { PaymentSettledHooks } from '../payments/payment-settled.hooks.js';
import { PaymentsModule } from '../payments/payments.module.js';
import { UserCreatedHooks } from '../users/user-created.hooks.js';
import { UserWalletLookup } from '../users/user-wallet.lookup.js';
import { UsersModule } from '../users/users.module.js';
import { WebhooksModule } from '../webhooks/webhooks.module.js';
import { AdminLedgerController } from './admin-ledger.controller.js';
import { LedgerCheckService } from './ledger-check.service.js';
import { LedgerService } from './ledger.service.js';
import { WalletDepositsService } from './wallet-deposits.service.js';
import { WalletController } from './wallet.controller.js';
import { WalletService } from './wallet.service.js';

@Module({
  imports: [UsersModule, WebhooksModule, PaymentsModule],
  controllers: [WalletController, AdminLedgerController],
  providers: [LedgerService, WalletService, WalletDepositsService, LedgerCheckService],
  exports: [WalletService, LedgerCheckService],
})
export class WalletModule implements OnModuleInit {
  constructor(
    private readonly wallets: WalletService,
    private readonly userCreated: UserCreatedHooks,
    private readonly walletLookup: UserWalletLookup,
    private readonly paymentSettled: PaymentSettledHooks,
  ) {}

  onModuleInit(): void {
    this.userCreated.register({
      onUserCreated: async (manager, user) => {
        await this.wallets.openWallet(manager, user.id);
      },
    });
    this.walletLookup.register((userId) => this.wallets.walletNumberOf(userId));
    this.paymentSettled.register({
      effectOnSuccess: async (payment) => {
        if (payment.purpose !== 'wallet_deposit') return null;
        return this.wallets.depositCredit({
          paymentId: payment.id,
          paymentReference: payment.reference,
          userId: payment.userId,
          gateway: payment.gateway,
          currency: payment.currency,
          amount: payment.amountReceived,
        });
      },
    });
  }
}
