import { ValidationError, ValidationPipe } from '@nestjs/common';
import { ErrorDetail, validationFailed } from '../common/errors/app-error.js';

function flatten(errors: ValidationError[], parent = ''): ErrorDetail[] {
  return errors.flatMap((error) => {
    const field = parent ? `${parent}.${error.property}` : error.property;
    const own = Object.values(error.constraints ?? {}).map((message) => ({ field, message }));
    return [...own, ...flatten(error.children ?? [], field)];
  });
}

/** At most this many details in one answer; the last says how many more there were. */
export const MAX_ERROR_DETAILS = 50;

function capped(details: ErrorDetail[]): ErrorDetail[] {
  if (details.length <= MAX_ERROR_DETAILS) return details;
  const more = details.length - (MAX_ERROR_DETAILS - 1);
  return [
    ...details.slice(0, MAX_ERROR_DETAILS - 1),
    { field: 'body', message: `and ${more} more problems` },
  ];
}

/**
 * Whitelisting, transforming pipe whose failures are 400 VALIDATION_FAILED, one detail per
 * problem up to MAX_ERROR_DETAILS (a body of 1,000 unknown keys answered 1,000 details).
 */
export function createValidationPipe(): ValidationPipe {
  return new ValidationPipe({
    whitelist: true,
    forbidNonWhitelisted: true,
    transform: true,
    transformOptions: { enableImplicitConversion: false },
    validationError: { target: false, value: false },
    exceptionFactory: (errors) => validationFailed(capped(flatten(errors))),
  });
}
