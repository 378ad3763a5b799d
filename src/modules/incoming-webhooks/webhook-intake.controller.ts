import { Controller, HttpCode, type INestApplication, Param, Post, Req, Res } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiParam, ApiProperty, ApiTags } from '@nestjs/swagger';
import { SkipThrottle } from '@nestjs/throttler';
import type { Request, Response } from 'express';
import { Public } from '../../common/auth/auth.decorators.js';
import { ApiErrors } from '../../common/errors/api-errors.decorator.js';
import type { LeanRoute } from '../../http/lean-routes.js';
import { clientIp } from '../../common/rate-limit/client-ip.js';
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
 * The rate-limit guard skips it: intake counts a webhook against its gateway only once verified,
 * and an unverified one against its client address.
 */
@ApiTags('inbound webhooks')
@Public()
@SkipThrottle()
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
    429: 'RATE_LIMITED: verified webhooks of this gateway, or unverified requests from this address, are over their limit (Retry-After)',
    503: 'SERVICE_UNAVAILABLE: the event could not be stored or the sender checked; the gateway should retry',
  })
  async receive(
    @Param('gateway') gateway: string,
    @Req() req: Request & { rawBody?: Buffer },
    @Res({ passthrough: true }) res: Response,
  ): Promise<WebhookAckDto> {
    return ack(
      await this.intake.receive(gateway, req.rawBody, req.headers, {
        ip: clientIp(req),
        response: res,
      }),
    );
  }
}

function ack(result: IntakeResult): WebhookAckDto {
  return { received: true, duplicate: result.duplicate };
}

/**
 * The same endpoint, served ahead of Express and Nest (http/lean-routes.ts): gateways post
 * here at a rate no other route sees, and nothing of the global pipeline applies to it (the route
 * is public, skips the rate-limit guard, takes no Idempotency-Key and validates nothing but the
 * signature; intake counts its rate limits). It
 * answers exactly as the controller does; requests it does not take (an unusual body, a query
 * string, another case of the path) still reach the controller.
 */
export function webhookLeanRoute(app: INestApplication): LeanRoute {
  const intake = app.get(WebhookIntakeService, { strict: false });
  return {
    path: /^\/api\/v1\/webhooks\/([a-z]+)$/,
    route: '/api/v1/webhooks/:gateway',
    status: 200,
    handle: async ({ params: [gateway], rawBody, headers, json, ip }, response) =>
      ack(await intake.receive(gateway, rawBody, headers, { ip, response }, json)),
  };
}
