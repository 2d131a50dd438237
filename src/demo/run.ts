/**
 * `realmgate demo` (`npm start`): the Crossbar "no_such_realm" incident, replayed in one process.
 *
 * A simulated Crossbar node (proxy transport with 2 workers + master API, src/demo/cluster.ts)
 * comes up without routes for realm1; the arealm monitor adds them on worker 0 at 3/8 of the
 * duration and on worker 1 at 1/2 (3 s and 4 s by default). realmgate runs in front with the
 * `crossbar` source. Over the first 5/8 of the duration, pairs of autobahn-js clients connect at
 * the same moment, one straight to the proxy transport and one through realmgate. It prints a
 * timeline and the verdict, and returns 0 — or 1 when a client through realmgate was refused or
 * never joined (the demo doubles as a check), or the options are invalid.
 */
import { randomBytes } from 'node:crypto';
import { destination, pino } from 'pino';
import { describeError } from '../errors.js';
import { createRealmgate } from '../realmgate.js';
import { CLUSTER, SimulatedCluster } from './cluster.js';
import { gateConfigFor } from './gate-config.js';
import { startPairs, type PairResults } from './pairs.js';
import { seconds, Timeline, verdictLine } from './timeline.js';
import { DEMO_SERIALIZERS, type DemoSerializer } from './wamp-client.js';

export interface DemoOptions {
  /** Clients on each path (direct and through realmgate), connecting in pairs; default 20, 1..500. */
  clients?: number | undefined;
  /** Length of the scenario, ms; default 8000, at least 2000. Routes appear at 3/8 and 1/2 of it. */
  durationMs?: number | undefined;
  /** `json` (default), `msgpack` or `cbor`. */
  serializer?: string | undefined;
  /**
   * Leave the simulated cluster and the gate running after the verdict until this resolves
   * (main.ts: on Ctrl-C / SIGTERM), so a newcomer can curl the admin port; default: exit at once.
   */
  keepUntil?: Promise<unknown> | undefined;
  /** `websocket` (default) or `rawsocket` (autobahn-js's Node RawSocket transport, json only). */
  transport?: string | undefined;
  /** Where the timeline goes; default process.stdout. */
  write?: ((text: string) => void) | undefined;
}

const REALM = 'realm1';
const PROCEDURE = 'com.example.demo.add2';

/** Runs the demo; resolves with the process exit code (0 ok, 1 a gated client failed or bad options). */
export async function runDemo(opts: DemoOptions): Promise<number> {
  const write = opts.write ?? ((text: string) => void process.stdout.write(text));
  const clients = opts.clients ?? 20;
  const durationMs = opts.durationMs ?? 8000;
  const serializer = (opts.serializer ?? 'json') as DemoSerializer;
  const transport = opts.transport ?? 'websocket';
  const problem =
    !Number.isInteger(clients) || clients < 1 || clients > 500 ? `--clients must be an integer 1..500 (got ${String(opts.clients)})`
    : !Number.isInteger(durationMs) || durationMs < 2000 || durationMs > 600_000 ? `--duration-ms must be an integer 2000..600000 (got ${String(opts.durationMs)})`
    : !DEMO_SERIALIZERS.includes(serializer) ? `--serializer must be one of ${DEMO_SERIALIZERS.join(', ')} (got ${String(opts.serializer)})`
    : transport !== 'websocket' && transport !== 'rawsocket' ? `--transport must be websocket or rawsocket (got ${transport})`
    : transport === 'rawsocket' && serializer !== 'json' ? `--transport rawsocket speaks json only (autobahn-js's RawSocket client has no other serializer)`
    : null;
  if (problem !== null) {
    process.stderr.write(`realmgate demo: ${problem}\n`);
    return 1;
  }

  const cluster = new SimulatedCluster({ workers: 2, realms: [REALM] });
  // The gate reads its key from the environment, as in production; a per-run name, removed at the end.
  const keyEnv = `REALMGATE_DEMO_KEY_${randomBytes(4).toString('hex').toUpperCase()}`;
  process.env[keyEnv] = cluster.key.seedHex;
  // The gate's own logs stay quiet (warn and above, on stderr) so the timeline reads cleanly.
  const logger = pino({ level: 'warn', base: { name: 'realmgate' } }, destination({ dest: 2, sync: true }));
  let gate: Awaited<ReturnType<typeof createRealmgate>> | undefined;
  let results: PairResults | undefined;
  try {
    await cluster.listen();
    cluster.proxy.router.register(REALM, PROCEDURE, (args) => ({ args: [Number(args[0]) + Number(args[1])] }));
    gate = await createRealmgate(gateConfigFor(cluster, { privateKeyEnv: keyEnv, realms: [REALM], queueTimeoutMs: durationMs + 5000 }), { logger });
    const { listen, admin } = await gate.start();
    // RawSocket: the same ports (the proxy's and the gate's are universal: first octet 0x7F).
    const rawsocket = transport === 'rawsocket';
    const gateUrl = rawsocket ? `tcp://127.0.0.1:${listen.port}` : `ws://127.0.0.1:${listen.port}/ws`;
    const directUrl = rawsocket ? `tcp://127.0.0.1:${new URL(cluster.proxyWsUrl).port}` : cluster.proxyWsUrl;
    const adminUrl = `http://127.0.0.1:${admin.port}`;
    await sourceUp(gate, 10_000);

    const route0At = Math.round(durationMs * 0.375);
    const route1At = Math.round(durationMs * 0.5);
    const spreadMs = durationMs * 0.625;
    write(`realmgate demo: simulated Crossbar node "${CLUSTER.node}", webcluster "${CLUSTER.webcluster}", ${cluster.workers} proxy workers, realm "${REALM}"\n`);
    write(`  proxy transport  ${directUrl}  (simulated Crossbar: ABORT no_such_realm until the realm is routed)\n`);
    write(`  master API       ${cluster.masterUrl}  (simulated, WAMP-cryptosign)\n`);
    write(`  realmgate        ${gateUrl}  (realm from HELLO, readiness from the crossbar source)\n`);
    write(`  realmgate admin  ${adminUrl}  (/health/ready, /metrics, /status${opts.keepUntil ? '' : '; pass --keep to keep it running after the demo'})\n`);
    write(`${clients} pairs of autobahn-js ${rawsocket ? 'RawSocket' : 'WebSocket'} clients (${serializer}): one direct, one through realmgate, at the same moments over the first ${seconds(spreadMs)} s\n\n`);

    // Lines are held 400 ms so a pair's line (stamped when it connected) still prints in time order.
    const timeline = new Timeline(write, performance.now(), 400);
    timeline.line(`master: realm "${REALM}" has no routes yet; realmgate holds its clients, the proxy transport refuses them`);
    const stopRouteWatch = cluster.onRoute((e) => {
      const routed = Array.from({ length: cluster.workers }, (_, i) => cluster.master.routes(CLUSTER.node, cluster.proxy.workerId(i)).includes(e.realm)).filter(Boolean).length;
      timeline.line(`master: route for "${e.realm}" ${e.started ? 'started' : 'stopped'} on proxy worker ${e.worker} (${routed} of ${cluster.workers} workers routed)`);
    });
    const onChange = (c: { realm: string; ready: boolean; source: string | null }): void => {
      // Runs before the gate's own listener releases the queue (prependListener), so depth is what is held.
      const held = gate?.admission.depth(c.realm) ?? 0;
      timeline.line(c.ready
        ? `realmgate: realm "${c.realm}" ready (${c.source ?? 'sources'}: every worker routed) - releasing ${held} held client${held === 1 ? '' : 's'}`
        : `realmgate: realm "${c.realm}" not ready any more - new clients are held`);
    };
    gate.registry.prependListener('change', onChange);
    const timers = [
      setTimeout(() => cluster.startRoute(REALM, 0), route0At),
      setTimeout(() => cluster.startRoute(REALM, 1), route1At),
    ];
    results = startPairs({ timeline, clients, spreadMs, serializer, realm: REALM, procedure: PROCEDURE, directUrl, gateUrl });
    try {
      await results.settled(durationMs + 10_000);
      const left = durationMs - (performance.now() - timeline.t0);
      if (left > 0) await new Promise((r) => setTimeout(r, left));
    } finally {
      timers.forEach(clearTimeout);
      stopRouteWatch();
      results.closeAll();
      gate.registry.off('change', onChange);
    }
    const tally = results.tally();
    write('\n');
    timeline.plain(verdictLine(tally));
    if (opts.keepUntil) {
      write(`\nstill running (--keep): try\n  curl -s ${adminUrl}/health/ready\n  curl -s ${adminUrl}/metrics | grep ^realmgate_\n  curl -s ${adminUrl}/status\n` +
        `  clients: ${gateUrl} (realm "${REALM}") through realmgate, ${cluster.proxyWsUrl} direct\nCtrl-C stops it.\n`);
      await opts.keepUntil;
    }
    return tally.gatedRefused > 0 || tally.gatedMissing > 0 ? 1 : 0;
  } catch (err) {
    process.stderr.write(`realmgate demo: ${describeError(err)}\n`);
    return 1;
  } finally {
    results?.closeAll();
    await gate?.close().catch(() => gate?.destroy());
    await cluster.close();
    cluster.destroy();
    delete process.env[keyEnv];
  }
}

/** Waits for the crossbar source's first answer, so t+0 is a gate that knows the cluster. */
async function sourceUp(gate: Awaited<ReturnType<typeof createRealmgate>>, timeoutMs: number): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  while (!gate.registry.sources().some((s) => s.up)) {
    if (performance.now() > deadline) throw new Error(`the crossbar source did not reach the simulated master within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 20));
  }
}
