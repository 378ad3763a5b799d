import { HttpStatus } from '@nestjs/common';
import { AppError } from '../../common/errors/app-error.js';

/** The webhook's sender could not be proven: 401 and nothing is stored. */
export class InvalidSignatureError extends AppError {
  constructor(message = 'Webhook signature is missing or invalid') {
    super(HttpStatus.UNAUTHORIZED, 'INVALID_SIGNATURE', message);
  }
}

/** A transient gateway failure (connection refused, timeout, 5xx, 429): retry later. */
export class GatewayUnavailableError extends AppError {
  constructor(
    readonly gateway: string,
    message: string,
  ) {
    super(
      HttpStatus.SERVICE_UNAVAILABLE,
      'GATEWAY_UNAVAILABLE',
      `${gateway} is unavailable: ${message}`,
    );
  }
}

/** The gateway refused the request for good (4xx other than 429): do not retry. */
export class GatewayRequestError extends AppError {
  constructor(
    readonly gateway: string,
    readonly gatewayStatus: number,
    message: string,
  ) {
    super(HttpStatus.BAD_GATEWAY, 'GATEWAY_ERROR', `${gateway} refused the request: ${message}`);
  }
}

export class GatewayDisabledError extends AppError {
  constructor(gateway: string) {
    super(
      HttpStatus.UNPROCESSABLE_ENTITY,
      'GATEWAY_DISABLED',
      `The ${gateway} gateway is not configured on this server`,
    );
  }
}

export class CurrencyNotSupportedError extends AppError {
  constructor(gateway: string, currency: string) {
    super(
      HttpStatus.UNPROCESSABLE_ENTITY,
      'CURRENCY_NOT_SUPPORTED',
      `${gateway} does not support ${currency}`,
    );
  }
}
