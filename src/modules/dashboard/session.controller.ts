import {
  Body,
  Controller,
  Get,
  Header,
  HttpCode,
  Post,
  Redirect,
  Req,
  Res,
  UseFilters,
  UseGuards,
} from '@nestjs/common';
import {
  ApiFoundResponse,
  ApiHeader,
  ApiNoContentResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
} from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { Public } from '../../common/auth/auth.decorators.js';
import { ApiErrors } from '../../common/errors/api-errors.decorator.js';
import { AppError, unauthenticated } from '../../common/errors/app-error.js';
import { AppConfig } from '../../config/app-config.js';
import type { GoogleRequest } from '../auth/google/google-auth.guards.js';
import { type IssuedSession, TokensService } from '../auth/jwt/tokens.service.js';
import type { User } from '../users/user.entity.js';
import { UsersService } from '../users/users.service.js';
import { WalletService } from '../wallet/wallet.service.js';
import {
  assertSameOriginRequest,
  clearSessionCookie,
  sessionCookieOf,
  setSessionCookie,
} from './session-cookie.js';
import {
  GoogleSignInRedirectFilter,
  SessionGoogleCallbackGuard,
  SessionGoogleConsentGuard,
} from './session-google.js';
import { LinkSignInDto, SessionResponseDto } from './session.dto.js';
import { SignInLinksService } from './sign-in-links.service.js';
import {
  OAUTH_BROWSER_COOKIE,
  OAUTH_BROWSER_COOKIE_PATH,
} from '../auth/google/oauth-state.store.js';

const CSRF_DOC = ApiHeader({
  name: 'X-CSRF-Token',
  required: true,
  description: 'Always `1`: the CSRF defence of cookie-authenticated requests',
  schema: { type: 'string', enum: ['1'] },
});
const CSRF_ERROR = {
  403: 'X-CSRF-Token header missing, or an Origin of another site (CSRF_CHECK_FAILED)',
};

/**
 * The dashboard's cookie session (SPEC §18): the refresh token lives in an HttpOnly, Secure,
 * SameSite=Strict cookie scoped to these routes; the access token is answered as JSON and kept
 * in the page's memory only. Refresh tokens are the API's own (TokensService): they rotate, and
 * presenting a used one revokes the whole session.
 */
@ApiTags('dashboard session')
@Controller('auth/session')
export class SessionController {
  constructor(
    private readonly tokens: TokensService,
    private readonly users: UsersService,
    private readonly wallets: WalletService,
    private readonly links: SignInLinksService,
    private readonly config: AppConfig,
  ) {}

  @Public()
  @Post('refresh')
  @HttpCode(200)
  @CSRF_DOC
  @ApiOperation({
    summary: 'Rotate the cookie session: a new access token (JSON) and refresh cookie',
    description:
      'Reads the refresh token from the session cookie. Each works once; presenting a used one revokes the ' +
      'session (401) and clears the cookie. No cookie at all answers 204 with no body (signed out, without ' +
      'an error status a browser would log).',
  })
  @ApiOkResponse({ type: SessionResponseDto })
  @ApiNoContentResponse({ description: 'No session cookie: signed out' })
  @ApiErrors({
    401: 'Unknown, expired, already used or revoked refresh token (UNAUTHENTICATED)',
    ...CSRF_ERROR,
  })
  @Header('Cache-Control', 'no-store')
  async refresh(
    @Req() request: Request,
    @Res({ passthrough: true }) response: Response,
  ): Promise<SessionResponseDto | undefined> {
    assertSameOriginRequest(request, this.config.appUrl);
    const refreshToken = sessionCookieOf(request);
    if (refreshToken === undefined) {
      response.status(204);
      return undefined;
    }
    let session: IssuedSession;
    try {
      session = await this.tokens.refresh(refreshToken);
    } catch (error) {
      if (error instanceof AppError && error.status === 401) clearSessionCookie(response);
      throw error;
    }
    return this.answer(session, response);
  }

  @Public()
  @Post('link')
  @HttpCode(200)
  @CSRF_DOC
  @ApiOperation({
    summary: 'Sign in with a one-time link from `npm run cli -- dashboard:link`',
    description:
      'Single use, valid for 10 minutes. Starts a session: the refresh token is set as the session cookie.',
  })
  @ApiOkResponse({ type: SessionResponseDto })
  @ApiErrors({
    400: 'No well-formed token (VALIDATION_FAILED)',
    401: 'Unknown, expired or already used link (UNAUTHENTICATED)',
    ...CSRF_ERROR,
  })
  @Header('Cache-Control', 'no-store')
  async link(
    @Req() request: Request,
    @Body() body: LinkSignInDto,
    @Res({ passthrough: true }) response: Response,
  ): Promise<SessionResponseDto> {
    assertSameOriginRequest(request, this.config.appUrl);
    const userId = await this.links.consume(body.token);
    const user = userId === null ? null : await this.users.findById(userId);
    if (!user) {
      throw unauthenticated('This sign-in link is not valid: it was used, expired or never issued');
    }
    return this.answer(await this.tokens.issueSession(user), response);
  }

  @Public()
  @Post('logout')
  @HttpCode(204)
  @CSRF_DOC
  @ApiOperation({
    summary: 'Sign out: revokes the cookie’s session (refresh and access tokens) and clears it',
  })
  @ApiNoContentResponse({ description: 'Signed out (also when there was no session)' })
  @ApiErrors(CSRF_ERROR)
  async logout(
    @Req() request: Request,
    @Res({ passthrough: true }) response: Response,
  ): Promise<void> {
    assertSameOriginRequest(request, this.config.appUrl);
    const refreshToken = sessionCookieOf(request);
    if (refreshToken !== undefined) await this.tokens.revokeByRefreshToken(refreshToken);
    clearSessionCookie(response);
  }

  @Public()
  @Get('google')
  @UseFilters(GoogleSignInRedirectFilter)
  @UseGuards(SessionGoogleConsentGuard)
  @Redirect()
  @ApiOperation({
    summary: 'Dashboard sign-in with Google: redirects (302) to Google’s consent screen',
    description:
      'Google comes back to GET /auth/session/google/callback, which sets the session cookie and redirects to ' +
      '/dashboard/. Errors redirect to /dashboard/sign-in?error=<code>.',
  })
  @ApiFoundResponse({ description: 'Location is Google’s consent screen' })
  startGoogle(@Req() request: GoogleRequest): { url: string; statusCode: number } {
    if (!request.googleConsentUrl) throw new Error('GoogleConsentGuard left no consent URL');
    return { url: request.googleConsentUrl, statusCode: 302 };
  }

  @Public()
  @Get('google/callback')
  @UseFilters(GoogleSignInRedirectFilter)
  @UseGuards(SessionGoogleCallbackGuard)
  @ApiOperation({
    summary:
      'Finish dashboard sign-in with Google: sets the session cookie, redirects to /dashboard/',
    description:
      'The same checks as GET /auth/google/callback (one-time state, PKCE, verified email). Any refusal ' +
      'redirects to /dashboard/sign-in?error=<code> (e.g. unauthenticated, email_in_use, google_unavailable).',
  })
  @ApiFoundResponse({ description: 'Location is /dashboard/ (signed in) or the sign-in page' })
  async googleCallback(@Req() request: GoogleRequest, @Res() response: Response): Promise<void> {
    if (!request.user) throw new Error('GoogleCallbackGuard left no identity');
    const user = await this.users.findOrCreateByGoogle(request.user);
    const session = await this.tokens.issueSession(user);
    setSessionCookie(response, session.refreshToken, this.config.jwtRefreshTtlMs);
    response.clearCookie(OAUTH_BROWSER_COOKIE, {
      httpOnly: true,
      secure: true,
      sameSite: 'lax',
      path: OAUTH_BROWSER_COOKIE_PATH,
    });
    response.setHeader('Cache-Control', 'no-store');
    response.redirect(302, '/dashboard/');
  }

  private async answer(session: IssuedSession, response: Response): Promise<SessionResponseDto> {
    setSessionCookie(response, session.refreshToken, this.config.jwtRefreshTtlMs);
    return {
      access_token: session.accessToken,
      token_type: 'Bearer',
      expires_in: session.expiresIn,
      user: await this.userDto(session.user),
    };
  }

  private async userDto(user: User): Promise<SessionResponseDto['user']> {
    return {
      id: user.id,
      email: user.email,
      name: user.name,
      wallet_number: await this.wallets.walletNumberOf(user.id),
      is_admin: this.config.adminEmails.includes(user.email.toLowerCase()),
    };
  }
}
