import { Controller, Get, HttpCode, Param, ParseUUIDPipe, Post, Query } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiParam, ApiTags } from '@nestjs/swagger';
import { AdminOnly } from '../../common/auth/auth.decorators.js';
import { ApiErrors } from '../../common/errors/api-errors.decorator.js';
import { notFound } from '../../common/errors/app-error.js';
import { pageSize } from '../../common/pagination/page.dto.js';
import {
  AdminWebhookEventsQueryDto,
  InboundWebhookEventDto,
  InboundWebhookEventListDto,
  toWebhookEventDto,
} from './dto/webhook-event.dto.js';
import { WebhookEventsService } from './webhook-events.service.js';

@ApiTags('admin')
@AdminOnly()
@Controller('admin/webhook-events')
export class AdminWebhookEventsController {
  constructor(private readonly events: WebhookEventsService) {}

  @Get()
  @ApiOperation({
    summary: 'List stored inbound webhook events',
    description: 'e.g. ?status=unmatched for events whose payment was never found.',
  })
  @ApiOkResponse({ type: InboundWebhookEventListDto })
  @ApiErrors({ 400: 'VALIDATION_FAILED' })
  async list(@Query() query: AdminWebhookEventsQueryDto): Promise<InboundWebhookEventListDto> {
    const page = await this.events.list({
      status: query.status,
      limit: pageSize(query),
      cursor: query.cursor,
    });
    return { events: page.events.map(toWebhookEventDto), next_cursor: page.nextCursor };
  }

  @Post(':id/replay')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Process a stored event again',
    description: 'Through the same settlement path; a settled payment is not settled twice.',
  })
  @ApiParam({ name: 'id', example: '3f1c2b7e-5d4a-4e8b-9c1d-2a3b4c5d6e7f' })
  @ApiOkResponse({ type: InboundWebhookEventDto })
  @ApiErrors({
    404: 'NOT_FOUND',
    409: 'EVENT_IN_PROGRESS (already waiting) or EVENT_NOT_REPLAYABLE (an event type we do not act on)',
  })
  async replay(
    @Param('id', new ParseUUIDPipe({ exceptionFactory: () => notFound('Webhook event') }))
    id: string,
  ): Promise<InboundWebhookEventDto> {
    return toWebhookEventDto(await this.events.replay(id));
  }
}
