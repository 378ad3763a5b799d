import { Module, OnModuleInit } from '@nestjs/common';
import { PaymentSettledHooks } from '../payments/settlement/payment-settled.hooks.js';
import { PaymentsModule } from '../payments/payments.module.js';
import { UserCreatedHooks } from '../users/user-created.hooks.js';
import { UserWalletLookup } from '../users/user-wallet.lookup.js';
import { UsersModule } from '../users/users.module.js';
import { OutboundWebhooksModule } from '../outbound-webhooks/outbound-webhooks.module.js';
import { LedgerCheckService } from '../ledger/ledger-check.service.js';
import { LedgerModule } from '../ledger/ledger.module.js';
import { WalletDepositsService } from './wallet-deposits.service.js';
import { WalletController } from './wallet.controller.js';
import { WALLET_LEDGER_CHECKS } from './wallet-ledger-checks.js';
import { WalletService } from './wallet.service.js';

@Module({
  imports: [LedgerModule, UsersModule, OutboundWebhooksModule, PaymentsModule],
  controllers: [WalletController],
  providers: [WalletService, WalletDepositsService],
  exports: [WalletService],
})
export class WalletModule implements OnModuleInit {
  constructor(
    private readonly wallets: WalletService,
    private readonly userCreated: UserCreatedHooks,
    private readonly walletLookup: UserWalletLookup,
    private readonly paymentSettled: PaymentSettledHooks,
    private readonly ledgerCheck: LedgerCheckService,
  ) {}

  onModuleInit(): void {
    this.ledgerCheck.addChecks(WALLET_LEDGER_CHECKS);
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
