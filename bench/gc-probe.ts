/**
 * Diagnosis, not a benchmark: drives one proxy with N WebSocket clients × M messages in flight
 * against the echo upstream and reports the proxy's CPU µs per message and its GCs
 * (--trace-gc lines) per MiB forwarded — numbers that survive a shared, noisy machine.
 *
 *   node --import tsx bench/gc-probe.ts realmgate|realmgate-peek|node-http-pipe|node-pipe [--size=16384] [--conns=50] [--inflight=16] [--ms=3000]
 */
import { join } from 'node:path';
import { ProcessSet, cpuMicros } from './lib/procs.js';
import { startUpstream, tsxArgs, writeProbeConfig } from './lib/targets.js';
import { connect } from './load/ws-connect.js';

const arg = (k: string, d: number): number => Number(process.argv.find((a) => a.startsWith(`--${k}=`))?.split('=')[1] ?? d);
const target = process.argv[2] ?? 'realmgate';
const size = arg('size', 16384), conns = arg('conns', 50), inflight = arg('inflight', 16), ms = arg('ms', 3000);
const extra = (process.env.PROBE_NODE_ARGS ?? '').split(' ').filter(Boolean);
const root = join(import.meta.dirname, '..');
const ps = new ProcessSet();
const up = await startUpstream(ps);
let child;
let url: string;
if (target.startsWith('realmgate')) {
  const file = writeProbeConfig(up.port);
  child = ps.spawn(target, process.execPath, ['--trace-gc', ...extra, process.env.PROBE_MAIN ?? join(root, 'dist/main.js'), '--config', file], { cwd: root });
  const started = JSON.parse(await child.waitForLine(/realmgate started/)) as { listen: string };
  url = `ws://127.0.0.1:${String(started.listen).split(':').pop()}/ws${target === 'realmgate' ? '?realm=realm1' : ''}`;
} else {
  child = ps.spawn(target, process.execPath, ['--trace-gc', ...extra, ...(process.env.PROBE_SCRIPT ? ['--import', 'tsx', process.env.PROBE_SCRIPT] : tsxArgs('node-pipe-proxy.ts')), String(up.port), target === 'node-pipe' ? 'tcp' : 'http'], { cwd: root });
  url = `ws://127.0.0.1:${(JSON.parse(await child.waitForLine(/"port"/)) as { port: number }).port}/ws`;
}
let marks = 0, scav = 0, counting = false;
child.proc.stdout!.on('data', (c: Buffer) => {
  const s = c.toString();
  if (process.env.PROBE_TRACE === 'all') process.stderr.write(s);
  if (!counting) return;
  if (process.env.PROBE_TRACE) process.stderr.write(s);
  marks += s.split('Mark-Compact').length - 1;
  scav += s.split('Scavenge').length - 1;
});
const sessions = arg('sessions', 0);
if (sessions > 0) {
  // Session mode: 16 loops of connect (+ HELLO/WELCOME for -peek) → close; CPU µs per session.
  const wamp = target === 'realmgate-peek';
  const loop = async (n: number): Promise<void> => { for (let i = 0; i < n; i++) (await connect(url, wamp, 'realm1')).terminate(); };
  await Promise.all(Array.from({ length: 16 }, () => loop(20)));
  const c0 = cpuMicros([child.pid]), s0 = cpuMicros([child.pid], 'system');
  await Promise.all(Array.from({ length: 16 }, () => loop(Math.ceil(sessions / 16))));
  const c1 = cpuMicros([child.pid]), s1 = cpuMicros([child.pid], 'system');
  // User and system time apart: most of a session's cost is the kernel's (accept, connect, loopback TCP).
  console.log(JSON.stringify({ target, sessions, cpuUsPerSession: +((c1 - c0) / sessions).toFixed(1), systemUsPerSession: +((s1 - s0) / sessions).toFixed(1) }));
  await child.stop(5000);
  ps.killAll();
  process.exit(0);
}
const clients = await Promise.all(Array.from({ length: conns }, () => connect(url, target === 'realmgate-peek', 'realm1')));
const payload = Buffer.alloc(size, 0x61);
let n = 0, stop = false;
for (const ws of clients) {
  ws.on('message', () => { n++; if (!stop) ws.send(payload, { binary: true }); });
  for (let i = 0; i < inflight; i++) ws.send(payload, { binary: true });
}
await new Promise((r) => setTimeout(r, 500));
counting = true;
const n0 = n, c0 = cpuMicros([child.pid]);
// A fixed number of messages, not a fixed time: GCs per MiB and CPU per message do not depend on machine load.
const want = arg('msgs', 40_000);
await new Promise<void>((r) => { const t = setInterval(() => { if (n - n0 >= want) { clearInterval(t); r(); } }, 5); });
const n1 = n, c1 = cpuMicros([child.pid]);
counting = false;
stop = true;
const msgs = n1 - n0, mib = (msgs * size * 2) / 2 ** 20;
console.log(JSON.stringify({ target, size, conns, inflight, msgs, cpuUsPerMsg: +((c1 - c0) / msgs).toFixed(2), markCompacts: marks, scavenges: scav, mcPerGiB: +((marks / mib) * 1024).toFixed(1), scavPerMiB: +(scav / mib).toFixed(3) }));
for (const ws of clients) ws.terminate();
await child.stop(5000);
ps.killAll();
process.exit(0);
