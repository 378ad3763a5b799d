import { existsSync } from 'node:fs';
import dotenv from 'dotenv';

/** Loads `.env` (if present) without overriding variables the process already has. */
export function loadDotEnv(path = '.env'): void {
  if (existsSync(path)) dotenv.config({ path, quiet: true });
}

/** The CLI never runs queue workers and stays quiet unless LOG_LEVEL says otherwise. */
export function applyCliEnvDefaults(): void {
  process.env.PROCESS_ROLE = 'api';
  process.env.LOG_LEVEL ??= 'warn';
}
