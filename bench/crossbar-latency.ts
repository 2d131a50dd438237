/**
 * Readiness → admission latency of the crossbar source, event path vs poll path.
 * Measures, against the simulated master on loopback, the time from the master starting the
 * last missing route (worker 2 of 2) to the source's sink receiving ready=true for the realm.
 *
 *   npx tsx bench/crossbar-latency.ts [runs=20] [pollIntervalMs=2000]
 *
 * Prints one JSON line per path: median, p90, min, max in ms.
 */
import { generateCryptosignKey } from '../src/crossbar/cryptosign.js';
import { configSchema, type CrossbarSourceConfig } from '../src/config/schema.js';
import { systemClock } from '../src/clock.js';
import { silentLogger } from '../src/logger.js';
import { createCrossbarSource } from '../src/readiness/crossbar-source.js';
import type { SourceSink } from '../src/readiness/source.js';
import { clusterWorkerIds, singleNodeMaster } from '../src/demo/cluster.js';

const runs = Number(process.argv[2] ?? 20);
const pollIntervalMs = Number(process.argv[3] ?? 2000);
const W = clusterWorkerIds(2);

function quantile(xs: number[], q: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(q * s.length))] ?? NaN;
}

async function measure(path: 'event' | 'poll'): Promise<number[]> {
  const key = generateCryptosignKey();
  const master = singleNodeMaster({ superuser: key.publicKeyHex, arealmStatus: 'STARTING' });
  const { url } = await master.listen();
  const cfg = configSchema.parse({
    upstream: { url: 'http://127.0.0.1:1' },
    readiness: {
      sources: [{
        type: 'crossbar', url, authid: 'bench', privateKeyEnv: 'K', node: 'node1', webcluster: 'cluster1',
        // Event path: a poll interval so long that only events can flip the realm during a run.
        pollIntervalMs: path === 'event' ? 3_600_000 : pollIntervalMs,
        subscribe: path === 'event',
      }],
    },
  }).readiness.sources[0] as CrossbarSourceConfig;

  let ready = false;
  let waiter: ((v: boolean) => void) | undefined;
  const observe = (realms: Readonly<Record<string, boolean>>): void => {
    if (!('realm1' in realms)) return;
    ready = realms.realm1 === true;
    waiter?.(ready);
  };
  const sink: SourceSink = { snapshot: observe, update: observe, discover: () => undefined, fail: () => undefined, detail: () => undefined };
  const until = (want: boolean): Promise<void> =>
    ready === want ? Promise.resolve() : new Promise((resolve) => { waiter = (v) => { if (v === want) { waiter = undefined; resolve(); } }; });

  const src = createCrossbarSource(cfg, { upstreamUrl: 'http://127.0.0.1:1', realms: () => [], logger: silentLogger(), clock: systemClock }, { env: { K: key.seedHex } });
  src.start(sink);
  await new Promise<void>((resolve) => { const t = setInterval(() => { if (master.sessions() > 0 && master.calls.length > 0) { clearInterval(t); resolve(); } }, 5); });
  const samples: number[] = [];
  for (let i = 0; i < runs; i++) {
    master.startRoute('node1', W[0] as string, 'realm1');
    // Random phase so the poll path is not locked to the poll timer.
    await new Promise((r) => setTimeout(r, Math.random() * (path === 'poll' ? pollIntervalMs : 50)));
    const t0 = performance.now();
    master.startRoute('node1', W[1] as string, 'realm1');
    await until(true);
    samples.push(performance.now() - t0);
    for (const w of W) master.stopRoute('node1', w, 'realm1');
    await until(false);
  }
  await src.close();
  await master.close();
  return samples;
}

for (const path of ['event', 'poll'] as const) {
  const xs = await measure(path);
  const r = (v: number): number => Math.round(v * 10) / 10;
  console.log(JSON.stringify({ path, runs: xs.length, pollIntervalMs: path === 'poll' ? pollIntervalMs : null, medianMs: r(quantile(xs, 0.5)), p90Ms: r(quantile(xs, 0.9)), minMs: r(Math.min(...xs)), maxMs: r(Math.max(...xs)) }));
}
