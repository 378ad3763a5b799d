import { Module } from '@nestjs/common';
import { AuthModule } from '../auth/auth.module.js';
import { QueueBoardController } from './queue-board.controller.js';
import { QueueBoardService } from './queue-board.service.js';

@Module({
  imports: [AuthModule],
  controllers: [QueueBoardController],
  providers: [QueueBoardService],
  exports: [QueueBoardService],
})
export class OperationsModule {}
