import { Controller, Get } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { AdminOnly } from '../../common/auth/auth.decorators.js';
import { LedgerCheckReportDto } from './ledger-check.dto.js';
import { LedgerCheckService } from './ledger-check.service.js';

@ApiTags('admin')
@Controller('admin/ledger')
export class AdminLedgerController {
  constructor(private readonly check: LedgerCheckService) {}

  @Get('check')
  @AdminOnly()
  @ApiOperation({
    summary: 'Verify every ledger invariant over the whole database',
    description:
      'Each transfer sums to zero, each balance equals its entries, no wallet is negative, and more. Drift is listed, never fixed.',
  })
  @ApiOkResponse({ type: LedgerCheckReportDto })
  async run(): Promise<LedgerCheckReportDto> {
    return this.check.run();
  }
}
