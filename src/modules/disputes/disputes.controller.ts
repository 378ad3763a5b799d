import { Body, Controller, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiProperty, ApiTags } from '@nestjs/swagger';
import { IsUUID } from 'class-validator';
import {
  AdminOnly,
  CurrentPrincipal,
  RequirePermission,
} from '../../common/auth/auth.decorators.js';
import type { Principal } from '../../common/auth/principal.js';
import { ApiErrors } from '../../common/errors/api-errors.decorator.js';
import { pageSize } from '../../common/pagination/page.dto.js';
import {
  DisputeEvidenceDto,
  DisputeListQueryDto,
  DisputeListResponseDto,
  DisputeResponseDto,
} from './dispute.dto.js';
import { DisputesService } from './disputes.service.js';

export class DisputeIdParamDto {
  @ApiProperty({ description: 'Dispute id', example: '6f1c2b7e-5d4a-4e8b-9c1d-2a3b4c5d6e7f' })
  @IsUUID()
  id: string;
}

/** An admin sees every dispute; anyone else only their own (another's reads as not found). */
const scope = (principal: Principal): string | null =>
  principal.isAdmin ? null : principal.userId;

@ApiTags('disputes')
@RequirePermission('payments')
@Controller('disputes')
export class DisputesController {
  constructor(private readonly disputes: DisputesService) {}

  @Get()
  @ApiOperation({ summary: 'Your disputes', description: 'Newest first, cursor-paginated.' })
  @ApiOkResponse({ type: DisputeListResponseDto })
  @ApiErrors({ 400: 'VALIDATION_FAILED: bad status, limit or cursor' })
  async list(
    @CurrentPrincipal() principal: Principal,
    @Query() query: DisputeListQueryDto,
  ): Promise<DisputeListResponseDto> {
    return this.disputes.list(principal.userId, {
      status: query.status,
      limit: pageSize(query),
      cursor: query.cursor,
    });
  }

  @Get(':id')
  @ApiOperation({ summary: 'One dispute (its owner or an admin)' })
  @ApiOkResponse({ type: DisputeResponseDto })
  @ApiErrors({ 400: 'VALIDATION_FAILED: not a dispute id', 404: 'NOT_FOUND' })
  async get(
    @CurrentPrincipal() principal: Principal,
    @Param() params: DisputeIdParamDto,
  ): Promise<DisputeResponseDto> {
    return this.disputes.get(scope(principal), params.id);
  }

  @Post(':id/accept')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Concede the dispute',
    description:
      'Tells the gateway (where it has an API for it) and closes the dispute `accepted`: the held money goes to the gateway, once. A dispute on a payment refunded before it came (`amount_held` < `amount`) answers 422 DISPUTE_ALREADY_REFUNDED: conceding would pay the payer back twice; answer it with evidence of the refund.',
  })
  @ApiOkResponse({ type: DisputeResponseDto })
  @ApiErrors({
    404: 'NOT_FOUND',
    422: 'DISPUTE_CLOSED, DISPUTE_ALREADY_REFUNDED',
    503: 'GATEWAY_UNAVAILABLE',
  })
  async accept(
    @CurrentPrincipal() principal: Principal,
    @Param() params: DisputeIdParamDto,
  ): Promise<DisputeResponseDto> {
    return this.disputes.accept(scope(principal), params.id);
  }

  @Post(':id/evidence')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Submit evidence to the gateway',
    description: 'Paystack and Stripe take evidence through their APIs; other gateways answer 422.',
  })
  @ApiOkResponse({ type: DisputeResponseDto })
  @ApiErrors({
    400: 'VALIDATION_FAILED',
    404: 'NOT_FOUND',
    422: 'EVIDENCE_NOT_SUPPORTED, DISPUTE_CLOSED',
    503: 'GATEWAY_UNAVAILABLE',
  })
  async evidence(
    @CurrentPrincipal() principal: Principal,
    @Param() params: DisputeIdParamDto,
    @Body() body: DisputeEvidenceDto,
  ): Promise<DisputeResponseDto> {
    return this.disputes.submitEvidence(scope(principal), params.id, {
      text: body.text,
      uploadedFileUrls: body.uploaded_file_urls ?? [],
    });
  }
}

@ApiTags('admin')
@AdminOnly()
@Controller('admin/disputes')
export class AdminDisputesController {
  constructor(private readonly disputes: DisputesService) {}

  @Get()
  @ApiOperation({ summary: 'Every dispute', description: 'Filter by status; newest first.' })
  @ApiOkResponse({ type: DisputeListResponseDto })
  @ApiErrors({ 400: 'VALIDATION_FAILED' })
  async list(@Query() query: DisputeListQueryDto): Promise<DisputeListResponseDto> {
    return this.disputes.list(null, {
      status: query.status,
      limit: pageSize(query),
      cursor: query.cursor,
    });
  }

  @Get(':id')
  @ApiOperation({ summary: 'One dispute' })
  @ApiOkResponse({ type: DisputeResponseDto })
  @ApiErrors({ 400: 'VALIDATION_FAILED', 404: 'NOT_FOUND' })
  async get(@Param() params: DisputeIdParamDto): Promise<DisputeResponseDto> {
    return this.disputes.get(null, params.id);
  }
}
