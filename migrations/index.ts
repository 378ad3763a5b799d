import { Init1764000000000 } from './1764000000000-init.js';
import { Outbox1764000003000 } from './1764000003000-outbox.js';

/** Every migration, in order, listed as classes (globs do not work under ESM). Append here. */
export const MIGRATIONS = [
  Init1764000000000,
  Outbox1764000003000,
];
