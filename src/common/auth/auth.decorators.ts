import {
  applyDecorators,
  createParamDecorator,
  ExecutionContext,
  SetMetadata,
} from '@nestjs/common';
import { ApiBearerAuth, ApiSecurity } from '@nestjs/swagger';
import type { Request } from 'express';
import {
  ADMIN_ERRORS,
  ApiErrors,
  AUTH_ERRORS,
  JWT_ONLY_ERRORS,
} from '../errors/api-errors.decorator.js';
import { unauthenticated } from '../errors/app-error.js';
import type { Permission, Principal } from './principal.js';

/** The OpenAPI security schemes of the two credentials (http/swagger.ts declares them). */
export const API_KEY_SCHEME = 'api-key';
export const BEARER_SCHEME = 'bearer';

export const IS_PUBLIC = 'auth:public';
export const REQUIRED_PERMISSION = 'auth:permission';
export const JWT_ONLY = 'auth:jwt-only';
export const ADMIN_ONLY = 'auth:admin-only';
export const PUBLISHABLE_KEY_ALLOWED = 'auth:publishable-key';

/** No authentication at all (webhooks from gateways, health, the OAuth dance). */
export const Public = (): MethodDecorator & ClassDecorator => SetMetadata(IS_PUBLIC, true);

/*
 * Each rule below is also the route's documentation: its credentials and the 401/403 the auth
 * guard answers with appear in the OpenAPI document from the same decorator, so they cannot drift.
 */

/** API keys must carry this permission; a JWT always may. Routes without it refuse API keys. */
export const RequirePermission = (permission: Permission): MethodDecorator & ClassDecorator =>
  applyDecorators(
    SetMetadata(REQUIRED_PERMISSION, permission),
    ApiSecurity(API_KEY_SCHEME),
    ApiBearerAuth(BEARER_SCHEME),
    ApiErrors(AUTH_ERRORS),
  );

/** Only a signed-in person (JWT), never an API key: managing keys, for example. */
export const JwtOnly = (): MethodDecorator & ClassDecorator =>
  applyDecorators(
    SetMetadata(JWT_ONLY, true),
    ApiBearerAuth(BEARER_SCHEME),
    ApiErrors(JWT_ONLY_ERRORS),
  );

/**
 * A publishable key (`x-api-key: pk_…`) may call this route as its owner, besides the route's
 * other credentials. On every route without it a publishable key is 401 (SPEC §13).
 */
export const AllowPublishableKey = (): MethodDecorator & ClassDecorator =>
  SetMetadata(PUBLISHABLE_KEY_ALLOWED, true);

/** JWT of a person whose email is in ADMIN_EMAILS. */
export const AdminOnly = (): MethodDecorator & ClassDecorator =>
  applyDecorators(
    SetMetadata(ADMIN_ONLY, true),
    ApiBearerAuth(BEARER_SCHEME),
    ApiErrors(ADMIN_ERRORS),
  );

export type AuthenticatedRequest = Request & { principal?: Principal };

export const CurrentPrincipal = createParamDecorator(
  (_: unknown, context: ExecutionContext): Principal => {
    const request = context.switchToHttp().getRequest<AuthenticatedRequest>();
    if (!request.principal) throw unauthenticated();
    return request.principal;
  },
);
