import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import type { User } from './user.entity.js';

export interface UserCreatedHook {
  /** Runs inside the transaction that creates the user; throwing rolls the user back. */
  onUserCreated(manager: EntityManager, user: User): Promise<void>;
}

/** Lets other modules (the wallet) act when a user is created, without users depending on them. */
@Injectable()
export class UserCreatedHooks {
  private readonly hooks: UserCreatedHook[] = [];

  register(hook: UserCreatedHook): void {
    this.hooks.push(hook);
  }

  async run(manager: EntityManager, user: User): Promise<void> {
    for (const hook of this.hooks) await hook.onUserCreated(manager, user);
  }
}
