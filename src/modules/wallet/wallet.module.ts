import { Module, OnModuleInit } from '@nestjs/common';
import { LedgerCheckService } from '../ledger/ledger-check.service.js';
import { LedgerModule } from '../ledger/ledger.module.js';
import { PaymentsModule } from '../payments/payments.module.js';
import { WalletDepositsService } from './wallet-deposits.service.js';
import { WALLET_LEDGER_CHECKS } from './wallet-ledger-checks.js';
import { WalletController } from './wallet.controller.js';
import { WalletService } from './wallet.service.js';

/**
 * Wallets on the ledger: one per user (opened on 'user.created'), transfers, history, deposits
 * through a gateway (credited on 'payment.succeeded'), and the refund debits of deposits.
 */
@Module({
  imports: [LedgerModule, PaymentsModule],
  controllers: [WalletController],
  providers: [WalletService, WalletDepositsService],
  exports: [WalletService],
})
export class WalletModule implements OnModuleInit {
  constructor(private readonly ledgerCheck: LedgerCheckService) {}

  onModuleInit(): void {
    this.ledgerCheck.addChecks(WALLET_LEDGER_CHECKS);
  }
}
