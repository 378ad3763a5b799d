import { applyDecorators } from '@nestjs/common';
import { ApiResponse } from '@nestjs/swagger';
import { ErrorResponseDto } from './error-response.dto.js';

/**
 * Documents error responses in the SPEC error shape: `@ApiErrors({ 404: 'NOT_FOUND: why', … })`.
 * On a controller it documents every route of it (the answers of its guards); on a route, that
 * route's own; a route's entry wins over the controller's for the same status.
 */
export const ApiErrors = (errors: Record<number, string>): MethodDecorator & ClassDecorator =>
  applyDecorators(
    ...Object.entries(errors).map(([status, description]) =>
      ApiResponse({ status: Number(status), description, type: ErrorResponseDto }),
    ),
  );

/** What the global auth guard answers on a route for JWTs and API keys (@RequirePermission). */
export const AUTH_ERRORS = {
  401: 'UNAUTHENTICATED: no valid JWT or API key',
  403: "PERMISSION_DENIED: the API key lacks the route's permission",
};

/** What it answers on a route for a signed-in person only (@JwtOnly). */
export const JWT_ONLY_ERRORS = {
  401: 'UNAUTHENTICATED: no valid JWT',
  403: 'PERMISSION_DENIED: called with an API key; this is managed only with a JWT',
};

/** What it answers on an administrator's route (@AdminOnly). */
export const ADMIN_ERRORS = {
  401: 'UNAUTHENTICATED',
  403: 'PERMISSION_DENIED: not an administrator',
};
