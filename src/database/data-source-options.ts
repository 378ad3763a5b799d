import type { DataSourceOptions } from 'typeorm';
import { MIGRATIONS } from '../../migrations/index.js';
import type { AppConfig } from '../config/app-config.js';
import { SnakeNamingStrategy } from './snake-naming.strategy.js';
import { SqlLogger } from './sql-logger.js';

/**
 * The connection, migrations and naming every data source shares. Entities are not listed here:
 * each feature module registers its own (`TypeOrmModule.forFeature`) and the application's data
 * source loads them (DatabaseModule); migrations need none.
 */
export function dataSourceOptions(config: AppConfig): DataSourceOptions {
  return {
    type: 'postgres',
    url: config.databaseUrl,
    migrations: MIGRATIONS,
    migrationsTableName: 'migrations',
    migrationsTransactionMode: 'each',
    namingStrategy: new SnakeNamingStrategy(),
    synchronize: false,
    // Ours, not TypeORM's console logger: failed statements are logged without their parameters.
    logger: new SqlLogger(),
    extra: {
      max: config.databasePoolSize,
      connectionTimeoutMillis: 5_000,
      application_name: `payments-${config.processRole}`,
    },
  };
}
