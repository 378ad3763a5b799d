export const AUTH_ERRORS = {
  401: 'No valid JWT or API key (UNAUTHENTICATED)',
  403: 'The API key lacks the "webhooks" permission (PERMISSION_DENIED)',
};
