import type { Socket } from 'node:net';
import { ErrorCodes, RealmgateError } from '../errors.js';

/** A cheap cancellation flag for the admission hot path (an AbortController costs ~7 µs). */
export interface Cancel {
  cancelled: boolean;
  /** Set by the read in progress; called once when the flag is raised. */
  onCancel?: (() => void) | undefined;
}

export function cancel(c: Cancel): void {
  if (c.cancelled) return;
  c.cancelled = true;
  c.onCancel?.();
}

/**
 * Reads the upstream until `take` has what it needs: `take` gets every chunk and returns a
 * result (done), undefined (more bytes needed), or throws a RealmgateError (garbage). Rejects
 * with UPSTREAM_HANDSHAKE on timeout, close or error — saying what it did not `do` — and with
 * CLOSED when `c` is cancelled (the client left).
 *
 * On success the socket keeps flowing with no listener of ours, without a pause/resume round
 * trip: the caller must attach its next reader or pipe in the same microtask chain, before the
 * next read can emit.
 */
export function readUpstream<T>(socket: Socket, opts: { timeoutMs: number; cancel: Cancel; do: string }, take: (chunk: Buffer) => T | undefined, initial?: Buffer): Promise<T> {
  const { timeoutMs, do: doing } = opts;
  const c = opts.cancel;
  return new Promise((resolve, reject) => {
    if (c.cancelled) return reject(new RealmgateError(ErrorCodes.CLOSED, 'client gone'));
    const done = (err: Error | undefined, value?: T): void => {
      clearTimeout(timer);
      socket.off('data', onData);
      socket.off('error', onError);
      socket.off('close', onClose);
      c.onCancel = undefined;
      if (err) reject(err);
      else resolve(value as T);
    };
    const onData = (chunk: Buffer): void => {
      let value: T | undefined;
      try {
        value = take(chunk);
      } catch (err) {
        return done(err as Error);
      }
      if (value !== undefined) done(undefined, value);
    };
    const onError = (err: Error): void =>
      done(new RealmgateError(ErrorCodes.UPSTREAM_HANDSHAKE, `upstream failed before it could ${doing}: ${(err as NodeJS.ErrnoException).code ?? err.message}`, { cause: err, details: { kind: 'closed' } }));
    const onClose = (): void => done(new RealmgateError(ErrorCodes.UPSTREAM_HANDSHAKE, `upstream closed before it could ${doing}`, { details: { kind: 'closed' } }));
    const timer = setTimeout(() => done(new RealmgateError(ErrorCodes.UPSTREAM_HANDSHAKE, `upstream did not ${doing} within ${timeoutMs} ms`)), timeoutMs);
    timer.unref();
    socket.on('data', onData);
    socket.on('error', onError);
    socket.on('close', onClose);
    c.onCancel = () => done(new RealmgateError(ErrorCodes.CLOSED, 'client gone'));
    if (initial && initial.length > 0) onData(initial);
  });
}
