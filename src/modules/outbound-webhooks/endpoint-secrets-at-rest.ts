import { Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { DataDecryptionError, DataKeyring } from '../../common/crypto/data-keyring.js';
import { queryRows } from '../../database/sql.js';
import { secretContext } from './webhook-signer.js';

const BATCH = 200;

interface StoredSecrets {
  id: string;
  secret: string;
  previous_secret: string | null;
}

/**
 * Brings every stored endpoint secret to the current data key, at boot (before the process serves
 * or works): a secret stored in plain text by an earlier version is sealed, one sealed with a
 * rotated-out key (still listed in DATA_ENCRYPTION_OLD_KEYS) is opened and sealed again. Done in
 * code, not in the migration, because it needs the key, which migrations never see. Each row is
 * updated only if it still holds what was read, so processes booting together change it once.
 */
@Injectable()
export class EndpointSecretsAtRest {
  private readonly logger = new Logger(EndpointSecretsAtRest.name);

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly keyring: DataKeyring,
  ) {}

  async sealAll(): Promise<{ sealed: number; unreadable: number }> {
    const current = `${this.keyring.currentPrefix()}%`;
    let sealed = 0;
    let unreadable = 0;
    let after = '00000000-0000-0000-0000-000000000000';
    for (;;) {
      const rows = await queryRows<StoredSecrets>(
        this.dataSource.manager,
        `SELECT id, secret, previous_secret FROM webhook_endpoints
          WHERE id > $1 AND NOT (secret LIKE $2 AND coalesce(previous_secret LIKE $2, true))
          ORDER BY id LIMIT $3`,
        [after, current, BATCH],
      );
      for (const row of rows) {
        try {
          if (await this.seal(row)) sealed++;
        } catch (error) {
          if (!(error instanceof DataDecryptionError)) throw error;
          unreadable++;
          this.logger.error(`webhook endpoint ${row.id}: ${error.message}`);
        }
      }
      if (rows.length < BATCH) break;
      after = rows[rows.length - 1].id;
    }
    if (sealed > 0)
      this.logger.log(
        `sealed ${sealed} webhook endpoint secret(s) with data key ${this.keyring.currentKeyId}`,
      );
    return { sealed, unreadable };
  }

  private async seal(row: StoredSecrets): Promise<boolean> {
    const context = secretContext(row.id);
    const reseal = (value: string): string =>
      DataKeyring.isSealed(value)
        ? this.keyring.reseal(value, context)
        : this.keyring.seal(value, context);
    const updated = await queryRows<{ id: string }>(
      this.dataSource.manager,
      `UPDATE webhook_endpoints SET secret = $2, previous_secret = $3
        WHERE id = $1 AND secret = $4 AND previous_secret IS NOT DISTINCT FROM $5
        RETURNING id`,
      [
        row.id,
        reseal(row.secret),
        row.previous_secret === null ? null : reseal(row.previous_secret),
        row.secret,
        row.previous_secret,
      ],
    );
    return updated.length === 1;
  }
}
