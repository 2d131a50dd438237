import type { Timer } from '../clock.js';
import type { CrossbarSourceConfig } from '../config/schema.js';
import { RouteEventTopics } from '../crossbar/answers.js';
import { connectManagement, type ManagementSession } from '../crossbar/management-client.js';
import { discoverArealms, pollWorker, resolveTopology, type NodeTopology } from '../crossbar/node-poller.js';
import { loadPrivateKey, type LoadedKey } from '../crossbar/private-key.js';
import { computeReadiness, parseRouteEventTopic, routeEventRealm, type WorkerState } from '../crossbar/proxy-routes.js';
import { describeError, ErrorCodes, isRealmgateError, RealmgateError } from '../errors.js';
import type { ReadinessSource, SourceContext, SourceSink } from './source.js';

/** Optional collaborators and knobs of the crossbar source (all have production defaults). */
export interface CrossbarSourceDeps {
  /** Source name for metrics and /status; default `cfg.name ?? 'crossbar'`. */
  name?: string;
  /** Report the webcluster's arealms with sink.discover(); default true (pass false when the config lists realms). */
  discover?: boolean;
  /** Environment for `privateKeyEnv`; default process.env. */
  env?: NodeJS.ProcessEnv;
  /** Jitter source in [0,1); default Math.random. */
  random?: () => number;
  /** Repeat a failure warning at most this often, ms; default 30000. */
  warnEveryMs?: number;
  /** Re-discover arealms at most this often, ms; default max(pollIntervalMs, 10000) (the master monitors' cadence). */
  discoverEveryMs?: number;
  connect?: typeof connectManagement;
}

type CachedWorker = WorkerState & { seq: number };

/**
 * `type: crossbar`: polls the Crossbar master management API for the proxy routes of every
 * started worker of this node's webcluster, and listens to route events to admit at once.
 *
 *   connect (cryptosign) → subscribe route events → resolve node/webcluster → ┐
 *   ┌──────────────────────────────────────────────────────────────────────────┘
 *   └→ poll workers (+ discover arealms) → snapshot → sleep(pollIntervalMs | event kick) → poll …
 *   any failure → sink.fail(reason), rate-limited warn, capped backoff with jitter, reconnect if needed
 */
export function createCrossbarSource(cfg: CrossbarSourceConfig, ctx: SourceContext, deps: CrossbarSourceDeps = {}): ReadinessSource {
  const name = deps.name ?? cfg.name ?? 'crossbar';
  const log = ctx.logger.child({ source: name });
  const clock = ctx.clock;
  const random = deps.random ?? Math.random;
  const warnEveryMs = deps.warnEveryMs ?? 30_000;
  const discoverEveryMs = deps.discoverEveryMs ?? Math.max(cfg.pollIntervalMs, 10_000);
  const connect = deps.connect ?? connectManagement;
  const abort = new AbortController();

  let sink: SourceSink | undefined;
  let key: LoadedKey | undefined;
  let session: ManagementSession | null = null;
  let topo: NodeTopology | null = null;
  const workers = new Map<string, CachedWorker>();
  let discovered: string[] = [];
  let lastDiscovery = -Infinity;
  let closed = false;
  let running: Promise<void> | undefined;
  let failures = 0;
  let lastWarnAt = -Infinity;
  let kickPending = false;
  let wake: { fn: () => void; kickable: boolean } | null = null;

  function sleep(ms: number, kickable: boolean): Promise<void> {
    return new Promise((resolve) => {
      if (closed || (kickable && kickPending)) return resolve();
      const timer: Timer = clock.setTimeout(() => done(), ms);
      const done = (): void => {
        clock.clearTimeout(timer);
        wake = null;
        resolve();
      };
      wake = { fn: done, kickable };
    });
  }

  /** Asks for a poll now (after an event); during backoff the kick waits for the backoff. */
  function kick(): void {
    kickPending = true;
    if (wake?.kickable) wake.fn();
  }

  function backoffMs(attempt: number): number {
    const { initialDelayMs, maxDelayMs } = cfg.reconnect;
    const capped = Math.min(maxDelayMs, initialDelayMs * 2 ** Math.min(attempt, 30));
    // "Equal jitter": at least half the delay, so a restarted master is not hit by every gate at once.
    return Math.round(capped / 2 + (random() * capped) / 2);
  }

  function publishDetail(): void {
    sink?.detail({
      node: cfg.node,
      nodeOid: topo?.nodeOid ?? null,
      webcluster: cfg.webcluster,
      webclusterOid: topo?.webclusterOid ?? null,
      workers: [...workers.values()].map((w) => ({ id: w.id, status: w.status, routes: w.routes })),
      connected: session !== null && !session.closed,
      url: cfg.url,
    });
  }

  function reportFailure(err: unknown): void {
    failures += 1;
    sink?.fail(err);
    const now = clock.now();
    if (failures === 1 || now - lastWarnAt >= warnEveryMs) {
      lastWarnAt = now;
      const code = isRealmgateError(err) ? err.code : undefined;
      log.warn({ code, failures, url: cfg.url }, `crossbar master: ${describeError(err)}`);
    }
  }

  async function establish(): Promise<ManagementSession> {
    key ??= loadPrivateKey({ file: cfg.privateKeyFile, env: cfg.privateKeyEnv }, deps.env);
    const s = await connect(
      { url: cfg.url, realm: cfg.realm, authid: cfg.authid, authrole: cfg.authrole, key, callTimeoutMs: cfg.callTimeoutMs, logger: log, clock },
      abort.signal,
    );
    s.onClose((reason) => {
      if (session !== s) return;
      session = null;
      if (closed) return;
      reportFailure(new RealmgateError(ErrorCodes.SOURCE_FAILED, reason));
      publishDetail();
      kick();
    });
    session = s;
    if (cfg.subscribe) {
      try {
        await s.subscribe(RouteEventTopics.started, onRouteEvent, 'wildcard');
        await s.subscribe(RouteEventTopics.stopped, onRouteEvent, 'wildcard');
      } catch (err) {
        // A session without its subscriptions would silently lose the fast path: start over.
        dropSession();
        throw err;
      }
    }
    log.info({ url: cfg.url, realm: cfg.realm, authid: cfg.authid, node: cfg.node }, 'crossbar master session established');
    return s;
  }

  function onRouteEvent(args: unknown[], _kwargs: Record<string, unknown>, topic: string): void {
    const t = parseRouteEventTopic(topic);
    if (t === null || t.nodeAuthid !== cfg.node) return; // another node's workers do not serve our clients
    const w = workers.get(t.workerId);
    const realm = routeEventRealm(args[0]);
    if (w === undefined || realm === null) return;
    w.seq += 1;
    const routes = new Set(w.routes ?? []);
    const roles = { ...w.roles };
    if (t.started) {
      routes.add(realm);
      const config = (args[0] as { config?: unknown }).config;
      if (typeof config === 'object' && config !== null) roles[realm] = [...new Set([...(roles[realm] ?? []), ...Object.keys(config)])];
    } else {
      // One route stopping may leave others for the realm; assume the worst and let the re-poll correct it.
      routes.delete(realm);
      delete roles[realm];
    }
    w.routes = [...routes].sort();
    w.roles = roles;
    const ready = computeReadiness([...workers.values()], [realm], cfg.roles)[realm] ?? false;
    log.debug({ worker: w.id, realm, started: t.started, ready }, 'proxy route event');
    sink?.update({ [realm]: ready });
    kick();
  }

  async function pollOnce(s: ManagementSession): Promise<void> {
    const call = (procedure: string, args?: unknown[]): Promise<unknown> => s.call(procedure, args);
    if (topo === null) {
      topo = await resolveTopology(call, cfg.node, cfg.webcluster);
      for (const id of [...workers.keys()]) if (!topo.workerIds.includes(id)) workers.delete(id);
      log.info({ nodeOid: topo.nodeOid, webclusterOid: topo.webclusterOid, workers: topo.workerIds }, 'crossbar node resolved');
    }
    const t = topo;
    const seqAtStart = new Map(t.workerIds.map((id) => [id, workers.get(id)?.seq ?? 0]));
    const polled = await Promise.all(t.workerIds.map((id) => pollWorker(call, t.nodeOid, id, cfg.roles)));
    for (const p of polled) {
      const cached = workers.get(p.id);
      if (cached !== undefined && cached.seq !== seqAtStart.get(p.id)) {
        // An event arrived while this answer was in flight: it may be older than the event. Keep the
        // event's view and poll again instead of flapping the realm back.
        cached.status = p.status;
        kickPending = true;
        continue;
      }
      workers.set(p.id, { ...p, seq: cached?.seq ?? 0 });
    }
    if (deps.discover !== false && clock.now() - lastDiscovery >= discoverEveryMs) {
      discovered = await discoverArealms(call, t.webclusterOid);
      lastDiscovery = clock.now();
      sink?.discover(discovered);
    }
    // Detail first: when a realm flips, /status already shows the workers that made it flip.
    publishDetail();
    sink?.snapshot(computeReadiness([...workers.values()], discovered, cfg.roles));
  }

  async function run(): Promise<void> {
    let attempt = 0;
    while (!closed) {
      kickPending = false;
      try {
        const s = session ?? (await establish());
        await pollOnce(s);
        if (failures > 0) log.info({ after: failures }, 'crossbar master: polling recovered');
        failures = 0;
        attempt = 0;
        await sleep(cfg.pollIntervalMs, true);
      } catch (err) {
        if (closed) break;
        reportFailure(err);
        // Answers that were wrong (malformed, WAMP error, unknown node) keep a live session; a timeout
        // may mean a half-dead connection, so that one reconnects like a lost session.
        if (session === null || session.closed || isRealmgateError(err, ErrorCodes.SOURCE_TIMEOUT) || isRealmgateError(err, ErrorCodes.CLOSED)) {
          dropSession();
        }
        publishDetail();
        await sleep(backoffMs(attempt++), false);
      }
    }
  }

  function dropSession(): void {
    const s = session;
    session = null;
    topo = null; // re-resolve after reconnecting: the master may have been rebuilt
    s?.destroy();
  }

  return {
    name,
    type: 'crossbar',
    start(s) {
      if (sink !== undefined || closed) return;
      sink = s;
      running = run().catch((err: unknown) => log.error({ err: describeError(err) }, 'crossbar source loop crashed'));
    },
    async close() {
      if (closed) return running;
      closed = true;
      abort.abort();
      wake?.fn();
      const s = session;
      session = null;
      await s?.close();
      await running;
    },
    destroy() {
      if (closed) return;
      closed = true;
      abort.abort();
      wake?.fn();
      session?.destroy();
      session = null;
    },
  };
}
