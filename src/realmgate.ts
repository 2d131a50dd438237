import type { AddressInfo } from 'node:net';
import { Registry } from 'prom-client';
import { adminToken, createDrainGuard } from './admin/drain-guard.js';
import { createAdminServer, type DrainState } from './admin/server.js';
import { AdminPort } from './admin/admin-port.js';
import { systemClock, type Clock } from './clock.js';
import type { Config } from './config/schema.js';
import { describeError } from './errors.js';
import { openFileLimit, openFileLimitWarning } from './fd-limit.js';
import { silentLogger, type Logger } from './logger.js';
import { createMetrics } from './metrics.js';
import { Admission } from './proxy/admission.js';
import { createPolicyLookup, type GateContext, PendingClients } from './proxy/gate-context.js';
import { DataPlane } from './proxy/server.js';
import { parseUpstream } from './proxy/tunnel.js';
import { Tunnels } from './proxy/tunnels.js';
import { PreAdmissionBudget } from './proxy/budget.js';
import { WarningAggregator } from './proxy/warning-aggregator.js';
import { createSources } from './readiness/create-sources.js';
import type { ReadinessSource } from './readiness/source.js';
import { RealmRegistry } from './realms/registry.js';
import { createHelloPeek } from './proxy/hello-peek.js';
import { LogLimiter } from './log-limiter.js';
import { redactText, redactUrl } from './redact.js';
import { AccessLog, withAccessLog } from './access-log.js';
import { readBuildInfo } from './build-info.js';
import { changedKeys, planSources, restartOnlyChanges, type ReloadResult } from './lifecycle/reload.js';
import { CertificateWatcher, loadServerTls } from './tls/listener-tls.js';
import { loadUpstreamTls } from './tls/upstream-tls.js';
import { createRawSocketHandler } from './rawsocket/session.js';
import { RawSocketPort } from './rawsocket/port.js';
import { parseRawSocketUpstream } from './rawsocket/upstream.js';
import { ConnectSlots } from './proxy/connect-slots.js';

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
  /** Accepted clients neither queued nor tunnelled yet (HELLO-peek sessions): for leak checks and /status. */
  readonly pending: { readonly size: number };
  /** The pre-admission memory budget (limits.preAdmissionBytes). */
  readonly budget: PreAdmissionBudget;
  /** Binds both ports and starts the sources. */
  start(): Promise<{ listen: AddressInfo; admin: AddressInfo; rawsocket?: AddressInfo }>;
  /** Readiness 503 and new/held clients refused with `draining` (POST /drain). Idempotent. */
  drain(): void;
  /**
   * Undoes an admin drain (POST /undrain): readiness follows the realms again and new clients are
   * admitted; clients already answered `draining` stay answered. False once shutdown has begun.
   */
  undrain(): boolean;
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

/** Source failure warnings: at most one line per source per this long. */
const SOURCE_WARN_EVERY_MS = 30_000;

/** Who may POST /drain and /undrain, for the start line (docs/security.md). */
function drainFrom(admin: Config['admin']): string {
  const token = admin.token !== undefined || admin.tokenFile !== undefined;
  if (admin.requireToken) return 'token';
  return token ? 'loopback or token' : 'loopback';
}

/** Composition root: wires sources → registry → admission → data plane, and the admin port. */
export async function createRealmgate(config: Config, deps: RealmgateDeps = {}): Promise<Realmgate> {
  const log = deps.logger ?? silentLogger();
  const clock = deps.clock ?? systemClock;
  const registry = new RealmRegistry({ config, clock });
  // Swapped whole by a reload; admission and the handlers always call through this binding.
  let policyLookup = createPolicyLookup(config);
  const policyFor = (realm: string): ReturnType<typeof policyLookup> => policyLookup(realm);
  // An unknown realm held while discovery converges (registry.holdUnknown) passes once that ends.
  const passUnknown = (r: string): boolean => ctx.config.unknownRealm === 'pass' && !registry.isKnown(r) && !registry.holdUnknown();
  const admission = new Admission({
    clock, policyFor, maxQueuedTotal: config.maxQueuedTotal,
    isReady: (r) => registry.isReady(r) || passUnknown(r),
    isPartial: (r) => ctx.config.readiness.partial === 'readmit' && registry.isPartial(r),
  });
  const tunnels = new Tunnels();
  const budget = new PreAdmissionBudget({ limitBytes: config.limits.preAdmissionBytes, connectionOverheadBytes: config.limits.connectionOverheadBytes });
  let draining = false;
  let closing: Promise<void> | undefined;
  let destroyed = false;
  let drainRequestedAt = 0;
  let drainedBy: 'admin' | 'shutdown' | null = null;

  const build = readBuildInfo();
  const access = new AccessLog({ clock, logger: log, mode: config.log.access, sampleRate: config.log.accessSampleRate });
  const serverTls = config.listen.tls ? loadServerTls(config.listen.tls) : undefined;
  const upstreamTls = loadUpstreamTls(config.upstream.tls);
  const upstreamSlots = new ConnectSlots(config.upstream.maxConnecting, config.upstream.connectTimeoutMs);
  const baseMetrics = createMetrics(deps.metricsRegistry ?? new Registry(), {
    realms: () => registry.realms(),
    queueDepth: (r) => admission.depth(r),
    queueCapacity: (r) => policyFor(r).maxQueued,
    tunnels: () => tunnels.byRealm(),
    sources: () => registry.sources(),
    draining: () => draining,
    preAdmission: () => ({ bytes: budget.bytes, connections: budget.connections, limitBytes: budget.limitBytes }),
    upstreamConnects: () => ({ inFlight: upstreamSlots.inFlight, waiting: upstreamSlots.waiting }),
  }, { build });
  const metrics = withAccessLog(baseMetrics, access);

  const ctx: GateContext = {
    config, registry, admission, metrics, logger: log, tunnels, policyFor, clock, pending: new PendingClients(), budget,
    warnings: new WarningAggregator({ logger: log, clock }),
    upstream: parseUpstream(config.upstream.url, config.upstream.connectTimeoutMs, upstreamTls, upstreamSlots),
  };
  // RawSocket clients (first byte 0x7F on the client port, or listen.rawsocket) are always read up to their HELLO.
  const rawSocket = createRawSocketHandler(ctx, parseRawSocketUpstream(config.upstream.rawsocketUrl, ctx.upstream));
  const rawSocketPort = config.listen.rawsocket === undefined ? undefined : new RawSocketPort(rawSocket);
  const dataPlane = new DataPlane(ctx, config.realmFrom.includes('hello') ? createHelloPeek(ctx) : undefined, { tls: serverTls, upstreamTls, access, rawSocket });
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
  registry.on('partial', (p) => {
    const rule = ctx.config.readiness.partial;
    const released = p.partial && rule === 'readmit' ? admission.releaseReadmittable(p.realm) : 0;
    log.info({ realm: p.realm, partial: p.partial, rule, released },
      p.partial
        ? `realm "${p.realm}" is partly routed (some workers route it, others do not) - ${rule === 'readmit' ? 'HELLO clients are admitted and re-admitted until they reach a routed worker' : 'clients are held until every worker routes it'}`
        : `realm "${p.realm}" is no longer partly routed`);
  });
  registry.on('hold-unknown', (hold) => {
    let released = 0;
    if (!hold) for (const r of admission.queuedRealms()) if (!registry.isKnown(r)) released += admission.release(r);
    log.info({ hold, released }, hold ? 'discovery still converging: clients for realms not known yet are held' : 'discovery settled: clients for unknown realms pass');
  });
  // Rate-limited: the first failure at once, then at most one line per 30 s per source, each
  // saying how many failures it stands for. Keyed by source name: bounded by the config.
  const sourceWarnings = new LogLimiter(clock, SOURCE_WARN_EVERY_MS);
  const failedSince = new Map<string, { at: number; failures: number }>();
  registry.on('source-error', (s, err) => {
    const run = failedSince.get(s.name) ?? { at: clock.now(), failures: 0 };
    run.failures++;
    failedSince.set(s.name, run);
    const limited = sourceWarnings.take(s.name);
    if (!limited) return;
    log.warn({ source: s.name, type: s.type, err: redactText(describeError(err)), failures: run.failures, failuresTotal: s.polls.error, suppressed: limited.suppressed, failingForMs: clock.now() - run.at },
      `readiness source "${s.name}" failed`);
  });
  registry.on('source-up', (s) => {
    const run = failedSince.get(s.name);
    failedSince.delete(s.name);
    const ended = sourceWarnings.end(s.name);
    if (run && ended) log.info({ source: s.name, failures: run.failures, failedForMs: clock.now() - run.at }, `readiness source "${s.name}" is answering again`);
  });

  const sourceContext = { upstreamUrl: config.upstream.url, realms: () => registry.realmNames(), logger: log, clock };
  const sources = [
    ...(await createSources(config.readiness.sources, sourceContext, { discover: config.realms.length === 0 })),
    ...(deps.extraSources ?? []),
  ];
  let started = false;

  /**
   * Held clients, and HELLO clients not yet queued, are answered `draining`; the count is only
   * those actually answered (a pending client already admitted and connecting becomes a tunnel).
   */
  function refuseHeld(): number {
    let refused = admission.drain();
    for (const p of ctx.pending.values()) if (p.drain()) refused++;
    if (refused > 0) log.info({ refused, connecting: tunnels.connecting }, 'held clients answered "draining"');
    return refused;
  }

  function drain(by: 'admin' | 'shutdown' = 'admin'): void {
    if (!draining) {
      draining = true;
      drainRequestedAt = clock.now();
      drainedBy = by;
      log.info({ held: admission.total, tunnels: tunnels.size, by }, 'draining: readiness now 503');
    } else if (by === 'shutdown') {
      drainedBy = 'shutdown'; // an admin drain that SIGTERM follows can no longer be undone
    }
    adminPort.setDrainState(drainState());
  }

  function drainState(): DrainState {
    return { draining, since: draining ? drainRequestedAt : null, by: draining ? drainedBy : null };
  }

  function undrain(): boolean {
    if (closing !== undefined || destroyed) return false;
    if (!draining) return true;
    const drainedForMs = clock.now() - drainRequestedAt;
    draining = false;
    drainedBy = null;
    admission.undrain();
    adminPort.setDrainState(drainState());
    log.info({ drainedForMs }, 'undrained: readiness follows the realms again, new clients are admitted');
    return true;
  }

  const guard = createDrainGuard({ token: adminToken(config.admin), requireToken: config.admin.requireToken });

  const admin = createAdminServer({
    registry, admission, tunnels, metrics, logger: log, upstreamSlots,
    draining: () => draining,
    drainState,
    drain: () => {
      drain('admin');
      refuseHeld();
    },
    undrain,
    guard,
    clock,
    statusExtra: () => ({
      upstream: redactUrl(ctx.config.upstream.url), realmFrom: ctx.config.realmFrom, version: build.version, node: build.node,
      readiness: {
        partial: ctx.config.readiness.partial,
        partialRealms: registry.realms().filter((r) => r.partial).map((r) => r.name),
        holdUnknown: registry.holdUnknown(),
      },
    }),
  });

  const adminPort = new AdminPort({ app: admin, host: config.admin.host, port: config.admin.port, stallMs: config.admin.livenessStallMs, drainState: drainState(), logger: log });

  function destroy(): void {
    if (destroyed) return;
    destroyed = true;
    draining = true;
    admission.drain();
    for (const p of ctx.pending.values()) p.destroy();
    ctx.warnings.close();
    certWatcher?.destroy();
    rawSocketPort?.close();
    dataPlane.destroy();
    tunnels.destroyAll();
    registry.close();
    for (const s of sources) s.destroy();
    adminPort.destroy();
    void admin.close().catch(() => {});
  }

  async function close(): Promise<void> {
    const { delayMs, drainTimeoutMs } = ctx.config.shutdown;
    drain('shutdown');
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
    // The admin port answers until the tunnels are done; closed gracefully here, destroy() finds it gone.
    await adminPort.close();
    destroy();
    await admin.close().catch(() => {});
  }

  return {
    registry, admission, tunnels, pending: ctx.pending, budget,
    async start() {
      const listen = await dataPlane.listen(config.listen.host, config.listen.port);
      let adminAddr: AddressInfo;
      let rawsocket: AddressInfo | undefined;
      try {
        if (rawSocketPort) rawsocket = await rawSocketPort.listen(config.listen.host, config.listen.rawsocket!);
        adminAddr = await adminPort.listen();
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
      certWatcher?.start();
      started = true;
      const fdWarning = openFileLimitWarning(openFileLimit(), config.listen.maxConnections);
      if (fdWarning) log.warn(fdWarning.fields, fdWarning.msg);
      log.info({ version: build.version, node: build.node, tls: serverTls !== undefined, listen: `${listen.address}:${listen.port}`, admin: `${adminAddr.address}:${adminAddr.port}`,
        ...(rawsocket ? { rawsocket: `${rawsocket.address}:${rawsocket.port}` } : {}),
        upstream: redactUrl(config.upstream.url), realms: registry.realmNames(), sources: sources.map((s) => s.name), drainFrom: drainFrom(config.admin) }, 'realmgate started');
      return { listen, admin: adminAddr, ...(rawsocket ? { rawsocket } : {}) };
    },
    drain: () => drain('admin'),
    undrain,
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
