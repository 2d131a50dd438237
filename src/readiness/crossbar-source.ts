import type { Timer } from '../clock.js';
import type { CrossbarSourceConfig } from '../config/schema.js';
import { connectManagement, type EventHandler, type ManagementSession } from '../crossbar/management-client.js';
import { arealmEventOid, isAboutNode, MrealmTopics, workerEventPattern, WorkerEvents } from '../crossbar/node-events.js';
import { arealmOfWebcluster, discoverArealms, isNodeGone, pollWorker, readNodeStatus, resolveTopology, type NodeTopology } from '../crossbar/node-poller.js';
import { NodeView, type NodeState } from '../crossbar/node-view.js';
import { loadPrivateKey, type LoadedKey } from '../crossbar/private-key.js';
import { parseWorkerEventTopic, routeEventRealm } from '../crossbar/proxy-routes.js';
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

/** Poll interval while the node is offline or unreachable (bounded by pollIntervalMs). */
const DOWN_POLL_MS = 500;
/** The master publishes on_tick every 5 s; ticks newer than this prove the event path works. */
const TICK_HEALTHY_MS = 12_500;

/**
 * `type: crossbar`: follows one Crossbar node through the master management API.
 *
 *   connect (cryptosign) → subscribe (route, worker, node, arealm events; on_tick) → ┐
 *   ┌────────────────────────────────────────────────────────────────────────────────┘
 *   └→ full poll: node status, then per worker get_worker + get_proxy_routes (+ discovery)
 *      between full polls: node status only, every nodeCheckIntervalMs
 *      events: apply at once (route started/stopped, worker restarted, node down, arealm starting)
 *
 * Answers are knowledge, whatever they say: a node that is `offline`, or whose `remote.*` calls
 * answer `no_such_procedure`, serves nothing — every realm is reported NOT ready (a snapshot,
 * not a failure, so `onStale` never keeps it ready) and the node is polled again every
 * min(pollIntervalMs, 500 ms) without backoff. Backoff (capped, jittered) is only for a master
 * that does not answer: unreachable, timed out, session lost.
 */
export function createCrossbarSource(cfg: CrossbarSourceConfig, ctx: SourceContext, deps: CrossbarSourceDeps = {}): ReadinessSource {
  const name = deps.name ?? cfg.name ?? 'crossbar';
  const log = ctx.logger.child({ source: name });
  const clock = ctx.clock;
  const random = deps.random ?? Math.random;
  const warnEveryMs = deps.warnEveryMs ?? 30_000;
  const discovering = deps.discover !== false;
  const discoverEveryMs = deps.discoverEveryMs ?? Math.max(cfg.pollIntervalMs, 10_000);
  const downPollMs = Math.min(cfg.pollIntervalMs, DOWN_POLL_MS);
  const safetyPollMs = Math.max(cfg.pollIntervalMs, cfg.safetyPollIntervalMs);
  const connect = deps.connect ?? connectManagement;
  const abort = new AbortController();
  const view = new NodeView(cfg.roles);

  let sink: SourceSink | undefined;
  let key: LoadedKey | undefined;
  let session: ManagementSession | null = null;
  let topo: NodeTopology | null = null;
  let lastDiscovery = -Infinity;
  let lastFullPoll = -Infinity;
  let lastTickAt = -Infinity;
  let closed = false;
  let running: Promise<void> | undefined;
  let failures = 0;
  let lastWarnAt = -Infinity;
  let kickPending = false;
  let wake: { fn: () => void; kickable: boolean } | null = null;

  function sleep(ms: number, kickable: boolean): Promise<void> {
    return new Promise((resolve) => {
      if (closed || (kickable && kickPending)) return resolve();
      const timer: Timer = clock.setTimeout(() => done(), Math.max(0, ms));
      const done = (): void => {
        clock.clearTimeout(timer);
        wake = null;
        resolve();
      };
      wake = { fn: done, kickable };
    });
  }

  /** Asks for a full poll now (after an event); during backoff the kick waits for the backoff. */
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

  function eventsHealthy(): boolean {
    return cfg.subscribe && session !== null && clock.now() - lastTickAt <= TICK_HEALTHY_MS;
  }

  /** How long until the next full poll is due: fast while the node is down, slow when events carry it. */
  function fullPollEveryMs(): number {
    if (view.state !== 'online') return downPollMs;
    return view.settled(ctx.realms()) && eventsHealthy() ? safetyPollMs : cfg.pollIntervalMs;
  }

  function publishDetail(): void {
    const o = view.observe(ctx.realms());
    sink?.detail({
      node: cfg.node,
      nodeOid: topo?.nodeOid ?? null,
      nodeState: view.state,
      webcluster: cfg.webcluster,
      webclusterOid: topo?.webclusterOid ?? null,
      workers: view.workers().map((w) => ({ id: w.id, status: w.status, routes: w.routes })),
      partial: o.partial,
      ...(discovering ? { holdUnknown: o.holdUnknown, discovered: [...view.discovered] } : {}),
      connected: session !== null && !session.closed,
      eventsHealthy: eventsHealthy(),
      url: cfg.url,
    });
  }

  /** Writes what the node view knows now: detail, partial/hold hints, then the complete answer. */
  function publish(): void {
    if (sink === undefined) return;
    const o = view.observe(ctx.realms());
    // Detail first: when a realm flips, /status already shows the workers that made it flip.
    publishDetail();
    sink.partial?.(o.partial);
    if (discovering) sink.holdUnknown?.(o.holdUnknown);
    sink.snapshot(o.realms);
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

  /** The node serves nothing (or we cannot know what it serves): every realm not ready, at once. */
  function nodeDown(state: Exclude<NodeState, 'online' | 'unknown'>, why: string): void {
    if (view.down(state)) {
      log.warn({ node: cfg.node, nodeState: state }, `crossbar node "${cfg.node}" is ${state} (${why}): realms it serves are not ready`);
    }
    publish();
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
      forget();
      if (closed) return;
      reportFailure(new RealmgateError(ErrorCodes.SOURCE_FAILED, reason));
      publishDetail();
      kick();
    });
    session = s;
    if (cfg.subscribe) {
      try {
        await subscribeAll(s);
      } catch (err) {
        // A session without its subscriptions would silently lose the fast path: start over.
        dropSession();
        throw err;
      }
    }
    log.info({ url: cfg.url, realm: cfg.realm, authid: cfg.authid, node: cfg.node }, 'crossbar master session established');
    return s;
  }

  async function subscribeAll(s: ManagementSession): Promise<void> {
    const onWorker: EventHandler = (args, _kw, topic) => onWorkerEvent(args, topic);
    for (const ev of WorkerEvents) await s.subscribe(workerEventPattern(cfg.node, ev), onWorker, 'wildcard');
    await s.subscribe(MrealmTopics.nodeShutdown, (args) => {
      if (isAboutNode(args, topo?.nodeOid ?? null, cfg.node)) nodeDown('offline', 'on_node_shutdown');
      kick();
    });
    await s.subscribe(MrealmTopics.nodeReady, (args) => {
      if (isAboutNode(args, topo?.nodeOid ?? null, cfg.node)) kick();
    });
    await s.subscribe(MrealmTopics.tick, () => {
      lastTickAt = clock.now();
    });
    if (discovering) {
      await s.subscribe(MrealmTopics.arealmStarting, (args) => onArealmEvent(args));
      await s.subscribe(MrealmTopics.arealmStarted, (args) => onArealmEvent(args));
    }
  }

  function onWorkerEvent(args: unknown[], topic: string): void {
    const t = parseWorkerEventTopic(topic);
    // Another node's workers do not serve our clients (the pattern already names our node).
    if (t === null || t.nodeAuthid !== cfg.node) return;
    if (t.event === 'on_worker_ready') {
      if (view.workerRestarted(t.workerId)) {
        log.info({ worker: t.workerId }, 'proxy worker (re)started: it has no routes until the master re-adds them');
        publish();
      }
      return kick();
    }
    const realm = routeEventRealm(args[0]);
    if (realm === null) return;
    const started = t.event === 'on_proxy_route_started';
    const ready = view.applyRouteEvent(t.workerId, realm, started, (args[0] as { config?: unknown }).config);
    log.debug({ worker: t.workerId, realm, started, ready }, 'proxy route event');
    if (ready !== undefined) publish();
    kick();
  }

  /** `on_arealm_starting` carries only an OID: resolve it, and guard the realm from now on. */
  function onArealmEvent(args: unknown[]): void {
    const oid = arealmEventOid(args);
    const s = session;
    const t = topo;
    if (oid === null || s === null || t === null) return kick();
    arealmOfWebcluster((p, a) => s.call(p, a), oid, t.webclusterOid).then(
      (arealm) => {
        if (arealm === null || closed || !view.addDiscovered(arealm)) return;
        log.info({ realm: arealm, oid }, `arealm "${arealm}" is starting on this webcluster: guarded from now on`);
        sink?.discover(view.discovered);
        publish();
      },
      (err: unknown) => {
        log.debug({ oid, err: describeError(err) }, 'could not resolve a starting arealm; the next discovery will');
        lastDiscovery = -Infinity;
        kick();
      },
    );
  }

  /** node status, then every worker; a node that is gone is reported, not thrown. */
  async function pollFull(s: ManagementSession): Promise<void> {
    const call = (procedure: string, args?: unknown[]): Promise<unknown> => s.call(procedure, args);
    const epoch = view.epoch;
    let status: string | null;
    if (topo === null) {
      topo = await resolveTopology(call, cfg.node, cfg.webcluster);
      view.setWorkerIds(topo.workerIds);
      status = topo.status;
      log.info({ nodeOid: topo.nodeOid, webclusterOid: topo.webclusterOid, workers: topo.workerIds }, 'crossbar node resolved');
    } else {
      status = await readNodeStatus(call, cfg.node);
    }
    lastFullPoll = clock.now();
    if (status !== null && status !== 'online') return nodeDown('offline', `master says status "${status}"`);
    const t = topo;
    const seqAtStart = view.seqs();
    let polled;
    try {
      polled = await Promise.all(t.workerIds.map((id) => pollWorker(call, t.nodeOid, id, cfg.roles)));
    } catch (err) {
      if (isNodeGone(err)) return nodeDown('unreachable', 'its remote procedures answer no_such_procedure');
      throw err;
    }
    // A node-down event during the poll wins: the answers may predate it.
    if (view.epoch !== epoch && view.state !== 'unknown') {
      kickPending = true;
      return;
    }
    if (view.state !== 'online') {
      if (view.state !== 'unknown') log.info({ node: cfg.node }, `crossbar node "${cfg.node}" answers again; realms turn ready as its workers get their routes`);
      view.online();
    }
    if (view.applyPoll(polled, seqAtStart)) kickPending = true;
    if (discovering && clock.now() - lastDiscovery >= discoverEveryMs) {
      view.setDiscovered(await discoverArealms(call, t.webclusterOid));
      lastDiscovery = clock.now();
      sink?.discover(view.discovered);
    }
    publish();
  }

  /** Between full polls: only the node's status, so a stopped node is seen within ~0.5 s. */
  async function checkNode(s: ManagementSession): Promise<void> {
    const status = await readNodeStatus((p, a) => s.call(p, a), cfg.node);
    if (status !== null && status !== 'online') nodeDown('offline', `master says status "${status}"`);
  }

  async function run(): Promise<void> {
    let attempt = 0;
    while (!closed) {
      const full = kickPending || view.state !== 'online' || clock.now() - lastFullPoll >= fullPollEveryMs() - 1;
      kickPending = false;
      try {
        const s = session ?? (await establish());
        if (full) await pollFull(s);
        else await checkNode(s);
        if (failures > 0) log.info({ after: failures }, 'crossbar master: polling recovered');
        failures = 0;
        attempt = 0;
        await sleep(nextDelayMs(), true);
      } catch (err) {
        if (closed) break;
        reportFailure(err);
        // Only a master that does not answer (unreachable, timed out, session lost) is backed off;
        // an answered error (malformed, unknown node, WAMP error) is retried at the poll cadence.
        if (session === null || session.closed || isRealmgateError(err, ErrorCodes.SOURCE_TIMEOUT) || isRealmgateError(err, ErrorCodes.CLOSED)) {
          dropSession();
          publishDetail();
          await sleep(backoffMs(attempt++), false);
        } else {
          publishDetail();
          await sleep(view.state === 'offline' || view.state === 'unreachable' ? downPollMs : cfg.pollIntervalMs, true);
        }
      }
    }
  }

  function nextDelayMs(): number {
    const untilFull = lastFullPoll + fullPollEveryMs() - clock.now();
    if (view.state !== 'online' || cfg.nodeCheckIntervalMs === 0) return untilFull;
    return Math.min(untilFull, cfg.nodeCheckIntervalMs);
  }

  /** The master session is gone: what we knew about workers may be stale by the time we are back. */
  function forget(): void {
    view.down('unknown');
    topo = null; // re-resolve after reconnecting: the master may have been rebuilt
    lastTickAt = -Infinity;
    lastFullPoll = -Infinity;
  }

  function dropSession(): void {
    const s = session;
    session = null;
    forget();
    s?.destroy();
  }

  return {
    name,
    type: 'crossbar',
    start(s) {
      if (sink !== undefined || closed) return;
      sink = s;
      // Until the first answer nothing can be classified: hold realms we do not know yet.
      if (discovering) sink.holdUnknown?.(true);
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
