import { NestFactory } from '@nestjs/core';
import type { OpenAPIObject } from '@nestjs/swagger';
import { AppModule, HTTP_FEATURES } from './app.module.js';
import { API_PREFIX, API_PREFIX_OPTIONS, createOpenApiDocument } from './http/swagger.js';

/**
 * The OpenAPI document the running API serves at /api/docs-json, built without PostgreSQL, Redis
 * or any configuration: Nest's preview mode builds the module graph (controllers, routes, DTO
 * metadata) without creating a single provider, so nothing connects, reads the environment or
 * starts a worker.
 */
export async function offlineOpenApiDocument(): Promise<OpenAPIObject> {
  const app = await NestFactory.create(AppModule, {
    preview: true,
    logger: false,
    abortOnError: false,
  });
  try {
    app.setGlobalPrefix(API_PREFIX, API_PREFIX_OPTIONS);
    return createOpenApiDocument(app, HTTP_FEATURES.amendOpenApi);
  } finally {
    await app.close();
  }
}
