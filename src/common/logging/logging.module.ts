import type { IncomingMessage, ServerResponse } from 'node:http';
import { Module } from '@nestjs/common';
import { LoggerModule } from 'nestjs-pino';
import { AppConfig } from '../../config/app-config.js';
import { assignRequestId } from '../http/request-id.js';
import { REDACTED, redactPaths, redactUrl } from './redaction.js';

interface SerializedRequest {
  id?: unknown;
  method?: string;
  url?: string;
  headers?: Record<string, unknown>;
  remoteAddress?: string;
}

@Module({
  imports: [
    LoggerModule.forRootAsync({
      inject: [AppConfig],
      useFactory: (config: AppConfig) => ({
        pinoHttp: {
          level: config.logLevel,
          genReqId: (req: IncomingMessage, res: ServerResponse) => assignRequestId(req, res),
          customProps: (req: IncomingMessage) => ({ request_id: (req as IncomingMessage & { id?: unknown }).id }),
          redact: { paths: redactPaths(), censor: REDACTED },
          serializers: {
            req: (req: SerializedRequest) => ({
              id: req.id,
              method: req.method,
              url: typeof req.url === 'string' ? redactUrl(req.url) : req.url,
              headers: req.headers,
              remoteAddress: req.remoteAddress,
            }),
          },
          autoLogging: {
            ignore: (req: IncomingMessage) => req.url === '/metrics' || req.url === '/api/v1/health',
          },
          customLogLevel: (_req: IncomingMessage, res: ServerResponse, err?: Error) =>
            err || res.statusCode >= 500 ? 'error' : res.statusCode >= 400 ? 'warn' : 'info',
        },
      }),
    }),
  ],
})
export class LoggingModule {}
