import { User } from '../modules/users/user.entity.js';
import { OutboundEvent } from '../modules/webhooks/outbound-event.entity.js';
import { AppSecret } from './app-secret.entity.js';

/** Every entity, listed as classes (globs do not work under ESM). Append new entities here. */
export const ENTITIES = [
  AppSecret,
  User,
  OutboundEvent,
];
