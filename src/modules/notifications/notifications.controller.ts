import { Body, Controller, Get, HttpCode, Param, Patch, Post, Query } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiParam, ApiTags } from '@nestjs/swagger';
import { CurrentPrincipal, JwtOnly } from '../../common/auth/auth.decorators.js';
import type { Principal } from '../../common/auth/principal.js';
import { ApiErrors } from '../../common/errors/api-errors.decorator.js';
import { pageSize } from '../../common/pagination/page.dto.js';
import {
  ListNotificationsQueryDto,
  NotificationDto,
  NotificationListDto,
  NotificationPreferencesDto,
  ReadAllResultDto,
  UpdateNotificationPreferencesDto,
} from './dto/notification.dto.js';
import { NotificationsService } from './notifications.service.js';

/** Notifications tell people: a signed-in person (JWT) reads their own, never an API key. */
@ApiTags('notifications')
@JwtOnly()
@Controller('notifications')
export class NotificationsController {
  constructor(private readonly notifications: NotificationsService) {}

  @Get()
  @ApiOperation({
    summary: 'Your notifications, newest first',
    description:
      'One per receipt or alert (SPEC §16), with the state of its email. `unread=true` lists only those not read yet.',
  })
  @ApiOkResponse({ type: NotificationListDto })
  @ApiErrors({ 400: 'Bad unread, limit or cursor (VALIDATION_FAILED)' })
  async list(
    @CurrentPrincipal() principal: Principal,
    @Query() query: ListNotificationsQueryDto,
  ): Promise<NotificationListDto> {
    const page = await this.notifications.list(principal.userId, {
      unread: query.unread === 'true',
      limit: pageSize(query),
      cursor: query.cursor,
    });
    return { notifications: page.notifications, next_cursor: page.nextCursor };
  }

  @Post('read-all')
  @HttpCode(200)
  @ApiOperation({ summary: 'Mark every notification of yours read' })
  @ApiOkResponse({ type: ReadAllResultDto })
  async readAll(@CurrentPrincipal() principal: Principal): Promise<ReadAllResultDto> {
    return { marked_read: await this.notifications.markAllRead(principal.userId) };
  }

  @Post(':id/read')
  @HttpCode(200)
  @ApiOperation({ summary: 'Mark one notification read (again is harmless)' })
  @ApiParam({ name: 'id', description: 'Notification id' })
  @ApiOkResponse({ type: NotificationDto })
  @ApiErrors({ 404: 'No such notification of yours (NOT_FOUND)' })
  async read(
    @CurrentPrincipal() principal: Principal,
    @Param('id') id: string,
  ): Promise<NotificationDto> {
    return this.notifications.markRead(principal.userId, id);
  }
}

@ApiTags('notifications')
@JwtOnly()
@Controller('notification-preferences')
export class NotificationPreferencesController {
  constructor(private readonly notifications: NotificationsService) {}

  @Get()
  @ApiOperation({
    summary: 'Your email switches',
    description:
      'Every switch, on unless turned off. Receipts to your payers follow `payment_receipts`.',
  })
  @ApiOkResponse({ type: NotificationPreferencesDto })
  async get(@CurrentPrincipal() principal: Principal): Promise<NotificationPreferencesDto> {
    return { email: await this.notifications.preferences(principal.userId) };
  }

  @Patch()
  @ApiOperation({
    summary: 'Turn email switches on or off',
    description:
      'Only the switches given change. In-app notifications are kept whatever the switches say.',
  })
  @ApiOkResponse({ type: NotificationPreferencesDto })
  @ApiErrors({ 400: 'Unknown switch or a value that is not true/false (VALIDATION_FAILED)' })
  async update(
    @CurrentPrincipal() principal: Principal,
    @Body() body: UpdateNotificationPreferencesDto,
  ): Promise<NotificationPreferencesDto> {
    return { email: await this.notifications.updatePreferences(principal.userId, body.email) };
  }
}
