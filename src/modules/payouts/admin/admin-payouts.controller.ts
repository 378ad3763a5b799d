import { Body, Controller, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { AdminOnly, CurrentPrincipal } from '../../../common/auth/auth.decorators.js';
import type { Principal } from '../../../common/auth/principal.js';
import { ApiErrors } from '../../../common/errors/api-errors.decorator.js';
import { notFound } from '../../../common/errors/app-error.js';
import { pageSize } from '../../../common/pagination/page.dto.js';
import { isUuid } from '../../../common/validation/uuid.js';
import {
  AdminPayoutDto,
  AdminPayoutListDto,
  FinalizePayoutDto,
  ListPayoutsQueryDto,
  RejectPayoutDto,
} from '../dto/payout.dto.js';
import { PayoutAdminService } from './payout-admin.service.js';
import { PayoutsService } from '../payouts.service.js';
import { toAdminPayoutDto } from '../payout-rows.js';

@ApiTags('admin')
@AdminOnly()
@Controller('admin/payouts')
export class AdminPayoutsController {
  constructor(
    private readonly payouts: PayoutsService,
    private readonly admin: PayoutAdminService,
  ) {}

  @Get()
  @ApiOperation({ summary: 'All payouts, newest first; filter by status (e.g. pending_approval)' })
  @ApiOkResponse({ type: AdminPayoutListDto })
  @ApiErrors({ 400: 'VALIDATION_FAILED' })
  async list(@Query() query: ListPayoutsQueryDto): Promise<AdminPayoutListDto> {
    const page = await this.payouts.list(
      { status: query.status },
      { limit: pageSize(query), cursor: query.cursor },
    );
    return { payouts: page.payouts.map(toAdminPayoutDto), next_cursor: page.next_cursor };
  }

  @Post(':id/approve')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Approve a payout above the threshold: it is sent (who and when are kept)',
  })
  @ApiOkResponse({ type: AdminPayoutDto })
  @ApiErrors({ 404: 'NOT_FOUND', 409: 'PAYOUT_NOT_PENDING_APPROVAL' })
  async approve(
    @CurrentPrincipal() principal: Principal,
    @Param('id') id: string,
  ): Promise<AdminPayoutDto> {
    return this.admin.approve(checkedId(id), principal.userId);
  }

  @Post(':id/reject')
  @HttpCode(200)
  @ApiOperation({ summary: 'Reject a payout awaiting approval: the money returns to the wallet' })
  @ApiOkResponse({ type: AdminPayoutDto })
  @ApiErrors({ 400: 'VALIDATION_FAILED', 404: 'NOT_FOUND', 409: 'PAYOUT_NOT_PENDING_APPROVAL' })
  async reject(
    @CurrentPrincipal() principal: Principal,
    @Param('id') id: string,
    @Body() body: RejectPayoutDto,
  ): Promise<AdminPayoutDto> {
    return this.admin.reject(checkedId(id), principal.userId, body.note);
  }

  @Post(':id/finalize')
  @HttpCode(200)
  @ApiOperation({ summary: 'Finalize a Paystack transfer waiting for an OTP' })
  @ApiOkResponse({ type: AdminPayoutDto })
  @ApiErrors({
    400: 'VALIDATION_FAILED',
    404: 'NOT_FOUND',
    409: 'PAYOUT_NOT_AWAITING_OTP',
    502: 'GATEWAY_ERROR: the gateway refused the OTP',
  })
  async finalize(
    @CurrentPrincipal() principal: Principal,
    @Param('id') id: string,
    @Body() body: FinalizePayoutDto,
  ): Promise<AdminPayoutDto> {
    return this.admin.finalize(checkedId(id), principal.userId, body.otp);
  }
}

function checkedId(id: string): string {
  if (!isUuid(id)) throw notFound('Payout');
  return id;
}
