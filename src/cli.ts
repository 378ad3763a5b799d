import 'reflect-metadata';
import { ConsoleLogger, type INestApplicationContext, Logger } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { AppConfig, ConfigError } from './config/app-config.js';
import { applyCliEnvDefaults, loadDotEnv } from './config/load-env.js';
import { COMMANDS } from './cli/commands.js';
import type { CliContext } from './cli/cli-command.js';

/** Log lines go to stderr so a command's stdout is only its answer (TOKEN=$(npm run cli …)). */
class StderrLogger extends ConsoleLogger {
  protected override printMessages(...args: Parameters<ConsoleLogger['printMessages']>): void {
    const [messages, context, logLevel, , ...rest] = args;
    super.printMessages(messages, context, logLevel, 'stderr', ...rest);
  }
}

function parseOptions(args: string[]): Record<string, string | true> {
  const options: Record<string, string | true> = {};
  for (let i = 0; i < args.length; i++) {
    const arg = args[i];
    if (!arg.startsWith('--')) throw new Error(`unexpected argument "${arg}"`);
    const [name, inline] = arg.slice(2).split('=', 2);
    if (inline !== undefined) options[name] = inline;
    else if (i + 1 < args.length && !args[i + 1].startsWith('--')) options[name] = args[++i];
    else options[name] = true;
  }
  return options;
}

function usage(): string {
  const lines = COMMANDS.map((command) => `  ${command.usage.padEnd(60)} ${command.description}`);
  return `usage: npm run cli -- <command> [options]\n\ncommands:\n${lines.join('\n')}\n`;
}

async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  const command = COMMANDS.find((candidate) => candidate.name === name);
  if (!command) {
    process.stderr.write(name ? `unknown command "${name}"\n\n${usage()}` : usage());
    return 2;
  }
  loadDotEnv();
  applyCliEnvDefaults();
  const logger = new StderrLogger('cli', { logLevels: ['error', 'warn'] });
  Logger.overrideLogger(logger);
  const config = AppConfig.fromEnv();
  let app: INestApplicationContext | undefined;
  const context: CliContext = {
    config,
    options: parseOptions(rest),
    print: (line) => process.stdout.write(`${line}\n`),
    app: async () => {
      if (!app) {
        const { migrate } = await import('./database/migrate.js');
        await migrate(config);
        const { AppModule } = await import('./app.module.js');
        app = await NestFactory.createApplicationContext(AppModule, { logger });
      }
      return app;
    },
  };
  try {
    return (await command.run(context)) ?? 0;
  } finally {
    await app?.close();
  }
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    const message =
      error instanceof ConfigError
        ? `Invalid configuration: ${error.message}`
        : error instanceof Error
          ? error.message
          : String(error);
    process.stderr.write(`${message}\n`);
    process.exit(1);
  },
);
