/**
 * `npm run bench`: realmgate measured side by side with a direct connection,
 * nginx and HAProxy on loopback, in one run bounded to ~5 minutes. Writes
 * bench/results/latest.json, bench/results/throughput.svg and the results
 * table into bench/README.md.
 *
 *   node --import tsx bench/run.ts [--quick] [--without-node-pipe] [--only=tunnel,sessions,held,readiness]
 *
 * --quick: 2 repetitions and shorter windows (development; not for the README).
 * --cases=ID,...: only these tunnel cases (e.g. --cases='16KiB 50x16').
 * Bare Node pipes (bench/node-pipe-proxy.ts) are measured beside realmgate as references (the
 * CPU target is relative to node-http-pipe); --without-node-pipe leaves them out.
 * --only=tls: realmgate and nginx terminating TLS with the same certificate, beside their plain runs
 *   (bench/scenarios/tls.ts); written to results/tls.json, not part of the default run.
 */
import { execFileSync } from 'node:child_process';
import { cpus, loadavg, totalmem } from 'node:os';
import { LoadDriver } from './lib/load-driver.js';
import { ProcessSet } from './lib/procs.js';
import { ensurePackages, startGate, startHaproxy, startNginx, startUpstream, tsxArgs, type Target } from './lib/targets.js';
import { writeReport, type BenchResults } from './report.js';
import { runHeldScenario } from './scenarios/held.js';
import { runReadinessScenario } from './scenarios/readiness.js';
import { runSessionScenario } from './scenarios/sessions.js';
import { runTunnelScenario } from './scenarios/tunnel.js';
import { makeBenchTls, runTlsScenario } from './scenarios/tls.js';
import { writeFileSync } from 'node:fs';
import { handleUsage } from '../scripts/usage.js';

handleUsage(process.argv.slice(2), `
npm run bench -- [--quick] [--without-node-pipe] [--only=tunnel,sessions,held,readiness,tls] [--cases=ID,...]

Measures realmgate against direct, nginx and HAProxy on loopback (about 5 minutes; installs nginx
and haproxy with apt when run as root) and rewrites bench/results/latest.json,
bench/results/throughput.svg and the results table in bench/README.md.
  --quick           2 repetitions and shorter windows (development; not for the README)
  --without-node-pipe  leave out the bare Node pipe references (measured by default)
  --only=LIST       only these scenarios (tls: TLS tunnels beside nginx, written to results/tls.json)
  --cases=ID,...    only these tunnel cases (e.g. --cases='16KiB 50x16')
`, ['--quick', '--with-node-pipe', '--without-node-pipe', '--only=', '--cases=']);

const quick = process.argv.includes('--quick');
const only = process.argv.find((a) => a.startsWith('--only='))?.slice(7).split(',') ?? ['tunnel', 'sessions', 'held', 'readiness'];
const startedAt = Date.now();
/** Hard bound of the whole run (the issue allows 5 minutes). */
const deadline = startedAt + 290_000;
const log = (s: string): void => console.error(`[${((Date.now() - startedAt) / 1000).toFixed(1)}s] ${s}`);
const reps = quick ? 2 : 5;
/** --cases=ID,ID limits scenario 1 to some cases (ids as in TUNNEL_CASES, e.g. "16KiB 50x16"). */
const cases = process.argv.find((a) => a.startsWith('--cases='))?.slice(8).split(',');

function version(cmd: string, args: string[]): string | null {
  try {
    // nginx -v prints on stderr.
    return execFileSync('sh', ['-c', `${[cmd, ...args].join(' ')} 2>&1`], { encoding: 'utf8' }).split('\n')[0]!.trim() || null;
  } catch {
    return null;
  }
}

const ps = new ProcessSet();
const globalTimer = setTimeout(() => { log('bench: hard deadline passed, stopping'); ps.killAll(); process.exit(3); }, deadline - startedAt + 20_000);
globalTimer.unref();
try {
  const missing = ensurePackages();
  const upstream = await startUpstream(ps);
  const up = upstream.port;
  const gate = await startGate(ps, 'realmgate', {
    upstream: { url: `http://127.0.0.1:${up}` },
    realms: [{ name: 'realm1' }],
    realmFrom: ['path', 'query', 'hello'],
    readiness: { sources: [{ type: 'static', ready: ['realm1'] }] },
  });
  const proxies: Target[] = [];
  const skipped: string[] = [];
  for (const [name, start, why] of [['nginx', startNginx, missing.nginx], ['haproxy', startHaproxy, missing.haproxy]] as const) {
    if (why) { skipped.push(`${name}: ${why}`); continue; }
    try { proxies.push(await start(ps, up)); } catch (err) { skipped.push(`${name}: ${(err as Error).message}`); }
  }
  for (const s of skipped) log(`skipped ${s}`);
  if (!process.argv.includes('--without-node-pipe')) {
    // Reference points: a bare Node TCP pipe, and the same behind an http server's 'upgrade'.
    for (const [name, mode] of [['node-pipe', 'tcp'], ['node-http-pipe', 'http']] as const) {
      const child = ps.spawn(name, process.execPath, [...tsxArgs('node-pipe-proxy.ts'), String(up), mode]);
      const port = (JSON.parse(await child.waitForLine(/"port"/)) as { port: number }).port;
      proxies.push({ name, url: `ws://127.0.0.1:${port}`, child, cpuPids: [child.pid] });
    }
  }
  // The load client must trust the throwaway CA of the TLS scenario: read by node at its start.
  const tls = only.includes('tls') ? makeBenchTls() : undefined;
  if (tls) process.env.NODE_EXTRA_CA_CERTS = tls.caFile;
  const load = await LoadDriver.start(ps);
  log(`started: upstream :${up}, ${gate.url}, ${proxies.map((p) => `${p.name} ${p.url}`).join(', ')}`);

  const results: BenchResults = {
    date: new Date().toISOString(),
    quick,
    machine: { cpu: cpus()[0]?.model ?? 'unknown', cores: cpus().length, memGiB: Math.round(totalmem() / 2 ** 30), kernel: version('uname', ['-r']) ?? '', loadAvg: loadavg() },
    versions: {
      node: process.version,
      realmgate: (await import('../package.json', { with: { type: 'json' } })).default.version,
      nginx: version('nginx', ['-v']),
      haproxy: version('haproxy', ['-v']),
    },
    skipped,
    tunnel: [],
    sessions: [],
    held: [],
    readiness: [],
    durationS: 0,
  };

  if (only.includes('tunnel')) {
    results.tunnel = await runTunnelScenario(load, [
      { name: 'direct', url: `ws://127.0.0.1:${up}/ws`, wamp: false, cpuPids: [] },
      { name: 'realmgate', url: `${gate.url}/ws?realm=realm1`, wamp: false, cpuPids: gate.cpuPids },
      { name: 'realmgate-peek', url: `${gate.url}/ws`, wamp: true, cpuPids: gate.cpuPids },
      ...proxies.map((p) => ({ name: p.name, url: `${p.url}/ws`, wamp: false, cpuPids: p.cpuPids })),
    ], { reps, warmupMs: quick ? 150 : 200, windowMs: quick ? 500 : 800, deadline: deadline - 130_000, log, cases });
  }
  if (only.includes('sessions')) {
    results.sessions = await runSessionScenario(load, [
      { name: 'direct', url: `ws://127.0.0.1:${up}/ws`, cpuPids: [] },
      { name: 'realmgate', url: `${gate.url}/ws?realm=realm1`, cpuPids: gate.cpuPids },
      { name: 'realmgate-peek', url: `${gate.url}/ws`, cpuPids: gate.cpuPids },
      ...proxies.map((p) => ({ name: p.name, url: `${p.url}/ws`, cpuPids: p.cpuPids })),
    ], { reps, concurrency: 16, warmupMs: 150, windowMs: quick ? 400 : 600, deadline: deadline - 95_000, log });
  }
  if (tls) {
    const r = await runTlsScenario(ps, load, up, proxies.find((p) => p.name === 'nginx'), tls,
      { reps, warmupMs: quick ? 150 : 200, windowMs: quick ? 500 : 800, deadline: deadline - 30_000, log, cases });
    writeFileSync(new URL('./results/tls.json', import.meta.url), `${JSON.stringify({ date: new Date().toISOString(), quick, machine: results.machine, versions: results.versions, ...r }, null, 2)}\n`);
    console.table(r.tunnel.map(({ samples: _s, ...row }) => row));
    console.table(r.sessions);
    console.table(r.cost);
    console.table(r.sessionCost);
  }
  await gate.child.stop();
  for (const p of proxies) await p.child?.stop();
  if (only.includes('held')) {
    results.held = await runHeldScenario(ps, load, { port: up, pid: upstream.child.pid }, [
      { mode: 'upgrade', n: 1000, reps: quick ? 1 : 3 },
      { mode: 'peek', n: 1000, reps: quick ? 1 : 3 },
      // The floor: the same release through a bare Node forwarder (no admission, no connect pacing).
      { mode: 'node-http-pipe', n: 1000, reps: quick ? 1 : 3 },
      { mode: 'upgrade', n: 10_000, reps: quick ? 1 : 3 },
      { mode: 'node-http-pipe', n: 10_000, reps: quick ? 1 : 3 },
      { mode: 'peek', n: 10_000, reps: quick ? 1 : 2 },
    ], { deadline: deadline - 30_000, log });
  }
  if (only.includes('readiness')) {
    results.readiness = await runReadinessScenario(ps, up, { eventRuns: quick ? 5 : 10, pollRuns: quick ? 2 : 5, pollIntervalMs: 2000, deadline, log });
  }
  results.durationS = Math.round((Date.now() - startedAt) / 1000);
  writeReport(results, { updateReadme: !quick && only.length === 4 });
  log(`done in ${results.durationS} s`);
} catch (err) {
  log(`bench failed: ${(err as Error).stack ?? String(err)}`);
  process.exitCode = 1;
} finally {
  ps.killAll();
}
process.exit(process.exitCode ?? 0);
