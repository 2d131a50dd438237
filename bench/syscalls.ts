/**
 * Diagnosis, not a benchmark: the system calls a proxy makes per session or per echoed message
 * (`strace -c -f` attached to it), for realmgate beside nginx, HAProxy and the bare Node pipes.
 * Counts, unlike times, do not move with machine load, and they separate "more calls" from
 * "dearer calls": what nginx does not do at all is visible line by line.
 *
 *   node --import tsx bench/syscalls.ts sessions [N=2000]            # connect (+ HELLO/WELCOME for -peek) → close
 *   node --import tsx bench/syscalls.ts tunnel [size=16384] [conns=50] [inflight=16]
 *
 * Needs strace (Debian: apt-get install strace) and the built gate (npm run build).
 */
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { ProcessSet } from './lib/procs.js';
import { startHaproxy, startNginx, startUpstream, tsxArgs, writeProbeConfig } from './lib/targets.js';
import { connect } from './load/ws-connect.js';

const [mode = 'sessions', ...rest] = process.argv.slice(2);
if (mode !== 'sessions' && mode !== 'tunnel') throw new Error('usage: syscalls.ts sessions [N] | tunnel [size] [conns] [inflight]');
const root = join(import.meta.dirname, '..');
const ps = new ProcessSet();
const up = await startUpstream(ps);

interface Probe { name: string; url: string; pids: number[]; wamp: boolean; stop?: () => Promise<void> }
const probes: Probe[] = [];
const gate = ps.spawn('realmgate', process.execPath, [join(root, 'dist/main.js'), '--config', writeProbeConfig(up.port)], { cwd: root });
const gatePort = String((JSON.parse(await gate.waitForLine(/realmgate started/)) as { listen: string }).listen).split(':').pop();
probes.push({ name: 'realmgate', url: `ws://127.0.0.1:${gatePort}/ws?realm=realm1`, pids: [gate.pid], wamp: mode === 'sessions' });
probes.push({ name: 'realmgate-peek', url: `ws://127.0.0.1:${gatePort}/ws`, pids: [gate.pid], wamp: true });
for (const start of [startNginx, startHaproxy]) {
  try {
    const t = await start(ps, up.port);
    // Stopped with a signal it handles: a killed nginx master leaves its worker behind.
    probes.push({ name: t.name, url: `${t.url}/ws`, pids: t.cpuPids, wamp: mode === 'sessions', stop: () => t.child?.stop() ?? Promise.resolve() });
  } catch (err) {
    console.error(`skipped: ${(err as Error).message}`);
  }
}
for (const name of ['node-pipe', 'node-http-pipe']) {
  const child = ps.spawn(name, process.execPath, [...tsxArgs('node-pipe-proxy.ts'), String(up.port), name === 'node-pipe' ? 'tcp' : 'http'], { cwd: root });
  const port = (JSON.parse(await child.waitForLine(/"port"/)) as { port: number }).port;
  probes.push({ name, url: `ws://127.0.0.1:${port}/ws`, pids: [child.pid], wamp: mode === 'sessions' });
}

/** Runs `work` with strace -c attached to every pid; returns calls per syscall name. */
async function traced(pids: number[], work: () => Promise<void>): Promise<Map<string, { calls: number; errors: number }>> {
  const st = spawn('strace', ['-c', '-f', ...pids.flatMap((p) => ['-p', String(p)])], { stdio: ['ignore', 'ignore', 'pipe'] });
  let out = '';
  st.stderr.on('data', (d: Buffer) => { out += d.toString(); });
  // strace prints "attached" per thread; give it those lines before the work starts.
  await new Promise<void>((resolve, reject) => {
    st.once('error', reject);
    const check = (): void => { if (/attached/.test(out)) { st.stderr.off('data', check); resolve(); } };
    st.stderr.on('data', check);
  });
  await work();
  st.kill('SIGINT');
  await new Promise((r) => st.once('exit', r));
  const counts = new Map<string, { calls: number; errors: number }>();
  for (const line of out.split('\n')) {
    const m = /^\s*[\d.]+\s+[\d.]+\s+\d+\s+(\d+)\s+(\d+)?\s*(\w+)$/.exec(line);
    if (m && m[3] !== 'total') counts.set(m[3]!, { calls: Number(m[1]), errors: Number(m[2] ?? 0) });
  }
  return counts;
}

const rows: Record<string, Record<string, string>> = {};
for (const p of probes) {
  let units = 0;
  let work: () => Promise<void>;
  if (mode === 'sessions') {
    const n = Number(rest[0] ?? 2000);
    const loop = async (k: number): Promise<void> => { for (let i = 0; i < k; i++) (await connect(p.url, p.wamp, 'realm1')).terminate(); };
    await Promise.all(Array.from({ length: 8 }, () => loop(40))); // warm-up, untraced
    work = async () => { await Promise.all(Array.from({ length: 8 }, () => loop(n / 8))); units = n; };
  } else {
    const [size = 16384, conns = 50, inflight = 16] = rest.map(Number);
    const clients = await Promise.all(Array.from({ length: conns }, () => connect(p.url, p.wamp, 'realm1')));
    const payload = Buffer.alloc(size, 0x61);
    let n = 0;
    let stop = false;
    for (const ws of clients) {
      ws.on('message', () => { n++; if (!stop) ws.send(payload, { binary: true }); });
      for (let i = 0; i < inflight; i++) ws.send(payload, { binary: true });
    }
    await new Promise((r) => setTimeout(r, 500));
    work = async () => { const n0 = n; await new Promise((r) => setTimeout(r, 2000)); units = n - n0; };
    const counts = await traced(p.pids, work);
    stop = true;
    for (const ws of clients) ws.terminate();
    rows[p.name] = perUnit(counts, units);
    continue;
  }
  rows[p.name] = perUnit(await traced(p.pids, work), units);
}

function perUnit(counts: Map<string, { calls: number; errors: number }>, units: number): Record<string, string> {
  const row: Record<string, string> = {};
  let total = 0;
  for (const [name, c] of counts) {
    // Bookkeeping of the process itself (memory, thread wake-ups), not the proxying: left out below 0.05.
    if (c.calls / units < 0.05) continue;
    total += c.calls;
    row[name] = `${(c.calls / units).toFixed(2)}${c.errors ? ` (${(c.errors / units).toFixed(2)} failed)` : ''}`;
  }
  row.total = (total / units).toFixed(2);
  return row;
}

// One row per system call, one column per target (markdown, as bench/README.md quotes it).
const names = Object.keys(rows);
const calls = [...new Set(names.flatMap((n) => Object.keys(rows[n]!)))].filter((c) => c !== 'total').sort();
console.log(`System calls per ${mode === 'sessions' ? 'session' : 'echoed message'} (strace -c -f; under 0.05 per unit left out)\n`);
for (const p of probes) await p.stop?.();
console.log(`| call | ${names.join(' | ')} |\n|---|${names.map(() => '--:').join('|')}|`);
for (const c of [...calls, 'total']) console.log(`| ${c} | ${names.map((n) => rows[n]![c] ?? '').join(' | ')} |`);
ps.killAll();
process.exit(0);
