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
import { AccessLog, withAccessLog } from './access-log.js';
import { readBuildInfo } from './build-info.js';
import { changedKeys, planSources, restartOnlyChanges, type ReloadResult } from './lifecycle/reload.js';
import { CertificateWatcher, loadServerTls } from './tls/listener-tls.js';
import { loadUpstreamTls } from './tls/upstream-tls.js';

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
  start(): Promise<{ listen: AddressInfo; admin: AddressInfo }>;
  /** Readiness 503 and new/held clients refused with `draining` (POST /drain). Idempotent. */
  drain(): void;
  /** Graceful shutdown per `shutdown`: 503 → delayMs → stop accepting → held answered → tunnels drain → closed. Idempotent. */
  close(): Promise<void>;
  /** Cuts everything now. Idempotent. */
  destroy(): void;
  /**
   * SIGHUP: applies a new (already validated) config in place - realms, policies, sources, log
   * level, access log, TLS files - or refuses it whole when it needs a restart. Never drops a client.
   */
  reload(next: Config): Promise<ReloadResult>;
}

/** Composition root: wires sources → registry → admission → data plane, and the admin port. */
export async function createRealmgate(config: Config, deps: RealmgateDeps = {}): Promise<Realmgate> {
  const log = deps.logger ?? silentLogger();
  const clock = deps.clock ?? systemClock;
  const registry = new RealmRegistry({ config, clock });
  // Swapped whole by a reload; admission and the handlers always call through this binding.
  let policyLookup = createPolicyLookup(config);
  const policyFor = (realm: string): ReturnType<typeof policyLookup> => policyLookup(realm);
  const admission = new Admission({ clock, isReady: (r) => registry.isReady(r), policyFor, maxQueuedTotal: config.maxQueuedTotal });
  const tunnels = new Tunnels();
  let draining = false;
  let drainRequestedAt = 0;

  const build = readBuildInfo();
  const access = new AccessLog({ clock, logger: log, mode: config.log.access, sampleRate: config.log.accessSampleRate });
  const serverTls = config.listen.tls ? loadServerTls(config.listen.tls) : undefined;
  const upstreamTls = loadUpstreamTls(config.upstream.tls);
  const baseMetrics = createMetrics(deps.metricsRegistry ?? new Registry(), {
    realms: () => registry.realms(),
    queueDepth: (r) => admission.depth(r),
    tunnels: () => tunnels.byRealm(),
    sources: () => registry.sources(),
    draining: () => draining,
  }, { build });
  const metrics = withAccessLog(baseMetrics, access);

  const ctx: GateContext = {
    config, registry, admission, metrics, logger: log, tunnels, policyFor, clock, pending: new Set(),
    upstream: parseUpstream(config.upstream.url, config.upstream.connectTimeoutMs, upstreamTls),
  };
  const dataPlane = new DataPlane(ctx, config.realmFrom.includes('hello') ? createHelloPeek(ctx) : undefined, { tls: serverTls, upstreamTls, access });
  const certWatcher = config.listen.tls && serverTls
    ? new CertificateWatcher({ cfg: config.listen.tls, initial: serverTls, clock, logger: log, apply: (o) => dataPlane.setSecureContext(o) })
    : undefined;

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

  const sourceContext = { upstreamUrl: config.upstream.url, realms: () => registry.realmNames(), logger: log, clock };
  const sources = [
    ...(await createSources(config.readiness.sources, sourceContext, { discover: config.realms.length === 0 })),
    ...(deps.extraSources ?? []),
  ];
  let started = false;

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
    statusExtra: () => ({ upstream: ctx.config.upstream.url, realmFrom: ctx.config.realmFrom, version: build.version, node: build.node }),
  });

  let closing: Promise<void> | undefined;
  let destroyed = false;

  function destroy(): void {
    if (destroyed) return;
    destroyed = true;
    draining = true;
    admission.drain();
    for (const p of [...ctx.pending]) p.destroy();
    certWatcher?.destroy();
    dataPlane.destroy();
    tunnels.destroyAll();
    registry.close();
    for (const s of sources) s.destroy();
    void admin.close().catch(() => {});
  }

  async function close(): Promise<void> {
    const { delayMs, drainTimeoutMs } = ctx.config.shutdown;
    drain();
    // Load balancers need delayMs to see readiness 503 and stop sending; a /drain that came earlier already counted.
    const waitMs = Math.max(0, drainRequestedAt + delayMs - clock.now());
    if (waitMs > 0) await new Promise((r) => clock.setTimeout(() => r(undefined), waitMs));
    dataPlane.stopAccepting();
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
      try {
        adminAddr = await listenAdmin(admin, config.admin.host, config.admin.port);
      } catch (err) {
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
      certWatcher?.start();
      started = true;
      log.info({ version: build.version, node: build.node, tls: serverTls !== undefined, listen: `${listen.address}:${listen.port}`, admin: `${adminAddr.address}:${adminAddr.port}`, upstream: config.upstream.url,
        realms: registry.realmNames(), sources: sources.map((s) => s.name) }, 'realmgate started');
      return { listen, admin: adminAddr };
    },
    drain,
    close() {
      closing ??= close();
      return closing;
    },
    destroy,
    reload,
  };

  async function reload(next: Config): Promise<ReloadResult> {
    const prev = ctx.config;
    const refused = restartOnlyChanges(prev, next);
    if (refused.length > 0) return { applied: false, reason: 'needs_restart', keys: refused };
    // Sources first (the only step that can fail: a crossbar key file); nothing is touched until they exist.
    const discoverChanged = (prev.realms.length === 0) !== (next.realms.length === 0);
    const plan = planSources(prev.readiness.sources, next.readiness.sources, discoverChanged);
    const fresh = await createSources(next.readiness.sources, sourceContext, { discover: next.realms.length === 0 });
    const wanted = new Set([...plan.replace, ...plan.add]);
    for (const s of fresh) if (!wanted.has(s.name)) s.destroy();
    ctx.config = next;
    policyLookup = createPolicyLookup(next);
    const realms = registry.reconfigure(next);
    for (const name of [...plan.replace, ...plan.remove]) {
      const i = sources.findIndex((s) => s.name === name);
      if (i < 0) continue;
      const [old] = sources.splice(i, 1);
      void old!.close().catch(() => {});
      if (plan.remove.includes(name)) registry.removeSource(name);
    }
    for (const s of fresh) {
      if (!wanted.has(s.name)) continue;
      sources.push(s);
      if (!started || destroyed) continue;
      try {
        s.start(registry.sinkFor(s.name, s.type));
      } catch (err) {
        log.error({ source: s.name, err: describeError(err) }, 'readiness source failed to start');
      }
    }
    if (next.log.level !== prev.log.level) log.level = next.log.level;
    access.configure(next.log.access, next.log.accessSampleRate);
    if (next.listen.tls && certWatcher) {
      certWatcher.reconfigure(next.listen.tls);
      await certWatcher.check();
    }
    // Realms that are ready now (e.g. a source now says so) release their held clients through 'change' as usual.
    return { applied: true, changed: changedKeys(prev, next), sources: { replaced: plan.replace, added: plan.add, removed: plan.remove }, realms };
  }
}
