import { Controller, HttpCode, Post, Req, Res } from '@nestjs/common';
import { ApiNoContentResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { AdminOnly } from '../../common/auth/auth.decorators.js';
import { AppConfig } from '../../config/app-config.js';
import { QUEUE_BOARD_COOKIE, QUEUE_BOARD_PATH } from './queue-board.service.js';

@ApiTags('admin')
@Controller('admin')
export class QueueBoardController {
  constructor(private readonly config: AppConfig) {}

  @Post('queues-session')
  @AdminOnly()
  @HttpCode(204)
  @ApiOperation({
    summary: 'Open the queue dashboard in this browser',
    description:
      'Sets an HttpOnly cookie holding the presented access token, scoped to /api/v1/admin/queues, so the ' +
      'Bull Board dashboard at that path can be opened in the same browser until the token expires.',
  })
  @ApiNoContentResponse({ description: 'Cookie set; open /api/v1/admin/queues' })
  openSession(@Req() req: Request, @Res({ passthrough: true }) res: Response): void {
    const token = /^Bearer\s+(\S+)$/i.exec(req.headers.authorization ?? '')?.[1] ?? '';
    res.cookie(QUEUE_BOARD_COOKIE, token, {
      httpOnly: true,
      sameSite: 'strict',
      secure: this.config.appUrl.startsWith('https://'),
      path: QUEUE_BOARD_PATH,
      maxAge: this.config.jwtAccessTtlMs,
    });
  }
}
