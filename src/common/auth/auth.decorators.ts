import { createParamDecorator, ExecutionContext, SetMetadata } from '@nestjs/common';
import type { Request } from 'express';
import { unauthenticated } from '../errors/app-error.js';
import type { Permission, Principal } from './principal.js';

export const IS_PUBLIC = 'auth:public';
export const REQUIRED_PERMISSION = 'auth:permission';
export const JWT_ONLY = 'auth:jwt-only';
export const ADMIN_ONLY = 'auth:admin-only';

/** No authentication at all (webhooks from gateways, health, the OAuth dance). */
export const Public = (): MethodDecorator & ClassDecorator => SetMetadata(IS_PUBLIC, true);

/** API keys must carry this permission; a JWT always may. Routes without it refuse API keys. */
export const RequirePermission = (permission: Permission): MethodDecorator & ClassDecorator =>
  SetMetadata(REQUIRED_PERMISSION, permission);

/** Only a signed-in person (JWT), never an API key: managing keys, for example. */
export const JwtOnly = (): MethodDecorator & ClassDecorator => SetMetadata(JWT_ONLY, true);

/** JWT of a person whose email is in ADMIN_EMAILS. */
export const AdminOnly = (): MethodDecorator & ClassDecorator => SetMetadata(ADMIN_ONLY, true);

export type AuthenticatedRequest = Request & { principal?: Principal };

export const CurrentPrincipal = createParamDecorator(
  (_: unknown, context: ExecutionContext): Principal => {
    const request = context.switchToHttp().getRequest<AuthenticatedRequest>();
    if (!request.principal) throw unauthenticated();
    return request.principal;
  },
);
