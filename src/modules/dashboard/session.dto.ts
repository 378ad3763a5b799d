import { ApiProperty } from '@nestjs/swagger';
import { IsString, Length, Matches } from 'class-validator';
import { AuthUserDto } from '../auth/auth.dto.js';

export class SessionUserDto extends AuthUserDto {
  @ApiProperty({
    description: 'Whether the person may open the admin pages (their email is in ADMIN_EMAILS)',
    example: false,
  })
  is_admin: boolean;
}

/** What the dashboard holds in memory: an access token, never the refresh token (a cookie). */
export class SessionResponseDto {
  @ApiProperty({
    description: 'JWT for `Authorization: Bearer …`, kept in memory only',
    example: 'eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOi…',
  })
  access_token: string;

  @ApiProperty({ description: 'Always Bearer', example: 'Bearer', enum: ['Bearer'] })
  token_type: 'Bearer';

  @ApiProperty({ description: 'Access-token lifetime in seconds', example: 900 })
  expires_in: number;

  @ApiProperty({ type: SessionUserDto })
  user: SessionUserDto;
}

export class LinkSignInDto {
  @ApiProperty({
    description:
      'The token of a one-time link from `npm run cli -- dashboard:link` (after #token=)',
    example: 'q2V8m3Zr0bNc7yTf1uWk9pLx4sHd6jGa5eRi2oQt8vY',
  })
  @IsString()
  @Length(43, 43)
  @Matches(/^[A-Za-z0-9_-]+$/, { message: 'token must be a base64url string' })
  token: string;
}
