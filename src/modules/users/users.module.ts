import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { User } from './user.entity.js';
import { UserCreatedHooks } from './user-created.hooks.js';
import { UserWalletLookup } from './user-wallet.lookup.js';
import { UsersService } from './users.service.js';

@Module({
  imports: [TypeOrmModule.forFeature([User])],
  providers: [UsersService, UserCreatedHooks, UserWalletLookup],
  exports: [UsersService, UserCreatedHooks, UserWalletLookup],
})
export class UsersModule {}
