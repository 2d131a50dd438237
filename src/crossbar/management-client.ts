import { createRequire } from 'node:module';
import type { Clock, Timer } from '../clock.js';
import { describeError, ErrorCodes, RealmgateError } from '../errors.js';
import type { Logger } from '../logger.js';
import { signChallenge } from './cryptosign.js';
import type { LoadedKey } from './private-key.js';
import type { AutobahnConnection, AutobahnModule, AutobahnSession } from './autobahn-types.js';

// autobahn-js is CommonJS without types; load it through require and describe the little we use.
const autobahn = createRequire(import.meta.url)('autobahn') as AutobahnModule;
// autobahn writes "connection closed …" / "auto-reconnect disabled!" to stderr via console.warn on
// every close. The source logs each close itself (structured, rate-limited), so autobahn's own
// copy is muted. This is the library's own hook (`autobahn.log`), idempotent, and touches nothing else.
autobahn.log.warn = () => undefined;

/** How to reach and authenticate to the Crossbar master (crossbar-facts §1). */
export interface ManagementClientOptions {
  /** `ws://<master>:9000/ws` */
  url: string;
  /** The management realm (mrealm), default `default` in Crossbar. */
  realm: string;
  /** Any non-null authid: the master concatenates it with the pubkey before the superuser check. */
  authid: string;
  /** Requested role, `owner` (the only started role able to read proxy routes). */
  authrole: string;
  key: LoadedKey;
  /** Deadline for connect+join and for every call, ms. */
  callTimeoutMs: number;
  logger: Logger;
  clock: Clock;
}

/** Handler for an event: positional args, keyword args, and the concrete topic (wildcard subscriptions). */
export type EventHandler = (args: unknown[], kwargs: Record<string, unknown>, topic: string) => void;

/**
 * One joined WAMP session on the master. No automatic reconnect: the crossbar source owns
 * reconnection (capped backoff with jitter), so a dead session just reports `closed` and
 * rejects everything pending.
 */
export interface ManagementSession {
  /** Calls a procedure with positional args; rejects with RealmgateError (SOURCE_TIMEOUT / SOURCE_FAILED, `details.error` = WAMP error URI). */
  call(procedure: string, args?: unknown[]): Promise<unknown>;
  /** Subscribes; `match` as in WAMP (`wildcard` lets empty URI components match anything). */
  subscribe(topic: string, handler: EventHandler, match?: 'exact' | 'prefix' | 'wildcard'): Promise<void>;
  /** Called once when the session ends for any reason other than close()/destroy(). */
  onClose(cb: (reason: string) => void): void;
  readonly closed: boolean;
  /** Leaves the realm and closes the socket; idempotent. */
  close(): Promise<void>;
  /** Closes at once; idempotent. */
  destroy(): void;
}

/** The WAMP error URI carried by a RealmgateError from this client, if any. */
export function wampErrorUri(err: unknown): string | undefined {
  if (err instanceof RealmgateError && typeof err.details?.error === 'string') return err.details.error;
  return undefined;
}

function wrapCallError(procedure: string, err: unknown): RealmgateError {
  if (err instanceof RealmgateError) return err;
  const e = err as { error?: unknown; args?: unknown[] };
  if (typeof e?.error === 'string') {
    const what = e.error === 'wamp.error.no_such_procedure' ? 'procedure missing' : 'call failed';
    const first = Array.isArray(e.args) && typeof e.args[0] === 'string' ? `: ${e.args[0]}` : '';
    return new RealmgateError(ErrorCodes.SOURCE_FAILED, `${procedure} ${what} (${e.error})${first}`, {
      cause: err,
      details: { procedure, error: e.error },
    });
  }
  return new RealmgateError(ErrorCodes.SOURCE_FAILED, `${procedure} failed: ${describeError(err)}`, {
    cause: err,
    details: { procedure },
  });
}

function normaliseResult(res: unknown): unknown {
  // autobahn resolves with args[0] for a single positional result, else with a Result {args, kwargs}.
  if (res instanceof autobahn.Result) {
    const r = res as { args: unknown[]; kwargs: Record<string, unknown> };
    return r.args.length === 1 ? r.args[0] : r.args.length > 0 ? r.args : r.kwargs;
  }
  return res;
}

/**
 * Opens a cryptosign-authenticated session to the master's management realm.
 * Resolves once joined; rejects with AUTH_FAILED (ABORT from the master: wrong key, unknown
 * principal, missing role), SOURCE_FAILED (unreachable / closed) or SOURCE_TIMEOUT.
 * @param signal aborts the attempt (rejects with CLOSED).
 */
export function connectManagement(opts: ManagementClientOptions, signal?: AbortSignal): Promise<ManagementSession> {
  return new Promise<ManagementSession>((resolve, reject) => {
    let settled = false;
    let joined = false;
    let closedByUs = false;
    let session: AutobahnSession | null = null;
    let closeListener: ((reason: string) => void) | undefined;
    const pending = new Set<(err: RealmgateError) => void>();
    const log = opts.logger;

    const connection: AutobahnConnection = new autobahn.Connection({
      url: opts.url,
      realm: opts.realm,
      authmethods: ['cryptosign'],
      authid: opts.authid,
      // No channel binding (crossbar-facts §1 recommendation); the pubkey identifies us.
      authextra: { pubkey: opts.key.publicKeyHex, channel_binding: null },
      onchallenge: (_s: unknown, method: string, extra: Record<string, unknown>) => {
        if (method !== 'cryptosign') throw new Error(`unexpected auth challenge "${method}"`);
        return signChallenge(opts.key.privateKey, extra.challenge, extra.channel_binding);
      },
      max_retries: 0,
      retry_if_unreachable: false,
      use_es6_promises: true,
      on_user_error: (err: unknown, msg?: string) => log.debug({ err: describeError(err) }, `autobahn: ${msg ?? 'user error'}`),
      on_internal_error: (err: unknown, msg?: string) => log.debug({ err: describeError(err) }, `autobahn: ${msg ?? 'internal error'}`),
    });

    const deadline: Timer = opts.clock.setTimeout(() => {
      fail(new RealmgateError(ErrorCodes.SOURCE_TIMEOUT, `master ${opts.url}: no session within ${opts.callTimeoutMs} ms`));
      shutdown();
    }, opts.callTimeoutMs);
    const onAbort = (): void => {
      fail(new RealmgateError(ErrorCodes.CLOSED, 'connect aborted'));
      shutdown();
    };
    signal?.addEventListener('abort', onAbort, { once: true });

    function fail(err: RealmgateError): void {
      if (settled) return;
      settled = true;
      opts.clock.clearTimeout(deadline);
      signal?.removeEventListener('abort', onAbort);
      reject(err);
    }

    function shutdown(): void {
      closedByUs = true;
      for (const rej of pending) rej(new RealmgateError(ErrorCodes.CLOSED, 'management session closed'));
      pending.clear();
      try {
        connection.close();
      } catch {
        // autobahn throws a string "connection already closed": nothing left to do.
      }
    }

    connection.onopen = (s: AutobahnSession) => {
      session = s;
      joined = true;
      if (settled) return shutdown();
      settled = true;
      opts.clock.clearTimeout(deadline);
      signal?.removeEventListener('abort', onAbort);
      resolve(api);
    };

    connection.onclose = (reason: string, details: { reason?: string | null; message?: string | null }) => {
      for (const rej of pending) rej(new RealmgateError(ErrorCodes.SOURCE_FAILED, `master session lost (${reason})`));
      pending.clear();
      const uri = details?.reason ?? null;
      const msg = details?.message ? `: ${details.message}` : '';
      if (!joined) {
        if (uri !== null && uri !== 'wamp.close.normal') {
          fail(new RealmgateError(ErrorCodes.AUTH_FAILED, `master ${opts.url} refused the session (${uri})${msg}`, {
            details: { error: uri },
          }));
        } else {
          fail(new RealmgateError(ErrorCodes.SOURCE_FAILED, `master ${opts.url} ${reason === 'unreachable' ? 'unreachable' : `closed the connection (${reason})`}`));
        }
      } else if (!closedByUs) {
        closedByUs = true;
        closeListener?.(`master session ${reason}${uri ? ` (${uri})` : ''}${msg}`);
      }
      return true; // never let autobahn retry on its own
    };

    const api: ManagementSession = {
      get closed() {
        return closedByUs;
      },
      call(procedure, args = []) {
        if (closedByUs || session === null) {
          return Promise.reject(new RealmgateError(ErrorCodes.CLOSED, `${procedure}: management session closed`));
        }
        const s = session;
        return new Promise<unknown>((res, rej) => {
          const done = (err: RealmgateError): void => {
            opts.clock.clearTimeout(timer);
            pending.delete(done);
            rej(err);
          };
          const timer = opts.clock.setTimeout(
            () => done(new RealmgateError(ErrorCodes.SOURCE_TIMEOUT, `${procedure} timed out after ${opts.callTimeoutMs} ms`, { details: { procedure } })),
            opts.callTimeoutMs,
          );
          pending.add(done);
          let p: Promise<unknown>;
          try {
            p = Promise.resolve(s.call(procedure, args));
          } catch (err) {
            return done(wrapCallError(procedure, err));
          }
          p.then(
            (v) => {
              if (!pending.has(done)) return;
              opts.clock.clearTimeout(timer);
              pending.delete(done);
              res(normaliseResult(v));
            },
            (err: unknown) => {
              if (pending.has(done)) done(wrapCallError(procedure, err));
            },
          );
        });
      },
      async subscribe(topic, handler, match = 'exact') {
        if (closedByUs || session === null) throw new RealmgateError(ErrorCodes.CLOSED, `subscribe ${topic}: management session closed`);
        const options = match === 'exact' ? undefined : { match };
        const sess = session;
        try {
          await sess.subscribe(
            topic,
            (args: unknown[], kwargs: Record<string, unknown>, ev: { topic?: string }) => handler(args ?? [], kwargs ?? {}, ev?.topic ?? topic),
            options,
          );
        } catch (err) {
          throw wrapCallError(`subscribe ${topic}`, err);
        }
      },
      onClose(cb) {
        closeListener = cb;
      },
      async close() {
        if (closedByUs) return;
        shutdown();
      },
      destroy() {
        if (!closedByUs) shutdown();
      },
    };

    try {
      connection.open();
      injectAuthrole(connection, opts.authrole, log);
    } catch (err) {
      fail(new RealmgateError(ErrorCodes.SOURCE_FAILED, `cannot open ${opts.url}: ${describeError(err)}`, { cause: err }));
      shutdown();
    }
  });
}

/**
 * autobahn-js 22 cannot request an authrole: Session.join() builds HELLO.details without one.
 * The master grants the superuser `owner` when none is requested, but a user principal would get
 * its highest role, so we add `authrole` to the HELLO on its way out. The wrapper also swallows
 * send failures on a dying socket, which autobahn would otherwise leave as unhandled rejections.
 */
function injectAuthrole(connection: AutobahnConnection, authrole: string, log: Logger): void {
  const transport = connection._transport;
  if (!transport || typeof transport.send !== 'function') return;
  const send = transport.send.bind(transport);
  transport.send = (msg: unknown[]) => {
    if (Array.isArray(msg) && msg[0] === 1 && typeof msg[2] === 'object' && msg[2] !== null) {
      (msg[2] as Record<string, unknown>).authrole = authrole;
    }
    return Promise.resolve()
      .then(() => send(msg))
      .catch((err: unknown) => log.debug({ err: describeError(err) }, 'autobahn: send failed'));
  };
}
