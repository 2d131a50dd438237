/**
 * Scenario 4 — readiness → admission through the real gate, for the event
 * path (route events on the master) and the poll path (pollIntervalMs 2000,
 * the default) of the Crossbar source: the time from the simulated master
 * starting the last missing route (worker 2 of 2) to a held client's open.
 * The master and the client live in this process; the gate is its own process.
 */
import { generateCryptosignKey } from '../../src/crossbar/cryptosign.js';
import { clusterWorkerIds, singleNodeMaster } from '../../src/demo/cluster.js';
import { realmReady, waitForStatus } from '../lib/admin.js';
import type { ProcessSet } from '../lib/procs.js';
import { median, nowMicros, quantile, round } from '../lib/stats.js';
import { startGate } from '../lib/targets.js';
import { connect } from '../load/ws-connect.js';

const W = clusterWorkerIds(2);

export interface ReadinessSummary {
  path: 'event' | 'poll';
  runs: number;
  pollIntervalMs: number | null;
  p50Ms: number;
  p90Ms: number;
  maxMs: number;
}

async function measurePath(ps: ProcessSet, upstreamPort: number, path: 'event' | 'poll', runs: number, pollIntervalMs: number, deadline: number): Promise<number[]> {
  const key = generateCryptosignKey();
  const master = singleNodeMaster({ superuser: key.publicKeyHex, arealmStatus: 'RUNNING' });
  const { url } = await master.listen();
  const gate = await startGate(ps, `realmgate-crossbar-${path}`, {
    upstream: { url: `http://127.0.0.1:${upstreamPort}` },
    realms: [{ name: 'realm1', queueTimeoutMs: 60_000 }],
    readiness: {
      sources: [{
        type: 'crossbar', url, authid: 'bench', privateKeyEnv: 'RG_BENCH_KEY', node: 'node1', webcluster: 'cluster1',
        // Event path: a poll so rare that only route events can flip the realm during a run.
        pollIntervalMs: path === 'event' ? 3_600_000 : pollIntervalMs,
        subscribe: path === 'event',
      }],
    },
  }, { RG_BENCH_KEY: key.seedHex });
  const samples: number[] = [];
  try {
    await waitForStatus(gate.adminUrl, (s) => s.sources.every((x) => x.lastSuccess !== null), 15_000);
    for (let i = 0; i < runs && Date.now() < deadline; i++) {
      master.startRoute('node1', W[0]!, 'realm1');
      const client = connect(`${gate.url}/ws?realm=realm1`, false, 'realm1');
      client.catch(() => undefined);
      await waitForStatus(gate.adminUrl, (s) => s.queues.total === 1, 10_000, 10);
      // Random phase so the poll path is not locked to the poll timer.
      await new Promise((r) => setTimeout(r, Math.random() * (path === 'poll' ? pollIntervalMs : 50)));
      const t0 = nowMicros();
      master.startRoute('node1', W[1]!, 'realm1');
      const ws = await client;
      samples.push((nowMicros() - t0) / 1000);
      ws.terminate();
      for (const w of W) master.stopRoute('node1', w, 'realm1');
      const until = Date.now() + pollIntervalMs * 3 + 5000;
      while (Date.now() < until && (await realmReady(gate.adminUrl, 'realm1'))) await new Promise((r) => setTimeout(r, 20));
    }
  } finally {
    await gate.child.stop();
    await master.close();
  }
  return samples;
}

export async function runReadinessScenario(
  ps: ProcessSet,
  upstreamPort: number,
  opts: { eventRuns: number; pollRuns: number; pollIntervalMs: number; deadline: number; log: (s: string) => void },
): Promise<ReadinessSummary[]> {
  const out: ReadinessSummary[] = [];
  for (const path of ['event', 'poll'] as const) {
    try {
      const xs = await measurePath(ps, upstreamPort, path, path === 'event' ? opts.eventRuns : opts.pollRuns, opts.pollIntervalMs, opts.deadline);
      out.push({
        path,
        runs: xs.length,
        pollIntervalMs: path === 'poll' ? opts.pollIntervalMs : null,
        p50Ms: round(median(xs), 1),
        p90Ms: round(quantile(xs, 0.9), 1),
        maxMs: round(Math.max(...xs), 1),
      });
      opts.log(`readiness ${path}: ${JSON.stringify(out.at(-1))}`);
    } catch (err) {
      opts.log(`readiness ${path}: ${(err as Error).message}`);
    }
  }
  return out;
}
