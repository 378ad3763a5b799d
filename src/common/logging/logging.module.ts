import { Module } from '@nestjs/common';
import { LoggerModule } from 'nestjs-pino';
import { pino, type DestinationStream } from 'pino';
import { AppConfig } from '../../config/app-config.js';
import { requestIdToLog } from '../request/request-context.js';
import { REDACTED, redactPaths, redactUrl } from './redaction.js';
import { redactSqlError } from './sql-error-redaction.js';
import { LOG_DESTINATION, LOG_STREAM } from './log-stream.js';
import { RequestLogs } from './request-log.js';

interface SerializedRequest {
  id?: unknown;
  method?: string;
  url?: string;
  headers?: Record<string, unknown>;
  remoteAddress?: string;
}

interface SerializedResponse {
  statusCode?: number;
  headers?: Record<string, unknown>;
}

export { LOG_DESTINATION } from './log-stream.js';

@Module({
  providers: [
    { provide: LOG_DESTINATION, useFactory: (): DestinationStream | null => null },
    {
      provide: LOG_STREAM,
      inject: [LOG_DESTINATION],
      // stdout written asynchronously: lines logged while a write is in flight go out together
      // in the next one (under load, one write per many lines instead of one each); pino
      // flushes what is pending when the process exits.
      useFactory: (destination: DestinationStream | null): DestinationStream =>
        destination ?? pino.destination({ dest: 1, sync: false }),
    },
  ],
  exports: [LOG_STREAM],
})
class LogStreamModule {}

@Module({
  imports: [
    LogStreamModule,
    LoggerModule.forRootAsync({
      imports: [LogStreamModule],
      inject: [AppConfig, LOG_STREAM],
      useFactory: (config: AppConfig, stream: DestinationStream) => {
        const options = {
          level: config.logLevel,
          redact: { paths: redactPaths(), censor: REDACTED },
          // Lines logged while a request runs carry its id (configure-app.ts, lean-routes.ts); jobs
          // bind theirs on a child logger of their own (job-context.ts).
          mixin: (): Record<string, string> => {
            const requestId = requestIdToLog();
            return requestId === undefined ? {} : { request_id: requestId };
          },
          serializers: {
            // A TypeORM QueryFailedError carries the statement's parameters: out before it is
            // written (its message was already cleaned where it was thrown, see SqlLogger).
            err: (err: unknown): unknown => {
              if (typeof err === 'object' && err !== null && 'parameters' in err)
                redactSqlError(err, err.parameters);
              return err instanceof Error ? pino.stdSerializers.err(err) : err;
            },
            req: (req: SerializedRequest) => ({
              id: req.id,
              method: req.method,
              url: typeof req.url === 'string' ? redactUrl(req.url) : req.url,
              headers: req.headers,
              remoteAddress: req.remoteAddress,
            }),
            // A redirect's Location can carry OAuth state or codes.
            res: (res: SerializedResponse) => {
              const location = res.headers?.location;
              return typeof location === 'string'
                ? { ...res, headers: { ...res.headers, location: redactUrl(location) } }
                : res;
            },
          },
        } as const;
        // No routes for pino-http's middleware: it builds two child loggers per request, serializing
        // and redacting the request for them whatever the level (a tenth of the CPU of a
        // transfer). Each request's line is written by RequestLogs instead (configure-app.ts).
        return { pinoHttp: [options, stream] as const, forRoutes: [] };
      },
    }),
  ],
  providers: [RequestLogs],
  exports: [RequestLogs],
})
export class LoggingModule {}
