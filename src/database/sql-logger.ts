import { Logger as NestLogger } from '@nestjs/common';
import type { Logger as TypeOrmLogger } from 'typeorm';
import { redactSqlError } from '../common/logging/sql-error-redaction.js';

/** A failed statement's text is logged up to this many characters. */
const MAX_QUERY_CHARS = 2_000;

const sqlLog = new NestLogger('SQL');

/**
 * The line a failed statement leaves in the log, whichever way it ran (TypeORM or queryRows):
 * its SQLSTATE, the error (already cleaned of parameter values) and the statement's text, never
 * its parameters.
 */
export function logFailedQuery(error: unknown, query: string): void {
  const code =
    typeof error === 'object' && error !== null ? (error as { code?: unknown }).code : undefined;
  sqlLog.warn(
    {
      code: typeof code === 'string' ? code : undefined,
      error: error instanceof Error ? error.message : String(error),
      query: query.length > MAX_QUERY_CHARS ? `${query.slice(0, MAX_QUERY_CHARS)}…` : query,
    },
    'query failed',
  );
}

/**
 * TypeORM's logger, writing through the application's logger (pino JSON, redaction) instead of
 * TypeORM's console logger, which printed a failed statement with its parameters. It never logs
 * parameter values. TypeORM calls logQueryError with the driver's error before it wraps it in a
 * QueryFailedError and throws it, so this is where the values are taken out of that error too
 * (redactSqlError): the message every caller logs, stores or rethrows is then free of them.
 */
export class SqlLogger implements TypeOrmLogger {
  private readonly logger = new NestLogger('TypeORM');

  logQuery(): void {
    // Statements are not logged one by one.
  }

  logQueryError(error: string | Error, query: string, parameters?: unknown): void {
    redactSqlError(error, parameters);
    logFailedQuery(error, query);
  }

  logQuerySlow(time: number, query: string): void {
    this.logger.warn({ ms: time, query: query.slice(0, MAX_QUERY_CHARS) }, 'slow query');
  }

  logSchemaBuild(): void {
    // synchronize is off: there is no schema build.
  }

  logMigration(message: string): void {
    this.logger.log(message);
  }

  log(level: 'log' | 'info' | 'warn', message: unknown): void {
    if (level === 'warn') this.logger.warn(message);
    else this.logger.log(message);
  }
}
