import { pino, destination, stdTimeFunctions, type Logger, type DestinationStream } from 'pino';

export type { Logger };

/**
 * Paths that may carry secrets. pino replaces them with "[redacted]" wherever
 * they appear in a log object, so a careless `log.info({ req })` stays safe.
 */
export const REDACT_PATHS = [
  'privateKey',
  'privateKeyHex',
  'seed',
  '*.privateKey',
  '*.seed',
  'headers.authorization',
  'headers.cookie',
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
    },
    opts.destination ?? destination({ dest: 1, sync: false }),
  );
}

/** A logger that writes nothing: for tests and library use. */
export function silentLogger(): Logger {
  return pino({ level: 'silent' });
}
