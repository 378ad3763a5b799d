import { CanActivate, ExecutionContext, HttpStatus, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { Response } from 'express';
import {
  ADMIN_ONLY,
  AuthenticatedRequest,
  IS_PUBLIC,
  JWT_ONLY,
  PUBLISHABLE_KEY_ALLOWED,
  REQUIRED_PERMISSION,
} from '../../common/auth/auth.decorators.js';
import { PERMISSIONS, Permission, Principal } from '../../common/auth/principal.js';
import { AppError, permissionDenied, unauthenticated } from '../../common/errors/app-error.js';
import { clientIp } from '../../common/rate-limit/client-ip.js';
import { RateLimits } from '../../common/rate-limit/rate-limits.js';
import { AppConfig } from '../../config/app-config.js';
import { ApiKeysService } from './api-keys/api-keys.service.js';
import { TokensService } from './jwt/tokens.service.js';
import { PublishableKeysService } from './publishable-keys/publishable-keys.service.js';

const BEARER = /^Bearer\s+(\S+)\s*$/i;

/**
 * The one global guard: every route needs `Authorization: Bearer <jwt>` or `x-api-key` unless it
 * is `@Public()`. A JWT may do anything its user may; an API key only what its permissions allow,
 * and only on routes that name a permission. Admin routes need a JWT of an ADMIN_EMAILS person.
 * A failed authentication (no, bad, expired or revoked credentials) counts against the client
 * address's limit of unverified requests, so guessing keys or tokens ends in 429.
 */
@Injectable()
export class AuthGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly tokens: TokensService,
    private readonly apiKeys: ApiKeysService,
    private readonly publishableKeys: PublishableKeysService,
    private readonly config: AppConfig,
    private readonly limits: RateLimits,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    if (context.getType() !== 'http') return true;
    const targets = [context.getHandler(), context.getClass()];
    if (this.reflector.getAllAndOverride<boolean>(IS_PUBLIC, targets)) return true;

    const request = context.switchToHttp().getRequest<AuthenticatedRequest>();
    let principal: Principal;
    try {
      principal = await this.authenticate(request);
    } catch (error) {
      if (error instanceof AppError && error.status === HttpStatus.UNAUTHORIZED)
        await this.limits.countUnverified(
          clientIp(request),
          context.switchToHttp().getResponse<Response>(),
        );
      throw error;
    }
    request.principal = principal;
    if (
      principal.via === 'publishable_key' &&
      !this.reflector.getAllAndOverride<boolean>(PUBLISHABLE_KEY_ALLOWED, targets)
    ) {
      throw unauthenticated('A publishable key can only create and read checkout sessions');
    }

    const adminOnly = this.reflector.getAllAndOverride<boolean>(ADMIN_ONLY, targets) ?? false;
    const jwtOnly = this.reflector.getAllAndOverride<boolean>(JWT_ONLY, targets) ?? false;
    const permission = this.reflector.getAllAndOverride<Permission | undefined>(
      REQUIRED_PERMISSION,
      targets,
    );

    if (adminOnly && !principal.isAdmin) throw permissionDenied('This route is for administrators');
    if (principal.via === 'api_key') {
      if (jwtOnly || adminOnly || permission === undefined) {
        throw permissionDenied('API keys cannot use this route; sign in with a JWT');
      }
      if (!principal.permissions.includes(permission)) {
        throw permissionDenied(`This API key lacks the "${permission}" permission`);
      }
    }
    return true;
  }

  private async authenticate(request: AuthenticatedRequest): Promise<Principal> {
    const authorization = request.headers.authorization;
    if (typeof authorization === 'string' && authorization.length > 0) {
      const match = BEARER.exec(authorization);
      if (!match) throw unauthenticated('Authorization header must be "Bearer <token>"');
      return this.fromJwt(match[1]);
    }
    const apiKey = request.headers['x-api-key'];
    if (typeof apiKey === 'string' && apiKey.startsWith('pk_'))
      return this.fromPublishableKey(apiKey);
    if (typeof apiKey === 'string' && apiKey.length > 0) return this.fromApiKey(apiKey);
    throw unauthenticated(
      'Send a bearer token (Authorization: Bearer …) or an API key (x-api-key)',
    );
  }

  private async fromJwt(token: string): Promise<Principal> {
    const claims = await this.tokens.verifyAccessToken(token);
    if (!(await this.tokens.isFamilyActive(claims.fam, claims.sub))) {
      throw unauthenticated('Session has been revoked; sign in again');
    }
    return {
      userId: claims.sub,
      email: claims.email,
      via: 'jwt',
      permissions: PERMISSIONS,
      familyId: claims.fam,
      isAdmin: this.config.adminEmails.includes(claims.email.toLowerCase()),
    };
  }

  private async fromPublishableKey(key: string): Promise<Principal> {
    const owner = await this.publishableKeys.authenticate(key);
    return {
      userId: owner.userId,
      email: owner.email,
      via: 'publishable_key',
      permissions: [],
      isAdmin: false,
    };
  }

  private async fromApiKey(plain: string): Promise<Principal> {
    const key = await this.apiKeys.authenticate(plain);
    return {
      userId: key.userId,
      email: key.email,
      via: 'api_key',
      permissions: key.permissions,
      apiKeyId: key.id,
      isAdmin: false,
    };
  }
}
