import { Body, Controller, Get, HttpCode, Param, ParseUUIDPipe, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiParam, ApiTags } from '@nestjs/swagger';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { AdminOnly, CurrentPrincipal } from '../../../common/auth/auth.decorators.js';
import type { Principal } from '../../../common/auth/principal.js';
import { notFound, validationFailed } from '../../../common/errors/app-error.js';
import { BEARER_SCHEME } from '../../../http/swagger.js';
import { ApiErrors } from '../../../common/errors/api-errors.decorator.js';
import {
  decodeIdCursor as decodeCursor,
  encodeIdCursor as encodeCursor,
} from '../../../common/pagination/id-cursor.js';
import { PaymentListResponseDto, PaymentResponseDto } from '../dto/payment.dto.js';
import { InboundWebhookEvent } from '../inbound/inbound-webhook-event.entity.js';
import { InboundWebhookService } from '../inbound/inbound-webhook.service.js';
import { PaymentView, toPaymentView } from '../payment-view.js';
import type { Payment } from '../payment.entity.js';
import { PaymentsService } from '../payments.service.js';
import {
  AdminPaymentsQueryDto,
  AdminWebhookEventsQueryDto,
  InboundWebhookEventDto,
  InboundWebhookEventListDto,
  ResolvePaymentDto,
} from './admin.dto.js';
import { PaymentReviewService } from './payment-review.service.js';

type AdminPaymentView = PaymentView & {
  user_id: string;
  reported_amount: number | null;
  reported_currency: string | null;
  reported_reference: string | null;
  resolution: string | null;
  resolved_by: string | null;
  resolved_at: string | null;
  resolution_note: string | null;
};

function toAdminPaymentView(payment: Payment): AdminPaymentView {
  return {
    ...toPaymentView(payment),
    user_id: payment.userId,
    reported_amount: payment.reportedAmount,
    reported_currency: payment.reportedCurrency,
    reported_reference: payment.reportedReference,
    resolution: payment.resolution,
    resolved_by: payment.resolvedBy,
    resolved_at: payment.resolvedAt?.toISOString() ?? null,
    resolution_note: payment.resolutionNote,
  };
}

function toEventView(event: InboundWebhookEvent): InboundWebhookEventDto {
  return {
    id: event.id,
    gateway: event.gateway,
    event_id: event.eventId,
    type: event.type,
    kind: event.kind,
    reference: event.reference,
    status: event.status,
    attempts: event.attempts,
    last_error: event.lastError,
    payload: event.payload,
    headers: event.headers,
    received_at: event.receivedAt.toISOString(),
    processed_at: event.processedAt?.toISOString() ?? null,
  };
}

function pageSize(limit: string | undefined): number {
  const value = limit === undefined ? 20 : Number(limit);
  if (value < 1 || value > 100)
    throw validationFailed([
      { field: 'limit', message: 'limit must be a whole number from 1 to 100' },
    ]);
  return value;
}

@ApiTags('admin')
@ApiBearerAuth(BEARER_SCHEME)
@AdminOnly()
@Controller('admin')
export class AdminPaymentsController {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly payments: PaymentsService,
    private readonly review: PaymentReviewService,
    private readonly inbound: InboundWebhookService,
  ) {}

  @Get('webhook-events')
  @ApiOperation({
    summary: 'List stored inbound webhook events',
    description: 'e.g. ?status=unmatched for events whose payment was never found.',
  })
  @ApiOkResponse({ type: InboundWebhookEventListDto })
  @ApiErrors({
    400: 'VALIDATION_FAILED',
    401: 'UNAUTHENTICATED',
    403: 'PERMISSION_DENIED: not an admin',
  })
  async listEvents(
    @Query() query: AdminWebhookEventsQueryDto,
  ): Promise<InboundWebhookEventListDto> {
    const limit = pageSize(query.limit);
    const after = decodeCursor(query.cursor);
    const builder = this.dataSource.getRepository(InboundWebhookEvent).createQueryBuilder('e');
    if (query.status) builder.andWhere('e.status = :status', { status: query.status });
    if (after)
      builder.andWhere(
        '(e.received_at, e.id) < (SELECT c.received_at, c.id FROM inbound_webhook_events c WHERE c.id = :after)',
        { after },
      );
    const rows = await builder
      .orderBy('e.receivedAt', 'DESC')
      .addOrderBy('e.id', 'DESC')
      .limit(limit + 1)
      .getMany();
    const page = rows.slice(0, limit);
    return {
      events: page.map(toEventView),
      next_cursor: rows.length > limit ? encodeCursor(page[page.length - 1].id) : null,
    };
  }

  @Post('webhook-events/:id/replay')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Process a stored event again',
    description: 'Through the same settlement path; a settled payment is not settled twice.',
  })
  @ApiParam({ name: 'id', example: '3f1c2b7e-5d4a-4e8b-9c1d-2a3b4c5d6e7f' })
  @ApiOkResponse({ type: InboundWebhookEventDto })
  @ApiErrors({
    401: 'UNAUTHENTICATED',
    403: 'PERMISSION_DENIED: not an admin',
    404: 'NOT_FOUND',
    409: 'EVENT_IN_PROGRESS (already waiting) or EVENT_NOT_REPLAYABLE (an event type we do not act on)',
  })
  async replay(
    @Param('id', new ParseUUIDPipe({ exceptionFactory: () => notFound('Webhook event') }))
    id: string,
  ): Promise<InboundWebhookEventDto> {
    return toEventView(await this.inbound.replay(id));
  }

  @Get('payments')
  @ApiOperation({
    summary: "List every user's payments",
    description: 'e.g. ?status=needs_review for those awaiting a decision.',
  })
  @ApiOkResponse({ type: PaymentListResponseDto })
  @ApiErrors({
    400: 'VALIDATION_FAILED',
    401: 'UNAUTHENTICATED',
    403: 'PERMISSION_DENIED: not an admin',
  })
  async listPayments(
    @Query() query: AdminPaymentsQueryDto,
  ): Promise<{ payments: AdminPaymentView[]; next_cursor: string | null }> {
    const page = await this.payments.list(null, {
      status: query.status,
      limit: pageSize(query.limit),
      cursor: query.cursor,
    });
    return { payments: page.payments.map(toAdminPaymentView), next_cursor: page.nextCursor };
  }

  @Post('payments/:reference/resolve')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Resolve a needs_review payment',
    description:
      'accept: succeeded for what the gateway actually received (amount_received; a deposit credits that amount). ' +
      'reject: failed; what was received stays in amount_received for the refund. Recorded with who and when.',
  })
  @ApiParam({ name: 'reference', example: 'PAY-20260122123456-AB12CD34' })
  @ApiOkResponse({ type: PaymentResponseDto })
  @ApiErrors({
    400: 'VALIDATION_FAILED',
    401: 'UNAUTHENTICATED',
    403: 'PERMISSION_DENIED: not an admin',
    404: 'NOT_FOUND',
    422: 'PAYMENT_NOT_IN_REVIEW, or PAYMENT_NOT_ACCEPTABLE (the gateway received another currency)',
  })
  async resolve(
    @CurrentPrincipal() principal: Principal,
    @Param('reference') reference: string,
    @Body() body: ResolvePaymentDto,
  ): Promise<AdminPaymentView> {
    return toAdminPaymentView(
      await this.review.resolve(reference, body.action, body.note, principal.userId),
    );
  }
}
