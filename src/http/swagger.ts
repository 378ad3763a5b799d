import type { INestApplication } from '@nestjs/common';
import { DocumentBuilder, type OpenAPIObject, SwaggerModule } from '@nestjs/swagger';
import { ErrorResponseDto } from '../common/errors/error-response.dto.js';

import { API_KEY_SCHEME, BEARER_SCHEME } from '../common/auth/auth.decorators.js';

/** Everything under /api/v1 but the Prometheus metrics. */
export const API_PREFIX = 'api/v1';
export const API_PREFIX_OPTIONS = { exclude: ['metrics'] };

/**
 * The OpenAPI document of an application whose global prefix is set: from the module graph's
 * metadata only, so it can be built from a graph whose providers were never created (`npm run
 * openapi:export`, src/openapi.ts). `amend` edits the generated document (documentation the
 * decorators cannot express, given by the composition root).
 */
export function createOpenApiDocument(
  app: INestApplication,
  amend: (document: OpenAPIObject) => void = () => undefined,
): OpenAPIObject {
  const config = new DocumentBuilder()
    .setTitle('Payments backend')
    .setDescription(
      'Payments through Paystack, Flutterwave, Stripe, PayPal and any HMAC-signing gateway; wallets on a ' +
        'double-entry ledger; refunds; signed outbound webhooks. Money is an integer in the minor unit. ' +
        'Authenticate with a Google-issued JWT (`Authorization: Bearer …`, try `npm run cli -- user:token ' +
        '--email you@example.com`) or an API key (`x-api-key`). Errors share one shape: see ErrorResponse.',
    )
    .setVersion('1.0')
    .addBearerAuth({ type: 'http', scheme: 'bearer', bearerFormat: 'JWT' }, BEARER_SCHEME)
    .addApiKey({ type: 'apiKey', in: 'header', name: 'x-api-key' }, API_KEY_SCHEME)
    .build();
  const document = SwaggerModule.createDocument(app, config, { extraModels: [ErrorResponseDto] });
  amend(document);
  return document;
}

export function setupSwagger(
  app: INestApplication,
  amend: (document: OpenAPIObject) => void = () => undefined,
): void {
  const document = createOpenApiDocument(app, amend);
  SwaggerModule.setup('api/docs', app, document, {
    jsonDocumentUrl: 'api/docs-json',
    // Off: Swagger UI would keep the bearer token and API key in localStorage, readable by any
    // script on the origin and left behind after the tab closes.
    swaggerOptions: { persistAuthorization: false },
  });
}
