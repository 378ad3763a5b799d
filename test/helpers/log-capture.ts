import { Writable } from 'node:stream';

/** What the app logs, for tests that override LOG_DESTINATION with `stream`. */
export interface LogCapture {
  stream: Writable;
  /** Every line as written. */
  raw: string[];
  /** Every line, parsed. */
  lines: Record<string, unknown>[];
}

export function captureLogs(): LogCapture {
  const raw: string[] = [];
  const lines: Record<string, unknown>[] = [];
  const stream = new Writable({
    write(chunk: Buffer | string, _encoding, done) {
      for (const line of chunk.toString().split('\n')) {
        if (line.length === 0) continue;
        raw.push(line);
        lines.push(JSON.parse(line) as Record<string, unknown>);
      }
      done();
    },
  });
  return { stream, raw, lines };
}
