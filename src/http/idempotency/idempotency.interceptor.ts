import {
  CallHandler,
  ExecutionContext,
  HttpException,
  Injectable,
  Logger,
  NestInterceptor,
} from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { Response } from 'express';
import { from, Observable, of, throwError } from 'rxjs';
import { catchError, mergeMap } from 'rxjs/operators';
import type { AuthenticatedRequest } from '../../common/auth/auth.decorators.js';
import { validationFailed } from '../../common/errors/app-error.js';
import { renderError } from '../../common/errors/http-exception.filter.js';
import { requestIdOf } from '../../common/request/request-id.js';
import { attachClaim } from './idempotency-claim.js';
import { IDEMPOTENT } from './idempotent.decorator.js';
import { IdempotencyService, requestHash } from './idempotency.service.js';
import { ReplayedErrorResponse } from '../../common/errors/replayed-error.js';

export const IDEMPOTENCY_HEADER = 'idempotency-key';
const MAX_KEY_LENGTH = 255;

/**
 * SPEC §10 on routes marked @Idempotent(): the first request with a key runs; its answer (any
 * status below 500, errors included) is stored and replayed for the same key, route and body.
 * The request's claim on the key is handed to the route (`@CurrentIdempotencyClaim()`); a route
 * that changes money has its service complete the claim inside the transaction of the change,
 * and the answer stored here is then the one that committed.
 */
@Injectable()
export class IdempotencyInterceptor implements NestInterceptor {
  private readonly logger = new Logger(IdempotencyInterceptor.name);

  constructor(
    private readonly reflector: Reflector,
    private readonly idempotency: IdempotencyService,
  ) {}

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    if (context.getType() !== 'http') return next.handle();
    if (!this.reflector.get<boolean>(IDEMPOTENT, context.getHandler())) return next.handle();
    const request = context.switchToHttp().getRequest<AuthenticatedRequest>();
    const response = context.switchToHttp().getResponse<Response>();
    const header = request.headers[IDEMPOTENCY_HEADER];
    if (header === undefined || !request.principal) return next.handle();
    const key = Array.isArray(header) ? header[0] : header;
    if (key.length === 0 || key.length > MAX_KEY_LENGTH) {
      return throwError(() =>
        validationFailed([
          { field: 'Idempotency-Key', message: `must be 1 to ${MAX_KEY_LENGTH} characters` },
        ]),
      );
    }
    const userId = request.principal.userId;
    const hash = requestHash(request.method, request.path, request.body);
    // Nest sets the route's success status (@HttpCode, else 201 for POST) on the response
    // before interceptors run.
    const successStatus = response.statusCode;

    return from(
      this.idempotency.begin(userId, key, request.method, request.path, hash, successStatus),
    ).pipe(
      mergeMap((begun) => {
        if (begun.kind === 'replay') {
          response.setHeader('Idempotent-Replayed', 'true');
          if (begun.response.status >= 400) {
            return throwError(
              () => new ReplayedErrorResponse(begun.response.status, begun.response.body),
            );
          }
          return of(begun.response.body);
        }
        const claim = begun.claim;
        attachClaim(request, claim);
        return next.handle().pipe(
          mergeMap((body: unknown) => {
            // Completed inside the service's transaction, which has committed.
            if (claim.completed) return of(body);
            const store = this.idempotency.complete(claim, { status: claim.status, body });
            return from(store).pipe(mergeMap(() => of(body)));
          }),
          catchError((error: unknown) => {
            const rendered = renderError(error);
            // Both only touch the key while this attempt holds it in flight: a change that
            // committed before failing (its reply lost) has completed it and keeps it.
            const settle =
              rendered.status < 500 &&
              (error instanceof HttpException || rendered.code !== 'INTERNAL_ERROR')
                ? this.idempotency.complete(claim, {
                    status: rendered.status,
                    body: {
                      status_code: rendered.status,
                      code: rendered.code,
                      message: rendered.message,
                      details: rendered.details,
                      request_id: requestIdOf(request),
                    },
                  })
                : this.idempotency.release(claim);
            return from(
              settle.catch((storeError: unknown) =>
                this.logger.error({ err: storeError }, 'could not settle an idempotency key'),
              ),
            ).pipe(mergeMap(() => throwError(() => error)));
          }),
        );
      }),
    );
  }
}
