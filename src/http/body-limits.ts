import type { NextFunction, Request, Response } from 'express';
import { AppError, validationFailed } from '../common/errors/app-error.js';

/** Objects and arrays nested deeper than this are refused (SPEC §3): the top level is level 1. */
export const MAX_JSON_DEPTH = 32;

const NUL = '\u0000';

/**
 * What the SPEC §3 refuses in a parsed body before any route sees it: nesting deeper than
 * MAX_JSON_DEPTH (400 MALFORMED_JSON) and a NUL character in any string or key (400
 * VALIDATION_FAILED naming the field). PostgreSQL cannot store a NUL in text or jsonb, and a
 * deep structure costs every recursive walker after the parser (validation, canonical JSON,
 * jsonb): both used to end in a 500. Null when the body is acceptable. Walks iteratively, so a
 * hostile depth costs no stack, and stops at the first problem.
 */
export function bodyProblem(body: unknown, root = ''): AppError | null {
  if (typeof body === 'string') return body.includes(NUL) ? nulInField(root || 'body') : null;
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
    for (const [key, child] of Object.entries(value)) {
      if (!isArray && key.includes(NUL)) return nulInField(join(path, key, false), 'key');
      if (typeof child === 'string') {
        if (child.includes(NUL)) return nulInField(join(path, key, isArray));
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

function nulInField(field: string, what: 'value' | 'key' = 'value'): AppError {
  return validationFailed([
    { field, message: `${field} must not contain a NUL character (\\u0000) in its ${what}` },
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
