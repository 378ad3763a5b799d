import type { CliCommand } from './cli-command.js';
import { webhookSimulateCommand } from './webhook.commands.js';
import { dbMigrateCommand, dbRevertCommand } from './db.commands.js';
import { ledgerCheckCommand } from './ledger.commands.js';
import { dbSchemaCommand } from './schema.commands.js';
import { userTokenCommand } from './user.commands.js';
import { dashboardLinkCommand } from './dashboard.commands.js';
import { devSeedCommand } from './dev-seed.commands.js';

/** Every CLI command. Append new ones here. */
export const COMMANDS: CliCommand[] = [
  dbMigrateCommand,
  dbRevertCommand,
  dbSchemaCommand,
  userTokenCommand,
  ledgerCheckCommand,
  webhookSimulateCommand,
  dashboardLinkCommand,
  devSeedCommand,
];
