import type { INestApplicationContext } from '@nestjs/common';
import type { AppConfig } from '../config/app-config.js';

export interface CliContext {
  config: AppConfig;
  /** Parsed `--name value` / `--flag` options. */
  options: Record<string, string | true>;
  /** Lazily boots the Nest application context (workers never start in the CLI). */
  app: () => Promise<INestApplicationContext>;
  /** Output for the person at the terminal. */
  print: (line: string) => void;
}

export interface CliCommand {
  name: string;
  description: string;
  usage: string;
  run(context: CliContext): Promise<number | void>;
}

export function requireOption(context: CliContext, name: string): string {
  const value = context.options[name];
  if (typeof value !== 'string' || value.length === 0) throw new Error(`--${name} is required`);
  return value;
}
