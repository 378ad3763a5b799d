import { Module } from '@nestjs/common';
import { AdminLedgerController } from './admin-ledger.controller.js';
import { LedgerCheckService } from './ledger-check.service.js';
import { LedgerService } from './ledger.service.js';

/**
 * Double-entry accounts, transfers and entries (the rules live in the database: see
 * db/schema.sql), and the check of every ledger invariant. It knows no payment and no gateway:
 * modules that do add their own checks (LedgerCheckService.addChecks).
 */
@Module({
  controllers: [AdminLedgerController],
  providers: [LedgerService, LedgerCheckService],
  exports: [LedgerService, LedgerCheckService],
})
export class LedgerModule {}
