import { Controller, HttpCode, type INestApplication, Param, Post, Req } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiParam, ApiProperty, ApiTags } from '@nestjs/swagger';
import type { Request } from 'express';
import { Public } from '../../../common/auth/auth.decorators.js';
import { ApiErrors } from '../../../common/errors/api-errors.decorator.js';
import type { LeanRoute } from '../../../common/http/lean-routes.js';
import {
  enforceRateLimit,
  webhookBucket,
} from '../../../common/rate-limit/rate-limit.interceptor.js';
import { RateLimitStore } from '../../../common/rate-limit/rate-limit.store.js';
import { AppConfig } from '../../../config/app-config.js';
import { IntakeResult, WebhookIntakeService } from './webhook-intake.service.js';

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
    return ack(await this.intake.receive(gateway, req.rawBody, req.headers));
  }
}

function ack(result: IntakeResult): WebhookAckDto {
  return { received: true, duplicate: result.duplicate };
}

/**
 * The same endpoint, served ahead of Express and Nest (common/http/lean-routes.ts): gateways post
 * here at a rate no other route sees, and of the global pipeline only the rate limit applies to
 * it (the route is public, takes no Idempotency-Key and validates nothing but the signature). It
 * answers exactly as the controller does; requests it does not take (an unusual body, a query
 * string, another case of the path) still reach the controller.
 */
export function webhookLeanRoute(app: INestApplication): LeanRoute {
  const intake = app.get(WebhookIntakeService, { strict: false });
  const limits = app.get(RateLimitStore, { strict: false });
  const config = app.get(AppConfig, { strict: false });
  return {
    path: /^\/api\/v1\/webhooks\/([a-z]+)$/,
    route: '/api/v1/webhooks/:gateway',
    status: 200,
    handle: async ({ params: [gateway], rawBody, headers, json }, response) => {
      await enforceRateLimit(
        limits,
        config,
        webhookBucket(gateway),
        config.throttleWebhookLimit,
        response,
      );
      return ack(await intake.receive(gateway, rawBody, headers, json));
    },
  };
}
