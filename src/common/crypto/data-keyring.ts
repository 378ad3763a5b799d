import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';

/** Every value this keyring writes starts with this; the key id follows, then the sealed bytes. */
export const ENVELOPE_PREFIX = 'enc:v1:';
const KEY_BYTES = 32;
const IV_BYTES = 12;
const TAG_BYTES = 16;

/** The value cannot be opened: its key is not configured, or it (or its context) was tampered with. */
export class DataDecryptionError extends Error {
  override name = 'DataDecryptionError';
}

/**
 * Secrets the service must read back (webhook endpoint secrets, generated development secrets),
 * sealed with AES-256-GCM from node:crypto. A sealed value is
 * `enc:v1:<key id>:<base64url(iv ‖ ciphertext ‖ tag)>`: the key id names the key that sealed it,
 * so keys can rotate (the current key seals, old keys still open), and `context` (what the value
 * is and whose, e.g. `webhook_endpoints:<id>`) is bound as additional authenticated data, so a
 * value copied into another row does not open there.
 */
export class DataKeyring {
  readonly currentKeyId: string;
  private readonly keys = new Map<string, Buffer>();
  private readonly currentKey: Buffer;

  constructor(current: Buffer, old: readonly Buffer[] = []) {
    for (const key of [current, ...old]) {
      if (key.length !== KEY_BYTES) throw new Error(`a data key must be ${KEY_BYTES} bytes`);
      this.keys.set(DataKeyring.keyId(key), key);
    }
    this.currentKey = current;
    this.currentKeyId = DataKeyring.keyId(current);
  }

  /** A short public name for a key (a hash of it: it reveals nothing usable about the key). */
  static keyId(key: Buffer): string {
    return createHash('sha256')
      .update('payments data key id\u0000')
      .update(key)
      .digest('base64url')
      .slice(0, 8);
  }

  static isSealed(value: string): boolean {
    return value.startsWith(ENVELOPE_PREFIX);
  }

  /** The id of the key that sealed `value`, or undefined when it is not a sealed value. */
  static keyIdOf(value: string): string | undefined {
    if (!DataKeyring.isSealed(value)) return undefined;
    const end = value.indexOf(':', ENVELOPE_PREFIX.length);
    return end < 0 ? undefined : value.slice(ENVELOPE_PREFIX.length, end);
  }

  /** True when `value` is sealed with the current key (nothing to re-encrypt). */
  isCurrent(value: string): boolean {
    return value.startsWith(this.currentPrefix());
  }

  /** `enc:v1:<current key id>:`, for SQL that finds values sealed with another key. */
  currentPrefix(): string {
    return `${ENVELOPE_PREFIX}${this.currentKeyId}:`;
  }

  seal(plaintext: string, context: string): string {
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv('aes-256-gcm', this.currentKey, iv);
    cipher.setAAD(Buffer.from(context, 'utf8'));
    const sealed = Buffer.concat([
      iv,
      cipher.update(plaintext, 'utf8'),
      cipher.final(),
      cipher.getAuthTag(),
    ]);
    return `${this.currentPrefix()}${sealed.toString('base64url')}`;
  }

  open(value: string, context: string): string {
    const keyId = DataKeyring.keyIdOf(value);
    if (keyId === undefined) throw new DataDecryptionError(`${context}: the value is not sealed`);
    const key = this.keys.get(keyId);
    if (!key)
      throw new DataDecryptionError(
        `${context}: sealed with data key ${keyId}, which is not configured ` +
          '(set it as DATA_ENCRYPTION_KEY or list it in DATA_ENCRYPTION_OLD_KEYS)',
      );
    const sealed = Buffer.from(value.slice(ENVELOPE_PREFIX.length + keyId.length + 1), 'base64url');
    if (sealed.length < IV_BYTES + TAG_BYTES)
      throw new DataDecryptionError(`${context}: the sealed value is truncated`);
    const decipher = createDecipheriv('aes-256-gcm', key, sealed.subarray(0, IV_BYTES));
    decipher.setAAD(Buffer.from(context, 'utf8'));
    decipher.setAuthTag(sealed.subarray(sealed.length - TAG_BYTES));
    try {
      return Buffer.concat([
        decipher.update(sealed.subarray(IV_BYTES, sealed.length - TAG_BYTES)),
        decipher.final(),
      ]).toString('utf8');
    } catch {
      throw new DataDecryptionError(
        `${context}: the sealed value does not authenticate (altered, or sealed for another row)`,
      );
    }
  }

  /** `value` sealed with the current key: opened with its own key first when it is not. */
  reseal(value: string, context: string): string {
    return this.isCurrent(value) ? value : this.seal(this.open(value, context), context);
  }
}
