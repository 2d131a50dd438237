import type { AddressInfo } from 'node:net';
import { Registry } from 'prom-client';
import { createAdminServer, listenAdmin } from './admin/server.js';
import { systemClock, type Clock } from './clock.js';
import type { Config } from './config/schema.js';
import { describeError } from './errors.js';
import { silentLogger, type Logger } from './logger.js';
import { createMetrics } from './metrics.js';
import { Admission } from './proxy/admission.js';
import { createPolicyLookup, type GateContext } from './proxy/gate-context.js';
import { DataPlane } from './proxy/server.js';
import { parseUpstream } from './proxy/tunnel.js';
import { Tunnels } from './proxy/tunnels.js';
import { createSources } from './readiness/create-sources.js';
import type { ReadinessSource } from './readiness/source.js';
import { RealmRegistry } from './realms/registry.js';
import { createHelloPeek } from './proxy/hello-peek.js';
import { createRawSocketHandler } from './rawsocket/session.js';
import { RawSocketPort } from './rawsocket/port.js';
import { parseRawSocketUpstream } from './rawsocket/upstream.js';

export interface RealmgateDeps {
  logger?: Logger;
  clock?: Clock;
  /** prom-client registry; a fresh one by default so gates never share metrics. */
  metricsRegistry?: Registry;
  /** Extra sources (tests, embedding); added after the configured ones. */
  extraSources?: ReadinessSource[];
}

export interface Realmgate {
  readonly registry: RealmRegistry;
  readonly admission: Admission;
  readonly tunnels: Tunnels;
  /** Binds both ports and starts the sources. */
  start(): Promise<{ listen: AddressInfo; admin: AddressInfo; rawsocket?: AddressInfo }>;
  /** Readiness 503 and new/held clients refused with `draining` (POST /drain). Idempotent. */
  drain(): void;
  /** Graceful shutdown per `shutdown`: 503 → delayMs → stop accepting → held answered → tunnels drain → closed. Idempotent. */
  close(): Promise<void>;
  /** Cuts everything now. Idempotent. */
  destroy(): void;
}

/** Composition root: wires sources → registry → admission → data plane, and the admin port. */
export async function createRealmgate(config: Config, deps: RealmgateDeps = {}): Promise<Realmgate> {
  const log = deps.logger ?? silentLogger();
  const clock = deps.clock ?? systemClock;
  const registry = new RealmRegistry({ config, clock });
  const policyFor = createPolicyLookup(config);
  const admission = new Admission({ clock, isReady: (r) => registry.isReady(r), policyFor, maxQueuedTotal: config.maxQueuedTotal });
  const tunnels = new Tunnels();
  let draining = false;
  let drainRequestedAt = 0;

  const metrics = createMetrics(deps.metricsRegistry ?? new Registry(), {
    realms: () => registry.realms(),
    queueDepth: (r) => admission.depth(r),
    tunnels: () => tunnels.byRealm(),
    sources: () => registry.sources(),
    draining: () => draining,
  });

  const ctx: GateContext = {
    config, registry, admission, metrics, logger: log, tunnels, policyFor, clock, pending: new Set(),
    upstream: parseUpstream(config.upstream.url, config.upstream.connectTimeoutMs),
  };
  // RawSocket clients (first byte 0x7F on the client port, or listen.rawsocket) are always read up to their HELLO.
  const rawSocket = createRawSocketHandler(ctx, parseRawSocketUpstream(config.upstream.rawsocketUrl, ctx.upstream));
  const rawSocketPort = config.listen.rawsocket === undefined ? undefined : new RawSocketPort(rawSocket);
  const dataPlane = new DataPlane(ctx, config.realmFrom.includes('hello') ? createHelloPeek(ctx) : undefined, rawSocket);

  registry.on('change', (c) => {
    if (c.ready) {
      // Every held client is released now or, with releasePerSecond, in paced batches from now.
      const released = admission.depth(c.realm);
      admission.release(c.realm);
      log.info({ realm: c.realm, waitedMs: c.previousMs, released, source: c.source },
        `routes now configured for realm "${c.realm}" - clients can now connect`);
    } else {
      log.warn({ realm: c.realm, readyForMs: c.previousMs, reason: registry.explain(c.realm) },
        `realm "${c.realm}" is no longer ready - new clients will be held`);
    }
  });
  const lastWarn = new Map<string, number>();
  registry.on('source-error', (s, err) => {
    // Rate-limited: the first failure, then at most one line per 30 s per source.
    const now = clock.now();
    if (now - (lastWarn.get(s.name) ?? -Infinity) < 30_000) return;
    lastWarn.set(s.name, now);
    log.warn({ source: s.name, type: s.type, err: describeError(err), failures: s.polls.error }, `readiness source "${s.name}" failed`);
  });
  registry.on('source-up', (s) => {
    if (lastWarn.delete(s.name)) log.info({ source: s.name }, `readiness source "${s.name}" is answering again`);
  });

  const sources = [
    ...(await createSources(config.readiness.sources, {
      upstreamUrl: config.upstream.url,
      realms: () => registry.realmNames(),
      logger: log,
      clock,
    }, { discover: config.realms.length === 0 })),
    ...(deps.extraSources ?? []),
  ];

  /** Held clients, and HELLO clients not yet queued, are answered `draining`. */
  function refuseHeld(): number {
    const refused = admission.drain() + ctx.pending.size;
    for (const p of [...ctx.pending]) p.drain();
    if (refused > 0) log.info({ refused }, 'held clients answered "draining"');
    return refused;
  }

  function drain(): void {
    if (!draining) {
      draining = true;
      drainRequestedAt = clock.now();
      log.info({ held: admission.total, tunnels: tunnels.size }, 'draining: readiness now 503');
    }
  }

  const admin = createAdminServer({
    registry, admission, tunnels, metrics, logger: log,
    draining: () => draining,
    drain: () => {
      drain();
      refuseHeld();
    },
    statusExtra: () => ({ upstream: config.upstream.url, realmFrom: config.realmFrom }),
  });

  let closing: Promise<void> | undefined;
  let destroyed = false;

  function destroy(): void {
    if (destroyed) return;
    destroyed = true;
    draining = true;
    admission.drain();
    for (const p of [...ctx.pending]) p.destroy();
    rawSocketPort?.close();
    dataPlane.destroy();
    tunnels.destroyAll();
    registry.close();
    for (const s of sources) s.destroy();
    void admin.close().catch(() => {});
  }

  async function close(): Promise<void> {
    const { delayMs, drainTimeoutMs } = config.shutdown;
    drain();
    // Load balancers need delayMs to see readiness 503 and stop sending; a /drain that came earlier already counted.
    const waitMs = Math.max(0, drainRequestedAt + delayMs - clock.now());
    if (waitMs > 0) await new Promise((r) => clock.setTimeout(() => r(undefined), waitMs));
    dataPlane.stopAccepting();
    rawSocketPort?.close();
    const refused = refuseHeld();
    log.info({ refused, tunnels: tunnels.size, connecting: tunnels.connecting, drainTimeoutMs }, 'stopped accepting; waiting for tunnels');
    if (tunnels.size + tunnels.connecting > 0) {
      let timer: ReturnType<Clock['setTimeout']> | undefined;
      const timedOut = await Promise.race([
        tunnels.idle().then(() => false),
        new Promise<boolean>((r) => (timer = clock.setTimeout(() => r(true), drainTimeoutMs))),
      ]);
      if (timer) clock.clearTimeout(timer);
      if (timedOut) log.warn({ tunnels: tunnels.size }, 'drain timeout: closing the remaining tunnels');
    }
    registry.close();
    await Promise.allSettled(sources.map((s) => s.close()));
    destroy();
    await admin.close().catch(() => {});
  }

  return {
    registry, admission, tunnels,
    async start() {
      const listen = await dataPlane.listen(config.listen.host, config.listen.port);
      let adminAddr: AddressInfo;
      let rawsocket: AddressInfo | undefined;
      try {
        if (rawSocketPort) rawsocket = await rawSocketPort.listen(config.listen.host, config.listen.rawsocket!);
        adminAddr = await listenAdmin(admin, config.admin.host, config.admin.port);
      } catch (err) {
        rawSocketPort?.close();
        dataPlane.destroy();
        throw err;
      }
      for (const s of sources) {
        try {
          s.start(registry.sinkFor(s.name, s.type));
        } catch (err) {
          log.error({ source: s.name, err: describeError(err) }, 'readiness source failed to start');
        }
      }
      registry.start();
      log.info({ listen: `${listen.address}:${listen.port}`, admin: `${adminAddr.address}:${adminAddr.port}`, upstream: config.upstream.url,
        realms: registry.realmNames(), sources: sources.map((s) => s.name) }, 'realmgate started');
      return { listen, admin: adminAddr, ...(rawsocket ? { rawsocket } : {}) };
    },
    drain,
    close() {
      closing ??= close();
      return closing;
    },
    destroy,
  };
}
