import { Module } from '@nestjs/common';
import { UserCreatedHooks } from './user-created.hooks.js';
import { UserWalletLookup } from './user-wallet.lookup.js';
import { UsersService } from './users.service.js';

@Module({
  providers: [UsersService, UserCreatedHooks, UserWalletLookup],
  exports: [UsersService, UserCreatedHooks, UserWalletLookup],
})
export class UsersModule {}
