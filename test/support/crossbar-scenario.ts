/**
 * A Crossbar scenario on the simulator: a SimulatedCluster (node1, two proxy workers sharing a
 * port, the master API), realmgate in front of it in HELLO mode with the `crossbar` source, and
 * autobahn-js clients arriving throughout, through the gate (and optionally directly, at the
 * same moments). Each client joins once (no retry) and calls a procedure. Used by the scenario
 * tests (one per file) and scripts/measure/crossbar-scenarios.ts.
 */
import { performance } from 'node:perf_hooks';
import { SimulatedCluster, type NodeTiming } from '../../src/demo/cluster.js';
import { joinOnce } from '../../src/demo/wamp-client.js';
import { parseConfig } from '../../src/config/load.js';
import { createRealmgate, type Realmgate } from '../../src/realmgate.js';
import { silentLogger, type Logger } from '../../src/logger.js';

export const REALM = 'realm1';
export const PROCEDURE = 'com.example.add';

/** Shortened lifecycle timings (the measured ones are in MEASURED_TIMING), so a scenario runs in seconds. */
export const SHORT_TIMING: Partial<NodeTiming> = {
  offlineAfterMs: 300,
  procedureDelayMs: 300,
  workerStartMs: 300,
  routeDelayMs: 1500,
  restartRouteDelayMs: 800,
  readdDelayMs: 1500,
  routeSpreadMs: 20,
};

export interface ScenarioOptions {
  /** Clients through the gate (and as many direct ones when `direct`). */
  clients: number;
  /** Arrivals spread evenly over this many ms from the start of the script. */
  spreadMs: number;
  /** false: discovery mode (`realms: []`), the arealm found by the source. Default true. */
  listRealm?: boolean;
  /** Node not started yet, arealm STOPPED (call startNode/startArealm in the script). */
  fresh?: boolean;
  timing?: Partial<NodeTiming>;
  partial?: 'hold' | 'readmit';
  queueTimeoutMs?: number;
  /** Also connect a direct client at each arrival moment (no gate). */
  direct?: boolean;
  /** Arealms of the webcluster (default [realm1]); clients join `clientRealm` (default realm1). */
  arealms?: string[];
  clientRealm?: string;
  /** Arealms to leave STOPPED at the start (start them with cluster.startArealm). */
  stopped?: string[];
  /** Extra crossbar source keys (pollIntervalMs, nodeCheckIntervalMs, …). */
  source?: Record<string, unknown>;
  logger?: Logger;
}

/**
 * `refused`: a WAMP ABORT before joining; `lost`: closed before joining without a WAMP answer
 * (e.g. tunnelled to a closed port); `cut`: joined, then the session died under the call (the
 * node process stopped while the client was in session - no gate can prevent that).
 */
export type ClientResult =
  | { kind: 'ok'; arrivedAt: number; doneAt: number; worker: string | null }
  | { kind: 'refused' | 'lost' | 'cut'; arrivedAt: number; doneAt: number; reason: string };

export interface ScenarioResult {
  gate: ClientResult[];
  direct: ClientResult[];
  /** Per realm transition seen by the gate: performance.now() ms. */
  changes: { at: number; ready: boolean }[];
  /** Route started/stopped events published by the master (performance.now() ms). */
  routes: { at: number; started: boolean; worker: string }[];
  /** Every master call (performance.now() ms), including the scenario's own idle period. */
  calls: number[];
  /** Marks set by the script (e.g. `node-stop`). */
  marks: Map<string, number>;
  startedAt: number;
  endedAt: number;
}

export interface Harness {
  cluster: SimulatedCluster;
  gate: Realmgate;
  gateUrl: string;
  adminUrl: string;
  mark(name: string): void;
  /** Resolves when every client launched so far has finished. */
  settled(): Promise<void>;
}

export function counts(r: ClientResult[]): { ok: number; refused: number; lost: number; cut: number } {
  const n = (k: ClientResult['kind']): number => r.filter((c) => c.kind === k).length;
  return { ok: n('ok'), refused: n('refused'), lost: n('lost'), cut: n('cut') };
}

/** One client: join once, call, leave. A WAMP ABORT is a refusal; anything else that is not a result is lost. */
async function oneClient(url: string, realm: string): Promise<ClientResult> {
  const arrivedAt = performance.now();
  const r = await joinOnce(url, realm, 'json');
  if (r.kind === 'refused') {
    const refused = r.reason !== null && r.reason.startsWith('wamp.error.');
    return { kind: refused ? 'refused' : 'lost', arrivedAt, doneAt: performance.now(), reason: `${r.reason ?? 'closed'}${r.message ? `: ${r.message}` : ''}` };
  }
  try {
    const sum = await Promise.race([
      r.session.call<number>(PROCEDURE, [2, 3]),
      new Promise<never>((_res, rej) => setTimeout(() => rej(new Error('call timed out')), 3000).unref()),
    ]);
    if (sum !== 5) throw new Error(`wrong result ${String(sum)}`);
    return { kind: 'ok', arrivedAt, doneAt: performance.now(), worker: r.worker };
  } catch (err) {
    return { kind: 'cut', arrivedAt, doneAt: performance.now(), reason: `joined, then the call failed: ${String((err as Error)?.message ?? err)}` };
  } finally {
    r.close();
  }
}

/**
 * Runs `script` against a fresh cluster and gate while clients arrive; resolves when the script
 * and every client are done. Everything is torn down before returning.
 */
export async function runScenario(opts: ScenarioOptions, script: (h: Harness) => Promise<void>): Promise<ScenarioResult> {
  const cluster = new SimulatedCluster({
    // Random worker choice, as SO_REUSEPORT looks to clients: round-robin would let the gate's own
    // re-admissions decide which worker the direct clients meet.
    spread: 'random',
    workers: 2, realms: opts.arealms ?? [REALM], timing: { ...SHORT_TIMING, ...opts.timing },
    ...(opts.fresh ? { fresh: true, arealmStatus: 'STOPPED' } : {}),
  });
  const calls: number[] = [];
  cluster.master.on('call', () => calls.push(performance.now()));
  const routes: ScenarioResult['routes'] = [];
  cluster.onRoute((e) => routes.push({ at: performance.now(), started: e.started, worker: e.worker }));
  let gate: Realmgate | undefined;
  const envName = `RG_SCENARIO_KEY_${process.pid}_${Math.floor(Math.random() * 1e9)}`;
  try {
    await cluster.listen();
    const arealms = opts.arealms ?? [REALM];
    for (const a of arealms) cluster.proxy.router.register(a, PROCEDURE, (args) => ({ args: [Number(args[0]) + Number(args[1])] }));
    for (const a of opts.stopped ?? []) cluster.master.setArealmStatus(a, 'STOPPED');
    if (!opts.fresh) {
      for (const a of arealms.filter((x) => !(opts.stopped ?? []).includes(x))) for (let i = 0; i < cluster.workers; i++) cluster.startRoute(a, i);
    }
    const clientRealm = opts.clientRealm ?? REALM;
    process.env[envName] = cluster.key.seedHex;
    const config = parseConfig(JSON.stringify({
      listen: { host: '127.0.0.1', port: 0 },
      admin: { host: '127.0.0.1', port: 0 },
      upstream: { url: cluster.proxyUrl },
      realms: opts.listRealm === false ? [] : [{ name: REALM }],
      realmFrom: ['hello'],
      defaults: { queueTimeoutMs: opts.queueTimeoutMs ?? 20_000 },
      shutdown: { delayMs: 0, drainTimeoutMs: 1000 },
      readiness: {
        partial: opts.partial ?? 'readmit',
        sources: [{ type: 'crossbar', url: cluster.masterUrl, authid: 'realmgate', privateKeyEnv: envName, node: 'node1', webcluster: 'cluster1', ...opts.source }],
      },
    }), { env: process.env });
    gate = await createRealmgate(config, { logger: opts.logger ?? silentLogger() });
    const changes: ScenarioResult['changes'] = [];
    gate.registry.on('change', (c) => { if (c.realm === clientRealm) changes.push({ at: performance.now(), ready: c.ready }); });
    const { listen, admin } = await gate.start();
    const gateUrl = `ws://127.0.0.1:${listen.port}/ws`;
    const g = gate;
    // t=0 is a gate whose source has answered once (as the demo does).
    await waitFor(() => g.registry.sources()[0]!.lastSuccess !== null, 'the crossbar source to answer', 10_000);

    const marks = new Map<string, number>();
    const gateResults: Promise<ClientResult>[] = [];
    const directResults: Promise<ClientResult>[] = [];
    const startedAt = performance.now();
    const timers: NodeJS.Timeout[] = [];
    const launched = new Promise<void>((resolve) => {
      if (opts.clients === 0) return resolve();
      for (let i = 0; i < opts.clients; i++) {
        const at = opts.clients === 1 ? 0 : (opts.spreadMs * i) / (opts.clients - 1);
        timers.push(setTimeout(() => {
          gateResults.push(oneClient(gateUrl, clientRealm));
          if (opts.direct) directResults.push(oneClient(cluster.proxyWsUrl, clientRealm));
          if (gateResults.length === opts.clients) resolve();
        }, at));
      }
    });
    const h: Harness = {
      cluster, gate: g, gateUrl, adminUrl: `http://127.0.0.1:${admin.port}`,
      mark: (name) => marks.set(name, performance.now()),
      settled: async () => { await Promise.all([...gateResults, ...directResults]); },
    };
    await Promise.all([script(h), launched]);
    const gateDone = await Promise.all(gateResults);
    const directDone = await Promise.all(directResults);
    for (const t of timers) clearTimeout(t);
    return { gate: gateDone, direct: directDone, changes, routes, calls, marks, startedAt, endedAt: performance.now() };
  } finally {
    gate?.destroy();
    cluster.destroy();
    delete process.env[envName];
  }
}

export async function waitFor(check: () => boolean, what: string, timeoutMs: number): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  while (!check()) {
    if (performance.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

/** What failed, for an assertion message. */
export function failures(r: ClientResult[]): string {
  return r.filter((c) => c.kind !== 'ok').map((c) => `${c.kind} at +${Math.round(c.arrivedAt)}: ${'reason' in c ? c.reason : ''}`).join('; ');
}
