import { DataSource } from 'typeorm';
import { AppConfig } from '../config/app-config.js';
import { loadDotEnv } from '../config/load-env.js';
import { dataSourceOptions } from './data-source-options.js';

// Used by the TypeORM CLI (`npm run migration:generate`) from the compiled output.
loadDotEnv();
export default new DataSource(dataSourceOptions(AppConfig.fromEnv()));
