import type { Clock } from '../clock.js';
import type { Logger } from '../logger.js';

/**
 * A readiness source observes, per realm, whether the upstream can serve it.
 * Sources only *write observations* into a SourceSink; the realm registry owns
 * combining, staleness and transitions. Nothing else talks to a source.
 *
 * Lifecycle: start(sink) once; close() stops timers and connections and
 * resolves when done (idempotent); destroy() cuts at once (idempotent).
 * A source must never throw out of start() or let a rejection go unhandled:
 * failures are reported with sink.fail() and retried by the source itself.
 */
export interface ReadinessSource {
  /** Stable name, used as the `source` metric label and in /status. */
  readonly name: string;
  readonly type: 'crossbar' | 'probe' | 'http' | 'static' | (string & {});
  start(sink: SourceSink): void;
  close(): Promise<void>;
  destroy(): void;
}

export interface SourceSink {
  /**
   * A complete answer: every realm this source has an opinion on. Realms the
   * source reported before but not now become "unknown" (= not ready).
   * Marks the source up and fresh.
   */
  snapshot(realms: Readonly<Record<string, boolean>>): void;
  /**
   * A partial answer (e.g. from an event): only these realms change. Marks the
   * source up and fresh.
   */
  update(realms: Readonly<Record<string, boolean>>): void;
  /**
   * Realms the source found that the gate should guard even though the config
   * does not list them (Crossbar arealms of this webcluster). Replaces the
   * previous discovery set of this source.
   */
  discover(realms: readonly string[]): void;
  /** A failed attempt. The source is down (up=0) until its next snapshot/update. */
  fail(error: unknown): void;
  /**
   * Optional (crossbar): realms some serving workers route and others do not, replacing the
   * previous set. The registry reports them as partial while they are not ready
   * (`readiness.partial` decides what the data plane does with that).
   */
  partial?(realms: readonly string[]): void;
  /**
   * Optional (crossbar, discovery mode): whether a realm the gate cannot classify yet must be
   * held instead of passed, because the cluster is still placing routes.
   */
  holdUnknown?(hold: boolean): void;
  /** Extra per-source detail shown in /status (e.g. resolved node and workers). */
  detail(info: Record<string, unknown>): void;
}

/** What a source factory gets besides its own config. */
export interface SourceContext {
  /** The upstream (Crossbar proxy transport) base URL, http(s)://host:port. */
  upstreamUrl: string;
  /** Realms the gate currently guards (configured + discovered), for probing. */
  realms(): readonly string[];
  logger: Logger;
  clock: Clock;
}
