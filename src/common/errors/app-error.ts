import { HttpStatus } from '@nestjs/common';

export interface ErrorDetail {
  field?: string;
  message: string;
  [key: string]: unknown;
}

/**
 * A domain error with a stable code. The global filter renders it in the SPEC error shape;
 * throw it (or one of the helpers below) instead of Nest's HttpException.
 */
export class AppError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details: ErrorDetail[] = [],
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
    this.name = 'AppError';
  }
}

export const notFound = (what: string, code = 'NOT_FOUND'): AppError =>
  new AppError(HttpStatus.NOT_FOUND, code, `${what} not found`);

export const unauthenticated = (message = 'Authentication required'): AppError =>
  new AppError(HttpStatus.UNAUTHORIZED, 'UNAUTHENTICATED', message);

export const permissionDenied = (message = 'You are not allowed to do this'): AppError =>
  new AppError(HttpStatus.FORBIDDEN, 'PERMISSION_DENIED', message);

export const unprocessable = (
  code: string,
  message: string,
  details: ErrorDetail[] = [],
): AppError => new AppError(HttpStatus.UNPROCESSABLE_ENTITY, code, message, details);

export const conflict = (code: string, message: string): AppError =>
  new AppError(HttpStatus.CONFLICT, code, message);

export const validationFailed = (
  details: ErrorDetail[],
  message = 'Request validation failed',
): AppError => new AppError(HttpStatus.BAD_REQUEST, 'VALIDATION_FAILED', message, details);

export const serviceUnavailable = (code: string, message: string): AppError =>
  new AppError(HttpStatus.SERVICE_UNAVAILABLE, code, message);
