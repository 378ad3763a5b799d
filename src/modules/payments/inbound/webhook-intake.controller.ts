import { Controller, HttpCode, Param, Post, Req } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiParam, ApiProperty, ApiTags } from '@nestjs/swagger';
import type { Request } from 'express';
import { Public } from '../../../common/auth/auth.decorators.js';
import { ApiErrors } from '../../../common/errors/api-errors.decorator.js';
import { WebhookIntakeService } from './webhook-intake.service.js';

class WebhookAckDto {
  @ApiProperty({ description: 'Always true: the event is stored (or was already)', example: true })
  received: boolean;

  @ApiProperty({
    description: 'True when this event had been received before; nothing more happens',
    example: false,
  })
  duplicate: boolean;
}

/**
 * Gateways post here; no authentication but the gateway's own signature, checked on the raw body.
 * Lives under /webhooks so per-user rate limits do not apply.
 */
@ApiTags('inbound webhooks')
@Public()
@Controller('webhooks')
export class WebhookIntakeController {
  constructor(private readonly intake: WebhookIntakeService) {}

  @Post(':gateway')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Receive a gateway webhook',
    description:
      'paystack: x-paystack-signature (hex HMAC-SHA512 of the raw body with PAYSTACK_SECRET_KEY). generic: Standard Webhooks ' +
      '(webhook-id, webhook-timestamp, webhook-signature) with GENERIC_WEBHOOK_SECRET and body ' +
      '{transaction_id, payment_id?, status: completed|failed, amount, currency, metadata?}. The event is stored before the 200 ' +
      'and processed by a job; duplicates are 200 and do nothing more.',
  })
  @ApiParam({
    name: 'gateway',
    example: 'paystack',
    description: 'paystack | flutterwave | stripe | paypal | generic',
  })
  @ApiOkResponse({ type: WebhookAckDto })
  @ApiErrors({
    400: 'MALFORMED_WEBHOOK: signed, but not an event of this gateway',
    401: 'INVALID_SIGNATURE: missing or wrong signature; nothing stored',
    404: 'NOT_FOUND: no such gateway',
    422: 'GATEWAY_DISABLED: the gateway is not configured',
    503: 'SERVICE_UNAVAILABLE: the event could not be stored or the sender checked; the gateway should retry',
  })
  async receive(
    @Param('gateway') gateway: string,
    @Req() req: Request & { rawBody?: Buffer },
  ): Promise<WebhookAckDto> {
    const result = await this.intake.receive(gateway, req.rawBody, req.headers);
    return { received: true, duplicate: result.duplicate };
  }
}
