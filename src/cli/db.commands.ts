import { migrate, revertLastMigration } from '../database/migrate.js';
import type { CliCommand } from './cli-command.js';

export const dbMigrateCommand: CliCommand = {
  name: 'db:migrate',
  description: 'Create the database if missing and run pending migrations (under an advisory lock)',
  usage: 'db:migrate',
  async run({ config, print }) {
    const applied = await migrate(config);
    print(applied.length > 0 ? `applied: ${applied.join(', ')}` : 'no pending migrations');
  },
};

export const dbRevertCommand: CliCommand = {
  name: 'db:revert',
  description: 'Revert the most recent migration',
  usage: 'db:revert',
  async run({ config, print }) {
    await revertLastMigration(config);
    print('reverted the last migration');
  },
};
