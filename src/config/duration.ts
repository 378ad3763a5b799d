const UNIT_MS: Record<string, number> = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** Parses durations written like `90s`, `5m`, `24h`, `7d` (a bare number is seconds). */
export function parseDuration(value: string): number {
  const match = /^(\d+)\s*(ms|s|m|h|d)?$/.exec(value.trim());
  if (!match) throw new Error(`"${value}" is not a duration like 90s, 5m, 24h or 7d`);
  return Number(match[1]) * UNIT_MS[match[2] ?? 's'];
}
