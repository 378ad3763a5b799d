import { Controller, Get, Param, Query } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiParam, ApiTags } from '@nestjs/swagger';
import { CurrentPrincipal, RequirePermission } from '../../common/auth/auth.decorators.js';
import type { Principal } from '../../common/auth/principal.js';
import { ApiErrors } from '../../common/errors/api-errors.decorator.js';
import {
  PaymentAuditTrailDto,
  PaymentSummaryDto,
  PaymentSummaryQueryDto,
} from './dto/payment-history.dto.js';
import { PaymentHistoryService } from './payment-history.service.js';

/**
 * What the dashboard shows about your payments beyond the list (SPEC §18): today's counts by
 * state and a payment's audit trail. Registered before PaymentsController, so `summary` is not
 * read as a payment reference.
 */
@ApiTags('payments')
@RequirePermission('payments')
@Controller('payments')
export class PaymentHistoryController {
  constructor(private readonly history: PaymentHistoryService) {}

  @Get('summary')
  @ApiOperation({
    summary: 'Your payments since an instant, counted by state',
    description: 'The dashboard’s “payments today”: every payment you started (deposits included).',
  })
  @ApiOkResponse({ type: PaymentSummaryDto })
  @ApiErrors({ 400: 'VALIDATION_FAILED: since missing, malformed, in the future or too old' })
  async summary(
    @CurrentPrincipal() principal: Principal,
    @Query() query: PaymentSummaryQueryDto,
  ): Promise<PaymentSummaryDto> {
    return this.history.summary(principal.userId, query.since);
  }

  @Get(':reference/audit')
  @ApiOperation({
    summary: 'A payment’s audit trail',
    description:
      'Every state change of one of your payments, what caused it, gateway claims its final state refused, and ' +
      'administrators’ decisions; oldest first.',
  })
  @ApiParam({ name: 'reference', example: 'PAY-20260122123456-AB12CD34' })
  @ApiOkResponse({ type: PaymentAuditTrailDto })
  @ApiErrors({ 404: "NOT_FOUND (also another user's payment)" })
  async audit(
    @CurrentPrincipal() principal: Principal,
    @Param('reference') reference: string,
  ): Promise<PaymentAuditTrailDto> {
    return { reference, ...(await this.history.auditTrail(principal.userId, reference)) };
  }
}
