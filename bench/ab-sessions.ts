/**
 * Diagnosis, not a benchmark: two gate builds side by side against one echo upstream, the same
 * sessions (connect → HELLO → WELCOME → drop, 16 loops) sent to A and B in alternating 400 ms
 * slices, and each gate's CPU µs per session. On a shared 2-core machine separate runs of one
 * build differ by ±10 %; interleaved for 20 s, a build against itself differs by ~1 % (6 s: up to
 * 8 %), so a change of a few per cent shows. Build each version into its own directory inside the checkout (node_modules
 * must resolve), e.g. `npx tsc -p tsconfig.build.json --outDir .dist-a`.
 *
 *   node --import tsx bench/ab-sessions.ts A/main.js B/main.js [realmgate|realmgate-peek] [seconds=20]
 *
 * AB_NODE_ARGS_A / AB_NODE_ARGS_B: node flags for one side only (e.g. the same build twice, B with a V8 flag).
 */
import { join } from 'node:path';
import { ProcessSet, cpuMicros } from './lib/procs.js';
import { startUpstream, writeProbeConfig } from './lib/targets.js';
import { connect } from './load/ws-connect.js';
const [mainA, mainB, mode = 'realmgate', totalS = '20'] = process.argv.slice(2);
if (!mainA || !mainB) throw new Error('usage: ab-sessions.ts A/main.js B/main.js [realmgate|realmgate-peek] [seconds]');
const root = join(import.meta.dirname, '..');
const ps = new ProcessSet();
const up = await startUpstream(ps);
const file = writeProbeConfig(up.port);
const start = async (name: 'A' | 'B', main: string) => {
  const nodeArgs = (process.env[`AB_NODE_ARGS_${name}`] ?? '').split(' ').filter(Boolean);
  const child = ps.spawn(name, process.execPath, [...nodeArgs, main, '--config', file], { cwd: root });
  const started = JSON.parse(await child.waitForLine(/realmgate started/)) as { listen: string };
  return { child, url: `ws://127.0.0.1:${String(started.listen).split(':').pop()}/ws${mode === 'realmgate' ? '?realm=realm1' : ''}` };
};
const A = await start('A', mainA), B = await start('B', mainB);
const wamp = true;
const count = { A: 0, B: 0 };
let target: 'A' | 'B' = 'A';
let stop = false;
const loop = async () => { while (!stop) { const t = target; (await connect(t === 'A' ? A.url : B.url, wamp, 'realm1')).terminate(); count[t]++; } };
// Warm-up: both JITs and the load client's, before anything is counted.
for (const t of ['A', 'B', 'A', 'B'] as const) { target = t; stop = false; const ls = Array.from({ length: 16 }, loop); await new Promise((r) => setTimeout(r, 500)); stop = true; await Promise.all(ls); }
count.A = 0; count.B = 0;
const cpu = { A: 0, B: 0 };
const end = Date.now() + Number(totalS) * 1000;
while (Date.now() < end) {
  for (const t of ['A', 'B'] as const) {
    target = t; stop = false;
    const pid = t === 'A' ? A.child.pid : B.child.pid;
    const c0 = cpuMicros([pid]);
    const ls = Array.from({ length: 16 }, loop);
    await new Promise((r) => setTimeout(r, 400));
    stop = true; await Promise.all(ls);
    cpu[t] += cpuMicros([pid]) - c0;
  }
}
console.log(JSON.stringify({ mode, A: { sessions: count.A, usPerSession: +(cpu.A / count.A).toFixed(1) }, B: { sessions: count.B, usPerSession: +(cpu.B / count.B).toFixed(1) }, ratioBA: +((cpu.B / count.B) / (cpu.A / count.A)).toFixed(3) }));
ps.killAll(); process.exit(0);
