import type { IncomingMessage } from 'node:http';
import {
  type CallHandler,
  type CanActivate,
  ForbiddenException,
  type INestApplication,
  type NestInterceptor,
  type PipeTransform,
  type Type,
} from '@nestjs/common';
import { HTTP_CODE_METADATA } from '@nestjs/common/constants.js';
import { ExecutionContextHost } from '@nestjs/core/helpers/execution-context-host.js';
import { defer, isObservable, lastValueFrom, mergeAll } from 'rxjs';
import type { AuthenticatedRequest } from '../common/auth/auth.decorators.js';
import type { Principal } from '../common/auth/principal.js';
import { unauthenticated } from '../common/errors/app-error.js';
import { claimOf, type IdempotencyClaim } from './idempotency/idempotency-claim.js';
import type { LeanRoute } from './lean-routes.js';

/**
 * What Nest runs around every route, in its order: the global guards, the global interceptors
 * and the global pipe. The composition root builds it from the same lists it registers with Nest
 * (app.module.ts), so a lean route and its controller run the same checks.
 */
export interface NestPipeline {
  guards: CanActivate[];
  interceptors: NestInterceptor[];
  pipe: PipeTransform;
}

/** The request as the pipeline sees it: the Express properties its pieces read, set by hand. */
export type LeanNestRequest = IncomingMessage & { body: unknown; path: string; ip: string };

export interface LeanControllerRouteOptions<C> {
  /**
   * The route's path, without parameters: what the whole URL must be (a request with a query
   * string goes to Express), the HTTP metrics' route label and Express's `req.path`.
   */
  route: string;
  controller: Type<C>;
  /** The controller method's name: its metadata (@Idempotent, permissions) is read as Nest reads it. */
  method: keyof C & string;
  /** The @Body() parameter's class, validated and transformed by the pipe as Nest does. */
  body: Type<object>;
  /**
   * Calls the controller method with the validated body and what its parameter decorators would
   * give it: `@CurrentPrincipal()` and `@CurrentIdempotencyClaim()`.
   */
  call: (
    controller: C,
    body: object,
    from: { principal: Principal; idempotency: IdempotencyClaim | null },
  ) => Promise<unknown>;
}

/**
 * A controller route served ahead of Express (lean-routes.ts) through the same guards,
 * interceptors, pipe and controller method Nest would run, with Nest's order and semantics: the
 * guards in turn (one answering false is Nest's 403 "Forbidden resource"), the interceptors each
 * wrapping the next, the pipe and the method running only when the innermost one subscribes (an
 * interceptor that answers by itself, as an Idempotency-Key replay does, runs nothing), errors
 * answered as HttpExceptionFilter answers them. What is saved is Express's routing and body
 * parsing and Nest's per-request context: on POST /wallet/withdrawals about 13 % more requests
 * per second on the same machine (bench/README.md, 2026-12-07). Requests the lean dispatcher
 * does not take (a query string, another content type, a chunked body) reach the controller
 * through Express, so both paths stay in use; test/e2e/lean-controller-route.e2e-spec.ts compares
 * their answers.
 */
export function leanControllerRoute<C>(
  app: INestApplication,
  pipeline: NestPipeline,
  options: LeanControllerRouteOptions<C>,
): LeanRoute {
  const controller = app.get(options.controller, { strict: false });
  const handler = (options.controller.prototype as Record<string, unknown>)[options.method];
  if (typeof handler !== 'function')
    throw new Error(`${options.controller.name} has no method ${options.method}`);
  // The method's @HttpCode, as Nest reads it.
  const status: unknown = Reflect.getMetadata(HTTP_CODE_METADATA, handler);
  if (typeof status !== 'number')
    throw new Error(`${options.controller.name}.${options.method} has no @HttpCode`);
  return {
    path: new RegExp(`^${escapeRegExp(options.route)}$`),
    route: options.route,
    status,
    handle: async ({ json, ip }, response, raw) => {
      const request = raw as LeanNestRequest;
      request.body = json;
      request.path = options.route;
      request.ip = ip;
      // Nest sets the route's status before the interceptors run (they may read it).
      response.statusCode = status;
      const context = new ExecutionContextHost(
        [request, response, undefined],
        options.controller,
        handler,
      );
      context.setType('http');
      for (const guard of pipeline.guards) {
        const allowed = guard.canActivate(context);
        const resolved = isObservable(allowed) ? await lastValueFrom(allowed) : await allowed;
        if (!resolved) throw new ForbiddenException('Forbidden resource');
      }
      const innermost: CallHandler = {
        handle: () =>
          defer(async () => {
            const body = (await pipeline.pipe.transform(json, {
              type: 'body',
              metatype: options.body,
              data: undefined,
            })) as object;
            // As @CurrentPrincipal() does, should a route ever run without the auth guard.
            const principal = (request as LeanNestRequest & AuthenticatedRequest).principal;
            if (!principal) throw unauthenticated();
            return options.call(controller, body, { principal, idempotency: claimOf(request) });
          }),
      };
      const chain = pipeline.interceptors.reduceRight<CallHandler>(
        (next, interceptor) => ({
          // intercept may answer an Observable or a promise of one.
          handle: () => defer(async () => interceptor.intercept(context, next)).pipe(mergeAll()),
        }),
        innermost,
      );
      return lastValueFrom(chain.handle());
    },
  };
}

/** `text` matched literally inside a regular expression. */
const escapeRegExp = (text: string): string => text.replace(/[.*+?^$()|[\]\\{}]/g, '\\$&');
