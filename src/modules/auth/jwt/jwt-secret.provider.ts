import { randomBytes } from 'node:crypto';
import { Logger, Provider } from '@nestjs/common';
import { getDataSourceToken } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { DataKeyring } from '../../../common/crypto/data-keyring.js';
import { AppConfig } from '../../../config/app-config.js';
import { readOrCreateAppSecret } from '../../../database/app-secrets.js';

export const JWT_SIGNING_SECRET = Symbol('JWT_SIGNING_SECRET');
export const DEV_JWT_SECRET_NAME = 'jwt_secret';

/**
 * JWT_SECRET, or in development a secret generated once and kept in `app_secrets`, sealed with the
 * data key (readOrCreateAppSecret), so every API and worker process and the CLI sign and verify
 * with the same one while a copy of the database alone forges nothing.
 */
export async function resolveJwtSecret(
  config: AppConfig,
  dataSource: DataSource,
  keyring: DataKeyring,
  logger: Logger,
): Promise<string> {
  if (config.jwtSecret !== undefined) return config.jwtSecret;
  // AppConfig refuses to start without JWT_SECRET there; this is the last word.
  if (config.secretsMustBeGiven) throw new Error('JWT_SECRET is required');
  const secret = await readOrCreateAppSecret(dataSource, keyring, DEV_JWT_SECRET_NAME, () =>
    randomBytes(64).toString('base64url'),
  );
  logger.warn(
    'JWT_SECRET is not set: using a generated development secret kept in the database (app_secrets), ' +
      'sealed with the data key. Set JWT_SECRET before running in production.',
  );
  return secret;
}

export const jwtSecretProvider: Provider = {
  provide: JWT_SIGNING_SECRET,
  inject: [AppConfig, getDataSourceToken(), DataKeyring],
  useFactory: (config: AppConfig, dataSource: DataSource, keyring: DataKeyring) =>
    resolveJwtSecret(config, dataSource, keyring, new Logger('JwtSecret')),
};
