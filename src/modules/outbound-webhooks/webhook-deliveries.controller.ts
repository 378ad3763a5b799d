import { Body, Controller, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import {
  ApiAcceptedResponse,
  ApiOkResponse,
  ApiOperation,
  ApiParam,
  ApiTags,
} from '@nestjs/swagger';
import { CurrentPrincipal, RequirePermission } from '../../common/auth/auth.decorators.js';
import type { Principal } from '../../common/auth/principal.js';
import { ApiErrors } from '../../common/errors/api-errors.decorator.js';
import {
  ListDeliveriesQueryDto,
  ListEventsQueryDto,
  OutboundEventListDto,
  RetryDeliveryDto,
  WebhookDeliveryDetailDto,
  WebhookDeliveryDto,
  WebhookDeliveryListDto,
} from './dto/webhook-delivery.dto.js';
import { OutboundEventsService } from './outbound-events.service.js';
import { DeliveryLogService } from './delivery-log.service.js';
import { pageSize } from '../../common/pagination/page.dto.js';

const NOT_FOUND = { 404: 'No such delivery to an endpoint of yours (NOT_FOUND)' };

@ApiTags('webhooks')
@RequirePermission('webhooks')
@Controller('webhook-deliveries')
export class WebhookDeliveriesController {
  constructor(private readonly deliveries: DeliveryLogService) {}

  @Get()
  @ApiOperation({ summary: 'The delivery log of your endpoints, newest first (paged by offset)' })
  @ApiOkResponse({ type: WebhookDeliveryListDto })
  @ApiErrors({ 400: 'Bad limit, offset, status or endpoint_id (VALIDATION_FAILED)' })
  async list(
    @CurrentPrincipal() principal: Principal,
    @Query() query: ListDeliveriesQueryDto,
  ): Promise<WebhookDeliveryListDto> {
    const limit = query.limit ?? 20;
    const offset = query.offset ?? 0;
    const page = await this.deliveries.list(principal.userId, {
      limit,
      offset,
      status: query.status,
      endpointId: query.endpoint_id,
    });
    return { deliveries: page.deliveries, total: page.total, limit, offset };
  }

  @Get(':id')
  @ApiOperation({
    summary:
      'One delivery with every attempt (status code, duration, error, first KiB of the response)',
  })
  @ApiParam({ name: 'id', description: 'Delivery id' })
  @ApiOkResponse({ type: WebhookDeliveryDetailDto })
  @ApiErrors({ ...NOT_FOUND })
  async get(
    @CurrentPrincipal() principal: Principal,
    @Param('id') id: string,
  ): Promise<WebhookDeliveryDetailDto> {
    return this.deliveries.get(principal.userId, id);
  }

  @Post(':id/retry')
  @HttpCode(202)
  @ApiOperation({
    summary: 'Attempt a delivery again now',
    description:
      'A new attempt with the same webhook-id (the event id). A delivery that already received a 2xx needs ' +
      '`{"force": true}`.',
  })
  @ApiParam({ name: 'id', description: 'Delivery id' })
  @ApiAcceptedResponse({
    type: WebhookDeliveryDto,
    description: 'The attempt is queued; the delivery is pending',
  })
  @ApiErrors({
    400: 'Invalid body (VALIDATION_FAILED)',
    ...NOT_FOUND,
    409: 'Already delivered; send {"force": true} (DELIVERY_ALREADY_SUCCEEDED)',
    422: 'The endpoint is disabled (WEBHOOK_ENDPOINT_DISABLED)',
  })
  async retry(
    @CurrentPrincipal() principal: Principal,
    @Param('id') id: string,
    @Body() body: RetryDeliveryDto,
  ): Promise<WebhookDeliveryDto> {
    return this.deliveries.retry(principal.userId, id, body?.force === true);
  }
}

@ApiTags('webhooks')
@RequirePermission('webhooks')
@Controller('events')
export class OutboundEventsController {
  constructor(private readonly events: OutboundEventsService) {}

  @Get()
  @ApiOperation({
    summary: 'Your events, newest first',
    description:
      'Every event recorded for you, whether or not an endpoint received it: catch up on what was missed.',
  })
  @ApiOkResponse({ type: OutboundEventListDto })
  @ApiErrors({ 400: 'Bad type, limit or cursor (VALIDATION_FAILED)' })
  async list(
    @CurrentPrincipal() principal: Principal,
    @Query() query: ListEventsQueryDto,
  ): Promise<OutboundEventListDto> {
    const page = await this.events.list(principal.userId, {
      type: query.type,
      limit: pageSize(query),
      cursor: query.cursor,
    });
    return { events: page.events, next_cursor: page.nextCursor };
  }
}
