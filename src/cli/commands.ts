import type { CliCommand } from './cli-command.js';
import { dbMigrateCommand, dbRevertCommand } from './db.commands.js';

/** Every CLI command. Append new ones here. */
export const COMMANDS: CliCommand[] = [dbMigrateCommand, dbRevertCommand];
