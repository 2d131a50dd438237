/**
 * Diagnosis, not a benchmark: the release of N held clients (scenario 3) by two gate builds, in
 * alternating repetitions against one echo upstream and one load client, so that the machine's
 * drift between runs falls on both alike. Prints each repetition and the medians of release ms
 * and gate CPU µs per admitted client (all threads, and the main thread alone).
 *
 *   node --import tsx bench/ab-release.ts A/main.js B/main.js [upgrade|peek] [n=2000] [reps=6]
 *
 * AB_UPSTREAM_A / AB_UPSTREAM_B: JSON of more `upstream` keys for one side, e.g. '{"maxConnecting":512}'.
 *
 * n above (fd limit − ~30) / 2 leaves clients waiting on EMFILE (see bench/README.md, limits).
 */
import { LoadDriver } from './lib/load-driver.js';
import { ProcessSet } from './lib/procs.js';
import { median, round } from './lib/stats.js';
import { startUpstream } from './lib/targets.js';
import { holdOnce, type HoldMode } from './scenarios/held.js';

const [mainA, mainB, mode = 'upgrade', n = '2000', reps = '6'] = process.argv.slice(2);
if (!mainA || !mainB) throw new Error('usage: ab-release.ts A/main.js B/main.js [upgrade|peek] [n] [reps]');
const ps = new ProcessSet();
try {
  const upstream = await startUpstream(ps);
  const load = await LoadDriver.start(ps);
  const runs: Record<'A' | 'B', { ms: number; usPerClient: number; mainUsPerClient: number }[]> = { A: [], B: [] };
  for (let rep = 0; rep < Number(reps); rep++) {
    // ABBA order: neither build always runs first after the other's teardown.
    for (const side of (rep % 2 === 0 ? ['A', 'B'] : ['B', 'A']) as ('A' | 'B')[]) {
      process.env.RG_BENCH_MAIN = side === 'A' ? mainA : mainB;
      const r = await holdOnce(ps, load, { port: upstream.port, pid: upstream.child.pid }, mode as HoldMode, Number(n), JSON.parse(process.env[`AB_UPSTREAM_${side}`] ?? '{}') as Record<string, unknown>);
      const usPerClient = (r.releaseCpuMs.gate * 1000) / r.admitted;
      const mainUsPerClient = (r.gateMainThreadMs * 1000) / r.admitted;
      runs[side].push({ ms: r.releaseMs, usPerClient, mainUsPerClient });
      console.log(JSON.stringify({ rep, side, releaseMs: round(r.releaseMs, 1), admitted: r.admitted, stillWaiting: r.stillWaiting, cpuMs: r.releaseCpuMs, gateMainThreadMs: r.gateMainThreadMs }));
    }
  }
  const sum = (s: 'A' | 'B') => ({
    releaseMs: round(median(runs[s].map((r) => r.ms)), 1),
    gateUsPerClient: round(median(runs[s].map((r) => r.usPerClient)), 1),
    gateMainThreadUsPerClient: round(median(runs[s].map((r) => r.mainUsPerClient)), 1),
  });
  console.log(JSON.stringify({ mode, n: Number(n), A: sum('A'), B: sum('B') }));
} finally {
  ps.killAll();
}
process.exit(0);
