import { REDACTED } from './redaction.js';

/** Shorter parameter values are not looked for in messages (they would match ordinary words). */
const MIN_VALUE_LENGTH = 4;

/**
 * Where PostgreSQL itself quotes a value in an error, whatever parameter it came from (a fragment
 * of a JSON document, one element of an array, a whole row).
 */
const MESSAGE_VALUES: [RegExp, string][] = [
  // invalid input syntax for type uuid: "…" / invalid input value for enum …: "…" / malformed array literal: "…"
  [/: ".*"$/s, `: "${REDACTED}"`],
  // value "…" is out of range for type integer
  [/^value ".*" is out of range/s, `value "${REDACTED}" is out of range`],
];
const DETAIL_VALUES: [RegExp, string][] = [
  // Key (email)=(…) already exists. / Key (user_id)=(…) is not present in table "users".
  [/\)=\(.*\)/s, `)=(${REDACTED})`],
  // Failing row contains (…).
  [/contains \(.*\)/s, `contains (${REDACTED})`],
  // Token "…" is invalid.
  [/Token ".*" is invalid/s, `Token "${REDACTED}" is invalid`],
];
const WHERE_VALUES: [RegExp, string][] = [
  // JSON data, line 1: {"secret": …
  [/^(JSON data, line \d+:).*/s, `$1 ${REDACTED}`],
  // unnamed portal parameter $1 = '…'
  [/(parameter \$\d+ = )'.*'/s, `$1'${REDACTED}'`],
];

type Scrubbable = Record<string, unknown> & { message?: unknown; stack?: unknown };

/** Every string a parameter carries: itself, the elements of an array, the leaves of JSON. */
function parameterStrings(value: unknown, into: Set<string>): void {
  if (typeof value === 'string') {
    if (value.length >= MIN_VALUE_LENGTH) into.add(value);
    const first = value.trimStart()[0];
    if (first === '{' || first === '[') {
      try {
        parameterStrings(JSON.parse(value), into);
      } catch {
        // not JSON after all: the whole string is already listed
      }
    }
  } else if (typeof value === 'number' || typeof value === 'bigint') {
    parameterStrings(String(value), into);
  } else if (Array.isArray(value)) {
    for (const item of value) parameterStrings(item, into);
  } else if (Buffer.isBuffer(value)) {
    parameterStrings(value.toString('utf8'), into);
  } else if (typeof value === 'object' && value !== null && !(value instanceof Date)) {
    for (const item of Object.values(value)) parameterStrings(item, into);
  }
}

function redactText(text: string, values: string[], patterns: [RegExp, string][]): string {
  let out = text;
  for (const value of values) out = out.split(value).join(REDACTED);
  for (const [pattern, replacement] of patterns) out = out.replace(pattern, replacement);
  return out;
}

function scrubFields(error: Scrubbable, values: string[]): void {
  const fields: [string, [RegExp, string][]][] = [
    ['detail', DETAIL_VALUES],
    ['where', WHERE_VALUES],
    ['hint', []],
    ['internalQuery', []],
  ];
  for (const [field, patterns] of fields) {
    const text = error[field];
    if (typeof text === 'string') error[field] = redactText(text, values, patterns);
  }
  if (typeof error.message === 'string') {
    const before = error.message;
    const after = redactText(before, values, MESSAGE_VALUES);
    if (after !== before) {
      error.message = after;
      // The stack begins with the message as it was when the error was made; its frames are kept.
      if (typeof error.stack === 'string') error.stack = error.stack.replace(before, after);
    }
  }
}

/**
 * Takes SQL parameter values out of a database error, in place, before anything logs it, stores
 * its message (a job's failedReason, an event's last_error) or shows it: the values wherever they
 * appear in the message, detail, context and stack, the places PostgreSQL quotes a value itself
 * (a key, a failing row, a JSON fragment), and TypeORM's copy of the parameters. The SQL text, the
 * SQLSTATE code and the names of constraints, tables and columns stay, for diagnosis.
 */
export function redactSqlError(error: unknown, parameters: unknown): void {
  if (typeof error !== 'object' || error === null) return;
  const found = new Set<string>();
  parameterStrings(parameters, found);
  // Longest first, so a value containing another is replaced whole.
  const values = [...found].sort((a, b) => b.length - a.length);
  const target = error as Scrubbable;
  scrubFields(target, values);
  const driverError = target.driverError;
  if (typeof driverError === 'object' && driverError !== null && driverError !== error) {
    scrubFields(driverError as Scrubbable, values);
  }
  // TypeORM's QueryFailedError keeps the parameters themselves.
  if (Array.isArray(target.parameters)) target.parameters = [];
}
