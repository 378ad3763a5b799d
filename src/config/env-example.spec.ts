import { readFileSync } from 'node:fs';
import { AppConfig } from './app-config.js';

/** Every variable AppConfig reads, found by reading a configuration through a recording env. */
function variablesRead(): string[] {
  const read = new Set<string>();
  const env = new Proxy<Record<string, string | undefined>>(
    {},
    {
      get: (_target, name) => {
        if (typeof name === 'string') read.add(name);
        return undefined;
      },
    },
  );
  new AppConfig(env);
  return [...read].sort();
}

describe('.env.example', () => {
  it('lists every variable the configuration reads', () => {
    const listed = new Set(
      readFileSync(new URL('../../.env.example', import.meta.url), 'utf8')
        .split('\n')
        .map((line) => /^#?\s*([A-Z][A-Z0-9_]*)=/.exec(line)?.[1])
        .filter((name): name is string => name !== undefined),
    );
    const read = variablesRead();
    expect(read.length).toBeGreaterThan(40);
    expect(read.filter((name) => !listed.has(name))).toEqual([]);
  });
});
