import { pino, destination, stdSerializers, stdTimeFunctions, type Logger, type DestinationStream } from 'pino';
import { redactDeep, redactText } from './redact.js';

export type { Logger };

/**
 * Paths that may carry secrets. pino replaces them with "[redacted]" wherever
 * they appear in a log object, so a careless `log.info({ req })` stays safe.
 */
export const REDACT_PATHS = [
  'privateKey',
  'privateKeyHex',
  'seed',
  'token',
  '*.privateKey',
  '*.seed',
  '*.token',
  'headers.authorization',
  'headers.cookie',
  'headers["proxy-authorization"]',
  'req.headers.authorization',
  'req.headers.cookie',
  'request.headers.authorization',
  'request.headers.cookie',
  'authorization',
  'cookie',
];

export function createLogger(opts: { level?: string; destination?: DestinationStream } = {}): Logger {
  return pino(
    {
      name: 'realmgate',
      level: opts.level ?? 'info',
      redact: { paths: REDACT_PATHS, censor: '[redacted]' },
      base: { pid: process.pid },
      timestamp: stdTimeFunctions.isoTime,
      // Every URL in a line loses its userinfo, query values and fragment, whoever logged it
      // (a source quoting its URL in an error, a debug line with a client's `?ticket=`).
      formatters: { log: (obj) => redactDeep(obj) },
      serializers: { err: (e: Error) => redactDeep(stdSerializers.err(e)) },
      hooks: {
        logMethod(args, method) {
          method.apply(this, args.map((a: unknown) => (typeof a === 'string' ? redactText(a) : a)) as Parameters<typeof method>);
        },
      },
    },
    opts.destination ?? destination({ dest: 1, sync: false }),
  );
}

/** A logger that writes nothing: for tests and library use. */
export function silentLogger(): Logger {
  return pino({ level: 'silent' });
}
