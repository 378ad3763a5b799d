import { randomBytes } from 'node:crypto';
import { chmodSync, linkSync, readFileSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import { Logger, type Provider } from '@nestjs/common';
import { AppConfig, parseDataKey } from '../../config/app-config.js';
import { DataKeyring } from './data-keyring.js';

/**
 * The development data key, kept in a file of its own (mode 0600) beside the code, never in the
 * database: read access to the database alone then opens no secret. The first process to create
 * the file wins (the key is written to a private temporary file, then hard-linked into place,
 * which fails if another process got there first) and every process and the CLI read the same key.
 */
export function readOrCreateDevDataKey(path: string): { key: Buffer; created: boolean } {
  try {
    return { key: readKeyFile(path), created: false };
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  const temporary = `${path}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`;
  writeFileSync(temporary, `${randomBytes(32).toString('base64')}\n`, { mode: 0o600, flag: 'wx' });
  try {
    linkSync(temporary, path);
    return { key: readKeyFile(path), created: true };
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    return { key: readKeyFile(path), created: false };
  } finally {
    unlinkSync(temporary);
  }
}

function readKeyFile(path: string): Buffer {
  const text = readFileSync(path, 'utf8').trim();
  // A key file others can read is as good as no key: keep it to its owner.
  if ((statSync(path).mode & 0o077) !== 0) chmodSync(path, 0o600);
  const key = parseDataKey(text);
  if (!key) throw new Error(`${path} does not hold a 32-byte base64 data key`);
  return key;
}

/**
 * DATA_ENCRYPTION_KEY (with DATA_ENCRYPTION_OLD_KEYS for values sealed before a rotation), or in
 * development a key generated once into DATA_ENCRYPTION_KEY_FILE. AppConfig has already refused
 * to start without a configured key where secrets must be given (production, or a public APP_URL).
 */
export function resolveDataKeyring(config: AppConfig, logger: Logger): DataKeyring {
  if (config.dataEncryptionKey) {
    return new DataKeyring(config.dataEncryptionKey, config.dataEncryptionOldKeys);
  }
  if (config.secretsMustBeGiven) throw new Error('DATA_ENCRYPTION_KEY is required');
  const { key, created } = readOrCreateDevDataKey(config.dataEncryptionKeyFile);
  logger.warn(
    `DATA_ENCRYPTION_KEY is not set: using the development data key ${created ? 'generated into' : 'kept in'} ` +
      `${config.dataEncryptionKeyFile}. Set DATA_ENCRYPTION_KEY before running in production.`,
  );
  return new DataKeyring(key, config.dataEncryptionOldKeys);
}

export const dataKeyringProvider: Provider = {
  provide: DataKeyring,
  inject: [AppConfig],
  useFactory: (config: AppConfig) => resolveDataKeyring(config, new Logger('DataEncryption')),
};
