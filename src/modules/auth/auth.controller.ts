import {
  Body,
  Controller,
  Get,
  Header,
  HttpCode,
  Post,
  Redirect,
  Req,
  UseGuards,
} from '@nestjs/common';
import {
  ApiFoundResponse,
  ApiNoContentResponse,
  ApiOkResponse,
  ApiOperation,
  ApiQuery,
  ApiTags,
} from '@nestjs/swagger';
import { CurrentPrincipal, JwtOnly, Public } from '../../common/auth/auth.decorators.js';
import type { Principal } from '../../common/auth/principal.js';
import { notFound } from '../../common/errors/app-error.js';
import type { User } from '../users/user.entity.js';
import { UsersService } from '../users/users.service.js';
import { WalletService } from '../wallet/wallet.service.js';
import { ApiErrors } from '../../common/errors/api-errors.decorator.js';
import {
  AuthorizationUrlDto,
  AuthUserDto,
  MeDto,
  RefreshDto,
  SignInResponseDto,
  TokenPairDto,
} from './auth.dto.js';
import {
  GoogleCallbackGuard,
  GoogleConsentGuard,
  type GoogleRequest,
} from './google/google-auth.guards.js';
import { IssuedSession, TokensService } from './jwt/tokens.service.js';

const GOOGLE_ERRORS = { 503: 'Google sign-in is not configured (GOOGLE_NOT_CONFIGURED)' };

function consentUrlOf(request: GoogleRequest): string {
  if (!request.googleConsentUrl) throw new Error('GoogleConsentGuard left no consent URL');
  return request.googleConsentUrl;
}

@ApiTags('auth')
@Controller('auth')
export class AuthController {
  constructor(
    private readonly tokens: TokensService,
    private readonly users: UsersService,
    private readonly wallets: WalletService,
  ) {}

  @Public()
  @Get('google')
  @UseGuards(GoogleConsentGuard)
  @Redirect()
  @ApiOperation({ summary: 'Start Google sign-in: redirects (302) to Google’s consent screen' })
  @ApiFoundResponse({ description: 'Location is Google’s consent screen' })
  @ApiErrors(GOOGLE_ERRORS)
  startGoogle(@Req() request: GoogleRequest): { url: string; statusCode: number } {
    return { url: consentUrlOf(request), statusCode: 302 };
  }

  @Public()
  @Get('google/url')
  @ApiOperation({
    summary: 'Google consent screen URL, for single-page apps that navigate themselves',
  })
  @UseGuards(GoogleConsentGuard)
  @ApiOkResponse({ type: AuthorizationUrlDto })
  @ApiErrors(GOOGLE_ERRORS)
  googleUrl(@Req() request: GoogleRequest): AuthorizationUrlDto {
    return { authorization_url: consentUrlOf(request) };
  }

  @Public()
  @Get('google/callback')
  @ApiOperation({
    summary: 'Finish Google sign-in',
    description:
      'Google sends the person here. Checks the one-time `state`, exchanges the code (with PKCE), requires a ' +
      'verified email, creates the user and wallet on first sign-in, and returns a token pair.',
  })
  @ApiQuery({ name: 'code', description: 'Authorization code from Google', example: '4/0AeaYSHB…' })
  @ApiQuery({
    name: 'state',
    description: 'The state this API put in the authorization URL',
    example: 'b1Xw…',
  })
  @ApiQuery({
    name: 'error',
    required: false,
    description: 'Set by Google when the person declined',
    example: 'access_denied',
  })
  @ApiOkResponse({ type: SignInResponseDto })
  @ApiErrors({
    401: 'State missing, unknown, expired or used; code refused; sign-in declined; email not verified (UNAUTHENTICATED)',
    409: 'The email belongs to an account linked to another Google identity (EMAIL_IN_USE)',
    503: 'Google unreachable (GOOGLE_UNAVAILABLE) or not configured (GOOGLE_NOT_CONFIGURED)',
  })
  @Header('Cache-Control', 'no-store')
  @UseGuards(GoogleCallbackGuard)
  async googleCallback(@Req() request: GoogleRequest): Promise<SignInResponseDto> {
    if (!request.user) throw new Error('GoogleCallbackGuard left no identity');
    const user = await this.users.findOrCreateByGoogle(request.user);
    const session = await this.tokens.issueSession(user);
    return Object.assign(this.tokenPair(session), { user: await this.userDto(user) });
  }

  @Public()
  @Post('refresh')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Rotate the token pair',
    description:
      'Exchanges a refresh token for a new access and refresh token. Each refresh token works once: presenting ' +
      'one again revokes the whole session (every token of its family), and the answer is 401.',
  })
  @ApiOkResponse({ type: TokenPairDto })
  @ApiErrors({
    400: 'No refresh_token (VALIDATION_FAILED)',
    401: 'Unknown, expired, already used or revoked refresh token (UNAUTHENTICATED)',
  })
  @Header('Cache-Control', 'no-store')
  async refresh(@Body() body: RefreshDto): Promise<TokenPairDto> {
    return this.tokenPair(await this.tokens.refresh(body.refresh_token));
  }

  @JwtOnly()
  @Post('logout')
  @HttpCode(204)
  @ApiOperation({ summary: 'Sign out: revokes this session’s refresh tokens and access tokens' })
  @ApiNoContentResponse({ description: 'Session revoked' })
  async logout(@CurrentPrincipal() principal: Principal): Promise<void> {
    if (principal.familyId) await this.tokens.revokeFamily(principal.familyId, 'logout');
  }

  @JwtOnly()
  @Get('me')
  @ApiOperation({ summary: 'The signed-in user' })
  @ApiOkResponse({ type: MeDto })
  @ApiErrors({ 404: 'The user no longer exists (NOT_FOUND)' })
  async me(@CurrentPrincipal() principal: Principal): Promise<MeDto> {
    const user = await this.users.findById(principal.userId);
    if (!user) throw notFound('User');
    return Object.assign(await this.userDto(user), { created_at: user.createdAt.toISOString() });
  }

  private tokenPair(session: IssuedSession): TokenPairDto {
    return {
      access_token: session.accessToken,
      refresh_token: session.refreshToken,
      token_type: 'Bearer',
      expires_in: session.expiresIn,
    };
  }

  private async userDto(user: User): Promise<AuthUserDto> {
    return {
      id: user.id,
      email: user.email,
      name: user.name,
      wallet_number: await this.wallets.walletNumberOf(user.id),
    };
  }
}
