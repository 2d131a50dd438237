/**
 * The crossbar scenarios (node restart, a 30 s node outage, fresh start in discovery mode, route
 * stop and re-add, master restart, partly routed workers) on the simulator, with autobahn-js
 * clients arriving throughout through realmgate (HELLO mode) and, where it says so, directly.
 * Prints per scenario: refused, lost, max hold, node stop → not ready, last route → ready, and
 * master calls per second; then the steady-state master load of one sidecar.
 *
 * Usage: npx tsx scripts/measure/crossbar-scenarios.ts [--quick]   (--quick: 3 s outage, no load run)
 * Lifecycle timings are the simulator's shortened ones (test/support/crossbar-scenario.ts
 * SHORT_TIMING: offline after 300 ms, routes 0.8 s after a restart, 1.5 s on a fresh start).
 */
import { performance } from 'node:perf_hooks';
import { counts, runScenario, sleep, type Harness, type ScenarioOptions, type ScenarioResult } from '../../test/support/crossbar-scenario.js';

const quick = process.argv.includes('--quick');

interface Row {
  scenario: string;
  clients: string;
  refused: number;
  lost: number;
  cut: number;
  direct: string;
  maxHoldMs: number;
  stopToNotReadyMs: string;
  lastRouteToReadyMs: string;
  masterCallsPerS: number;
}

const scenarios: { name: string; opts: ScenarioOptions; script: (h: Harness) => Promise<void> }[] = [
  {
    name: 'node restart (down 1 s)',
    opts: { clients: 40, spreadMs: 5000 },
    script: async (h) => { await sleep(800); h.mark('node-stop'); await h.cluster.restartNode(1000); },
  },
  {
    name: `node outage (${quick ? 3 : 30} s)`,
    opts: { clients: 40, spreadMs: quick ? 5000 : 33_000, queueTimeoutMs: 60_000 },
    script: async (h) => { await sleep(600); h.mark('node-stop'); await h.cluster.stopNode(); await sleep(quick ? 3000 : 30_000); await h.cluster.startNode(); },
  },
  {
    name: 'fresh start, discovery (realms: [])',
    opts: { clients: 40, spreadMs: 4000, listRealm: false, fresh: true },
    script: async (h) => { await sleep(300); await h.cluster.startNode(); await h.cluster.startArealm('realm1'); },
  },
  {
    // The worst case of discovery: another arealm already fully routed, and on_arealm_starting missed
    // (no subscriptions): the new realm is unknown until the next re-discovery (≤ 10 s) and nothing
    // says the cluster is still placing routes, so its clients pass to workers without its routes.
    name: 'discovery worst case: 2nd arealm, events missed',
    opts: { clients: 40, spreadMs: 4000, listRealm: false, arealms: ['realm1', 'realm2'], stopped: ['realm2'], clientRealm: 'realm2', source: { subscribe: false } },
    script: async (h) => { await sleep(200); await h.cluster.startArealm('realm2'); await sleep(500); },
  },
  {
    // Clients arriving in the first 200 ms ask for a realm that does not exist yet: refused by Crossbar, rightly.
    name: '2nd arealm with events (start at +200 ms)',
    opts: { clients: 40, spreadMs: 4000, listRealm: false, arealms: ['realm1', 'realm2'], stopped: ['realm2'], clientRealm: 'realm2' },
    script: async (h) => { await sleep(200); await h.cluster.startArealm('realm2'); await sleep(500); },
  },
  {
    name: 'route stop on 1 worker, re-added 1.5 s later',
    opts: { clients: 40, spreadMs: 3500 },
    script: async (h) => { await sleep(500); await h.cluster.stopRouteAndReadd('realm1', 1, 1500); },
  },
  {
    name: 'master restart (away 1 s)',
    opts: { clients: 40, spreadMs: 3000, source: { reconnect: { initialDelayMs: 100, maxDelayMs: 400 } } },
    script: async (h) => {
      await sleep(500);
      const port = Number(new URL(h.cluster.masterUrl).port);
      await h.cluster.master.stop();
      await sleep(1000);
      await h.cluster.master.listen({ port });
      await sleep(1000);
    },
  },
  ...(['readmit', 'hold'] as const).map((partial) => ({
    name: `1 of 2 workers unrouted 4 s, partial: ${partial}, hold ≤ 2 s`,
    opts: { clients: 40, spreadMs: 3000, direct: true, partial, queueTimeoutMs: 2000 } as ScenarioOptions,
    script: async (h: Harness) => { await sleep(300); h.cluster.stopRoute('realm1', 1); await sleep(4000); h.cluster.startRoute('realm1', 1); },
  })),
];

function row(name: string, r: ScenarioResult): Row {
  const c = counts(r.gate);
  const d = counts(r.direct);
  const holds = r.gate.filter((x) => x.kind === 'ok').map((x) => x.doneAt - x.arrivedAt);
  const stop = r.marks.get('node-stop');
  const notReady = stop === undefined ? undefined : r.changes.find((x) => !x.ready && x.at >= stop);
  // Only transitions during the scenario (the gate's first ready, before t=0, says nothing).
  const lastReady = [...r.changes].reverse().find((x) => x.ready && x.at >= r.startedAt);
  const routeBefore = lastReady ? r.routes.filter((x) => x.started && x.at <= lastReady.at).at(-1) : undefined;
  const seconds = (r.endedAt - r.startedAt) / 1000;
  const inWindow = r.calls.filter((t) => t >= r.startedAt && t <= r.endedAt).length;
  return {
    scenario: name,
    clients: `${c.ok}/${r.gate.length} joined+called`,
    refused: c.refused,
    lost: c.lost,
    cut: c.cut,
    direct: r.direct.length > 0 ? `${d.ok} joined, ${d.refused} refused` : '-',
    maxHoldMs: Math.round(Math.max(0, ...holds)),
    stopToNotReadyMs: notReady && stop !== undefined ? String(Math.round(notReady.at - stop)) : '-',
    lastRouteToReadyMs: lastReady && routeBefore ? String(Math.round(lastReady.at - routeBefore.at)) : '-',
    masterCallsPerS: Math.round((inWindow / seconds) * 10) / 10,
  };
}

/** A settled node, events flowing: master calls per second of one sidecar over `windowMs`. */
async function steadyLoad(source: Record<string, unknown>, windowMs: number): Promise<number> {
  let perS = 0;
  await runScenario({ clients: 0, spreadMs: 0, source }, async (h) => {
    // Events are "healthy" once an on_tick has arrived (every 5 s), then the full poll slows down.
    const t0 = performance.now();
    while (h.gate.registry.sources()[0]?.detail.eventsHealthy !== true && performance.now() - t0 < 12_000) await sleep(50);
    await sleep(1000);
    const before = h.cluster.master.calls.length;
    const start = performance.now();
    await sleep(windowMs);
    perS = (h.cluster.master.calls.length - before) / ((performance.now() - start) / 1000);
  });
  return perS;
}

const rows: Row[] = [];
for (const s of scenarios) {
  process.stderr.write(`running: ${s.name}\n`);
  rows.push(row(s.name, await runScenario(s.opts, s.script)));
}
console.table(rows);
console.log('cut = joined, then the session died under its call because the node process stopped (no gate can prevent it).');
console.log('lost = closed before joining without a WAMP answer (admitted, then the upstream connect was refused).');

if (!quick) {
  const windowMs = 40_000;
  const defaults = await steadyLoad({}, windowMs);
  const noCheck = await steadyLoad({ nodeCheckIntervalMs: 0 }, windowMs);
  const legacy = await steadyLoad({ nodeCheckIntervalMs: 0, safetyPollIntervalMs: 2000 }, windowMs);
  console.table([
    { config: 'defaults (nodeCheckIntervalMs 500, pollIntervalMs 2000, safetyPollIntervalMs 30000)', perSidecar: defaults.toFixed(2), for500: Math.round(defaults * 500) },
    { config: 'nodeCheckIntervalMs: 0 (node events + polls only)', perSidecar: noCheck.toFixed(2), for500: Math.round(noCheck * 500) },
    { config: 'nodeCheckIntervalMs: 0, safetyPollIntervalMs: 2000 (full poll every 2 s)', perSidecar: legacy.toFixed(2), for500: Math.round(legacy * 500) },
  ]);
}
