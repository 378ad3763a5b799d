import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsInt, IsString, Max, MaxLength, Min } from 'class-validator';
import { IsOmittable } from '../validation/omittable.js';

export const DEFAULT_PAGE_SIZE = 20;
export const MAX_PAGE_SIZE = 100;

const LIMIT_MESSAGE = `limit must be a whole number from 1 to ${MAX_PAGE_SIZE}`;

/**
 * `limit` and `cursor` of every cursor-paginated list (SPEC §1); list queries extend it with
 * their filters. `limit` is digits only (`limit=5`, never `5.0` or `+5`).
 */
export class PageQueryDto {
  @ApiPropertyOptional({
    description: `Page size, 1 to ${MAX_PAGE_SIZE}`,
    example: DEFAULT_PAGE_SIZE,
    default: DEFAULT_PAGE_SIZE,
    type: 'integer',
    minimum: 1,
    maximum: MAX_PAGE_SIZE,
  })
  @IsOmittable()
  @Transform(({ value }: { value: unknown }) =>
    typeof value === 'string' && /^\d{1,3}$/.test(value) ? Number(value) : value,
  )
  @IsInt({ message: LIMIT_MESSAGE })
  @Min(1, { message: LIMIT_MESSAGE })
  @Max(MAX_PAGE_SIZE, { message: LIMIT_MESSAGE })
  limit?: number;

  @ApiPropertyOptional({
    description: 'The next_cursor of the previous page',
    example: 'WyIzZjFjMmI3ZS01ZDRhLTRlOGItOWMxZC0yYTNiNGM1ZDZlN2YiXQ',
  })
  @IsOmittable()
  @IsString()
  @MaxLength(200)
  cursor?: string;
}

/** The page size a list query asked for, or the default. */
export const pageSize = (query: PageQueryDto): number => query.limit ?? DEFAULT_PAGE_SIZE;

/** What every cursor-paginated list answers beside its items. */
export class PageResponseDto {
  @ApiProperty({
    description: 'Pass as `cursor` for the next page; null at the end',
    example: null,
    nullable: true,
    type: String,
  })
  next_cursor: string | null;
}
