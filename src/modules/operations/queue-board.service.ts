import { createBullBoard } from '@bull-board/api';
import { BullMQAdapter } from '@bull-board/api/bullMQAdapter';
import { ExpressAdapter } from '@bull-board/express';
import { Injectable } from '@nestjs/common';
import { ModuleRef } from '@nestjs/core';
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import { AppConfig } from '../../config/app-config.js';
import { permissionDenied, unauthenticated } from '../../common/errors/app-error.js';
import { errorResponse } from '../../common/errors/http-exception.filter.js';
import { cookieValue } from '../../common/request/cookies.js';
import { requestIdOf } from '../../common/request/request-id.js';
import { registeredQueues } from '../../queue/registered-queues.js';
import { TokensService } from '../auth/jwt/tokens.service.js';

export const QUEUE_BOARD_PATH = '/api/v1/admin/queues';
export const QUEUE_BOARD_COOKIE = 'queue_board_token';

/** The board's cookie, percent-decoded as Express wrote it; undefined when it does not decode. */
function boardCookie(header: string | undefined): string | undefined {
  const raw = cookieValue(header, QUEUE_BOARD_COOKIE);
  if (raw === undefined) return undefined;
  try {
    return decodeURIComponent(raw);
  } catch {
    return undefined; // not percent-encoding this service wrote: no token (401), not a 500
  }
}

/**
 * Bull Board for admins at /api/v1/admin/queues. A browser cannot send a bearer header when it
 * navigates, so an admin first calls POST /admin/queues-session with their JWT, which sets an
 * HttpOnly, SameSite=Strict cookie scoped to the board's path; the board accepts either.
 */
@Injectable()
export class QueueBoardService {
  constructor(
    private readonly tokens: TokensService,
    private readonly config: AppConfig,
    private readonly moduleRef: ModuleRef,
  ) {}

  /** Express handlers to mount at QUEUE_BOARD_PATH: the admin check, then the board. */
  handlers(): RequestHandler[] {
    const adapter = new ExpressAdapter();
    adapter.setBasePath(QUEUE_BOARD_PATH);
    createBullBoard({
      // Resolved here, once the application is initialised and every queue exists.
      queues: registeredQueues(this.moduleRef).map((queue) => new BullMQAdapter(queue)),
      serverAdapter: adapter,
      options: { uiConfig: { boardTitle: 'Payments queues' } },
    });
    // Mounted on Express directly (outside Nest's routing), so errors are rendered here.
    const guard: RequestHandler = (req: Request, res: Response, next: NextFunction) => {
      this.assertAdmin(req).then(
        () => next(),
        (error: unknown) => {
          const answer = errorResponse(error, requestIdOf(req));
          res.set(answer.headers).status(answer.status).json(answer.body);
        },
      );
    };
    return [guard, adapter.getRouter() as RequestHandler];
  }

  /** The same rule as @AdminOnly: a live JWT whose email is in ADMIN_EMAILS. */
  async assertAdmin(req: Request): Promise<void> {
    const bearer = /^Bearer\s+(\S+)$/i.exec(req.headers.authorization ?? '')?.[1];
    const token = bearer ?? boardCookie(req.headers.cookie);
    if (!token)
      throw unauthenticated(
        'Sign in as an admin: POST /api/v1/admin/queues-session with your JWT first',
      );
    const claims = await this.tokens.verifyAccessToken(token);
    if (!(await this.tokens.isFamilyActive(claims.fam, claims.sub)))
      throw unauthenticated('Session has been revoked');
    if (!this.config.adminEmails.includes(claims.email.toLowerCase())) {
      throw permissionDenied('This route is for administrators');
    }
  }
}
