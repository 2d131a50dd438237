/**
 * Errors with stable codes. Branch on `code`, never on `message`; the original
 * failure (if any) is kept as `cause` so logs keep the whole story.
 */
export const ErrorCodes = {
  CONFIG_INVALID: 'REALMGATE_ERR_CONFIG_INVALID',
  CONFIG_READ: 'REALMGATE_ERR_CONFIG_READ',
  LISTEN: 'REALMGATE_ERR_LISTEN',
  UPSTREAM_CONNECT: 'REALMGATE_ERR_UPSTREAM_CONNECT',
  UPSTREAM_HANDSHAKE: 'REALMGATE_ERR_UPSTREAM_HANDSHAKE',
  SOURCE_FAILED: 'REALMGATE_ERR_SOURCE_FAILED',
  SOURCE_MALFORMED: 'REALMGATE_ERR_SOURCE_MALFORMED',
  SOURCE_TIMEOUT: 'REALMGATE_ERR_SOURCE_TIMEOUT',
  AUTH_FAILED: 'REALMGATE_ERR_AUTH_FAILED',
  KEY_INVALID: 'REALMGATE_ERR_KEY_INVALID',
  HELLO_INVALID: 'REALMGATE_ERR_HELLO_INVALID',
  FRAME_INVALID: 'REALMGATE_ERR_FRAME_INVALID',
  CLOSED: 'REALMGATE_ERR_CLOSED',
} as const;

export type ErrorCode = (typeof ErrorCodes)[keyof typeof ErrorCodes];

export class RealmgateError extends Error {
  readonly code: ErrorCode;
  /** Extra structured context for logs (never secrets). */
  readonly details: Record<string, unknown> | undefined;

  constructor(code: ErrorCode, message: string, options?: { cause?: unknown; details?: Record<string, unknown> }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'RealmgateError';
    this.code = code;
    this.details = options?.details;
  }
}

export function isRealmgateError(err: unknown, code?: ErrorCode): err is RealmgateError {
  return err instanceof RealmgateError && (code === undefined || err.code === code);
}

/**
 * True for an upstream failure worth another attempt at admission: the connect failed (refused,
 * reset, unreachable, timed out) or the upstream closed/reset before answering. An answer the
 * gate did not like (a non-101, garbage) or a silent upstream is not retried.
 */
export function isRetryableUpstreamError(err: unknown): boolean {
  if (!(err instanceof RealmgateError)) return false;
  // A certificate the gate does not trust will not be trusted on the next try either: answer now.
  const cause = (err.cause as NodeJS.ErrnoException | undefined)?.code ?? '';
  if (/CERT|SELF_SIGNED|UNABLE_TO_|ERR_TLS_|ERR_SSL_/.test(cause)) return false;
  return err.code === ErrorCodes.UPSTREAM_CONNECT || (err.code === ErrorCodes.UPSTREAM_HANDSHAKE && err.details?.kind === 'closed');
}

/** A short human reason for any thrown value, for /status and log lines. */
export function describeError(err: unknown): string {
  if (err instanceof Error) return err.message || err.name;
  return String(err);
}
