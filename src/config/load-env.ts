import { existsSync } from 'node:fs';
import dotenv from 'dotenv';

/** Loads `.env` (if present) without overriding variables the process already has. */
export function loadDotEnv(path = '.env'): void {
  if (existsSync(path)) dotenv.config({ path, quiet: true });
}
