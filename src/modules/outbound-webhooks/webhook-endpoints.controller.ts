import {
  Body,
  Controller,
  Delete,
  Get,
  Header,
  HttpCode,
  Param,
  Patch,
  Post,
  Query,
} from '@nestjs/common';
import {
  ApiAcceptedResponse,
  ApiCreatedResponse,
  ApiNoContentResponse,
  ApiOkResponse,
  ApiOperation,
  ApiParam,
  ApiTags,
} from '@nestjs/swagger';
import { CurrentPrincipal, RequirePermission } from '../../common/auth/auth.decorators.js';
import type { Principal } from '../../common/auth/principal.js';
import { ApiErrors } from '../../common/errors/api-errors.decorator.js';
import {
  CreatedWebhookEndpointDto,
  CreateWebhookEndpointDto,
  ListWebhookEndpointsQueryDto,
  UpdateWebhookEndpointDto,
  WebhookEndpointDto,
  WebhookEndpointListDto,
} from './dto/webhook-endpoint.dto.js';
import { WebhookEndpointsService } from './webhook-endpoints.service.js';
import { DeliveryLogService } from './delivery-log.service.js';
import { WebhookDeliveryDto } from './dto/webhook-delivery.dto.js';
import { pageSize } from '../../common/pagination/page.dto.js';

const NOT_FOUND = { 404: 'No such endpoint of yours (NOT_FOUND)' };
const URL_REFUSED =
  'The URL resolves to a private, loopback, link-local or metadata address, or does not resolve (WEBHOOK_URL_NOT_ALLOWED)';

@ApiTags('webhooks')
@RequirePermission('webhooks')
@Controller('webhook-endpoints')
export class WebhookEndpointsController {
  constructor(
    private readonly endpoints: WebhookEndpointsService,
    private readonly deliveryLog: DeliveryLogService,
  ) {}

  @Post()
  @ApiOperation({
    summary: 'Register a webhook endpoint',
    description:
      'Events of the chosen types are POSTed to the URL, signed per Standard Webhooks. The response carries ' +
      'the signing `secret` (`whsec_…`) this once; it is never shown again.',
  })
  @ApiCreatedResponse({ type: CreatedWebhookEndpointDto })
  @ApiErrors({
    400: 'Invalid url, events or description (VALIDATION_FAILED)',
    409: 'WEBHOOK_ENDPOINT_LIMIT: you have WEBHOOK_ENDPOINTS_MAX endpoints already',
    422: URL_REFUSED,
  })
  @Header('Cache-Control', 'no-store')
  async create(
    @CurrentPrincipal() principal: Principal,
    @Body() body: CreateWebhookEndpointDto,
  ): Promise<CreatedWebhookEndpointDto> {
    const { endpoint, secret } = await this.endpoints.create(principal.userId, body);
    return Object.assign(endpoint, { secret });
  }

  @Get()
  @ApiOperation({ summary: 'List your webhook endpoints, newest first (never their secrets)' })
  @ApiOkResponse({ type: WebhookEndpointListDto })
  @ApiErrors({ 400: 'Bad limit or cursor (VALIDATION_FAILED)' })
  async list(
    @CurrentPrincipal() principal: Principal,
    @Query() query: ListWebhookEndpointsQueryDto,
  ): Promise<WebhookEndpointListDto> {
    const page = await this.endpoints.list(principal.userId, pageSize(query), query.cursor);
    return { endpoints: page.endpoints, next_cursor: page.nextCursor };
  }

  @Get(':id')
  @ApiOperation({ summary: 'Get one of your webhook endpoints' })
  @ApiParam({ name: 'id', description: 'Endpoint id' })
  @ApiOkResponse({ type: WebhookEndpointDto })
  @ApiErrors({ ...NOT_FOUND })
  async get(
    @CurrentPrincipal() principal: Principal,
    @Param('id') id: string,
  ): Promise<WebhookEndpointDto> {
    return this.endpoints.get(principal.userId, id);
  }

  @Patch(':id')
  @ApiOperation({
    summary: 'Change url, events, description or enabled',
    description: 'Setting `enabled: true` also clears a reason the system disabled it for.',
  })
  @ApiParam({ name: 'id', description: 'Endpoint id' })
  @ApiOkResponse({ type: WebhookEndpointDto })
  @ApiErrors({ 400: 'Invalid field (VALIDATION_FAILED)', ...NOT_FOUND, 422: URL_REFUSED })
  async update(
    @CurrentPrincipal() principal: Principal,
    @Param('id') id: string,
    @Body() body: UpdateWebhookEndpointDto,
  ): Promise<WebhookEndpointDto> {
    return this.endpoints.update(principal.userId, id, body);
  }

  @Delete(':id')
  @HttpCode(204)
  @ApiOperation({
    summary: 'Delete an endpoint, with its deliveries (the events stay in GET /events)',
  })
  @ApiParam({ name: 'id', description: 'Endpoint id' })
  @ApiNoContentResponse({ description: 'Deleted' })
  @ApiErrors({ ...NOT_FOUND })
  async delete(@CurrentPrincipal() principal: Principal, @Param('id') id: string): Promise<void> {
    await this.endpoints.delete(principal.userId, id);
  }

  @Post(':id/rotate-secret')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Rotate the signing secret',
    description:
      'Returns a new secret once. For 24 hours the old secret keeps signing beside it: each delivery carries ' +
      'both signatures, space-separated, so receivers can switch without missing one.',
  })
  @ApiParam({ name: 'id', description: 'Endpoint id' })
  @ApiOkResponse({ type: CreatedWebhookEndpointDto })
  @ApiErrors({ ...NOT_FOUND })
  @Header('Cache-Control', 'no-store')
  async rotateSecret(
    @CurrentPrincipal() principal: Principal,
    @Param('id') id: string,
  ): Promise<CreatedWebhookEndpointDto> {
    const { endpoint, secret } = await this.endpoints.rotateSecret(principal.userId, id);
    return Object.assign(endpoint, { secret });
  }

  @Post(':id/test')
  @HttpCode(202)
  @ApiOperation({
    summary: 'Send a signed webhook.test event to this endpoint now',
    description:
      'Records a `webhook.test` event for this endpoint alone and delivers it at once, signed like every ' +
      'delivery; the answer is the delivery, whose attempts `GET /webhook-deliveries/{id}` shows.',
  })
  @ApiParam({ name: 'id', description: 'Endpoint id' })
  @ApiAcceptedResponse({ type: WebhookDeliveryDto })
  @ApiErrors({ ...NOT_FOUND, 422: 'The endpoint is disabled (WEBHOOK_ENDPOINT_DISABLED)' })
  async sendTest(
    @CurrentPrincipal() principal: Principal,
    @Param('id') id: string,
  ): Promise<WebhookDeliveryDto> {
    return this.deliveryLog.sendTest(principal.userId, id);
  }
}
