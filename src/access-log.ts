import type { Duplex } from 'node:stream';
import { socketBytes } from './proxy/pipe.js';
import type { Clock } from './clock.js';
import type { Config } from './config/schema.js';
import type { Logger } from './logger.js';
import type { ConnectionInfo, Metrics, Outcome } from './metrics.js';
import type { UpgradeRequest } from './proxy/upgrade-request.js';

export type AccessMode = Config['log']['access'];

interface Entry {
  start: number;
  client: string | undefined;
  /** The path only: query strings carry tickets and tokens (`?ticket=`, `?access_token=`). */
  path: string | undefined;
  logged: boolean;
}

/** The path of a request target without its query string or fragment; absolute-form keeps only the path. */
export function redactedPath(url: string | undefined): string | undefined {
  if (url === undefined) return undefined;
  let p = url;
  const q = p.search(/[?#]/);
  if (q >= 0) p = p.slice(0, q);
  // absolute-form (`http://user:pass@host/path`) would carry credentials: keep the path only.
  const abs = /^[a-z][a-z0-9+.-]*:\/\/[^/]*/i.exec(p);
  if (abs) p = p.slice(abs[0].length) || '/';
  return p.length > 256 ? `${p.slice(0, 256)}…` : p;
}

/**
 * One line per client connection's final outcome: realm, outcome, wait, bytes both ways, duration,
 * client address and path - never headers (no Authorization, Cookie) and never the query string.
 *
 * The line is written when the client socket closes, so a tunnel's bytes come from
 * socket.bytesRead/bytesWritten (counted by node anyway): nothing is added per chunk.
 * Per-connection state lives in a WeakMap keyed by the socket, so whatever path a connection ends
 * by, its entry goes with the socket; a 'close' listener is added only for sampled connections.
 * `off` costs one branch per connection.
 */
export class AccessLog {
  readonly #clock: Clock;
  readonly #logger: Logger;
  readonly #random: () => number;
  #mode: AccessMode = 'off';
  #rate = 0;
  readonly #entries = new WeakMap<Duplex, Entry>();

  constructor(opts: { clock: Clock; logger: Logger; mode: AccessMode; sampleRate: number; random?: () => number }) {
    this.#clock = opts.clock;
    this.#logger = opts.logger;
    this.#random = opts.random ?? Math.random;
    this.configure(opts.mode, opts.sampleRate);
  }

  /** Mode and rate (start and SIGHUP); connections already begun keep their sampling decision. */
  configure(mode: AccessMode, sampleRate: number): void {
    this.#mode = mode;
    this.#rate = mode === 'all' ? 1 : mode === 'sample' ? sampleRate : 0;
  }

  get enabled(): boolean {
    return this.#rate > 0;
  }

  /** A connection's request arrived (the upgrade): decides sampling, notes start time, address and path. */
  begin(req: UpgradeRequest, socket: Duplex): void {
    if (this.#rate === 0 || (this.#rate < 1 && this.#random() >= this.#rate)) return;
    this.#entries.set(socket, { start: this.#clock.now(), client: req.socket.remoteAddress, path: redactedPath(req.url), logged: false });
  }

  /** The connection's final outcome; the line follows when the socket has closed. */
  outcome(socket: Duplex, realm: string, outcome: Outcome, waitedMs: number | undefined): void {
    let e = this.#entries.get(socket);
    // No begin() (a malformed request answered before any upgrade): logged only with `all`.
    if (!e) {
      if (this.#mode !== 'all') return;
      e = { start: this.#clock.now(), client: (socket as { remoteAddress?: string }).remoteAddress, path: undefined, logged: false };
      this.#entries.set(socket, e);
    }
    if (e.logged) return;
    e.logged = true;
    const entry = e;
    const write = (): void => {
      const { bytesIn, bytesOut } = socketBytes(socket);
      this.#logger.info({
        access: true, realm, outcome, waitMs: waitedMs ?? 0, bytesIn, bytesOut,
        durationMs: this.#clock.now() - entry.start, client: entry.client, path: entry.path,
      }, 'connection');
    };
    if (socket.closed || socket.destroyed) write();
    else socket.once('close', write);
  }
}

/** The metrics with `connection()` also telling the access log (one wrapper, no second call at each site). */
export function withAccessLog(metrics: Metrics, access: AccessLog): Metrics {
  return {
    ...metrics,
    connection(realm: string, outcome: Outcome, client?: ConnectionInfo): void {
      metrics.connection(realm, outcome);
      if (client && access.enabled) access.outcome(client.socket, realm, outcome, client.waitedMs);
    },
  };
}
