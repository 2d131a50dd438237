import type { Duplex } from 'node:stream';
import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import { registerProcessMetrics } from './process-metrics.js';

export const OUTCOMES = [
  'forwarded',
  'forwarded_after_wait',
  'rejected_not_ready',
  'rejected_queue_full',
  'queue_timeout',
  'client_gone',
  'upstream_error',
  'draining',
  'bad_request',
  'rejected_overload',
  'rejected_not_served',
  'upstream_refused',
] as const;
export type Outcome = (typeof OUTCOMES)[number];

/** Label used for realms the gate does not guard, so a client cannot blow up label cardinality. */
export const UNKNOWN_REALM_LABEL = '_unknown';

/** The client a connection outcome belongs to: read by the access log (src/access-log.ts), not by metrics. */
export interface ConnectionInfo {
  socket: Duplex;
  waitedMs?: number;
}

/** Live state the gauges read at scrape time (nothing is updated on the hot path). */
export interface MetricsState {
  realms(): { name: string; ready: boolean }[];
  queueDepth(realm: string): number;
  /** The realm's effective `maxQueued` (its own or `defaults`), for "queue near its cap" alerts. */
  queueCapacity?(realm: string): number;
  tunnels(): ReadonlyMap<string, number>;
  sources(): { name: string; up: boolean; lastSuccess: number | null; polls: { ok: number; error: number } }[];
  draining(): boolean;
  /** Bytes and connections charged to the pre-admission budget. */
  preAdmission?(): { bytes: number; connections: number; limitBytes: number };
  /** Upstream connections opened and not yet answered, and admitted clients waiting for a slot. */
  upstreamConnects?(): { inFlight: number; waiting: number };
}

/**
 * All realmgate metrics on an injected Registry, so two gates in one process
 * (tests) never share counters.
 */
export function createMetrics(registry: Registry, state: MetricsState, opts: { defaultMetrics?: boolean; build?: { version: string; node: string } } = {}) {
  if (opts.defaultMetrics !== false) registerProcessMetrics(registry);
  const registers = [registry];

  new Gauge({
    name: 'realmgate_realm_ready',
    help: '1 when the realm is ready (combined sources), else 0',
    labelNames: ['realm'],
    registers,
    collect() {
      this.reset();
      for (const r of state.realms()) this.set({ realm: r.name }, r.ready ? 1 : 0);
    },
  });
  new Gauge({
    name: 'realmgate_queue_depth',
    help: 'Clients currently held for the realm',
    labelNames: ['realm'],
    registers,
    collect() {
      this.reset();
      for (const r of state.realms()) this.set({ realm: r.name }, state.queueDepth(r.name));
    },
  });
  new Gauge({
    name: 'realmgate_queue_capacity',
    help: 'Most clients the realm may hold (its maxQueued); compare with realmgate_queue_depth',
    labelNames: ['realm'],
    registers,
    collect() {
      this.reset();
      if (!state.queueCapacity) return;
      for (const r of state.realms()) this.set({ realm: r.name }, state.queueCapacity(r.name));
    },
  });
  // One histogram, split by how the hold ended, so admitted waits and timeouts are not mixed;
  // the name is unchanged, so queries that sum over every label keep working.
  const queueWait = new Histogram({
    name: 'realmgate_queue_wait_seconds',
    help: 'How long held clients waited, by how the hold ended (outcome: forwarded_after_wait = admitted, else the refusal)',
    labelNames: ['realm', 'outcome'],
    buckets: [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 20, 30, 60, 120],
    registers,
  });
  const connections = new Counter({
    name: 'realmgate_connections_total',
    help: 'Client connections by outcome',
    labelNames: ['realm', 'outcome'],
    registers,
  });
  const connectionChildren = new Map<string, ReturnType<typeof connections.labels>>();
  new Gauge({
    name: 'realmgate_tunnels_active',
    help: 'Open client↔upstream tunnels',
    labelNames: ['realm'],
    registers,
    collect() {
      this.reset();
      for (const r of state.realms()) this.set({ realm: r.name }, 0);
      for (const [realm, n] of state.tunnels()) this.set({ realm }, n);
    },
  });
  new Gauge({
    name: 'realmgate_source_up',
    help: '1 when the readiness source answered its last attempt',
    labelNames: ['source'],
    registers,
    collect() {
      this.reset();
      for (const s of state.sources()) this.set({ source: s.name }, s.up ? 1 : 0);
    },
  });
  new Counter({
    name: 'realmgate_source_polls_total',
    help: 'Readiness source answers by result (ok | error)',
    labelNames: ['source', 'result'],
    registers,
    // The registry counts; the counter mirrors it at scrape time (no per-poll metric work).
    collect() {
      this.reset();
      for (const s of state.sources()) {
        this.inc({ source: s.name, result: 'ok' }, s.polls.ok);
        this.inc({ source: s.name, result: 'error' }, s.polls.error);
      }
    },
  });
  new Gauge({
    name: 'realmgate_source_last_success_timestamp_seconds',
    help: 'Unix time of the source’s last successful answer',
    labelNames: ['source'],
    registers,
    collect() {
      this.reset();
      for (const s of state.sources()) if (s.lastSuccess !== null) this.set({ source: s.name }, s.lastSuccess / 1000);
    },
  });
  new Gauge({
    name: 'realmgate_draining',
    help: '1 while the gate drains for shutdown',
    registers,
    collect() {
      this.set(state.draining() ? 1 : 0);
    },
  });
  new Gauge({
    name: 'realmgate_preadmission_bytes',
    help: 'Bytes charged to the pre-admission memory budget (held and not-yet-admitted clients, overhead included)',
    registers,
    collect() {
      const p = state.preAdmission?.();
      if (p) this.set(p.bytes);
    },
  });
  new Gauge({
    name: 'realmgate_preadmission_limit_bytes',
    help: 'Ceiling of the pre-admission memory budget (limits.preAdmissionBytes)',
    registers,
    collect() {
      const p = state.preAdmission?.();
      if (p) this.set(p.limitBytes);
    },
  });
  new Gauge({
    name: 'realmgate_preadmission_connections',
    help: 'Client connections holding a pre-admission charge (before HELLO, held, or connecting upstream)',
    registers,
    collect() {
      const p = state.preAdmission?.();
      if (p) this.set(p.connections);
    },
  });
  new Gauge({
    name: 'realmgate_upstream_connects',
    help: 'Upstream connections opened and not yet answered (state=in_flight, at most upstream.maxConnecting) and admitted clients waiting for one (state=waiting)',
    labelNames: ['state'],
    registers,
    collect() {
      const u = state.upstreamConnects?.();
      if (!u) return;
      this.set({ state: 'in_flight' }, u.inFlight);
      this.set({ state: 'waiting' }, u.waiting);
    },
  });
  const readmissions = new Counter({
    name: 'realmgate_readmissions_total',
    help: 'Clients put back in the queue after the upstream refused their realm (HELLO mode)',
    labelNames: ['realm'],
    registers,
  });

  if (opts.build) {
    new Gauge({ name: 'realmgate_build_info', help: 'Always 1; the labels say which realmgate and node run', labelNames: ['version', 'node'], registers })
      .set({ version: opts.build.version, node: opts.build.node }, 1);
  }

  const upstreamRetries = new Counter({
    name: 'realmgate_upstream_retries_total',
    help: 'Admitted clients put back (upgrade-time or HELLO mode) because the upstream refused or reset the connection before answering',
    labelNames: ['realm'],
    registers,
  });

  return {
    registry,
    upstreamRetry(realm: string): void {
      upstreamRetries.inc({ realm });
    },
    connection(realm: string, outcome: Outcome, _client?: ConnectionInfo): void {
      // Once per connection: prom-client hashes the label object on every inc(); the child is
      // looked up once per (realm, outcome). Bounded: realm labels are the guarded realms + `_unknown`.
      const key = `${realm}\u0000${outcome}`;
      let child = connectionChildren.get(key);
      if (!child) {
        child = connections.labels({ realm, outcome });
        connectionChildren.set(key, child);
      }
      child.inc();
    },
    queueWait(realm: string, seconds: number, outcome: Outcome): void {
      queueWait.observe({ realm, outcome }, seconds);
    },
    readmission(realm: string): void {
      readmissions.inc({ realm });
    },
  };
}

export type Metrics = ReturnType<typeof createMetrics>;
