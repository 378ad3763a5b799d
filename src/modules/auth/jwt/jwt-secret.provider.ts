import { randomBytes } from 'node:crypto';
import { Logger, Provider } from '@nestjs/common';
import { getDataSourceToken } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { AppConfig } from '../../../config/app-config.js';
import { queryRows } from '../../../database/sql.js';

export const JWT_SIGNING_SECRET = Symbol('JWT_SIGNING_SECRET');
export const DEV_JWT_SECRET_NAME = 'jwt_secret';

/**
 * JWT_SECRET, or in development a secret generated once and kept in `app_secrets`, so every API
 * and worker process and the CLI sign and verify with the same one. The first process to insert
 * wins (ON CONFLICT DO NOTHING) and everyone reads back the winner's value.
 */
export async function resolveJwtSecret(
  config: AppConfig,
  dataSource: DataSource,
  logger: Logger,
): Promise<string> {
  if (config.jwtSecret !== undefined) return config.jwtSecret;
  if (config.isProduction) throw new Error('JWT_SECRET is required when NODE_ENV=production');
  await dataSource.query(
    `INSERT INTO app_secrets (name, value) VALUES ($1, $2) ON CONFLICT (name) DO NOTHING`,
    [DEV_JWT_SECRET_NAME, randomBytes(64).toString('base64url')],
  );
  const rows = await queryRows<{ value: string }>(
    dataSource.manager,
    `SELECT value FROM app_secrets WHERE name = $1`,
    [DEV_JWT_SECRET_NAME],
  );
  if (rows.length !== 1) throw new Error('the generated JWT secret could not be read back');
  logger.warn(
    'JWT_SECRET is not set: using a generated development secret stored in the database (app_secrets). ' +
      'Set JWT_SECRET before running in production.',
  );
  return rows[0].value;
}

export const jwtSecretProvider: Provider = {
  provide: JWT_SIGNING_SECRET,
  inject: [AppConfig, getDataSourceToken()],
  useFactory: (config: AppConfig, dataSource: DataSource) =>
    resolveJwtSecret(config, dataSource, new Logger('JwtSecret')),
};
