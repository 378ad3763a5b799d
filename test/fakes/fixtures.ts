import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The fixtures directory, whether running from the TypeScript sources (jest) or from dist/
 * (`npm run sandbox`, where JSON files are not copied): the first candidate that exists wins.
 */
export function fixturesDir(gateway: string): string {
  const here = dirname(fileURLToPath(import.meta.url));
  const candidates = [
    join(here, '..', 'fixtures', gateway),
    resolve(process.cwd(), 'test', 'fixtures', gateway),
  ];
  const found = candidates.find((candidate) => existsSync(candidate));
  if (!found)
    throw new Error(`fixtures for ${gateway} not found (looked in ${candidates.join(', ')})`);
  return found;
}

/** A fixture without its `_source` citation, deep-copied so callers may change it. */
export function loadFixture<T = Record<string, unknown>>(gateway: string, name: string): T {
  const parsed = JSON.parse(
    readFileSync(join(fixturesDir(gateway), `${name}.json`), 'utf8'),
  ) as Record<string, unknown>;
  delete parsed._source;
  return parsed as T;
}
