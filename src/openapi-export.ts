// `npm run openapi:export [-- path]`: writes the OpenAPI document (default openapi.json) for
// generating clients (the dashboard's included), with no database or Redis running.
import 'reflect-metadata';
import { writeFile } from 'node:fs/promises';
import { offlineOpenApiDocument } from './openapi.js';

const path = process.argv[2] ?? 'openapi.json';
const document = await offlineOpenApiDocument();
await writeFile(path, `${JSON.stringify(document, null, 2)}\n`);
process.stdout.write(`wrote ${path} (${Object.keys(document.paths).length} paths)\n`);
