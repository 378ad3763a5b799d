import 'reflect-metadata';
import { setPriority } from 'node:os';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { AppModule, HTTP_FEATURES } from './app.module.js';
import { configureApp, listenApp } from './http/configure-app.js';
import { AppConfig, ConfigError } from './config/app-config.js';
import { loadDotEnv } from './config/load-env.js';
import { migrate } from './database/migrate.js';
import { isForkedHttpProcess, superviseHttpProcesses } from './http/cluster.js';

async function bootstrap(): Promise<void> {
  loadDotEnv();
  let config: AppConfig;
  try {
    config = AppConfig.fromEnv();
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`Invalid configuration: ${error.message}\n`);
      process.exit(1);
    }
    throw error;
  }
  // A forked HTTP process starts after its supervisor migrated the database.
  if (!isForkedHttpProcess()) await migrate(config);
  if (superviseHttpProcesses(config)) return;

  if (!config.runsApi) {
    // Raising one's own niceness needs no privilege (lowering it would).
    setPriority(config.workerNice);
    const app = await NestFactory.createApplicationContext(AppModule, { bufferLogs: true });
    app.enableShutdownHooks();
    return;
  }
  const app = await NestFactory.create<NestExpressApplication>(AppModule, {
    rawBody: true,
    bufferLogs: true,
    bodyParser: true,
  });
  configureApp(app, HTTP_FEATURES);
  await listenApp(app, config.port);
}

await bootstrap();
