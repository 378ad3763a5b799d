import { ApiProperty } from '@nestjs/swagger';
import { IsString, Length } from 'class-validator';

export class RefreshDto {
  @ApiProperty({
    description: 'The refresh token from sign-in or the previous refresh; usable once',
    example: 'q2V8m3Zr0bNc7yTf1uWk9pLx4sHd6jGa5eRi2oQt8vY',
  })
  @IsString()
  @Length(1, 200)
  refresh_token: string;
}

export class AuthUserDto {
  @ApiProperty({ description: 'User id', example: '0b6f5c8e-2f1d-4e7a-9c3b-8a1d2e4f6a7b' })
  id: string;

  @ApiProperty({ description: 'Email address (lower-case)', example: 'ada@example.com' })
  email: string;

  @ApiProperty({
    description: 'Display name from Google; null for CLI users',
    example: 'Ada Lovelace',
    nullable: true,
    type: String,
  })
  name: string | null;

  @ApiProperty({
    description: 'The 13-digit number of the user’s wallet',
    example: '4012345678903',
    nullable: true,
    type: String,
  })
  wallet_number: string | null;
}

export class MeDto extends AuthUserDto {
  @ApiProperty({
    description: 'When the account was created (ISO-8601 UTC)',
    example: '2026-01-22T12:34:56.000Z',
  })
  created_at: string;
}

export class TokenPairDto {
  @ApiProperty({
    description: 'JWT for `Authorization: Bearer …`',
    example: 'eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOi…',
  })
  access_token: string;

  @ApiProperty({
    description: 'Opaque refresh token; exchange it once at POST /auth/refresh for a new pair',
    example: 'q2V8m3Zr0bNc7yTf1uWk9pLx4sHd6jGa5eRi2oQt8vY',
  })
  refresh_token: string;

  @ApiProperty({ description: 'Always Bearer', example: 'Bearer', enum: ['Bearer'] })
  token_type: 'Bearer';

  @ApiProperty({
    description: 'Seconds until the access token expires (JWT_ACCESS_TTL)',
    example: 900,
  })
  expires_in: number;
}

export class SignInResponseDto extends TokenPairDto {
  @ApiProperty({ type: AuthUserDto, description: 'The signed-in user' })
  user: AuthUserDto;
}

export class AuthorizationUrlDto {
  @ApiProperty({
    description: 'Google consent screen URL (with state and PKCE challenge) to send the person to',
    example: 'https://accounts.google.com/o/oauth2/v2/auth?response_type=code&client_id=…&state=…',
  })
  authorization_url: string;
}
