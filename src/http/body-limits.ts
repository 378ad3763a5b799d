import type { NextFunction, Request, Response } from 'express';
import { AppError, validationFailed } from '../common/errors/app-error.js';

/** Objects and arrays nested deeper than this are refused (SPEC §3): the top level is level 1. */
export const MAX_JSON_DEPTH = 32;

/** Keys in one object, and elements in one array, beyond which a body is refused. */
export const MAX_JSON_KEYS = 1_000;
export const MAX_JSON_ELEMENTS = 10_000;

const NUL = '\u0000';
/** A UTF-16 surrogate without its pair (JSON's `"\ud800"`): no UTF-8 text can hold it. */
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** Why `text` cannot be stored as it is (a NUL, or a lone surrogate), or null. */
function textProblem(text: string): string | null {
  if (text.includes(NUL)) return 'a NUL character (\\u0000)';
  if (LONE_SURROGATE.test(text)) return 'a lone UTF-16 surrogate (not valid Unicode text)';
  return null;
}

/**
 * What the SPEC §3 refuses in a parsed body before any route sees it: nesting deeper than
 * MAX_JSON_DEPTH (400 MALFORMED_JSON); a NUL character or a lone surrogate in a string or key,
 * and an object of more than MAX_JSON_KEYS keys or an array of more than MAX_JSON_ELEMENTS
 * elements (400 VALIDATION_FAILED naming the field). PostgreSQL cannot store a NUL or a lone
 * surrogate in text or jsonb (both used to end in a 500, or in a silently altered value); a deep
 * structure costs every recursive walker after the parser; and class-transformer's key handling
 * is quadratic in an object's keys (90,000 unknown keys under 1 MiB held the event loop 13–24 s
 * before validation refused them). Null when the body is acceptable. Walks iteratively, so a
 * hostile depth costs no stack, and stops at the first problem.
 */
export function bodyProblem(body: unknown, root = ''): AppError | null {
  if (typeof body === 'string') {
    const problem = textProblem(body);
    return problem ? badText(root || 'body', problem) : null;
  }
  if (typeof body !== 'object' || body === null) return null;
  const stack: { value: object; depth: number; path: string }[] = [
    { value: body, depth: 1, path: root },
  ];
  for (let next = stack.pop(); next !== undefined; next = stack.pop()) {
    const { value, depth, path } = next;
    if (depth > MAX_JSON_DEPTH) {
      return new AppError(
        400,
        'MALFORMED_JSON',
        `Request body is nested deeper than ${MAX_JSON_DEPTH} levels`,
      );
    }
    const isArray = Array.isArray(value);
    const entries = Object.entries(value);
    if (entries.length > (isArray ? MAX_JSON_ELEMENTS : MAX_JSON_KEYS)) {
      const field = path || 'body';
      return validationFailed([
        {
          field,
          message: isArray
            ? `${field} must not have more than ${MAX_JSON_ELEMENTS} elements`
            : `${field} must not have more than ${MAX_JSON_KEYS} keys`,
        },
      ]);
    }
    for (const [key, child] of entries) {
      const keyProblem = isArray ? null : textProblem(key);
      if (keyProblem) return badText(join(path, key, false), keyProblem, 'key');
      if (typeof child === 'string') {
        const problem = textProblem(child);
        if (problem) return badText(join(path, key, isArray), problem);
      } else if (typeof child === 'object' && child !== null) {
        stack.push({ value: child as object, depth: depth + 1, path: join(path, key, isArray) });
      }
    }
  }
  return null;
}

function join(path: string, key: string, index: boolean): string {
  if (index) return `${path}[${key}]`;
  return path === '' ? key : `${path}.${key}`;
}

function badText(field: string, problem: string, what: 'value' | 'key' = 'value'): AppError {
  // A field named by a key that is itself the problem: its lone surrogates shown as U+FFFD, so
  // the answer is valid text wherever it is stored or logged.
  const shown = field.replace(new RegExp(LONE_SURROGATE.source, 'g'), '\uFFFD');
  return validationFailed([
    { field: shown, message: `${shown} must not contain ${problem} in its ${what}` },
  ]);
}

/**
 * Express middleware run right after the body parsers: a body bodyProblem refuses never reaches
 * a route (the global filter renders the error, as for a body-parser failure). The query string
 * is held to the same NUL rule (its values are strings or arrays of them).
 */
export function bodyLimitsMiddleware() {
  return (req: Request, _res: Response, next: NextFunction): void => {
    next(bodyProblem(req.body as unknown) ?? bodyProblem(req.query, 'query') ?? undefined);
  };
}
